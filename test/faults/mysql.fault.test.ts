/**
 * MySQL hangs, then dies and restarts mid-sale, at CI size: the one definition in
 * chaos/scenarios/mysql.ts (`npm run chaos -- mysql` runs it at full size). Fails with the
 * scenario's report unless every check held and the audit is exact. A lost COMMIT answer is tested
 * on its own in mysql-commit.fault.test.ts.
 */
import { mysqlDefinition } from '../../chaos/scenarios/mysql';
import { runAtCiSize } from '../support/scenarios';

jest.setTimeout(180_000);

it('MySQL hangs, then dies mid-sale: every placeOrder caught in it gives its units back before answering', () => runAtCiSize(mysqlDefinition));
