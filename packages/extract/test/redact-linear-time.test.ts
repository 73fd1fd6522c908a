/**
 * The redaction shapes of the audit of 2026-12-06 (late) on adversarial input: each trigger repeated over 32 KB and
 * over sixteen times as much must take about sixteen times as long (a quadratic reading takes 256 times). Asserted by ratio,
 * not by absolute time, so a busy machine slows both sizes alike; the best of three runs of each size is taken, and a
 * ratio over the bound is measured again, twice at most.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fastestUnder, timeOnce } from '@agentspan/test-support';
import { createRedactor, TRUNCATION_MARK } from '../src/index.js';
import { readListEnds } from '../src/redact.js';

const SMALL = 32_000;
const LARGE = 16 * SMALL;
/** Linear is 16; quadratic 256. The bound leaves room for noise (a collection of garbage in one run, not the other; the small time is taken as 1 ms at least). */
const MAX_RATIO = 64;
const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const redactor = createRedactor();

/** The best of three timings of `redact` on `text`, in ms (each the lesser of wall and CPU time: `timeOnce`). */
function best(text: string, cutAtEnd: boolean): number {
  let min = Infinity;
  for (let k = 0; k < 3; k++) min = Math.min(min, timeOnce(() => redactor.redact(text, { cutAtEnd })));
  return min;
}

