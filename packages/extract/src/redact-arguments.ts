/**
 * Secrets passed as arguments rather than assigned: scanners for the `password_assignment` kind's positional
 * forms (see the package README). Each is found from a literal the screen in `redact.ts` looks for, read
 * forward and backward a bounded number of characters, and the walk goes on after it: linear.
 *
 * - In a call of an env or secret getter or setter (`isEnvCall`), a string literal right after a string literal
 *   naming a secret's key: `os.environ.setdefault("MISTRAL_API_KEY", "…")`, `os.getenv("SERPER_API_KEY", "…")`,
 *   `set_key(".env", "COHERE_API_KEY", "…")`, `env("SECRET_KEY", default="…")` (anchor: the call's `(`; the
 *   screen wakes the rule on `",` or `',`). Read forward from the `(`: idempotent.
 * - A string literal after `??`, `||` or Python's ` or ` following an environment variable's name that is a
 *   secret's key (upper case): `process.env.MISTRAL_API_KEY ?? "…"`, `Deno.env.get("API_TOKEN") || '…'`,
 *   `os.getenv("API_KEY") or "…"` (anchor: `??`, `||`, ` or `).
 * - The password of an HTTP auth tuple or a `.login` method call: `auth=("admin", "…")`, `auth = ("admin", "…")`,
 *   `HTTPBasicAuth("admin", "…")`, `server.login("me@gmail.com", "…")`, `ftp.login(user, "…")`
 *   (anchor: `=`, `Auth(`, `gin(`).
 *
 * What is kept is what an assignment keeps (a placeholder, an earlier tag, `None`, ...): `keep` is the
 * assignment rule's test, given the value's literal as if it were assigned to `key`.
 */

/** A string literal found in the text. */
export interface Literal {
  /** Where the literal starts: its Python prefix, or its quote's first backslash, or its quote. */
  open: number;
  /** Its content, between the quotes. */
  start: number;
  end: number;
  /** Past its closing quote. */
  close: number;
  /** The quote, with the backslashes escaping it (`"`, `\\"`). */
  quote: string;
}

/** Whether an argument's literal is no secret (the assignment rule's keep test); `key` names it. */
export type KeepLiteral = (literal: Literal, key: string, input: string, keyStart: number) => boolean;

/** Longest literal content read (as the assignment rule's quoted values). */
const MAX_LITERAL = 1024;
/** Most blanks and line ends (raw or as JSON writes them) read between two arguments. */
const MAX_GAP = 64;
/** Longest key literal read back (a prefix of 128 and a key name). */
const MAX_KEY = 256;
/** How far back the call a key literal is an argument of is looked for. */
const MAX_CALL_BACK = 256;

const isNameChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Length of the run of backslashes ending right before `i` (8: eight or more). */
function backslashesBefore(text: string, i: number): number {
  let k = 0;
  while (k < 8 && text.charCodeAt(i - 1 - k) === 92) k++;
  return k;
}

/** Past blanks and line ends at `i`, raw or as JSON writes them (`\n`, `\r`, `\t`, the backslash maybe doubled): at most {@link MAX_GAP}. */
function gapAfter(text: string, i: number): number {
  let j = i;
  for (let n = 0; n < MAX_GAP; n++) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      j++;
      continue;
    }
    if (c !== 92) break;
    let k = 1;
    while (k < 8 && text.charCodeAt(j + k) === 92) k++;
    const e = text.charCodeAt(j + k);
    if (e !== 110 && e !== 114 && e !== 116) break;
    j += k + 1;
  }
  return j;
}

/**
 * The last character before `i` that is no space or tab, raw or as JSON writes a tab (`\\t`, its backslash
 * maybe doubled): at most {@link MAX_GAP} read. So a key reads alike in code and in a JSON string.
 */
export function blanksBefore(text: string, i: number): number {
  let j = i - 1;
  for (let n = 0; n < MAX_GAP && j >= 0; n++) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9) j--;
    else if (c === 116 && text.charCodeAt(j - 1) === 92) j -= 1 + backslashesBefore(text, j);
    else break;
  }
  return j;
}

