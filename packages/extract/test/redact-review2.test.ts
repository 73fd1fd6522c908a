/**
 * Faults a second review of the bc731b5 redaction changes found (shell expansions named as a secret's key, cookies).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../src/index.js';

const r = createRedactor();
const SECRET = 'Xk9pQ2mZ7vL4';
const TAG = '[REDACTED:password_assignment]';

function assertRedacts(cases: readonly (readonly [string, string])[]): void {
  for (const [input, output] of cases) {
    const once = r.redact(input);
    assert.equal(once.text, output, input);
    assert.ok(!once.text.includes(SECRET), `leak: ${once.text}`);
    assert.equal(r.redact(once.text).text, once.text, `idempotent: ${once.text}`);
  }
}

function assertKept(texts: readonly string[]): void {
  for (const s of texts) assert.equal(r.redact(s).text, s, s);
}

describe('createRedactor: an alternate value that is a flag with its value (review 2 of bc731b5)', () => {
  it('leak: `${TOKEN:+--token=…}` has the flag\'s value redacted (in clear since the flag rule; redacted before)', () => {
    assertRedacts([
      [`cmd \${TOKEN:+--token=${SECRET}}`, `cmd \${TOKEN:+--token=${TAG}}`],
      [`cmd \${API_KEY:+--api-key=${SECRET}} run`, `cmd \${API_KEY:+--api-key=${TAG}} run`],
      [`cmd \${TOKEN+--token ${SECRET}}`, `cmd \${TOKEN+--token ${TAG}}`],
      [`password=\${PW:+--password=${SECRET}}`, `password=\${PW:+--password=${TAG}}`],
    ]);
    assertKept(['cmd ${TOKEN:+--token}', 'cmd ${TOKEN:+--token=$TOKEN}', 'cmd ${TOKEN:+--token $TOKEN}', 'cmd ${API_KEY:+-k}']);
  });
});

describe('createRedactor: code a shell-expansion or concatenation reading damaged (review 2 of bc731b5)', () => {
  it('false positive: JS, Kotlin and Groovy templates (`${maxToken-1}`, `${password+salt}`) are kept: a lower-case name before `-`, `+`, `=` without `:`', () => {
    assertKept([
      'const s = `${maxToken-1} tokens left`;',
      'const s = `${token-offset}`;',
      'const h = `${password+salt}`;',
      'log(`remaining ${apiKey-used}`)',
      'val msg = "${token+suffix}"',
      'def s = "${password-default}"',
    ]);
    // Shell's environment names (upper case) are read as before; a colon form is shell's whatever the case.
    assertRedacts([
      [`echo \${API_KEY-${SECRET}}`, `echo \${API_KEY-${TAG}}`],
      [`echo \${api_key:-${SECRET}}`, `echo \${api_key:-${TAG}}`],
    ]);
  });

  it('false positive: the set-test idiom with a marker word (`${GITHUB_TOKEN+set}` = set, autoconf\'s) is kept', () => {
    assertKept(['[ "${GITHUB_TOKEN+set}" = set ]', '[ "${GITHUB_TOKEN:+set}" ]', 'if [ -n "${PASSWORD+yes}" ]; then', 'test "${API_KEY+defined}"']);
    assertRedacts([[`echo \${API_KEY:+${SECRET}}`, `echo \${API_KEY:+${TAG}}`]]);
  });

  it('false positive: a literal after `"…token=" + ` starting the next parameter or prose (`"&x=1"`, `" (hidden)"`) is no value', () => {
    assertKept(['url = "?token=" + "&x=1"', 'x = "secret: " + ". " + y', 'x = "token=" + " (hidden)"', 'u = "?api_key=" + "#frag"']);
    assertRedacts([[`x = "token=" + "${SECRET}"`, `x = "token=" + "${TAG}"`]]);
  });
});

describe('createRedactor: idempotence of a default an escape cut short (review 2 of bc731b5)', () => {
  it('`${DB_PASSWORD:-\\ }`: the tag and the blank after it are no value on a second pass', () => {
    const once = r.redact('${DB_PASSWORD:-\\ }${PW?\\${X} ').text;
    assert.equal(r.redact(once).text, once);
  });
});
