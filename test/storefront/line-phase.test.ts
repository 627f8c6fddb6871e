/**
 * The storefront's waiting-room phases (web/src/waiting-room/line-phase.ts): where a buyer stands,
 * derived from the place the browser keeps and the line's latest figures. No DOM, no stack.
 */
import { linePhase, type LineFigures, type StoredPlace } from '../../web/src/waiting-room/line-phase';

const NOW = Date.parse('2026-12-06T21:00:00Z');
const place = (over: Partial<StoredPlace> = {}): StoredPlace => ({ ticket: 'wr1.t.s', number: 1234, startedAt: 1000, servedAt: null, orderWindowSeconds: 300, orderId: null, ...over });
const line = (over: Partial<LineFigures> = {}): LineFigures => ({ state: 'OPEN', nowServing: 1040, waiting: 8000, admitPerSecond: 300, ...over });

describe('linePhase', () => {
  it('is out of line without a stored place, whatever the line', () => {
    expect(linePhase(null, line(), NOW)).toEqual({ kind: 'out' });
    expect(linePhase(null, null, NOW)).toEqual({ kind: 'out' });
  });

  it('waits with its place (number - nowServing) and a bar from where the line stood at joining', () => {
    expect(linePhase(place(), line(), NOW)).toEqual({ kind: 'waiting', number: 1234, place: 194, progress: { now: 40, max: 234 }, unitsForLine: null, waitsForReturns: false });
  });

  it('knows when its place is beyond the units no served buyer holds: its turn then depends on units coming back', () => {
    // 300 units left, 150 held by served buyers: 150 for the line; place 194 is beyond them.
    expect(linePhase(place(), line({ available: 300, holding: 150 }), NOW)).toMatchObject({ place: 194, unitsForLine: 150, waitsForReturns: true });
    expect(linePhase(place(), line({ available: 300, holding: 106 }), NOW)).toMatchObject({ unitsForLine: 194, waitsForReturns: false });
    expect(linePhase(place(), line({ available: 100, holding: 120 }), NOW)).toMatchObject({ unitsForLine: 0, waitsForReturns: true });
  });

  it('starts the bar at the first figures it has when the join did not say (and never below 0 or above the number)', () => {
    expect(linePhase(place({ startedAt: null }), line(), NOW)).toMatchObject({ progress: { now: 0, max: 194 } });
    expect(linePhase(place({ startedAt: 2000 }), line(), NOW)).toMatchObject({ progress: { now: 0, max: 1 } });
  });

  it('is in the pre-queue while its number is not drawn', () => {
    expect(linePhase(place({ number: null }), line({ state: 'NOT_OPEN', nowServing: 0 }), NOW)).toEqual({ kind: 'preQueue' });
  });

  it('is served once nowServing reaches its number, with the order window counted from when it learned so', () => {
    expect(linePhase(place({ servedAt: NOW - 60_000 }), line({ nowServing: 1234 }), NOW)).toEqual({ kind: 'served', ticket: 'wr1.t.s', msLeft: 240_000 });
    expect(linePhase(place(), line({ nowServing: 1500 }), NOW)).toEqual({ kind: 'served', ticket: 'wr1.t.s', msLeft: 300_000 });
    // A clock that has not ticked since the page learned it was served shows the whole window, not more.
    expect(linePhase(place({ servedAt: NOW + 900 }), line({ nowServing: 1500 }), NOW)).toMatchObject({ msLeft: 300_000 });
  });

  it('has missed its turn once the window passed', () => {
    expect(linePhase(place({ servedAt: NOW - 300_000 }), line({ nowServing: 1500 }), NOW)).toEqual({ kind: 'expired' });
  });

  it('is sold out or closed for everyone who has not ordered, served or not', () => {
    expect(linePhase(place({ servedAt: NOW }), line({ state: 'SOLD_OUT', nowServing: 1500 }), NOW)).toEqual({ kind: 'soldOut' });
    expect(linePhase(null, line({ state: 'CLOSED' }), NOW)).toEqual({ kind: 'closed' });
  });

  it('has ordered once its ticket bought, even after the sale sold out', () => {
    expect(linePhase(place({ orderId: 'o-1' }), line({ state: 'SOLD_OUT' }), NOW)).toEqual({ kind: 'ordered', orderId: 'o-1' });
  });
});
