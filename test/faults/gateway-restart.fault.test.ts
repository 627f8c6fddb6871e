/**
 * The gateway is SIGKILLed mid-sale and started again, at CI size: the one definition in
 * chaos/scenarios/gateway-restart.ts (`npm run chaos -- gateway-restart` runs it at full size).
 * Fails with the scenario's report unless every check held and the audit is exact.
 */
import { gatewayRestartDefinition } from '../../chaos/scenarios/gateway-restart';
import { runAtCiSize } from '../support/scenarios';

jest.setTimeout(180_000);

const { stock, buyers } = gatewayRestartDefinition.sizes.ci;
it(`${buyers} buyers race for ${stock} units while the gateway is killed and restarted: exactly ${stock} orders, each answered once`, () => runAtCiSize(gatewayRestartDefinition));
