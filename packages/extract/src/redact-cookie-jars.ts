/**
 * Cookies outside a header (`redactCookieJars`, kind `cookie`, with redact-cookies.ts): where a session cookie sits in
 * clear in what agents read and write.
 *
 * - Arrays of cookie objects: a HAR entry's `"cookies": [{"name": "sid", "value": "…", "path": "/"}]`, Playwright's
 *   and Puppeteer's storage state (`{"cookies": [{"name": …, "value": …, "domain": …}]}`), Playwright's
 *   `context.addCookies([{ name: 'sid', value: '…' }])`: each object's `value` (its other members are the cookie's
 *   name and attributes, no secrets). In YAML too (`cookies:` then `- name: sid` / `value: …`).
 * - Dicts of cookies: Python's `requests`/`httpx` `cookies={"sid": "…"}` or `cookies=dict(sid="…")`, a dict assigned
 *   to a name ending in `cookies` (`session_cookies = {…}`, `COOKIES = {…}`), a tool's JSON arguments (`"cookies":
 *   {"sid": "…"}`), a YAML mapping under `cookies:`: each item's value but a cookie attribute's (`{"domain": "…"}`,
 *   `max_age`) and a setting's word (`{"policy": "strict"}`: configuration, {@link SETTING_WORD_RE}).
 * - Calls that set cookies: `session.cookies.set("sid", "…")` (requests), `Cookies.set('sid', '…')` (js-cookie),
 *   `jar.set('sid', '…')` (a name ending in `jar`, in a text that names cookies), `response.set_cookie("sid", "…")`
 *   (Flask, Django, Starlette), `res.cookie('sid', '…', {…})` (Express), `new Cookie("sid", "…")` (Java),
 *   `http.cookiejar.Cookie(…, value='…')`: the argument after the first literal (the name), or a `value=` keyword;
 *   `page.setCookie({name, value}, …)` (Puppeteer), `driver.add_cookie({…})` (Selenium), `setCookies`/`addCookies`:
 *   the objects' `value`s; `jar.setCookie('sid=…; Path=/', url)` (tough-cookie): a `Set-Cookie` header's value; Go's
 *   `http.Cookie{Name: "sid", Value: "…"}`.
 * - curl's `-b 'sid=…; theme=…'` / `--cookie "sid=…"` / `-bsid=…` (in curl's command, a shell command or an argv list:
 *   see {@link CurlCommands}): read as a `Cookie` header's value; a value without `=` is a cookie file's name and is
 *   kept.
 * The name `cookies` is in any case before `=`/`:`, with its quotes maybe escaped (JSON text); the objects may be
 * pretty-printed over lines, raw or as JSON writes them (`\n`), their quotes escaped (`\"value\": \"…\"`).
 *
 * Names are kept (`"name": "sid"`, `{"sid": …}`); so are values that hold no secret to see (empty, a reference or a
 * template's field, an earlier tag, `null`: the cookie rule's `keptValue`; a value the header rule redacted first,
 * `sid=[REDACTED:cookie]`, is kept too, so that each tag counts one redaction), and code: a value that is no string
 * literal (`{"sid": sid}`, `value: process.env.SID`, `expires: Date.now() + 3600`) is kept byte for byte and passed
 * over to the next member, and so is a string literal that code goes on after (`"s_" + sid`, an `f"{…}"`, a template
 * literal with `${…}`). A literal's prefix (`b"…"`, `rb'…'`) is not part of it.
 *
 * Linear: one regex finds each jar (bounded), the reader reads forward from it, each character once, and the next
 * jar is looked for after what was read. Comments between items (`#`, `//` to the line's end, block comments) are passed
 * over; a shape the reader does not know ends its reading there; what it redacted before stays redacted.
 */

import { isCookieAttribute, keptValue, readRequestCookies, readSetCookie, TAG } from './redact-cookies.js';
import { TRUNCATION_MARK } from './redact-cut.js';
import { escapedBreak, indentAt, keyColumn, lineBreakAt, lineEndFrom } from './redact-lines.js';

/**
 * `cookie` (any case), then: `s` (group 1) and its closing quote maybe (escaped as JSON writes it), blanks and `=` (not
 * `==`) or `:`, then blanks (a jar), or `s` and (group 2) `.set(` or `(` (a call); or (group 3) `(`, `Sync(` or `{` (a
 * call setting one cookie, Go's struct literal). Calls: `ookie` in lower case.
 */
