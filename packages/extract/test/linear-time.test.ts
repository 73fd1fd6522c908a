/**
 * Guards against super-linear behaviour: each adversarial 1 MB input must
 * finish well inside a generous bound (quadratic behaviour on 1 MB takes
 * seconds to minutes). The benchmark (bench/extract.bench.ts) measures the
 * real throughput; this test only catches regressions, even on a busy CI box.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRedactor,
  detectError,
  extractCodeMetadata,
  extractFileReferences,
  extractGeneratedFiles,
  extractMessageMetadata,
  sniffLanguage,
} from '../src/index.js';

const MB = 1_000_000;
const BOUND_MS = 1500;
const fill = (unit: string, size = MB): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const redactor = createRedactor();
const code = (language: string) => (s: string) => extractCodeMetadata(s, { language });

const PARAMS_48 = Array.from({ length: 48 }, (_, i) => `q${i}`).join(', ');
const LAMBDAS_16x48 = `f = lambda ${PARAMS_48}: 0\n`.repeat(16);
const COMPREHENSIONS_16x48 = `g = [0 for ${PARAMS_48} in z]\n`.repeat(16);
/** 1 MB of lines each using names not seen before (`open(v0)`, `open(v1)` …). */
const distinctOpens = (line = (i: number) => `open(v${i})\n`): string => {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < MB; i++) size += out[out.push(line(i)) - 1]!.length;
  return out.join('');
};

