/**
 * Here-documents as bash makes them: the body it reads (`readHeredocBody`)
 * and the text an unquoted one hands its command (`expandHeredoc`):
 * parameter expansion, command substitution and backslash escapes in the
 * body (`python - <<EOF` with `open("$F", "w")` runs `open("out.csv", "w")`
 * after `F=out.csv`). A quoted delimiter (`<<'EOF'`, `<<"EOF"`, `<<\EOF`)
 * passes the body as read: the caller does not expand it.
 */

/** Index after the delimiter line `readHeredocBody` last found (the input's end when none). */
export let heredocEnd = 0;

/**
 * The body of the here-document starting at `from`, read line by line as
 * bash reads it (sets `heredocEnd`):
 *
 * - unquoted (`join`): a line ending in an odd run of backslashes goes on
 *   to the next, the backslash and line end removed (an even run is escaped
 *   backslashes, left for `expandHeredoc`); the joined line is one line read,
 *   compared whole with the delimiter (`x \` then `EOF` is the line `x EOF`);
 * - `<<-` (`stripTabs`): leading tabs, and only tabs, are removed from each
 *   line read and from the delimiter's line. A joined line is one line: tabs
 *   after a join stay (`\ta \` then `\tb` is `a <TAB>b`), and a first part
 *   that is only tabs and the backslash leaves the next part's tabs leading.
 *
 * Without a delimiter line the body runs to the input's end (its last line
 * given a line end, as bash gives it). Linear: each character is looked at a
 * bounded number of times; a body that needs neither is one slice.
 */
export function readHeredocBody(src: string, from: number, delim: string, stripTabs: boolean, join: boolean): string {
  const n = src.length;
  let body = ''; // built only when something is removed
  let run = from; // start of the text not copied into `body` yet
  let pos = from;
  let lastLineOpen = false;
  while (pos < n) {
    let eol = src.indexOf('\n', pos);
    if (join && eol >= 0 && src.charCodeAt(eol - 1) === 92 && oddBackslashes(src, eol, pos)) {
      // A continued line (rare): its physical lines joined into one string.
      let line = '';
      let seg = pos;
      while (eol >= 0 && src.charCodeAt(eol - 1) === 92 && oddBackslashes(src, eol, seg)) {
        line += src.slice(seg, eol - 1);
        seg = eol + 1;
        eol = src.indexOf('\n', seg);
      }
      const lineEnd = eol < 0 ? n : eol;
      line += src.slice(seg, lineEnd);
      // At the input's end, a line that joins to nothing is no line (bash adds no line end for it).
      if (eol < 0 && line === '') {
        heredocEnd = n;
        return body + src.slice(run, pos);
      }
      if (stripTabs) line = stripLeadingTabs(line);
      if (line === delim) {
        heredocEnd = eol < 0 ? n : eol + 1;
        return body + src.slice(run, pos);
      }
      body += src.slice(run, pos) + line;
      run = lineEnd;
    } else {
      let start = pos;
      if (stripTabs && src.charCodeAt(pos) === 9) {
        while (start < n && src.charCodeAt(start) === 9) start++;
        body += src.slice(run, pos);
        run = start;
      }
      const lineEnd = eol < 0 ? n : eol;
      // Compared in place: no slice per body line.
      if (lineEnd - start === delim.length && src.startsWith(delim, start)) {
        heredocEnd = eol < 0 ? n : eol + 1;
        return body + src.slice(run, pos);
      }
    }
    lastLineOpen = eol < 0;
    pos = eol < 0 ? n : eol + 1;
  }
  heredocEnd = n;
  // bash ends the last line read with a line end when the input did not.
  return body + src.slice(run, n) + (lastLineOpen ? '\n' : '');
}

function stripLeadingTabs(line: string): string {
  let k = 0;
  while (line.charCodeAt(k) === 9) k++;
  return k === 0 ? line : line.slice(k);
}

/** Whether the backslashes ending just before `end` (not before `from`) are an odd run. */
function oddBackslashes(src: string, end: number, from: number): boolean {
  let k = end - 1;
  while (k >= from && src.charCodeAt(k) === 92) k--;
  return (end - 1 - k) % 2 === 1;
}

/** Bounded look-ahead for the `}` of `${NAME}` (a name longer than this is no variable we hold). */
const MAX_BRACED = 66;

