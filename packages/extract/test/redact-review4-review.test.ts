/**
 * Leaks a review of review 4 (2026-12-07, README's Redaction section, *Review 4*) found in its new shapes: a bearer
 * credential split over joined literals or in a parenthesis, blanks before a `,` between set cookies, literals of the
 * two quote kinds joined with no blank (Python's `"password="'…'`), a PHP property between literals,
 * and a template literal's parity read from a window cutting a code span in two. Also: `plainScalarLine`'s memo
 * answers as a fresh reading does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { plainScalarLine, LineEventMemo } from '../src/redact-lines.js';
import { assertKept, assertRedacts, COOKIE, r, SECRET, TAG } from './redaction-assertions.js';

const B = '[REDACTED:bearer]';

describe('createRedactor: a bearer credential over joined literals (review of review 4)', () => {
  it('leak: the literals after the first, and a literal in a parenthesis, are the credential', () => {
    const a = SECRET.slice(0, 9);
    const b = SECRET.slice(9);
    assertRedacts([
      // The second literal was left in clear (`"Bearer " + "[REDACTED:bearer]" + "pQ2mZ7vL4"`).
      [`h = "Authorization: Bearer " + "${a}" + "${b}"`, `h = "Authorization: Bearer " + "${B}"`],
      [`h = {"Authorization": "Bearer " + "${a}" +\n    "${b}"}`, `h = {"Authorization": "Bearer " + "${B}"}`],
      [`$h = 'Authorization: Bearer ' . '${a}' . '${b}';`, `$h = 'Authorization: Bearer ' . '${B}';`],
      [`h = "Authorization: Bearer ${a}" + "${b}"`, `h = "Authorization: Bearer ${B}"`],
      // The parenthesis (as the password rule reads it since review 4).
      [`h = "Authorization: Bearer " + ("${SECRET}")`, `h = "Authorization: Bearer " + ("${B}")`],
    ]);
    // What follows the literal is code, kept; a literal opening as no credential does ends the chain.
    assertRedacts([
      [`h = "Authorization: Bearer " + "${SECRET}" + suffix`, `h = "Authorization: Bearer " + "${B}" + suffix`],
      [`h = "Authorization: Bearer " + "${SECRET}" + "\\n"`, `h = "Authorization: Bearer " + "${B}" + "\\n"`],
    ]);
    assertKept([`h = "Authorization: Bearer " + (token)`, `h = "Authorization: Bearer " + (a || "")`]);
  });
});

describe('createRedactor: blanks before a `,` between set cookies (review of review 4)', () => {
  it('leak: the cookie after ` , ` in a Set-Cookie header is read, an attribute after it is none', () => {
    assertRedacts([
      [`Set-Cookie: a=1 , sid=${SECRET}`, `Set-Cookie: a=${COOKIE} , sid=${COOKIE}`],
      [`Set-Cookie: a=1; Path=/ , sid=${SECRET}`, `Set-Cookie: a=${COOKIE}; Path=/ , sid=${COOKIE}`],
      [`Set-Cookie: a=1; HttpOnly\t, sid=${SECRET}; Secure`, `Set-Cookie: a=${COOKIE}; HttpOnly\t, sid=${COOKIE}; Secure`],
    ]);
    assertRedacts([
      [`Set-Cookie: a=1 , Path=/`, `Set-Cookie: a=${COOKIE} , Path=/`],
      [`Set-Cookie: a=1 , which the server ignores`, `Set-Cookie: a=${COOKIE} , which the server ignores`],
    ]);
  });
});

describe('createRedactor: literals of both quote kinds joined with no blank (review of review 4)', () => {
  it("leak: Python's `\"password=\"'…'` (implicit concatenation, no blank)", () => {
    assertRedacts([
      [`x = "token="'${SECRET}'`, `x = "token="'${TAG}'`],
      [`x = 'password='"${SECRET}"`, `x = 'password='"${TAG}"`],
      [`x = ("password="'${SECRET}')`, `x = ("password="'${TAG}')`],
    ]);
    // A quote of the same kind is still none (`""` escapes a quote in SQL, CSV, VB); a reference is kept.
    assertKept([`x = 'password='"$PW"`, `x = "password="'%s'`, 'x = "password=""', `x = "password=""''`]);
  });
});

describe('createRedactor: a PHP property between literals (review of review 4)', () => {
  it('leak: `"token=" . $this->prefix . "…"` reads the literal after the property', () => {
    assertRedacts([
      [`$u = "token=" . $this->prefix . "${SECRET}";`, `$u = "token=" . $this->prefix . "${TAG}";`],
      [`$u = 'token=' . $cfg->a->b . '${SECRET}';`, `$u = 'token=' . $cfg->a->b . '${TAG}';`],
    ]);
    assertKept([`$u = "?token=" . $this->token . "&limit=10";`]);
  });
});

describe('createRedactor: `${NAME-1}` below lines whose backquotes a window cut (review of review 4)', () => {
  it('leak: a code span the 1 024-character window cut in two opens no template', () => {
    // A code span straddling the window's start: its second backquote alone was counted, an odd count, the default
    // below read as a template's arithmetic and kept in clear.
    for (let pad = 1000; pad <= 1030; pad++) {
      const prose = `See \`x\` ${'w'.repeat(pad)}\n`;
      const input = `${prose}export X=\${DB_PASSWORD-1234}\n`;
      assertRedacts([[input, `${prose}export X=\${DB_PASSWORD-${TAG}}\n`]]);
    }
    // A template opened on a line above within the window is still one.
    assertKept([`const a = \`x\n${'w'.repeat(900)}\n\${TOKEN-1}\``]);
  });
});

describe('createRedactor: memory of the template check (review of review 4)', () => {
  it('a long text holding one `${TOKEN-1}` allocates no arrays as long as the text', () => {
    // 4 MB of log lines, one template field: the counts per character took 12 bytes a character (48 MB here).
    const text = `${'GET /health 200 ok\n'.repeat(200_000)}const m = \`\${TOKEN-1}\`\n`;
    const before = process.memoryUsage();
    const out = r.redact(text);
    const after = process.memoryUsage();
    assert.equal(out.text, text);
    const grown = after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed);
    assert.ok(grown < 16 * 1024 * 1024, `grew ${(grown / 1048576).toFixed(1)} MB`);
  });
});

describe('plainScalarLine: the memo of one text answers as a fresh reading (review of review 4)', () => {
  it('property: calls at growing positions, with and without the memo, agree', () => {
    const piece = fc.constantFrom('a', ' ', ': ', ':', '\n', '\r\n', ' #', '#', '\\n', '\\\\n', '"', '\\"', 'x', 'password: ', '- ', '  ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 12 }), (parts, picks) => {
        const text = parts.join('');
        if (text.length === 0) return;
        const positions = picks.map((p) => p % text.length).sort((x, y) => x - y);
        const memo = new LineEventMemo();
        for (const at of positions) assert.equal(plainScalarLine(text, at, memo), plainScalarLine(text, at), `${JSON.stringify(text)} at ${at}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('createRedactor: a quoted value starting with an operator character (fresh-clone check of db9c0b1)', () => {
  it('leak: `"password": "+…"` is a value, not the key literal closed and joined to code', () => {
    // Review 4's "code after the join" reading (`"token=" + (a || "")`) took the quote opening the value for one closing
    // the key's literal, though the key's literal had closed before the `:` (found by the properties test's seed
    // -957653487: `"password": "+AAAAAA"` in clear).
    assertRedacts([
      [`{"password": "+${SECRET}"}`, `{"password": "${TAG}"}`],
      [`{"password": ".${SECRET}", "b": 1}`, `{"password": "${TAG}", "b": 1}`],
      [`{"password":"+ ${SECRET}"}`, `{"password":"${TAG}"}`],
      [`cfg = {'password': '+${SECRET}'}`, `cfg = {'password': '${TAG}'}`],
      [`{"token": "&${SECRET}"}`, `{"token": "${TAG}"}`],
    ]);
    // The reading it was made for still holds: the key's own literal closed, then an operator and code.
    assertKept([`url = "token=" + (a || "")`, `url = "token=" + f(x)`, `url = "password=" + pw`]);
  });
});
