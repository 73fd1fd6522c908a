/**
 * Throughput of `@agentspan/extract` on realistic input (the labelled corpus,
 * concatenated) and on adversarial input built to trigger backtracking or
 * quadratic rescans in each regex/scanner family. Target: under 50 ms per
 * 1 MB in the worst case. Each case: 3 warm-up runs, then the best of 5, on a flat copy of the input.
 *
 * Run alone:  npx tsc -b tsconfig.build.json && node --import tsx bench/extract.bench.ts
 * Or import `runExtractBench` from the root bench runner.
 */
import { fileURLToPath } from 'node:url';
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
} from '@agentspan/extract';
import { loadCorpus } from '../packages/extract/test/corpus-loader.js';

/** One measured case. */
export interface ExtractBenchRow {
  case: string;
  /** Input size in MB (10^6 characters). */
  mb: number;
  /** Best of the timed runs, in milliseconds. */
  ms: number;
  mbPerS: number;
}

const MB = 1_000_000;
const RUNS = 5;

/** `unit` repeated until the string is `size` characters long. */
function fill(unit: string, size = MB): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/**
 * A flat copy of `s`. Inputs built with `repeat`, `slice` and `+` are ropes or
 * slices in V8, slower to scan than the flat strings real input arrives as
 * (read from a socket, a file or JSON); the round trip keeps lone surrogates.
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

const WARMUP_RUNS = 3;

function time(fn: () => unknown): number {
  for (let i = 0; i < WARMUP_RUNS; i++) fn(); // warm-up: compile regexes, JIT the scanners up to their optimised tier
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The densest secret input's unit: a secret every 6 characters. */
const DENSE_SECRET_UNIT = 'pwd=a\n';
/** The calibration case measuring {@link replaceEveryValue} on that input (the root runner reports the ratio to it). */
export const DENSE_FLOOR_CASE = 'calibration: pwd=a lines, each value found and replaced, nothing decided';

/** A key ending in a few secrets' names, `=` or `:`, and a value up to a blank or a delimiter. */
const BARE_ASSIGNMENT_RE = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,128}?(?:pwd|passwd|password|secret|token|api_key)[=:]([^\s,;]{1,256})/g;

