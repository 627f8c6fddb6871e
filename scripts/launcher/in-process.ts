/**
 * The launcher's in-process mode, for end-to-end tests that reach into services' internals (ORM,
 * Redis, workers): the four subgraphs and the gateway as servers inside the calling process, on
 * the ports of `env` (0: the OS picks), against the real MariaDB and Redis. Kept apart from
 * index.ts so the child-process launches (npm start, bench, chaos) never load the application.
 *
 * Invariants
 *   I1 Same order as a child-process launch (L1 in index.ts): the subgraphs, then the gateway.
 *      Their ports are chosen before anything starts, so one configuration, built once and never
 *      changed afterwards, serves every process; `stop()` closes in the reverse order and then
 *      drops the run's databases and key prefix, like every launch.
 *   I2 `env` gets USER_URL, PRODUCT_URL, CART_URL and ORDER_URL, so processes started later from it
 *      (a second replica as a child, in the fault tests) reach these servers.
 */
import { Config, PORT_VARIABLE, RunningServer, SERVICES, SubgraphService, URL_VARIABLE, createLogger, loadConfig } from '@flashsale/platform';
import { startUserSubgraph, UserServices } from '../../subgraphs/user/src/subgraph';
import { startProductSubgraph, ProductServices } from '../../subgraphs/product/src/subgraph';
import { startCartSubgraph, CartServices } from '../../subgraphs/cart/src/subgraph';
import { startOrderSubgraph, OrderServices } from '../../subgraphs/order/src/subgraph';
import { startGateway } from '../../gateway/src/gateway';
import { dropStackData } from './data';
import { reservablePort } from './ports';

export interface InProcessStack {
  config: Config;
  env: NodeJS.ProcessEnv;
  gatewayUrl: string;
  user: SubgraphService<UserServices>;
  product: SubgraphService<ProductServices>;
  cart: SubgraphService<CartServices>;
  order: SubgraphService<OrderServices>;
  gateway: RunningServer;
  stop(): Promise<void>;
}

export async function launchInProcess(env: NodeJS.ProcessEnv): Promise<InProcessStack> {
  // Free ports chosen before anything starts, so one configuration, built once, tells every
  // process where the others are (the order subgraph reads product truth from PRODUCT_URL).
  for (const name of SERVICES) {
    const portVar = PORT_VARIABLE[name];
    if (!env[portVar] || env[portVar] === '0') env[portVar] = String(await reservablePort());
    env[URL_VARIABLE[name]] = `http://127.0.0.1:${env[portVar]}/graphql`;
  }
  const config = loadConfig(env);
  const log = (name: string) => createLogger(config, name);
  const started: RunningServer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.reverse().map((s) => s.close()));
    await dropStackData(config, { dbPrefix: config.DB_PREFIX, redisPrefix: config.REDIS_PREFIX });
  };
  try {
    const [user, product, cart, order] = await Promise.all([
      startUserSubgraph(config, log('user')).then((s) => (started.push(s), s)),
      startProductSubgraph(config, log('product')).then((s) => (started.push(s), s)),
      startCartSubgraph(config, log('cart')).then((s) => (started.push(s), s)),
      startOrderSubgraph(config, log('order')).then((s) => (started.push(s), s)),
    ]);
    const gateway = await startGateway(config, log('gateway'));
    started.push(gateway);
    return { config, env, gatewayUrl: gateway.url, user, product, cart, order, gateway, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
