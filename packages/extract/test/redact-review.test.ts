/**
 * Leaks a review of bc731b5 found in the assignment and cookie rules: shell expansions whose name is a secret's key
 * (`${API_KEY:=…}`, the operator kept), a literal concatenated right after a literal ending in a key and its `=`, and a
 * quoted cookie value kept whole for its start (`a="${X} sid=…"`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../src/index.js';

const r = createRedactor();
const SECRET = 'Xk9pQ2mZ7vL4';

/** Each `[input, output, redactions]`: `input` redacts to `output` (no `SECRET` left), counted so, and a second pass changes nothing. */
function assertRedacts(cases: readonly (readonly [string, string, number])[]): void {
  for (const [input, output, n] of cases) {
    const once = r.redact(input);
    assert.equal(once.text, output, input);
    assert.ok(!once.text.includes(SECRET), `leak: ${once.text}`);
    assert.equal(once.redactions, n, input);
    const twice = r.redact(once.text);
    assert.equal(twice.text, once.text, `idempotent: ${once.text}`);
    assert.equal(twice.redactions, 0, `idempotent: ${once.text}`);
  }
}

/** Each text redacts to itself, nothing counted. */
function assertKept(texts: readonly string[]): void {
  for (const s of texts) {
    const res = r.redact(s);
    assert.equal(res.text, s, s);
    assert.equal(res.redactions, 0, s);
  }
}

const TAG = '[REDACTED:password_assignment]';

describe("createRedactor: a shell expansion whose name is a secret's key (a review of bc731b5)", () => {
  it('leak: the assign-default operators `:=` and `=` are read as `:-` and `-` are (a literal default redacted)', () => {
    assertRedacts([
      [`API_KEY=\${API_KEY:=${SECRET}}`, `API_KEY=\${API_KEY:=${TAG}}`, 1],
      [`echo \${PASSWORD=${SECRET}}`, `echo \${PASSWORD=${TAG}}`, 1],
      [`: "\${DB_PASSWORD:=${SECRET}}"`, `: "\${DB_PASSWORD:=${TAG}}"`, 1],
      [`export TOKEN="\${TOKEN:=${SECRET}}"`, `export TOKEN="\${TOKEN:=${TAG}}"`, 1],
      [`x: \${API_KEY:=${SECRET}} # default`, `x: \${API_KEY:=${TAG}} # default`, 1],
      // No colon: `-` and `+` are read too (`${API_KEY-…}` was read by no rule).
      [`echo \${API_KEY-${SECRET}}`, `echo \${API_KEY-${TAG}}`, 1],
      [`run --key=\${API_KEY+${SECRET}} x`, `run --key=\${API_KEY+${TAG}} x`, 1],
      // A default with blanks is one word (the expansion's up to its `}`).
      ['DB_PASSWORD="${DB_PASSWORD:-correct horse battery}"', `DB_PASSWORD="\${DB_PASSWORD:-${TAG}}"`, 1],
    ]);
    // Empty, a reference, a placeholder word: no value, as after `:-`.
    assertKept([
      'echo ${API_KEY:=}',
      'echo ${API_KEY=$OTHER_KEY}',
      ': "${API_KEY:=${OTHER}}"',
      'export TOKEN="${TOKEN:=$(cat /run/secrets/t)}"',
      'echo ${PASSWORD:=null}',
      'echo ${API_KEY:=<your key>}',
    ]);
  });

  it('leak: the operator is kept when the expansion\'s name is a key (`${DB_PASSWORD:-[REDACTED:…]}`, as for any name)', () => {
    assertRedacts([
      [`x=\${DB_PASSWORD:-${SECRET}}`, `x=\${DB_PASSWORD:-${TAG}}`, 1],
      [`DB_PASSWORD=\${DB_PASSWORD:-${SECRET}}`, `DB_PASSWORD=\${DB_PASSWORD:-${TAG}}`, 1],
      [`password: "\${DB_PASSWORD:-${SECRET}}"`, `password: "\${DB_PASSWORD:-${TAG}}"`, 1],
      [`echo \${API_KEY:+${SECRET}}`, `echo \${API_KEY:+${TAG}}`, 1],
      // A word holding what no literal does (a reference after a literal) is judged as before, the operator kept too.
      [`echo \${API_KEY:-${SECRET}$X}`, `echo \${API_KEY:-${TAG}}`, 1],
    ]);
  });

  it('an alternate value (`:+`, `+`) is a value: redacted like a default; a flag and `x` of the set-test idiom are kept', () => {
    assertRedacts([
      [`password=\${PW:+${SECRET}}`, `password=\${PW:+${TAG}}`, 1],
      [`password="\${PW+${SECRET}}"`, `password="\${PW+${TAG}}"`, 1],
    ]);
    assertKept(['run ${API_TOKEN:+--api-token}', 'if [ -z "${API_KEY+x}" ]; then', 'password="${PW:+$PW}"', '[ -n "${TOKEN:+x}" ]']);
  });

  it("an error message (`:?`, `?`) is no value: kept, whatever it holds", () => {
    assertKept([`echo \${API_KEY:?${SECRET}}`, `echo \${API_KEY?${SECRET}}`, 'password="${PW:?set PW first}"', `password=\${PW?${SECRET}}`, ': "${API_KEY:?API_KEY must be set}"']);
  });

  it('a value holding the expansion is judged first, whole, as before (`token: "abc ${X_TOKEN:-def}"`)', () => {
    assertRedacts([[`token: "abc \${X_TOKEN:-${SECRET}}"`, `token: "${TAG}"`, 1]]);
  });
});

