/**
 * Relay-style keyset pagination shared by every subgraph: one `PageInfo` type (@shareable, so any
 * subgraph may declare it identically), opaque cursors (base64url of the sort-key values of the
 * row they point at) and one rule for `first`. A cursor is never an offset: the next page is
 * "rows after these key values", which an index answers without scanning skipped rows.
 */
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ArgsType, ClassType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors';

@ObjectType('PageInfo')
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A Relay connection of T: the shape `connectionFrom` builds and every `*Connection` type declares. */
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

/**
 * The GraphQL types `<Name>Edge` and `<Name>Connection` for nodes of class `node`, declared once
 * here for every subgraph's lists (a fresh pair per call: each name is declared by one subgraph).
 */
export function connectionType<T extends object>(name: string, node: ClassType<T>): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType implements Connection<T> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

export type CursorValue = string | number;

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The key values inside `cursor`, checked against `shape` (one 'string' | 'number' per value).
 * A cursor that is not one of ours is BAD_USER_INPUT on the `after` argument.
 */
export function decodeCursor(cursor: string, shape: ReadonlyArray<'string' | 'number'>, field = 'after'): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== shape.length || values.some((v, i) => typeof v !== shape[i] || (typeof v === 'number' && !Number.isFinite(v)))) {
    throw badInput('Invalid cursor', field);
  }
  return values as CursorValue[];
}

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

const FIRST_MESSAGE = `first must be between 1 and ${PAGE_SIZE_MAX}`;

/** The paging arguments of every list: `first` (1..100, default 20) and `after` (a cursor from the previous page). */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt({ message: FIRST_MESSAGE })
  @Min(1, { message: FIRST_MESSAGE })
  @Max(PAGE_SIZE_MAX, { message: FIRST_MESSAGE })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** The page size for `first` (PageArgs has refused anything outside 1..100); absent means the default. */
export function pageSize(first: number | null | undefined): number {
  return first ?? PAGE_SIZE_DEFAULT;
}

/** Builds a connection from rows fetched with `limit: size + 1` (the extra row says "there is more"). */
export function connectionFrom<T>(rows: T[], size: number, cursorOf: (row: T) => string, hasPrevious: boolean): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    } satisfies PageInfo,
  };
}
