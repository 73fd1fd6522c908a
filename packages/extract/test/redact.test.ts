import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../src/index.js';

const r = createRedactor();
const redact = (s: string) => r.redact(s);

describe('createRedactor: built-in kinds', () => {
  const cases: [string, string, string, string][] = [
    ['openai_key', 'key sk-abcdefghijklmnopqrstuvwx12 end', 'key [REDACTED:openai_key] end', 'openai_key'],
    ['openai project key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx_-12', '[REDACTED:openai_key]', 'openai_key'],
    ['anthropic before openai', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', '[REDACTED:anthropic_key]', 'anthropic_key'],
    ['aws', 'id=AKIAIOSFODNN7EXAMPLE;', 'id=[REDACTED:aws_access_key];', 'aws_access_key'],
    ['github classic', 'ghp_' + 'a'.repeat(36), '[REDACTED:github_token]', 'github_token'],
    ['github fine-grained', 'github_pat_' + 'B'.repeat(30), '[REDACTED:github_token]', 'github_token'],
    ['gitlab', 'glpat-' + 'x'.repeat(20), '[REDACTED:gitlab_token]', 'gitlab_token'],
    ['slack', 'xoxb-123456789012-abcdefghij', '[REDACTED:slack_token]', 'slack_token'],
    ['google', 'AIza' + 'S'.repeat(35), '[REDACTED:google_api_key]', 'google_api_key'],
    ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'token [REDACTED:jwt]', 'jwt'],
    ['bearer', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [REDACTED:bearer]', 'bearer'],
    ['bearer json', '{"Authorization": "Bearer abcdefgh12345"}', '{"Authorization": "Bearer [REDACTED:bearer]"}', 'bearer'],
    ['url password', 'postgres://admin:s3cr3t@db:5432/app', 'postgres://admin:[REDACTED:url_password]@db:5432/app', 'url_password'],
    ['password =', 'password=hunter22', 'password=[REDACTED:password_assignment]', 'password_assignment'],
    ['env var suffix', 'DB_PASSWORD="p@ss w0rd"', 'DB_PASSWORD="[REDACTED:password_assignment]"', 'password_assignment'],
    ['json key', '{"api_key": "abc123", "n": 1}', '{"api_key": "[REDACTED:password_assignment]", "n": 1}', 'password_assignment'],
    ['yaml', 'secret: s3cr3t-value', 'secret: [REDACTED:password_assignment]', 'password_assignment'],
    ['header dash', 'X-Api-Key: abcdef123', 'X-Api-Key: [REDACTED:password_assignment]', 'password_assignment'],
  ];
  for (const [name, input, output, kind] of cases) {
    it(name, () => {
      const res = redact(input);
      assert.equal(res.text, output);
      assert.deepEqual(res.kinds, [kind]);
      assert.equal(res.redactions, 1);
    });
  }

  it('redacts PEM private keys, terminated or cut short', () => {
    const body = 'MIIEowIBAAKCAQEA' + 'q'.repeat(48);
    const full = `x\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n${body}\n-----END RSA PRIVATE KEY-----\ny`;
    assert.equal(redact(full).text, 'x\n[REDACTED:private_key]\ny');
    const cut = `-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n\nThe key above`;
    const res = redact(cut);
    assert.equal(res.text.includes(body), false);
    assert.ok(res.text.endsWith('\n\nThe key above'));
  });

  it('keeps things that are not secrets', () => {
    for (const s of [
      'max_tokens=100',
      'token_count: 5',
      'password = os.environ["DB_PASSWORD"]',
      'password: str = None',
      'if password == "x": pass',
      'api_key=${OPENAI_API_KEY}',
      'risk-assessment-framework-v2-final',
      'https://example.org/path',
      'ASIAN cuisine',
    ]) {
      const res = redact(s);
      assert.equal(res.text, s, s);
      assert.equal(res.redactions, 0, s);
    }
  });

  it('counts every replacement and lists kinds once, in order', () => {
    const res = redact('sk-aaaaaaaaaaaaaaaaaaaaaaaa sk-bbbbbbbbbbbbbbbbbbbbbbbb password=x1');
    assert.equal(res.redactions, 3);
    assert.deepEqual(res.kinds, ['openai_key', 'password_assignment']);
  });
});

describe('createRedactor: options', () => {
  it('enabled: false returns the input unchanged', () => {
    const off = createRedactor({ enabled: false });
    assert.equal(off.enabled, false);
    assert.deepEqual(off.redact('password=x sk-aaaaaaaaaaaaaaaaaaaaaaaa'), { text: 'password=x sk-aaaaaaaaaaaaaaaaaaaaaaaa', redactions: 0, kinds: [] });
    assert.equal(createRedactor().enabled, true);
  });
  it('extraPatterns run with the g flag added', () => {
    const custom = createRedactor({ extraPatterns: [{ kind: 'ticket', pattern: /TICKET-\d{4}/ }] });
    assert.deepEqual(custom.redact('TICKET-1234 and TICKET-5678'), { text: '[REDACTED:ticket] and [REDACTED:ticket]', redactions: 2, kinds: ['ticket'] });
  });
  it('extraKeyNames extend the key list', () => {
    const custom = createRedactor({ extraKeyNames: ['session_cookie'] });
    assert.equal(custom.redact('SESSION_COOKIE=abc123').text, 'SESSION_COOKIE=[REDACTED:password_assignment]');
    assert.equal(createRedactor().redact('SESSION_COOKIE=abc123').redactions, 0);
  });
  it('fails closed when a user pattern cannot be used', () => {
    const broken = { kind: 'bad', pattern: { source: '(', flags: '' } as unknown as RegExp };
    const res = createRedactor({ extraPatterns: [broken] }).redact('anything');
    assert.deepEqual(res, { text: '[REDACTED:error]', redactions: 1, kinds: ['error'] });
  });
  it('never throws on non-string input', () => {
    assert.deepEqual(r.redact(undefined as unknown as string), { text: '', redactions: 0, kinds: [] });
  });
});

describe('createRedactor: the key-name pre-check skips nothing it should redact', () => {
  it('key names in any case, with - or _, and extra key names still redact', () => {
    assert.equal(redact('PassWord = "hunter2hunter2"').text, 'PassWord = "[REDACTED:password_assignment]"');
    assert.equal(redact('X-API-KEY: abcdef123456').text, 'X-API-KEY: [REDACTED:password_assignment]');
    const custom = createRedactor({ extraKeyNames: ['Session-Cookie'] });
    assert.equal(custom.redact('SESSION_COOKIE=abc123def456').text, 'SESSION_COOKIE=[REDACTED:password_assignment]');
  });
  it('text without any key name is returned unchanged', () => {
    const code = "x = 1\nprint({'a': 2})\nurl = 'http://example.com:8080/path'\n";
    assert.deepEqual(redact(code), { text: code, redactions: 0, kinds: [] });
  });
});
