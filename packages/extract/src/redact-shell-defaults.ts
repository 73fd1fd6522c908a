/**
 * Shell parameter expansions whose word holds other expansions (`${PW:-${DEFAULT_PW:-word}}`, `${API_KEY:-${X}word}`):
 * the literal runs of such a word, at every depth, that the shell may use as the variable's value. The flat form
 * (`${NAME:-word}`, no brace in the word) is read by the assignment rule's own regex; this reader is tried only where
 * that one fails at a `${`, so text without nested expansions costs nothing more.
 */

/**
 * A literal run of an expansion's word: `[start, end)`, the operator of the expansion it is in, and whether it starts
 * that word (quotes aside).
 */
export interface ShellWordRun {
  start: number;
  end: number;
  op: string;
  first: boolean;
}

/** An expansion `${NAME op word}` read at its `$`, its word maybe holding other expansions. */
export interface NestedExpansion {
  name: string;
  op: string;
  /** Index of the closing `}`. */
  end: number;
  /** The literal runs that may be the variable's value (not under an error message's `?`/`:?`). */
  runs: ShellWordRun[];
}

/** Most characters an expansion, nested ones included, is read over. */
const MAX_EXPANSION = 512;
/**
 * Expansions nested in one another read within {@link MAX_EXPANSION} (from a `${`: each `${` of a chain closed nowhere
 * reads this many); deeper ones are read within {@link DEEP_READ} more characters.
 */
const MAX_DEPTH = 4;
/**
 * Characters read past {@link MAX_DEPTH}, up to {@link MAX_NESTING} (`${PW:-${A:-${B:-${C:-${D:-…}}}}}`: the fifth was
 * read as none before a review of 2026-12-07, its default in clear): enough for a default and the braces closing it,
 * bounded so that each `${` of a chain closed nowhere reads little more.
 */
const DEEP_READ = 128;
/** Most expansions nested in one another: a chain closed nowhere reads up to this depth from each `${` (see MAX_DEPTH). */
const MAX_NESTING = 8;

/** What one read shares across its nesting: the runs found, and whether the outer expansion is closed nowhere. */
interface Reading {
  runs: ShellWordRun[];
  /** The text or its line ended inside the expansion; the word was read up to its first blank there. */
  open: boolean;
}

/**
 * The expansion at `at` (a `${`), its word read with nested `${…}` and `$NAME` references, or undefined: no operator
 * (a plain `${NAME}` is none), or a word holding what this reader does not follow (a lone brace, a single quote closed
 * nowhere on its line, a command substitution, `$(…)` or backquoted, closed nowhere on its line) or closed nowhere within {@link MAX_EXPANSION} characters. Closed nowhere before its line's or the text's end
 * (a snippet cut short: `${API_KEY:-${X:-…}`), it ends where the word it was reading at that end has its first blank, as
 * a flat word closed nowhere does (`end` is the character before that blank or line end). Linear in what it reads.
 */
export function readNestedExpansion(text: string, at: number): NestedExpansion | undefined {
  const reading: Reading = { runs: [], open: false };
  const limit = Math.min(text.length, at + MAX_EXPANSION);
  const head = readHead(text, at);
  if (head === undefined || head.op === '}') return undefined;
  const end = readWord(text, head.wordStart, head.op, limit, 1, reading);
  if (end < 0) return undefined;
  return { name: head.name, op: head.op, end: reading.open ? end - 1 : end, runs: reading.runs };
}

/**
 * The name (`[A-Za-z_][A-Za-z0-9_]{0,63}`) then an operator (`:?[-=+?]`), or the closing brace (`${NAME:-`, `${NAME}`),
 * after the `${` at `at`. Read by hand, not by a regex: every `${` of a chain closed nowhere reads eight levels, and the
 * regex's match arrays were a fifth of the time of 1 MB of `${API_KEY:-$X`.
 */
