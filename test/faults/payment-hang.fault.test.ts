/**
 * The payment provider hangs, at CI size: the one definition in chaos/scenarios/payment-hang.ts
 * (`npm run chaos -- payment-hang` runs it at full size). Fails with the scenario's report unless
 * every check held and the audit is exact.
 */
import { paymentHangDefinition } from '../../chaos/scenarios/payment-hang';
import { runAtCiSize } from '../support/scenarios';

jest.setTimeout(120_000);

it('charges that hang: payOrder answers PAYMENT_DECLINED in bounded time, the order is PAYMENT_FAILED, no money is kept', () => runAtCiSize(paymentHangDefinition));
