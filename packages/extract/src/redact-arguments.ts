/**
 * Secrets passed as arguments rather than assigned: scanners for the `password_assignment` kind's positional
 * forms (see the package README). Each is found from a literal the screen in `redact.ts` looks for, read
 * forward and backward a bounded number of characters, and the walk goes on after it: linear.
 *
 * - A string literal right after a string literal naming a secret's key, in a call's argument list:
 *   `os.environ.setdefault("MISTRAL_API_KEY", "…")`, `os.getenv("SERPER_API_KEY", "…")`,
 *   `set_key(".env", "COHERE_API_KEY", "…")`, `env("SECRET_KEY", default="…")` (anchor: `",` or `',`).
 * - A string literal after `??` or `||` following an environment variable's name that is a secret's key
 *   (upper case): `process.env.MISTRAL_API_KEY ?? "…"`, `Deno.env.get("API_TOKEN") || '…'` (anchor: `??`, `||`).
 * - The password of an HTTP auth tuple or a `login` call: `auth=("admin", "…")`,
 *   `HTTPBasicAuth("admin", "…")`, `server.login("me@gmail.com", "…")`, `ftp.login(user, "…")`
 *   (anchor: `=(`, `Auth(`, `gin(`).
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

/**
 * Whether position `at` (a literal's start) is an argument of a call: blanks and line ends back to `(` or `,`,
 * and the innermost bracket open before it (within {@link MAX_CALL_BACK} characters, an even number of
 * `quote` between) is a `(` right after a name (`setdefault(`, `set_key(`): not a list, a set, a dict, a tuple.
 */
