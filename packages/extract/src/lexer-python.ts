/**
 * A small linear-time Python lexer. It exists so that comments, docstrings
 * and string contents can never be mistaken for code (`# import os`,
 * `"open('x', 'w')"`), while string literals stay available as values for
 * call arguments (`open("out.txt", "w")`).
 *
 * It is deliberately forgiving: unterminated strings end at the line end
 * (or the input end for triple quotes), unbalanced brackets are tolerated.
 */
import { NAME, NL, NUM, OP, STR, TokenList, type DecodedString, type StringPart } from './tokens.js';

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
  if (d === 61 /* = */) return ':=!<>+-*/%&|^@'.includes(String.fromCharCode(c));
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

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
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

/**
 * Tokenises Python source (expects `\n` line ends). Emits `nl` tokens at the
 * end of logical lines only (never inside brackets). Lines starting with `!`
 * or `%` (IPython shell escapes and magics) are skipped like comments, and
 * reported through `hooks` when they run shell code or write a file.
 */
export function lexPython(src: string, hooks: IPythonHooks = {}): TokenList {
  const tokens = new TokenList(src, decodePythonString);
  const n = src.length;
  let i = 0;
  let depth = 0;
  let lineStart = true; // only whitespace seen on this physical line
  let column0 = true; // at column 0 of a physical line

  const pushNl = (at: number): void => {
    if (tokens.length > 0 && tokens.kinds[tokens.length - 1] !== NL) tokens.push(NL, at, at + 1);
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === enum_.NL) {
      if (depth === 0) pushNl(i);
      i++;
      lineStart = true;
      column0 = true;
      continue;
    }
    if (c === enum_.SPACE || c === enum_.TAB || c === enum_.FF || c === 13) {
      i++;
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
          return tokens;
        }
      }
      i = end;
      continue;
    }
    const atColumn0 = column0;
    lineStart = false;
    column0 = false;

    if (isIdentStart(c)) {
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
        pushNl(i);
      }
      tokens.push(NAME, i, j);
      i = j;
      continue;
    }
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
      tokens.push(OP, i, i + 2);
      i += 2;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
    tokens.push(OP, i, i + 1);
    i++;
  }
  return tokens;
}

function skipToLineEnd(src: string, i: number): number {
  const k = src.indexOf('\n', i);
  return k < 0 ? src.length : k;
}

/** Flags of a Python string token: the prefix length (0–2) lives in the low two bits. */
const PREFIX_MASK = 3;

/** Lexes one string literal (prefix at `start`, quote at `q`), pushes its token, returns the index after it. */
function lexString(src: string, start: number, q: number, tokens: TokenList): number {
  const stop = scanPyString(src, start, q, undefined);
  tokens.push(STR, start, stop, q - start);
  return stop;
}


/** Decodes a Python string token's value (and f-string pieces) from the source. */
function decodePythonString(tokens: TokenList, i: number): DecodedString {
  const start = tokens.starts[i]!;
  const out: DecodedString = { value: undefined };
  scanPyString(tokens.src, start, start + (tokens.flags[i]! & PREFIX_MASK), out);
  return out;
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
