/**
 * Passwords written as words rather than `key=value`: a command's own flag
 * (`mysql -pSecret`, `curl -u user:pass`, `wget --http-password pw`,
 * `docker login -p pw`, `sshpass -p pw`, `redis-cli -a pw`) and a `.netrc`
 * entry (`machine host login user password pw`). Flags such as `-p` and `-u`
 * mean something else to most commands (`docker run -p 8080:80`,
 * `mkdir -p`, `git push -u origin`), so each flag counts only after the
 * command it belongs to, up to that command's end.
 *
 * Not regexes over the whole text: a regex finds a command name (or
 * `machine`/`default`), then a scanner reads its words forward, up to the
 * end of the command or a bound, and the search goes on from there. Every
 * character is read a bounded number of times: linear.
 */
import { isNoSecretWord } from './redact-code.js';

/** Most characters of one command read after its name. */
const MAX_COMMAND = 4096;
/** Most words (or list items) of one command read. */
const MAX_WORDS = 256;
/** Farthest a closing quote is looked for, on the same line. */
const MAX_QUOTED = 1024;
/**
 * A quoted "token" that is code between two string literals: a concatenation of one name or call on both sides
 * (` + token + `, ` . $pass . `, ` + cfg.get("pw") + `), not a value.
 */
const NETRC_CONCATENATION_RE = /^\s{0,2}[+.]\s{0,2}[A-Za-z_$][\w$.]{0,64}(?:\([^()]{0,64}\))?\s{0,2}[+.]\s{0,2}$/;

/** The names of the commands whose password flags {@link redactCommandPasswords} reads (a regex source, no groups captured). */
export const PASSWORD_COMMAND_NAMES =
  String.raw`mysql(?:dump|admin|import|check|pump|show|sh|binlog|slap)?|mariadb(?:-?(?:dump|admin|import|check|show|binlog|slap))?|curl|wget|sshpass|redis-cli|docker`;

/**
 * A command name. It must start a word (checked by {@link startsCommand}: a
 * look-behind here would be tried at every position, several times slower)
 * and be followed by a blank (a shell command) or a quote (an item of an
 * argv list: `["mysql", "-u", ...]`, its quotes escaped when the code sits
 * in a JSON string).
 */
const COMMAND_RE = new RegExp(`(${PASSWORD_COMMAND_NAMES})(?=[ \\t]|\\\\{0,7}["'])`, 'g');

/** Words after which a command name is a command (`sudo mysql ...`, `xargs curl ...`, a prompt's `$`, Dockerfile's `RUN`). */
const COMMAND_PREFIXES = new Set(['sudo', 'env', 'exec', 'time', 'xargs', 'nohup', 'command', 'then', 'do', 'else', 'RUN', '--', '!', '$', '#', '%']);

/** A character of a path (`/usr/local/bin/`, `./bin/`). */
function isPathChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 47 || c === 46 || c === 95 || c === 45;
}

/**
 * Where the blanks (spaces, tabs, a tab as JSON writes it) before `i` start, looking back at most 256
 * characters: the index of the character before them (-1: the text's start).
 */
function blanksBefore(text: string, i: number): number {
  let j = i - 1;
  for (let n = 0; j >= 0 && n < 256; n++) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9) j--;
    else if (c === 116 && text.charCodeAt(j - 1) === 92) j -= 2; // `\t` as JSON writes a tab
    else break;
  }
  return j;
}

/** Whether `j` (-1: the text's start) ends a line: the start, a line end, or a line end as JSON writes it (`\n`). */
function lineEndAt(text: string, j: number): boolean {
  if (j < 0) return true;
  const c = text.charCodeAt(j);
  return c === 10 || c === 13 || ((c === 110 || c === 114) && text.charCodeAt(j - 1) === 92);
}

