/**
 * Cookies given in an HTTP header (`redactCookies`, kind `cookie`): a session
 * cookie is a credential as good as a password, and it reaches agent traces
 * through `curl -H 'Cookie: …'`, header dicts, raw HTTP dumps, HAR files and
 * `document.cookie = "…"`.
 *
 * - `Cookie: a=1; b=2` (a request's header): every value.
 * - `Set-Cookie: a=1; Path=/; HttpOnly` (a response's) and `document.cookie =
 *   "a=1; path=/"` (a header name then `=`: a cookie being set): the first pair's
 *   value; what follows it are the cookie's attributes (`Path`, `Expires`,
 *   `Max-Age`), no secrets. Several `Set-Cookie` headers joined by `, ` (as
 *   Python's requests and fetch's `headers.get` return them) are each read: after
 *   a `,`, a pair whose name is no attribute's starts the next cookie (the `,` of
 *   an `Expires` date is passed over).
 * - The header name in any case, its quotes maybe escaped (`{\"Cookie\": \"…\"}` in
 *   JSON), then what redact-headers.ts reads between a header's name and its value
 *   (`:`, `=`, a subscript's `"] =`, a setter's `", "`, a HAR entry's `", "value": "`),
 *   then a quote maybe. `HTTP_COOKIE` (WSGI's, Django's) is the request's header.
 * - Over lines (redact-lines.ts), when the header's name starts its line: a YAML value below it (`Cookie: >-`, `|` or
 *   nothing after the `:`, then lines indented deeper), and pairs folded onto a deeper line after a `;` or `,`.
 * - A value in escaped quotes (`sid=\"…\"`, JSON text) is read inside them; blanks around `=` (`sid = abc`) only in a
 *   header capitalised as HTTP writes it (`cookie: str = …` is an annotation).
 *
 * Names are kept (`sid=[REDACTED:cookie]`: which cookie was sent is worth
 * seeing). A value is kept when it holds no secret to see: empty (`"sid=" + sid`),
 * a template field or reference (`{sid}`, `${SID}`, `$SID`, `%s`, `<session id>`),
 * an earlier tag (anywhere in it: `sid=abc.[REDACTED:jwt]`, the JWT rule ran first;
 * so each tag counts one redaction), or a word such as `null`, `true` or `none`. Cookies not in a
 * header (`requests.get(url, cookies={"sid": "…"})`, curl's `-b`, a HAR entry's
 * `cookies` list) are read by redact-cookie-jars.ts, with this module's
 * {@link readRequestCookies} and {@link keptValue}.
 *
 * Linear: one regex finds each header; the pairs and attributes after it are read
 * once (names bounded), and the next header is looked for after them.
 */

import { NON_SECRET_VALUE_RE } from './redact-code.js';
import { TRUNCATION_MARK } from './redact-cut.js';
import { headerSeparator } from './redact-headers.js';
import { escapedBreak, indentAt, keyColumn, lineBreakAt, readBlock } from './redact-lines.js';
import { VENDOR_PREFIXES } from './redact-vendors.js';

/** What replaces a cookie's value. */
export const TAG = '[REDACTED:cookie]';

/**
 * A cookie header's name and what follows it up to its value: `Cookie` or `Set-Cookie` (not inside a longer name:
 * `X-Cookie-Id:` is none; `HTTP_COOKIE` is WSGI's name of the request's), then {@link headerSeparator}.
 * Group 1: `Set-`, `HTTP_` or empty; group 2: `=` when that is the separator of a header line or an item.
 */
const HEADER_RE = new RegExp(`(?:(?<![A-Za-z0-9_-])|(?<=\\\\[nrt]))(Set-|HTTP_)?Cookie${headerSeparator(true)}`, 'gi');

/** Longest cookie name read (a value is read whole, however long: a tail left after a cut would be in clear). */
const MAX_NAME = 256;
/** The attributes of a `Set-Cookie` header (RFC 6265 and the drafts after it), lower case. */
const ATTRIBUTES = new Set(['expires', 'max-age', 'domain', 'path', 'secure', 'httponly', 'samesite', 'priority', 'partitioned', 'version', 'comment']);

/** {@link ATTRIBUTES} without `-`: `maxage`. */
const ATTRIBUTE_NAMES = new Set([...ATTRIBUTES].map((a) => a.replace(/-/g, '')));

