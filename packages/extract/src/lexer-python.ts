/**
 * A small linear-time Python lexer. It exists so that comments, docstrings
 * and string contents can never be mistaken for code (`# import os`,
 * `"open('x', 'w')"`), while string literals stay available as values for
 * call arguments (`open("out.txt", "w")`).
 *
 * It is deliberately forgiving: unterminated strings end at the line end
 * (or the input end for triple quotes), unbalanced brackets are tolerated.
 */
import { bytesText, decodeEscape, escapeEnd, namedEscapeEnd } from './python-escapes.js';
import { mayBeClassified, mayBeKeyword } from './python-names.js';
import { NAME, NL, NUM, OP, STR, TokenList, type DecodedString, type StringPart, type TokenArrays } from './tokens.js';

const enum_ = {
  NL: 10,
  SPACE: 32,
  TAB: 9,
  FF: 12,
  HASH: 35,
  BACKSLASH: 92,
  DQ: 34,
  SQ: 39,
  BANG: 33,
  PERCENT: 37,
  DOT: 46,
  LBRACE: 123,
  RBRACE: 125,
} as const;

/** Statement keywords that, at column 0, prove an earlier bracket was left unclosed. */
const RESYNC_KEYWORDS = new Set(['def', 'class', 'import', 'from', 'with', 'try', 'for', 'while', 'if', 'async', 'elif', 'else']);

/** Whether characters `c` `d` form a two-character operator (`==`, `+=`, `**`, `->` ...). */
function isTwoCharOp(c: number, d: number): boolean {
  if (d === 61 /* = */) {
    switch (c) {
      case 58: // :
      case 61: // =
      case 33: // !
      case 60: // <
      case 62: // >
      case 43: // +
      case 45: // -
      case 42: // *
      case 47: // /
      case 37: // %
      case 38: // &
      case 124: // |
      case 94: // ^
      case 64: // @
        return true;
      default:
        return false;
    }
  }
  if (c === d) return c === 42 || c === 47 || c === 60 || c === 62; // ** // << >>
  return c === 45 && d === 62; // ->
}

/** Whether `src[i..j)` (one or two letters) is a string prefix: r u b f br rb fr rf, any case. */
function isStringPrefix(codes: Uint16Array, i: number, j: number): boolean {
  const a = codes[i]! | 32;
  if (j - i === 1) return a === 114 || a === 117 || a === 98 || a === 102;
  const b = codes[i + 1]! | 32;
  return (a === 98 && b === 114) || (a === 114 && b === 98) || (a === 102 && b === 114) || (a === 114 && b === 102);
}

/**
 * Character classes by UTF-16 code unit: identifier start (letters, `_`,
 * anything non-ASCII) and identifier part (those and digits). One table
 * read per character instead of a chain of range tests: identifier
 * characters are most of the characters of code.
 */
const IDENT_START = 1;
const IDENT_PART = 2;
const CHAR_CLASS = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) {
  const start = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
  CHAR_CLASS[c] = start ? IDENT_START | IDENT_PART : c >= 48 && c <= 57 ? IDENT_PART : 0;
}

