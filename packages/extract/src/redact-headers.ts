/**
 * HTTP headers that carry a credential (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`), in the
 * shapes code and logs write them: what may stand between a header's name and its value, and the `bearer` rule
 * (the credential after an `Authorization` header's scheme). The cookies are read by redact-cookies.ts.
 *
 * Between the name and the value ({@link headerSeparator}), the name's closing quote maybe escaped as JSON writes
 * it, the value's opening quote maybe (a backtick too: a JavaScript template literal):
 * - a header line, a dict's or an object's item, an assignment: `Authorization: …`, `{"Cookie": "…"}`,
 *   `HTTP_AUTHORIZATION="…"` (Django's test client), `document.cookie = "…"`;
 * - a subscript: `headers["Authorization"] = "…"`;
 * - a setter's two literal arguments: `req.Header.Set("Cookie", "…")` (Go), `setRequestProperty("Authorization",
 *   "…")` (Java), `xhr.setRequestHeader(…)`, `req.add_header(…)` (any call: the name is a header's), or a literal
 *   and a list (`res.setHeader("Set-Cookie", ["…", "…"])`);
 * - a HAR entry or a header list of name/value objects: `{"name": "Authorization", "value": "…"}`, over lines
 *   too (raw or as JSON writes them).
 * The `bearer` rule also reads a YAML value on the lines below the name (`Authorization: >-`, `|`, or nothing after the
 * `:`) and a credential on the line below its scheme (HTTP's folding), both only on lines indented deeper than the
 * name, which starts its line ({@link bearerLinesHold}).
 * Every part is bounded, so one match costs at most a few hundred steps from the name, which the regexes only try
 * where the name is (linear-time.test.ts holds them to that on 1 MB of near misses).
 */

import { blanksStart, keyColumn, LINE_END, linesGoDeeper } from './redact-lines.js';

/** A quote, maybe escaped as JSON (once or more) writes it. */
const QUOTE = `(?:\\\\{1,7}["']|["'])`;
/** An opening quote: also a backtick. */
const OPEN = `(?:\\\\{1,7}["']|["'\`])`;
const BLANKS = `[ \\t]{0,8}`;
/** Blanks and line ends, raw or as JSON writes them (a pretty-printed HAR entry). */
const LINE_GAP = `(?:[ \\t\\r\\n]|\\\\{1,7}[nrt]){0,64}`;

/**
 * The separators between a header's name and its value (see the module comment; a HAR entry's is tried before a
 * setter's, whose value would be `"value"`). `assigned` captures the `=` of the first alternative (a header, an
 * item, an assignment), which the cookie rule reads as a cookie being set (`document.cookie = "…"`); a subscript's
 * `=` (`headers["Cookie"] = "…"`) is a request's header.
 */
export function headerSeparator(assigned: boolean): string {
  const eq = assigned ? '(=)(?!=)' : '={1,3}';
  return (
    `(?:${QUOTE}?${BLANKS}(?::|${eq})${BLANKS}${OPEN}?` +
    `|${QUOTE}\\]${BLANKS}={1,3}${BLANKS}${OPEN}?` +
    `|${QUOTE}${BLANKS},${LINE_GAP}${QUOTE}value${QUOTE}${BLANKS}:${BLANKS}${QUOTE}` +
    `|${QUOTE}${BLANKS},${BLANKS}(?:${OPEN}|(?=\\[)))`
  );
}

/** A line end and the indentation of the next line: a value going on there (YAML, HTTP's folding). */
const FOLD = `${LINE_END}[ \\t]{1,64}`;
/**
 * A YAML value starting on the next line, indented (`Authorization: >-`, `|`, or nothing after the `:`, then the
 * value on the lines below), or nothing.
 */
const YAML_NEXT_LINE = `(?:(?:[>|][1-9+-]{0,2}${BLANKS})?${FOLD})?`;

/**
 * The scheme's blank ending the header's literal, then a concatenation (`+`, PHP's `.`) and the literal holding the
 * credential (`"Authorization: Bearer " + "…"`, `{"Authorization": "Bearer " + "…"}`; in clear before a review of
 * 2026-12-07's review), the operator maybe on the next line.
 */
const LITERAL_JOINED = `[ \\t]{1,8}${QUOTE}${BLANKS}(?:\\+|\\.{1,2})${BLANKS}(?:${FOLD})?(?:\\(${BLANKS})?${OPEN}`;

