/** The leak detector the abuse tests rely on: it must catch internals and ignore the caller's own echoed input. */
import { answerProblems, leaksIn, RawAnswer } from './hostile';

const answer = (body: RawAnswer['body'], status = 200): RawAnswer => ({ status, body, text: JSON.stringify(body) });
const error = (message: string, code = 'BAD_USER_INPUT') => answer({ errors: [{ message, extensions: { code } }] });

describe('answerProblems', () => {
  it.each([
    ['a stack frame', 'boom\n    at Object.<anonymous> (/app/dist/x.js:1:2)'],
    ['a MySQL error code', "ER_DUP_ENTRY: Duplicate entry 'x' for key 'PRIMARY'"],
    ['SQL text', "select `u0`.* from `user` as `u0` where `u0`.`id` = 'x'"],
    ['a MariaDB message', 'Incorrect string value: \'\\xF0\\x9F\' for column `name`'],
    ['a Redis error', 'WRONGTYPE Operation against a key holding the wrong kind of value'],
    ['a Lua error', 'ERR user_script:12: attempt to compare nil with number'],
    ['a file path', 'cannot read /work/main/subgraphs/order/src/x.ts'],
    ['a Windows path', 'cannot read C:\\app\\dist\\x.js'],
    ['a driver name', 'mysql2 connection lost'],
    ['a JS error name', "TypeError: Cannot read properties of undefined (reading 'id')"],
  ])('catches %s in an error', (_what, message) => {
    expect(answerProblems(error(message), {})).not.toEqual([]);
  });

  it('catches a leak in a userError message inside data', () => {
    const res = answer({ data: { placeOrder: { order: null, userErrors: [{ code: 'SOLD_OUT', message: 'ER_LOCK_DEADLOCK while reserving' }] } } });
    expect(answerProblems(res, {})).not.toEqual([]);
  });

  it('flags INTERNAL_SERVER_ERROR, errors without a code, HTTP 5xx and non-JSON answers', () => {
    expect(answerProblems(error('Internal server error', 'INTERNAL_SERVER_ERROR'), {})).toHaveLength(1);
    expect(answerProblems(answer({ errors: [{ message: 'x' }] }), {})).toHaveLength(1);
    expect(answerProblems(answer({ data: null }, 502), {})).toEqual(['HTTP 502']);
    expect(answerProblems({ status: 200, text: '<html>Bad Gateway</html>', body: null }, {})[0]).toMatch(/not JSON/);
  });

  it('ignores the caller\'s own input quoted back, and stored data that equals it', () => {
    const sent = { input: { name: " ' UNION SELECT password FROM `user` -- redis", code: 'ER_X' } };
    const quoted = error(`Variable "$input" got invalid value ${JSON.stringify(sent.input.name)} at "input.name"; and ${JSON.stringify(sent.input.code)} at "input.code"`);
    expect(answerProblems(quoted, sent)).toEqual([]);
    const stored = answer({ data: { signUp: { user: { name: sent.input.name.trim() }, userErrors: [] } } });
    expect(leaksIn(stored, sent)).toEqual([]);
  });

  it('accepts ordinary refusals', () => {
    expect(answerProblems(error('Variable "$payment" got invalid value ["A:"]; Expected type "PaymentInput" to be an object.'), { payment: ['A:'] })).toEqual([]);
    expect(answerProblems(error('quantity must be 1 to 99'), {})).toEqual([]);
    expect(answerProblems(error('Identity signature is invalid', 'UNAUTHENTICATED'), {})).toEqual([]);
    expect(answerProblems(answer({ data: { addToCart: { userErrors: [{ code: 'CART_FULL', message: 'A cart holds at most 100 products' }] } } }), {})).toEqual([]);
  });
});