const JAR_RE = /[cC][oO][oO][kK][iI][eE](?:([sS])(?:(?:\\{1,7}["']|["'])?[ \t]{0,16}(?:=(?!=)|:)[ \t]{0,16}|(\.set\(|\())|(\(|Sync\(|\{))/g;

/** {@link JAR_RE} read at one place (sticky). */
const JAR_AT_RE = new RegExp(JAR_RE.source, 'y');

/** A cookie jar's setter: a name ending in `jar` (`jar`, `cookie_jar`, `cookieJar`), then `.set(`. */
const JAR_SET_RE = /[jJ]ar\.set\(/g;

/**
 * The names of calls that set one cookie, before `cookie` (lower-cased, up to `cookie`): `cookie(` (Express, jQuery),
 * `setCookie(`, `set_cookie(`, `set_signed_cookie(`, `addCookie(`, `add_cookie(`, `Cookie(` (a constructor). Not
 * `get_cookie(`, `delete_cookie(`, `clearCookie(`, whose second argument is no value.
 */
const SETTER_PREFIX_RE = /^(?:set_?|add_?|set_?signed_?)?$/;

/** curl's cookie flags: `-b` then a blank, a quote (maybe escaped) or the value glued to it (`-bsid=…`); `--cookie` then a blank or a quote. */
const CURL_FLAG_RE = /-b(?=[ \t]|\\{0,7}["']|[!#$%&*+.^_|~0-9A-Za-z-])|--cookie(?=[ \t]|\\{0,7}["'])/g;

/**
 * Words of settings, not of cookies (lower case): the values of a configuration under a `cookies` key (`{"cookies":
 * {"policy": "strict", "banner": "show"}}`), kept in a dict of cookies. None is a secret.
 */
const SETTING_WORD_RE =
  /^(?:strict|lax|none|true|false|yes|no|on|off|enabled?|disabled?|required|optional|allow(?:ed)?|den(?:y|ied)|block(?:ed)?|accept(?:ed)?|reject(?:ed)?|show|hide|hidden|visible|always|never|auto|default|persistent|essential|necessary|functional|analytics|marketing|granted|opt-?in|opt-?out)$/i;

/** Most characters of one expression passed over (a member's or an argument's value that is code). */
const MAX_EXPRESSION = 1024;
/** Most arguments of a call read. */
const MAX_ARGUMENTS = 32;

/** Where an edit replaces a value: `[start, end)`. */
type Edits = number[];

/** `text` with the values of the cookies in its jars, setters and curl flags replaced. */
export function redactCookieJars(text: string): { text: string; count: number } {
  const jars = applyEdits(text, jarValues(text));
  // `jar.set(` in a text that names cookies (`kie`: `RequestsCookieJar()`, `cookiejar`): a cookie jar's.
  const sets = jars.text.includes('ar.set(') && jars.text.includes('kie') ? applyEdits(jars.text, jarSetValues(jars.text)) : { text: jars.text, count: 0 };
  const flags = applyEdits(sets.text, curlFlagValues(sets.text));
  const simple = flags.text.includes('Cookie(') ? applyEdits(flags.text, simpleCookieValues(flags.text)) : { text: flags.text, count: 0 };
  return { text: simple.text, count: jars.count + sets.count + flags.count + simple.count };
}

/** Python's cookie containers (`http.cookies`): built from a `Cookie` header's text, or filled item by item. */
const SIMPLE_COOKIE_RE = /(?<![A-Za-z0-9_])(?:Simple|Base)Cookie\(/g;

/** Most names bound to a SimpleCookie in one text that are followed (each costs a search of the text). */
const MAX_COOKIE_NAMES = 8;

/**
 * Where the values to hide of Python's `SimpleCookie` are, in order: the text it is built from (`SimpleCookie("sid=…;
 * theme=…")`) or loads (`c.load("sid=…")`), read as a `Cookie` header; an item set by name (`c["sid"] = "…"`; not an
 * attribute, `c["sid"]["path"] = "/"`). `load` and items only on a name the text binds to one (`c = SimpleCookie()`,
 * `self.jar = http.cookies.SimpleCookie()`), at most {@link MAX_COOKIE_NAMES}: `json.load(…)`, `d["sid"] = …` are code.
 */
function simpleCookieValues(text: string): Edits {
  const edits: Edits = [];
  const reader = new JarReader(text, edits);
  const hide = (start: number, end: number): void => void edits.push(start, end);
  const names = new Set<string>();
  SIMPLE_COOKIE_RE.lastIndex = 0;
  for (let m = SIMPLE_COOKIE_RE.exec(text); m !== null; m = SIMPLE_COOKIE_RE.exec(text)) {
    readCookieInput(reader, text, m.index + m[0].length, hide);
    const name = boundName(text, m.index);
    if (name !== undefined && names.size < MAX_COOKIE_NAMES) names.add(name);
  }
  for (const name of names) {
    for (let i = text.indexOf(name, 0); i >= 0; i = text.indexOf(name, i + name.length)) {
      // A name of its own: not the end of a longer one (but after a line end or tab as JSON writes it, `\nc[…`).
      const p = text.charCodeAt(i - 1);
      if (i > 0 && (isNameChar(p) || p === 46) && !((p === 110 || p === 114 || p === 116) && text.charCodeAt(i - 2) === 92)) continue;
      const at = i + name.length;
      if (text.startsWith('.load(', at)) readCookieInput(reader, text, at + 6, hide);
      else if (text.charCodeAt(at) === 91 /* [ */) {
        const key = reader.string(at + 1);
        if (key === undefined || text.charCodeAt(key[2]) !== 93 /* ] */) continue;
        const eq = fewBlanks(text, key[2] + 1);
        if (text.charCodeAt(eq) !== 61 || text.charCodeAt(eq + 1) === 61) continue;
        const value = reader.string(fewBlanks(text, eq + 1));
        if (value === undefined || value[3]) continue;
        // A literal that code goes on after (`"s_" + sid`) is no value of its own.
        const after = fewBlanks(text, value[2]);
        const c = text.charCodeAt(after);
        if (c === 43 || c === 37 || c === 46) continue;
        reader.hide(value[0], value[1]);
      }
    }
  }
  // Found name by name: in order, as `applyEdits` takes them.
  const pairs: [number, number][] = [];
  for (let k = 0; k < edits.length; k += 2) pairs.push([edits[k]!, edits[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const sorted: Edits = [];
  for (const [a, b] of pairs) if (sorted.length === 0 || a >= sorted[sorted.length - 1]!) sorted.push(a, b);
  return sorted;
}

/**
 * What `SimpleCookie(` or `.load(` is given, from `at` (after its `(`): a string, read as a `Cookie` header; or a dict
 * (`SimpleCookie({"sid": "…"})`: `load` sets each item, as `c["sid"] = "…"` does), read as a dict of cookies.
 */
function readCookieInput(reader: JarReader, text: string, at: number, hide: (start: number, end: number) => void): void {
  const i = reader.between(at);
  if (text.charCodeAt(i) === 123 /* { */) {
    reader.object(i + 1, 'dict', 0);
    return;
  }
  const literal = reader.string(i);
  if (literal !== undefined && !literal[3]) readRequestCookies(text, literal[0], true, hide);
}

/**
 * The name a `SimpleCookie(` at `at` is bound to (`c = SimpleCookie(`, `self.jar = http.cookies.SimpleCookie(`, also
 * annotated, `c: SimpleCookie = SimpleCookie(`, and by `:=`): a name or a path of names before `=` (not `==`, `!=`) and
 * maybe an annotation, a module's path before the call passed over; or undefined.
 */
function boundName(text: string, at: number): string | undefined {
  let i = at;
  while (i > 0 && at - i < 64 && (isNameChar(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 46)) i--;
  i = blanksBack(text, i - 1);
  if (text.charCodeAt(i) !== 61 || text.charCodeAt(i - 1) === 61 || text.charCodeAt(i - 1) === 33) return undefined;
  // `:=` (an assignment expression), or `=` after an annotation (`c: SimpleCookie =`, `c: "SimpleCookie" =`): the name
  // is before the `:`.
  let end = blanksBack(text, text.charCodeAt(i - 1) === 58 ? i - 2 : i - 1) + 1;
  const annotation = annotationStart(text, end);
  if (annotation >= 0) end = annotation;
  let start = end;
  while (start > 0 && end - start < 128 && (isNameChar(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === 46)) start--;
  const name = text.slice(start, end);
  return /^[A-Za-z_][\w.]*$/.test(name) ? name : undefined;
}

/**
 * Where the name annotated ends when an annotation of a class's name or a path of names ends at `end`
 * (`c: SimpleCookie`, `self.jar: http.cookies.SimpleCookie`, `c: "SimpleCookie"`): before its `:`; or -1. Bounded.
 */
function annotationStart(text: string, end: number): number {
  let i = end;
  const quoted = text.charCodeAt(i - 1) === 34 || text.charCodeAt(i - 1) === 39;
  if (quoted) i--;
  const typeEnd = i;
  while (i > 0 && typeEnd - i < 128 && (isNameChar(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 46)) i--;
  if (i === typeEnd || !text.slice(i, typeEnd).endsWith('Cookie')) return -1;
  if (quoted) {
    if (text.charCodeAt(i - 1) !== text.charCodeAt(typeEnd)) return -1;
    i--;
  }
  i = blanksBack(text, i - 1);
  if (text.charCodeAt(i) !== 58 /* : */) return -1;
  return blanksBack(text, i - 1) + 1;
}

/** Where the values to hide of `jar.set("sid", "…")` calls are, in order. */
function jarSetValues(text: string): Edits {
  const edits: Edits = [];
  const reader = new JarReader(text, edits);
  JAR_SET_RE.lastIndex = 0;
  for (let m = JAR_SET_RE.exec(text); m !== null; m = JAR_SET_RE.exec(text)) {
    reader.far = JAR_SET_RE.lastIndex;
    reader.call(reader.far, false);
    JAR_SET_RE.lastIndex = Math.max(JAR_SET_RE.lastIndex, reader.far);
  }
  return edits;
}

/** Where the values to hide of the jars and setters of `text` are, in order. */
function jarValues(text: string): Edits {
  const edits: Edits = [];
  const reader = new JarReader(text, edits);
  JAR_RE.lastIndex = 0;
  for (let m = JAR_RE.exec(text); m !== null; m = JAR_RE.exec(text)) {
    const at = m.index + m[0].length;
    reader.far = at;
    switch (jarKind(text, m)) {
      case 'jar':
        reader.jar(m.index, at);
        break;
      case 'struct':
        reader.object(at, 'cookie', 0); // Go's `http.Cookie{Name: …, Value: …}`
        break;
      case 'setter':
        reader.call(at, false); // `set_cookie("sid", "…")`, `cookies.set("sid", "…")`
        break;
      case 'objects':
        reader.call(at, false, true); // `addCookies([…])`, `setCookies({…})` (`page.cookies(url)`: URLs)
        break;
    }
    // The next jar is looked for after what this one's reading passed over.
    JAR_RE.lastIndex = Math.max(JAR_RE.lastIndex, reader.far);
  }
  return edits;
}

/**
 * What a {@link JAR_RE} match `m` starts, as the reader reads it: a jar after `cookies` and `=`/`:` (a dict, a list,
 * `dict(…)`, YAML), Go's struct literal, a call setting one cookie (a setter's name: `set_cookie(`, not
 * `get_cookie(`), a call taking cookie objects; or nothing. Calls: `ookie` in lower case.
 */
function jarKind(text: string, m: RegExpExecArray): 'jar' | 'struct' | 'setter' | 'objects' | undefined {
  if (m[3] !== undefined) {
    if (!text.startsWith('ookie', m.index + 1)) return undefined;
    if (m[3] === '{') return 'struct';
    return SETTER_PREFIX_RE.test(nameBefore(text, m.index)) ? 'setter' : undefined;
  }
  if (m[2] === undefined) return 'jar';
  if (!text.startsWith('ookies', m.index + 1)) return undefined;
  return m[2] === '(' ? 'objects' : 'setter';
}

/** The part of a name of code right before `i` (up to 32 letters, digits, `_`, `$`), lower-cased: `set_` of `set_cookie`. */
function nameBefore(text: string, i: number): string {
  let j = i;
  while (j > i - 32 && j > 0 && isNameChar(text.charCodeAt(j - 1))) j--;
  return text.slice(j, i).toLowerCase();
}

/** A character of a name of code. */
function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/** Where the values to hide of curl's `-b`/`--cookie` flags in curl's commands are, in order. */
function curlFlagValues(text: string): Edits {
  const edits: Edits = [];
  const curl = text.indexOf('curl');
  if (curl < 0) return edits;
  // A value holding an earlier rule's tag (`HTTP_COOKIE=[REDACTED:cookie]`) is kept (`keptValue`): one tag, one redaction.
  const hide = (start: number, end: number): void => void edits.push(start, end);
  const commands = new CurlCommands(text, curl);
  CURL_FLAG_RE.lastIndex = curl + 4;
  for (let m = CURL_FLAG_RE.exec(text); m !== null; m = CURL_FLAG_RE.exec(text)) {
    if (!startsWord(text, m.index) || !commands.inCurl(m.index)) continue;
    let i = m.index + m[0].length;
    let quoted = false;
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      i = blanks(text, i);
      const q = quoteAt(text, i);
      quoted = q > 0;
      i += q;
    } else if (quoteAt(text, i) > 0) {
      const q = quoteAt(text, i);
      const j = blanks(text, i + q);
      if (text.charCodeAt(j) === 44 /* , */) {
        // An argv item: `"-b", "sid=…"`, the next item maybe on the next line.
        i = gap(text, j + 1);
        const q2 = quoteAt(text, i);
        if (q2 === 0) continue;
        i += q2;
      } else i += q; // glued and quoted: `-b"sid=…"`
      quoted = true;
    }
    // Else glued: `-bsid=…` (in an argv item, `"-bsid=…"`, the item's quotes around it).
    // In single quotes (`-b 'a="${X} sid=…"'`), a `"` is a cookie value's quote, and the `'` may close the string after it.
    const single = quoted && text.charCodeAt(i - 1) === 39 && text.charCodeAt(i - 2) !== 92 ? 39 : 0;
    const end = readRequestCookies(text, i, quoted || quoteAt(text, m.index - 1) > 0, hide, single);
    CURL_FLAG_RE.lastIndex = Math.max(CURL_FLAG_RE.lastIndex, end);
    // The cookies read, and the quote closing them, are no command's end (`-b 'a=x&&y'`).
    if (end >= 0) commands.passOver(quoted ? end + quoteAt(text, end) : end);
  }
  return edits;
}

/**
 * Whether a place of a text is in a curl command, the text read forward once (`inCurl` asked at growing places):
 * `curl` (a word: `/usr/bin/curl`, `curl.exe`, `"curl"`, also first on a line of JSON text, `\ncurl`) starts one; a
 * line end (raw or as JSON writes it), `&&`, `||` or a pipe between blanks ends it, so `git checkout -b x=y` on the
 * next line or after `&&` is no curl's. A
 * line end is none after a line's `\` (shell), `^` (cmd), `` ` `` (PowerShell), `,`, `(` or `[` (an argv list over
 * lines). In a shell command (`curl` then a blank, not an argv list's `"curl",`) a `;` or a lone `&` followed by a
 * blank or the line's end ends it too, outside quotes (followed as the shell does, their quotes maybe escaped as JSON
 * writes them): `curl x; git checkout -b f=1`; not `-H 'Accept: text/html; q=0.9'`, nor a URL's `?a=1&b=2` or
 * `;jsessionid=…` (no blank after).
 */
class CurlCommands {
  private curl = false;
  /** The current command is a shell command line (quotes followed, `;` and `&` end it). */
  private shell = false;
  /** The quote open in the shell command: its character, plus 256 per backslash before it (`\"` in JSON text); 0: none. */
  private quote = 0;

  /** The text's first `curl` is at `pos` (maybe inside a word: `libcurl`). */
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  /** `[…, to)` is inside the current command (cookies read). */
  passOver(to: number): void {
    if (to > this.pos) this.pos = to;
  }

  private end(): void {
    this.curl = false;
    this.quote = 0;
  }

  /** Whether `at` (not before the last place asked) is in a curl command. */
  inCurl(at: number): boolean {
    const text = this.text;
    let i = this.pos;
    while (i < at) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) {
        // `\r\n` is one line end, judged at its `\r`.
        if (!(c === 10 && text.charCodeAt(i - 1) === 13) && !continuesLine(text, i - 1)) this.end();
        i++;
      } else if (c === 92 /* \ */) {
        let j = i + 1;
        while (text.charCodeAt(j) === 92) j++;
        const e = text.charCodeAt(j);
        // A line end as JSON writes it (`\n`); after an escaped backslash (`\\\n`, a shell's line going on) none.
        if (j - i === 1 && (e === 110 || e === 114) && !(e === 110 && text.startsWith('\\r', i - 2)) && !continuesLine(text, i - 1)) this.end();
        else if (this.shell && this.curl && e === 39) {
          // JSON escapes no `'`: the backslashes are the shell's. Inside single quotes they are characters and the `'`
          // closes (`'it'\''s'`); outside they escape it (a `'` of the word, or of an escaped backslash in JSON text,
          // `\\'`): no quote opens. Inside double quotes, a character.
          if (this.quote === 39) this.quote = 0;
          j++;
        } else if (this.shell && this.curl && e === 34 && j - i < 8) {
          this.quoteToken(e + 256 * (j - i));
          j++; // the quote is the escape's
        }
        i = j;
      } else if ((c === 38 || c === 124) && text.charCodeAt(i + 1) === c) {
        this.end(); // `&&`, `||`
        i += 2;
      } else if (c === 124 && isBlank(text.charCodeAt(i - 1)) && isBlank(text.charCodeAt(i + 1))) {
        this.end(); // ` | `
        i++;
      } else if (c === 99 /* c */ && text.startsWith('curl', i) && startsCurlWord(text, i) && !isWordChar(text.charCodeAt(i + 4))) {
        const n = text.charCodeAt(i + 4);
        this.curl = true;
        this.shell = !(n === 34 || n === 39 || n === 92);
        this.quote = 0;
        i += 4;
      } else {
        if (this.shell && this.curl) {
          if (c === 34 || c === 39) this.quoteToken(c);
          else if ((c === 59 || c === 38) && this.quote === 0 && endsShellCommand(text, i + 1)) this.end(); // `;`, `&`
        }
        i++;
      }
    }
    this.pos = Math.max(i, this.pos);
    return this.curl;
  }

  /** A quote (see {@link quote}) in the shell command: opens one, or closes the one open if the same. */
  private quoteToken(token: number): void {
    if (this.quote === 0) this.quote = token;
    else if (this.quote === token) this.quote = 0;
  }
}

/** Whether what follows a `;` or `&` at `i` makes it a command's end: a blank, a line end (raw or escaped) or the end. */
function endsShellCommand(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return Number.isNaN(c) || c === 32 || c === 9 || lineBreakAt(text, i) > 0;
}

/**
 * Whether the line ending after `i` goes on: its last character (blanks and `\r`, raw or escaped, passed over) is
 * `\`, `^`, `` ` ``, `,` (not `],`), `(` or `[`.
 */
function continuesLine(text: string, i: number): boolean {
  const stop = Math.max(0, i - MAX_LINE_TAIL);
  for (; i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    if (c === 114 /* r */ && text.charCodeAt(i - 1) === 92) {
      i--;
      continue;
    }
    // `],`: a list closed (an argv list among others), not an item.
    if (c === 44) return text.charCodeAt(blanksBack(text, i - 1)) !== 93;
    return c === 92 || c === 94 || c === 96 || c === 40 || c === 91;
  }
  return false;
}

/** Blanks and `\r`s looked back over at a line's end (bounded: linear time). */
const MAX_LINE_TAIL = 64;

/** Blanks before `i` looked back over (a few): where the character before them is. */
function blanksBack(text: string, i: number): number {
  const stop = Math.max(0, i - MAX_LINE_TAIL);
  while (i > stop && isBlank(text.charCodeAt(i))) i--;
  return i;
}

/** A space or a tab. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Whether a word starts at `i` (`curl`): no word's character before it, or a line end or tab as JSON writes it (`\ncurl`:
 * a tool's command over lines, JSON-encoded; its `n` is no part of the word).
 */
function startsCurlWord(text: string, i: number): boolean {
  const p = text.charCodeAt(i - 1);
  return !isWordChar(p) || ((p === 110 || p === 114 || p === 116) && text.charCodeAt(i - 2) === 92);
}

/** A character of a word (`libcurl`, `curl_easy_init`, `curlx` are not curl). */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/** `text` with each `[start, end)` of `edits` (in order, not overlapping) replaced by the tag. */
function applyEdits(text: string, edits: Edits): { text: string; count: number } {
  if (edits.length === 0) return { text, count: 0 };
  let out = '';
  let last = 0;
  for (let k = 0; k < edits.length; k += 2) {
    out += text.slice(last, edits[k]) + TAG;
    last = edits[k + 1]!;
  }
  return { text: out + text.slice(last), count: edits.length / 2 };
}

/** Whether a command's word starts at `i`: after a blank, a line end (raw or as JSON writes it) or a quote. */
function startsWord(text: string, i: number): boolean {
  const p = text.charCodeAt(i - 1);
  if (p === 32 || p === 9 || p === 10 || p === 13 || p === 34 || p === 39) return true;
  return (p === 110 || p === 114 || p === 116) && text.charCodeAt(i - 2) === 92;
}

/** Blanks and line ends from `i` passed over, raw or as JSON writes them (`\n`, `\\n`). */
function gap(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 92) {
      let j = i + 1;
      while (text.charCodeAt(j) === 92 && j - i < 7) j++;
      const e = text.charCodeAt(j);
      if (e !== 110 && e !== 114 && e !== 116) break;
      i = j + 1;
    } else break;
  }
  return i;
}

/** Most blanks read between a keyword argument's name and its `=` (`value = "…"`). */
const MAX_KEYWORD_BLANKS = 16;

/** Up to {@link MAX_KEYWORD_BLANKS} blanks from `i` passed over. */
function fewBlanks(text: string, i: number): number {
  const stop = i + MAX_KEYWORD_BLANKS;
  while (i < stop && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where the line holding `i` ends: at its line end, raw or as JSON writes it (`\n`, `\\n`: at most 7 backslashes),
 * or the text's end.
 */
function lineEnd(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (c === 92) {
      let j = i + 1;
      while (text.charCodeAt(j) === 92 && j - i < 7) j++;
      const e = text.charCodeAt(j);
      if (e === 110 || e === 114) return i;
      i = j - 1;
    }
  }
  return i;
}

/** Blanks from `i` passed over. */
function blanks(text: string, i: number): number {
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return i;
}

/** The length of the quote at `i`, maybe escaped (`"`, `'`, `\\"`: at most 7 backslashes), or 0. */
function quoteAt(text: string, i: number): number {
  let j = i;
  while (text.charCodeAt(j) === 92 && j - i < 7) j++;
  const c = text.charCodeAt(j);
  return c === 34 || c === 39 ? j - i + 1 : 0;
}

/** A character of a value of code that is no literal: a name, a member, a number, `true`, `null` (`sid`, `os.environ`, `-1`, `1.5e3`). */
function isBareChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46 || c === 45 || c === 43;
}


/** A string literal read: `[contentStart, contentEnd, after, code]`; `code`: a template with fields (`f"{sid}"`, `` `${sid}` ``). */
type Literal = [number, number, number, boolean];

/**
 * Reads the values of one text's cookie objects, dicts and calls forward, adding the ones to hide to `edits` (in
 * order); `far` is where the reading got to (the next jar is looked for after it).
 */
class JarReader {
  far = 0;
  /** The jar read is a YAML flow collection ({@link yamlFlow}): a value that is no literal is a plain scalar, a value. */
  flow = false;
  /** The last `*\/` found by {@link blockCommentEnd} and where that search started (-2: none searched). */
  private commentClose = -2;
  private commentFrom = 0;

  constructor(
    private readonly text: string,
    private readonly edits: Edits,
  ) {}

  /** Blanks and line ends from `i` passed over, raw or as JSON writes them (`\n`, `\\n`). */
  gap(i: number): number {
    i = gap(this.text, i);
    if (i > this.far) this.far = i;
    return i;
  }

  /**
   * The string literal at `i` (its quote maybe escaped as JSON writes it, `k` backslashes; maybe after a Python
   * prefix, `b"…"`, `rb'…'`, `f"…"`; or a template literal, `` `…` ``), or undefined (none, or not closed on its
   * line). Its closing quote has the same `k` backslashes before it, plus escaped backslashes (`2k + 2` each): `"a\\"`
   * ends at its last quote.
   */
  string(i: number): Literal | undefined {
    const text = this.text;
    let prefix = 0;
    while (prefix < 2 && isPrefixLetter(text.charCodeAt(i + prefix))) prefix++;
    const f = prefix > 0 && /[fF]/.test(text.slice(i, i + prefix));
    if (prefix > 0 && quoteAt(text, i + prefix) === 0) return undefined;
    i += prefix;
    if (text.charCodeAt(i) === 96 && prefix === 0) return this.template(i);
    const k = quoteAt(text, i) - 1;
    if (k < 0) return undefined;
    const q = text.charCodeAt(i + k);
    const start = i + k + 1;
    let run = 0;
    for (let j = start; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === q && run >= k && (run - k) % (2 * k + 2) === 0) {
        if (j + 1 > this.far) this.far = j + 1;
        return [start, j - k, j + 1, f && text.slice(start, j - k).includes('{')];
      }
      if (c === 10 || c === 13) {
        this.far = Math.max(this.far, j);
        return undefined;
      }
      run = c === 92 ? run + 1 : 0;
    }
    this.far = text.length;
    return undefined;
  }

  /** A template literal at `i` (closed on its line): code when it has a field (`${…}`). */
  private template(i: number): Literal | undefined {
    const text = this.text;
    for (let j = i + 1; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 96) {
        if (j + 1 > this.far) this.far = j + 1;
        return [i + 1, j, j + 1, text.slice(i + 1, j).includes('${')];
      }
      if (c === 10 || c === 13) break;
      if (c === 92) j++;
    }
    return undefined;
  }

  /** A value of code that is no literal at `i` (a name, a number): where it ends, or `i` (none). */
  bare(i: number): number {
    while (i < this.text.length && isBareChar(this.text.charCodeAt(i))) i++;
    if (i > this.far) this.far = i;
    return i;
  }

  /**
   * A gap between items (after `{`, `[`, `(` or `,`, or before `,` or the close): blanks, line ends and comments,
   * `#` (Python) or `//` (JS) to the line's end, block comments, passed over. Only called outside strings, where none
   * starts anything else the reader knows.
   */
  between(i: number): number {
    const text = this.text;
    for (;;) {
      i = this.gap(i);
      const c = text.charCodeAt(i);
      if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
        const close = this.blockCommentEnd(i + 2);
        if (close < 0) return i;
        i = close + 2;
        continue;
      }
      if (c !== 35 /* # */ && !(c === 47 && text.charCodeAt(i + 1) === 47)) return i;
      i = lineEnd(text, i);
    }
  }

  /** Where the first `*\/` at or after `from` is, or -1. Searches move forward (one cached result): linear per text. */
  private blockCommentEnd(from: number): number {
    const cached = this.commentClose;
    if (cached === -2 || (cached === -1 ? from < this.commentFrom : cached < from)) {
      this.commentFrom = from;
      this.commentClose = this.text.indexOf('*/', from);
    }
    return this.commentClose;
  }

  /** Whether what follows `i` (after a gap, comments too) ends a member or an argument: `,` or `close`. Where that is, or -1. */
  memberEnd(i: number, close: number): number {
    const j = this.between(i);
    const c = this.text.charCodeAt(j);
    return c === 44 || c === close ? j : -1;
  }

  /**
   * An expression of code from `i` to the `,` or `close` ending it (outside brackets and strings): where that is, or
   * -1 (none within {@link MAX_EXPRESSION} characters, a bracket closing more than opened, a string not closed, a jar
   * in it: {@link jarAt}).
   */
  expression(i: number, close: number): number {
    const text = this.text;
    const stop = Math.min(text.length, i + MAX_EXPRESSION);
    let depth = 0;
    while (i < stop) {
      const c = text.charCodeAt(i);
      if (depth === 0 && (c === 44 || c === close)) break;
      if ((c | 0x20) === 99 /* c */ && this.jarAt(i)) {
        // A jar in the code passed over (`f(cookies={…})`, Go's `&http.Cookie{…}` passed on): the reading ends before
        // it, where the search for jars goes on and reads it.
        this.far = i;
        return -1;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        if (depth === 0) break;
        depth--;
      } else if (c === 34 || c === 39 || c === 96 || (c === 92 && quoteAt(text, i) > 0)) {
        const literal = this.string(i);
        if (literal === undefined) return -1;
        // A key naming a jar (`{"cfg": {"cookies": {…}}}`), or a jar or a call setting cookies inside the literal
        // (`[b"res.cookie({"…`, an item not read): as above, the search for jars reads it (passed over, a second pass
        // read it once a later rule replaced the outer jar's name).
        if (this.endsAtJarKey(literal) || this.endsAtJarIn(literal)) return -1;
        i = literal[2];
        continue;
      }
      i++;
    }
    if (i > this.far) this.far = i;
    const c = text.charCodeAt(i);
    return depth === 0 && (c === 44 || c === close) ? i : -1;
  }

  /**
   * Whether the string literal `literal` is a key naming a jar (`"cookies": {…}`, its name the literal's last seven
   * characters): then the reading ends before that name, where the search for jars goes on and reads the jar.
   */
  private endsAtJarKey(literal: Literal): boolean {
    const key = literal[1] - 7;
    if (key < literal[0] || (this.text.charCodeAt(key) | 0x20) !== 99 || !this.jarAt(key)) return false;
    this.far = key;
    return true;
  }

  /** Whether a jar or a call setting cookies starts inside `literal`: then the reading ends there (see {@link endsAtJarKey}). */
  private endsAtJarIn(literal: Literal): boolean {
    const text = this.text;
    for (let at = indexOfCookie(text, literal[0], literal[1]); at >= 0; at = indexOfCookie(text, at + 6, literal[1])) {
      if (this.jarAt(at)) {
        this.far = at;
        return true;
      }
    }
    return false;
  }

  /** Whether a jar or a call the reader reads starts at `i` ({@link jarKind}). */
  private jarAt(i: number): boolean {
    return jarStartsAt(this.text, i);
  }

  /** Hides the value `[start, end)` unless it holds nothing to hide or an earlier tag (`keptValue`): one tag, one redaction. */
  hide(start: number, end: number): void {
    if (!keptValue(this.text.slice(start, end))) this.edits.push(start, end);
  }

  /** Hides an item's value in a dict of cookies: not a setting's word ({@link SETTING_WORD_RE}). */
  hideItem(start: number, end: number): void {
    if (!SETTING_WORD_RE.test(this.text.slice(start, end))) this.hide(start, end);
  }

  /**
   * A jar after `cookies` and its `=` or `:` at `at` (its name starting at `nameEnd`'s name): an object, a list, `dict(…)`,
   * YAML (a flow collection too, {@link yamlFlow}: its plain scalars are values, not names of code).
   */
  jar(name: number, at: number): void {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      this.flow = yamlFlow(text, name, at);
      if (c === 123) this.object(at + 1, 'dict', 0);
      else this.array(at + 1, 0);
      this.flow = false;
    } else if (text.startsWith('dict(', at)) this.call(at + 5, true);
    else this.yaml(name, at);
  }

  /** A list of cookie objects from after its `[`: each object read, other items passed over. Where the reading ended, or -1. */
  array(i: number, depth: number): number {
    for (;;) {
      i = this.between(i);
      const c = this.text.charCodeAt(i);
      if (c === 93 /* ] */) return i + 1;
      i = c === 123 /* { */ ? this.object(i + 1, 'cookie', depth + 1) : this.expression(i, 93);
      if (i < 0) return -1;
      i = this.memberEnd(i, 93);
      if (i < 0) return -1;
      if (this.text.charCodeAt(i) === 44) i++;
    }
  }

  /**
   * An object from after its `{`: a cookie object (`mode` `cookie`: its `value` member hidden, any case: Go's `Value`)
   * or a dict of cookies (`dict`: every item's value but an attribute's or a setting's word). Keys are string literals
   * or names; a value that is code is passed over. Where the object ends (after its `}`), or -1 (a shape not read).
   */
  object(i: number, mode: ObjectMode, depth: number): number {
    const text = this.text;
    for (;;) {
      i = this.between(i);
      if (text.charCodeAt(i) === 125 /* } */) return i + 1;
      const keyStart = i;
      let key: string;
      const quoted = this.string(i);
      if (quoted !== undefined) {
        key = text.slice(quoted[0], quoted[1]);
        i = quoted[2];
      } else {
        const end = this.bare(i);
        if (end === i) {
          // No key (a string closed nowhere, `{'res.cookie({…`): the reading ends before it, as for a member below. Still
          // linear: a string closed nowhere on its line is the last of its quote there (one more would close it), so
          // few readings ending so read one line.
          this.far = keyStart;
          return -1;
        }
        key = text.slice(i, end);
        i = end;
      }
      i = this.gap(i);
      if (text.charCodeAt(i) !== 58 /* : */) {
        // No member (`http.Cookie{addCookies([{…}])`): the reading ends before it, where the search for jars goes on
        // (past it, a jar in it was never read, and read by a second pass once a later rule replaced what came before).
        this.far = keyStart;
        return -1;
      }
      i = this.between(i + 1);
      const open = text.charCodeAt(i);
      if ((open === 123 || (open === 91 && (JAR_NAME_RE.test(key) || mode === 'dict' || mode === 'nested'))) && depth < MAX_NESTED) {
        // A nested object, read in place (passed over as code, a jar in it ended the reading: the items after it were
        // left in clear): a jar (`"cookies": {…}`), a cookie object or a domain's cookies in a dict of cookies
        // (`{"sid": {"value": …}}`, `{"example.com": {"sid": …}}`, a list of cookie objects, `{"example.com": [{…}]}`),
        // else an object holding no cookie but maybe a jar.
        const nested = JAR_NAME_RE.test(key) ? 'dict' : mode === 'dict' || mode === 'nested' ? 'nested' : 'none';
        const close = open === 123 ? this.object(i + 1, nested, depth + 1) : this.array(i + 1, depth + 1);
        if (close < 0) return -1;
        i = this.memberEnd(close, 125);
        if (i < 0) return -1;
        if (text.charCodeAt(i) === 125) return i + 1;
        i++; // the `,`
        continue;
      }
      const value = this.string(i);
      let end = value === undefined ? -1 : this.memberEnd(value[2], 125);
      const plain = value === undefined && this.flow ? this.plainScalar(i) : -1;
      if (plain >= 0) end = this.memberEnd(plain, 125);
      if (value !== undefined && end >= 0) {
        if (!value[3] && hidesMember(mode, key)) {
          if (mode === 'cookie') this.hide(value[0], value[1]);
          else this.hideItem(value[0], value[1]);
        }
      } else if (plain >= 0 && end >= 0) {
        const scalar = text.slice(i, plain);
        if (hidesMember(mode, key) && scalar !== '~' && !FLOW_TYPE_NAME_RE.test(scalar)) (mode === 'cookie' ? this.hide(i, plain) : this.hideItem(i, plain));
      } else {
        // Code (`sid`, `Date.now() + 3600`, `[443]`, `{…}`), or a literal code goes on after (`"s_" + sid`): kept. Not a
        // literal that is a jar's key (`value: "cookies": [{…}]`, no object's shape): passed over with the code after it,
        // the jar it names was left in clear, and read by a second pass once a later rule replaced the outer jar's name.
        if (value !== undefined && this.endsAtJarKey(value)) return -1;
        end = this.expression(value === undefined ? i : value[2], 125);
        if (end < 0) return -1;
      }
      i = end;
      if (text.charCodeAt(i) === 125) return i + 1;
      i++; // the `,`
    }
  }

  /**
   * A call's arguments from after its `(`. `dict`: Python's `dict(sid="…")`, each keyword's literal a cookie's value
   * (but an attribute's or a setting's word). Otherwise a call setting cookies: a list of cookie objects, cookie
   * objects (`page.setCookie({…}, {…})`), or a name and a value: the first literal argument is the name (or a `name=`
   * / `key=` keyword's), the argument right after it the value, or a `value=` keyword's; a first literal holding `=`
   * is a `Set-Cookie` header's value (`jar.setCookie('sid=…; Path=/', url)`). `objectsOnly`: a call taking cookie
   * objects only (`addCookies`, `setCookies`).
   */
  call(i: number, dict: boolean, objectsOnly = false): void {
    const text = this.text;
    i = this.between(i);
    const first = text.charCodeAt(i);
    if (!dict && first === 91 /* [ */) {
      this.array(i + 1, 0);
      return;
    }
    if (!dict && first === 123 /* { */) {
      for (;;) {
        i = this.object(i + 1, 'cookie', 0);
        if (i < 0) return;
        i = this.memberEnd(i, 41);
        if (i < 0 || text.charCodeAt(i) === 41) return;
        i = this.between(i + 1);
        if (text.charCodeAt(i) !== 123) return;
      }
    }
    if (objectsOnly) return;
    /** 0: no name read yet; 1: the name read (the next argument is the value); 2: done. */
    let state = 0;
    for (let n = 0; n < MAX_ARGUMENTS && state < 2; n++) {
      i = this.between(i);
      if (text.charCodeAt(i) === 41 /* ) */) return;
      let keyword: string | undefined;
      const name = this.bare(i);
      if (name > i) {
        const eq = fewBlanks(text, name);
        if (text.charCodeAt(eq) === 61 && text.charCodeAt(eq + 1) !== 61) {
          keyword = text.slice(i, name).toLowerCase();
          i = this.between(eq + 1);
        }
      }
      const value = this.string(i);
      let end = value === undefined ? -1 : this.memberEnd(value[2], 41);
      const literal = value !== undefined && end >= 0 && !value[3] ? value : undefined;
      if (end < 0) {
        // A literal that is a jar's key (`cookies.set("cookies": [{…`): the reading ends before it, as in an object, and
        // the search for jars reads the jar (passed over, a second pass read it once a later rule replaced the call's name).
        if (value !== undefined && this.endsAtJarKey(value)) return;
        end = this.expression(value === undefined ? i : value[2], 41);
        if (end < 0) return;
      }
      if (dict) {
        if (keyword !== undefined && literal !== undefined && !isCookieAttribute(keyword)) this.hideItem(literal[0], literal[1]);
      } else if (keyword !== undefined) {
        if (keyword === 'value' && literal !== undefined) {
          this.hide(literal[0], literal[1]);
          state = 2;
        } else if (keyword === 'name' || keyword === 'key') state = 1;
      } else if (state === 1) {
        if (literal !== undefined) this.hide(literal[0], literal[1]);
        state = 2;
      } else if (literal !== undefined) {
        if (text.slice(literal[0], literal[1]).includes('=')) {
          readSetCookie(text, literal[0], (start, stop) => void this.edits.push(start, stop));
          state = 2;
        } else state = 1;
      }
      i = end;
      if (text.charCodeAt(i) === 41) return;
      i++; // the `,`
    }
  }

  /**
   * A YAML list of cookie objects (`cookies:` then `- name: sid` / `value: …` below it: each item's `value`) or a
   * mapping of cookies (`cookies:` then `sid: …`: each item's value, as a dict's), on the lines after `at` (the end of
   * the line of the key `cookies`, which starts at `name`'s name), indented deeper than the key (a list's `- ` may be
   * as deep), raw or as JSON writes the lines.
   */
  yaml(name: number, at: number): void {
    const text = this.text;
    let i = at;
    if (text.charCodeAt(i) === 35 /* # */) i = lineEndFrom(text, i, false);
    if (lineBreakAt(text, i) === 0) return;
    let keyStart = name;
    while (keyStart > name - 128 && keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    const column = keyColumn(text, keyStart, name + 7);
    if (column < 0) return;
    const quoteEnds = escapedBreak(text, i);
    let mode: 'cookie' | 'dict' | undefined;
    /** The column of the list's `- `, and of the current item's (or the mapping's) keys. */
    let dashColumn = -1;
    let keysColumn = -1;
    for (;;) {
      const br = lineBreakAt(text, i);
      if (br === 0) break;
      const start = i + br;
      const indent = indentAt(text, start);
      const p = start + indent;
      const end = lineEndFrom(text, p, quoteEnds);
      i = end;
      if (end === p || text.charCodeAt(p) === 35) {
        if (end >= text.length || (quoteEnds && text.charCodeAt(end) === 34)) break;
        continue; // a blank line, a comment
      }
      const dash = text.charCodeAt(p) === 45 && (text.charCodeAt(p + 1) === 32 || p + 1 === end);
      if (indent < column || (indent === column && !dash)) break;
      let k = p;
      if (dash) {
        if (mode === 'dict' || (dashColumn >= 0 && indent !== dashColumn)) break;
        mode = 'cookie';
        dashColumn = indent;
        k = p + 1 + indentAt(text, p + 1);
        keysColumn = k - start;
      } else if (mode === undefined) {
        mode = 'dict';
        keysColumn = indent;
      } else if (indent !== keysColumn) {
        if (indent < keysColumn) break;
        if (end > this.far) this.far = end;
        continue; // a nested value's lines
      }
      // The line is the list's or the mapping's (only then passed over: a line ending them may hold the next jar).
      if (end > this.far) this.far = end;
      if (k < end && !this.yamlEntry(k, end, mode, quoteEnds)) break;
    }
  }

  /** A YAML entry `key: value` at `k` on a line ending at `end`: its value hidden as `mode` says. False: no entry there. */
  private yamlEntry(k: number, end: number, mode: 'cookie' | 'dict', quoteEnds: boolean): boolean {
    const text = this.text;
    let key: string;
    let i: number;
    const quoted = this.string(k);
    if (quoted !== undefined) {
      key = text.slice(quoted[0], quoted[1]);
      i = quoted[2];
    } else {
      i = k;
      while (i < end && isKeyChar(text.charCodeAt(i))) i++;
      if (i === k) return false;
      key = text.slice(k, i);
    }
    i = blanks(text, i);
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    i = blanks(text, i + 1);
    if (i >= end) return true; // a nested value on the lines below
    const hides = mode === 'cookie' ? key.toLowerCase() === 'value' : !isCookieAttribute(key);
    const value = this.string(i);
    if (value !== undefined) {
      if (hides && !value[3] && this.yamlRest(value[2], end)) (mode === 'dict' ? this.hideItem(value[0], value[1]) : this.hide(value[0], value[1]));
      return true;
    }
    const c = text.charCodeAt(i);
    // A flow collection, a block scalar, an anchor, an alias, a tag: not read.
    if (c === 123 || c === 91 || c === 124 || c === 62 || c === 38 || c === 42 || c === 33) return true;
    // A plain scalar, to the line's end or a ` #` comment.
    let stop = i;
    while (stop < end && !(text.charCodeAt(stop) === 35 && isBlank(text.charCodeAt(stop - 1)))) stop++;
    while (stop > i && isBlank(text.charCodeAt(stop - 1))) stop--;
    if (hides && stop > i && text.slice(i, stop) !== '~') (mode === 'dict' ? this.hideItem(i, stop) : this.hide(i, stop));
    return true;
  }

  /**
   * A plain scalar of a YAML flow collection at `i` (`abc123/def+456=`): up to a `,`, `}`, `]`, a line's end or a ` #`
   * comment, its trailing blanks left out. Where it ends, or -1 (none: a quote, a bracket, or nothing). Bounded.
   */
  plainScalar(i: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39 || c === 123 || c === 91 || c === 92) return -1;
    const stop = Math.min(text.length, i + MAX_EXPRESSION);
    let end = i;
    while (end < stop) {
      const d = text.charCodeAt(end);
      if (d === 44 || d === 125 || d === 93 || d === 10 || d === 13 || (d === 92 && lineBreakAt(text, end) > 0) || (d === 35 && isBlank(text.charCodeAt(end - 1)))) break;
      // `: ` in a plain scalar of a flow collection is no YAML (`{ name: string; value: string }`: a type of code).
      if (d === 58 && (isBlank(text.charCodeAt(end + 1)) || end + 1 === text.length || text.charCodeAt(end + 1) === 10 || text.charCodeAt(end + 1) === 13)) return -1;
      end++;
    }
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    if (end > this.far) this.far = end;
    return end > i ? end : -1;
  }

  /** Whether only blanks and maybe a comment follow `i` up to `end` (a quoted YAML scalar's line). */
  private yamlRest(i: number, end: number): boolean {
    i = blanks(this.text, i);
    return i >= end || this.text.charCodeAt(i) === 35;
  }
}

/**
 * How an object of a jar is read: a cookie object (`cookie`: its `value` hidden), a dict of cookies (`dict`: each item's
 * value but an attribute's or a setting's word), an object in a dict of cookies (`nested`: a cookie object by its name,
 * `{"sid": {"value": …, "path": "/"}}`, or a domain's or a path's cookies, `{"example.com": {"sid": …}}`: its `value`, and
 * its items but `name`, `key`, an attribute's or a setting's word), or an object holding no cookie (`none`: read for the
 * jars in it).
 */
type ObjectMode = 'cookie' | 'dict' | 'nested' | 'none';

/** A type of TypeScript or Python as a flow collection's plain scalar (`{ sid: string, count: number }`): a type's member, no value. */
const FLOW_TYPE_NAME_RE = /^(?:str|string|bytes|int|float|bool|boolean|number|bigint|symbol|object|unknown|never|any|Any|dict|list|tuple|Date)$/;

/** Most objects nested in a jar read in place (deeper ones are passed over as code). */
const MAX_NESTED = 8;

/** Whether a jar or a call the reader reads ({@link jarKind}) starts at `i` of `text` (at its `cookie`). */
function jarStartsAt(text: string, i: number): boolean {
  JAR_AT_RE.lastIndex = i;
  const m = JAR_AT_RE.exec(text);
  return m !== null && jarKind(text, m) !== undefined;
}

/**
 * Where the name of a jar or of a call setting cookies that this module reads starts in the bare value `[start, end)` of
 * `text`, the jar's syntax going on past the value (`cookies:`, `cookies=dict`, `http.Cookie`, `!addCookies`, before
 * their `{`, `(`, `[`), or -1: at its `cookie`, or at a setter's name before it (`set` of `page.setCookie(`, which
 * {@link jarKind} reads). What comes before it in the value (`http.`, `page.`, or a secret's characters glued to it:
 * `s3cr3tCookie{`) the assignment rule judges: a name of code is kept with the jar (`Authorization: cookies={…`: code,
 * not a secret), anything else is replaced up to that name, which stays (replaced whole, the jar was gone for a second
 * pass, which read what the first pass's reading of the jar had passed over).
 */
export function jarNameIn(text: string, start: number, end: number): number {
  const at = indexOfCookie(text, start, end);
  if (at < 0 || !/^!?[A-Za-z_$][\w$.]{0,127}$/.test(text.slice(start, at + 6))) return -1;
  JAR_AT_RE.lastIndex = at;
  const m = JAR_AT_RE.exec(text);
  if (m === null || jarKind(text, m) === undefined || JAR_AT_RE.lastIndex < end) return -1;
  return m[3] !== undefined && m[3] !== '{' ? at - nameBefore(text, at).length : at;
}

/** Where `cookie` (any case) starts in `[from, to)` of `text`, or -1. Reads each character once. */
function indexOfCookie(text: string, from: number, to: number): number {
  for (let i = from; i + 6 <= to; i++) {
    if ((text.charCodeAt(i) | 0x20) === 99 && /^cookie$/i.test(text.slice(i, i + 6))) return i;
  }
  return -1;
}

/** A key naming a jar (`cookies`, `session_cookies`, `storedCookies`). */
const JAR_NAME_RE = /cookies$/i;

/** Whether a member `key` of an object read as `mode` has its value hidden. */
function hidesMember(mode: ObjectMode, key: string): boolean {
  if (mode === 'none') return false;
  const lower = key.toLowerCase();
  if (mode === 'cookie') return lower === 'value';
  if (mode === 'nested' && (lower === 'name' || lower === 'key')) return false;
  return !isCookieAttribute(key);
}

/**
 * Whether the flow collection after `cookies:` at `at` (the name starting at `name`) is YAML's (`cookies: [{name: sid,
 * value: abc}]`), not code's (`cookies: [{ name: N, value: token }]` in an object literal, where a bare word is a name of
 * code): the name unquoted and first on its line (or the first word of a string, or after a line end as JSON writes
 * it), after `:`; the line above (blank lines passed over) ending in no `{`, `,`, `(`, `[` or `;` (no object, call or
 * type of code goes on there; the first line of a text is YAML's) and no comment of code (`// …`, `/* … *\/`); the
 * collection closing its line with its own bracket (`{ … }[]` is a type; a cut's mark or an earlier tag closes
 * nothing). Bounded.
 */
function yamlFlow(text: string, name: number, at: number): boolean {
  if (!text.slice(name + 7, at).includes(':')) return false;
  let keyStart = name;
  // Not past a line end or a tab as JSON writes it (`\ncookies:`: its `n` is no letter of the key's).
  while (keyStart > name - 128 && keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1)) && !escapeLetterAt(text, keyStart - 1)) keyStart--;
  // A quoted key is JSON's or code's (but the first word of a string, a line of YAML in JSON text: nothing closes it).
  if (quoteAt(text, name + 7) > 0 || keyColumn(text, keyStart, name + 7) < 0) return false;
  // The line above: back over the indentation, the line end (raw or as JSON writes it), blank lines.
  let i = keyStart - 1;
  for (let n = 0; i >= 0 && n < 512; n++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i--;
    else if (escapeLetterAt(text, i)) {
      i--;
      for (let k = 0; k < 7 && text.charCodeAt(i) === 92; k++) i--; // `\n`, `\\n`: all its backslashes
    } else break;
  }
  if (i >= 0) {
    const last = text.charCodeAt(i);
    if (last === 123 || last === 44 || last === 40 || last === 91 || last === 59) return false;
    // A comment of code above (`// the session's cookie`, `/* … */`, a block comment's ` * ` line) says code, not YAML.
    if (codeCommentLine(text, i)) return false;
  }
  // The collection closes its line (`]` or `}` last, but blanks and a ` #` comment): not a type (`{ … }[];`), nor code
  // going on (`}],`, `}))`).
  // In JSON text (the key first in a string, or after a line end as JSON writes it) a raw `"` ends the line too.
  const p = text.charCodeAt(keyStart - 1);
  const end = lineEndFrom(text, at, p === 34 || ((p === 110 || p === 114) && text.charCodeAt(keyStart - 2) === 92));
  let j = at;
  let close = -1;
  for (; j < end && j - at < MAX_EXPRESSION * 4; j++) {
    const c = text.charCodeAt(j);
    if (c === 35 && isBlank(text.charCodeAt(j - 1))) break;
    // A cut on the line: the collection's end is not in the text (the mark's `]` closes nothing).
    if (c === 0x2026 && text.startsWith(TRUNCATION_MARK, j)) return false;
    if (!isBlank(c)) close = j;
  }
  if (close < 0 || !(j === end || text.charCodeAt(j) === 35)) return false;
  // Closed by its own bracket (`{ … }[]` is a type's array), not by an earlier rule's tag (`password: [REDACTED:…]`).
  const last = text.charCodeAt(close);
  if (last !== (text.charCodeAt(at) === 123 ? 125 : 93)) return false;
  return !(last === 93 && TAG_END_RE.test(text.slice(Math.max(at, close - 48), close + 1)));
}

/** A tag an earlier rule wrote, ending a text (`[REDACTED:password_assignment]`). */
const TAG_END_RE = /\[REDACTED:[a-z_]{1,40}\]$/;

/** Whether the character at `i` is the letter of a line end or a tab as JSON writes it (`\n`, `\r`, `\t`). */
function escapeLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c === 110 || c === 114 || c === 116) && text.charCodeAt(i - 1) === 92;
}

/**
 * Whether the line whose last character (not blank) is at `i` is a comment of code: it starts with `//`, `/*` or a `*`
 * then a blank (a block comment's line), or ends with `*\/`. Reads back to the line's start (a line end raw or as JSON
 * writes it), 512 characters at most.
 */
function codeCommentLine(text: string, i: number): boolean {
  if (text.charCodeAt(i) === 47 && text.charCodeAt(i - 1) === 42) return true;
  let s = i;
  while (s > 0 && i - s < 512) {
    const c = text.charCodeAt(s - 1);
    if (c === 10 || c === 13 || ((c === 110 || c === 114) && escapeLetterAt(text, s - 1))) break;
    s--;
  }
  s = blanks(text, s);
  const c = text.charCodeAt(s);
  const d = text.charCodeAt(s + 1);
  return (c === 47 && (d === 47 || d === 42)) || (c === 42 && (d === 32 || d === 9 || d === 47));
}

/** A letter of a Python string's prefix (`b`, `r`, `u`, `f`, any case). */
function isPrefixLetter(c: number): boolean {
  const l = c | 0x20;
  return l === 98 || l === 114 || l === 117 || l === 102;
}

/** A character of a YAML key or a name ending in `cookies` (`session_cookies`, `http.cookies`, `x-cookies`). */
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}
