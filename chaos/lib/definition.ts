/**
 * One definition of a fault scenario, run at two sizes: `full` by `npm run chaos -- <name>` (the
 * saved report) and `ci` by its jest test (test/support/scenarios.ts: a thin `it` that fails with
 * the report when any check fails). A definition sets up its own servers and stack, breaks
 * something, applies load and records every check in the report; its sizes are plain numbers.
 *
 * To pair a new scenario: write `export const fooDefinition: ScenarioDefinition<FooSize> = {
 * name, summary, sizes: { ci, full }, run }` in chaos/scenarios/foo.ts, list
 * `chaosScenario(fooDefinition)` in chaos/index.ts, and make the test
 * `it('…', () => runAtCiSize(fooDefinition))`. Inside `run`, build the stack with
 * `new ChaosStack(stackOptions(ctx, redisUrl, {...}))` so the CI run gets free ports, the
 * TypeScript sources and a prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import type { Code } from '../../scripts/launcher';
import { Report, Scenario, ScenarioContext } from './scenario';
import type { ChaosStackOptions } from './stack';

export type SizeName = 'ci' | 'full';

export interface RunContext extends ScenarioContext {
  size: SizeName;
  /** The compiled code (`npm run chaos`, as deployed) or the TypeScript sources (jest, no build). */
  code: Code;
  /** Databases `<prefix>_*` and Redis prefix `<prefix>:`. */
  prefix: string;
}

export interface ScenarioDefinition<Size> {
  name: string;
  /** One line: what breaks. */
  summary: string;
  sizes: Record<SizeName, Size>;
  /** Runs the whole scenario at `size`: every condition it verifies is a `report.check`, and it sets `report.audit`. */
  run(size: Size, ctx: RunContext, report: Report): Promise<void>;
}

/** Runs `definition` at one of its sizes and returns its report (errors propagate: the scenario could not run). */
export async function runDefinition<Size>(definition: ScenarioDefinition<Size>, ctx: RunContext): Promise<Report> {
  const report = new Report(definition.name, ctx.log);
  await definition.run(definition.sizes[ctx.size], ctx, report);
  return report;
}

/** The definition at full size as `npm run chaos` lists it: compiled code, prefix `chaos`. */
export function chaosScenario<Size>(definition: ScenarioDefinition<Size>): Scenario {
  return {
    name: definition.name,
    summary: definition.summary,
    run: (ctx) => runDefinition(definition, { ...ctx, size: 'full', code: 'dist', prefix: 'chaos' }),
  };
}

/** The context of a CI-sized run: free ports, the sources, a unique prefix, the machine's MySQL; quiet unless CHAOS_LOG=1. */
export function ciContext(name: string): RunContext {
  return {
    size: 'ci',
    code: 'source',
    prefix: `t_${name.replace(/[^a-z0-9]/gi, '').slice(0, 8)}${randomBytes(3).toString('hex')}`,
    portBase: 0,
    mysqlUrl: process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306',
    log: process.env.CHAOS_LOG ? (msg) => process.stderr.write(`[${name}] ${msg}\n`) : () => undefined,
  };
}

/** ChaosStack options for this run (ports, code, prefix, log) plus the scenario's own. */
export function stackOptions(ctx: RunContext, redisUrl: string, own: Partial<ChaosStackOptions> = {}): ChaosStackOptions {
  return { portBase: ctx.portBase, mysqlUrl: ctx.mysqlUrl, redisUrl, code: ctx.code, prefix: ctx.prefix, log: ctx.log, ...own };
}
