/**
 * A small linear-time POSIX-shell lexer that splits a script into simple
 * commands with their words and redirections. Comments are dropped, quoting
 * is honoured, and here-document bodies are set aside (attached to their
 * redirection) so their contents are never taken for commands.
 */
import { heredocEnd, readHeredocBody } from './shell-heredoc.js';

/** A piece of a word: literal text, or a `$NAME`/`${NAME}` reference. */
export type ShellWordPart = string | { readonly var: string };

/**
 * One shell word. Most words are plain (no quotes, escapes, expansions or
 * globs): such a word is just its source text, which is also its value, so
 * lexing it allocates only the slice. Other words are parsed.
 */
export type ShellWord = string | ParsedShellWord;

/** A word with quotes, escapes, expansions or globs. Statically known when `literal` or `parts` is set. */
export interface ParsedShellWord {
  /** The source text of the word. */
  raw: string;
  /** The word's value when it references no variable. */
  literal: string | undefined;
  /** Literal parts and variable references, only for known words that reference variables. */
  parts: ShellWordPart[] | undefined;
}

/** The source text of a word. */
export function wordText(word: ShellWord): string {
  return typeof word === 'string' ? word : word.raw;
}

/** One redirection, e.g. `2>> err.log` or `<<EOF`. */
export interface ShellRedirect {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<>`, `<<`, `<<<`, `>&`, `<&`. */
  op: string;
  /** Explicit file descriptor (`2` in `2>`), if any. */
  fd: number | undefined;
  /** Target word (file, fd number, delimiter, here-string). */
  target: ShellWord | undefined;
  /**
   * For `<<`: the here-document body as bash reads it (`readHeredocBody`: tabs stripped for `<<-`, lines
   * joined at a backslash before the line end when unquoted) and whether the delimiter was quoted.
   */
  heredoc?: { body: string; quoted: boolean };
}

/** One simple command; it (and its arrays) is only valid during the `onCommand` call that receives it. */
export interface ShellCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  /** Its standard output goes into the next command: it ended with `|` or `|&`. */
  pipe: boolean;
}

/** A here-document whose body starts after the current line. */
interface PendingHeredoc {
  redirect: ShellRedirect;
  delim: string;
  stripTabs: boolean;
}

/** Words kept per simple command (`cp` with 100 000 arguments keeps the first 4096). */
const MAX_WORDS_PER_COMMAND = 4096;

/**
 * Splits shell source (expects `\n` line ends) into simple commands and hands
 * each to `onCommand` in order, as soon as it is complete (after its
 * here-documents are read). Streaming keeps words short-lived, which is most
 * of the speed on large scripts.
 */
export function lexShell(src: string, onCommand: (cmd: ShellCommand) => void): void {
  const n = src.length;
  /** Complete commands waiting for the here-document bodies of their line. */
  let ready: ShellCommand[] = [];
  const flushReady = (): void => {
    if (ready.length === 0) return;
    const batch = ready;
    ready = [];
    for (const c of batch) onCommand(c);
  };
  let cur: ShellCommand = { words: [], redirects: [], pipe: false };
  let pending: PendingHeredoc[] = [];
  let i = 0;

  const endCommand = (): void => {
    if (cur.words.length > 0 || cur.redirects.length > 0) {
      // Commands wait only for here-document bodies, which start after the line; usually none is pending.
      if (pending.length === 0 && ready.length === 0) {
        onCommand(cur);
        // Handed over and done with: reuse the object for the next command. Fresh arrays rather than
        // `length = 0`, which is a runtime call; most commands have no redirection to replace.
        cur.words = [];
        if (cur.redirects.length > 0) cur.redirects = [];
        cur.pipe = false;
        return;
      }
      ready.push(cur);
      cur = { words: [], redirects: [], pipe: false };
    }
    if (pending.length === 0) flushReady();
  };

  const readHeredocs = (from: number): number => {
    let pos = from;
    for (const h of pending) {
      const quoted = h.redirect.heredoc?.quoted ?? false;
      h.redirect.heredoc = { body: readHeredocBody(src, pos, h.delim, h.stripTabs, !quoted), quoted };
      pos = heredocEnd;
    }
    pending = [];
    return pos;
  };

  // Dispatch on character codes: a one-character string per input character (`src[i]`) costs more.
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 92 /* \\ */ && src.charCodeAt(i + 1) === 10) {
      i += 2;
      continue;
    }
    if (c === 10) {
      endCommand();
      i++;
      if (pending.length > 0) i = readHeredocs(i);
      flushReady();
      continue;
    }
    if (c === 35 /* # */) {
      const k = src.indexOf('\n', i);
      i = k < 0 ? n : k;
      continue;
    }
    if (c === 38 /* & */ && src.charCodeAt(i + 1) === 62) {
      const append = src.charCodeAt(i + 2) === 62;
      i = parseRedirect(src, i + (append ? 3 : 2), append ? '&>>' : '&>', undefined, cur, pending);
      continue;
    }
    if (c === 59 || c === 38 || c === 124 || c === 40 || c === 41) {
      // ; & | ( ) end the command; && || ;; |& are two characters.
      const d = src.charCodeAt(i + 1);
      if (c === 124 && d !== 124) cur.pipe = true; // `|`, `|&`
      endCommand();
      cur.pipe = false; // an empty command (`{ … } |`) hands nothing on
      i += (c === 38 && d === 38) || (c === 124 && (d === 124 || d === 38)) || (c === 59 && d === 59) ? 2 : 1;
      continue;
    }
    if (c === 60 || c === 62) {
      i = parseOperatorRedirect(src, i, undefined, cur, pending);
      continue;
    }
    if (c >= 48 && c <= 57) {
      // `2>`, `10<`: up to four digits directly before a redirection operator are its descriptor.
      let j = i;
      let fd = 0;
      while (j < n && j - i < 4) {
        const d = src.charCodeAt(j);
        if (d < 48 || d > 57) break;
        fd = fd * 10 + (d - 48);
        j++;
      }
      const after = src.charCodeAt(j);
      if (after === 60 || after === 62) {
        i = parseOperatorRedirect(src, j, fd, cur, pending);
        continue;
      }
    }
    const word = parseWord(src, i);
    i = wordEnd;
    const text = wordText(word);
    if (text === '{' || text === '}') {
      endCommand(); // group braces separate commands; a redirect after `}` still gets recorded
      continue;
    }
    // A command with thousands of words is generated noise; later words are lexed but not kept.
    if (cur.words.length < MAX_WORDS_PER_COMMAND) cur.words.push(word);
  }
  endCommand();
  pending = [];
  flushReady();
}

function parseOperatorRedirect(
  src: string,
  i: number,
  fd: number | undefined,
  cur: ShellCommand,
  pending: PendingHeredoc[],
): number {
  const c = src.charCodeAt(i); // `<` or `>`
  const d = src.charCodeAt(i + 1);
  if (d === 40 /* ( */) {
    // Process substitution: an opaque, unresolvable word.
    const end = skipBalanced(src, i + 1, '(', ')');
    const raw = src.slice(i, end);
    cur.words.push({ raw, literal: undefined, parts: undefined } satisfies ParsedShellWord);
    return end;
  }
  if (c === 60 && d === 60) {
    const e = src.charCodeAt(i + 2);
    if (e === 60) return parseRedirect(src, i + 3, '<<<', fd, cur, pending);
    if (e === 45) return parseRedirect(src, i + 3, '<<-', fd, cur, pending);
    return parseRedirect(src, i + 2, '<<', fd, cur, pending);
  }
  if (c === 60) {
    if (d === 62) return parseRedirect(src, i + 2, '<>', fd, cur, pending);
    if (d === 38) return parseRedirect(src, i + 2, '<&', fd, cur, pending);
    return parseRedirect(src, i + 1, '<', fd, cur, pending);
  }
  if (d === 62) return parseRedirect(src, i + 2, '>>', fd, cur, pending);
  if (d === 124) return parseRedirect(src, i + 2, '>|', fd, cur, pending);
  if (d === 38) return parseRedirect(src, i + 2, '>&', fd, cur, pending);
  return parseRedirect(src, i + 1, '>', fd, cur, pending);
}

function parseRedirect(
  src: string,
  i: number,
  op: string,
  fd: number | undefined,
  cur: ShellCommand,
  pending: PendingHeredoc[],
): number {
  const n = src.length;
  while (i < n && (src.charCodeAt(i) === 32 || src.charCodeAt(i) === 9)) i++;
  let target: ShellWord | undefined;
  if (i < n && !isMetaCode(src.charCodeAt(i))) {
    target = parseWord(src, i);
    i = wordEnd;
  }
  // A redirection without a target (`> ;`, or `> > >`) is a syntax error; it names nothing.
  if (target === undefined) return i;
  const redirect: ShellRedirect = { op: op === '<<-' ? '<<' : op, fd, target };
  if (op === '<<' || op === '<<-') {
    const raw = wordText(target);
    const quoted = /['"\\]/.test(raw);
    redirect.heredoc = { body: '', quoted };
    pending.push({ redirect, delim: raw.replace(/['"\\]/g, ''), stripTabs: op === '<<-' });
  }
  cur.redirects.push(redirect);
  return i;
}

/** Index after the bracket that closes the one at `i`, skipping quoted text. Linear. */
function skipBalanced(src: string, i: number, open: string, close: string): number {
  const n = src.length;
  let depth = 0;
  let j = i;
  while (j < n) {
    const c = src[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === "'") {
      const k = src.indexOf("'", j + 1);
      j = k < 0 ? n : k + 1;
      continue;
    }
    if (c === '"') {
      j = skipDoubleQuoted(src, j + 1);
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth <= 0) return j + 1;
    }
    j++;
  }
  return n;
}

function skipDoubleQuoted(src: string, j: number): number {
  const n = src.length;
  while (j < n) {
    const c = src[j]!;
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else j++;
  }
  return n;
}

const ANSI_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };

/** Character classes of ASCII codes for `parseWord`: one table load per character instead of a chain of comparisons. */
const ORDINARY = 0;
/** Ends an unquoted word: blanks, newline, `; & | ( ) < >`. */
const META = 1;
/** Needs the full word parser: quotes, escapes, expansions, globs, braces. */
const SPECIAL = 2;
const CHAR_CLASS = new Uint8Array(128);
for (const ch of ' \t\n\r;&|()<>') CHAR_CLASS[ch.charCodeAt(0)] = META;
for (const ch of '\\\'"$`*?[{}') CHAR_CLASS[ch.charCodeAt(0)] = SPECIAL;

function charClass(c: number): number {
  return c < 128 ? CHAR_CLASS[c]! : ORDINARY;
}

/** Whether a character code ends an unquoted word. */
function isMetaCode(c: number): boolean {
  return charClass(c) === META;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Accumulates one word's value; one instance per word that needs more than a slice (no per-word closures). */
class WordBuilder {
  /** Finished parts, created at the first variable reference. */
  parts: ShellWordPart[] | undefined = undefined;
  lit = '';
  known = true;

  /** Appends the literal text `src[from, to)`; nothing for an empty range (a run of `''` slices nothing). */
  text(src: string, from: number, to: number): void {
    if (to > from) this.lit += src.slice(from, to);
  }

  private variable(name: string): void {
    const parts = this.parts ?? (this.parts = []);
    if (this.lit) parts.push(this.lit);
    this.lit = '';
    parts.push({ var: name });
  }

  /** The finished word. */
  word(raw: string): ParsedShellWord {
    if (!this.known) return { raw, literal: undefined, parts: undefined };
    if (this.parts === undefined) return { raw, literal: this.lit, parts: undefined };
    if (this.lit) this.parts.push(this.lit);
    return { raw, literal: undefined, parts: this.parts };
  }

  /** Expands the `$...` at `j`; returns the index after it. */
  dollar(src: string, j: number): number {
    const d = src.charCodeAt(j + 1);
    if (d === 40 /* ( */) {
      this.known = false;
      return skipBalanced(src, j + 1, '(', ')');
    }
    if (d === 123 /* { */) {
      // Bounded look-ahead: an unclosed `${` must not make every later `$` rescan the input.
      const window = src.slice(j + 2, j + 68);
      const rel = window.indexOf('}');
      const inner = rel < 0 ? '' : window.slice(0, rel);
      if (rel >= 0 && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(inner)) {
        this.variable(inner);
        return j + 3 + rel;
      }
      this.known = false;
      return skipBalanced(src, j + 1, '{', '}');
    }
    if (isNameStart(d)) {
      let k = j + 2;
      while (k < src.length && isNamePart(src.charCodeAt(k)) && k - j < 65) k++;
      this.variable(src.slice(j + 1, k));
      return k;
    }
    if ((d >= 48 && d <= 57) || d === 64 || d === 42 || d === 35 || d === 63 || d === 36 || d === 33 || d === 45) {
      this.known = false; // $1 $@ $* $# $? $$ $! $-
      return j + 2;
    }
    this.lit += '$';
    return j + 1;
  }
}

/** Index after the word `parseWord` last returned (saves allocating a result pair per word). */
let wordEnd = 0;

/**
 * Parses one word starting at `i` (not at a metacharacter); sets `wordEnd`.
 * A plain word (no quotes, escapes, expansions or globs) is one slice.
 */
function parseWord(src: string, i: number): ShellWord {
  const n = src.length;
  const start = i;
  let plain = i;
  while (plain < n) {
    const cls = charClass(src.charCodeAt(plain));
    if (cls === META) break;
    if (cls === SPECIAL) {
      plain = -1;
      break;
    }
    plain++;
  }
  if (plain >= 0) {
    wordEnd = plain;
    const raw = src.slice(start, plain);
    return raw; // a plain word is its own value
  }
  const w = new WordBuilder();
  let seg = i;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isMetaCode(c)) break;
    if (c === 92 /* \ */) {
      w.text(src, seg, i);
      if (src.charCodeAt(i + 1) !== 10) w.lit += src[i + 1] ?? '';
      i += 2;
      seg = i;
      continue;
    }
    if (c === 39 /* ' */) {
      w.text(src, seg, i);
      const k = src.indexOf("'", i + 1);
      const end = k < 0 ? n : k;
      w.text(src, i + 1, end);
      i = end + 1;
      seg = i;
      continue;
    }
    if (c === 36 /* $ */ && src.charCodeAt(i + 1) === 39) {
      w.text(src, seg, i);
      let j = i + 2;
      let run = j;
      while (j < n && src.charCodeAt(j) !== 39) {
        if (src.charCodeAt(j) === 92) {
          w.lit += src.slice(run, j) + (ANSI_ESCAPES[src[j + 1] ?? ''] ?? src[j + 1] ?? '');
          j += 2;
          run = j;
        } else j++;
      }
      w.text(src, run, Math.min(j, n));
      i = j + 1;
      seg = i;
      continue;
    }
    if (c === 34 /* " */) {
      w.text(src, seg, i);
      let j = i + 1;
      let run = j;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 34) break;
        if (d === 92) {
          const e = src[j + 1] ?? '';
          w.lit += src.slice(run, j) + (e === '\n' ? '' : '$`"\\'.includes(e) ? e : '\\' + e);
          j += 2;
          run = j;
        } else if (d === 36) {
          w.text(src, run, j);
          j = w.dollar(src, j);
          run = j;
        } else if (d === 96) {
          w.text(src, run, j);
          w.known = false;
          const k = src.indexOf('`', j + 1);
          j = k < 0 ? n : k + 1;
          run = j;
        } else j++;
      }
      w.text(src, run, Math.min(j, n));
      i = j + 1;
      seg = i;
      continue;
    }
    if (c === 36) {
      w.text(src, seg, i);
      i = w.dollar(src, i);
      seg = i;
      continue;
    }
    if (c === 96 /* ` */) {
      w.text(src, seg, i);
      w.known = false;
      const k = src.indexOf('`', i + 1);
      i = k < 0 ? n : k + 1;
      seg = i;
      continue;
    }
    if (c === 42 || c === 63 || c === 91 || c === 123 || c === 125) {
      // Globs and brace expansion name many files (or none); a lone `{`/`}` is a group brace.
      const lone = i === start && (c === 123 || c === 125) && (i + 1 >= n || isMetaCode(src.charCodeAt(i + 1)));
      if (!lone) w.known = false;
    }
    i++;
  }
  const next = Math.min(i, n);
  w.text(src, seg, next);
  wordEnd = next;
  return w.word(src.slice(start, next));
}
