/**
 * Metrics of the whole stack, checked with the real Prometheus tools: every process's /metrics
 * passes `promtool check metrics`; a real Prometheus scraping the stack every second counts a
 * small sale exactly (5 units, 20 buyers: 5 ORDER and 15 SOLD_OUT; 2 paid, 1 declined); and every query of the
 * Grafana dashboard names a metric family the processes really declare.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { buyers, payOrder, placeOrder } from '../support/orders';
import { TEST_CARD_DECLINE } from '@flashsale/order-subgraph';
import { RunningPrometheus, declaredFamilies, promtool, scrape, stackPorts, startPrometheus, waitForValue } from './prometheus';

const DASHBOARD = resolve(__dirname, '../../deploy/observability/grafana/dashboards/flashsale.json');

let stack: Stack;
let prom: RunningPrometheus;
let productId: string;
beforeAll(async () => {
  stack = await startStack();
  prom = await startPrometheus(stackPorts(stack));
}, 120_000);
afterAll(async () => {
  await prom?.stop();
  await stack?.stop();
});

describe('a sale seen through Prometheus', () => {
  it('counts 5 placed orders and 15 sold-out answers exactly, as the buyers saw them', async () => {
    const product = await createSaleProduct(stack, { stock: 5, price: 1000 });
    productId = product.id;
    const crowd = await buyers(stack, 20);
    const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(5);
    expect(answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT')).toHaveLength(15);

    expect(await waitForValue(prom, 'sum(flashsale_place_order_total{job="order",outcome="ORDER"})', 5)).toBe(5);
    expect(await waitForValue(prom, 'sum(flashsale_place_order_total{job="order",outcome="SOLD_OUT"})', 15)).toBe(15);
    // Nothing else was answered by placeOrder.
    expect((await prom.query('sum(flashsale_place_order_total{job="order"})'))[0].value).toBe(20);
    // The gateway saw the same 20 answers by outcome, and each scrape came from its own process.
    expect(await waitForValue(prom, 'sum(flashsale_graphql_request_duration_seconds_count{job="gateway",operation="placeOrder",outcome="SOLD_OUT"})', 15)).toBe(15);
    expect(await waitForValue(prom, 'sum(flashsale_graphql_request_duration_seconds_count{job="gateway",operation="placeOrder",outcome="ok"})', 5)).toBe(5);
    expect(await waitForValue(prom, 'count(count by (job) (process_cpu_seconds_total))', 5)).toBe(5);
    const services = await prom.query('count by (job, service) (process_cpu_seconds_total)');
    expect(services.map((s) => s.metric.service).sort()).toEqual(['cart', 'gateway', 'order', 'product', 'user']);
    expect(services.every((s) => s.metric.job === s.metric.service)).toBe(true);
    // Two winners pay, one card is declined: payments by outcome.
    const winners = crowd.map((b, i) => ({ b, order: answers[i].payload?.order })).filter((w) => w.order);
    const paid = await Promise.all(winners.slice(0, 2).map((w) => payOrder(stack, w.b, w.order!.id)));
    const declined = await payOrder(stack, winners[2].b, winners[2].order!.id, TEST_CARD_DECLINE);
    expect(paid.map((p) => [p.errors, p.payload?.userErrors])).toEqual([[undefined, []], [undefined, []]]);
    expect(declined.payload?.userErrors[0]?.code).toBe('PAYMENT_DECLINED');
    expect(await waitForValue(prom, 'sum(flashsale_payments_total{job="order",outcome="paid"})', 2)).toBe(2);
    expect(await waitForValue(prom, 'sum(flashsale_payments_total{job="order",outcome="declined"})', 1)).toBe(1);
    // Units left of the product on sale, read from its stock hash at scrape time: the declined
    // order's unit went back on sale.
    expect(await waitForValue(prom, `flashsale_sale_available_units{job="order",product="${productId}"}`, 1)).toBe(1);
    // Reservations still holding its units: the two orders not paid (the paid ones sold theirs).
    expect(await waitForValue(prom, `flashsale_sale_held_reservations{job="order",product="${productId}"}`, 2)).toBe(2);
  });

  it('every process answers /metrics in a form promtool accepts, with its own service label only', async () => {
    for (const [service, port] of Object.entries(stackPorts(stack))) {
      const { status, contentType, text } = await scrape(port);
      expect({ service, status }).toEqual({ service, status: 200 });
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      const check = promtool(['check', 'metrics'], text);
      expect({ service, code: check.code, output: check.output }).toEqual({ service, code: 0, output: '' });
      const labels = new Set([...text.matchAll(/service="([^"]+)"/g)].map((m) => m[1]));
      expect([...labels]).toEqual([service]);
      expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{/m);
    }
    // The order subgraph's scrape-time figures: the outbox backlog; the cart's: its consumer group's lag.
    expect((await scrape(stack.order.port)).text).toMatch(/^flashsale_outbox_waiting_rows\{service="order"\} \d+/m);
    expect((await scrape(stack.cart.port)).text).toMatch(/^flashsale_consumer_lag_entries\{stream="events:order",group="cart",service="cart"\} \d+/m);
  });

  it('every Grafana dashboard query names metric families the processes declare', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const declared = new Map<string, string>();
    for (const port of Object.values(stackPorts(stack))) for (const [name, type] of declaredFamilies((await scrape(port)).text)) declared.set(name, type);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const missing: string[] = [];
    for (const panel of dashboard.panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const names = metricNames(expr);
        expect({ panel: panel.title, expr, names: names.length > 0 }).toEqual({ panel: panel.title, expr, names: true });
        for (const name of names) {
          const base = name.replace(/_(bucket|sum|count)$/, '');
          const known = declared.has(name) || (base !== name && declared.get(base) === 'histogram');
          if (!known) missing.push(`${panel.title}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'irate', 'histogram_quantile', 'by', 'without', 'on', 'ignoring', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression selects: label matchers, grouping lists and functions removed. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  return [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && !/^e\d+$/.test(w));
}