function readHead(text: string, at: number): { name: string; op: string; wordStart: number } | undefined {
  if (text.charCodeAt(at) !== 36 || text.charCodeAt(at + 1) !== 123) return undefined;
  const start = at + 2;
  let i = start;
  const c = text.charCodeAt(i);
  if (!(c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return undefined;
  // The name's other characters, 63 at most (a longer one is none: the regex wanted the operator right after them).
  for (i++; i - start < 64; i++) {
    const d = text.charCodeAt(i);
    if (!(d === 95 || (d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
  }
  let o = text.charCodeAt(i);
  const colon = o === 58;
  if (colon) o = text.charCodeAt(i + 1);
  const opEnd = i + (colon ? 1 : 0) + 1;
  if (o === 45 || o === 61 || o === 43 || o === 63 || (!colon && o === 125)) return { name: text.slice(start, i), op: text.slice(i, opEnd), wordStart: opEnd };
  return undefined;
}

/**
 * Reads a word from `i` to its closing `}` (returned; -1: not read; `reading.open`: where the word read ends, see
 * {@link openEnd}), pushing its literal runs (none under `?`: a message) and those of the expansions nested in it.
 */
function readWord(text: string, i: number, op: string, limit: number, depth: number, reading: Reading): number {
  const message = op.endsWith('?');
  let runStart = i;
  let first = true;
  const close = (at: number): void => {
    if (at > runStart && !message) reading.runs.push({ start: runStart, end: at, op, first });
    first = false;
  };
  // The first blank of this word's own text (not of a nested word's): where it ends if closed nowhere.
  let blank = -1;
  // A literal `$` past that blank (`${XPWD= Xk9…$&`), or one before a blank after a key's separator (`${XPWD=$&pwd=a:b?api_key=
  // Xk9…`): a word closed nowhere holding one is refused, as before the literal was read (review of 2026-12-07): it ends
  // at the blank, and the words after it, which the assignment rule redacted (a trailing key's value), were left in clear.
  let literal = false;
  let literalPastBlank = false;
  // Past the depth followed within the whole read, a little more only (see DEEP_READ).
  if (depth > MAX_NESTING) return -1;
  if (depth > MAX_DEPTH) limit = Math.min(limit, i + DEEP_READ);
  while (i < limit || (i === text.length && i === limit)) {
    const c = text.charCodeAt(i);
    if (c === 125) {
      close(i);
      return i;
    }
    // The text or the line ends inside the word (see readNestedExpansion).
    if (i === text.length || c === 10 || c === 13) {
      if (literalPastBlank || (literal && keySeparatorBefore(text, blank))) return -1;
      close(i);
      reading.open = true;
      return openEnd(reading.runs, blank, i);
    }
    if (blank < 0 && (c === 32 || c === 9)) blank = i;
    if (c === 36) {
      if (text.charCodeAt(i + 1) === 123) {
        const head = readHead(text, i);
        if (head === undefined) return -1;
        close(i);
        // `${NAME}` is a reference; `${NAME op word}` has its own word, whose runs are values as this one's are.
        const end = head.op === '}' ? head.wordStart - 1 : readWord(text, head.wordStart, message ? '?' : head.op, limit, depth + 1, reading);
        if (end < 0) return end;
        if (reading.open) return literalPastBlank || (literal && keySeparatorBefore(text, blank)) ? -1 : openEnd(reading.runs, blank, end);
        i = runStart = end + 1;
        continue;
      }
      // A command substitution (`$(cat x)`, `$((1+2))`): what the shell runs, no literal; the runs around it are
      // (`${API_KEY:-$(cat x)…}`: read as none, its literal in clear, before a review of 2026-12-07's review).
      if (text.charCodeAt(i + 1) === 40) {
        const end = substitutionEnd(text, i + 2, limit);
        if (end < 0) return -1;
        close(i);
        i = runStart = end + 1;
        continue;
      }
      const refEnd = referenceEnd(text, i);
      // A `$` no name, special parameter, `{`, `(` or quote follows (`$&`, `$/`, `$%`) is a literal of the run, as the
      // shell reads it: refused, the word was left to the assignment rule, which cut its value at a `&`, and a second
      // pass read the word, the `&` glued to the tag (not idempotent; seed 992381996 of the property).
      if (refEnd < 0 && literalDollar(text.charCodeAt(i + 1))) {
        literal = true;
        if (blank >= 0) literalPastBlank = true;
        i++;
        continue;
      }
      if (refEnd < 0) return -1; // `$'…'`: not followed here
      close(i);
      i = runStart = refEnd;
      continue;
    }
    // A backslash escapes the next character, a literal of the run (`\}`, `\$`), as in a flat word; not a line's end.
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (Number.isNaN(e) || e === 10 || e === 13) return -1;
      i += 2;
      continue;
    }
    // Quotes around a part of the word (`${API_KEY:-"…"}`, `'…'`: their content a literal run, no quote in it; in clear,
    // flat or nested, before a review of 2026-12-07). A `"` parts runs (what is between is read as the word is); `'…'`
    // is literal whole, closed on its line within the read. Quotes first in the word leave the run after them its first.
    if (c === 34 || c === 39) {
      const quoteEnd = c === 39 ? singleQuoteEnd(text, i + 1, limit) : i;
      if (quoteEnd < 0) return -1;
      if (i > runStart) close(i);
      runStart = i + 1;
      if (c === 39) {
        if (quoteEnd > runStart) close(quoteEnd);
        runStart = quoteEnd + 1;
      }
      i = runStart;
      continue;
    }
    // A backquoted command substitution, as `$(…)` (closed on its line within the read; no escape of a backquote in it).
    if (c === 96) {
      const end = backquoteEnd(text, i + 1, limit);
      if (end < 0) return -1;
      close(i);
      i = runStart = end + 1;
      continue;
    }
    // A lone brace: what the shell reads otherwise.
    if (c === 123) return -1;
    i++;
  }
  return -1;
}

/**
 * Where a word closed nowhere ends (`stop`, what it was read to, or its own first `blank` before that), the runs past that
 * blank dropped or cut at it: a flat word closed nowhere ends at its first blank too, and a second pass, reading an earlier
 * tag there, must read the same word (`${DB_PASSWORD:-[REDACTED:…]  --token ${X}`).
 */
function openEnd(runs: ShellWordRun[], blank: number, stop: number): number {
  if (blank < 0 || blank >= stop) return stop;
  while (runs.length > 0 && runs[runs.length - 1]!.start >= blank) runs.pop();
  const last = runs[runs.length - 1];
  if (last !== undefined && last.end > blank) last.end = blank;
  return blank;
}

/** The closing `'` of a single-quoted part read from `i` on its line within `limit`, or -1. */
function singleQuoteEnd(text: string, i: number, limit: number): number {
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 39) return i;
    if (c === 10 || c === 13) return -1;
  }
  return -1;
}

/**
 * The `)` closing a command substitution whose content starts at `i` (after `$(`), on its line within `limit`, or -1:
 * parentheses counted, quotes, backslash escapes and backquotes passed over. A `${` in it is -1 too: the expansions a
 * command holds (`` `${DB_PASSWORD-…}` ``) are read by the rule's scan going on inside the word, as before such words
 * were read. Linear in what it reads.
 */
function substitutionEnd(text: string, i: number, limit: number): number {
  let depth = 1;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || isExpansionAt(text, i)) return -1;
    if (c === 92) i++;
    else if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i;
    else if (c === 39) {
      i = singleQuoteEnd(text, i + 1, limit);
      if (i < 0) return -1;
    } else if (c === 34 || c === 96) {
      i = quoteEnd(text, i + 1, limit, c);
      if (i < 0) return -1;
    }
  }
  return -1;
}