/**
 * Whether a command name at `i` is in a command's position: first on its line (after blanks, a YAML
 * list's `- `, a YAML key such as `run:`), after `;`, `|`, `&`, `(` (and `$(`), a backquote, a quote
 * (a string holding the command: `os.system("mysql ...")`), after a word that runs a command (`sudo`,
 * `env`, `exec`, `time`, `xargs`, a prompt's `$`, ...) or shell assignments (`MYSQL_PWD=x mysql`), or as
 * the command `docker exec`/`docker run`/`kubectl exec` runs in a container (`docker exec -it db mysql`).
 * A path is a command's only in a `bin/` directory (`/usr/bin/mysql`; not `/var/lib/mysql`). Not an
 * argument (`find / -name mysql`, `--link mysql`): another command's `-p…` follows it. Bounded look-backs.
 */
function startsCommand(text: string, i: number, depth = 0): boolean {
  let p = i;
  if (text.charCodeAt(p - 1) === 47) {
    // `/usr/bin/mysql`, `./bin/mysql`: the path starts the command.
    if (!text.startsWith('bin/', p - 4)) return false;
    let s = p - 4;
    while (s > 0 && p - s < 256 && isPathChar(text.charCodeAt(s - 1))) s--;
    p = s;
  }
  const j = blanksBefore(text, p);
  if (lineEndAt(text, j)) return true;
  const c = text.charCodeAt(j);
  // ; | & ( ` " '
  if (c === 59 || c === 124 || c === 38 || c === 40 || c === 96 || c === 34 || c === 39) return true;
  if (j === p - 1) return false; // no blank in between: part of another word
  // The word before.
  let w = j;
  while (w >= 0 && j - w < 64 && !isBlank(text.charCodeAt(w))) w--;
  const word = text.slice(w + 1, j + 1);
  if (COMMAND_PREFIXES.has(word)) return true;
  if (word === '-' || /^[A-Za-z_][A-Za-z0-9_-]{0,63}:$/.test(word)) return lineEndAt(text, blanksBefore(text, w + 1)) || word !== '-';
  if (depth < 4 && /^[A-Za-z_][A-Za-z0-9_]{0,63}=/.test(word)) return startsCommand(text, w + 1, depth + 1);
  if (word.charCodeAt(0) === 45 || word.includes('=')) return false; // an option's value (`--name mysql`)
  // `docker exec -it db mysql`, `docker run --rm mysql:8 mysql`: `exec`/`run` before, in the same command.
  let s = w;
  while (s >= 0 && w - s < 256) {
    const d = text.charCodeAt(s);
    if (d === 10 || d === 13 || d === 59 || d === 124 || d === 38 || d === 40 || d === 96) break;
    s--;
  }
  const segment = text.slice(s + 1, w + 1);
  return / exec | run /.test(segment);
}

/** The command families whose password flags are read (the redactor's screen has a bit for each: `1 << family`). */
export const MYSQL = 0;
export const CURL = 1;
export const WGET = 2;
export const LOGIN = 3;
export const SSHPASS = 4;
export const REDIS = 5;

function familyOf(name: string): number {
  switch (name.charCodeAt(0)) {
    case 109: // m
      return MYSQL;
    case 99: // c
      return CURL;
    case 119: // w
      return WGET;
    case 115: // s
      return SSHPASS;
    case 114: // r
      return REDIS;
    default: // docker
      return LOGIN;
  }
}

/** wget's options whose next word is a password (the `--x=pw` forms are `password_assignment`'s). */
const WGET_PASSWORD_FLAGS = new Set(['--password', '--http-password', '--ftp-password', '--proxy-password', '--http-passwd', '--ftp-passwd', '--proxy-passwd']);

/** What the next word of a command is, after a flag that takes a value. */
const NOTHING = 0;
const SECRET = 1;
const USER_PASSWORD = 2;

/** A blank or a line end. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Length of the run of backslashes starting at `i` (at most up to `limit`). */
function backslashRun(text: string, i: number, limit: number): number {
  let j = i;
  while (j < limit && text.charCodeAt(j) === 92) j++;
  return j - i;
}

/**
 * Where a quoted span opened at `i` ends (after its closing quote), or -1.
 * The span opens with `k` backslashes and a quote (`k` > 0: a quote escaped
 * in a JSON string) and closes with the same quote after exactly `k`
 * backslashes, on the same line (a raw line end or one JSON writes, `\n`)
 * and within {@link MAX_QUOTED} characters.
 */
