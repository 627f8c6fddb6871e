/**
 * `npm run bench -- read`: the catalog reads a sale page makes, `products(first: 20)` and
 * `product(id)`, anonymous, through the gateway and straight to the product subgraph. The ratio
 * is what the gateway (parse, plan, armor checks, one subgraph fetch) costs on a read.
 * Answers are checked (20 edges; the product asked for); a wrong answer counts as an error, and
 * answered/s counts right answers only.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Catalog } from './catalog';
import { cpuColumns, cpuGroups, CpuSample, startCpuMeter } from './cpu';
import { closedLoop, errorKind, GraphQLBody, GraphQLEndpoint, Outcome } from './load';
import { describeMachine, machineLine } from './machine';
import { BenchStack, OUT_DIR } from './stack';
import { kinds, LatencySummary, markdownTable, round, summarize, table } from './stats';

export interface ReadOptions {
  requests: number;
  concurrency: number;
  products: number;
  warmup: number;
}

const LIST = `query Products($first: Int) {
  products(first: $first) {
    edges { cursor node { id name price currency available saleState saleOpensAt category { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const ITEM = `query Product($id: ID!) {
  product(id: $id) { id name description price currency category { id name } available saleOpensAt saleClosesAt maxPerCustomer }
}`;

interface Case {
  name: string;
  target: 'gateway' | 'product subgraph';
  endpoint: GraphQLEndpoint;
  fire: (i: number) => Promise<Outcome>;
}

interface CaseResult {
  name: string;
  target: string;
  throughput: number;
  latencyMs: LatencySummary;
  errors: Record<string, number>;
  requests: number;
  durationMs: number;
  cpuMs: CpuSample;
}

export async function readScenario(stack: BenchStack, opts: ReadOptions, log: (msg: string) => void): Promise<void> {
  const machine = await describeMachine(stack.config);
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const gateway = new GraphQLEndpoint(stack.gatewayUrl, opts.concurrency);
  const productSubgraph = new GraphQLEndpoint(stack.productUrl, opts.concurrency);
  const catalog = await Catalog.admin(stack, gateway);
  const ids: string[] = [];
  try {
    log(`creating ${opts.products} products…`);
    const categoryId = await catalog.createCategory(`Bench reads ${run}`);
    for (let i = 0; i < opts.products; i++) {
      ids.push(await catalog.createSaleProduct({ categoryId, name: `Bench read ${run} #${i + 1}`, stock: 100, opensAt: new Date(Date.now() - 60_000), maxPerCustomer: 2 }));
    }
    const listBody = JSON.stringify({ query: LIST, variables: { first: 20 } });
    const itemBodies = ids.map((id) => JSON.stringify({ query: ITEM, variables: { id } }));

    const list = (endpoint: GraphQLEndpoint) => async (): Promise<Outcome> => {
      const { status, json } = await endpoint.post<{ products?: { edges: unknown[] } }>(listBody);
      if (json?.errors?.length || !json?.data?.products) return { kind: errorKind(status, json as GraphQLBody<unknown>) };
      return { kind: json.data.products.edges.length === 20 ? 'OK' : 'WRONG_ANSWER' };
    };
    const item = (endpoint: GraphQLEndpoint) => async (i: number): Promise<Outcome> => {
      const id = ids[i % ids.length];
      const { status, json } = await endpoint.post<{ product?: { id: string } | null }>(itemBodies[i % ids.length]);
      if (json?.errors?.length || !json?.data) return { kind: errorKind(status, json as GraphQLBody<unknown>) };
      return { kind: json.data.product?.id === id ? 'OK' : 'WRONG_ANSWER' };
    };
    const cases: Case[] = [
      { name: 'products(first: 20)', target: 'gateway', endpoint: gateway, fire: list(gateway) },
      { name: 'products(first: 20)', target: 'product subgraph', endpoint: productSubgraph, fire: list(productSubgraph) },
      { name: 'product(id)', target: 'gateway', endpoint: gateway, fire: item(gateway) },
      { name: 'product(id)', target: 'product subgraph', endpoint: productSubgraph, fire: item(productSubgraph) },
    ];

    const results: CaseResult[] = [];
    for (const c of cases) {
      if (opts.warmup > 0) await closedLoop(opts.warmup, opts.concurrency, c.fire);
      log(`${c.name} via ${c.target}: ${opts.requests} requests, ${opts.concurrency} in flight`);
      const stopMeter = startCpuMeter(cpuGroups(stack.pids()));
      const load = await closedLoop(opts.requests, opts.concurrency, c.fire);
      const cpuMs = stopMeter();
      const errors: Record<string, number> = {};
      for (const o of load.outcomes) if (o.kind !== 'OK') errors[o.kind] = (errors[o.kind] ?? 0) + 1;
      results.push({ name: c.name, target: c.target, throughput: load.outcomes.filter((o) => o.kind === 'OK').length / (load.durationMs / 1000), latencyMs: summarize(load.latenciesMs), errors, requests: load.requests, durationMs: load.durationMs, cpuMs });
    }

    const header = ['query', 'via', 'answered/s', 'p50 ms', 'p99 ms', 'errors', 'gateway ÷ direct'];
    const rows = results.map((r, i) => {
      const pair = results[i % 2 === 0 ? i + 1 : i - 1];
      const ratio = r.target === 'gateway' ? round(r.throughput / pair.throughput, 2).toFixed(2) : '';
      return [r.name, r.target, round(r.throughput, 0), round(r.latencyMs.p50), round(r.latencyMs.p99), Object.values(r.errors).reduce((s, n) => s + n, 0), ratio];
    });
    const cpuHeader = ['CPU ms per request', 'via', ...cpuColumns(results[0].cpuMs, 1, 1).header];
    const cpuRows = results.map((r) => [r.name, r.target, ...cpuColumns(r.cpuMs, r.requests, r.durationMs).cells]);
    const title = `catalog reads: ${opts.requests} requests per case, ${opts.concurrency} in flight, ${opts.products} products, anonymous`;
    const errorLines = results.map((r) => `  ${r.name} via ${r.target}: ${kinds(r.errors)}`);
    process.stdout.write(['', title, `machine: ${machineLine(machine)}`, '', table(header, rows), '', table(cpuHeader, cpuRows), '', 'errors by kind:', ...errorLines, ''].join('\n'));

    const json = {
      scenario: 'read',
      at: new Date().toISOString(),
      machine,
      options: opts,
      reusedStack: stack.reused,
      cases: results.map((r) => ({
        query: r.name,
        via: r.target,
        throughput: round(r.throughput, 1),
        latencyMs: Object.fromEntries(Object.entries(r.latencyMs).map(([k, v]) => [k, round(v, 2)])),
        errors: r.errors,
        cpuMsPerRequest: Object.fromEntries(Object.entries(r.cpuMs).map(([k, v]) => [k, round(v / r.requests, 3)])),
      })),
    };
    const stamp = json.at.replace(/[:.]/g, '-');
    writeFileSync(resolve(OUT_DIR, `read-${stamp}.json`), JSON.stringify(json, null, 2));
    writeFileSync(resolve(OUT_DIR, `read-${stamp}.md`), [`**${title}**`, '', `Machine: ${machineLine(machine)}`, '', markdownTable(header, rows), '', markdownTable(cpuHeader, cpuRows), ''].join('\n'));
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } finally {
    if (stack.reused) await Promise.all(ids.map((id) => catalog.deactivate(id).catch(() => undefined)));
    await gateway.close();
    await productSubgraph.close();
  }
}
