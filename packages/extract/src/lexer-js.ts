/**
 * A small linear-time JavaScript/TypeScript lexer: drops comments, keeps
 * string and template literals as tokens with their static value, and tells
 * regex literals from division so `/'/` cannot open a phantom string.
 * Template literal substitutions (`${...}`) are lexed as code, so a
 * `require()` inside one is still seen.
 */
import type { Token } from './tokens.js';

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
export function lexJs(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  // Brace depth at which each open template substitution resumes its template.
  const templateStack: number[] = [];
  let braceDepth = 0;

  if (src.startsWith('#!')) i = lineEnd(src, 0);

  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return true;
    if (last.kind === 'num' || last.kind === 'str') return false;
    if (last.kind === 'name') return REGEX_AFTER_KEYWORDS.has(last.text);
    return !(last.text === ')' || last.text === ']' || last.text === '}');
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
          tokens.push({ kind: 'op', text: '/re/', start: i });
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
      tokens.push({ kind: 'name', text: src.slice(i, j), start: i });
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdentPart(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      tokens.push({ kind: 'num', text: src.slice(i, j), start: i });
      i = j;
      continue;
    }
    const ch = src[i]!;
    if (ch === '{') braceDepth++;
    else if (ch === '}' && braceDepth > 0) braceDepth--;
    if (ch === '=' && src[i + 1] === '>') {
      tokens.push({ kind: 'op', text: '=>', start: i });
      i += 2;
      continue;
    }
    if (ch === '?' && src[i + 1] === '.' && !(src.charCodeAt(i + 2) >= 48 && src.charCodeAt(i + 2) <= 57)) {
      tokens.push({ kind: 'op', text: '.', start: i }); // optional chaining reads like a member access
      i += 2;
      continue;
    }
    tokens.push({ kind: 'op', text: ch, start: i });
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

function lexQuoted(src: string, i: number, tokens: Token[]): number {
  const n = src.length;
  const quote = src.charCodeAt(i);
  let j = i + 1;
  let seg = j;
  let value = '';
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      const next = src[j + 1] ?? '';
      value += src.slice(seg, j) + (SIMPLE_ESCAPES[next] ?? next);
      j += 2;
      seg = j;
      continue;
    }
    if (c === quote || c === 10) break; // a newline ends an unterminated string
    j++;
  }
  const end = Math.min(j, n);
  value += src.slice(seg, end);
  const stop = src.charCodeAt(end) === quote ? end + 1 : end;
  tokens.push({ kind: 'str', text: src.slice(i, stop), value, start: i });
  return stop;
}

/**
 * Lexes template text from `j` up to the closing backtick (pushing a `str`
 * token) or up to a `${` (pushing a dynamic `str` token and entering code).
 * `start` is where this piece began (the backtick or the `}`).
 */
function lexTemplate(src: string, j: number, start: number, tokens: Token[], templateStack: number[], braceDepth: number): number {
  const n = src.length;
  const continued = src.charCodeAt(start) === 125;
  let seg = j;
  let value = '';
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      const next = src[j + 1] ?? '';
      value += src.slice(seg, j) + (SIMPLE_ESCAPES[next] ?? next);
      j += 2;
      seg = j;
      continue;
    }
    if (c === 96) {
      value += src.slice(seg, j);
      // A template continued after `${}` is dynamic as a whole; its pieces can still be resolved.
      const tok: Token = { kind: 'str', text: src.slice(start, j + 1), value: continued ? undefined : value, start };
      if (continued) {
        tok.template = 'tail';
        tok.parts = [value];
      }
      tokens.push(tok);
      return j + 1;
    }
    if (c === 36 && src.charCodeAt(j + 1) === 123) {
      value += src.slice(seg, j);
      tokens.push({ kind: 'str', text: src.slice(start, j), value: undefined, start, template: continued ? 'middle' : 'head', parts: [value] });
      templateStack.push(braceDepth);
      return j + 2;
    }
    j++;
  }
  tokens.push({ kind: 'str', text: src.slice(start, n), value: continued ? undefined : value + src.slice(seg, n), start });
  return n;
}