/** `[name, text of a given size, cutAtEnd]`: the text made by repeating a trigger, maybe after a head. */
const cases: [string, (size: number) => string, boolean?][] = [
  ['SimpleCookie("a=b1") x N', (n) => fill('SimpleCookie("a=b1; c=d2")\n', n)],
  ['one SimpleCookie name, c["a"] = "b1" x N', (n) => 'c = SimpleCookie()\n' + fill('c["a"] = "b1"\n', n)],
  ['eight SimpleCookie names, their items x N', (n) => Array.from({ length: 8 }, (_, k) => `c${k} = SimpleCookie()\n`).join('') + fill('c1["a"] = "b1"; c7.load("a=b1"); c0[ ', n)],
  ['c.load(" never closed x N', (n) => 'c = SimpleCookie()\n' + fill('c.load("a=', n)],
  ['cookies: YAML flow lists x N', (n) => fill('cookies: [{name: a, value: b1}]\n', n)],
  ['one YAML flow list of N cookies', (n) => 'cookies: [' + fill('{name: a, value: b1}, ', n) + ']\n'],
  ['cookies: [{ in JSON strings x N (each the first word of a string)', (n) => fill('"x": "cookies: [{name: a, value: ', n)],
  ['cookies: [ lines of code x N (no flow)', (n) => fill('{\n  cookies: [{ name: a, value: b }],\n', n)],
  ['dicts of cookies nested x N', (n) => fill('cookies = {"a": {"b": {"c": {"cookies": {"d": ', n)],
  ['one dict of cookies, N nested objects', (n) => 'cookies = {' + fill('"a": {"value": "b1", "x": {"y": 1}}, ', n) + '}'],
  ['a plain YAML value over N lines', (n) => 'password: a\n' + fill('  b1 c2\n', n)],
  ['plain YAML values over two lines x N', (n) => fill('password: a\n  b1\n', n)],
  ['password: then blank lines x N', (n) => fill('password:\n\n\n  a\n', n)],
  ['one password: | block of N kept lines', (n) => 'password: |\n' + fill('  ${X}\n', n)],
  ['password: | kept, nested x N', (n) => fill('password: |\n  ${X}\n  ', n)],
  ['"password": "ab + a cut x N', (n) => fill('"password": "ab' + TRUNCATION_MARK, n)],
  ['Authorization: Bearer a + a cut x N', (n) => fill('Authorization: Bearer a' + TRUNCATION_MARK, n)],
  ['postgres://u:p + a cut x N', (n) => fill('postgres://u:p' + TRUNCATION_MARK, n)],
  ['long words + a cut x N', (n) => fill('x'.repeat(2000) + TRUNCATION_MARK, n)],
  ['one long quoted value, cut at its end', (n) => '"password": "' + fill('a', n), true],
  ["curl with '\\'' x N", (n) => 'curl ' + fill("'a'\\''b' -b a=b1 ", n)],
  // A review of these shapes (2026-12-06, late): comment lines below a key, a comment of code above `cookies:`, annotations.
  ['password: then 8 long comment lines and no value x N', (n) => fill('password:\n' + ('  #' + 'c'.repeat(250) + '\n').repeat(8) + 'x\n', n)],
  ['cookies: { after a long // line x N', (n) => fill('// ' + 'x'.repeat(500) + '\ncookies: {a: b}\n', n)],
  ['annotated SimpleCookie names x N', (n) => fill('c: ' + 'A'.repeat(200) + 'Cookie = SimpleCookie({"a": "b1"})\n', n)],
  // The idempotence fixes (2026-12-06): lists never closed, on one line and on many; keys in a value's given-back words;
  // quotes after values replaced in the same pass (the text before each key read as a second pass reads it).
  ['token=[ never closed, one line x N', (n) => fill('token=["a1", ', n)],
  ['token=[ never closed, a line each x N', (n) => fill('token=["a1", "b2\n', n)],
  ['x password: Xk9 token": x N (words given back, read again)', (n) => fill('x password: Xk9 token": ', n)],
  ['token: Xk9= "password: ", x N (quotes after replaced values)', (n) => fill('token: Xk9= "password: ", ', n)],
  // A reading ends before a key closed nowhere, and the next jar is looked for inside it.
  ["cookies={' then cookies={ x N on one line (a key closed nowhere)", (n) => "cookies={'" + fill('cookies={res.cookie({', n)],
  // A review of those fixes (2026-12-07): keys and JWTs given back from a token's run, placeholders and percent-encoded
  // cookie values, token tags in values kept for their start, secrets before a jar's name.
  ['AIza…_token= x N (a key given back from each run)', (n) => fill('AIza' + 'Xy9'.repeat(12) + 'Q_token=', n)],
  ['a long run then _token= x N', (n) => fill('AIza' + 'Xy9_'.repeat(1000) + 'a_secret_key=', n)],
  ['AIza…eyJ… . eyJ… never closed x N (a JWT looked for after each run)', (n) => fill('AIza' + 'Xy9'.repeat(12) + 'eyJabcdef.eyJ' + 'a'.repeat(300) + ' ', n)],
  ['Cookie: s=%00s%00s… x N (placeholders failing at their end)', (n) => 'Cookie: s=%1' + fill('%00s', n) + 'X'],
  ['cookies={"a": "{…[REDACTED:jwt]x"} x N (token tags in values kept for their start)', (n) => fill('cookies={"a": "{[REDACTED:jwt]x", "b": "[REDACTED:password_assignment]{"}\n', n)],
  ['password: x1Cookie{ x N (secrets before a jar\'s name)', (n) => fill('password: x1Cookie{ ', n)],
  ['cookies.set("cookies": [{"value": "a1"}, x N (a setter\'s argument naming a jar)', (n) => fill('cookies.set("cookies": [{"value": "a1"}, ', n)],
  // A review of 047195d (2026-12-07, second): a key's name read past a token's run, later tags glued to secrets, format
  // placeholders, names glued to a jar's, cut tags in kept values.
  ['ghp_…secret_key= x N (a key read past the run)', (n) => fill('ghp_' + 'a1B2c3'.repeat(6) + 'secret_key=Xk9 ', n)],
  ['AIza….AIza…. x N (each run reads 128 characters past it)', (n) => fill('AIza' + 'Xy9'.repeat(12) + '.', n)],
  ['AIza…_ then key characters never followed by = x N', (n) => fill('AIza' + 'Xy9'.repeat(12) + '_' + 'secret_'.repeat(40) + ' ', n)],
  ['Cookie: s=[REDACTED:…]Xk9 x N (later tags glued to secrets)', (n) => fill('Cookie: s=[REDACTED:password_assignment]Xk9; t=[REDACTED:url_password]{; u=%s.%(a)s; v=%s3cr3t\n', n)],
  ['Cookie: s=%s%s… x N (one value of placeholders failing at its end)', (n) => 'Cookie: s=' + fill('%s.%(a)s%-5d', n) + '1'],
  ['https://u:x[REDACTED:name_value]@h x N', (n) => fill('https://u:x[REDACTED:name_value]@h ', n)],
  ['token: hunterTwoCookie{ x N (names glued to a jar\'s)', (n) => fill('token: hunterTwoCookie{ apiKey: self.page.addCookies([ ', n)],
  ['PWD://[REDACTED:…]…[truncated] x N (cut tags in kept values)', (n) => fill('PWD://[REDACTED:aws_access_key]' + TRUNCATION_MARK + '\n', n)],
  // A review of 012860e (2026-12-07): a value kept whole is read inside, and each key there reads its own value again.
  // Lists kept (`[[`) and closed nowhere on their line cost the most: each key reads to the line's bound (1 024
  // characters), about 1.2 s per MB on a quiet machine (`token=[[a, ` x N: 1.1 s), 20 to 40 times the reading that
  // passed them over, still linear.
  ['"x": "token=[[a password=[[b x N on one line (kept lists closed nowhere, crossing a string\'s end)', (n) => fill('"x": "token=[[a password=[[b ', n)],
  ["token='x password=y\", \"[REDACTED:x]' x N (kept for a tag past the string's end)", (n) => fill('{"a": "token=\'x password=Xk9mP2", "b": "[REDACTED:x] it\'s"}\n', n)],
  ['PWD=/srv?token=Xk9 and process.env.X||token=Xk9 x N (keys in kept bare values)', (n) => fill('PWD=/srv?token=Xk9 password=process.env.X||token=Xk9 ', n)],
  ['"?token=" + tok + "&x=1" x N (concatenations)', (n) => fill('u = base + "?token=" + tok + "&x=1"; ', n)],
  // A review of bc731b5: shell expansions named as keys (read beside the assignments, far apart: each expansion once, the
  // next assignment searched once), literals after a key's, quoted cookie values read inside, values on the line below.
  ['${API_KEY:=…} ${DB_PASSWORD-…} ${X:-y} x N (no assignment after them)', (n) => fill('echo ${API_KEY:=Xk9} ${DB_PASSWORD-abc} ${X:-y} ', n)],
  ['"token=" + "${A} x N (literals after a key\'s, kept, closed by the next)', (n) => fill('"token=" + "${A} ', n)],
  ['Set-Cookie: a="${X} sid=… b=…" x N (quoted values read inside)', (n) => fill('Set-Cookie: a="${X} sid=abc b=c" ', n)],
  ['token: then PWD=/srv?token: :pw x N (a line below, a key ending a kept value)', (n) => fill('token:\n  PWD=/srv?token: :pw\n', n)],
  // A review of 2026-12-07: nested defaults (closed, and chains closed nowhere), literals joined across quotes and lines.
  ['password="${PW:-${DEFAULT_PW:-Xk9}}" x N (nested defaults)', (n) => fill('password="${PW:-${DEFAULT_PW:-Xk9}}"\n', n)],
  ['${API_KEY:-${ x N (a chain of defaults closed nowhere)', (n) => fill('${API_KEY:-${X}', n)],
  ['\'token=\' +\n  "Xk9 x N (literals joined over lines, closed nowhere)', (n) => fill('\'token=\' +\n  "Xk9 ', n)],
  // Its review: nesting past the fourth level read on (a chain closed nowhere), words closed nowhere at a line's end,
  // cookies in single-quoted strings.
  ['${API_KEY:- x N (a chain of defaults closed nowhere, past four levels)', (n) => fill('${API_KEY:-', n)],
  ['${API_KEY:-${X:-a} b lines x N (outer defaults closed nowhere)', (n) => fill('${API_KEY:-${X:-a} b\n', n)],
  ["${API_KEY:-' x N (quoted parts of a word closed nowhere)", (n) => fill("${API_KEY:-'", n)],
  ["{'Cookie': 'a=\"x y\" ; sid=b x N (a quoted value before a string's quote)", (n) => fill("{'Cookie': 'a=\"x y\" ; sid=b ", n)],
  // Review 4 of 2026-12-07: several literals joined, names and parentheses between them, blank lines, implicit joins,
  // command substitutions in defaults, ` , ` between cookies, a template over lines.
  ['"token=" + "a" + x N (literals joined, never ending)', (n) => fill('"token=" + "a" + ', n)],
  ['"token=" + a + x N (names joined)', (n) => fill('"token=" + a + ', n)],
  ['"token=" + ( x N (parentheses)', (n) => fill('"token=" + (', n)],
  ['x = "token=" "a" lines x N (implicit joins)', (n) => fill('x = "token=" "a"\n', n)],
  ['"token=" +, blank lines x N', (n) => fill('"token=" +\n\n', n)],
  ['${API_KEY:-$( x N (command substitutions closed nowhere)', (n) => fill('${API_KEY:-$(', n)],
  ['${API_KEY:-` x N (backquotes closed nowhere)', (n) => fill('${API_KEY:-`', n)],
  ['Cookie: a=1 , b=2 , x N', (n) => fill('Cookie: a=1 , b=2 , ', n)],
  ['x` then ${TOKEN-1} lines x N (templates over lines)', (n) => fill('x`\n${TOKEN-1}', n)],
];

