/**
 * npm run chaos -- <scenario...|all> [--port-base 6100] [--no-build]
 *
 * Fault scenarios at full size, each ending with an exact audit of MySQL and Redis. Each paired
 * scenario is one definition (chaos/lib/definition.ts) that its jest test runs at CI size; each
 * says in its header how its stack runs (child processes of the compiled code, or in this process
 * with the one process that dies as a child). See docs/RELIABILITY.md. Reports are printed and
 * saved under chaos/out/. Exit code: 0 when every scenario passed, 1 when one failed its audit or a
 * check, 2 when a scenario could not run.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { build } from './lib/stack';
import type { Scenario } from './lib/scenario';
import { redisScenario } from './scenarios/redis';
import { mysqlScenario } from './scenarios/mysql';
import { orderKillScenario } from './scenarios/order-kill';
import { paymentHangScenario } from './scenarios/payment-hang';
import { gatewayRestartScenario } from './scenarios/gateway-restart';
import { replicasScenario } from './scenarios/replicas';
import { redisClusterScenario } from './scenarios/redis-cluster';

const SCENARIOS: Scenario[] = [redisScenario, mysqlScenario, orderKillScenario, paymentHangScenario, gatewayRestartScenario, replicasScenario, redisClusterScenario];

const USAGE = `usage: npm run chaos -- <scenario...|all> [--port-base 6100] [--no-build]
${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.summary}`).join('\n')}
Scenarios that do not break MySQL use MYSQL_URL (default mysql://root@127.0.0.1:3306) with databases chaos_*;
every scenario runs its own redis-server (and the mysql scenario its own MariaDB) on a free port.`;

const log = (msg: string) => process.stderr.write(`[chaos] ${msg}\n`);

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'port-base': { type: 'string' }, 'no-build': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const names = positionals.includes('all') ? SCENARIOS.map((s) => s.name) : positionals;
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (values.help || !names.length || unknown.length) {
    process.stderr.write(`${unknown.length ? `unknown scenario(s): ${unknown.join(', ')}\n` : ''}${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const portBase = Number(values['port-base'] ?? 6100); // not 6000: fetch refuses it (X11 is on its list of bad ports)
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65530) {
    process.stderr.write(`--port-base must be an integer port (1024-65530)\n${USAGE}\n`);
    return 2;
  }
  if (!values['no-build']) build(log);

  const reports = [];
  for (const name of names) {
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    log(`=== ${scenario.name}: ${scenario.summary}`);
    const report = await scenario.run({ portBase, mysqlUrl: process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306', log });
    const file = report.save();
    process.stdout.write(`\n${report.text()}\n(saved to ${file})\n`);
    reports.push(report);
  }
  if (reports.length > 1) process.stdout.write(`\n${reports.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.name}`).join('\n')}\n`);
  return reports.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos failed: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