function quoteEnd(text: string, i: number, k: number, limit: number): number {
  const q = text.charCodeAt(i + k);
  const stop = Math.min(limit, i + k + 1 + MAX_QUOTED);
  let run = 0; // backslashes right before `p`
  for (let p = i + k + 1; p < stop; p++) {
    const c = text.charCodeAt(p);
    if (c === 10 || c === 13) return -1;
    if (c === 92) {
      run++;
      continue;
    }
    if (c === q && run === k) return p + 1;
    if ((c === 110 || c === 114) && (run === 1 || run === 2)) return -1; // `\n`: a line end as JSON writes it
    run = 0;
  }
  return -1;
}

/**
 * The command-line blanks from `i`: spaces, tabs, a line continuation (`\`
 * then a line end, raw or as JSON writes it: three or more backslashes then
 * `n`) and a tab as JSON writes it.
 */
function skipBlanks(text: string, i: number, limit: number): number {
  let j = i;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9) {
      j++;
      continue;
    }
    if (c !== 92) break;
    const k = backslashRun(text, j, limit);
    const n = text.charCodeAt(j + k);
    if (n === 10 && k % 2 === 1) j += k + 1;
    else if (n === 13 && k % 2 === 1 && text.charCodeAt(j + k + 1) === 10) j += k + 2;
    else if (n === 116 && k <= 2) j += k + 1;
    else if (n === 110 && k >= 3) j += k + 1;
    else break;
  }
  return j;
}

/** Whether the command ends at `i`, where a word would start: a line end (raw or `\n` as JSON writes it), `;`, `|`, `&`, `)`, a backquote or a comment. */
function endsCommand(text: string, i: number, limit: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 10 || c === 13 || c === 59 || c === 124 || c === 38 || c === 41 || c === 96 || c === 35) return true;
  if (c !== 92) return false;
  const k = backslashRun(text, i, limit);
  const n = text.charCodeAt(i + k);
  return k <= 2 && (n === 110 || n === 114);
}

/**
 * End of the shell word starting at `i`: at a blank or a command's end, quoted spans read whole. A quote
 * that closes nowhere on its line ends the word, and then the command.
 */
function wordEnd(text: string, i: number, limit: number): number {
  let j = i;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 59 || c === 124 || c === 38 || c === 41 || c === 96) break;
    if (c === 34 || c === 39) {
      // A quote closed nowhere on its line closes the string the command is written in (`os.system("...")`).
      const e = quoteEnd(text, j, 0, limit);
      if (e < 0) break;
      j = e;
      continue;
    }
    if (c === 92) {
      const k = backslashRun(text, j, limit);
      const n = text.charCodeAt(j + k);
      if (n === 34 || n === 39) {
        const e = quoteEnd(text, j, k, limit);
        if (e < 0) break;
        j = e;
        continue;
      }
      if (n === 10 || n === 13 || n === 110 || n === 114 || n === 116) break; // a line end or tab, raw or escaped
      j += k;
      continue;
    }
    j++;
  }
  return j;
}

/** Edits found so far: `[from, to)` pairs, in order, each replaced by the tag. */
type Edits = number[];

/**
 * A value's text without the quotes around it, when one quoted span
 * (`'pw'`, `"pw"`, `\"pw\"`) makes the whole of `[a, b)`: `[from, to, quote]`,
 * quote being the quote character (0: unquoted).
 */
function unquoted(text: string, a: number, b: number): [number, number, number] {
  const k = backslashRun(text, a, b);
  const q = text.charCodeAt(a + k);
  if ((q === 34 || q === 39) && quoteEnd(text, a, k, b) === b) return [a + k + 1, b - k - 1, q];
  return [a, b, 0];
}

/**
 * Whether a quoted span's text is code, not a value: it begins or ends with a concatenation (`+`, PHP's `.`),
 * so the quotes are the code's, around the operator (`"-p" + pw + " db"` read from inside the code's quotes
 * gives the word `" + pw + "`).
 */
const CONCATENATION_RE = /^[ \t]*(?:\+|\.(?=[ \t$]))|(?:\+|(?:^|[ \t])\.)[ \t]*$/;

