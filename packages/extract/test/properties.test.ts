/**
 * Property tests: every public function is total and deterministic on any
 * input, returned paths are normalised, and no generated secret survives
 * redaction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  codeHash,
  createRedactor,
  detectError,
  extractCodeMetadata,
  extractFileReferences,
  extractGeneratedFiles,
  extractMessageMetadata,
  normalisePath,
  sniffLanguage,
} from '../src/index.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);

/** Any UTF-16 code units: lone surrogates, NULs, control characters. */
const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((a) => String.fromCharCode(...a));

/** Fragments that drive the lexers and detectors into their interesting states. */
const FRAGMENTS = [
  'open(', 'open(\'x.txt\', \'w\')', "'w'", '"', "'", '"""', "'''", 'f"', 'r"', '\\', '#', '//', '/*', '*/', '\n', ' ', '\t',
  'import ', 'from ', ' import ', '(', ')', '[', ']', '{', '}', ',', '.', '=', '==', '+', '/', '`', '${', '$(', '$', 'x', 'np.save(',
  'Path(', ').write_text(', 'os.path.join(', 'require(', 'import(', 'export * from ', '<<EOF', '<<-\'X\'', 'EOF', '>', '>>', '2>&1', '<',
  '|', ';', '&&', 'cat ', 'cp ', 'tee ', 'curl -o ', 'wget -O ', 'a.csv', 'out/', '../', '~', '\u0000', '\ud800', '\udc00', 'é',
  'Traceback (most recent call last):', 'Error: ', 'ValueError: x', '```', '```python', '](', '[', 'saved to ', 'file: ', 'sk-',
  'eyJ', '-----BEGIN PRIVATE KEY-----', 'password=', '://u:', '@', 'def ', 'class ', 'with ', ' as f:', 'fs.writeFileSync(',
  'const a = ', 'fname = "b.txt"\n', '%s', '{name}', 'python - <<EOF\n', '-c ', 'h5py.File(', 'to_csv(', 'savefig(',
];
const codeLike = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((a) => a.join(''));

const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }), codeUnits, codeLike);
const language = fc.constantFrom(undefined, 'python', 'shell', 'javascript', 'typescript', 'bash', 'r', '', 'unknown');

function assertNormalised(paths: readonly string[]): void {
  for (const p of paths) assert.equal(normalisePath(p), p, `not normalised: ${JSON.stringify(p)}`);
}

describe('totality and determinism', () => {
  it('extractCodeMetadata never throws, is deterministic, returns normalised paths', () => {
    fc.assert(
      fc.property(anyString, language, anyString, fc.option(fc.integer({ min: -2, max: 300 })), (code, lang, output, exitCode) => {
        const opts = { language: lang, output, exitCode, maxScanChars: 200 };
        const a = extractCodeMetadata(code, opts);
        const b = extractCodeMetadata(code, opts);
        assert.deepEqual(a, b);
        assert.match(a.codeHash, /^[0-9a-f]{16}$/);
        assert.equal(a.length, code.length);
        assertNormalised(a.filesWritten);
        assertNormalised(a.filesRead);
        assert.equal(typeof a.hasError, 'boolean');
      }),
      { numRuns: RUNS },
    );
  });

  it('message, reference, tool-result, error and sniff functions never throw and are deterministic', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        assert.deepEqual(extractMessageMetadata(text), extractMessageMetadata(text));
        assert.deepEqual(extractFileReferences(text), extractFileReferences(text));
        assert.deepEqual(extractGeneratedFiles(text), extractGeneratedFiles(text));
        assert.deepEqual(detectError(text), detectError(text));
        assert.equal(sniffLanguage(text), sniffLanguage(text));
        assertNormalised(extractFileReferences(text));
        assertNormalised(extractGeneratedFiles(text));
        const n = normalisePath(text);
        if (n !== undefined) assert.equal(normalisePath(n), n);
      }),
      { numRuns: RUNS },
    );
  });

  it('extractGeneratedFiles accepts any value, including cycles', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true, withNullPrototype: true }), (value) => {
        assert.ok(Array.isArray(extractGeneratedFiles(value)));
      }),
      { numRuns: RUNS },
    );
    const cyclic: Record<string, unknown> = { path: 'a.txt' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { files: ['b.csv', cyclic] }];
    assert.deepEqual(extractGeneratedFiles(cyclic), ['a.txt', 'b.csv']);
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    assert.deepEqual(extractGeneratedFiles(hostile), []);
    const getter = Object.defineProperty({ file: 'ok.txt' }, 'path', { enumerable: true, get: () => { throw new Error('getter'); } });
    assert.deepEqual(extractGeneratedFiles(getter), ['ok.txt']);
  });

  it('non-string inputs give neutral results', () => {
    for (const bad of [undefined, null, 42, {}, [], Symbol('s'), () => 1] as unknown[]) {
      const md = extractCodeMetadata(bad as string);
      assert.deepEqual([md.imports, md.filesWritten, md.filesRead, md.length], [[], [], [], 0]);
      assert.deepEqual(extractFileReferences(bad as string), []);
      assert.equal(extractMessageMetadata(bad as string).hasCode, false);
      assert.equal(detectError(bad as string).hasError, false);
      assert.equal(sniffLanguage(bad as string), 'unknown');
      assert.equal(normalisePath(bad as string), undefined);
      assert.match(codeHash(bad as string), /^[0-9a-f]{16}$/);
      assert.equal(typeof createRedactor().redact(bad as string).text, 'string');
    }
    assert.equal(extractCodeMetadata('x', { maxScanChars: Number.NaN }).truncated, undefined);
    assert.equal(extractCodeMetadata('import os', null as unknown as undefined).language, 'python');
  });
});