function isIdentPart(c: number): boolean {
  return (CHAR_CLASS[c]! & IDENT_PART) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Callbacks for IPython lines that are not Python. */
export interface IPythonHooks {
  /** Shell code: a `!cmd` line, or the body of a `%%bash`/`%%sh` cell. */
  onShell?: (code: string) => void;
  /** Target of a `%%writefile path` cell. */
  onWriteFile?: (path: string) => void;
}

/** Python tokens, with what the lexer learnt on the way: `match` (bracket partners) is always set. */
export class PythonTokenList extends TokenList {
  /**
   * Indices, in order, of the NAME tokens a detector may act on: those
   * followed by `(` whose first letter and length a file callee has
   * (`mayBeClassified`), those followed by `=`, `+=` or `:=` (assignments), and the words
   * `import`, `from`, `for`, `as`, `__import__`, `import_module` (and a few
   * other names of the same length and first letter: detectors check).
   * The detectors walk this list instead of every token.
   */
  readonly marks: number[] = [];
  /** The marks that may be `import`, `from`, `__import__` or `import_module`: what the import scan walks. */
  readonly importMarks: number[] = [];
  /**
   * Pairs (index of a `for` name inside brackets, index of its innermost
   * open bracket): the candidate comprehensions, so finding them needs no
   * pass of its own.
   */
  readonly bracketedFors: number[] = [];
  /**
   * Pairs (index of a `lambda` name, index of its innermost open bracket or
   * -1): where lambda parameters shadow outer variables.
   */
  readonly lambdas: number[] = [];
}

/**
 * What the lexer's main loop does with a character, by UTF-16 code unit: one
 * table read and a `switch` instead of a chain of tests (an operator, the most
 * common token after names, used to pass ten of them).
 */
const K_OP = 0;
const K_IDENT = 1;
const K_DIGIT = 2;
const K_SPACE = 3;
const K_NL = 4;
const K_QUOTE = 5;
const K_HASH = 6;
const K_BACKSLASH = 7;
const K_OPEN = 8;
const K_CLOSE = 9;
const K_DOT = 10;
const K_MAGIC = 11; // ! %
const LEX_CLASS = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) {
  LEX_CLASS[c] = (CHAR_CLASS[c]! & IDENT_START) !== 0 ? K_IDENT : c >= 48 && c <= 57 ? K_DIGIT : K_OP;
}
LEX_CLASS[32] = K_SPACE;
LEX_CLASS[9] = K_SPACE;
LEX_CLASS[12] = K_SPACE;
LEX_CLASS[13] = K_SPACE;
LEX_CLASS[10] = K_NL;
LEX_CLASS[34] = K_QUOTE;
LEX_CLASS[39] = K_QUOTE;
LEX_CLASS[35] = K_HASH;
LEX_CLASS[92] = K_BACKSLASH;
LEX_CLASS[40] = K_OPEN;
LEX_CLASS[91] = K_OPEN;
LEX_CLASS[123] = K_OPEN;
LEX_CLASS[41] = K_CLOSE;
LEX_CLASS[93] = K_CLOSE;
LEX_CLASS[125] = K_CLOSE;
LEX_CLASS[46] = K_DOT;
LEX_CLASS[33] = K_MAGIC;
LEX_CLASS[37] = K_MAGIC;

/**
 * Tokenises Python source (expects `\n` line ends). Emits `nl` tokens at the
 * end of logical lines only (never inside brackets). Lines starting with `!`
 * or `%` (IPython shell escapes and magics) are skipped like comments, and
 * reported through `hooks` when they run shell code or write a file.
 *
 * In the same pass it matches brackets (a closer pops the innermost opener,
 * as `matchBrackets` does) and notes the `for`s inside brackets.
 */
