import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { fastestUnder, timeOnce } from '@agentspan/test-support';
import { createRedactor, TRUNCATION_MARK } from '../src/index.js';
import { argumentsScreened, cliScreened, compileRedactor } from '../src/redact.js';
import { loadCorpus } from './corpus-loader.js';

// The properties draw a new seed each run (a failure prints it: `{ seed: …, path: … }`); FC_SEED=<seed> replays one.
if (process.env.FC_SEED !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.FC_SEED) });

const r = createRedactor();
const redact = (s: string) => r.redact(s);

/** One test per `[name, input, output, kind]`: `input` redacts to `output`, one redaction of `kind` (and nothing more on a second pass). */
function itRedactsEach(cases: readonly [string, string, string, string][], options: { idempotent?: boolean } = {}): void {
  for (const [name, input, output, kind] of cases) {
    it(name, () => {
      const res = redact(input);
      assert.equal(res.text, output);
      assert.deepEqual(res.kinds, [kind]);
      assert.equal(res.redactions, 1);
      if (options.idempotent === true) assert.equal(redact(res.text).redactions, 0, 'idempotent');
    });
  }
}

/** Each text redacts to itself, nothing counted. */
function assertKept(texts: readonly string[]): void {
  for (const s of texts) {
    const res = redact(s);
    assert.equal(res.text, s, s);
    assert.equal(res.redactions, 0, s);
  }
}

/** Each `[input, output, redactions]`: `input` redacts to `output`, counted so (of `kinds`, when given), and a second pass changes nothing. */
function assertRedacts(cases: readonly (readonly [string, string, number])[], kinds?: readonly string[]): void {
  for (const [input, output, n] of cases) {
    const res = redact(input);
    assert.equal(res.text, output, input);
    assert.equal(res.redactions, n, input);
    if (kinds !== undefined) assert.deepEqual(res.kinds, kinds, input);
    const again = redact(res.text);
    assert.equal(again.text, res.text, `idempotent: ${res.text}`);
    assert.equal(again.redactions, 0, `idempotent: ${res.text}`);
  }
}

