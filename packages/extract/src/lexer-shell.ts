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

const META = new Set([' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '<', '>']);

/** Splits shell source (expects `\n` line ends) into simple commands. */
export function lexShell(src: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const n = src.length;
  let cur: ShellCommand = { words: [], redirects: [] };
  let pending: { redirect: ShellRedirect; delim: string; stripTabs: boolean }[] = [];
  let i = 0;

  const endCommand = (): void => {
    if (cur.words.length > 0 || cur.redirects.length > 0) commands.push(cur);
    cur = { words: [], redirects: [] };
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
    const w = parseWord(src, i);
    i = w.next;
    if (w.word.raw === '{' || w.word.raw === '}') {
      endCommand(); // group braces separate commands; a redirect after `}` still gets recorded
      continue;
    }
    cur.words.push(w.word);
  }
  endCommand();
  return commands;
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
    const w = parseWord(src, i);
    target = w.word;
    i = w.next;
  }
  const redirect: ShellRedirect = { op: op === '<<-' ? '<<' : op, fd, target };
  if (op === '<<' || op === '<<-') {
    const raw = target?.raw ?? '';
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

/** Parses one word starting at `i` (not at a metacharacter). */
function parseWord(src: string, i: number): { word: ShellWord; next: number } {
  const n = src.length;
  const start = i;
  const parts: ShellWordPart[] = [];
  let lit = '';
  let known = true;
  const flush = (): void => {
    if (lit) parts.push(lit);
    lit = '';
  };
  const dollar = (j: number): number => {
    // `j` is at '$'. Returns the index after the expansion.
    const d = src[j + 1];
    if (d === '(') {
      known = false;
      return skipBalanced(src, j + 1, '(', ')');
    }
    if (d === '{') {
      // Bounded look-ahead: an unclosed `${` must not make every later `$` rescan the input.
      const window = src.slice(j + 2, j + 68);
      const rel = window.indexOf('}');
      const close = rel < 0 ? -1 : j + 2 + rel;
      const inner = close < 0 ? '' : window.slice(0, rel);
      if (close >= 0 && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(inner)) {
        flush();
        parts.push({ var: inner });
        return close + 1;
      }
      known = false;
      return skipBalanced(src, j + 1, '{', '}');
    }
    if (d !== undefined && /[A-Za-z_]/.test(d)) {
      let k = j + 2;
      while (k < n && /[A-Za-z0-9_]/.test(src[k]!) && k - j < 65) k++;
      flush();
      parts.push({ var: src.slice(j + 1, k) });
      return k;
    }
    if (d !== undefined && /[0-9@*#?$!-]/.test(d)) {
      known = false;
      return j + 2;
    }
    lit += '$';
    return j + 1;
  };

  while (i < n) {
    const c = src[i]!;
    if (META.has(c)) break;
    if (c === '\\') {
      if (src[i + 1] === '\n') i += 2;
      else {
        lit += src[i + 1] ?? '';
        i += 2;
      }
      continue;
    }
    if (c === "'") {
      const k = src.indexOf("'", i + 1);
      const end = k < 0 ? n : k;
      lit += src.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '$' && src[i + 1] === "'") {
      let j = i + 2;
      while (j < n && src[j] !== "'") {
        if (src[j] === '\\') {
          lit += ANSI_ESCAPES[src[j + 1] ?? ''] ?? src[j + 1] ?? '';
          j += 2;
        } else lit += src[j++];
      }
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') {
        const d = src[j]!;
        if (d === '\\') {
          const e = src[j + 1] ?? '';
          if (e === '\n') {
            j += 2;
            continue;
          }
          lit += '$`"\\'.includes(e) ? e : '\\' + e;
          j += 2;
        } else if (d === '$') j = dollar(j);
        else if (d === '`') {
          known = false;
          const k = src.indexOf('`', j + 1);
          j = k < 0 ? n : k + 1;
        } else {
          lit += d;
          j++;
        }
      }
      i = j + 1;
      continue;
    }
    if (c === '$') {
      i = dollar(i);
      continue;
    }
    if (c === '`') {
      known = false;
      const k = src.indexOf('`', i + 1);
      i = k < 0 ? n : k + 1;
      continue;
    }
    if (c === '*' || c === '?' || c === '[' || c === '{' || c === '}') {
      // Globs and brace expansion name many files (or none); a lone `{`/`}` is a group brace.
      if (!(i === start && (c === '{' || c === '}') && (i + 1 >= n || META.has(src[i + 1]!)))) known = false;
    }
    lit += c;
    i++;
  }
  flush();
  const next = Math.min(i, n);
  return { word: { parts: known ? parts : undefined, raw: src.slice(start, next) }, next };
}