export function lexPython(src: string, hooks: IPythonHooks = {}): PythonTokenList {
  const reuse = spareArrays;
  spareArrays = undefined; // a nested lex (IPython `!python -c ...` through the shell) allocates its own
  const tokens = new PythonTokenList(src, decodePythonString, { matchBrackets: true, reuse });
  const marks = tokens.marks;
  const n = src.length;
  const units = codeUnitsOf(src);
  const codes = units.codes;
  let i = 0;
  let depth = 0; // open brackets, for logical lines; reset when a statement keyword proves one was left unclosed
  let lineStart = true; // only whitespace seen on this physical line
  let column0 = true; // at column 0 of a physical line
  // Open-bracket token indices, for `match`. Independent of `depth`: matching never resets.
  let openers = spareOpeners ?? new Int32Array(64);
  spareOpeners = undefined;
  let top = 0;
  // The token arrays, written here directly rather than through a call per token.
  let kinds = tokens.kinds;
  let starts = tokens.starts;
  let ends = tokens.ends;
  let flags = tokens.flags;
  let match = tokens.match!;
  let count = 0;
  let room = kinds.length - 2; // a newline token and one more always fit below it

  while (i < n) {
    if (count >= room) {
      tokens.length = count;
      tokens.grow();
      kinds = tokens.kinds;
      starts = tokens.starts;
      ends = tokens.ends;
      flags = tokens.flags;
      match = tokens.match!;
      room = kinds.length - 2;
    }
    const c = codes[i]!;
    switch (LEX_CLASS[c]) {
      case K_IDENT: {
        const atColumn0 = column0;
        lineStart = false;
        column0 = false;
        let j = i + 1;
        while (j < n && (CHAR_CLASS[codes[j]!]! & IDENT_PART) !== 0) j++;
        const q = codes[j]!;
        if ((q === enum_.DQ || q === enum_.SQ) && j - i <= 2 && isStringPrefix(codes, i, j)) {
          const stop = skipPyString(src, codes, i, j);
          kinds[count] = STR;
          starts[count] = i;
          ends[count] = stop;
          flags[count++] = j - i;
          i = stop;
          continue;
        }
        if (atColumn0 && depth > 0 && RESYNC_KEYWORDS.has(src.slice(i, j))) {
          // An unclosed bracket would otherwise swallow the rest of the file.
          depth = 0;
          if (count > 0 && kinds[count - 1] !== NL) {
            kinds[count] = NL;
            starts[count] = i;
            ends[count] = i + 1;
            flags[count++] = 0;
          }
        }
        const t = count++;
        kinds[t] = NAME;
        starts[t] = i;
        ends[t] = j;
        flags[t] = 0;
        if (mayBeKeyword(src, i, j - i)) {
          if (c === 108 /* l */) tokens.lambdas.push(t, top > 0 ? openers[top - 1]! : -1); // `lambda`, perhaps
          else {
            marks.push(t);
            if (j - i >= 4) tokens.importMarks.push(t); // not `as`, `for`
            if (top > 0 && j - i === 3 && c === 102 /* f */) tokens.bracketedFors.push(t, openers[top - 1]!); // a comprehension, perhaps
          }
        }
        i = j;
        continue;
      }
      case K_SPACE:
        i++;
        while (codes[i]! === enum_.SPACE) i++; // indentation: a run of spaces in one go
        column0 = false;
        continue;
      case K_NL:
        if (depth === 0 && count > 0 && kinds[count - 1] !== NL) {
          kinds[count] = NL;
          starts[count] = i;
          ends[count] = i + 1;
          flags[count++] = 0;
        }
        i++;
        lineStart = true;
        column0 = true;
        continue;
      case K_HASH:
        i = skipToLineEnd(src, i);
        continue;
      case K_BACKSLASH:
        // Explicit line continuation: the newline does not end the statement.
        i += codes[i + 1]! === enum_.NL ? 2 : 1;
        column0 = false;
        continue;
      case K_MAGIC:
        if (lineStart && depth === 0) {
          const end = skipToLineEnd(src, i);
          const line = src.slice(i, end);
          if (c === enum_.BANG) hooks.onShell?.(line.slice(1));
          else {
            const cell = /^%%(bash|sh|script[ \t]+(?:ba)?sh|writefile(?:[ \t]+-a)?)[ \t]*(\S*)/.exec(line);
            if (cell !== null) {
              // A cell magic owns the rest of the cell: nothing after it is Python.
              if (cell[1]!.startsWith('writefile')) {
                if (cell[2]) hooks.onWriteFile?.(cell[2]);
              } else hooks.onShell?.(src.slice(Math.min(n, end + 1)));
              spareOpeners = openers;
              releaseCodes(units);
              tokens.length = count;
              return tokens;
            }
          }
          i = end;
          continue;
        }
        break;
      case K_QUOTE: {
        lineStart = false;
        column0 = false;
        const stop = skipPyString(src, codes, i, i);
        kinds[count] = STR;
        starts[count] = i;
        ends[count] = stop;
        flags[count++] = 0;
        i = stop;
        continue;
      }
      case K_DIGIT:
        i = lexNumber(codes, i, n, kinds, starts, ends, flags, count++);
        lineStart = false;
        column0 = false;
        continue;
      case K_DOT:
        if (isDigit(codes[i + 1]!)) {
          i = lexNumber(codes, i, n, kinds, starts, ends, flags, count++);
          lineStart = false;
          column0 = false;
          continue;
        }
        break;
      case K_OPEN: {
        lineStart = false;
        column0 = false;
        const t = count++;
        kinds[t] = OP;
        starts[t] = i;
        ends[t] = i + 1;
        flags[t] = 0;
        // A callee is marked only when a file rule may handle it: most calls (`print`, `np.arange`) are not.
        if (c === 40 /* ( */ && t > 0 && kinds[t - 1] === NAME && mayBeClassified(src, starts[t - 1]!, ends[t - 1]! - starts[t - 1]!)) {
          if (marks.length === 0 || marks[marks.length - 1] !== t - 1) marks.push(t - 1);
        }
        depth++;
        if (top === openers.length) openers = doubled(openers);
        openers[top++] = t;
        i++;
        continue;
      }
      case K_CLOSE: {
        lineStart = false;
        column0 = false;
        const t = count++;
        kinds[t] = OP;
        starts[t] = i;
        ends[t] = i + 1;
        flags[t] = 0;
        if (depth > 0) depth--;
        if (top > 0) {
          // Only a bracket of its own kind pairs with a closer: `open("x"}, "w")` closes no call (a SyntaxError).
          const o = openers[--top]!;
          const gap = c - codes[starts[o]!]!; // `)` is `(` + 1, `]` and `}` are `[` and `{` + 2; no other pair is 1 or 2 apart
          if (gap === 1 || gap === 2) {
            match[o] = t;
            match[t] = o;
          }
        }
        i++;
        continue;
      }
    }
    // Operators and punctuation (and `!`/`%` not at a line start).
    lineStart = false;
    column0 = false;
    const t = count++;
    kinds[t] = OP;
    starts[t] = i;
    flags[t] = 0;
    if (i + 1 < n && isTwoCharOp(c, codes[i + 1]!)) {
      ends[t] = i + 2;
      // `+=` and `:=` (a walrus) bind the name before them.
      if ((c === 43 || c === 58) && codes[i + 1]! === 61 && t > 0 && kinds[t - 1] === NAME && (marks.length === 0 || marks[marks.length - 1] !== t - 1)) marks.push(t - 1);
      i += 2;
      continue;
    }
    ends[t] = i + 1;
    if (c === 61 /* = */ && t > 0 && kinds[t - 1] === NAME && (marks.length === 0 || marks[marks.length - 1] !== t - 1)) marks.push(t - 1);
    i++;
  }
  tokens.length = count;
  if (openers.length <= MAX_SPARE_TOKENS) spareOpeners = openers;
  releaseCodes(units);
  return tokens;
}

