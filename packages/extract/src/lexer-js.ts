/**
 * A small linear-time JavaScript/TypeScript lexer: drops comments, keeps
 * string and template literals as tokens with their static value, and tells
 * regex literals from division so `/'/` cannot open a phantom string.
 * Template literal substitutions (`${...}`) are lexed as code, so a
 * `require()` inside one is still seen.
 */
import { cookJs, legacyEscapeSeen, QUOTED, rawTemplateText, TEMPLATE } from './js-escapes.js';
import { NAME, NUM, OP, STR, TokenList, type DecodedString, type TemplatePiece } from './tokens.js';

/** Keywords after which an expression starts: a `/` starts a regex literal rather than a division, a `[` an array literal. */
export const REGEX_AFTER_KEYWORDS: ReadonlySet<string> = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

/**
 * ASCII character classes, one table load per character: `IDENT_START`
 * (`A-Z a-z _ $`), `IDENT_PART` (those and digits), `SPACE` (blanks and line ends).
 */
const IDENT_START = 1;
const IDENT_PART = 2;
const SPACE = 4;
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
  const space = c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
  ASCII_CLASS[c] = (letter ? IDENT_START | IDENT_PART : 0) | (c >= 48 && c <= 57 ? IDENT_PART : 0) | (space ? SPACE : 0);
}

/** Class bits of any character: beyond ASCII, NBSP and BOM are blanks and everything else is identifier text. */
function classOf(c: number): number {
  if (c < 128) return ASCII_CLASS[c]!;
  return c === 0xa0 || c === 0xfeff ? SPACE : IDENT_START | IDENT_PART;
}

/** Any non-ASCII character continues an identifier (the lexer only needs word boundaries). */
function isIdentPart(c: number): boolean {
  return c >= 128 || (ASCII_CLASS[c]! & IDENT_PART) !== 0;
}