describe('redaction of the audit of 2026-12-06 (late) stays linear', () => {
  for (const [name, make, cutAtEnd] of cases) {
    it(name, () => {
      const small = make(SMALL);
      const large = make(LARGE);
      best(small, cutAtEnd === true); // warm up
      // Up to three measures: a machine busy with other work can stall one (the test files run side by side); a
      // quadratic reading fails all three.
      let ratio = Infinity;
      for (let attempt = 0; attempt < 3 && ratio >= MAX_RATIO; attempt++) {
        ratio = best(large, cutAtEnd === true) / Math.max(best(small, cutAtEnd === true), 1);
      }
      assert.ok(ratio < MAX_RATIO, `${name}: ${ratio.toFixed(1)} times as long on ${LARGE / SMALL} times the input`);
    });
  }
});

/**
 * Keys every few characters inside lists kept whole (`[[`) and closed nowhere on one long line: each key's list was read
 * to its line's bound by the rule's regex (1 024 characters, twice: closed, then not), 0.45–0.75 s per MB on a quiet
 * machine (2026-12-08; about 2 s on a busy one), 7 to 9 times the same keys with their lists closed; read from the next
 * `]`, line end and backslash since a review of bc731b5 (ListEnds), 0.11–0.17 s, about twice those.
 */