/** Lexes the number starting at `i` into token `t`; returns the index after it. */
function lexNumber(src: Uint16Array, i: number, n: number, kinds: Uint8Array, starts: Int32Array, ends: Int32Array, flags: Uint8Array, t: number): number {
  let j = i + 1;
  while (j < n) {
    const d = src[j]!;
    if (isIdentPart(d) || d === enum_.DOT) j++;
    else if ((d === 43 || d === 45) && (src[j - 1]! | 32) === 101 && (src[i + 1]! | 32) !== 120) j++;
    else break;
  }
  kinds[t] = NUM;
  starts[t] = i;
  ends[t] = j;
  flags[t] = 0;
  return j;
}

function doubled(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}



/**
 * The arrays of the last token list released, for the next `lexPython`:
 * allocating typed arrays costs about as much as lexing a short snippet.
 * Only lists of up to `MAX_SPARE_TOKENS` tokens are kept.
 */
let spareArrays: TokenArrays | undefined;
/** Likewise the bracket stack (taken while lexing: a lex nested through a hook allocates its own). */
let spareOpeners: Int32Array | undefined;
const MAX_SPARE_TOKENS = 1 << 14;

/**
 * Gives the arrays of `tokens` to the next `lexPython`. Call it when done
 * with the list: it must not be used afterwards.
 */
export function releasePythonTokens(tokens: PythonTokenList): void {
  if (tokens.kinds.length <= MAX_SPARE_TOKENS) spareArrays = tokens.release();
}

/**
 * The source's UTF-16 code units, copied once into a typed array (one native
 * copy), with a 0 at index `src.length`: the lexer reads every character at
 * least once and some twice, and a typed-array read costs fewer instructions
 * than `charCodeAt`, which checks the string's representation on every call.
 * The array may be longer than the source: the lexer reads no further than
 * index `src.length`, whose 0 stands for `charCodeAt`'s NaN past the end
 * (every such read is compared with a quote, a space, a newline or a digit,
 * or masked with `| 32` and compared with a letter, which neither 0 nor NaN
 * is). The buffer is taken while lexing, like `spareOpeners`.
 */
interface CodeUnits {
  readonly bytes: Buffer;
  readonly codes: Uint16Array;
}

function codeUnitsOf(src: string): CodeUnits {
  const n = src.length;
  let units = spareCodes;
  spareCodes = undefined;
  if (units === undefined || units.codes.length < n + 1) {
    const bytes = Buffer.allocUnsafeSlow(2 * Math.max(n + 1, 1024)); // its own ArrayBuffer: offset 0, aligned
    units = { bytes, codes: new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1) };
  }
  if (LITTLE_ENDIAN) units.bytes.write(src, 0, 'utf16le');
  else for (let k = 0; k < n; k++) units.codes[k] = src.charCodeAt(k);
  units.codes[n] = 0;
  return units;
}

