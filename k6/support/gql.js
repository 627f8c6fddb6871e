// @ts-check
/**
 * The one way the k6 scripts talk to the gateway: POST a named operation as JSON, with the buyer's
 * bearer token, tagged with the operation name so thresholds and the summary are per operation
 * (`http_req_duration{name:placeOrder}`) rather than per URL.
 */
import http from 'k6/http';

export const GATEWAY_URL = __ENV.GATEWAY_URL || 'http://127.0.0.1:4000/graphql';

/**
 * @param {string} name  tag for metrics, usually the root field (placeOrder, products, …)
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @param {string | null} [token]  access token, sent as `Authorization: Bearer <token>`
 */
export function gql(name, query, variables = {}, token = null) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return http.post(GATEWAY_URL, JSON.stringify({ query, variables }), { headers, tags: { name } });
}
