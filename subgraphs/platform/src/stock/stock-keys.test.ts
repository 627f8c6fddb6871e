/**
 * The Redis Cluster key layout (stock-scripts.lua.ts): every key one script call touches for one
 * product hashes to that product's slot, whatever REDIS_PREFIX is, so each call stays in one slot;
 * and different products spread over the slots (nothing global in the sale's path).
 */
import { randomUUID } from 'node:crypto';
import { keySlot } from '../redis-cluster-guard';
import { anchorOf, reservationKeys } from './stock-ledger';
import { stockKey } from './stock-hash';
import { lineKeys } from '../waiting-room/line-keys';

const prefixes = ['', 'fs:', 't:lq2x9a1b2c3:'];

describe('the key layout of the stock scripts', () => {
  it.each(prefixes)('with prefix %j, every key of a product (stock hash, counts, parts, due set, idempotency marker, the waiting-room line) is in one slot', (prefix) => {
    for (let i = 0; i < 200; i++) {
      const product = randomUUID();
      const buyer = randomUUID();
      const keys = [
        stockKey(product),
        reservationKeys.bought(product),
        reservationKeys.reservations(product),
        reservationKeys.reservationsDue(product),
        reservationKeys.idempotency(product, buyer, randomUUID()),
        reservationKeys.idempotency(product, buyer, ''),
        // The waiting room's line: its script reads the stock hash, the reserve script its keys.
        ...Object.values(lineKeys).map((key) => key(product)),
      ].map((k) => keySlot(`${prefix}${k}`));
      expect(new Set(keys).size).toBe(1);
    }
  });

  it('products spread over the slots: 1,000 products use hundreds of slots', () => {
    const slots = new Set(Array.from({ length: 1000 }, () => keySlot(stockKey(randomUUID()))));
    expect(slots.size).toBeGreaterThan(900);
  });

  it('an order is anchored on its lowest product id, whatever the order of its lines', () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const lowest = [...ids].sort()[0];
    expect(anchorOf(ids.map((productId) => ({ productId })))).toBe(lowest);
    expect(anchorOf([...ids].reverse().map((productId) => ({ productId })))).toBe(lowest);
  });

  it('keySlot agrees with the Redis Cluster specification (CRC16 of the hash tag, mod 16384)', () => {
    // Reference values from the Redis Cluster specification and redis-cli CLUSTER KEYSLOT.
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('a{b}c')).toBe(keySlot('b'));
  });
});