/** Whether the word `[from, to)`, quoted by `quote` (0: unquoted), is no secret. */
function noSecret(text: string, from: number, to: number, quote: number): boolean {
  const word = text.slice(from, to);
  return isNoSecretWord(word, quote === 39) || (quote !== 0 && CONCATENATION_RE.test(word));
}

/** Records `[a, b)` (a word, maybe quoted) when it holds a secret. */
function secretWord(text: string, a: number, b: number, edits: Edits): void {
  const [from, to, quote] = unquoted(text, a, b);
  if (to > from && !noSecret(text, from, to, quote)) edits.push(from, to);
}

/** Records the password of `user:password` in `[a, b)`, if any (a user alone keeps everything). */
function userPassword(text: string, a: number, b: number, edits: Edits): void {
  const [from, to, quote] = unquoted(text, a, b);
  const word = text.slice(from, to); // (not `text.indexOf(':', from)`: that could read on to the text's end, every time)
  const colon = from + word.indexOf(':');
  if (colon < from || colon + 1 >= to) return;
  if (word.includes('[REDACTED:')) return; // an earlier tag's `:` is no user's
  const [pFrom, pTo, pQuote] = unquoted(text, colon + 1, to);
  if (pTo > pFrom && !noSecret(text, pFrom, pTo, pQuote || quote)) edits.push(pFrom, pTo);
}

/** Reading state of one command. */
interface Reading {
  family: number;
  /** What the next word is ({@link NOTHING}, {@link SECRET}, ...). */
  expect: number;
  /** `docker`: whether the subcommand `login` was read. */
  login: boolean;
  /** Where the command's name ends. */
  commandEnd: number;
}

/**
 * Whether `text[a, b)` is 1 to 16 blanks, quotes, commas and backslashes: what separates `sshpass` from its
 * `-p`, `docker` from `login` (the screen looks for them so).
 */
function onlyGap(text: string, a: number, b: number): boolean {
  if (b - a > 16 || b <= a) return false;
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (!(c === 32 || c === 9 || c === 34 || c === 39 || c === 44 || c === 92)) return false;
  }
  return true;
}

/**
 * Takes the word `[a, b)` of a command (`variable`: an argv item that is no
 * string literal, a name of code); `false` ends the command.
 */
function onWord(text: string, a: number, b: number, variable: boolean, st: Reading, edits: Edits): boolean {
  const expect = st.expect;
  st.expect = NOTHING;
  if (variable) return (st.family !== SSHPASS && st.family !== -1) || expect !== NOTHING;
  const [f, t] = unquoted(text, a, b);
  const dash = text.charCodeAt(f) === 45;
  if (expect === SECRET || expect === USER_PASSWORD) {
    if (dash) return onWord(text, a, b, false, st, edits);
    if (expect === SECRET) secretWord(text, a, b, edits);
    else userPassword(text, a, b, edits);
    return true;
  }
  const c1 = text.charCodeAt(f + 1);
  const len = t - f;
  switch (st.family) {
    case MYSQL:
      // `-pSecret`: only attached (`-p` alone asks; the next word is the database). Not `"-p secret"` (an argv
      // item with a blank after `-p`: the screen's check).
      if (dash && c1 === 112 && len > 2 && !isBlank(text.charCodeAt(f + 2))) secretWord(text, f + 2, t, edits);
      return true;
    case CURL: {
      if (!dash) return true;
      const flag = text.slice(f, t);
      if (flag === '-u' || flag === '-U' || flag === '--user' || flag === '--proxy-user') st.expect = USER_PASSWORD;
      else if (flag === '--oauth2-bearer') st.expect = SECRET;
      else if (/^-[A-TV-Za-tv-z][A-Za-z]{0,7}u$/.test(flag)) st.expect = USER_PASSWORD; // `-su user:pw`: flags run together
      else if ((c1 === 117 || c1 === 85) && len > 2) userPassword(text, f + 2, t, edits); // `-uuser:pw`
      else if (flag.startsWith('--user=') || flag.startsWith('--proxy-user=')) userPassword(text, f + flag.indexOf('=') + 1, t, edits);
      return true;
    }
    case WGET:
      if (dash && WGET_PASSWORD_FLAGS.has(text.slice(f, t))) st.expect = SECRET;
      return true;
    case LOGIN:
      if (!st.login) {
        // `login` right after `docker` (no global options in between: the screen looks for the two words).
        st.login = len === 5 && text.startsWith('login', f) && onlyGap(text, st.commandEnd, f);
        return st.login;
      }
      if (dash && c1 === 112 && len === 2) st.expect = SECRET;
      else if (dash && c1 === 112 && len > 2) secretWord(text, f + 2, t, edits);
      else if (dash && len === 10 && text.startsWith('--password', f)) st.expect = SECRET;
      return true;
    case SSHPASS:
      // `-p` as its first option, right after it (`sshpass -p pw ssh -p 2222 host`: what follows is the
      // command it runs, with flags of its own). Only blanks, quotes and commas in between (the screen's check).
      if (!dash || c1 !== 112 || !onlyGap(text, st.commandEnd, f)) return false;
      if (len === 2) st.expect = SECRET;
      else secretWord(text, f + 2, t, edits);
      st.family = -1; // nothing more to read
      return true;
    case REDIS:
      if (dash && ((c1 === 97 && len === 2) || (len === 6 && text.startsWith('--pass', f)))) st.expect = SECRET;
      return true;
    default: // done (sshpass after its password)
      return st.expect !== NOTHING;
  }
}

