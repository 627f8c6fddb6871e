import type { Identity } from '@flashsale/platform';

/** What every gateway request carries from its HTTP layer to the plugins and the subgraph fetches. */
export interface GatewayContext {
  requestId: string;
  /** The caller the access token proved (null: anonymous). */
  identity: Identity | null;
  /** The client's address (behind a trusted balancer, the one it names). */
  clientIp: string;
}