function inCallArguments(text: string, at: number, quote: number): boolean {
  let i = at - 1;
  for (let n = 0; n < MAX_GAP && i >= 0; n++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i--;
    else if ((c === 110 || c === 114 || c === 116) && text.charCodeAt(i - 1) === 92) i -= 1 + backslashesBefore(text, i);
    else break;
  }
  const first = text.charCodeAt(i);
  if (first !== 40 && first !== 44) return false;
  let depth = 0;
  let quotes = 0;
  for (let k = i; k >= 0 && at - k <= MAX_CALL_BACK; k--) {
    const c = text.charCodeAt(k);
    if (c === quote) quotes++;
    else if (c === 41 || c === 93 || c === 125) depth++;
    else if (c === 40 || c === 91 || c === 123) {
      if (depth > 0) {
        depth--;
        continue;
      }
      return c === 40 && quotes % 2 === 0 && isNameChar(text.charCodeAt(k - 1));
    }
  }
  return false;
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

/** The next index of `a` or `b` in `text` from `from`, whichever comes first (-1: neither). */
function nextOf(text: string, a: string, b: string, from: number, state: { a: number; b: number }): number {
  if (state.a !== -1 && state.a < from) state.a = text.indexOf(a, from);
  if (state.b !== -1 && state.b < from) state.b = text.indexOf(b, from);
  if (state.a < 0) return state.b;
  if (state.b < 0) return state.a;
  return Math.min(state.a, state.b);
}

/**
 * `"KEY", "value"`: a string literal right after a string literal whose content is a secret's key name
 * (`isKey`), the two parted by `,` right after the key's quote, blanks and line ends, maybe `default=`, in a
 * call's argument list (see {@link inCallArguments}). Not a key starting with `-` (a command-line flag:
 * `add_argument("--token", "-t")`), nor a value followed by `:` (a dict's key) or naming a key itself in upper
 * case (`"DB_PASSWORD"`: a list of names). Found from each `",` and `',`.
 */
export function redactArgumentPairs(text: string, isKey: (content: string) => boolean, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const cuts: Cut[] = [];
  const state = { a: -2, b: -2 };
  for (let p = nextOf(text, '",', "',", 0, state); p >= 0; p = nextOf(text, '",', "',", p + 1, state)) {
    const esc = backslashesBefore(text, p);
    if (esc > 7) continue;
    const key = literalBefore(text, p, esc);
    if (key === undefined) continue;
    const content = text.slice(key[1], key[2]);
    if (content.charCodeAt(0) === 45 || !isKey(content)) continue;
    let i = gapAfter(text, p + 2);
    if (text.startsWith('default', i)) {
      const eq = blanksAfter(text, i + 7);
      if (text.charCodeAt(eq) !== 61) continue;
      i = blanksAfter(text, eq + 1);
    }
    const value = literalAt(text, i, esc);
    if (value === undefined || value.end === value.start) continue;
    if (text.charCodeAt(blanksAfter(text, value.close)) === 58 /* : */) continue;
    // Another key's name (`constantFrom("password", "DB_PASSWORD")`, `getenv("API_KEY", "OPENAI_API_KEY")`): a list of names.
    const valueText = text.slice(value.start, value.end);
    if (!/[a-z]/.test(valueText) && /[_-]/.test(valueText) && isKey(valueText)) continue;
    if (!inCallArguments(text, key[0], text.charCodeAt(p))) continue;
    if (keep(value, content, text, key[1])) continue;
    cuts.push({ open: value.open, start: value.start, end: value.end, quote: value.quote, close: value.close });
    p = value.close - 1;
  }
  return cuts.length === 0 ? { text, count: 0 } : { text: applyCuts(text, cuts, tag), count: cuts.length };
}

/**
 * `KEY ?? "value"`, `KEY || "value"` (also `??=`, `||=`): the default of an environment variable whose name is
 * a secret's key (`isKey`), in upper case as environment variables are (`process.env.MISTRAL_API_KEY`,
 * `env["API_TOKEN"]`, `Deno.env.get("API_TOKEN")`); a lower-case name is as often a form's message
 * (`errors.password || "Required"`) and is left. Found from each `??` and `||`.
 */
export function redactFallbacks(text: string, isKey: (content: string) => boolean, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const cuts: Cut[] = [];
  const state = { a: -2, b: -2 };
  for (let p = nextOf(text, '??', '||', 0, state); p >= 0; p = nextOf(text, '??', '||', p + 1, state)) {
    const key = envNameBefore(text, p);
    if (key === undefined || /[a-z]/.test(key[0]) || !isKey(key[0])) continue;
    let i = p + 2;
    if (text.charCodeAt(i) === 61) i++;
    i = blanksAfter(text, i);
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
  let i = p - 1;
  for (let n = 0; n < MAX_GAP && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9); n++) i--;
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
 * `server.login("me@gmail.com", "…")`). Found from each `=(` (a name ending in `auth` before it: requests'
 * and httpx's `auth=`, Elasticsearch's `http_auth=`, `basic_auth=`), `Auth(` (after `Basic`, `Digest` or
 * `Proxy`: `HTTPBasicAuth`, `aiohttp.BasicAuth`, `HTTPProxyAuth`) and `gin(` (`login(`, `.login(`, `Login(`,
 * `_login(`; not `plugin(`).
 */
export function redactLoginPasswords(text: string, keep: KeepLiteral, tag: string): { text: string; count: number } {
  const opens: number[] = [];
  for (let i = text.indexOf('=('); i >= 0; i = text.indexOf('=(', i + 2)) if (endsWithAuth(text, i)) opens.push(i + 1);
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
    if (keep(password, 'password', text, o)) continue;
    cuts.push({ open: password.open, start: password.start, end: password.end, quote: password.quote, close: password.close });
    after = password.close;
  }
  return cuts.length === 0 ? { text, count: 0 } : { text: applyCuts(text, cuts, tag), count: cuts.length };
}

const isLetterOrDigit = (c: number): boolean => isLetter(c) || (c >= 48 && c <= 57);

/** Whether the `gin(` at `i` ends `login(` or `Login(` with no letter or digit before it (`.login(`, `_login(`, `\nlogin(`; not `plugin(`). */
export function isLoginCall(text: string, i: number): boolean {
  const l = text.charCodeAt(i - 2);
  return (l === 108 || l === 76) && text.charCodeAt(i - 1) === 111 && nameStartsAt(text, i - 2);
}

/** Whether no letter or digit is right before `i`, or the letter of a line end or tab as JSON writes it (`\nlogin(`). */
function nameStartsAt(text: string, i: number): boolean {
  return !isLetterOrDigit(text.charCodeAt(i - 1)) || isEscapeLetter(text, i - 1);
}

/** Whether the character at `i` is the letter of a line end or tab as JSON writes it (`\n`, `\r`, `\t`). */
function isEscapeLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c === 110 || c === 114 || c === 116) && text.charCodeAt(i - 1) === 92;
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
