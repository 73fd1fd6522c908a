/**
 * Review of the assignment rule's cheaper checks (2026-12-07, after issue #7): each guard that now runs before a regex
 * (a value's first character, the screen's one search for `${`) must decide as the regex alone did. No output was found
 * to differ from the build before the change; these pin the shapes whose guard no other test read (each was seen
 * failing with its guard broken: a first letter dropped, a non-ASCII first character ruled out, `$` read as a word's
 * character, the search for `${` skipped), and check the guards against their regexes and the screen against no screen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRedactor } from '../src/index.js';
import { compileRedactor } from '../src/redact.js';
import { mayBeNonSecretWord, NON_SECRET_VALUE_RE } from '../src/redact-code.js';

const redactor = createRedactor();

/** `[input, redacted text]`, as the redactor before the change wrote them. */
const PINNED: [string, string][] = [
  // Every first letter of a placeholder word, in any case (the guard lower-cases ASCII only).
  ['password=any', 'password=any'],
  ['password=Bool', 'password=Bool'],
  ['password=env(X)', 'password=env(X)'],
  ['password=False', 'password=False'],
  ['password=getpass', 'password=getpass'],
  ['password=GETPASS', 'password=GETPASS'],
  ['password=input(x)', 'password=input(x)'],
  ['password=Int', 'password=Int'],
  ['password=nil', 'password=nil'],
  ['password=Optional', 'password=Optional'],
  ['password=process.env', 'password=process.env'],
  ['password=Str', 'password=Str'],
  ['password=TRUE', 'password=TRUE'],
  ['password=undefined', 'password=undefined'],
  ['password=Undefined', 'password=Undefined'],
  // A blank no ASCII test knows before the word: the value is trimmed before its regex.
  ['password="\u00a0none"', 'password="\u00a0none"'],
  ['password="\u3000getpass"', 'password="\u3000getpass"'],
  ['password="\ufeffundefined"', 'password="\ufeffundefined"'],
  // Look-alikes the `i` flag does not fold to ASCII (no `u` flag): secrets.
  ['password=ſtring', 'password=[REDACTED:password_assignment]'],
  ['password=İnt', 'password=[REDACTED:password_assignment]'],
  ['password=ınt', 'password=[REDACTED:password_assignment]'],
  ['password=\u212Aey', 'password=[REDACTED:password_assignment]'],
  // Words that start an expression (case-sensitive).
  ['token = await', 'token = await'],
  ['token = yield', 'token = yield'],
  ['token = lambda', 'token = lambda'],
  ['token = typeof', 'token = typeof'],
  ['token = require', 'token = require'],
  ['token = Yield', 'token = [REDACTED:password_assignment]'],
  // An SQL placeholder starts with `$`, no word's character.
  ['password=$1', 'password=$1'],
  ['password=$123', 'password=$123'],
  ['password=$1234', 'password=[REDACTED:password_assignment]'],
];

describe('the assignment rule\'s guards decide as their regexes', () => {
  it('redacts each pinned shape as before the change', () => {
    for (const [input, expected] of PINNED) assert.equal(redactor.redact(input).text, expected, input);
  });

  it('never rules out by its first character a value NON_SECRET_VALUE_RE takes', () => {
    const words = ['none', 'null', 'nil', 'undefined', 'true', 'false', 'str', 'string', 'int', 'bool', 'optional', 'any', '***', 'xx', '...', '<pw>', '${PW}', 'os.environ', 'os.getenv', 'process.env', 'getpass', 'input(', 'env(', '{{ x }}'];
    const cased = fc.tuple(fc.constantFrom(...words), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 })).map(([w, up]) => [...w].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
    const blank = fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\u2028', '\u3000', '\ufeff');
    fc.assert(
      fc.property(blank, cased, fc.string({ maxLength: 4 }), (before, word, after) => {
        const value = before + word + after;
        return !NON_SECRET_VALUE_RE.test(value.trim()) || mayBeNonSecretWord(value.charCodeAt(0));
      }),
      { numRuns: 20_000 },
    );
    // And each code unit it rules out starts no word (non-ASCII look-alikes included).
    for (let c = 0; c < 0x10000; c++) {
      if (mayBeNonSecretWord(c)) continue;
      for (const w of words) assert.ok(!NON_SECRET_VALUE_RE.test(String.fromCharCode(c) + w.slice(1)), `${c} ${w}`);
    }
  });

  it('screens a shell expansion named as a key past the anchors it reads around (many separators, many anchors)', () => {
    const unscreened = compileRedactor(undefined, false);
    const separators = Array.from({ length: 40 }, (_, k) => `x${k}=${k}`).join(' ');
    const anchor = fc.constantFrom('keyword', 'password_hint', 'wd', 'cred', 'sha', 'zat', 'kept');
    const expansion = fc.tuple(fc.constantFrom('DB_PASSWORD', 'API_KEY', 'api_key', 'GH_TOKEN', 'SECRET'), fc.constantFrom('-', '+', ':-'), fc.constantFrom('Xk9abc', 'hunter2', '')).map(([n, op, w]) => `\${${n}${op}${w}}`);
    // (`size: 'max'`: past the 16 anchors read around, where the text is searched for `${` once instead.)
    fc.assert(
      fc.property(fc.array(anchor, { minLength: 0, maxLength: 40, size: 'max' }), expansion, (anchors, exp) => {
        const text = `${separators} ${anchors.join(' ')} echo ${exp}`;
        return redactor.redact(text).text === unscreened.redact(text).text;
      }),
      { numRuns: 600 },
    );
  });
});
