/**
 * What placeOrder tells Prometheus (platform telemetry/metrics.ts): each answer by outcome, and
 * the units left of the products it recently sold, read at scrape time (never on the request path).
 */
import { AppError, ServiceMetrics, StockLedger } from '@flashsale/platform';
import type { ReservationService } from '../reservation.service';
import type { OrderOutcome } from '../../types/order.types';

/** Counts a placement's answer into flashsale_place_order_total: ORDER, a userErrors code, BUSY, BAD_USER_INPUT or ERROR. */
export async function countedPlacement(metrics: ServiceMetrics, placing: Promise<OrderOutcome>): Promise<OrderOutcome> {
  try {
    const answer = await placing;
    metrics.placeOrder.inc({ outcome: answer.order ? 'ORDER' : (answer.userErrors[0]?.code ?? 'OTHER') });
    return answer;
  } catch (err) {
    const code = err instanceof AppError ? err.code : undefined;
    metrics.placeOrder.inc({ outcome: code === 'SERVICE_UNAVAILABLE' || code === 'RATE_LIMITED' ? 'BUSY' : code === 'BAD_USER_INPUT' ? code : 'ERROR' });
    throw err;
  }
}

/** Units left and reservations held of the products placements noted, read at scrape time. */
export function watchSaleProducts(metrics: ServiceMetrics, reservations: { ledger: Pick<StockLedger, 'availableOf'> } & Pick<ReservationService, 'heldOf'>): void {
  metrics.onScrape('sale-available', async () => {
    const ids = metrics.saleProductIds;
    const [available, held] = await Promise.all([reservations.ledger.availableOf(ids), reservations.heldOf(ids)]);
    ids.forEach((product, i) => {
      const units = available[i];
      if (units === null) metrics.saleAvailable.remove({ product });
      else metrics.saleAvailable.set({ product }, units);
      metrics.saleHeld.set({ product }, held[i]);
    });
  });
}