describe('lists closed nowhere, a key every few characters, 1 MB', () => {
  const MB = 1_000_000;
  const BOUND_MS = 1500;
  /** Of the same keys with their lists closed: 7–9 before ListEnds, about 2 with it. */
  const MAX_RATIO = 4;
  for (const [name, unit, closed] of [
    ['token=[[a password=[[b x N on one line', 'token=[[a password=[[b ', 'token=[[a]] password=[[b]] '],
    ['"x": "token=[[a password=[[b x N on one line (crossing a string\'s end)', '"x": "token=[[a password=[[b ', undefined],
  ] as const) {
    it(name, () => {
      const input = fill(unit, MB);
      redactor.redact(input.slice(0, 20_000)); // warm up
      const ms = fastestUnder(() => redactor.redact(input), BOUND_MS);
      assert.ok(ms < BOUND_MS, `${name}: ${ms.toFixed(0)} ms for 1 MB (the fastest of 3 runs)`);
      if (closed === undefined) return;
      // Each key's list read once: about what the same keys cost with their lists closed (a ratio: a busy machine slows both).
      const baseline = fill(closed, MB);
      redactor.redact(baseline.slice(0, 20_000));
      let ratio = Infinity;
      for (let attempt = 0; attempt < 3 && ratio >= MAX_RATIO; attempt++) {
        ratio = fastestUnder(() => redactor.redact(input), 0) / Math.max(fastestUnder(() => redactor.redact(baseline), 0), 1);
      }
      assert.ok(ratio < MAX_RATIO, `${name}: ${ratio.toFixed(1)} times the same keys with their lists closed`);
    });
  }
});