/** Past spaces and tabs at `i` (at most {@link MAX_GAP}). */
function blanksAfter(text: string, i: number): number {
  let j = i;
  for (let n = 0; n < MAX_GAP && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9); n++) j++;
  return j;
}

/**
 * The string literal starting at `i` (after an optional Python prefix, `b`, `f`, `rb`, ...): a quote escaped by
 * `esc` backslashes (0 in code; 1 once code is put in a JSON string, ...; -1: whatever run of at most 7 is
 * there), content, the same quote escaped alike. Unescaped, the content may hold escapes (`\\"`) and no line
 * end; escaped, no quote or backslash (as the assignment rule reads an escaped value). Bounded by
 * {@link MAX_LITERAL}.
 */
export function literalAt(text: string, i: number, esc: number): Literal | undefined {
  let q = i;
  for (let n = 0; n < 2 && isPrefixLetter(text.charCodeAt(q)); n++) q++;
  const run = backslashRun(text, q);
  if (run > 7 || (esc >= 0 && run !== esc)) return undefined;
  const quoteAt = q + run;
  const quote = text.charCodeAt(quoteAt);
  if (quote !== 34 && quote !== 39) return undefined;
  const start = quoteAt + 1;
  const stop = Math.min(text.length, start + MAX_LITERAL + 1);
  for (let j = start; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 13) return undefined;
    if (run === 0) {
      if (c === 92) j++;
      else if (c === quote) return { open: i, start, end: j, close: j + 1, quote: text.charAt(quoteAt) };
    } else if (c === 92 || c === 34 || c === 39) {
      // Escaped: the closing quote is the same run of backslashes and the same quote.
      if (c !== 92 || backslashRun(text, j) !== run || text.charCodeAt(j + run) !== quote) return undefined;
      return { open: i, start, end: j, close: j + run + 1, quote: text.slice(q, quoteAt + 1) };
    }
  }
  return undefined;
}

/** A Python string prefix's letter. */
function isPrefixLetter(c: number): boolean {
  return c === 98 || c === 66 || c === 114 || c === 82 || c === 117 || c === 85 || c === 102 || c === 70;
}

/** Length of the run of backslashes starting at `i` (at most 8). */
function backslashRun(text: string, i: number): number {
  let k = 0;
  while (k < 8 && text.charCodeAt(i + k) === 92) k++;
  return k;
}

/**
 * The literal ending with the quote at `q` (escaped by `esc` backslashes before it), read back to its opening
 * quote (the same, escaped alike) over at most {@link MAX_KEY} characters of no quote, backslash or line end:
 * `[open, start, end]`, or undefined.
 */
function literalBefore(text: string, q: number, esc: number): [number, number, number] | undefined {
  const quote = text.charCodeAt(q);
  const end = q - esc;
  const stop = Math.max(0, end - MAX_KEY - 1);
  for (let j = end - 1; j >= stop; j--) {
    const c = text.charCodeAt(j);
    if (c === quote) {
      if (backslashesBefore(text, j) !== esc) return undefined;
      return [j - esc, j + 1, end];
    }
    if (c === 92 || c === 34 || c === 39 || c === 10 || c === 13) return undefined;
  }
  return undefined;
}

/** One replacement: the content `[start, end)` of a literal, and where the literal begins (its prefix dropped). */
interface Cut {
  open: number;
  start: number;
  end: number;
  quote: string;
  close: number;
}

/** `text` with each cut's literal replaced by its quote, `tag`, its quote (cuts in order, not overlapping). */
function applyCuts(text: string, cuts: readonly Cut[], tag: string): string {
  let out = '';
  let last = 0;
  for (const c of cuts) {
    // The literal from its first quote (a Python prefix is dropped, as the assignment rule drops it).
    const quoteStart = c.start - c.quote.length;
    out += text.slice(last, c.open) + text.slice(quoteStart, c.start) + tag + text.slice(c.end, c.close);
    last = c.close;
  }
  return out + text.slice(last);
}

/** The anchors of {@link redactFallbacks}: JavaScript's, PHP's, Ruby's `??` and `||`, Python's ` or `. */
const FALLBACK_ANCHORS = ['??', '||', ' or '] as const;