/** Whether `name` is a cookie attribute's, in any case and spelling (`-`, `_` dropped): `Path`, `SameSite`, `max_age`, `maxAge`. */
export function isCookieAttribute(name: string): boolean {
  return ATTRIBUTE_NAMES.has(name.replace(/[-_]/g, '').toLowerCase());
}
/** The rest of an `Expires` date after its weekday's `,` (`21 Oct 2027 07:28:00 GMT`, `21-Oct-27 07:28:00 GMT`). */
const DATE_REST_RE = /\d{1,2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{1,2}:\d{2}:\d{2}(?: GMT)?/y;

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

/** How every tag starts: a value holding one was redacted (in part) by an earlier rule. */
const TAG_START = '[REDACTED:';

/** An earlier rule's tag (`[REDACTED:jwt]`). */
const ANY_TAG_RE = /\[REDACTED:[A-Za-z0-9_.-]{1,64}\]/g;
/** What is left of a value redacted already, pair by pair: cookie names and `=`, parted by `;` or `,` (`sid=`, `a=; b=`). */
const NAMES_ONLY_RE = /^(?:[ \t]*[!#$%&*+.^_`|~0-9A-Za-z-]{1,256}=[ \t]*[;,]?)*[ \t]*$/;

/**
 * A tag of a rule that runs before the cookie rules (the token rules, the JWT, vendor and `bearer` rules, the PEM pass),
 * not followed by a cut's mark (the cut rule, which runs last, writes these kinds too). A value kept for its start holding
 * one is judged as any value holding a tag: the first pass's cookie rule saw that tag too, so both passes agree. Every
 * other tag (`password_assignment`, `url_password`, a cut's) a later rule may have written inside a value the first pass
 * kept: such a value stays kept.
 */
const TOKEN_TAG_RE = new RegExp(
  `\\[REDACTED:(?:private_key|anthropic_key|openai_key|aws_access_key|github_token|gitlab_token|slack_token|google_api_key|jwt|bearer|${[
    ...new Set(VENDOR_PREFIXES.map(([, kind]) => kind)),
  ].join('|')})\\](?!${TRUNCATION_MARK.replace(/[[\]]/g, '\\$&')})`,
);

/** The tags starting a value. */
const LEADING_TAGS_RE = /^(?:\[REDACTED:[A-Za-z0-9_.-]{1,64}\])+/;
/**
 * What a later rule's value ends at (a bare value at a blank, a quote, `,;(){}[]`, `&`, an escape's `\\`; a URL's password
 * at `@`; a cut's at its mark), or the value's end: after the tags, the text that rule left. Anything else glued there (a
 * secret's characters, `Xk9…`, `.r3fr3sh`, `%22…`) was in the value this rule read, the tag with it.
 */
const END_OF_LATER_VALUE_RE = /^(?:$|[\s"'`,;(){}[\]&\\@\u2026])/;
/**
 * A jar's or a cookie setter's name and the syntax going on past it, which the assignment rule gives back after its tag
 * (`[REDACTED:…]Cookie{`, `[REDACTED:…]cookies=`, `[REDACTED:…]setCookie(`: see jarNameIn and JAR_RE there).
 */
const JAR_NAME_RE = /^(?:set_?(?:signed_?)?|add_?)?cookie(?:s(?:(?:\\{1,7}["']|["'])?[ \t]{0,16}[=:]|\.set\(|\()|\(|Sync\(|\{)/i;

/**
 * Whether `value` starts with a tag a rule running after the cookie rules writes (neither a token rule's, {@link
 * TOKEN_TAG_RE}, nor a cookie's, the header rule's, which the jar rule reads) and holds no token rule's tag: that rule
 * replaced the start for which this rule kept the value (`%sauth{` became `[REDACTED:password_assignment]{`). A tag
 * further in leaves that start to be read (`{…[REDACTED:…]`); text before a tag (`abc[REDACTED:…]`) is judged as before,
 * and so is a tag followed by what no later rule's value ends at (`[REDACTED:…]Xk9…`, `[REDACTED:…].r3fr3sh`: the tag
 * was in the text this rule read; kept whatever followed from 047195d to a review of it).
 */
function startsWithLaterTag(value: string): boolean {
  const lead = LEADING_TAGS_RE.exec(value);
  if (lead === null || value.startsWith(TAG) || TOKEN_TAG_RE.test(value)) return false;
  const after = value.slice(lead[0].length);
  return END_OF_LATER_VALUE_RE.test(after) || JAR_NAME_RE.test(after);
}

/**
 * Placeholders of a format string and punctuation only (`%s`, `%(sid)s`, `%-10s`, `%05d`, `%s.%s`). Each placeholder is
 * read one way only (a `0` is a width's digit, not a flag: a flag class holding it read `%00s` three ways, and a run of
 * them failing at its end was tried in every combination), so the test is linear.
 */
const PERCENT_PLACEHOLDERS_RE = /^(?:%(?:\([^)]{1,64}\))?[-+ #]{0,4}\d{0,3}(?:\.\d{1,3})?[A-Za-z]|[^%A-Za-z0-9])+$/;
/** Longest value judged a format string's placeholders: a longer one starting with `%XX` is percent-encoded. */
const MAX_PLACEHOLDERS = 256;

/**
 * Whether a value starting with `%` is percent-encoded (`%22eyJ…%22`, `%7B%22token%22…`: URL-encoded JSON or quotes, a
 * JWT in them) rather than a format string's placeholder (`%s`, `%(sid)s`, `%10s`): kept for its `%` before a review of
 * 2026-12-07, the whole value was left in clear (a JWT after `%22` has no boundary for the JWT rule).
 */
function percentEncoded(value: string): boolean {
  return /^%[0-9A-Fa-f]{2}/.test(value) && (value.length > MAX_PLACEHOLDERS || !PERCENT_PLACEHOLDERS_RE.test(value));
}

/**
 * A format string: placeholders (`%s`, `%(sid)s`, `%-10s`, `%1$s`, `%%`) and text without digits between them
 * (`%s.example`, `%sauth{`). Each `%` is read one way only, as in {@link PERCENT_PLACEHOLDERS_RE}: linear.
 */
const FORMAT_RE = /^(?:%(?:%|(?:\([^)]{1,64}\))?(?:[1-9]\$)?[-+ #]{0,4}\d{0,3}(?:\.\d{1,3})?[A-Za-z])|[^%0-9])+$/;
/** A Windows variable, the whole value (`%SESSION_ID%`). */
const WINDOWS_VARIABLE_RE = /^%[A-Za-z_][A-Za-z0-9_]{0,63}%$/;

/**
 * Whether a value starting with `%` is a format string's placeholders or a variable, kept: not percent-encoded, and no
 * digit outside its placeholders (`%s3cr3tT0ken`, `%-10sXYZ…123`, `%(sid)sAbC123`: a secret after a placeholder, kept for
 * its `%` until a review of 047195d).
 */
function formatPlaceholders(value: string): boolean {
  if (WINDOWS_VARIABLE_RE.test(value)) return true;
  return !percentEncoded(value) && value.length <= MAX_PLACEHOLDERS && FORMAT_RE.test(value);
}

/**
 * Whether a cookie's value holds nothing to hide (see the module comment). A value holding an earlier rule's tag
 * (and no template's or reference's start, judged first, nor a later rule's tag at its start) is kept when nothing but
 * cookie names is left around its tags (`sid=[REDACTED:cookie]` in a HAR entry, which the
 * header rule read first): one tag, one redaction. Anything else around a tag (`abc.[REDACTED:jwt]`, a session id
 * before a token) may be the secret's other part, and the value is replaced whole, as the assignment rule replaces
 * a bare value holding a tag (`redactions` then counts one more than the tags left).
 */
export function keptValue(value: string): boolean {
  if (value.length === 0 || value.startsWith('[REDACTED]')) return true;
  const c = value.charCodeAt(0);
  // `{sid}`, `${SID}`, `$SID`, `%s`/`%(sid)s`, `<session id>`: a template's field or a reference; a placeholder, a call
  // reading the environment (`os.getenv(…`). Judged before the tags: a tag a later rule wrote inside such a value (the
  // cut rule's, `{ghp_a…`; the assignment rule's, `"{ password: …"`) made a second pass replace what the first kept.
  // A token rule's tag in it (those run before the cookie rules: a tag the first pass's cookie rule saw too) is judged
  // as any tag below: kept since c903383, what was around it (`{"t": "[REDACTED:jwt]", "r": "…"}`, a refresh token)
  // was left in clear.
  const tagged = value.includes(TAG_START);
  if ((c === 123 || c === 36 || (c === 37 && formatPlaceholders(value)) || c === 60 || NON_SECRET_VALUE_RE.test(value)) && !(tagged && TOKEN_TAG_RE.test(value))) return true;
  if (!tagged) return false;
  // Its start replaced by a rule that runs after the cookie rules (`[REDACTED:password_assignment]{`): this rule kept the
  // value before that rule wrote the tag (one it replaced holds its own tag only), and keeps it again.
  if (startsWithLaterTag(value)) return true;
  // Around the tags, cookie names, or closing punctuation only (`= =)` read as no value, its `=` then redacted: `[…])`).
  const rest = value.replace(ANY_TAG_RE, '');
  return NAMES_ONLY_RE.test(rest) || /^[\s)\]}"'`,;]*$/.test(rest);
}

/** How a {@link pairReader} reads: see its parameters. */
interface PairOptions {
  /** The pairs are in a quoted string (a quote opened it): a `"` there ends the string, not a value's quotes. */
  inString: boolean;
  /**
   * The quote that opened that string when known and not escaped (`'`: curl's `-b 'a="…"'`), else 0: in single quotes a
   * `"` is a value's quote again, and that quote may close the string right after it.
   */
  stringQuote?: number;
  /**
   * Blanks may stand around `=` (`Cookie: sid = abc`): in a header written as HTTP/1.1 writes it (`Cookie`, `COOKIE`,
   * `Set-Cookie`), not `cookie: str = …` (a Python or TypeScript annotation). The value then is bare (no quote) and
   * no call (`Cookie: x = get()`).
   */
  spaced: boolean;
  /**
   * Where the header's name starts, or -1 (the pairs are in a string, or no header's): when that name starts its line
   * (a header line, a YAML key: {@link foldColumn}), after a `;` or `,` the next pair may be on a line indented deeper
   * than it (HTTP's folding, a YAML plain scalar going on).
   */
  header: number;
  /** Where the header's name ends. */
  headerEnd: number;
}

/** The column of the header's name when it starts its line (see `PairOptions.header`), else -1. */
function foldColumn(text: string, options: PairOptions): number {
  return options.header < 0 ? -1 : keyColumn(text, options.header, options.headerEnd);
}

/**
 * A reader of cookie pairs in `text`: `pair(i)` reads `name=value` at `i`, calls `hide(start, end)` on a value to
 * replace (not {@link keptValue}), and returns where the pair ends, or -1 (no pair there). `options` is read at each
 * pair (the caller sets it per header).
 */
function pairReader(text: string, hide: (start: number, end: number) => void, options: PairOptions): (i: number) => number {
  return (i: number): number => {
    const nameStart = i;
    while (i < text.length && i - nameStart < MAX_NAME && isNameChar(text.charCodeAt(i))) i++;
    if (i === nameStart) return -1;
    if (text.charCodeAt(i) !== 61 /* = */) return options.spaced && isBlank(text.charCodeAt(i)) && !isTypeName(text, nameStart, i) ? spacedPair(text, i, hide) : -1;
    const at = i + 1;
    const c = text.charCodeAt(at);
    if (options.spaced && isBlank(c)) return isTypeName(text, nameStart, i) ? -1 : spacedPair(text, i, hide);
    // A value in escaped quotes (`sid=\"abc\"`, a quoted value in a JSON string): judged inside them.
    const escaped = c === 92 ? escapedQuotedValue(text, at) : undefined;
    if (escaped !== undefined) {
      // Kept for its start (`\"${X} sid=…\"`), its later words that are pairs are read as the plain quotes' are.
      if (!keptValue(text.slice(escaped[0], escaped[1]))) hide(escaped[0], escaped[1]);
      else pairsInside(text, escaped[0], escaped[1], hide);
      return escaped[2];
    }
    // A value in double quotes (RFC 6265 allows them: `messages="…"`), in a header outside a string or in a single-quoted
    // one (`-b 'a="…"'`): judged inside them.
    const closer = options.stringQuote ?? 0;
    const quotedEnd = (!options.inString || closer === 39) && c === 34 ? quotedValueEnd(text, at) : -1;
    const valueStart = quotedEnd >= 0 ? at + 1 : at;
    let valueEnd = quotedEnd >= 0 ? quotedEnd - 1 : at;
    if (quotedEnd < 0) while (valueEnd < text.length && isValueChar(text.charCodeAt(valueEnd))) valueEnd++;
    if (!keptValue(text.slice(valueStart, valueEnd))) hide(valueStart, valueEnd);
    else if (quotedEnd >= 0) pairsInside(text, valueStart, valueEnd, hide);
    return quotedEnd >= 0 ? quotedEnd : valueEnd;
  };
}

/**
 * The words of a value in double quotes kept whole for its start (`"${X} sid=…"`: a reference, a template's field) after
 * the first: each that is a pair (`name=value`, the name no attribute's) has its value judged as a cookie's and hidden
 * when not kept (passed over with the value, it was in clear before a review of bc731b5), as the assignment rule reads
 * a key inside a quoted value it keeps. Each character of the value is read once more: linear.
 */
function pairsInside(text: string, start: number, end: number, hide: (start: number, end: number) => void): void {
  let i = start;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < end && isNameChar(text.charCodeAt(i))) i++;
    if (i > nameStart && text.charCodeAt(i) === 61 /* = */ && !isCookieAttribute(text.slice(nameStart, i))) {
      const valueStart = ++i;
      while (i < end && isValueChar(text.charCodeAt(i))) i++;
      if (!keptValue(text.slice(valueStart, i))) hide(valueStart, i);
    }
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
  }
}

/**
 * A pair written with blanks around its `=` (`sid = abc`, see `PairOptions.spaced`), its name ending at `i`: a bare
 * value, no call (`x = get()`), no quote, ending the pair as a header's does: blanks, then a `;` (where it ends), the
 * line's end (raw or as JSON writes it) or the text's. Code goes on otherwise (`const { Cookie: c = fallback } = h`, a
 * destructuring's default; `Cookie: TypeAlias = dict[str, str]`; `'Cookie' : last === 'set-cookie'`, a comparison).
 * Where it ends, or -1.
 */
function spacedPair(text: string, i: number, hide: (start: number, end: number) => void): number {
  const eq = fewBlanks(text, i);
  if (text.charCodeAt(eq) !== 61) return -1;
  const at = fewBlanks(text, eq + 1);
  if (text.charCodeAt(at) === 61) return -1; // `==`, `===`: a comparison (`'Cookie' : last === 'x'`)
  let end = at;
  while (end < text.length && isValueChar(text.charCodeAt(end)) && text.charCodeAt(end) !== 40) end++;
  const c = text.charCodeAt(end);
  if (end === at || c === 40 || c === 34 || c === 39) return -1;
  const after = fewBlanks(text, end);
  const next = text.charCodeAt(after);
  if (!(Number.isNaN(next) || next === 59 || lineBreakAt(text, after) > 0)) return -1;
  if (!keptValue(text.slice(at, end))) hide(at, end);
  return next === 59 ? after : end;
}

/**
 * Built-in types of Python and TypeScript: `Cookie: str = DEFAULT_COOKIE` (a class's annotated attribute), `Cookie:
 * string = ''` are annotations, not a header's pair `str=…`.
 */
const TYPE_NAME_RE = /^(?:str|bytes|int|float|bool|dict|list|tuple|set|object|any|Any|string|number|boolean|unknown|never)$/;

/** Whether the pair's name `[start, end)` is a built-in type's ({@link TYPE_NAME_RE}). */
function isTypeName(text: string, start: number, end: number): boolean {
  return end - start <= 7 && TYPE_NAME_RE.test(text.slice(start, end));
}

/** A space or a tab. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Most blanks read around a cookie's `=` (`sid = abc`). */
const MAX_PAIR_BLANKS = 8;

/** Up to {@link MAX_PAIR_BLANKS} blanks from `i` passed over. */
function fewBlanks(text: string, i: number): number {
  const stop = i + MAX_PAIR_BLANKS;
  while (i < stop && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * A cookie's value between escaped quotes at `i` (`\"abc\"`: 1–7 backslashes, a quote, value characters, the same
 * backslashes and quote), followed by the end, a blank, `;`, `,`, a quote or a backslash (what closes the string or
 * the line around it): `[start, end, after]` of its content, or undefined. `\"" + sid` (code building one) is none.
 */
function escapedQuotedValue(text: string, i: number): [number, number, number] | undefined {
  let j = i;
  while (text.charCodeAt(j) === 92 && j - i < 7) j++;
  const k = j - i;
  const q = text.charCodeAt(j);
  if (k === 0 || (q !== 34 && q !== 39)) return undefined;
  const start = j + 1;
  const end = wordsEnd(text, start);
  if (end === start) return undefined;
  for (let b = 0; b < k; b++) if (text.charCodeAt(end + b) !== 92) return undefined;
  if (text.charCodeAt(end + k) !== q) return undefined;
  const after = end + k + 1;
  const c = text.charCodeAt(after);
  const closes = Number.isNaN(c) || c === 32 || c === 9 || c === 59 || c === 44 || c === 34 || c === 39 || c === 92 || c === 10 || c === 13;
  return closes ? [start, end, after] : undefined;
}

/**
 * A request's cookies (`a=1; b=2`, as a `Cookie` header's value) at `at`, read as the cookie rule reads that header's:
 * `hide(start, end)` is called on each value to replace. `inString`: the cookies are in a quoted string. Where their
 * reading ends, or -1 (no pair at `at`: `curl -b cookies.txt`). `stringQuote`: that string's opening quote when known and
 * unescaped (see `PairOptions.stringQuote`), else 0.
 */
export function readRequestCookies(text: string, at: number, inString: boolean, hide: (start: number, end: number) => void, stringQuote = 0): number {
  const options: PairOptions = { inString, stringQuote, spaced: false, header: -1, headerEnd: -1 };
  const pair = pairReader(text, hide, options);
  const end = pair(at);
  return end < 0 ? -1 : cookiesRest(text, end, pair, options);
}

/**
 * A set cookie (`sid=…; Path=/`, as a `Set-Cookie` header's value: its first pair's value hidden, its attributes kept)
 * at `at`, in a quoted string: tough-cookie's `jar.setCookie('sid=…; Path=/', url)`. Where its reading ends, or -1.
 */
export function readSetCookie(text: string, at: number, hide: (start: number, end: number) => void): number {
  const options: PairOptions = { inString: true, spaced: false, header: -1, headerEnd: -1 };
  const pair = pairReader(text, hide, options);
  const end = pair(at);
  return end < 0 ? -1 : setCookieRest(text, end, pair, options);
}

/** `text` with the values of the cookies in its `Cookie:` and `Set-Cookie:` headers replaced. */
export function redactCookies(text: string): { text: string; count: number } {
  let out = '';
  let last = 0;
  let count = 0;
  const options: PairOptions = { inString: false, spaced: false, header: -1, headerEnd: -1 };
  const pair = pairReader(
    text,
    (start, end) => {
      out += text.slice(last, start) + TAG;
      last = end;
      count++;
    },
    options,
  );
  HEADER_RE.lastIndex = 0;
  for (let m = HEADER_RE.exec(text); m !== null; m = HEADER_RE.exec(text)) {
    const setCookie = m[1] !== undefined ? m[1].toLowerCase() === 'set-' : m[2] !== undefined;
    const header = (at: number): number => {
      const end = pair(at);
      return end < 0 ? -1 : setCookie ? setCookieRest(text, end, pair, options) : cookiesRest(text, end, pair, options);
    };
    const at = m.index + m[0].length;
    const list = text.charCodeAt(at) === 91; // `[`: a list of the header's values
    const nameEnd = m.index + (m[1]?.length ?? 0) + 6;
    options.inString = list || /["'`]$/.test(m[0]);
    // A value in single quotes (`{'Cookie': 'a="${X} sid=…"'}`): a `"` in it is a cookie value's (review of 2026-12-07).
    options.stringQuote = !list && /(?:^|[^\\])'$/.test(m[0]) ? 39 : 0;
    // `Cookie`, `COOKIE`, `Set-Cookie`, `HTTP_COOKIE`: as HTTP writes a header (see `PairOptions.spaced`).
    options.spaced = !options.inString && text.charCodeAt(nameEnd - 6) === 67 /* C */;
    options.header = options.inString ? -1 : m.index;
    options.headerEnd = nameEnd;
    let i = list ? headerList(text, at + 1, header) : header(at);
    if (i < 0 && !options.inString && /:[ \t]*$/.test(m[0])) i = headerBlock(text, at, foldColumn(text, options), header);
    // The next header is looked for after this one's pairs: a value never holds one.
    HEADER_RE.lastIndex = Math.max(HEADER_RE.lastIndex, i);
  }
  return count === 0 ? { text, count } : { text: out + text.slice(last), count };
}

/** A YAML block scalar's indicator (`|`, `>-`, `|2`), then blanks and maybe a comment, to the line's end. */
const BLOCK_INDICATOR_RE = /[|>][1-9+-]{0,2}[ \t]{0,16}(?:#[^\n\r"\\]{0,256})?/y;

/**
 * A header's value on the lines below its name (YAML: `Cookie: >-`, `Cookie: |` or nothing after the `:`, then the
 * value indented deeper than the name's `column`; its lines raw or as JSON writes them): each line read by `header`.
 * Where the reading ended, or -1 (no such value at `at`).
 */
function headerBlock(text: string, at: number, column: number, header: (at: number) => number): number {
  if (column < 0) return -1;
  BLOCK_INDICATOR_RE.lastIndex = at;
  const i = BLOCK_INDICATOR_RE.test(text) ? BLOCK_INDICATOR_RE.lastIndex : at;
  if (lineBreakAt(text, i) === 0) return -1;
  const quoteEnds = escapedBreak(text, i);
  const end = readBlock(text, i, column, quoteEnds, (line) => header(line.start));
  return end > i ? end : -1;
}

/**
 * A list of a header's values (`"set-cookie": ["sid=…; Path=/", "theme=…"]`: Node's response headers, JSON of them),
 * from after its `[`: each quoted item (its quotes maybe escaped) read by `header`, items parted by `,`, blanks and
 * line ends (raw or as JSON writes them). Where the list's reading ends.
 */
function headerList(text: string, i: number, header: (at: number) => number): number {
  for (;;) {
    i = lineGap(text, i);
    const open = quoteAt(text, i);
    if (open === 0) return i;
    const end = header(i + open);
    if (end < 0) return i + open;
    const close = quoteAt(text, end);
    if (close === 0) return end;
    i = lineGap(text, end + close);
    if (text.charCodeAt(i) !== 44 /* , */) return i;
    i++;
  }
}

/** The length of the quote at `i`, maybe escaped (`"`, `'`, `\\"`), or 0. */
function quoteAt(text: string, i: number): number {
  let j = i;
  while (text.charCodeAt(j) === 92 && j - i < 7) j++;
  const c = text.charCodeAt(j);
  return c === 34 || c === 39 ? j - i + 1 : 0;
}

/** Blanks and line ends from `i` passed over, raw or as JSON writes them (`\\n`). */
function lineGap(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 92 && /[nrt]/.test(text.charAt(i + 1))) i += 2;
    else return i;
  }
}

/**
 * Where a cookie's value in double quotes ends, past its closing quote (`"…"` at `i`, words of value characters parted
 * by blanks, then the end, a blank, a line end, `;` or `,`), or -1: a quote followed by anything else closes a string of
 * code (`"Cookie: sid=" + sid`), and so does one followed or preceded by a blank inside (`"Cookie: sid=" + sid + "; x"`).
 * Blanks between words were none before a review of bc731b5: the reading stopped at the quote, the value and the
 * cookies after it in clear (`a="Xk9 x"; sid=…`).
 */
function quotedValueEnd(text: string, i: number): number {
  const j = wordsEnd(text, i + 1);
  if (j === i + 1 || text.charCodeAt(j) !== 34) return -1;
  const after = text.charCodeAt(j + 1);
  // A `'` after it closes a single-quoted string holding the header or the cookies (`-H 'Cookie: a="…"'`, `-b 'a="…"'`):
  // the value's quotes are no code's (read as none before a review of 2026-12-07 in a header, the cookies in it in clear).
  return Number.isNaN(after) || after === 32 || after === 9 || after === 10 || after === 13 || after === 59 || after === 44 || after === 39 ? j + 1 : -1;
}

/**
 * Where words of value characters parted by blanks end, read from `start` (no blank first, none last): the content of a
 * value in quotes, plain or escaped (blanks in escaped ones since a review of 2026-12-07: `\"${X} sid=…\"` was read as
 * no value, the cookie in it in clear).
 */
function wordsEnd(text: string, start: number): number {
  let j = start;
  for (;;) {
    while (j < text.length && isValueChar(text.charCodeAt(j))) j++;
    let k = j;
    while (isBlank(text.charCodeAt(k))) k++;
    if (k === j || j === start || !isValueChar(text.charCodeAt(k))) return j;
    j = k;
  }
}

/** Blanks from `i` passed over. */
function blanks(text: string, i: number): number {
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return i;
}

/**
 * Blanks from `i` passed over; a line end too when the next line is indented deeper than the header's name, which
 * starts its line (a header's value folded onto it, raw or as JSON writes the line end: see `PairOptions.header`).
 */
function gapFold(text: string, i: number, options: PairOptions): number {
  i = blanks(text, i);
  const br = options.header < 0 ? 0 : lineBreakAt(text, i);
  if (br === 0) return i;
  const indent = indentAt(text, i + br);
  return indent > foldColumn(text, options) ? i + br + indent : i;
}

/** A request's cookies after the first, `; ` (or `, `) between them (`pair` reads each): where they end. */
function cookiesRest(text: string, i: number, pair: (i: number) => number, options: PairOptions): number {
  // `;` between a request's cookies, or `,` where a client or proxy joined two Cookie headers; blanks before a `;`
  // (`a="${X} x" ; sid=…`: the cookies after it were left in clear before a review of 2026-12-07).
  for (;;) {
    const sep = text.charCodeAt(i) === 44 ? i : fewBlanks(text, i);
    if (text.charCodeAt(sep) !== 59 && text.charCodeAt(sep) !== 44) return i;
    // Blanks before a `,` (`a=1 , sid=…`): another cookie only when a name and `=` follow (else prose: `a=1 , which …`;
    // the cookies after it were left in clear before a review of 2026-12-07's review).
    if (sep > i && text.charCodeAt(sep) !== 59 && !namedPairAt(text, gapFold(text, sep + 1, options))) return i;
    const next = pair(gapFold(text, sep + 1, options));
    if (next < 0) return sep + 1;
    i = next;
  }
}

/** Whether a cookie's name and its `=` are at `at`. */
function namedPairAt(text: string, at: number): boolean {
  let e = at;
  while (e < text.length && e - at < MAX_NAME && isNameChar(text.charCodeAt(e))) e++;
  return e > at && text.charCodeAt(e) === 61;
}

/**
 * A set cookie's attributes after its pair (`; Path=/; HttpOnly`, `; Expires=Thu, 21 Oct 2027 07:28:00 GMT`), and the
 * next cookies when headers were joined by `, ` (a pair after a `,` whose name is no attribute's): where they end.
 */
function setCookieRest(text: string, i: number, pair: (i: number) => number, options: PairOptions): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 59 /* ; */) {
      // An attribute: a name, maybe `=` and a value (no secret), up to the next `;` or `,`.
      i = gapFold(text, i + 1, options);
      while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 61) while (++i < text.length && isValueChar(text.charCodeAt(i)));
    } else if (c === 44 /* , */) {
      const at = gapFold(text, i + 1, options);
      DATE_REST_RE.lastIndex = at;
      if (DATE_REST_RE.test(text)) {
        i = DATE_REST_RE.lastIndex;
        continue;
      }
      let e = at;
      while (e < text.length && e - at < MAX_NAME && isNameChar(text.charCodeAt(e))) e++;
      if (e === at || text.charCodeAt(e) !== 61 || ATTRIBUTES.has(text.slice(at, e).toLowerCase())) return i;
      i = pair(at);
    } else {
      // Blanks before a `,` (`a=1; Path=/ , sid=…`), as between a request's cookies (cookiesRest): the next cookie
      // when a name and `=` follow, no attribute's (left in clear before a review of review 4).
      const sep = fewBlanks(text, i);
      if (sep === i || text.charCodeAt(sep) !== 44) return i;
      const at = gapFold(text, sep + 1, options);
      let e = at;
      while (e < text.length && e - at < MAX_NAME && isNameChar(text.charCodeAt(e))) e++;
      if (e === at || text.charCodeAt(e) !== 61 || ATTRIBUTES.has(text.slice(at, e).toLowerCase())) return i;
      i = pair(at);
    }
  }
}