describe('createRedactor: built-in kinds', () => {
  const cases: [string, string, string, string][] = [
    ['openai_key', 'key sk-abcdefghijklmnopqrstuvwx12 end', 'key [REDACTED:openai_key] end', 'openai_key'],
    ['openai project key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx_-12', '[REDACTED:openai_key]', 'openai_key'],
    ['anthropic before openai', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', '[REDACTED:anthropic_key]', 'anthropic_key'],
    ['aws', 'id=AKIAIOSFODNN7EXAMPLE;', 'id=[REDACTED:aws_access_key];', 'aws_access_key'],
    ['github classic', 'ghp_' + 'a'.repeat(36), '[REDACTED:github_token]', 'github_token'],
    ['github fine-grained', 'github_pat_' + 'B'.repeat(30), '[REDACTED:github_token]', 'github_token'],
    ['gitlab', 'glpat-' + 'x'.repeat(20), '[REDACTED:gitlab_token]', 'gitlab_token'],
    ['slack', 'xoxb-123456789012-abcdefghij', '[REDACTED:slack_token]', 'slack_token'],
    ['google', 'AIza' + 'S'.repeat(35), '[REDACTED:google_api_key]', 'google_api_key'],
    ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'token [REDACTED:jwt]', 'jwt'],
    ['bearer', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [REDACTED:bearer]', 'bearer'],
    ['bearer json', '{"Authorization": "Bearer abcdefgh12345"}', '{"Authorization": "Bearer [REDACTED:bearer]"}', 'bearer'],
    ['url password', 'postgres://admin:s3cr3t@db:5432/app', 'postgres://admin:[REDACTED:url_password]@db:5432/app', 'url_password'],
    ['password =', 'password=hunter22', 'password=[REDACTED:password_assignment]', 'password_assignment'],
    ['env var suffix', 'DB_PASSWORD="p@ss w0rd"', 'DB_PASSWORD="[REDACTED:password_assignment]"', 'password_assignment'],
    ['json key', '{"api_key": "abc123", "n": 1}', '{"api_key": "[REDACTED:password_assignment]", "n": 1}', 'password_assignment'],
    ['yaml', 'secret: s3cr3t-value', 'secret: [REDACTED:password_assignment]', 'password_assignment'],
    ['header dash', 'X-Api-Key: abcdef123', 'X-Api-Key: [REDACTED:password_assignment]', 'password_assignment'],
    // Review of 2026-12-05: shapes that kept their secret.
    ['python bytes literal', 'load_key(data, password=b"Pw1Bytes77")', 'load_key(data, password="[REDACTED:password_assignment]")', 'password_assignment'],
    ['python f-string', 'DB_PASSWORD = f"Pw2FString88"', 'DB_PASSWORD = "[REDACTED:password_assignment]"', 'password_assignment'],
    ['python raw string', "api_key = rb'Key3Raw99'", "api_key = '[REDACTED:password_assignment]'", 'password_assignment'],
    ['ruby hash', "'password' => 'Pw4Hash00'", "'password' => '[REDACTED:password_assignment]'", 'password_assignment'],
    ['camelCase aws secret', '{"SecretAccessKey": "wJalrXUtnFEMIK7MDENG"}', '{"SecretAccessKey": "[REDACTED:password_assignment]"}', 'password_assignment'],
    ['environment subscript', 'os.environ["DB_PASSWORD"] = "Pw5Env11"', 'os.environ["DB_PASSWORD"] = "[REDACTED:password_assignment]"', 'password_assignment'],
    // A value ending in `[…]` is redacted with its `]` (it was `"[REDACTED:…]"]`, broken JSON and code).
    ['bare value ending in a subscript, dict', '{"password": Welcome[1]}', '{"password": "[REDACTED:password_assignment]"}', 'password_assignment'],
    ['bare value ending in a subscript, env', 'PASSWORD=Welcome[12]', 'PASSWORD=[REDACTED:password_assignment]', 'password_assignment'],
    ['bare value with brackets inside', 'DB_PASSWORD=Xk[9mP]2qL7 psql app', 'DB_PASSWORD=[REDACTED:password_assignment] psql app', 'password_assignment'],
    ['camelCase private key', 'privateKey: abcDEF123', 'privateKey: [REDACTED:password_assignment]', 'password_assignment'],
    ['bearer in JSON-encoded code', '{"code": "h = {\\"Authorization\\": \\"Bearer Zq9XwV8uT7sR6\\"}"}', '{"code": "h = {\\"Authorization\\": \\"Bearer [REDACTED:bearer]\\"}"}', 'bearer'],
    // HTTP credentials that kept their secret (audit of 2026-12-06): a proxy's header, schemes other than
    // Bearer/Basic/Token/Bot, an Authorization header without a scheme, cookies.
    ['proxy authorization', 'Proxy-Authorization: Basic dXNlcjpwYXNz', 'Proxy-Authorization: Basic [REDACTED:bearer]', 'bearer'],
    ['kerberos scheme', 'Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag', 'Authorization: Negotiate [REDACTED:bearer]', 'bearer'],
    ['okta scheme, quoted', '{"Authorization": "SSWS 00QCjAl4MlV-WPXM0"}', '{"Authorization": "SSWS [REDACTED:bearer]"}', 'bearer'],
    ['authorization without a scheme', 'Authorization: 9f8e7d6c5b4a39281706f5e4d3c2b1a0', 'Authorization: [REDACTED:password_assignment]', 'password_assignment'],
    ['authorization without a scheme, JSON', '{"Authorization": "lin_api_abcDEF1234567890xyz"}', '{"Authorization": "[REDACTED:password_assignment]"}', 'password_assignment'],
    ['authorization in a curl header', "curl -H 'Authorization: abcdef123456789' https://x", "curl -H 'Authorization: [REDACTED:password_assignment]' https://x", 'password_assignment'],
    ['authorization query parameter', 'GET /api?authorization=abcdef12345', 'GET /api?authorization=[REDACTED:password_assignment]', 'password_assignment'],
    ['cookie header, one cookie', 'Cookie: sessionid=abc123def456', 'Cookie: sessionid=[REDACTED:cookie]', 'cookie'],
    ['set-cookie: its value, not its attributes', 'Set-Cookie: id=a3fWa; Expires=Thu, 21 Oct 2021 07:28:00 GMT; Secure; HttpOnly', 'Set-Cookie: id=[REDACTED:cookie]; Expires=Thu, 21 Oct 2021 07:28:00 GMT; Secure; HttpOnly', 'cookie'],
    ['cookie in a header dict', "requests.get(u, headers={'Cookie': 'sid=s3cr3tv4lue'})", "requests.get(u, headers={'Cookie': 'sid=[REDACTED:cookie]'})", 'cookie'],
    ['document.cookie', 'document.cookie = "sid=s3cr3tv4lue; path=/"', 'document.cookie = "sid=[REDACTED:cookie]; path=/"', 'cookie'],
    ['cookie in a template literal', 'document.cookie = `sid=s3cr3tv4lue`', 'document.cookie = `sid=[REDACTED:cookie]`', 'cookie'],
    ['cookie in JSON-encoded code', '{"code": "h = {\\"Cookie\\": \\"sid=s3cr3t\\"}"}', '{"code": "h = {\\"Cookie\\": \\"sid=[REDACTED:cookie]\\"}"}', 'cookie'],
    ['a long cookie value, whole', 'COOKIE: sid=' + 'a1'.repeat(5000) + '\nHost: x', 'COOKIE: sid=[REDACTED:cookie]\nHost: x', 'cookie'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('every cookie of a Cookie header, each counted', () => {
    const res = redact('Cookie: sessionid=abc123def456; csrftoken=XYZ789;  _ga=GA1.2.3');
    assert.equal(res.text, 'Cookie: sessionid=[REDACTED:cookie]; csrftoken=[REDACTED:cookie];  _ga=[REDACTED:cookie]');
    assert.equal(res.redactions, 3);
    assert.deepEqual(res.kinds, ['cookie']);
  });

  it('keeps HTTP headers that hold no credential of their own: a scheme with its parameters, a name of code, a template, cookies that are references', () => {
    assertKept([
      'headers = {"Authorization": token}',
      'headers = {"Authorization": api_key}',
      'const h = { Authorization: apiKey }',
      'Authorization: Bearer',
      'Authorization: Bearer {token}',
      '"Authorization": "Bearer " + token',
      'h["Authorization"] = f"Bearer {token}"',
      'Authorization: Digest username="Mufasa", realm="x", response="6629fae49393a05397450978507c4ef1"',
      'Authorization: AWS4-HMAC-SHA256 Credential=x/20130524/us-east-1/s3/aws4_request, Signature=fe5f80f77d5f',
      'const token = req.headers.authorization?.split(" ")[1];',
      'Authorization: ${API_TOKEN}',
      'document.cookie = "sid=" + sid',
      'document.cookie = `sid=${sid}`',
      "headers={'Cookie': 'sid=%s' % sid}",
      'Cookie: sid={session_id}; theme=null',
      'Cookie: $COOKIES',
      'X-Cookie-Id: abc123',
      'cookies = {"a": 1}',
      'if cookie == "x": pass',
    ]);
  });

  it('redacts PEM private keys, terminated or cut short', () => {
    const body = 'MIIEowIBAAKCAQEA' + 'q'.repeat(48);
    const full = `x\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n${body}\n-----END RSA PRIVATE KEY-----\ny`;
    assert.equal(redact(full).text, 'x\n[REDACTED:private_key]\ny');
    const cut = `-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n\nThe key above`;
    const res = redact(cut);
    assert.equal(res.text.includes(body), false);
    assert.ok(res.text.endsWith('\n\nThe key above'));
  });

  it('tokens at the start of a line of JSON text (after an escaped line end or tab) are redacted', () => {
    const lines = ['sk-proj-' + 'A'.repeat(24), 'sk-ant-api03-' + 'b'.repeat(24), 'AKIAIOSFODNN7EXAMPLE', 'ghp_' + 'c'.repeat(36),
      'xoxb-123456789012-abcdefghij', 'AIza' + 'S'.repeat(35), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig', 'glpat-' + 'x'.repeat(20)];
    const json = JSON.stringify({ stdout: 'keys:\n' + lines.join('\n') + '\tend', headers: 'Host: x\nAuthorization: Bearer abcdefgh12345' });
    const res = redact(json);
    for (const secret of [...lines, 'abcdefgh12345']) assert.equal(res.text.includes(secret), false, secret);
    assert.equal(res.redactions, lines.length + 1);
    assert.doesNotThrow(() => JSON.parse(res.text));
  });

  it('keeps things that are not secrets', () => {
    assertKept([
      'items.map(token => token.trim())',
      'const check = password => password.length > 8',
      'max_tokens=100',
      'token_count: 5',
      'password = os.environ["DB_PASSWORD"]',
      'password: str = None',
      'if password == "x": pass',
      'api_key=${OPENAI_API_KEY}',
      'risk-assessment-framework-v2-final',
      'https://example.org/path',
      'ASIAN cuisine',
    ]);
  });

  it('counts every replacement and lists kinds once, in order', () => {
    const res = redact('sk-aaaaaaaaaaaaaaaaaaaaaaaa sk-bbbbbbbbbbbbbbbbbbbbbbbb password=x1');
    assert.equal(res.redactions, 3);
    assert.deepEqual(res.kinds, ['openai_key', 'password_assignment']);
  });
});

describe('createRedactor: secrets in text that was JSON-encoded (tool arguments, nested payloads)', () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).filter((v) => !/^(none|null|true|false)$/i.test(v));
  const key = fc.constantFrom('password', 'DB_PASSWORD', 'api_key', 'client_secret', 'token');
  const shape = fc.constantFrom(
    (k: string, v: string) => `${k} = "${v}"`,
    (k: string, v: string) => `${k} = '${v}'`,
    (k: string, v: string) => JSON.stringify({ [k]: v }),
    (k: string, v: string) => `connect(${k}="${v}")`,
  );

  it('property: a quoted secret is redacted however many times its text was JSON-encoded, and the JSON still parses to the same shape', () => {
    fc.assert(
      fc.property(key, secret, shape, fc.integer({ min: 1, max: 3 }), (k, v, make, times) => {
        const source = make(k, v);
        let text = source;
        for (let i = 0; i < times; i++) text = JSON.stringify({ code: text });
        const out = redact(text);
        assert.ok(!out.text.includes(v), out.text);
        assert.ok(out.redactions >= 1);
        let decoded: unknown = out.text;
        for (let i = 0; i < times; i++) decoded = (JSON.parse(decoded as string) as { code: unknown }).code;
        assert.equal(typeof decoded, 'string', 'still valid JSON, down to the original text');
        assert.equal(redact(source).text, decoded, 'the same redaction as on the text itself');
      }),
      { numRuns: 400 },
    );
  });

  it('property: a bare secret ends at an escaped line end, however many times its text was JSON-encoded', () => {
    fc.assert(
      fc.property(fc.constantFrom('PGPASSWORD', 'API_KEY', 'token'), secret, fc.integer({ min: 1, max: 3 }), (k, v, times) => {
        const source = `export ${k}=${v}\npsql -h db -c "select 1" > out.csv\n`;
        let text = source;
        for (let i = 0; i < times; i++) text = JSON.stringify({ command: text });
        const out = redact(text);
        assert.ok(!out.text.includes(v), out.text);
        let decoded: unknown = out.text;
        for (let i = 0; i < times; i++) decoded = (JSON.parse(decoded as string) as { command: unknown }).command;
        assert.equal(decoded, redact(source).text, 'the next line survives, as in the text itself');
        assert.match(decoded as string, /\npsql -h db/);
      }),
      { numRuns: 300 },
    );
  });

  it('a bare value after a quoted key stays valid JSON (a quoted tag); a call is not a secret', () => {
    const out = redact(JSON.stringify({ password: 256, q: 'x' }));
    assert.deepEqual(JSON.parse(out.text), { password: '[REDACTED:password_assignment]', q: 'x' });
    assert.equal(redact("{'secret': 12345}").text, `{'secret': '[REDACTED:password_assignment]'}`, 'quoted like its key');
    // A key whose quotes are escaped (JSON inside a JSON string) gets escaped quotes: both documents stay valid.
    const nested = redact(JSON.stringify({ url: 'x', body: JSON.stringify({ password: 123 }) })).text;
    assert.deepEqual(JSON.parse(JSON.parse(nested).body), { password: '[REDACTED:password_assignment]' });
    for (const code of ['pwd = os.getcwd()\n', 'token = get_token(scope)\n', 'secret = vault.read("db")\n']) {
      assert.equal(redact(code).text, code);
    }
    assert.equal(redact('password = hunter2\n').text, 'password = [REDACTED:password_assignment]\n');
    assert.equal(redact('PASSWORD=ab\\cd rest').text, 'PASSWORD=[REDACTED:password_assignment] rest', 'a backslash inside a bare value is kept in it');
    // Only the escapes JSON writes end a value: `\\T`, `\\N` are part of a raw secret.
    for (const raw of ['PASSWORD=Secr3t\\Tpart2', 'password=Ab\\Nrest_of_secret']) assert.equal(redact(raw).text, `${raw.split('=')[0]}=[REDACTED:password_assignment]`, raw);
    // A value with a digit before `(` is a secret, not a call.
    assert.equal(redact('password=hunter2(x)').text, 'password=[REDACTED:password_assignment](x)');
    assert.equal(redact('API_KEY=abc123(def').text, 'API_KEY=[REDACTED:password_assignment](def');
    // A list under a secret key is one value; JSON encoded twice keeps the quote a bare value is followed by.
    assert.deepEqual(JSON.parse(redact(JSON.stringify({ api_key: ['sk1-live-AAAA', 'sk2-live-BBBB'] })).text), { api_key: '[REDACTED:password_assignment]' });
    const twice = redact(JSON.stringify(JSON.stringify({ code: 'print(1)\nAPI_KEY = abc123' }))).text;
    assert.deepEqual(JSON.parse(JSON.parse(twice) as string), { code: 'print(1)\nAPI_KEY = [REDACTED:password_assignment]' });
    // A `[` inside an unquoted secret, or one that opens no list, stays inside it.
    for (const raw of ['token: FdZXC[jqeMXB2/3BpUVycm=', 'ApiKEY: [7JYKdm?aHzG6wRD!mVz8xkx # comment']) assert.doesNotMatch(redact(raw).text, /jqeMXB2|7JYKdm/, raw);
    // A long run of backslashes inside a raw secret does not end it.
    assert.equal(redact(`PASSWORD=Xk9${'\\'.repeat(8)}mP2qL7zR`).text, 'PASSWORD=[REDACTED:password_assignment]');
  });

  it('a lone backslash is never taken for a secret', () => {
    assert.equal(redact('password = \\').text, 'password = \\');
    assert.equal(redact('password=\\\\ next').redactions, 0);
  });
});

describe('createRedactor: code that refers to a secret is not one (a review of false positives, 2026-12-05)', () => {
  it('keeps code, templates and prose byte for byte', () => {
    for (const code of [
      'client = OpenAI(api_key=api_key)',
      'self.api_key = api_key',
      'login(user, password=args.password)',
      'user.password = form.password.data',
      'tokenizer.pad_token = tokenizer.eos_token',
      'const password = req.body.password;',
      '    next_token = tokens[i + 1]',
      'password = request.form["password"]',
      'token = await getAccessToken()',
      'def connect(token: Optional[str] = None):',
      'password = sys.argv[1]',
      'const token = tokens[0];',
      'client = OpenAI(api_key=keys[0])',
      'conn = psycopg2.connect(host, password=pw)',
      'r = redis.Redis(host=h, port=p, password=rpass)',
      'kept = list(filter(lambda token: token not in stopwords, tokens))',
      'tokenizer.pad_token = tokenizer.eos_token',
      '  token: ${{ secrets.GITHUB_TOKEN }}',
      'export TOKEN=$(cat ~/.token)',
      'pub token: Option<String>,',
      ':param password: the user\'s password',
      'cur.execute("SELECT id FROM users WHERE name = %s AND password = %s", (name, pw))',
      'db.get("SELECT * FROM users WHERE password = ?", [hash])',
      'docker run -v "$PWD":/work -w /work python:3.12 python main.py',
      'PWD=/workspace/project',
      ': "${API_KEY:?API_KEY must be set}"',
      'OPENAI_API_KEY=<your key here>',
      'gen_kwargs = {"max_new_tokens": 128, "eos_token": 2, "pad_token": 0}',
      '{"pad_token": "[PAD]", "cls_token": "[CLS]"}',
      '{"input_token": [[101, 2023, 102], [101, 2003, 102]], "n": 2}',
      'token = f"{prefix}-{uuid4().hex}"',
      'print("Password: " + "*" * len(pw))',
      'let api_key = std::env::var("OPENAI_API_KEY").expect("set it");',
      'DATABASE_URL = f"postgresql://{DB_USER}:{DB_PASSWORD}@{DB_HOST}/{DB_NAME}"',
      'psql "postgres://$PGUSER:$PGPASSWORD@localhost:5432/$PGDATABASE"',
      'engine = create_engine("postgresql://{}:{}@{}/{}".format(user, password, host, name))',
      'skopeo inspect docker://alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b',
      'items.map(token => token.trim())',
      `Markets in ASIA${TRUNCATION_MARK}`,
    ]) {
      assert.equal(redact(code).text, code, code);
      const json = JSON.stringify({ code });
      assert.equal(redact(json).text, json, `JSON-encoded: ${code}`);
    }
  });

  it('still redacts literal values: plain words, env files, properties, PHP, a secret with a bracket', () => {
    for (const [text, secret] of [
      ['password=hunter', 'hunter'],
      ['POSTGRES_PASSWORD=postgres', 'postgres'],
      ['DB_PASSWORD=my_secret_password', 'my_secret_password'],
      ['password: my_secret_pass', 'my_secret_pass'],
      ['spring.datasource.password=changeme', 'changeme'],
      ['password: hunter2', 'hunter2'],
      ['$password = \'hunter2\';', 'hunter2'],
      ['api_key = "abc123"', 'abc123'],
      ['DB_PASSWORD=>Qx7v9mP2', 'Qx7v9mP2'],
      ['token: FdZXC[jqeMXB2/3BpUVycm=', 'jqeMXB2'],
      ['postgres://admin:s3cr3t@db:5432/app', 's3cr3t'],
      ['password = 1234', '1234'],
      // From a review of leaks (2026-12-05): shapes configuration gives real secrets.
      ['JWT_SECRET=mySuperSecretKey', 'mySuperSecretKey'],
      ['jwt.secret=mySecretKey', 'mySecretKey'],
      ['password: SuperSecretPass', 'SuperSecretPass'],
      ['spring.datasource.password=password', '=password'],
      ['password: password', ': password'],
      ['DB_PASSWORD=Correct.Horse.Battery', 'Correct.Horse'],
      ['login failed for admin, password: letmein was rejected', 'letmein'],
      ['{user: admin, password: Welcome, host: db}', 'Welcome'],
      ['POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-Sup3rS3cret!}', 'Sup3rS3cret'],
      ['postgres://admin:password@db.prod:5432/app', 'admin:password@'],
      ['amqp://svc:{Xk9mP2}@broker/vh', 'Xk9mP2'],
      ['otp_token=482913', '482913'],
      ['DB_PASSWORD=Xk[9mP]2qL7', '9mP'],
      // A closed `[…]` inside a bare value kept the value's tail in clear (`=[REDACTED]]2qL7`).
      ['DB_PASSWORD=Xk[9mP]2qL7', '2qL7'],
      ['api_key=AbC[12]dEf9', 'dEf9'],
      ['password: Xk[9mP]2qL7 # rotated', '2qL7'],
      ['{"token": Ab[1]c}', ']c'],
      // A list value opened inside a JSON string ran past its closing quote to a later `]`, taking the next keys.
      ['{"cmd":"token=[","password":"Xk9mP2qL7wZ","z":"]"}', 'Xk9mP2qL7wZ'],
      ['{"cmd":"token=[","password":"Xk9mP2qL7wZ","u":"postgres://u:S3cretPw@h/db"}', 'Xk9mP2qL7wZ'],
      ["{'cmd': 'pwd=[', 'api_key': 'Zq9XwV8uT7sR6', 'x': ']'}", 'Zq9XwV8uT7sR6'],
      // ... or a quoted value (`'` inside a JSON string), or after an escape or the other quote before the key.
      ['{"path":"password=\'","password":"Xk9mP2qL7wZ","q":"\'"}', 'Xk9mP2qL7wZ'],
      ['{"q":"\\ud800token=[","password":"Xk9mP2qL7wZ","z":"]"}', 'Xk9mP2qL7wZ'],
      ['{"q":"\'--password=[","password":"Xk9mP2qL7wZ","z":"]"}', 'Xk9mP2qL7wZ'],
      ['password=!@#$%^&*', '!@#'],
      ['{"password": "{hunter2}"}', 'hunter2'],
      ['DB_PASSWORD=$uperSecret2024', 'uperSecret'],
      ['Authorization: Basic YWRtaW46aHVudGVyMg==', 'YWRtaW46'],
      ['Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', '9944b091'],
      ['secret_key_base: 3b7f9a2c1d4e5f60718293a4b5c6d7e8f9', '3b7f9a2c'],
      ['//nas/backup /mnt/backup cifs username=backup,password=Springtime,vers=3.0 0 0', 'Springtime'],
      ['(&(uid=admin)(userPassword=Welcome))', 'Welcome'],
      ['cifs username=backup,password=correct_horse_battery_staple,vers=3.0', 'correct_horse'],
      ['-o user=bob,password=letMeIn', 'letMeIn'],
      ['(&(uid=admin)(userPassword=iLoveYou))', 'iLoveYou'],
      ['User Id=sa,Password=Spring_Fever', 'Spring_Fever'],
      ['connect("User Id=sa,Password=Spring_Fever")', 'Spring_Fever'],
      ['PASSWORD=Welcome[12]', 'Welcome'],
      ['DB_PASSWORD=<Zq8#kP2!vX', 'Zq8'],
      ['password: <3kittens', '3kittens'],
    ] as const) {
      assert.ok(!redact(text).text.includes(secret), `${text} -> ${redact(text).text}`);
    }
  });
});

test('a value opened inside a JSON string ends at its closing quote: the document keeps its keys, each secret redacted once', () => {
  const r = createRedactor().redact('{"cmd":"token=[","password":"Xk9mP2qL7wZ","z":"]"}');
  assert.equal(r.text, '{"cmd":"token=[REDACTED:password_assignment]","password":"[REDACTED:password_assignment]","z":"]"}');
  assert.equal(r.redactions, 2, 'the fragment after token= and the password');
  assert.equal(createRedactor().redact(r.text).redactions, 0, 'idempotent');
});

describe('createRedactor: secrets in shapes of their own (name/value pairs, command lines, registry auth, .netrc)', () => {
  const cases: [string, string, string, string][] = [
    // A Kubernetes (or ECS, CloudFormation, Helm, Terraform) name/value pair whose name is a secret's.
    ['kubernetes env pair', '- name: DB_PASSWORD\n  value: hunter2', '- name: DB_PASSWORD\n  value: [REDACTED:name_value]', 'name_value'],
    ['kubernetes env pair, quoted', 'env:\n  - name: "API_TOKEN"\n    value: "Zq9-XwV8uT7sR6"\n', 'env:\n  - name: "API_TOKEN"\n    value: "[REDACTED:name_value]"\n', 'name_value'],
    ['json env pair', '{"name": "API_TOKEN", "value": "abc123xyz"}', '{"name": "API_TOKEN", "value": "[REDACTED:name_value]"}', 'name_value'],
    ['pretty json env pair', '[\n  {\n    "name": "DB_PASSWORD",\n    "value": "Pw7Kube22"\n  }\n]', '[\n  {\n    "name": "DB_PASSWORD",\n    "value": "[REDACTED:name_value]"\n  }\n]', 'name_value'],
    ['json env pair, bare number stays valid json', '{"name": "PIN_SECRET", "value": 4821}', '{"name": "PIN_SECRET", "value": "[REDACTED:name_value]"}', 'name_value'],
    ['cloudformation env pair', '- Name: DB_PASSWORD\n  Value: Sup3rS3cret!', '- Name: DB_PASSWORD\n  Value: [REDACTED:name_value]', 'name_value'],
    ['helm --set list', 'helm install app ./chart --set env[0].name=DB_PASSWORD,env[0].value=hunter2', 'helm install app ./chart --set env[0].name=DB_PASSWORD,env[0].value=[REDACTED:name_value]', 'name_value'],
    ['terraform set block', 'set {\n  name  = "auth.postgresPassword"\n  value = "Pg5Secret"\n}', 'set {\n  name  = "auth.postgresPassword"\n  value = "[REDACTED:name_value]"\n}', 'name_value'],
    ['env pair in json text', '{"stdout": "- name: DB_PASSWORD\\n  value: hunter2\\n- name: LOG\\n"}', '{"stdout": "- name: DB_PASSWORD\\n  value: [REDACTED:name_value]\\n- name: LOG\\n"}', 'name_value'],
    // A password on a command line, by the command's own flag.
    ['mysql -p', 'mysql -h db -uroot -pS3cret app', 'mysql -h db -uroot -p[REDACTED:cli_password] app', 'cli_password'],
    ['mysqldump -p', 'mysqldump -uroot -pX7pw app > app.sql', 'mysqldump -uroot -p[REDACTED:cli_password] app > app.sql', 'cli_password'],
    ['mariadb -p quoted', "mariadb -u root -p'my pass' app", "mariadb -u root -p'[REDACTED:cli_password]' app", 'cli_password'],
    ['mysql in docker exec', 'docker exec -it db mysql -uroot -prootpw -e "SHOW DATABASES"', 'docker exec -it db mysql -uroot -p[REDACTED:cli_password] -e "SHOW DATABASES"', 'cli_password'],
    ['mysql argv list', 'subprocess.run(["mysql", "-uroot", "-pS3cret", "app"])', 'subprocess.run(["mysql", "-uroot", "-p[REDACTED:cli_password]", "app"])', 'cli_password'],
    ['curl -u', 'curl -u admin:hunter2 https://api.example.com', 'curl -u admin:[REDACTED:cli_password] https://api.example.com', 'cli_password'],
    ['curl --user', 'curl -sS --user deploy:Pa55w0rd https://x.example', 'curl -sS --user deploy:[REDACTED:cli_password] https://x.example', 'cli_password'],
    ['curl -u quoted', "curl -u 'elastic:changeme' http://localhost:9200", "curl -u 'elastic:[REDACTED:cli_password]' http://localhost:9200", 'cli_password'],
    ['curl -u attached', 'curl -uadmin:s3cr3t http://h/', 'curl -uadmin:[REDACTED:cli_password] http://h/', 'cli_password'],
    ['curl -u in a flag cluster', 'curl -su admin:s3cr3t http://h/', 'curl -su admin:[REDACTED:cli_password] http://h/', 'cli_password'],
    ['curl -u in json text', '{"command": "curl -u \\"bob:Secr3t pw\\" https://h"}', '{"command": "curl -u \\"bob:[REDACTED:cli_password]\\" https://h"}', 'cli_password'],
    ['curl argv list', "subprocess.run(['curl', '-u', 'bob:Secr3t', url])", "subprocess.run(['curl', '-u', 'bob:[REDACTED:cli_password]', url])", 'cli_password'],
    ['curl --oauth2-bearer', 'curl --oauth2-bearer Zm9vYmFyYmF6 https://h', 'curl --oauth2-bearer [REDACTED:cli_password] https://h', 'cli_password'],
    ['wget --http-password', 'wget --http-user=bob --http-password s3cret1 https://h/f', 'wget --http-user=bob --http-password [REDACTED:cli_password] https://h/f', 'cli_password'],
    ['docker login -p', 'docker login -u me -p S3cretPw registry.example.com', 'docker login -u me -p [REDACTED:cli_password] registry.example.com', 'cli_password'],
    ['sshpass -p', 'sshpass -p Hunter22 ssh -p 2222 me@host', 'sshpass -p [REDACTED:cli_password] ssh -p 2222 me@host', 'cli_password'],
    ['redis-cli -a', 'redis-cli -h cache -a R3disPw ping', 'redis-cli -h cache -a [REDACTED:cli_password] ping', 'cli_password'],
    // Docker's config.json and npm's .npmrc: base64 of `user:password`.
    ['docker config auth', '{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNzd29yZA=="}}}', '{"auths": {"https://index.docker.io/v1/": {"auth": "[REDACTED:basic_auth]"}}}', 'basic_auth'],
    ['npmrc _auth', '//registry.example.com/:_auth=dXNlcjpwYXNzd29yZA==\nalways-auth=true', '//registry.example.com/:_auth=[REDACTED:basic_auth]\nalways-auth=true', 'basic_auth'],
    ['npmrc _auth alone', '_auth = Ym9iOmh1bnRlcjI=', '_auth = [REDACTED:basic_auth]', 'basic_auth'],
    // .netrc entries, on one line or several.
    ['netrc one line', 'machine api.github.com login octocat password gh0stPass', 'machine api.github.com login octocat password [REDACTED:netrc_password]', 'netrc_password'],
    ['netrc several lines', 'machine db.example.com\n  login app\n  password p4ss-w0rd\n', 'machine db.example.com\n  login app\n  password [REDACTED:netrc_password]\n', 'netrc_password'],
    ['netrc default entry', 'default login anonymous password guest123', 'default login anonymous password [REDACTED:netrc_password]', 'netrc_password'],
    ['netrc in json text', '{"content": "machine h.example\\nlogin u\\npassword Xk9mP2\\n"}', '{"content": "machine h.example\\nlogin u\\npassword [REDACTED:netrc_password]\\n"}', 'netrc_password'],
    // The rest of a value: after `&` when no `name=` follows it, after a space to the end of a YAML line.
    ['value with &', 'password=Tr0ub4dor&3', 'password=[REDACTED:password_assignment]', 'password_assignment'],
    ['helm, one --set per item', 'helm install app ./chart --set env[0].name=DB_PASSWORD --set env[0].value=hunter2', 'helm install app ./chart --set env[0].name=DB_PASSWORD --set env[0].value=[REDACTED:name_value]', 'name_value'],
    ['helm, one --set per item, quoted', "helm install app ./chart --set 'env[0].name=DB_PASSWORD' --set-string 'env[0].value=hunter2'", "helm install app ./chart --set 'env[0].name=DB_PASSWORD' --set-string 'env[0].value=[REDACTED:name_value]'", 'name_value'],
    ['value with & then ; (a connection string)', 'Server=db;User Id=sa;Password=Tr0ub4dor&3;Database=app', 'Server=db;User Id=sa;Password=[REDACTED:password_assignment];Database=app', 'password_assignment'],
    ['value with & then ; (ODBC)', 'Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=Xk9&7mQ;Encrypt=yes', 'Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=[REDACTED:password_assignment];Encrypt=yes', 'password_assignment'],
    ['value with & then a space', 'DB_PASSWORD=a&b&c next=1', 'DB_PASSWORD=[REDACTED:password_assignment] next=1', 'password_assignment'],
    ['yaml value with spaces', 'db:\n  password: correct horse battery staple\n  host: db', 'db:\n  password: [REDACTED:password_assignment]\n  host: db', 'password_assignment'],
    ['yaml list item value with spaces, then a comment', '- passphrase: abcd efgh # rotated monthly', '- passphrase: [REDACTED:password_assignment] # rotated monthly', 'password_assignment'],
    ['yaml value with spaces, last line of a json string', '{"stdout": "db:\\n  host: db.internal\\n  password: correct horse battery staple"}', '{"stdout": "db:\\n  host: db.internal\\n  password: [REDACTED:password_assignment]"}', 'password_assignment'],
    ['yaml name/value pair, last line of a json string', '{"stdout": "- name: DB_PASSWORD\\n  value: correct horse battery"}', '{"stdout": "- name: DB_PASSWORD\\n  value: [REDACTED:name_value]"}', 'name_value'],
    ['yaml value with spaces, last line of a code string', 'cfg = "db:\\n  password: correct horse battery";', 'cfg = "db:\\n  password: [REDACTED:password_assignment]";', 'password_assignment'],
    ['yaml value with spaces, last line of an escaped string', '{"code": "cfg = \\"db:\\\\n  password: correct horse\\"\\n"}', '{"code": "cfg = \\"db:\\\\n  password: [REDACTED:password_assignment]\\"\\n"}', 'password_assignment'],
    ['yaml value with spaces in json text', '{"file": "app:\\n  secret: my secret words\\n"}', '{"file": "app:\\n  secret: [REDACTED:password_assignment]\\n"}', 'password_assignment'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('already covered by the key rule: --password=, PGPASSWORD=, MYSQL_PWD=, npm _authToken and _password', () => {
    for (const [text, out] of [
      ['mysql -uroot --password=S3cret app', 'mysql -uroot --password=[REDACTED:password_assignment] app'],
      ['PGPASSWORD=s3cret psql -h db -U app', 'PGPASSWORD=[REDACTED:password_assignment] psql -h db -U app'],
      ['MYSQL_PWD=s3cret mysql -uroot app', 'MYSQL_PWD=[REDACTED:password_assignment] mysql -uroot app'],
      ['wget --password=s3cret1 ftp://h/f', 'wget --password=[REDACTED:password_assignment] ftp://h/f'],
      ['//registry.npmjs.org/:_authToken=npm_abcdef123456', '//registry.npmjs.org/:_authToken=[REDACTED:password_assignment]'],
      ['//npm.pkg.github.com/:_password=cGFzcw==', '//npm.pkg.github.com/:_password=[REDACTED:password_assignment]'],
    ] as const) {
      assert.equal(redact(text).text, out, text);
    }
  });

  it('keeps what only looks like them: other names, references, flags of other commands, users without a password, prose', () => {
    for (const text of [
      // Name/value pairs: another name, a reference, a value from elsewhere, a variable in code.
      '- name: LOG_LEVEL\n  value: debug',
      '- name: DB_PASSWORD_FILE\n  value: /run/secrets/db',
      '- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: pw',
      '- name: API_TOKEN\n- name: LOG_LEVEL\n  value: debug',
      '- name: DB_PASSWORD\n  value: $(VAULT_DB_PASSWORD)',
      '- name: API_TOKEN\n  value: "{{ .Values.apiToken }}"',
      '- name: API_TOKEN\n  value: ${API_TOKEN}',
      'set {\n  name  = "auth.password"\n  value = var.db_password\n}',
      'headers.append({"name": "X-Auth-Token", "value": token})',
      'env.push({ name: "API_TOKEN", value: apiToken });',
      'fields = [dict(name="api_token", value=os.environ["API_TOKEN"])]',
      '<input name="password" value="" type="password">',
      '{"name": "pad_token", "value": 0}',
      '- Name: LOG_LEVEL\n  Value: debug',
      '  secret: !secret db_password',
      'helm upgrade app ./chart --set env[0].name=LOG_LEVEL,env[0].value=debug',
      // Commands: -p and -u of other commands, no attached password, references, a user alone.
      'docker run -d -p 8080:80 nginx && docker exec -u root web id',
      'mkdir -p out && cp -p a b && sort -u x && python -u run.py && git push -u origin main',
      'pip install -U pip && tar -xpf a.tar && ssh -p 2222 me@h',
      'mysql -h db.internal -P 3306 -u root -p',
      'mysql -u root -p mydb < schema.sql',
      'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "select 1"\nmkdir -p out',
      'mysql -uroot -p${DB_PASS} app',
      'subprocess.run(["mysql", "-u", user, f"-p{password}", db])',
      'test: ["CMD", "mysqladmin", "ping", "-uroot", "-p$$MYSQL_ROOT_PASSWORD"]',
      'import mysql.connector',
      'curl -u admin https://h/api',
      'curl -u admin: https://h/api',
      'curl -u "$USER:$PASS" https://h/api',
      'curl -u "${API_USER}:${API_PASS}" https://h',
      'subprocess.run(["curl", "-u", creds, url])',
      'curl -sSL https://example.com/install.sh | sh -s -- -u',
      'echo "$PW" | docker login -u me --password-stdin ghcr.io',
      'docker login -u "$DOCKER_USER" -p "$DOCKER_PASS"',
      'sshpass -f ~/.pw ssh -p 2222 me@host',
      'redis-cli -h cache -p 6379 ping',
      // Auth fields that are no base64 of user:password.
      '{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}',
      '{"auth": "none", "mode": "basic"}',
      'auth: basic',
      '{"auth": ""}',
      '"auth": "bearer"',
      // Prose and code with the netrc words.
      'The machine learning login page asks for a password reset.',
      'machine = platform.machine()\nlogin(user, password)',
      // Values after & and spaces that are not part of them.
      'curl "https://h/items?api_key=$API_KEY&limit=10"',
      'PASSWORD=$PW && make deploy',
      'token = tokens[i] if i < len(tokens) else None',
      'kept = list(filter(lambda token: token not in stopwords, tokens))',
      'password: str = Field(..., min_length=8)',
      'OPENAI_API_KEY=<your key here>',
    ]) {
      assert.equal(redact(text).text, text, text);
      const json = JSON.stringify({ text });
      assert.equal(redact(json).text, json, `JSON-encoded: ${text}`);
    }
  });

  it('Docker\'s auth field is looked for in texts with few `=`/`:` or holding a registry config; npm\'s everywhere', () => {
    const config = '{"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNzd29yZA=="}}}';
    assert.equal(redact(config).redactions, 1);
    const script = 'a=1 '.repeat(20) + config;
    assert.equal(redact(script).redactions, 1, 'more than 16 separators, but its first object is a registry config');
    const other = 'a = {"x": 1}\n' + 'b=1 '.repeat(20) + '\nc = ' + config;
    assert.equal(redact(other).text, other, 'more than 16 separators and another object first: not looked for (a documented gap)');
    const npm = 'a=1 '.repeat(20) + '\n_auth=dXNlcjpwYXNzd29yZA==\n';
    assert.equal(redact(npm).text, 'a=1 '.repeat(20) + '\n_auth=[REDACTED:basic_auth]\n');
  });

  it('a space ends an unquoted value everywhere but a YAML line: the words after it are other arguments', () => {
    assert.equal(redact('password=abcd efgh').text, 'password=[REDACTED:password_assignment] efgh');
    assert.equal(redact('mount -o user=bob,password=S3cret other=1').text, 'mount -o user=bob,password=[REDACTED:password_assignment] other=1');
    assert.equal(redact('login failed, password: letmein was rejected').text, 'login failed, password: [REDACTED:password_assignment] was rejected');
    assert.equal(redact('PGPASSWORD=s3cret psql app').text, 'PGPASSWORD=[REDACTED:password_assignment] psql app');
    // A string holding only a key and words is a message, not a YAML document's last line.
    assert.equal(redact('{"errors": ["password: must be at least 8 characters"]}').text, '{"errors": ["password: [REDACTED:password_assignment] be at least 8 characters"]}');
    assert.equal(redact('{"stdout": "db:\\n  password: a b\\" c"}').text, '{"stdout": "db:\\n  password: [REDACTED:password_assignment] b\\" c"}');
    // A query string's next parameter, an HTML entity and a shell's `&&` end a value.
    assert.equal(redact('https://h/cb?token=abc123&next=/home').text, 'https://h/cb?token=[REDACTED:password_assignment]&next=/home');
    assert.equal(redact('x?token=abc123&amp;next=1').text, 'x?token=[REDACTED:password_assignment]&amp;next=1');
    assert.equal(redact('PASSWORD=abc123&&make').text, 'PASSWORD=[REDACTED:password_assignment]&&make');
    assert.equal(redact('x?token=abc123&#39;s').text, 'x?token=[REDACTED:password_assignment]&#39;s');
    assert.equal(redact('x?token=abc123&#x27;s').text, 'x?token=[REDACTED:password_assignment]&#x27;s');
    assert.equal(redact('?a=1&token=abc&b=2').text, '?a=1&token=[REDACTED:password_assignment]&b=2');
  });
});

describe('createRedactor: options', () => {
  it('enabled: false returns the input unchanged', () => {
    const off = createRedactor({ enabled: false });
    assert.equal(off.enabled, false);
    assert.deepEqual(off.redact('password=x sk-aaaaaaaaaaaaaaaaaaaaaaaa'), { text: 'password=x sk-aaaaaaaaaaaaaaaaaaaaaaaa', redactions: 0, kinds: [] });
    assert.equal(createRedactor().enabled, true);
  });
  it('extraPatterns run with the g flag added', () => {
    const custom = createRedactor({ extraPatterns: [{ kind: 'ticket', pattern: /TICKET-\d{4}/ }] });
    assert.deepEqual(custom.redact('TICKET-1234 and TICKET-5678'), { text: '[REDACTED:ticket] and [REDACTED:ticket]', redactions: 2, kinds: ['ticket'] });
  });
  it('extraPatterns never redact inside a tag an earlier rule wrote (a pattern that matches REDACTED), only around it', () => {
    const licence = createRedactor({ extraPatterns: [{ kind: 'licence', pattern: /\b[A-Z0-9]{8,}\b/ }] });
    const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
    assert.deepEqual(licence.redact(`Bearer ${key} for AK9X7Q2Z3W`), {
      text: 'Bearer [REDACTED:openai_key] for [REDACTED:licence]',
      redactions: 2,
      kinds: ['openai_key', 'licence'],
    });
    // Redacting its own output again changes nothing.
    assert.deepEqual(licence.redact('[REDACTED:openai_key] and [REDACTED:licence]'), { text: '[REDACTED:openai_key] and [REDACTED:licence]', redactions: 0, kinds: [] });
    // Text that only looks like a tag's start is no tag.
    assert.equal(licence.redact('[REDACTED: AK9X7Q2Z3W]').text, '[[REDACTED:licence]: [REDACTED:licence]]');
    assert.equal(licence.redact('[REDACTEDXYZ12345]').text, '[[REDACTED:licence]]');
    // A match that spans a tag and more is still redacted (the safe side).
    const around = createRedactor({ extraPatterns: [{ kind: 'pair', pattern: /pair=\S+/ }] });
    assert.equal(around.redact(`pair=${key}`).text, '[REDACTED:pair]');
  });
  it('extra key names outside ASCII match in any case, as the i flag folded them (final sigma, micro sign)', () => {
    const red = createRedactor({ extraKeyNames: ['κωδικοσ', 'пароль', 'µkey'] });
    for (const text of ['κωδικος=abc123', 'ΚΩΔΙΚΟΣ=abc123', 'ПАРОЛЬ=abc123', 'μkey=abc123', 'ΜKEY=abc123']) {
      assert.equal(red.redact(text).redactions, 1, text);
    }
  });

  it('extraKeyNames extend the key list', () => {
    const custom = createRedactor({ extraKeyNames: ['session_cookie'] });
    assert.equal(custom.redact('SESSION_COOKIE=abc123').text, 'SESSION_COOKIE=[REDACTED:password_assignment]');
    assert.equal(createRedactor().redact('SESSION_COOKIE=abc123').redactions, 0);
  });
  it('fails closed when a user pattern cannot be used', () => {
    const broken = { kind: 'bad', pattern: { source: '(', flags: '' } as unknown as RegExp };
    const res = createRedactor({ extraPatterns: [broken] }).redact('anything');
    assert.deepEqual(res, { text: '[REDACTED:error]', redactions: 1, kinds: ['error'] });
  });
  it('never throws on non-string input', () => {
    assert.deepEqual(r.redact(undefined as unknown as string), { text: '', redactions: 0, kinds: [] });
  });
});

describe('createRedactor: the key-name pre-check skips nothing it should redact', () => {
  it('key names in any case, with - or _, and extra key names still redact', () => {
    assert.equal(redact('PassWord = "hunter2hunter2"').text, 'PassWord = "[REDACTED:password_assignment]"');
    assert.equal(redact('X-API-KEY: abcdef123456').text, 'X-API-KEY: [REDACTED:password_assignment]');
    const custom = createRedactor({ extraKeyNames: ['Session-Cookie'] });
    assert.equal(custom.redact('SESSION_COOKIE=abc123def456').text, 'SESSION_COOKIE=[REDACTED:password_assignment]');
  });
  it('text without any key name is returned unchanged', () => {
    const code = "x = 1\nprint({'a': 2})\nurl = 'http://example.com:8080/path'\n";
    assert.deepEqual(redact(code), { text: code, redactions: 0, kinds: [] });
  });
});

describe('createRedactor: the screen is a necessary condition of every rule', () => {
  it("looks for curl's user:password in the word after -u, not anywhere on its line", () => {
    // A URL's `:` after `-u user` made the command rule run on every shell script with curl.
    assert.equal(cliScreened('curl -sS -u admin https://api.example.com/v1/items | jq .'), false);
    assert.equal(cliScreened('curl -u admin:S3cret https://api.example.com/'), true);
    assert.equal(cliScreened('curl -uadmin:S3cret https://api.example.com/'), true);
    assert.equal(cliScreened('curl --user=admin:S3cret https://api.example.com/'), true);
    assert.equal(cliScreened('curl -u \\\n  admin:S3cret https://api.example.com/'), true);
    assert.equal(cliScreened('curl -u "my user:S3cret" https://api.example.com/'), true);
    assert.equal(cliScreened('["curl", "-u", "admin:S3cret"]'), true);
  });

  // The same rules without the screen: every rule runs on every string. Any difference means the
  // screen cleared a string a rule would have matched.
  const reference = compileRedactor(undefined, false);
  const withExtras = { extraKeyNames: ['session_cookie', 'X.Token9'], extraPatterns: [{ kind: 'ticket', pattern: /TICKET-\d{4}/ }] };
  const screenedExtras = createRedactor(withExtras);
  const referenceExtras = compileRedactor(withExtras, false);
  // Key names that are not plain ASCII make the screen fall back to a case-insensitive regex.
  const oddKeys = { extraKeyNames: ['clé secrète', 'my"key'] };
  const screenedOdd = createRedactor(oddKeys);
  const referenceOdd = compileRedactor(oddKeys, false);

  /** Pieces of every anchor, whole and split, with the separators the rules look at. */
  const PIECES = [
    'sk-', 's', 'k', '-', 'ant-', 'proj-', 'sk-ant-', 'AKIA', 'ASIA', 'ABIA', 'ACCA', 'A', 'I', 'K', 'C', 'IOSFODNN7EXAMPLE', 'ghp_', 'gho_',
    'gh', 'g', 'h', '_', 'github_pat_', 'glpat-', 'glp', 'at-', 'xoxb-', 'xoxr-', 'xo', 'x', 'AIza', 'za', 'eyJ', 'e', 'y', 'J', '.',
    'Authorization', 'AUTHORIZATION', 'authorization', 'Bearer ', 'bearer ', 'BEARER\t', 'https://', '://', ':', '//', '@', 'user', 'u:p@h',
    'password', 'PassWord', 'passwd', 'pwd', 'PWD', 'secret', 'token', 'Token', 'api_key', 'api-key', 'API-KEY', 'apikey', 'access_key',
    'client_secret', 'passphrase', 'credentials', 'session_cookie', 'Session-Cookie', 'x.token9', 'TICKET-1234', 'clé secrète', 'CLÉ SECRÈTE',
    'my"key', '=', '==', ':=', '::', '=>', TRUNCATION_MARK, 'b', 'rb', 'f', '\\n', '\\t', 'SecretAccessKey', 'privateKey', ' ', '  ', '\t', ' '.repeat(16), ' '.repeat(17), '"', "'", '\n', '\n\n', '$', '${X}', 'None', 'hunter22',
    'abcdefghijklmnopqrstuvwxyz0123456789', 'ABCDEFGHIJKLMNOP', '-----BEGIN RSA PRIVATE KEY-----\n', '-----END RSA PRIVATE KEY-----',
    'PRIVATE KEY', 'MIIEowIBAAKCAQEA', '[REDACTED:', ']', 'é', 'K', 'ſ', '\u212a', '{', '}', ',', ';', '\\', '\\"', '\\\\\\"', "\\'",
    // The shapes of their own: name/value pairs, command lines, registry auth, .netrc, values going on past `&` or a space.
    'name', 'Name', 'value', 'Value', 'env[0].', '- ', 'DB_PASSWORD', 'mysql', 'mysqldump', 'mariadb', 'curl', 'wget', 'docker', 'login', 'sshpass',
    'redis-cli', '-p', '-pS3c', '-u', '-U', '-su', '-a', '--user', '--password', '--http-password', '--oauth2-bearer', '--proxy-user', 'u:p',
    'machine', 'default', 'h.example', 'auth', '_auth', '"auth"', 'YTpi', 'dXNlcjpwYXNz', '&', '&3', ' #', '\r', '[', '(', ')', '|', '\\n', '\\\\n',
    // Vendor tokens (redact-vendors.ts): prefixes whole and split, and bodies of their lengths.
    'hf_', 'f_', 'api_org_', 'org_', 'npm_', 'm_', 'gsk_', 'sk_', 'rk_', 'live_', 'test_', 'prod_', 'r8_', '8_', 'dckr_pat_', 'lsv2_', 'pt_', 'sk_live_',
    'pypi-', 'pypi-AgEI', 'pypi-AgEIcHlwaS5vcmc', 'xai-', 'ai-', 'pplx-', 'tvly-', 'tvly-dev-', 'dev-',
    'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh', 'Ab3dEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj', 'abcdefghijklmnopqrstuvwxyzabcdefgh', '0123456789abcdef0123456789abcdef',
    '0123456789', 'Xy9'.repeat(16), 'Xy9'.repeat(27), 'a1'.repeat(40),
    // npm's keys set by a command, and as environment variables.
    'npm config set ', 'pnpm', 'config', ' set ', '_authToken', 'Token', '_password', '//registry.npmjs.org/:', 'NPM_CONFIG__AUTH', 'npm_config__auth', '__AUTH',
    // Secrets passed as arguments (redact-arguments.ts): their anchors, whole and split.
    '",', "',", '??', '||', '?', '|', 'login(', 'Login(', 'gin(', 'n(', 'auth=(', '=(', 'HTTPBasicAuth(', 'Auth(', 'Basic', 'os.getenv(', 'default=',
    'process.env.', 'API_KEY', 'API_TOKEN', '"API_KEY"', "'DB_PASSWORD'", '"Xk29fLq8"', '--api-key',
    // HTTP headers: a proxy's Authorization, schemes, cookies.
    'Proxy-', 'proxy-authorization', 'Negotiate ', 'SSWS ', 'Digest ', 'Cookie', 'COOKIE', 'cookie', 'Set-', 'Set-Cookie', 'sid=', 'a=b1', '; ', '`', 'document.cookie',
    // Header setters, subscripts, HAR entries and lists, prefixed names, any scheme, joined Set-Cookie headers.
    '", "', "', '", '"] = "', '", "value": "', '",\n  "value": "', '\\", \\"value\\": \\"', 'Header.Set(', 'HTTP_', 'X-', 'OAuth ', 'HMAC ', '%2B', '!',
    'username="u"', 'Credential=AKIA/x', ', b=c2', 'Expires=Thu, 21 Oct 2027 07:28:00 GMT', 'Path=/', ' with', 'authentication', ': [', '["', 'Annotated[str', ' | None',
    // Cookies outside a header: arrays of cookie objects, dicts, setters, curl's flags.
    '"cookies"', '\\"cookies\\"', 'cookies', 'Cookies', 'COOKIES', 'kies', 'cookies=', 'cookies = ', '"cookies": [', ': {', '= {', '[{', '{ ', '"value": ', '"name": "sid", ',
    'value: ', '"a1"', "'a1'", '.set(', 'cookies.set(', 'Cookies.set(', 'addCookies(', '-b ', '-b', '--cookie ', '--cookie', '--cookie-jar ', 'curl ', '"-b", ', 'true', '-1', '1.5',
    // Calls setting cookies, jars, YAML over lines, blanks around `=`, escaped values, glued -b (2026-12-06).
    'setCookie(', 'set_cookie(', '.cookie(', 'Cookie(', 'Cookie{', 'kie(', 'kie', 'Sync(', 'jar.set(', 'Jar.set(', 'ar.set(', 'dict(', 'value=', 'key=', 'Value: ',
    '/*', '*/', 'b"', 'f"{', '`', '${', ' = ', '\\"a1\\"', '- name: ', '>-', '|', ': |\n  ', '\n  ', '\n    ', '-bsid=', '-b"', '; ', '& ', 'policy', 'strict',
    'SimpleCookie(', '.load(', '["sid"] = ', 'cookies: [{', 'name: a, ', '}]', TRUNCATION_MARK, 'ghp_', '://', 'Bearer ', "\\'", '\n\n',
  ];
  const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));
  /** Fewer pieces, those of the command, name/value, .netrc and auth rules, so that their shapes come up often. */
  const SHAPE_PIECES = [
    ' ', ' ', '\t', '\n', '\\n', '\\\n', '"', "'", '\\"', ',', '=', ': ', ':', ';', '|', '&', '$', '{pw}', '-', '#', '[REDACTED:x]',
    'mysql', 'mariadb-dump', 'curl', 'wget', 'docker', 'login', 'sshpass', 'redis-cli', '["', '", "', '"]', '/usr/bin/',
    '-p', '-pS3c', '-u', '-U', '-su', '-a', '--user', '--user=', '--password', '--pass', '--http-password', '--oauth2-bearer', '--proxy-user',
    'u:p', 'bob:Secr3t', 'S3cret', 'name', 'value', 'Value', 'env[0].', '- ', 'DB_PASSWORD', 'token', 'machine', 'default', 'password',
    'h.example', '_auth', 'auth', '"auth"', 'YTpi', 'dXNlcjpwYXNz', 'Tr0ub4dor', '&3', 'abcd', ' #',
    // Registry configs, quoted .netrc tokens, YAML tags, keys after an escaped line end or tab.
    '{', '{"auths": ', '{\\"auths\\": ', '"auth": "', '${', '{{', '!', '!Ref ', '!abc', '\\t', '\\r\\n', '"S3 c"', "'S3c'",
    // npm's keys set by a command, vendor prefixes.
    'npm config set ', 'yarn config set --location=project ', 'config ', '_authToken', '_password', '//r.example/:', 'NPM_CONFIG__AUTH', 'hf_', 'npm_', 'sk_live_',
    // Secrets passed as arguments, and code after a key (a dict's or an object's item, a call over lines).
    'os.getenv(', 'set_key(".env", ', '"MISTRAL_API_KEY"', "'api_key'", '\\"API_KEY\\"', '"Xk29fL"', "'S3c r3t'", '\\"Xk29fL\\"', ', ', ',\n    ', 'default=',
    'auth=(', 'login(', 'HTTPBasicAuth(', 'process.env.API_TOKEN', 'Deno.env.get("API_TOKEN")', ' ?? ', ' || ', ')', '(', 'None', '""',
    '{"password": ', '{ password: ', 'new Pool({', '({\n  ', '= {\n  ', 'apiKey: ', 'pw', 'api_key', '?.split(', 'b64.b64encode(', '}',
    // Cookies outside a header.
    '"cookies": [', 'cookies={', 'cookies.set(', 'addCookies([', '"value": ', '-b ', '--cookie ', '[{', ']', '"sid": ', 'sid=abc1',
    'page.setCookie({', 'set_cookie("a", ', 'res.cookie(', 'jar.set(', 'CookieJar', 'http.Cookie{', 'cookies=dict(', 'value=', 'cookies:\n', '  - name: a\n',
    '    value: ', 'Cookie: ', 'Authorization: ', '>-\n  ', 'Bearer ', 'password: |\n  ', ' = ', '/* c */', 'b"', '-bsid=', '; ', ' & ',
    // SimpleCookie, YAML flow collections, nested jars, plain values over lines, cuts (2026-12-06, late).
    'c = SimpleCookie(', 'http.cookies.SimpleCookie()', 'c["sid"] = ', 'c.load(', 'cookies: [{name: a, value: ', 'cookies: {', '{"value": "a1"}', '\n\n  ',
    TRUNCATION_MARK, 'ghp_a', 'sk-ab', 'postgres://u:', 'Bearer a', "'\\''", 'str = ',
    // A review of the idempotence fixes (2026-12-07): a token's run ending in a key, percent-encoded cookie values,
    // secrets glued to a jar's name, token tags in values kept for their start.
    'AIzaSyD-1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTu', '_token', '-secret_key', '%22', '%7B', '%s', 'x1Cookie{', 'k9.setCookie(', 'eyJhbGciOi.eyJzdWIiOi.sig',
    // A review of bc731b5: shell expansions named as keys, literals concatenated after a key's, quoted cookie values.
    '${API_KEY', '${X', ':=', ':-', ':+', ':?', '+', '?', '" + "', "' . '", 'Set-Cookie: a="${X} ', 'PWD=/srv?',
    // A review of 2026-12-07: nested defaults, literals joined across quotes and lines, cookies in escaped quotes.
    '${PW:-${', '}}', "' + \"", '" +\n  "', '` + "', '" + `', 'a=\\"${X} ', ' ; sid=', '?token: ', '`${TOKEN-1}`',
    // Review 4 of 2026-12-07: parentheses, names and blank lines in joins, implicit joins, command substitutions, ` , `.
    ' + ("', '" "', ' + prefix + "', '" +\n\n  "', '$(cat x)', '`x`', ' , sid=', '"Bearer " + "', 'token=', '\n`\n',
  ];
  const shapes = fc.array(fc.constantFrom(...SHAPE_PIECES), { maxLength: 30 }).map((a) => a.join(''));
  const text = fc.oneof(pieces, pieces, shapes, fc.string({ maxLength: 200 }));
  const RUNS = Number(process.env.FC_RUNS ?? 300) * 20;

  it('gives the same result as running every rule, on text built from the anchors', () => {
    fc.assert(
      fc.property(text, (s) => {
        assert.deepEqual(r.redact(s), reference.redact(s), JSON.stringify(s));
        assert.deepEqual(screenedExtras.redact(s), referenceExtras.redact(s), JSON.stringify(s));
        assert.deepEqual(screenedOdd.redact(s), referenceOdd.redact(s), JSON.stringify(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('property: redacting twice redacts nothing more (its tags are no secrets): run and node attributes are redacted at their start and again at their end', () => {
    fc.assert(
      fc.property(text, (s) => {
        const once = r.redact(s);
        // The known limit (README, Redaction: a tag replacing a backquote): a tag that takes a backquote changes which
        // `${TOKEN-1}` a second pass reads inside a template literal (seed 292457496: ``password: x`${TOKEN-1}``${TOKEN-1}` ``).
        // About 1 in 230 000 of these texts; without this, 2–3% of CI runs would fail on it at random.
        const ticks = (t: string): number => t.split('`').length;
        fc.pre(!(s.includes('{TOKEN-') && ticks(once.text) !== ticks(s)));
        const twice = r.redact(once.text);
        assert.equal(twice.redactions, 0, JSON.stringify([s, once.text, twice.text]));
        assert.equal(twice.text, once.text);
      }),
      {
        numRuns: RUNS,
        // Counterexamples found before (test/redact-idempotence.test.ts has each family): a line below a key judged before
        // a `: ` on it was replaced (a review of bc731b5).
        examples: [['token: \n  PWD=/srv?token: :pw123'], ['token:\n  password="a: b"']],
      },
    );
  });

  it('every built-in case and every near miss agrees with the reference', () => {
    for (const s of [
      'key sk-abcdefghijklmnopqrstuvwx12 end', 'AKIAIOSFODNN7EXAMPLE', 'AIza' + 'S'.repeat(35), 'ghs_' + 'a'.repeat(36),
      'xoxp-123456789012-abcdefghij', 'glpat-' + 'x'.repeat(20), '"Authorization"  :  "Bearer abcdefgh12345"',
      'password' + ' '.repeat(16) + '=hunter22', 'password' + ' '.repeat(17) + '=hunter22', "'secret'\t: 'x1y2z3'",
      'postgres://admin:s3cr3t@db:5432/app', 'x://u:' + 'p'.repeat(300) + '@', 'CLÉ SECRÈTE=abc123', 'my"key: value1',
      // Short ones (screened by one pass over the characters), each with only its own anchor character.
      'eyJabcde.eyJabcde.x', 'x eyJhbGciOi.eyJzdWIiOi.sig', 'AIza' + 'b'.repeat(35), 'ASIA' + '7'.repeat(16), 'gho_' + 'b'.repeat(36),
      'sk-' + 'b'.repeat(20), 'pwd=hunter2', 'a://b:c@d',
      // The shapes of their own, and short ones (a `w` only: `.netrc`).
      'mysql -pS3cret db', 'x mysql -u r -pS3cret', 'curl -u a:b1 x', 'curl -su a:b1', 'curl -u a\\\nb:c', 'wget --http-password pw1',
      'docker login -p pw1 r', 'sshpass -p pw1 ssh h', 'redis-cli -a pw1', '["curl", "-u", "a:b1"]', 'machine h login u password p1',
      'machine h\nlogin u\npassword p1', 'default login u password p1', '- name: DB_PASSWORD\n  value: x1', '{"name": "API_TOKEN", "value": "x1"}',
      'env[0].name=DB_PASSWORD,env[0].value=x1', '{"auth": "YTpi"}', '_auth=YTpi', 'password=a1&b2', 'password: a1 b2 # c',
      'Cookie: a=b1', 'Set-Cookie: a=b1; Path=/', 'x.cookie = "a=b1"', '{\\"Cookie\\": \\"a=b1\\"}', 'Proxy-Authorization: Basic dXNlcjpwYXNz', 'Authorization: 9f8e7d6c',
      // Where no `=` or `:` follows the header's name: a setter's arguments, a HAR entry (few separators and many).
      'h.Set("Cookie", "a=b1")', "h.Set('Authorization', 'Bearer x1y2z3w4')", '{"name": "Cookie", "value": "a=b1"}', '{"name": "Authorization",\n "value": "Basic dXNlcjpwYXNz"}',
      'x=1 y=2 z=3 w=4 v=5 u=6 t=7 s=8 r=9 q=0 p=1 o=2 n=3 m=4 l=5 k=6 j=7 {"name": "Cookie", "value": "a=b1"}',
      'headers["Cookie"] = "a=b1"', 'HTTP_COOKIE="a=b1"', '"set-cookie": ["a=b1", "c=d2"]', 'Authorization: OAuth 9f8e7d6c5b4a',
      // Cookies outside a header (few separators and many).
      '{"cookies": [{"name": "a", "value": "b1"}]}', '{\\"cookies\\": [{\\"value\\": \\"b1\\"}]}', 'cookies={"a": "b1"}', 'COOKIES = {"a": "b1"}', 'x.cookies.set("a", "b1")',
      "Cookies.set('a', 'b1')", "addCookies([{ name: 'a', value: 'b1' }])", 'curl -b a=b1', 'curl --cookie "a=b1"', '["curl", "-b", "a=b1"]',
      ...['x.cookies.set("a", "b1")', 'addCookies([{ "value": "b1" }])', 'cookies={"a": "b1"}', '"-b", "a=b1" curl'].map((s) => 'x=1 y=2 z=3 w=4 v=5 u=6 t=7 s=8 r=9 q=0 p=1 o=2 n=3 m=4 l=5 k=6 j=7 ' + s),
      // Shell expansions named as keys before `-` or `+` (no `=` or `:` after the key), short and long, few separators and many.
      '${pwd+Xk9mP2}', 'echo ${API_KEY-Xk9mP2qL7wZ} and more words after it', 'run ${My_Secret+Xk9mP2qL7wZ}',
      ...['echo ${API_KEY-Xk9mP2qL7wZ}', '${pwd+Xk9mP2}', '${X_TOKEN:-a} ${DB_PASSWORD+b1}'].map((s) => 'x=1 y=2 z=3 w=4 v=5 u=6 t=7 s=8 r=9 q=0 p=1 o=2 n=3 m=4 l=5 k=6 j=7 ' + s),
    ]) {
      assert.deepEqual(r.redact(s), reference.redact(s), s);
      assert.deepEqual(screenedOdd.redact(s), referenceOdd.redact(s), s);
    }
  });
});

describe('createRedactor: secrets cut short', () => {
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
  it('a token with a secret prefix running up to a truncation mark is replaced, however short (from one character past the prefix; four for AWS ids and JWTs)', () => {
    for (const [cut, kind] of [
      [token.slice(0, 20), 'github_token'],
      ['sk-proj-AbCdEf', 'openai_key'],
      ['sk-ant-api03-x', 'anthropic_key'],
      ['AKIAIOSF', 'aws_access_key'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzd', 'jwt'],
      ['xoxb-12345', 'slack_token'],
      ['AIzaSyAb', 'google_api_key'],
      ['glpat-abcd', 'gitlab_token'],
    ] as const) {
      const res = redact(`keys: ${cut}${TRUNCATION_MARK}`);
      assert.equal(res.text, `keys: [REDACTED:${kind}]${TRUNCATION_MARK}`, cut);
      assert.deepEqual(res.kinds, [kind]);
    }
    // Inside JSON text (a value cut by the recorder's safeJson), after an escaped line end, after a dot.
    assert.equal(redact(`{"stdout":"a\\n${token.slice(0, 30)}${TRUNCATION_MARK}"}`).text, `{"stdout":"a\\n[REDACTED:github_token]${TRUNCATION_MARK}"}`);
    assert.equal(redact(`cfg.${token.slice(0, 9)}${TRUNCATION_MARK}`).text, `cfg.[REDACTED:github_token]${TRUNCATION_MARK}`);
  });

  it('only at a cut: the same short token elsewhere, or a word that merely contains a prefix, is kept', () => {
    for (const s of [`keys: ${token.slice(0, 20)} and more`, `task-ASIAN${TRUNCATION_MARK}`, `Markets in ASIA${TRUNCATION_MARK}`, `SOUTHEAST ASIAN${TRUNCATION_MARK}`, `ASIAN cuisine, ASIAcafe${TRUNCATION_MARK}`, `use sk-${TRUNCATION_MARK}`, `ghp_${TRUNCATION_MARK}`, `risk-assessment${TRUNCATION_MARK}`, `[REDACTED:openai_key]${TRUNCATION_MARK}`]) {
      assert.equal(redact(s).text, s, s);
    }
  });

  it('cutAtEnd: the end of a window of a longer text is a cut', () => {
    const window = `line\nGITHUB_TOKEN ${token.slice(0, 20)}`;
    assert.equal(redact(window).text, window, 'not cut: a short ghp_ word is no token');
    assert.equal(r.redact(window, { cutAtEnd: true }).text, 'line\nGITHUB_TOKEN [REDACTED:github_token]');
    assert.equal(r.redact(window, { cutAtEnd: true }).redactions, 1);
  });

  it('property: linear in the number of cuts (a look-back stops at the previous cut)', () => {
    const hostile = ('x.eyJ' + 'a'.repeat(40) + TRUNCATION_MARK).repeat(20_000);
    let redactions = 0;
    // The lesser of wall and CPU time per run, up to three runs (a busy machine stretches the wall clock alone).
    const ms = fastestUnder(() => (redactions = redact(hostile).redactions), 5_000);
    assert.equal(redactions, 20_000);
    assert.ok(ms < 5_000, `${ms} ms`);
  });
});

describe('createRedactor: regressions of the command-line, .netrc and name/value rules (a review, f28dd7a)', () => {
  it('the .netrc scanner costs little on prose holding "login" and "password " (no search at every position)', () => {
    const msg = 'I reviewed the authentication module. The login handler validates the form, then hashes the submitted password with bcrypt and compares it to the stored hash. The rate limiter is keyed by IP address only; the session cookie is not marked Secure. '.padEnd(2048, ' Next I will write tests for both fixes, run the full suite, and summarise the results.');
    const variants = Array.from({ length: 64 }, (_, i) => msg.slice(0, -6) + String(i).padStart(6, '0'));
    const control = variants.map((s) => s.replace('login', 'sign-in'));
    const cost = (xs: string[]) => {
      let best = Infinity;
      // Each round the lesser of its wall and CPU time (timeOnce): a round descheduled on a busy machine is no cost.
      for (let round = 0; round < 7; round++) {
        best = Math.min(
          best,
          timeOnce(() => {
            for (let i = 0; i < 2000; i++) redact(xs[i & 63]!);
          }),
        );
      }
      return best;
    };
    cost(variants);
    cost(control);
    // Before: 11 µs against 0.9 µs (12x); now both under a microsecond.
    assert.ok(cost(variants) < 4 * cost(control), 'the message with "login" costs no more than a few times the same without');
  });

  it('.netrc entries start their line (or a quoted string); prose with the words is kept', () => {
    for (const text of [
      'On the default login screen, password fields are masked.',
      'Our machine learning login page password reset flow is broken.',
      'Set up machine translation login flow; password resets go to email.',
    ]) {
      assert.equal(redact(text).text, text, text);
      const json = JSON.stringify({ text });
      assert.equal(redact(json).text, json, `JSON-encoded: ${text}`);
    }
    assert.equal(redact('echo "machine h.example login u password S3cret" >> ~/.netrc').text, 'echo "machine h.example login u password [REDACTED:netrc_password]" >> ~/.netrc');
    assert.equal(redact('  machine h login u password S3cret').text, '  machine h login u password [REDACTED:netrc_password]');
    assert.equal(redact('{"c": "x\\nmachine h login u password S3cret"}').text, '{"c": "x\\nmachine h login u password [REDACTED:netrc_password]"}');
  });

  it('a command string built by concatenation is code: kept byte for byte', () => {
    for (const text of [
      'os.system("mysql -u root -p" + pw + " mydb < dump.sql")',
      "os.system('mysqldump -u ' + user + ' -p' + password + ' ' + db + ' > out.sql')",
      'String cmd = "mysql -u" + user + " -p" + password + " " + db;',
      "$cmd = 'mysql -u' . $user . ' -p' . $pass . ' ' . $db;",
      'cmd = "curl -u admin:" + token + " " + url',
      "const cmd = 'curl -u ' + user + ':' + pass + ' ' + url;",
      'os.system("sshpass -p " + pw + " ssh " + host)',
      'cmd = "redis-cli -a " + pw + " ping"',
      'os.system("docker login -u " + user + " -p " + token + " " + registry)',
      'os.system("wget --password " + pw + " " + url)',
    ]) {
      assert.equal(redact(text).text, text, text);
    }
    assert.equal(redact('os.system("mysql -u root -pS3cret mydb")').text, 'os.system("mysql -u root -p[REDACTED:cli_password] mydb")');
  });

  it('a command name counts in a command\'s position only: not as a path or an argument of another command', () => {
    for (const text of [
      'find /var/lib/mysql -type f -print',
      'find /etc/mysql -perm -o+w',
      "find /etc/mysql -path '*conf.d*' -name '*.cnf'",
      'find / -name mysql -print 2>/dev/null',
      'rsync -a /var/lib/mysql -pv backup:/srv',
      'docker run -d --name mysql -p3306:3306 mysql:8',
      'docker run --rm --link mysql -p8080:80 myapp',
      '["docker", "run", "--name", "mysql", "-p3306:3306", "mysql:8"]',
    ]) {
      assert.equal(redact(text).text, text, text);
    }
    for (const [text, out] of [
      ['/usr/bin/mysql -uroot -pS3cret app', '/usr/bin/mysql -uroot -p[REDACTED:cli_password] app'],
      ['sudo mysql -uroot -pS3cret', 'sudo mysql -uroot -p[REDACTED:cli_password]'],
      ['cd /srv && mysql -uroot -pS3cret app', 'cd /srv && mysql -uroot -p[REDACTED:cli_password] app'],
      ['x=$(mysql -uroot -pS3cret -e "select 1")', 'x=$(mysql -uroot -p[REDACTED:cli_password] -e "select 1")'],
      ['script:\n  - mysql -uroot -pS3cret app', 'script:\n  - mysql -uroot -p[REDACTED:cli_password] app'],
      ['RUN curl -u admin:hunter2 https://h/x', 'RUN curl -u admin:[REDACTED:cli_password] https://h/x'],
      ['$ mysql -uroot -pS3cret', '$ mysql -uroot -p[REDACTED:cli_password]'],
      ['MYSQL_HOST=db mysql -uroot -pS3cret', 'MYSQL_HOST=db mysql -uroot -p[REDACTED:cli_password]'],
      ['kubectl exec -it db-0 -- mysql -uroot -pS3cret', 'kubectl exec -it db-0 -- mysql -uroot -p[REDACTED:cli_password]'],
      ['docker run --rm -it mysql:8 mysql -hdb -uroot -pS3cret', 'docker run --rm -it mysql:8 mysql -hdb -uroot -p[REDACTED:cli_password]'],
    ] as const) {
      assert.equal(redact(text).text, out, text);
    }
  });

  it("Ruby's interpolation #{…} is a template field", () => {
    for (const text of ['system("mysql -u#{user} -p#{password} #{db}")', 'File.write(path, "machine #{host} login #{user} password #{token}")']) {
      assert.equal(redact(text).text, text, text);
    }
  });

  it('name/value pairs in code: a template literal, a name of code in an object or call, a function call on a reference', () => {
    for (const text of [
      'authHeader = { name: "x-api-key", value: `${this.apiKey}` };',
      'headers.push({ name: "Authorization-Token", value: `Bearer ${token}` });',
      'cookies.set({ name: SESSION_TOKEN, value: token });',
      'set {\n  name  = "redis.password"\n  value = base64decode(var.pw)\n}',
    ]) {
      assert.equal(redact(text).text, text, text);
    }
    assert.equal(redact('- {name: DB_PASSWORD, value: hunter2}').text, '- {name: DB_PASSWORD, value: [REDACTED:name_value]}');
    assert.equal(redact('- name: API_TOKEN\n  value: `abc123`').text, '- name: API_TOKEN\n  value: [REDACTED:name_value]');
  });
});

describe('createRedactor: leaks a review found in config files and JSON text (registry auth, quoted .netrc tokens, YAML tags, keys after an escaped line end)', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  /** Docker's `config.json` as its CLI writes it (tabs), with one `auth` per registry. */
  const dockerConfig = (registries: readonly string[], indent: string | number = '\t'): string =>
    JSON.stringify({ auths: Object.fromEntries(registries.map((r, i) => [r, { auth: b64(`user${i}:Secr3t-${i}-pw`) }])), credsStore: 'desktop' }, null, indent);
  const FOUR = ['https://index.docker.io/v1/', 'ghcr.io', 'registry.gitlab.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'];
  /** `text` redacts to `expected`, `count` redactions of `kind`, and nothing more on a second pass. */
  const assertRedacts = (text: string, expected: string, count: number, kind: string): void => {
    const res = redact(text);
    assert.equal(res.text, expected);
    assert.equal(res.redactions, count);
    assert.deepEqual(res.kinds, [kind]);
    assert.equal(redact(res.text).redactions, 0, 'idempotent');
  };
  const TAG = '[REDACTED:basic_auth]';

  it('a pretty-printed Docker config.json with four registries: every auth (more than 16 separators)', () => {
    const config = dockerConfig(FOUR);
    assertRedacts(config, config.replace(/"auth": "[^"]+"/g, `"auth": "${TAG}"`), 4, 'basic_auth');
  });

  it('a typical six-line .npmrc: _auth among registry lines (more than 16 separators, dense at its start)', () => {
    const npmrc = (auth: string) =>
      `registry=https://registry.npmjs.org/\n@myco:registry=https://npm.myco.example/\n//registry.npmjs.org/:_auth=${auth}\nalways-auth=true\nemail=alice@example.com\nstrict-ssl=true\n`;
    assertRedacts(npmrc(b64('alice:npmSecret1')), npmrc(TAG), 1, 'basic_auth');
  });

  it('registry configs with many separators in other shapes: compact, CRLF, in a tool\'s JSON output, after a prompt, in a YAML secret, a heredoc, code', () => {
    const config = dockerConfig(FOUR);
    const redacted = (s: string) => s.replace(/("auth\\?"\s*:\s*\\?")[A-Za-z0-9+/=]+/g, `$1${TAG}`);
    const compact = dockerConfig([...FOUR, 'quay.io', 'docker.io', 'r1.example', 'r2.example', 'r3.example', 'r4.example', 'r5.example', 'r6.example'], 0);
    for (const [text, count] of [
      [compact, 12],
      [config.replace(/\n/g, '\r\n'), 4],
      [JSON.stringify({ stdout: config, stderr: '', exit_code: 0 }), 4],
      [JSON.stringify({ output: JSON.stringify(JSON.parse(config)) }), 4],
      [`$ cat ~/.docker/config.json\n${config}`, 4],
      [`apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '${dockerConfig(FOUR, 0)}'\n`, 4],
      [`set -euo pipefail\nexport REG=\${REG:-ghcr.io}\nmkdir -p ~/.docker\ncat > ~/.docker/config.json <<EOF\n${config}\nEOF\n`, 4],
      [`import json\ncfg = ${dockerConfig(FOUR.slice(0, 2), 0)}\n${'x = 1\n'.repeat(16)}json.dump(cfg, open("config.json", "w"))\n`, 2],
    ] as const) {
      assertRedacts(text, redacted(text), count, 'basic_auth');
    }
  });

  it('npm\'s _auth in any text: CRLF, first on a line of JSON text, quoted, in a long script', () => {
    const auth = b64('alice:npmSecret1');
    for (const [text, expected] of [
      [`registry=https://r.example/\r\n//r.example/:_auth=${auth}\r\nalways-auth=true\r\nemail=a@x.io\r\nstrict-ssl=false\r\n`, `registry=https://r.example/\r\n//r.example/:_auth=${TAG}\r\nalways-auth=true\r\nemail=a@x.io\r\nstrict-ssl=false\r\n`],
      [JSON.stringify({ content: `registry=https://r.example/\n_auth=${auth}\nalways-auth=true\n` }), JSON.stringify({ content: `registry=https://r.example/\n_auth=${TAG}\nalways-auth=true\n` })],
      [`_auth = "${auth}"\n`, `_auth = "${TAG}"\n`],
      [`${'a=1\n'.repeat(30)}npm config set _auth=${auth}\n`, `${'a=1\n'.repeat(30)}npm config set _auth=${TAG}\n`],
    ] as const) {
      assertRedacts(text, expected, 1, 'basic_auth');
    }
    // npm's `_password` (base64 of the password alone) is the key rule's, with `username=` beside it kept.
    assert.equal(
      redact(`//npm.myco.example/:username=alice\n//npm.myco.example/:_password=${b64('npmSecret1')}\n//npm.myco.example/:email=a@x.io\n`).text,
      '//npm.myco.example/:username=alice\n//npm.myco.example/:_password=[REDACTED:password_assignment]\n//npm.myco.example/:email=a@x.io\n',
    );
  });

  it('keeps auth fields that are no base64 of user:password in long JSON, and keys that only contain auth', () => {
    const long = (fields: Record<string, unknown>) =>
      JSON.stringify({ auths: { 'ghcr.io': fields }, items: Array.from({ length: 20 }, (_, i) => ({ id: i, path: `out/f${i}.csv` })) }, null, 2);
    for (const text of [
      long({ auth: 'none' }),
      long({ auth: 'bearer' }),
      long({ auth: '' }),
      long({ author: b64('bob:hunter22') }),
      long({ oauth: b64('bob:hunter22') }),
      long({ auth: b64('\u0001\u0002:\u0003\u0004') }),
      `${'a=1\n'.repeat(30)}_auth=true\nx_auth=${b64('bob:hunter22')}\n`,
    ]) {
      assert.equal(redact(text).text, text, text);
    }
  });

  it('.netrc tokens in double quotes (curl, Python\'s netrc, Net::Netrc) and single quotes', () => {
    for (const [text, expected] of [
      ['machine h login u password "S3cret"', 'machine h login u password "[REDACTED:netrc_password]"'],
      ["machine h login u password 'S3cret'", "machine h login u password '[REDACTED:netrc_password]'"],
      ['machine h login u password "correct horse battery"', 'machine h login u password "[REDACTED:netrc_password]"'],
      ['machine h login u password "S3\\"cret"', 'machine h login u password "[REDACTED:netrc_password]"'],
      ['machine "h.example" login "u" password "S3cret"', 'machine "h.example" login "u" password "[REDACTED:netrc_password]"'],
      ['machine h\r\n  login u\r\n  password "S3 cret"\r\n', 'machine h\r\n  login u\r\n  password "[REDACTED:netrc_password]"\r\n'],
      ['default login anonymous password "guest 123"', 'default login anonymous password "[REDACTED:netrc_password]"'],
      [JSON.stringify({ content: 'machine h\nlogin u\npassword "S3cret"\n' }), JSON.stringify({ content: 'machine h\nlogin u\npassword "[REDACTED:netrc_password]"\n' })],
      [`echo 'machine h login u password "S3cret"' >> ~/.netrc`, `echo 'machine h login u password "[REDACTED:netrc_password]"' >> ~/.netrc`],
      // Tabs between tokens, a keyword's and its value's too, as JSON writes them.
      [JSON.stringify({ c: 'machine h\tlogin\tu\tpassword\tS3cret\n' }), JSON.stringify({ c: 'machine h\tlogin\tu\tpassword\t[REDACTED:netrc_password]\n' })],
    ] as const) {
      assertRedacts(text, expected, 1, 'netrc_password');
    }
  });

  it('keeps quoted .netrc tokens that are no secret or no token: a shell reference, a quote closed nowhere, prose', () => {
    for (const text of [
      'echo "machine h login u password \\"$TOKEN\\"" >> ~/.netrc',
      'machine h login u password "${{ secrets.NETRC_PW }}"',
      'machine h login u password "S3cret',
      'machine learning login page password "reset", then the flow sends a mail.',
      'machine h login u password ""',
    ]) {
      assert.equal(redact(text).text, text, text);
    }
  });

  it('a password of letters after `!` is a value, not a YAML tag: nothing follows it', () => {
    for (const [text, expected, kind] of [
      ['password: !Secret', 'password: [REDACTED:password_assignment]', 'password_assignment'],
      ['DB_PASSWORD: !hunter', 'DB_PASSWORD: [REDACTED:password_assignment]', 'password_assignment'],
      ['db:\n  password: !hunter\n  host: db', 'db:\n  password: [REDACTED:password_assignment]\n  host: db', 'password_assignment'],
      ['password: !hunter # rotated', 'password: [REDACTED:password_assignment] # rotated', 'password_assignment'],
      ['{password: !hunter, user: admin}', '{password: [REDACTED:password_assignment], user: admin}', 'password_assignment'],
      ['password: !hunter\r\nuser: x', 'password: [REDACTED:password_assignment]\r\nuser: x', 'password_assignment'],
      ['{"stdout": "password: !hunter\\nuser: x"}', '{"stdout": "password: [REDACTED:password_assignment]\\nuser: x"}', 'password_assignment'],
      ['password: !Encrypted', 'password: [REDACTED:password_assignment]', 'password_assignment'],
      ['- name: DB_PASSWORD\n  value: !hunter\n', '- name: DB_PASSWORD\n  value: [REDACTED:name_value]\n', 'name_value'],
    ] as const) {
      assertRedacts(text, expected, 1, kind);
    }
  });

  it('keeps YAML tags: with an argument after a blank or below, indented past the key, or a known tag', () => {
    for (const text of [
      'client_secret: !Vault\n  path: secret/app\n',
      '- password: !Encrypted\n    cipher: AQICAHh\n',
      '  secret: !secret db_password',
      'Password: !Ref DbPassword',
      'password: !GetAtt Db.Password',
      "MasterUserPassword: !Sub '{{resolve:secretsmanager:${DbSecret}:SecretString:password}}'",
      'password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  61626364656667\n',
      'Password: !Ref\n  DbPassword\n',
      'api_key: !env_var API_KEY',
      'token: !include secrets/token.yaml',
      '- name: DB_PASSWORD\n  value: !Ref DbPassword\n',
      '{"stdout": "password: !secret db_password\\n"}',
    ]) {
      assert.equal(redact(text).text, text, text);
      const json = JSON.stringify({ text });
      assert.equal(redact(json).text, json, `JSON-encoded: ${text}`);
    }
  });

  it('a key first on a line of JSON text starts after the escape (`\\n`, `\\r\\n`, `\\t`): its YAML value runs to the line\'s end', () => {
    for (const [text, expected, kind] of [
      ['{"stdout": "db ok\\npassword: a b"}', '{"stdout": "db ok\\npassword: [REDACTED:password_assignment]"}', 'password_assignment'],
      ['{"stdout": "db ok\\r\\npassword: a b\\r\\nhost: db"}', '{"stdout": "db ok\\r\\npassword: [REDACTED:password_assignment]\\r\\nhost: db"}', 'password_assignment'],
      ['{"stdout": "db:\\n\\tpassword: a b\\n"}', '{"stdout": "db:\\n\\tpassword: [REDACTED:password_assignment]\\n"}', 'password_assignment'],
      ['{"stdout": "db ok\\n- api_token: a b"}', '{"stdout": "db ok\\n- api_token: [REDACTED:password_assignment]"}', 'password_assignment'],
      [JSON.stringify(JSON.stringify({ stdout: 'db ok\npassword: a b' })), JSON.stringify(JSON.stringify({ stdout: 'db ok\npassword: [REDACTED:password_assignment]' })), 'password_assignment'],
      ['db:\r\n  password: correct horse\r\n  host: x\r\n', 'db:\r\n  password: [REDACTED:password_assignment]\r\n  host: x\r\n', 'password_assignment'],
    ] as const) {
      assertRedacts(text, expected, 1, kind);
    }
  });

  it('keeps what a key after an escaped line end judges: token counts, PWD, prose, an escape inside a word', () => {
    for (const text of [
      '{"stdout": "cfg\\nmax_new_tokens: 256\\npad_token: 0"}',
      '{"env": "HOME=/root\\nPWD=/srv/app"}',
      '{"text": "first line\\npassword reset link sent to your mail"}',
      '{"text": "Saved\\nnotes: see the password manager"}',
      '{"stdout": "ok\\ntoken = get_token(scope)\\n"}',
    ]) {
      assert.equal(redact(text).text, text, text);
    }
    // A raw backslash before a key that is nothing without its first letter (`\\token`: a TeX macro, a Windows path) stays a key.
    assert.equal(redact('C:\\token=abc123').text, 'C:\\token=[REDACTED:password_assignment]');
  });

  describe('from a second review (c73f55f)', () => {
    it('a Docker config in a tool\'s JSON output after other keys, after a prompt line, JSON-encoded twice, or after many shell braces', () => {
      const config = dockerConfig(FOUR);
      const redacted = (s: string) => s.replace(/("auth\\*"\s*:\s*\\*")[A-Za-z0-9+/=]+/g, `$1${TAG}`);
      for (const text of [
        JSON.stringify({ exit_code: 0, stdout: config }),
        JSON.stringify({ command: 'cat ~/.docker/config.json', stdout: config }),
        JSON.stringify({ stdout: `$ cat ~/.docker/config.json\n${config}` }),
        JSON.stringify({ output: JSON.stringify({ stdout: config }) }),
        `${'echo ${X} ${Y:-z}\n'.repeat(5)}cat > ~/.docker/config.json <<EOF\n${config}\nEOF\n`,
      ]) {
        assertRedacts(text, redacted(text), 4, 'basic_auth');
      }
    });

    it('tags written by earlier rules do not count as the separators of a long document: the auth after six redacted tokens', () => {
      // Not a registry config by its first object (`{"ok": true}`): the separators decide, ten of the text's own.
      const tokens = Array.from({ length: 6 }, (_, i) => `T${i}_TOKEN=x${i}`).join(' ');
      const text = `Step 1 ok {"ok": true}\nexport ${tokens}\nThen docker login writes {"auths": {"ghcr.io": {"auth": "${b64('bob:Hunter2-pw')}"}}}`;
      const res = redact(text);
      assert.ok(!res.text.includes(b64('bob:Hunter2-pw')), res.text);
      assert.match(res.text, /"auth": "\[REDACTED:basic_auth\]"/);
    });

    it('a password of letters after `!` in a spaced flow mapping, or above a blank or comment line indented deeper', () => {
      for (const [text, expected] of [
        ['db: { user: admin, password: !hunter }', 'db: { user: admin, password: [REDACTED:password_assignment] }'],
        ['[password: !hunter]', '[password: [REDACTED:password_assignment]]'],
        ['password: !hunter\n    \nhost: db', 'password: [REDACTED:password_assignment]\n    \nhost: db'],
        ['password: !hunter\n    # rotated monthly\nhost: db', 'password: [REDACTED:password_assignment]\n    # rotated monthly\nhost: db'],
      ] as const) {
        assertRedacts(text, expected, 1, 'password_assignment');
      }
      // A tag whose mapping comes after a comment or a blank line is still a tag; so are the tags that stand alone
      // (Compose's and ESPHome's, which unset a value) and CSS's `!important`.
      for (const text of [
        'client_secret: !Vault\n  # from the team vault\n  path: secret/app\n',
        'client_secret: !Vault\n\n  path: secret/app\n',
        'services:\n  app:\n    environment:\n      DB_PASSWORD: !reset\n      LOG: info\n',
        'wifi:\n  ap:\n    password: !remove\n',
        '.a { --token: !important; }',
      ]) {
        assert.equal(redact(text).text, text);
      }
    });

    it('keeps code: a negated name after `:` (JS, Go, Rust, Ruby), a quoted .netrc "token" that is code between two literals', () => {
      for (const text of [
        'setState({ ...state, showPassword: !showPassword, loading: false });',
        '{ showPassword: !showPassword, showToken: !showToken }',
        'cfg := Config{SkipToken: !useToken, Host: h}',
        'let opts = Opts { verify_token: !skip_verify };',
        'render locals: { show_password: !show_password }',
        'f.write("machine " + host + " login " + user + " password " + token + "\\n")',
        "f.write('machine ' + host + ' login ' + user + ' password ' + token + '\\n');",
        '$line = "machine " . $host . " login " . $user . " password " . $pass . "\\n";',
      ]) {
        assert.equal(redact(text).text, text, text);
      }
      // Still values: a password of letters (no hump, no inner `_`), a quoted .netrc token.
      assert.equal(redact('password: !Secret').text, 'password: [REDACTED:password_assignment]');
      assert.equal(redact('machine h login u password "S3cret pw"').text, 'machine h login u password "[REDACTED:netrc_password]"');
    });

    it('(third review) a camelCase or snake_case password after `!` sharing no word with its key is a value; a .netrc token is code only when it is a whole concatenation', () => {
      for (const [text, expected, kind] of [
        ['db:\n  password: !letMeIn\n  port: 5432\n', 'db:\n  password: [REDACTED:password_assignment]\n  port: 5432\n', 'password_assignment'],
        ['      POSTGRES_PASSWORD: !dragonSlayer\n', '      POSTGRES_PASSWORD: [REDACTED:password_assignment]\n', 'password_assignment'],
        ['api_token: !Hunter_Two', 'api_token: [REDACTED:password_assignment]', 'password_assignment'],
        ['{user: admin, password: !openSesame, host: x}', '{user: admin, password: [REDACTED:password_assignment], host: x}', 'password_assignment'],
        ['machine h login u password "correct horse battery ."', 'machine h login u password "[REDACTED:netrc_password]"', 'netrc_password'],
        ['machine h login u password " + s3cr3t pass"', 'machine h login u password "[REDACTED:netrc_password]"', 'netrc_password'],
      ] as const) {
        assertRedacts(text, expected, 1, kind);
      }
    });

    it('(third review) a Docker config after a value that ends in an escaped backslash (a Windows path)', () => {
      const config = dockerConfig(FOUR);
      const redacted = (t: string) => t.replace(/("auth\\*"\s*:\s*\\*")[A-Za-z0-9+/=]+/g, `$1${TAG}`);
      for (const text of [
        JSON.stringify({ cwd: 'C:\\Users\\me\\', stdout: config }),
        JSON.stringify({ output: JSON.stringify({ cwd: 'C:\\Users\\me\\', stdout: config }) }),
      ]) {
        assertRedacts(text, redacted(text), 4, 'basic_auth');
      }
    });
  });
});

describe('createRedactor: vendor tokens by their prefix, anywhere (Hugging Face, npm, PyPI, Docker Hub, Stripe, Groq, xAI, Perplexity, Replicate, Tavily, LangSmith)', () => {
  const hf = 'hf_' + 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh';
  const npm = 'npm_' + 'Ab3dEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj';
  const pypi = 'pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0NTY3';
  const cases: [string, string, string, string][] = [
    ['hugging face, a positional argument', `login("${hf}")`, 'login("[REDACTED:huggingface_token]")', 'huggingface_token'],
    ['hugging face organisation', 'api_org_' + 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh', '[REDACTED:huggingface_token]', 'huggingface_token'],
    ['hugging face, echoed', `echo ${hf} | huggingface-cli login`, 'echo [REDACTED:huggingface_token] | huggingface-cli login', 'huggingface_token'],
    ['npm token in a print', `print("${npm}")`, 'print("[REDACTED:npm_token]")', 'npm_token'],
    ['npm token after a registry key', `npm config set //registry.npmjs.org/:_authToken ${npm}`, 'npm config set //registry.npmjs.org/:_authToken [REDACTED:npm_token]', 'npm_token'],
    ['pypi token as a flag value', `twine upload -u __token__ -p ${pypi} dist/*`, 'twine upload -u __token__ -p [REDACTED:pypi_token] dist/*', 'pypi_token'],
    ['docker hub token', 'echo dckr_pat_Ab3dEfGhIjKlMnOpQrStUvWxYz0 | docker login -u me --password-stdin', 'echo [REDACTED:docker_token] | docker login -u me --password-stdin', 'docker_token'],
    ['stripe live key', 'stripe.Charge.create(amount=5, api_key="sk_live_51HqLyjWDarjtT1zdp7dcXyZ")', 'stripe.Charge.create(amount=5, api_key="[REDACTED:stripe_key]")', 'stripe_key'],
    ['stripe restricted key', 'rk_test_51HqLyjWDarjtT1zdp7dcXyZ', '[REDACTED:stripe_key]', 'stripe_key'],
    ['groq key', 'Groq("gsk_' + 'Xy9'.repeat(17) + 'Q")', 'Groq("[REDACTED:groq_key]")', 'groq_key'],
    ['xai key', 'xai-' + 'a1'.repeat(40), '[REDACTED:xai_key]', 'xai_key'],
    ['perplexity key', 'key pplx-' + 'Xy9'.repeat(16), 'key [REDACTED:perplexity_key]', 'perplexity_key'],
    ['replicate token', 'r8_' + 'Xy9'.repeat(12) + 'Q', '[REDACTED:replicate_token]', 'replicate_token'],
    ['tavily key', 'TavilyClient("tvly-dev-' + 'Xy9'.repeat(11) + '")', 'TavilyClient("[REDACTED:tavily_key]")', 'tavily_key'],
    ['langsmith key', 'lsv2_pt_0123456789abcdef0123456789abcdef_0123456789', '[REDACTED:langsmith_key]', 'langsmith_key'],
    ['a vendor token on a line of JSON text', '{"stdout": "token:\\n' + hf + '"}', '{"stdout": "token:\\n[REDACTED:huggingface_token]"}', 'huggingface_token'],
    ['a vendor token after a secret key name is the vendor\'s', `HF_TOKEN = "${hf}"`, 'HF_TOKEN = "[REDACTED:huggingface_token]"', 'huggingface_token'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('keeps names of code and runs that are no token: a prefix inside a word, a longer or shorter run, a body of one case', () => {
    for (const s of [
      'def sk_test_connection_handler(): pass',
      'from huggingface_hub import hf_hub_download',
      'my_' + hf, // a token character before the prefix
      hf + 'X', // 35 letters: no Hugging Face token
      'hf_' + 'abcdefghijklmnopqrstuvwxyzabcdefgh', // 34 lower-case letters: a name
      'npm_' + 'abcdefghijklmnopqrstuvwxyzabcdefghij', // npm_ and 36 lower-case letters
      'task_live_results_table',
      'pypi-simple-index',
      'lsv2_pt_not_hex',
      'xai-grok-2-latest',
    ]) {
      assert.deepEqual(redact(s), { text: s, redactions: 0, kinds: [] }, s);
    }
  });

  it('a vendor token cut short (at the recorder\'s mark or the end of a window) is redacted; a name cut there is kept', () => {
    assert.equal(redact(`key ${hf.slice(0, 12)}${TRUNCATION_MARK}`).text, `key [REDACTED:huggingface_token]${TRUNCATION_MARK}`);
    assert.equal(redact(`x ${pypi.slice(0, 14)}${TRUNCATION_MARK}`).text, `x [REDACTED:pypi_token]${TRUNCATION_MARK}`);
    assert.equal(r.redact(`t = ${npm.slice(0, 10)}`, { cutAtEnd: true }).text, 't = [REDACTED:npm_token]');
    assert.equal(redact(`hf_hub_down${TRUNCATION_MARK}`).redactions, 0);
    assert.equal(redact(`sk_live_conn${TRUNCATION_MARK}`).redactions, 1, 'a run of letters after a stripe prefix is cut too (it could be a key)');
  });
});

describe('createRedactor: npm credentials set by a command or an environment variable', () => {
  const cases: [string, string, string, string][] = [
    ['npm config set _auth', 'npm config set _auth dXNlcjpwYXNzd29yZDEyMw==', 'npm config set _auth [REDACTED:cli_password]', 'cli_password'],
    ['npm config set _password', 'npm config set //r.example.com/:_password cGFzc3dvcmQ=', 'npm config set //r.example.com/:_password [REDACTED:cli_password]', 'cli_password'],
    ['npm config set _authToken, quoted, with options', 'npm config set --location=project //r.example.com/:_authToken "abc123secret"', 'npm config set --location=project //r.example.com/:_authToken "[REDACTED:cli_password]"', 'cli_password'],
    ['pnpm, in a tool\'s JSON arguments', '{"cmd": "pnpm config set _authToken abc123secret && pnpm publish"}', '{"cmd": "pnpm config set _authToken [REDACTED:cli_password] && pnpm publish"}', 'cli_password'],
    ['NPM_CONFIG__AUTH', 'NPM_CONFIG__AUTH=dXNlcjpwYXNzd29yZDEyMw== npm publish', 'NPM_CONFIG__AUTH=[REDACTED:basic_auth] npm publish', 'basic_auth'],
    ['npm_config__auth, quoted', 'export npm_config__auth="dXNlcjpwYXNzd29yZDEyMw=="', 'export npm_config__auth="[REDACTED:basic_auth]"', 'basic_auth'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('keeps references and other commands', () => {
    for (const s of [
      'npm config set --location=project //r.example.com/:_authToken $NPM_TOKEN',
      'pnpm config set _authToken "${NPM_TOKEN}"',
      'npm config set _auth %NPM_AUTH%',
      'npm config get _authToken',
      'npm config delete _auth',
      'npm config set registry https://r.example.com/',
      'NPM_CONFIG__AUTH=none',
    ]) {
      assert.deepEqual(redact(s), { text: s, redactions: 0, kinds: [] }, s);
    }
  });
});

describe('createRedactor: vendor tokens and npm credentials, regressions a review found (2026-12-06)', () => {
  const hf = 'hf_' + 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh';
  const reference = compileRedactor(undefined, false);

  it('npm config set in JSON text: an escaped quoted value is redacted inside its quotes, a bare one stops at a backslash; the text stays JSON', () => {
    const cases: [string, string][] = [
      ['{"cmd":"npm config set _authToken \\"abc123secret\\""}', '{"cmd":"npm config set _authToken \\"[REDACTED:cli_password]\\""}'],
      ['{"cmd":"sh -c \\"npm config set _authToken abc123secret\\""}', '{"cmd":"sh -c \\"npm config set _authToken [REDACTED:cli_password]\\""}'],
      ['{"cmd":"npm config set _authToken abc123secret\\nnpm publish"}', '{"cmd":"npm config set _authToken [REDACTED:cli_password]\\nnpm publish"}'],
      ['{"cmd":"npm config set \\"//npm.example.com/:_authToken\\" \\"abc123secret\\""}', '{"cmd":"npm config set \\"//npm.example.com/:_authToken\\" \\"[REDACTED:cli_password]\\""}'],
    ];
    for (const [input, output] of cases) {
      const res = redact(input);
      assert.equal(res.text, output);
      assert.doesNotThrow(() => JSON.parse(res.text), res.text);
    }
  });

  it('npm config set: quoted keys, options with paths or a value of their own are read; code that builds the command is kept', () => {
    for (const [input, output] of [
      ['npm config set "//npm.pkg.example.com/:_authToken" "abc123secret"', 'npm config set "//npm.pkg.example.com/:_authToken" "[REDACTED:cli_password]"'],
      ["npm config set '//registry.npmjs.org/:_authToken' 'abc123secret'", "npm config set '//registry.npmjs.org/:_authToken' '[REDACTED:cli_password]'"],
      ['npm config set --userconfig=/tmp/.npmrc _authToken abc123secret', 'npm config set --userconfig=/tmp/.npmrc _authToken [REDACTED:cli_password]'],
      ['npm config set --userconfig ./.npmrc _authToken abc123secret', 'npm config set --userconfig ./.npmrc _authToken [REDACTED:cli_password]'],
      ['npm config set --location project -g _authToken abc123secret', 'npm config set --location project -g _authToken [REDACTED:cli_password]'],
    ]) {
      assert.equal(redact(input!).text, output, input);
    }
    for (const code of [
      'os.system("npm config set _authToken " + token + " && npm publish")',
      "exec('npm config set _authToken ' . $token . ' && npm publish');",
      'subprocess.run(f"npm config set _authToken {token}", shell=True)',
      'cmd = "npm config set _authToken {}".format(token)',
      'cmd = "npm config set _authToken %s" % token',
    ]) {
      assert.deepEqual(redact(code), { text: code, redactions: 0, kinds: [] }, code);
    }
  });

  it('the screen takes npm config set whatever the distance from `config` to the key, and a key before blanks and a separator', () => {
    const feed = '//pkgs.dev.azure.com/' + 'a'.repeat(200) + '/_packaging/feed/npm/registry/:_authToken';
    for (const s of [
      `npm config set --location=project --userconfig=${'x'.repeat(80)} -g -g ${feed} abc123secret`,
      'npm config set _auth :abc123secret',
    ]) {
      assert.deepEqual(redact(s), reference.redact(s), s);
      assert.equal(redact(s).redactions, 1, s);
    }
  });

  it("Tavily's current keys (a `-` in their body), and tokens after a shell default or in markdown emphasis", () => {
    const tavily = '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';
    assert.equal(redact(`client = TavilyClient("${tavily}")`).text, 'client = TavilyClient("[REDACTED:tavily_key]")');
    assert.equal(redact(`export HF_TOKEN="\${HF_TOKEN:-${hf}}"`).text, 'export HF_TOKEN="${HF_TOKEN:-[REDACTED:huggingface_token]}"');
    assert.equal(redact(`copy it: _${hf}_ and keep it safe`).text, 'copy it: _[REDACTED:huggingface_token]_ and keep it safe');
    assert.equal(redact(`x_${hf}`).redactions, 0, 'after a name, no token');
    assert.equal(redact(`${hf}_suffix`).redactions, 0, 'a longer name');
  });

  it('NPM_CONFIG__AUTH first on a line of JSON text', () => {
    for (const key of ['NPM_CONFIG__AUTH', 'npm_config__auth']) {
      const input = `{"stdout":"HOME=/root\\n${key}=dXNlcjpwYXNzd29yZDEyMw==\\nPATH=/usr/bin"}`;
      assert.equal(redact(input).text, `{"stdout":"HOME=/root\\n${key}=[REDACTED:basic_auth]\\nPATH=/usr/bin"}`);
    }
  });
});

describe('createRedactor: vendor tokens and npm credentials, regressions a second review found (2026-12-06)', () => {
  const hf = 'hf_' + 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh';
  const reference = compileRedactor(undefined, false);

  it('npm config set: code that builds the command is kept, whatever comes after the concatenation', () => {
    for (const code of [
      'os.system("npm config set _authToken " + os.environ["NPM_TOKEN"])',
      'os.system("npm config set _authToken " + os.getenv("NPM_TOKEN"))',
      "execSync('npm config set _authToken ' + token, { stdio: 'inherit' });",
      'run("npm config set _authToken " + prefix + token + " && npm publish")',
      'system("npm config set _authToken #{token}")',
      'exec.Command("sh", "-c", "npm config set _authToken "+os.Getenv("NPM_TOKEN"))',
    ]) {
      assert.deepEqual(redact(code), { text: code, redactions: 0, kinds: [] }, code);
    }
  });

  it('npm config set: options of any spelling, before `config` too, `--`, and npm\'s aliases', () => {
    for (const [input, output] of [
      ['npm config set --userconfig=~/.npmrc _authToken abc123secret', 'npm config set --userconfig=~/.npmrc _authToken [REDACTED:cli_password]'],
      ['npm config set --userconfig=${RUNNER_TEMP}/.npmrc //registry.npmjs.org/:_authToken abc123secret', 'npm config set --userconfig=${RUNNER_TEMP}/.npmrc //registry.npmjs.org/:_authToken [REDACTED:cli_password]'],
      ['npm config set --userconfig "$HOME/.npmrc" _authToken abc123secret', 'npm config set --userconfig "$HOME/.npmrc" _authToken [REDACTED:cli_password]'],
      ['npm config set -- _authToken abc123secret', 'npm config set -- _authToken [REDACTED:cli_password]'],
      ['npm -g config set _authToken abc123secret', 'npm -g config set _authToken [REDACTED:cli_password]'],
      ['npm config set -a -b -c -d -e _authToken abc123secret', 'npm config set -a -b -c -d -e _authToken [REDACTED:cli_password]'],
      ['npm set _authToken abc123secret', 'npm set _authToken [REDACTED:cli_password]'],
      ['npm c set _authToken abc123secret', 'npm c set _authToken [REDACTED:cli_password]'],
    ]) {
      assert.equal(redact(input!).text, output, input);
      assert.deepEqual(redact(input!), reference.redact(input!), input);
    }
  });

  it('npm config set: values a placeholder test must not keep are redacted', () => {
    for (const [input, output] of [
      ["npm config set _authToken '$3cr3tT0kenValue'", "npm config set _authToken '[REDACTED:cli_password]'"], // `$` is a character in single quotes
      ['npm config set _authToken "{abc123secret"', 'npm config set _authToken "[REDACTED:cli_password]"'],
      ['npm config set _authToken "%abc123secret"', 'npm config set _authToken "[REDACTED:cli_password]"'],
      ['npm config set _authToken "<abc123secret"', 'npm config set _authToken "[REDACTED:cli_password]"'],
      ["npm config set _authToken \"ab'c123secret\"", 'npm config set _authToken "[REDACTED:cli_password]"'],
    ]) {
      assert.equal(redact(input!).text, output, input);
    }
    for (const kept of ['npm config set _authToken "$NPM_TOKEN"', 'npm config set _authToken %NPM_TOKEN%', 'npm config set _authToken "<your token>"']) {
      assert.equal(redact(kept).redactions, 0, kept);
    }
  });

  it('vendor tokens after a POSIX default without a colon, in strong emphasis, and cut there', () => {
    assert.equal(redact(`export HF_TOKEN="\${HF_TOKEN-${hf}}"`).text, 'export HF_TOKEN="${HF_TOKEN-[REDACTED:huggingface_token]}"');
    assert.equal(redact(`copy it: __${hf}__`).text, 'copy it: __[REDACTED:huggingface_token]__');
    assert.equal(redact(`copy it: _${hf.slice(0, 20)}${TRUNCATION_MARK}`).text, `copy it: _[REDACTED:huggingface_token]${TRUNCATION_MARK}`);
  });

  it('tokens joined by underscores are redacted the same on a second pass (idempotent)', () => {
    for (const s of [`${hf}__sk_live_${'Xy9'.repeat(8)}`, `:-tvly-dev-Q7rTz9-aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6c___${hf}__`]) {
      const once = redact(s);
      assert.equal(redact(once.text).redactions, 0, once.text);
    }
  });

  it('Tavily: kebab-case names with a digit are no key', () => {
    for (const s of ['docker compose up tvly-search-agent-v2-staging', 'kubectl logs deploy/tvly-mcp-server-v1-production']) {
      assert.equal(redact(s).redactions, 0, s);
    }
  });
});

describe('createRedactor: npm credentials and vendor tokens, regressions a third review found (2026-12-06)', () => {
  const hf = 'hf_' + 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh';
  const reference = compileRedactor(undefined, false);

  it('keeps template expressions and code that quotes the token itself; never joins two JSON strings', () => {
    for (const kept of [
      "npm config set _authToken '${{ secrets.NPM_TOKEN }}'",
      'npm config set _authToken "{{ npm_token }}"',
      'npm config set _authToken {{ npm_token }}',
      "npm config set //r.example.com/:_authToken '{{ .Values.npmToken }}'",
      `os.system('npm config set _authToken "' + token + '"')`,
      'execSync("npm config set _authToken \\"" + token + "\\"")',
      `exec('npm config set _authToken "' . $token . '"');`,
      '{"prefix":"npm config set _authToken ","suffix":"x"}',
      '["npm c set _authToken ","NPM_TOKEN"]',
    ]) {
      assert.deepEqual(redact(kept), { text: kept, redactions: 0, kinds: [] }, kept);
    }
  });

  it('reads options with quoted values in JSON text, options between config and set, Windows paths; a placeholder followed by more is a value', () => {
    for (const [input, output] of [
      ['{"cmd":"npm --userconfig \\"./.npmrc\\" config set _authToken \\"abc123secret\\""}', '{"cmd":"npm --userconfig \\"./.npmrc\\" config set _authToken \\"[REDACTED:cli_password]\\""}'],
      ['npm config --global set _authToken abc123secret', 'npm config --global set _authToken [REDACTED:cli_password]'],
      ['npm config set --userconfig C:\\Users\\ci\\.npmrc _authToken abc123secret', 'npm config set --userconfig C:\\Users\\ci\\.npmrc _authToken [REDACTED:cli_password]'],
      ['npm config set _authToken "{x}abc123secret"', 'npm config set _authToken "[REDACTED:cli_password]"'],
    ]) {
      assert.equal(redact(input!).text, output, input);
      assert.deepEqual(redact(input!), reference.redact(input!), input);
    }
  });

  it('vendor tokens in emphasis after a line end of JSON text, and cut after a shell default or after `.__`', () => {
    assert.equal(redact(`{"x":"a\\n_${hf}_"}`).text, '{"x":"a\\n_[REDACTED:huggingface_token]_"}');
    assert.equal(redact(`{"x":"a\\n__${hf}__"}`).text, '{"x":"a\\n__[REDACTED:huggingface_token]__"}');
    assert.equal(redact(`MODEL_SRC=\${CACHE-${hf.slice(0, 18)}${TRUNCATION_MARK}`).text, `MODEL_SRC=\${CACHE-[REDACTED:huggingface_token]${TRUNCATION_MARK}`);
    assert.equal(redact(`x.__${hf.slice(0, 18)}${TRUNCATION_MARK}`).text, `x.__[REDACTED:huggingface_token]${TRUNCATION_MARK}`);
  });
});

describe('createRedactor: secrets passed as arguments (an audit, R1, 2026-12-06)', () => {
  const T = '[REDACTED:password_assignment]';
  describe('the value after a key literal in a call, an environment variable\'s default, an auth tuple\'s and a login\'s password', () => {
    itRedactsEach(
      [
        ['os.environ.setdefault', 'os.environ.setdefault("MISTRAL_API_KEY", "Xk29fLq8Vz3mNpR7tYw1Hc5Jb0Ds6Ga4")', `os.environ.setdefault("MISTRAL_API_KEY", "${T}")`, 'password_assignment'],
        ['os.getenv default', 'api_key = os.getenv("SERPER_API_KEY", "k9Lm3Np7Qr1St5UvWxYz")', `api_key = os.getenv("SERPER_API_KEY", "${T}")`, 'password_assignment'],
        ['os.environ.get default, single quotes', "token = os.environ.get('GITHUB_TOKEN', 'k9Lm3Np7Qr1St5UvWxYz')", `token = os.environ.get('GITHUB_TOKEN', '${T}')`, 'password_assignment'],
        ['dotenv set_key, the key a later argument', 'set_key(".env", "COHERE_API_KEY", "k9Lm3Np7Qr1St5UvWxYz")', `set_key(".env", "COHERE_API_KEY", "${T}")`, 'password_assignment'],
        ['default= keyword', 'SECRET_KEY = env("SECRET_KEY", default="django-insecure-x9#k2")', `SECRET_KEY = env("SECRET_KEY", default="${T}")`, 'password_assignment'],
        ['a call over several lines', 'os.environ.setdefault(\n    "MISTRAL_API_KEY",\n    "Xk29fLq8Vz3mNpR7",\n)', `os.environ.setdefault(\n    "MISTRAL_API_KEY",\n    "${T}",\n)`, 'password_assignment'],
        ['a Python string prefix is dropped, as an assignment drops it', 'os.getenv("API_KEY", b"k9Lm3Np7")', `os.getenv("API_KEY", "${T}")`, 'password_assignment'],
        ['JS ?? after process.env', 'const apiKey = process.env.MISTRAL_API_KEY ?? "k9Lm3Np7Qr1St5";', `const apiKey = process.env.MISTRAL_API_KEY ?? "${T}";`, 'password_assignment'],
        ['JS || after a lookup by name', "const k = Deno.env.get(\"API_TOKEN\") || 'k9Lm3Np7Qr1St5';", `const k = Deno.env.get("API_TOKEN") || '${T}';`, 'password_assignment'],
        ['requests auth tuple', 'r = requests.get(url, auth=("admin", "S3cr3tP@ss!"))', `r = requests.get(url, auth=("admin", "${T}"))`, 'password_assignment'],
        ['Elasticsearch http_auth', 'es = Elasticsearch(hosts, http_auth=("elastic", "changeme"))', `es = Elasticsearch(hosts, http_auth=("elastic", "${T}"))`, 'password_assignment'],
        ['HTTPBasicAuth', 'auth = HTTPBasicAuth("admin", "S3cr3tP@ss!")', `auth = HTTPBasicAuth("admin", "${T}")`, 'password_assignment'],
        ['smtplib login', 'server.login("me@gmail.com", "abcd efgh ijkl mnop")', `server.login("me@gmail.com", "${T}")`, 'password_assignment'],
        ['login with a name first', "imap.login(EMAIL, 'abcd efgh ijkl mnop')", `imap.login(EMAIL, '${T}')`, 'password_assignment'],
      ],
      { idempotent: true },
    );
  });

  it('in a tool call\'s JSON (quotes escaped once or twice) the value is replaced inside its quotes and the JSON still parses', () => {
    for (const code of ['os.environ.setdefault("MISTRAL_API_KEY", "Xk29fLq8Vz3m")', 'server.login("me@gmail.com", "abcd efgh ijkl")', 'const k = process.env.API_TOKEN ?? "Xk29fLq8Vz3m";']) {
      let text = code;
      for (let times = 1; times <= 2; times++) {
        text = JSON.stringify({ code: text });
        const out = redact(text);
        assert.doesNotMatch(out.text, /Xk29fLq8Vz3m|abcd efgh/, out.text);
        let decoded: unknown = out.text;
        for (let i = 0; i < times; i++) decoded = (JSON.parse(decoded as string) as { code: unknown }).code;
        assert.equal(decoded, redact(code).text);
      }
    }
  });

  it('ordinary code wakes none of the argument rules (each would cost a pass); their shapes wake theirs', () => {
    for (const c of loadCorpus()) assert.deepEqual(argumentsScreened(c.code), [], c.code.slice(0, 200));
    for (const code of [
      "fig, ax = plt.subplots(figsize=(8, 4))\nplugin('a', 'b')\nx = a || b\ny = c ?? 'd'\nprint('tokens', n)\n",
      'const t = localStorage.getItem("theme") || "";\nconst u = user.name ?? "anonymous";\n',
    ]) {
      assert.deepEqual(argumentsScreened(code), [], code);
    }
    assert.deepEqual(argumentsScreened('os.getenv("API_KEY", "x1")'), ['pair']);
    assert.deepEqual(argumentsScreened('k = process.env.API_KEY ?? "x1"'), ['fallback']);
    assert.deepEqual(argumentsScreened('s.login(u, "x1")'), ['login']);
    assert.deepEqual(argumentsScreened('get(u, auth=("u", "x1"))'), ['login']);
  });

  it('only an env or secret getter or setter takes the value after a key literal; only a method `.login(` a password (a review, 2026-12-06)', () => {
    for (const code of [
      'df["token"] = df["text"].str.replace("token", "tok")',
      's = re.sub("token", "TOKEN", s)',
      'msg = msg.replace("api_key", "apiKey")',
      'out = json.dumps({"k": 1}).replace("password", "pwd")',
      'with open("token", "w") as f:\n    f.write(tok)',
      'op.create_index("ix_api_keys_token", "api_keys", ["token"], unique=True)',
      'op.create_unique_constraint("uq_users_api_key", "users", ["api_key"])',
      'op.rename_table("api_token", "api_tokens")',
      't("auth.password", "Password")',
      "i18n.t('settings.apiKey', 'API Key')",
      '_("password", "Password")',
      'form.add_field("password", "Password")',
      'api_key = st.sidebar.text_input("api_key", "Enter your key")',
      'logger.info("token", "refreshed")',
      'socket.emit("token", "ready")',
      'kind = data.get("token", "missing")',
      'cfg.get("github_token", "fallback")',
      'df.groupby("token", "count")',
      'self.assertIn("token", "response body")',
      'n = count("token", "text")',
      'await login(page, "/dashboard")',
      'await page.login(user, "/dashboard")',
      'login("admin", "x9Lm3Np7")',
      'do_login(user, "x9Lm3Np7")',
    ]) {
      for (const t of [code, JSON.stringify({ code })]) assert.equal(redact(t).text, t, t);
    }
    for (const [code, secret] of [
      ['SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=\'k9Lm3Np7\')', 'k9Lm3Np7'],
      ['key = st.secrets.get("OPENAI_API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['key = getattr(settings, "API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['api_key = ENV.fetch("API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['String k = System.getenv().getOrDefault("API_KEY", "k9Lm3Np7");', 'k9Lm3Np7'],
      ['apiKey := getEnv("API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['os.Setenv("API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['monkeypatch.setenv("API_KEY", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['key = os.getenv(key="API_KEY", default="k9Lm3Np7")', 'k9Lm3Np7'],
      ['headers.set("X-Api-Key", "k9Lm3Np7")', 'k9Lm3Np7'],
      ['SECRET_KEY = config("SECRET_KEY", default="k9Lm3Np7")', 'k9Lm3Np7'],
    ] as const) {
      for (const t of [code, JSON.stringify({ code })]) assert.ok(!redact(t).text.includes(secret), `${t} -> ${redact(t).text}`);
    }
  });

  it('in JSON text, a key and a value quoted differently, and a tab before `??`, read as in code (a review, 2026-12-06)', () => {
    for (const code of [
      "key = os.getenv(\"API_KEY\", 'Xk9mP2qL7wZr')",
      "key = os.getenv('API_KEY', \"Xk9mP2qL7wZr\")",
      "SECRET_KEY = env(\"SECRET_KEY\", default='Xk9mP2qL7wZr')",
      "os.environ.setdefault('OPENAI_API_KEY', \"Xk9mP2qL7wZr\")",
      'const k = process.env.API_KEY\t?? "Xk9mP2qL7wZr";',
      'k = env["API_KEY"]\t|| "Xk9mP2qL7wZr"',
    ]) {
      const raw = redact(code).text;
      assert.ok(!raw.includes('Xk9mP2qL7wZr'), raw);
      let text = code;
      for (let times = 1; times <= 2; times++) {
        text = JSON.stringify({ code: text });
        for (const prefix of ['', 'x = 1\n'.repeat(30), 'See the notes (below). '.repeat(8)]) {
          const out = redact(prefix + text).text;
          assert.ok(!out.includes('Xk9mP2qL7wZr'), out);
        }
        let decoded: unknown = redact(text).text;
        for (let i = 0; i < times; i++) decoded = (JSON.parse(decoded as string) as { code: unknown }).code;
        assert.equal(decoded, raw);
      }
    }
  });

  it('property: a second pass redacts nothing more, however long an earlier secret in the same call (a review, 2026-12-06)', () => {
    const long = fc.stringMatching(/^[A-Za-z0-9]{200,400}$/).filter((v) => /[0-9]/.test(v) && /[a-z]/.test(v));
    const shape = fc.constantFrom(
      (a: string, b: string) => `Map<String, String> m = Map.of("api_key", "${a}", "client_secret", "${b}");`,
      (a: string, b: string) => `f("API_KEY", "${a}", "DB_PASSWORD", "${b}")`,
      (a: string, b: string) => `x = (os.getenv("API_KEY", "${a}"), os.getenv("DB_PASSWORD", "${b}"))`,
      (a: string, b: string) => `set_key(".env", "API_KEY", "${a}"); s.login("${a}", "${b}")`,
      (a: string, b: string) => `r = get(u, auth=("${a}", "${b}"), headers={"token": "${a}"})`,
      (a: string, b: string) => `k = process.env.API_KEY ?? "${a}" || "${b}"; j = os.getenv("TOKEN") or "${b}"`,
    );
    fc.assert(
      fc.property(long, secretValue, shape, fc.integer({ min: 0, max: 2 }), (a, b, make, times) => {
        let text = make(a, b);
        for (let i = 0; i < times; i++) text = JSON.stringify({ code: text });
        const once = redact(text).text;
        assert.equal(redact(once).text, once, text);
      }),
      { numRuns: 300 },
    );
  });

  it('common variations: a line break after `??`, `auth = (…)` with spaces, Python\'s `or` after an env lookup (a review, 2026-12-06)', () => {
    for (const code of [
      'const apiKey = process.env.OPENAI_API_KEY ??\n  "Xk9mP2qL7wZr";',
      'auth = ("admin", "Xk9mP2qL7wZr")\nr = requests.get(url, auth=auth)',
      'r = requests.get(url, auth= ("admin", "Xk9mP2qL7wZr"))',
      'key = os.getenv("API_KEY") or "Xk9mP2qL7wZr"',
      "key = os.environ.get('API_KEY') or 'Xk9mP2qL7wZr'",
    ]) {
      for (const t of [code, JSON.stringify({ code }), 'x = 1\n'.repeat(30) + code]) assert.ok(!redact(t).text.includes('Xk9mP2qL7wZr'), `${t} -> ${redact(t).text}`);
    }
    for (const code of ['name = os.getenv("USER") or "bob"', 'ttl = os.getenv("TOKEN_TTL") or "3600"', 'use a token or "x"', 'if auth == ("a", "b"): pass']) {
      assert.equal(redact(code).text, code);
    }
  });

  it('short texts, screened by one pass over their characters, are read too', () => {
    for (const [text, out] of [
      ['TOKEN ?? "k9Lm3Np7"', `TOKEN ?? "${T}"`],
      ["PASSWORD || 'k9Lm3Np7'", `PASSWORD || '${T}'`],
      ['env("TOKEN", "k9Lm3Np7")', `env("TOKEN", "${T}")`],
      ["putenv('secret', 'k9Lm3Np7')", `putenv('secret', '${T}')`],
      ['x.login(u, "k9Lm3Np7")', `x.login(u, "${T}")`],
    ] as const) {
      assert.equal(redact(text).text, out, text);
    }
  });

  it('keeps what holds no secret: an empty or placeholder default, no default, a flag, a list, a name, a message', () => {
    for (const code of [
      'os.getenv("API_KEY", "")',
      'os.getenv("API_KEY", None)',
      'api_key = os.getenv("API_KEY")',
      'os.environ.get("OPENAI_API_KEY", "<your-api-key>")',
      'os.getenv("API_KEY", "none")',
      'os.getenv("OPENAI_API_KEY", "YOUR_API_KEY")',
      'fc.constantFrom("DB_PASSWORD", "API_KEY")',
      'os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")',
      'os.environ.setdefault("HF_TOKEN", os.getenv("HUGGINGFACE_TOKEN", ""))',
      'parser.add_argument("--api-key", "-k", help="API key")',
      '@click.option("--token", "-t", envvar="TOKEN")',
      'df[["label", "token", "text"]]',
      'fields = ("token", "text")',
      'STOP = {"password", "token"}',
      'cursor.execute("SELECT token FROM t WHERE id = %s", (sid,))',
      'res.cookie("token", token, { httpOnly: true })',
      'const token = localStorage.getItem("token") || "";',
      '{errors.password || "Password is required"}',
      'test -n "$GITHUB_TOKEN" || echo "missing token"',
      'if (!process.env.OPENAI_API_KEY || !process.env.ANTHROPIC_API_KEY) throw new Error("missing");',
      'ftp.login("anonymous", "")',
      'return client.login(username, password)',
      'r = requests.get(url, auth=("api", os.environ["MAILGUN_KEY"]))',
      'r = requests.get(url, auth=(API_KEY, ""))',
      'if plugin("a", "b"): pass',
      'log.info("Login(%s, %s)", user, host)',
    ]) {
      assert.equal(redact(code).text, code, code);
    }
  });

  const secretValue = fc
    .stringMatching(/^[A-Za-z0-9][A-Za-z0-9!@#%^*+/._~-]{7,39}$/)
    .filter((v) => /[a-z]/.test(v) && /[0-9]/.test(v));
  const envKey = fc.constantFrom('MISTRAL_API_KEY', 'SERPER_API_KEY', 'GITHUB_TOKEN', 'COHERE_API_KEY', 'DB_PASSWORD', 'JWT_SECRET', 'AWS_SECRET_ACCESS_KEY', 'TOKEN', 'PASSWORD');
  const anyKey = fc.oneof(envKey, fc.constantFrom('api_key', 'client_secret', 'token', 'x-api-key', 'db.password'));
  const quote = fc.constantFrom('"', "'");
  const pairShape = fc.constantFrom(
    (k: string, v: string) => `os.environ.setdefault(${k}, ${v})`,
    (k: string, v: string) => `api_key = os.getenv(${k}, ${v})`,
    (k: string, v: string) => `os.environ.get(${k}, ${v})`,
    (k: string, v: string) => `set_key(dotenv_path, ${k}, ${v})`,
    (k: string, v: string) => `value = config(${k}, default=${v})`,
    (k: string, v: string) => `localStorage.setItem(${k}, ${v});`,
    (k: string, v: string) => `os.environ.setdefault(\n    ${k},\n    ${v},\n)`,
  );

  it('property: a literal after a key literal in a call is redacted, however often the text was JSON-encoded; a second pass finds nothing', () => {
    fc.assert(
      fc.property(anyKey, secretValue, quote, pairShape, fc.integer({ min: 0, max: 2 }), (k, v, q, make, times) => {
        const source = make(q + k + q, q + v + q);
        let text = source;
        for (let i = 0; i < times; i++) text = JSON.stringify({ code: text });
        const out = redact(text);
        assert.ok(!out.text.includes(v), out.text);
        assert.equal(redact(out.text).redactions, 0);
        let decoded: unknown = out.text;
        for (let i = 0; i < times; i++) decoded = (JSON.parse(decoded as string) as { code: unknown }).code;
        assert.equal(decoded, redact(source).text);
        assert.equal(decoded, make(q + k + q, q + '[REDACTED:password_assignment]' + q));
      }),
      { numRuns: 500 },
    );
  });

  it('property: an auth tuple\'s or a login\'s password and an environment variable\'s default are redacted', () => {
    const password = fc.oneof(secretValue, fc.stringMatching(/^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/));
    const user = fc.oneof(fc.constantFrom('"admin"', "'me@gmail.com'", 'EMAIL', 'self.user', '"elastic"'));
    const shape = fc.constantFrom(
      (u: string, p: string) => `r = requests.get(url, auth=(${u}, ${p}))`,
      (u: string, p: string) => `server.login(${u}, ${p})`,
      (u: string, p: string) => `auth = HTTPDigestAuth(${u}, ${p})`,
      (u: string, p: string) => `es = Elasticsearch(h, basic_auth=(\n    ${u},\n    ${p},\n))`,
      (_u: string, p: string) => `const key = process.env.MISTRAL_API_KEY ?? ${p};`,
      (_u: string, p: string) => `const key = process.env["SERPER_API_KEY"] || ${p};`,
    );
    fc.assert(
      fc.property(user, password, quote, shape, (u, p, q, make) => {
        const out = redact(make(u, q + p + q));
        assert.ok(!out.text.includes(p), out.text);
        assert.equal(out.text, make(u, q + '[REDACTED:password_assignment]' + q));
      }),
      { numRuns: 400 },
    );
  });

  it('property: the screen lets each argument rule run wherever it would redact (short text, prose, code with many `=`, JSON)', () => {
    const reference = compileRedactor(undefined, false);
    const shape = fc.constantFrom(
      (k: string, v: string) => `os.getenv(${k}, ${v})`,
      (k: string, v: string) => `os.putenv(${k}, ${v})`,
      (k: string, v: string) => `set_key(".env", ${k}, ${v})`,
      (k: string, v: string) => `env(\n  ${k},\n  default=${v})`,
      (k: string, v: string) => `process.env.${k.slice(1, -1)} ?? ${v}`,
      (k: string, v: string) => `env[${k}] || ${v}`,
      (k: string, v: string) => `Deno.env.get(${k}) ?? ${v}`,
      (k: string, v: string) => `${k.slice(1, -1)} ||= ${v}`,
      (_k: string, v: string) => `s.login("u", ${v})`,
      (_k: string, v: string) => `x.Login(u, ${v})`,
      (_k: string, v: string) => `get(u, auth=("u", ${v}))`,
      (_k: string, v: string) => `HTTPBasicAuth("u", ${v})`,
    );
    const before = fc.constantFrom('', 'Run this: ', 'See the notes (below).\n', 'x = 1\n'.repeat(20), 'a: 1\n'.repeat(20), "print('a', 'b')\n".repeat(4));
    const after = fc.constantFrom('', '\n', ' # done', '\ny = 2\n'.repeat(20));
    fc.assert(
      fc.property(envKey, secretValue, quote, shape, before, after, fc.integer({ min: 0, max: 1 }), (k, v, q, make, b, a, times) => {
        let text = b + make(q + k + q, q + v + q) + a;
        for (let i = 0; i < times; i++) text = JSON.stringify({ code: text });
        const out = redact(text);
        assert.deepEqual(out, reference.redact(text), text);
        assert.ok(!out.text.includes(v), out.text);
      }),
      { numRuns: 1500 },
    );
  });

  it('property: outside a call, or with a name, an empty string or a flag after the key, nothing is changed', () => {
    const notAValue = fc.constantFrom('""', 'None', 'default_key', 'os.environ["X"]', '"<your-key>"', "''");
    const shape = fc.constantFrom(
      (k: string, v: string) => `os.getenv(${k}, ${v})`,
      (k: string, v: string) => `set_key(".env", ${k}, ${v})`,
      (k: string, v: string) => `${v} if ${k} else ${v}`,
    );
    const listShape = fc.constantFrom(
      (k: string, v: string) => `[${k}, ${v}]`,
      (k: string, v: string) => `fields = (${k}, ${v})`,
      (k: string, v: string) => `{${k}, ${v}}`,
      (k: string, v: string) => `parser.add_argument("--${k.slice(1, -1).toLowerCase()}", ${v})`,
    );
    fc.assert(
      fc.property(anyKey, notAValue, secretValue, quote, shape, listShape, (k, nv, v, q, make, list) => {
        const code = make(q + k + q, nv);
        assert.equal(redact(code).text, code);
        const other = list(q + k + q, q + v + q);
        assert.equal(redact(other).text, other);
      }),
      { numRuns: 400 },
    );
  });
});

describe('createRedactor: code after a secret key is kept byte for byte (an audit, R2, 2026-12-06)', () => {
  it('optional chaining, a method called on a module whose name has a digit', () => {
    for (const code of [
      'const token = req.headers.authorization?.split(" ")[1];',
      'let token = req.headers?.authorization;',
      'app.secret_key = base64.b64encode(os.urandom(32)).decode()',
      'secret = boto3.client("secretsmanager").get_secret_value(SecretId=sid)',
      'secret = boto3.client(\n    "secretsmanager",\n)',
    ]) {
      assert.equal(redact(code).text, code, code);
      const json = JSON.stringify({ code });
      assert.equal(redact(json).text, json, `JSON-encoded: ${code}`);
    }
  });

  it('a name as an item of a dict or object literal, or a keyword argument of a call over several lines', () => {
    for (const code of [
      'payload = {"username": user, "password": password}',
      'payload = {"username": user, "password": pw.value}',
      'payload = {"username": user, "password": get_pw()}',
      'config_list = [{"model": "gpt-4o", "api_key": api_key}]',
      "creds = {'api_key': api_key, 'secret': secret}",
      'config = {\n    "model": "gpt-4o",\n    "api_key": api_key,\n}',
      'config = {\n    "model": "gpt-4o",\n    "api_key": api_key\n}',
      'const body = JSON.stringify({ "token": token });',
      "const pool = new Pool({ user: 'app', password: db_pw });",
      'const client = new OpenAI({ apiKey: apiKey });',
      'const client = new OpenAI({\n  apiKey: apiKey,\n});',
      "const pool = new Pool({\n  user: 'app',\n  password: dbPassword,\n  host: 'db',\n});",
      'return { token: accessToken };',
      'conn = psycopg2.connect(\n    host=host,\n    password=db_password,\n)',
    ]) {
      assert.equal(redact(code).text, code, code);
      const json = JSON.stringify({ code });
      assert.equal(redact(json).text, json, `JSON-encoded: ${code}`);
    }
  });

  it('still redacts plain words in configuration, YAML flow style and prose, values with a digit, and a call that does not close', () => {
    for (const [text, secret] of [
      ['{user: admin, password: Welcome, host: db}', 'Welcome'],
      ['db: {user: admin, password: Welcome}', 'Welcome'],
      ['db: {\n  user: admin,\n  password: Welcome,\n}', 'Welcome'],
      ['"password": Welcome', 'Welcome'],
      ['db:\n  "password": Welcome\n  host: db', 'Welcome'],
      ['Set "password": Welcome, then restart', 'Welcome'],
      ['{"password": hunter2}', 'hunter2'],
      ['password: dbPassword', 'dbPassword'],
      ['PASSWORD=Ab1.cd(xyz', 'Ab1.cd'],
      ['token = kP9.xQ2(mZ', 'kP9.xQ2'],
      ['password=hunter2(x)', 'hunter2'],
      ['x == { password: Welcome }', 'Welcome'],
      ['spring:\n  datasource:\n    password: changeme,', 'changeme'],
    ] as const) {
      assert.ok(!redact(text).text.includes(secret), `${text} -> ${redact(text).text}`);
    }
  });

  it('redacts again what was redacted before these keep-rules (a review, 2026-12-06): a password with a `.` and a `(`, `!.`, a plain word as a dict value', () => {
    for (const [text, secret] of [
      ['DB_PASSWORD=Tr0ub4dor.Xy(z)', 'Tr0ub4dor'],
      ['Server=db;User Id=sa;Password=Passw0rd.Db(1);Database=app', 'Passw0rd'],
      ['export API_SECRET=k8s.Prod(2024)', 'k8s.Prod'],
      ['password: Summer24.Fall(x)', 'Summer24'],
      ['api_key=user!.Token', 'user!.Token'],
      ['credentials: {"user": admin, "password": Welcome}', 'Welcome'],
      ['login with {"username": "bob", "password": letmein}', 'letmein'],
      ['Try config={user: admin, password: Welcome}', 'Welcome'],
      ['x = {user: admin, password: Welcome}', 'Welcome'],
      ['{"password": Welcome}', 'Welcome'],
      ['{\n  "user": admin,\n  "password": letmein\n}', 'letmein'],
      ['conn = connect(\n    host=localhost,\n    password=Welcome,\n)', 'Welcome'],
      // A short variable is redacted with them (documented in the README): a secret in clear is worse.
      ['payload = {"username": user, "password": pw}', '"password": pw'],
      // Names that are not a variable's name for a secret (a review, 2026-12-06): camelCase, snake_case, dotted.
      ['credentials: {"user": admin, "password": SuperSecret}', 'SuperSecret'],
      ['{"user": admin, "password": correct_horse}', 'correct_horse'],
      ['{"user": admin, "password": Correct.Horse}', 'Correct.Horse'],
      ['requests.post(url, json={"username": "admin", "password": ChangeMe})', 'ChangeMe'],
      ['{\'password\': Spring_Time}', 'Spring_Time'],
      ['conn = connect(\n    user="postgres",\n    password=LetMeIn,\n)', 'LetMeIn'],
      ['const token = req.headers.authorization!.split(" ")[1];', 'authorization!'],
    ] as const) {
      for (const t of [text, JSON.stringify({ code: text })]) assert.ok(!redact(t).text.includes(secret), `${t} -> ${redact(t).text}`);
    }
  });

  // Variables named for what they hold (`db_password`, `openaiKey`): a plain word, `SuperSecret` or `correct_horse`, may be the secret.
  const name = fc.stringMatching(/^[a-z]{2,10}(?:_(?:password|pw|pwd|key|token|secret|creds)|(?:Password|Key|Token|Secret|Creds))$/);
  const key = fc.constantFrom('password', 'api_key', 'token', 'apiKey', 'secret', 'client_secret', 'DB_PASSWORD');
  /** Places where the name is the value. */
  const valueShape = fc.constantFrom(
    (k: string, v: string) => `payload = {"user": user, "${k}": ${v}}`,
    (k: string, v: string) => `config_list = [{"model": "gpt-4o", "${k}": ${v}}]`,
    (k: string, v: string) => `cfg = {\n    '${k}': ${v},\n    'x': 1,\n}`,
    (k: string, v: string) => `connect({ host: 'db', ${k}: ${v} })`,
    (k: string, v: string) => `const opts = { ${k}: ${v} };`,
    (k: string, v: string) => `const c = new Client({\n  host: 'db',\n  ${k}: ${v},\n});`,
    (k: string, v: string) => `conn = connect(\n    host=host,\n    ${k}=${v},\n)`,
  );
  /** Places where the name is called or a path is read through optional chaining. */
  const codeShape = fc.oneof(
    valueShape,
    fc.constantFrom(
      (k: string, v: string) => `const ${k} = ${v}?.split(" ")[1];`,
      (k: string, v: string) => `app.${k} = b64.${v}(os.urandom(32)).decode()`,
    ),
  );

  it('property: a name or a call in code after a secret key is kept, however often the text was JSON-encoded', () => {
    fc.assert(
      fc.property(key, name, codeShape, fc.integer({ min: 0, max: 2 }), (k, v, make, times) => {
        let text = make(k, v);
        for (let i = 0; i < times; i++) text = JSON.stringify({ code: text });
        assert.equal(redact(text).text, text);
      }),
      { numRuns: 500 },
    );
  });

  it('property: in the same places a quoted secret is still redacted, and a plain name is in configuration', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).filter((v) => /[0-9]/.test(v) && /[a-z]/.test(v));
    const configShape = fc.constantFrom(
      (k: string, v: string) => `${k}: ${v}`,
      (k: string, v: string) => `db: {user: admin, ${k}: ${v}}`,
      (k: string, v: string) => `{user: admin, ${k}: ${v}}`,
      (k: string, v: string) => `${k}=${v}`,
    );
    fc.assert(
      fc.property(key, secret, name, valueShape, configShape, (k, s, v, make, config) => {
        const quoted = make(k, `"${s}"`);
        assert.ok(!redact(quoted).text.includes(s), quoted);
        // Looked for after the key only: a name may be the end of the key (`pi_key` of `api_key`), kept with it.
        const plain = config(k, v);
        const out = redact(plain).text;
        assert.ok(!out.slice(out.indexOf(k) + k.length).includes(v), plain);
      }),
      { numRuns: 500 },
    );
  });
});

describe('createRedactor: bare values holding closed [...] groups (a review of ae0b57b)', () => {
  it('code read past a subscript is kept byte for byte, as before a value could hold [...]', () => {
    for (const code of [
      'password = data[0].strip()',
      'token = tokens[i][j]',
      'token=resp[0]["token"]',
      'const token = arr[0]?.token',
      'api_key = keys[idx].value',
      'token = self.tokens[0].text',
      'password = config[env].get("pw")',
      'secret = tok[i].value.strip()',
    ]) {
      assert.equal(redact(code).text, code, code);
    }
  });

  it('no part of a secret stays in clear: a [...] before an earlier tag, a key after a kept value\'s ]', () => {
    for (const [text, secret] of [
      ['secret=2qL7[i]sk-proj-abcdefghijklmnopqrstu', '2qL7'],
      ['password: Zq9XwV8uT7sR6[i]sk-proj-abcdefghijklmnopqrstu', 'Zq9XwV8uT7sR6'],
      ['"password"=a.sk-proj-abcdefghijklmnopqrstu.token=Zq9XwV8uT7sR6', 'Zq9XwV8uT7sR6'],
      ['password=os.environ[x]token=Zq9XwV8uT7sR6', 'Zq9XwV8uT7sR6'],
      ['{password = +&[0]token=Zq9XwV8uT7sR6}', 'Zq9XwV8uT7sR6'],
      ['{secret: Xk&sk-proj-abcdefghijklmnopqrstu}', 'Xk'],
      ['password=tok[a][password:Zq9XwV8uT7sR6]', 'Zq9XwV8uT7sR6'],
    ] as const) {
      const out = redact(text).text;
      assert.ok(!out.includes(secret), `${text} -> ${out}`);
      assert.equal(redact(out).text, out, 'idempotent');
    }
  });

  it('property: a secret of words and [...] groups, maybe glued to a vendor token, leaves none of its characters; its redaction is idempotent', () => {
    const word = fc.stringMatching(/^[A-Z][a-z0-9]{3,6}[0-9]$/);
    const group = fc.stringMatching(/^\[[A-Za-z0-9]{1,4}\]$/);
    fc.assert(
      fc.property(
        fc.constantFrom('DB_PASSWORD=', 'password: ', 'api_key=', '{"token": ', 'secret = '),
        fc.array(fc.tuple(word, group), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('', 'sk-proj-abcdefghijklmnopqrstu', '.sk-proj-abcdefghijklmnopqrstu.token=Qz8wV7uT6s'),
        (key, parts, tail) => {
          const value = parts.map(([w, g]) => w + g).join('');
          const out = redact(key + value + tail).text;
          for (const [w] of parts) assert.ok(!out.includes(w), `${key + value + tail} -> ${out}`);
          assert.ok(!out.includes('Qz8wV7uT6s'), out);
          assert.equal(redact(out).text, out);
        },
      ),
    );
  });

  it('property: a path of names, members and subscripts of code is kept whole', () => {
    const name = fc.stringMatching(/^[a-z][a-z_]{0,6}$/);
    const step = fc.oneof(name.map((n) => '.' + n), fc.constantFrom('[0]', '[i]', '[1]', '[idx]', '[key]'));
    fc.assert(
      fc.property(fc.constantFrom('password = ', 'token = ', 'const secret = '), fc.constantFrom('data', 'rows', 'tokens', 'creds'), fc.constantFrom('[0]', '[i]'), fc.array(step, { maxLength: 3 }), fc.constantFrom('', '()', '.strip()'), (lhs, head, first, rest, call) => {
        const code = lhs + head + first + rest.join('') + call;
        assert.equal(redact(code).text, code);
      }),
    );
  });
});

describe('createRedactor: values of keys inside quoted strings (a review of a5e59ef, 7ba250d)', () => {
  const r = createRedactor();
  const once = (input: string): { text: string; redactions: number } => {
    const out = r.redact(input);
    const again = r.redact(out.text);
    assert.equal(again.text, out.text, `not idempotent: ${out.text}`);
    assert.equal(again.redactions, 0);
    return out;
  };

  it('a string ending in punctuation before the key is no string the key sits in: the value is read whole', () => {
    // Minified JS: the `"` closing `"Keys:"` looked like one opening a string; the list's first `"` was taken
    // for its close, and the list's items were left in clear.
    assert.equal(
      once('var c={label:"Keys:",apiKey:["sk_live_Xk9mP2qL7wZ","sk_live_Zq9XwV8uT7"]};').text,
      'var c={label:"Keys:",apiKey:[REDACTED:password_assignment]};',
    );
    assert.equal(
      once(`db = connect(host="db,", password='Xk9"mP2qL7')`).text,
      `db = connect(host="db,", password='[REDACTED:password_assignment]')`,
    );
  });

  it('any number of strings opening lists before a password: the password is redacted in one pass', () => {
    const input = '{"a":"token=[","b":"token=[","c":"token=[","password":"Xk9mP2qL7wZ","z":"]"}';
    const out = once(input);
    assert.ok(!out.text.includes('Xk9mP2qL7wZ'), out.text);
    assert.equal(out.redactions, 4);
  });

  it('a value opening where the longer reading ended is redacted in the same pass', () => {
    const a = once(`print("password='"); password = 'Xk9mP2qL7wZ'`);
    assert.equal(a.text, `print("password=[REDACTED:password_assignment]"); password = '[REDACTED:password_assignment]'`);
    assert.equal(a.redactions, 2);
    const b = once('{"note":"token=[","cmd":"ls","password":"]Xk9mP2qL7wZ"}');
    assert.equal(b.text, '{"note":"token=[REDACTED:password_assignment]","cmd":"ls","password":"[REDACTED:password_assignment]"}');
  });

  it('a list that is one only through a later tag is kept as the first pass kept it', () => {
    const input = '{"q":"token=[[","secret":"Xk9mP2qL7wZ","z":"x"}';
    const out = once(input);
    assert.equal(out.text, '{"q":"token=[[","secret":"[REDACTED:password_assignment]","z":"x"}');
  });

  it('a call that failed (a stack overflow in the host) leaves no count behind for the next one', () => {
    const crossing = '{"a":"token=[","password":"Xk9mP2qL7wZ","b":"token=[","c":"d","z":"]"}';
    const at = (depth: number): string => (depth === 0 ? r.redact(crossing).text : at(depth - 1));
    let failed = 0;
    for (let d = 1000; d < 30000 && failed < 50; d++) {
      let out: string;
      try {
        out = at(d);
      } catch {
        break; // the overflow reached this test's own frames: deeper depths fail the same way
      }
      if (out !== '[REDACTED:error]') continue;
      failed++;
      assert.equal(r.redact('password=Xk9mP2qL7wZ').redactions, 1, `after a failure at depth ${d}`);
    }
  });

  it("a value ending in a key and a blank takes no word past the closing quote of the string it sits in", () => {
    // Found by the properties below (seed 990208662): the key ending a value (`abc?token=`) took the "word" after the
    // blank, `","`, the string's closing quote, the member's comma and the next key's opening quote, into its tag.
    assert.equal(
      once('{"a":"password=abc?token= ","b":"x"}').text,
      '{"a":"password=[REDACTED:password_assignment] ","b":"x"}',
    );
    assert.equal(
      once(JSON.stringify({ password0: 'api_key=token=[api_key= ', s0_password: 'Xk9mP2qL7wZ0q' })).text,
      '{"password0":"api_key=[REDACTED:password_assignment] ","s0_password":"[REDACTED:password_assignment]"}',
    );
    assert.equal(once("x = 'password=abc?token= ', 'b'").text, "x = 'password=[REDACTED:password_assignment] ', 'b'");
    // A quoted word inside the string is still the trailing key's value, in the same tag.
    assert.equal(
      once(`{"a":"password=abc?token= 'Xk9mP2qL7wZ' ","b":"x"}`).text,
      '{"a":"password=[REDACTED:password_assignment] ","b":"x"}',
    );
  });

  test('property: JSON documents with keys inside strings redact every secret value, idempotently', () => {
    const secret = fc.integer({ min: 0, max: 999 }).map((i) => `Xk9mP2qL7wZ${i}q`);
    // No `'`: a `'` opening a string inside the JSON string, nearer the key, is taken for the key's (a limit of the reading).
    const frag = fc.constantFrom('token=[', 'api_key=', 'token:', ',', ':', ']', '[', '"', ' ', '=', '(', '{', '}', 'x');
    const member = fc.tuple(fc.constantFrom('password', 'api_key', 'cmd', 'note', 'q'), fc.array(fc.oneof(frag, secret), { maxLength: 4 }).map((a) => a.join('')), secret);
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (ms) => {
        // Every member is followed by one whose value is a secret: none of those may be left in clear, ...
        const doc: Record<string, string> = {};
        ms.forEach(([k, v, s], i) => {
          doc[`${k}${i}`] = v;
          doc[`s${i}_password`] = s;
        });
        const out = once(JSON.stringify(doc)).text;
        // ... each kept in place (not swallowed by an earlier value) and redacted.
        ms.forEach((_, i) => assert.ok(out.includes(`"s${i}_password":"[REDACTED:password_assignment]"`), out));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('createRedactor: HTTP credentials, leaks and false positives a review of the cookie and Authorization rules found (2026-12-06)', () => {
  const cases: [string, string, string, string][] = [
    // A scheme the bearer rule did not list kept its credential whole (`authorizationKept` keeps a scheme-first value).
    ['an OAuth scheme (Salesforce)', 'Authorization: OAuth 00D5e000000ABCd!AQ4AQFmxyzQ9', 'Authorization: OAuth [REDACTED:bearer]', 'bearer'],
    ['a vendor scheme with a dot', 'Authorization: Zoho-oauthtoken 1000.abcdef1234567', 'Authorization: Zoho-oauthtoken [REDACTED:bearer]', 'bearer'],
    ['a scheme whose credential has a colon (Azure SharedKey)', 'Authorization: SharedKey myaccount:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=', 'Authorization: SharedKey [REDACTED:bearer]', 'bearer'],
    ['a custom scheme in a curl header', "curl -H 'Authorization: HMAC 9f8e7d6c5b4a3928' https://x", "curl -H 'Authorization: HMAC [REDACTED:bearer]' https://x", 'bearer'],
    // A percent-encoded token (X's app-only bearer tokens): its tail after the first `%` stayed in clear.
    ['a percent-encoded bearer token, whole', 'Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRf', 'Authorization: Bearer [REDACTED:bearer]', 'bearer'],
    // A template literal with no field: the scheme was redacted as the value and the token left after it.
    ['a template literal without a field', 'const h = { Authorization: `Bearer abcdef1234567` }', 'const h = { Authorization: `Bearer [REDACTED:bearer]` }', 'bearer'],
    ['a template literal after a quoted key', 'const h = { "Authorization": `Token abcdef1234567` }', 'const h = { "Authorization": `Token [REDACTED:bearer]` }', 'bearer'],
    // Header setters and subscripts: no `:` or `=` right after the name.
    ['a subscript', 'headers["Authorization"] = "Bearer abcdef1234567"', 'headers["Authorization"] = "Bearer [REDACTED:bearer]"', 'bearer'],
    ["Go's Header.Set", 'req.Header.Set("Authorization", "Bearer abcdef1234567")', 'req.Header.Set("Authorization", "Bearer [REDACTED:bearer]")', 'bearer'],
    ["Java's setRequestProperty", 'conn.setRequestProperty("Authorization", "Basic dXNlcjpwYXNz");', 'conn.setRequestProperty("Authorization", "Basic [REDACTED:bearer]");', 'bearer'],
    ["Go's Header.Set without a scheme", 'req.Header.Set("Authorization", "abcdef1234567")', 'req.Header.Set("Authorization", "[REDACTED:password_assignment]")', 'password_assignment'],
    ["XHR's setRequestHeader without a scheme", "xhr.setRequestHeader('Authorization', 'abcdef1234567')", "xhr.setRequestHeader('Authorization', '[REDACTED:password_assignment]')", 'password_assignment'],
    ["urllib's add_header without a scheme", 'req.add_header("X-Api-Key", "abcdef1234567")', 'req.add_header("X-Api-Key", "[REDACTED:password_assignment]")', 'password_assignment'],
    ["OkHttp's addHeader", 'new Request.Builder().addHeader("Authorization", "abcdef1234567")', 'new Request.Builder().addHeader("Authorization", "[REDACTED:password_assignment]")', 'password_assignment'],
    // HAR files and header lists of name/value objects.
    ['a HAR header', '{"name": "Authorization", "value": "Bearer abcdef1234567"}', '{"name": "Authorization", "value": "Bearer [REDACTED:bearer]"}', 'bearer'],
    ['a pretty-printed HAR header', '{\n  "name": "authorization",\n  "value": "Bearer abcdef1234567"\n}', '{\n  "name": "authorization",\n  "value": "Bearer [REDACTED:bearer]"\n}', 'bearer'],
    ['a HAR header in JSON text', '{"stdout": "{\\n  \\"name\\": \\"Authorization\\",\\n  \\"value\\": \\"Bearer abcdef1234567\\"\\n}"}', '{"stdout": "{\\n  \\"name\\": \\"Authorization\\",\\n  \\"value\\": \\"Bearer [REDACTED:bearer]\\"\\n}"}', 'bearer'],
    ['a HAR cookie header', '{"name": "Cookie", "value": "sid=s3cr3tv4lue"}', '{"name": "Cookie", "value": "sid=[REDACTED:cookie]"}', 'cookie'],
    ['a HAR set-cookie header', '{"name": "set-cookie", "value": "sid=s3cr3tv4lue; Path=/; HttpOnly"}', '{"name": "set-cookie", "value": "sid=[REDACTED:cookie]; Path=/; HttpOnly"}', 'cookie'],
    // Cookie headers set by a subscript or a setter.
    ['a cookie header set by a subscript', 'headers["Cookie"] = "sid=s3cr3tv4lue"', 'headers["Cookie"] = "sid=[REDACTED:cookie]"', 'cookie'],
    ["a cookie header set by Go's Header.Set", 'req.Header.Set("Cookie", "sid=s3cr3tv4lue")', 'req.Header.Set("Cookie", "sid=[REDACTED:cookie]")', 'cookie'],
    ["a cookie header set by Java's setRequestProperty", 'conn.setRequestProperty("Cookie", "JSESSIONID=1A2B3C4D5E6F");', 'conn.setRequestProperty("Cookie", "JSESSIONID=[REDACTED:cookie]");', 'cookie'],
    // Prefixed names: Django's test client and WSGI's environ, a custom header.
    ["Django's HTTP_AUTHORIZATION", 'self.client.get(url, HTTP_AUTHORIZATION="Bearer abc123def456")', 'self.client.get(url, HTTP_AUTHORIZATION="Bearer [REDACTED:bearer]")', 'bearer'],
    ['X-Authorization', 'X-Authorization: Bearer abc123def456', 'X-Authorization: Bearer [REDACTED:bearer]', 'bearer'],
    // A scheme's parameters in a quoted value were kept whole, a secret's among them (Rails' `Token token="…"`).
    ["Rails' token parameter in JSON", '{"Authorization": "Token token=\\"abc123xyz789\\""}', '{"Authorization": "Token token=\\"[REDACTED:password_assignment]\\""}', 'password_assignment'],
    ["Rails' token parameter in a dict", "headers = {'Authorization': 'Token token=\"abc123xyz789\"'}", "headers = {'Authorization': 'Token token=\"[REDACTED:password_assignment]\"'}", 'password_assignment'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('every cookie of a Cookie header set by a subscript (a request\'s header, not `document.cookie =`)', () => {
    const res = redact("headers['Cookie'] = 'sid=s3cr3tv4lue; theme=dark'");
    assert.equal(res.text, "headers['Cookie'] = 'sid=[REDACTED:cookie]; theme=[REDACTED:cookie]'");
    assert.equal(res.redactions, 2);
  });

  it("WSGI's HTTP_COOKIE is a request's header: every cookie", () => {
    const res = redact('environ["HTTP_COOKIE"] = "sid=abc123def; theme=dark"');
    assert.equal(res.text, 'environ["HTTP_COOKIE"] = "sid=[REDACTED:cookie]; theme=[REDACTED:cookie]"');
    assert.equal(res.redactions, 2);
  });

  it("a list of a header's values (Node's response headers, a setter's list): each item read as the header", () => {
    for (const [s, out] of [
      ["console.log(res.headers) // { 'set-cookie': [ 'sid=abc123; Path=/; HttpOnly', 'theme=dark' ] }", "console.log(res.headers) // { 'set-cookie': [ 'sid=[REDACTED:cookie]; Path=/; HttpOnly', 'theme=[REDACTED:cookie]' ] }"],
      ["res.setHeader('Set-Cookie', ['sid=abc123; HttpOnly', 'x=1'])", "res.setHeader('Set-Cookie', ['sid=[REDACTED:cookie]; HttpOnly', 'x=[REDACTED:cookie]'])"],
      ['{"headers": {"set-cookie": [\n    "sid=abc123; Path=/",\n    "_csrf=x9y8"\n  ]}}', '{"headers": {"set-cookie": [\n    "sid=[REDACTED:cookie]; Path=/",\n    "_csrf=[REDACTED:cookie]"\n  ]}}'],
      ['{"stdout": "{\\"set-cookie\\":[\\"sid=abc123; Path=/\\",\\"b=c2\\"]}"}', '{"stdout": "{\\"set-cookie\\":[\\"sid=[REDACTED:cookie]; Path=/\\",\\"b=[REDACTED:cookie]\\"]}"}'],
    ] as const) {
      const res = redact(s);
      assert.equal(res.text, out);
      assert.equal(res.redactions, 2, s);
      assert.equal(redact(res.text).redactions, 0, s);
    }
  });

  it("a cookie's value in double quotes (RFC 6265) in a raw header, and Cookie headers a proxy joined with `, `", () => {
    for (const [s, out, n] of [
      ['Cookie: messages="abc123def"; sid=x9y8', 'Cookie: messages="[REDACTED:cookie]"; sid=[REDACTED:cookie]', 2],
      ['Set-Cookie: sid="abc123"; Path=/', 'Set-Cookie: sid="[REDACTED:cookie]"; Path=/', 1],
      ['Cookie: sid=abc123, theme=dark', 'Cookie: sid=[REDACTED:cookie], theme=[REDACTED:cookie]', 2],
    ] as const) {
      const res = redact(s);
      assert.equal(res.text, out);
      assert.equal(res.redactions, n, s);
      assert.equal(redact(res.text).redactions, 0, s);
    }
    // A quote after `=` that closes a string of code is no value's.
    assertKept(['"Cookie: sid=" + sid', 'h = "Cookie: sid=";', '-H "Cookie: sid="$SID']);
  });

  it('every cookie of a long Cookie header: none is left after the 64th', () => {
    const pairs = Array.from({ length: 80 }, (_, i) => `c${i}=v${i}x9`);
    const res = redact('Cookie: ' + pairs.join('; '));
    assert.equal(res.text, 'Cookie: ' + pairs.map((p) => p.slice(0, p.indexOf('=') + 1) + '[REDACTED:cookie]').join('; '));
    assert.equal(res.redactions, 80);
    assert.equal(redact(res.text).redactions, 0);
  });

  it('Set-Cookie headers joined by ", " (requests\' and fetch\'s response.headers): every cookie, not the commas of Expires', () => {
    const s = "{'Set-Cookie': 'sid=abc123; Path=/; HttpOnly, _session=def456; expires=Thu, 21 Oct 2027 07:28:00 GMT; Max-Age=31449600; Path=/, lang=en'}";
    const res = redact(s);
    assert.equal(res.text, "{'Set-Cookie': 'sid=[REDACTED:cookie]; Path=/; HttpOnly, _session=[REDACTED:cookie]; expires=Thu, 21 Oct 2027 07:28:00 GMT; Max-Age=31449600; Path=/, lang=[REDACTED:cookie]'}");
    assert.equal(res.redactions, 3);
    assert.equal(redact(res.text).redactions, 0);
  });

  it('keeps code, types and prose about these headers byte for byte', () => {
    assertKept([
      // FastAPI's header parameters and typed fields: a generic type cut at its `,` or `|` was taken for the value.
      'authorization: Annotated[str | None, Header()] = None',
      'async def read(authorization: Annotated[Union[str, None], Header()] = None):',
      'token: Annotated[str, Depends(oauth2_scheme)]',
      'authorization: Dict[str, str]',
      'authorization: Record<string, string>;',
      'token: Promise<string | null>;',
      // Prose after a scheme: a word is no credential.
      'Authorization: Basic authentication with username and password',
      'Authorization: Token authentication is used',
      'Authorization: Uses OAuth2.0 authentication flow',
      'Authorization: Requires X-Api-Key header',
      // A scheme's parameters (signatures of one request) and references, whatever the scheme.
      'Authorization: OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_signature_method="HMAC-SHA1"',
      'Authorization: Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="',
      'Authorization: Signature keyId="rsa-key-1",algorithm="hs2019",signature="Base64(RSA-SHA512(signing string))"',
      'Authorization: OAuth {access_token}',
      'req.Header.Set("Authorization", "Bearer "+token)',
      'req.Header.Set("Cookie", "sid="+sid)',
      'headers["Authorization"] = f"Bearer {token}"',
      'headers["Cookie"] = f"sid={sid}"',
      '{"name": "Authorization", "value": "Bearer {{token}}"}',
      '{"name": "Cookie", "value": "sid=${SID}"}',
      't("Cookie", "Cookie settings")',
      // A scheme's name alone, quoted (a header's value as the processor judges it: `authorization="Bearer"`).
      '{"Authorization": "Bearer"}',
      'authorization="Basic"',
    ]);
  });
});

describe('createRedactor: cookies outside a header, as HAR files, browser storage, HTTP clients and curl hold them (2026-12-06)', () => {
  const cases: [string, string, string, string][] = [
    // Arrays of cookie objects: a HAR entry's `cookies`, Playwright's and Puppeteer's storage state.
    ['a HAR entry\'s cookies', '{"cookies": [{"name": "sid", "value": "s3cr3tv4lue", "path": "/", "httpOnly": true}]}', '{"cookies": [{"name": "sid", "value": "[REDACTED:cookie]", "path": "/", "httpOnly": true}]}', 'cookie'],
    ['Playwright\'s storage state', '{"cookies": [{"name": "sid", "value": "abc123", "domain": "localhost", "path": "/", "expires": -1, "httpOnly": true, "secure": false, "sameSite": "Lax"}], "origins": []}', '{"cookies": [{"name": "sid", "value": "[REDACTED:cookie]", "domain": "localhost", "path": "/", "expires": -1, "httpOnly": true, "secure": false, "sameSite": "Lax"}], "origins": []}', 'cookie'],
    ['a cookie object whose value comes before its name', '{"cookies": [{"value": "abc123", "name": "sid"}]}', '{"cookies": [{"value": "[REDACTED:cookie]", "name": "sid"}]}', 'cookie'],
    ['storage state in a tool\'s JSON output', '{"stdout": "{\\n  \\"cookies\\": [\\n    {\\n      \\"name\\": \\"sid\\",\\n      \\"value\\": \\"abc123\\",\\n      \\"expires\\": 1767225600.5\\n    }\\n  ]\\n}"}', '{"stdout": "{\\n  \\"cookies\\": [\\n    {\\n      \\"name\\": \\"sid\\",\\n      \\"value\\": \\"[REDACTED:cookie]\\",\\n      \\"expires\\": 1767225600.5\\n    }\\n  ]\\n}"}', 'cookie'],
    ['Playwright\'s addCookies', "await context.addCookies([{ name: 'sid', value: 'abc123', url: 'https://x.example' }]);", "await context.addCookies([{ name: 'sid', value: '[REDACTED:cookie]', url: 'https://x.example' }]);", 'cookie'],
    // Python's requests and httpx, a tool's JSON arguments.
    ['requests\' cookies= keyword', 'requests.get(url, cookies={"sid": "s3cr3tv4lue"})', 'requests.get(url, cookies={"sid": "[REDACTED:cookie]"})', 'cookie'],
    ['a dict assigned to COOKIES', "COOKIES = {'sessionid': 'abc123'}", "COOKIES = {'sessionid': '[REDACTED:cookie]'}", 'cookie'],
    ['a tool\'s JSON arguments', '{"url": "https://x.example", "cookies": {"sid": "abc123"}}', '{"url": "https://x.example", "cookies": {"sid": "[REDACTED:cookie]"}}', 'cookie'],
    ['requests\' session.cookies.set', 'session.cookies.set("sid", "s3cr3tv4lue")', 'session.cookies.set("sid", "[REDACTED:cookie]")', 'cookie'],
    ['session.cookies.set with a domain', "s.cookies.set('sid', 'abc123', domain='x.example')", "s.cookies.set('sid', '[REDACTED:cookie]', domain='x.example')", 'cookie'],
    ['js-cookie\'s Cookies.set', "Cookies.set('sid', 'abc123', { expires: 7 })", "Cookies.set('sid', '[REDACTED:cookie]', { expires: 7 })", 'cookie'],
    // curl's -b / --cookie.
    ['curl --cookie', 'curl --cookie "sid=abc123" https://x.example', 'curl --cookie "sid=[REDACTED:cookie]" https://x.example', 'cookie'],
    ['curl -b unquoted', 'curl -s -b sid=abc123 https://x.example', 'curl -s -b sid=[REDACTED:cookie] https://x.example', 'cookie'],
    ['curl -b in an argv list', '["curl", "-b", "sid=abc123", "https://x.example"]', '["curl", "-b", "sid=[REDACTED:cookie]", "https://x.example"]', 'cookie'],
    ['curl -b in a tool\'s JSON arguments', '{"command": "curl -b \\"sid=abc123\\" https://x.example"}', '{"command": "curl -b \\"sid=[REDACTED:cookie]\\" https://x.example"}', 'cookie'],
  ];
  itRedactsEach(cases, { idempotent: true });

  it('every cookie of a pretty-printed HAR response, each counted, names and attributes kept', () => {
    const har = [
      '"cookies": [',
      '  {',
      '    "name": "sid",',
      '    "value": "s3cr3tv4lue",',
      '    "path": "/",',
      '    "expires": "2027-10-21T07:28:00.000Z",',
      '    "httpOnly": true,',
      '    "secure": true,',
      '    "partitionKey": {"topLevelSite": "https://x.example", "hasCrossSiteAncestor": false}',
      '  },',
      '  {',
      '    "name": "csrftoken",',
      '    "value": "Xy9Kq2Lm",',
      '    "comment": null',
      '  }',
      ']',
    ].join('\n');
    const res = redact(har);
    assert.equal(res.text, har.replace('"s3cr3tv4lue"', '"[REDACTED:cookie]"').replace('"Xy9Kq2Lm"', '"[REDACTED:cookie]"'));
    assert.equal(res.redactions, 2);
    assert.equal(redact(res.text).redactions, 0);
  });

  it('every cookie of a dict and of curl\'s -b, each counted', () => {
    for (const [input, output, n] of [
      ["httpx.Client(cookies={'sessionid': 'abc123', 'csrftoken': 'Xy9Kq2'})", "httpx.Client(cookies={'sessionid': '[REDACTED:cookie]', 'csrftoken': '[REDACTED:cookie]'})", 2],
      ['session_cookies = {\n    "sid": "abc123",\n    "theme": "dark",\n}', 'session_cookies = {\n    "sid": "[REDACTED:cookie]",\n    "theme": "[REDACTED:cookie]",\n}', 2],
      ['cookies = {"sid": sid, "csrftoken": "Xy9Kq2"}', 'cookies = {"sid": sid, "csrftoken": "[REDACTED:cookie]"}', 1],
      ["curl -b 'sid=abc123; theme=dark' https://x.example", "curl -b 'sid=[REDACTED:cookie]; theme=[REDACTED:cookie]' https://x.example", 2],
    ] as const) {
      const res = redact(input);
      assert.equal(res.text, output);
      assert.equal(res.redactions, n);
      assert.deepEqual(res.kinds, ['cookie']);
      assert.equal(redact(res.text).redactions, 0);
    }
  });

  it('keeps code byte for byte: a value that is a name, a reference, a placeholder or empty; a cookie file; a type', () => {
    assertKept([
      'requests.get(url, cookies={"sid": sid})',
      'requests.get(url, cookies={"sid": os.environ["SID"]})',
      'requests.get(url, cookies={"sid": f"{sid}"})',
      'requests.get(url, cookies={"sid": "s_" + sid})',
      'cookies={"sid": "", "theme": "{theme}", "x": "${X}", "y": "<session id>", "z": None}',
      'cookies = {"a": 1}',
      'cookies = {}',
      'cookies = [c for c in jar]',
      'if cookies == {"a": "b"}: pass',
      'session.cookies.set("sid", sid)',
      'Cookies.set("sid", value)',
      'session.cookies.set("sid", "$SID")',
      '{"cookies": []}',
      '{"cookies": [{"name": "sid", "value": ""}]}',
      '{"cookies": [{"name": "sid", "value": null}]}',
      '{"cookies": [{"name": "sid", "value": "{{ sid }}"}]}',
      'await context.addCookies([{ name: "sid", value: process.env.SID, url }]);',
      'cookies: { name: string; value: string }[];',
      'curl -b cookies.txt https://x.example',
      'curl -c jar.txt -b jar.txt https://x.example',
      'curl --cookie-jar jar.txt https://x.example',
      'curl -b "sid=$SID" https://x.example',
      "curl -b 'sid={sid}' https://x.example",
      'git checkout -b feature=x',
    ]);
  });

  it("reads -b as curl's only in curl's command: not another command's after a line end, `&&`, `||` or a pipe", () => {
    assertKept([
      'Run curl to check it.\ngit checkout -b feature=login',
      'curl https://x.example && git checkout -b fix=1',
      'curl -sf https://x.example || git checkout -b fix=1',
      'curl -s https://x.example | sort -b key=val',
      '{"command": "curl https://x.example\\ngit checkout -b feature=x"}',
      '[["curl", "https://x.example"],\n ["git", "checkout", "-b", "fix=1"]]',
    ]);
    for (const [input, output] of [
      // A command over lines: a backslash before the line end (raw or as JSON writes it), an argv list's items.
      ['curl https://x.example \\\n  -b sid=abc123', 'curl https://x.example \\\n  -b sid=[REDACTED:cookie]'],
      ['{"command": "curl https://x.example \\\\\\n  -b sid=abc123"}', '{"command": "curl https://x.example \\\\\\n  -b sid=[REDACTED:cookie]"}'],
      ['subprocess.run([\n    "curl",\n    "-b",\n    "sid=abc123",\n])', 'subprocess.run([\n    "curl",\n    "-b",\n    "sid=[REDACTED:cookie]",\n])'],
      // `&`, `;` and `|` inside an argument are no command's end.
      ["curl 'https://x.example/?a=1&b=2' -H 'Accept: text/html; q=0.9' -d 'a|b' -b sid=abc123", "curl 'https://x.example/?a=1&b=2' -H 'Accept: text/html; q=0.9' -d 'a|b' -b sid=[REDACTED:cookie]"],
      ['git pull && /usr/bin/curl -b sid=abc123 https://x.example', 'git pull && /usr/bin/curl -b sid=[REDACTED:cookie] https://x.example'],
      ['curl.exe -b sid=abc123 https://x.example', 'curl.exe -b sid=[REDACTED:cookie] https://x.example'],
    ]) {
      const res = redact(input!);
      assert.equal(res.text, output);
      assert.equal(res.redactions, 1);
    }
  });

  it('reads past comments between a dict\'s items (`#`, `//`) and blanks around a setter\'s arguments', () => {
    for (const [input, output, n] of [
      ['cookies = {\n  "sid": "abc123",  # session\n  "csrf": "XYZ789",\n}', 'cookies = {\n  "sid": "[REDACTED:cookie]",  # session\n  "csrf": "[REDACTED:cookie]",\n}', 2],
      ['cookies = {  # from the browser\n  "sid": "abc123"  # session\n  , "csrf": "XYZ789"\n}', 'cookies = {  # from the browser\n  "sid": "[REDACTED:cookie]"  # session\n  , "csrf": "[REDACTED:cookie]"\n}', 2],
      ["const cookies = {\n  sid: 'abc123', // session\n  // csrf below\n  csrf: 'XYZ789',\n};", "const cookies = {\n  sid: '[REDACTED:cookie]', // session\n  // csrf below\n  csrf: '[REDACTED:cookie]',\n};", 2],
      // A comment in Python code inside a tool's JSON output ends at its `\n` as JSON writes it.
      ['{"code": "cookies = {\\n  \\"sid\\": \\"abc123\\",  # session\\n  \\"csrf\\": \\"XYZ789\\",\\n}"}', '{"code": "cookies = {\\n  \\"sid\\": \\"[REDACTED:cookie]\\",  # session\\n  \\"csrf\\": \\"[REDACTED:cookie]\\",\\n}"}', 2],
      ['{"cookies": [  // HAR\n  {"name": "sid", "value": "abc123"},  // first\n  {"name": "csrf", "value": "XYZ789"}\n]}', '{"cookies": [  // HAR\n  {"name": "sid", "value": "[REDACTED:cookie]"},  // first\n  {"name": "csrf", "value": "[REDACTED:cookie]"}\n]}', 2],
      ['s.cookies.set( "sid" , "abc123" )', 's.cookies.set( "sid" , "[REDACTED:cookie]" )', 1],
      ["Cookies.set('sid'\t, 'abc123')", "Cookies.set('sid'\t, '[REDACTED:cookie]')", 1],
      // A `#` inside a string is the string's.
      ['cookies = {"sid": "ab#c123", "csrf": "XYZ789"}', 'cookies = {"sid": "[REDACTED:cookie]", "csrf": "[REDACTED:cookie]"}', 2],
    ] as const) {
      const res = redact(input);
      assert.equal(res.text, output, input);
      assert.equal(res.redactions, n, input);
      assert.equal(redact(res.text).redactions, 0, input);
    }
    // Any blanks before a setter's `,` (before 2026-12-06, night: up to 16); a name built by code is no name literal, and the
    // literal after it is taken for the name: kept.
    assert.equal(redact('s.cookies.set("sid"' + ' '.repeat(17) + ', "abc123")').text, 's.cookies.set("sid"' + ' '.repeat(17) + ', "[REDACTED:cookie]")');
    assertKept(['s.cookies.set("sid" + x, "abc123")']);
  });

  it('a value another rule redacted already: kept when only cookie names are left around its tags (one tag, one redaction), else replaced whole', () => {
    for (const [input, output, kinds, n] of [
      // A HAR header entry inside a cookies list: the header rule redacts its value first.
      ['{"cookies": [{"name": "Cookie", "value": "sid=abc123"}]}', '{"cookies": [{"name": "Cookie", "value": "sid=[REDACTED:cookie]"}]}', ['cookie'], 1],
      ['cookies={"Cookie": "sid=abc123"}', 'cookies={"Cookie": "sid=[REDACTED:cookie]"}', ['cookie'], 1],
      ['curl -b HTTP_COOKIE=sid=abc123', 'curl -b HTTP_COOKIE=sid=[REDACTED:cookie]', ['cookie'], 1],
      // Around a token the JWT rule tagged first, the rest of the value may be the secret's other part (a session
      // id before a signature): the value goes whole, the tag with it (two redactions counted, one tag left).
      ['cookies={"sid": "x.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk"}', 'cookies={"sid": "[REDACTED:cookie]"}', ['jwt', 'cookie'], 2],
      ['Cookie: sid=abc.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig123', 'Cookie: sid=[REDACTED:cookie]', ['jwt', 'cookie'], 2],
      ['{"Cookie": "sid=x.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig123; theme="}', '{"Cookie": "sid=[REDACTED:cookie]; theme="}', ['jwt', 'cookie'], 2],
    ] as const) {
      const res = redact(input);
      assert.equal(res.text, output, input);
      assert.equal(res.redactions, n, input);
      assert.deepEqual(res.kinds, kinds, input);
      assert.equal(redact(res.text).redactions, 0, input);
    }
  });
});

describe('createRedactor: cookie and HTTP-header leaks and false positives a second review found (2026-12-06)', () => {
  const json = (s: string): string => JSON.stringify({ stdout: s });

  it('leak: cookie objects passed to setCookie/setCookies/addCookies (Puppeteer, Selenium), not in a list', () => {
    assertRedacts([
      ["await page.setCookie({name: 'sid', value: 'abc123def'});", "await page.setCookie({name: 'sid', value: '[REDACTED:cookie]'});", 1],
      [
        "await page.setCookie({ name: 'sid', value: 'abc123def', domain: 'x.example' }, { name: 'csrf', value: 'Xy9Kq2' });",
        "await page.setCookie({ name: 'sid', value: '[REDACTED:cookie]', domain: 'x.example' }, { name: 'csrf', value: '[REDACTED:cookie]' });",
        2,
      ],
      ["await browser.setCookie({\n  name: 'sid',\n  value: 'abc123def',\n  domain: 'x.example',\n});", "await browser.setCookie({\n  name: 'sid',\n  value: '[REDACTED:cookie]',\n  domain: 'x.example',\n});", 1],
      ['driver.add_cookie({"name": "sid", "value": "abc123def"})', 'driver.add_cookie({"name": "sid", "value": "[REDACTED:cookie]"})', 1],
      ["await context.addCookies({ name: 'sid', value: 'abc123def', url })", "await context.addCookies({ name: 'sid', value: '[REDACTED:cookie]', url })", 1],
      [json("await page.setCookie({name: 'sid', value: 'abc123def'})"), json("await page.setCookie({name: 'sid', value: '[REDACTED:cookie]'})"), 1],
    ], ['cookie']);
    assertKept([
      "await page.setCookie({ name: 'sid', value: process.env.SID });",
      'await page.setCookie(...cookies);',
      "page.setCookie({ name: 'sid', value: `${sid}` })",
      // Puppeteer's `cookies(...urls)` takes URLs, not a name and a value.
      "const cookies = await page.cookies('https://a.example', 'https://b.example');",
    ]);
  });

  it("leak: a server's cookie setters (Flask, Django, Starlette, Express, jQuery, Java, http.cookiejar, Go)", () => {
    assertRedacts([
      ['response.set_cookie("sid", "abc123def")', 'response.set_cookie("sid", "[REDACTED:cookie]")', 1],
      ["resp.set_cookie('sid', 'abc123def', max_age=3600, httponly=True)", "resp.set_cookie('sid', '[REDACTED:cookie]', max_age=3600, httponly=True)", 1],
      ['response.set_cookie(key="sid", value="abc123def", secure=True)', 'response.set_cookie(key="sid", value="[REDACTED:cookie]", secure=True)', 1],
      ['response.set_cookie("sid", value="abc123def")', 'response.set_cookie("sid", value="[REDACTED:cookie]")', 1],
      ["response.set_signed_cookie('sid', 'abc123def', salt='s')", "response.set_signed_cookie('sid', '[REDACTED:cookie]', salt='s')", 1],
      ["res.cookie('sid', 'abc123def', { httpOnly: true, maxAge: 900000 })", "res.cookie('sid', '[REDACTED:cookie]', { httpOnly: true, maxAge: 900000 })", 1],
      ["$.cookie('sid', 'abc123def')", "$.cookie('sid', '[REDACTED:cookie]')", 1],
      ['Cookie c = new Cookie("JSESSIONID", "1A2B3C4D5E6F");', 'Cookie c = new Cookie("JSESSIONID", "[REDACTED:cookie]");', 1],
      ["c = http.cookiejar.Cookie(version=0, name='sid', value='abc123def', port=None, domain='x.example')", "c = http.cookiejar.Cookie(version=0, name='sid', value='[REDACTED:cookie]', port=None, domain='x.example')", 1],
      ["c = Cookie(0, 'sid', 'abc123def', None, False, 'x.example')", "c = Cookie(0, 'sid', '[REDACTED:cookie]', None, False, 'x.example')", 1],
      ['c := &http.Cookie{Name: "sid", Value: "abc123def", Path: "/"}', 'c := &http.Cookie{Name: "sid", Value: "[REDACTED:cookie]", Path: "/"}', 1],
      ['http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc123def", HttpOnly: true})', 'http.SetCookie(w, &http.Cookie{Name: "sid", Value: "[REDACTED:cookie]", HttpOnly: true})', 1],
    ], ['cookie']);
    // The second argument of a getter or a deleter is no value; a value of code, or a template with a field, is code.
    assertKept([
      'response.delete_cookie("sid", "/path")',
      'request.get_cookie("sid", "default")',
      'request.get_signed_cookie("sid", "fallback")',
      "res.clearCookie('sid', { path: '/' })",
      'res.cookie("token", token, { httpOnly: true })',
      'response.set_cookie("sid", f"{sid}")',
      'response.set_cookie(key="sid", value=session_id)',
      'c := &http.Cookie{Name: "sid", Value: sid}',
    ]);
  });

  it("leak: a cookie jar's set and setCookie (requests, tough-cookie), and cookies=dict(…)", () => {
    assertRedacts([
      [
        "jar = requests.cookies.RequestsCookieJar()\njar.set('sid', 'abc123def', domain='x.example', path='/')",
        "jar = requests.cookies.RequestsCookieJar()\njar.set('sid', '[REDACTED:cookie]', domain='x.example', path='/')",
        1,
      ],
      ['cookie_jar.set("sid", "abc123def")', 'cookie_jar.set("sid", "[REDACTED:cookie]")', 1],
      [
        "const jar = new CookieJar();\nawait jar.setCookie('sid=abc123def; Path=/; HttpOnly', 'https://x.example');",
        "const jar = new CookieJar();\nawait jar.setCookie('sid=[REDACTED:cookie]; Path=/; HttpOnly', 'https://x.example');",
        1,
      ],
      ['jar.setCookieSync("sid=abc123def; Domain=x.example", url)', 'jar.setCookieSync("sid=[REDACTED:cookie]; Domain=x.example", url)', 1],
      ['requests.get(url, cookies=dict(sid="abc123def", theme="dark"))', 'requests.get(url, cookies=dict(sid="[REDACTED:cookie]", theme="[REDACTED:cookie]"))', 2],
      ["cookies = dict(\n    sid='abc123def',  # session\n    domain='x.example',\n)", "cookies = dict(\n    sid='[REDACTED:cookie]',  # session\n    domain='x.example',\n)", 1],
    ], ['cookie']);
    // `jar` alone says no cookie: a text naming none is not read.
    assertKept(['jar.set("version", "1.2.3")', 'cookies = dict(sid=sid)', "jar.setCookie(cookie, 'https://x.example')"]);
  });

  it('leak: blanks around a cookie\'s `=` in a header as HTTP writes it; kept: an annotation (`cookie: str = …`)', () => {
    assertRedacts([
      ['Cookie: sid = abc123def', 'Cookie: sid = [REDACTED:cookie]', 1],
      ['Cookie: sid = abc123def; theme = dark', 'Cookie: sid = [REDACTED:cookie]; theme = [REDACTED:cookie]', 2],
      ['Set-Cookie: sid = abc123def; Path=/', 'Set-Cookie: sid = [REDACTED:cookie]; Path=/', 1],
    ], ['cookie']);
    assertKept(['cookie: str = DEFAULT_COOKIE', 'cookie: str = get_cookie()', 'Cookie: x = get_cookie()', "cookie: str = ''", 'Cookie: sid = "" + sid']);
  });

  it('leak: a cookie value in escaped quotes inside JSON text', () => {
    assertRedacts([
      ['{"Cookie": "sid=\\"abc123def\\""}', '{"Cookie": "sid=\\"[REDACTED:cookie]\\""}', 1],
      ['{"h": "Cookie: sid=\\"abc123def\\"; theme=dark"}', '{"h": "Cookie: sid=\\"[REDACTED:cookie]\\"; theme=[REDACTED:cookie]"}', 2],
      [JSON.stringify({ code: 'headers = {"Cookie": "sid=\\"abc123def\\""}' }), JSON.stringify({ code: 'headers = {"Cookie": "sid=\\"[REDACTED:cookie]\\""}' }), 1],
      // Read before too (kept here as regressions): keys and values whose own quotes are escaped.
      ['"{\\"cookies\\": {\\"sid\\": \\"abc123def\\"}}"', '"{\\"cookies\\": {\\"sid\\": \\"[REDACTED:cookie]\\"}}"', 1],
      ['\\"Cookie\\": \\"sid=abc123def\\"', '\\"Cookie\\": \\"sid=[REDACTED:cookie]\\"', 1],
    ], ['cookie']);
    assertKept(['"Cookie: sid=\\"" + sid + "\\""', '{"Cookie": "sid=\\"\\""}']);
  });

  it('leak: YAML lists and mappings of cookies, raw or in JSON text', () => {
    const list = 'cookies:\n  - name: sid\n    value: abc123def\n    domain: x.example\n  - name: csrf\n    value: "Xy9Kq2"  # csrf\nnext: 1';
    const listOut = 'cookies:\n  - name: sid\n    value: [REDACTED:cookie]\n    domain: x.example\n  - name: csrf\n    value: "[REDACTED:cookie]"  # csrf\nnext: 1';
    assertRedacts([
      [list, listOut, 2],
      [json(list), json(listOut), 2],
      ["storage:\n  cookies:\n  - name: sid\n    value: 'abc123def'\n    httpOnly: true\n  origins: []", "storage:\n  cookies:\n  - name: sid\n    value: '[REDACTED:cookie]'\n    httpOnly: true\n  origins: []", 1],
      ['cookies:\n  sid: abc123def\n  max_age: 3600\n  same_site: lax\nurl: https://x.example', 'cookies:\n  sid: [REDACTED:cookie]\n  max_age: 3600\n  same_site: lax\nurl: https://x.example', 1],
      // The line ending a list may be the next one's key.
      ['cookies:\n  - name: a\n    value: x9y8z7\ncookies:\n  - name: b\n    value: w6v5u4\n', 'cookies:\n  - name: a\n    value: [REDACTED:cookie]\ncookies:\n  - name: b\n    value: [REDACTED:cookie]\n', 2],
    ], ['cookie']);
    // What follows the list at the key's depth or less is not the list's.
    assertKept(['cookies:\n  - name: sid\n    value: "{{ sid }}"\n  - name: t\n    value: null\nvalue: x', 'cookies:\nsid: abc123def']);
  });

  it('leak: YAML headers whose value goes on over lines (a block scalar, the next line, a folded value), and YAML block scalars of secrets', () => {
    assertRedacts([
      ['headers:\n  Cookie: sid=abc123def;\n    theme=dark\n  Accept: "*/*"', 'headers:\n  Cookie: sid=[REDACTED:cookie];\n    theme=[REDACTED:cookie]\n  Accept: "*/*"', 2],
      ['headers:\n  Cookie: >-\n    sid=abc123def; theme=dark', 'headers:\n  Cookie: >-\n    sid=[REDACTED:cookie]; theme=[REDACTED:cookie]', 2],
      ['headers:\n  Cookie:\n    sid=abc123def', 'headers:\n  Cookie:\n    sid=[REDACTED:cookie]', 1],
      ['Cookie: sid=abc123def;\n theme=dark', 'Cookie: sid=[REDACTED:cookie];\n theme=[REDACTED:cookie]', 2],
      ['Set-Cookie: sid=abc123def;\n  Path=/;\n  HttpOnly', 'Set-Cookie: sid=[REDACTED:cookie];\n  Path=/;\n  HttpOnly', 1],
    ], ['cookie']);
    assertRedacts([
      ['headers:\n  Authorization: >-\n    Bearer abc123def456ghi\n  Accept: x', 'headers:\n  Authorization: >-\n    Bearer [REDACTED:bearer]\n  Accept: x', 1],
      ['headers:\n  Authorization: |\n    Bearer abc123def456ghi', 'headers:\n  Authorization: |\n    Bearer [REDACTED:bearer]', 1],
      ['headers:\n  Authorization:\n    Bearer abc123def456ghi', 'headers:\n  Authorization:\n    Bearer [REDACTED:bearer]', 1],
      ['headers:\n  Authorization: Bearer\n    abc123def456ghi', 'headers:\n  Authorization: Bearer\n    [REDACTED:bearer]', 1],
      [json('headers:\n  Authorization: >-\n    Bearer abc123def456ghi\n'), json('headers:\n  Authorization: >-\n    Bearer [REDACTED:bearer]\n'), 1],
    ], ['bearer']);
    assertRedacts([
      // The indicator was replaced and the secret below it kept.
      ['headers:\n  Authorization: >-\n    9f8e7d6c5b4a3', 'headers:\n  Authorization: >-\n    [REDACTED:password_assignment]', 1],
      ['db:\n  password: |\n    hunter22x\n  user: bob', 'db:\n  password: |\n    [REDACTED:password_assignment]\n  user: bob', 1],
      ['password: >-  # from vault\n  correct horse\n  battery staple\nuser: bob', 'password: >-  # from vault\n  [REDACTED:password_assignment]\nuser: bob', 1],
      [json('password: |\n  hunter22x\nuser: bob'), json('password: |\n  [REDACTED:password_assignment]\nuser: bob'), 1],
    ], ['password_assignment']);
    assertKept(['password: |\n  {{ .Values.db.password }}', 'Authorization: |\n  Bearer', 'password: |\nuser: bob']);
  });

  it('leak: shapes the cookie-jar reader stopped at (a block comment, code before `value`, a list member, b"…", curl\'s glued -b)', () => {
    assertRedacts([
      ['cookies = {\n  /* session */ "sid": "abc123def",\n  "csrf": "Xy9Kq2"\n}', 'cookies = {\n  /* session */ "sid": "[REDACTED:cookie]",\n  "csrf": "[REDACTED:cookie]"\n}', 2],
      ["await context.addCookies([{ name: 'sid', expires: Date.now() / 1000 + 3600, value: 'abc123def' }]);", "await context.addCookies([{ name: 'sid', expires: Date.now() / 1000 + 3600, value: '[REDACTED:cookie]' }]);", 1],
      ['{"cookies": [{"name": "sid", "ports": [443, 8443], "value": "abc123def"}]}', '{"cookies": [{"name": "sid", "ports": [443, 8443], "value": "[REDACTED:cookie]"}]}', 1],
      ['cookies = {"sid": os.environ["SID"], "csrf": "Xy9Kq2"}', 'cookies = {"sid": os.environ["SID"], "csrf": "[REDACTED:cookie]"}', 1],
      ['cookies = {"a": "s_" + sid, "csrf": "Xy9Kq2"}', 'cookies = {"a": "s_" + sid, "csrf": "[REDACTED:cookie]"}', 1],
      ['cookies = {"sid": b"abc123def", b"csrf": rb\'Xy9Kq2\'}', 'cookies = {"sid": b"[REDACTED:cookie]", b"csrf": rb\'[REDACTED:cookie]\'}', 2],
      ['curl -bsid=abc123def https://x.example', 'curl -bsid=[REDACTED:cookie] https://x.example', 1],
      ['curl -b"sid=abc123def; theme=dark" https://x.example', 'curl -b"sid=[REDACTED:cookie]; theme=[REDACTED:cookie]" https://x.example', 2],
      ['["curl", "-bsid=abc123def", "https://x.example"]', '["curl", "-bsid=[REDACTED:cookie]", "https://x.example"]', 1],
    ], ['cookie']);
    assertKept(['curl -bcookies.txt https://x.example', 'cookies = {"sid": f"{sid}", "x": `${y}`}']);
    // Code passed over may hold another jar: the reading stops before it, and it is read (as before these shapes).
    assertRedacts([
      ['{"cookies": {"cfg": {"cookies": {"sid": "abc123def"}}}}', '{"cookies": {"cfg": {"cookies": {"sid": "[REDACTED:cookie]"}}}}', 1],
      ['cookies = {"a": make(cookies={"sid": "abc123def"})}', 'cookies = {"a": make(cookies={"sid": "[REDACTED:cookie]"})}', 1],
      ['cookies = {"a": get_cookie("x"), "csrf": "Xy9Kq2"}', 'cookies = {"a": get_cookie("x"), "csrf": "[REDACTED:cookie]"}', 1],
    ], ['cookie']);
  });

  it('false positive: a configuration under a `cookies` key (a setting\'s word, an attribute in any spelling) is kept; cookies beside it are not', () => {
    assertKept([
      '{"cookies": {"policy": "strict"}}',
      '{"cookies": {"enabled": "true", "banner": "show", "consent": "required", "sameSite": "Lax", "max_age": "3600", "maxAge": "86400"}}',
      'settings = {"cookies": {"secure": "always", "http_only": "yes"}}',
      'cookies:\n  policy: strict\n  same_site: lax\n  max_age: 3600',
      'cookies=dict(policy="strict")',
    ]);
    assertRedacts([['{"cookies": {"sid": "abc123def", "consent": "yes"}}', '{"cookies": {"sid": "[REDACTED:cookie]", "consent": "yes"}}', 1]], ['cookie']);
  });

  it("false positive: another command's -b after `;` or `&` on curl's line; still read: a `;` or `&` quoted or in a URL", () => {
    assertKept([
      'curl https://x.example; git checkout -b feature=login',
      'curl -s https://x.example & git checkout -b feature=login',
      "curl -H 'X: a' https://x.example;\tgit checkout -b feature=login",
      '{"command": "curl https://x.example; git checkout -b feature=login"}',
      'os.system("curl https://x.example; git checkout -b feature=login")',
    ]);
    assertRedacts([
      ["curl -H 'Accept: text/html; q=0.9' -b sid=abc123def https://x.example; git checkout -b f=1", "curl -H 'Accept: text/html; q=0.9' -b sid=[REDACTED:cookie] https://x.example; git checkout -b f=1", 1],
      ['{"command": "curl -H \\"Accept: a; q=1\\" -b sid=abc123 x; git checkout -b f=1"}', '{"command": "curl -H \\"Accept: a; q=1\\" -b sid=[REDACTED:cookie] x; git checkout -b f=1"}', 1],
      ['curl https://x.example/a;jsessionid=1?a=1&b=2 -b sid=abc123def', 'curl https://x.example/a;jsessionid=1?a=1&b=2 -b sid=[REDACTED:cookie]', 1],
      ["curl -b 'sid=abc123def'; git checkout -b f=1", "curl -b 'sid=[REDACTED:cookie]'; git checkout -b f=1", 1],
      // An argv list's items are quoted each: a `;` there ends nothing.
      ['["curl", "-H", "Accept: a; q=1", "-b", "sid=abc123def"]', '["curl", "-H", "Accept: a; q=1", "-b", "sid=[REDACTED:cookie]"]', 1],
    ], ['cookie']);
  });

  it('false positive: prose naming code after an Authorization header\'s "scheme" (a dotted name, a call); credentials still redacted', () => {
    assertKept([
      'Authorization: Check AuthService2.verify',
      'Authorization: Check AuthService2.verify()',
      'Authorization: Verify auth_utils2.check_token',
      'Authorization: Read middleware2.py',
      '- Authorization: Uses Auth0.authorize(opts)',
    ]);
    assertRedacts([
      ['Authorization: OAuth 9f8e7d6c5b4a', 'Authorization: OAuth [REDACTED:bearer]', 1],
      ['Authorization: Zoho-oauthtoken 1000.0a1b2c3d4e5f6a7b.6e7f8a9b0c1d2e3f', 'Authorization: Zoho-oauthtoken [REDACTED:bearer]', 1],
      ['Authorization: Bearer session2.verify', 'Authorization: Bearer [REDACTED:bearer]', 1],
      // A token after an unknown scheme without a dot stays a credential.
      ['Authorization: Check AuthService2', 'Authorization: Check [REDACTED:bearer]', 1],
    ], ['bearer']);
  });
});

describe('createRedactor: a review of the cookie, header and block-scalar shapes (2026-12-06, night)', () => {
  const json = (s: string): string => JSON.stringify({ stdout: s });

  it("corruption: a credential folded onto the next line is read only from a line deeper than the header's name (the next YAML key is no credential)", () => {
    assertKept([
      // `Content-Type:` was taken for the credential and replaced, the key with it.
      'headers:\n  Authorization: Bearer\n  Content-Type: application/json',
      'headers:\n  Authorization: Bearer\n  Accept-Language: en-US',
      json('headers:\n  Authorization: Bearer\n  Content-Type: application/json\n'),
      // The header's name after other words on its line: no value goes on to the next line.
      'echo Authorization: Bearer\n  abc123def456ghi',
    ]);
    assertRedacts([
      ['GET / HTTP/1.1\nAuthorization: Bearer\n abc123def456ghi', 'GET / HTTP/1.1\nAuthorization: Bearer\n [REDACTED:bearer]', 1],
      ['- Authorization: Bearer\n    abc123def456ghi', '- Authorization: Bearer\n    [REDACTED:bearer]', 1],
      [json('headers:\n  Authorization:\n    Bearer abc123def456ghi\n'), json('headers:\n  Authorization:\n    Bearer [REDACTED:bearer]\n'), 1],
    ], ['bearer']);
  });

  it('corruption: blanks around `=` after `Cookie:` in code (a destructuring default, an annotation) are no cookie', () => {
    assertKept([
      'const { Cookie: cookie = defaultCookie } = headers;',
      'const { Cookie: c = fallback, Accept: a } = req.headers;',
      'Cookie: TypeAlias = dict[str, str]',
      // This repository's processor: `==` was taken for the value of a cookie `last` (`last =[REDACTED:cookie] …`).
      "return last === 'cookie' ? 'Cookie' : last === 'set-cookie' ? 'Set-Cookie' : undefined;",
      "const kind = header === 'Cookie' ? 'request' : other;\nif (x === 'Cookie' || y == 'Cookie') f();",
    ]);
    assertRedacts([
      ['Cookie: sid = abc123def', 'Cookie: sid = [REDACTED:cookie]', 1],
      ['COOKIE: sid = abc123def ; theme = dark\nHost: x', 'COOKIE: sid = [REDACTED:cookie] ; theme = [REDACTED:cookie]\nHost: x', 2],
      [json('Cookie: sid = abc123def\nHost: x'), json('Cookie: sid = [REDACTED:cookie]\nHost: x'), 1],
    ], ['cookie']);
  });

  it("leak: a name/value pair's YAML block scalar (`value: |`) is the lines below it, not the indicator", () => {
    const env = 'env:\n  - name: DB_PASSWORD\n    value: |\n      hunter22x\n  - name: LOG_LEVEL\n    value: info';
    const envOut = 'env:\n  - name: DB_PASSWORD\n    value: |\n      [REDACTED:name_value]\n  - name: LOG_LEVEL\n    value: info';
    assertRedacts([
      [env, envOut, 1],
      [json(env), json(envOut), 1],
      ['- name: API_TOKEN\n  value: >-  # rotated\n    abc123\n    def456\n- name: X\n', '- name: API_TOKEN\n  value: >-  # rotated\n    [REDACTED:name_value]\n- name: X\n', 1],
    ], ['name_value']);
    assertKept([
      '- name: DB_PASSWORD\n  value: |\n    $(DB_PASSWORD)',
      '- name: DB_PASSWORD\n  value: |\n- name: X',
      '- name: DB_PASSWORD\n  value: |\n    {{ .Values.db.password }}',
    ]);
  });

  it('leak: a plain YAML value on the line below its key (`password:` then an indented value)', () => {
    assertRedacts([
      ['db:\n  password:\n    hunter22x\n  user: bob', 'db:\n  password:\n    [REDACTED:password_assignment]\n  user: bob', 1],
      ['password:\n  "hunter22x"  # prod\nuser: bob', 'password:\n  "[REDACTED:password_assignment]"  # prod\nuser: bob', 1],
      // After a comment the line below is not read: `#…` may be the password (a text that is no YAML), read as before.
      ['password: #Sup3r!x\n  (change it after the first login)', 'password: [REDACTED:password_assignment]\n  (change it after the first login)', 1],
      ['api_key:\n  correct horse battery\nuser: bob', 'api_key:\n  [REDACTED:password_assignment]\nuser: bob', 1],
      ['- password:\n    hunter22x\n  user: bob', '- password:\n    [REDACTED:password_assignment]\n  user: bob', 1],
      [json('db:\n  password:\n    hunter22x\n  user: bob\n'), json('db:\n  password:\n    [REDACTED:password_assignment]\n  user: bob\n'), 1],
      // The last line of a JSON string: its closing quote ends the line (`"stderr": ""` after it is no mapping's key).
      ['{"stdout": "password:\\n  hunter22x", "stderr": ""}', '{"stdout": "password:\\n  [REDACTED:password_assignment]", "stderr": ""}', 1],
      // A key below the key is a mapping's: read as a key of its own.
      ['password:\n  token: abc123x\n', 'password:\n  token: [REDACTED:password_assignment]\n', 1],
    ], ['password_assignment']);
    assertRedacts([
      ['- name: DB_PASSWORD\n  value:\n    hunter22x\n- name: X', '- name: DB_PASSWORD\n  value:\n    [REDACTED:name_value]\n- name: X', 1],
    ], ['name_value']);
    assertKept([
      // A mapping, a list, a sibling key (the value is null), a reference.
      'db:\n  password:\n    nested: 1\n    other: 2\n  user: bob',
      'db:\n  password:\n  user: bob',
      '- password:\n  user: bob',
      'password:\n  - ${A}\n  - ${B}',
      'password:\n  ${DB_PASSWORD}',
      'password:\n  !vault |\n    $ANSIBLE_VAULT;1.1;AES256',
      '- name: DB_PASSWORD\n  value:\n    nested: 1',
      // Code: a union type, a reference on the next line, a key after other code, a value after a blank line.
      'interface Opts {\n  token:\n    | string\n    | null;\n}',
      'const c = {\n  password:\n    process.env.DB_PASSWORD,\n};',
      'if token:\n    run(token)',
      'for token in tokens:\n    print(token)',
      'password:\n\nuser: bob',
    ]);
  });
});

describe("createRedactor: curl's command after a line end as JSON writes it (a review, 2026-12-06)", () => {
  it("leak: `curl` first on a line of JSON text (`\\ncurl …`, a tool's command) starts curl's command: its -b is read", () => {
    const command = (s: string): string => JSON.stringify({ command: s });
    for (const [input, output] of [
      [command('echo start\ncurl -b "sid=abc123def" https://x.example'), command('echo start\ncurl -b "sid=[REDACTED:cookie]" https://x.example')],
      [command('cd /tmp; ls\ncurl https://x.example -b "sid=abc123def"'), command('cd /tmp; ls\ncurl https://x.example -b "sid=[REDACTED:cookie]"')],
      // Redacted before 2026-12-06 (night) only because the first command did not end at its `;` (JSON text in JSON text).
      [JSON.stringify({ stdout: command('curl -s https://a.example; echo ok\ncurl -b "sid=abc123def" https://x.example') }), JSON.stringify({ stdout: command('curl -s https://a.example; echo ok\ncurl -b "sid=[REDACTED:cookie]" https://x.example') })],
    ] as const) {
      const res = redact(input);
      assert.equal(res.text, output, input);
      assert.equal(res.redactions, 1, input);
      assert.deepEqual(res.kinds, ['cookie'], input);
      assert.equal(redact(res.text).redactions, 0, input);
    }
    // `libcurl`, `ncurl` in a word are no curl.
    assertKept([command('echo libcurl -b x=1'), 'see ncurl -b x=1']);
  });
});

describe('createRedactor: leaks and false positives an audit of cookies, YAML values and cuts found (2026-12-06, late)', () => {
  const json = (s: string): string => JSON.stringify({ stdout: s });

  it("leak: Python's SimpleCookie, built from a header's text or filled item by item, is read as a Cookie header", () => {
    assertRedacts([
      ['c = SimpleCookie("sid=abc123def; theme=dark")', 'c = SimpleCookie("sid=[REDACTED:cookie]; theme=[REDACTED:cookie]")', 2],
      ["jar = http.cookies.SimpleCookie('sid=abc123def')", "jar = http.cookies.SimpleCookie('sid=[REDACTED:cookie]')", 1],
      ['c = http.cookies.SimpleCookie()\nc["sid"] = "abc123def"\nc["sid"]["path"] = "/"\n', 'c = http.cookies.SimpleCookie()\nc["sid"] = "[REDACTED:cookie]"\nc["sid"]["path"] = "/"\n', 1],
      ["cookie = SimpleCookie()\ncookie.load('sid=abc123def; csrftoken=zz9')", "cookie = SimpleCookie()\ncookie.load('sid=[REDACTED:cookie]; csrftoken=[REDACTED:cookie]')", 2],
      [json('c = SimpleCookie()\nc["sid"] = "abc123def"'), json('c = SimpleCookie()\nc["sid"] = "[REDACTED:cookie]"'), 1],
    ], ['cookie']);
    assertKept([
      'c = SimpleCookie(os.environ.get("HTTP_COOKIE", ""))',
      'c = SimpleCookie()\nc.load(raw)\nc["sid"] = sid\nc["sid"]["path"] = "/"',
      'data = json.load(f)\nd = {}\nd["sid"] = "abc123def"',
      'c = SimpleCookie()\nif c["sid"] == "abc123def": pass',
    ]);
  });

  it('leak: a YAML flow collection under `cookies` (`[{name: sid, value: …}]`, `{sid: …}`) has its values read', () => {
    assertRedacts([
      ['cookies: [{name: sid, value: abc123def456}]\n', 'cookies: [{name: sid, value: [REDACTED:cookie]}]\n', 1],
      ['session:\n  cookies: [{name: sid, value: abc123/def+456=, path: /}]\n', 'session:\n  cookies: [{name: sid, value: [REDACTED:cookie], path: /}]\n', 1],
      ['cookies: {sid: abc123def, theme: dark}\n', 'cookies: {sid: [REDACTED:cookie], theme: [REDACTED:cookie]}\n', 2],
      ['cookies: [{"name":"sid","value":"abc123def"}]\n', 'cookies: [{"name":"sid","value":"[REDACTED:cookie]"}]\n', 1],
      [json('cookies: [{name: sid, value: abc123def456}]\n'), json('cookies: [{name: sid, value: [REDACTED:cookie]}]\n'), 1],
    ], ['cookie']);
    assertKept([
      // Code: an object's member (the line above ends in `{` or `,`), names of code as values.
      'const state = {\n  cookies: [{ name: COOKIE_NAME, value: sessionToken }],\n};',
      'const state = {\n  origin: o,\n  cookies: [{ name: COOKIE_NAME, value: sessionToken }]\n};',
      'await context.addCookies([{ name: COOKIE_NAME, value: sessionToken }]);',
      // The same code as JSON writes it, and JSON of that (its line ends `\\n`): still code.
      json('const state = {\n  origin: o,\n  cookies: [{ name: COOKIE_NAME, value: sessionToken }]\n};'),
      json(json('const state = {\n  cookies: [{ name: COOKIE_NAME, value: sessionToken }]\n};')),
      'interface Session {\n  cookies: { name: string; value: string }[];\n}',
      'cookies: [{name: sid, value: ~}]\n',
    ]);
  });

  it('leak: the items of a dict of cookies after a nested object, and a nested cookie object, are read', () => {
    assertRedacts([
      ['cookies = {"a": {"cookies": {"x": "inner1x"}}, "sid": "zzz999yyy"}', 'cookies = {"a": {"cookies": {"x": "[REDACTED:cookie]"}}, "sid": "[REDACTED:cookie]"}', 2],
      ['{"cookies": [{"name": "sid", "value": "v1xxxx", "extra": {"cookies": 1}}, {"name": "b", "value": "v2xxxx"}]}', '{"cookies": [{"name": "sid", "value": "[REDACTED:cookie]", "extra": {"cookies": 1}}, {"name": "b", "value": "[REDACTED:cookie]"}]}', 2],
      ['cookies = {"sid": {"value": "abc123def", "path": "/"}, "csrf": "zzz999yyy"}', 'cookies = {"sid": {"value": "[REDACTED:cookie]", "path": "/"}, "csrf": "[REDACTED:cookie]"}', 2],
      ['{"cookies": {"example.com": {"sid": "abc123def", "domain": "example.com"}}}', '{"cookies": {"example.com": {"sid": "[REDACTED:cookie]", "domain": "example.com"}}}', 1],
    ], ['cookie']);
    assertKept(['cookies = {"sid": {"name": "sid", "value": sid, "path": "/"}}', '{"cookies": {"policy": {"analytics": "granted"}}}']);
  });

  it('leak: a plain YAML value going on over deeper lines is replaced whole', () => {
    assertRedacts([
      ['db:\n  password: first part\n    continued line\n  user: bob\n', 'db:\n  password: [REDACTED:password_assignment]\n  user: bob\n', 1],
      ['password: first\n  continued\n', 'password: [REDACTED:password_assignment]\n', 1],
      ['password: first  # note\n  continued\n', 'password: [REDACTED:password_assignment]  # note\n  continued\n', 1],
      [json('password: first\n  continued\nuser: bob'), json('password: [REDACTED:password_assignment]\nuser: bob'), 1],
    ], ['password_assignment']);
    assertKept(['password: ${PW}\n  continued\n']);
    // A key on the deeper line is a mapping's (no continuation); so is a list's item.
    assertRedacts([
      ['password: first\n  user: bob\n', 'password: [REDACTED:password_assignment]\n  user: bob\n', 1],
      ['password: first\n  - a\n', 'password: [REDACTED:password_assignment]\n  - a\n', 1],
    ]);
  });

  it('leak: a plain YAML value below its key after blank lines is read', () => {
    assertRedacts([
      ['password:\n\n  hunter2secret\n', 'password:\n\n  [REDACTED:password_assignment]\n', 1],
      ['db:\n  password:\n\n    hunter2secret\n  user: bob', 'db:\n  password:\n\n    [REDACTED:password_assignment]\n  user: bob', 1],
    ], ['password_assignment']);
    assertKept(['password:\n\nuser: bob', 'password:\n\n  user: bob']);
  });

  it("leak: a quoted key's block scalar indented by one space is read (the key's column is its quote's)", () => {
    assertRedacts([
      ['"password": |\n s3cretvalue\n', '"password": |\n [REDACTED:password_assignment]\n', 1],
      ["- 'password': |\n   s3cretvalue\n", "- 'password': |\n   [REDACTED:password_assignment]\n", 1],
    ], ['password_assignment']);
  });

  it('leak: a block scalar whose first line is a reference but a later line a secret is replaced', () => {
    assertRedacts([
      ['password: |\n  ${VAR}\n  hunter2secret\n', 'password: |\n  [REDACTED:password_assignment]\n', 1],
      ['- name: DB_PASSWORD\n  value: |\n    $(DB_PASSWORD)\n    hunter2secret\n', '- name: DB_PASSWORD\n  value: |\n    [REDACTED:name_value]\n', 1],
    ]);
    assertKept([
      'password: |\n  ${VAR}\n  ${OTHER}\n',
      'secret: |\n  ${VAULT_SECRET}\n  # rotated monthly\n',
      // A template going on over lines: its later lines are inside its brackets.
      "password: >-\n  {{ lookup('env',\n     'DB_PASSWORD') }}\n",
    ]);
  });

  it('leak: a block scalar nested in more than eight kept ones is read', () => {
    let text = '';
    for (let k = 0; k < 12; k++) text += ' '.repeat(2 * k) + 'password: |\n' + ' '.repeat(2 * k + 2) + '${X}\n';
    text += ' '.repeat(24) + 'password: |\n' + ' '.repeat(26) + 'hunter2secret\n';
    const res = redact(text);
    assert.ok(!res.text.includes('hunter2secret'), res.text);
    assert.ok(res.redactions >= 1);
    assert.equal(redact(res.text).redactions, 0);
  });

  it('leak: a secret cut right after its prefix (fewer than four characters left) is replaced', () => {
    const T = TRUNCATION_MARK;
    assertRedacts([
      ['x ghp_a' + T, 'x [REDACTED:github_token]' + T, 1],
      ['x ghp_abc' + T, 'x [REDACTED:github_token]' + T, 1],
      ['x sk-ant-a' + T, 'x [REDACTED:anthropic_key]' + T, 1],
      ['x github_pat_1' + T, 'x [REDACTED:github_token]' + T, 1],
      ['x xoxb-1' + T, 'x [REDACTED:slack_token]' + T, 1],
      ['x sk-ab' + T, 'x [REDACTED:openai_key]' + T, 1],
    ]);
    const cut = r.redact('token ghp_ab', { cutAtEnd: true });
    assert.equal(cut.text, 'token [REDACTED:github_token]');
    // A prefix alone holds nothing of a secret; AWS key ids and JWT headers start with no secret.
    assertKept(['x ghp_' + T, 'Markets in ASIA' + T, 'x AKIAIO' + T, 'x eyJhb' + T]);
  });

  it('leak: a value whose closing quote or end a cut took is replaced up to the cut', () => {
    const T = TRUNCATION_MARK;
    assertRedacts([
      ['{"password": "hunter2x' + T, '{"password": "[REDACTED:password_assignment]' + T, 1],
      ["api_key='ab" + T, "api_key='[REDACTED:password_assignment]" + T, 1],
      ['{\\"token\\": \\"abc1' + T, '{\\"token\\": \\"[REDACTED:password_assignment]' + T, 1],
      ['Authorization: Bearer ab' + T, 'Authorization: Bearer [REDACTED:bearer]' + T, 1],
      ['"Authorization": "Bearer abc' + T, '"Authorization": "Bearer [REDACTED:bearer]' + T, 1],
      ['postgres://admin:passw0rd' + T, 'postgres://admin:[REDACTED:url_password]' + T, 1],
    ]);
    assertKept(['{"password": "' + T, '{"note": "hunter2x' + T, 'postgres://db.example:54' + T, 'see https://x.example/a:b' + T]);
  });

  it('corruption: `Cookie: str = DEFAULT_COOKIE` is an annotation, not a header', () => {
    assertKept(['class Headers:\n    Cookie: str = DEFAULT_COOKIE\n', 'Cookie: str = DEFAULT_COOKIE', 'Cookie: bytes = b', 'Cookie: Any = None']);
    assertRedacts([['Cookie: sid = abc123def', 'Cookie: sid = [REDACTED:cookie]', 1]], ['cookie']);
  });

  it("corruption: the shell's `\\'` (an escaped quote outside quotes, a backslash inside them) does not hide curl's command end", () => {
    assertKept([
      "curl -H 'X-Note: it'\\''s' https://x.example; git checkout -b fix=1\n",
      "curl 'https://x.example/it'\\''s' ; git checkout -b fix=1",
      "curl -d it\\'s https://x.example; git checkout -b fix=1",
    ]);
    assertRedacts([["curl -H 'X-Note: it'\\''s' -b 'sid=abc123def' https://x.example", "curl -H 'X-Note: it'\\''s' -b 'sid=[REDACTED:cookie]' https://x.example", 1]], ['cookie']);
  });
});

describe('createRedactor: a review of the cookie, YAML and cut shapes of 2026-12-06 (late)', () => {
  const json = (s: string): string => JSON.stringify({ stdout: s });
  const cut = (s: string): string => redact(s + TRUNCATION_MARK).text;

  it('leak: a YAML flow collection under `cookies` on a later line of JSON text (after `\\n`, `\\r\\n`) is read', () => {
    assertRedacts([
      [json('a: 1\ncookies: {sid: abc123def}\nb: 2'), json('a: 1\ncookies: {sid: [REDACTED:cookie]}\nb: 2'), 1],
      [json('a: 1\r\ncookies: [{name: sid, value: abc123def}]\r\n'), json('a: 1\r\ncookies: [{name: sid, value: [REDACTED:cookie]}]\r\n'), 1],
      [json('session:\n  cookies: {sid: abc123def}'), json('session:\n  cookies: {sid: [REDACTED:cookie]}'), 1],
    ], ['cookie']);
  });

  it('corruption: TypeScript types and JS objects under `cookies:` are no YAML flow collections', () => {
    assertKept([
      // An array of an object type (its `{` closed by `}`, then `[]`), and members parted by `;` (`: ` in a plain scalar is no YAML).
      'interface State {\n  origins: string[]\n  cookies: { name: string; value: string }[]\n}',
      'interface State {\n  origins: string[]\n  cookies: { name: string; value: string }\n}',
      'type Opts = {\n  headers: Headers\n  cookies: { sid: string, count: number, secure: boolean }\n}',
      // A comment of code above the member.
      "const opts = {\n  headers: h,\n  // the session's cookie\n  cookies: [{ name: 'sid', value: token }]\n}",
      "const opts = {\n  headers: h,\n  /* the session's cookie */\n  cookies: [{ name: 'sid', value: token }]\n}",
    ]);
    // A cut on the line: the mark's `]` closes nothing.
    assert.equal(cut('  cookies: { sid: sessionId, theme'), '  cookies: { sid: sessionId, theme' + TRUNCATION_MARK);
    assert.equal(cut('cookies: {tok:en{{ v }}'), 'cookies: {tok:en{{ v }}' + TRUNCATION_MARK);
    // A tag an earlier pass wrote ends no collection either (a second pass changes nothing).
    const once = redact('cookies: {tok:en{{ v }}password: |').text;
    assert.equal(redact(once).text, once);
  });

  it('corruption: a port at a cut, followed by what closes the URL, and a `${VAR:-default}` are no URL password', () => {
    for (const s of ['see [the app](http://localhost:3000)', 'Run `curl http://localhost:8000`', '{"base_url": "http://localhost:8000"', '<http://localhost:8000>', 'Listening on http://0.0.0.0:8000.', 'DATABASE_URL: postgres://${DB_USER:-app', 'postgres://${DB_USER:-app}']) {
      assert.equal(cut(s), s + TRUNCATION_MARK, s);
      assert.equal(r.redact(s, { cutAtEnd: true }).text, s, s);
    }
    // A password is still read there.
    assert.equal(cut('postgres://admin:passw0'), 'postgres://admin:[REDACTED:url_password]' + TRUNCATION_MARK);
    assert.equal(cut('postgres://admin:p4ss(x)'), 'postgres://admin:[REDACTED:url_password]' + TRUNCATION_MARK);
  });

  it('leak: a SimpleCookie bound by an annotated assignment or `:=` has its items read; so is a dict it is built from or loads', () => {
    assertRedacts([
      ['c: SimpleCookie = SimpleCookie()\nc["sid"] = "abc123def"', 'c: SimpleCookie = SimpleCookie()\nc["sid"] = "[REDACTED:cookie]"', 1],
      ['self.jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()\nself.jar["sid"] = "abc123def"', 'self.jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()\nself.jar["sid"] = "[REDACTED:cookie]"', 1],
      ['if (c := SimpleCookie()):\n    c["sid"] = "abc123def"', 'if (c := SimpleCookie()):\n    c["sid"] = "[REDACTED:cookie]"', 1],
      ['c = SimpleCookie({"sid": "abc123def", "path": "/"})', 'c = SimpleCookie({"sid": "[REDACTED:cookie]", "path": "/"})', 1],
      ['c = SimpleCookie()\nc.load({"sid": "abc123def"})', 'c = SimpleCookie()\nc.load({"sid": "[REDACTED:cookie]"})', 1],
    ], ['cookie']);
    assertKept(['x: int = SimpleCookie()\nif x == 1: pass', 'c = SimpleCookie({"sid": sid})', 'c: SimpleCookie = SimpleCookie()\nc["sid"] = sid']);
  });

  it("leak: a quoted key's block scalar as the first line of a JSON string is read", () => {
    assertRedacts([
      [json('"password": |\n hunter22secret'), json('"password": |\n [REDACTED:password_assignment]'), 1],
      [json("'password': |\n  hunter22secret\nuser: bob"), json("'password': |\n  [REDACTED:password_assignment]\nuser: bob"), 1],
    ], ['password_assignment']);
  });

  it('leak: a plain YAML value below its key after comment lines is read', () => {
    assertRedacts([
      ['password:\n  # from the vault\n  hunter22secret\n', 'password:\n  # from the vault\n  [REDACTED:password_assignment]\n', 1],
      ['db:\n  password:\n    # rotated monthly\n\n    hunter22secret\n  user: bob', 'db:\n  password:\n    # rotated monthly\n\n    [REDACTED:password_assignment]\n  user: bob', 1],
      [json('password:\n  # from the vault\n  hunter22secret'), json('password:\n  # from the vault\n  [REDACTED:password_assignment]'), 1],
    ], ['password_assignment']);
    assertKept(['password:\n  # from the vault\n  $ref: "#/components/schemas/Password"', 'token:\n  # see below\n  - a\n']);
  });

  it("idempotence: a block scalar's indicator with nothing below it is kept, whatever comes before its key", () => {
    // The key is the first word of a string (after `=`, `(`) before a tag replaces what precedes it, and not after.
    for (const s of ["token: >-api_key='token: >-\n", '{"password": ", "token: >-\n', '{"password": "SimpleCookie("password: |\n', 'cookies: {tok:en{{ v }}password: |', 'x = 1; password: |']) {
      const once = redact(s);
      assert.equal(redact(once.text).text, once.text, s);
    }
    assertKept(['password: |', 'f("password: |\n")', 'a b password: >-  # folded\n']);
  });

  it('leak: a block scalar line after a bracket no later line closes is judged (only a template closing below passes)', () => {
    assertRedacts([
      ['password: |\n  ${X} (\n  hunter22secret\n', 'password: |\n  [REDACTED:password_assignment]\n', 1],
      ['password: |\n  {{ x\n  hunter22secret\n', 'password: |\n  [REDACTED:password_assignment]\n', 1],
    ], ['password_assignment']);
    assertKept(["password: |\n  {{ lookup('env',\n  'DB_PW') }}\n", 'password: |\n  ${A} (\n  x) ${B}\n']);
  });

  it('leak: a list of cookie objects under a domain in a dict of cookies is read', () => {
    assertRedacts([
      ['{"cookies": {"example.com": [{"name": "sid", "value": "abc123def"}]}}', '{"cookies": {"example.com": [{"name": "sid", "value": "[REDACTED:cookie]"}]}}', 1],
    ], ['cookie']);
    assertKept(['{"cookies": {"domains": ["a.example", "b.example"]}}']);
  });
});

describe('createRedactor: keys inside a quoted value kept as a whole (2026-12-07)', () => {
  it('leak: a quoted value kept for an earlier tag or a reference is read inside, so a key in it is judged', () => {
    assertRedacts([
      // The flake hunt's case: `'pwd='` read as `pwd=` opening a quoted value to the last `'`, kept for the URL's tag.
      ["{'pwd=' password=Xk9mP2qL7wZ s://:w@h '", "{'pwd=' password=[REDACTED:password_assignment] s://:[REDACTED:url_password]@h '", 2],
      ['password: "[REDACTED:x] secret=Xk9mP2qL7wZ"', 'password: "[REDACTED:x] secret=[REDACTED:password_assignment]"', 1],
      ['password = "${X} token=Xk9mP2qL7wZ"', 'password = "${X} token=[REDACTED:password_assignment]"', 1],
      ['pwd = "$(cat f) api_key=Xk9mP2qL7wZ"', 'pwd = "$(cat f) api_key=[REDACTED:password_assignment]"', 1],
      ["token = ['[REDACTED:x]', 'password=Xk9mP2qL7wZ']", "token = ['[REDACTED:x]', 'password=[REDACTED:password_assignment]']", 1],
    ]);
  });

  it("a shell default that an earlier rule redacted keeps that rule's tag, quoted or not", () => {
    const hf = `hf_${'abcdefghijklmnopqrstuvwxyzABCDEFGH'}`;
    assertRedacts([
      [`echo \${HF_TOKEN:-${hf}}`, 'echo ${HF_TOKEN:-[REDACTED:huggingface_token]}', 1],
      [`X="\${HF_TOKEN:=${hf}}"`, 'X="${HF_TOKEN:=[REDACTED:huggingface_token]}"', 1],
    ], ['huggingface_token']);
    // Not a tag whole: what follows the tag was never judged. The operator stays (a review of bc731b5: it went into the tag).
    assertRedacts([['echo ${HF_TOKEN:-[REDACTED:huggingface_token]Xk9mP2}', 'echo ${HF_TOKEN:-[REDACTED:password_assignment]}', 1]]);
  });

  it('what a kept value holds that is no secret stays kept', () => {
    assertKept(['password = "${X} token=${Y}"', 'password: "[REDACTED:x] token=$TOKEN"', 'token = "${A} (see api_key=os.environ)"']);
  });
});

describe('createRedactor: a review of 012860e (keys inside values kept whole, 2026-12-07)', () => {
  it('leak: a value crossing the end of the string its key is in, kept, is read inside (the scan went on at that end)', () => {
    assertRedacts([
      // Kept for an earlier tag past the string's end (`it's` closes the quote `token='` opened in the first string).
      [
        `{"a": "token='x password=Xk9mP2qL7wZ", "b": "AKIAIOSFODNN7EXAMPLE it's"}`,
        `{"a": "token='x password=[REDACTED:password_assignment]", "b": "[REDACTED:aws_access_key] it's"}`,
        2,
      ],
      [`x = 'token="\${X} password=Xk9mP2qL7wZ', y = '[REDACTED:x]"'`, `x = 'token="\${X} password=[REDACTED:password_assignment]', y = '[REDACTED:x]"'`, 1],
      // A list its line does not close, kept inside the string (`[[`: a nested list's start).
      ['{"cmd": "token=[[x password=Xk9mP2qL7wZ", "b": "x"}', '{"cmd": "token=[[x password=[REDACTED:password_assignment]", "b": "x"}', 1],
    ]);
  });

  it('leak: a bare value kept for its start that holds a key and its `=` or `:` is replaced whole (it was passed over)', () => {
    assertRedacts([
      ['password=process.env.X||token=Xk9mP2qL7wZ', 'password=[REDACTED:password_assignment]', 1],
      ['PWD=/srv/app?token=Xk9mP2qL7wZ', 'PWD=[REDACTED:password_assignment]', 1],
      ['PWD=/srv/app:api_key=Xk9mP2qL7wZ more', 'PWD=[REDACTED:password_assignment] more', 1],
    ]);
    assertKept(['PWD=/srv/app:/usr/bin', 'PWD=/srv/app?mode=ro', 'token=process.env.T||DEFAULT_TOKEN', 'password=process.env.PW||secret']);
  });

  it('a quoted "value" that is a name concatenated between two string literals is code, kept (inside a kept value too)', () => {
    assertKept([
      'url = "https://api.example.com/v1?access_token=" + token + "&limit=10"',
      'String u = "https://h/x?api_key=" + apiKey + "&q=" + q;',
      "$url = 'https://h/x?token=' . $token . '&a=1';",
      'cmd = "--password=" + cfg.password + " --verbose"',
      'u = "?token=" + encodeURIComponent(token) + "&x=1"',
      'u = base + "?token=" + token + "&x=1"',
      '{"code": "u = \\"?token=\\" + tok + \\"&x=1\\""}',
      // Read inside a value kept whole (012860e): it was kept, passed over, before.
      'password = "${BASE}?token=" + tok + "&x=1"',
      "token = '${X} password=' + pw + ' more'",
    ]);
    // No string closing right before the value: a value as before.
    assertRedacts([['password=" + tok + "', 'password="[REDACTED:password_assignment]"', 1]]);
  });

  it("a shell expansion's empty default, a reference as default, or an alternative of one is no value (kept, in a quoted value too)", () => {
    assertKept([
      // Read inside a quoted value kept whole since 012860e: compose files and `set -u` scripts write these everywhere.
      'API_KEY: "${API_KEY:-}"',
      'export TOKEN="${TOKEN:-}"',
      'api_key="${API_KEY:-}" curl x',
      'token: "${GITHUB_TOKEN:-${GH_TOKEN}}"',
      'token: "${GITHUB_TOKEN:-$GH_TOKEN}"',
      'API_KEY="${API_KEY:-$(cat /run/secrets/key)}"',
      'run --token "${TOKEN:+$TOKEN}"',
      'run ${API_TOKEN:+--api-token}',
      // Outside a value kept whole (they were redacted before too).
      '[ -z "${API_KEY:-}" ] && exit 1',
      'if [ -n "${HF_TOKEN:-}" ]; then',
      'SECRET_KEY: ${SECRET_KEY:-}',
      'echo ${API_KEY:-$FALLBACK_KEY}',
    ]);
    // A literal default is a value: redacted (`:-`, `:+`; the operator kept since a review of bc731b5), the error
    // message of `:?` kept as before.
    assertRedacts([
      ['password: "${DB_PASSWORD:-changeme}"', 'password: "${DB_PASSWORD:-[REDACTED:password_assignment]}"', 1],
      ['echo ${API_KEY:+Xk9mP2qL7wZ}', 'echo ${API_KEY:+[REDACTED:password_assignment]}', 1],
    ]);
    assertKept(['password: "${DB_PASSWORD:?password required}"']);
  });

  it("leak: a literal default of a shell expansion that is a secret's key's whole value is redacted (kept with the reference)", () => {
    assertRedacts([
      ['password=${PW:-Xk9mP2qL7wZ}', 'password=${PW:-[REDACTED:password_assignment]}', 1],
      ['POSTGRES_PASSWORD: ${DB_PASS:-changeme}', 'POSTGRES_PASSWORD: ${DB_PASS:-[REDACTED:password_assignment]}', 1],
      ['DB_PASSWORD: "${DB_PASS-changeme}"', 'DB_PASSWORD: "${DB_PASS-[REDACTED:password_assignment]}"', 1],
      ['{"api_key": "${KEY:-Xk9mP2qL7wZ}/v1"}', '{"api_key": "${KEY:-[REDACTED:password_assignment]}/v1"}', 1],
      ['export TOKEN="${GH:=Xk9mP2qL7wZ}"', 'export TOKEN="${GH:=[REDACTED:password_assignment]}"', 1],
    ]);
    // No literal: an empty default, a reference, a placeholder; the name a secret's key (read as its own key).
    assertKept(['password=${PW:-}', 'password="${PW:-$OTHER}"', 'token: ${T:-${U}}', 'password: ${PW:-null}', 'api_key: "${KEY:-<your key>}"']);
    assertRedacts([['password=${DB_PASSWORD:-Xk9mP2qL7wZ}', 'password=${DB_PASSWORD:-[REDACTED:password_assignment]}', 1]]);
  });
});

describe('createRedactor: a YAML tag followed by another tag (2026-12-07)', () => {
  it("leak: a tag's \"argument\" starting with `!` is no argument (no YAML reads `!a !b`): the value is judged as any", () => {
    // The fresh-clone check's seed -1287324130 of "leaves none of the secrets fed in": ` password: !AAAAAA !`.
    assertRedacts([
      // On a YAML line the value runs to the line's end (a plain scalar's words).
      [' password: !AAAAAA !', ' password: [REDACTED:password_assignment]', 1],
      ['password: !AAAAAA !x', 'password: [REDACTED:password_assignment]', 1],
      ['x = 1; password: !AAAAAA !x', 'x = 1; password: [REDACTED:password_assignment] !x', 1],
    ], ['password_assignment']);
    assertKept(['password: !secret db_password', 'password: !vault !x', 'password: !Ref DbPassword']);
  });
});
