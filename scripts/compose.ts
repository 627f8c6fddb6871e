/**
 * `npm run compose`: prints each subgraph's SDL to schema/<name>.graphql and composes
 * schema/supergraph.graphql with @apollo/composition, and schema/api.graphql: the API schema
 * clients see (the supergraph without federation's join directives), which the storefront's
 * GraphQL Code Generator types every operation against. A composition error fails the command with
 * the composer's messages. The test suite calls `composeSupergraph()` to detect drift.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, printSchema } from 'graphql';
import { printSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';
import { buildFederatedSchema, SubgraphModule } from '@flashsale/platform';
import { userSubgraph } from '../subgraphs/user/src/subgraph';
import { productSubgraph } from '../subgraphs/product/src/subgraph';
import { cartSubgraph } from '../subgraphs/cart/src/subgraph';
import { orderSubgraph } from '../subgraphs/order/src/subgraph';

export const SCHEMA_DIR = resolve(__dirname, '../schema');

const modules: Array<[SubgraphModule<unknown>, number]> = [
  [userSubgraph as SubgraphModule<unknown>, 4001],
  [productSubgraph as SubgraphModule<unknown>, 4002],
  [cartSubgraph as SubgraphModule<unknown>, 4003],
  [orderSubgraph as SubgraphModule<unknown>, 4004],
];

/** Every file `npm run compose` writes, by file name. Throws with the composer's messages on error. */
export async function composeSupergraph(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const services = [];
  for (const [mod, port] of modules) {
    const schema = await buildFederatedSchema({ resolvers: mod.resolvers, orphanedTypes: mod.orphanedTypes }, mod.referenceResolvers);
    const sdl = printSubgraphSchema(schema).trim() + '\n';
    files[`${mod.name}.graphql`] = sdl;
    services.push({ name: mod.name, url: `http://127.0.0.1:${port}/graphql`, typeDefs: parse(sdl) });
  }
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  files['supergraph.graphql'] = result.supergraphSdl.trim() + '\n';
  files['api.graphql'] = printSchema(result.schema.toAPISchema().toGraphQLJSSchema()).trim() + '\n';
  return files;
}

if (require.main === module) {
  composeSupergraph()
    .then((files) => {
      for (const [name, text] of Object.entries(files)) writeFileSync(resolve(SCHEMA_DIR, name), text);
      console.log(`wrote ${Object.keys(files).map((f) => `schema/${f}`).join(', ')}`);
    })
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