/** Each value {@link BARE_ASSIGNMENT_RE} finds replaced by a tag, the text built as the redactor builds its own. */
function replaceEveryValue(text: string): string {
  let out = '';
  let last = 0;
  BARE_ASSIGNMENT_RE.lastIndex = 0;
  for (let m = BARE_ASSIGNMENT_RE.exec(text); m !== null; m = BARE_ASSIGNMENT_RE.exec(text)) {
    const valueAt = m.index + m[0].length - m[1]!.length;
    out += text.slice(last, valueAt) + '[REDACTED:password_assignment]';
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

interface Case {
  name: string;
  input: string;
  run: (s: string) => unknown;
}

function cases(): Case[] {
  const corpus = loadCorpus();
  const byLang = (lang: string): string =>
    corpus
      .filter((c) => (c.language ?? c.sniffExpect) === lang || (lang === 'javascript' && c.language === 'typescript'))
      .map((c) => c.code)
      .join('\n');
  const py = byLang('python');
  const sh = byLang('shell');
  const js = byLang('javascript');
  const prose =
    'I ran the analysis and saved the figure to `out/plot.png`. The table was written to results/summary.csv, see [the plot](out/plot.png).\n' +
    '```python\n' + py.slice(0, 2000) + '\n```\n';
  const redactor = createRedactor();
  const code = (language: string) => (s: string) => extractCodeMetadata(s, { language });
  const tenMbPython = fill(py, 10 * MB);

  const jsonMb = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: i, path: `out/f${i}.csv` })));
  return [
    // Calibration: native work on this machine, to put the rest in proportion (shared CPUs vary run to run).
    { name: 'calibration: native JSON.parse', input: jsonMb, run: (s) => JSON.parse(s) },
    { name: 'calibration: native split + regex test per line', input: fill(py + '\n'), run: (s) => s.split('\n').filter((l) => /^\s*import\s/.test(l)).length },
    // The least any redactor written in JavaScript does on the densest secret input below: find each key and value with
    // one regex and build the text with each value replaced, deciding nothing (the rules judge each value code or secret,
    // read quotes, lists and shell words, and screen the text again).
    { name: DENSE_FLOOR_CASE, input: fill(DENSE_SECRET_UNIT), run: replaceEveryValue },
    // Realistic.
    { name: 'realistic: python corpus', input: fill(py + '\n'), run: code('python') },
    { name: 'realistic: shell corpus', input: fill(sh + '\n'), run: code('shell') },
    { name: 'realistic: js/ts corpus', input: fill(js + '\n'), run: code('typescript') },
    { name: 'realistic: python, sniffed + output', input: fill(py + '\n'), run: (s) => extractCodeMetadata(s, { output: 'Traceback (most recent call last):\nValueError: x', exitCode: 1 }) },
    { name: 'realistic: message metadata', input: fill(prose), run: (s) => extractMessageMetadata(s) },
    { name: 'realistic: tool result text', input: fill('step 3 done; plot saved to out/fig_3.png and generated table.csv\n'), run: extractGeneratedFiles },
    { name: 'realistic: tool result JSON', input: JSON.stringify({ files: Array.from({ length: 20000 }, (_, i) => `out/f${i}.csv`), stdout: fill('Saved to a.csv\n', 400_000) }), run: extractGeneratedFiles },
    { name: 'realistic: redact code', input: fill(py + '\nOPENAI_API_KEY="sk-abcdefghijklmnopqrstuvwx1234"\n'), run: (s) => redactor.redact(s) },
    { name: 'realistic: detectError output', input: fill('epoch 1 loss=0.25 acc=0.91\n') + 'Traceback (most recent call last):\n  File "a.py", line 1\nValueError: boom\n', run: (s) => detectError(s, 1) },
    { name: 'realistic: codeHash', input: fill(py), run: codeHash },
    { name: 'realistic: sniffLanguage', input: fill(py), run: sniffLanguage },
    // 10 MB: default scan limit (1 MB scanned, 10 MB hashed) and a full scan.
    { name: '10 MB python, default maxScanChars', input: tenMbPython, run: code('python') },
    { name: '10 MB python, full scan', input: tenMbPython, run: (s) => extractCodeMetadata(s, { language: 'python', maxScanChars: 10 * MB }) },

    // Adversarial: Python lexer and call finder.
    { name: 'adv py: open( x N (unclosed calls)', input: fill('open('), run: code('python') },
    { name: 'adv py: ((((( deep nesting', input: fill('('), run: code('python') },
    { name: 'adv py: f(f(f( with args', input: fill("np.save(open('a', 'w'), "), run: code('python') },
    { name: 'adv py: """ unterminated', input: '"""' + fill('x'), run: code('python') },
    { name: 'adv py: " x N', input: fill('"'), run: code('python') },
    { name: "adv py: f'{ x N", input: fill("f'{"), run: code('python') },
    { name: 'adv py: a.a.a.a( method chain', input: fill('a.') + '(', run: code('python') },
    { name: 'adv py: x.f().f().f() chain', input: fill('.write_text()'), run: code('python') },
    { name: 'adv py: from a import (b, b, ...', input: 'from a import (' + fill('b, '), run: code('python') },
    { name: 'adv py: x = x = x = assignments', input: fill('x = "a" + x\n'), run: code('python') },
    { name: 'adv py: for x in [...] comprehension', input: fill("[open(f) for f in ['a.txt', "), run: code('python') },
    { name: 'adv py: backslash/newline soup', input: fill('\\\n'), run: code('python') },
    // Adversarial: JS lexer.
    { name: 'adv js: `${ nesting', input: fill('`${'), run: code('javascript') },
    { name: 'adv js: / regex-vs-division', input: fill('a = /'), run: code('javascript') },
    { name: 'adv js: /* unterminated', input: '/*' + fill('*'), run: code('javascript') },
    { name: 'adv js: import {a, a, ...', input: 'import {' + fill('a, '), run: code('javascript') },
    { name: 'adv js: export export export', input: fill('export '), run: code('javascript') },
    { name: 'adv js: require( x N', input: fill('require('), run: code('javascript') },
    { name: 'adv js: for-of loops nested on one line', input: fill("for (const f of ['a']) "), run: code('javascript') },
    { name: 'adv js: a for-of loop writing a file x N', input: fill("for (const f of ['a']) fs.writeFileSync(f, s);\n"), run: code('javascript') },
    { name: "adv js: import { a as b } from 'fs' x N", input: 'import {' + fill('a as b, ') + "} from 'fs'", run: code('javascript') },
    // Adversarial: shell lexer.
    { name: 'adv sh: $( x N', input: fill('$('), run: code('shell') },
    { name: 'adv sh: ${ x N', input: fill('${'), run: code('shell') },
    { name: 'adv sh: <<EOF heredocs never closed', input: fill('cat <<EOF\n'), run: code('shell') },
    { name: "adv sh: ' x N", input: fill("'"), run: code('shell') },
    { name: 'adv sh: > > > redirects', input: fill('> '), run: code('shell') },
    { name: 'adv sh: one cp with 100k args', input: 'cp ' + fill('a.txt '), run: code('shell') },
    { name: 'adv sh: python -c nesting', input: fill('bash -c "python -c \\"'), run: code('shell') },
    // Adversarial: language sniffing on 1 MB (reads 64 KiB).
    { name: 'adv sniff: spaces and tabs', input: fill(' \t'), run: sniffLanguage },
    // Adversarial: redaction, per family.
    { name: 'adv redact: sk- x N', input: fill('sk-'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: sk-ant- short tokens', input: fill('sk-ant-abc '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: eyJ x N', input: fill('eyJ'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: eyJxxxxx. no signature', input: fill('eyJabcde.'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: long eyJ tokens', input: fill('eyJ' + 'a'.repeat(9000) + ' '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: -----BEGIN without END', input: fill('-----BEGIN RSA PRIVATE KEY-----\n'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: AKIA x N', input: fill('AKIA'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: ghp_ x N', input: fill('ghp_'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: a= x N', input: fill('a='), run: (s) => redactor.redact(s) },
    { name: 'adv redact: password= x N', input: fill('password='), run: (s) => redactor.redact(s) },
    { name: 'adv redact: password=a[b]c x N', input: fill('password=a[b]c '), run: (s) => redactor.redact(s) },
    // A real secret every few characters: each one is judged (code or secret) and replaced.
    { name: 'adv redact: pwd=a lines x N (a secret every 6 characters)', input: fill(DENSE_SECRET_UNIT), run: (s) => redactor.redact(s) },
    { name: 'adv redact: api_key=abc; x N', input: fill('api_key=abc;'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: vendor prefixes x N', input: fill('hf_a npm_b gsk_c sk_live_d pypi-AgEIe tvly-f '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: npm config set _auth x N', input: fill('npm config set _auth '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: long key-like token', input: fill('x'.repeat(200) + 'password '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: "token": " unterminated', input: fill('"token": "' + 'v'.repeat(2000)), run: (s) => redactor.redact(s) },
    { name: 'adv redact: Authorization: Bearer x N', input: fill('Authorization: Bearer '), run: (s) => redactor.redact(s) },
    { name: 'adv redact: x://u: x N', input: fill('x://u:'), run: (s) => redactor.redact(s) },
    { name: 'adv redact: spaces', input: fill(' '), run: (s) => redactor.redact(s) },
    // Adversarial: error detection.
    { name: 'adv err: Traceback x N', input: fill('Traceback (most recent call last):\n'), run: (s) => detectError(s, 1) },
    { name: 'adv err: a.a.a. one line', input: fill('a.'), run: (s) => detectError(s) },
    { name: 'adv err: Error: 0.1 lines', input: fill('Error: 0.1\n'), run: (s) => detectError(s) },
    { name: 'adv err: empty lines', input: fill('\n'), run: (s) => detectError(s) },
    // Adversarial: tool results, messages, paths.
    { name: 'adv tool: saved to x N', input: fill('saved to '), run: extractGeneratedFiles },
    { name: 'adv tool: file: file: (no spaces)', input: fill('file:'), run: extractGeneratedFiles },
    { name: 'adv tool: [[[[ deep JSON', input: fill('['), run: extractGeneratedFiles },
    { name: 'adv tool: [[[[…]]]] valid, 500 000 deep', input: '['.repeat(MB / 2) + ']'.repeat(MB / 2), run: extractGeneratedFiles },
    { name: 'adv tool: ..... long token', input: 'saved to ' + fill('.'), run: extractGeneratedFiles },
    { name: 'adv msg: ``` fences x N', input: fill('```\n'), run: (s) => extractMessageMetadata(s) },
    { name: 'adv msg: ]( x N', input: fill(']('), run: (s) => extractMessageMetadata(s) },
    { name: 'adv msg: ` x N', input: fill('`'), run: (s) => extractMessageMetadata(s) },
    { name: 'adv msg: file file file', input: fill('file '), run: extractFileReferences },
    { name: 'adv path: normalisePath 1 MB', input: fill('a/../'), run: normalisePath },
  ];
}

/** Runs every case and returns the measurements (also used by the root bench runner). */
export async function runExtractBench(options: { filter?: (caseName: string) => boolean } = {}): Promise<{ rows: ExtractBenchRow[] }> {
  const rows: ExtractBenchRow[] = [];
  for (const c of cases()) {
    if (options.filter && !options.filter(c.name)) continue;
    const input = flat(c.input);
    const ms = time(() => c.run(input));
    const mb = input.length / MB;
    rows.push({ case: c.name, mb: Number(mb.toFixed(2)), ms: Number(ms.toFixed(2)), mbPerS: Number((mb / (ms / 1000)).toFixed(1)) });
  }
  return { rows };
}

/** The rows as a markdown table. */
export function formatExtractBench(rows: readonly ExtractBenchRow[]): string {
  const lines = ['| case | MB | ms | MB/s | ms per MB |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.case} | ${r.mb} | ${r.ms} | ${r.mbPerS} | ${(r.ms / r.mb).toFixed(1)} |`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await runExtractBench();
  console.log(formatExtractBench(rows));
  const worst = rows.filter((r) => !r.case.startsWith('10 MB') && !r.case.startsWith('calibration')).reduce((a, b) => (b.ms / b.mb > a.ms / a.mb ? b : a));
  console.log(`\nWorst case per MB (1 MB inputs): ${worst.case}: ${(worst.ms / worst.mb).toFixed(1)} ms/MB (target < 50)`);
}
