/**
 * Escape sequences in JavaScript/TypeScript string and template literals,
 * decoded as the engine decodes them (`src/js-escapes.ts`): the file a
 * literal names is the one Node opens. Checked against Node itself (`vm`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { lexJs } from '../src/lexer-js.js';
import { STR } from '../src/tokens.js';

const js = (code: string, language = 'javascript') => extractCodeMetadata(code, { language });

/** The value of the string token starting at `at` in `src` (the literal must be one token), as the lexer decodes it. */
function literal(src: string, at = 0): string | undefined {
  const tokens = lexJs(src);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens.starts[i] === at && tokens.kind(i) === STR) return tokens.value(i);
  }
  throw new Error('no string literal at ' + at + ' in ' + JSON.stringify(src));
}

/** One context for every evaluation (a new one per call costs a millisecond); `x` is the templates' substitution. */
const context = vm.createContext({ x: 'v' });

/** What Node makes of the script `code` (a string), or `undefined` when it throws (a SyntaxError). */
function node(code: string): string | undefined {
  try {
    const v: unknown = vm.runInContext(code, context);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

describe('js string escapes', () => {
  it('a file named with escapes is the file Node opens', () => {
    const cases: [string, string[]][] = [
      ["fs.writeFileSync('out\\x2ecsv', d)", ['out.csv']],
      ['fs.writeFileSync("r\\u00e9sum\\u00E9.txt", d)', ['résumé.txt']],
      ["fs.writeFileSync('\\u{1F600}.txt', d)", ['😀.txt']],
      ["fs.writeFileSync('a\\u{000000002e}csv', d)", ['a.csv']], // any number of leading zeros
      ["fs.writeFileSync('\\uD83D\\uDE00.txt', d)", ['😀.txt']], // a pair written as two escapes
      ['fs.writeFileSync(`out\\x2ecsv`, d)', ['out.csv']],
      ["const n = 'a';\nfs.writeFileSync(`${n}\\u002ecsv`, d)", ['a.csv']], // the cooked text of a template's pieces
      ["const n = 'a';\nfs.writeFileSync(`\\x64ata/${n}\\x2e${n}`, d)", ['data/a.a']],
      ["fs.writeFileSync('data\\/a\\.csv', d)", ['data/a.csv']], // identity escapes
      ["fs.writeFileSync('\\q\\z.csv', d)", ['qz.csv']],
      ["fs.writeFileSync('out\\\n.csv', d)", ['out.csv']], // a backslash before a line end joins the lines
      ['fs.writeFileSync(`out\\\n.csv`, d)', ['out.csv']],
      ["fs.writeFileSync('out\\\u2028.csv', d)", ['out.csv']], // U+2028 is a line terminator too
      ["fs.writeFileSync('a\\101.csv', d)", ['aA.csv']], // legacy octal: a script is sloppy
      ["fs.writeFileSync('a\\8.csv', d)", ['a8.csv']],
      ["fs.writeFileSync(String.raw`data\\new.csv`, d)", ['data/new.csv']], // the raw text: `\n` stays two characters
      ["const n = 'a';\nfs.writeFileSync(String.raw`C:\\data/${n}\\x.csv`, d)", ['C:/data/a/x.csv']],
      ['fs.writeFileSync(String.raw`data\\x\\u.csv`, d)', ['data/x/u.csv']], // invalid escapes are fine in a tagged template
    ];
    for (const [code, written] of cases) assert.deepEqual(js(code).filesWritten, written, code);
  });

  it('escapes are decoded in module specifiers too', () => {
    assert.deepEqual(js("import x from 'lo\\x64ash';\nconst y = require('\\u0061xios');").imports, ['lodash', 'axios']);
  });

  it('a literal Node rejects names no file', () => {
    const cases = [
      "fs.writeFileSync('out\\x2', d)", // truncated \xHH
      "fs.writeFileSync('out\\xzz.csv', d)",
      "fs.writeFileSync('out\\u2e.csv', d)", // truncated \uHHHH
      "fs.writeFileSync('out\\u{110000}.csv', d)", // past U+10FFFF
      "fs.writeFileSync('out\\u{}.csv', d)",
      "fs.writeFileSync('out\\u{2e.csv', d)", // \u{ never closed
      "fs.writeFileSync('out\\u{2e', d)",
      'fs.writeFileSync(`out\\101.csv`, d)', // octal in a template: a SyntaxError
      'fs.writeFileSync(`out\\1.csv`, d)',
      'fs.writeFileSync(`out\\08.csv`, d)',
      'fs.writeFileSync(`out\\8.csv`, d)',
      "const n = 'a';\nfs.writeFileSync(`${n}\\x2.csv`, d)", // in a piece after a substitution
      "const n = 'a';\nfs.writeFileSync(`\\u{zz}${n}.csv`, d)",
      "import fs from 'fs';\nfs.writeFileSync('a\\101.csv', d)", // an ES module is strict
      "export const f = 1;\nfs.writeFileSync('a\\8.csv', d)",
      "'use strict';\nfs.writeFileSync('a\\101.csv', d)",
      "\"use strict\"\nfs.writeFileSync('a\\08.csv', d)",
      "fs.writeFileSync('\\uD800.txt', d)", // a lone surrogate: no file name holds one
      "fs.writeFileSync(tag`out.csv`, d)", // another tag: whatever it returns
      "fs.writeFileSync('out.csv\\', d)", // the quote escaped: never closed
      'fs.writeFileSync(`out.csv\\`, d)',
    ];
    for (const code of cases) assert.deepEqual(js(code).filesWritten, [], code);
  });

  it('legacy octal forms decode as a script decodes them', () => {
    assert.equal(literal("'\\101'"), 'A');
    assert.equal(literal("'\\1010'"), 'A0'); // three digits at most
    assert.equal(literal("'\\477'"), "'7"); // \47 then 7: a 4–7 takes one more digit only
    assert.equal(literal("'\\0'"), '\0');
    assert.equal(literal("'\\00'"), '\0');
    assert.equal(literal("'\\08'"), '\x008'); // \0 before 8 is legacy: NUL, then 8
    assert.equal(literal("'\\9'"), '9');
    assert.equal(literal('`\\0`'), '\0'); // \0 not before a digit: fine in a template
    assert.equal(literal('`\\01`'), undefined);
    const moduleCode = "import 'fs';\nconst a = '\\101', b = '\\0', c = '\\x41';";
    assert.equal(literal(moduleCode, moduleCode.indexOf("'\\101'")), undefined);
    assert.equal(literal(moduleCode, moduleCode.indexOf("'\\0'")), '\0');
    assert.equal(literal(moduleCode, moduleCode.indexOf("'\\x41'")), 'A');
    // `import(…)`, `x.import`, `{ export: 1 }` make no module.
    const script = "import('x'); a.import; b = { export: 1 };\nconst a = '\\101';";
    assert.equal(literal(script, script.indexOf("'\\101'")), 'A');
  });

  it('a module is told as Node tells it: import.meta makes one, a nested export or import does not', () => {
    // `import.meta` is a SyntaxError outside a module, and Node 20 runs a file holding it as one: strict.
    assert.deepEqual(js("console.log(import.meta.url);\nfs.writeFileSync('a\\101.csv', d)").filesWritten, []);
    // A class field named `export` (a script: Node decodes `\101`), a TS namespace's exports (no ES module).
    assert.equal(node("class A { export = 1; static import = 2 }\n'a\\101.csv'"), 'aA.csv');
    assert.deepEqual(js("class A { export = 1; static import = 2 }\nfs.writeFileSync('a\\101.csv', d)").filesWritten, ['aA.csv']);
    assert.deepEqual(js("namespace N { export const x = 1; }\nfs.writeFileSync('a\\101.csv', d)", 'typescript').filesWritten, ['aA.csv']);
    // A top-level declaration after a block still counts.
    assert.deepEqual(js("if (a) { b(); }\nexport const x = 1;\nfs.writeFileSync('a\\101.csv', d)").filesWritten, []);
    assert.deepEqual(js("function f() { return `${ {a: 1}.a }`; }\nimport x from 'y';\nfs.writeFileSync('a\\101.csv', d)").filesWritten, []);
  });

  it('a TypeScript `import type` alone makes a module, as the TS handbook has it: the legacy octal literal is unknown', () => {
    // tsx/esbuild refuse the escape ("cannot be used in an ECMAScript module"), tsc emits the file strict ('use strict'
    // for CommonJS, `export {}` for ES modules): no runner writes aA.csv. In plain JS the line is a SyntaxError: nothing runs.
    for (const language of ['typescript', 'javascript']) {
      assert.deepEqual(js("import type { X } from './t'\nfs.writeFileSync('a\\101.csv', d)", language).filesWritten, [], language);
      assert.deepEqual(js("import type X from './t'\nfs.writeFileSync('a\\101.csv', d)", language).filesWritten, [], language);
    }
    // Without it the TS file is a script: decoded as sloppy code decodes it.
    assert.deepEqual(js("type X = number\nfs.writeFileSync('a\\101.csv', d)", 'typescript').filesWritten, ['aA.csv']);
  });

  it('single-character escapes, line ends and quotes', () => {
    assert.equal(literal("'\\b\\f\\n\\r\\t\\v\\0\\\\\\'\\\"\\`\\$'"), '\b\f\n\r\t\v\0\\\'"`$');
    assert.equal(literal("'a\\\r\nb'"), 'ab'); // \ + CRLF is one line continuation
    assert.equal(literal('`a\r\nb\rc`'), 'a\nb\nc'); // a template's line ends are LF
    assert.equal(literal("'a\rb'"), undefined); // a raw CR ends a string: a SyntaxError
    assert.equal(literal("'a\u2028b'"), 'a\u2028b'); // allowed since ES2019
    assert.equal(literal("'\\😀'"), '😀');
    assert.equal(literal("'abc"), undefined); // never closed
    assert.equal(literal("'\\''"), "'");
    assert.equal(literal("'\\\\'"), '\\');
  });

  it('property: a string written as a literal with any mix of escapes decodes to it, as Node does', () => {
    fc.assert(
      fc.property(anyText, encodingChoices, (s, how) => {
        const lit = writeLiteral(s, how);
        assert.equal(node(lit), s, 'the generator writes a literal Node reads as the string: ' + JSON.stringify(lit));
        assert.equal(literal(lit), s, JSON.stringify(lit));
      }),
      { numRuns: 600 },
    );
  });

  it('agrees with Node on random literals, invalid escapes included', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', '.', '/', 'é', '😀', '$', '{', '}', '"', "'", '`', '\n', '\r', '\r\n', '\u2028', '0', '7', '8', 'x', 'u', '\ud800'),
      fc.constantFrom('\\x', '\\x4', '\\x41', '\\xzz', '\\u', '\\u00', '\\u00e9', '\\u{', '\\u{}', '\\u{41}', '\\u{1F600}', '\\u{110000}', '\\u{0000000041}', '\\u{41', '\\u{4g}'),
      fc.constantFrom('\\uD83D', '\\uDE00', '\\uD800', '\\0', '\\00', '\\07', '\\08', '\\09', '\\1', '\\101', '\\377', '\\400', '\\477', '\\8', '\\9'),
      fc.constantFrom('\\q', '\\\\', '\\\n', '\\\r\n', '\\\u2028', '\\"', "\\'", '\\`', '\\$', '\\b', '\\n', '\\v', '\\😀', '${x}', '\\${x}'),
    );
    const lit = fc.record({
      kind: fc.constantFrom("'", '"', '`', 'String.raw`'),
      context: fc.constantFrom('script', 'module', 'use strict'),
      body: fc.array(piece, { maxLength: 8 }),
    });
    const samples = fc.sample(lit, { numRuns: 1500, seed: 20261207 });
    let agreed = 0;
    for (const { kind, context, body } of samples) {
      const quote = kind[kind.length - 1]!;
      // A raw delimiter would close the literal early: escaped, so the literal stays one token.
      const text = body.map((p) => (p === quote ? '\\' + p : p)).join('');
      const source = kind + text + quote;
      const prefix = context === 'module' ? "import 'fs';\n" : context === 'use strict' ? "'use strict';\n" : '';
      const theirs = node((context === 'script' ? '' : '"use strict";\n') + source);
      // Lexer level, for a literal with no substitution: the same value, or none where Node throws.
      if (!kind.startsWith('String.raw') && !(kind === '`' && text.includes('${'))) {
        assert.equal(literal(prefix + source, prefix.length), theirs, prefix + source);
        if (theirs !== undefined) agreed++;
      }
      // End to end: the file named is the one Node's value names (judged as that value written plainly), or none.
      const code = `${prefix}const x = 'v';\nfs.writeFileSync(${source}, d);\n`;
      const expected = theirs === undefined ? [] : js(`fs.writeFileSync(${JSON.stringify(theirs)}, d)`).filesWritten;
      assert.deepEqual(js(code).filesWritten, expected, code);
    }
    assert.ok(agreed > 200, `only ${agreed} valid literals compared`);
  });
});

