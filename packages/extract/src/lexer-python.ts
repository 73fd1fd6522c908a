/**
 * A small linear-time Python lexer. It exists so that comments, docstrings
 * and string contents can never be mistaken for code (`# import os`,
 * `"open('x', 'w')"`), while string literals stay available as values for
 * call arguments (`open("out.txt", "w")`).
 *
 * It is deliberately forgiving: unterminated strings end at the line end
 * (or the input end for triple quotes), unbalanced brackets are tolerated.
 */
import { mayBeKeyword } from './python-names.js';
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
function isStringPrefix(src: string, i: number, j: number): boolean {
  const a = src.charCodeAt(i) | 32;
  if (j - i === 1) return a === 114 || a === 117 || a === 98 || a === 102;
  const b = src.charCodeAt(i + 1) | 32;
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

function isIdentStart(c: number): boolean {
  return (CHAR_CLASS[c]! & IDENT_START) !== 0; // out of range (NaN past the end): undefined & 1 === 0
}
function isIdentPart(c: number): boolean {
  return (CHAR_CLASS[c]! & IDENT_PART) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '', '0': '\0' };

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
   * followed by `(` (calls), `=` or `+=` (assignments), and the words
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
}

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
  const n = src.length;
  let i = 0;
  let depth = 0; // open brackets, for logical lines; reset when a statement keyword proves one was left unclosed
  let lineStart = true; // only whitespace seen on this physical line
  let column0 = true; // at column 0 of a physical line
  // Open-bracket token indices, for `match`. Independent of `depth`: matching never resets.
  let openers = spareOpeners ?? new Int32Array(64);
  spareOpeners = undefined;
  let top = 0;

  while (i < n) {
    const c = src.charCodeAt(i);
    // Names first: most tokens are names, so they skip the tests below.
    if (isIdentStart(c)) {
      const atColumn0 = column0;
      lineStart = false;
      column0 = false;
      let j = i + 1;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      const q = src.charCodeAt(j);
      if ((q === enum_.DQ || q === enum_.SQ) && j - i <= 2 && isStringPrefix(src, i, j)) {
        i = lexString(src, i, j, tokens);
        continue;
      }
      if (atColumn0 && depth > 0 && RESYNC_KEYWORDS.has(src.slice(i, j))) {
        // An unclosed bracket would otherwise swallow the rest of the file.
        depth = 0;
        pushNl(tokens, i);
      }
      const t = tokens.push(NAME, i, j);
      if (mayBeKeyword(src, i, j - i)) {
        tokens.marks.push(t);
        if (j - i >= 4) tokens.importMarks.push(t); // not `as`, `for`
        if (top > 0 && j - i === 3 && c === 102 /* f */) tokens.bracketedFors.push(t, openers[top - 1]!); // a comprehension, perhaps
      }
      i = j;
      continue;
    }
    if (c === enum_.NL) {
      if (depth === 0) pushNl(tokens, i);
      i++;
      lineStart = true;
      column0 = true;
      continue;
    }
    if (c === enum_.SPACE || c === enum_.TAB || c === enum_.FF || c === 13) {
      i++;
      while (src.charCodeAt(i) === enum_.SPACE) i++; // indentation: a run of spaces in one go
      column0 = false;
      continue;
    }
    if (c === enum_.HASH) {
      i = skipToLineEnd(src, i);
      continue;
    }
    if (c === enum_.BACKSLASH) {
      // Explicit line continuation: the newline does not end the statement.
      i += src.charCodeAt(i + 1) === enum_.NL ? 2 : 1;
      column0 = false;
      continue;
    }
    if (lineStart && depth === 0 && (c === enum_.BANG || c === enum_.PERCENT)) {
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
          return tokens;
        }
      }
      i = end;
      continue;
    }
    lineStart = false;
    column0 = false;

    if (c === enum_.DQ || c === enum_.SQ) {
      i = lexString(src, i, i, tokens);
      continue;
    }
    if (isDigit(c) || (c === enum_.DOT && isDigit(src.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (isIdentPart(d) || d === enum_.DOT) j++;
        else if ((d === 43 || d === 45) && (src.charCodeAt(j - 1) | 32) === 101 && (src.charCodeAt(i + 1) | 32) !== 120) j++;
        else break;
      }
      tokens.push(NUM, i, j);
      i = j;
      continue;
    }
    // Operators and punctuation.
    if (i + 1 < n && isTwoCharOp(c, src.charCodeAt(i + 1))) {
      const t = tokens.push(OP, i, i + 2);
      if (c === 43 /* += */) markNameBefore(tokens, t);
      i += 2;
      continue;
    }
    const t = tokens.push(OP, i, i + 1);
    if (c === 40 /* ( */ || c === 61 /* = */) markNameBefore(tokens, t);
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (top === openers.length) openers = doubled(openers);
      openers[top++] = t;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
      if (top > 0) {
        const o = openers[--top]!;
        const match = tokens.match!;
        match[o] = t;
        match[t] = o;
      }
    }
    i++;
  }
  if (openers.length <= MAX_SPARE_TOKENS) spareOpeners = openers;
  return tokens;
}

