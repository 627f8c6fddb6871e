import { readConnection, walkConnection } from './pagination.js';

type Page = { ids: string[]; hasNextPage: boolean; endCursor: string | null };
const body = ({ ids, hasNextPage, endCursor }: Page) =>
  JSON.stringify({ data: { products: { edges: ids.map((id) => ({ cursor: `c-${id}`, node: { id } })), pageInfo: { hasNextPage, endCursor } } } });

/** A fake server over a list of ids, paging by real keyset cursors (the last id seen). */
function catalog(ids: string[], size: number) {
  const requests: (string | null)[] = [];
  const fetchPage = (after: string | null) => {
    requests.push(after);
    const start = after === null ? 0 : ids.indexOf(after) + 1;
    const page = ids.slice(start, start + size);
    return body({ ids: page, hasNextPage: start + size < ids.length, endCursor: page.length ? page[page.length - 1] : null });
  };
  return { fetchPage, requests };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i + 1}`);

describe('walkConnection: paging through products by endCursor', () => {
  it('45 products, 20 per page: three pages, every product once, each request after the previous endCursor', () => {
    const { fetchPage, requests } = catalog(ids(45), 20);
    const walk = walkConnection(fetchPage, 'products', 10);
    expect(walk).toEqual({ pages: 3, ids: ids(45), duplicates: [], complete: true, error: null });
    expect(requests).toEqual([null, 'p20', 'p40']);
  });

  it('stops at maxPages without calling it an error', () => {
    const { fetchPage, requests } = catalog(ids(100), 20);
    const walk = walkConnection(fetchPage, 'products', 2);
    expect(walk).toMatchObject({ pages: 2, complete: false, error: null });
    expect(walk.ids).toHaveLength(40);
    expect(requests).toHaveLength(2);
  });

  it('an empty catalog is one complete page', () => {
    const { fetchPage } = catalog([], 20);
    expect(walkConnection(fetchPage, 'products', 5)).toEqual({ pages: 1, ids: [], duplicates: [], complete: true, error: null });
  });

  it('reports products served on two pages (what an offset "cursor" does when a product is added mid-walk)', () => {
    const pages: Page[] = [
      { ids: ['a', 'b'], hasNextPage: true, endCursor: 'x1' },
      { ids: ['b', 'c'], hasNextPage: false, endCursor: 'x2' },
    ];
    let i = 0;
    const walk = walkConnection(() => body(pages[i++]), 'products', 10);
    expect(walk.duplicates).toEqual(['b']);
    expect(walk.complete).toBe(true);
  });

  it('stops when the cursor does not advance instead of looping forever', () => {
    const walk = walkConnection(() => body({ ids: ['a'], hasNextPage: true, endCursor: 'same' }), 'products', 50);
    expect(walk).toMatchObject({ pages: 2, complete: false, error: 'endCursor did not advance' });
  });

  it('stops when a next page is promised without a cursor', () => {
    const walk = walkConnection(() => body({ ids: [], hasNextPage: true, endCursor: null }), 'products', 50);
    expect(walk).toMatchObject({ pages: 1, error: 'hasNextPage without endCursor' });
  });

  it('stops on an error answer mid-walk, keeping what it read', () => {
    const answers = [body({ ids: ['a'], hasNextPage: true, endCursor: 'a' }), JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }] })];
    let i = 0;
    const walk = walkConnection(() => answers[i++], 'products', 10);
    expect(walk).toMatchObject({ pages: 2, ids: ['a'], complete: false, error: 'GraphQL errors: BAD_USER_INPUT' });
  });
});

describe('readConnection: one page, checked', () => {
  it('reads ids and pageInfo', () => {
    expect(readConnection(body({ ids: ['a', 'b'], hasNextPage: true, endCursor: 'c-b' }), 'products')).toEqual({
      ok: true,
      ids: ['a', 'b'],
      pageInfo: { hasNextPage: true, endCursor: 'c-b' },
    });
  });

  it.each([
    ['no data', JSON.stringify({ data: null }), 'no data.products'],
    ['edges not a list', JSON.stringify({ data: { products: { edges: null, pageInfo: { hasNextPage: false } } } }), 'edges is not a list'],
    ['an edge without a node id', JSON.stringify({ data: { products: { edges: [{ cursor: 'c', node: {} }], pageInfo: { hasNextPage: false } } } }), 'edge without'],
    ['an edge without a cursor', JSON.stringify({ data: { products: { edges: [{ node: { id: 'a' } }], pageInfo: { hasNextPage: false } } } }), 'edge without'],
    ['no pageInfo', JSON.stringify({ data: { products: { edges: [] } } }), 'hasNextPage missing'],
    ['a numeric endCursor', JSON.stringify({ data: { products: { edges: [], pageInfo: { hasNextPage: false, endCursor: 3 } } } }), 'endCursor is not a string'],
  ])('%s is not ok', (_name, answer, detail) => {
    const page = readConnection(answer, 'products');
    expect(page.ok).toBe(false);
    expect(page.ok ? '' : page.detail).toContain(detail);
  });
});
