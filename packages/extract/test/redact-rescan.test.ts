/**
 * The screen's rescan after a rule replaced something (`runRules`): it looks only for the bits of the rules after
 * that one, and skips what it found already (`SecretScreen.scan`'s `needed`). Each case below fails when one of
 * those skips drops a check a later rule needs; the property compares with every rule run on every string.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRedactor, createRedactor } from '../src/redact.js';

/** Enough `=` that the screen searches the key names (`keyNames`) rather than looking behind each separator. */
const CODE = Array.from({ length: 20 }, (_, i) => `x${i} = f(a=${i}, b=${i})`).join('\n') + '\n';

const screened = createRedactor();
const reference = compileRedactor(undefined, false);

function same(text: string, secret: string, kind: string): void {
  const got = screened.redact(text);
  assert.deepEqual(got, reference.redact(text), JSON.stringify(text));
  assert.ok(!got.text.includes(secret), got.text);
  assert.ok(got.kinds.includes(kind), JSON.stringify(got.kinds));
}

describe('the rescan after a rule replaced something', () => {
  it("finds `Auth(` for the login calls when AWS's and Google's prefixes are no longer looked for", () => {
    // After the assignment rule, `capitalA` is replaced by a search for `Auth(` (its only bit a later rule needs).
    same('password=hunter2Xk9\nrequests.get(u, auth=HTTPBasicAuth("bob", "S3cr3tXk9q"))\n', 'S3cr3tXk9q', 'password_assignment');
    same(CODE + 'password = "hunter2Xk9"\nrequests.get(u, auth=HTTPBasicAuth("bob", "S3cr3tXk9q"))\n', 'S3cr3tXk9q', 'password_assignment');
  });

  it("finds npm's keys when GitHub's and the vendors' prefixes are no longer looked for", () => {
    // `npmUnderscores`: each of `_auth`, `_AUTH` and `_password` searched whole.
    same(CODE + 'password = "hunter2Xk9"\n_auth=dXNlcjpwYXNz\n', 'dXNlcjpwYXNz', 'basic_auth');
    same(CODE + 'password = "hunter2Xk9"\nNPM_CONFIG__AUTH=dXNlcjpwYXNz\n', 'dXNlcjpwYXNz', 'basic_auth');
    same(CODE + 'password = "hunter2Xk9"\nnpm config set //r.example/:_password Zm9vYmFyYmF6\n', 'Zm9vYmFyYmF6', 'cli_password');
    same(CODE + 'password = "hunter2Xk9"\nnpm config set _authToken Zm9vYmFyYmF6\n', 'Zm9vYmFyYmF6', 'cli_password');
  });

  it('compares the key names of a bit not found yet, when another bit of a name ending in the same character is', () => {
    // `token` (password_assignment) and `authorization` (bearer) both end in `n`: finding the first must not skip the second.
    same(CODE + 'token = "Xk9q2Lm8Zt"\nAuthorization: Bearer abcdefghijklmnop123\n', 'abcdefghijklmnop123', 'bearer');
    same(CODE + 'token = "Xk9q2Lm8Zt"\nheaders = {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}\n', 'dXNlcjpwYXNzd29yZA==', 'bearer');
  });

  it('looks again for the bit of a rule that shares it with the one that replaced (the two cookie rules)', () => {
    same('Cookie: sid=abc123def\n' + CODE + 'cookies={"sid": "Xk9secretQ"}\n', 'Xk9secretQ', 'cookie');
  });

  it('looks again for the first rule\'s bit after the PEM pass replaced a private key', () => {
    // The rescan after the PEM pass is for every rule, the first (`anthropic_key`) too: without its bit the later
    // `openai_key` rule took the Anthropic key under the wrong kind.
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n';
    same(pem + 'sk-ant-abcdefghijklmnopqrstuvwxyz\n', 'sk-ant-abcdefghijklmnopqrstuvwxyz', 'anthropic_key');
  });

  it('gives the same result as running every rule, on texts dense with secrets', () => {
    const withExtras = { extraKeyNames: ['assignment', 'session_cookie', 'kie'], extraPatterns: [{ kind: 'password', pattern: /X{3}\d/ }] };
    const screenedExtras = createRedactor(withExtras);
    const referenceExtras = compileRedactor(withExtras, false);
    const UNITS = [
      'pwd=a\n', 'api_key=abc;', 'password=a[b]c ', 'Authorization: Bearer ', 'token: "Xk9q"\n', 'Cookie: a=b1\n', '_auth=YTpi\n', 'NPM_CONFIG__AUTH=YTpi ',
      'npm config set _password Zm9v ', 'HTTPBasicAuth("u", "S3c") ', 'auth=("u", "S3c")\n', 'server.login("u", "S3c")\n', 'name: DB_PASSWORD\nvalue: S3c\n',
      'mysql -pS3c ', 'curl -u u:S3c x ', 'machine h login u password S3c\n', '{"auths": {"r": {"auth": "YTpi"}}}\n', 'os.getenv("API_KEY", "S3c")\n',
      'API_KEY ?? "S3c"\n', '${API_KEY-S3c} ', 'cookies={"a": "S3c"}\n', 'ghp_auth=YTpi ', 'XXX1 ', '[REDACTED:password_assignment]', '[REDACTED:x_auth]=a\n',
      'assignment: S3c\n', 'x = 1\n', 'sk-abcdefghijklmnopqrstuvwx ', 'AKIAIOSFODNN7EXAMPLE ', 'eyJhbGciOi.eyJzdWIiOi.sig ', 'https://u:S3c@h ',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34Gkx\n-----END RSA PRIVATE KEY-----\n', 'sk-ant-abcdefghijklmnopqrstuvwxyz ',
    ];
    const dense = fc
      .tuple(fc.constantFrom(...UNITS), fc.integer({ min: 2, max: 40 }), fc.array(fc.constantFrom(...UNITS), { maxLength: 6 }))
      .map(([unit, n, rest]) => unit.repeat(n) + rest.join(''));
    fc.assert(
      fc.property(dense, (s) => {
        assert.deepEqual(screened.redact(s), reference.redact(s), JSON.stringify(s));
        assert.deepEqual(screenedExtras.redact(s), referenceExtras.redact(s), JSON.stringify(s));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) * 5 },
    );
  });
});