describe('ListEnds reads a list as the rule\'s regex does', () => {
  const pieces = fc.constantFrom('[', '[', ']', '\\', '\\', 'n', 'r', '\n', '\r', 'a', ' ', '"', 'x'.repeat(300), '\\'.repeat(40), '\\'.repeat(64));
  const text = fc.array(pieces, { minLength: 1, maxLength: 60 }).map((a) => a.join(''));
  it('property: at every `[`, in order or not, it gives the end the pattern reads, or leaves it to the pattern (-2)', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, shuffled) => {
        const opens: number[] = [];
        for (let i = s.indexOf('['); i >= 0; i = s.indexOf('[', i + 1)) opens.push(i);
        if (shuffled) opens.reverse();
        const { ends, pattern } = readListEnds(s, opens);
        const re = new RegExp(pattern, 'y');
        opens.forEach((open, k) => {
          re.lastIndex = open;
          const expected = re.exec(s) === null ? -1 : re.lastIndex;
          if (ends[k] !== -2) assert.equal(ends[k], expected, JSON.stringify([s, open]));
        });
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) * 10 },
    );
  });

  it('gives the cases it settles: a list closed, closed nowhere up to a line end, the bound, a `]` past it', () => {
    const read = (s: string): number => readListEnds(s, [s.indexOf('[')]).ends[0]!;
    assert.equal(read('x=[a, b] y'), 8);
    assert.equal(read('x=[a, b\ny]'), 7);
    assert.equal(read('x=[a, b'), 7);
    assert.equal(read(`x=[${'a'.repeat(2000)}`), 3 + 1024);
    assert.equal(read(`x=[${'a'.repeat(1024)}]`), 3 + 1025);
    assert.equal(read('x=[a\\"b'), -2);
  });
});

/**
 * Inputs that were linear but slow (review 4 of 2026-12-07): each costs about what a like shape without the slow reading
 * does. `${API_KEY:-$X` repeated read up to 4 096 characters forward from each key (plainScalarLine: 1.3–2 s per MB, five
 * times `${API_KEY:-${X}`); `${API_KEY:-\${` the same (six times); `` `${TOKEN-1}` `` repeated on one line walked back up to
 * 1 024 characters from each field for a backquote (17 times the same fields a line each). Asserted by ratio,
 * the lesser of wall and CPU time of the best of three runs (timeOnce), the two measured side by side.
 */
describe('redaction of review 4 of 2026-12-07: the slow adversarial inputs cost what their like shapes do', () => {
  const SIZE = 256 * 1024;
  const pairs: [string, string, string, number][] = [
    ['${API_KEY:-$X', fill('${API_KEY:-$X', SIZE), fill('${API_KEY:-${X}', SIZE), 2.5],
    ['${API_KEY:-\\${', fill('${API_KEY:-\\${', SIZE), fill('${API_KEY:-${X}', SIZE), 2.5],
    // The like shape: the same fields a line each (the walk back stopped at each line's start). 17 times before, 3.5 now.
    ['`${TOKEN-1}` on one line', fill('`${TOKEN-1}` ', SIZE), fill('`${TOKEN-1}`\n', SIZE), 8],
  ];
  for (const [name, slow, like, bound] of pairs) {
    it(name, () => {
      best(slow, false); // warm up
      best(like, false);
      let ratio = Infinity;
      for (let attempt = 0; attempt < 3 && ratio >= bound; attempt++) ratio = best(slow, false) / Math.max(best(like, false), 1);
      assert.ok(ratio < bound, `${name}: ${ratio.toFixed(2)} times its like shape`);
    });
  }
});
