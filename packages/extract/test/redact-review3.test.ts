/**
 * Leaks and a false positive the review of the bc731b5 follow-ups left (2026-12-07): nested shell defaults, literals
 * concatenated across quote kinds and lines, an unclosed literal after a key literal, cookies in quoted values with
 * blanks, a key ending a redacted value, and a JS template's `${TOKEN-1}`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertKept, assertRedacts, COOKIE, r, SECRET, TAG } from './redaction-assertions.js';

describe('createRedactor: a shell default nested in a default (2026-12-07)', () => {
  it('leak: the inner default of a default is the key\'s value as the outer one is', () => {
    assertRedacts([
      [`password="\${PW:-\${DEFAULT_PW:-${SECRET}}}"`, `password="\${PW:-\${DEFAULT_PW:-${TAG}}}"`],
      [`password=\${PW:-\${DEFAULT_PW:-${SECRET}}}`, `password=\${PW:-\${DEFAULT_PW:-${TAG}}}`],
      [`echo \${DB_PASSWORD:-\${DEFAULT_PW:-${SECRET}}}`, `echo \${DB_PASSWORD:-\${DEFAULT_PW:-${TAG}}}`],
      [`echo \${DB_PASSWORD:-\${A:-\${B:=${SECRET}}}} ok`, `echo \${DB_PASSWORD:-\${A:-\${B:=${TAG}}}} ok`],
      [`export API_KEY=\${API_KEY:-\${X}${SECRET}}`, `export API_KEY=\${API_KEY:-\${X}${TAG}}`],
      [`key="\${API_KEY:-\${X}${SECRET}}"`, `key="\${API_KEY:-\${X}${TAG}}"`],
      [`echo \${API_KEY:-${SECRET}\${X}}`, `echo \${API_KEY:-${TAG}\${X}}`],
      [`TOKEN: \${TOKEN:-\${GH_TOKEN:-${SECRET}}}`, `TOKEN: \${TOKEN:-\${GH_TOKEN:-${TAG}}}`],
    ]);
  });

  it('kept: a nested default that is a reference, empty, or an error message', () => {
    assertKept([
      'password="${PW:-${DEFAULT_PW}}"',
      'echo ${API_KEY:-${X}}',
      'echo ${TOKEN:-${GH_TOKEN:-}}',
      'password=${PW:-${DEFAULT_PW:?set DEFAULT_PW}}',
      'echo ${API_KEY:-${X}$Y}',
      'echo ${API_KEY:-${X:-$Y}}',
      'cmd ${TOKEN:+--token=${X}}',
      'cmd ${TOKEN:+--token ${X}} run',
    ]);
  });
});

describe('createRedactor: a literal concatenated after a key literal, any quotes, over lines (2026-12-07)', () => {
  it('leak: mixed quotes, a line break around the operator, template literals', () => {
    assertRedacts([
      [`url = 'token=' + "${SECRET}"`, `url = 'token=' + "${TAG}"`],
      [`url = "token=" + '${SECRET}'`, `url = "token=" + '${TAG}'`],
      [`url = "token=" +\n  "${SECRET}"`, `url = "token=" +\n  "${TAG}"`],
      [`url = "token="\n  + "${SECRET}";`, `url = "token="\n  + "${TAG}";`],
      [`url = "token=" + \`${SECRET}\``, `url = "token=" + \`${TAG}\``],
      [`url = \`token=\` + "${SECRET}"`, `url = \`token=\` + "${TAG}"`],
      [`$u = 'api_key=' . "${SECRET}";`, `$u = 'api_key=' . "${TAG}";`],
      [`{"code": "u = 'token=' + \\"${SECRET}\\""}`, `{"code": "u = 'token=' + \\"${TAG}\\""}`],
      // An escape in the literal is no line end (`\n` in code; `\\n` in JSON text, whose line end is `\n`).
      [`x = "token=" + "ab\\n${SECRET}"`, `x = "token=" + "${TAG}"`],
      [`{"code": "x = \\"token=\\" + \\"ab\\\\n${SECRET}\\"\\nnext"}`, `{"code": "x = \\"token=\\" + \\"${TAG}\\"\\nnext"}`],
      [`{"code": "x = \\"token=\\" + \\"${SECRET}\\nnext"}`, `{"code": "x = \\"token=\\" + \\"${TAG}\\nnext"}`],
    ]);
  });

  it('leak: a literal after a key literal closed nowhere on its line is the value to the line\'s end', () => {
    assertRedacts([
      [`x = "token=" + "${SECRET}`, `x = "token=" + "${TAG}`],
      [`x = "token=" + "${SECRET}\nnext()`, `x = "token=" + "${TAG}\nnext()`],
    ]);
  });

  it('kept: what follows an empty value, a name or a template field between literals', () => {
    assertKept([
      `url = 'token=' + "&x=1"`,
      'url = `token=` + `${t}`',
      `url = "?token=" + token + '&x=1'`,
      `url = "token=" +\n  token`,
      `x = "token=" + ' (hidden)'`,
    ]);
  });
});

describe('createRedactor: cookies after a value kept for its start, in quotes with blanks (2026-12-07)', () => {
  it('leak: a cookie pair in escaped quotes or in a curl -b argument, or after a spaced `;`', () => {
    const once = (s: string): string => r.redact(s).text;
    for (const s of [
      `{"Cookie": "a=\\"\${X} sid=${SECRET}\\""}`,
      `curl -b 'a="\${X} sid=${SECRET}"' https://x`,
      `Cookie: a="\${X} x" ; sid=${SECRET}`,
    ]) {
      const out = once(s);
      assert.ok(!out.includes(SECRET), `leak: ${out}`);
      assert.ok(out.includes(`sid=${COOKIE}`), out);
      assert.equal(once(out), out, `idempotent: ${out}`);
    }
  });
});

describe('createRedactor: a key ending a redacted bare value (2026-12-07)', () => {
  it('leak: `password=abc?token: …` has the token\'s value redacted too', () => {
    assertRedacts([
      [`password=abc?token: ${SECRET}`, `password=${TAG}`],
      [`password=abc?token: ${SECRET} next`, `password=${TAG} next`],
      [`password=abc?token: "${SECRET} x" next`, `password=${TAG} next`],
    ]);
    // Kept for its start, the key's value is read as any (as before).
    assertRedacts([[`PWD=/srv?token: ${SECRET}`, `PWD=/srv?token: ${TAG}`]]);
  });
});

describe('createRedactor: a JS template\'s arithmetic on an upper-case constant (2026-12-07)', () => {
  it('false positive: `${TOKEN-1}` in a template literal is kept; shell\'s number default is still read', () => {
    assertKept(['const s = `${TOKEN-1}`;', 'log(`left: ${MAX_TOKEN+2} of ${TOKEN-1.5}`)']);
    assertRedacts([
      [`echo \${TOKEN-${SECRET}}`, `echo \${TOKEN-${TAG}}`],
      [`echo "\${DB_PASSWORD-123456}"`, `echo "\${DB_PASSWORD-${TAG}}"`],
      [`x=\`curl -u u:\${API_KEY:-${SECRET}}\``, `x=\`curl -u u:\${API_KEY:-${TAG}}\``],
    ]);
  });
});

/** A secret as the tests above write one: letters of both cases and digits, 12 to 24 characters. */
const secretArb = fc
  .tuple(fc.stringMatching(/^[A-Z][a-z][0-9]$/), fc.stringMatching(/^[A-Za-z0-9]{9,21}$/))
  .map(([head, tail]) => head + tail);