/** Strings of any code points (lone surrogates too), ASCII more often. */
const anyText = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
      fc.constantFrom(0x2028, 0x2029, 0xe9, 0xd800, 0xdfff),
      fc.integer({ min: 0x80, max: 0x10ffff }),
    ),
    { maxLength: 24 },
  )
  .map((cps) => String.fromCodePoint(...cps));

/** How each character is written, drawn once per literal: indices into the forms a character allows. */
const encodingChoices = fc.record({
  quote: fc.constantFrom("'", '"', '`'),
  forms: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  joins: fc.array(fc.constantFrom('', '', '', '\\\n', '\\\u2028', '\\\u2029'), { minLength: 40, maxLength: 40 }),
});

type Choices = { quote: string; forms: number[]; joins: string[] };

const NAMED: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 39: "'", 92: '\\', 96: '`', 36: '$' };
/** Characters a backslash before makes something else than themselves (or a line continuation). */
const NOT_IDENTITY = new Set([...'0123456789xubfnrtv\n\r\u2028\u2029'].map((c) => c.charCodeAt(0)));

const hex = (v: number, width: number): string => v.toString(16).padStart(width, '0');

/**
 * The ways code point `cp` can be written in a literal of `quote`, each a
 * function of the text written after it (a short octal escape or `\0` may
 * not precede a digit, a plain `$` may not precede `{` in a template).
 */
