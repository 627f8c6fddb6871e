/**
 * Changes of one order by a buyer run under the order's lock (`lock:order:<id>`), so a payment, a
 * cancel and the sweeper never work on the same order at once. A lock that stays busy past
 * ORDER_LOCK_WAIT_MS answers SERVICE_UNAVAILABLE (retryable), never a timeout.
 */
import { Config, unavailable } from '@flashsale/platform';
import { HeldLock, LockBusyError, Locks } from './locks';

export const orderLockKey = (orderId: string): string => `lock:order:${orderId}`;

export async function underOrderLock<T>(locks: Locks, config: Pick<Config, 'ORDER_LOCK_WAIT_MS'>, orderId: string, ttlMs: number, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  try {
    return await locks.using([orderLockKey(orderId)], { ttlMs, waitMs: config.ORDER_LOCK_WAIT_MS }, work);
  } catch (e) {
    if (e instanceof LockBusyError) throw unavailable('Too many requests for this right now; please retry');
    throw e;
  }
}