describe('createRedactor: properties of the 2026-12-07 families', () => {
  it('a literal default at any depth of nested defaults of a secret\'s key is redacted, idempotently', () => {
    const name = fc.constantFrom('PW', 'DEFAULT_PW', 'X', 'FALLBACK', 'A1');
    const op = fc.constantFrom(':-', '-', ':=', '=');
    fc.assert(
      fc.property(
        fc.constantFrom('password=', 'password="', 'echo ', 'TOKEN: '),
        fc.constantFrom('DB_PASSWORD', 'API_KEY', 'GITHUB_TOKEN'),
        // Up to four expansions in all, the reference included: what the reader follows (`MAX_DEPTH`).
        fc.array(fc.tuple(name, op), { minLength: 1, maxLength: 2 }),
        fc.constantFrom('', '${REF}', '$REF.'), // `$REF` then letters would be one longer name
        secretArb,
        (lead, outer, inner, ref, secret) => {
          let text = `${ref}${secret}`;
          for (const [n, o] of inner) text = `\${${n}${o}${text}}`;
          const input = `${lead}\${${outer}:-${text}}${lead.endsWith('"') ? '"' : ''} done`;
          const once = r.redact(input).text;
          assert.ok(!once.includes(secret), `leak: ${input} -> ${once}`);
          assert.equal(r.redact(once).text, once, `idempotent: ${once}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a literal concatenated after a key literal, any quotes and line breaks, is redacted, idempotently', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('"', "'", '`'),
        fc.constantFrom('"', "'", '`'),
        fc.constantFrom('token=', 'api_key=', 'password: ', '?access_token='),
        fc.constantFrom(' + ', ' +\n  ', '\n  + ', ' . ', '+'),
        fc.boolean(),
        secretArb,
        (q1, q2, key, op, closed, secret) => {
          if (op.includes('.') && (q1 === '`' || q2 === '`')) return; // PHP has no template literals
          const input = `url = ${q1}${key}${q1}${op}${q2}${secret}${closed ? `${q2};` : ''}`;
          const once = r.redact(input).text;
          assert.ok(!once.includes(secret), `leak: ${JSON.stringify(input)} -> ${JSON.stringify(once)}`);
          assert.equal(r.redact(once).text, once, `idempotent: ${once}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('createRedactor: idempotence of shell expansions cut short or read after a replaced value (2026-12-07)', () => {
  /** `input` is redacted once for all: a second pass changes nothing and counts nothing. */
  function assertStable(input: string): string {
    const once = r.redact(input);
    const twice = r.redact(once.text);
    assert.equal(twice.text, once.text, `idempotent: ${JSON.stringify([input, once.text])}`);
    assert.equal(twice.redactions, 0, `idempotent: ${JSON.stringify([input, once.text])}`);
    return once.text;
  }

  it('an expansion whose `$` a value before it replaced is no expansion: the key inside it is read in the first pass', () => {
    // The `token: …` in the error message was passed over with the expansion, in clear, and read by a second pass only.
    const out = assertStable(`?token: =:?\${API_KEY?token: ${SECRET}}}`);
    assert.ok(!out.includes(SECRET), out);
  });

  it('a word of tags an earlier pass wrote after keys or a flag is kept (`-token=[REDACTED:…]`, `--token [REDACTED:…]`)', () => {
    for (const s of [
      '}}\n${DB_PASSWORD--token=`-}}--token=',
      '${TOKEN=\\echo --token=-=}=',
      `--token \${DB_PASSWORD:+--token password=${SECRET}}`,
      '${API_KEY--token=`abc}\npassword=',
    ]) {
      assert.ok(!assertStable(s).includes(SECRET), s);
    }
    // Text glued to a tag is still replaced whole with it (`abc.[REDACTED:jwt]`: the secret's other part, maybe).
    assert.equal(r.redact('${DB_PASSWORD:-abc.[REDACTED:jwt]}').text, `\${DB_PASSWORD:-${TAG}}`);
  });

  it('a template literal opening with its field, closed nowhere on its line, is kept as when closed', () => {
    assertStable('token: `${TOKEN${X + :?}token: `:+');
    assertKept(['token: `${prefix}-${id}']);
  });

  it('unclosed nested defaults (`${TOKEN:+--token=${DB_PASSWORD:-  }`) and a lone `-` (a placeholder) are stable', () => {
    assertStable('${TOKEN:+--token=${DB_PASSWORD:-  }');
    assertStable(`\${TOKEN:+--token=\${PW:-${SECRET} }`);
    assertKept(['password: -', '${DB_PASSWORD:-  }', 'token=-']);
  });
});
