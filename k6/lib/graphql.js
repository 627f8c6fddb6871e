// @ts-check
/**
 * Reading GraphQL answers without trusting them: every helper here takes whatever the server sent
 * (a string body, already-parsed JSON, or nothing) and never throws, so one malformed answer under
 * load is counted as an invalid outcome instead of killing the virtual user.
 * Pure: no k6 imports, unit-tested with jest (k6/lib/*.test.ts).
 */

/**
 * @typedef {{ message?: unknown, extensions?: { code?: unknown, [key: string]: unknown } }} GraphQLErrorShape
 * @typedef {{ data?: Record<string, unknown> | null, errors?: GraphQLErrorShape[] }} GraphQLBody
 * @typedef {{ code: string, message: string }} UserError
 */

/**
 * The JSON object in a response body, or null when the body is missing, not JSON, or not an object.
 * @param {unknown} body  a k6 `res.body` (string), an already-parsed object, or null
 * @returns {GraphQLBody | null}
 */
export function parseBody(body) {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch (_e) {
      return null;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return /** @type {GraphQLBody} */ (value);
}

/**
 * `extensions.code` of each GraphQL error, in order ('UNKNOWN' for an error without one).
 * @param {GraphQLBody | null} body
 * @returns {string[]}
 */
export function errorCodes(body) {
  if (!body || !Array.isArray(body.errors)) return [];
  return body.errors.map((e) => {
    const code = e && e.extensions ? e.extensions.code : undefined;
    return typeof code === 'string' ? code : 'UNKNOWN';
  });
}

/**
 * `data[field]` when the answer has no GraphQL errors and the field is an object, else null.
 * @param {GraphQLBody | null} body
 * @param {string} field
 * @returns {Record<string, unknown> | null}
 */
export function dataField(body, field) {
  if (!body || errorCodes(body).length > 0 || !body.data) return null;
  const value = body.data[field];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? /** @type {Record<string, unknown>} */ (value) : null;
}

/**
 * A payload's `userErrors`, or null when the list is missing or an entry has no string code/message
 * (the payload convention: `userErrors: [<X>Error!]!` with `code` and `message`).
 * @param {Record<string, unknown> | null} payload
 * @returns {UserError[] | null}
 */
export function userErrorsOf(payload) {
  if (!payload || !Array.isArray(payload.userErrors)) return null;
  /** @type {UserError[]} */
  const out = [];
  for (const e of payload.userErrors) {
    if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return null;
    out.push({ code: e.code, message: e.message });
  }
  return out;
}

/**
 * The object at `data[field][key]` of a mutation payload (e.g. `createProduct { product }`), or why
 * there is none: GraphQL error codes, the payload's userError codes, or a missing value.
 * @param {unknown} body
 * @param {string} field
 * @param {string} key
 * @returns {{ ok: true, value: Record<string, unknown> } | { ok: false, detail: string }}
 */
export function payloadValue(body, field, key) {
  const parsed = parseBody(body);
  if (!parsed) return { ok: false, detail: 'body is not a JSON object' };
  const codes = errorCodes(parsed);
  if (codes.length > 0) return { ok: false, detail: `${field}: GraphQL errors ${codes.join(',')}` };
  const payload = dataField(parsed, field);
  if (!payload) return { ok: false, detail: `${field}: no payload` };
  const userErrors = userErrorsOf(payload);
  if (userErrors && userErrors.length > 0) return { ok: false, detail: `${field}: ${userErrors.map((e) => `${e.code} (${e.message})`).join('; ')}` };
  const value = payload[key];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, detail: `${field}: no ${key}` };
  return { ok: true, value: /** @type {Record<string, unknown>} */ (value) };
}

/**
 * `data[field]` when the answer has no GraphQL errors and the field is a list of objects, else null.
 * @param {GraphQLBody | null} body
 * @param {string} field
 * @returns {Record<string, unknown>[] | null}
 */
export function dataList(body, field) {
  if (!body || errorCodes(body).length > 0 || !body.data) return null;
  const value = body.data[field];
  if (!Array.isArray(value) || value.some((v) => v === null || typeof v !== 'object')) return null;
  return value;
}
