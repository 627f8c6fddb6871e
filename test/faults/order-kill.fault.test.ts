/**
 * An order subgraph process is SIGKILLed between reserving and committing, at CI size: the one
 * definition in chaos/scenarios/order-kill.ts (`npm run chaos -- order-kill` runs it at full
 * size). Fails with the scenario's report unless every check held and the audit is exact. Takes
 * the orphan grace (30 s): the restarted process's sweeper is watched in real time.
 */
import { orderKillDefinition } from '../../chaos/scenarios/order-kill';
import { runAtCiSize } from '../support/scenarios';

jest.setTimeout(180_000);

it('SIGKILL between reserve and commit: the sweeper returns exactly the units that never became orders, once', () => runAtCiSize(orderKillDefinition));
