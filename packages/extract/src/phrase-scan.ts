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

interface RawToken {
  text: string;
  end: number;
  /** Whitespace before it contained a newline. */
  newline: boolean;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Words after a trigger that mean the thing named is not a file ("created directory out/"). */
const NOT_A_FILE = new Set(['directory', 'directories', 'folder', 'folders', 'dir', 'dirs']);

function readToken(text: string, pos: number): RawToken | undefined {
  const n = text.length;
  let i = pos;
  let newline = false;
  while (i < n && i - pos < MAX_GAP_CHARS) {
    const c = text.charCodeAt(i);
    if (c === 10) newline = true;
    else if (!(c === 32 || c === 9 || c === 13)) break;
    i++;
  }
  if (i >= n || i - pos >= MAX_GAP_CHARS) return undefined;
  const start = i;
  const q = text.charCodeAt(i);
  if (q === 34 || q === 39 || q === 96) {
    // A quoted token may hold spaces ("my results.csv"): take it up to its closing quote on the same line.
    let j = i + 1;
    while (j < n && j - start < MAX_TOKEN_CHARS && text.charCodeAt(j) !== q && text.charCodeAt(j) !== 10) j++;
    if (text.charCodeAt(j) === q) {
      // Keep trailing punctuation glued to the closing quote (`"a.txt".`).
      let k = j + 1;
      while (k < n && k - start < MAX_TOKEN_CHARS && !isSpace(text.charCodeAt(k))) k++;
      return { text: text.slice(start, k), end: k, newline };
    }
  }
  while (i < n && i - start < MAX_TOKEN_CHARS) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    i++;
  }
  return { text: text.slice(start, i), end: i, newline };
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
  return s.slice(a, b);
}

/** Turns a raw token into a file path if it looks like one. */
export function tokenToPath(raw: string): string | undefined {
  // A path-like token has a slash or a dot (extension, dotfile): most prose words have neither.
  if (!raw.includes('.') && !raw.includes('/') && !raw.includes('\\')) return undefined;
  let s = raw;
  const link = LINK_TARGET_RE.exec(s);
  if (link !== null) s = link[1]!;
  s = trimPunctuation(s);
  if (s.length === 0) return undefined;
  const p = toFilePath(s);
  return p !== undefined && isPathLike(p) ? p : undefined;
}

/** Whether a token (already known not to be a path) closes a sentence, so the look-ahead stops there. */
function endsSentence(raw: string): boolean {
  let end = raw.length;
  const last = raw.charCodeAt(end - 1);
  if (last === 34 || last === 39 || last === 96 || last === 41) end--; // closing quote or parenthesis
  const c = raw.charCodeAt(end - 1);
  return c === 46 || c === 33 || c === 63 || c === 59; // . ! ? ;
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
      const tok = readToken(text, pos);
      if (tok === undefined) break;
      pos = tok.end;
      const p = tokenToPath(tok.text);
      if (p !== undefined) {
        out.add(p);
        pos = scanList(text, pos, tok.text, out);
        break;
      }
      if (endsSentence(tok.text) || (tok.newline && w > 0) || (tok.text.length <= 12 && NOT_A_FILE.has(tok.text.toLowerCase().replace(/[:,]$/, '')))) break;
    }
    if (trigger.lastIndex < pos) trigger.lastIndex = pos;
  }
}

/** After a path token `prev` ending at `pos`, takes further list items; returns where it stopped. */
function scanList(text: string, pos: number, prev: string, out: OrderedSet): number {
  let last = prev;
  for (let k = 0; k < MAX_LIST; k++) {
    let tok = readToken(text, pos);
    if (tok === undefined) return pos;
    const separated = /,["'`)]?$/.test(last) || tok.newline;
    if (tok.text === 'and' || tok.text === '&' || tok.text === '-' || tok.text === '*' || tok.text === '+' || tok.text === 'or') {
      tok = readToken(text, tok.end);
      if (tok === undefined) return pos;
    } else if (!separated) return pos;
    const p = tokenToPath(tok.text);
    if (p === undefined) return pos;
    out.add(p);
    pos = tok.end;
    last = tok.text;
  }
  return pos;
}
