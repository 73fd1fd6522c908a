/**
 * Leaks the reviews of 2026-12-07 left alone (*Its review*, README's Redaction section): a literal in parentheses after a
 * concatenation, a value made of several literals (names between them too), a blank line in a join, literals joined
 * without an operator (C's and Python's implicit concatenation), an Authorization header's literal joined with the
 * token's, a command substitution in a shell default, blanks before a `,` between cookies; and `${TOKEN-1}` in a
 * template literal over lines, kept as on one line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertKept, assertRedacts, assertStable, COOKIE, r, SECRET, TAG } from './redaction-assertions.js';

describe('createRedactor: a literal in parentheses after a key\'s literal (review 4 of 2026-12-07)', () => {
  it('leak: the literal inside the parenthesis is the value, the operator and the parenthesis kept', () => {
    assertRedacts([
      // The " + (" was replaced as the value, the secret after it in clear.
      [`x = "token=" + ("${SECRET}")`, `x = "token=" + ("${TAG}")`],
      [`x = 'token=' + ('${SECRET}')`, `x = 'token=' + ('${TAG}')`],
      [`x = "token=" + (\n  "${SECRET}")`, `x = "token=" + (\n  "${TAG}")`],
      [`x = "token=" + ( "${SECRET}" )`, `x = "token=" + ( "${TAG}" )`],
    ]);
    assertKept([`x = "token=" + (token)`, `x = "token=" + (a || "")`]);
  });
});

describe('createRedactor: a value made of several literals (review 4 of 2026-12-07)', () => {
  it('leak: the literals joined are judged as one value, replaced by one tag', () => {
    assertRedacts([
      [`x = "token=" + "a" + "${SECRET}"`, `x = "token=" + "${TAG}"`],
      [`x = "token=" + "Xk9" + "${SECRET}" + "Q7"`, `x = "token=" + "${TAG}"`],
      [`$u = 'api_key=' . 'a' . '${SECRET}';`, `$u = 'api_key=' . '${TAG}';`],
      // A name between literals is code, kept; the literal after it is judged.
      [`x = 'password=' + prefix + "${SECRET}"`, `x = 'password=' + prefix + "${TAG}"`],
      [`x = "token=" + cfg.prefix + "${SECRET}"`, `x = "token=" + cfg.prefix + "${TAG}"`],
      [`x = "token=" + "${SECRET}" + suffix`, `x = "token=" + "${TAG}" + suffix`],
    ]);
    // What follows a name is a query's next parameter, a line end, a quote: code.
    assertKept([
      `u = "?access_token=" + token + "&limit=10"`,
      `x = "token=" + token + "\\n"`,
      `x = "token=" + token + ";"`,
      `x = "password=" + pw + " host=" + host`,
    ]);
  });

  it('property: a secret split over literals, names between them or not, never comes out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: SECRET.length - 1 }),
        fc.constantFrom(' + ', ' . ', '+', ' +\n  ', ' ', '\n    '),
        fc.constantFrom('"', "'"),
        fc.constantFrom('', 'prefix + ', 'a.b + '),
        (cut, op, q, name) => {
          // Implicit concatenation and PHP's `.` take no name between literals (`.` of PHP is the operator: `prefix . `).
          const between = op.trim() === '' || op.trim() === '.' ? '' : name;
          const input = `x = ${q}token=${q}${op}${between}${q}${SECRET.slice(0, cut)}${q}${op}${q}${SECRET.slice(cut)}${q}\n`;
          const out = r.redact(input).text;
          assert.ok(!out.includes(SECRET.slice(0, cut)) || cut < 4, out);
          assert.ok(!out.includes(SECRET.slice(cut)) || SECRET.length - cut < 4, out);
          assertStable(out);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('createRedactor: blank lines in a join of literals (review 4 of 2026-12-07)', () => {
  it('leak: the operator then a blank line, or a blank line then the operator', () => {
    assertRedacts([
      [`x = "password=" +\n\n  "${SECRET}"`, `x = "password=" +\n\n  "${TAG}"`],
      [`x = "password=" +\n  \n\n  "${SECRET}"`, `x = "password=" +\n  \n\n  "${TAG}"`],
      [`x = "password="\n\n  + "${SECRET}"`, `x = "password="\n\n  + "${TAG}"`],
      [`{"code": "x = \\"password=\\" +\\n\\n  \\"${SECRET}\\""}`, `{"code": "x = \\"password=\\" +\\n\\n  \\"${TAG}\\""}`],
    ]);
  });
});

describe('createRedactor: literals joined without an operator (review 4 of 2026-12-07)', () => {
  it('leak: C\'s and Python\'s implicit concatenation', () => {
    assertRedacts([
      [`x = "password=" "${SECRET}"`, `x = "password=" "${TAG}"`],
      [`x = "password=" '${SECRET}'`, `x = "password=" '${TAG}'`],
      [`x = ("password="\n     "${SECRET}")`, `x = ("password="\n     "${TAG}")`],
      [`const char *s = "token="\n  "${SECRET}";`, `const char *s = "token="\n  "${TAG}";`],
    ]);
    // Adjacent quotes without a blank are no join (`""` escapes a quote in SQL, CSV, VB); a reference or a path is kept.
    assertKept([`grep "password=" "$FILE"`, 'x = "password=""', `grep -r "token=" "src/"`]);
  });
});

describe('createRedactor: an Authorization header\'s literal joined with the token\'s (review 4 of 2026-12-07)', () => {
  it('leak: `"Authorization: Bearer " + "…"`', () => {
    const B = '[REDACTED:bearer]';
    assertRedacts([
      [`h = "Authorization: Bearer " + "${SECRET}"`, `h = "Authorization: Bearer " + "${B}"`],
      [`h = {"Authorization": "Bearer " + "${SECRET}"}`, `h = {"Authorization": "Bearer " + "${B}"}`],
      [`h = 'Authorization: Token ' . '${SECRET}'`, `h = 'Authorization: Token ' . '${B}'`],
      [`{"code": "h = {\\"Authorization\\": \\"Bearer \\" + \\"${SECRET}\\"}"}`, `{"code": "h = {\\"Authorization\\": \\"Bearer \\" + \\"${B}\\"}"}`],
    ]);
    assertKept([`h = "Authorization: Bearer " + token`, `h = {"Authorization": "Bearer " + self.token}`]);
  });
});

describe('createRedactor: a command substitution in a shell default (review 4 of 2026-12-07)', () => {
  it('leak: the literal parts around `$(…)` and backquotes are the value, the substitution kept', () => {
    assertRedacts([
      [`echo \${API_KEY:-$(cat x)${SECRET}}`, `echo \${API_KEY:-$(cat x)${TAG}}`],
      [`echo \${API_KEY:-${SECRET}$(cat x)}`, `echo \${API_KEY:-${TAG}$(cat x)}`],
      [`echo \${API_KEY:-$(cat "$(dirname x)/k")${SECRET}}`, `echo \${API_KEY:-$(cat "$(dirname x)/k")${TAG}}`],
      [`echo \${API_KEY:-\${X:-$(cat x)${SECRET}}}`, `echo \${API_KEY:-\${X:-$(cat x)${TAG}}}`],
      [`echo \${TOKEN:-\${X}\`x\`${SECRET}}`, `echo \${TOKEN:-\${X}\`x\`${TAG}}`],
    ]);
    // A backquoted one too (the assignment rule replaced the word whole, the command with it: no leak, code lost).
    assertRedacts([[`echo \${TOKEN:-\`x\`${SECRET}}`, `echo \${TOKEN:-\`x\`${TAG}}`]]);
    assertKept(['echo ${API_KEY:-$(cat f)}', 'echo ${API_KEY:-$(cat ~/.key)}', 'echo ${TOKEN:-${X}`cat f`}']);
  });
});

describe('createRedactor: blanks before a `,` between cookies (review 4 of 2026-12-07)', () => {
  it('leak: the cookie after ` , ` is read', () => {
    assertRedacts([
      [`Cookie: a=1 , sid=${SECRET}`, `Cookie: a=${COOKIE} , sid=${COOKIE}`],
      [`Cookie: a=1\t, sid=${SECRET}; b=2`, `Cookie: a=${COOKIE}\t, sid=${COOKIE}; b=${COOKIE}`],
    ]);
    // Prose after the `,` is no cookie.
    assert.equal(r.redact('Cookie: a=1 , which the server ignores').text, `Cookie: a=${COOKIE} , which the server ignores`);
  });
});

describe('createRedactor: `${TOKEN-1}` in a template literal over lines (review 4 of 2026-12-07)', () => {
  it('kept as on one line: the template opened on a line above', () => {
    assertKept(['const a = `x\n${TOKEN-1}\n`', 'const msg = `\n  left: ${MAX_TOKEN-2}\n  of ${TOKEN+0.5}`;']);
    // A Markdown fence's backquotes open no template: a shell number default below one is still a value.
    assertRedacts([['```sh\nexport X=${DB_PASSWORD-12345678}\n```', `\`\`\`sh\nexport X=\${DB_PASSWORD-${TAG}}\n\`\`\``]]);
    assertRedacts([['```sh\necho ${DB_PASSWORD-1234}\n```', `\`\`\`sh\necho \${DB_PASSWORD-${TAG}}\n\`\`\``]]);
  });
});