/** Reads a shell command's words from `i`; returns where it stopped. */
function readShell(text: string, i: number, limit: number, st: Reading, edits: Edits): number {
  let j = i;
  for (let words = 0; words < MAX_WORDS; words++) {
    j = skipBlanks(text, j, limit);
    if (j >= limit || endsCommand(text, j, limit)) break;
    const e = wordEnd(text, j, limit);
    if (e === j) break;
    if (!onWord(text, j, e, false, st, edits)) break;
    j = e;
  }
  return j;
}

function isStringPrefix(c: number): boolean {
  // r R b B f F u U
  return c === 114 || c === 82 || c === 98 || c === 66 || c === 102 || c === 70 || c === 117 || c === 85;
}

/**
 * Reads an argv list's items from `i` (right after the command's item):
 * string literals are words, anything else (a name, `+`) a value of code.
 * Returns where it stopped.
 */
function readArgv(text: string, i: number, limit: number, st: Reading, edits: Edits): number {
  let j = i;
  for (let items = 0; items < MAX_WORDS && j < limit; items++) {
    // Separators: blanks, commas, line ends as JSON writes them. A raw line end ends the list: the list is
    // read on one line only, as the screen looks for curl's `user:password` on the flag's line.
    while (j < limit) {
      const c = text.charCodeAt(j);
      if (c === 32 || c === 9 || c === 44) {
        j++;
        continue;
      }
      if (c === 92) {
        const k = backslashRun(text, j, limit);
        const n = text.charCodeAt(j + k);
        if (n === 110 || n === 114 || n === 116) {
          j += k + 1;
          continue;
        }
      }
      break;
    }
    if (j >= limit) break;
    const c = text.charCodeAt(j);
    if (c === 93 || c === 41 || c === 125) break; // ] ) }
    let s = j;
    if (isStringPrefix(c)) {
      // A Python string prefix (`f"-p{pw}"`, `rb'...'`) before a quote.
      let p = j + 1;
      if (isStringPrefix(text.charCodeAt(p))) p++;
      const k = backslashRun(text, p, limit);
      const q = text.charCodeAt(p + k);
      if (q === 34 || q === 39) s = p;
    }
    const k = backslashRun(text, s, limit);
    const q = text.charCodeAt(s + k);
    if (q === 34 || q === 39) {
      const e = quoteEnd(text, s, k, limit);
      if (e < 0) break;
      if (!onWord(text, s, e, false, st, edits)) break;
      j = e;
      continue;
    }
    // Code: a name, an operator; up to the next separator.
    let e = j;
    while (e < limit && e - j < 256) {
      const d = text.charCodeAt(e);
      if (d === 32 || d === 9 || d === 10 || d === 13 || d === 44 || d === 93 || d === 41 || d === 125 || d === 34 || d === 39 || d === 92) break;
      e++;
    }
    if (e === j) break;
    if (!onWord(text, j, e, true, st, edits)) break;
    j = e;
  }
  return j;
}