function forms(cp: number, quote: string): ((next: string) => string | undefined)[] {
  const out: ((next: string) => string | undefined)[] = [];
  const template = quote === '`';
  const ch = String.fromCodePoint(cp);
  const lineEnd = cp === 10 || cp === 13;
  if (cp !== 92 && ch !== quote && !(lineEnd && !template) && cp !== 13) {
    out.push((next) => (template && cp === 36 && next.startsWith('{') ? undefined : ch));
  }
  if (NAMED[cp] !== undefined) out.push(() => '\\' + NAMED[cp]);
  if (cp === 0) out.push((next) => (/^[0-9]/.test(next) ? undefined : '\\0'));
  if (cp < 0x100) out.push(() => '\\x' + hex(cp, 2), () => '\\x' + hex(cp, 2).toUpperCase());
  if (cp < 0x10000) out.push(() => '\\u' + hex(cp, 4).toUpperCase());
  out.push(() => '\\u{' + '0'.repeat(cp % 3) + hex(cp, 1) + '}');
  if (!NOT_IDENTITY.has(cp)) out.push(() => '\\' + ch);
  if (!template && cp < 0x100) {
    // Legacy octal (a script is sloppy): three digits always, fewer before a non-octal character.
    const oct = cp.toString(8);
    out.push(() => '\\' + oct.padStart(3, '0'));
    out.push((next) => (/^[0-7]/.test(next) ? '\\' + oct.padStart(3, '0') : '\\' + oct));
  }
  if (!template && (cp === 56 || cp === 57)) out.push(() => '\\' + ch);
  return out;
}

function writeLiteral(s: string, how: Choices): string {
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  // Written back to front: each piece knows the text after it.
  let text = '';
  for (let k = cps.length - 1; k >= 0; k--) {
    const f = forms(cps[k]!, how.quote);
    const start = how.forms[k % how.forms.length]! % f.length;
    let piece: string | undefined;
    const after = how.joins[k % how.joins.length] + text;
    for (let t = 0; t < f.length && piece === undefined; t++) piece = f[(start + t) % f.length]!(after);
    text = piece! + after;
  }
  return how.quote + text + how.quote;
}