function doubled(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Marks the token before operator `t` when it is a name (a callee or an assignment target). */
function markNameBefore(tokens: PythonTokenList, t: number): void {
  const prev = t - 1;
  if (prev < 0 || tokens.kinds[prev] !== NAME) return;
  const marks = tokens.marks;
  if (marks.length === 0 || marks[marks.length - 1] !== prev) marks.push(prev);
}

/** Ends a logical line, unless the last token already does (no empty lines). */
function pushNl(tokens: TokenList, at: number): void {
  if (tokens.length > 0 && tokens.kinds[tokens.length - 1] !== NL) tokens.push(NL, at, at + 1);
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

function skipToLineEnd(src: string, i: number): number {
  const k = src.indexOf('\n', i);
  return k < 0 ? src.length : k;
}

/** Flags of a Python string token: the prefix length (0–2) lives in the low two bits. */
const PREFIX_MASK = 3;

/** Lexes one string literal (prefix at `start`, quote at `q`), pushes its token, returns the index after it. */
function lexString(src: string, start: number, q: number, tokens: TokenList): number {
  const stop = skipPyString(src, start, q);
  tokens.push(STR, start, stop, q - start);
  return stop;
}


/**
 * Index after the string literal whose optional prefix starts at `start`
 * and whose opening quote is at `q`: where `scanPyString` stops, found
 * without building anything (the lexer's case, every string of the input).
 */
function skipPyString(src: string, start: number, q: number): number {
  const n = src.length;
  let fstring = false;
  for (let k = start; k < q; k++) if ((src.charCodeAt(k) | 32) === 102) fstring = true;
  const quote = src.charCodeAt(q);
  const triple = src.charCodeAt(q + 1) === quote && src.charCodeAt(q + 2) === quote;
  let j = q + (triple ? 3 : 1);
  let braces = 0; // f-string replacement-field depth: quotes inside it do not close (Python 3.12)
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === enum_.BACKSLASH) {
      j += 2;
      continue;
    }
    if (c === quote && braces === 0) {
      if (!triple) return j + 1;
      if (src.charCodeAt(j + 1) === quote && src.charCodeAt(j + 2) === quote) return Math.min(n, j + 3);
    } else if (c === enum_.NL && !triple) {
      return j; // unterminated: stop at the line end, keep the newline for the lexer
    } else if (fstring && (c === enum_.LBRACE || c === enum_.RBRACE)) {
      const doubled = braces === 0 && src.charCodeAt(j + 1) === c; // `{{` / `}}`: a literal brace
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
  for (let k = start; k < q; k++) {
    const c = src.charCodeAt(k) | 32;
    if (c === 114) raw = true;
    else if (c === 102) fstring = true;
  }
  const build = out !== undefined;
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
      if (raw || braces > 0 || !build) {
        j += 2;
        continue;
      }
      const next = src[j + 1] ?? '';
      value += src.slice(segStart, j) + (SIMPLE_ESCAPES[next] ?? '\\' + next);
      j += 2;
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
            // `{name}` and `{name!r}` → name; anything else (calls, format specs) is unresolvable.
            const m = /^[ \t]*([A-Za-z_][A-Za-z0-9_]{0,128})[ \t]*(?:![rsa])?$/.exec(src.slice(exprStart, j));
            parts.push({ name: m !== null ? m[1]! : '' });
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
  if (build) {
    if (braces === 0) value += src.slice(segStart, Math.min(end, n));
    if (!dynamic) out.value = value;
    else if (braces === 0 && parts.length <= 64) {
      parts.push(value);
      out.parts = parts;
    }
  }
  return Math.min(n, end + closeLen);
}
