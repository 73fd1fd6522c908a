/**
 * What is code, not a secret, after a secret's key: the values the
 * `password_assignment` and `url_password` rules of `redact.ts` keep.
 * Code is stored redacted and its hash is taken over the redacted text, so
 * code rewritten as if it held a secret changes what later stages mine; a
 * secret kept is worse. The rules here are those two reviews of 2026-12-05
 * settled on (false positives in realistic agent code, leaks in realistic
 * configuration); the package README lists them with what is left.
 */

/**
 * A URL's password that is a template's placeholder: a field of names (`{DB_PASSWORD}`,
 * `{settings.redis_password}`, `{}`), a shell variable (`${PW}`, `$PGPASSWORD`: capitals), `%s`,
 * `<password>`. Not a word (`admin:password@`, `root:secret@` are real default credentials).
 */
export const URL_PASSWORD_PLACEHOLDER_RE = /^(?:\{(?:[A-Za-z_][A-Za-z_.]{0,127})?\}|\$\{[A-Za-z_]\w{0,63}\}|\$[A-Z_][A-Z0-9_]{0,63}|%s|<[A-Za-z _-]{1,64}>)$/;

/**
 * Whether a value whose first character is `c` may match {@link NON_SECRET_VALUE_RE} once trimmed: false only for an ASCII
 * letter or digit none of its words starts with (in any case). A guard before the regex, which every judged value meets.
 */
export function mayBeNonSecretWord(c: number): boolean {
  const lower = c >= 65 && c <= 90 ? c + 32 : c;
  if (lower >= 97 && lower <= 122) return (NON_SECRET_FIRST_LETTERS & (1 << (lower - 97))) !== 0;
  return !(c >= 48 && c <= 57);
}

/** The first letters of {@link NON_SECRET_VALUE_RE}'s words (`a`, `b`, `e`, `f`, `g`, `i`, `n`, `o`, `p`, `s`, `t`, `u`, `x`), a bit each. */
const NON_SECRET_FIRST_LETTERS = [...'abefginopstux'].reduce((bits, l) => bits | (1 << (l.charCodeAt(0) - 97)), 0);

/**
 * Values that are placeholders, types or references, not secrets. A word's answer is {@link nonSecretWord}'s (no regex):
 * an alternative that can match a word (`[A-Za-z0-9_]` only) added here goes there too (test/redact-word-shortcuts.test.ts).
 */