/** Replaces each edit `[from, to)` of `text` by `[REDACTED:kind]`. */
function applyEdits(text: string, edits: Edits, kind: string): { text: string; count: number } {
  if (edits.length === 0) return { text, count: 0 };
  let out = '';
  let last = 0;
  for (let k = 0; k < edits.length; k += 2) {
    out += text.slice(last, edits[k]) + `[REDACTED:${kind}]`;
    last = edits[k + 1]!;
  }
  return { text: out + text.slice(last), count: edits.length / 2 };
}

/**
 * `cli_password`: the password a command takes as a flag's word. mysql,
 * mysqldump, mysqladmin, ..., mariadb: `-pSecret` (attached only). curl:
 * `-u`/`--user`/`-U`/`--proxy-user user:password` (the part after the
 * first `:`; a user alone keeps everything), `--oauth2-bearer token`.
 * wget: `--password pw`, `--http-password pw`, `--ftp-password pw`,
 * `--proxy-password pw`. docker login: `-p pw`, `--password pw`.
 * sshpass: `-p pw` (its first option). redis-cli: `-a pw`, `--pass pw`. A shell reference
 * (`$PW`, `"${PW}"`, `$(cat f)`), a template field (`{pw}`, `%s`) or a
 * placeholder (`<password>`, `***`) is kept.
 */
export function redactCommandPasswords(text: string): { text: string; count: number } {
  const edits: Edits = [];
  COMMAND_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = COMMAND_RE.exec(text)) !== null) {
    const start = m.index;
    const end = start + m[1]!.length;
    if (!startsCommand(text, start)) {
      COMMAND_RE.lastIndex = start + 1;
      continue;
    }
    const limit = Math.min(text.length, end + MAX_COMMAND);
    const st: Reading = { family: familyOf(m[1]!), expect: NOTHING, login: false, commandEnd: end };
    let stop: number;
    const k = backslashRun(text, end, limit);
    const q = text.charCodeAt(end + k);
    if ((q === 34 || q === 39) && start >= k + 1 && text.charCodeAt(start - 1) === q && backslashRun(text, start - 1 - k, start - 1) === k) {
      // An argv item after an option (`"--name", "mysql", "-p3306:3306"`) is the option's value.
      if (/-[A-Za-z0-9-]{1,40}\\{0,7}["'][ \t]*,[ \t]*$/.test(text.slice(Math.max(0, start - 1 - k - 64), start - 1 - k))) {
        COMMAND_RE.lastIndex = start + 1;
        continue;
      }
      stop = readArgv(text, end + k + 1, limit, st, edits); // `["mysql", "-u", ...]`
    } else {
      stop = readShell(text, end, limit, st, edits);
    }
    COMMAND_RE.lastIndex = Math.max(stop, end);
  }
  return applyEdits(text, edits, 'cli_password');
}

// ---------------------------------------------------------------------------
// .netrc
// ---------------------------------------------------------------------------

/** Most characters of a token of an entry read. */
const MAX_NETRC_TOKEN = 256;
/** Most whitespace read between tokens. */
const MAX_NETRC_GAP = 256;

/** Whitespace between tokens of an entry (line ends too, raw or as JSON writes them) from `i`. */
function skipSpace(text: string, i: number): number {
  let j = i;
  const stop = Math.min(text.length, i + MAX_NETRC_GAP);
  while (j < stop) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      j++;
      continue;
    }
    if (c === 92) {
      const k = backslashRun(text, j, stop);
      const n = text.charCodeAt(j + k);
      if (k <= 7 && (n === 110 || n === 114 || n === 116)) {
        j += k + 1;
        continue;
      }
    }
    break;
  }
  return j;
}

/** End of the token at `i`: up to whitespace, a quote, or a line end or tab as JSON writes it. */
function tokenEnd(text: string, i: number): number {
  let j = i;
  const stop = Math.min(text.length, i + MAX_NETRC_TOKEN);
  while (j < stop) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39) break;
    if (c === 92) {
      const k = backslashRun(text, j, stop);
      const n = text.charCodeAt(j + k);
      if (n === 110 || n === 114 || n === 116 || n === 34 || n === 39) break;
      j += k;
      continue;
    }
    j++;
  }
  return j;
}