/**
 * The literals joined after the credential's, each closed, up to seven (`"Bearer " + "eyJ…" + "…"`: a token split over
 * literals, as the password rule reads a value since review 4): one credential, replaced by one tag (the second literal
 * was left in clear before a review of review 4). A literal opening as no credential does (`+ "\n"`, `+ " "`) ends it.
 */
const MORE_LITERALS = `(?:${QUOTE}${BLANKS}(?:\\+|\\.{1,2})${BLANKS}(?:${FOLD})?${OPEN}[A-Za-z0-9._~+/=:!%-]{1,8192}(?=${OPEN})){0,7}`;
/** What joins two of the literals {@link MORE_LITERALS} reads: a closing quote to the next opening one. */
const LITERALS_JOIN_RE = /\\*["'][^"'`]*?\\*["'`]/g;

/**
 * `Authorization: <scheme> <credential>`: group 1, what is kept (the header's name up to the credential); group 2,
 * the scheme; group 3, the credential (RFC 7235's token68 and what vendors put there: `:`, `!`, `%`). A prefix
 * `Proxy-`, `X-` or `HTTP_` (Django's request headers) is part of the name.
 */
export const BEARER_RE = new RegExp(
  `(?:(?<![A-Za-z0-9_-])|(?<=\\\\[nrt]))((?:Proxy-|X-|HTTP_)?Authorization${headerSeparator(false)}${BLANKS}${YAML_NEXT_LINE}` +
    `([A-Za-z][A-Za-z0-9_.-]{1,31})(?:[ \\t]{1,8}|${BLANKS}${FOLD}|${LITERAL_JOINED}))([A-Za-z0-9._~+/=:!%-]{8,8192}${MORE_LITERALS})`,
  'gi',
);

/** The header's name at a {@link BEARER_RE} match's start. */
const BEARER_NAME_RE = /^(?:Proxy-|X-|HTTP_)?Authorization/i;

/**
 * Whether the lines of a {@link BEARER_RE} match at `start` (`kept`: its group 1, up to the credential; `scheme`: its
 * group 2) are the header's: a value below the name (YAML's: a line end right before the scheme's indentation) or a
 * credential below its scheme (HTTP's folding) is read only on lines indented deeper than the name, which starts its
 * line (see redact-lines.ts's `keyColumn`). `Authorization: Bearer` then `Content-Type: application/json` at the
 * name's depth is the next YAML key, not a credential; after `echo Authorization: Bearer` the next line is a command of
 * its own. (A HAR entry's separator over lines, `"name": "Authorization",` then `"value": "Bearer …"`, ends in a quote:
 * not judged.)
 */
export function bearerLinesHold(input: string, start: number, kept: string, scheme: string): boolean {
  // No line end in the match (most): nothing to judge.
  if (!kept.includes('\n') && !kept.includes('\r') && !kept.includes('\\')) return true;
  const schemeAt = start + kept.lastIndexOf(scheme);
  const column = keyColumn(input, start, start + BEARER_NAME_RE.exec(kept)![0].length);
  // The scheme on the line below the name (`Authorization: >-` then `  Bearer …`): a line end before its indentation.
  const indentStart = blanksStart(input, schemeAt);
  const c = input.charCodeAt(indentStart - 1);
  const below = c === 10 || c === 13 || ((c === 110 || c === 114) && input.charCodeAt(indentStart - 2) === 92);
  if (below && schemeAt - indentStart <= column) return false;
  // The credential on the line below the scheme (`Authorization: Bearer` then `  abc…`).
  return linesGoDeeper(input, schemeAt + scheme.length, start + kept.length, column);
}

/**
 * The schemes whose credentials are one token: OAuth's, HTTP Basic's, GitHub's and Discord's, Kerberos' and
 * NTLM's, DPoP's, and the API-key schemes of Okta, Opsgenie, Splunk, fal. Their credential is redacted whatever it
 * looks like (but a word followed by prose, {@link proseFollows}).
 */
const TOKEN_SCHEME_RE = /^(?:Bearer|Basic|Token|Bot|Negotiate|NTLM|DPoP|ApiKey|Api-Key|Key|SSWS|GenieKey|Splunk)$/i;

/** Whether `scheme` is one of {@link TOKEN_SCHEME_RE}: its credential is one token (`Bearer`, `Basic`, `Token`). */
export function isTokenScheme(scheme: string): boolean {
  return TOKEN_SCHEME_RE.test(scheme);
}

/** The name of a scheme of the IANA registry or of {@link TOKEN_SCHEME_RE} (`Bearer`, `Digest`): a value alone, it holds no credential. */
export function isSchemeName(value: string): boolean {
  return TOKEN_SCHEME_RE.test(value) || /^(?:Digest|OAuth|Hawk|HOBA|Mutual|SCRAM-SHA-1|SCRAM-SHA-256|vapid|Signature|AWS4-HMAC-SHA256)$/i.test(value);
}

/**
 * A name of code: identifiers joined by `.`, the last of lower-case letters and `_` (a method, a module, a file's
 * extension: `AuthService2.verify`, `auth.middleware.check_token`, `config.py`). Tokens do not end so.
 */
const CODE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}(?:\.[A-Za-z_][A-Za-z0-9_]{0,127}){0,15}\.[a-z_]{2,32}$/;

/** The assignment rule's tag (its value replaced after a parameter's `name=`). */
const ASSIGNMENT_TAG = '[REDACTED:password_assignment]';

/**
 * Whether the bearer rule's match is a credential: after a scheme of {@link TOKEN_SCHEME_RE}, any but a word of
 * lower-case letters going on as prose (`Authorization: Basic authentication with …`); after another scheme (`OAuth`,
 * `HMAC`, `SharedKey`, `Zoho-oauthtoken`, one of a vendor's), a token: with a digit, or of 20 or more characters
 * mixing cases, not followed by prose (`Authorization: Uses OAuth2.0 authentication flow`), and not a scheme's
 * parameters (`Digest username="…"`, `AWS4-HMAC-SHA256 Credential=…`, `OAuth oauth_consumer_key="…"`, `Hawk id="…"`:
 * signatures of one request, kept whole), nor a URL or a path (a `.` before a `/`: base64 has no `.`, a JWT no `/`),
 * nor a name of code or a call ({@link CODE_NAME_RE}: `Authorization: Check AuthService2.verify`, prose about code).
 */
export function isBearerCredential(scheme: string, matched: string, input: string, end: number): boolean {
  // The literals' contents joined, their quotes and operators out ({@link MORE_LITERALS}: none between quotes).
  const credential = matched.includes('"') || matched.includes("'") ? matched.replace(LITERALS_JOIN_RE, '') : matched;
  const prose = proseFollows(input, end);
  if (TOKEN_SCHEME_RE.test(scheme)) return !(prose && /^[a-z]+$/.test(credential));
  if (prose) return false;
  const eq = credential.indexOf('=');
  // `name=value`, or `name=` before a quoted value or the assignment rule's tag (`S3cretPWD=[REDACTED:password_assignment]`:
  // that rule replaced the parameter's value, the name a key's; read as padding, a second pass took the name,
  // 2026-12-07): a parameter, not token68's padding (`dXNlcjpwYXNz==`; glued to another rule's tag, `…==AKIA…`, a token).
  if (eq >= 0 && (/[^=]/.test(credential.slice(eq)) || /^\\{0,7}["'][A-Za-z0-9]/.test(input.slice(end, end + 9)) || input.startsWith(ASSIGNMENT_TAG, end))) return false;
  if (/:\/\/|\..*\//.test(credential)) return false; // a URL or a path (`see https://…/v2`, `docs.example.com/v1`)
  // A name of code (`Authorization: Check AuthService2.verify`, `… handled in auth.py`), or a call (`sign2(…)`): prose.
  if (CODE_NAME_RE.test(credential) || input.charCodeAt(end) === 40 /* ( */) return false;
  return /\d/.test(credential) || (credential.length >= 20 && /[a-z]/.test(credential) && /[A-Z]/.test(credential));
}

/**
 * Whether a blank and a word in lower case follow `end`: a sentence goes on (a header's value ends its line). A tag
 * there counts as such a word: a later rule may have replaced it (`Authorization: Key rotation password=…`), and a
 * second pass must keep what the first kept.
 */
function proseFollows(input: string, end: number): boolean {
  let i = end;
  while (i < input.length && i - end < 8 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9)) i++;
  const c = input.charCodeAt(i);
  return i > end && ((c >= 97 && c <= 122) || input.startsWith('[REDACTED:', i));
}