const cases: [string, string, (s: string) => unknown][] = [
  ['python open( x N', fill('open('), code('python')],
  ['python f(f(f( with args', fill("np.save(open('a', 'w'), "), code('python')],
  ['python ((((', fill('('), code('python')],
  ['python """ unterminated', '"""' + fill('x'), code('python')],
  ["python f'{ x N", fill("f'{"), code('python')],
  ['python .write_text() chain', fill('.write_text()'), code('python')],
  ['js `${ x N', fill('`${'), code('javascript')],
  ['js / x N', fill('a = /'), code('javascript')],
  ['js require( x N', fill('require('), code('javascript')],
  ["js one-line for-of loops nested x N", fill("for (const f of ['a']) "), code('javascript')],
  ["js import { a as b } x N", 'import {' + fill('a as b, ') + "} from 'fs'", code('javascript')],
  ["js const { a: b } = require('fs') x N", fill("const { a: b } = require('fs'); "), code('javascript')],
  ['js (/[ x N (regex scans that fail)', fill('(/['), code('javascript')],
  ['js (/[\\ escaped newlines', fill('(/[\\\n'), code('javascript')],
  ['tool result [[[[ closed once', fill('[', MB - 1) + ']', extractGeneratedFiles],
  ['message ` x N', fill('`'), (s) => extractMessageMetadata(s)],
  ['detectError empty lines', fill('\n'), (s) => detectError(s)],
  ['detectError Error: 0.1 lines', fill('Error: 0.1\n'), (s) => detectError(s)],
  ['shell > > >', fill('> '), code('shell')],
  ['shell $( x N', fill('$('), code('shell')],
  ['shell ${ x N', fill('${'), code('shell')],
  ['shell heredocs never closed', fill('cat <<EOF\n'), code('shell')],
  ['shell nested -c', fill('bash -c "python -c \\"'), code('shell')],
  ['redact sk- x N', fill('sk-'), (s) => redactor.redact(s)],
  ['redact eyJ. x N', fill('eyJabcde.'), (s) => redactor.redact(s)],
  ['redact BEGIN without END', fill('-----BEGIN RSA PRIVATE KEY-----\n'), (s) => redactor.redact(s)],
  ['redact key-like tokens', fill('x'.repeat(200) + 'password '), (s) => redactor.redact(s)],
  ['redact x://u: x N', fill('x://u:'), (s) => redactor.redact(s)],
  ['redact Cookie: x N', fill('Cookie: '), (s) => redactor.redact(s)],
  ['redact one Cookie: with a=b; x N', 'Cookie: ' + fill('a=b1; '), (s) => redactor.redact(s)],
  ['redact Cookie: a=b x N', fill('Cookie: a=b1\n'), (s) => redactor.redact(s)],
  ['redact Authorization: x N', fill('Authorization: '), (s) => redactor.redact(s)],
  ['redact Authorization: OAuth token x N', fill('Authorization: OAuth a1b2c3d4e5 '), (s) => redactor.redact(s)],
  ['redact Authorization: OAuth name= x N', fill('Authorization: OAuth abcdefgh='), (s) => redactor.redact(s)],
  ['redact "Authorization", and blanks', '"Authorization",' + fill(' '), (s) => redactor.redact(s)],
  ['redact "Cookie", "value": x N', fill('"Cookie",\n  "value": '), (s) => redactor.redact(s)],
  ['redact one set-cookie list of N', '"set-cookie": [' + fill('"a=b1", '), (s) => redactor.redact(s)],
  ['redact set-cookie lists x N', fill('"set-cookie": ["a=b1", '), (s) => redactor.redact(s)],
  ['redact one Set-Cookie with N Expires', 'Set-Cookie: ' + fill('a=b; Expires=Thu, 21 Oct 2027 07:28:00 GMT, '), (s) => redactor.redact(s)],
  ['redact Cookie: a=b;Cookie: x N', fill('Cookie: a=b;'), (s) => redactor.redact(s)],
  // Cookies outside a header (redact-cookie-jars.ts): arrays of cookie objects, dicts, setters, curl's flags.
  ['redact "cookies": [ x N', fill('"cookies": ['), (s) => redactor.redact(s)],
  ['redact one cookies array of N objects', '"cookies": [' + fill('{"name": "a", "value": "b1", "n": 1}, '), (s) => redactor.redact(s)],
  ['redact cookie objects never closed x N', fill('{"cookies": [{"name": "a", "value": "'), (s) => redactor.redact(s)],
  ['redact escaped cookie objects x N', fill('{\\"cookies\\": [{\\"value\\": \\"b1\\", '), (s) => redactor.redact(s)],
  ['redact cookie objects nested x N', '"cookies": [{' + fill('"p": {'), (s) => redactor.redact(s)],
  ['redact one cookies dict of N items', 'cookies={' + fill('"a": "b1", '), (s) => redactor.redact(s)],
  ['redact cookies={"a": x N', fill('cookies={"a": '), (s) => redactor.redact(s)],
  ['redact cookies = { and blanks', 'cookies = {' + fill(' '), (s) => redactor.redact(s)],
  // Comments between a jar's items (`#`, `//`, to the line's end, raw or as JSON writes it).
  ['redact cookies = { then N comment lines', 'cookies = {\n' + fill('  # c cookies = {"a": "b1",\n'), (s) => redactor.redact(s)],
  ['redact cookies = { then N escaped comment lines', 'cookies = {\\n' + fill('  // c \\\\\\x \\n'), (s) => redactor.redact(s)],
  ['redact cookies={"a": "b1", # x x N', fill('cookies={"a": "b1", # x\n'), (s) => redactor.redact(s)],
  ['redact one comment line after cookies = {', 'cookies = {' + fill(' # cookies = {'), (s) => redactor.redact(s)],
  ['redact cookies.set( "a" , x N', fill('cookies.set( "a" , '), (s) => redactor.redact(s)],
  ['redact cookies.set("a", x N', fill('cookies.set("a", '), (s) => redactor.redact(s)],
  // Calls setting cookies, YAML cookies and headers over lines, expressions passed over (2026-12-07).
  ['redact page.setCookie({ value: x N', fill('page.setCookie({ value: '), (s) => redactor.redact(s)],
  ['redact one setCookie of N objects', 'page.setCookie(' + fill("{ name: 'a', value: 'b1' }, "), (s) => redactor.redact(s)],
  ['redact set_cookie("a", x N', fill('set_cookie("a", '), (s) => redactor.redact(s)],
  ['redact one set_cookie of N arguments', 'set_cookie("a", ' + fill('x=1, '), (s) => redactor.redact(s)],
  ['redact kie jar.set("a", x N', 'kie ' + fill('jar.set("a", '), (s) => redactor.redact(s)],
  ['redact http.Cookie{Value: x N', fill('http.Cookie{Value: '), (s) => redactor.redact(s)],
  ['redact cookies=dict( x N', fill('cookies=dict(a='), (s) => redactor.redact(s)],
  ['redact cookies={"a": f( x N (expressions never closed)', fill('cookies={"a": f('), (s) => redactor.redact(s)],
  ['redact one cookies dict, one expression of (((', 'cookies={"a": ' + fill('('), (s) => redactor.redact(s)],
  ['redact one cookies dict of N expressions', 'cookies={' + fill('"a": f(x, [1]), '), (s) => redactor.redact(s)],
  ['redact cookies={"a": f(cookies={ x N (jars in code passed over)', fill('cookies={"a": f(cookies={"a": f('), (s) => redactor.redact(s)],
  ['redact "cookies": {"c": {"cookies": { x N', fill('{"cookies": {"c": {"cookies": {"c": '), (s) => redactor.redact(s)],
  ['redact cookies={"a": [[[ x N (expressions too long)', fill('cookies={"a": [' + '['.repeat(1100)), (s) => redactor.redact(s)],
  ['redact cookies = {/* x N (block comments never closed)', fill('cookies = {/* '), (s) => redactor.redact(s)],
  ['redact one cookies dict, N block comments', 'cookies = {' + fill('/* c */ '), (s) => redactor.redact(s)],
  ['redact cookies: YAML lists x N', fill('cookies:\n  - name: a\n    value: b1\n'), (s) => redactor.redact(s)],
  ['redact one YAML list of N cookies', 'cookies:\n' + fill('  - name: a\n    value: b1\n'), (s) => redactor.redact(s)],
  ['redact one YAML mapping, N nested lines', 'cookies:\n  a:\n' + fill('      - x\n'), (s) => redactor.redact(s)],
  ['redact Cookie: >- x N', fill('Cookie: >-\n'), (s) => redactor.redact(s)],
  ['redact one Cookie: folded over N lines', 'Cookie: a=b1;' + fill('\n  a=b1;'), (s) => redactor.redact(s)],
  ['redact one Cookie: block of N lines', 'Cookie: |\n' + fill('  a=b1\n'), (s) => redactor.redact(s)],
  ['redact Cookie: a = x N', fill('Cookie: a = '), (s) => redactor.redact(s)],
  ['redact Cookie: a=\\" x N', fill('{"Cookie": "a=\\"'), (s) => redactor.redact(s)],
  ['redact Authorization: >- x N', fill('Authorization: >-\n    Bearer '), (s) => redactor.redact(s)],
  ['redact password: | x N', fill('password: |\n  '), (s) => redactor.redact(s)],
  ['redact one password: | block of N lines', 'password: |\n' + fill('  x1\n'), (s) => redactor.redact(s)],
  ['redact password: | then N blank lines', 'password: |\n' + fill('\n'), (s) => redactor.redact(s)],
  ['redact curl x; x N', fill('curl x; -b a=b1 '), (s) => redactor.redact(s)],
  ['redact curl with N quotes', 'curl ' + fill('"a; b" -b a=b1 '), (s) => redactor.redact(s)],
  ['redact curl -b glued x N', fill('curl -ba=b1 '), (s) => redactor.redact(s)],
  ['redact curl -b a=b1; x N', 'curl ' + fill('-b a=b1; '), (s) => redactor.redact(s)],
  ['redact curl -b x N', 'curl ' + fill('-b '), (s) => redactor.redact(s)],
  ['redact curl --cookie " x N', 'curl ' + fill('--cookie "'), (s) => redactor.redact(s)],
  // Whether a flag is in curl's command: lines, line ends looked back from, argv items over lines.
  ['redact curl \\ -b a=b1 over N lines', 'curl ' + fill(' \\\n-b a=b1 '), (s) => redactor.redact(s)],
  ['redact curl, N line ends after \\r and blanks', 'curl ' + fill('\\r \\r \r\n -b a=b1 '), (s) => redactor.redact(s)],
  ['redact curl -b a=b1 && x N', fill('curl -b a=b1 && '), (s) => redactor.redact(s)],
  ['redact curl "-b", over N lines', 'curl ' + fill('"-b",\n \\n '), (s) => redactor.redact(s)],
  // The shapes of their own: command flags, .netrc entries, name/value pairs, auth fields, values past `&` or a space.
  ['redact mysql -pX x N', fill('mysql -uroot -pS3cret '), (s) => redactor.redact(s)],
  ['redact mysql -p x N', fill('mysql -p'), (s) => redactor.redact(s)],
  ['redact curl -u x N', fill('curl -u a:b '), (s) => redactor.redact(s)],
  ['redact one curl, -u x N', 'curl' + fill(' -u a:b'), (s) => redactor.redact(s)],
  ["redact curl -u ' x N (quotes closed nowhere)", fill("curl -u '"), (s) => redactor.redact(s)],
  ['redact curl argv items x N', fill('["curl", "-u", '), (s) => redactor.redact(s)],
  ['redact -u x N on lines, no curl', fill(' -u x\n'), (s) => redactor.redact(s)],
  ['redact curl -u and a long word x N', fill('curl -u ' + 'a'.repeat(700) + ' '), (s) => redactor.redact(s)],
  ['redact one curl, -u-u-u', 'curl ' + fill('-u'), (s) => redactor.redact(s)],
  ['redact wget --password x N', fill('wget --password '), (s) => redactor.redact(s)],
  ['redact docker login -p x N', fill('docker login -p x '), (s) => redactor.redact(s)],
  ['redact sshpass -p x N', fill('sshpass -p '), (s) => redactor.redact(s)],
  ['redact redis-cli -a x N', fill('redis-cli -a x '), (s) => redactor.redact(s)],
  ['redact machine a login b x N', fill('machine a login b '), (s) => redactor.redact(s)],
  ['redact .netrc entries x N', fill('machine a login b password c\n'), (s) => redactor.redact(s)],
  ['redact login then password x N', 'login ' + fill('password '), (s) => redactor.redact(s)],
  ['redact name/value pairs x N', fill('- name: DB_PASSWORD\n  value: '), (s) => redactor.redact(s)],
  ['redact helm name/value x N', fill('env[0].name=DB_PASSWORD,env[0].value='), (s) => redactor.redact(s)],
  ['redact helm --set name/value x N', fill("--set 'env[0].name=DB_PASSWORD' --set 'env[0].value="), (s) => redactor.redact(s)],
  ['redact helm --set names, no value x N', fill('--set env[0].name=DB_PASSWORD --set '), (s) => redactor.redact(s)],
  ['redact "auth": x N', fill('{"auth": "YTpi"} '), (s) => redactor.redact(s)],
  ['redact _auth= and a long base64 value', '_auth=' + fill('YTpi'), (s) => redactor.redact(s)],
  ['redact password=a&b x N', fill('password=a&b '), (s) => redactor.redact(s)],
  ['redact & chain', 'password=a' + fill('&b'), (s) => redactor.redact(s)],
  ['redact & entity-like chain', 'password=a' + fill('&b;&#1;&#x1;&' + 'c'.repeat(40) + ';'), (s) => redactor.redact(s)],
  ['redact password=a&amp; x N', fill('password=a&amp;'), (s) => redactor.redact(s)],
  ['redact yaml value of words x N', fill('password: a b c\n'), (s) => redactor.redact(s)],
  ['redact yaml value, one line of words', 'password: ' + fill('a '), (s) => redactor.redact(s)],
  ['redact yaml value of words in json strings x N', fill('{"s":"a:\\n  password: a b c"} '), (s) => redactor.redact(s)],
  ['redact yaml value, one line of words and escaped quotes', 'x:\\n  password: ' + fill('a b \\" x '), (s) => redactor.redact(s)],
  // Registry configs where separators are many, quoted .netrc tokens, YAML tags, keys after an escaped line end.
  ['redact registry config, "auth" x N', '{"auths": {' + fill('"auth": "YTpi", '), (s) => redactor.redact(s)],
  ['redact registry config, one long auth value', '{"auths": {"auth": "' + fill('YTpi'), (s) => redactor.redact(s)],
  ['redact ${ x N (braces that open no object)', fill('${'), (s) => redactor.redact(s)],
  ['redact ${ x N, then a registry config', fill('${X} ') + '{"auths": {"r": {"auth": "YTpi"}}}', (s) => redactor.redact(s)],
  ['redact tool outputs holding strings x N (registry config looked for in values)', fill('{"exit_code": 0, "stdout": "$ ls\\n{\\"a\\": 1}"} '), (s) => redactor.redact(s)],
  ['redact lone YAML tags above comment lines x N', fill('password: !abc\n   # c\n\n'), (s) => redactor.redact(s)],
  ['redact _auth x N, no separator', fill('_auth '), (s) => redactor.redact(s)],
  ['redact _authToken x N after one config', 'config ' + fill('_authToken '), (s) => redactor.redact(s)],
  ['redact npm config set _auth x N', fill('npm config set _auth '), (s) => redactor.redact(s)],
  ['redact npm config set with options x N', fill('npm config set -g -g -g -g -g //'), (s) => redactor.redact(s)],
  ['redact vendor prefixes x N, no token', fill('hf_a npm_b gsk_c r8_d sk_live_e api_org_f dckr_pat_g lsv2_h xai-i pplx-j tvly-k pypi-AgEIl '), (s) => redactor.redact(s)],
  ['redact vendor bodies one short x N', fill('hf_' + 'Ab'.repeat(16) + 'A '), (s) => redactor.redact(s)],
  ['redact one long run after a vendor prefix', 'tvly-' + fill('a1'), (s) => redactor.redact(s)],
  ['redact task_live_ x N', fill('task_live_'), (s) => redactor.redact(s)],
  ['redact quoted .netrc tokens x N', fill('machine "a" login "b" password "c d"\n'), (s) => redactor.redact(s)],
  ['redact .netrc quotes closed nowhere x N', 'login ' + fill('machine a login b password "c\n'), (s) => redactor.redact(s)],
  ['redact .netrc, one quote closed nowhere', 'machine a login b password "' + fill('x'), (s) => redactor.redact(s)],
  ['redact .netrc tabs as JSON writes them x N', 'login ' + fill('machine a\\tlogin\\tb\\tpassword\\t'), (s) => redactor.redact(s)],
  ['redact lone YAML tags x N', fill('password: !abc\n'), (s) => redactor.redact(s)],
  ['redact YAML tags and arguments x N', fill('password: !a '), (s) => redactor.redact(s)],
  ['redact lone YAML tags, deeply indented x N', fill(' '.repeat(200) + 'password: !a\n'), (s) => redactor.redact(s)],
  ['redact keys after an escaped line end x N', fill('\\npassword: a b '), (s) => redactor.redact(s)],
  ['redact long keys after an escaped line end x N', fill('\\n' + 'x'.repeat(120) + 'password: a '), (s) => redactor.redact(s)],
  ['redact escaped tabs, then a key', fill('\\t') + 'password: a b', (s) => redactor.redact(s)],
  // Secrets passed as arguments (redact-arguments.ts) and code kept after a key (redact-code.ts).
  ['redact bracketed values x N', fill('password=a[b]c '), (s) => redactor.redact(s)],
  ['redact lists opened in strings x N, closed at the end', fill('"token=[","password":"x",') + ']', (s) => redactor.redact(s)],
  ['redact one value of [ x N', 'password=' + fill('a['), (s) => redactor.redact(s)],
  ['redact [ and long runs closed nowhere x N', fill('password=Xk[' + 'a'.repeat(300) + ' '), (s) => redactor.redact(s)],
  ['redact key literals x N, no call', fill('"api_key", '), (s) => redactor.redact(s)],
  ['redact key/value literals x N in one call', 'f(' + fill('"token", "a1b2c3", '), (s) => redactor.redact(s)],
  ['redact key literals x N in one call', 'f(' + fill('"token", '), (s) => redactor.redact(s)],
  ['redact key literal then a literal never closed x N', fill('x("token", "'), (s) => redactor.redact(s)],
  ['redact long literals then ", x N', fill('"' + 'a'.repeat(250) + 'token", '), (s) => redactor.redact(s)],
  ['redact ?? x N', fill('??'), (s) => redactor.redact(s)],
  ['redact API_KEY ?? x N', fill('API_KEY ?? '), (s) => redactor.redact(s)],
  ['redact API_KEY ?? and one literal never closed', 'API_KEY ?? "' + fill('a'), (s) => redactor.redact(s)],
  ['redact API_KEY || "a" x N', fill('API_KEY || "a1" '), (s) => redactor.redact(s)],
  ['redact auth=( x N', fill('auth=('), (s) => redactor.redact(s)],
  ["redact auth=('a', x N", fill("auth=('a', "), (s) => redactor.redact(s)],
  ['redact login( x N', fill('login('), (s) => redactor.redact(s)],
  ['redact login(a, " x N', fill('login(a, "'), (s) => redactor.redact(s)],
  ['redact BasicAuth("a", "b") x N', fill('BasicAuth("a", "b1") '), (s) => redactor.redact(s)],
  // Env getters read forward from their `(` (a review, 2026-12-06), Python's ` or `, `auth = (`.
  ['redact getenv( x N', 'token = "a1", ' + fill('getenv('), (s) => redactor.redact(s)],
  ['redact getenv("token", x N', fill('getenv("token", '), (s) => redactor.redact(s)],
  ['redact getattr(a(b(c( x N', '"token", ' + fill('getattr(a(b('), (s) => redactor.redact(s)],
  ['redact set_key(x, "token", long literal x N', fill('set_key(x, "token", "' + 'a1'.repeat(400) + '", '), (s) => redactor.redact(s)],
  ['redact environ.get(key=default= x N', '"token", ' + fill('os.environ.get(key=default='), (s) => redactor.redact(s)],
  ['redact API_KEY or x N', fill('API_KEY or '), (s) => redactor.redact(s)],
  ['redact getenv("TOKEN") or "a" x N', fill('getenv("TOKEN") or "a1" '), (s) => redactor.redact(s)],
  ['redact auth = ( x N', fill('auth = ('), (s) => redactor.redact(s)],
  ['redact API_KEY\\t?? x N', fill('API_KEY\\t?? '), (s) => redactor.redact(s)],
  ['redact object items x N on one line', fill('{ password: pw, '), (s) => redactor.redact(s)],
  ['redact object items x N over lines', 'x = ({\n' + fill('  password: pw,\n'), (s) => redactor.redact(s)],
  ['redact yaml-like items ending in , x N', fill('password: pw,\n'), (s) => redactor.redact(s)],
  ['redact quoted-key items x N', fill('{"password": pw, '), (s) => redactor.redact(s)],
  ['redact keyword arguments over lines x N', 'f(\n' + fill('    password=pw,\n'), (s) => redactor.redact(s)],
  ['redact method calls on names with digits x N', fill('token = a1.b('), (s) => redactor.redact(s)],
  ['redact method calls, parentheses never closed x N', fill('token = a1.b((((((((((((((((((((((((((((((( '), (s) => redactor.redact(s)],
  ['detectError a.a.a.', fill('a.'), (s) => detectError(s)],
  ['detectError Traceback x N', fill('Traceback (most recent call last):\n'), (s) => detectError(s, 1)],
  ['tool result saved to x N', fill('saved to '), extractGeneratedFiles],
  ['tool result [[[[', fill('['), extractGeneratedFiles],
  ['message ``` x N', fill('```\n'), (s) => extractMessageMetadata(s)],
  ['message ]( x N', fill(']('), (s) => extractMessageMetadata(s)],
  ['references ` x N', fill('`'), extractFileReferences],
  ['sniff 1 MB', fill('import os\n'), sniffLanguage],
  ['python p += ... then open(p) x N', "p = 'a'\n" + fill("p += 'aaaaaaaaaa'\nopen(p, 'w')\n"), code('python')],
  ['shell X=$X/... then > $X x N', 'X=a\n' + fill('X=$X/aaaaaaaaa\necho > $X\n'), code('shell')],
  ['python p = p + p doubling', "p = 'ab'\n" + 'p = p + p\n'.repeat(40) + "open(p, 'w')\nimport os\nopen('z.txt', 'w')\n", code('python')],
  // Scoped names (lambda parameters, comprehension targets): each lookup of a new name must not rescan the scopes.
  ['python 16 lambdas x 48 parameters, then open(v<i>) x N', LAMBDAS_16x48 + distinctOpens(), code('python')],
  ['python 16 comprehensions x 48 targets, then open(v<i>) x N', COMPREHENSIONS_16x48 + distinctOpens(), code('python')],
  ['python 16 lambdas x 48 parameters, then f-strings of 3 new names x N', LAMBDAS_16x48 + distinctOpens((i) => `open(f"{v${i}}{w${i}}{u${i}}")\n`), code('python')],
  ['python lambda p: open(p) x N', fill('f = lambda p: open(p)\n'), code('python')],
  ['python a = b = c = ... chains x N', fill('a = b = c = d = e = f = "x"\nopen(a)\n'), code('python')],
  // Loops, exits, classes and `global` (python-blocks.ts).
  ['python for loops nested, each line deeper', fill('for x in ["a"]:\n') + '\nopen("x")\n', code('python')],
  ['python 3000 names from a loop variable, then for loops x N', 'for c in ["a", "b"]:\n' + Array.from({ length: 3000 }, (_, i) => `    v${i} = c\n`).join('') + fill('for d in ["x"]:\n    open(d)\n'), code('python')],
  ['python for loop, f"{c}/{c}" rebound x N', 'for c in ["a", "b"]:\n' + fill('    v = f"{c}/{c}.csv"\n    open(v, "w")\n    if v: break\n'), code('python')],
  ['python if: ... raise x N', fill('if a:\n    p = "x"\n    raise E\nopen(p)\n'), code('python')],
  ['python class bodies x N', fill('class A:\n    p: str = "x"\nopen(p)\n'), code('python')],
  ['python def with global x N', fill('def f():\n    global p, q\n    p = "x"\nopen(p)\n'), code('python')],
  ['shell X=$X$X doubling', 'X=ab\n' + 'X=$X$X\n'.repeat(40) + 'echo > $X\necho > z.txt\n', code('shell')],
];

describe('bounded time on adversarial 1 MB inputs', () => {
  for (const [name, input, run] of cases) {
    it(name, () => {
      run(input.slice(0, 10_000)); // warm up
      const t0 = performance.now();
      run(input);
      const ms = performance.now() - t0;
      assert.ok(ms < BOUND_MS, `${name}: ${ms.toFixed(0)} ms for 1 MB`);
    });
  }
});
