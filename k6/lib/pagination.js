// @ts-check
/**
 * Walking a Relay connection (`edges { cursor node { id } } pageInfo { hasNextPage endCursor }`)
 * page by page, checking what a client relies on: every page well formed, the cursor moves on,
 * and no node shows up twice across pages (which an offset-based "cursor" would do under writes).
 * Pure: the fetching is passed in, so jest drives it with fake pages and k6 with real requests.
 */
import { dataField, errorCodes, parseBody } from './graphql.js';

/**
 * @typedef {{ hasNextPage: boolean, endCursor: string | null }} PageInfo
 * @typedef {{ ok: true, ids: string[], pageInfo: PageInfo } | { ok: false, detail: string }} PageRead
 * @typedef {{ pages: number, ids: string[], duplicates: string[], complete: boolean, error: string | null }} Walk
 */

/**
 * Reads the connection at `data[field]` from a response body.
 * @param {unknown} body
 * @param {string} field  e.g. 'products'
 * @returns {PageRead}
 */
export function readConnection(body, field) {
  const parsed = parseBody(body);
  if (!parsed) return { ok: false, detail: 'body is not a JSON object' };
  const codes = errorCodes(parsed);
  if (codes.length > 0) return { ok: false, detail: `GraphQL errors: ${codes.join(',')}` };
  const conn = dataField(parsed, field);
  if (!conn) return { ok: false, detail: `no data.${field}` };
  const { edges, pageInfo } = /** @type {{ edges?: unknown, pageInfo?: unknown }} */ (conn);
  if (!Array.isArray(edges)) return { ok: false, detail: 'edges is not a list' };
  /** @type {string[]} */
  const ids = [];
  for (const edge of edges) {
    const id = edge && edge.node ? edge.node.id : undefined;
    if (typeof id !== 'string' || typeof edge.cursor !== 'string') return { ok: false, detail: 'edge without cursor or node.id' };
    ids.push(id);
  }
  const info = /** @type {{ hasNextPage?: unknown, endCursor?: unknown } | null} */ (pageInfo);
  if (!info || typeof info.hasNextPage !== 'boolean') return { ok: false, detail: 'pageInfo.hasNextPage missing' };
  const endCursor = typeof info.endCursor === 'string' ? info.endCursor : null;
  if (info.endCursor != null && endCursor === null) return { ok: false, detail: 'pageInfo.endCursor is not a string' };
  return { ok: true, ids, pageInfo: { hasNextPage: info.hasNextPage, endCursor } };
}

/**
 * Follows `endCursor` from the first page until `hasNextPage` is false or `maxPages` were read.
 * Stops with an error on a malformed page, a next page promised without a cursor, or a cursor that
 * does not move (which would loop a client forever).
 * @param {(after: string | null) => unknown} fetchPage  returns the response body for one page
 * @param {string} field
 * @param {number} maxPages
 * @returns {Walk}
 */
export function walkConnection(fetchPage, field, maxPages) {
  /** @type {string[]} */
  const ids = [];
  const seen = new Set();
  /** @type {Set<string>} */
  const duplicates = new Set();
  const cursors = new Set();
  /** @type {string | null} */
  let after = null;
  let pages = 0;
  while (pages < maxPages) {
    const page = readConnection(fetchPage(after), field);
    pages += 1;
    if (!page.ok) return { pages, ids, duplicates: [...duplicates], complete: false, error: page.detail };
    for (const id of page.ids) {
      if (seen.has(id)) duplicates.add(id);
      seen.add(id);
      ids.push(id);
    }
    const { hasNextPage, endCursor } = page.pageInfo;
    if (!hasNextPage) return { pages, ids, duplicates: [...duplicates], complete: true, error: null };
    if (endCursor === null) return { pages, ids, duplicates: [...duplicates], complete: false, error: 'hasNextPage without endCursor' };
    if (cursors.has(endCursor)) return { pages, ids, duplicates: [...duplicates], complete: false, error: 'endCursor did not advance' };
    cursors.add(endCursor);
    after = endCursor;
  }
  return { pages, ids, duplicates: [...duplicates], complete: false, error: null };
}
