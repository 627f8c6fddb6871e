/**
 * npm run bench -- [flash-sale | read | open | line | profile <file.cpuprofile>…] [options]
 * Without a scenario it runs flash-sale and then read on one stack (open runs only when asked).
 * See docs/BENCHMARKS.md.
 * Exit code: 0 when every audit is clean, 1 when an audit found oversold units, units unsold while
 * buyers remained, or records that disagree; 2 when the bench itself could not run.
 */
import 'reflect-metadata';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { flashSale, VARIANTS, VariantName } from './flash-sale';
import { openModel, Scenario, SCENARIOS } from './open';
import { lineScenario } from './line';
import { LINE_PARTS, LinePart } from './line-types';
import { readScenario } from './read';
import { summarizeProfile } from './profile';
import { tokensScenario } from './tokens';
import { acceptBiasScenario } from './accept-bias';
import { OUT_DIR, PROCESSES, ProcessName, startBenchStack } from './stack';
import { openTopologyComparison, OpenTopologyRun, topologyComparison, TopologyRun } from './topologies';
import { parseTopology } from '../scripts/launcher/topology';
import { TELEMETRY_VARIANTS, TelemetryVariant, beginTelemetryVariant, parseTelemetryVariants } from './telemetry';

const USAGE = `usage: npm run bench -- [flash-sale | read | open | line | tokens | accept-bias | profile <file.cpuprofile>...] [options]
  tokens       --tokens 3000 --rounds 4 (CPU per access-token verification: jose vs the gateway's checker vs the raw signature)
  accept-bias  --seconds 6 (how late a busy Node server reads requests on new connections against kept-alive ones)
  flash-sale   --buyers 5000 --stock 500 --concurrency 200 --warmup 500 --opens-in 3 --limit 1
               --variants ${VARIANTS.join(',')}
  read         --requests 5000 --read-concurrency 50 --products 60 --warmup 500
  open         --scenario flash|big|soldout (or a list: big,soldout)  --rate 333 | --rates 50,100,200
               --duration 30 --max-in-flight 2000 --grace 100 (ms) --timeout 30 (s) --stock-ratio 0.1
               --retry [--max-retries 3] --warmup 3000 --opens-in 3 --settle-max 20 (s) --write-docs
  line         --parts ${LINE_PARTS.join(',')}  --crowd 20000 --rate 2000 --stock 1000 (with and without a waiting room)
               --join-only 10000 --reference-orders 1000 --reference-rate 200 --floor-orders 2000 (the CPU ratios)
               --bursts 10 --burst-buyers 500 --burst-stock 50  --warmup 3000 --opens-in 3 --settle-max 30 (s)
               --give-up 180 (s)  --line-connections 18000 --order-connections 1000 --warm-connections 0
               --connections per-buyer|shared (default per-buyer; shared with --warm-connections)
               --line-only (the waiting-room crowd alone)
               --write-docs (docs/BENCHMARKS.md)
  stack        --reuse (drive the stack of the current environment, e.g. npm start; no restarts)
               --port-base 5000 (own stack on 5000-5004)  --no-build
               --topology single | replicas2 | single,replicas2 (several: flash-sale or open on each in turn, compared
               side by side; replicas<N>: N of every process behind HAProxy, see docs/SCALING.md)
               --cpu-prof gateway,order (node --cpu-prof on those processes; summary in bench/out/profiles)
               --telemetry ${TELEMETRY_VARIANTS.join(',')} (flash-sale or open on a stack per variant: bench/telemetry.ts)`;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function int(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tokens: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      buyers: { type: 'string' },
      stock: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      'opens-in': { type: 'string' },
      limit: { type: 'string' },
      variants: { type: 'string' },
      requests: { type: 'string' },
      'read-concurrency': { type: 'string' },
      products: { type: 'string' },
      scenario: { type: 'string' },
      rate: { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      'max-in-flight': { type: 'string' },
      grace: { type: 'string' },
      timeout: { type: 'string' },
      'stock-ratio': { type: 'string' },
      retry: { type: 'boolean', default: false },
      'max-retries': { type: 'string' },
      'settle-max': { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      parts: { type: 'string' },
      crowd: { type: 'string' },
      'join-only': { type: 'string' },
      'reference-orders': { type: 'string' },
      'reference-rate': { type: 'string' },
      'floor-orders': { type: 'string' },
      bursts: { type: 'string' },
      'burst-buyers': { type: 'string' },
      'burst-stock': { type: 'string' },
      'give-up': { type: 'string' },
      'line-connections': { type: 'string' },
      'order-connections': { type: 'string' },
      'warm-connections': { type: 'string' },
      connections: { type: 'string' },
      'line-only': { type: 'boolean', default: false },
      reuse: { type: 'boolean', default: false },
      'port-base': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      topology: { type: 'string' },
      telemetry: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [scenario = 'all', ...files] = positionals;
  if (values.help || !['all', 'flash-sale', 'read', 'open', 'line', 'profile', 'tokens', 'accept-bias'].includes(scenario)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (scenario === 'profile') {
    for (const f of files) process.stdout.write(`${summarizeProfile(f)}\n`);
    return 0;
  }
  if (scenario === 'accept-bias') {
    await acceptBiasScenario({ seconds: int('seconds', values.seconds, 6) }, log);
    return 0;
  }
  if (scenario === 'tokens') {
    await tokensScenario({ tokens: int('tokens', values.tokens, 3000), rounds: int('rounds', values.rounds, 4) }, log);
    return 0;
  }

  const variants = (values.variants ?? VARIANTS.join(',')).split(',').map((v) => v.trim()) as VariantName[];
  const unknown = variants.filter((v) => !(VARIANTS as readonly string[]).includes(v));
  if (unknown.length) {
    process.stderr.write(`unknown variant(s): ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const sale = {
    buyers: int('buyers', values.buyers, 5000),
    stock: int('stock', values.stock, 500),
    concurrency: int('concurrency', values.concurrency, 200),
    warmup: int('warmup', values.warmup, 500, 0),
    opensIn: int('opens-in', values['opens-in'], 3),
    maxPerCustomer: int('limit', values.limit, 1),
    variants,
  };
  const read = {
    requests: int('requests', values.requests, 5000),
    concurrency: int('read-concurrency', values['read-concurrency'], 50),
    products: int('products', values.products, 60, 20),
    warmup: int('warmup', values.warmup, 500, 0),
  };

  const scenarios = (values.scenario ?? 'flash').split(',').map((v) => v.trim()) as Scenario[];
  if (scenarios.some((v) => !(SCENARIOS as readonly string[]).includes(v))) {
    process.stderr.write(`--scenario takes ${SCENARIOS.join(', ')} (or a comma-separated list)\n${USAGE}\n`);
    return 2;
  }
  if (values.rate !== undefined && values.rates !== undefined) {
    process.stderr.write(`give --rate or --rates, not both\n${USAGE}\n`);
    return 2;
  }
  const rates = (values.rates ?? values.rate ?? '333').split(',').map((v) => int(values.rates !== undefined ? 'rates' : 'rate', v.trim(), 0));
  const stockRatio = Number(values['stock-ratio'] ?? '0.1');
  if (!(stockRatio > 0 && stockRatio <= 1)) {
    process.stderr.write(`--stock-ratio must be in (0, 1]\n${USAGE}\n`);
    return 2;
  }
  const open = {
    scenarios,
    rates,
    durationS: int('duration', values.duration, 30),
    maxInFlight: int('max-in-flight', values['max-in-flight'], 2000),
    graceMs: int('grace', values.grace, 100, 0),
    timeoutMs: int('timeout', values.timeout, 30) * 1000,
    stockRatio,
    retries: values.retry ? int('max-retries', values['max-retries'], 3) : 0,
    warmup: int('warmup', values.warmup, 3000, 0),
    opensIn: int('opens-in', values['opens-in'], 3),
    settleMaxMs: int('settle-max', values['settle-max'], 20) * 1000,
    writeDocs: values['write-docs'],
  };

  const parts = (values.parts ?? LINE_PARTS.join(',')).split(',').map((v) => v.trim()) as LinePart[];
  if (scenario === 'line' && parts.some((p) => !(LINE_PARTS as readonly string[]).includes(p))) {
    process.stderr.write(`--parts takes ${LINE_PARTS.join(', ')} (or both)\n${USAGE}\n`);
    return 2;
  }
  const lineRate = scenario === 'line' ? int('rate', values.rate, 2000) : 0;
  const crowd = int('crowd', values.crowd, 20000);
  const line = {
    parts,
    crowd,
    rate: lineRate,
    stock: scenario === 'line' ? int('stock', values.stock, 1000) : 0,
    joinOnly: int('join-only', values['join-only'], Math.ceil(crowd / 2), 0),
    referenceOrders: int('reference-orders', values['reference-orders'], 1000, 0),
    referenceRate: int('reference-rate', values['reference-rate'], 200),
    floorOrders: int('floor-orders', values['floor-orders'], 2000),
    bursts: int('bursts', values.bursts, 10),
    burstBuyers: int('burst-buyers', values['burst-buyers'], 500),
    burstStock: int('burst-stock', values['burst-stock'], 50),
    warmup: int('warmup', values.warmup, 3000, 0),
    opensIn: int('opens-in', values['opens-in'], 3),
    settleMaxMs: int('settle-max', values['settle-max'], 30) * 1000,
    giveUpMs: int('give-up', values['give-up'], 180) * 1000,
    // 18,000 + 1,000 fit an open-file limit of 20,000 (the gateway holds at most WAITING_ROOM_MAX_WATCHERS turns).
    lineConnections: int('line-connections', values['line-connections'], 18_000),
    orderConnections: int('order-connections', values['order-connections'], 1000),
    warmConnections: int('warm-connections', values['warm-connections'], 0, 0),
    lineOnly: values['line-only'],
    connectionModel: values.connections === 'shared' || (values.connections === undefined && values['warm-connections'] !== undefined) ? ('shared' as const) : ('per-buyer' as const),
    writeDocs: values['write-docs'],
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  };

  if (values.connections !== undefined && values.connections !== 'per-buyer' && values.connections !== 'shared') {
    process.stderr.write(`--connections takes per-buyer or shared\n${USAGE}\n`);
    return 2;
  }
  if (values.connections === 'per-buyer' && values['warm-connections'] !== undefined) {
    process.stderr.write(`--warm-connections opens shared connections before the opening: it goes with --connections shared\n${USAGE}\n`);
    return 2;
  }
  const profile = (values['cpu-prof'] ?? '').split(',').filter(Boolean) as ProcessName[];
  if (profile.some((p) => !PROCESSES.includes(p))) {
    process.stderr.write(`--cpu-prof takes a comma-separated list of ${PROCESSES.join(', ')}\n${USAGE}\n`);
    return 2;
  }

  let topologies;
  try {
    topologies = (values.topology ?? 'single').split(',').map(parseTopology);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let telemetries: Array<TelemetryVariant | undefined> = [undefined];
  try {
    if (values.telemetry !== undefined) telemetries = parseTelemetryVariants(values.telemetry);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.telemetry !== undefined && (!['flash-sale', 'open'].includes(scenario) || values.reuse)) {
    process.stderr.write(`--telemetry compares flash-sale or open on stacks of the bench's own\n${USAGE}\n`);
    return 2;
  }
  const plan = topologies.flatMap((topology) => telemetries.map((telemetry) => ({ topology, telemetry })));
  if (topologies.length > 1 && (!['flash-sale', 'open'].includes(scenario) || values.reuse)) {
    process.stderr.write(`several topologies compare flash-sale or open on stacks of the bench's own\n${USAGE}\n`);
    return 2;
  }

  mkdirSync(OUT_DIR, { recursive: true });
  let failed = false;
  const runs: TopologyRun[] = [];
  const openRuns: OpenTopologyRun[] = [];
  for (const [i, { topology, telemetry }] of plan.entries()) {
    if (telemetry) log(`telemetry variant: ${telemetry}`);
    const telemetryRun = telemetry ? await beginTelemetryVariant(telemetry) : undefined;
    const stack = await startBenchStack({
      reuse: values.reuse,
      portBase: int('port-base', values['port-base'], 5000, 1024),
      build: !values['no-build'] && i === 0,
      topology,
      profile,
      log,
    });
    const { config } = stack;
    telemetryRun?.scrape([config.GATEWAY_PORT, config.USER_PORT, config.PRODUCT_PORT, config.CART_PORT, config.ORDER_PORT]);
    let interrupted = false;
    const onInterrupt = () => {
      interrupted = true;
      log('interrupted; stopping the stack and dropping its data…');
      void stack.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', onInterrupt);
    try {
      if (scenario === 'all' || scenario === 'flash-sale') {
        const sold = await flashSale(stack, sale, log);
        failed ||= sold.failed;
        runs.push({ topology: telemetry ? `${stack.topology} telemetry=${telemetry}` : stack.topology, result: sold.results.find((r) => r.name === 'gateway') ?? sold.results[0] });
      }
      if (scenario === 'all' || scenario === 'read') await readScenario(stack, read, log);
      if (scenario === 'line') failed ||= (await lineScenario(stack, line)).failed;
      if (scenario === 'open') {
        const model = await openModel(stack, open, log);
        failed ||= model.failed;
        openRuns.push({ topology: telemetry ? `${stack.topology} telemetry=${telemetry}` : stack.topology, results: model.results });
      }
    } finally {
      process.off('SIGINT', onInterrupt);
      if (!interrupted) {
        log(stack.reused ? 'done (the reused stack keeps its data; bench products were deactivated)' : 'stopping the stack and dropping its databases and keys…');
        await stack.stop();
      }
      const seen = await telemetryRun?.end();
      if (seen) log(`telemetry ${telemetry}: ${seen.scrapes} /metrics scrapes, ${seen.spanExports} OTLP exports (${(seen.exportedBytes / 1e6).toFixed(1)} MB)`);
    }
    if (stack.profileDir) {
      const profiles = readdirSync(stack.profileDir).filter((f) => f.endsWith('.cpuprofile'));
      const summary = profiles.map((f) => summarizeProfile(resolve(stack.profileDir!, f))).join('\n');
      writeFileSync(resolve(stack.profileDir, 'summary.txt'), summary);
      log(`CPU profiles and summary.txt in ${stack.profileDir}`);
    }
  }
  if (runs.length > 1) process.stdout.write(topologyComparison(runs));
  if (topologies.length > 1 && openRuns.length > 1) process.stdout.write(openTopologyComparison(openRuns));
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
