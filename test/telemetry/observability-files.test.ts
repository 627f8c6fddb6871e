/**
 * The committed observability files, checked by the real promtool: the alert rules load, their
 * unit tests (alerts.test.yml: each alert fires on the series it is about, and not on a sale that
 * is merely selling out) pass, and the Prometheus configurations are valid.
 */
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { promtool } from './prometheus';

const DIR = resolve(__dirname, '../../deploy/observability');

describe('observability files', () => {
  it('promtool check rules accepts the alert rules', () => {
    const r = promtool(['check', 'rules', resolve(DIR, 'alerts.yml')]);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it('the alert unit tests pass (promtool test rules), and every alert has at least one', () => {
    const r = promtool(['test', 'rules', resolve(DIR, 'alerts.test.yml')]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
    const alerts = (parse(readFileSync(resolve(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups.flatMap((g) => g.rules.map((x) => x.alert));
    const tested = new Set(
      (parse(readFileSync(resolve(DIR, 'alerts.test.yml'), 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests.flatMap((t) =>
        t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });

  it('promtool check config accepts the local Prometheus configuration (with its rules)', () => {
    const r = promtool(['check', 'config', resolve(DIR, 'prometheus.local.yml')]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });
});
