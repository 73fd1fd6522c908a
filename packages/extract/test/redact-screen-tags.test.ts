/**
 * The screen's key-name search (`SecretScreen.keyNames`) does not read what follows a token that ends at a `]` when no
 * key name ends that token (`keyEndsBefore`, by its last two characters): the rescan after a rule replaced values
 * holds one tag per value, each with an anchor in its kind (`[REDACTED:password_assignment]`: `word`, then `nt]`).
 * The cases below fail on a screen that passes over more than that (every `]`, or a key name of one character
 * forgotten); the property compares with every rule run on every string, on texts with tags of every kind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { argumentsScreened, compileRedactor, createRedactor } from '../src/redact.js';
import type { RedactorOptions } from '../src/types.js';

/** Enough `=` that the screen searches the key names (`keyNames`) rather than looking behind each separator. */
const CODE = Array.from({ length: 20 }, (_, i) => `x${i} = f(a=${i}, b=${i})`).join('\n') + '\n';

function sameAsReference(text: string, options?: RedactorOptions): ReturnType<ReturnType<typeof createRedactor>['redact']> {
  const got = createRedactor(options).redact(text);
  assert.deepEqual(got, compileRedactor(options, false).redact(text), JSON.stringify(text));
  return got;
}

describe('the screen past a token that ends at a `]`', () => {
  it('still reads a key name before a subscript\'s `]` (`env[DB_PASSWORD] = …`)', () => {
    const got = sameAsReference(CODE + 'env[DB_PASSWORD] = "hunter2Xk9"\n');
    assert.ok(!got.text.includes('hunter2Xk9'), got.text);
  });

  it('still reads a key name of one character before a `]` (an extra key name `x`: any character before it)', () => {
    const got = sameAsReference(CODE + 'cfg[x] = "hunter2Xk9"\n', { extraKeyNames: ['x'] });
    assert.ok(!got.text.includes('hunter2Xk9'), got.text);
  });

  it('still reads a tag whose kind ends in a key name (`github_token`, an extra key name `assignment`)', () => {
    // A default after a tag: `fallbackAfter` then `pairName` on the kind's `token`.
    assert.deepEqual(argumentsScreened(CODE + '[REDACTED:github_token] ?? "abc"\n'), ['fallback']);
    assert.deepEqual(argumentsScreened(CODE + '[REDACTED:github_token]\\t?? "abc"\n'), ['fallback']);
    // No key name ends `password_assignment`: nothing to read there, as before.
    assert.deepEqual(argumentsScreened(CODE + '[REDACTED:password_assignment] ?? "abc"\n'), []);
    for (const after of ['=a\n', ' = "S3cXk9q"\n', '\n', ',', ' ?? "S3cXk9q"\n', ': S3cXk9q\n', '\\t|| "S3cXk9q"']) {
      sameAsReference(CODE + 'password=hunter2Xk9\n[REDACTED:password_assignment]' + after, { extraKeyNames: ['assignment'] });
      sameAsReference(CODE + '[REDACTED:github_token]' + after);
      sameAsReference(CODE + '[REDACTED:my_token]' + after, { extraPatterns: [{ kind: 'my_token', pattern: /tok_[a-z0-9]{6}/ }] });
    }
  });

  it('redacts as every rule run does, on texts with tags of every kind in every position', () => {
    const kinds = [
      'password_assignment', 'github_token', 'google_api_key', 'aws_access_key', 'url_password', 'cli_password', 'netrc_password', 'basic_auth',
      'name_value', 'cookie', 'bearer', 'jwt', 'error', 'private_key', 'openai_key', 'my_token', 'word_thing', 'assignment', 'kind', 'x', 'auth', 'value',
    ];
    const tag = fc.tuple(fc.constantFrom('[REDACTED:', '[redacted:', 'REDACTED:'), fc.constantFrom(...kinds), fc.constantFrom(']', '', ']]')).map((p) => p.join(''));
    const keys = fc.constantFrom('password', 'pwd', 'token', 'api_key', 'Authorization', 'cookie', 'cookies', 'value', '_auth', 'NPM_CONFIG__AUTH', 'my_token', 'assignment', 'x', 'DB_PASSWORD');
    const signs = fc.constantFrom('=', ':', ': ', ',', '\n', '"', "'", '\\"', ']', '[', '??', ' ?? ', '||', ' or ', '(', '{', ' ', '\\n', '\\t', '${', '-', '.set(');
    const values = fc.constantFrom('hunter2Xk9', 'a', '"Xk9q2Lm8Zt"', 'dXNlcjpwYXNz', 'tok_abc123', 'os.getenv("API_KEY", "abc123XY")', 'machine h login u password p9Xk', 'name: DB_PASSWORD\nvalue: Pw9xyzQ');
    const text = fc
      .tuple(fc.boolean(), fc.array(fc.oneof(tag, keys, signs, values, fc.tuple(keys, signs, tag, signs).map((p) => p.join(''))), { minLength: 1, maxLength: 14 }))
      .map(([code, parts]) => (code ? CODE : '') + parts.join(''));
    const options: (RedactorOptions | undefined)[] = [
      undefined,
      // (Not `redacted`: a tag's own `REDACTED:` is then a key name before a separator, which the screen and every rule
      // run read differently before this change too: `password [REDACTED:password_assignment]${`.)
      { extraKeyNames: ['assignment', 'token', 'kind', 'x'] },
      { extraKeyNames: ['my_token'], extraPatterns: [{ kind: 'my_token', pattern: /tok_[a-z0-9]{6}/ }, { kind: 'word_thing', pattern: /WT\d{3}/ }] },
    ];
    const redactors = options.map((o) => [createRedactor(o), compileRedactor(o, false)] as const);
    fc.assert(
      fc.property(text, (s) => {
        for (const [screened, reference] of redactors) assert.deepEqual(screened.redact(s), reference.redact(s), JSON.stringify(s));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) * 3 },
    );
  });
});