/** Gives the code units back for the next lex (kept up to `MAX_SPARE_CODE_UNITS`). */
function releaseCodes(units: CodeUnits): void {
  if (units.codes.length <= MAX_SPARE_CODE_UNITS) spareCodes = units;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let spareCodes: CodeUnits | undefined;
const MAX_SPARE_CODE_UNITS = 1 << 16;

function skipToLineEnd(src: string, i: number): number {
  const k = src.indexOf('\n', i);
  return k < 0 ? src.length : k;
}

/** Flags of a Python string token: the prefix length (0–2) lives in the low two bits. */
const PREFIX_MASK = 3;

/**
 * Index after the backslash at `j` in an f-string's literal text and what it
 * escapes: a brace after it is no escape (`f"\\{x}"` is a backslash, then a
 * field), and the braces of `\\N{name}` are the escape's, not a field (not in
 * a raw f-string, where `\\N` is two characters).
 */
function fstringEscapeEnd(src: string, j: number, raw: boolean): number {
  const d = src.charCodeAt(j + 1);
  if (d === enum_.LBRACE || d === enum_.RBRACE) return j + 1;
  if (d === 78 /* N */ && !raw) return namedEscapeEnd(src, j);
  return j + 2;
}



/**
 * Index after the string literal whose optional prefix starts at `start`
 * and whose opening quote is at `q`: where `scanPyString` stops, found
 * without building anything (the lexer's case, every string of the input).
 */
function skipPyString(src: string, codes: Uint16Array, start: number, q: number): number {
  const n = src.length;
  let fstring = false;
  let raw = false;
  for (let k = start; k < q; k++) {
    const p = codes[k]! | 32;
    if (p === 102) fstring = true;
    else if (p === 114) raw = true;
  }
  const quote = codes[q]!;
  const triple = codes[q + 1] === quote && codes[q + 2] === quote;
  let j = q + (triple ? 3 : 1);
  let braces = 0; // f-string replacement-field depth: quotes inside it do not close (Python 3.12)
  while (j < n) {
    const c = codes[j]!;
    if (c === enum_.BACKSLASH) {
      j = fstring && braces === 0 ? fstringEscapeEnd(src, j, raw) : j + 2;
      continue;
    }
    if (c === quote && braces === 0) {
      if (!triple) return j + 1;
      if (codes[j + 1] === quote && codes[j + 2] === quote) return Math.min(n, j + 3);
    } else if (c === enum_.NL && !triple) {
      return j; // unterminated: stop at the line end, keep the newline for the lexer
    } else if (fstring && (c === enum_.LBRACE || c === enum_.RBRACE)) {
      const doubled = braces === 0 && codes[j + 1] === c; // `{{` / `}}`: a literal brace
      if (doubled) j++;
      else if (c === enum_.LBRACE) braces++;
      else if (braces > 0) braces--;
    }
    j++;
  }
  return n;
}

/** Decodes a Python string token's value (and f-string pieces) from the source. */
function decodePythonString(tokens: TokenList, i: number): DecodedString {
  const start = tokens.starts[i]!;
  const prefix = tokens.flags[i]! & PREFIX_MASK;
  if (prefix === 0) {
    const plain = plainLiteralValue(tokens.src, start, tokens.ends[i]!);
    if (plain !== undefined) return { value: plain };
  }
  const out: DecodedString = { value: undefined };
  scanPyString(tokens.src, start, start + prefix, out);
  return out;
}

/**
 * The value of the unprefixed literal `src[start..end)` when it is the
 * common simple case (one quote each side, closed, no backslash): the text
 * between the quotes, as `scanPyString` would build it. Else `undefined`.
 */
function plainLiteralValue(src: string, start: number, end: number): string | undefined {
  const quote = src.charCodeAt(start);
  if (end - start < 2 || src.charCodeAt(end - 1) !== quote) return undefined; // unterminated
  if (src.charCodeAt(start + 1) === quote && src.charCodeAt(start + 2) === quote) return undefined; // triple-quoted
  for (let k = start + 1; k < end - 1; k++) if (src.charCodeAt(k) === enum_.BACKSLASH) return undefined; // escapes (a bounded look: never past the token)
  return src.slice(start + 1, end - 1);
}

/**
 * Scans the string literal whose optional prefix starts at `start` and whose
 * opening quote is at `q`; returns the index after it. With `out`, also
 * builds its value (escapes applied unless raw) or, for an f-string with
 * replacement fields, its pieces.
 */
function scanPyString(src: string, start: number, q: number, out: DecodedString | undefined): number {
  const n = src.length;
  let raw = false;
  let fstring = false;
  let bytes = false;
  for (let k = start; k < q; k++) {
    const c = src.charCodeAt(k) | 32;
    if (c === 114) raw = true;
    else if (c === 102) fstring = true;
    else if (c === 98) bytes = true;
  }
  const build = out !== undefined;
  let unknown = false; // an escape Python rejects, or `\\N{…}`: no value
  const quote = src.charCodeAt(q);
  const triple = src.charCodeAt(q + 1) === quote && src.charCodeAt(q + 2) === quote;
  let j = q + (triple ? 3 : 1);
  let segStart = j;
  let value = '';
  let dynamic = false;
  let braces = 0; // f-string replacement-field depth: quotes inside it do not close (Python 3.12)
  let exprStart = 0;
  const parts: StringPart[] = [];
  let end = n;
  let closeLen = 0;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === enum_.BACKSLASH) {
      if (braces > 0 || !build) {
        j += 2;
        continue;
      }
      if (fstring) {
        const d = src.charCodeAt(j + 1);
        if (d === enum_.LBRACE || d === enum_.RBRACE) {
          // A backslash, then the brace as the f-string reads it (a field, or `{{`).
          value += src.slice(segStart, j + 1);
          j++;
          segStart = j;
          continue;
        }
      }
      if (raw) {
        j += 2;
        continue;
      }
      const text = decodeEscape(src, j, bytes);
      if (text === undefined) unknown = true;
      else value += src.slice(segStart, j) + text;
      j = escapeEnd;
      segStart = j;
      continue;
    }
    if (c === enum_.NL && !triple) {
      end = j; // unterminated: stop at the line end, keep the newline for the lexer
      break;
    }
    if (fstring) {
      if (c === enum_.LBRACE) {
        if (braces === 0 && src.charCodeAt(j + 1) === enum_.LBRACE) {
          if (build) value += src.slice(segStart, j) + '{';
          j += 2;
          segStart = j;
          continue;
        }
        if (braces === 0 && build) {
          value += src.slice(segStart, j);
          parts.push(value);
          value = '';
          exprStart = j + 1;
        }
        braces++;
        dynamic = true;
        j++;
        continue;
      }
      if (c === enum_.RBRACE) {
        if (braces > 0) {
          braces--;
          if (braces === 0 && build) {
            // `{name}`, `{name!s}` and `{name:spec}` → name (and spec); anything else (calls, `!r`, `!a`:
            // the value in quotes, nested fields in a spec) is unresolvable.
            const m = /^[ \t]*([A-Za-z_][A-Za-z0-9_]{0,128})[ \t]*(!s)?(?::([^{}]{0,32}))?$/.exec(src.slice(exprStart, j));
            // After `!s` a spec formats the string (`{i!s:03d}` is a ValueError): one a string takes, or none.
            const stringSpec = m !== null && m[2] !== undefined && m[3] !== undefined && m[3] !== '' && m[3] !== 's';
            parts.push(m === null || stringSpec ? { name: '' } : m[3] === undefined ? { name: m[1]! } : { name: m[1]!, spec: m[3] });
            segStart = j + 1;
          }
        } else if (src.charCodeAt(j + 1) === enum_.RBRACE) {
          if (build) value += src.slice(segStart, j) + '}';
          j += 2;
          segStart = j;
          continue;
        }
        j++;
        continue;
      }
    }
    if (c === quote && braces === 0) {
      if (!triple) {
        end = j;
        closeLen = 1;
        break;
      }
      if (src.charCodeAt(j + 1) === quote && src.charCodeAt(j + 2) === quote) {
        end = j;
        closeLen = 3;
        break;
      }
    }
    j++;
  }
  if (build && !unknown) {
    if (braces === 0) value += src.slice(segStart, Math.min(end, n));
    if (bytes) {
      // Non-ASCII in a bytes literal is Python's SyntaxError; its bytes name a file as their UTF-8 text.
      if (/[^\x00-\x7f]/.test(src.slice(q, end))) return Math.min(n, end + closeLen);
      const text = bytesText(value);
      if (text === undefined) return Math.min(n, end + closeLen);
      value = text;
    }
    if (!dynamic) out.value = value;
    else if (braces === 0 && parts.length <= 64) {
      parts.push(value);
      out.parts = parts;
    }
  }
  return Math.min(n, end + closeLen);
}