/** The next index of an anchor in `text` from `from` (-1: none); `next` holds each one's last found index. */
function nextAnchor(text: string, from: number, next: number[]): number {
  let best = -1;
  for (let k = 0; k < FALLBACK_ANCHORS.length; k++) {
    if (next[k]! !== -1 && next[k]! < from) next[k] = text.indexOf(FALLBACK_ANCHORS[k]!, from);
    if (next[k]! >= 0 && (best < 0 || next[k]! < best)) best = next[k]!;
  }
  return best;
}

/** Most arguments of a call {@link redactArgumentPairs} reads (the key is the first or the second). */
const MAX_ARGUMENTS = 3;
/** Longest argument that is no literal read over (`settings`, `find_dotenv()`, `self.config`). */
const MAX_NAME_ARGUMENT = 128;

/**
 * Env and secret getters and setters whose argument after a key is its value (the called name, any case):
 * `getenv`, `os.Getenv`, `getEnv(…)` helpers, `setenv`, `monkeypatch.setenv`, `putenv`, `setdefault`, dotenv's
 * `set_key`, `env(…)` (django-environ, Laravel), decouple's `config(…)` (no receiver), `getattr`,
 * `localStorage.setItem`. Not `replace`, `sub`, `open`, `t`, `_`, `emit`, `info`, `get` on any dict...
 */
const ENV_CALLEE_RE = /^(?:get_?env\w{0,24}|set_?env|putenv|setdefault|set_key|env|getattr|setitem)$/i;
/** Methods that read a setting only on an environment or secrets object (`os.environ.get`, `st.secrets.get`, `ENV.fetch`, `env.str`). */
const ENV_METHOD_RE = /^(?:get|fetch|getOrDefault|str)$/;
/** Such objects (the receiver's last name, any case). */
const ENV_OBJECT_RE = /^(?:environ|env|secrets|environment)$/i;

/** Methods setting a request's header, whose second argument is the header's value. */
const HEADER_SETTER_RE = /^(?:(?:set|add)_?(?:request_?)?header|set_?request_?property)$/i;

/** The name ending right before `i` (letters, digits, `_`; not the letter of an escape as JSON writes it): its start. */
function nameBefore(text: string, i: number): number {
  let s = i;
  while (s > 0 && i - s < 64 && isNameChar(text.charCodeAt(s - 1)) && !isEscapeLetter(text, s - 1)) s--;
  return s;
}

/** Whether the `(` at `o` opens a call of an env or secret getter or setter (see {@link ENV_CALLEE_RE}). */
function isEnvCall(text: string, o: number): boolean {
  const s = nameBefore(text, o);
  if (s === o) return false;
  const name = text.slice(s, o);
  const dot = text.charCodeAt(s - 1) === 46;
  if (ENV_CALLEE_RE.test(name)) return true;
  if (name === 'config') return !dot && text.charCodeAt(s - 1) !== 36; // decouple's `config("SECRET_KEY", …)`
  if (!dot) return false;
  // `res.setHeader("X-Auth-Token", "…")`, XHR's `setRequestHeader`, urllib's `add_header`, Java's `addHeader` and
  // `setRequestProperty` (not a bare `.header(…)`: a table's column too).
  if (HEADER_SETTER_RE.test(name)) return true;
  // `headers.set("X-Api-Key", "…")`, Go's `req.Header.Set(…)`/`.Add(…)`.
  const headers = /^(?:set|append|put|add)$/i.test(name);
  if (!headers && !ENV_METHOD_RE.test(name)) return false;
  // The receiver: a name (`environ`, `ENV`, `secrets`), or a call of `getenv()` (`System.getenv().getOrDefault`).
  let r = s - 1;
  if (text.charCodeAt(r - 1) === 41 && text.charCodeAt(r - 2) === 40) r -= 2;
  const rs = nameBefore(text, r);
  const receiver = text.slice(rs, r);
  if (headers) return r === s - 1 && /^headers?$/i.test(receiver); // `headers.set("X-Api-Key", "…")`
  return r === s - 1 ? ENV_OBJECT_RE.test(receiver) : /^get_?env$/i.test(receiver);
}

/**
 * Past one argument at `i` that is no literal: a name or a path of names, maybe called with no quote inside
 * (`settings`, `self.config`, `find_dotenv()`), bounded by {@link MAX_NAME_ARGUMENT}; -1 for anything else.
 */
