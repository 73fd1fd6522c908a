/**
 * Cookies outside a header (`redactCookieJars`, kind `cookie`, with redact-cookies.ts): where a session cookie sits in
 * clear in what agents read and write.
 *
 * - Arrays of cookie objects: a HAR entry's `"cookies": [{"name": "sid", "value": "…", "path": "/"}]`, Playwright's
 *   and Puppeteer's storage state (`{"cookies": [{"name": …, "value": …, "domain": …}]}`), Playwright's
 *   `context.addCookies([{ name: 'sid', value: '…' }])`: each object's `value` (its other members are the cookie's
 *   name and attributes, no secrets).
 * - Dicts of cookies: Python's `requests`/`httpx` `cookies={"sid": "…"}`, a dict assigned to a name ending in
 *   `cookies` (`session_cookies = {…}`, `COOKIES = {…}`), a tool's JSON arguments (`"cookies": {"sid": "…"}`): each
 *   item's value but a cookie attribute's (`{"domain": "x.example"}`).
 * - Setters: `session.cookies.set("sid", "…")` (requests), `Cookies.set('sid', '…')` (js-cookie): the second argument
 *   (a few blanks allowed before the `,`: `set( "sid" , "…" )`).
 * - curl's `-b 'sid=…; theme=…'` / `--cookie "sid=…"` (in curl's command, a shell command or an argv list: see
 *   {@link CurlCommands}): read as a `Cookie` header's value; a value without `=` is a cookie file's name and is kept.
 * The name `cookies` is in any case before `=`/`:`, with its quotes maybe escaped (JSON text); the objects may be
 * pretty-printed over lines, raw or as JSON writes them (`\n`), their quotes escaped (`\"value\": \"…\"`).
 *
 * Names are kept (`"name": "sid"`, `{"sid": …}`); so are values that hold no secret to see (empty, a reference or a
 * template's field, an earlier tag, `null`: the cookie rule's `keptValue`; a value the header rule redacted first,
 * `sid=[REDACTED:cookie]`, is kept too, so that each tag counts one redaction), and code: a value that is no string
 * literal (`{"sid": sid}`, `value: process.env.SID`) is kept byte for byte, and a string literal that code goes on
 * after (`"s_" + sid`, a prefixed `f"…"`) ends the reading, the literal kept.
 *
 * Linear: one regex finds each jar (bounded), the reader reads forward from it, each character once, and the next
 * jar is looked for after what was read. Comments between items (`#`, `//`, to the line's end) are passed over; a
 * shape the reader does not know (a nested list, a block comment, a call) ends its reading there; what it redacted
 * before stays redacted.
 */

import { isCookieAttribute, keptValue, readRequestCookies, TAG } from './redact-cookies.js';

/**
 * A name ending in `cookies` (any case), then its closing quote maybe (escaped as JSON writes it), blanks and `=` (not
 * `==`) or `:`, then blanks; or (`cookies` in lower case after its first letter) `.set(` or `(`: a setter, a call
 * taking cookie objects. Group 1: `.set(` or `(` for a call.
 */