/** The closing backquote of a command substitution read from `i` on its line within `limit`, or -1. */
function backquoteEnd(text: string, i: number, limit: number): number {
  return quoteEnd(text, i, limit, 96);
}

/** The closing `quote` (a `"` or a backquote) read from `i` on its line within `limit`, a backslash escaping one character; or -1. */
function quoteEnd(text: string, i: number, limit: number, quote: number): number {
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) return i;
    if (c === 10 || c === 13 || isExpansionAt(text, i)) return -1;
    if (c === 92) i++;
  }
  return -1;
}

/** Whether a key's separator (`=`, `:`) is right before the blank at `blank` (-1: none). */
function keySeparatorBefore(text: string, blank: number): boolean {
  const c = blank > 0 ? text.charCodeAt(blank - 1) : 0;
  return c === 61 || c === 58;
}

/** Whether a `$` followed by `c` (no reference: see {@link referenceEnd}) is a literal: not a quote, a line end or the text's end. */
function literalDollar(c: number): boolean {
  return !Number.isNaN(c) && c !== 39 && c !== 34 && c !== 10 && c !== 13 && c !== 96 && c !== 92;
}

/** Whether a `${` is at `i`. */
function isExpansionAt(text: string, i: number): boolean {
  return text.charCodeAt(i) === 36 && text.charCodeAt(i + 1) === 123;
}

/**
 * Where a reference `$NAME` (`\$[A-Za-z_][A-Za-z0-9_]{0,63}`, or a special parameter, `$1`, `$@`) read at `i` (its `$`)
 * inside a word ends, or -1 (no literal; read by hand, as {@link readHead} is, for the chains closed nowhere).
 */
function referenceEnd(text: string, i: number): number {
  const c = text.charCodeAt(i + 1);
  if (c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
    let j = i + 2;
    while (j - i - 1 < 64) {
      const d = text.charCodeAt(j);
      if (!(d === 95 || (d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
      j++;
    }
    return j;
  }
  // `$0`–`$9`, `$@`, `$*`, `$#`, `$?`, `$$`, `$!`, `$-`.
  return (c >= 48 && c <= 57) || c === 64 || c === 42 || c === 35 || c === 63 || c === 36 || c === 33 || c === 45 ? i + 2 : -1;
}