function nameArgumentEnd(text: string, i: number): number {
  const s = i;
  let depth = 0;
  for (; i - s < MAX_NAME_ARGUMENT; i++) {
    const c = text.charCodeAt(i);
    if (isNameChar(c) || c === 46) continue;
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
    else break;
  }
  return i === s || depth !== 0 || !(isLetter(text.charCodeAt(s)) || text.charCodeAt(s) === 95) ? -1 : i;
}

/**
 * An argument at `i` (after blanks): a literal, maybe after a keyword (`key=`, `default=`), or a name
 * ({@link nameArgumentEnd}): the literal (undefined for a name) and where the argument ends; undefined if it is neither.
 */
function argumentAt(text: string, i: number): { literal: Literal | undefined; end: number; keyword: boolean } | undefined {
  let keyword = false;
  const s = i;
  let j = s;
  while (j - s < 32 && isNameChar(text.charCodeAt(j))) j++;
  if (j > s && text.charCodeAt(blanksAfter(text, j)) === 61 && text.charCodeAt(blanksAfter(text, j) + 1) !== 61) {
    const word = text.slice(s, j);
    if (word !== 'key' && word !== 'default' && word !== 'value' && word !== 'name') return undefined;
    keyword = true;
    i = blanksAfter(text, blanksAfter(text, j) + 1);
  }
  const literal = literalAt(text, i, -1);
  if (literal !== undefined) return { literal, end: literal.close, keyword };
  if (keyword) return undefined;
  const end = nameArgumentEnd(text, i);
  return end < 0 ? undefined : { literal: undefined, end, keyword };
}

/**
 * `getenv("KEY", "value")`: in a call of an env or secret getter or setter ({@link isEnvCall}: `os.getenv`,
 * `os.environ.get`, `setdefault`, `set_key`, `env`, `getattr`, ...), a string literal right after a string
 * literal whose content is a secret's key name (`isKey`), the first or second argument (`set_key(".env",
 * "KEY", …)`, `getattr(settings, "KEY", …)`), the two parted by `,` right after the key's quote, blanks and
 * line ends, maybe `default=`. The arguments are read forward from the call's `(`, so that what an earlier
 * cut shortened reads the same (idempotent). Not a key starting with `-` (a command-line flag), nor a value
 * followed by `:` (a dict's key) or naming a key itself in upper case (`"DB_PASSWORD"`: a list of names).
 * The quotes of the key and the value may differ, each escaped as JSON writes it. Found from each `(`.
 */
export function redactArgumentPairs(text: string, isKey: (content: string) => boolean, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const cuts: Cut[] = [];
  for (let o = text.indexOf('('); o >= 0; o = text.indexOf('(', o + 1)) {
    if (!isEnvCall(text, o)) continue;
    let i = gapAfter(text, o + 1);
    let key: Literal | undefined;
    for (let n = 0; n < MAX_ARGUMENTS; n++) {
      const arg = argumentAt(text, i);
      if (arg === undefined) break;
      if (key !== undefined) {
        const value = arg.literal;
        if (value === undefined || value.end === value.start) break;
        if (arg.keyword && !text.startsWith('default', i)) break;
        if (text.charCodeAt(blanksAfter(text, value.close)) === 58 /* : */) break;
        const content = text.slice(key.start, key.end);
        // Another key's name (`getenv("API_KEY", "OPENAI_API_KEY")`): a list of names.
        const valueText = text.slice(value.start, value.end);
        if (!/[a-z]/.test(valueText) && /[_-]/.test(valueText) && isKey(valueText)) break;
        if (!keep(value, content, text, key.start)) cuts.push({ open: value.open, start: value.start, end: value.end, quote: value.quote, close: value.close });
        o = value.close - 1;
        break;
      }
      const lit = arg.literal;
      // A key: a literal naming a secret's key, `,` right after its quote.
      if (lit !== undefined && text.charCodeAt(lit.close) === 44 && text.charCodeAt(lit.start) !== 45 && (!arg.keyword || text.startsWith('key', i)) && isKey(text.slice(lit.start, lit.end))) key = lit;
      else if (n >= 1) break;
      i = gapAfter(text, arg.end);
      if (text.charCodeAt(i) !== 44) break;
      i = gapAfter(text, i + 1);
    }
  }
  return cuts.length === 0 ? { text, count: 0 } : { text: applyCuts(text, cuts, tag), count: cuts.length };
}

