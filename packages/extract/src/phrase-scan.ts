/**
 * Finding paths that follow trigger words in prose ("saved to out.csv",
 * "Generated 2 files: a.png, b.png"). Shared by tool-result and message
 * extraction. Linear: every character is read by at most one trigger's
 * look-ahead, because the trigger search resumes after what was consumed.
 */
import type { OrderedSet } from './guard.js';
import { isPathLike, toFilePath } from './paths.js';

/** Tokens after a trigger that are looked at for a path ("saved the plot to x.png"). */
const WINDOW_TOKENS = 5;
/** Paths listed after the first ("a.csv, b.csv and c.csv"). */
const MAX_LIST = 32;
const MAX_TOKEN_CHARS = 1024;
const MAX_GAP_CHARS = 64;

/**
 * The token `readToken` last found: `[tokenStart, tokenEnd)` of the text, and
 * whether the whitespace before it held a newline. Module state rather than
 * an object per token: a trigger looks at up to five tokens, and most are
 * never sliced (a word without `.`, `/` or `\\` cannot be a path).
 */
let tokenStart = 0;
let tokenEnd = 0;
let tokenNewline = false;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Words after a trigger that mean the thing named is not a file ("created directory out/"). Lowercase ASCII. */
const NOT_A_FILE = ['directory', 'directories', 'folder', 'folders', 'dir', 'dirs'];

/** Reads the token after `pos` (skipping at most 64 whitespace characters) into `tokenStart`/`tokenEnd`; `false` when there is none. */
function readToken(text: string, pos: number): boolean {
  const n = text.length;
  let i = pos;
  let newline = false;
  while (i < n && i - pos < MAX_GAP_CHARS) {
    const c = text.charCodeAt(i);
    if (c === 10) newline = true;
    else if (!(c === 32 || c === 9 || c === 13)) break;
    i++;
  }
  if (i >= n || i - pos >= MAX_GAP_CHARS) return false;
  const start = i;
  tokenStart = start;
  tokenNewline = newline;
  const q = text.charCodeAt(i);
  if (q === 34 || q === 39 || q === 96) {
    // A quoted token may hold spaces ("my results.csv"): take it up to its closing quote on the same line.
    let j = i + 1;
    while (j < n && j - start < MAX_TOKEN_CHARS && text.charCodeAt(j) !== q && text.charCodeAt(j) !== 10) j++;
    if (text.charCodeAt(j) === q) {
      // Keep trailing punctuation glued to the closing quote (`"a.txt".`).
      let k = j + 1;
      while (k < n && k - start < MAX_TOKEN_CHARS && !isSpace(text.charCodeAt(k))) k++;
      tokenEnd = k;
      return true;
    }
  }
  while (i < n && i - start < MAX_TOKEN_CHARS) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    i++;
  }
  tokenEnd = i;
  return true;
}

/** Whether `text[start, end)` holds `.`, `/` or `\\`: without one a token is no path (most prose words). */
function hasPathCharacter(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 || c === 47 || c === 92) return true;
  }
  return false;
}

/**
 * The path named by the token `text[start, end)`, if it looks like one. A
 * short token (most words) is tested in place and usually never sliced; a
 * long one is sliced (cheap for long slices) and `tokenToPath` tests it
 * with native `includes`, faster than a character loop over 1000 characters.
 */
function pathInToken(text: string, start: number, end: number): string | undefined {
  if (end - start <= 32 && !hasPathCharacter(text, start, end)) return undefined;
  return tokenToPath(text.slice(start, end));
}

const LINK_TARGET_RE = /\]\(<?([^()<>\s]{1,1024})>?\)/;
const LEADING = '([{<"\'`*_';
const TRAILING = ')]}>"\'`*_.,;:!?';

