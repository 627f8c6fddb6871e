/**
 * Turns a type-graphql schema into a Federation 2 subgraph: build with skipCheck, print with
 * directives (so `@key` etc. survive), add the federation `@link`, and hand the SDL plus
 * type-graphql's resolvers and the reference resolvers to `buildSubgraphSchema`.
 */
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLSchema, parse } from 'graphql';
import DataLoader from 'dataloader';
import { buildSchema, BuildSchemaOptions, createResolversMap } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { identityAuthChecker } from './access';
import { validateArguments } from './validation';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag"])';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReferenceResolvers = Record<string, { __resolveReference: (ref: any, ctx: any) => unknown }>;

export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck'>,
  referenceResolvers: ReferenceResolvers = {},
): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    // Every argument's declared class-validator rules, answered as BAD_USER_INPUT + field (validation.ts).
    validateFn: validateArguments,
    // One DateTime scalar (ISO 8601) across the supergraph.
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    // @Authorized on a resolver: UNAUTHENTICATED / FORBIDDEN from the catalogue (access.ts).
    authChecker: identityAuthChecker,
    ...options,
    skipCheck: true,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  for (const [type, ref] of Object.entries(referenceResolvers)) {
    resolvers[type] = { ...(resolvers[type] ?? {}), ...ref };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as any });
}

/**
 * A reference resolver that batches every `_entities` representation of one type within a
 * request into a single call of `load` (one SQL query per batch, not one per entity).
 */
export function batchedReference<Ctx extends object, V>(
  load: (ids: readonly string[], ctx: Ctx) => Promise<Map<string, V>>,
): (ref: { id: string }, ctx: Ctx) => Promise<V | null> {
  const perRequest = new WeakMap<Ctx, DataLoader<string, V | null>>();
  return (ref, ctx) => {
    let loader = perRequest.get(ctx);
    if (!loader) {
      loader = new DataLoader<string, V | null>(async (ids) => {
        const found = await load(ids, ctx);
        return ids.map((id) => found.get(id) ?? null);
      });
      perRequest.set(ctx, loader);
    }
    return loader.load(String(ref.id));
  };
}