export const NON_SECRET_VALUE_RE = /^(?:none|null|nil|undefined|true|false|str|string|int|bool|optional|any|\*+|x+|\.\.\.|<[^>]{0,64}>|\$\{[A-Za-z_][A-Za-z0-9_]{0,64}\}|os\.environ.{0,128}|os\.getenv.{0,128}|process\.env.{0,128}|getpass.{0,128}|input\(.{0,128}|env\(.{0,128}|\{\{.{0,128})$/i;

/** The words of {@link NON_SECRET_VALUE_RE}, in lower case ({@link nonSecretWord}). */
const NON_SECRET_WORDS = ['none', 'null', 'nil', 'undefined', 'true', 'false', 'str', 'string', 'int', 'bool', 'optional', 'any'];

/**
 * {@link NON_SECRET_VALUE_RE}'s answer for a value of word characters only ({@link wordShape} not 0), without the regex
 * (every judged value meets it, most are such words): one of its words in any case, `x`s, or `getpass` then at most
 * 128 characters (`getpass.{0,128}`: `getpass`, `GETPASS_X`). Only those of its alternatives match a word (the others
 * need `*`, `.`, `<`, `$`, `{` or `(`); ASCII letters compared as `/i` does (`| 32` lowers a letter, and leaves a
 * digit or `_` no letter).
 */
export function nonSecretWord(value: string): boolean {
  let xs = value.length > 0;
  for (let i = 0; i < value.length && xs; i++) xs = (value.charCodeAt(i) | 32) === 120;
  if (xs) return true;
  if (value.length >= 7 && value.length <= 7 + 128 && startsCaseless(value, 'getpass')) return true;
  // (Its words have 3 to 9 letters, none 7.)
  if (value.length < 3 || value.length > 9 || value.length === 7) return false;
  for (let k = 0; k < NON_SECRET_WORDS.length; k++) {
    const word = NON_SECRET_WORDS[k]!;
    if (word.length !== value.length) continue;
    if (startsCaseless(value, word)) return true; // (of the same length: the same word)
  }
  return false;
}

/** Whether the word `value` starts with `lower` (ASCII lower case letters) in any case, as {@link nonSecretWord} compares. */
function startsCaseless(value: string, lower: string): boolean {
  if (value.length < lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((value.charCodeAt(i) | 32) !== lower.charCodeAt(i)) return false;
  return true;
}

/**
 * Placeholders of format strings and SQL (`%s`, `%(pw)s`, `?`, `$1`), special tokens (`[PAD]`), and a lone `-` (a table's
 * or a listing's "none"; also all that is left of `${DB_PASSWORD:-  }` read as the key `DB_PASSWORD`, `:` and a value,
 * its `$` replaced by an earlier value: review of 2026-12-07).
 */
const PLACEHOLDER_RE = /^(?:\?|-|%[sdr]|%\(\w{1,64}\)[sdr]|\$\d{1,3}|\[[A-Z_]{2,16}\])$/;
/** A bare placeholder: an SQL named parameter or an empty or named template field (`:password`, `{}`, `{pw}`). */
const BARE_PLACEHOLDER_RE = /^(?::[A-Za-z_]{1,64}|\{[A-Za-z_]{0,64}\})$/;
/** Words that start an expression, not a value (`token = await get_token()`, `key = new Key()`): of 3 letters or more (notASecret asks only then). */
const EXPRESSION_WORD_RE = /^(?:await|new|yield|lambda|not|typeof|require|import)$/;
/**
 * A name or a path of names, without digits (`api_key`, `args.password`, `tokenizer.eos_token`), its parts maybe
 * joined by optional chaining (`req.headers?.authorization`; not `!.`, a TypeScript non-null assertion, as
 * often a password's punctuation: `user!.Token`). A word's answer notASecret reads without it (no digit, 128 characters
 * at most): changed here, change it there.
 */
const REFERENCE_RE = /^[A-Za-z_][A-Za-z_]{0,127}(?:\??\.[A-Za-z_][A-Za-z_]{0,127}){0,16}$/;
/** Objects code reads settings from: a path starting with one is a reference (`args.password`, `req.body.token`). */
const SOURCE_OBJECT_RE = /^(?:self|this|cls|args|opts|options|params|config|cfg|conf|settings|env|os|process|request|req|res|form|ctx|context|props|data|body|user|session|credentials|creds|secrets|values)\??\./;
/**
 * A name or a path of names, then a subscript of a loop index, a short type name or nothing
 * (`tokens[i`, `form[`, `Optional[str`), or a lower-case name by a small number (`argv[1`; not
 * `Welcome[12]`).
 */
const SUBSCRIPT_RE = /^(?:[A-Za-z_][A-Za-z_.]{0,127}\[(?:[a-z]{1,3})?|[a-z_][a-z_.]{0,127}\[\d{1,2})$/;
/** A generic type (`Option<String>`, `Promise<string>`). */
const GENERIC_RE = /^[A-Za-z_][A-Za-z_.]{0,127}<[A-Za-z_.,<> ]{1,128}>$/;
/**
 * A generic type cut at its first argument's end (`Annotated[str`, `Annotated[Union[str`, `Dict[str`,
 * `Record<string`, `Promise<string`): type constructors, capitalised or Python's built-in ones (`dict[str`),
 * maybe after a module (`typing.Dict[`), then a name; no digit, as passwords mostly have.
 */
const OPEN_GENERIC_RE = /^(?:(?:[a-z_]{1,32}\.)?(?:[A-Z][A-Za-z_]{0,63}|dict|list|tuple|set|frozenset|type)[[<]){1,4}[A-Za-z_.]{1,64}$/;
/**
 * YAML tags that configuration uses for a secret held elsewhere, kept whatever follows them (their argument may
 * be on the next lines: `!vault |`, `Password: !Ref` then `  DbPassword`): Ansible's `!vault`, `!unsafe`; Home
 * Assistant's and ESPHome's `!secret`, `!include…`, `!env_var`, `!input`, `!lambda`; GitLab CI's `!reference`;
 * CloudFormation's and SAM's functions (`!Ref`, `!GetAtt`, `!Sub`, `!ImportValue`, `!If`, ...); Docker Compose's
 * `!reset`, `!override` and ESPHome's `!remove`, `!extend` (alone on their line: they unset or replace a value);
 * CSS's `!important` (`--token: !important;`).
 */
const KNOWN_YAML_TAG_RE =
  /^!(?:vault|unsafe|secret|include(?:_dir_(?:list|named|merge_list|merge_named))?|env_var|input|lambda|reference|Ref|GetAtt|Sub|Base64|Cidr|FindInMap|GetAZs|ImportValue|Join|Select|Split|Transform|And|Equals|If|Not|Or|Condition|ToJsonString|Length|reset|override|remove|extend|important)$/;

/** Blank and comment lines {@link argumentFollows} looks past for the line that holds a tag's argument. */
const TAG_LINES_LOOKED_PAST = 8;

/**
 * Whether a YAML tag's argument follows the value ending at `end`, its key starting at `start`: on the same line,
 * blanks then anything but a comment or what closes a flow collection's item (`!secret db_password`, `!Sub
 * '...'`, `!vault |`), or on the next line that holds something (blank and comment lines passed over), indented
 * past the key (`client_secret: !Vault` then `  path: secret/app`: the tag's mapping). Not the text's end, a
 * comment, a next line indented as the key or less (`password: !hunter` then `host: db`), nor `,`, `}` or `]`
 * (`{password: !hunter, user: x}`, `{ password: !hunter }`), nor another tag (`!AAAAAA !x`, after a blank; found by a
 * property's seed on 2026-12-07). Line ends raw or as JSON writes them. Bounded reads.
 */
function argumentFollows(input: string, start: number, end: number): boolean {
  let i = end;
  for (let n = 0; n < 64 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9); n++) i++;
  const c = input.charCodeAt(i);
  if (Number.isNaN(c) || c === 35 /* # */ || c === 44 /* , */ || c === 125 /* } */ || c === 93 /* ] */) return false;
  // Another tag is no argument (`password: !AAAAAA !x`: no YAML has two tags on one node, so the "tag" is the value).
  if (c === 33 /* ! */ && i > end) return false;
  const lineEnd = lineEndLength(input, i);
  if (lineEnd === 0) return i > end;
  let j = i + lineEnd;
  for (let lines = 0; lines < TAG_LINES_LOOKED_PAST; lines++) {
    let indent = 0;
    for (; indent < 256 && (input.charCodeAt(j) === 32 || input.charCodeAt(j) === 9); j++) indent++;
    const d = input.charCodeAt(j);
    if (Number.isNaN(d)) return false;
    const blank = lineEndLength(input, j);
    if (blank > 0) {
      j += blank;
      continue;
    }
    if (d !== 35 /* # */) return indent > keyColumn(input, start);
    // A comment line: on to its end (within 256 characters).
    let k = j;
    while (k < j + 256 && k < input.length && lineEndLength(input, k) === 0) k++;
    const after = lineEndLength(input, k);
    if (after === 0) return false;
    j = k + after;
  }
  return false;
}

/** Length of the line end at `i`, raw (`\n`, `\r\n`) or as JSON writes it (`\\n`, `\\r\\n`, backslashes maybe doubled); 0: none. */
function lineEndLength(input: string, i: number): number {
  const c = input.charCodeAt(i);
  if (c === 10) return 1;
  if (c === 13) return input.charCodeAt(i + 1) === 10 ? 2 : 1;
  if (c !== 92) return 0;
  let k = 1;
  while (k < 8 && input.charCodeAt(i + k) === 92) k++;
  const e = input.charCodeAt(i + k);
  if (e === 110) return k + 1;
  if (e !== 114) return 0;
  return input.startsWith('\\'.repeat(k) + 'n', i + k + 1) ? 2 * k + 2 : k + 1;
}

/**
 * How far the key at `start` is from its line's start (raw or after a line end as JSON writes it), or from the
 * quote opening the string it is the first line of (`{"stdout": "- client_secret: !Vault\n    path: x"}`: the
 * nearest quote, if one follows `:`, `,`, `[`, `(`, `=` or `{`); 256 past 255.
 */
function keyColumn(input: string, start: number): number {
  let quoteChecked = false;
  let j = start - 1;
  for (; j >= 0 && start - j <= 256; j--) {
    const c = input.charCodeAt(j);
    if (c === 10 || c === 13 || ((c === 110 || c === 114) && input.charCodeAt(j - 1) === 92)) break;
    if ((c === 34 || c === 39) && !quoteChecked) {
      quoteChecked = true;
      if (opensString(input, j)) break;
    }
  }
  return Math.min(256, start - j - 1);
}

/** Whether the quote at `q` (maybe escaped) opens a string: after `:`, `,`, `[`, `(`, `=` or `{`, blanks between. */
function opensString(input: string, q: number): boolean {
  let p = q - 1;
  for (let n = 0; n < 7 && input.charCodeAt(p) === 92; n++) p--;
  for (let n = 0; n < 16 && (input.charCodeAt(p) === 32 || input.charCodeAt(p) === 9); n++) p--;
  const c = input.charCodeAt(p);
  return c === 58 || c === 44 || c === 91 || c === 40 || c === 61 || c === 123;
}

/**
 * A negated name of code after `:` (`showPassword: !showPassword`, `SkipToken: !useToken`, `verify_token:
 * !skip_verify`): a hump or an inner `_` (a password of letters, `!hunter`, `!Secret`, has neither), and a word
 * shared with its key (see {@link sharesWord}: `password: !letMeIn` is a password).
 */
const NEGATED_NAME_RE = /^![a-z]+(?:[A-Z][a-z0-9]*)+$|^![A-Za-z]+_[A-Za-z_]+$/;

/** The words of a name, camelCase or snake_case parts of 3 letters or more, lowercased. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3);
}

/** Whether a negated name shares a word with its key (`showPassword: !showPassword`, `SkipToken: !useToken`). */
function sharesWord(value: string, key: string): boolean {
  const keyWords = new Set(nameWords(key));
  return nameWords(value.slice(1)).some((w) => keyWords.has(w));
}

/** Language-model token ids and counts (`max_new_tokens`, `pad_token`, `eos_token_id`). */
const TOKEN_COUNT_KEY_RE = /^(?:max|min|num|n|total|prompt|completion|input|output|pad|eos|bos|unk|sep|cls|mask)_(?:new_)?tokens?(?:_ids?)?$/;

/**
 * Whether the key at `start` sits where code, not configuration, puts it:
 * a keyword argument (after `(` or `,`, given with `=`), an attribute of
 * `self`/`this`/`cls`, a declaration (`const`, `let`, `var`) or a lambda's
 * parameter. Only there
 * is a bare name a variable; in a config file (`.env`, YAML, `.properties`,
 * INI) the same text is the secret itself (`password=MyPassword`).
 */
export function inCode(key: string, separator: string, input: string, start: number): boolean {
  const k0 = key.charCodeAt(0); // (`s`, `t` or `c` first: the regex only then)
  if ((k0 === 115 || k0 === 116 || k0 === 99) && /^(?:self|this|cls)\./.test(key)) return true;
  let i = start - 1;
  while (i >= 0 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9)) i--;
  // `lambda token: token not in stopwords`. Its `a` at `i` first (every assignment passes here); before the fifth
  // character `startsWith` reads from the text's start (a negative position counts as 0), so it is asked then.
  if ((i < 5 || input.charCodeAt(i) === 97) && input.startsWith('lambda', i - 5)) return true;
  const c = input.charCodeAt(i);
  // A keyword argument (`f(api_key=api_key)`, `connect(host, password=pw)`); with `:` the same place is
  // prose or a flow mapping as often as a parameter (`(user: root, password: Summer)`).
  if ((c === 40 /* ( */ || c === 44 /* , */) && !separator.includes(':')) return inCallArguments(input, start);
  // `const`, `let` and `var` end in `t` or `r`: the slice and the regex only then (every assignment passes here).
  const last = input.charCodeAt(i);
  return (last === 116 || last === 114) && /(?:^|[\s;{(])(?:const|let|var)$/.test(input.slice(Math.max(0, i - 6), i + 1));
}

/**
 * Whether `start` is among a call's arguments, outside any string: an open
 * `(` before it on the same line, right after a name (`connect(`) or a tag
 * ({@link tagEndsAt}), with an even number of quotes in between. Mount options and connection strings
 * (`user=bob,password=x`, `User Id=sa,Password=x`) have no such `(`, an LDAP
 * filter's follows `(`, `&` or `|`, and a string argument
 * (`connect("user=bob,password=x")`) puts a quote in between.
 */
function inCallArguments(input: string, start: number): boolean {
  let depth = 0;
  let quotes = 0;
  for (let k = start - 1; k >= 0 && start - k <= 512; k--) {
    const c = input.charCodeAt(k);
    if (c === 10) return false;
    if (c === 34 || c === 39) quotes++;
    else if (c === 41) depth++;
    else if (c === 40) {
      if (depth > 0) {
        depth--;
        continue;
      }
      return quotes % 2 === 0 && (/[A-Za-z0-9_]/.test(input.charAt(k - 1)) || tagEndsAt(input, k - 1));
    }
  }
  return false;
}

/** A tag ending a text (`[REDACTED:password_assignment]`), maybe quoted as its key is (`"[REDACTED:…]"`, escaped too). */
const TAG_BEFORE_RE = /\[REDACTED:[A-Za-z0-9_.-]{1,64}\](?:\\{0,7}["'])?$/;

/**
 * Whether a tag ends at `i` (its `]`, or the quote after it: a bare value after a quoted key is quoted as the key is).
 * Where the code rules read the character before a bracket or a quote (a name
 * before `(`, `=` before `{`, `{` or `,` before a key's quote), a tag there stands for the value it replaced, read as
 * the character that makes code: the first pass read the value's last character (`password=Tr0ub4dor(token=abc)`,
 * `apiKey: value={ password: api_key}`, `{"password": "{"password": h.example}`), and a second pass, reading the
 * tag's `]` as no code, redacted the name the first had kept. Read so, both passes agree: where the value's last
 * character made no code (`Tr0ub4dor!(`), what follows was redacted in the first pass, and its tag is kept.
 */
function tagEndsAt(input: string, i: number): boolean {
  const c = input.charCodeAt(i);
  return (c === 93 || c === 34 || c === 39) && TAG_BEFORE_RE.test(input.slice(Math.max(0, i - 88), i + 1));
}

/** Template fields and punctuation only, with at least two fields or one holding an expression (`f"{a}-{b}"`, `"{uid.hex}"`). */
function isInterpolationsOnly(value: string): boolean {
  if (!/^(?:\{[A-Za-z_][^{}]*\}[^A-Za-z0-9{}]*)+$/.test(value)) return false;
  const fields = value.match(/\{[^{}]*\}/g) ?? [];
  return fields.length >= 2 || /[.([]/.test(fields[0] ?? '');
}

/**
 * Whether what follows `${NAME:` (the value read after a key's `:`, ending at `end`) is no value: `:?`'s error message,
 * or an operator (`-`, `=`, `+`) whose word is empty (`${API_KEY:-}`: `set -u` scripts and compose files write it
 * everywhere), a reference (`${TOKEN:-$GH_TOKEN}`, `${A:-${B}}`, `${A:-$(cat f)}`), or after `+` a flag
 * (`${TOKEN:+--token}`: the word used when the variable is set). A literal default is a value (`${PW:-changeme}`).
 */
function shellWordKept(value: string, input: string, end: number): boolean {
  if (value.startsWith('?')) return true;
  if (!/^[-=+]/.test(value)) return false;
  const word = value.slice(1);
  if (word === '') return input.charCodeAt(end) === 125; // `}`
  if (word === '$') return input.charCodeAt(end) === 123 || input.charCodeAt(end) === 40; // `${`, `$(`
  return /^\$[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(word) || (value.charCodeAt(0) === 43 && word.startsWith('-'));
}

/**
 * Whether an assigned value is code, not a secret: what it refers to holds
 * the secret, if any, and redacting it would corrupt the code and its hash
 * (mined later for repeated code). Decided after two reviews, one of false
 * positives in realistic agent code and one of leaks in realistic
 * configuration: a secret leaked is worse than code changed, so what is kept
 * is what configuration does not look like. Kept:
 * - a placeholder (`password = ?`, `%s`, `%(pw)s`, `$1`, `"[PAD]"`; bare: `:password`, `{}`);
 * - a value of blanks, quotes and `+` only (`"Password: " + ...` took `" + "` for one), or of
 *   interpolations only (`f"{prefix}-{uid}"`);
 * - `PWD=/path`, `OLDPWD=...` (the working directory, those names in capitals), token ids and counts
 *   under a language model's keys (`max_new_tokens=256`, `"pad_token": 0`);
 * - `"$PWD":/work` and `${API_KEY:?message}` (a shell variable, a parameter's error message);
 * - bare values only: a keyword starting an expression (`await`, `new`), a nested list (`[[101, 2023]]`),
 *   a generic type (`Option<String>`), a subscript of a name (`tokens[i]`, `request.form["password"]`,
 *   `Optional[str]`), a path from a settings object (`args.password`, `req.body.token`), an angle-bracket
 *   placeholder (`<your key here>`), `!vault` and, after `:`, a YAML tag with its argument (`!secret name`, `!Ref X`) or
 *   a known one (`!vault`, `!Ref`: {@link KNOWN_YAML_TAG_RE}), the `:param` of a docstring;
 * - in code only (`inCode`): any name or path of names (`f(api_key=api_key)`, `self.password = password`,
 *   `const token = source.token`); and a name clearly of code ({@link isCodeName}) as an item of a literal
 *   or a call of code (`inCodeLiteral`: `{"password": db_password}`, `new Pool({ password: dbPassword })`, a
 *   keyword argument of a call over several lines).
 * A plain word stays a secret anywhere else (`password=MyPassword`, `password: password`,
 * `{user: admin, password: Welcome}`, `{"password": Welcome}`, `{"password": pw}`).
 */
export function notASecret(
  value: string,
  key: string,
  separator: string,
  bare: boolean,
  input: string,
  start: number,
  end: number,
  shape: number = wordShape(value),
): boolean {
  // Every assignment passes here: a regex is tried only where the character it cannot match without is (most values
  // start with a word's character, and few hold `[`, `<` or `.`). Each guard is what its regex requires. A value of
  // word characters only (`shape`, read once: {@link wordShape}) holds none of them: the searches are skipped.
  const word = shape !== 0 || isWordCharacter(value.charCodeAt(0));
  if ((!word && PLACEHOLDER_RE.test(value)) || (shape === 0 && value.startsWith('[['))) return true;
  if ((!word && /^[\s"'+]*$/.test(value)) || (value.charCodeAt(0) === 123 && isInterpolationsOnly(value))) return true;
  if ((key === 'PWD' || key === 'OLDPWD') && /^[/~]/.test(value)) return true;
  // The value's digits first: every assignment passes here, and few values are numbers (the key's lower case allocates).
  if (value.charCodeAt(0) <= 57 && /^\d{1,7}$/.test(value) && TOKEN_COUNT_KEY_RE.test(key.slice(key.lastIndexOf('.') + 1).toLowerCase())) return true;
  const colon = holdsChar(separator, 58 /* : */);
  // `$PWD:/work` (a shell variable, then a path) and `${API_KEY:?message}` (not `${PW:-default}`: a default is a value).
  // A tag before the `{` stands for the `$` it replaced (`abcd${…` redacted): see tagEndsAt.
  if (colon && input.charCodeAt(start - 1) === 36 /* $ */) return true;
  if (colon && input.charCodeAt(start - 1) === 123 /* { */ && (input.charCodeAt(start - 2) === 36 || tagEndsAt(input, start - 2)) && shellWordKept(value, input, end)) return true;
  if (!bare) return false;
  const angle = shape === 0 && value.includes('<');
  const bracket = shape === 0 && value.includes('[');
  if ((!word && BARE_PLACEHOLDER_RE.test(value)) || (mayBeExpressionWord(value.charCodeAt(0)) && value.length >= 3 && EXPRESSION_WORD_RE.test(value)) || (angle && GENERIC_RE.test(value))) return true;
  // `<your key here>`: words up to a `>` on the same line.
  if ((value.charCodeAt(0) === 60 && /^<[A-Za-z_-]{1,64}$/.test(value) && /^[A-Za-z _-]{0,64}>/.test(input.slice(end, end + 66))) || value === '!vault') return true;
  // A YAML tag after `:` (`!secret db_password`, `!Ref DbPassword`, `!Sub ...`): the value is a reference (no plain
  // YAML value starts with `!`). A `!word` with nothing after it is a password (`password: !Secret`).
  if (colon && shape === 0 && /^![A-Za-z_]{1,32}$/.test(value) && (KNOWN_YAML_TAG_RE.test(value) || (NEGATED_NAME_RE.test(value) && sharesWord(value, key)) || argumentFollows(input, start, end))) return true;
  // A subscript closed right after the value (`tokens[i]`, `request.form["password"]`): a `[` inside a
  // secret (`Xk[9mP]2`) is followed by what no name starts with, or runs on to the value's end.
  if (bracket && SUBSCRIPT_RE.test(value) && (value.endsWith('[') ? /["'\\]/.test(input.charAt(end)) : /^(?:\]| [+-] )/.test(input.slice(end, end + 3)))) return true;
  // A type annotation whose generic goes on with another argument or a union (FastAPI's `authorization:
  // Annotated[str | None, Header()] = None`, `token: Dict[str, str]`, `Record<string, string>`): the value stopped
  // at its `,` or ` |`.
  if ((bracket || angle) && OPEN_GENERIC_RE.test(value) && /^(?:, | \| )/.test(input.slice(end, end + 3))) return true;
  // A word is a reference when it has no digit and at most 128 characters (the regex's first part; the rest needs a `.`).
  if (shape !== 0 ? (shape & WORD_DIGIT) !== 0 || value.length > 128 : !REFERENCE_RE.test(value)) return false;
  if (shape === 0 && value.includes('.') && SOURCE_OBJECT_RE.test(value)) return true;
  // One object's attributes (`tokenizer.pad_token = tokenizer.eos_token`). The key's first and last `.`: one loop over
  // its few characters (every judged name passes here; isCodeName reads the name after the last).
  let dot = -1;
  let lastDot = -1;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 46) {
      if (dot < 0) dot = i;
      lastDot = i;
    }
  }
  if (dot > 0 && value.startsWith(key.slice(0, dot + 1))) return true;
  if (colon && input.startsWith(':param ', start - 7)) return true; // Sphinx: `:param password: the user's password`
  return inCode(key, separator, input, start) || (isCodeName(value, key, input, end, shape, lastDot) && inCodeLiteral(separator, input, start, end));
}

/**
 * Whether `s` holds the character `c`: a loop, for a separator's few characters (`=`, `": "`), which every judged
 * value's is searched for (a call into the runtime costs more than the loop).
 */
export function holdsChar(s: string, c: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === c) return true;
  return false;
}

/** {@link wordShape}: every character is one of `[A-Za-z0-9_]` (and there is one). */
export const WORD_CHARS = 1;
/** {@link wordShape}: a digit among them. */
export const WORD_DIGIT = 2;

/**
 * What a value is made of, read once for the keep rules' guards: 0 when it is empty or a character is not
 * `[A-Za-z0-9_]`; else {@link WORD_CHARS}, with {@link WORD_DIGIT} when one is a digit. Most values judged are such
 * words (`pwd=abc`), and for them the searches and regexes needing `.`, `[`, `<`, `$`, `!`, a quote or a blank answer
 * no without a call.
 */
export function wordShape(value: string): number {
  let shape = value.length > 0 ? WORD_CHARS : 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) shape |= WORD_DIGIT;
    else if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return 0;
  }
  return shape;
}

/**
 * Whether a bare value is clearly a name of code, not a password of letters: it has a `_` or a `.` (`api_key`,
 * `db_password`, `cfg.token`, `req.headers?.authorization`), an inner capital after a lower-case letter
 * (`apiKey`, `dbPassword`), is followed by `.`, `(` or `[`, or is the key itself (`"api_key": api_key`,
 * `"password": password`). A plain word, lower case or capitalised, is as often a password written in a
 * dict, a YAML flow mapping or prose (`{"user": admin, "password": Welcome}`, `password: letmein`), and a
 * short variable (`{"password": pw}`) is redacted with it: a secret stored in clear is worse.
 */
function isCodeName(value: string, key: string, input: string, end: number, shape: number, lastDot: number): boolean {
  // Followed by a member, a call or a subscript (`config.api_key`, `get_key()`, `env["K"]`): code.
  const next = input.charCodeAt(end);
  if (next === 46 || next === 40 || next === 91) return true;
  if (shape === 0 && value.includes('.')) return /^[a-z_][A-Za-z0-9_]*\.[A-Za-z_]/.test(value) && !/[A-Z]/.test(value.slice(0, value.indexOf('.')));
  // A variable's name saying what the key says (`"api_key": api_key`, `"password": db_pw`, `apiKey:
  // openaiApiKey`): lower case first, and the key itself or a word of secrets in it. Any other word, camelCase
  // or snake_case included (`SuperSecret`, `correct_horse`, `WelcomeHome`), may be the password itself.
  // (`lastDot`: the key's last `.`, -1 for none, found by the caller.)
  const keyName = lastDot < 0 ? key : key.slice(lastDot + 1);
  const squashed = squash(value);
  if (squashEquals(keyName, squashed)) return true;
  const c = value.charCodeAt(0);
  if (!(c >= 97 && c <= 122) || !(value.includes('_') || lowerThenUpper(value))) return false;
  const name = squash(keyName);
  return (name.length > 0 && squashed.includes(name)) || SECRET_WORDS.test(squashed);
}

/** Whether a lower-case letter is followed by a capital somewhere in `s` (`/[a-z][A-Z]/`, without the regex's call). */
function lowerThenUpper(s: string): boolean {
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      const d = s.charCodeAt(i + 1);
      if (d >= 65 && d <= 90) return true;
    }
  }
  return false;
}

/** Whether {@link EXPRESSION_WORD_RE} may match a value starting with `c`: one of its words' first letters (`a`, `i`, `l`, `n`, `r`, `t`, `y`). */
function mayBeExpressionWord(c: number): boolean {
  return c === 97 || c === 105 || c === 108 || c === 110 || c === 114 || c === 116 || c === 121;
}

/** `[A-Za-z0-9_]`: a character no placeholder, blank, quote or bracket starts with. */
function isWordCharacter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Words of secrets a variable holding one is named with (`db_pw`, `openai_key`, `authToken`). */
const SECRET_WORDS = /pass|pw|secret|token|key|cred|auth/;

/**
 * Whether `squash(s)` is not empty and is `t`: compared character by character for ASCII `s`, without building it (the
 * key's name is squashed for every judged value, and most are not the key's).
 */
function squashEquals(s: string, t: string): boolean {
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c > 127) {
      const name = squash(s);
      return name.length > 0 && name === t;
    }
    if (c === 95 || c === 45) continue;
    if (c >= 65 && c <= 90) c += 32;
    // A mismatch decides: the squash of what follows (a non-ASCII lower case included) cannot change what comes before.
    if (j >= t.length || t.charCodeAt(j) !== c) return false;
    j++;
  }
  return j > 0 && j === t.length;
}

/** Lower case without `_` and `-`: `api_key`, `apiKey` and `API-KEY` read alike. */
function squash(s: string): string {
  // ASCII with no `_`, `-` or capital is its own squash: returned without the two copies (every judged name passes here).
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 95 || c === 45 || (c >= 65 && c <= 90) || c > 127) return s.replace(/[_-]/g, '').toLowerCase();
  }
  return s;
}

/** Most lines {@link openedAbove} walks back over, and most characters it reads. */
const LINES_WALKED_BACK = 8;
const CHARACTERS_WALKED_BACK = 1024;

/**
 * Whether a name given after a secret's key is an item of a literal or a call of code, where a bare name can
 * only be a variable (the value must end the item: {@link endsItem}):
 * - after a quoted key and `:`, in a dict or an object literal (`{"username": user, "password": password}`, AutoGen's
 *   `[{"model": "gpt-4o", "api_key": api_key}]`): `{` or `,` before the key on its line, or the key first on
 *   its line (a dict over several lines). JSON has no bare names, and YAML seldom quotes its keys;
 * - after an unquoted key and `:`, in an object literal opened after `(` or `=` (or `return`), on the key's
 *   line or, the key first on its line, on a line above whose items end in `,` (`new Pool({ user: 'app',
 *   password: db_pw })`, `new OpenAI({` then `apiKey: apiKey,`): JavaScript's. Not after `:` or at a line's start
 *   (`db: {user: admin, password: Welcome}`, `{user: admin, password: Welcome}`: YAML's flow style);
 * - after an unquoted key and `=`, the key first on its line in a call opened on a line above (a keyword
 *   argument of a call over several lines: `connect(` then `password=db_password,`).
 * Bounded reads.
 */
function inCodeLiteral(separator: string, input: string, start: number, end: number): boolean {
  if (!endsItem(input, end)) return false;
  const keyQuote = /^(\\{0,7})(["'])/.exec(separator);
  if (!separator.includes(':')) return keyQuote === null && lineStartBefore(input, start) !== -1 && openedAbove(input, start, 40 /* ( */);
  if (keyQuote !== null) {
    const esc = keyQuote[1]!.length;
    if (input.charAt(start - 1) !== keyQuote[2] || backslashesBefore(input, start - 1) !== esc) return false;
    const open = start - 1 - esc;
    const b = blanksBack(input, open - 1);
    const c = input.charCodeAt(b);
    return c === 123 /* { */ || c === 44 /* , */ || lineStartBefore(input, open) !== -1 || tagEndsAt(input, b);
  }
  // The innermost bracket open before the key on its line.
  let depth = 0;
  let quotes = 0;
  for (let k = start - 1; k >= 0 && start - k <= 512; k--) {
    const c = input.charCodeAt(k);
    if (c === 10 || c === 13) break;
    if (c === 34 || c === 39) quotes++;
    else if (c === 41 || c === 93 || c === 125) depth++;
    else if (c === 40 || c === 91 || c === 123) {
      if (depth > 0) {
        depth--;
        continue;
      }
      return c === 123 && quotes % 2 === 0 && opensCodeObject(input, k);
    }
  }
  return lineStartBefore(input, start) !== -1 && openedAbove(input, start, 123 /* { */);
}

/**
 * Whether the value ending at `end` ends an item of a literal or an argument: blanks, then `,`, `}`, `)`, `]`,
 * or a line end (raw or as JSON writes it) and, on the next line, after blanks, one of `}`, `)`, `]` (the last
 * item of a literal over several lines).
 */
function endsItem(input: string, end: number): boolean {
  let i = end;
  for (let n = 0; n < 64 && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9); n++) i++;
  const c = input.charCodeAt(i);
  if (c === 44 || c === 125 || c === 41 || c === 93) return true;
  const eol = lineEndLength(input, i);
  if (eol === 0) return false;
  i += eol;
  for (let n = 0; n < 256; n++) {
    const d = input.charCodeAt(i);
    if (d === 32 || d === 9) i++;
    else if (d === 92 && input.charCodeAt(i + 1) === 116) i += 2;
    else break;
  }
  const d = input.charCodeAt(i);
  return d === 125 || d === 41 || d === 93;
}

/**
 * Whether the `{` at `k` opens an object of code: after `(` or `=` (not `==`, `!=`, `<=`, `>=`) or `return`, blanks
 * between; or after a tag ({@link tagEndsAt}: `value=` redacted, `apiKey: [REDACTED:…]{ password: api_key}`).
 */
function opensCodeObject(input: string, k: number): boolean {
  const i = blanksBack(input, k - 1);
  const c = input.charCodeAt(i);
  if (c === 40 || tagEndsAt(input, i)) return true;
  if (c === 61) {
    const p = input.charCodeAt(i - 1);
    return p !== 61 && p !== 33 && p !== 60 && p !== 62;
  }
  return input.startsWith('return', i - 5) && !isNameChar(input.charCodeAt(i - 6));
}

const isNameChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/** Length of the run of backslashes (at most 8) ending right before `i`. */
function backslashesBefore(input: string, i: number): number {
  let k = 0;
  while (k < 8 && input.charCodeAt(i - 1 - k) === 92) k++;
  return k;
}

/** Where the spaces and tabs (and tabs as JSON writes them, `\t`) ending at `i` start, less one: at most 256 read. */
export function blanksBack(input: string, i: number): number {
  let j = i;
  for (let n = 0; n < 256 && j >= 0; n++) {
    const c = input.charCodeAt(j);
    if (c === 32 || c === 9) j--;
    else if (c === 116 && input.charCodeAt(j - 1) === 92) j -= 2;
    else break;
  }
  return j;
}

/**
 * When only blanks are before `i` on its line: where the line end before them starts (raw, `\r\n` too, or as
 * JSON writes it, `\n`, its backslash maybe doubled), or -2 at the text's start. -1: something else is before.
 */
function lineStartBefore(input: string, i: number): number {
  const j = blanksBack(input, i - 1);
  if (j < 0) return -2;
  return lineEndStart(input, j);
}

/** Where the line end whose last character is at `j` starts (see {@link lineStartBefore}), or -1 if none ends there. */
function lineEndStart(input: string, j: number): number {
  const c = input.charCodeAt(j);
  let s: number;
  if (c === 10 || c === 13) s = c === 10 && input.charCodeAt(j - 1) === 13 ? j - 1 : j;
  else if ((c === 110 || c === 114) && input.charCodeAt(j - 1) === 92) s = j - backslashesBefore(input, j);
  else return -1;
  // An escaped `\r` before an escaped `\n` belongs to the same line end.
  if (input.charCodeAt(s - 1) === 114 && input.charCodeAt(s - 2) === 92) s -= 1 + backslashesBefore(input, s - 1);
  return s;
}

/**
 * Whether, the key at `start` being first on its line, a line above ends with `opener` opening a call (`(`
 * after a name) or an object of code (`{`: {@link opensCodeObject}), only lines ending in `,` between (the
 * items before the key's): at most {@link LINES_WALKED_BACK} lines and {@link CHARACTERS_WALKED_BACK}
 * characters read.
 */
function openedAbove(input: string, start: number, opener: number): boolean {
  let lineEnd = lineStartBefore(input, start);
  const stop = start - CHARACTERS_WALKED_BACK;
  for (let lines = 0; lines < LINES_WALKED_BACK && lineEnd > 0; lines++) {
    const j = blanksBack(input, lineEnd - 1);
    if (j < 0 || j < stop) return false;
    const c = input.charCodeAt(j);
    if (c === opener) return opener === 40 ? isNameChar(input.charCodeAt(j - 1)) : opensCodeObject(input, j);
    if (c !== 44) return false;
    // On to the start of that line.
    let k = j - 1;
    while (k >= 0 && k >= stop && lineEndStart(input, k) < 0) k--;
    if (k < 0 || k < stop) return false;
    lineEnd = lineEndStart(input, k);
  }
  return false;
}

/**
 * Whether a command's password word or a `.netrc` password is no secret (see
 * `redact-commands.ts`): one holding an earlier tag; a shell expansion (`$PW`, `"${PW}"`,
 * `$(cat f)`, a backquote), unless single-quoted, where `$` is a character;
 * a placeholder (`<password>`, `***`, `xxx`, `{{ .Values.pw }}`, `%s`,
 * `%(pw)s`, `?`, `%PW%`); a template field (`{pw}`, `{self.password}`,
 * `{db_pass!r}`, Ruby's `#{password}`: code building the command); a string being concatenated
 * (`"-p" + pw + "..."` read from inside the code's quotes).
 */
export function isNoSecretWord(word: string, singleQuoted: boolean): boolean {
  if (word.includes('[REDACTED:')) return true;
  const c = word.charCodeAt(0);
  if (!singleQuoted && (c === 36 /* $ */ || c === 96) /* ` */) return true;
  if (NON_SECRET_VALUE_RE.test(word) || URL_PASSWORD_PLACEHOLDER_RE.test(word) || PLACEHOLDER_RE.test(word)) return true;
  if (/^\{[A-Za-z_][^{}]{0,127}\}$/.test(word) || /^%[A-Za-z_]\w{0,63}%$/.test(word)) return true;
  if (/^#\{[^{}]{1,128}\}/.test(word)) return true; // Ruby's interpolation (`"-p#{password}"`)
  return /["'] ?\+|\+ ?["']/.test(word);
}