/** The entry keyword `text[a, b)` is: 1 login, 2 password, 3 account or port, 0 none. */
function netrcKeyword(text: string, a: number, b: number): number {
  const len = b - a;
  if (len === 5 && text.startsWith('login', a)) return 1;
  if (len === 8 && text.startsWith('password', a)) return 2;
  if ((len === 7 && text.startsWith('account', a)) || (len === 4 && text.startsWith('port', a))) return 3;
  return 0;
}

/**
 * `netrc_password`: the password of a `.netrc` entry (`machine host login
 * user password pw`, `default login user password pw`), its tokens on one
 * line or several, a token maybe quoted (`password "S3 cret"`: {@link netrcToken});
 * an entry needs both `login` and `password`. A shell
 * reference (`$TOKEN`, `${{ secrets.X }}`: the entry is being written by a
 * script) or a placeholder is kept.
 */
export function redactNetrcPasswords(text: string): { text: string; count: number } {
  const edits: Edits = [];
  // Entries are looked for before each `password` keyword (followed by a blank, as in an entry), within
  // NETRC_REACH: one native search for `word` (whose `w` is rare) over the text, then searches for `machine`
  // and `default` in windows that do not overlap. Searching the whole text for those common words (or a
  // regex trying a look-behind at every position) costs several times more on prose with `password`.
  let searched = 0; // where the windows searched so far end
  let pos = 0; // where the entries read so far end
  for (let w = text.indexOf('word', 4); w >= 0; w = text.indexOf('word', w + 4)) {
    if (!netrcGapAt(text, w + 4) || !text.startsWith('pass', w - 4)) continue;
    const keyword = w - 4;
    const from = Math.max(searched, pos, keyword - NETRC_REACH);
    searched = keyword;
    if (from >= keyword) continue;
    const window = text.slice(from, keyword);
    let m = window.indexOf('machine');
    let d = window.indexOf('default');
    while (m >= 0 || d >= 0) {
      const isMachine = d < 0 || (m >= 0 && m < d);
      const at = from + (isMachine ? m : d);
      if (at >= pos && netrcEntryStart(text, at)) pos = Math.max(pos, readNetrcEntry(text, at, isMachine, edits));
      if (isMachine) m = window.indexOf('machine', m + 7);
      else d = window.indexOf('default', d + 7);
    }
  }
  return applyEdits(text, edits, 'netrc_password');
}

/**
 * Farthest an entry's `password` keyword is from its `machine`: the host and seven pairs before it, each
 * token and gap at its bound ({@link MAX_NETRC_GAP}, {@link MAX_NETRC_TOKEN} and 16 for a quoted token's quotes,
 * 64 blanks), and one more gap.
 */
const NETRC_REACH = 7 + 8 * (2 * MAX_NETRC_GAP + MAX_NETRC_TOKEN + 16 + 64);

/**
 * Reads the entry starting with `machine` (`isMachine`) or `default` at `at`; records its password, if it has
 * one and a `login`. Returns where the reading stopped.
 */
function readNetrcEntry(text: string, at: number, isMachine: boolean, edits: Edits): number {
  let i = at + 7;
  if (isMachine) {
    const h = skipSpace(text, i);
    const [from, to, e] = netrcToken(text, h);
    if (from === to || netrcKeyword(text, from, to) !== 0) return i;
    i = e;
  }
  let login = false;
  let pwFrom = -1;
  let pwTo = -1;
  let pwQuote = 0;
  for (let pairs = 0; pairs < 8; pairs++) {
    const k = skipSpace(text, i);
    const ke = tokenEnd(text, k);
    const keyword = netrcKeyword(text, k, ke);
    if (keyword === 0) break;
    const v = skipGap(text, ke);
    if (v === ke) break;
    const [from, to, ve] = netrcToken(text, v);
    if (from === to || netrcKeyword(text, from, to) !== 0) break;
    if (keyword === 1) login = true;
    else if (keyword === 2) {
      pwFrom = from;
      pwTo = to;
      pwQuote = to === ve ? 0 : text.charCodeAt(ve - 1);
    }
    i = ve;
  }
  // In single quotes `$` is a character (`'$ecret'`), not a reference. A quoted "token" that is a concatenation is
  // code between two string literals (`" password " + token + "\n"`): the quotes are the code's.
  const password = pwFrom >= 0 ? text.slice(pwFrom, pwTo) : '';
  if (login && pwFrom >= 0 && !isNoSecretWord(password, pwQuote === 39) && !(pwQuote !== 0 && NETRC_CONCATENATION_RE.test(password))) edits.push(pwFrom, pwTo);
  return i;
}

