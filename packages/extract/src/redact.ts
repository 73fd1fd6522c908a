/**
 * Secret redaction. Rules are compiled once by `createRedactor`; `redact`
 * then runs each rule as one linear pass. Every built-in pattern starts with
 * a literal prefix at a token boundary (a one-character look-behind) and
 * uses bounded quantifiers with nothing after them that could fail, so no
 * pattern can backtrack more than a constant per start position. Command
 * lines and `.netrc` entries are read by scanners instead
 * (`redact-commands.ts`), which find a command or entry and read its words
 * forward, then go on after them; so are secrets passed as arguments
 * (`redact-arguments.ts`: `os.getenv("API_KEY", "…")`, `auth=("u", "…")`).
 * What is code, not a secret, after a key is decided in `redact-code.ts`.
 *
 * Almost every string the processor hands over holds no secret, and it hands
 * over every string attribute of every span, on the application's thread. So
 * before any rule runs, a screen (`SecretScreen`) looks for what each built-in
 * rule cannot match without (its literal anchor) with native `indexOf` scans
 * over rare characters, and only the rules whose anchor is present run. The
 * screen is a necessary condition per rule, never a heuristic: a string it
 * clears could not have matched that rule.
 */
import { guarded } from './guard.js';
import type { RedactCallOptions, RedactionResult, Redactor, RedactorOptions } from './types.js';
import { redactCookies } from './redact-cookies.js';
import { jarNameIn, redactCookieJars } from './redact-cookie-jars.js';
import { templateOperands } from './redact-template-operands.js';
import { TemplateTicks } from './redact-template-ticks.js';
import { BEARER_RE, bearerLinesHold, isBearerCredential, isSchemeName } from './redact-headers.js';
import { redactCutTokens, TRUNCATION_MARK } from './redact-cut.js';
import type { CutKeys } from './redact-cut-values.js';
import { blanksStart, escapedBreak, KeptBlocks, keyColumn, lineBreakAt, LineEventMemo, NEXT_LINE, plainContinuationEnd, plainScalarLine, readBlock, valueBelowKey } from './redact-lines.js';
import { VENDOR_TOKEN_RE, endsVendorPrefix, vendorAtDash, vendorAtUnderscore, vendorKind, vendorTokenKind } from './redact-vendors.js';
import { blanksBack, holdsChar, inCode, mayBeNonSecretWord, NON_SECRET_VALUE_RE, nonSecretWord, notASecret, URL_PASSWORD_PLACEHOLDER_RE, wordShape } from './redact-code.js';
import { CURL, LOGIN, MYSQL, PASSWORD_COMMAND_NAMES, REDIS, SSHPASS, WGET, netrcGapAt, redactCommandPasswords, redactNetrcPasswords } from './redact-commands.js';
import { type NestedExpansion, readNestedExpansion } from './redact-shell-defaults.js';
import { type Literal, authTupleOpen, blanksBefore, isLoginCall, redactArgumentPairs, redactFallbacks, redactLoginPasswords } from './redact-arguments.js';

interface Rule {
  kind: string;
  re: RegExp;
  /** Replacement for one match; `undefined` keeps the match unchanged (not a secret after all). */
  /** The replacement, or `undefined` to keep the match; `after` is the character after it (`''` at the end). */
  replace: (match: string, groups: (string | undefined)[], after: string, input: string, start: number) => string | undefined;
  /**
   * The rule's bit in a {@link SecretScreen} mask: the rule runs only when the
   * screen found its anchor. 0: not screened, always runs (user patterns).
   */
  bit: number;
  /** A rule that is a scanner, not a regex (`re` and `replace` unused): the text with its matches replaced. */
  run?: (text: string) => { text: string; count: number };
  /** For a rule of several kinds: the kind of one match it replaced (else {@link kind}). */
  kindOf?: (match: string) => string | undefined;
}

/** Most characters {@link openingQuoteBefore} walks back. */
const QUOTE_WALK_BACK = 256;
/** Most blanks {@link openingQuoteBefore} passes over before a quote it judges. */
const QUOTE_BLANKS_BACK = 64;
/**
 * How much of the text before a key {@link openingQuoteBefore} can read: its walk, the blanks before the quote it
 * stops at and the character before them. A window of this many characters before the key judges it as the whole
 * text does.
 */
const QUOTE_VIEW = QUOTE_WALK_BACK + QUOTE_BLANKS_BACK + 2;

/**
 * The quote (its character code) of the string a key at `keyStart` sits in, or 0. Of each kind of
 * quote, the nearest unescaped one before the key on its line is taken: it opens a string when what
 * precedes it (blanks skipped) is `:`, `,`, `=`, an opening bracket or the line's start (`"cmd": "run
 * --token=[`, `{"q": "'--password=[`: the `"` opens, the `'` does not), and closes one otherwise
 * (`x = "a"; token=[…]`: code). Of two that open, the nearer. Bounded.
 */
function openingQuoteBefore(input: string, keyStart: number): number {
  const stop = Math.max(0, keyStart - QUOTE_WALK_BACK);
  let double = -1;
  let single = -1;
  for (let i = keyStart - 1; i >= stop && (double < 0 || single < 0); i--) {
    const c = input.charCodeAt(i);
    if (c === 10 || c === 13) break;
    // Only a quote is looked at (and whether a backslash escapes it): the walk reads one character per step.
    if (c !== 34 && c !== 39) continue;
    if (input.charCodeAt(i - 1) === 92) continue; // escaped
    if (c === 34 && double < 0) double = i;
    else if (c === 39 && single < 0) single = i;
  }
  const opens = (at: number): boolean => {
    if (at < 0) return false;
    let j = at - 1;
    while (j >= 0 && at - j <= QUOTE_BLANKS_BACK && (input.charCodeAt(j) === 32 || input.charCodeAt(j) === 9)) j--;
    const before = j < 0 ? 10 : input.charCodeAt(j);
    // `:` `,` `=` `(` `[` `{`, or a line start.
    return before === 58 || before === 44 || before === 61 || before === 40 || before === 91 || before === 123 || before === 10 || before === 13;
  };
  const d = opens(double);
  const s = opens(single);
  if (d && s) return double > single ? 34 : 39;
  return d ? 34 : s ? 39 : 0;
}

/**
 * Where a list value that opened inside a quoted string (`"cmd": "token=[",` …) reaches that string's
 * closing quote `q`, or -1: from `from` to `to` in `input`, the first `q` no backslash escapes.
 */
function closingQuoteIn(input: string, q: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = input.charCodeAt(i);
    if (c === 92) i++;
    else if (c === q) return i;
  }
  return -1;
}

/**
 * What may follow a quote that ends a string (blanks, then a member's or an argument's end, a line end, maybe as
 * JSON writes it, or the input's end), as {@link CLOSING_QUOTE} reads it: `"token=[", "password": …`. A quote
 * followed by a word opens one instead (`label:"Keys:",apiKey:["sk_…"]`, minified code: the `"` after `[` opens
 * the list's first item), and the value is read whole. Sticky: read at one place. Bounded.
 */
const STRING_END_RE = /[ \t]{0,16}(?:[,;:)}\]\r\n]|\\{1,7}[nr]|$)/y;

/** The `re` of a rule that is a scanner. */
const NEVER = /(?!)/g;

const PEM_BEGIN_RE = /-----BEGIN[ A-Z0-9]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END[ A-Z0-9]{0,64}PRIVATE KEY(?: BLOCK)?-----/y;
const MAX_PEM_BODY = 65536;
/** Characters of a PEM body (base64, line breaks, and JSON-escaped `\n`). */
function isPemBodyChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61 || c === 92 || c === 10 || c === 13;
}

/**
 * Replaces PEM private keys: from `-----BEGIN ... PRIVATE KEY-----` to the
 * next `-----END` marker (at most 64 KiB on), or, for a key cut short, the
 * header plus the base64 body that follows. Not a regex: a lazy
 * `[\s\S]*?-----END` would rescan the rest of the text for every header.
 * The position of the next `-----END` is cached, so the pass is linear.
 */
function redactPem(text: string): { text: string; count: number } {
  PEM_BEGIN_RE.lastIndex = 0;
  let out = '';
  let last = 0;
  let count = 0;
  let nextEnd = -2; // -2: not searched yet; -1: there is none after the last search point
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN_RE.exec(text)) !== null) {
    const start = m.index;
    const bodyStart = start + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END', bodyStart);
    let stop: number;
    if (nextEnd >= 0 && nextEnd - bodyStart <= MAX_PEM_BODY) {
      PEM_END_RE.lastIndex = nextEnd;
      const em = PEM_END_RE.exec(text);
      stop = em !== null ? nextEnd + em[0].length : nextEnd + 8;
    } else {
      stop = bodyStart;
      // A blank line ends a PEM body; so does any character base64 lines do not have.
      while (stop < text.length && stop - bodyStart < MAX_PEM_BODY && isPemBodyChar(text.charCodeAt(stop))) {
        if (text.charCodeAt(stop) === 10 && stop > bodyStart + 1 && text.charCodeAt(stop - 1) === 10) break;
        stop++;
      }
      // Give back trailing whitespace so the following line keeps its break.
      while (stop > bodyStart && /\s/.test(text[stop - 1]!)) stop--;
    }
    out += text.slice(last, start) + tag('private_key');
    last = stop;
    count++;
    PEM_BEGIN_RE.lastIndex = stop;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(last), count };
}

/** The tags written so far, by kind: one string per kind (a rule replacing many values writes the same tag). */
const TAGS = new Map<string, string>();
/** Most kinds remembered (the built-in ones and a user's patterns'; past them a tag is built each time). */
const TAGS_REMEMBERED = 256;
const tag = (kind: string): string => {
  let t = TAGS.get(kind);
  if (t === undefined) {
    t = `[REDACTED:${kind}]`;
    if (TAGS.size < TAGS_REMEMBERED) TAGS.set(kind, t);
  }
  return t;
};
/** What every tag starts with, up to its `:`. */
const REDACTED_TAG_START = '[REDACTED';
/**
 * Not preceded by a token character: secrets start at token boundaries. A
 * line end or tab as JSON writes it (`\n`, `\r`, `\t` escaped) is a boundary
 * too: in a tool's result or arguments stored as JSON text, a token at the
 * start of a line follows the letter `n` of `\n`.
 */
const B = '(?:(?<![A-Za-z0-9_-])|(?<=\\\\[nrt]))';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const whole =
  (kind: string) =>
  (): string =>
    tag(kind);

/**
 * What follows a secret's key as the assignment rule reads it (a simpler superset): its closing quote maybe, a
 * subscript's `]` maybe, blanks, then `=` (not `==`) or `:` (not `::`, `:=`).
 */
