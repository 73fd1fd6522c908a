/**
 * Leaks the review of the 2026-12-07 redaction changes found in them (`redact-review3.test.ts`): a key ending a redacted
 * value whose own value is an expansion or in escaped quotes, defaults nested deeper than the reader followed or closed
 * nowhere, a backslash in a nested word, literals joined over a JSON-escaped CRLF or with a string prefix, cookies kept
 * for their start in a single-quoted header, a number default in a Markdown code span.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertRedacts, assertStable, COOKIE, r, SECRET, TAG } from './redaction-assertions.js';

describe('createRedactor: the value of a key ending a redacted bare value (review of 2026-12-07)', () => {
  it('an expansion then text, escaped quotes, after `&`: into the one tag, no `$` cut off', () => {
    assertRedacts([
      // The word stopped at the `{`: `password=[…]{X}S…`, the `$` gone and the secret in clear.
      [`password=abc?token: \${X}${SECRET}`, `password=${TAG}`],
      [`password=abc?token: \${X}${SECRET} next`, `password=${TAG} next`],
      [`password=abc?token: \\"${SECRET}\\"`, `password=${TAG}`],
      [`{"a": "password=abc?token: \\"${SECRET}\\""}`, `{"a": "password=${TAG}"}`],
      [`password=abc&token: ${SECRET}`, `password=${TAG}`],
    ]);
  });
});

describe('createRedactor: nested shell defaults past the reader\'s depth or closed nowhere (review of 2026-12-07)', () => {
  it('five and more expansions nested: the innermost default is redacted, references kept', () => {
    assertRedacts([
      [`password=\${PW:-\${A:-\${B:-\${C:-\${D:-${SECRET}}}}}}`, `password=\${PW:-\${A:-\${B:-\${C:-\${D:-${TAG}}}}}}`],
      [`echo \${DB_PASSWORD:-\${A:-\${B:-\${C:-\${D:-\${E:-${SECRET}}}}}}}`, `echo \${DB_PASSWORD:-\${A:-\${B:-\${C:-\${D:-\${E:-${TAG}}}}}}}`],
    ]);
    for (const s of ['echo ${DB_PASSWORD:-${A:-${B:-${C:-${D:-${E}}}}}}', 'password="${PW:-${A:-${B:-${C:-${D}}}}}"']) assert.equal(r.redact(s).text, s);
  });

  it('an outer expansion closed nowhere (a snippet cut short): the defaults read up to the line\'s end', () => {
    assertRedacts([
      [`echo \${API_KEY:-\${X:-${SECRET}}`, `echo \${API_KEY:-\${X:-${TAG}}`],
      [`echo \${API_KEY:-\${X:-${SECRET}}\nnext`, `echo \${API_KEY:-\${X:-${TAG}}\nnext`],
      [`echo \${API_KEY:-\${X:-${SECRET}} more`, `echo \${API_KEY:-\${X:-${TAG}} more`],
      [`echo \${API_KEY:-\${X}${SECRET}`, `echo \${API_KEY:-\${X}${TAG}`],
      [`echo \${API_KEY:-\${X:-${SECRET} more`, `echo \${API_KEY:-\${X:-${TAG} more`],
    ]);
    for (const s of ['echo ${API_KEY:-${X}', 'echo ${API_KEY:-${X} more', 'echo ${TOKEN:-${X:-}']) assert.equal(r.redact(s).text, s);
    // The word ends at its own first blank, as a flat one does: a second pass reads the same word after an earlier tag.
    assertStable(r.redact('x ${DB_PASSWORD:-`  --token ${X}$u = -b ?token: ${X}').text);
    assertRedacts([[`echo \${API_KEY:-\${X:-${SECRET}} more password=${SECRET}`, `echo \${API_KEY:-\${X:-${TAG}} more password=${TAG}`]]);
  });

  it('a backslash in a nested word escapes one character, as in a flat one', () => {
    assertRedacts([
      [`echo \${API_KEY:-\${X:-\\${SECRET}}}`, `echo \${API_KEY:-\${X:-${TAG}}}`],
      [`password=\${PW:-\${X:-a\\}${SECRET}}}`, `password=\${PW:-\${X:-${TAG}}}`],
    ]);
  });

  it('property: a literal default at any depth up to eight is redacted, idempotently', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('PW', 'A', 'B1', 'DEFAULT_PW'), { minLength: 1, maxLength: 7 }),
        fc.constantFrom('', '${R}', '$R.'),
        fc.boolean(),
        (names, ref, closed) => {
          let word = `${ref}${SECRET}`;
          for (const n of names) word = `\${${n}:-${word}}`;
          const input = `echo \${DB_PASSWORD:-${word}${closed ? '}' : ''} done`;
          assertStable(r.redact(input).text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('createRedactor: literals joined over a JSON-escaped CRLF or with a string prefix (review of 2026-12-07)', () => {
  it('leak: the next literal is the value', () => {
    assertRedacts([
      [`{"code": "x = \\"token=\\" +\\r\\n  \\"${SECRET}\\""}`, `{"code": "x = \\"token=\\" +\\r\\n  \\"${TAG}\\""}`],
      [`{"code": "x = \\"token=\\"\\r\\n  + \\"${SECRET}\\""}`, `{"code": "x = \\"token=\\"\\r\\n  + \\"${TAG}\\""}`],
      // The operator and the prefix were replaced as the value (`"token="[…]"S…"`), the secret in clear.
      [`x = "token=" + r"${SECRET}"`, `x = "token=" + r"${TAG}"`],
      [`x = "token=" + b'${SECRET}'`, `x = "token=" + b'${TAG}'`],
      [`x = "token=" +\n    rb"${SECRET}"`, `x = "token=" +\n    rb"${TAG}"`],
    ]);
  });
});

describe('createRedactor: cookies kept for their start in a single-quoted header (review of 2026-12-07)', () => {
  it('leak: `curl -H \'Cookie: a="${X} sid=…"\'`, a quoted value closed right before the string\'s quote', () => {
    for (const s of [`curl -H 'Cookie: a="\${X} sid=${SECRET}"' https://x`, `x = 'Cookie: a="\${X} sid=${SECRET}"'`, `curl -H 'Cookie: a="x y"' -H 'Cookie: sid=${SECRET}'`,
      // In a single-quoted value (Python's dict): the quoted value was read as none, the cookies after it in clear.
      `{'Cookie': 'a="\${X} sid=${SECRET}"'}`, `headers = {'Cookie': 'a="x y"; sid=${SECRET}'}`]) {
      const out = r.redact(s).text;
      assert.ok(out.includes(`sid=${COOKIE}`), out);
      assertStable(out);
    }
    // A quote closing a string of code is none (`'sid="' + sid + '"'`).
    for (const s of [`h = {'Cookie': 'sid="' + sid + '"'}`, `x = 'Cookie: sid="' + sid + '"'`]) assert.equal(r.redact(s).text, s);
  });
});

describe('createRedactor: a number default in backquotes (review of 2026-12-07)', () => {
  it('leak: five digits or more are a value, not a template\'s arithmetic (a Markdown code span)', () => {
    assertRedacts([
      ['Run `${DB_PASSWORD-12345678}` first', `Run \`\${DB_PASSWORD-${TAG}}\` first`],
      ['x = `${API_KEY+123456}`', `x = \`\${API_KEY+${TAG}}\``],
    ]);
    for (const s of ['const s = `${TOKEN-1}`;', 'log(`${MAX_TOKEN-1024} ${TOKEN+0.5}`)']) assert.equal(r.redact(s).text, s);
  });
});

describe('createRedactor: an expansion whose `$` an earlier value took (review of 2026-12-07)', () => {
  it('leak: its literal default is still redacted (the review skipped it: HEAD redacted it)', () => {
    assertRedacts([
      [`echo \${API_KEY:-\`\${DB_PASSWORD-${SECRET}}\`}`, `echo \${API_KEY:-${TAG}{DB_PASSWORD-${TAG}}\`}`],
      ['echo ${API_KEY:-`${DB_PASSWORD-12345678}`}', `echo \${API_KEY:-${TAG}{DB_PASSWORD-${TAG}}\`}`],
    ]);
    // Its keys are read as any text's when it has no literal (an error message): the review's case stays stable.
    assertStable(r.redact(`?token: =:?\${API_KEY?token: ${SECRET}}}`).text);
  });
});

describe('createRedactor: expansions after one whose `$` was taken, no assignment after them (review of 2026-12-07)', () => {
  it('each is still read', () => {
    assertRedacts([[`echo \${API_KEY:-\`\${DB_PASSWORD-${SECRET}}\`} \${TOKEN:-${SECRET}}`, `echo \${API_KEY:-${TAG}{DB_PASSWORD-${TAG}}\`} \${TOKEN:-${TAG}}`]]);
  });
});

describe('createRedactor: quotes in a shell default (review of 2026-12-07)', () => {
  it('leak: a quoted default, flat or nested, is the key\'s value inside its quotes', () => {
    assertRedacts([
      [`echo \${API_KEY:-"${SECRET}"}`, `echo \${API_KEY:-"${TAG}"}`],
      [`echo \${API_KEY:-'${SECRET}'}`, `echo \${API_KEY:-'${TAG}'}`],
      [`echo \${API_KEY:-\${X:-"${SECRET}"}}`, `echo \${API_KEY:-\${X:-"${TAG}"}}`],
      [`password="\${PW:-'${SECRET}'}"`, `password="\${PW:-'${TAG}'}"`],
    ]);
    for (const s of ['echo ${API_KEY:-"$X"}', "echo ${API_KEY:-'${X}'}", 'cmd ${TOKEN:+"set"}', 'echo ${API_KEY:-""}']) assert.equal(r.redact(s).text, s);
  });
});