/**
 * `KEY ?? "value"`, `KEY || "value"` (also `??=`, `||=`), Python's `os.getenv("KEY") or "value"`: the default of
 * an environment variable whose name is a secret's key (`isKey`), in upper case as environment variables are
 * (`process.env.MISTRAL_API_KEY`, `env["API_TOKEN"]`, `Deno.env.get("API_TOKEN")`); a lower-case name is as
 * often a form's message (`errors.password || "Required"`) and is left. Blanks and line ends between the
 * operator and the literal, raw or as JSON writes them. Found from each `??`, `||` and ` or `.
 */
export function redactFallbacks(text: string, isKey: (content: string) => boolean, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const cuts: Cut[] = [];
  const next = FALLBACK_ANCHORS.map(() => -2);
  for (let p = nextAnchor(text, 0, next); p >= 0; p = nextAnchor(text, p + 1, next)) {
    const or = text.charCodeAt(p) === 32;
    const key = envNameBefore(text, p);
    if (key === undefined || /[a-z]/.test(key[0]) || !isKey(key[0])) continue;
    let i = p + (or ? 3 : 2);
    if (!or && text.charCodeAt(i) === 61) i++;
    // Blanks and line ends, raw or as JSON writes them (prettier breaks a long line after `??`).
    i = gapAfter(text, i);
    const value = literalAt(text, i, -1);
    if (value === undefined || value.end === value.start) continue;
    if (keep(value, key[0], text, key[1])) continue;
    cuts.push({ open: value.open, start: value.start, end: value.end, quote: value.quote, close: value.close });
    p = value.close - 1;
  }
  return cuts.length === 0 ? { text, count: 0 } : { text: applyCuts(text, cuts, tag), count: cuts.length };
}

/**
 * The name before the operator at `p` (blanks between): a literal closed right before `)` or `]`
 * (`get("API_TOKEN")`, `env["API_TOKEN"]`, its quotes maybe escaped), or the last part of a path of names
 * (`process.env.API_TOKEN`): `[name, where it starts]`.
 */
function envNameBefore(text: string, p: number): [string, number] | undefined {
  const i = blanksBefore(text, p);
  const c = text.charCodeAt(i);
  if (c === 41 || c === 93) {
    const q = i - 1;
    const quote = text.charCodeAt(q);
    if (quote !== 34 && quote !== 39) return undefined;
    const esc = backslashesBefore(text, q);
    const lit = literalBefore(text, q, esc);
    return lit === undefined ? undefined : [text.slice(lit[1], lit[2]), lit[1]];
  }
  let s = i;
  while (s >= 0 && i - s < MAX_KEY && isNameChar(text.charCodeAt(s)) && !isEscapeLetter(text, s)) s--;
  return s === i ? undefined : [text.slice(s + 1, i + 1), s + 1];
}

/**
 * The password of an HTTP auth tuple or a login call, the second of exactly two arguments, a literal; the
 * first a literal or a name (`auth=("admin", "…")`, `auth=(user, "…")`, `HTTPBasicAuth("admin", "…")`,
 * `server.login("me@gmail.com", "…")`). Found from each `=` ({@link authTupleOpen}: a name ending in `auth`
 * before it and `(` after it: requests' and httpx's `auth=`, Elasticsearch's `http_auth=`, `basic_auth=`),
 * `Auth(` (after `Basic`, `Digest` or `Proxy`: `HTTPBasicAuth`, `aiohttp.BasicAuth`, `HTTPProxyAuth`) and
 * `gin(` (a method `.login(`, `.Login(`; not `login(`, `_login(`, `plugin(`; not a route, `"/dashboard"`).
 */