describe('createRedactor: a literal concatenated after a literal ending in a key and its separator (a review of bc731b5)', () => {
  it('leak: the next literal is the value (`"token=" + "…"`), redacted; the code around it kept', () => {
    assertRedacts([
      // The literals joined are one value since review 4 of 2026-12-07 (`"token=" + "a" + "…"` kept its second in clear).
      [`x = "token=" + "${SECRET}" + "y"`, `x = "token=" + "${TAG}"`, 1],
      [`u = base + '?api_key=' + '${SECRET}'`, `u = base + '?api_key=' + '${TAG}'`, 1],
      [`print("Password: " + "${SECRET}")`, `print("Password: " + "${TAG}")`, 1],
      [`$u = 'token=' . '${SECRET}';`, `$u = 'token=' . '${TAG}';`, 1],
      [`{"code": "x = \\"token=\\" + \\"${SECRET}\\""}`, `{"code": "x = \\"token=\\" + \\"${TAG}\\""}`, 1],
    ]);
  });

  it('a name or a call between two literals is code, kept (as decided before); a literal that is no secret too', () => {
    assertKept([
      'url = "https://api.example.com/v1?access_token=" + token + "&limit=10"',
      'u = "?token=" + encodeURIComponent(token) + "&x=1"',
      'print("Password: " + "*" * len(pw))',
      'x = "token=" + "" + t',
      'x = "token=" + "${TOKEN}"',
    ]);
  });
});

describe('createRedactor: a quoted cookie value kept whole is read inside (a review of bc731b5)', () => {
  it('leak: a cookie inside a quoted value kept for its start (`a="${X} sid=…"`) has its value redacted', () => {
    assertRedacts([
      [`Set-Cookie: a="\${X} sid=${SECRET}"`, 'Set-Cookie: a="${X} sid=[REDACTED:cookie]"', 1],
      [`Cookie: a="\${X} sid=${SECRET}"; theme=dark`, 'Cookie: a="${X} sid=[REDACTED:cookie]"; theme=[REDACTED:cookie]', 2],
    ]);
  });

  it('leak: a quoted value holding a blank is one value (its reading stopped there, the cookies after it in clear)', () => {
    assertRedacts([
      [`Cookie: a="${SECRET} x"`, 'Cookie: a="[REDACTED:cookie]"', 1],
      [`Cookie: a="\${X} b"; sid=${SECRET}`, 'Cookie: a="${X} b"; sid=[REDACTED:cookie]', 1],
    ]);
    // What only code writes is kept as before: a quote followed by a blank closes a string (`"Cookie: sid=" + sid + "; x"`).
    assertKept(['h = "Cookie: sid=" + sid + "; x=1"', 'Set-Cookie: a="${X} Path=/"']);
  });
});