describe('normalisePath', () => {
  // Fragments that the segment rules drop or join (`.`, `..`, `//`) next to what the refusals look at
  // (`-`, a leading `:`, a scheme, a placeholder, a drive, a device, blanks): random strings rarely
  // build those (a normalised `-/` once failed the property above, at run 1166 of 1500).
  const PATH_PARTS = ['a', 'b.txt', '.', '..', '', '-', ' ', '\t', '\\', '/', ':', 'ab:', 'C:', 'x:y', ':memory:', 's3:', 'http:', '%', '%(',
    ')s', '{', '}', '$', '*', '~', '/dev', 'dev', 'proc', 'self', 'fd', '1', 'null', 'é', '+', '@', '#', '.csv'];
  const pathLike = fc.array(fc.tuple(fc.constantFrom(...PATH_PARTS), fc.boolean()), { maxLength: 8 }).map((a) => a.map(([p, slash]) => p + (slash ? '/' : '')).join(''));
  it('a normalised path normalises to itself', () => {
    fc.assert(
      fc.property(pathLike, (p) => {
        const n = normalisePath(p);
        if (n !== undefined) assert.equal(normalisePath(n), n, JSON.stringify(p));
      }),
      { numRuns: RUNS * 20 },
    );
  });
});

describe('codeHash', () => {
  it('is 16 hex chars and stable across \\r\\n, \\r and \\n', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')), { maxLength: 10 }), (lines) => {
        const h = codeHash(lines.join('\n'));
        assert.match(h, /^[0-9a-f]{16}$/);
        assert.equal(codeHash(lines.join('\r\n')), h);
        assert.equal(codeHash(lines.join('\r')), h);
      }),
      { numRuns: RUNS },
    );
  });
});

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (set: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...set.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOKEN = alnum + '_-';

/** A body of `n` characters of `set` holding a digit and an upper-case letter (a real token's, with near certainty). */
const randomBody = (set: string, n: number) =>
  fc.tuple(chars(set, n - 2, n - 2), fc.constantFrom(...'0123456789'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ')).map(([b, d, u]) => d + b + u);
const HEX = '0123456789abcdef';

function vendorTokens(): fc.Arbitrary<{ kind: string; text: string; secret: string }>[] {
  const token = (kind: string, arb: fc.Arbitrary<string>) => arb.map((t) => ({ kind, text: t, secret: t }));
  const letters = alnum.slice(0, 52);
  return [
    token('huggingface_token', fc.tuple(fc.constantFrom('hf_', 'api_org_'), chars(letters, 32, 32)).map(([p, b]) => `${p}aZ${b}`)),
    token('npm_token', randomBody(alnum, 36).map((b) => `npm_${b}`)),
    token('pypi_token', chars(TOKEN, 50, 120).map((b) => `pypi-AgEIcHlwaS5vcmc${b}`)),
    token('docker_token', fc.integer({ min: 27, max: 64 }).chain((n) => randomBody(alnum, n)).map((b) => `dckr_pat_${b}`)),
    token('stripe_key', fc.tuple(fc.constantFrom('sk', 'rk'), fc.constantFrom('live', 'test', 'prod'), fc.integer({ min: 20, max: 99 }).chain((n) => randomBody(alnum, n))).map(([a, b, c]) => `${a}_${b}_${c}`)),
    token('groq_key', randomBody(alnum, 52).map((b) => `gsk_${b}`)),
    token('xai_key', randomBody(alnum, 80).map((b) => `xai-${b}`)),
    token('perplexity_key', randomBody(alnum, 48).map((b) => `pplx-${b}`)),
    token('replicate_token', fc.integer({ min: 37, max: 40 }).chain((n) => randomBody(alnum, n)).map((b) => `r8_${b}`)),
    token('tavily_key', fc.tuple(fc.constantFrom('', 'dev-', 'prod-'), fc.integer({ min: 20, max: 64 }).chain((n) => randomBody(alnum, n))).map(([p, b]) => `tvly-${p}${b}`)),
    token('langsmith_key', fc.tuple(fc.constantFrom('pt', 'sk'), chars(HEX, 32, 32), chars(HEX, 10, 10)).map(([k, a, b]) => `lsv2_${k}_${a}_${b}`)),
  ];
}

/** A secret of each kind, plus the substring that must not survive. */
const secrets: fc.Arbitrary<{ kind: string; text: string; secret: string }> = fc.oneof(
  chars(TOKEN, 20, 60).map((s) => ({ kind: 'openai_key', text: `sk-${s}`, secret: `sk-${s}` })),
  chars(TOKEN, 20, 60).map((s) => ({ kind: 'openai_key', text: `sk-proj-${s}`, secret: `sk-proj-${s}` })),
  chars(TOKEN, 20, 90).map((s) => ({ kind: 'anthropic_key', text: `sk-ant-api03-${s}`, secret: `sk-ant-api03-${s}` })),
  fc.tuple(fc.constantFrom('AKIA', 'ASIA', 'ABIA', 'ACCA'), chars(UPPER_B32, 16, 16)).map(([p, s]) => ({ kind: 'aws_access_key', text: p + s, secret: p + s })),
  fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghs_', 'ghr_', 'ghu_'), chars(alnum, 36, 40)).map(([p, s]) => ({ kind: 'github_token', text: p + s, secret: p + s })),
  chars(alnum + '_', 22, 82).map((s) => ({ kind: 'github_token', text: `github_pat_${s}`, secret: `github_pat_${s}` })),
  chars(TOKEN, 20, 30).map((s) => ({ kind: 'gitlab_token', text: `glpat-${s}`, secret: `glpat-${s}` })),
  fc.tuple(fc.constantFrom('a', 'b', 'p', 'r'), chars(alnum + '-', 10, 50)).map(([k, s]) => ({ kind: 'slack_token', text: `xox${k}-${s}`, secret: `xox${k}-${s}` })),
  chars(TOKEN, 35, 35).map((s) => ({ kind: 'google_api_key', text: `AIza${s}`, secret: `AIza${s}` })),
  // Vendor tokens (redact-vendors.ts); the bodies that must look random mix cases or digits, as real ones do.
  ...vendorTokens(),
  fc.tuple(chars(TOKEN, 5, 40), chars(TOKEN, 5, 80), chars(TOKEN, 10, 43)).map(([h, p, s]) => {
    const jwt = `eyJ${h}.eyJ${p}.${s}`;
    return { kind: 'jwt', text: jwt, secret: jwt };
  }),
  chars(alnum + '._~+/-', 8, 60).map((s) => ({ kind: 'bearer', text: `Authorization: Bearer ${s}`, secret: s })),
  chars(alnum + '!%^*', 6, 30).map((s) => ({ kind: 'url_password', text: `postgres://admin:${s}@db.internal:5432/app`, secret: `admin:${s}@` })),
  // With a digit or a symbol: a word of letters only may be code, documented as kept (after `:` a word of prose or a
  // type's name, `user: str`; a name made for a secret, `apiKey`); plain words are covered by the example tests.
  fc.tuple(fc.constantFrom('password', 'DB_PASSWORD', 'api_key', 'secret', 'token', 'apikey', 'access_key', 'secret_key', 'passwd', 'pwd'), fc.constantFrom('=', ': ', ' = ', '": "'), chars(alnum + '!#%^*+/', 6, 40).filter((v) => /[^A-Za-z]/.test(v))).map(
    ([k, sep, v]) => (sep === '": "' ? { kind: 'password_assignment', text: `"${k}": "${v}"`, secret: v } : { kind: 'password_assignment', text: `${k}${sep}${v}`, secret: v }),
  ),
  fc.tuple(chars(alnum + '+/', 64, 64), fc.integer({ min: 1, max: 6 }), fc.boolean()).map(([line, n, terminated]) => {
    const body = Array.from({ length: n }, (_, i) => line.slice(i) + line.slice(0, i)).join('\n');
    const text = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n` + (terminated ? '-----END RSA PRIVATE KEY-----' : '');
    return { kind: 'private_key', text, secret: line };
  }),
);

/** Random surrounding text, separated from the secret the way text separates tokens. */
const filler = fc.string({ maxLength: 40 });
const separator = fc.constantFrom(' ', '\n', '\t', '"', "'", '(', ',', '> ', ': ');

describe('redaction', () => {
  const redactor = createRedactor();
  it('leaves none of the secrets fed in', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, separator, secrets, separator), { minLength: 1, maxLength: 4 }), filler, (parts, tail) => {
        // A bare assigned value right before `(` is a call (`pwd = os.getcwd()`), by decision not a secret.
        const input = parts.map(([f, s1, sec, s2]) => f + s1 + sec.text + (sec.kind === 'password_assignment' && s2 === '(' ? ' (' : s2)).join('') + tail;
        const out = redactor.redact(input);
        for (const [, , sec] of parts) {
          assert.equal(out.text.includes(sec.secret), false, `${sec.kind} leaked: ${JSON.stringify(sec.secret)} in ${JSON.stringify(out.text)}`);
        }
        assert.ok(out.redactions >= 1);
        assert.deepEqual(redactor.redact(input), out);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const r = redactor.redact(s);
        assert.equal(typeof r.text, 'string');
        assert.equal(r.redactions >= 0, true);
      }),
      { numRuns: RUNS },
    );
  });
});
