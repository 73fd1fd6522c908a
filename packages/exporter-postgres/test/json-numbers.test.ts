import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { parseJsonText } from '../src/attribute-values.js';
import { isExactAsDouble, quoteInexactNumbers } from '../src/json-numbers.js';

it('property: JSON a double holds exactly is parsed as JSON.parse parses it (no number quoted)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      assert.equal(quoteInexactNumbers(text), text);
      assert.deepEqual(parseJsonText(text), JSON.parse(text));
    }),
    { numRuns: 1000 },
  );
});

/** The integer a number's shortest text (`12345`, `1.2345e+21`) stands for, exactly. */
function integerOf(text: string): bigint {
  const [mantissa = '', exp = '0'] = text.split('e');
  const [whole = '', frac = ''] = mantissa.split('.');
  return BigInt(whole + frac) * 10n ** BigInt(Number(exp) - frac.length);
}

it('property: integers beyond 2^53 keep every digit, as text, wherever they are', () => {
  const big = fc.bigInt({ min: 2n ** 53n + 1n, max: 10n ** 30n }).map((n) => n.toString());
  fc.assert(
    fc.property(big, fc.boolean(), fc.string({ maxLength: 20 }), (digits, negative, key) => {
      const token = negative ? `-${digits}` : digits;
      const text = JSON.stringify({ [key]: 0, n: 1 }).replace('"n":1', `"n":${token}`);
      const parsed = parseJsonText(text) as Record<string, unknown>;
      // Kept as a number only when writing the double back gives the same value (10^30 does: "1e+30").
      if (integerOf(String(Number(token))) === BigInt(token)) assert.equal(parsed['n'], Number(token));
      else assert.equal(parsed['n'], token);
    }),
    { numRuns: 500 },
  );
});

it('what a double cannot hold is kept as its text; what it can, as a number', () => {
  assert.deepEqual(parseJsonText('{"order_id": 12345678901234567890, "ok": 9007199254740991}'), { order_id: '12345678901234567890', ok: 9007199254740991 });
  assert.deepEqual(parseJsonText('[1e400, -1e400, 1e-400, 0.1000000000000000055511151231257827, 0.1, 1.5e3, -0, 1E2]'), [
    '1e400',
    '-1e400',
    '1e-400',
    '0.1000000000000000055511151231257827',
    0.1,
    1500,
    -0,
    100,
  ]);
  assert.equal(parseJsonText('12345678901234567890'), '12345678901234567890');
  assert.deepEqual(parseJsonText('{"s": "12345678901234567890 inside a string"}'), { s: '12345678901234567890 inside a string' });
  assert.equal(parseJsonText('{"a": 1-2}'), '{"a": 1-2}', 'invalid JSON stays text, even if quoting would make it valid');
  assert.equal(isExactAsDouble('123.4500'), true);
  assert.equal(isExactAsDouble('9007199254740993'), false);
});

/** The exact value of a JSON number's text as a fraction `num / den` (BigInts), computed without doubles. */
function decimalValue(text: string): { num: bigint; den: bigint } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a JSON number: ${text}`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let num = BigInt(`${m[2]}${frac}`) * (m[1] === '-' ? -1n : 1n);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { num, den };
}

function sameValue(a: string, b: string): boolean {
  const x = decimalValue(a);
  const y = decimalValue(b);
  return x.num * y.den === y.num * x.den;
}

it('property: a number with a decimal point keeps its value (16+ significant digits split by the point included)', () => {
  // Digits on both sides of the point, fewer than 16 on either: `900719925474099.3`, `1234567890.12345678`.
  const token = fc
    .tuple(fc.boolean(), fc.stringMatching(/^[1-9]\d{0,14}$/), fc.stringMatching(/^\d{1,15}$/))
    .map(([negative, whole, frac]) => `${negative ? '-' : ''}${whole}.${frac}`);
  fc.assert(
    fc.property(token, (t) => {
      const parsed = (parseJsonText(`{"n": ${t}}`) as Record<string, unknown>)['n'];
      if (typeof parsed === 'number') {
        // What is stored is the number's JSON text: it must say what the sender's text said.
        assert.ok(sameValue(JSON.stringify(parsed), t), `${t} stored as ${JSON.stringify(parsed)}`);
      } else {
        assert.equal(parsed, t);
        assert.equal(isExactAsDouble(t), false, `${t} quoted although a double holds it`);
      }
    }),
    { numRuns: 3000 },
  );
});

it('a 16-digit amount with a decimal point is kept as its text, not as the neighbouring double', () => {
  assert.deepEqual(parseJsonText('{"amount": 900719925474099.3, "x": 1234567890.12345678, "ok": 123456789012.345}'), {
    amount: '900719925474099.3',
    x: '1234567890.12345678',
    ok: 123456789012.345,
  });
});
