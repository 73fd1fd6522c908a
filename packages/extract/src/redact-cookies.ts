/**
 * Cookies given in an HTTP header (`redactCookies`, kind `cookie`): a session
 * cookie is a credential as good as a password, and it reaches agent traces
 * through `curl -H 'Cookie: …'`, header dicts, raw HTTP dumps and
 * `document.cookie = "…"`.
 *
 * - `Cookie: a=1; b=2` (a request's header): every value.
 * - `Set-Cookie: a=1; Path=/; HttpOnly` (a response's) and `document.cookie =
 *   "a=1; path=/"` (a header name then `=`: a cookie being set): the first pair's
 *   value; what follows it are the cookie's attributes (`Path`, `Expires`,
 *   `Max-Age`), no secrets.
 * - The header name in any case, its quotes maybe escaped (`{\"Cookie\": \"…\"}` in
 *   JSON), `:` or `=` after it (`document.cookie = "sid=…"`), then a quote maybe.
 *
 * Names are kept (`sid=[REDACTED:cookie]`: which cookie was sent is worth
 * seeing). A value is kept when it holds no secret to see: empty (`"sid=" + sid`),
 * a template field or reference (`{sid}`, `${SID}`, `$SID`, `%s`, `<session id>`),
 * an earlier tag, or a word such as `null`, `true` or `none`. Cookies not in a
 * header (`requests.get(url, cookies={"sid": "…"})`, curl's `-b`) are not read:
 * their names are not secrets' names.
 *
 * Linear: one regex finds each header; the pairs after it are read once (names
 * bounded, at most 64 pairs), and the next header is looked for after them.
 */

import { NON_SECRET_VALUE_RE } from './redact-code.js';

const TAG = '[REDACTED:cookie]';

/**
 * A cookie header's name and what follows it up to its value: `Cookie` or `Set-Cookie`
 * (not inside a longer name: `X-Cookie-Id:` is none), its closing quote maybe (maybe
 * escaped), blanks, `:` or `=` (not `==`), blanks, an opening quote maybe (maybe escaped; a backtick too).
 * Group 1: `Set-` or empty; group 2: `=` when that is the separator.
 */
const HEADER_RE = /(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))(Set-)?Cookie(?:\\{1,7}["']|["'])?[ \t]{0,8}(?::|(=)(?!=))[ \t]{0,8}(?:\\{1,7}["']|["'`])?/gi;

/** Most pairs read after one header. */
const MAX_PAIRS = 64;
/** Longest cookie name read (a value is read whole, however long: a tail left after a cut would be in clear). */
const MAX_NAME = 256;

/** A character of a cookie's name (RFC 6265's token, without the quote, the backtick and `%`, which end strings or start placeholders). */
function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 33 || c === 35 || c === 36 || c === 38 || c === 42 || c === 43 || c === 45 || c === 46 || c === 94 || c === 95 || c === 124 || c === 126
  );
}

/** A character of a cookie's value as written in code or a header: not a blank, quote, backtick, `;`, `,` or backslash (which end a string or a line as JSON writes it). */
function isValueChar(c: number): boolean {
  return c > 32 && c !== 34 && c !== 39 && c !== 96 && c !== 44 && c !== 59 && c !== 92 && c !== 127;
}

/** Whether a cookie's value holds nothing to hide (see the module comment). */
function keptValue(value: string): boolean {
  if (value.length === 0 || value.startsWith('[REDACTED')) return true;
  const c = value.charCodeAt(0);
  // `{sid}`, `${SID}`, `$SID`, `%s`/`%(sid)s`, `<session id>`: a template's field or a reference.
  if (c === 123 || c === 36 || c === 37 || c === 60) return true;
  return NON_SECRET_VALUE_RE.test(value);
}

/** `text` with the values of the cookies in its `Cookie:` and `Set-Cookie:` headers replaced. */
export function redactCookies(text: string): { text: string; count: number } {
  let out = '';
  let last = 0;
  let count = 0;
  HEADER_RE.lastIndex = 0;
  for (let m = HEADER_RE.exec(text); m !== null; m = HEADER_RE.exec(text)) {
    const setCookie = m[1] !== undefined || m[2] !== undefined;
    let i = m.index + m[0].length;
    for (let pair = 0; pair < MAX_PAIRS; pair++) {
      const nameStart = i;
      while (i < text.length && i - nameStart < MAX_NAME && isNameChar(text.charCodeAt(i))) i++;
      if (i === nameStart || text.charCodeAt(i) !== 61 /* = */) break;
      const valueStart = ++i;
      while (i < text.length && isValueChar(text.charCodeAt(i))) i++;
      const value = text.slice(valueStart, i);
      if (!keptValue(value)) {
        out += text.slice(last, valueStart) + TAG;
        last = i;
        count++;
      }
      if (setCookie || text.charCodeAt(i) !== 59 /* ; */) break;
      i++;
      while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    }
    // The next header is looked for after this one's pairs: a value never holds one.
    HEADER_RE.lastIndex = Math.max(HEADER_RE.lastIndex, i);
  }
  return count === 0 ? { text, count } : { text: out + text.slice(last), count };
}
