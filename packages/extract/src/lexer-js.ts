/**
 * A small linear-time JavaScript/TypeScript lexer: drops comments, keeps
 * string and template literals as tokens with their static value, and tells
 * regex literals from division so `/'/` cannot open a phantom string.
 * Template literal substitutions (`${...}`) are lexed as code, so a
 * `require()` inside one is still seen.
 */
import { NAME, NUM, OP, STR, TokenList, type DecodedString, type TemplatePiece } from './tokens.js';

/** Keywords after which a `/` starts a regex literal rather than a division. */
const REGEX_AFTER_KEYWORDS = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '\n': '', '0': '\0', $: '$' };

/** Tokenises JavaScript or TypeScript source. Never emits `nl` tokens. */
export function lexJs(src: string): TokenList {
  const tokens = new TokenList(src, decodeJsString);
  const n = src.length;
  let i = 0;
  // Brace depth at which each open template substitution resumes its template.
  const templateStack: number[] = [];
  let braceDepth = 0;

  if (src.startsWith('#!')) i = lineEnd(src, 0);

  const regexAllowed = (): boolean => {
    const last = tokens.length - 1;
    if (last < 0) return true;
    const k = tokens.kinds[last];
    if (k === NUM || k === STR) return false;
    if (k === NAME) return tokens.ends[last]! - tokens.starts[last]! <= 10 && REGEX_AFTER_KEYWORDS.has(tokens.text(last));
    const c = tokens.opChar(last);
    return !(c === 41 || c === 93 || c === 125);
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
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
      if (regexAllowed()) {
        const end = scanRegex(src, i);
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
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      tokens.push(NAME, i, j);
      i = j;
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
    tokens.push(OP, i, i + 1);
    i++;
  }
  return tokens;
}

function lineEnd(src: string, i: number): number {
  const k = src.indexOf('\n', i);
  return k < 0 ? src.length : k;
}

/** End index of a regex literal starting at `i`, or -1 when it is not one (no closing `/` on the line). */
function scanRegex(src: string, i: number): number {
  const n = src.length;
  let j = i + 1;
  let inClass = false;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 10) return -1;
    if (c === 92) {
      j += 2;
      continue;
    }
    if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === 47 && !inClass) {
      j++;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      return j;
    }
    j++;
  }
  return -1;
}

/** String token flags: a plain literal (0) or a piece of a template with substitutions. */
const HEAD = 1;
const MIDDLE = 2;
const TAIL = 3;
const PIECES: Record<number, TemplatePiece> = { [HEAD]: 'head', [MIDDLE]: 'middle', [TAIL]: 'tail' };

/** Applies JS escapes to `src[from..to)`. */
function cook(src: string, from: number, to: number): string {
  // Look for a backslash only inside the literal: an indexOf could run on to the end of the source.
  let k = from;
  while (k < to && src.charCodeAt(k) !== 92) k++;
  if (k >= to) return src.slice(from, to);
  let out = '';
  let seg = from;
  let j = k;
  while (j < to) {
    if (src.charCodeAt(j) === 92) {
      const next = src[j + 1] ?? '';
      out += src.slice(seg, j) + (SIMPLE_ESCAPES[next] ?? next);
      j += 2;
      seg = j;
    } else j++;
  }
  return out + src.slice(Math.min(seg, to), to);
}

/** Decodes a JS string token from the source: quoted and plain template literals get a value, template pieces their cooked text. */
function decodeJsString(tokens: TokenList, i: number): DecodedString {
  const src = tokens.src;
  const start = tokens.starts[i]!;
  const end = tokens.ends[i]!;
  const flag = tokens.flags[i]!;
  const opener = src.charCodeAt(start);
  // The content ends before the closing quote/backtick when the literal is terminated.
  const closed = (flag === 0 || flag === TAIL) && end - start >= 2 && src.charCodeAt(end - 1) === (flag === TAIL ? 96 : opener);
  const content = cook(src, start + 1, closed ? end - 1 : end);
  if (flag === 0) return { value: content };
  return { value: undefined, template: PIECES[flag]!, cooked: content };
}

function lexQuoted(src: string, i: number, tokens: TokenList): number {
  const n = src.length;
  const quote = src.charCodeAt(i);
  let j = i + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      j += 2;
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