/** Tokenises JavaScript or TypeScript source. Never emits `nl` tokens. */
export function lexJs(src: string): TokenList {
  // Brackets are matched in the same pass (a closer pops the innermost opener, as `matchBrackets` does),
  // which spares the file scanner a second walk over every token.
  const tokens = new TokenList(src, decodeJsString, { matchBrackets: true });
  const openers: number[] = [];
  const n = src.length;
  let i = 0;
  // Brace depth at which each open template substitution resumes its template.
  const templateStack: number[] = [];
  let braceDepth = 0;

  if (src.startsWith('#!')) i = lineEnd(src, 0);

  const regexLiterals = new RegexLiteralScanner(src);
  const regexAllowed = (slash: number): boolean => {
    const last = tokens.length - 1;
    if (last < 0) return true;
    const k = tokens.kinds[last];
    if (k === NUM || k === STR) return false;
    if (k === NAME) return tokens.ends[last]! - tokens.starts[last]! <= 10 && REGEX_AFTER_KEYWORDS.has(tokens.text(last));
    const c = tokens.opChar(last);
    // A regex read as division leaves its brackets as code: its `)` would close, or mismatch, a real bracket.
    if (c === 41) return closesControlHead(tokens, last);
    if (c === 125) return blockEndsLine(src, tokens.ends[last]!, slash);
    // `</` is a JSX closing tag (`<li>{x}</li>)}`): `a < /re/` is no code anyone writes.
    return !(c === 93 || c === 60);
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    // Blanks and names first: they are most of the input, and every test below is disjoint from them.
    const cls = classOf(c);
    if ((cls & SPACE) !== 0) {
      i++;
      continue;
    }
    if ((cls & IDENT_START) !== 0) {
      let j = i + 1;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      tokens.push(NAME, i, j);
      i = j;
      continue;
    }
    if (c === 47 /* / */) {
      const d = src.charCodeAt(i + 1);
      if (d === 47) {
        i = lineEnd(src, i);
        continue;
      }
      if (d === 42) {
        const k = src.indexOf('*/', i + 2);
        i = k < 0 ? n : k + 2;
        continue;
      }
      if (regexAllowed(i)) {
        const end = regexLiterals.end(i);
        if (end > 0) {
          tokens.push(OP, i, end); // a regex literal: one opaque operator token
          i = end;
          continue;
        }
      }
    }
    if (c === 34 || c === 39) {
      i = lexQuoted(src, i, tokens);
      continue;
    }
    if (c === 96 /* ` */) {
      i = lexTemplate(src, i + 1, i, tokens, templateStack, braceDepth);
      continue;
    }
    if (c === 125 /* } */ && templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
      // End of a `${...}` substitution: continue the enclosing template.
      templateStack.pop();
      i = lexTemplate(src, i + 1, i, tokens, templateStack, braceDepth);
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdentPart(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      tokens.push(NUM, i, j);
      i = j;
      continue;
    }
    if (c === 123) braceDepth++;
    else if (c === 125 && braceDepth > 0) braceDepth--;
    const d = src.charCodeAt(i + 1);
    if (c === 61 && (d === 62 || d === 61)) {
      tokens.push(OP, i, i + 2); // `=>` and `==` (so `a == b` is not an assignment)
      i += 2;
      continue;
    }
    if (c === 63 && d === 46 && !(src.charCodeAt(i + 2) >= 48 && src.charCodeAt(i + 2) <= 57)) {
      tokens.push(OP, i + 1, i + 2); // `?.` optional chaining reads like the member access `.`
      i += 2;
      continue;
    }
    const t = tokens.push(OP, i, i + 1);
    if (c === 40 || c === 91 || c === 123) openers.push(t);
    else if (c === 41 || c === 93 || c === 125) {
      // A closer of another kind than the innermost opener, or with none open, is a SyntaxError the
      // engine reports before running anything: neither bracket gets a partner, and the list says so.
      const o = openers.length > 0 ? openers.pop()! : -1;
      const gap = o < 0 ? 0 : c - src.charCodeAt(tokens.starts[o]!); // `)` is `(` + 1, `]` and `}` are `[` and `{` + 2
      if (gap === 1 || gap === 2) {
        const match = tokens.match!; // read after the push: a grow replaces the array
        match[o] = t;
        match[t] = o;
      } else tokens.mismatchedBracket = true;
    }
    i++;
  }
  return tokens;
}

/** Keywords whose parenthesised head ends in a `)` a statement follows (`if (ok) /x/.test(s)`): a regex may start there. */
const CONTROL_HEADS: ReadonlySet<string> = new Set(['if', 'while', 'for', 'with']);

/** Whether `)` at `close` ends the head of `if`/`while`/`for`/`with` (`for await (…)` too), not a property call (`o.if(a)`). */
function closesControlHead(tokens: TokenList, close: number): boolean {
  const open = tokens.match![close]!;
  let kw = open - 1;
  if (kw < 0 || tokens.kinds[kw] !== NAME) return false;
  if (tokens.name(kw, 'await')) kw--;
  if (kw < 0 || tokens.kinds[kw] !== NAME || tokens.ends[kw]! - tokens.starts[kw]! > 5 || !CONTROL_HEADS.has(tokens.text(kw))) return false;
  return !tokens.op(kw - 1, '.');
}

/**
 * Whether a `/` after a `}` starts a statement's regex: a line break lies between (a block ended its line;
 * dividing an object literal is no code anyone writes) and it is no JSX self-closing `/>` (`b={c}\n/>`).
 */
function blockEndsLine(src: string, brace: number, slash: number): boolean {
  if (src.charCodeAt(slash + 1) === 62) return false;
  // Only the blanks and comments between the two tokens are read: linear over the source.
  for (let p = brace; p < slash; p++) if (src.charCodeAt(p) === 10) return true;
  return false;
}

function lineEnd(src: string, i: number): number {
  const k = src.indexOf('\n', i);
  return k < 0 ? src.length : k;
}

/**
 * Finds where regex literals end. A scan that fails (no closing `/` before
 * the line ends) reads to the end of the line without consuming it, so
 * `(/[(/[(/[…` on one long line would rescan it from every `/`. Once failed
 * scans have read as many characters as the source holds, the answers for
 * every position come from a table built in one backward pass instead:
 * the same answers, in linear time overall. Real code never gets there.
 */
class RegexLiteralScanner {
  /** Characters read by scans that found no regex. */
  private failedWork = 0;
  /** `closeAt[p]`: index of the `/` closing a regex body that starts at `p` outside a class, or -1. */
  private closeAt: Int32Array | undefined;

  constructor(private readonly src: string) {}

  /** End index of a regex literal starting at `i` (after its flags), or -1 when it is not one. */
  end(i: number): number {
    const close = this.closeAt !== undefined ? this.closeAt[i + 1]! : this.scan(i);
    if (close < 0) return -1;
    const src = this.src;
    let j = close + 1;
    while (j < src.length && isIdentPart(src.charCodeAt(j))) j++;
    return j;
  }

  /** Index of the `/` closing the regex literal starting at `i`, or -1: a newline comes first (escapes and classes honoured). */
  private scan(i: number): number {
    const src = this.src;
    const n = src.length;
    let j = i + 1;
    let inClass = false;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 10) break;
      if (c === 92) {
        j += 2;
        continue;
      }
      if (c === 91) inClass = true;
      else if (c === 93) inClass = false;
      else if (c === 47 && !inClass) return j;
      j++;
    }
    this.failedWork += j - i;
    if (this.failedWork > n) this.closeAt = closingSlashTable(src);
    return -1;
  }
}

