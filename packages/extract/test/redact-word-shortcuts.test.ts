/**
 * The keep rules' shortcuts for a value of word characters only (`[A-Za-z0-9_]`, most values judged: `pwd=abc`): the
 * answers `nonSecretWord` and `wordShape` give without a regex must be the regexes' own. A word added to
 * NON_SECRET_VALUE_RE without `nonSecretWord` learning it fails here (it would be redacted, the regex keeping it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NON_SECRET_VALUE_RE, nonSecretWord, notASecret, wordShape } from '../src/redact-code.js';

/** Every case of `w`'s letters (the first 256 combinations). */
function cases(w: string): string[] {
  const out: string[] = [];
  for (let mask = 0; mask < Math.min(1 << w.length, 256); mask++) {
    let v = '';
    for (let i = 0; i < w.length; i++) v += (mask >> i) & 1 ? w[i]!.toUpperCase() : w[i]!;
    out.push(v);
  }
  return out;
}

describe('word shortcuts of the keep rules', () => {
  it('nonSecretWord answers as NON_SECRET_VALUE_RE for every word its alternatives spell, in any case, with suffixes', () => {
    // The regex's alternatives, their letters only (`os\\.environ.{0,128}` gives `os`, `environ`): every word they hold.
    const words = new Set(NON_SECRET_VALUE_RE.source.match(/[a-z]+/g) ?? []);
    for (const w of ['x', 'xx', 'a', '_', '1', 'getpasss']) words.add(w);
    assert.ok(words.has('getpass') && words.has('undefined'));
    for (const w of words) {
      for (const v of cases(w)) {
        for (const suffix of ['', '1', '_', 'a', 'X', 'word', 'a'.repeat(121), 'a'.repeat(122), 'a'.repeat(128), 'a'.repeat(129)]) {
          for (const s of [v + suffix, '_' + v + suffix, '1' + v + suffix]) {
            if (wordShape(s) === 0) continue;
            assert.equal(nonSecretWord(s), NON_SECRET_VALUE_RE.test(s), s);
          }
        }
      }
    }
  });

  it("notASecret judges a word as its regexes do: the word's shape given, or none (0: every regex asked)", () => {
    // The shortcuts a word takes in notASecret (a reference is a word without digits of 128 characters at most; the
    // expression words have 3 letters or more; no `[[`, `<`, `[`, `!` or `.` searched) against the regex path itself.
    const word = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/),
      fc.constantFrom('await', 'new', 'not', 'lambda', 'api_key', 'password', 'db_pw', 'apiKey', 'openaiApiKey', 'token', 'pad_token', 'Welcome', 'x'),
      fc.tuple(fc.constantFrom('a', 'A', '_', 'k'), fc.integer({ min: 124, max: 131 }), fc.boolean()).map(([c, n, digit]) => c.repeat(n) + (digit ? '1' : '')),
    );
    const key = fc.constantFrom('password', 'api_key', 'apiKey', 'self.token', 'tokenizer.pad_token', 'a.b.token', 'PWD', 'max_tokens', 'DB_PASSWORD');
    const separator = fc.constantFrom('=', ': ', ' = ', '":"', ':', '=>');
    const before = fc.constantFrom('', 'lambda ', 'f(', '  ', 'x = {', 'def f(', ':param ', '{"', 'self.');
    const after = fc.constantFrom('', '\n', '(', '.x', ')', ', ', ' | ', '[0]', '}');
    fc.assert(
      fc.property(before, key, separator, word, after, fc.boolean(), (b, k, sep, v, a, bare) => {
        const input = b + k + sep + v + a;
        const start = b.length;
        const end = start + k.length + sep.length + v.length;
        const shape = wordShape(v);
        assert.notEqual(shape, 0);
        assert.equal(notASecret(v, k, sep, bare, input, start, end, shape), notASecret(v, k, sep, bare, input, start, end, 0), input);
      }),
      { numRuns: 30000 },
    );
  });

  it('keeps each word that starts an expression as a bare value (`token = await get_token()`), the shortest too', () => {
    for (const w of ['new', 'not', 'await', 'yield', 'lambda', 'typeof', 'require', 'import']) {
      const input = `password=${w}`;
      assert.equal(notASecret(w, 'password', '=', true, input, 0, input.length), true, w);
    }
  });

  it('wordShape reads words (and digits in them) as the regexes do; nonSecretWord agrees on random words', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_]{0,12}$/);
    const any = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(fc.oneof(word, any, fc.constantFrom('none', 'NULL', 'getpass_x', 'xXx', 'Optional1', 'é', 'a.b', 'a b')), (s) => {
        const shape = wordShape(s);
        assert.equal(shape !== 0, /^[A-Za-z0-9_]+$/.test(s), s);
        assert.equal((shape & 2) !== 0, shape !== 0 && /\d/.test(s), s);
        if (shape !== 0) assert.equal(nonSecretWord(s), NON_SECRET_VALUE_RE.test(s.trim()), s);
      }),
      { numRuns: 20000 },
    );
  });
});