/**
 * Expands `body` with the shell variables known at the command (`vars`).
 *
 * - `$NAME` and `${NAME}` of a known variable become its value.
 * - What the outer shell does not know stays unknown to the code it feeds: an
 *   unknown `$NAME`/`${NAME}`, any other `${…}` (`${F:-a.csv}`) and backquotes
 *   are written as a command substitution `$(…)`, which no detector of any
 *   language resolves (a path holding `$` is no file, an inner shell's word
 *   holding `$(` is unknown). Left as `$G`, an inner `bash` would resolve it
 *   from its own `G=…`, and a JS template would read its `${x}` as its own:
 *   both wrong, bash expanded them before.
 * - `$(…)`, `$((…))` and `$1`, `$@`, `$?` … are left as written (unknown
 *   already); a `$` before anything else is a `$`.
 * - `\$`, `` \` ``, `\\` are the character; a backslash before a line end
 *   joins the lines; before anything else it stays.
 *
 * One pass; the output grows by at most `budget` characters of values
 * (past it, known variables too are written as unknown), so it stays linear.
 */
export function expandHeredoc(body: string, vars: ReadonlyMap<string, string>, budget = body.length + 65536): string {
  // Most bodies hold nothing bash expands: no copy.
  if (!/[$`\\]/.test(body)) return body;
  const n = body.length;
  let out = '';
  let run = 0; // start of the text not copied yet
  let left = budget;
  let inBackquote = false;
  let closes: Map<number, number> | undefined;
  const known = (name: string): string | undefined => {
    const v = vars.get(name);
    if (v === undefined || v.length > left) return undefined;
    left -= v.length;
    return v;
  };
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c === 92 /* \ */) {
      const d = body.charCodeAt(i + 1);
      if (d === 36 /* $ */ || d === 96 /* ` */ || d === 92 || d === 10) {
        out += body.slice(run, i) + (d === 10 ? '' : body[i + 1]);
        i++;
        run = i + 1;
      }
      continue;
    }
    if (c === 96 /* ` */) {
      out += body.slice(run, i) + (inBackquote ? ')' : '$(');
      inBackquote = !inBackquote;
      run = i + 1;
      continue;
    }
    if (c !== 36 /* $ */) continue;
    const d = body.charCodeAt(i + 1);
    if (d === 123 /* { */) {
      let k = i + 2;
      while (k < n && k - i < MAX_BRACED && isNamePart(body.charCodeAt(k))) k++;
      const name = body.slice(i + 2, k);
      if (body.charCodeAt(k) === 125 /* } */ && name !== '' && isNameStart(name.charCodeAt(0))) {
        out += body.slice(run, i) + (known(name) ?? '$(' + name + ')');
        i = k;
      } else {
        // `${F:-x}`, `${#F}`, `${F%.csv}`, `${F:-${G}}`: an expansion we do not evaluate, written whole as
        // `$(F)`: unknown. Balanced: an unclosed `$(` would make an inner bash read the commands after it
        // as part of it. One with no `}` (bash: bad substitution) keeps its text after a `$(`.
        closes ??= expansionCloses(body);
        const close = closes.get(i);
        if (close === undefined) {
          out += body.slice(run, i) + '$(';
          i++;
        } else {
          let s = i + 2;
          while (s < close && (body.charCodeAt(s) === 35 /* # */ || body.charCodeAt(s) === 33) /* ! */) s++;
          let e = s;
          while (e < close && e - s < MAX_BRACED && isNamePart(body.charCodeAt(e))) e++;
          out += body.slice(run, i) + '$(' + (e > s ? body.slice(s, e) : '_') + ')';
          i = close;
        }
      }
      run = i + 1;
      continue;
    }
    if (isNameStart(d)) {
      let k = i + 2;
      while (k < n && isNamePart(body.charCodeAt(k))) k++;
      const name = body.slice(i + 1, k);
      out += body.slice(run, i) + (known(name) ?? '$(' + name + ')');
      i = k - 1;
      run = k;
    }
  }
  return out + body.slice(run);
}

/**
 * The `}` closing each `${` of `body` (by the index of its `$`), nested ones too (`${F:-${G}}`); a
 * `}` outside any `${` is text, and a backslash escapes the next character. One pass with a stack.
 */
function expansionCloses(body: string): Map<number, number> {
  const closes = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 36 /* $ */ && body.charCodeAt(i + 1) === 123 /* { */) open.push(i++);
    else if (c === 125 /* } */ && open.length > 0) closes.set(open.pop()!, i);
  }
  return closes;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