/**
 * `scan` for every start at once: `table[p]` is the closing `/` of a body
 * starting at `p` outside a character class (-1 if none). Built backwards:
 * the answer at `p` follows from the answers at `p + 1` and `p + 2`, in
 * and out of a class.
 */
function closingSlashTable(src: string): Int32Array {
  const n = src.length;
  const outside = new Int32Array(n + 2).fill(-1);
  let inside1 = -1; // answer at p + 1 inside a class
  let inside2 = -1; // answer at p + 2 inside a class
  for (let p = n - 1; p >= 0; p--) {
    const c = src.charCodeAt(p);
    let out: number;
    let inside: number;
    if (c === 10) {
      out = -1;
      inside = -1;
    } else if (c === 92) {
      out = outside[p + 2]!; // an escape skips the next character, whatever it is
      inside = inside2;
    } else if (c === 91) {
      out = inside1; // `[` opens a class
      inside = inside1;
    } else if (c === 93) {
      out = outside[p + 1]!; // `]` closes it
      inside = outside[p + 1]!;
    } else if (c === 47) {
      out = p;
      inside = inside1;
    } else {
      out = outside[p + 1]!;
      inside = inside1;
    }
    outside[p] = out;
    inside2 = inside1;
    inside1 = inside;
  }
  return outside;
}

/** String token flags: a plain literal (0) or a piece of a template with substitutions. */
const HEAD = 1;
const MIDDLE = 2;
const TAIL = 3;
/** Whether string token `i` opens or goes on with a template's substitution (`` `a${ ``, `` }b${ ``): an expression follows it. */
export function opensSubstitution(tokens: TokenList, i: number): boolean {
  const f = tokens.flags[i];
  return f === HEAD || f === MIDDLE;
}
const PIECES: Record<number, TemplatePiece> = { [HEAD]: 'head', [MIDDLE]: 'middle', [TAIL]: 'tail' };

/**
 * Decodes a JS string token from the source (`js-escapes.ts`): quoted and
 * plain template literals get a value, template pieces their cooked text;
 * unknown where the engine rejects the literal (a malformed escape, a
 * literal never closed) or, for a template, gives no cooked value.
 */
function decodeJsString(tokens: TokenList, i: number): DecodedString {
  const src = tokens.src;
  const start = tokens.starts[i]!;
  const end = tokens.ends[i]!;
  const flag = tokens.flags[i]!;
  const opener = src.charCodeAt(start);
  if (flag === 0 && opener !== 96) {
    // '…' or "…": an escaped closing quote is caught by `cookJs` (the escape would read past the content).
    if (end - start < 2 || src.charCodeAt(end - 1) !== opener) return { value: undefined };
    const value = cookJs(src, start + 1, end - 1, QUOTED);
    return { value: value !== undefined && legacyEscapeSeen && strictCode(tokens) ? undefined : value };
  }
  let to = end;
  if (flag === 0 || flag === TAIL) {
    if (end - start < 2 || src.charCodeAt(end - 1) !== 96) return flag === 0 ? { value: undefined } : { value: undefined, template: 'tail', cooked: undefined };
    to = end - 1;
  }
  const cooked = cookJs(src, start + 1, to, TEMPLATE);
  if (flag === 0) return { value: cooked };
  return { value: undefined, template: PIECES[flag]!, cooked };
}

/**
 * The raw text of template token `i` (a whole template, or a piece of one
 * with substitutions): what `String.raw` gives for it. `undefined` when it
 * is no template text or its template is never closed.
 */
export function rawTemplate(tokens: TokenList, i: number): string | undefined {
  if (tokens.kind(i) !== STR) return undefined;
  const src = tokens.src;
  const start = tokens.starts[i]!;
  const end = tokens.ends[i]!;
  const flag = tokens.flags[i]!;
  if (flag === 0 && src.charCodeAt(start) !== 96) return undefined;
  if (flag !== 0 && flag !== TAIL) return rawTemplateText(src, start + 1, end);
  if (end - start < 2 || src.charCodeAt(end - 1) !== 96) return undefined;
  // A backtick the lexer stopped at is unescaped, but one ending the source may be the escaped last character.
  let k = end - 1;
  while (k > start + 1 && src.charCodeAt(k - 1) === 92) k--;
  return (end - 1 - k) % 2 === 0 ? rawTemplateText(src, start + 1, end - 1) : undefined;
}

