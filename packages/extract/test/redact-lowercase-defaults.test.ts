/**
 * A shell default named in lower case without a colon (`${api_key-…}`, `${my_password-…}`, `${api_key+…}`): read as a
 * template's expression (JS, Kotlin, Groovy: `${password+salt}`) whatever its word before 2026-12-07's evening, the
 * default in clear. It is an expression only when its word is a name of code (`salt`, `this.suffix`) or a small number;
 * any other word is a value, in any context (a review of that evening's first fix, which judged by the quotes around it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

describe('createRedactor: a lower-case shell default without a colon', () => {
  it('leak: unquoted, in a command\'s quoted word, or assigned, its word is redacted', () => {
    assertRedacts([
      [`echo \${api_key-${SECRET}}`, `echo \${api_key-${TAG}}`],
      [`echo "\${my_password-${SECRET}}"`, `echo "\${my_password-${TAG}}"`],
      [`export API="\${api_key-${SECRET}}"`, `export API="\${api_key-${TAG}}"`],
      [`pw=\${password-${SECRET}}`, `pw=\${password-${TAG}}`],
      [`curl -H "X-Key: \${api_key-${SECRET}}" x`, `curl -H "X-Key: \${api_key-${TAG}}" x`],
      [`echo \${api_key+${SECRET}}`, `echo \${api_key+${TAG}}`],
      [`#!/bin/sh\nset -e\necho "\${db_password-${SECRET}}"\n`, `#!/bin/sh\nset -e\necho "\${db_password-${TAG}}"\n`],
      ['echo ${my_password-hunter2}', `echo \${my_password-${TAG}}`],
      ['echo ${db_password-SuperSecretPassword}', `echo \${db_password-${TAG}}`],
    ]);
  });

  it('leak: a shell command inside code\'s strings or a Markdown code span (the quotes around it decide nothing)', () => {
    assertRedacts([
      [`{"command":["bash","-lc","echo \${api_key-${SECRET}}"]}`, `{"command":["bash","-lc","echo \${api_key-${TAG}}"]}`],
      [`CMD ["sh", "-c", "echo \${api_key-${SECRET}}"]`, `CMD ["sh", "-c", "echo \${api_key-${TAG}}"]`],
      [`subprocess.run(["sh","-c","echo \${api_key-${SECRET}}"])`, `subprocess.run(["sh","-c","echo \${api_key-${TAG}}"])`],
      [`os.system("echo \${api_key-${SECRET}}")`, `os.system("echo \${api_key-${TAG}}")`],
      [`Run \`export K=\${api_key-${SECRET}}\` first`, `Run \`export K=\${api_key-${TAG}}\` first`],
      [`args=("\${api_key-${SECRET}}")`, `args=("\${api_key-${TAG}}")`],
    ]);
  });

  it('idempotent: a quote inside a value redacted before it on the line changes nothing for it', () => {
    for (const input of [`password='a("b' echo \${api_key-${SECRET}}`, `token=x\`y echo \${api_key-${SECRET}}`]) {
      const once = r.redact(input).text;
      assert.ok(!once.includes(SECRET), `leak: ${once}`);
      assert.equal(r.redact(once).text, once, `idempotent: ${once}`);
    }
  });

  it('leak: a nested word (`${my_password-${X:-…}}`) has its literal redacted', () => {
    assertRedacts([[`echo \${my_password-\${DEFAULT_PW:-${SECRET}}}`, `echo \${my_password-\${DEFAULT_PW:-${TAG}}}`]]);
  });

  it('still kept: template expressions of JS, Kotlin, Groovy, Scala, Dart (a name of code or a small number as the word)', () => {
    assertKept([
      'const s = `${maxToken-1} tokens left`;',
      'const h = `${password+salt}`;',
      'const h = `a\n${password+salt}`;',
      'val msg = "${token+suffix}"',
      'def s = "${password-default}"',
      'println("${password-default}")',
      'f(a, "${token+suffix}")',
      'x = "a" + "${token-offset}"',
      'return "${password-default}"',
      's"${password-default}"',
      "var s = '${password+salt}';",
      '[msg: "${password-default}"]',
      'val s = """${password-default}"""',
      'println(\n    "${password-default}"\n)',
      'const s = `${fn(`${password-default}`)}`;',
      'return "${token-1}"',
      'const h = `${password+this.salt}`;',
      'const h = `${password+"salt"}`;',
      '{"content":"println(\\"${password-default}\\")"}',
    ]);
  });
});

describe('createRedactor: a lower-case default read by the nested reader (quotes, braces, backslashes in its word)', () => {
  it('leak: a quoted shell default is a value; a quoted name of code in a template is kept', () => {
    assertRedacts([
      [`echo \${my_password-"${SECRET}"}`, `echo \${my_password-"${TAG}"}`],
      [`echo \${api_key-'${SECRET}'}`, `echo \${api_key-'${TAG}'}`],
    ]);
    assertKept(['const h = `${password+"salt"}`;', "const t = `${token+'suffix'}`;", 'const h = `${password+hash(salt, 2)}`;']);
  });
});

describe('createRedactor: what a name of code is (a review of the word-shape rule, 2026-12-07)', () => {
  it('leak: a secret-shaped word is a value: digits in a call\'s argument, a name switching case, a PIN', () => {
    for (const word of ['x(Xk9pQ2mZ7vL4)', 'xKqPzLmWnRtYvBcD', 'sUpErSeCrEtPaSsWoRd', 'sk_live_AbCdEfGhIjKlMnOpQr', '1234', '8675.309']) {
      assertRedacts([[`echo \${api_key-${word}}`, `echo \${api_key-${TAG}}`]]);
    }
    assertRedacts([[`\${db_password=f(aB3dE5gH7jK9)}`, `\${db_password=${TAG}}`]]);
  });

  it('still kept: operands joined by operators, camelCase names, calls of names with names and numbers', () => {
    assertKept([
      'const s = `${password+":"+salt}`;',
      'const s = `${api_key+sep+user}`;',
      'const s = `${token-maxTokenCount}`;',
      'const s = `${password+hash(salt, 2)}`;',
      'const s = `${token-100}`;',
    ]);
  });
});

describe('createRedactor: lower-case defaults, properties', () => {
  const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
  it('a default holding a letter and a digit (and no placeholder) is never left in clear, whatever surrounds it', () => {
    fc.assert(
      fc.property(
        fc.array(alnum, { minLength: 6, maxLength: 40 }).map((cs) => cs.join('')).filter((w) => /[0-9]/.test(w) && /[A-Za-z]/.test(w)),
        fc.constantFrom('api_key', 'my_password', 'db_password', 'token', 'client_secret'),
        fc.constantFrom('-', '+', '='),
        fc.constantFrom(['echo ', ''], ['echo "', '"'], ['["sh", "-c", "echo ', '"]'], ['`', '`'], ['x = "', '"'], ['println("', '")']),
        (word, name, op, [before, after]) => {
          const once = r.redact(`${before}\${${name}${op}${word}}${after}`).text;
          assert.ok(!once.includes(word), once);
          assert.equal(r.redact(once).text, once);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a template expression whose operand is camelCase words (three letters or more each) is kept', () => {
    const part = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), { minLength: 3, maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.constantFrom('-', '+'), (parts, op) => {
        const operand = parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
        const code = `const s = \`\${token${op}${operand}}\`;`;
        assert.equal(r.redact(code).text, code);
      }),
      { numRuns: 1000 },
    );
  });
});