/** Strips wrapping punctuation by scanning (a `[...]+$` regex would be quadratic on long runs). */
function trimPunctuation(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && LEADING.includes(s[a]!)) a++;
  while (b > a && TRAILING.includes(s[b - 1]!)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Turns a raw token into a file path if it looks like one. */
export function tokenToPath(raw: string): string | undefined {
  // A path-like token has a slash or a dot (extension, dotfile): most prose words have neither.
  if (!raw.includes('.') && !raw.includes('/') && !raw.includes('\\')) return undefined;
  let s = raw;
  const link = raw.includes('](') ? LINK_TARGET_RE.exec(s) : null; // the regex needs a literal `](`
  if (link !== null) s = link[1]!;
  s = trimPunctuation(s);
  if (s.length === 0) return undefined;
  const p = toFilePath(s);
  return p !== undefined && isPathLike(p) ? p : undefined;
}

/** Whether the token `text[start, end)` (already known not to be a path) closes a sentence, so the look-ahead stops there. */
function endsSentence(text: string, start: number, end: number): boolean {
  let last = end;
  const c0 = text.charCodeAt(last - 1);
  if ((c0 === 34 || c0 === 39 || c0 === 96 || c0 === 41) && last - 1 > start) last--; // closing quote or parenthesis
  const c = text.charCodeAt(last - 1);
  return c === 46 || c === 33 || c === 63 || c === 59; // . ! ? ;
}

/**
 * Whether the token `text[start, end)` is one of `NOT_A_FILE` in any case,
 * maybe followed by `:` or `,` ("Directory:"). Compared in place: the
 * trigger words themselves ("file file file") reach this test.
 */
function namesNoFile(text: string, start: number, end: number): boolean {
  if (end - start > 12) return false;
  let len = end - start;
  const last = text.charCodeAt(end - 1);
  if (last === 58 || last === 44) len--;
  for (const word of NOT_A_FILE) if (word.length === len && equalsIgnoringAsciiCase(text, start, word)) return true;
  return false;
}

/** Whether `text` at `start` holds `lower` (lowercase ASCII), ASCII letters compared case-insensitively. */
function equalsIgnoringAsciiCase(text: string, start: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = text.charCodeAt(start + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** Whether the token `text[start, end)` equals `word`. */
function tokenIs(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && text.startsWith(word, start);
}

/**
 * For every match of `trigger` (a global regex) in `text`, looks at the next
 * few tokens for a path-like token (extension or slash, not a URL), then
 * takes a following comma/`and`/bullet separated list. Adds normalised
 * paths to `out`.
 */
export function scanTriggeredPaths(text: string, trigger: RegExp, out: OrderedSet): void {
  trigger.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = trigger.exec(text)) !== null) {
    let pos = m.index + m[0].length;
    if (m[0].length === 0) trigger.lastIndex++;
    for (let w = 0; w < WINDOW_TOKENS; w++) {
      if (!readToken(text, pos)) break;
      const start = tokenStart;
      const end = tokenEnd;
      pos = end;
      const p = pathInToken(text, start, end);
      if (p !== undefined) {
        out.add(p);
        pos = scanList(text, pos, start, end, out);
        break;
      }
      if (endsSentence(text, start, end) || (tokenNewline && w > 0) || namesNoFile(text, start, end)) break;
    }
    if (trigger.lastIndex < pos) trigger.lastIndex = pos;
  }
}

/** Whether the token `text[start, end)` ends in a comma, maybe followed by a closing quote or parenthesis (`a.csv,` `"a.csv",`). */
function endsWithComma(text: string, start: number, end: number): boolean {
  const last = text.charCodeAt(end - 1);
  if (last === 44) return true;
  return (last === 34 || last === 39 || last === 96 || last === 41) && end - 2 >= start && text.charCodeAt(end - 2) === 44;
}

/** After a path token `text[prevStart, prevEnd)`, takes further list items; returns where it stopped. */
function scanList(text: string, pos: number, prevStart: number, prevEnd: number, out: OrderedSet): number {
  let lastStart = prevStart;
  let lastEnd = prevEnd;
  for (let k = 0; k < MAX_LIST; k++) {
    if (!readToken(text, pos)) return pos;
    const separated = endsWithComma(text, lastStart, lastEnd) || tokenNewline;
    const s = tokenStart;
    const e = tokenEnd;
    if (tokenIs(text, s, e, 'and') || tokenIs(text, s, e, '&') || tokenIs(text, s, e, '-') || tokenIs(text, s, e, '*') || tokenIs(text, s, e, '+') || tokenIs(text, s, e, 'or')) {
      if (!readToken(text, e)) return pos;
    } else if (!separated) return pos;
    const p = pathInToken(text, tokenStart, tokenEnd);
    if (p === undefined) return pos;
    out.add(p);
    pos = tokenEnd;
    lastStart = tokenStart;
    lastEnd = tokenEnd;
  }
  return pos;
}