/**
 * Whether a blank that may part an entry's keyword from its value is at `i`: a space or a tab, raw or as JSON
 * writes it (`\t`, its backslash maybe doubled).
 */
export function netrcGapAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 32 || c === 9) return true;
  if (c !== 92) return false;
  const k = backslashRun(text, i, i + 8);
  return k <= 7 && text.charCodeAt(i + k) === 116;
}

/**
 * The blanks between a keyword and its value, on the same line: spaces and tabs, raw or as JSON writes a tab
 * (`password\tpw` in JSON text). At most 64.
 */
function skipGap(text: string, i: number): number {
  let v = i;
  while (v < text.length && v - i < 64) {
    const c = text.charCodeAt(v);
    if (c === 32 || c === 9) {
      v++;
      continue;
    }
    const k = c === 92 ? backslashRun(text, v, v + 8) : 0;
    if (k === 0 || k > 7 || text.charCodeAt(v + k) !== 116) break;
    v += k + 1;
  }
  return v;
}

/**
 * The token of an entry at `i`: `[from, to, end]`, its text `[from, to)` and where it ends (`from === to`: none).
 * A token in double quotes is one token, blanks included, and its quotes are not part of it: curl (7.84 on),
 * Python's `netrc` and Perl's Net::Netrc read it so (`password "S3 cret"`, backslash escapes inside). So here is
 * one in single quotes, which those tools take as characters of the token: what is between them is secret
 * either way. The quotes may be escaped (`\"S3cret\"` in JSON text). The closing quote must end the token
 * (blanks, a line end, a backslash or a quote after it: `password "S3cret", ...` in prose is no entry's); a quote
 * closed nowhere on its line is no token. An unquoted token ends in `,` or `.` only in prose: no token either.
 * Bounded by {@link MAX_NETRC_TOKEN} and 16 for the quotes.
 */
function netrcToken(text: string, i: number): [number, number, number] {
  const k = backslashRun(text, i, i + 8);
  const q = text.charCodeAt(i + k);
  if (q === 34 || q === 39) {
    const e = k <= 7 ? quoteEnd(text, i, k, Math.min(text.length, i + 2 * k + 2 + MAX_NETRC_TOKEN)) : -1;
    const c = text.charCodeAt(e);
    if (e < 0 || !(Number.isNaN(c) || isBlank(c) || c === 92 || c === 34 || c === 39)) return [i, i, i];
    return [i + k + 1, e - k - 1, e];
  }
  const e = tokenEnd(text, i);
  return endsSentence(text, e) ? [i, i, i] : [i, e, e];
}

/** Whether the token ending at `e` ends in `,` or `.`: a word of prose, not an entry's. */
function endsSentence(text: string, e: number): boolean {
  const c = text.charCodeAt(e - 1);
  return c === 44 || c === 46;
}

/**
 * Whether `machine`/`default` at `at` starts an entry: followed by whitespace (raw or as JSON writes it) and the
 * first word on its line (after blanks), or right after a quote (`echo "machine ..." >> ~/.netrc`, a JSON string).
 */
function netrcEntryStart(text: string, at: number): boolean {
  const c = text.charCodeAt(at + 7);
  if (!(c === 32 || c === 9 || c === 10 || c === 13)) {
    const k = backslashRun(text, at + 7, at + 15);
    const n = text.charCodeAt(at + 7 + k);
    if (k === 0 || k > 7 || !(n === 110 || n === 114 || n === 116)) return false;
  }
  const j = blanksBefore(text, at);
  if (lineEndAt(text, j)) return true;
  const p = text.charCodeAt(j);
  return p === 34 || p === 39;
}
