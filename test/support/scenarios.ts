/**
 * Runs a fault scenario's one definition (chaos/lib/definition.ts) at its CI size inside a jest
 * test and fails with the whole report (every check by name, [ok] or [FAIL], and the final audit)
 * unless every check held and the audit is exact. The full size of the same definition is
 * `npm run chaos -- <name>`.
 */
import { ciContext, runDefinition, ScenarioDefinition } from '../../chaos/lib/definition';
import type { Report } from '../../chaos/lib/scenario';

export async function runAtCiSize<Size>(definition: ScenarioDefinition<Size>): Promise<Report> {
  const report = await runDefinition(definition, ciContext(definition.name));
  expect(report.checks.length).toBeGreaterThan(0);
  // The report's text names each check, so the failure message says which one failed.
  expect(report.ok ? 'every check held, audit exact' : report.text()).toBe('every check held, audit exact');
  return report;
}