const KEY_SEPARATOR_AFTER_RE = /^(?:\\{1,7}["']|["'])?\]?[ \t]{0,16}(?:=(?!=)|:(?![:=]))/;

/**
 * What may come before a jar's name in a value kept as code: a YAML tag's `!`, a path of members without digits (`http.`,
 * `self.page.`), a setter's verb (`add` of `context.addCookies(`, `!addCookies(`).
 */
const JAR_PATH_RE = /^!?(?:[A-Za-z_$]{1,64}\.){0,16}(?:set_?|add_?)?$/i;

/**
 * A tag the cut rule wrote, followed by its mark (it runs after every rule), and that tag's end and mark; the mark's last
 * `]` maybe not in the value (a value ending in `]` after a `[` is judged without it: see assignedValue).
 */
const CUT_MARK_OPEN = TRUNCATION_MARK.slice(0, -1);
const CUT_TAG_RE = new RegExp(`\\[REDACTED:[A-Za-z0-9_.-]{1,64}\\](?=${CUT_MARK_OPEN.replace(/[[\]]/g, '\\$&')})`, 'g');
const CUT_TAG_END = `]${CUT_MARK_OPEN}`;

/** A JWT's payload and its signature's `.` after its header (as the `jwt` rule reads them), read where the header ends. */
const JWT_REST_RE = /\.eyJ[A-Za-z0-9_-]{5,8192}\./y;

/** A tag of a rule that runs after the `url_password` rule (the assignment, name/value, command line, .netrc and npm rules). */
const LATER_TAG_RE = /\[REDACTED:(?:password_assignment|name_value|cli_password|netrc_password|basic_auth)\]/;
/**
 * Such a tag glued after a secret's character (`s3cr3tXk9[REDACTED:name_value]`): those rules write their tag after a
 * key's separator or a quote (`xpassword="[…]"`, `"API_KEY":"[…]"`), so this tag was in the text the URL rule read.
 */
const GLUED_LATER_TAG_RE = new RegExp(`[A-Za-z0-9+/._~]${LATER_TAG_RE.source}`);

/** A tag's kind, as `tag` writes it (user kinds are cleaned to these characters). */
const TAG_KIND_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Whether `text[start, end)` lies inside one `[REDACTED:kind]` tag: a user
 * pattern that matches part of a tag (`/[A-Z0-9]{8,}/` matches `REDACTED`)
 * must not redact what is redacted already (the tag would read
 * `[[REDACTED:licence]:openai_key]`, counted twice).
 */
function withinTag(text: string, start: number, end: number): boolean {
  const open = text.lastIndexOf(REDACTED_TAG_START, start);
  if (open < 0 || text.charCodeAt(open + REDACTED_TAG_START.length) !== 0x3a /* : */) return false;
  const close = text.indexOf(']', open + REDACTED_TAG_START.length + 1);
  return close >= end - 1 && TAG_KIND_RE.test(text.slice(open + REDACTED_TAG_START.length + 1, close));
}

/** Built-in key names whose assigned values are secrets (matched as the end of a key). */
const SECRET_KEY_NAMES = [
  'password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'access_key', 'secret_key', 'private_key',
  'client_secret', 'auth_token', 'access_token', 'refresh_token', 'passphrase', 'credentials',
  'secret_key_base', 'private_key_id', 'accountkey',
  // An HTTP header's credentials without a scheme (`Authorization: 9f8e…`, `Proxy-Authorization: …`); with one,
  // the bearer rule takes them and the scheme is kept (`authorizationKept`).
  'authorization',
  // Run together, as camelCase keys are (`secretAccessKey` in AWS SDK configs and STS output, `privateKey`).
  'accesskey', 'secretkey', 'privatekey',
];
/**
 * What a called name looks like (`getpass`, `os.getcwd`, `load_secret`): its
 * first part has no digit, which generated secrets almost always have, so
 * `password=hunter2(x)` or `Xk9#mP2(qL7` stay secrets. A secret of letters
 * only written right before a `(` is the price of keeping calls intact.
 */
const CALLEE_RE = /^[A-Za-z_]{1,128}(?:(?:\??\.|::)[A-Za-z_][A-Za-z0-9_]{0,127}){0,8}$/;
/**
 * A method called on a module or object whose name has a digit (`base64.b64encode`, `boto3.client`,
 * `s3.get_object`): every part in lower case at its start, no capital in the first (as Python's and JS's modules
 * and methods are written), kept only when the call's parentheses close ({@link callCloses}). A password
 * with a `.` and a `(` mixes cases (`Tr0ub4dor.Xy(z)`, `Passw0rd.Db(1)`, `k8s.Prod(2024)`) and stays a secret.
 */
const METHOD_PATH_RE = /^[a-z][a-z0-9_]{0,127}(?:\.[a-z_][A-Za-z0-9_]{0,127}){1,8}$/;
/** Most characters {@link callCloses} reads. */
const CALL_READ = 256;

/**
 * Whether the `(` at `open` is closed on its line (within {@link CALL_READ} characters; quoted strings passed over,
 * escapes in them too), or ends its line (a call over several lines). Line ends raw or as JSON writes them.
 */
function callCloses(input: string, open: number): boolean {
  let depth = 0;
  const stop = Math.min(input.length, open + CALL_READ);
  let afterOpen = true;
  for (let i = open; i < stop; i++) {
    const c = input.charCodeAt(i);
    if (c === 10 || c === 13 || (c === 92 && (input.charCodeAt(i + 1) === 110 || input.charCodeAt(i + 1) === 114))) return afterOpen && depth === 1;
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return true;
    else if (c === 34 || c === 39) {
      // A string: on to its closing quote (on this line).
      let j = i + 1;
      while (j < stop && input.charCodeAt(j) !== c && input.charCodeAt(j) !== 10) j += input.charCodeAt(j) === 92 ? 2 : 1;
      if (j >= stop || input.charCodeAt(j) !== c) return false;
      i = j;
    } else if (c === 92) i++;
    if (i > open && c !== 32 && c !== 9) afterOpen = false;
  }
  return false;
}

/**
 * A key name as a pattern matching it in any case, letter by letter (the
 * rule's regex has no `i` flag). Each character stands for every BMP
 * character with the same upper case, as `/i` folds them: `σ` also for `ς`
 * and `Σ`, `µ` for `μ` and `Μ`.
 */
function caseless(key: string): string {
  let out = '';
  for (const c of key) {
    const variants = c.length === 1 ? sameUpperCase(c) : [c];
    out += variants.length > 1 ? `[${variants.map(escapeRegExp).join('')}]` : escapeRegExp(c);
  }
  return out;
}

/** BMP characters by their upper case (one character only), for characters outside ASCII; built on first use. */
let byUpperCase: Map<string, string[]> | undefined;

/** `c` and every BMP character with the same single-character upper case. */
function sameUpperCase(c: string): string[] {
  const upper = c.toUpperCase();
  if (upper.length !== 1) return [c];
  if (c.charCodeAt(0) < 128 && upper.charCodeAt(0) < 128) return upper === c.toLowerCase() ? [c] : [c.toLowerCase(), upper];
  if (byUpperCase === undefined) {
    byUpperCase = new Map();
    for (let code = 128; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCharCode(code);
      const u = ch.toUpperCase();
      if (u.length !== 1 || u === ch) continue;
      const list = byUpperCase.get(u);
      if (list === undefined) byUpperCase.set(u, [u, ch]);
      else list.push(ch);
    }
  }
  return byUpperCase.get(upper) ?? [c];
}

/** `-` and `_` are interchangeable in key names (`X-Api-Key`, `api_key`): every variant, lower case, longest first. */
function keyVariants(keyNames: readonly string[]): string[] {
  return [...new Set(keyNames.flatMap((k) => {
    const l = k.toLowerCase();
    return [l, l.replace(/-/g, '_'), l.replace(/_/g, '-')];
  }))].sort((a, b) => b.length - a.length);
}

// Screen bits, one per built-in rule (see SecretScreen).
const PRIVATE_KEY = 1 << 0;
const ANTHROPIC = 1 << 1;
const OPENAI = 1 << 2;
const AWS = 1 << 3;
const GITHUB = 1 << 4;
const GITLAB = 1 << 5;
const SLACK = 1 << 6;
const GOOGLE = 1 << 7;
const JWT = 1 << 8;
const BEARER = 1 << 9;
const URL_PASSWORD = 1 << 10;
const PASSWORD = 1 << 11;
const NAME_VALUE = 1 << 12;
const BASIC_AUTH = 1 << 13;
const CLI = 1 << 14;
const NETRC = 1 << 15;
const VENDOR = 1 << 16;
const NPM_CONFIG = 1 << 17;
/** A literal after a literal naming a secret's key, in a call (`os.getenv("API_KEY", "…")`): `redact-arguments.ts`. */
const ARG_PAIR = 1 << 18;
/** A literal after `??`/`||` (`process.env.API_KEY ?? "…"`). */
const FALLBACK = 1 << 19;
/** An auth tuple's or a login method's password (`auth=("u", "…")`, `HTTPBasicAuth(`, `s.login("u", "…")`). */
const LOGIN_CALL = 1 << 20;
/**
 * A `Cookie:` or `Set-Cookie:` header's values (`redact-cookies.ts`); cookies outside a header, in a jar (a name ending
 * in `cookies` before `=`/`:`, `.set(` or `(`) or after curl's `-b`/`--cookie` (`redact-cookie-jars.ts`).
 */
const COOKIE = 1 << 21;
/** Bits the key-name check sets. */
const KEY_BITS = BEARER | PASSWORD | NAME_VALUE | BASIC_AUTH | COOKIE;
/** Every bit {@link SecretScreen}'s `keyNames` can set (from its anchors: the key names, pairs' names, arguments, defaults, `.netrc`). */
const KEY_NAME_BITS = KEY_BITS | ARG_PAIR | FALLBACK | NETRC;
/** The bits {@link dashes} can set. */
const DASH_BITS = ANTHROPIC | OPENAI | GITLAB | SLACK | VENDOR | COOKIE | CLI;
/** The bits {@link underscores} can set. */
const UNDERSCORE_BITS = GITHUB | VENDOR | BASIC_AUTH | NPM_CONFIG;
/** Bits used by rule bits (a count can be carried above them). */
const BITS = 22;

/**
 * What a bare value's `[…]` may hold: a secret with brackets (`Xk[9mP]2qL7`) is one value, not `Xk[9mP`
 * and a tail left in clear. No other bracket, blank or quote: `tokens[i]` and `env["K"]` read as before.
 */
const BRACKETED_CHAR = `[^\\s"',;&}{)(\\[\\]\\\\]`;
/**
 * A path of names, members and subscripts, maybe ending in an open one (`data[0].strip`, `tokens[i][j`,
 * `resp[0][`, `arr[0]?.token`): what a bare value of code read past a `]` looks like. No `=` or `:` (no
 * `key=`/`key:` hides in it). Bounded: linear.
 */
const SUBSCRIPT_PATH_RE = /^[A-Za-z_$][\w$]{0,127}(?:\??\.[A-Za-z_$][\w$]{0,127}|\[[^\][\n=:]{0,256}\]){1,16}(?:\[[^\][\n=:]{0,256})?$/;
/** Characters that may follow a bare value's `&` and stay in it: a bare value's, less `=` (a query's next `name=value`). */
const AMP_WORD = `[^\\s"',;&}{)(\\]\\\\=]`;
/**
 * What follows the `&` of an HTML entity (`&amp;`, `&#39;`, `&#x27;`): a value ends before it. Any other `&…;`
 * stays in the value (a connection string's `Password=Tr0ub4dor&3;Database=app`). Bounded: linear.
 */
const AMP_ENTITY = `(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`;
/**
 * Characters continuing a bare value after a space, up to the end of its line: blanks, and a bare value's
 * characters less `=`, `:`, `&` (no `key=`/`key:` hides in it) and `#` (a comment after a blank).
 */
const MORE_CHAR = `(?:[ \\t]|[^\\s"',;&}{)(\\]\\\\=:#])`;

/**
 * A quote, maybe escaped, closing the string a bare value's continuation is the last line of
 * (`{"stdout": "db:\\n  password: correct horse"}`, `cfg = "db:\\n  password: a b";`): the end of the
 * input or of its line (maybe escaped, `\\n`), or one of `,;:)}]`, after blanks. Bounded: linear.
 */
const CLOSING_QUOTE = `\\\\{0,7}["'](?=[ \\t]{0,16}(?:[,;:)}\\]\\r\\n]|\\\\{1,7}[nr]|$))`;

/** Most characters (steps: a run of backslashes is one) a list value is read over. */
const LIST_READ = 1024;

/**
 * A list no `]` closes on its line (`apiKey: ["k1", "k2` cut short, `token = [a, b` of an unfinished edit): read to
 * the end of its line (raw, or escaped as JSON writes it, `\\n`) or of the text, so that it is one value, replaced
 * whole. Read as a bare value it was `[` alone: its items stayed in clear, and the tag's `]` then stood where the
 * `[` had been, so that a second pass read what followed otherwise (a quote after `[` opens a string, after `]`
 * closes one). A line longer than the bound gives the list its first 1 024 characters. Tried only where the closed
 * list failed; its two alternatives start with different characters (a run of backslashes is read whole), and where
 * the run stops (a line end, the bound) is its end: nothing is given back, so the list costs one more reading of
 * the bound at most, linear.
 */
const UNCLOSED_LIST = `\\[(?:[^\\]\\r\\n\\\\]|\\\\{1,64}(?![\\\\nr])){0,${LIST_READ}}(?=[\\r\\n]|\\\\{1,64}[nr]|$|[^\\]\\r\\n\\\\])`;
/** A list value, closed on its line or not: what {@link ListEnds} reads without the regex. */
const LIST = `\\[[^\\]\\n]{0,${LIST_READ}}\\]|${UNCLOSED_LIST}`;

/**
 * Where the lists the assignment rule reads as values end ({@link LIST}: `\[[^\]\n]{0,1024}\]`, else {@link
 * UNCLOSED_LIST}), read as those two regexes read them but from the positions of the next `]`, line end and backslash,
 * searched once per text and kept while the scan moves past them. The regex read each list to its end (1 024
 * characters where its line is longer), twice when no `]` closed it; keys every few characters inside lists kept whole
 * and closed nowhere (`token=[[a password=[[b ` over one long line) each read their line's bound so (about 2 s per MB
 * before a review of bc731b5). `end` gives -2 where the positions do not settle it (a backslash before the list's
 * end: a run of them is one step of the unclosed list's 1 024, and may end it): the regex reads that one.
 */
class ListEnds {
  /** The next `]`, `\n`, `\r`, `\\` at or after `from` (-1: none; -2: not searched). */
  private readonly next = [-2, -2, -2, -2];
  private readonly from = [0, 0, 0, 0];

  constructor(private readonly text: string) {}

  private find(k: number, ch: string, at: number): number {
    const n = this.next[k]!;
    if (n === -2 || at < this.from[k]! || (n >= 0 && n < at)) {
      this.from[k] = at;
      this.next[k] = this.text.indexOf(ch, at);
    }
    return this.next[k]!;
  }

  /** Where the list opened by the `[` at `open` ends, as {@link LIST} reads it; -1: no list; -2: for the regex to read. */
  end(open: number): number {
    const text = this.text;
    const body = open + 1;
    const bracket = this.find(0, ']', body);
    const newline = this.find(1, '\n', body);
    // Closed: a `]` before any `\n`, within the bound.
    if (bracket >= 0 && (newline < 0 || bracket < newline) && bracket - body <= LIST_READ) return bracket + 1;
    // Not closed: its characters up to a `]`, a line end or the bound, then what may follow it.
    let stop = Math.min(text.length, body + LIST_READ);
    const cr = this.find(2, '\r', body);
    if (bracket >= 0 && bracket < stop) stop = bracket;
    if (newline >= 0 && newline < stop) stop = newline;
    if (cr >= 0 && cr < stop) stop = cr;
    const backslash = this.find(3, '\\', body);
    if (backslash >= 0 && backslash < stop) return -2;
    if (unclosedListEndsAt(text, stop)) return stop;
    // Given back one character, the list ends before one that may follow it.
    return stop > body ? stop - 1 : -1;
  }
}

/**
 * @internal What {@link ListEnds} reads for the lists opened at `opens` (in that order, through one reader: its searches
 * kept between them), and the pattern of those lists ({@link LIST}), which reads them where it gives -2 (and, as the
 * whole rule's regex, where it gives -1).
 */
export function readListEnds(text: string, opens: readonly number[]): { ends: number[]; pattern: string } {
  const lists = new ListEnds(text);
  return { ends: opens.map((open) => lists.end(open)), pattern: LIST };
}

/** Whether what {@link UNCLOSED_LIST}'s look-ahead asks for follows at `i`: a line end, raw or escaped, the end, a character of the list. */
function unclosedListEndsAt(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  if (c === 93) return false;
  if (c !== 92) return true;
  let j = i;
  while (j < text.length && j - i <= 64 && text.charCodeAt(j) === 92) j++;
  const e = text.charCodeAt(j);
  return j - i <= 64 && (e === 110 || e === 114);
}

/**
 * The value of an assignment (`password_assignment`, `name_value`), as
 * seven groups: double-quoted, single-quoted, escaped quote and the value
 * between it and the same quote again (group `esc`, the third), a list, a
 * bare value, and the words continuing a bare value up to the end of its
 * line.
 *
 * A Python string prefix (`b"..."`, `f"..."`, `rb'...'`) is not part of the value: the quoted value follows it.
 * Quoted values may contain escaped quotes (`"pa\\"ss"`). A value between escaped quotes
 * (`\\"secret\\"`, the same run of backslashes on both sides) is what a quoted value becomes
 * once its text is put in a JSON string. The alternatives start with different characters
 * but the last two (a backslash may start a bare value): each is bounded, so still linear.
 * A bare value stops at a run of backslashes that ends in `n`, `r` or `t`: in JSON (or text
 * JSON-encoded again) that is a line end, and the next line is not part of the value. A run
 * may only end where the backslashes do, so it is read one way: linear.
 * Case-sensitive (no `i` flag: the key names are made caseless one by one), so only `\\n`,
 * `\\r`, `\\t` end a value, as JSON writes them; `\\N` in a raw secret does not. A run
 * before a quote escapes that quote (JSON in a JSON string): it ends the value too.
 * A list (`"api_key": ["k1", "k2"]`) is one value, replaced whole, and so is one no `]` closes on its line
 * ({@link UNCLOSED_LIST}); a `[` after a bare value's first character stays in it (`Xk[9mP`).
 *
 * A bare value goes on past an `&` followed by characters of a value up to something other than `=`, and
 * not by an HTML entity's name and `;` (`Tr0ub4dor&3`, `Tr0ub4dor&3;Database=app`; not a query's `&next=1`,
 * an entity's `&amp;`, a shell's `&&` or `& `): the look-ahead
 * reads up to the first character not in its class, which the value then takes too, so each character is
 * read twice at most. The continuation (words after a blank, up to the line's end or a ` #` comment) is
 * captured whatever precedes the key; {@link redactedValue} replaces it only on a YAML-like line. It holds
 * no `=`, `:` or quote, so no later key hides in it; one run of single characters, it gives back one
 * character at a time, once, when the end-of-line look-ahead fails: linear.
 */
function valuePattern(esc: number, listOpen = false, joined = false): string {
  return (
    `(?:[bBrRuUfF]{1,2}(?=\\\\{0,7}["']))?` +
    `(?:"((?:[^"\\\\\\n]|\\\\.){1,1024})"|'((?:[^'\\\\\\n]|\\\\.){1,1024})'|(\\\\{1,7}["'])([^"'\\\\\\n]{1,1024})\\${esc}|` +
    // `listOpen`: a list's `[` only, its end read by {@link ListEnds} (the assignment rule).
    `(${listOpen ? '\\[' : LIST})|` +
    `((?!&)(?:\\[${BRACKETED_CHAR}{0,256}\\]|[^\\s"',;&}{)(\\]\\\\]|\\\\{1,64}(?![\\\\nrt"'])|&(?!${AMP_ENTITY})(?=${AMP_WORD}{1,256}(?!${AMP_WORD})(?!=))){1,1024})` +
    `([ \\t]${MORE_CHAR}{0,1024}(?=[\\r\\n]|\\\\{1,7}[nr]|$|(?<=[ \\t])#|${CLOSING_QUOTE}))?` +
    // `joined`: no value but a quote closing the key's literal, an operator and the next literal's quote (`'token=' +
    // "…"`, over lines): the empty match the assignment rule reads with {@link concatenatedLiteral}.
    (joined ? `|${LITERAL_JOINED_AHEAD})` : ')')
  );
}

/** An assigned value, from the groups of {@link valuePattern}. */
interface AssignedValue {
  /** What the keep rules judge: the value, a bare one up to its first `&`. */
  value: string;
  doubleQuoted: boolean;
  singleQuoted: boolean;
  /** The escaped quote around the value, if any (`\\"`). */
  escapedQuote: string | undefined;
  list: boolean;
  bare: boolean;
  /**
   * A bare value read past a closed `[…]` (`Xk[9mP]2qL7`, `tokens[i]`): before such groups, a bare value
   * stopped at its first `]`, and what the keep rules say of one is said of such a value only.
   */
  pastBracket: boolean;
  /** Where `value` ends in the input. */
  end: number;
  /** A bare value's continuation after a space, up to the end of its line, or `''`. */
  more: string;
  /** Where `more` ends in the input. */
  moreEnd: number;
}

/** The value matched by `m` at `start`, whose {@link valuePattern} groups start at `g[base]`. */
/**
 * Longest string a few characters are looked for in by a loop rather than the runtime's `indexOf` (every assignment's
 * value is searched so, most are short, and a call into the runtime costs more than a short loop). Speed only.
 */
const SHORT_SEARCH = 64;

function assignedValue(m: string, g: (string | undefined)[], base: number, start: number): AssignedValue {
  const bare = g[base + 5];
  const more = g[base + 6] ?? '';
  // Its first `&` and whether it holds a `]`: one loop over a short value (every assignment passes here; two calls into
  // the runtime cost more), the runtime's searches over a long one.
  let amp = -1;
  let pastBracket = false;
  if (bare !== undefined && bare.length <= SHORT_SEARCH) {
    for (let i = 0; i < bare.length; i++) {
      const c = bare.charCodeAt(i);
      if (c === 38) {
        if (amp < 0) amp = i;
      } else if (c === 93) pastBracket = true;
    }
  } else if (bare !== undefined) {
    amp = bare.indexOf('&');
    pastBracket = bare.includes(']');
  }
  // Past a `]`, not cut at the `&` (`+&[0]token=…`): what follows a closed `[…]` is judged with the value.
  let head = amp > 0 && !pastBracket ? bare!.slice(0, amp) : bare;
  // A value ending in a closed subscript (`tokens[i]`, `Welcome[1]`) is judged without its `]`, followed by it,
  // as the rules of redact-code.ts read a subscript; when redacted, the `]` goes with it (no `"[REDACTED]"]`).
  if (head !== undefined && head.length > 1 && head.charCodeAt(head.length - 1) === 93 && head.includes('[')) head = head.slice(0, -1);
  return {
    value: g[base] ?? g[base + 1] ?? g[base + 3] ?? g[base + 4] ?? head ?? '',
    doubleQuoted: g[base] !== undefined,
    singleQuoted: g[base + 1] !== undefined,
    escapedQuote: g[base + 2],
    list: g[base + 4] !== undefined,
    bare: bare !== undefined,
    pastBracket,
    end: start + m.length - more.length - (bare !== undefined ? bare.length - head!.length : 0),
    more,
    moreEnd: start + m.length,
  };
}

/**
 * Whether an assigned value is no secret: an earlier tag, a placeholder, a reference, a call, code
 * (`notASecret`). `key` and `separator` are the assignment's, `keyStart` where the key starts.
 */
function keptValue(v: AssignedValue, key: string, separator: string, input: string, keyStart: number): boolean {
  const value = v.value;
  // A tag the cut rule wrote (it runs after every rule: its mark follows it) in a value this rule kept (`PWD://AKIAACCA…`,
  // a path) is read as the token it replaced: read as a tag, a second pass replaced the value (a review of 047195d).
  // (What the value is made of, read once: a word of `[A-Za-z0-9_]` holds no tag, bracket, quote or operator.)
  const shape = wordShape(value);
  if (shape === 0 && value.includes(CUT_TAG_END)) {
    const uncut = value.replace(CUT_TAG_RE, 'x');
    if (uncut !== value) return keptValue({ ...v, value: uncut }, key, separator, input, keyStart);
  }
  if (authorizationKept(v, key, input)) return true;
  // A shell default that is an earlier tag whole (`${HF_TOKEN:-[REDACTED:huggingface_token]}`, read inside a quoted
  // value kept whole): redacted already, by the rule that knew its kind; nothing around the tag is left to judge.
  const first = value.charCodeAt(0);
  // (`-`, `=`, `+` or `?` first: the regex only then.)
  if (v.bare && (first === 45 || first === 61 || first === 43 || first === 63) && SHELL_DEFAULT_TAG_RE.test(value)) return true;
  if (v.pastBracket) {
    const close = value.indexOf(']');
    // A path of subscripts and members (`data[0].strip`, `tokens[i][j`, `resp[0][`) is code when what
    // comes before its first `]` is, judged as before a bare value could hold `[…]` (`data[0`, followed
    // by `]`): a secret with brackets (`Xk[9mP]2qL7`) is no such path.
    // (The view is built only for such a path: every bracketed value passes here.)
    if (close > 0 && SUBSCRIPT_PATH_RE.test(value) && keptValue({ ...v, value: value.slice(0, close), end: v.end - value.length + close, pastBracket: false }, key, separator, input, keyStart)) return true;
    // Kept by nothing else when it holds an earlier tag (`2qL7[i][REDACTED:openai_key`, `Xk&[REDACTED:…`:
    // what is around the tag was never judged, a secret's as likely as not) or when a `key=`/`key:` may
    // follow a `]` (`os.environ[x]token=…`: a kept value is passed over whole, that key never read).
    if (value.includes('[REDACTED:') || (close >= 0 && (value.indexOf('=', close) >= 0 || value.indexOf(':', close) >= 0))) return false;
  }
  // `$X`/`${X}` are references to a secret elsewhere, not the secret (the value stops before `{`);
  // backslashes alone are the start of an escaped quote the value could not be read from;
  // a bare name followed by `(` is a call (`pwd = os.getcwd()`): the secret, if any, is not here.
  // A value holding an earlier tag (`u:[REDACTED:url_password]`) was redacted already: cutting into the tag breaks it.
  // (A word is its own trimmed value, judged without the regex: nonSecretWord.)
  if (
    (shape === 0 && value.includes('[REDACTED:')) ||
    ((value.length === 0 || value.charCodeAt(0) === 92) && /^\\*$/.test(value)) ||
    (mayBeNonSecretWord(first) && (shape !== 0 ? nonSecretWord(value) : NON_SECRET_VALUE_RE.test(value.trim())))
  )
    return true;
  // `${X}`, `$X` (a shell variable: capitals) refer to a secret elsewhere; `$uperSecret` is one.
  if (first === 36 && (value === '$' || /^\$(?:[{(]|[A-Z_][A-Z0-9_]{0,63}$)/.test(value))) return true; // `$` alone: before `{` or `(`
  if (first === 36 && /^\$[A-Za-z_]\w{0,63}$/.test(value) && inCode(key, separator, input, keyStart)) return true; // `$password` in PHP
  if (v.bare && input.charCodeAt(v.end) === 40 && (CALLEE_RE.test(value) || (METHOD_PATH_RE.test(value) && callCloses(input, v.end)))) return true;
  // A template literal with a field (`` `${this.apiKey}` ``, `` `Bearer ${token}` ``): code building the value.
  // Closed nowhere on its line but opening with its field (`` `${X}token: `… ``): a later key's value replaced may have held
  // its closing backquote, and a second pass read the template as none (review of 2026-12-07). A field further in may be
  // what such a value replaced.
  if (v.bare && value.charCodeAt(0) === 96 && (input.startsWith('`${', v.end - value.length) || /^`[^`\n]{0,1024}`/.exec(input.slice(v.end - value.length, v.end - value.length + 1026))?.[0].includes('${'))) return true;
  if (v.list && /^\[\s*\]$/.test(value)) return true; // an empty list holds no secret
  // (A word holds no concatenation operator.)
  if (shape === 0 && concatenatedName(v, input, keyStart)) return true;
  return notASecret(value, key, separator, v.bare, input, keyStart, v.end, shape);
}

/**
 * A name, a path of names or a call of one, between two concatenation operators (`+`, `.`, `..`, `||`, `&`): what a
 * quoted "value" holds when its quotes are those of two string literals (` + token + `, PHP's ` . $token . `).
 */
const CONCATENATED_NAME_RE =
  /^[ \t]{0,16}(?:\+|\.{1,2}|\|\||&)[ \t]{0,16}\$?[A-Za-z_][\w$]{0,127}(?:\??\.[A-Za-z_][\w$]{0,127}){0,16}(?:\([^()"'\n]{0,128}\)|\[[^\]"'\n]{0,64}\])?[ \t]{0,16}(?:\+|\.{1,2}|\|\||&)[ \t]{0,16}$/;

/**
 * Whether a quoted value is code between two string literals: its opening quote closes the string the key is in, and
 * it holds a name concatenated ({@link CONCATENATED_NAME_RE}): `"?access_token=" + token + "&limit=10"`. Redacted, the
 * code was corrupted (a URL built so is common); read inside a value kept whole (012860e) too.
 */
function concatenatedName(v: AssignedValue, input: string, keyStart: number): boolean {
  if (!(v.doubleQuoted || v.singleQuoted || v.escapedQuote !== undefined) || !CONCATENATED_NAME_RE.test(v.value)) return false;
  // The quote, maybe escaped (`\"`: code in a JSON string), is the value's opening one.
  return literalHoldsKey(v.escapedQuote ?? input.charAt(v.end - v.value.length - 2), input, keyStart);
}

/**
 * Whether the key at `keyStart` sits in a string literal opened by `quote` (maybe escaped): the nearest such quote
 * before it on its line opens a literal, after what opens a string for openingQuoteBefore, or after a concatenation
 * (`base + "?token=" + token + "&x=1"`). Bounded.
 */
function literalHoldsKey(quote: string, input: string, keyStart: number): boolean {
  const stop = Math.max(0, keyStart - QUOTE_WALK_BACK);
  const view = input.slice(stop, keyStart);
  let at = -1;
  for (let from = view.length; from > 0; from = at) {
    at = view.lastIndexOf(quote, from - 1);
    // An escaped quote where a plain one is looked for is part of the literal (`"a\"b"`).
    if (at < 0 || quote.length > 1 || view.charCodeAt(at - 1) !== 92) break;
  }
  if (at < 0 || /[\r\n]/.test(view.slice(at))) return false;
  at += stop;
  let j = at - 1;
  while (j >= 0 && at - j <= QUOTE_BLANKS_BACK && (input.charCodeAt(j) === 32 || input.charCodeAt(j) === 9)) j--;
  return j < 0 || /[:,=([{+.&|\r\n]/.test(input.charAt(j));
}

/** What a concatenated literal opening the next parameter or prose starts with (review 2 of bc731b5): no value. */
const LITERAL_NO_VALUE_START = ' \t&;,.?#)';
/** Most characters of a literal {@link concatenatedLiteral} reads. */
const LITERAL_READ = 1024;
/** Most literals (and names between them) a value joined of several is read over ({@link concatenatedLiteral}). */
const LITERAL_PARTS = 8;

/** A quote closing or opening a literal, maybe escaped (`\\"`: code in a JSON string); read at a position. */
const LITERAL_QUOTE_RE = /\\{0,7}["'`]/y;
/**
 * Blanks, then line ends each followed by blanks (raw, or as JSON writes them when the quotes are escaped): up to four, so
 * that blank lines between the literals and the operator are passed over (`"password=" +` then a blank line, then `"…"`:
 * in clear before a review of 2026-12-07's review).
 */
const LITERAL_GAP = String.raw`[ \t]{0,16}(?:(?:\r?\n|\\{1,7}r\\{1,7}n|\\{1,7}[nr])[ \t]{0,64}){0,4}`;
/** A concatenation operator: `+`, PHP's `.`, Lua's `..`, SQL's `||`, `&`. */
const LITERAL_OPERATOR = String.raw`(?:\+|\.{1,2}|\|\||&)`;
/**
 * What joins the key's literal to the next one: a gap ({@link LITERAL_GAP}), a concatenation operator, a gap and maybe a
 * parenthesis opening before the literal (`"token=" + ("…")`), or, without an operator, a gap alone (C's and Python's
 * implicit concatenation, `"password=" "…"`; {@link concatenatedLiteral} asks it to be no empty one).
 */
const LITERAL_JOIN = String.raw`${LITERAL_GAP}(?:${LITERAL_OPERATOR}${LITERAL_GAP}(?:\(${LITERAL_GAP})?)?`;
/** A join with an operator ({@link LITERAL_JOIN}): what stands on either side of a name between two literals. */
const LITERAL_OPERATOR_JOIN = String.raw`${LITERAL_GAP}${LITERAL_OPERATOR}${LITERAL_GAP}`;
/**
 * A string prefix before the next literal's quote (Python's `r"…"`, `b'…'`, `rb"…"`): the operator and the prefix were
 * read as a quoted value, replaced, the literal after them in clear, before a review of 2026-12-07.
 */
const LITERAL_PREFIX = String.raw`(?:[bBrRuUfF]{1,2}(?=\\{0,7}["']))?`;
/**
 * A name, a path of names (PHP's `$this->prefix` too: in clear before a review of review 4), maybe a call or a subscript
 * of it (as {@link CONCATENATED_NAME_RE} reads one), between literals.
 */
const LITERAL_NAME = String.raw`\$?[A-Za-z_][\w$]{0,127}(?:(?:\??\.|->)[A-Za-z_][\w$]{0,127}){0,16}(?:\([^()"'\n]{0,128}\)|\[[^\]"'\n]{0,64}\])?`;
/** {@link LITERAL_JOIN} read at a position: the join, then the next literal's quote (after a string prefix). */
const LITERAL_JOIN_RE = new RegExp(`(${LITERAL_JOIN})${LITERAL_PREFIX}(\\\\{0,7}["'\`])`, 'y');
/** {@link LITERAL_OPERATOR_JOIN} read at a position. */
const LITERAL_OPERATOR_JOIN_RE = new RegExp(LITERAL_OPERATOR_JOIN, 'y');
/** A name joined between two literals ({@link LITERAL_NAME}), read at a position: then the next literal's quote. */
const LITERAL_NAME_JOIN_RE = new RegExp(`${LITERAL_OPERATOR_JOIN}${LITERAL_NAME}${LITERAL_OPERATOR_JOIN}${LITERAL_PREFIX}(\\\\{0,7}["'\`])`, 'y');
/**
 * The `joined` alternative of {@link valuePattern}: a quote closing the key's literal, then a join and the next literal's
 * quote, or a name joined before it (`'password=' + prefix + "…"`), or a quote of the other kind right after it
 * (`"password="'…'`): an empty match, read by {@link concatenatedLiteral}.
 */
const LITERAL_JOINED_AHEAD =
  String.raw`(?="'|'"|\\{0,7}["'` + '`' + String.raw`](?=[ \t\r\n+.|&\\])(?:${LITERAL_JOIN}|${LITERAL_OPERATOR_JOIN}${LITERAL_NAME}${LITERAL_OPERATOR_JOIN})${LITERAL_PREFIX}\\{0,7}["'` + '`' + '])';

/** The literal a key's value is when concatenated after the key's literal ({@link concatenatedLiteral}). */
interface ConcatenatedLiteral extends Span {
  /** The literal's opening quote, maybe escaped. */
  quote: string;
  /**
   * The content of each literal joined to make the value, in order (the first `[start, end)` then those after it:
   * `"token=" + "a" + "…"`), each run of literals joined with no name between them one span (see {@link concatenatedLiteral}).
   */
  runs: Span[];
  /** The literals' contents joined: the value judged. */
  value: string;
}

/** One literal's content read from its first character: `[start, end)`, and whether its closing quote was found. */
interface LiteralRead extends Span {
  closed: boolean;
}

/**
 * The literal concatenated right after the one a key and its separator end (`"token=" + "…"`, `'api_key=' . '…'`,
 * `'token=' + "…"`, `` `token=` + "…" ``, the operator maybe on a line of its own, escaped in JSON text too): the
 * value's first character (`valueAt`) is a quote closing the key's literal ({@link literalHoldsKey}), then an operator,
 * then the next literal, of any quotes (a review of 2026-12-07: only the same quote, on one line, was read, and the
 * secret in a literal of other quotes or on the next line was left in clear), closed on its line within
 * {@link LITERAL_READ} characters: its content's `[start, end)`. Closed nowhere on its line, it runs to the line's end
 * or the next quote (a cut, a line of an unfinished edit). Undefined: no such shape, or an empty literal, or one opening
 * with a blank or a separator (`"&x=1"`, `" (hidden)"`: what follows an empty value). Bounded.
 *
 * Since a review of 2026-12-07's review: the literal may be inside a parenthesis (`"token=" + ("…")`), after blank
 * lines, after no operator (`"password=" "…"`, implicit concatenation: a blank or a line end between the quotes), and
 * the value may be made of several literals (`"token=" + "a" + "…"`), a name of code maybe between them (`'password=' +
 * prefix + "…"`): up to {@link LITERAL_PARTS}, each closed, the chain ending before a literal opening as no value does
 * (`+ "&x=1"`, `+ ";"`) or with an escape (`+ "\n"`). Their contents joined are the value judged; each run of literals
 * joined with no name between them is replaced by one tag (the name is code, kept).
 */
function concatenatedLiteral(input: string, valueAt: number, keyStart: number): ConcatenatedLiteral | undefined {
  // A quote or a backslash first (every assignment passes here; most values start otherwise).
  const first = input.charCodeAt(valueAt);
  if (first !== 34 && first !== 39 && first !== 96 && first !== 92) return undefined;
  LITERAL_QUOTE_RE.lastIndex = valueAt;
  const closing = LITERAL_QUOTE_RE.exec(input)?.[0];
  if (closing === undefined) return undefined;
  // The operator first (cheap, and it fails at once on an ordinary quoted value), then the key's literal.
  const joined = literalJoin(input, valueAt + closing.length, closing);
  if (joined === undefined) return undefined;
  if (!literalHoldsKey(closing, input, keyStart)) return undefined;
  const { at: start, named } = joined;
  let quote = joined.quote;
  const read = readLiteral(input, start, quote);
  // After a name, an escape opens what code appends (`token + "\n"`): no value.
  if (read === undefined || (named && input.charCodeAt(read.start) === 92)) return undefined;
  const runs: Span[] = [{ start: read.start, end: read.end }];
  let value = input.slice(read.start, read.end);
  // The literals after it (`"token=" + "a" + "…"`), each closed; a name between two parts a run (kept, code).
  let last = read;
  for (let parts = 1; parts < LITERAL_PARTS && last.closed; parts++) {
    const next = literalJoin(input, last.end + quote.length, quote);
    if (next === undefined) break;
    const more = readLiteral(input, next.at, next.quote);
    if (more === undefined || !more.closed || input.charCodeAt(more.start) === 92) break;
    if (next.named) runs.push({ start: more.start, end: more.end });
    else runs[runs.length - 1]!.end = more.end;
    value += input.slice(more.start, more.end);
    last = more;
    quote = next.quote;
  }
  // A name right after the key's literal (`'password=' + prefix + …`): the literals after it are judged only when closed.
  if (named && !last.closed) return undefined;
  return { start: runs[0]!.start, end: runs[runs.length - 1]!.end, quote: joined.quote, runs, value };
}

/**
 * Whether the value at `valueAt` is a quote closing the key's literal then a concatenation operator and code, a
 * parenthesis, a name or a number (`"token=" + (a || "")`, `"token=" + f(x)`), that {@link concatenatedLiteral} read no literal after: code, kept. The quoted "value" from
 * that quote to the next (` + (a || `) was replaced before a review of 2026-12-07's review.
 */
function joinedCode(input: string, valueAt: number, keyStart: number): boolean {
  const first = input.charCodeAt(valueAt);
  if (first !== 34 && first !== 39 && first !== 96 && first !== 92) return false;
  LITERAL_QUOTE_RE.lastIndex = valueAt;
  const closing = LITERAL_QUOTE_RE.exec(input)?.[0];
  if (closing === undefined) return false;
  // The quote must close the key's own literal: one of its kind between the key and it closed that literal before the
  // separator (`"password": "+…"`, the quote opening the value: in clear after review 4, until a fresh-clone check).
  if (input.slice(keyStart, valueAt).includes(closing.charAt(closing.length - 1))) return false;
  LITERAL_OPERATOR_JOIN_RE.lastIndex = valueAt + closing.length;
  if (!LITERAL_OPERATOR_JOIN_RE.test(input)) return false;
  // Code: a parenthesis, a name or a number (`"token=" + ; "…"` is none: its "value" is replaced as before).
  const c = input.charCodeAt(LITERAL_OPERATOR_JOIN_RE.lastIndex);
  const code = c === 40 || c === 36 || c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return code && literalHoldsKey(closing, input, keyStart);
}

/**
 * The join at `at` (after a literal's closing quote) and the next literal's opening quote: where its content starts, its
 * quote, and whether a name of code stands between ({@link LITERAL_NAME_JOIN_RE}); undefined: none, or a join without an
 * operator, blank or line end (`""`: an escaped quote in SQL, CSV, VB).
 */
function literalJoin(input: string, at: number, closing: string): { at: number; quote: string; named: boolean } | undefined {
  LITERAL_JOIN_RE.lastIndex = at;
  const join = LITERAL_JOIN_RE.exec(input);
  let quote: string;
  let named = false;
  // Nothing between the quotes: a join only when they are of two kinds (`"password="'…'`, the shell's and Python's
  // concatenation; in clear before a review of review 4), never a doubled quote (`""`).
  if (join !== null && (join[1] !== '' || (join[0] === "'" && closing === '"') || (join[0] === '"' && closing === "'"))) {
    quote = join[2]!;
  } else {
    LITERAL_NAME_JOIN_RE.lastIndex = at;
    const name = LITERAL_NAME_JOIN_RE.exec(input);
    if (name === null) return undefined;
    quote = name[1]!;
    named = true;
  }
  // An escaped quote opens a literal of code inside a JSON string (`\\"` or `\\'`), never a backquote.
  if (quote.length > 1 && quote.endsWith('`')) return undefined;
  return { at: named ? LITERAL_NAME_JOIN_RE.lastIndex : LITERAL_JOIN_RE.lastIndex, quote, named };
}

/**
 * A literal's content from `start` (after its opening `quote`, maybe escaped), closed on its line within
 * {@link LITERAL_READ} characters or, closed nowhere, up to its line's end or next quote ({@link unclosedLiteral});
 * undefined: empty, or opening as no value does ({@link LITERAL_NO_VALUE_START}).
 */
function readLiteral(input: string, start: number, quote: string): LiteralRead | undefined {
  const stop = Math.min(input.length, start + LITERAL_READ);
  if (start >= stop || LITERAL_NO_VALUE_START.includes(input.charAt(start))) return undefined;
  const q = quote.charCodeAt(quote.length - 1);
  const k = quote.length - 1; // the backslashes escaping the quotes: also those of a line end as JSON writes it
  for (let i = start; i < stop; i++) {
    const c = input.charCodeAt(i);
    if (c === 10 || c === 13) return unclosedLiteral(input, start, i);
    if (c === 92) {
      if (k === 0) {
        i++; // an escape in the literal (`"a\"b"`, `"a\nb"`: no line end)
        continue;
      }
      let r = 1;
      while (r <= 64 && input.charCodeAt(i + r) === 92) r++;
      const e = input.charCodeAt(i + r);
      // The escaped closing quote (its backslashes the run's last `k`), or a line end as JSON writes it (`\n` in `\"…\"`;
      // the code's own escape, `\\n`, has twice as many).
      if (e === q && r >= k) return i + r - k > start ? { start, end: i + r - k, closed: true } : undefined;
      if ((e === 110 || e === 114) && r === k) return unclosedLiteral(input, start, i);
      i += r - 1;
      continue;
    }
    if (k === 0 && c === q) return i > start ? { start, end: i, closed: true } : undefined;
  }
  return stop < input.length ? undefined : unclosedLiteral(input, start, stop);
}

/**
 * A literal after a key's literal closed nowhere on its line (`"token=" + "Xk9…` then a line end or the text's end): the
 * value up to `lineEnd` or the first quote of any kind before it (a JSON string's end, another literal), when any.
 */
function unclosedLiteral(input: string, start: number, lineEnd: number): LiteralRead | undefined {
  let end = start;
  while (end < lineEnd) {
    const c = input.charCodeAt(end);
    if (c === 34 || c === 39 || c === 96 || (c === 92 && /["'`]/.test(input.charAt(end + 1)))) break;
    end++;
  }
  // Blanks alone, or blanks at its end (a line's trailing ones), are no part of the value.
  while (end > start && (input.charCodeAt(end - 1) === 32 || input.charCodeAt(end - 1) === 9)) end--;
  return end > start ? { start, end, closed: false } : undefined;
}

/**
 * The value after a key ending a bare value (`password=abc?token: Xk9…`): blanks, then a quoted value (plain, or escaped
 * in a JSON string: `\\"Xk9…\\"`) or a word, `${NAME}` references in it read whole (the word stopped at the `{`, its `$`
 * replaced and the rest in clear, before a review of 2026-12-07).
 */
const TRAILING_KEY_VALUE_RE =
  /[ \t]{1,16}(?:"[^"\\\r\n]{1,1024}"|'[^'\\\r\n]{1,1024}'|(\\{1,7})(["'])[^"'\\\r\n]{1,1024}\1\2|(?:\$\{[A-Za-z_][A-Za-z0-9_]{0,63}\}|\$(?!\{)|[^\s"'`,;&{}()[\]\\$]){1,1024})/y;

/**
 * Which quotes end a string inside the word {@link TRAILING_KEY_VALUE_RE} read over `[from, to)` (bit 1: a `"`, bit 2: a
 * `'`; each kind's first one no backslash escapes, as {@link STRING_END_RE} judges it): `{"a": "password=abc?token= ",
 * "b": …}` read `","` as a quoted word, the tag taking the string's closing quote, the comma and the next key's opening
 * quote. The caller checks the kind against the string the key sits in ({@link openingQuoteBefore}) only when there is
 * one (the walk back skipped for most words). Bounded by the word.
 */
function stringEndsIn(text: string, from: number, to: number): number {
  return (quoteEndsString(text, 34, from, to) ? 1 : 0) | (quoteEndsString(text, 39, from, to) ? 2 : 0);
}
/** Whether the first quote `q` in `[from, to)` no backslash escapes is followed by what follows a string's end. */
function quoteEndsString(text: string, q: number, from: number, to: number): boolean {
  const close = closingQuoteIn(text, q, from, to);
  if (close < 0) return false;
  STRING_END_RE.lastIndex = close + 1;
  return STRING_END_RE.test(text);
}

/**
 * Where the text glued after a shell expansion's single-quoted value holding a backslash ends (`${API_KEY='\\''jar.set(`:
 * the `'…'` read by the assignment rule, `\\` escaping a quote, the expansion not read by {@link readNestedExpansion},
 * its `'jar…` closed nowhere): its first blank, `}` or line end (1 024 characters at most); -1 for any other value.
 * Replaced with the value: a second pass, its `\\'` then a tag, read the expansion as the shell does and replaced the
 * glued text (not idempotent). `keyStart`: the name's start, after `${`. Cheap checks first: every redacted value passes.
 */
function shellQuoteGlueEnd(text: string, keyStart: number, v: AssignedValue): number {
  if (text.charCodeAt(keyStart - 1) !== 123 || text.charCodeAt(keyStart - 2) !== 36 || !v.singleQuoted || !v.value.includes('\\')) return -1;
  let i = v.end; // past the closing quote
  const first = text.charCodeAt(i);
  if (Number.isNaN(first) || first === 32 || first === 9 || first === 10 || first === 13 || first === 125) return -1;
  if (readNestedExpansion(text, keyStart - 2) !== undefined) return -1;
  const stop = Math.min(text.length, i + 1024);
  for (; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 125) break;
  }
  // Glued text ending in a key's separator (`'\\''pwd=a:b?api_key= Xk9…`): the word after the blank is that key's value,
  // taken too, as a bare value's trailing key takes it (review of 2026-12-07: it was left in clear after the tag).
  const sep = text.charCodeAt(i - 1);
  if ((sep === 61 || sep === 58) && i - 1 > v.end) {
    TRAILING_KEY_VALUE_RE.lastIndex = i;
    if (TRAILING_KEY_VALUE_RE.exec(text) !== null) return TRAILING_KEY_VALUE_RE.lastIndex;
  }
  // A command whose password flag the command rule reads after this one (`'\\''curl -u user:pw`: a quote before its name
  // starts one): glued into the tag, its flag's word was left in clear (review of 2026-12-07). The names of
  // the command rule's ({@link PASSWORD_COMMAND_NAMES}): refused, as before.
  if (GLUED_COMMAND_RE.test(text.slice(v.end, i))) return -1;
  return i;
}
const GLUED_COMMAND_RE = new RegExp(`^(?:${PASSWORD_COMMAND_NAMES})$`);

/** A YAML block scalar's indicator (`|`, `>-`, `|2+`): the value is on the lines below. */
const BLOCK_INDICATOR_RE = /^[|>][1-9+-]{0,2}$/;
/**
 * A shell parameter expansion's default, alternative or error word that is an earlier tag whole (after `:-`, `:=`,
 * `:+`, `:?`); its `]` is optional as {@link assignedValue} judges a value ending in a closed `[…]` without it.
 */
const SHELL_DEFAULT_TAG_RE = /^[-=+?]\[REDACTED:[A-Za-z0-9_.-]{1,64}\]?$/;

/**
 * A shell parameter expansion with an operator and its word up to the closing brace (`${NAME:-word}`, `${NAME-word}`,
 * `${NAME:=word}`, `${NAME+word}`, `${NAME:?word}`): its name, operator and word (maybe empty; blanks and `$` in it,
 * no quote, brace, backquote, backslash, line end or `$(`: `${A:-${B}}`, `${A:-"x"}`, `${A:-$(cat f)x}` are none, read by
 * redact-shell-defaults.ts). Sticky: read at its `$`.
 */
const SHELL_EXPANSION_RE = /\$\{([A-Za-z_][A-Za-z0-9_]{0,63})(:?[-=+?])((?:[^`{}"'\\\r\n$]|\$(?!\()){0,256})\}/y;
/** A shell expansion's name followed by an operator (`${NAME:=`, `${NAME-`, …), read at a `${`: the names the assignment rule's `keyExpansion` reads. */
const SHELL_OPERATOR_RE = /\$\{[A-Za-z_][A-Za-z0-9_]{0,63}:?[-=+?]/y;
/**
 * Whether `${NAME`, the operator `op` and its `word` are rather an expression of a template (JS's `` `${maxToken-1}` ``,
 * Kotlin's and Groovy's `"${password+salt}"`): an operator without `:` (`-`, `+`, `=`; `:-` is no expression there)
 * after a name holding a lower-case letter (shell's environment names are upper case), its word names of code
 * or small numbers ({@link templateOperands}: `salt`, `this.suffix`, `1`, `salt+user`, `hash(salt, 2)`). Read as a
 * secret's default, such code was replaced in a first review of bc731b5; read as an expression whatever its word, a
 * shell script's `echo ${api_key-Xk9…}` and `${my_password-hunter2}` kept their default in clear (until 2026-12-07's
 * evening). Decided by the word alone, not by the text around it (a string's quotes, a template's backquotes): a
 * shell command sits in code's strings as often (`["sh", "-c", "echo ${api_key-…}"]`), and a quote inside a value a
 * pass replaces would change, for a second pass, what the first judged (a review of that evening's first fix).
 */
function templateExpression(name: string, op: string, word: string): boolean {
  return templateShaped(name, op) && templateOperands(word);
}
/** A name holding a lower-case letter and an operator without `:` (`-`, `+`, `=`): the head of a template's expression. */
function templateShaped(name: string, op: string): boolean {
  return op.length === 1 && op !== '?' && /[a-z]/.test(name);
}
/**
 * Whether a nested reading's expansion (its word holding a quote, a brace, a backquote, a backslash, a line end or
 * `$(`) is rather a template's expression, as {@link templateExpression} judges a flat one: a lower-case name and an
 * operator without `:`, each literal run of its word (quotes aside) operands or punctuation
 * (`` `${password+"salt"}` ``, `` `${password+":"+salt}` ``), and no template field of its own in the word (`${my_password-${DEFAULT_PW:-…}}` is
 * shell's: in JS, Kotlin or Groovy an expression holds a field only inside a nested literal). `${password-"hunter2"}`
 * is shell's quoted default, a value.
 */
function nestedTemplateExpression(e: NestedExpansion, text: string, at: number): boolean {
  if (!templateShaped(e.name, e.op)) return false;
  const wordStart = at + 2 + e.name.length + e.op.length;
  const field = text.indexOf('${', wordStart);
  if (field >= 0 && field < e.end) return false;
  for (const run of e.runs) if (!templateOperands(text.slice(run.start, run.end), true)) return false;
  return true;
}
/** An earlier tag, whole. */
const WHOLE_TAG_RE = /^\[REDACTED:[A-Za-z0-9_.-]{1,64}\]$/;

/** Every earlier tag, to stand each for one character (`\0`) in {@link REDACTED_WORD_RE}. */
const TAGS_RE = /\[REDACTED:[A-Za-z0-9_.-]{1,64}\]/g;
/**
 * A word of tags only, each maybe after a key and its separator or a flag (`-token=\0`, `\0 --token=\0`, `--token \0`; `\0`
 * a tag): what a pass that judged its keys left. Text glued to a tag otherwise (`abc\0`) may be a secret's part: none.
 */
const REDACTED_WORD_RE = /^(?:[ \t]{0,16}(?:[-A-Za-z0-9_.]{0,128}[=:][ \t]{0,16}|--?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}[ \t]{1,16})?\0)+[ \t]{0,16}$/;

/** After `:+`/`+`, a marker of a set-test (`${VAR+set}`, `yes`, `defined`): at most 7 lower-case letters. */
const SHELL_MARKER_RE = /^[a-z]{1,7}$/;
/** After `:+`/`+`, a flag alone (`--token`, `-k`), or a flag then its value after `=` or blanks (`--token=…`, `--token …`). */
const SHELL_FLAG_RE = /^--?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(?:(=|[ \t]+)(?=.))?/;

/**
 * Where the value in the word after a shell expansion's operator `op` starts (0: the word is one), or -1: no value
 * whatever its key: an error message (`:?`, `?`: printed when the variable is unset, never used as its value), an empty
 * word, an earlier tag whole (redacted already by the rule that knew its kind), or after `:+`/`+` (the word used when the
 * variable is set) a flag alone (`${TOKEN:+--token}`) or one character or a short lower-case word (`${API_KEY+x}`,
 * `"${API_KEY+set}" = set`: the test of whether a variable is set; review 2 of bc731b5). A flag's value (`${TOKEN:+--token=…}`, `--token …`) is one, past the flag (the whole word was kept for its
 * `-` in a first review of bc731b5, the value in clear). A literal default or alternative is a value.
 */
function shellWordValueAt(op: string, word: string): number {
  // A tag with blanks around it too (`${A:-\\ }`: the rule before replaced the `\\` alone; review 2 of bc731b5).
  if (op.endsWith('?') || word === '' || WHOLE_TAG_RE.test(word.trim())) return -1;
  // Assignments an earlier pass redacted (`-token=[REDACTED:…]`, `[REDACTED:…] --token=[REDACTED:…]`): that pass read the
  // word as no expansion's (a backquote or a backslash its tags replaced) and judged its keys; a second one keeps it.
  if (word.includes('[REDACTED:') && REDACTED_WORD_RE.test(word.replace(TAGS_RE, '\0'))) return -1;
  if (!op.endsWith('+')) return 0;
  // One character or a short lower-case word (`x`, `set`, `yes`, `defined`: autoconf's `"${VAR+set}" = set`): a marker.
  if (word.length === 1 || SHELL_MARKER_RE.test(word)) return -1;
  if (word.charCodeAt(0) !== 45) return 0;
  const flag = SHELL_FLAG_RE.exec(word);
  if (flag === null) return 0;
  if (flag[1] === undefined) return flag[0].length === word.length ? -1 : 0;
  // The flag's value an earlier tag whole (`--token [REDACTED:…]`): redacted already.
  return WHOLE_TAG_RE.test(word.slice(flag[0].length).trim()) ? -1 : flag[0].length;
}

/** A span of the text a rule replaces, `[start, end)`. */
interface Span {
  start: number;
  end: number;
}

/**
 * Where the shell expansion named as a secret's key whose word holds the run starting at `runStart` begins, when its `${`
 * is at or after `from` (not taken by a value before it), else -1: the nearest `${` before the run, a name ending in a
 * key's and an operator after it, no `}` between.
 */
function intactKeyExpansionAround(text: string, from: number, runStart: number, keyEnd: RegExp): number {
  const at = text.lastIndexOf('${', runStart - 1);
  if (at < from) return -1;
  for (let i = at + 2; i < runStart; i++) if (text.charCodeAt(i) === 125) return -1;
  SHELL_OPERATOR_RE.lastIndex = at;
  if (!SHELL_OPERATOR_RE.test(text)) return -1;
  SHELL_NAME_RE.lastIndex = at + 2;
  return keyEnd.test(SHELL_NAME_RE.exec(text)?.[0] ?? '') ? at : -1;
}

/**
 * Whether the key's `match` lies in the run `span` of a nested expansion named as a secret's key whose `$` is intact
 * ({@link intactKeyExpansionAround}, its `${` at or after `from`), the match's value inside the run (one running past it,
 * or starting before it, is read as before).
 */
function runHoldsMatch(text: string, from: number, span: Span, match: RegExpExecArray, keyEnd: RegExp): boolean {
  if (match.index + match[0].length > span.end) return false;
  if (match.index + (match[1] ?? '').length + (match[2] ?? '').length < span.start) return false;
  // A run ending at a blank: the rule's value may take the word after it (a trailing key's: `PASSWORD=a:b?api_key= Xk9…`),
  // which the run left in clear: read as before. Only a run the `}`, a line end or the text's end closes is taken.
  const after = text.charCodeAt(span.end);
  if (!(Number.isNaN(after) || after === 125 || after === 10 || after === 13)) return false;
  // A run holding a character another rule reads a start at (`;&|(`, a backslash, a quote, a brace, a `$`): read as
  // before, the run replaced whole hid a command's password from the command rule (a review of 2026-12-07).
  for (let i = span.start; i < span.end; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && RUN_REFUSED[c] === 1) return false;
  }
  const inner = intactKeyExpansionAround(text, from, span.start, keyEnd);
  return inner >= 0 && match.index >= inner;
}

/** The characters refusing a nested expansion's run ({@link runHoldsMatch}): `"$&'()\`;{|` and the backslash. */
const RUN_REFUSED = new Uint8Array(128);
for (const c of '"$&\'(;`{|\\') RUN_REFUSED[c.charCodeAt(0)] = 1;

/** A shell expansion's name, read after its `${`. */
const SHELL_NAME_RE = /[A-Za-z_][A-Za-z0-9_]{0,63}/y;
/** A flag ending a word's first run before an expansion (`--token=` of `${TOKEN:+--token=${X}}`): the flag of a reference. */
const FLAG_BEFORE_REFERENCE_RE = /^--?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(?:=|[ \t]{1,16})?$/;

/**
 * The literal runs of a nested expansion's word ({@link readNestedExpansion}) judged values of `key` (its name at
 * `keyStart`), as a flat word is ({@link shellWordValueAt}, then the key's keep rules): `${PW:-${DEFAULT_PW:-…}}` has
 * the inner default, `${API_KEY:-${X}…}` the literal after the reference. A run that is an earlier tag whole, blanks, or
 * a flag before a reference (`${TOKEN:+--token=${X}}`) is none.
 */
function nestedValueSpans(e: NestedExpansion, key: string, input: string, keyStart: number): Span[] {
  const spans: Span[] = [];
  for (const run of e.runs) {
    const word = input.slice(run.start, run.end);
    if (word.trim() === '' || WHOLE_TAG_RE.test(word.trim())) continue;
    if (run.first && input.charCodeAt(run.end) === 36 && FLAG_BEFORE_REFERENCE_RE.test(word)) continue;
    const valueAt = run.first ? shellWordValueAt(run.op, word) : 0;
    if (valueAt < 0) continue;
    const value = word.slice(valueAt);
    if (!keptValue(shellWordValue(value, run.end), key, '=', input, keyStart)) spans.push({ start: run.end - value.length, end: run.end });
  }
  return spans;
}

/**
 * A small JS number (`1`, `0.5`, `1024`): what a template's `${NAME-1}` subtracts. Five digits or more are a default's
 * value (`` `${DB_PASSWORD-12345678}` ``, a Markdown code span; kept, in clear, before a review of 2026-12-07).
 */
const JS_NUMBER_RE = /^[0-9]{1,4}(?:\.[0-9]{1,16})?$/;
/**
 * Whether `${NAME` at `at`, the operator `op` without `:` (`-`, `+`) and a number as its word, is a template literal's
 * arithmetic (JS's `` `${TOKEN-1}` ``, an upper-case constant; review of 2026-12-07): the `${` inside a backquoted
 * literal ({@link TemplateTicks}: opened on its line, or on a line above when none is before it on its line, within
 * 1 024 characters). A shell's number default (`${DB_PASSWORD-123456}`, also in quotes) is still a value; in a shell's
 * backquoted command substitution, such a word is taken for arithmetic too (kept). `ticks` builds the text's counts.
 */
function templateArithmetic(ticks: () => TemplateTicks, at: number, op: string, word: string): boolean {
  if ((op !== '-' && op !== '+') || !JS_NUMBER_RE.test(word)) return false;
  return ticks().inTemplate(at);
}

/** A shell expansion's word `[end - word.length, end)` as an unquoted value, read as {@link assignedValue} reads one (a `]` in it: `pastBracket`). */
function shellWordValue(word: string, end: number): AssignedValue {
  const head = word.length > 1 && word.charCodeAt(word.length - 1) === 93 && word.includes('[') ? word.slice(0, -1) : word;
  return { ...lineValue(head, end - word.length + head.length), bare: true, pastBracket: word.includes(']') };
}

/** What may follow a block scalar's indicator on its line: blanks, a comment. */
const BLOCK_REST_RE = /[ \t]{0,64}(?:#[^\n\r"\\]{0,256})?/y;

/**
 * Whether `v` is a block scalar's indicator after `:` ending its line (blanks and a comment may follow; or the text, or
 * the string holding it, ends), read as no block ({@link blockHead}: the key not first on its line): no secret, kept.
 * Replaced before, a second pass could judge it otherwise (a tag before the key makes it no string's first word).
 */
function loneIndicator(v: AssignedValue, separator: string, input: string): boolean {
  if (!v.bare || !BLOCK_INDICATOR_RE.test(v.value) || !separator.includes(':') || separator.includes('=')) return false;
  BLOCK_REST_RE.lastIndex = v.end;
  BLOCK_REST_RE.test(input);
  const end = BLOCK_REST_RE.lastIndex;
  const c = input.charCodeAt(end);
  return end === input.length || c === 34 || c === 39 || lineBreakAt(input, end) > 0 || (c === 92 && (input.charCodeAt(end + 1) === 34 || input.charCodeAt(end + 1) === 39));
}

/** Where a YAML block scalar's lines start (after its indicator's line) and the column its key is at. */
interface BlockHead {
  lineEnd: number;
  column: number;
}

/**
 * A YAML block scalar's indicator as `v`, read after `separator` (`password: |`, `Authorization: >-`, `value: |` of a
 * name/value pair, the key `[keyStart, keyEnd)` first on its line, maybe a comment after the indicator): where its
 * line ends and the key's column; undefined when it is none. Bounded.
 */
function blockHead(v: AssignedValue, separator: string, input: string, keyStart: number, keyEnd: number): BlockHead | undefined {
  if (!v.bare || !BLOCK_INDICATOR_RE.test(v.value) || !separator.includes(':') || separator.includes('=')) return undefined;
  const column = keyColumn(input, keyStart, keyEnd);
  if (column < 0) return undefined;
  BLOCK_REST_RE.lastIndex = v.end;
  BLOCK_REST_RE.test(input);
  const lineEnd = BLOCK_REST_RE.lastIndex;
  return lineBreakAt(input, lineEnd) === 0 ? undefined : { lineEnd, column };
}

/** An {@link AssignedValue} of `[start, end)`, read as a plain value of a block's lines is. */
function lineValue(value: string, end: number): AssignedValue {
  return { value, doubleQuoted: false, singleQuoted: false, escapedQuote: undefined, list: false, bare: false, pastBracket: false, end, more: '', moreEnd: end };
}

/** A line of a block that reads as a comment (`# rotated monthly`: `#` then a blank; `#Sup3r` may be a password). */
const COMMENT_LINE_RE = /^#(?:[ \t]|$)/;

/** `(`, `[`, `{` in `s` less `)`, `]`, `}`: how many brackets a line leaves open (a template going on below it). */
function bracketBalance(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) n++;
    else if (c === 41 || c === 93 || c === 125) n--;
  }
  return n;
}

/**
 * The value of the block scalar `head` introduces: the lines below its key indented deeper than it (raw or as JSON writes
 * them): where it starts, the value (its lines joined by a blank, empty when no line is indented deeper; `end` where its
 * last line ends), and whether it is kept: the value is (`kept`), and so is each line judged alone, but a line inside
 * brackets a line above left open and a line below closes (`{{ lookup('env',` then `  'PW') }}`: one template; a bracket
 * never closed, `${X} (` then `  hunter2`, passes nothing over) and a line reading as a comment (`# rotated monthly`). So a reference first
 * (`${VAR}`, which keeps a value starting with it) hides no secret on a later line.
 */
function blockValue(input: string, head: BlockHead, kept: (v: AssignedValue) => boolean): { start: number; value: AssignedValue; kept: boolean } {
  const parts: string[] = [];
  let first = -1;
  let linesKept = true;
  let open = 0;
  // A line passed over inside open brackets that alone would not be kept: the brackets must close below it.
  let pending = false;
  const end = readBlock(input, head.lineEnd, head.column, escapedBreak(input, head.lineEnd), (line) => {
    if (first < 0) first = line.start;
    const content = input.slice(line.start, line.end).trimEnd();
    parts.push(content);
    if (linesKept) {
      const judged = COMMENT_LINE_RE.test(content) || kept(lineValue(content, line.start + content.length));
      if (open <= 0 && !judged) linesKept = false;
      else if (open > 0 && !judged) pending = true;
      open = Math.max(0, open + bracketBalance(content));
      if (open === 0) pending = false;
    }
    return line.start + content.length;
  });
  if (pending) linesKept = false;
  // No line below: an empty value (kept), not the indicator taken for one.
  if (first < 0) first = head.lineEnd;
  const value = lineValue(parts.join(' '), end);
  return { start: first, value, kept: linesKept && kept(value) };
}

/**
 * A block scalar's value (see {@link blockHead}, {@link blockValue}) judged by `kept`: where to replace it
 * (`[start, end)`), or `kept` (the value is no secret; or the block is nested in a kept one, whose lines, its own
 * among them, were each judged kept: {@link KeptBlocks}), or undefined (no block scalar there: the value is read as any
 * other). Callers call it for a value starting with `|` or `>` only.
 */
function judgeBlock(
  input: string,
  v: AssignedValue,
  separator: string,
  keyStart: number,
  keyEnd: number,
  blocks: KeptBlocks,
  kept: (v: AssignedValue) => boolean,
): { start: number; end: number } | 'kept' | undefined {
  const head = blockHead(v, separator, input, keyStart, keyEnd);
  if (head === undefined) return loneIndicator(v, separator, input) ? 'kept' : undefined;
  if (blocks.inside(head.lineEnd)) return 'kept';
  const block = blockValue(input, head, kept);
  if (block.kept) {
    blocks.kept(block.value.end);
    return 'kept';
  }
  return { start: block.start, end: block.value.end };
}

/** Whether a key's separator ends its line (raw or as JSON writes it): the value read is on the line below ({@link NEXT_LINE}). */
function separatorEndsLine(separator: string): boolean {
  // A line end, raw or as JSON writes it (a backslash then `n` or `r`): one loop over the few characters (every
  // assignment passes here).
  for (let i = 0; i < separator.length; i++) {
    const c = separator.charCodeAt(i);
    if (c === 10 || c === 13) return true;
    if (c === 92) {
      const d = separator.charCodeAt(i + 1);
      if (d === 110 || d === 114) return true;
    }
  }
  return false;
}

/**
 * Whether `s` holds the character `a` or `b` (char codes) at or after `from`: a loop over a short rest (every
 * assignment's match and bare value is asked; two calls into the runtime cost more), else the runtime's searches.
 */
function holdsEitherFrom(s: string, from: number, a: number, b: number): boolean {
  if (s.length - from > SHORT_SEARCH) return s.indexOf(String.fromCharCode(a), from) >= 0 || s.indexOf(String.fromCharCode(b), from) >= 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === a || c === b) return true;
  }
  return false;
}

/** Whether an assignment kept whole is an `Authorization` key's quoted value of a scheme and its parameters (`"Token token=…"`). */
function schemeParameters(g: (string | undefined)[], skip: number, v: AssignedValue): boolean {
  const key = g[0]!.slice(skip);
  if (key.length < 13 || !/authorization$/i.test(key)) return false;
  return !v.bare && AUTH_SCHEME_FIRST_RE.test(v.value) && v.value.includes('=');
}

/** An authentication scheme's name (`Bearer`, `Digest`, `Negotiate`, `AWS4-HMAC-SHA256`): letters and hyphens, or AWS's. */
const AUTH_SCHEME_RE = /^(?:[A-Za-z][A-Za-z-]{1,31}|AWS4-HMAC-SHA256)$/;
/** A quoted value starting with a scheme's name and a blank (`"Digest username=…"`, `"Bearer " + token`). */
const AUTH_SCHEME_FIRST_RE = /^(?:[A-Za-z][A-Za-z-]{1,31}|AWS4-HMAC-SHA256)[ \t]/;
/** A bare name of letters and `_` (`token`, `apiKey`, `auth_header`). */
const LETTER_NAME_RE = /^[A-Za-z_]{1,32}$/;

/**
 * Whether the value of an `Authorization` (or `Proxy-Authorization`, `X-Authorization`) key is no credential of its
 * own: a scheme followed by what the bearer rule judges (`Authorization: Bearer …`, `"Digest username=…"`,
 * `` `Bearer …` `` in a template literal; the schemes whose parameters are signatures of one request, Digest's,
 * AWS's, OAuth 1's, are kept whole, and the scan reads inside them: {@link schemeParameters}), a scheme's name
 * alone (`"Bearer"`: {@link isSchemeName}), or a bare name of letters (a scheme alone, or a variable: `headers =
 * {"Authorization": token}`, `Authorization: apiKey`). An API key sent without a scheme has digits or is longer
 * (`Authorization: 9f8e7d6c…`, `lin_api_…`): redacted.
 */
function authorizationKept(v: AssignedValue, key: string, input: string): boolean {
  if (key.length < 13 || !/authorization$/i.test(key)) return false;
  if (!v.bare) return AUTH_SCHEME_FIRST_RE.test(v.value) || isSchemeName(v.value);
  // A template literal's scheme (`` `Bearer `` then a blank: the value stopped there).
  if (v.value.charCodeAt(0) === 96) return AUTH_SCHEME_RE.test(v.value.slice(1)) && (input.charCodeAt(v.end) === 32 || input.charCodeAt(v.end) === 9);
  return LETTER_NAME_RE.test(v.value) || AUTH_SCHEME_RE.test(v.value);
}

/**
 * The tag replacing an assigned value, in the value's quotes. A bare value after a quoted key (`"max_token": 256`
 * in JSON) is quoted like the key (the same quote, escaped as the key's is), so the document stays valid JSON (or
 * Python, or YAML). A bare value's continuation is replaced with it on a YAML-like line only (the key first on
 * its line, after indentation and maybe `- `, then `:`), where a plain value runs to the line's end
 * (`password: correct horse battery staple`); elsewhere a space ends the value (`password=x other_arg=y`,
 * `PGPASSWORD=x psql app`, prose) and the words after it are kept.
 */
function redactedValue(v: AssignedValue, keyQuote: string, separator: string, input: string, keyStart: number, kind: string): string {
  const quote = v.doubleQuoted ? '"' : v.singleQuoted ? "'" : (v.escapedQuote ?? keyQuote);
  if (v.more === '') return quote + tag(kind) + quote;
  const words = v.more.trimEnd();
  // Ended by a closing quote, it is the last line of a string (JSON's, code's) whose first line is not the key's: a
  // string holding only `password: must be 8 characters long` (a message) ends its value at the space.
  const closed = /^\\{0,7}["']/.test(input.slice(v.moreEnd, v.moreEnd + 8));
  const opened = closed && keyQuote === '' && /["']/.test(input.charAt(keyStart - 1));
  if (words === '' || !separator.includes(':') || separator.includes('=') || opened || !startsLine(input, keyStart)) return quote + tag(kind) + quote + v.more;
  return quote + tag(kind) + quote + v.more.slice(words.length); // the blanks before a comment or the line end stay
}

/**
 * Whether the token at `start` starts right after a line end or tab as JSON writes it (`\n`, `\r`, `\t`,
 * the backslash maybe doubled): the key regex's look-behind takes the escape's letter for the key's first.
 */
function afterEscape(input: string, start: number): boolean {
  const c = input.charCodeAt(start);
  return (c === 110 || c === 114 || c === 116) && input.charCodeAt(start - 1) === 92;
}

/**
 * Whether the key at `start` is the first thing on its line: after indentation (spaces, tabs, tabs as JSON
 * writes them), a YAML list's `- `, an opening quote.
 */
function startsLine(input: string, start: number): boolean {
  let i = start - 1;
  let c = input.charCodeAt(i);
  if (c === 34 || c === 39) i--;
  i = blanksBack(input, i);
  c = input.charCodeAt(i);
  if (c === 45 && input.charCodeAt(i + 1) === 32) {
    i = blanksBack(input, i - 1);
    c = input.charCodeAt(i);
  }
  if (i < 0 || c === 10 || c === 13) return true;
  return (c === 110 || c === 114) && input.charCodeAt(i - 1) === 92; // a line end as JSON writes it
}

/**
 * Whether the `name` at `start` is the first key of an object or a call opened on its line: `(` right before it
 * (blanks between), or `{` after `(` or `=` (`set({ name: ...`, `h = { name: ...`; not YAML's `- {name: ...}`).
 */
function inCodeObject(input: string, start: number): boolean {
  let i = start - 1;
  for (let n = 0; i >= 0 && n < 64 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9); n++) i--;
  const c = input.charCodeAt(i);
  if (c === 40) return true;
  if (c !== 123) return false;
  i--;
  for (let n = 0; i >= 0 && n < 64 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9); n++) i--;
  const d = input.charCodeAt(i);
  return d === 40 || d === 61;
}

/** A name or a path of names, without digits (`token`, `apiToken`, `self.token`): a value of code. */
const REFERENCE_NAME_RE = /^[A-Za-z_$][A-Za-z_$]{0,127}(?:\??\.[A-Za-z_$][A-Za-z_$]{0,127}){0,16}$/;

/** Value of a base64 digit (`A-Z a-z 0-9 + /`). */
function base64Digit(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c === 43 ? 62 : 63;
}

/** Whether `value` (base64 digits, maybe `=` padding) decodes to printable ASCII `user:password` with a password. */
function isBase64UserPassword(value: string): boolean {
  let digits = value.length;
  while (digits > 0 && value.charCodeAt(digits - 1) === 61) digits--;
  if (digits % 4 === 1) return false;
  let bits = 0;
  let n = 0;
  let length = 0;
  let colon = -1;
  for (let i = 0; i < digits; i++) {
    bits = (bits << 6) | base64Digit(value.charCodeAt(i));
    n += 6;
    if (n >= 8) {
      n -= 8;
      const byte = (bits >> n) & 0xff;
      bits &= (1 << n) - 1;
      if (byte < 0x20 || byte > 0x7e) return false;
      if (byte === 58 && colon < 0) colon = length;
      length++;
    }
  }
  return colon >= 0 && length > colon + 1;
}

/**
 * Docker's `config.json` (`"auth": "dXNlcjpwYXNz"`) and npm's `.npmrc` (`_auth=...`, also after a registry,
 * `//host/:_auth=...`, or first on a line of JSON text, `\n_auth=...`; as an environment variable,
 * `NPM_CONFIG__AUTH=...`, `npm_config__auth=...`): base64 of `user:password`. Its quotes
 * may be escaped (JSON text). Bounded quantifiers, one look-behind: linear.
 */
const BASIC_AUTH_RE =
  /(?:(?<![A-Za-z0-9_.-])|(?<=\\[nrt])(?=_|npm_config__auth|NPM_CONFIG__AUTH))(_auth|(?<=")auth|npm_config__auth|NPM_CONFIG__AUTH)((?:\\{1,7}["']|["'])?[ \t]{0,16}(?:=(?!=)|:(?![:=]))[ \t]{0,16})(?:(\\{1,7}["']|["'])([A-Za-z0-9+/]{4,4096}={0,2})\3|([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/=_.-]))/g;

/**
 * `basic_auth`: the values {@link BASIC_AUTH_RE} finds that decode to `user:password` (`auth` is too common a
 * key to take any value: `"auth": "none"`, `auth: basic` are kept). npm's key in any text (the screen finds it
 * from each `_`); Docker's, the JSON one (`"auth"`), where the screen can afford to look for it (none of its
 * letters is rare): in a text with few `=`/`:` (see `fewSeparators`) or one holding a registry config (see
 * {@link registryConfig}), asked once per text. Decided on the text this rule gets: it changes nothing in a
 * text it does not take, so redacting its output again finds nothing new either way.
 */
function redactBasicAuth(text: string, screen: SecretScreen): { text: string; count: number } {
  let docker: boolean | undefined;
  let count = 0;
  BASIC_AUTH_RE.lastIndex = 0;
  const out = text.replace(BASIC_AUTH_RE, (match: string, key: string, sep: string, quote: string | undefined, quoted: string | undefined, bare: string | undefined) => {
    if (!isBase64UserPassword(quoted ?? bare!)) return match;
    if (key === 'auth' && !(docker ??= screen.fewSeparators(text) || registryConfig(text))) return match;
    count++;
    return key + sep + (quote ?? '') + tag('basic_auth') + (quote ?? '');
  });
  return { text: count === 0 ? text : out, count };
}

/** Whether a string literal passed as an argument is no secret: as if assigned to `key` (see {@link keptValue}). */
function keptLiteral(literal: Literal, key: string, input: string, keyStart: number): boolean {
  const escaped = literal.quote.length > 1;
  const v: AssignedValue = {
    value: input.slice(literal.start, literal.end),
    doubleQuoted: !escaped && literal.quote === '"',
    singleQuoted: !escaped && literal.quote === "'",
    escapedQuote: escaped ? literal.quote : undefined,
    list: false,
    bare: false,
    pastBracket: false,
    end: literal.end,
    more: '',
    moreEnd: literal.close,
  };
  return keptValue(v, key, ',', input, keyStart);
}

function builtinRules(keys: readonly string[], screen: SecretScreen): Rule[] {
  const keyPattern = keys.map(caseless).join('|');
  /** A key ending in a secret's name (a key without the letter of an escape before it still is one: {@link afterEscape}). */
  const keyEnd = new RegExp(`(?:${keyPattern})$`);
  /** A string literal's content naming a secret's key (as the assignment rule's key: a prefix, then a key name). */
  const keyLiteral = new RegExp(`^[A-Za-z0-9_.-]{0,128}(?:${keyPattern})$`);
  const isKeyLiteral = (content: string): boolean => keyLiteral.test(content);
  const argumentTag = tag('password_assignment');
  /** The assignment rule's tag, built once (every value it replaces takes one). */
  const passwordTag = argumentTag;
  // A key that ENDS with a secret name (so a non-secret `a: b` never swallows a following
  // `password=...`), optional closing quote and subscript bracket (`os.environ["DB_PASSWORD"] = ...`),
  // `=`/`:` (not `==`, `:=`), optional quote, value.
  // The greedy key prefix backtracks at most over its own token: linear overall.
  const passwordSource = (listOpen: boolean): string =>
    // The kind in an earlier tag (`[REDACTED:aws_access_key] : x`) is no key.
    `(?<![A-Za-z0-9_.-])(?<!\\[REDACTED:)([A-Za-z0-9_.-]{0,128}(?:${keyPattern}))` +
    // The key's closing quote may be escaped (`\\"`, `\\\\\\"`): code or JSON inside a JSON string.
    // `=>` (a Ruby, PHP or Perl hash) before a quoted value, or with no space (`KEY=>value`): `token => token.trim()`
    // is a JS arrow function. A `:` may end its line, the value on the next (`NEXT_LINE`: YAML's `password:` then
    // `  hunter22`, judged by `valueBelowKey`).
    `((?:\\\\{1,7}["']|["'])?\\]?[ \\t]{0,16}(?:=(?![=>])|=>(?=[^\\s]|[ \\t]{0,16}[bBrRuUfF]{0,2}\\\\{0,7}["'])|:(?![:=])${NEXT_LINE}?)[ \\t]{0,16})` +
    valuePattern(5, listOpen, true);
  /**
   * The rule's regex with a list value's `[` only: {@link ListEnds} reads where the list ends. A value starting with `[`
   * is a list, or a bare value where no list is read (the regex then takes it): this regex and {@link passwordExactRe}
   * match at the same places, with the same key and separator.
   */
  const passwordRe = new RegExp(passwordSource(true), 'g');
  /** The rule's regex whole, read at one place: where a list's end is for the regex to read (see `ListEnds.end`). */
  const passwordExactRe = new RegExp(passwordSource(false), 'y');
  /**
   * A secret's key and its `=` or `:` inside a bare value, past its first character (`process.env.X||token=Xk9…`,
   * `PWD=/srv?token=Xk9…`): as the assignment rule reads a key, bounded as it is (linear).
   */
  const innerKeyRe = new RegExp(`(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,128}(?:${keyPattern})(?:=(?!=)|:(?![:=]))`, 'g');
  /**
   * Whether a bare value kept for its start (`process.env.…`, `os.environ…`, `PWD=/path`) holds a secret's key: it is
   * replaced whole, as a value read past a `]` holding one is ({@link keptValue}). Passed over, the key's secret stayed in
   * clear; read inside, its tag made a second pass judge the outer value as holding a tag (replaced whole then).
   */
  const bareHoldsKey = (v: AssignedValue): boolean => {
    if (!v.bare || !holdsEitherFrom(v.value, 1, 58 /* : */, 61 /* = */)) return false;
    innerKeyRe.lastIndex = 1;
    return innerKeyRe.test(v.value);
  };
  /**
   * Where the key a bare value ends with starts in the input (`/srv?token:` of `PWD=/srv?token: …`), when it is the first
   * key the value holds ({@link bareHoldsKey}), else -1: its separator ends the value, so its own value is what follows
   * (after a blank). The value kept for its start is kept then and the scan goes on at that key, which is read as any
   * (replaced whole with the value, its own value after the blank was in clear before a review of bc731b5).
   */
  const trailingKey = (v: AssignedValue): number => {
    const last = v.value.charCodeAt(v.value.length - 1);
    if (!v.bare || (last !== 58 && last !== 61)) return -1;
    innerKeyRe.lastIndex = 1;
    const inner = innerKeyRe.exec(v.value);
    return inner !== null && inner.index + inner[0].length === v.value.length ? v.end - v.value.length + inner.index : -1;
  };
  /**
   * The value of the match `m` (groups `g`) at `start` ({@link assignedValue}): read once per match, however many of
   * the steps below judge it (a kept value was read four times). The last one is remembered, by its groups' array
   * (a new one per match; the list's group is set in it before any step reads the value). Never changed by a reader.
   */
  let readGroups: (string | undefined)[] | undefined;
  let readMatch = '';
  let readStart = -1;
  let readValue: AssignedValue | undefined;
  const passwordValue = (m: string, g: (string | undefined)[], start: number): AssignedValue => {
    if (readValue === undefined || g !== readGroups || m !== readMatch || start !== readStart) {
      readValue = assignedValue(m, g, 2, start);
      readGroups = g;
      readMatch = m;
      readStart = start;
    }
    return readValue;
  };
  /**
   * A literal default or alternative of the shell expansion that starts a kept value (`password=${PW:-changeme}`,
   * `"${PW-changeme}"`, `:=`, `:+` since a review of bc731b5; not `:?`'s message: {@link shellWordValueAt}): where its
   * word is, when judged a value as the key's (kept with the reference, it was in clear). Not when the expansion's name
   * is a secret's key (`${DB_PASSWORD:-x}`: read as that key's value, `keyExpansion`). Bounded.
   */
  const literalDefault = (m: string, g: (string | undefined)[], input: string, start: number, skip: number): Span[] | undefined => {
    const v = passwordValue(m, g, start);
    if (v.list || !v.value.startsWith(v.bare ? '$' : '${')) return undefined;
    const at = v.bare ? v.end - v.value.length : v.end - v.value.length - (v.escapedQuote ?? '"').length;
    SHELL_EXPANSION_RE.lastIndex = at;
    const d = SHELL_EXPANSION_RE.exec(input);
    if (d === null) {
      // A word holding expansions (`${PW:-${DEFAULT_PW:-…}}`, `${PW:-${X}…}`): its literal runs, at any depth.
      const nested = readNestedExpansion(input, at);
      if (nested === undefined || keyEnd.test(nested.name)) return undefined;
      const spans = nestedValueSpans(nested, g[0]!.slice(skip), input, start + skip);
      return spans.length === 0 ? undefined : spans;
    }
    const valueAt = keyEnd.test(d[1]!) ? -1 : shellWordValueAt(d[2]!, d[3]!);
    if (valueAt < 0) return undefined;
    const end = at + d[0].length - 1;
    const word = d[3]!.slice(valueAt);
    return keptValue(shellWordValue(word, end), g[0]!.slice(skip), g[1]!, input, start + skip) ? undefined : [{ start: end - word.length, end }];
  };
  /**
   * The first shell expansion whose name is a secret's key, read with its operator and word ({@link SHELL_EXPANSION_RE}),
   * its name starting at or after `from` and before `limit`: `${API_KEY:=…}`, `${DB_PASSWORD:-…}`, `${TOKEN+…}`. The
   * assignment rule reads `${NAME:-` as the key `NAME`, `:` and a value `-…` (its operator then went into the tag:
   * `${DB_PASSWORD:[REDACTED:…]}`), and `:=`, `-`, `+`, `?` as no separator at all (the default in clear). Each name
   * is looked at once per text (`nextExpansion` only moves forward, as the scan does): linear. `undefined`: none.
   */
  let nextExpansion = -2; // where the next `${NAME` + operator is (-1: none after the last search; -2: not searched)
  /** The backquotes of the text being scanned ({@link templateArithmetic}), counted when first needed; reset per text. */
  let ticks: TemplateTicks | undefined;
  let ticksText = '';
  const templateTicks = (): TemplateTicks => {
    if (ticks === undefined) ticks = new TemplateTicks(ticksText);
    return ticks;
  };
  /** The first `${NAME` + operator at or after `from` (native searches for `${`, rare but in shell and templates), or -1. */
  const expansionFrom = (text: string, from: number): number => {
    for (let i = text.indexOf('${', from); i >= 0; i = text.indexOf('${', i + 2)) {
      SHELL_OPERATOR_RE.lastIndex = i;
      if (SHELL_OPERATOR_RE.test(text)) return i;
    }
    return -1;
  };
  const keyExpansion = (text: string, from: number, limit: number): { index: number; end: number; spans: Span[] } | undefined => {
    for (;;) {
      if (nextExpansion === -2 || (nextExpansion >= 0 && nextExpansion + 2 < from)) nextExpansion = expansionFrom(text, Math.max(0, from - 2));
      if (nextExpansion < 0 || nextExpansion + 2 > limit) return undefined;
      const at = nextExpansion;
      // On to the next one whatever this one is (a name no key's, a word no literal's: read by the rule as before).
      nextExpansion = expansionFrom(text, at + 2);
      SHELL_EXPANSION_RE.lastIndex = at;
      const d = SHELL_EXPANSION_RE.exec(text);
      if (d !== null) {
        if (!keyEnd.test(d[1]!) || templateExpression(d[1]!, d[2]!, d[3]!) || templateArithmetic(templateTicks, at, d[2]!, d[3]!)) continue;
        const end = at + d[0].length - 1;
        const valueAt = shellWordValueAt(d[2]!, d[3]!);
        const word = d[3]!.slice(Math.max(0, valueAt));
        const kept = valueAt < 0 || keptValue(shellWordValue(word, end), d[1]!, '=', text, at + 2);
        return { index: at, end, spans: kept ? [] : [{ start: end - word.length, end }] };
      }
      // A word holding expansions (`${API_KEY:-${X}…}`, `${DB_PASSWORD:-${DEFAULT_PW:-…}}`): read only for a key's name.
      SHELL_NAME_RE.lastIndex = at + 2;
      if (!keyEnd.test(SHELL_NAME_RE.exec(text)?.[0] ?? '')) continue;
      const nested = readNestedExpansion(text, at);
      if (nested !== undefined && !nestedTemplateExpression(nested, text, at)) return { index: at, end: nested.end, spans: nestedValueSpans(nested, nested.name, text, at + 2) };
    }
  };
  /**
   * The replacement of one `password_assignment` match from its value on (the key and the separator before it are kept
   * as they are: `g[0] + g[1]` is the text from `start` to the value), or `undefined` (kept). Without the key, the
   * replacement is most often the tag itself, one string for all (not a new string per value, kept to the end of the pass).
   */
  const replacePassword = (m: string, g: (string | undefined)[], input: string, start: number, skip: number): string | undefined => {
    const v = passwordValue(m, g, start);
    const key = g[0]!.slice(skip);
    if (keptValue(v, key, g[1]!, input, start + skip) && (!bareHoldsKey(v) || trailingKey(v) >= 0)) return undefined;
    // A bare value after a quoted key (`"max_token": 256` in JSON) is quoted like the key (the same
    // quote, escaped as the key's is), so the document stays valid JSON (or Python, or YAML).
    // (A quote or a backslash first, else none: the regex only then, every replaced value passes here.)
    const sep0 = g[1]!.charCodeAt(0);
    const keyQuote = sep0 === 34 || sep0 === 39 || sep0 === 92 ? (/^\\{0,7}["']/.exec(g[1]!)?.[0] ?? '') : '';
    // A shell expansion's name (`${API_KEY:-Xk9"…"}`: a word `keyExpansion` does not read, no plain literal): its
    // operator stays before the tag, as after any name (it went into the tag before a review of bc731b5).
    if (v.bare && g[1] === ':' && /^[-+]/.test(v.value) && input.charCodeAt(start + skip - 1) === 123 && input.charCodeAt(start + skip - 2) === 36) {
      return v.value.charAt(0) + redactedValue(v, '', g[1]!, input, start + skip, 'password_assignment');
    }
    // A jar's or a cookie setter's name (`Authorization: cookies={…`): code the cookie rules read, kept; what is before it
    // kept too when a path of members without digits (`http.Cookie{`, `page.setCookie(`: as a call's name, `get_token()`),
    // else replaced up to it (`s3cr3tCookie{`: kept whole from c903383 to a review of 2026-12-07; `hunterTwoCookie{`,
    // read as a name of code, to a review of 047195d: glued to the jar's name it is no member's path). See jarNameIn.
    const jar = v.bare ? jarNameIn(input, v.end - v.value.length, v.end) : -1;
    if (jar >= 0) {
      if (JAR_PATH_RE.test(input.slice(v.end - v.value.length, jar))) return undefined;
      return redactedValue({ ...v, more: '' }, keyQuote, g[1]!, input, start + skip, 'password_assignment') + input.slice(jar, start + m.length);
    }
    return redactedValue(v, keyQuote, g[1]!, input, start + skip, 'password_assignment');
  };
  /**
   * Where the value of the key at `start` (`skip` past it) ends when the key sits inside a quoted string
   * (`"cmd": "token=[",` in JSON: a quote opening a string before it, none closing it after) and its value (a
   * list, a quoted value) runs past that string's closing quote: at that quote, which ends the string
   * ({@link STRING_END_RE}); else -1. A value starting at that quote is a quoted value when it holds more than
   * the punctuation between JSON members (`"token=","password": …` holds `,`; `apiKey: "auth"` holds a word).
   * `before` is the text before the key as a second pass reads it (the values this pass replaced before the key
   * replaced), at most {@link QUOTE_VIEW} characters of it: read in the text as it was, a quote after a value then
   * replaced was judged by the value's last character (`token: Xk9= "password: ", "`: `=` opens a string), and a
   * second pass judged it by the tag's `]` (which does not).
   */
  const stringEnd = (m: string, g: (string | undefined)[], input: string, start: number, before: (keyStart: number) => string, keyStart: number): number => {
    // Only a value holding a quote can cross one (a bare value never does): the walk back is skipped for the rest.
    const valueAt = g[0]!.length + g[1]!.length;
    if (!holdsEitherFrom(m, valueAt, 34 /* " */, 39 /* ' */)) return -1;
    let q = 0;
    if (!/^\\{0,7}["']/.test(g[1]!)) {
      const view = before(keyStart);
      q = openingQuoteBefore(view, view.length);
    }
    if (q === 0) return -1;
    const valueStart = start + valueAt;
    const close = closingQuoteIn(input, q, valueStart, start + m.length);
    if (close < 0) return -1;
    STRING_END_RE.lastIndex = close + 1;
    if (!STRING_END_RE.test(input)) return -1;
    return close > valueStart || /^[\s,:{}[\]]*$/.test(passwordValue(m, g, start).value) ? close : -1;
  };
  /**
   * The `password_assignment` pass. A value that ran past the closing quote of the string its key is in would
   * take the document's next keys and values with it (`"password": "…"` left in clear, or a tag making the whole
   * "redacted already"): its value is what lies inside the string (redacted when there is any), and the scan goes
   * on at that quote, so what follows is read as if the longer reading had never been (a key whose value
   * opens there, past the longer reading's end, too). The scan resumes past the key each time: it ends, and
   * no state outlives a call.
   */
  const redactPasswordAssignments = (text: string): { text: string; count: number } => {
    let last = 0;
    let count = 0;
    let blocks: KeptBlocks | undefined;
    let lists: ListEnds | undefined;
    // The output, as the text copied before each replacement and the replacements: the strings are built once at the
    // end (a piece and a rope node per value, kept alive to the end of the pass, were most of the garbage collector's
    // work on a text of one short secret per line). `before` reads the last characters from them. Three numbers a
    // piece in `pieces` (`[from, to)` copied, then the replacement's index in `replacements`, or -1 for the tag itself,
    // most of them): not two arrays growing by a push at a time (most of the time `emit` took on such a text).
    // (A string's length fits an Int32Array's numbers.)
    let pieces = new Int32Array(192);
    let piecesEnd = 0;
    const replacements: string[] = [];
    /** The replacement of the `k`-th piece. */
    const replacementOf = (k: number): string => {
      const r = pieces[3 * k + 2]!;
      return r < 0 ? passwordTag : replacements[r]!;
    };
    /** A replacement from the value on (`replacePassword`) with the key and separator before it: the text from `start`. */
    const whole = (start: number, valueAt: number, r: string): string => text.slice(start, valueAt) + r;
    /** Copies the text from `last` to `to`, then `replacement` (the caller moves `last` past what it replaces). */
    const emit = (to: number, replacement: string): void => {
      if (piecesEnd + 3 > pieces.length) {
        const grown = new Int32Array(pieces.length * 2);
        grown.set(pieces);
        pieces = grown;
      }
      pieces[piecesEnd] = last;
      pieces[piecesEnd + 1] = to;
      if (replacement === passwordTag) pieces[piecesEnd + 2] = -1;
      else {
        pieces[piecesEnd + 2] = replacements.length;
        replacements.push(replacement);
      }
      piecesEnd += 3;
    };
    /**
     * The last QUOTE_VIEW characters of the text before `keyStart` as a second pass reads it: the output so far, then
     * the text not yet copied. Read back over the last pieces only (QUOTE_VIEW characters at most): bounded per key.
     */
    const before = (keyStart: number): string => {
      if (keyStart - last >= QUOTE_VIEW) return text.slice(keyStart - QUOTE_VIEW, keyStart);
      let view = text.slice(last, keyStart);
      for (let k = piecesEnd / 3 - 1; k >= 0 && view.length < QUOTE_VIEW; k--) {
        view = replacementOf(k).slice(-(QUOTE_VIEW - view.length)) + view;
        if (view.length >= QUOTE_VIEW) break;
        const to = pieces[3 * k + 1]!;
        view = text.slice(Math.max(pieces[3 * k]!, to - (QUOTE_VIEW - view.length)), to) + view;
      }
      return view;
    };
    passwordRe.lastIndex = 0;
    nextExpansion = -2;
    // What plainScalarLine read forward in this text (see LineEventMemo).
    let scalarLines: LineEventMemo | undefined;
    ticks = undefined;
    ticksText = text;
    // The next match and where it was searched from: kept while expansions before it are read (searched again after
    // each, a far match was looked for once per expansion: quadratic).
    let pending: RegExpExecArray | null = null;
    let pendingFrom = -1;
    for (;;) {
      const from = passwordRe.lastIndex;
      if (pendingFrom < 0 || pendingFrom > from || (pending !== null && pending.index < from)) {
        pendingFrom = from;
        pending = passwordRe.exec(text);
      } else {
        passwordRe.lastIndex = pending === null ? 0 : pending.index + pending[0].length;
      }
      const match = pending;
      // A shell expansion named as a secret's key before the next assignment (or at it: `${DB_PASSWORD:-…}` is one):
      // its word judged as the key's value, the operator kept (`${API_KEY:=[REDACTED:…]}`); the scan goes on after it.
      const expansion = keyExpansion(text, from, match === null ? text.length : match.index);
      if (expansion !== undefined && expansion.index >= last) {
        for (const span of expansion.spans) {
          emit(span.start, passwordTag);
          last = span.end;
          count++;
        }
        passwordRe.lastIndex = expansion.end + 1;
        continue;
      }
      // One whose `$` a value replaced before it (`?token: =:?${API_KEY?token: …}`, `` ${API_KEY:-`${DB_PASSWORD-…}`} ``):
      // a second pass reads no expansion there, so the scan goes on inside it, what it holds read as any text (its
      // `token: …` was passed over, in clear, before a review of 2026-12-07); its literal runs before the next match are
      // still replaced (that review skipped them, in clear: its review).
      if (expansion !== undefined) {
        for (const span of expansion.spans) {
          // A key's match in a run of a nested expansion named as a secret's key whose `$` is intact, the run judged a
          // value (`apikey:4${passwd-${secret-passwD:x`, the match `secret-passwD:x`): a second pass reads that
          // expansion, its run replaced whole and the match in it passed over; so here (the match's value `x`, kept
          // alone, left the run in clear: 2026-12-07). Any other run reaching the match ends the runs, as before.
          if (span.start < last || (match !== null && match.index < span.end && !runHoldsMatch(text, last, span, match, keyEnd))) break;
          emit(span.start, passwordTag);
          last = span.end;
          count++;
          if (match !== null && match.index < last) break;
        }
        if (match === null || match.index < last) {
          // On to the expansions after it (no assignment is left to scan for), or past the match a run took.
          passwordRe.lastIndex = Math.max(from, last);
          continue;
        }
      }
      if (match === null) break;
      pendingFrom = -1; // used: the next is searched from where this one leaves the scan
      let m = match[0];
      const start = match.index;
      // The groups: the match's own array, its whole match shifted off (not a copy per match; `pending` is this array,
      // and no longer read: `pendingFrom` is -1).
      match.shift();
      let g: (string | undefined)[] = match;
      if (g[6] !== undefined) {
        // A list's `[`: where the list ends (ListEnds), or the match as the whole regex reads it there.
        const end = (lists ??= new ListEnds(text)).end(start + m.length - 1);
        if (end >= 0) {
          g[6] = text.slice(start + m.length - 1, end);
          m = text.slice(start, end);
        } else {
          passwordExactRe.lastIndex = start;
          const exact = passwordExactRe.exec(text);
          if (exact === null) throw new Error('the assignment rule\'s regexes disagree'); // fail closed (see createRedactor)
          m = exact[0];
          g = exact.slice(1);
        }
        passwordRe.lastIndex = start + m.length;
      }
      // The key is judged from where it starts: after a line end or tab as JSON writes it, past its letter
      // (`"db ok\npassword: a b"` has the key `password` on a line of its own, not `npassword`).
      const skip = afterEscape(text, start) && keyEnd.test(g[0]!.slice(1)) ? 1 : 0;
      const valueAt = start + g[0]!.length + g[1]!.length;
      // A value on the line below the key (`password:` then `  hunter22`): the key's YAML value, or none (a mapping
      // below it, a list, code), and the next line is read as any other.
      if (separatorEndsLine(g[1]!) && !valueBelowKey(text, start + skip, start + g[0]!.length, valueAt)) {
        passwordRe.lastIndex = blanksStart(text, valueAt);
        continue;
      }
      // `"token=" + "…"`, `'token=' + "…"`, over lines: the literal after the operator is the value (the operator was
      // kept as code, or, not `+`, replaced, before a review of bc731b5; another quote or a line end left the secret in
      // clear before a review of 2026-12-07); kept, the scan goes on inside the "value" as for any quoted one kept.
      const next = concatenatedLiteral(text, valueAt, start + skip);
      if (next !== undefined) {
        const q = next.quote.charAt(next.quote.length - 1);
        const escaped = next.quote.length > 1 ? next.quote : undefined;
        // Several literals joined (`"token=" + "a" + "…"`) are judged as one value, its end the last one's.
        const literal: AssignedValue = { ...lineValue(next.value, next.end), doubleQuoted: q === '"' && escaped === undefined, singleQuoted: q === "'" && escaped === undefined, escapedQuote: escaped };
        if (keptValue(literal, g[0]!.slice(skip), g[1]!, text, start + skip)) {
          passwordRe.lastIndex = valueAt + 1;
        } else {
          for (const run of next.runs) {
            emit(run.start, passwordTag);
            last = run.end;
            count++;
          }
          passwordRe.lastIndex = next.end;
        }
        continue;
      }
      // Only the quotes and operator of a join read no literal (the regex's `joined` alternative): nothing to judge.
      if (m.length === g[0]!.length + g[1]!.length) continue;
      // The key's literal closed, then an operator and code (`"token=" + (a || "")`): no value; the scan goes on after the quote.
      if (joinedCode(text, valueAt, start + skip)) {
        passwordRe.lastIndex = valueAt + 1;
        continue;
      }
      const close = stringEnd(m, g, text, start, before, start + skip); // (no closure per value)
      if (close >= 0) {
        const valueStart = start + g[0]!.length + g[1]!.length;
        // What the longer reading took holding an earlier tag (`"q": "token=[[", …, "[REDACTED:x]"`): the tag's `]`
        // may be all that made it a list (no crossing before that tag was written), and what is inside the
        // string was kept then; it is kept now too, so a second pass changes nothing.
        // A list its line does not close ({@link UNCLOSED_LIST}) ends at that quote too; what is inside the string is
        // judged as the bare value it was read as before such lists were read (`"q": "token=[["`: a nested list's start).
        const list = g[6];
        const unclosed = list !== undefined && list.charCodeAt(list.length - 1) !== 93;
        const keptInside = unclosed && keptValue({ ...lineValue(text.slice(valueStart, close), close), bare: true }, g[0]!.slice(skip), g[1]!, text, start + skip);
        if (close > valueStart && !m.includes('[REDACTED:', close - start) && !keptInside) {
          emit(valueStart, passwordTag);
          last = close;
          count++;
          passwordRe.lastIndex = close;
        } else {
          // Kept, what is inside the string is read as any text (a key in it, `token='x password=Xk9…", "b": "[REDACTED:x]'`,
          // was passed over to that quote, its secret in clear): the scan goes on past the value's first character.
          passwordRe.lastIndex = close > valueStart ? valueStart + 1 : close;
        }
        continue;
      }
      // `password: |` then the value on the lines below: the value is those lines, not the indicator (`|` or `>`
      // first: every assignment passes here).
      const c = text.charCodeAt(valueAt);
      if (c === 124 || c === 62) {
        const key = g[0]!.slice(skip);
        const block = judgeBlock(text, passwordValue(m, g, start), g[1]!, start + skip, start + g[0]!.length, (blocks ??= new KeptBlocks()), (v) =>
          keptValue(v, key, g[1]!, text, start + skip),
        );
        if (block === 'kept') continue;
        if (block !== undefined) {
          emit(block.start, passwordTag);
          last = block.end;
          count++;
          passwordRe.lastIndex = block.end;
          continue;
        }
      }
      // A bare value redacted that ends in a secret's key and its separator (`password=abc?token: Xk9…`): that key's value,
      // the word after the blank, goes into the tag too (replaced with the value, the key left it in clear before a
      // review of 2026-12-07). Given back, the key would be read after a tag, not after the value's last character: a
      // second pass could judge it otherwise.
      // (A bare value holding a `:` or `=` past its first character only: checked first, every assignment passes here.)
      const bareText = g[7];
      const bareValue = bareText !== undefined && holdsEitherFrom(bareText, 1, 58 /* : */, 61 /* = */) ? passwordValue(m, g, start) : undefined;
      // The value judged is cut at a `&` (`abc` of `abc&token:`); the key may end the whole word (review of 2026-12-07).
      const bareWhole = bareValue === undefined || bareValue.value === bareText ? bareValue : { ...bareValue, value: bareText!, end: bareValue.end - bareValue.value.length + bareText!.length };
      const keyAt = bareWhole === undefined || /^["'\\]/.test(g[1]!) ? -1 : trailingKey(bareWhole);
      if (bareValue !== undefined && bareWhole !== undefined && keyAt >= 0) {
        TRAILING_KEY_VALUE_RE.lastIndex = bareWhole.end;
        const word = TRAILING_KEY_VALUE_RE.exec(text);
        // A string's closing quote bounds the value (the word is not taken past it: the bare value is judged alone).
        const ends = word === null ? 0 : stringEndsIn(text, bareWhole.end, TRAILING_KEY_VALUE_RE.lastIndex);
        const view = ends === 0 ? '' : before(start + skip);
        const q = ends === 0 ? 0 : openingQuoteBefore(view, view.length);
        const crosses = (q === 34 && (ends & 1) !== 0) || (q === 39 && (ends & 2) !== 0);
        if (word !== null && !crosses && !keptValue(bareValue, g[0]!.slice(skip), g[1]!, text, start + skip)) {
          emit(bareValue.end - bareValue.value.length, passwordTag);
          last = TRAILING_KEY_VALUE_RE.lastIndex;
          count++;
          passwordRe.lastIndex = last;
          continue;
        }
      }
      // The replacement from the value on; `whole(…)` from the key on, built only where a piece of it is taken.
      const r = replacePassword(m, g, text, start, skip);
      // A shell expansion's single-quoted value with a backslash and text glued after it: replaced with that text.
      const glued = r === undefined || text.charCodeAt(valueAt) !== 39 ? -1 : shellQuoteGlueEnd(text, start + skip, passwordValue(m, g, start));
      if (glued >= 0) {
        emit(valueAt, passwordTag);
        last = glued;
        count++;
        passwordRe.lastIndex = glued;
        continue;
      }
      // A bare value's continuation (words up to the line's end) given back in clear, the value kept or redacted off a
      // YAML line: the scan goes on at its first word, so that a key in it (before its quote: `password: Xk9 token":
      // abc1`) is read. Passed over, it was read by a second pass only, once the tag (no bare value) had no words after.
      const words = g[8] ?? '';
      const back = words !== '' && words.trim() !== '' && (r === undefined || whole(start, valueAt, r).endsWith(words)) ? words.length : 0;
      if (r === undefined) {
        const words = literalDefault(m, g, text, start, skip);
        if (words !== undefined) {
          for (const word of words) {
            emit(word.start, passwordTag);
            last = word.end;
            count++;
          }
          passwordRe.lastIndex = last;
          continue;
        }
        // A scheme's parameters, kept as a whole (`"Authorization": "Token token=\"…\""`, Rails'): the scan goes on
        // inside them, where one named as a secret's key is a value like any (`token="…"`).
        const inner = trailingKey(passwordValue(m, g, start));
        if (schemeParameters(g, skip, passwordValue(m, g, start))) passwordRe.lastIndex = start + g[0]!.length + g[1]!.length;
        else if (inner >= 0) passwordRe.lastIndex = inner;
        else if (back > 0) passwordRe.lastIndex = start + m.length - back;
        // A quoted value or a list kept whole (for an earlier tag, a reference: `password = "${X} token=Xk9…"`, or a
        // closing quote read as an opening one, `'pwd=' password=Xk9… s://:[REDACTED:url_password]@h '`): the scan goes
        // on inside it, where a key is judged as any (passed over, its secret stayed in clear). Each value is read
        // once more at most (up to its first closing quote, `]` or line end: 1 024 characters), so still linear.
        else if (g[2] !== undefined || g[3] !== undefined || g[5] !== undefined || g[6] !== undefined) passwordRe.lastIndex = valueAt + 1;
        continue;
      }
      // A plain YAML value going on over deeper lines (`password: first` then `  continued`): one value, replaced whole.
      // Not a value YAML reads as none (`password: #x` is a comment there; the text may be no YAML, and `#x` was read).
      const plain = g[7] !== undefined && holdsChar(g[1]!, 58 /* : */) && !holdsChar(g[1]!, 61 /* = */) && plainScalarLine(text, start + g[0]!.length + g[1]!.length, (scalarLines ??= new LineEventMemo()));
      const more = plain ? plainContinuationEnd(text, start + m.length, keyColumn(text, start + skip, start + g[0]!.length)) : -1;
      if (more < 0 && back > 0) {
        const w = whole(start, valueAt, r);
        emit(start, w.slice(0, w.length - back));
        last = start + m.length - back;
        passwordRe.lastIndex = last;
      } else {
        if (more < 0) emit(valueAt, r);
        else emit(start, whole(start, valueAt, r).trimEnd());
        last = more < 0 ? start + m.length : more;
        if (more >= 0) passwordRe.lastIndex = more;
      }
      count++;
    }
    // The counts hold no text past this one's scan (nor the text itself), nor does the value read last (after a throw they
    // do until the next pass: harmless, a new match's groups are a new array).
    ticks = undefined;
    ticksText = '';
    readValue = undefined;
    readGroups = undefined;
    readMatch = '';
    if (count === 0) return { text, count };
    let out = '';
    for (let k = 0; 3 * k < piecesEnd; k++) out += text.slice(pieces[3 * k]!, pieces[3 * k + 1]!) + replacementOf(k);
    return { text: out + text.slice(last), count };
  };
  // A name/value pair whose name is a secret's (Kubernetes and ECS env lists, CloudFormation, Helm's
  // `--set env[0].name=X,env[0].value=Y` or `--set env[0].name=X --set env[0].value=Y`, Terraform's `set { name = "x.password" value = "..." }`):
  // `name`, `=`/`:`, the name (ending in a secret key name, maybe quoted), a comma or a line end, then
  // `value` (the same prefix and quotes as `name`), `=`/`:` and the value, read as an assignment's (on the line below
  // `value:` too, or a block scalar's lines: `value: |`).
  // Every part is bounded and its alternatives start with different characters; the greedy prefixes
  // backtrack at most over their own token, and `\\2`, `\\3`, `\\4` compare fixed text: linear.
  const nameValueRe = new RegExp(
    `(?<![A-Za-z0-9_.\\]\\[-])(((?:[A-Za-z0-9_\\[\\].-]{0,127}\\.)?)((?:\\\\{1,7}["']|["'])?)[Nn]ame\\3[ \\t]{0,16}(?:=(?!=)|:(?![:=]))[ \\t]{0,16}` +
      `((?:\\\\{1,7}["']|["'])?)([A-Za-z0-9_./-]{0,128}(?:${keyPattern}))\\4` +
      // Helm's pairs may each have their own `--set` (`--set env[0].name=X --set 'env[0].value=Y'`).
      `[ \\t]{0,16}(?:,|\\r|\\n|\\\\{1,7}[nr]|['"]?[ \\t]{1,16}--set(?:-string)?[ \\t]{1,16}['"]?)(?:[ \\t,\\r\\n]|\\\\{1,7}[nrt]){0,64})` +
      `\\2\\3[Vv]alue\\3([ \\t]{0,16}(?:=(?!=)|:(?![:=])${NEXT_LINE}?)[ \\t]{0,16})` +
      valuePattern(9),
    'g',
  );
  /** The replacement of one `name_value` match (a value on the key's line, or the line below it), or `undefined` (kept). */
  const replaceNameValue = (m: string, g: (string | undefined)[], input: string, start: number): string | undefined => {
    const v = assignedValue(m, g, 6, start);
    const keyStart = start + g[0]!.length;
    const sep = g[5]!;
    // Judged as if the name were the key (`{"name": "pad_token", "value": 0}` is a token id, as `pad_token=0`).
    if (keptValue(v, g[4]!, sep, input, keyStart)) return undefined;
    if (v.bare) {
      // A name in code (`{"name": "X-Auth-Token", "value": token}`, `{ name: 'API_TOKEN', value: apiToken }`):
      // quoted keys, or a quoted name then a comma on the same line, are JSON, Python or JS, whose literal
      // values are quoted. A reference in Terraform (`value = var.db_password`, `random_password.pg.result`).
      const gap = g[0]!.slice(g[0]!.lastIndexOf(g[4]! + g[3]!) + g[4]!.length + g[3]!.length);
      if (REFERENCE_NAME_RE.test(v.value) && (g[2] !== '' || (g[3] !== '' && /^[ \t]*,/.test(gap)))) return undefined;
      if (sep.includes('=') && /^[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}|\[\d{1,4}\]){1,16}$/.test(v.value)) return undefined;
      // A name of code in an object or a call opened on the pair's line (`cookies.set({ name: SESSION_TOKEN, value: token })`,
      // `const h = { name: X, value: token }`): the `{` after `(` or `=`, or a `(` right before `name`.
      if (REFERENCE_NAME_RE.test(v.value) && g[3] === '' && !/[\r\n]|\\[nr]/.test(gap) && inCodeObject(input, start)) return undefined;
      // A call of a lower-case function on a reference (Terraform's `value = base64decode(var.pw)`).
      if (input.charCodeAt(v.end) === 40 && /^[a-z_][a-z0-9_]{0,63}$/.test(v.value) && /^\([ \t]{0,16}[A-Za-z_][A-Za-z0-9_.]{0,127}[ \t]{0,16}[),]/.test(input.slice(v.end, v.end + 164))) return undefined;
    }
    const head = m.slice(0, g[0]!.length + g[1]!.length + 2 * g[2]!.length + 5) + sep;
    return head + redactedValue(v, g[2]!, sep, input, keyStart, 'name_value');
  };
  /**
   * The `name_value` pass: each pair's value replaced ({@link replaceNameValue}), or the lines of a block scalar under
   * `value:` (`value: |` then the secret below it: the indicator was replaced and the secret kept before the review of 2026-12-06 (night)).
   */
  const redactNameValues = (text: string): { text: string; count: number } => {
    let out = '';
    let last = 0;
    let count = 0;
    let blocks: KeptBlocks | undefined;
    nameValueRe.lastIndex = 0;
    for (let match = nameValueRe.exec(text); match !== null; match = nameValueRe.exec(text)) {
      const m = match[0];
      const g = match.slice(1);
      const start = match.index;
      // `value`, after the name's prefix and quote (`env[0].`, `"`).
      const keyStart = start + g[0]!.length + g[1]!.length + g[2]!.length;
      const valueAt = keyStart + 5 + g[2]!.length + g[5]!.length;
      if (separatorEndsLine(g[5]!) && !valueBelowKey(text, keyStart, keyStart + 5, valueAt)) {
        nameValueRe.lastIndex = blanksStart(text, valueAt);
        continue;
      }
      // `value: |` then the value on the lines below.
      const c = text.charCodeAt(valueAt);
      if (c === 124 || c === 62) {
        const block = judgeBlock(text, assignedValue(m, g, 6, start), g[5]!, keyStart, keyStart + 5, (blocks ??= new KeptBlocks()), (v) =>
          keptValue(v, g[4]!, g[5]!, text, start + g[0]!.length),
        );
        if (block === 'kept') continue;
        if (block !== undefined) {
          out += text.slice(last, block.start) + tag('name_value');
          last = block.end;
          count++;
          nameValueRe.lastIndex = block.end;
          continue;
        }
      }
      const r = replaceNameValue(m, g, text, start);
      if (r === undefined) continue;
      out += text.slice(last, start) + r;
      last = start + m.length;
      count++;
    }
    return count === 0 ? { text, count } : { text: out + text.slice(last), count };
  };
  // A token takes the whole run of its characters (up to 4 096, as OpenAI's): one of fixed length (Google's 39) or a
  // bound of 255 left the rest of a longer run in clear, and the tag's `]` then gave a token glued there
  // (`AIza…Cookiesk-…`) the boundary the run's last character had not: a second pass redacted it.
  // But a secret's key ending the run before `=` or `:` is given back (see runToken).
  const runKeyTail = new RegExp(`[_.-]?(?:${keyPattern})$`);
  /**
   * What a key's name may go on with past a token's run, in the characters the assignment rule reads in a key (`_key` of
   * `ghp_…secret_key=`): shorter than the longest key's name, which starts in the run (one starting past it is read as is).
   */
  const keyGoesOn = new RegExp(`[A-Za-z0-9_.-]{0,${Math.max(1, ...keys.map((k) => k.length)) - 1}}`, 'y');
  /**
   * A token rule's replacement for a run longer than the token (`shortest` characters, its prefix's: a classic GitHub
   * token's 36 after `ghp_`, a fine-grained one's 82 after `github_pat_`, see githubShortest): its tag, then a secret's
   * key name (after its `_`, `-` or `.`, maybe) that ends the run when `=` or `:` follows (`AIza…_token: hunter2`,
   * `…-secret_key=…`, `AIza…apiKey: …`; the key's closing quote maybe between), its name maybe going on past the run in
   * characters the token does not take (`ghp_…secret` then `_key=`, `xoxb-…-secret` then `_key=`). Taken into the tag,
   * the key was gone, and the assignment rule left its value in clear (redacted before 8d1c560 made the run whole:
   * Google's key took 39 characters, the key was after them). Only the key name is given back, never the token's own
   * characters (GitHub's shortest was read as 33, the fine-grained prefix's, until a review of 047195d: `ghp_…01234token:`
   * gave back the token's `token`); a token of no fixed length (OpenAI's, Slack's) ending by chance in a key's name
   * before `=` or `:` gives back that name, a word. No token starts with a key name, `_`, `-` or `.`: a second pass
   * reads the same key after the same tag.
   */
  const runToken =
    (kind: string, shortestOf: number | ((m: string) => number)) =>
    (m: string, _g: (string | undefined)[], _after: string, input: string, start: number): string => {
      const shortest = typeof shortestOf === 'number' ? shortestOf : shortestOf(m);
      if (m.length <= shortest) return tag(kind);
      // A JWT's header glued to the token (`AIza…eyJhbGci.eyJ….sig`): the run took the header, and the JWT rule (next)
      // found no JWT in what was left, the payload and the signature in clear. Given back from its `eyJ`, after the tag
      // it starts at a boundary, and the JWT rule reads it whole. The payload is looked for once: linear.
      const end = start + m.length;
      if (input.charCodeAt(end) === 46 && input.startsWith('eyJ', end + 1)) {
        const header = m.indexOf('eyJ', shortest);
        JWT_REST_RE.lastIndex = end;
        if (header >= 0 && m.length - header >= 8 && JWT_REST_RE.test(input)) return tag(kind) + m.slice(header);
      }
      // Fewer characters than the longest key's name are read past the run, once per run: linear.
      keyGoesOn.lastIndex = end;
      const more = keyGoesOn.exec(input)?.[0] ?? '';
      const after = end + more.length;
      if (!KEY_SEPARATOR_AFTER_RE.test(input.slice(after, after + 32))) return tag(kind);
      const tail = runKeyTail.exec(m.slice(shortest) + more);
      // A key wholly past the run (`AIza….secret_key=`) is read after the tag as it is.
      if (tail === null || shortest + tail.index >= m.length) return tag(kind);
      return tag(kind) + m.slice(shortest + tail.index);
    };
  /**
   * GitHub's tokens: a classic one (`ghp_`, `gho_`, …) is 40 characters, a fine-grained one 93 (22 and 59 after
   * `github_pat_`, parted by `_`); a shorter fine-grained run is no such token whole, and what is past its 33 shortest
   * characters may be a key glued to it (`github_pat_…_Authorization: …`).
   */
  const githubShortest = (m: string): number => (!m.startsWith('github_pat_') ? 40 : m.length >= 93 ? 93 : 33);
  return [
    { kind: 'anthropic_key', bit: ANTHROPIC, re: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{20,4096}`, 'g'), replace: runToken('anthropic_key', 27) },
    { kind: 'openai_key', bit: OPENAI, re: new RegExp(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,4096}`, 'g'), replace: runToken('openai_key', 23) },
    { kind: 'aws_access_key', bit: AWS, re: /(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, replace: whole('aws_access_key') },
    { kind: 'github_token', bit: GITHUB, re: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{36,4096}|github_pat_[A-Za-z0-9_]{22,4096})`, 'g'), replace: runToken('github_token', githubShortest) },
    { kind: 'gitlab_token', bit: GITLAB, re: new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,4096}`, 'g'), replace: runToken('gitlab_token', 26) },
    { kind: 'slack_token', bit: SLACK, re: new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,4096}`, 'g'), replace: runToken('slack_token', 15) },
    { kind: 'google_api_key', bit: GOOGLE, re: new RegExp(`${B}AIza[0-9A-Za-z_-]{35,4096}`, 'g'), replace: runToken('google_api_key', 39) },
    {
      // Hugging Face, npm, PyPI, Docker Hub, Stripe, Groq, xAI, Perplexity, Replicate, Tavily, LangSmith (redact-vendors.ts).
      kind: 'vendor_token',
      bit: VENDOR,
      re: VENDOR_TOKEN_RE,
      replace: (m) => {
        const kind = vendorTokenKind(m);
        return kind === undefined ? undefined : tag(kind);
      },
      kindOf: vendorKind,
    },
    {
      kind: 'jwt',
      bit: JWT,
      re: new RegExp(`${B}eyJ[A-Za-z0-9_-]{5,8192}\\.eyJ[A-Za-z0-9_-]{5,8192}\\.[A-Za-z0-9_-]{0,8192}`, 'g'),
      replace: whole('jwt'),
    },
    {
      // The credential after an Authorization header's scheme (redact-headers.ts): a header line, a dict's item, a
      // subscript, a setter's arguments, a HAR entry; its quotes maybe escaped (`{\"Authorization\": \"Bearer ...`).
      kind: 'bearer',
      bit: BEARER,
      re: BEARER_RE,
      replace: (m, g, _after, input, start) =>
        isBearerCredential(g[1]!, g[2]!, input, start + m.length) && bearerLinesHold(input, start, g[0]!, g[1]!) ? g[0]! + tag('bearer') : undefined,
    },
    { kind: 'cookie', bit: COOKIE, re: NEVER, replace: () => undefined, run: redactCookies },
    // Cookies outside a header: arrays of cookie objects (HAR, storage state), dicts, setters, curl's `-b`.
    { kind: 'cookie', bit: COOKIE, re: NEVER, replace: () => undefined, run: redactCookieJars },
    {
      kind: 'url_password',
      bit: URL_PASSWORD,
      // The user may hold an earlier tag, read whole (`https://[REDACTED:openai_key]:p@h`): its `:` is no user's end (the
      // password read from it broke the tag, and a tag the cut rule wrote after this rule ran, on a second pass).
      re: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/(?:[^\s:/@[]|\[(?!REDACTED:)|\[REDACTED:[A-Za-z0-9_.-]{1,64}\]){0,256}:)([^\s@/]{1,256})@/g,
      // A password holding a tag of a rule that runs after this one (`"API_KEY":"[REDACTED:…]"}]u:p@`) was none when this
      // rule ran (`//}]u:p` holds `/`): kept, as the first pass kept it; unless a secret's character is glued before that
      // tag, which no such rule leaves (`s3cr3t[REDACTED:name_value]@`: kept from 047195d to a review of it).
      replace: (m, g, _after, input, start) =>
        g[1]!.startsWith('[REDACTED') ||
        URL_PASSWORD_PLACEHOLDER_RE.test(g[1]!) ||
        input.startsWith('sha256:', start + m.length) ||
        (LATER_TAG_RE.test(g[1]!) && !GLUED_LATER_TAG_RE.test(g[1]!))
          ? undefined // a template's placeholder, or an image reference's tag before its digest (`alpine:3.19@sha256:…`)
          : g[0]! + tag('url_password') + '@',
    },
    {
      kind: 'password_assignment',
      bit: PASSWORD,
      re: NEVER,
      replace: () => undefined,
      run: (text) => redactPasswordAssignments(text),
    },
    // Secrets passed as arguments (redact-arguments.ts): `os.getenv("API_KEY", "…")`, `process.env.API_KEY ?? "…"`,
    // `auth=("admin", "…")`, `server.login("me@x.com", "…")`.
    { kind: 'password_assignment', bit: ARG_PAIR, re: NEVER, replace: () => undefined, run: (t) => redactArgumentPairs(t, isKeyLiteral, keptLiteral, argumentTag) },
    { kind: 'password_assignment', bit: FALLBACK, re: NEVER, replace: () => undefined, run: (t) => redactFallbacks(t, isKeyLiteral, keptLiteral, argumentTag) },
    { kind: 'password_assignment', bit: LOGIN_CALL, re: NEVER, replace: () => undefined, run: (t) => redactLoginPasswords(t, keptLiteral, argumentTag) },
    { kind: 'name_value', bit: NAME_VALUE, re: NEVER, replace: () => undefined, run: redactNameValues },
    { kind: 'cli_password', bit: CLI, re: NEVER, replace: () => undefined, run: redactCommandPasswords },
    {
      kind: 'cli_password',
      bit: NPM_CONFIG,
      re: NPM_CONFIG_SET_RE,
      replace: (_m, g) => {
        const value = g[3] ?? g[4]!;
        const quote = g[2] ?? '';
        if (NPM_CONFIG_REFERENCE_RE.test(value) || (!quote.endsWith("'") && NPM_CONFIG_SHELL_RE.test(value))) return undefined;
        if (quote !== '' && NPM_CONFIG_CONCATENATION_RE.test(value)) return undefined;
        return g[0]! + quote + tag('cli_password') + quote;
      },
    },
    { kind: 'netrc_password', bit: NETRC, re: NEVER, replace: () => undefined, run: redactNetrcPasswords },
    { kind: 'basic_auth', bit: BASIC_AUTH, re: NEVER, replace: () => undefined, run: (text) => redactBasicAuth(text, screen) },
  ];
}

// ---------------------------------------------------------------------------
// The screen: which built-in rules could match a string at all
// ---------------------------------------------------------------------------

/** Key names the screen can compare character by character (ASCII, where `/i` folds only A-Z). */
const SIMPLE_KEY_RE = /^[A-Za-z0-9_.-]+$/;
/** Longest string screened by one pass over its characters ({@link anchorCharacters}) first. */
const SHORT_TEXT = 48;
/** Most spaces or tabs the bearer and assignment rules allow between a key and its `=`/`:`. */
const MAX_GAP = 16;
/** Most separators looked behind before the key-name check switches to searching the names themselves. */
const SEPARATOR_BUDGET = 16;
/**
 * Substrings (lower case) that every built-in key name contains one of,
 * chosen to start with a character that is rare in code and prose, since
 * the native search stops at each occurrence of an anchor's first
 * character: password (`word`), passwd and pwd (`wd`), token and the
 * `*key`s (`ke`), secret and credentials (`cre`), passphrase (`hra`),
 * authorization (`zat`). A key name containing none of them (an extra one)
 * is its own anchor.
 */
const KEY_ANCHORS = ['word', 'wd', 'ke', 'cre', 'hra', 'zat'];
/** Anchors {@link SecretScreen}'s `keyNames` reads around for a shell expansion's name before it looks for `${` in the text once. */
const EXPANSIONS_READ_AROUND = 16;

interface KeyEntry {
  /** Lower case. */
  readonly key: string;
  readonly bit: number;
}

/** A shell expansion's name, then `-` or `+` (what {@link SecretScreen}'s `keyExpansions` looks for). */
const SHELL_NAME_OPERATOR_RE = /\$\{[A-Za-z_][A-Za-z0-9_]{0,63}[-+]/g;

/** A character of a shell variable's name, lower case: `[a-z0-9_]`. */
function isShellNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

function isTokenChar(c: number): boolean {
  // [a-z0-9_.-] (the text is lower-cased first)
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/**
 * Computes, for a string, the set of built-in rules that could match it: a
 * bit per rule, set when the literal the rule cannot match without is
 * present. Each check is a native `indexOf` over a literal that starts with
 * a character rare in code and prose, verifying a few characters around
 * each hit, so a 2 KB snippet costs about a microsecond; the rules
 * themselves (a regex pass each) run only where their bit is set.
 *
 * Every check is a NECESSARY condition of its rule's regex (a superset: it
 * may say "maybe" where the rule finds nothing, never "no" where it would
 * find something). The key-name check covers the key-based rules: a
 * `password_assignment` or `bearer` match is a key name (`password`, ...,
 * or `Authorization`, any case) ending a run of `[A-Za-z0-9_.-]`, then an
 * optional quote, at most {@link MAX_GAP} spaces or tabs and `=` or `:`;
 * a `name_value` match has `value` so (behind a separator), and a secret's
 * key name followed by a comma or a line end (the pair's name, where the
 * key names are searched); a `basic_auth` match is `auth` so: behind a
 * separator where the check looks behind them, else npm's `_auth` (found
 * from each `_`) or Docker's `"auth"` in a registry config only (the rule
 * takes it nowhere else: {@link registryConfig}). A
 * `netrc_password` match has `password` and a blank, and `login`. A
 * `cli_password` match has a password flag at a word's start (`-p`, `-u`,
 * `--password`, ...: {@link passwordFlag}) and its command's name. A
 * `cookie` match outside a header has `cookies` as a key name (before a
 * separator), a call setting cookies (`kie` then `(`, `s(`, `s.set(`,
 * `Sync(` or `{`: {@link cookieCalls}, or `keyBefore`), `jar.set(` in a text
 * with `kie`, or curl's `-b`/`--cookie` at a word's start and `curl`
 * ({@link curlCookieFlag}).
 */
class SecretScreen {
  /** Key names by their last character (lower case). */
  private readonly byLast: (KeyEntry[] | undefined)[] = [];
  /** The bits of {@link byLast}'s key names, by their last character. */
  private readonly lastBits: number[] = [];
  /** Lower-case literals every key name contains one of. */
  private readonly anchors: string[];
  /** When a key name is not plain ASCII: the assignment rule's anchor as a case-insensitive regex. */
  private readonly keyRegex: RegExp | undefined;
  /** During {@link keyNames}: whether the text has `login` (`undefined`: not searched yet). */
  private login: boolean | undefined;
  /**
   * By a pair of ASCII characters (`c1 << 7 | c2`): 1 when a key name of {@link byLast}, or `.netrc`'s `password`, ends
   * with them (a key name of one character: after any character). What {@link keyBefore} needs before it can set a bit.
   */
  private readonly keyEnds = new Uint8Array(128 * 128);

  constructor(keys: readonly string[]) {
    const simple = keys.every((k) => SIMPLE_KEY_RE.test(k));
    this.keyRegex = simple ? undefined : new RegExp(keys.map(escapeRegExp).join('|'), 'i');
    const anchors = new Set(KEY_ANCHORS);
    const add = (key: string, bit: number, anchor?: string): void => {
      const k = key.toLowerCase();
      (this.byLast[k.charCodeAt(k.length - 1)] ??= []).push({ key: k, bit });
      this.lastBits[k.charCodeAt(k.length - 1)] = (this.lastBits[k.charCodeAt(k.length - 1)] ?? 0) | bit;
      if (anchor !== undefined) anchors.add(anchor);
      else if (!KEY_ANCHORS.some((a) => k.includes(a))) anchors.add(k);
    };
    if (simple) for (const k of keys) add(k, PASSWORD);
    add('authorization', BEARER);
    // Before a separator only (no anchor: searching the names of code for them costs too much; see `scan`).
    add('value', NAME_VALUE, ''); // the `value` of a name/value pair
    add('auth', BASIC_AUTH, ''); // Docker's `"auth":`, npm's `_auth=` (else: `underscores`, `registryConfig`)
    add('cookie', COOKIE, 'kie'); // `Cookie:`, `Set-Cookie:`, `document.cookie =` (from its `k`, rare in code and prose)
    add('cookies', COOKIE, 'kie'); // a jar: `cookies={…}`, `"cookies": […]` (its calls, `.cookies.set(`: see `keyNames`, `cookieCalls`)
    anchors.delete('');
    this.anchors = [...anchors];
    for (const k of [...this.byLast.flatMap((entries) => entries ?? []).map((e) => e.key), 'password']) {
      const c2 = k.charCodeAt(k.length - 1);
      if (c2 >= 128) continue; // never looked up: a pair with a character past ASCII is read by `keyBefore`
      if (k.length === 1) for (let c1 = 0; c1 < 128; c1++) this.keyEnds[(c1 << 7) | c2] = 1;
      else if (k.charCodeAt(k.length - 2) < 128) this.keyEnds[(k.charCodeAt(k.length - 2) << 7) | c2] = 1;
    }
  }

  /**
   * The bits of the rules that may match `text` (0: none can), among `needed` (the others may be set or not).
   * `runRules` screens a text again after a rule replaced something, for the rules after it only: a check
   * whose bits are all outside `needed`, or found already, is skipped (on text dense with secrets the
   * rescan is of a text several times longer, holding a tag with a key name's anchor per secret). The result
   * is the superset the rules rely on for the bits in `needed` only: a caller reads no other bit of it.
   */
  scan(text: string, needed = ~0): number {
    if (text.length <= SHORT_TEXT) {
      const found = anchorCharacters(text);
      if (found === 0) return 0;
      if (found === ONLY_W) return netrc(text);
    }
    // The bits not needed count as found: every check below skips what is found already.
    let mask = ~needed;
    if ((mask & PRIVATE_KEY) === 0 && text.includes('VATE K')) mask |= PRIVATE_KEY; // in every `PRIVATE KEY`, from a rare `V`
    // The argument rules (redact-arguments.ts) take a string literal: none without a quote. The login calls'
    // and the key literals' take an argument of a call: none before the text's first `(`.
    const literal = text.includes("'") || text.includes('"');
    const paren = literal ? text.indexOf('(') : -1;
    if ((~mask & DASH_BITS) !== 0) mask |= dashes(text);
    if ((~mask & (AWS | GOOGLE)) !== 0) mask |= capitalA(text);
    else if ((mask & LOGIN_CALL) === 0 && text.includes('Auth(')) mask |= LOGIN_CALL; // capitalA's only other bit
    if ((mask & JWT) === 0) mask |= jwtStart(text);
    if ((~mask & UNDERSCORE_BITS) !== 0) mask |= underscores(text, mask);
    if ((mask & URL_PASSWORD) === 0) mask |= urlPassword(text);
    if (paren >= 0 && (mask & LOGIN_CALL) === 0) mask |= loginCalls(text, 'gin(', paren);
    // Prose has few `=`/`:`: look behind each. Code and JSON have many: look for the key names instead,
    // which also finds the names of name/value pairs, `.netrc`'s `password`, and key names passed as
    // arguments or defaulted (`"API_KEY", "…"`, `API_KEY ?? "…"`) (not Docker's `"auth"`, looked for there in
    // a registry config only: see `registryConfig`; npm's `_auth` is found by `underscores`).
    const keys = this.keysBeforeSeparators(text);
    if (keys !== undefined) {
      mask |= keys;
      if ((mask & NETRC) === 0) mask |= netrc(text);
      if (literal) {
        if ((~mask & (FALLBACK | ARG_PAIR)) !== 0) mask |= this.argumentsBehind(text, paren);
        if ((~mask & (BEARER | COOKIE)) !== 0) mask |= this.headersBeforeCommas(text);
        if ((mask & COOKIE) === 0) mask |= cookieCalls(text);
      }
    } else {
      if ((~mask & KEY_NAME_BITS) !== 0) mask |= this.keyNames(text.toLowerCase(), mask);
      if ((mask & BASIC_AUTH) === 0 && registryConfig(text)) mask |= BASIC_AUTH;
      if (paren >= 0 && (mask & LOGIN_CALL) === 0) mask |= loginCalls(text, '=(', paren);
    }
    // A shell expansion named as a secret's key, then `-` or `+` (`${API_KEY-…}`): no `=` or `:` follows that key. Where
    // the key names are searched, `keyNames` sees each (from the anchor in its name), at no native search's cost.
    if ((mask & PASSWORD) === 0 && keys !== undefined) mask |= this.keyExpansions(text);
    if (this.keyRegex !== undefined && (~mask & (PASSWORD | NAME_VALUE | ARG_PAIR | FALLBACK)) !== 0 && this.keyRegex.test(text)) {
      if (text.includes('=') || text.includes(':') || text.includes('${')) mask |= PASSWORD | NAME_VALUE;
      if (text.includes('",') || text.includes("',")) mask |= ARG_PAIR;
      if (text.includes('??') || text.includes('||') || text.includes(' or ')) mask |= FALLBACK;
    }
    return mask & needed;
  }

  /**
   * Whether the screen looks behind each `=`/`:` of `text` (at most 16 of them, spread through the text:
   * prose, a config file, a short tool output) rather than for the key names. There Docker's `"auth"` is
   * found behind its separator; elsewhere only in a registry config ({@link registryConfig}).
   */
  fewSeparators(text: string): boolean {
    return this.keysBeforeSeparators(text) !== undefined;
  }

  /**
   * The key-name check from the `=`/`:` side: the key names ending right
   * before each separator. Each separator costs a native call, so this
   * gives up (`undefined`) as soon as the text looks like it has more than
   * {@link SEPARATOR_BUDGET} of them (code, JSON): searching for the names
   * is cheaper there.
   */
  private keysBeforeSeparators(text: string): number | undefined {
    const eq = this.separators(text, '=', 0);
    if (eq === undefined) return undefined;
    const colon = this.separators(text, ':', eq >>> BITS);
    return colon === undefined ? undefined : (eq | colon) & (KEY_BITS | LOGIN_CALL);
  }

  /**
   * The key bits found behind each `sign`, plus (shifted by {@link BITS}) the
   * separators seen so far, or `undefined` once they are too many: more than
   * the budget, or, extrapolated from where the third and later ones are,
   * more than it by the end of the text.
   */
  private separators(text: string, sign: string, seen: number): number | undefined {
    let mask = 0;
    let n = seen;
    let own = 0;
    for (let q = text.indexOf(sign); q >= 0; q = text.indexOf(sign, q + 1)) {
      // The `:` of a tag an earlier rule wrote (`[REDACTED:kind]`) is none of the text's: six redacted
      // tokens must not make a config file look like a long document.
      if (sign === ':' && text.startsWith(REDACTED_TAG_START, q - REDACTED_TAG_START.length)) continue;
      n++;
      own++;
      if (n > SEPARATOR_BUDGET || (own >= 3 && seen + (own * text.length) / (q + 1) > SEPARATOR_BUDGET)) return undefined;
      mask |= this.keyBeforeSeparator(text, q);
      if (sign === '=' && authTupleOpen(text, q) >= 0) mask |= LOGIN_CALL; // `auth=(`, `auth = (`
    }
    return mask | (n << BITS);
  }

  /**
   * Where the screen looks behind separators ({@link keyNames} finds these key names otherwise): a secret's key
   * name right before `",` or `',` (its quote maybe escaped) after the text's first `(` (a call: {@link ARG_PAIR}),
   * or before `??` or `||` (blanks, a `)` or `]` and a quote maybe between: {@link FALLBACK}). From each such
   * pair of characters (the quotes and `?`, `|` are rare in prose); a superset of what the rules take.
   */
  private argumentsBehind(text: string, paren: number): number {
    let mask = 0;
    for (const sign of ['??', '||', ' or ']) {
      for (let p = text.indexOf(sign); p >= 0 && mask === 0; p = text.indexOf(sign, p + 2)) {
        let j = blanksBefore(text, p);
        if (text.charCodeAt(j) === 41 || text.charCodeAt(j) === 93) j--;
        if (text.charCodeAt(j) === 34 || text.charCodeAt(j) === 39) j = backslashesBack(text, j - 1);
        if (this.secretKeyEndsAt(text, j)) mask = FALLBACK;
      }
    }
    if (paren < 0) return mask;
    for (const sign of ['",', "',"]) {
      for (let p = text.indexOf(sign, paren); p >= 0; p = text.indexOf(sign, p + 2)) {
        if (this.secretKeyEndsAt(text, backslashesBack(text, p - 1))) return mask | ARG_PAIR;
      }
    }
    return mask;
  }

  /**
   * {@link PASSWORD} when a shell expansion's name (`${` then at most 64 characters of a name) ending in a secret's key
   * name is followed by `-` or `+` (`${API_KEY-…}`, `${TOKEN+…}`: the assignment rule's `keyExpansion`). From each `${`.
   */
  private keyExpansions(text: string): number {
    // A regex, not `indexOf('${')` then a loop: on short texts it costs a third (callgrind, the corpus snippets).
    SHELL_NAME_OPERATOR_RE.lastIndex = 0;
    for (let m = SHELL_NAME_OPERATOR_RE.exec(text); m !== null; m = SHELL_NAME_OPERATOR_RE.exec(text)) {
      if (this.secretKeyEndsAt(text, SHELL_NAME_OPERATOR_RE.lastIndex - 2)) return PASSWORD;
    }
    return 0;
  }

  /**
   * {@link PASSWORD} when the key-name anchor at `i` of the lower-cased `low` is in a shell expansion's name (`${`, then
   * at most 64 of `[a-z0-9_]`) ending in a secret's key name before `-` or `+`: {@link keyExpansions} where
   * {@link keyNames} searches the anchors. Bounded.
   */
  private expansionNameAround(low: string, i: number): number {
    let start = i;
    while (start > 0 && i - start < 64 && isShellNameChar(low.charCodeAt(start - 1))) start--;
    if (low.charCodeAt(start - 1) !== 123 || low.charCodeAt(start - 2) !== 36) return 0;
    let end = i;
    while (end - start < 64 && isShellNameChar(low.charCodeAt(end))) end++;
    const c = low.charCodeAt(end);
    return (c === 45 || c === 43) && this.secretKeyEndsAt(low, end - 1) ? PASSWORD : 0;
  }

  /** Whether a secret's key name (a built-in or extra one, any case) ends at `j`. */
  private secretKeyEndsAt(text: string, j: number): boolean {
    if (j < 0) return false;
    const candidates = this.byLast[lower(text.charCodeAt(j))];
    if (candidates !== undefined) for (const e of candidates) if (e.bit === PASSWORD && endsWithFolded(text, j, e.key)) return true;
    return false;
  }

  /** Bits of the key names (any case) ending before `(\\{1,7})?["']?[ \t]{0,16}` and the separator at `q`. */
  private keyBeforeSeparator(text: string, q: number): number {
    let j = q - 1;
    let c = text.charCodeAt(j);
    for (let gap = 0; c === 32 || c === 9; ) {
      if (++gap > MAX_GAP) return 0;
      c = text.charCodeAt(--j);
    }
    if (c === 93) c = text.charCodeAt(--j); // a subscript's bracket (`os.environ["DB_PASSWORD"] = ...`)
    if (c === 34 || c === 39) {
      c = text.charCodeAt(--j); // the quote closing a quoted key (`"api_key": ...`)
      // ... escaped when the text sits in a JSON string (`\\"api_key\\":`): up to 7 backslashes, as the rule.
      for (let k = 0; c === 92 && k < 7; k++) c = text.charCodeAt(--j);
    }
    if (j < 0) return 0;
    const candidates = this.byLast[lower(c)];
    if (candidates === undefined) return 0;
    let mask = 0;
    for (const e of candidates) if ((mask & e.bit) === 0 && endsWithFolded(text, j, e.key)) mask |= e.bit;
    return mask;
  }

  /**
   * `password_assignment` and `bearer` (see the class comment), in the lower-cased text. `found`: the bits found
   * already (or not needed): their checks are skipped, and the search stops once every bit it can set is found.
   */
  private keyNames(low: string, found = 0): number {
    this.login = undefined;
    let mask = found;
    // A shell expansion's name needs a `${` before it: without one in the text, none is looked for around each anchor
    // (one per key name, and per tag an earlier rule wrote: `[redacted:password_assignment]` holds `word`).
    // (Searched once past the first few anchors that need it: a short text's few anchors read around themselves more
    // cheaply than the whole text is searched.)
    let expansions: boolean | undefined;
    let aroundLeft = EXPANSIONS_READ_AROUND;
    for (const anchor of this.anchors) {
      if ((~mask & KEY_NAME_BITS) === 0) break;
      let i = low.indexOf(anchor);
      // A text naming cookies (`kie`): a `jar.set(` in it is a cookie jar's (redact-cookie-jars.ts).
      if (i >= 0 && anchor === 'kie' && (mask & COOKIE) === 0 && low.includes('jar.set(')) mask |= COOKIE;
      while (i >= 0) {
        let end = i + anchor.length;
        while (end < low.length && isTokenChar(low.charCodeAt(end))) end++;
        mask |= this.keyBefore(low, end, mask);
        // A shell expansion's name holding the anchor (`${api_key-…}`: no `=` or `:` after the key).
        if ((mask & PASSWORD) === 0 && (aroundLeft-- > 0 || (expansions ??= low.includes('${')))) mask |= this.expansionNameAround(low, i);
        // The rest of this token ends at the same place: go on after it (linear overall).
        i = low.indexOf(anchor, end);
      }
    }
    return mask;
  }

  /**
   * Whether a key name of {@link byLast}, or `password`, may end right before `at`, as far as the last two characters
   * tell ({@link keyEnds}; a character past ASCII, or none, tells nothing). Where none does and no `(` or `{` is at
   * `at` (a call setting cookies), {@link keyBefore} sets no bit: every other bit it sets needs one of them there
   * (`endsWith` or `endsWithFolded` at `at - 1`): the candidates before a separator, `pairName` (a pair's name, a
   * JSON tab, a default through `fallbackAfter`), `headerName` (an `authorization` or `cookie` literal then a comma),
   * `.netrc`'s `password`.
   */
  private keyEndsBefore(low: string, at: number): boolean {
    const c1 = low.charCodeAt(at - 2);
    const c2 = low.charCodeAt(at - 1);
    // NaN (`at` < 2) compares false: read.
    return !(c1 < 128 && c2 < 128) || this.keyEnds[(c1 << 7) | c2] === 1;
  }

  /**
   * Bits of the key names that end right before `at`, when `(\\{1,7})?["']?[ \t]{0,16}[=:]` follows; {@link COOKIE} when
   * `(` or `{` follows a call setting cookies ({@link cookieCallAt}).
   * When a comma or a line end (raw or as JSON writes it) follows instead, a secret's key name there may be
   * the name of a name/value pair: {@link NAME_VALUE}. When a blank follows `password`, it may be a `.netrc`
   * entry's: {@link NETRC} (if `login` occurs too). The key names of bits in `found` are not compared.
   */
  private keyBefore(low: string, at: number, found: number): number {
    const first = low.charCodeAt(at);
    // A call setting cookies (`session.cookies.set(`, `context.addCookies(`, `res.set_cookie(`, `jar.setCookieSync(`, Go's
    // `http.Cookie{`): no separator after the name. Nothing else follows a key so.
    if (first === 40 || first === 123) return cookieCallAt(low, at) ? COOKIE : 0;
    let j = at;
    let c = low.charCodeAt(j);
    const next = c;
    for (let k = 0; c === 92 && k < 7; k++) c = low.charCodeAt(++j); // an escaped closing quote (`\\"api_key\\":`)
    if (next === 92 && (c === 110 || c === 114)) return this.pairName(low, at); // `DB_PASSWORD\n` in JSON
    if (next === 92 && c === 116) return this.fallbackAfter(low, j + 1, at); // `API_KEY\t?? "…"` in JSON
    const quoted = c === 34 || c === 39;
    if (quoted) {
      c = low.charCodeAt(++j); // the quote closing a quoted key (`"api_key": ...`)
      // A key literal then a comma: maybe an argument naming the next one's key (`getenv("API_KEY", "…")`), or a
      // header's name before its value (`Header.Set("Cookie", "…")`, a HAR entry's `"Authorization", "value": …`).
      if (c === 44) {
        const bits = (this.pairName(low, at) !== 0 ? ARG_PAIR | NAME_VALUE : 0) | this.headerName(low, at - 1);
        if (bits !== 0) return bits;
      }
    }
    if (c === 93) {
      // A `]` right after the token: no bit where no key name ends it (`keyEndsBefore`). On a text dense with secrets
      // the rescan after a rule holds a tag per secret, with an anchor in its kind and no key name's end
      // (`[redacted:password_assignment]`: its `word`, then `nt]`): nothing more is read there. (Only at a `]`: before
      // a `=` or `:`, a key name's end is the common case, and the check would cost more than it spares.)
      if (j === at && !this.keyEndsBefore(low, at)) return 0;
      c = low.charCodeAt(++j); // a subscript's bracket (`os.environ["DB_PASSWORD"] = ...`)
    }
    let gap = 0;
    // A tab as JSON writes it between (`env[\\"API_KEY\\"]\\t|| …`): what a backslash there woke before, and more.
    let jsonTab = 0;
    for (;;) {
      if (gap >= MAX_GAP) break;
      if (c === 32 || c === 9) {
        gap++;
        c = low.charCodeAt(++j);
      } else if (c === 92 && low.charCodeAt(j + backslashRunAt(low, j)) === 116) {
        gap++;
        j += backslashRunAt(low, j) + 1;
        c = low.charCodeAt(j);
        jsonTab = this.pairName(low, at);
      } else break;
    }
    if (jsonTab !== 0 && c !== 61 && c !== 58 && c !== 63 && c !== 124) return jsonTab;
    // `.netrc`'s `password` then a blank (whatever follows: `password = x` is a netrc entry's too).
    const blank = next === 32 || next === 9 || (next === 92 && netrcGapAt(low, at));
    const netrc = blank && (found & NETRC) === 0 && endsWith(low, at - 1, 'password') && this.hasLogin(low) ? NETRC : 0;
    if (c !== 61 && c !== 58) {
      // not `=`, `:`
      if (c === 44 || c === 10 || c === 13 || c === 92) return this.pairName(low, at) | netrc;
      // A key name, maybe a literal in a call or a subscript, then `??` or `||`: maybe a default (`API_KEY ?? "…"`).
      if (c === 63 || c === 124 || (c === 111 && gap > 0) || (c === 41 && quoted)) return this.fallbackAfter(low, c === 41 ? j + 1 : j, at) | netrc;
      return netrc;
    }
    const last = low.charCodeAt(at - 1);
    const candidates = this.byLast[last];
    // A bit found already is not looked for again (the names ending in `y`, `_key`'s, are many; all set one bit;
    // and a text dense with secrets has the same key before each).
    if (candidates === undefined || (this.lastBits[last]! & ~found) === 0) return netrc;
    let mask = netrc | found;
    for (const e of candidates) if ((mask & e.bit) === 0 && endsWith(low, at - 1, e.key)) mask |= e.bit;
    return mask;
  }

  /**
   * {@link FALLBACK} when `??` or `||` follows `j` after at most {@link MAX_GAP} blanks and a secret's key name
   * ends right before `at` (what closes the key's literal, a quote, `]` or `)`, is before `j`).
   */
  private fallbackAfter(low: string, j: number, at: number): number {
    let k = j;
    for (let gap = 0; gap < MAX_GAP; gap++) {
      const b = low.charCodeAt(k);
      if (b === 32 || b === 9) k++;
      else if (b === 92 && low.charCodeAt(k + backslashRunAt(low, k)) === 116) k += backslashRunAt(low, k) + 1; // a tab as JSON writes it
      else break;
    }
    const c = low.charCodeAt(k);
    // Python's ` or ` (`os.getenv("API_KEY") or "…"`), else `??`, `||`.
    const or = c === 111 && low.charCodeAt(k - 1) === 32 && low.charCodeAt(k + 1) === 114 && low.charCodeAt(k + 2) === 32;
    if (!or && ((c !== 63 && c !== 124) || low.charCodeAt(k + 1) !== c)) return 0;
    return this.pairName(low, at) !== 0 ? FALLBACK : 0;
  }

  /** Whether `low` has `login` (searched once per {@link keyNames} call). */
  private hasLogin(low: string): boolean {
    if (this.login === undefined) this.login = low.includes('login');
    return this.login;
  }

  /** {@link BEARER} or {@link COOKIE} when an `authorization` or `cookie` header's name (any case) ends at `j`. */
  private headerName(text: string, j: number): number {
    if (j < 0) return 0;
    const candidates = this.byLast[lower(text.charCodeAt(j))];
    let mask = 0;
    if (candidates !== undefined) for (const e of candidates) if ((e.bit === BEARER || e.bit === COOKIE) && endsWithFolded(text, j, e.key)) mask |= e.bit;
    return mask;
  }

  /**
   * Where the screen looks behind separators: a header's name in a literal before `",` or `',` (its quotes maybe
   * escaped), a setter's first argument or a HAR entry's name (`Header.Set("Cookie", "…")`, `{"name":
   * "Authorization", "value": "…"}`), whose value no key name precedes. From each such pair of characters.
   */
  headersBeforeCommas(text: string): number {
    let mask = 0;
    for (const sign of ['",', "',"]) {
      for (let p = text.indexOf(sign); p >= 0; p = text.indexOf(sign, p + 2)) mask |= this.headerName(text, backslashesBack(text, p - 1));
    }
    return mask;
  }

  /** {@link NAME_VALUE} when a secret's key name ends right before `at`. */
  private pairName(low: string, at: number): number {
    const candidates = this.byLast[low.charCodeAt(at - 1)];
    if (candidates !== undefined) for (const e of candidates) if (e.bit === PASSWORD && endsWith(low, at - 1, e.key)) return NAME_VALUE;
    return 0;
  }
}

/** {@link anchorCharacters}: `text` has a `w` and no other anchor character. */
const ONLY_W = 2;

/**
 * Whether `text` has a character some built-in rule cannot match without:
 * `-` (PEM, `sk-`, `glpat-`, `xox?-`, command flags), `A` (AWS, Google), `J`
 * (`eyJ`), `_` (GitHub), `=` or `:` (key names, bearer, URLs), `${` (a shell expansion's name): 1; else a `w`
 * (the `.netrc` rule's `password`, which needs no other): {@link ONLY_W};
 * else 0. For short strings (names, roles, short outputs), one pass over the
 * characters is cheaper than the dozen native searches of the full screen.
 */
function anchorCharacters(text: string): number {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A shell expansion's `${` too: its name may be a secret's key before `-` or `+` (`${pwd+…}`).
    if (c === 45 || c === 65 || c === 74 || c === 95 || c === 61 || c === 58 || (c === 123 && text.charCodeAt(i - 1) === 36)) return 1;
    if (c === 119) found = ONLY_W;
    // The arguments' anchors (`",`, `??`, `||`, `gin(`, ` or `; `=(` and `Auth(` hold one above), and a call setting
    // cookies (`kie(`, `kies(`, `kies.set(`, `kieSync(`, `jar.set(`: its arguments may have blanks before the `,`,
    // `.cookies.set("a" , "b")`; its objects, Go's `Cookie{`, hold a `:`).
    else if (c === 44 || c === 63 || c === 124 || c === 40) {
      const p = text.charCodeAt(i - 1);
      if ((c === 44 && (p === 34 || p === 39)) || (c === p && c !== 44 && c !== 40) || (c === 40 && (p === 110 || cookieCallBefore(text, i)))) return 1;
    } else if (c === 114 && text.charCodeAt(i - 1) === 111 && text.charCodeAt(i - 2) === 32 && text.charCodeAt(i + 1) === 32) return 1;
  }
  return found;
}

/** Whether a call setting cookies ends before the `(` at `i`: `kie`, `kies`, `kies.set`, `kieSync`, `jar.set`, `Jar.set`. */
function cookieCallBefore(text: string, i: number): boolean {
  return text.startsWith('kie', i - 3) || text.startsWith('kies', i - 4) || text.startsWith('kies.set', i - 8) || text.startsWith('kieSync', i - 7) || text.startsWith('ar.set', i - 6);
}

/**
 * {@link LOGIN_CALL}: the calls `redactLoginPasswords` reads, as it finds them, from `anchor`: `.login(` (from
 * `gin(`: `.lo` before it) or a name ending in `auth` before `=(` or `= (` (looked for here where the screen
 * searches key names; behind each `=` where it looks behind separators: {@link authTupleOpen}); `Auth(` is
 * found by {@link capitalA}. Exact, so the rule runs on no other code (`figsize=(`, `plugin(`). From the text's
 * first `(` (`paren`): before it `=` may be frequent (`a=b=c`), and no call opens.
 */
function loginCalls(text: string, anchor: 'gin(' | '=(', paren: number): number {
  if (anchor === 'gin(') {
    for (let i = text.indexOf(anchor, paren - 3); i >= 0; i = text.indexOf(anchor, i + 4)) if (isLoginCall(text, i)) return LOGIN_CALL;
    return 0;
  }
  // `auth=(`, `auth =(` and, with one space after `=`, `auth = (`, `auth= (`.
  for (const a of ['=(', '= (']) {
    for (let i = text.indexOf(a, paren - a.length + 1); i >= 0; i = text.indexOf(a, i + a.length)) if (authTupleOpen(text, i) >= 0) return LOGIN_CALL;
  }
  return 0;
}



/** Length of the run of backslashes starting at `i` (at most 8). */
function backslashRunAt(text: string, i: number): number {
  let k = 0;
  while (k < 8 && text.charCodeAt(i + k) === 92) k++;
  return k;
}

/** Where the run of at most 7 backslashes ending at `j` starts, less one (`j` itself when there is none). */
function backslashesBack(text: string, j: number): number {
  let k = j;
  while (k > j - 7 && text.charCodeAt(k) === 92) k--;
  return k;
}

/**
 * `.netrc`: a `password` token followed by a blank (raw or as JSON writes a tab), and `login` somewhere
 * (an entry needs both). From `word`: its `w` is rare in code.
 */
function netrc(text: string): number {
  for (let i = text.indexOf('word', 4); i >= 0; i = text.indexOf('word', i + 4)) {
    if (netrcGapAt(text, i + 4) && text.startsWith('pass', i - 4)) return text.includes('login') ? NETRC : 0;
  }
  return 0;
}

/**
 * Whether the `-` at `i` starts a word: after a blank, a line end, a quote
 * (an argv item, `"-u"`), or a line end or tab as JSON writes it (`\\n-u`).
 */
function startsWord(text: string, i: number): boolean {
  const p = text.charCodeAt(i - 1);
  if (p === 32 || p === 9 || p === 10 || p === 13 || p === 34 || p === 39) return true;
  return (p === 110 || p === 114 || p === 116) && text.charCodeAt(i - 2) === 92;
}

// The commands whose password flag a `-` may start (see `redact-commands.ts`).
const FLAG_MYSQL = 1 << MYSQL;
const FLAG_CURL = 1 << CURL;
const FLAG_WGET = 1 << WGET;
const FLAG_LOGIN = 1 << LOGIN;
const FLAG_SSHPASS = 1 << SSHPASS;
const FLAG_REDIS = 1 << REDIS;
/** curl's `-u` and the like, before the `:` of `user:password` is looked for ({@link colonInUserWord}). */
const FLAG_CURL_USER = 1 << (REDIS + 1);

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The commands whose password flag the `-` at `i` may start (a superset of
 * what `redactCommandPasswords` takes): `-p` with something attached
 * (mysql), `-p` (docker login, or sshpass right before it), `-u`, `-U`,
 * `--user`, `--proxy-user`, `--oauth2-bearer`, short flags run together
 * ending in `u` (curl), `--pass…`, `--http-pass…`, `--ftp-pass…`, `--proxy-…`
 * (wget, docker login, redis-cli), `-a` (redis-cli).
 */
function passwordFlag(text: string, i: number): number {
  const n = text.charCodeAt(i + 1);
  let flags: number;
  if (n === 112 /* p */) {
    const c = text.charCodeAt(i + 2);
    flags = FLAG_LOGIN | (wordBefore(text, i, 'sshpass') ? FLAG_SSHPASS : 0);
    if (!(c === 32 || c === 9 || c === 10 || c === 13 || Number.isNaN(c))) flags |= FLAG_MYSQL;
  } else if (n === 117 || n === 85 /* u U */) {
    flags = FLAG_CURL_USER;
  } else if (n === 97 /* a */) {
    flags = FLAG_REDIS;
  } else if (n === 45 /* - */) {
    if (text.startsWith('pass', i + 2)) flags = FLAG_WGET | FLAG_LOGIN | FLAG_REDIS;
    else if (text.startsWith('user', i + 2)) flags = FLAG_CURL_USER;
    else if (text.startsWith('oauth2-bearer', i + 2)) flags = FLAG_CURL;
    else if (text.startsWith('proxy-', i + 2)) flags = FLAG_CURL_USER | FLAG_WGET;
    else if (text.startsWith('http-pass', i + 2) || text.startsWith('ftp-pass', i + 2)) flags = FLAG_WGET;
    else return 0;
  } else if (isLetter(n)) {
    // Short flags run together, the last `u` (`-su user:pw`).
    let j = i + 2;
    while (j < i + 10 && isLetter(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j - 1) !== 117) return 0;
    flags = FLAG_CURL_USER;
  } else {
    return 0;
  }
  return startsWord(text, i) ? flags : 0;
}

/** The last `:` and line end {@link colonOnLine} found (-2: not searched; -1: none after the last search's start). */
let nextColon = -2;
let nextLineEnd = -2;

/**
 * Whether a `:` follows `from` on its line (a line continued by a backslash goes on): curl's `user:password`
 * after `-u` does (and `-u root`, `sort -u`, `git push -u origin` seldom). The searches only move forward
 * (reset per text by {@link dashes}): linear over all the flags of a text.
 */
function colonOnLine(text: string, from: number): boolean {
  if (nextColon === -2 || (nextColon >= 0 && nextColon < from)) nextColon = text.indexOf(':', from);
  if (nextColon < 0) return false;
  let at = from;
  for (;;) {
    if (nextLineEnd === -2 || (nextLineEnd >= 0 && nextLineEnd < at)) nextLineEnd = text.indexOf('\n', at);
    if (nextLineEnd < 0 || nextColon < nextLineEnd) return true;
    const p = text.charCodeAt(nextLineEnd - 1);
    if (!(p === 92 || (p === 13 && text.charCodeAt(nextLineEnd - 2) === 92))) return false; // not `\` + line end
    at = nextLineEnd + 1;
  }
}

/**
 * Whether a `:` may be in the word after the flag at `i` (curl's `-u user:password`, `-uuser:password`,
 * `--user=user:password`): in the flag's own word or, after blanks, the next one. Not anywhere on the line,
 * which a URL after `-u user` would make true. At most 768 characters are read; a quote (a word may hold
 * blanks), a backslash (a line continued, an escape), a line end, a next word starting with `-` (another
 * flag) or a longer read leave it to {@link colonOnLine}, the line's search: a superset of what the
 * command's reading takes. Bounded per flag, then the line's forward-only search: linear.
 */
function colonInUserWord(text: string, i: number): boolean {
  const found = userWordColon(text, i);
  return found < 0 ? colonOnLine(text, i + 2) : found === 1;
}

/** {@link colonInUserWord}'s bounded read: 1 (a `:`), 0 (none), -1 (left to {@link colonOnLine}). */
function userWordColon(text: string, i: number): number {
  const end = Math.min(text.length, i + 769);
  let word = 0; // 0: the flag's word, 1: the blanks after it, 2: the next word
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 58 /* : */) return 1;
    if (c === 34 || c === 39 || c === 92 || c === 10 || c === 13) return -1;
    const blank = c === 32 || c === 9;
    if (word === 0) {
      if (blank) word = 1;
    } else if (word === 1) {
      if (!blank) {
        if (c === 45 /* - */) return -1;
        word = 2;
      }
    } else if (blank) {
      return 0;
    }
  }
  return end === text.length ? 0 : -1;
}

/**
 * Whether `word` ends right before `i`, but for at most 16 blanks, quotes, commas and backslashes (what
 * separates two words of a command or two items of an argv list): `sshpass` before its `-p`, `docker`
 * before `login`.
 */
function wordBefore(text: string, i: number, word: string): boolean {
  let j = i - 1;
  for (let c = text.charCodeAt(j); j >= i - 16 && (c === 32 || c === 9 || c === 34 || c === 39 || c === 44 || c === 92); c = text.charCodeAt(--j));
  return j < i - 1 && j >= word.length - 1 && text.startsWith(word, j - word.length + 1);
}

/** Whether `docker login` occurs (the two words as {@link wordBefore} allows), from the rare `k` of `docker`. */
function hasDockerLogin(text: string): boolean {
  for (let i = text.indexOf('ker', 3); i >= 0; i = text.indexOf('ker', i + 1)) {
    if (!text.startsWith('doc', i - 3)) continue;
    let j = i + 3;
    for (let c = text.charCodeAt(j); j < i + 19 && (c === 32 || c === 9 || c === 34 || c === 39 || c === 44 || c === 92); c = text.charCodeAt(++j));
    if (j > i + 3 && text.startsWith('login', j)) return true;
  }
  return false;
}

/** Whether `word` occurs in `text`, searched from `part` (a rarer piece of it, `offset` characters in). */
function hasWord(text: string, word: string, part: string, offset: number): boolean {
  for (let i = text.indexOf(part, offset); i >= 0; i = text.indexOf(part, i + 1)) {
    if (text.startsWith(word, i - offset)) return true;
  }
  return false;
}

/** Whether a command that takes one of the password `flags` occurs in `text`. */
function commandOfFlags(text: string, flags: number): boolean {
  if ((flags & FLAG_SSHPASS) !== 0) return true; // checked at the flag itself
  if ((flags & FLAG_MYSQL) !== 0 && (text.includes('ysql') || text.includes('riadb'))) return true;
  if ((flags & FLAG_CURL) !== 0 && text.includes('curl')) return true;
  if ((flags & FLAG_WGET) !== 0 && text.includes('wget')) return true;
  if ((flags & FLAG_REDIS) !== 0 && hasWord(text, 'redis-cli', '-cli', 5)) return true;
  return (flags & FLAG_LOGIN) !== 0 && hasDockerLogin(text);
}

/**
 * `sk-` (OpenAI, `sk-ant-` Anthropic), `glpat-` (GitLab), `xox?-` (Slack), and the vendor prefixes
 * ending in `-` ({@link VENDOR}: PyPI, xAI, Perplexity, Tavily): all end in a `-`. A command's
 * password flag starts with one ({@link CLI}, when its command occurs too).
 */
function dashes(text: string): number {
  let mask = 0;
  let flags = 0;
  let cookieFlag = false;
  nextColon = -2;
  nextLineEnd = -2;
  for (let i = text.indexOf('-', 2); i >= 0; i = text.indexOf('-', i + 1)) {
    const c1 = text.charCodeAt(i - 1);
    const c2 = text.charCodeAt(i - 2);
    if (!cookieFlag && curlCookieFlag(text, i)) cookieFlag = true;
    let f = passwordFlag(text, i);
    if ((f & FLAG_CURL_USER) !== 0) f = (f & ~FLAG_CURL_USER) | ((flags & FLAG_CURL) === 0 && colonInUserWord(text, i) ? FLAG_CURL : 0);
    flags |= f;
    if (c1 === 107 /* k */ && c2 === 115 /* s */) {
      mask |= OPENAI;
      if (text.startsWith('ant-', i + 1)) mask |= ANTHROPIC;
    } else if (c1 === 116 /* t */ && c2 === 97 /* a */ && i >= 5 && text.startsWith('glp', i - 5)) {
      mask |= GITLAB;
    } else if (i >= 4 && c2 === 120 /* x */ && isSlackLetter(c1) && text.startsWith('xo', i - 4)) {
      mask |= SLACK;
    } else if ((mask & VENDOR) === 0 && vendorAtDash(text, i)) {
      mask |= VENDOR;
    }
  }
  if (cookieFlag && text.includes('curl')) mask |= COOKIE;
  return flags !== 0 && commandOfFlags(text, flags) ? mask | CLI : mask;
}

/**
 * Whether curl's `-b` or `--cookie` starts at `i` (a word's start, then a blank, a quote or a backslash: an argv
 * item's quote, maybe escaped; or `-b` and its value glued to it, `-bsid=…`); {@link COOKIE} when `curl` occurs too (redact-cookie-jars.ts reads them).
 */
function curlCookieFlag(text: string, i: number): boolean {
  let j: number;
  if (text.charCodeAt(i + 1) === 98 /* b */) j = i + 2;
  else if (text.startsWith('-cookie', i + 1)) j = i + 8;
  else return false;
  const c = text.charCodeAt(j);
  // After `-b`, the value may be glued (`-bsid=…`): any character that starts a cookie's name.
  return (c === 32 || c === 9 || c === 34 || c === 39 || c === 92 || (j === i + 2 && c > 32 && c !== 127)) && startsWord(text, i);
}

/**
 * Whether a call setting cookies ends at `end` in the lower-cased `low` (a name of `isTokenChar`s before it): `cookie`,
 * `cookies`, `cookiesync` or `cookies.set` before `(`, or `cookie` before `{` (Go's `http.Cookie{`). A superset of
 * what redact-cookie-jars.ts reads.
 */
function cookieCallAt(low: string, end: number): boolean {
  const c = low.charCodeAt(end);
  if (c === 123) return endsWith(low, end - 1, 'cookie');
  return c === 40 && (endsWith(low, end - 1, 'cookie') || endsWith(low, end - 1, 'cookies') || endsWith(low, end - 1, 'cookiesync') || endsWith(low, end - 1, 'cookies.set'));
}

/**
 * {@link COOKIE} when a call setting cookies occurs (`.cookies.set(`, `Cookies.set(`, `addCookies(`, `set_cookie(`,
 * `res.cookie(`, `setCookieSync(`, `http.Cookie{`): `kie` then `(`, `s(`, `s.set(`, `Sync(` or `{`, in the case
 * redact-cookie-jars.ts reads them; or, in a text with `kie`, `jar.set(` (where the screen looks behind separators;
 * elsewhere `keyNames` finds them from `kie`).
 */
function cookieCalls(text: string): number {
  let i = text.indexOf('kie');
  if (i < 0) return 0;
  if (text.includes('ar.set(')) return COOKIE; // `jar.set(`, `Jar.set(`
  for (; i >= 0; i = text.indexOf('kie', i + 3)) {
    const c = text.charCodeAt(i + 3);
    if (c === 40 || c === 123 || (c === 115 && (text.charCodeAt(i + 4) === 40 || text.startsWith('.set(', i + 4))) || text.startsWith('Sync(', i + 3)) return COOKIE;
  }
  return 0;
}

/** The screen of the built-in key names, for {@link argumentsScreened} (built on first use). */
let defaultScreen: SecretScreen | undefined;

/**
 * @internal Which of the argument rules (`redact-arguments.ts`) the default screen lets run on `text`: `pair`,
 * `fallback`, `login`. Ordinary code should wake none (each costs a pass over the text).
 */
export function argumentsScreened(text: string): string[] {
  const mask = (defaultScreen ??= new SecretScreen(keyVariants(SECRET_KEY_NAMES))).scan(text);
  return [[ARG_PAIR, 'pair'], [FALLBACK, 'fallback'], [LOGIN_CALL, 'login']].filter(([bit]) => (mask & (bit as number)) !== 0).map(([, name]) => name as string);
}

/** @internal Whether the screen lets the command rule (`cli_password`) run on `text`: its flags' test. */
export function cliScreened(text: string): boolean {
  return (dashes(text) & CLI) !== 0;
}

function isSlackLetter(c: number): boolean {
  // a b p o s r
  return c === 97 || c === 98 || c === 112 || c === 111 || c === 115 || c === 114;
}

/** ASCII lower case of a character code (what `/i` folds, without the `u` flag, for ASCII patterns). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** Whether `text` has `key` (lower case, ASCII) ending at index `end`, in any case. */
function endsWithFolded(text: string, end: number, key: string): boolean {
  if (end + 1 < key.length) return false;
  for (let k = key.length - 1, t = end; k >= 0; k--, t--) {
    if (lower(text.charCodeAt(t)) !== key.charCodeAt(k)) return false;
  }
  return true;
}

/** Whether the lower-cased `low` has `key` (lower case) ending at index `end`. */
function endsWith(low: string, end: number, key: string): boolean {
  const from = end + 1 - key.length;
  // The key's first character first: the candidates share their last ones (`_key`, `-key`, `key`), and most differ there.
  return from >= 0 && low.charCodeAt(from) === key.charCodeAt(0) && low.startsWith(key, from);
}

const CC_A = 65;

/** `AKIA`/`ASIA`/`ABIA`/`ACCA` (AWS), `AIza` (Google) and `Auth(` ({@link LOGIN_CALL}). */
function capitalA(text: string): number {
  let mask = 0;
  for (let i = text.indexOf('A'); i >= 0; i = text.indexOf('A', i + 1)) {
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if (c3 === CC_A && ((c2 === 73 /* I */ && (c1 === 75 /* K */ || c1 === 83 /* S */ || c1 === 66 /* B */)) || (c1 === 67 /* C */ && c2 === 67))) {
      mask |= AWS;
    } else if (c1 === 73 /* I */ && c2 === 122 /* z */ && c3 === 97 /* a */) {
      mask |= GOOGLE;
    } else if (c1 === 117 /* u */ && c2 === 116 /* t */ && c3 === 104 /* h */ && text.charCodeAt(i + 4) === 40 /* ( */) {
      mask |= LOGIN_CALL; // `HTTPBasicAuth(`, `BasicAuth(`
    }
  }
  return mask;
}

/** `eyJ`, the start of both base64 JSON parts of a JWT. */
function jwtStart(text: string): number {
  for (let i = text.indexOf('J', 2); i >= 0; i = text.indexOf('J', i + 1)) {
    if (text.charCodeAt(i - 1) === 121 /* y */ && text.charCodeAt(i - 2) === 101 /* e */) return JWT;
  }
  return 0;
}

/**
 * From each `_`: `gh[pousr]_` and `github_pat_` (GitHub), npm's `_auth` before a separator
 * ({@link BASIC_AUTH}) or before a blank (`npm config set`: {@link NPM_CONFIG}, with `set` in the
 * text), and the vendor prefixes ending in `_` ({@link VENDOR}, `redact-vendors.ts`). One loop over
 * the underscores, rare in most text, rather than a search for `gh` (frequent), one for `_pat_` and
 * one for `_auth`. `found`: the bits found already (or not needed), whose costlier checks are skipped.
 */
function underscores(text: string, found = 0): number {
  if ((found & (GITHUB | VENDOR)) === (GITHUB | VENDOR)) return npmUnderscores(text);
  // A vendor's prefix is looked for until one is found (the check reads the token after it).
  let mask = found & VENDOR;
  let npmKey = false;
  for (let i = text.indexOf('_'); i >= 0; i = text.indexOf('_', i + 1)) {
    const c = text.charCodeAt(i - 1);
    if ((mask & VENDOR) === 0 && endsVendorPrefix(c) && vendorAtUnderscore(text, i, c)) mask |= VENDOR;
    if (githubPrefixBefore(text, i)) {
      mask |= GITHUB; // (no `_auth` of npm's here: a letter before its `_` makes it no key)
    } else {
      const n = text.charCodeAt(i + 1);
      if (n === 112) {
        if (text.startsWith('pat_', i + 1)) mask |= GITHUB; // in every `github_pat_`
        else if (!npmKey && text.startsWith('password', i + 1)) npmKey = blankAfterNpmKey(text, i + 9);
      } else if (n === 97) {
        if (npmAuth(text, i, 'auth')) mask |= BASIC_AUTH;
        if (!npmKey && text.startsWith('auth', i + 1)) npmKey = blankAfterNpmKey(text, text.startsWith('Token', i + 5) ? i + 10 : i + 5);
      } else if (n === 65 && npmAuth(text, i, 'AUTH')) {
        mask |= BASIC_AUTH; // `NPM_CONFIG__AUTH=`, npm's key as an environment variable
      }
    }
  }
  // `npm config set _auth <value>` (or `npm set …`): a key before a blank, and `set` anywhere (one search, only then).
  return npmKey && text.includes('set') ? mask | NPM_CONFIG : mask;
}

/**
 * {@link underscores}' bits but GitHub's and the vendors' (found already, or not needed): npm's keys only, each
 * searched whole (the text's other underscores, a tag's `password_assignment` in a rescan, cost no loop).
 */
function npmUnderscores(text: string): number {
  let mask = 0;
  let npmKey = false;
  for (let i = text.indexOf('_auth'); i >= 0; i = text.indexOf('_auth', i + 1)) {
    if (githubPrefixBefore(text, i)) continue;
    if (separatorAfterKey(text, i + 5)) mask |= BASIC_AUTH;
    if (!npmKey) npmKey = blankAfterNpmKey(text, text.startsWith('Token', i + 5) ? i + 10 : i + 5);
    if (npmKey && mask !== 0) break;
  }
  // Each `_AUTH` from its `UTH` (the same places, in order): a capital `U` is rare, where a search for `_AUTH` stops at
  // each `_` (one per tag in a rescan: `[REDACTED:password_assignment]`).
  for (let u = text.indexOf('UTH', 2); u >= 0 && mask === 0; u = text.indexOf('UTH', u + 1)) {
    const i = u - 2;
    if (text.charCodeAt(i) === 95 && text.charCodeAt(i + 1) === 65 && !githubPrefixBefore(text, i) && separatorAfterKey(text, i + 5)) mask |= BASIC_AUTH;
  }
  for (let i = text.indexOf('_password'); i >= 0 && !npmKey; i = text.indexOf('_password', i + 1)) {
    if (!githubPrefixBefore(text, i)) npmKey = blankAfterNpmKey(text, i + 9);
  }
  return npmKey && text.includes('set') ? mask | NPM_CONFIG : mask;
}

/** Whether `gh[pousr]` ends before the `_` at `i` (GitHub's prefix: {@link underscores} reads nothing else there). */
function githubPrefixBefore(text: string, i: number): boolean {
  const c = text.charCodeAt(i - 1);
  return (c === 112 || c === 111 || c === 117 || c === 115 || c === 114) && text.charCodeAt(i - 2) === 104 && text.charCodeAt(i - 3) === 103;
}

/** Whether npm's `_auth` key (`word`: `auth`, or `AUTH` in an environment variable) starts at the `_` at `i`, before a separator. */
function npmAuth(text: string, i: number, word: string): boolean {
  return text.startsWith(word, i + 1) && separatorAfterKey(text, i + 1 + word.length);
}

/**
 * Whether what follows npm's key `_auth`, `_authToken` or `_password` (ending right before `at`) is a
 * blank, maybe after the key's closing quote (`"//host/:_authToken" "…"`), escaped or not: the key of
 * `npm config set`, given its value as the next word.
 */
function blankAfterNpmKey(text: string, at: number): boolean {
  let j = at;
  let c = text.charCodeAt(j);
  for (let k = 0; c === 92 && k < 7; k++) c = text.charCodeAt(++j);
  if (c === 34 || c === 39) c = text.charCodeAt(++j);
  return c === 32 || c === 9;
}

/**
 * `npm config set` (also `pnpm`, `yarn` 1; npm's aliases `npm c set` and `npm set`) with npm's `_auth`,
 * `_authToken` or `_password` (maybe after a registry, `//registry.npmjs.org/:_authToken`, maybe quoted)
 * and its value as the next word: `npm config set _auth dXNlcjpwdw==`. Up to eight options may come
 * before `config` and between `set` and the key (`-g`, `--location=project`, `--userconfig=$HOME/.npmrc`,
 * `--userconfig "./.npmrc"`, `--`): an option's value, when it is a word of its own, is quoted or starts
 * with none of `-`, `_`, `//` (which start the key). A quoted value may have its quotes escaped (a
 * command in JSON text: the same run of backslashes before both) and hold the other kind of quote; a
 * bare one ends at a blank, a quote, a backslash (an escaped line end in JSON text) or a shell operator.
 * The `key=value` form is `basic_auth`'s and `password_assignment`'s. Groups: the command up to the
 * value, the value's opening quote, the quoted value, the bare value. Every part bounded, alternatives
 * that start differently: linear.
 */
const NPM_CONFIG_SET_RE = new RegExp(
  (() => {
    const blank = '[ \\t]{1,16}';
    // An option's value: quoted (the quotes maybe escaped, in JSON text; backslashes inside, a Windows path), or a
    // word starting with none of what starts the key.
    const word = `(?:\\\\{0,7}"[^"\\r\\n]{0,256}"|\\\\{0,7}'[^'\\r\\n]{0,256}'|(?!\\/\\/|[_\\\\-])[^\\s"']{1,256})`;
    const option = `(?:--|-{1,2}[A-Za-z][^\\s"'\\\\=]{0,63}(?:=${word})?(?:${blank}${word})?)${blank}`;
    return (
      `(?<![A-Za-z0-9_-])((?:npm|pnpm|yarn)${blank}(?:${option}){0,8}(?:(?:config|c)${blank}(?:${option}){0,8}set|set)${blank}(?:${option}){0,8}` +
      `(\\\\{0,7}["']?)(?:\\/\\/[^\\s'"\\\\=]{1,256}\\/:)?_(?:authToken|auth|password)\\2${blank})` +
      `(?:(\\\\{0,7}["'])((?:(?!\\3)[^\\\\\\r\\n]){1,4096})\\3|([^\\s"'\`;&|)\\\\]{1,4096}))`
    );
  })(),
  'g',
);

/**
 * A value `npm config set` is given that holds no secret itself: a shell or batch reference (not in single
 * quotes, where `$` is a character), a template's field (the whole value: `{token}`, `{}`, `%s`; or a
 * template's expression, whatever follows: GitHub Actions' `${{ secrets.X }}`, Jinja's and Helm's
 * `{{ … }}`, Ruby's `#{ENV['X']}`), a whole angle-bracket placeholder, `***`, a tag.
 */
const NPM_CONFIG_REFERENCE_RE = /^(?:\$\{\{|\{\{|#\{|\[REDACTED|(?:\{[^{}]{0,128}\}|%s|%[A-Za-z_][A-Za-z0-9_]{0,63}%|<[^<>]{0,128}>|\*{3,})$)/;
/** A shell reference (`$NPM_TOKEN`, `${NPM_TOKEN}`, `$(cat f)`): a value only outside single quotes. */
const NPM_CONFIG_SHELL_RE = /^\$[A-Za-z_{(]/;

/**
 * A quoted "value" that is code or structure, not a value: it starts with a concatenation operator (the
 * command's string literal ended right before it: `"npm config set _authToken " + token`, PHP's
 * `' . $token`; maybe after the other quote, the code putting the token in quotes of its own:
 * `'… _authToken "' + token + '"'`), or ends with one after a blank (`… + "`); or it starts with what
 * follows a JSON string (`,`, `:`, `]`, `}`: the key was the last word of a string, `"… _authToken ","x"`).
 */
const NPM_CONFIG_CONCATENATION_RE = /^[ \t]{0,16}["']?[ \t]{0,16}[+.,:\]})]|[ \t][+.][ \t]{0,16}["']?[ \t]{0,16}$/;

/**
 * Whether what the `basic_auth` rule takes between its key and value follows `at`: at most 7 backslashes and a
 * quote (the key's closing quote, maybe escaped), at most {@link MAX_GAP} blanks, then `=` or `:`. A superset
 * of the rule's (which also wants no second `=`/`:`). Bounded.
 */
function separatorAfterKey(text: string, at: number): boolean {
  let j = at;
  let c = text.charCodeAt(j);
  for (let k = 0; c === 92 && k < 7; k++) c = text.charCodeAt(++j);
  if (c === 34 || c === 39) c = text.charCodeAt(++j);
  for (let gap = 0; (c === 32 || c === 9) && gap < MAX_GAP; gap++) c = text.charCodeAt(++j);
  return c === 61 || c === 58;
}

/**
 * Whether `text` holds a registry config where the screen can tell it at the cost of one native search: its
 * first object (its first `{` but a shell's or a template's, `${`, `{{`) has the key `"auths"` first, or has a
 * first key whose value is a string holding such an object (`{"stdout": "{\n\t\"auths\": ...`: a tool's JSON
 * output). Docker's CLI writes `auths` first in `config.json`, as do Podman (`auth.json`) and `kubectl create
 * secret docker-registry` (`.dockerconfigjson`); so the file itself, `cat` of it (after a prompt's line too), a
 * heredoc writing it or a YAML secret holding it is one. Where separators are many, Docker's `"auth"` is looked
 * for only there: none of its letters is rare, and a native search for `auth` (or `"auth`, `uth"`, each `h`)
 * costs a tenth to a quarter of the whole screen on a 2 KB snippet; each further search for a `{` costs about
 * 3% of it. Quotes may be escaped (JSON text). Bounded reads after the search.
 */
function registryConfig(text: string): boolean {
  let b = text.charCodeAt(0) === 123 ? 0 : text.indexOf('{'); // (JSON: no native call)
  // A shell's or a template's brace (`${REG:-x}`, `{{ .Values.x }}`, `${{ secrets.X }}`) opens no object: up to
  // AUTHS_BRACES_SKIPPED of them are passed over (a script's variables before its heredoc; a 2 KB Helm template
  // has about 140, whose walk would cost as much as the rest of the screen).
  for (let n = 0; n < AUTHS_BRACES_SKIPPED && b > 0 && (text.charCodeAt(b - 1) === 36 || text.charCodeAt(b - 1) === 123 || text.charCodeAt(b + 1) === 123); n++) {
    b = text.indexOf('{', b + 1);
  }
  return b >= 0 && holdsAuths(text, b + 1, 2);
}

/** Most shell or template braces {@link registryConfig} passes over before the first object. */
const AUTHS_BRACES_SKIPPED = 32;
/** Keys of an object {@link holdsAuths} looks through for a string holding a registry config (a tool's `exit_code`, `command`, ...). */
const AUTHS_KEYS_LOOKED_AT = 4;
/** Longest line (a prompt's: `$ cat ~/.docker/config.json`) before a registry config in a string, and longest string passed over. */
const AUTHS_LINE_MAX = 256;

/**
 * Whether the object opened right before `i` has the key `"auths"` first, or, among its first
 * {@link AUTHS_KEYS_LOOKED_AT} keys, a string value holding such an object: first in it, or after one line of
 * at most {@link AUTHS_LINE_MAX} characters (a prompt's); `depth` strings deep (a tool's output JSON-encoded
 * once more). Quotes may be escaped. Bounded reads: at most a few hundred characters per key.
 */
function holdsAuths(text: string, i: number, depth: number): boolean {
  let key = keyAfter(text, i);
  for (let pair = 0; pair < AUTHS_KEYS_LOOKED_AT && key >= 0; pair++) {
    if (pair === 0 && keyIs(text, key, 'auths')) return true;
    if (depth === 0) return false;
    // Past the key (at most 64 characters, no quote in it), its closing quote, `:`.
    let j = key;
    while (j < key + 64 && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 92) j++;
    j = blanksAfter(text, j + backslashes(text, j) + 1);
    if (text.charCodeAt(j) !== 58 /* : */) return false;
    j = blanksAfter(text, j + 1);
    const escapes = backslashes(text, j);
    if (text.charCodeAt(j + escapes) === 34) {
      const from = j + escapes + 1;
      let v = from;
      if (text.charCodeAt(v) !== 123) {
        const next = afterFirstLine(text, from);
        if (next > 0) v = blanksAfter(text, next);
      }
      if (text.charCodeAt(v) === 123 && holdsAuths(text, v + 1, depth - 1)) return true;
      const close = closingQuote(text, from, escapes);
      if (close < 0) return false;
      j = close + 1;
    } else {
      // A number, true, false or null.
      const from = j;
      while (j < from + 32 && isScalarChar(text.charCodeAt(j))) j++;
      if (j === from) return false;
    }
    j = blanksAfter(text, j);
    if (text.charCodeAt(j) !== 44 /* , */) return false;
    key = keyAfter(text, j + 1);
  }
  return false;
}

/** Where the line after the one starting at `from` starts (its end raw, or `\n` as JSON writes it), within {@link AUTHS_LINE_MAX}; -1: none. */
function afterFirstLine(text: string, from: number): number {
  const stop = Math.min(text.length, from + AUTHS_LINE_MAX);
  for (let p = from; p < stop; p++) {
    const c = text.charCodeAt(p);
    if (c === 10) return p + 1;
    if (c === 92) {
      let k = p + 1;
      while (k < stop && text.charCodeAt(k) === 92) k++;
      if (text.charCodeAt(k) === 110 /* n */) return k + 1;
      p = k - 1;
    }
  }
  return -1;
}

/**
 * The quote closing a string opened at `from` with `escapes` backslashes before its quote, within
 * {@link AUTHS_LINE_MAX}; -1: not there. A quote closes it when the backslashes before it are its own `escapes`
 * plus escaped backslashes, each `2 * escapes + 2` long at that depth (`\\` in JSON, `\\\\` encoded once more):
 * `"C:\\Users\\"` ends at its last quote. Native searches for the quotes.
 */
function closingQuote(text: string, from: number, escapes: number): number {
  const stop = Math.min(text.length, from + AUTHS_LINE_MAX);
  for (let p = text.indexOf('"', from); p >= 0 && p < stop; p = text.indexOf('"', p + 1)) {
    let run = 0;
    while (run < p - from && text.charCodeAt(p - 1 - run) === 92) run++;
    if (run >= escapes && (run - escapes) % (2 * escapes + 2) === 0) return p;
  }
  return -1;
}

/** A character of a JSON number, `true`, `false` or `null`. */
function isScalarChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 46 || c === 43 || c === 45;
}

/**
 * Where the first key of an object opened right before `i` starts (after its opening quote), or -1: after
 * blanks and line ends, raw or as JSON writes them, a quote (maybe escaped). Bounded.
 */
function keyAfter(text: string, i: number): number {
  const j = blanksAfter(text, i);
  const q = j + backslashes(text, j);
  return text.charCodeAt(q) === 34 ? q + 1 : -1;
}

/** Whether the key starting at `i` is `name`, closed by a quote (maybe escaped). */
function keyIs(text: string, i: number, name: string): boolean {
  const close = i + name.length;
  return text.startsWith(name, i) && text.charCodeAt(close + backslashes(text, close)) === 34;
}

/** Past the blanks and line ends at `i`, raw or as JSON writes them (`\n`, `\t`): at most 64. */
function blanksAfter(text: string, i: number): number {
  let j = i;
  for (let m = 0; m < 64; m++) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      j++;
      continue;
    }
    const k = c === 92 ? backslashes(text, j) : 0;
    const e = text.charCodeAt(j + k);
    if (k === 0 || !(e === 110 || e === 114 || e === 116)) break;
    j += k + 1;
  }
  return j;
}

/** Length of the run of at most 7 backslashes at `i`. */
function backslashes(text: string, i: number): number {
  let k = 0;
  while (k < 7 && text.charCodeAt(i + k) === 92) k++;
  return k;
}

/** `://` with an `@` somewhere after it. */
function urlPassword(text: string): number {
  if (!text.includes('@')) return 0;
  const scheme = text.indexOf('://');
  return scheme >= 0 && text.indexOf('@', scheme + 3) >= 0 ? URL_PASSWORD : 0;
}

/**
 * Compiles a redactor. Built-in kinds, in the order they run: `private_key`
 * (PEM, also when cut short),
 * `anthropic_key` (before `openai_key`, which would also match), `openai_key`,
 * `aws_access_key`, `github_token`, `gitlab_token`, `slack_token`,
 * `google_api_key`, `jwt`, `bearer` (keeps `Authorization: Bearer `),
 * `cookie` (the values of `Cookie:` and `Set-Cookie:` headers: redact-cookies.ts; of cookies outside a header,
 * HAR and storage-state cookie lists, `cookies={…}`, `cookies.set(…)`, curl's `-b`: redact-cookie-jars.ts),
 * `url_password` (keeps `scheme://user:` and `@host`), `password_assignment`
 * (keeps the key: `password=`, `"api_key": "..."`, `DB_PASSWORD=...`; then
 * its positional forms: `os.getenv("API_KEY", "...")`, `process.env.API_KEY ?? "..."`,
 * `auth=("u", "...")`, `server.login("u", "...")`),
 * `name_value` (the value of a `name: DB_PASSWORD` / `value: ...` pair),
 * `cli_password` (`mysql -pX`, `curl -u user:X`, ...: keeps the flag and the
 * user), `netrc_password`, `basic_auth` (Docker's and npm's base64
 * `user:password`), then `extraPatterns` in order. Each match becomes
 * `[REDACTED:<kind>]`.
 *
 * Defaults: `enabled: true`, no extra patterns, no extra key names. User
 * patterns get the `g` flag added when missing; they must be linear-time
 * themselves. If anything throws while redacting, the whole text is replaced
 * by `[REDACTED:error]` (fail closed).
 */
export function createRedactor(options?: RedactorOptions): Redactor {
  // Options come from configuration: if they are malformed beyond repair, redact everything rather than throw.
  return guarded(
    () => compileRedactor(options),
    () => ({ enabled: true, redact: () => ({ text: tag('error'), redactions: 1, kinds: ['error'] }) }),
  );
}

/**
 * @internal {@link createRedactor}; `screened: false` runs every rule on
 * every string (the reference the screen is tested against).
 */
export function compileRedactor(options: RedactorOptions | undefined, screened = true): Redactor {
  const enabled = options?.enabled !== false;
  const extraKeys = Array.isArray(options?.extraKeyNames) ? options.extraKeyNames.filter((k): k is string => typeof k === 'string' && k.length > 0) : [];
  const keys = keyVariants([...SECRET_KEY_NAMES, ...extraKeys]);
  const screen = new SecretScreen(keys);
  const rules = builtinRules(keys, screen);
  let compileError = false;
  for (const p of Array.isArray(options?.extraPatterns) ? options.extraPatterns : []) {
    try {
      if (!(p.pattern instanceof RegExp)) throw new TypeError('pattern is not a RegExp');
      const flags = p.pattern.flags.includes('g') ? p.pattern.flags : p.pattern.flags + 'g';
      const kind = String(p.kind).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'custom';
      const replaceOutsideTags = (match: string, _groups: (string | undefined)[], _next: string, input: string, offset: number): string | undefined =>
        withinTag(input, offset, offset + match.length) ? undefined : tag(kind);
      rules.push({ kind, bit: 0, re: new RegExp(p.pattern.source, flags), replace: replaceOutsideTags });
    } catch {
      compileError = true; // a broken user pattern must not silently let its secrets through
    }
  }
  const alwaysRun = rules.some((r) => r.bit === 0);
  const after = laterBits(rules);
  const cutKeys = cutKeysOf(keys);
  const scan = screened ? (t: string, needed?: number): number => screen.scan(t, needed) : (): number => ~0;
  const redact = (text: string, call?: RedactCallOptions): RedactionResult => {
    if (!enabled) return { text, redactions: 0, kinds: [] };
    if (typeof text !== 'string') return { text: '', redactions: 0, kinds: [] };
    if (compileError) return { text: tag('error'), redactions: 1, kinds: ['error'] };
    try {
      const mask = scan(text);
      const cutAtEnd = call?.cutAtEnd === true;
      // The common case: no rule can match; nothing else runs and nothing is allocated but the result. (Nor can a cut
      // token, nor a cut value after a key or a scheme: every secret prefix and key holds a character the screen looks
      // for. A URL's password cut before its `@` the screen does not see: looked for where the text was cut.)
      if (mask === 0 && !alwaysRun && !((cutAtEnd || text.includes(TRUNCATION_MARK)) && text.includes('://'))) return { text, redactions: 0, kinds: [] };
      const found = runRules(rules, after, scan, mask, text);
      if (!cutAtEnd && !found.text.includes(TRUNCATION_MARK)) return found;
      const cut = redactCutTokens(found.text, cutAtEnd, cutKeys);
      if (cut.count === 0) return found;
      for (const kind of cut.kinds) if (!found.kinds.includes(kind)) found.kinds.push(kind);
      return { text: cut.text, redactions: found.redactions + cut.count, kinds: found.kinds };
    } catch {
      return { text: tag('error'), redactions: 1, kinds: ['error'] };
    }
  };
  return { redact, enabled };
}

/** The secrets' keys `keys` (as the assignment rule reads them: a prefix, then a key name) for a value a cut ended. */
function cutKeysOf(keys: readonly string[]): CutKeys {
  const keyName = new RegExp(`^[A-Za-z0-9_.-]{0,128}(?:${keys.map(caseless).join('|')})$`);
  return {
    isKey: (key) => keyName.test(key),
    kept: (value, key, input, keyStart, end) =>
      keptValue(
        { value, doubleQuoted: true, singleQuoted: false, escapedQuote: undefined, list: false, bare: false, pastBracket: false, end, more: '', moreEnd: end },
        key,
        ':',
        input,
        keyStart,
      ),
  };
}

/**
 * Runs the PEM pass and each rule whose bit is in `mask`. After a rule
 * replaced something the text is screened again: the replacement changed it,
 * and the later rules must see the screen of the text they run on (for their
 * bits only, `after`: see {@link laterBits}).
 */
function runRules(rules: readonly Rule[], after: readonly number[], scan: (t: string, needed?: number) => number, initialMask: number, input: string): RedactionResult {
  let text = input;
  let mask = initialMask;
  let count = 0;
  const kinds: string[] = [];
  /** The screen of the text after rule `r` replaced something, for the rules after it (none screened: no rescan). */
  const rescan = (r: number): number => (after[r] === 0 ? 0 : scan(text, after[r]));
  if ((mask & PRIVATE_KEY) !== 0) {
    const pem = redactPem(text);
    if (pem.count > 0) {
      text = pem.text;
      count += pem.count;
      kinds.push('private_key');
      // Every rule runs after the PEM pass, the first one too: its own bit with those after it.
      mask = scan(text, after[0]! | rules[0]!.bit);
    }
  }
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.bit !== 0 && (mask & rule.bit) === 0) continue;
    if (rule.run !== undefined) {
      const found = rule.run(text);
      if (found.count > 0) {
        text = found.text;
        count += found.count;
        if (!kinds.includes(rule.kind)) kinds.push(rule.kind);
        mask = rescan(r);
      }
      continue;
    }
    rule.re.lastIndex = 0;
    let hit = false;
    text = text.replace(rule.re, (...args: unknown[]) => {
      const match = args[0] as string;
      if (match.length === 0) return match; // an empty match (a careless user pattern) redacts nothing
      // Capture groups sit between the match and the offset argument.
      const groupEnd = args.findIndex((a, i) => i > 0 && typeof a === 'number');
      const groups = args.slice(1, groupEnd < 0 ? 1 : groupEnd) as (string | undefined)[];
      const offset = args[groupEnd] as number;
      const input = args[groupEnd + 1] as string;
      const r = rule.replace(match, groups, input.charAt(offset + match.length), input, offset);
      if (r === undefined) return match;
      count++;
      hit = true;
      const kind = rule.kindOf?.(match) ?? rule.kind;
      if (!kinds.includes(kind)) kinds.push(kind);
      return r;
    });
    if (hit) mask = rescan(r);
  }
  return { text, redactions: count, kinds };
}

/**
 * For each rule of `rules`, the bits of the screened rules after it: what the screen looks for again after that
 * rule replaced something (0: none is screened, no rescan is needed).
 */
function laterBits(rules: readonly Rule[]): number[] {
  const after = new Array<number>(rules.length);
  let bits = 0;
  for (let r = rules.length - 1; r >= 0; r--) {
    after[r] = bits;
    bits |= rules[r]!.bit;
  }
  return after;
}