/** Whether each token list's code is strict, once asked (a legacy octal escape met: rare). */
const strictness = new WeakMap<TokenList, boolean>();

/**
 * Whether the code is evidently strict, where a legacy octal escape (`\101`,
 * `\8`) is a SyntaxError: an ES module (at the top level, an `import` of a
 * name, `{`, `*` or a string, an `export` of anything; `import.meta`
 * anywhere) or a `'use strict'` directive first. A strict function or a
 * class body is not seen (a token scan cannot tell where they hold): there
 * the escape is decoded as in sloppy code.
 */
function strictCode(tokens: TokenList): boolean {
  let strict = strictness.get(tokens);
  if (strict === undefined) {
    strict = hasStrictDirective(tokens) || isModule(tokens);
    strictness.set(tokens, strict);
  }
  return strict;
}

/** A `'use strict'` (or `"use strict"`, no escapes) among the string statements the code starts with. */
function hasStrictDirective(tokens: TokenList): boolean {
  for (let i = 0; i < tokens.length && tokens.kinds[i] === STR; i++) {
    // A directive is a statement of one string: a `;` or a line end after it (`'a'.trim()` is none).
    const next = i + 1;
    const src = tokens.src;
    const ends = next >= tokens.length || tokens.op(next, ';') || (tokens.kinds[next] !== OP && src.charCodeAt(tokens.starts[next]!) !== 96 && src.lastIndexOf('\n', tokens.starts[next]!) >= tokens.ends[i]!);
    if (!ends) return false;
    const t = tokens.text(i);
    if (t === "'use strict'" || t === '"use strict"') return true;
    if (tokens.op(next, ';')) i++;
  }
  return false;
}

function isModule(tokens: TokenList): boolean {
  // Import and export declarations stand at the top level only: inside braces `export` is a class
  // field (`class A { export = 1 }`) or a TS namespace's member, neither of which makes a module.
  // Template substitutions' braces belong to the template tokens, so the count stays balanced.
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const kind = tokens.kinds[i];
    if (kind === OP) {
      const c = tokens.opChar(i);
      if (c === 123 /* { */) depth++;
      else if (c === 125 /* } */ && depth > 0) depth--;
      continue;
    }
    if (kind !== NAME || tokens.op(i - 1, '.')) continue;
    const next = tokens.kind(i + 1);
    if (tokens.name(i, 'import')) {
      // `import.meta` is a SyntaxError outside a module; Node runs a file holding it as one.
      if (tokens.op(i + 1, '.') && tokens.name(i + 2, 'meta')) return true;
      // Not `import(…)`: a script's too.
      if (depth === 0 && (next === NAME || next === STR || tokens.op(i + 1, '{') || tokens.op(i + 1, '*'))) return true;
    } else if (tokens.name(i, 'export') && depth === 0) {
      // Not a key or a method named so (`{ export: 1 }`, `export() {}`).
      if (next === NAME || tokens.op(i + 1, '{') || tokens.op(i + 1, '*') || tokens.op(i + 1, '=')) return true;
    }
  }
  return false;
}

function lexQuoted(src: string, i: number, tokens: TokenList): number {
  const n = src.length;
  const quote = src.charCodeAt(i);
  let j = i + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      j += src.charCodeAt(j + 1) === 13 && src.charCodeAt(j + 2) === 10 ? 3 : 2; // a line continuation by CRLF is one
      continue;
    }
    if (c === quote || c === 10) break; // a newline ends an unterminated string
    j++;
  }
  const end = Math.min(j, n);
  const stop = src.charCodeAt(end) === quote ? end + 1 : end;
  tokens.push(STR, i, stop);
  return stop;
}

/**
 * Lexes template text from `j` up to the closing backtick (pushing a string
 * token) or up to a `${` (pushing a template piece and entering code).
 * `start` is where this piece began (the backtick or the `}`).
 */
function lexTemplate(src: string, j: number, start: number, tokens: TokenList, templateStack: number[], braceDepth: number): number {
  const n = src.length;
  const continued = src.charCodeAt(start) === 125;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      j += 2;
      continue;
    }
    if (c === 96) {
      tokens.push(STR, start, j + 1, continued ? TAIL : 0);
      return j + 1;
    }
    if (c === 36 && src.charCodeAt(j + 1) === 123) {
      tokens.push(STR, start, j, continued ? MIDDLE : HEAD);
      templateStack.push(braceDepth);
      return j + 2;
    }
    j++;
  }
  tokens.push(STR, start, n, continued ? TAIL : 0);
  return n;
}