const JAR_RE = /[cC][oO][oO][kK][iI][eE][sS](?:(?:\\{1,7}["']|["'])?[ \t]{0,16}(?:=(?!=)|:)[ \t]{0,16}|(\.set\(|\())/g;

/** curl's cookie flags, then a blank or (an argv item) a quote, maybe escaped. */
const CURL_FLAG_RE = /(?:-b|--cookie)(?=[ \t]|\\{0,7}["'])/g;

/** Deepest nesting of objects read inside a cookie object (Puppeteer's `partitionKey: {…}`). */
const MAX_DEPTH = 2;

/** Where an edit replaces a value: `[start, end)`. */
type Edits = number[];

/** `text` with the values of the cookies in its jars, setters and curl flags replaced. */
export function redactCookieJars(text: string): { text: string; count: number } {
  const jars = applyEdits(text, jarValues(text));
  const flags = applyEdits(jars.text, curlFlagValues(jars.text));
  return { text: flags.text, count: jars.count + flags.count };
}

/** Where the values to hide of the jars and setters of `text` are, in order. */
function jarValues(text: string): Edits {
  const edits: Edits = [];
  const reader = new JarReader(text, edits);
  JAR_RE.lastIndex = 0;
  for (let m = JAR_RE.exec(text); m !== null; m = JAR_RE.exec(text)) {
    const at = m.index + m[0].length;
    reader.far = at;
    if (m[1] === undefined) {
      const c = text.charCodeAt(at);
      if (c === 123 /* { */) reader.object(at + 1, 'dict', 0);
      else if (c === 91 /* [ */) reader.array(at + 1);
    } else if (text.startsWith('ookies', m.index + 1)) {
      if (m[1] === '(') {
        const i = reader.gap(at);
        if (text.charCodeAt(i) === 91) reader.array(i + 1);
      } else reader.setter(at);
    }
    // The next jar is looked for after what this one's reading passed over.
    JAR_RE.lastIndex = Math.max(JAR_RE.lastIndex, reader.far);
  }
  return edits;
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
    if (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) {
      i = blanks(text, i);
      const q = quoteAt(text, i);
      quoted = q > 0;
      i += q;
    } else {
      // An argv item: `"-b", "sid=…"`, the next item maybe on the next line.
      i = blanks(text, i + quoteAt(text, i));
      if (text.charCodeAt(i) !== 44 /* , */) continue;
      i = gap(text, i + 1);
      const q = quoteAt(text, i);
      if (q === 0) continue;
      quoted = true;
      i += q;
    }
    const end = readRequestCookies(text, i, quoted, hide);
    CURL_FLAG_RE.lastIndex = Math.max(CURL_FLAG_RE.lastIndex, end);
    // The cookies read are no command's end (`-b 'a=x&&y'`).
    commands.passOver(end);
  }
  return edits;
}

/**
 * Whether a place of a text is in a curl command, the text read forward once (`inCurl` asked at growing places):
 * `curl` (a word: `/usr/bin/curl`, `curl.exe`, `"curl"`) starts one; a line end (raw or as JSON writes it), `&&`,
 * `||` or a pipe between blanks ends it, so `git checkout -b x=y` on the next line or after `&&` is no curl's. A
 * line end is none after a line's `\` (shell), `^` (cmd), `` ` `` (PowerShell), `,`, `(` or `[` (an argv list over
 * lines). `&`, `;` and a lone `|` are no end (in a URL, a quoted header: `text/html; q=0.9`, they are common; quotes
 * are not followed).
 */
class CurlCommands {
  private curl = false;

  /** The text's first `curl` is at `pos` (maybe inside a word: `libcurl`). */
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  /** `[…, to)` is inside the current command (cookies read). */
  passOver(to: number): void {
    if (to > this.pos) this.pos = to;
  }

  /** Whether `at` (not before the last place asked) is in a curl command. */
  inCurl(at: number): boolean {
    const text = this.text;
    let i = this.pos;
    while (i < at) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) {
        // `\r\n` is one line end, judged at its `\r`.
        if (!(c === 10 && text.charCodeAt(i - 1) === 13) && !continuesLine(text, i - 1)) this.curl = false;
        i++;
      } else if (c === 92 /* \ */) {
        let j = i + 1;
        while (text.charCodeAt(j) === 92) j++;
        const e = text.charCodeAt(j);
        // A line end as JSON writes it (`\n`); after an escaped backslash (`\\\n`, a shell's line going on) none.
        if (j - i === 1 && (e === 110 || e === 114) && !(e === 110 && text.startsWith('\\r', i - 2)) && !continuesLine(text, i - 1)) this.curl = false;
        i = j;
      } else if ((c === 38 || c === 124) && text.charCodeAt(i + 1) === c) {
        this.curl = false; // `&&`, `||`
        i += 2;
      } else if (c === 124 && isBlank(text.charCodeAt(i - 1)) && isBlank(text.charCodeAt(i + 1))) {
        this.curl = false; // ` | `
        i++;
      } else if (c === 99 /* c */ && text.startsWith('curl', i) && !isWordChar(text.charCodeAt(i - 1)) && !isWordChar(text.charCodeAt(i + 4))) {
        this.curl = true;
        i += 4;
      } else i++;
    }
    this.pos = Math.max(i, this.pos);
    return this.curl;
  }
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

/** Most blanks read between a setter's name and its `,`. */
const MAX_SETTER_BLANKS = 16;

/** Up to {@link MAX_SETTER_BLANKS} blanks from `i` passed over. */
function fewBlanks(text: string, i: number): number {
  const stop = i + MAX_SETTER_BLANKS;
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

/**
 * Reads the values of one text's cookie objects and dicts forward, adding the ones to hide to `edits` (in order);
 * `far` is where the reading got to (the next jar is looked for after it).
 */
class JarReader {
  far = 0;

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
   * The string literal at `i` (its quote maybe escaped as JSON writes it, `k` backslashes): `[contentStart,
   * contentEnd, after]`, or undefined (none, or not closed on its line). Its closing quote has the same `k`
   * backslashes before it, plus escaped backslashes (`2k + 2` each): `"a\\"` ends at its last quote.
   */
  string(i: number): [number, number, number] | undefined {
    const text = this.text;
    const k = quoteAt(text, i) - 1;
    if (k < 0) return undefined;
    const q = text.charCodeAt(i + k);
    const start = i + k + 1;
    let run = 0;
    for (let j = start; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === q && run >= k && (run - k) % (2 * k + 2) === 0) {
        if (j + 1 > this.far) this.far = j + 1;
        return [start, j - k, j + 1];
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

  /** A value of code that is no literal at `i` (a name, a number): where it ends, or `i` (none). */
  bare(i: number): number {
    while (i < this.text.length && isBareChar(this.text.charCodeAt(i))) i++;
    if (i > this.far) this.far = i;
    return i;
  }

  /**
   * A gap between items (after `{`, `[` or `,`, or before `,` or the close): blanks, line ends and comments, `#`
   * (Python) or `//` (JS) to the line's end, passed over. Only called outside strings, where neither starts anything
   * else the reader knows.
   */
  between(i: number): number {
    const text = this.text;
    for (;;) {
      i = this.gap(i);
      const c = text.charCodeAt(i);
      if (c !== 35 /* # */ && !(c === 47 /* / */ && text.charCodeAt(i + 1) === 47)) return i;
      i = lineEnd(text, i);
    }
  }

  /** Whether what follows `i` (after a gap, comments too) ends a member or an argument: `,` or `close`. Where that is, or -1. */
  memberEnd(i: number, close: number): number {
    const j = this.between(i);
    const c = this.text.charCodeAt(j);
    return c === 44 || c === close ? j : -1;
  }

  /**
   * Hides the value `[start, end)` unless it holds nothing to hide or an earlier tag (`keptValue`: `sid=[REDACTED:cookie]`,
   * a HAR header entry; `x.[REDACTED:jwt]`): one tag, one redaction.
   */
  hide(start: number, end: number): void {
    if (!keptValue(this.text.slice(start, end))) this.edits.push(start, end);
  }

  /** A list of cookie objects from after its `[`: each object read. Where the reading ended, or -1 (a shape not read). */
  array(i: number): number {
    for (;;) {
      i = this.between(i);
      const c = this.text.charCodeAt(i);
      if (c === 93 /* ] */) return i + 1;
      if (c !== 123 /* { */) return -1;
      i = this.object(i + 1, 'cookie', 0);
      if (i < 0) return -1;
      i = this.memberEnd(i, 93);
      if (i < 0) return -1;
      if (this.text.charCodeAt(i) === 44) i++;
    }
  }

  /**
   * An object from after its `{`: a cookie object (`mode` `cookie`: its `value` member hidden), a dict of cookies
   * (`dict`: every item's value but an attribute's), or an object inside a cookie object (`skip`: nothing hidden).
   * Keys are string literals or names. Where the object ends (after its `}`), or -1 (a shape not read).
   */
  object(i: number, mode: 'cookie' | 'dict' | 'skip', depth: number): number {
    const text = this.text;
    for (;;) {
      i = this.between(i);
      if (text.charCodeAt(i) === 125 /* } */) return i + 1;
      let key: string;
      const quoted = this.string(i);
      if (quoted !== undefined) {
        key = text.slice(quoted[0], quoted[1]);
        i = quoted[2];
      } else {
        const end = this.bare(i);
        if (end === i) return -1;
        key = text.slice(i, end);
        i = end;
      }
      i = this.gap(i);
      if (text.charCodeAt(i) !== 58 /* : */) return -1;
      i = this.gap(i + 1);
      const value = this.string(i);
      if (value !== undefined) {
        // A literal code goes on after (`"s_" + sid`) is kept, and the reading ends.
        const end = this.memberEnd(value[2], 125);
        if (end < 0) return -1;
        if (mode === 'cookie' ? key.toLowerCase() === 'value' : mode === 'dict' && !isCookieAttribute(key)) this.hide(value[0], value[1]);
        i = end;
      } else if (text.charCodeAt(i) === 123 && mode === 'cookie' && depth < MAX_DEPTH) {
        const end = this.object(i + 1, 'skip', depth + 1);
        if (end < 0) return -1;
        i = this.memberEnd(end, 125);
        if (i < 0) return -1;
      } else {
        const end = this.bare(i);
        if (end === i) return -1;
        i = this.memberEnd(end, 125);
        if (i < 0) return -1;
      }
      if (text.charCodeAt(i) === 125) return i + 1;
      i++; // the `,`
    }
  }

  /**
   * A setter's arguments from after its `(`: a name literal, a few blanks maybe (`( "sid" , "…" )`), `,`, a value
   * literal then `,` or `)`.
   */
  setter(i: number): void {
    const name = this.string(this.gap(i));
    if (name === undefined) return;
    const comma = fewBlanks(this.text, name[2]);
    if (this.text.charCodeAt(comma) !== 44) return;
    const value = this.string(this.gap(comma + 1));
    if (value !== undefined && this.memberEnd(value[2], 41) >= 0) this.hide(value[0], value[1]);
  }
}
