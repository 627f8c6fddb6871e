/**
 * Measures `products(first: 20)` on the first page against deep pages of a large catalog, over
 * HTTP, and shows the query plans. A measurement to run by hand, not a test:
 *
 *   DB_PREFIX=bench REDIS_PREFIX=bench: npm run seed -- --products 100000
 *   DB_PREFIX=bench REDIS_PREFIX=bench: node -r @swc-node/register subgraphs/product/src/tools/measure-pagination.ts [--runs 200] [--url <graphql url>]
 *
 * Without --url it starts the product subgraph in this process (free port, same database) and
 * queries it directly; with --url (e.g. http://127.0.0.1:4000/graphql of `npm start`) it goes
 * through that endpoint instead. Deep-page cursors are built from the rows at those positions.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createLogger, encodeCursor, loadConfigOrExit } from '@flashsale/platform';
import { startProductSubgraph } from '../subgraph';
import { Product } from '../entities/product.entity';

const QUERY = `query($first: Int, $after: String, $categoryId: ID) {
  products(first: $first, after: $after, categoryId: $categoryId) {
    edges { cursor node { id name price currency available saleState } }
    pageInfo { hasNextPage endCursor }
  }
}`;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5).toFixed(2), p95: q(0.95).toFixed(2), min: s[0].toFixed(2), max: s[s.length - 1].toFixed(2) };
}

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, url: { type: 'string' } } });
  const runs = Number(values.runs);
  const config = loadConfigOrExit({ ...process.env, PRODUCT_PORT: '0', LOG_LEVEL: 'warn' });
  const service = await startProductSubgraph(config, createLogger(config, 'measure'));
  const url = values.url ?? service.url;
  try {
    const em = service.deps.orm.em.fork();
    const total = await em.count(Product, { active: true });
    const order = { createdAt: 'desc', id: 'desc' } as const;
    const cursorAt = async (offset: number, where: Record<string, unknown> = { active: true }) => {
      const [row] = await em.find(Product, where, { orderBy: order, offset, limit: 1 });
      return encodeCursor([row.createdAt.getTime(), row.id]);
    };
    const someCategory = (await em.find(Product, { active: true }, { orderBy: order, limit: 1 }))[0].category.id;
    const inCategory = await em.count(Product, { active: true, category: someCategory });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['first page', { first: 20 }],
      [`middle page (after row ${Math.floor(total / 2)})`, { first: 20, after: await cursorAt(Math.floor(total / 2)) }],
      [`last page (after row ${total - 21})`, { first: 20, after: await cursorAt(total - 21) }],
      [`category, first page (${inCategory} products)`, { first: 20, categoryId: someCategory }],
      [`category, last page`, { first: 20, categoryId: someCategory, after: await cursorAt(inCategory - 21, { active: true, category: someCategory }) }],
    ];

    const post = async (variables: Record<string, unknown>) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables }) });
      const body = (await res.json()) as { data?: { products: { edges: unknown[] } }; errors?: unknown };
      if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
      return body.data.products.edges.length;
    };

    console.log(`catalog: ${total} active products; endpoint ${url}; ${runs} runs per case after 20 warm-up runs`);
    for (const [name, variables] of cases) {
      for (let i = 0; i < 20; i++) await post(variables);
      const times: number[] = [];
      let edges = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        edges = await post(variables);
        times.push(performance.now() - t0);
      }
      console.log(`${name.padEnd(48)} edges=${edges}  ms ${JSON.stringify(stats(times))}`);
    }

    // The exact SQL the API sends for the middle page, its plan, and what an OFFSET scan to the
    // same depth would cost (for comparison; the API never does that).
    const conn = em.getConnection();
    const middle = cases[1][1];
    const sent: Array<[string, unknown[]]> = [];
    const execute = conn.execute.bind(conn);
    conn.execute = ((sql: string, params: unknown[] = [], ...rest: unknown[]) => {
      sent.push([String(sql), params]);
      return (execute as (...a: unknown[]) => Promise<unknown>)(sql, params, ...rest);
    }) as typeof conn.execute;
    await service.services.catalog.listProducts(em.fork(), { first: 20, after: middle.after as string });
    conn.execute = execute;
    const [sql, params] = sent[0];
    console.log(`\nAPI SQL (middle page): ${sql}`);
    console.log('EXPLAIN:', JSON.stringify(await conn.execute(`explain ${sql}`, params)));
    const time = async (q: string, p: unknown[]) => {
      const ts: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await conn.execute(q, p);
        ts.push(performance.now() - t0);
      }
      return stats(ts);
    };
    console.log('SQL keyset, middle page  ms', JSON.stringify(await time(sql, params)));
    const offset = Math.floor(total / 2) + 1;
    console.log(`SQL OFFSET ${offset}       ms`, JSON.stringify(await time(`select * from product where active = 1 order by created_at desc, id desc limit 21 offset ${offset}`, [])));
  } finally {
    await service.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
