/**
 * The launcher's in-process mode, for end-to-end tests that reach into services' internals (ORM,
 * Redis, workers): the four subgraphs and the gateway as servers inside the calling process, on
 * the ports of `env` (0: the OS picks), against the real MariaDB and Redis. Kept apart from
 * index.ts so the child-process launches (npm start, bench, chaos) never load the application.
 *
 * Invariants
 *   I1 Same order as a child-process launch (L1 in index.ts): the subgraphs, then the gateway,
 *      which is told the subgraphs' URLs once their ports are known; `stop()` closes in the reverse
 *      order and then drops the run's databases and key prefix, like every launch.
 *   I2 `env` gets USER_URL, PRODUCT_URL, CART_URL and ORDER_URL, so processes started later from it
 *      (a second replica as a child, in the fault tests) reach these servers.
 */
import { Config, RunningServer, SubgraphService, createLogger, loadConfig } from '@flashsale/platform';
import { startUserSubgraph, UserServices } from '../../subgraphs/user/src/subgraph';
import { startProductSubgraph, ProductServices } from '../../subgraphs/product/src/subgraph';
import { startCartSubgraph, CartServices } from '../../subgraphs/cart/src/subgraph';
import { startOrderSubgraph, OrderServices } from '../../subgraphs/order/src/subgraph';
import { startGateway } from '../../gateway/src/gateway';
import { dropStackData } from './data';

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
  let config = loadConfig(env);
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
    Object.assign(env, { USER_URL: user.url, PRODUCT_URL: product.url, CART_URL: cart.url, ORDER_URL: order.url });
    config = loadConfig(env);
    // Ports were free ones, known only now: tell the order subgraph where the product subgraph is
    // (its stock reconciler reads product truth from there).
    Object.assign(order.deps.config, { PRODUCT_URL: product.url });
    const gateway = await startGateway(config, log('gateway'));
    started.push(gateway);
    return { config, env, gatewayUrl: gateway.url, user, product, cart, order, gateway, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
