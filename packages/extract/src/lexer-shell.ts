/**
 * A small linear-time POSIX-shell lexer that splits a script into simple
 * commands with their words and redirections. Comments are dropped, quoting
 * is honoured, and here-document bodies are set aside (attached to their
 * redirection) so their contents are never taken for commands.
 */

/** A piece of a word: literal text, or a `$NAME`/`${NAME}` reference. */
export type ShellWordPart = string | { readonly var: string };

/** One shell word. */
export interface ShellWord {
  /** Literal parts and variable references; `undefined` when not statically known (`$(...)`, globs, `$1`). */
  parts: ShellWordPart[] | undefined;
  /** The source text of the word. */
  raw: string;
}

/** One redirection, e.g. `2>> err.log` or `<<EOF`. */
export interface ShellRedirect {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<>`, `<<`, `<<<`, `>&`, `<&`. */
  op: string;
  /** Explicit file descriptor (`2` in `2>`), if any. */
  fd: number | undefined;
  /** Target word (file, fd number, delimiter, here-string). */
  target: ShellWord | undefined;
  /** For `<<`: the here-document body and whether the delimiter was quoted. */
  heredoc?: { body: string; quoted: boolean };
}

/** One simple command. */
export interface ShellCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
}

/** Words kept per simple command (`cp` with 100 000 arguments keeps the first 4096). */
const MAX_WORDS_PER_COMMAND = 4096;

const META = new Set([' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '<', '>']);

/**
 * Splits shell source (expects `\n` line ends) into simple commands and hands
 * each to `onCommand` in order, as soon as it is complete (after its
 * here-documents are read). Streaming keeps words short-lived, which is most
 * of the speed on large scripts.
 */
export function lexShell(src: string, onCommand: (cmd: ShellCommand) => void): void {
  const n = src.length;
  let ready: ShellCommand[] = [];
  const flushReady = (): void => {
    const batch = ready;
    ready = [];
    for (const c of batch) onCommand(c);
  };
  let cur: ShellCommand = { words: [], redirects: [] };
  let pending: { redirect: ShellRedirect; delim: string; stripTabs: boolean }[] = [];
  let i = 0;

  const endCommand = (): void => {
    if (cur.words.length > 0 || cur.redirects.length > 0) {
      ready.push(cur);
      cur = { words: [], redirects: [] };
    }
    // Commands wait only for here-document bodies, which start after the line.
    if (pending.length === 0 && ready.length > 0) flushReady();
  };

  const readHeredocs = (from: number): number => {
    let pos = from;
    for (const h of pending) {
      const bodyStart = pos;
      let found = false;
      while (pos < n) {
        const eol = src.indexOf('\n', pos);
        const lineEnd = eol < 0 ? n : eol;
        let line = src.slice(pos, lineEnd);
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        if (line === h.delim) {
          h.redirect.heredoc = { body: src.slice(bodyStart, pos), quoted: h.redirect.heredoc?.quoted ?? false };
          pos = eol < 0 ? n : eol + 1;
          found = true;
          break;
        }
        pos = eol < 0 ? n : eol + 1;
      }
      if (!found) h.redirect.heredoc = { body: src.slice(bodyStart, n), quoted: h.redirect.heredoc?.quoted ?? false };
    }
    pending = [];
    return pos;
  };

  while (i < n) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (ch === '\n') {
      endCommand();
      i++;
      if (pending.length > 0) i = readHeredocs(i);
      flushReady();
      continue;
    }
    if (ch === '#') {
      const k = src.indexOf('\n', i);
      i = k < 0 ? n : k;
      continue;
    }
    if (ch === '&' && src[i + 1] === '>') {
      const append = src[i + 2] === '>';
      i = parseRedirect(src, i + (append ? 3 : 2), append ? '&>>' : '&>', undefined, cur, pending);
      continue;
    }
    if (ch === ';' || ch === '&' || ch === '|' || ch === '(' || ch === ')') {
      endCommand();
      const two = src.slice(i, i + 2);
      i += two === '&&' || two === '||' || two === ';;' || two === '|&' ? 2 : 1;
      continue;
    }
    if (ch === '<' || ch === '>') {
      i = parseOperatorRedirect(src, i, undefined, cur, pending);
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < n && src[j]! >= '0' && src[j]! <= '9' && j - i < 4) j++;
      if ((src[j] === '>' || src[j] === '<') && j > i) {
        i = parseOperatorRedirect(src, j, Number(src.slice(i, j)), cur, pending);
        continue;
      }
    }
    const word = parseWord(src, i);
    i = wordEnd;
    if (word.raw === '{' || word.raw === '}') {
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
  pending: { redirect: ShellRedirect; delim: string; stripTabs: boolean }[],
): number {
  const s3 = src.slice(i, i + 3);
  const s2 = src.slice(i, i + 2);
  if (s2 === '<(' || s2 === '>(') {
    // Process substitution: an opaque, unresolvable word.
    const end = skipBalanced(src, i + 1, '(', ')');
    cur.words.push({ parts: undefined, raw: src.slice(i, end) });
    return end;
  }
  if (s3 === '<<<') return parseRedirect(src, i + 3, '<<<', fd, cur, pending);
  if (s3 === '<<-') return parseRedirect(src, i + 3, '<<-', fd, cur, pending);
  for (const op of ['<<', '<>', '<&', '>>', '>|', '>&']) {
    if (s2 === op) return parseRedirect(src, i + 2, op, fd, cur, pending);
  }
  return parseRedirect(src, i + 1, src[i]!, fd, cur, pending);
}

function parseRedirect(
  src: string,
  i: number,
  op: string,
  fd: number | undefined,
  cur: ShellCommand,
  pending: { redirect: ShellRedirect; delim: string; stripTabs: boolean }[],
): number {
  const n = src.length;
  while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
  let target: ShellWord | undefined;
  if (i < n && !META.has(src[i]!)) {
    target = parseWord(src, i);
    i = wordEnd;
  }
  // A redirection without a target (`> ;`, or `> > >`) is a syntax error; it names nothing.
  if (target === undefined) return i;
  const redirect: ShellRedirect = { op: op === '<<-' ? '<<' : op, fd, target };
  if (op === '<<' || op === '<<-') {
    const raw = target.raw;
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

/** Whether a character code ends an unquoted word. */
function isMetaCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 59 || c === 38 || c === 124 || c === 40 || c === 41 || c === 60 || c === 62;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Accumulates one word's parts; one instance per word (no per-word closures). */
class WordBuilder {
  parts: ShellWordPart[] = [];
  lit = '';
  known = true;

  flush(): void {
    if (this.lit) this.parts.push(this.lit);
    this.lit = '';
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
        this.flush();
        this.parts.push({ var: inner });
        return j + 3 + rel;
      }
      this.known = false;
      return skipBalanced(src, j + 1, '{', '}');
    }
    if (isNameStart(d)) {
      let k = j + 2;
      while (k < src.length && isNamePart(src.charCodeAt(k)) && k - j < 65) k++;
      this.flush();
      this.parts.push({ var: src.slice(j + 1, k) });
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
    const c = src.charCodeAt(plain);
    if (isMetaCode(c)) break;
    if (c === 92 || c === 39 || c === 34 || c === 36 || c === 96 || c === 42 || c === 63 || c === 91 || c === 123 || c === 125) {
      plain = -1;
      break;
    }
    plain++;
  }
  if (plain >= 0) {
    wordEnd = plain;
    const raw = src.slice(start, plain);
    return { parts: [raw], raw };
  }
  const w = new WordBuilder();
  let seg = i;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isMetaCode(c)) break;
    if (c === 92 /* \ */) {
      w.lit += src.slice(seg, i);
      if (src.charCodeAt(i + 1) !== 10) w.lit += src[i + 1] ?? '';
      i += 2;
      seg = i;
      continue;
    }
    if (c === 39 /* ' */) {
      w.lit += src.slice(seg, i);
      const k = src.indexOf("'", i + 1);
      const end = k < 0 ? n : k;
      w.lit += src.slice(i + 1, end);
      i = end + 1;
      seg = i;
      continue;
    }
    if (c === 36 /* $ */ && src.charCodeAt(i + 1) === 39) {
      w.lit += src.slice(seg, i);
      let j = i + 2;
      let run = j;
      while (j < n && src.charCodeAt(j) !== 39) {
        if (src.charCodeAt(j) === 92) {
          w.lit += src.slice(run, j) + (ANSI_ESCAPES[src[j + 1] ?? ''] ?? src[j + 1] ?? '');
          j += 2;
          run = j;
        } else j++;
      }
      w.lit += src.slice(run, Math.min(j, n));
      i = j + 1;
      seg = i;
      continue;
    }
    if (c === 34 /* " */) {
      w.lit += src.slice(seg, i);
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
          w.lit += src.slice(run, j);
          j = w.dollar(src, j);
          run = j;
        } else if (d === 96) {
          w.lit += src.slice(run, j);
          w.known = false;
          const k = src.indexOf('`', j + 1);
          j = k < 0 ? n : k + 1;
          run = j;
        } else j++;
      }
      w.lit += src.slice(run, Math.min(j, n));
      i = j + 1;
      seg = i;
      continue;
    }
    if (c === 36) {
      w.lit += src.slice(seg, i);
      i = w.dollar(src, i);
      seg = i;
      continue;
    }
    if (c === 96 /* ` */) {
      w.lit += src.slice(seg, i);
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
  if (seg < next) w.lit += src.slice(seg, next);
  w.flush();
  wordEnd = next;
  return { parts: w.known ? w.parts : undefined, raw: src.slice(start, next) };
}
