import { AppError, PageArgs, assertValid, decodeCursor, encodeCursor, pageSize } from '@flashsale/platform';
import { saleStateOf } from './catalog.service';
import { SaleState } from '../types/catalog.types';

describe('sale state at a moment', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const at = (iso: string) => new Date(iso);
  const window = { active: true, saleOpensAt: at('2026-06-01T12:00:00Z'), saleClosesAt: at('2026-06-01T13:00:00Z') };

  it('is UPCOMING a millisecond before opening and OPEN at the opening instant', () => {
    expect(saleStateOf(window, 5, new Date(now.getTime() - 1))).toBe(SaleState.UPCOMING);
    expect(saleStateOf(window, 5, now)).toBe(SaleState.OPEN);
  });

  it('is CLOSED from the closing instant on, even with units left', () => {
    expect(saleStateOf(window, 5, at('2026-06-01T12:59:59.999Z'))).toBe(SaleState.OPEN);
    expect(saleStateOf(window, 5, at('2026-06-01T13:00:00Z'))).toBe(SaleState.CLOSED);
  });

  it('is SOLD_OUT while open with nothing available', () => {
    expect(saleStateOf(window, 0, now)).toBe(SaleState.SOLD_OUT);
  });

  it('is CLOSED when inactive, whatever the window', () => {
    expect(saleStateOf({ ...window, active: false }, 5, now)).toBe(SaleState.CLOSED);
  });

  it('is OPEN without a window (no opening or closing time)', () => {
    expect(saleStateOf({ active: true, saleOpensAt: null, saleClosesAt: null }, 1, now)).toBe(SaleState.OPEN);
  });
});

describe('keyset cursors and page sizes', () => {
  it('round-trips the sort key through an opaque cursor', () => {
    const cursor = encodeCursor([1767225600000, 'a1b2']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ['number', 'string'])).toEqual([1767225600000, 'a1b2']);
  });

  it.each(['', 'garbage', encodeCursor(['x', 'y']), encodeCursor([1]), encodeCursor([1, 'a', 2])])('refuses %p as BAD_USER_INPUT', (cursor) => {
    expect(() => decodeCursor(cursor, ['number', 'string'])).toThrow(AppError);
    try {
      decodeCursor(cursor, ['number', 'string']);
    } catch (err) {
      expect((err as AppError).code).toBe('BAD_USER_INPUT');
    }
  });

  it('defaults to 20, accepts 1..100, refuses the rest', async () => {
    const page = (first: number | undefined) => assertValid(Object.assign(new PageArgs(), { first }));
    expect(pageSize(undefined)).toBe(20);
    for (const good of [undefined, 1, 100]) await expect(page(good)).resolves.toBeUndefined();
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, 101, -1, 2.5]) await expect(page(bad)).rejects.toThrow('first must be between 1 and 100');
  });
});
