/**
 * Issue 15, replicas, at CI size: the one definition in chaos/scenarios/replicas.ts (`npm run
 * chaos -- replicas` runs it at full size): two replicas of the gateway, product, cart and order
 * subgraphs as real processes (from the TypeScript sources) behind a real HAProxy, on a private
 * redis-server and the machine's MariaDB. Fails with the scenario's report unless every check held
 * and the audit is exact.
 */
import { replicasDefinition } from '../../chaos/scenarios/replicas';
import { runAtCiSize } from '../support/scenarios';

jest.setTimeout(300_000);

const { stampedeBuyers, stampedeStock } = replicasDefinition.sizes.ci;
it(
  `two replicas of each process behind HAProxy: every replica up; ${stampedeBuyers} buyers race for ${stampedeStock} units, exactly ${stampedeStock} orders; ` +
    'both gateways share the per-user limit; an order replica SIGKILLed mid-sale loses nothing; the midnight job on both moves each order once; ' +
    "per-address limits count HAProxy's address; with no replica left HAProxy answers the typed SERVICE_UNAVAILABLE",
  () => runAtCiSize(replicasDefinition),
);
