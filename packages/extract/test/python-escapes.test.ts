/**
 * Escape sequences in Python string literals, decoded as Python decodes them
 * (`src/python-escapes.ts`): the file a literal names is the one Python opens.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { lexPython, releasePythonTokens } from '../src/lexer-python.js';
import { STR, type StringPart } from '../src/tokens.js';

const py = (code: string) => extractCodeMetadata(code, { language: 'python' });

/** The value (or f-string pieces) of the first string literal of `src`, as the lexer decodes it. */
function literal(src: string): { value: string | undefined; parts: StringPart[] | undefined; end: number } {
  const tokens = lexPython(src);
  try {
    for (let i = 0; i < tokens.length; i++) {
      if (tokens.kind(i) === STR) return { value: tokens.value(i), parts: tokens.stringParts(i), end: tokens.ends[i]! };
    }
    throw new Error('no string literal in ' + JSON.stringify(src));
  } finally {
    releasePythonTokens(tokens);
  }
}

describe('python string escapes', () => {
  it('a file named with escapes is the file Python opens', () => {
    const cases: [string, string[]][] = [
      ['open("out\\x2ecsv", "w")', ['out.csv']],
      ['open("r\\u00e9sum\\u00e9.txt", "w")', ['résumé.txt']],
      ['open("\\U0001F600.txt", "w")', ['😀.txt']],
      ['open("a\\101.csv", "w")', ['aA.csv']], // octal
      ["open('data\\x2F\\x61.csv', 'w')", ['data/a.csv']],
      ['open(u"out\\x2ecsv", "w")', ['out.csv']],
      ['open(b"out\\x2ecsv", "wb")', ['out.csv']],
      ['open(b"\\xc3\\xa9t\\xc3\\xa9.bin", "wb")', ['été.bin']], // the bytes of a UTF-8 name: Linux's os.fsdecode
      ['d = "out"\nopen(f"{d}\\x2ecsv", "w")', ['out.csv']],
      ['open("""out\\x2e\\\ncsv""", "w")', ['out.csv']], // a backslash before a line end joins
    ];
    for (const [code, written] of cases) assert.deepEqual(py(code).filesWritten, written, code);
  });

  it('a literal Python rejects, or whose text needs the Unicode name table, names no file', () => {
    const cases = [
      'open("out\\x2", "w")', // truncated \xXX: SyntaxError
      'open("out\\u2e.csv", "w")', // truncated \uXXXX
      'open("out\\U00110000.csv", "w")', // past U+10FFFF
      'open("out\\N{FULL STOP}csv", "w")', // \N{…}: no name table here (decision: unknown)
      'open(b"\\xff.bin", "wb")', // not UTF-8: no text name
      'open(b"caf\u00e9.bin", "wb")', // non-ASCII in a bytes literal: SyntaxError
    ];
    for (const code of cases) assert.deepEqual(py(code).filesWritten, [], code);
  });

  it('raw strings and bytes keep what Python keeps', () => {
    assert.equal(literal('r"a\\x2eb"').value, 'a\\x2eb');
    assert.equal(literal('Rb"a\\x2eb"').value, 'a\\x2eb');
    assert.equal(literal('br"a\\u00e9"').value, 'a\\u00e9');
    assert.equal(literal('b"a\\u00e9\\N{BULLET}"').value, 'a\\u00e9\\N{BULLET}'); // no \u, \U, \N in bytes
    assert.equal(literal('b"\\777"').value, undefined); // 0o777 & 0xFF = 0xFF, as CPython: no UTF-8
    assert.equal(literal('b"\\101\\400"').value, 'A\0'); // octal past 0o377 wraps, as CPython does
    assert.equal(literal('"\\777"').value, '\u01ff');
    assert.equal(literal('"\\0111"').value, '\t1'); // three octal digits at most
    assert.equal(literal('"\\q\\8\\%"').value, '\\q\\8\\%'); // unknown escapes keep their backslash
    assert.equal(literal('"\\a\\b\\f\\v\\0"').value, '\x07\b\f\v\0');
    assert.equal(literal('"\\ud800"').value, '\ud800');
  });

  it('in an f-string, `\\N{…}` is an escape, not a field, and `\\{` is a backslash before a field', () => {
    // `\N{…}` is unknown, so is the string; what follows it is still lexed as Python does.
    const named = literal('f"\\N{LEFT CURLY BRACKET}{x}" + "a"');
    assert.deepEqual([named.value, named.parts], [undefined, undefined]);
    assert.equal(named.end, 'f"\\N{LEFT CURLY BRACKET}{x}"'.length);
    assert.deepEqual(literal('f"\\{x}"').parts, ['\\', { name: 'x' }, '']);
    assert.deepEqual(literal('f"{x}\\x2e{y}"').parts, ['', { name: 'x' }, '.', { name: 'y' }, '']);
    // Raw: `\N` is two characters and `{x}` a field.
    assert.deepEqual(literal('rf"\\N{x}"').parts, ['\\N', { name: 'x' }, '']);
    assert.deepEqual(py('s = f"\\N{QUOTATION MARK}" \nopen("a.csv", "w")').filesWritten, ['a.csv']);
  });

  it('`\\{{` in an f-string is a backslash and a literal brace: the string ends at its quote (review of 70ff91e)', () => {
    // Read as `\{` skipped, the `{` after it opened a field and the quote no longer closed the string.
    const s = literal('f"\\{{" + g');
    assert.deepEqual([s.value, s.end], ['\\{', 'f"\\{{"'.length]);
    assert.deepEqual(py('p = f"a\\{{" \nopen("b.csv", "w")').filesWritten, ['b.csv']);
  });

  it('a bytes literal holding non-ASCII text is no literal, even when its characters\' low bytes are UTF-8 (review of 70ff91e)', () => {
    // `Ã©` is U+00C3 U+00A9: as bytes, C3 A9, which is `é` in UTF-8; Python refuses the literal (SyntaxError).
    assert.deepEqual(py('open(b"\u00c3\u00a9.bin", "wb")').filesWritten, []);
    assert.equal(literal('b"\u00c3\u00a9"').value, undefined);
  });

  it('property: a str literal written with any mix of escapes decodes to its string', () => {
    fc.assert(
      fc.property(anyText, encodingChoices, (s, how) => {
        const lit = writeStr(s, how);
        assert.equal(literal(lit).value, s, lit);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a bytes literal decodes to its bytes, as text when they are UTF-8', () => {
    const bytes = fc.oneof(
      anyText.map((t) => new TextEncoder().encode(t)),
      fc.uint8Array({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(bytes, encodingChoices, (b, how) => {
        const lit = writeBytes(b, how);
        assert.equal(literal(lit).value, utf8(b), lit);
      }),
      { numRuns: 500 },
    );
  });

  const python = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' }).stdout?.trim() === '1';
  it('agrees with CPython on random literals, invalid escapes included', { skip: python ? false : 'python3 not found' }, () => {
    const piece = fc.oneof(
      fc.constantFrom('a', '.', '/', 'é', '{', '}', '"', "'", '\n', '0', '7', '8', 'f', 'x', 'u', 'N'),
      fc.constantFrom('\\x', '\\x4', '\\x41', '\\xzz', '\\u', '\\u00', '\\u00e9', '\\U0001F600', '\\U00110000', '\\U0010ffff', '\\ud83d'),
      fc.constantFrom('\\0', '\\07', '\\101', '\\400', '\\777', '\\8', '\\q', '\\\\', '\\\n', '\\"', "\\'", '\\a', '\\v', '\\N{BULLET}', '\\N{', '\\N'),
    );
    const lit = fc.record({
      prefix: fc.constantFrom('', 'u', 'b', 'B', 'r', 'rb', 'bR'),
      quote: fc.constantFrom('"', "'", '"""', "'''"),
      body: fc.array(piece, { maxLength: 10 }),
    });
    const samples = fc.sample(lit, { numRuns: 600, seed: 20261207 }).map(({ prefix, quote, body }) => {
      // A quote or a line end that would close or break the literal is escaped: the literal stays one token.
      const text = body.map((p) => (p === quote[0] || (p === '\n' && quote.length === 1) ? '\\' + (p === '\n' ? 'n' : p) : p)).join('');
      // A trailing backslash run would escape the closing quote: end on a plain character.
      return prefix + quote + text + 'z' + quote;
    });
    const script = [
      'import ast, json, sys, warnings',
      'warnings.simplefilter("ignore")',
      'out = []',
      'for src in json.load(sys.stdin):',
      '    try:',
      '        v = ast.literal_eval(src)',
      '    except Exception:',
      '        out.append(None); continue',
      '    if isinstance(v, bytes):',
      '        try: v = v.decode("utf-8")',
      '        except UnicodeDecodeError: out.append(None); continue',
      '    out.append([ord(c) for c in v])',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(samples), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const expected = JSON.parse(run.stdout) as (number[] | null)[];
    samples.forEach((src, k) => {
      const ours = literal(src).value;
      const theirs = expected[k] === null ? undefined : String.fromCodePoint(...expected[k]!);
      // `\N{name}` in a str: Python knows the character, we decline (no name table).
      if (ours === undefined && theirs !== undefined && /^[uU]?['"]/.test(src) && src.includes('\\N{')) return;
      assert.equal(ours, theirs, src);
    });
  });
});

/** Strings of any code points, ASCII more often (fast-check's `unit: 'binary'` strings take 12 ms each). */
const anyText = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x10ffff })), { maxLength: 24 })
  .map((cps) => String.fromCodePoint(...cps));

/** How each character is written, drawn once per literal: indices into the forms a character allows. */
const encodingChoices = fc.record({
  prefix: fc.constantFrom('', 'u', 'U', 'f', 'F'),
  quote: fc.constantFrom('"', "'", '"""', "'''"),
  forms: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  joins: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
});

type Choices = { prefix: string; quote: string; forms: number[]; joins: boolean[] };

const NAMED: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 39: "'", 92: '\\' };

const hex = (v: number, width: number): string => v.toString(16).padStart(width, '0');

/**
 * The ways Python can write code point `cp` in a literal (`bytes`: a byte),
 * each a function of whether the next written character is an octal digit
 * (a short octal escape may not precede one).
 */
function forms(cp: number, bytes: boolean, quote: string, fstring: boolean): ((nextOctal: boolean) => string)[] {
  const out: ((nextOctal: boolean) => string)[] = [];
  const isSurrogate = cp >= 0xd800 && cp <= 0xdfff;
  const quoteChar = quote.charCodeAt(0);
  const plain = cp !== 92 && cp !== quoteChar && cp !== 10 && cp !== 13 && cp !== 0 && !isSurrogate && (!bytes || cp < 0x80);
  if (plain) out.push(() => (fstring && (cp === 123 || cp === 125) ? String.fromCodePoint(cp).repeat(2) : String.fromCodePoint(cp)));
  if (cp === 10 && quote.length === 3) out.push(() => '\n');
  if (NAMED[cp] !== undefined) out.push(() => '\\' + NAMED[cp]);
  if (cp < 0x100) out.push(() => '\\x' + hex(cp, 2), () => '\\x' + hex(cp, 2).toUpperCase());
  if (cp < 0x200) {
    const oct = cp.toString(8);
    out.push(() => '\\' + oct.padStart(3, '0'));
    out.push((nextOctal) => '\\' + (nextOctal ? oct.padStart(3, '0') : oct));
  }
  if (!bytes && cp < 0x10000) out.push(() => '\\u' + hex(cp, 4));
  if (!bytes) out.push(() => '\\U' + hex(cp, 8));
  return out;
}

function write(cps: number[], how: Choices, bytes: boolean): string {
  const fstring = !bytes && /f/i.test(how.prefix);
  const pieces = cps.map((cp, k) => {
    const f = forms(cp, bytes, how.quote, fstring);
    return f[how.forms[k % how.forms.length]! % f.length]!;
  });
  // Written back to front: each piece knows whether the text after it starts with an octal digit.
  let text = '';
  for (let k = pieces.length - 1; k >= 0; k--) {
    const piece = pieces[k]!(/^[0-7]/.test(text));
    text = piece + (how.joins[k % how.joins.length] ? '\\\n' : '') + text;
  }
  // A backslash-newline before the closing quote is fine; a bare trailing `\` cannot occur (every `\` starts an escape).
  return (bytes ? 'b' : how.prefix) + how.quote + text + how.quote;
}

function writeStr(s: string, how: Choices): string {
  return write(Array.from(s, (c) => c.codePointAt(0)!), how, false);
}

function writeBytes(b: Uint8Array, how: Choices): string {
  return write(Array.from(b), how, true);
}

/** What a bytes literal holding `b` names: its text when UTF-8, else unknown. */
function utf8(b: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    return undefined;
  }
}