export function redactLoginPasswords(text: string, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const opens: number[] = [];
  for (let i = text.indexOf('='); i >= 0; i = text.indexOf('=', i + 1)) {
    const o = authTupleOpen(text, i);
    if (o >= 0) opens.push(o);
  }
  for (let i = text.indexOf('Auth('); i >= 0; i = text.indexOf('Auth(', i + 5)) {
    if (text.startsWith('Basic', i - 5) || text.startsWith('Digest', i - 6) || text.startsWith('Proxy', i - 5)) opens.push(i + 4);
  }
  for (let i = text.indexOf('gin('); i >= 0; i = text.indexOf('gin(', i + 4)) if (isLoginCall(text, i)) opens.push(i + 3);
  if (opens.length === 0) return { text, count: 0 };
  opens.sort((a, b) => a - b);
  const cuts: Cut[] = [];
  let after = 0;
  for (const o of opens) {
    if (o < after) continue;
    const password = secondLiteral(text, o);
    if (password === undefined || password.end === password.start) continue;
    // A path (`login(page, "/dashboard")`, a test helper's route) is no password.
    if (text.charCodeAt(password.start) === 47 && text.charCodeAt(o - 1) === 110) continue;
    if (keep(password, 'password', text, o)) continue;
    cuts.push({ open: password.open, start: password.start, end: password.end, quote: password.quote, close: password.close });
    after = password.close;
  }
  return cuts.length === 0 ? { text, count: 0 } : { text: applyCuts(text, cuts, tag), count: cuts.length };
}


/**
 * Whether the `gin(` at `i` ends a method call `.login(` or `.Login(` (`server.login(`, `ftp.login(`,
 * `self.client.login(`, Go's `c.Login(`); not a function `login(` (a test helper's `login(page, "/dashboard")`),
 * `_login(` or `plugin(`.
 */
export function isLoginCall(text: string, i: number): boolean {
  const l = text.charCodeAt(i - 2);
  return (l === 108 || l === 76) && text.charCodeAt(i - 1) === 111 && text.charCodeAt(i - 3) === 46;
}

/** Whether the character at `i` is the letter of a line end or tab as JSON writes it (`\n`, `\r`, `\t`). */
function isEscapeLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c === 110 || c === 114 || c === 116) && text.charCodeAt(i - 1) === 92;
}

/**
 * The `(` of an auth tuple assigned at the `=` at `eq`: a name ending in `auth` before it and `(` after it,
 * spaces before `=` and one at most after it (`auth=(`, `auth = (`, `http_auth= (`); -1 if none. Not `==`.
 */
export function authTupleOpen(text: string, eq: number): number {
  let e = eq;
  for (let n = 0; n < 16 && text.charCodeAt(e - 1) === 32; n++) e--;
  if (!endsWithAuth(text, e) || text.charCodeAt(eq + 1) === 61) return -1;
  // One space at most after `=` (the screen looks for `=(` and `= (`).
  const o = text.charCodeAt(eq + 1) === 32 ? eq + 2 : eq + 1;
  return text.charCodeAt(o) === 40 ? o : -1;
}

/** Whether a name ending in `auth` (any case: `auth`, `http_auth`, `basic_auth`) ends right before `=` at `eq`. */
export function endsWithAuth(text: string, eq: number): boolean {
  if (eq < 4) return false;
  for (let k = 0; k < 4; k++) if ((text.charCodeAt(eq - 4 + k) | 0x20) !== 'auth'.charCodeAt(k)) return false;
  return true;
}

/**
 * After the `(` at `o`: a literal or a name (a path of names), `,`, then the literal returned, then `)` (a
 * trailing comma allowed); blanks and line ends between. Quotes escaped alike (JSON text).
 */
function secondLiteral(text: string, o: number): Literal | undefined {
  let i = gapAfter(text, o + 1);
  const first = literalAt(text, i, -1);
  if (first !== undefined) {
    i = first.close;
  } else {
    const s = i;
    while (i - s < MAX_KEY && (isNameChar(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
    if (i === s || (!isLetter(text.charCodeAt(s)) && text.charCodeAt(s) !== 95)) return undefined;
  }
  i = gapAfter(text, i);
  if (text.charCodeAt(i) !== 44) return undefined;
  i = gapAfter(text, i + 1);
  const second = literalAt(text, i, -1);
  if (second === undefined) return undefined;
  i = gapAfter(text, second.close);
  if (text.charCodeAt(i) === 44) i = gapAfter(text, i + 1);
  return text.charCodeAt(i) === 41 ? second : undefined;
}
