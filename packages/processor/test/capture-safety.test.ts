/**
 * File capture at its boundaries: secrets across the content cut, a parent
 * directory swapped for a symlink while capturing, roots that change, odd
 * but legal names, NUL bytes late in a long content window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRecorder, safeText } from '@agentspan/instrumentation';
import fc from 'fast-check';
import { TRUNCATION_MARK, createRedactor } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { ExecutionEventSpanProcessor, captureFile } from '../src/index.js';
import { REDACTION_LOOKAHEAD_BYTES } from '../src/file-capture.js';
import { fileSpans, setup } from './helpers.js';

function capturedByPath(spans: ReturnType<ReturnType<typeof setup>['spans']>) {
  return new Map(fileSpans(spans).map((s) => [s.attributes[Attr.ATTR_FILE_PATH], s.attributes]));
}

test('a secret crossing the 5 KB cut is redacted whole: no prefix of it is kept', () => {
  const { recorder, spans, workspaceDir } = setup();
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  writeFileSync(join(workspaceDir, 'config.py'), '#'.repeat(5120 - 20) + '\nKEY = ' + key + '\n');
  writeFileSync(join(workspaceDir, 'aws.txt'), 'x'.repeat(5120 - 12) + ' ' + aws + '\n');
  const run = recorder.startRun();
  run.fileGenerated({ path: 'config.py' });
  run.fileGenerated({ path: 'aws.txt' });
  run.end();
  const byPath = capturedByPath(spans());
  for (const [path, secret] of [['config.py', key], ['aws.txt', aws]] as const) {
    const a = byPath.get(path);
    const content = String(a?.[Attr.ATTR_FILE_CONTENT]);
    assert.ok(Buffer.byteLength(content) <= 5120, path);
    for (let n = 6; n <= secret.length; n++) assert.ok(!content.includes(secret.slice(0, n)), `${path} keeps ${secret.slice(0, n)}`);
    assert.equal(a?.[Attr.ATTR_FILE_TRUNCATED], true, path);
    assert.ok(Number(a?.[Attr.ATTR_REDACTIONS]) >= 1, path);
  }
});

test('a secret cut by the end of the redaction window is redacted too, when an earlier secret shrank enough to keep it', () => {
  const { recorder, spans, workspaceDir } = setup();
  // A PEM key of about 9.6 KB shrinks to a short tag, so the 5 KB kept reach the end of the 13 KB window
  // redaction reads; a token straddling that end is cut there, too short for its rule.
  const body = Array.from({ length: 150 }, () => 'MIIEowIBAAKCAQEAq'.padEnd(64, 'q')).join('\n');
  const pem = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
  const windowEnd = 5120 + 8192;
  const head = pem + 'x'.repeat(windowEnd - 20 - pem.length - 'GITHUB_TOKEN '.length) + 'GITHUB_TOKEN ';
  writeFileSync(join(workspaceDir, 'env.txt'), head + token + '\nmore\n' + 'y'.repeat(100));
  const run = recorder.startRun();
  run.fileGenerated({ path: 'env.txt' });
  run.end();
  const content = String(capturedByPath(spans()).get('env.txt')?.[Attr.ATTR_FILE_CONTENT]);
  assert.ok(content.includes('GITHUB_TOKEN '), 'the kept content reaches the token');
  for (let n = 6; n <= token.length; n++) assert.ok(!content.includes(token.slice(0, n)), `keeps ${token.slice(0, n)}`);
});

test('the recorder cuts values with the mark the redactor recognises as a cut', () => {
  assert.ok(safeText('x'.repeat(20), 10).text.endsWith(TRUNCATION_MARK));
});

test('without redaction the content is the first 5 KB exactly', () => {
  const { recorder, spans, workspaceDir } = setup({ redaction: false });
  const text = 'x'.repeat(5120 - 12) + ' AKIAIOSFODNN7EXAMPLE\n';
  writeFileSync(join(workspaceDir, 'aws.txt'), text);
  const run = recorder.startRun();
  run.fileGenerated({ path: 'aws.txt' });
  run.end();
  assert.equal(capturedByPath(spans()).get('aws.txt')?.[Attr.ATTR_FILE_CONTENT], text.slice(0, 5120));
});

test('a parent directory swapped for a symlink to outside while capturing never leaks the outside file', async () => {
  const base = mkdtempSync(join(tmpdir(), 'agentspan-race-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, 'sub'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(ws, 'sub', 'notes.txt'), 'inside');
  writeFileSync(join(base, 'outside', 'notes.txt'), 'OUTSIDE');
  // Another process swaps ws/sub between the real directory and a symlink to ../outside, as fast as it can.
  const swapper = `const fs = require('node:fs'); const ws = process.argv[1]; const end = Date.now() + 20000;
    while (Date.now() < end) {
      try { fs.renameSync(ws + '/sub', ws + '/sub.real'); fs.symlinkSync('../outside', ws + '/sub'); } catch {}
      try { fs.unlinkSync(ws + '/sub'); fs.renameSync(ws + '/sub.real', ws + '/sub'); } catch {}
    }`;
  const child = spawn(process.execPath, ['-e', swapper, ws], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const seen = new Map<string, number>();
    // At least 2.5 s of captures, and on until the swapper was seen at work: on a loaded machine its process
    // may start late (a full test run at concurrency 2), and a window it never ran in proves nothing.
    const started = Date.now();
    while (Date.now() < started + 2500 || ((seen.get('outside_workspace') ?? 0) === 0 && Date.now() < started + 15_000)) {
      const r = captureFile('sub/notes.txt', undefined, { roots: [ws] });
      const k = r.hasContent ? String(r.content) : String(r.skipReason);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    assert.equal(seen.get('OUTSIDE'), undefined, `outside content captured: ${JSON.stringify([...seen])}`);
    assert.ok((seen.get('outside_workspace') ?? 0) > 0, `the race was exercised: ${JSON.stringify([...seen])}`);
  } finally {
    child.kill();
    rmSync(base, { recursive: true, force: true });
  }
});

test('roots are resolved at each capture: a re-pointed symlink root, a root created late', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'agentspan-roots-')));
  mkdirSync(join(base, 'run1'));
  mkdirSync(join(base, 'run2'));
  writeFileSync(join(base, 'run1', 'a.txt'), 'one');
  writeFileSync(join(base, 'run2', 'b.txt'), 'two');
  const current = join(base, 'current');
  symlinkSync('run1', current);
  const late = join(base, 'late');
  const options = { roots: [current, late] };
  assert.equal(captureFile('a.txt', undefined, options).content, 'one');
  assert.equal(captureFile(join(late, 'c.txt'), undefined, options).skipReason, 'not_found');
  rmSync(current);
  symlinkSync('run2', current);
  mkdirSync(late);
  writeFileSync(join(late, 'c.txt'), 'three');
  assert.equal(captureFile('b.txt', undefined, options).content, 'two');
  assert.equal(captureFile(join(base, 'run1', 'a.txt'), undefined, options).skipReason, 'outside_workspace');
  assert.equal(captureFile(join(late, 'c.txt'), undefined, options).content, 'three');
});

test('names starting with two dots are inside the workspace; .. steps are not', () => {
  const base = mkdtempSync(join(tmpdir(), 'agentspan-dots-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, '..cache'), { recursive: true });
  writeFileSync(join(ws, '..notes.txt'), 'odd name');
  writeFileSync(join(ws, '..cache', 'x.txt'), 'odd dir');
  writeFileSync(join(base, 'secret.txt'), 'outside');
  const options = { roots: [ws] };
  assert.equal(captureFile('..notes.txt', undefined, options).content, 'odd name');
  assert.equal(captureFile('..cache/x.txt', undefined, options).content, 'odd dir');
  assert.equal(captureFile('../secret.txt', undefined, options).skipReason, 'outside_workspace');
  assert.equal(captureFile('..cache/../../secret.txt', undefined, options).skipReason, 'outside_workspace');
});

test('a content window longer than 8 KB is checked for NUL bytes over its whole length', () => {
  const ws = mkdtempSync(join(tmpdir(), 'agentspan-nul-'));
  writeFileSync(join(ws, 'late-nul.txt'), Buffer.concat([Buffer.from('a'.repeat(10_000)), Buffer.from([0]), Buffer.from('b'.repeat(100))]));
  const r = captureFile('late-nul.txt', undefined, { roots: [ws], maxContentBytes: 16_384 });
  assert.equal(r.hasContent, false);
  assert.equal(r.skipReason, 'binary');
  assert.equal(captureFile('late-nul.txt', undefined, { roots: [ws] }).content, 'a'.repeat(5120), 'the default 5 KB window holds no NUL');
  const redact = (text: string) => ({ text, redactions: 0 });
  assert.equal(
    captureFile('late-nul.txt', undefined, { roots: [ws], redact }).content,
    'a'.repeat(5120),
    'a NUL in the look-ahead only redaction reads does not make the file binary',
  );
  // A redacted secret shortens the text: what is kept then reaches into the look-ahead, NUL included.
  const key = 'sk-proj-' + 'A'.repeat(4000);
  writeFileSync(join(ws, 'shifted.txt'), Buffer.concat([Buffer.from(`KEY = ${key}\n` + 'b'.repeat(5000)), Buffer.from([0]), Buffer.from('c'.repeat(100))]));
  const shrink = (text: string) => ({ text: text.replace(key, '[REDACTED]'), redactions: text.includes(key) ? 1 : 0 });
  assert.equal(captureFile('shifted.txt', undefined, { roots: [ws], redact: shrink }).skipReason, 'binary');
});

test('captureContent: false holds even when another processor throws while a file_gen child span starts', () => {
  const flaky: SpanProcessor = {
    onStart(span) {
      if ((span as unknown as { attributes: Record<string, unknown> }).attributes[Attr.ATTR_EVENT_TYPE] === 'file_gen') throw new Error('downstream bug');
    },
    onEnd() {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const exporter = new InMemorySpanExporter();
  const processor = new ExecutionEventSpanProcessor({ workspaceDir: mkdtempSync(join(tmpdir(), 'agentspan-strip-')), captureContent: false });
  const provider = new BasicTracerProvider({ spanProcessors: [processor, flaky, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const run = createRecorder({ tracerProvider: provider }).startRun();
  run.codeExecution({ agent: 'e', language: 'python', code: 'PATIENT = "Jane Doe"\nopen("report.txt", "w")', output: 'private output' });
  run.end();
  const code = exporter.getFinishedSpans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'code_exec');
  assert.ok(code);
  assert.equal(processor.stats().failures, 1, 'the failure is counted');
  assert.equal(code.attributes[Attr.ATTR_CODE_CONTENT], undefined);
  assert.equal(code.attributes[Attr.ATTR_CODE_OUTPUT], undefined);
});

test('a compound text extension on the list (.env.example) is captured', () => {
  const ws = mkdtempSync(join(tmpdir(), 'agentspan-ext-'));
  writeFileSync(join(ws, 'app.env.example'), 'API_URL=https://example.test\n');
  writeFileSync(join(ws, 'app.example'), 'not on the list');
  assert.equal(captureFile('app.env.example', undefined, { roots: [ws] }).content, 'API_URL=https://example.test\n');
  assert.equal(captureFile('app.example', undefined, { roots: [ws] }).skipReason, 'not_text');
});

test('a file that is not UTF-8 (Latin-1 with a run of 0xA0) keeps 5 KB of content, no more, with redaction on or off', () => {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'agentspan-latin1-')));
  writeFileSync(join(ws, 'notes.txt'), Buffer.concat([Buffer.from('Résumé: '), Buffer.alloc(20_000, 0xa0)]));
  const redactor = createRedactor();
  for (const redact of [undefined, (t: string, cut: boolean) => redactor.redact(t, { cutAtEnd: cut })]) {
    const c = captureFile('notes.txt', undefined, { roots: [ws], redact });
    assert.equal(c.hasContent, true);
    const bytes = Buffer.byteLength(c.content ?? '');
    // Not cut back to the last valid character before the run (8 bytes), and not 3× the bound either.
    assert.ok(bytes > 5000 && bytes <= 5120, `${bytes} bytes kept (redaction ${redact ? 'on' : 'off'})`);
    assert.equal(c.truncated, true);
  }
});

test('captured content is at most maxContentBytes of UTF-8, never splits a character, and is the file\'s start when it is UTF-8 (property)', () => {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'agentspan-utf8-')));
  const redactor = createRedactor();
  const path = join(ws, 'f.txt');
  const noNul = (b: Uint8Array) => Buffer.from(b.map((x) => (x === 0 ? 0x20 : x)));
  const bytes = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }).map((s) => Buffer.from(s.replaceAll('\u0000', ' '), 'utf8')),
    fc.uint8Array({ maxLength: 300 }).map(noNul),
    fc.array(fc.constantFrom(0xa0, 0x80, 0xbf, 0xe2, 0xf0, 0x41), { maxLength: 300 }).map((a) => Buffer.from(a)),
  );
  fc.assert(
    fc.property(bytes, fc.integer({ min: 1, max: 64 }), fc.boolean(), (data, max, withRedaction) => {
      writeFileSync(path, data);
      const redact = withRedaction ? (t: string, cut: boolean) => redactor.redact(t, { cutAtEnd: cut }) : undefined;
      const c = captureFile(path, undefined, { roots: [ws], maxContentBytes: max, redact });
      assert.equal(c.hasContent, true);
      const content = c.content ?? '';
      assert.ok(Buffer.byteLength(content) <= max, `${Buffer.byteLength(content)} > ${max}`);
      assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(content), 'no lone surrogate');
      const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
      const valid = Buffer.from(text, 'utf8').equals(data);
      if (valid && !withRedaction) {
        assert.ok(text.startsWith(content), 'a prefix of the file');
        assert.ok(Buffer.byteLength(content) > max - 4 || content === text, 'cut at most one character short');
      }
    }),
    { numRuns: 300 },
  );
});

/** The start of `data` as TextDecoder reads the whole file, cut to at most `max` bytes of UTF-8 on a character boundary. */
function decodedStart(data: Buffer, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of new TextDecoder('utf-8', { fatal: false }).decode(data)) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

test('with redaction off, captured content is exactly the start of the file as TextDecoder reads the whole of it, whatever the bytes (property)', () => {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'agentspan-cut-')));
  const path = join(ws, 'f.txt');
  // Valid characters, stray continuation bytes (Latin-1 0xA0), leads with and without their sequence.
  const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc2, max: 0xf4 }), fc.constantFrom(0xc0, 0xe9, 0xf5, 0xff));
  const chunk = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }).map((s) => [...Buffer.from(s.replaceAll('\u0000', ' '), 'utf8')]), fc.array(byte, { maxLength: 12 }));
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (chunks, max) => {
      const data = Buffer.from(chunks.flat());
      writeFileSync(path, data);
      const c = captureFile(path, undefined, { roots: [ws], maxContentBytes: max });
      assert.equal(c.content, decodedStart(data, max), data.toString('hex'));
      assert.equal(c.truncated, Buffer.byteLength(new TextDecoder().decode(data)) > max);
    }),
    { numRuns: 800 },
  );
  // `ʠ` (0xCA 0xA0) then stray 0xA0 bytes: the cut fell on a continuation byte three past `ʠ`'s start and dropped it.
  writeFileSync(path, Buffer.from([0x6b, 0x67, 0x6d, 0xca, 0xa0, 0xa0, 0xa0]));
  assert.equal(captureFile(path, undefined, { roots: [ws], maxContentBytes: 6 }).content, 'kgmʠ');
  writeFileSync(path, Buffer.from([0x5e, 0xbb]));
  assert.equal(captureFile(path, undefined, { roots: [ws], maxContentBytes: 1 }).content, '^');
  // 0xF0 0x80 is no sequence (0xF0 needs 0x90..0xBF next): one U+FFFD for 0xF0, which fits the 4 bytes.
  writeFileSync(path, Buffer.from([0x41, 0xf0, 0x80, 0x80, 0x80]));
  assert.equal(captureFile(path, undefined, { roots: [ws], maxContentBytes: 4 }).content, 'A\ufffd');
});

test('a redaction that shrinks the text by the whole look-ahead still keeps every character before the window\'s end, stray continuation bytes after it or not (property)', () => {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'agentspan-cut-')));
  const path = join(ws, 'f.txt');
  // The look-ahead, all of it removed by the "redaction": what is kept is the window's end.
  const head = Buffer.alloc(REDACTION_LOOKAHEAD_BYTES, 0x61);
  const redact = (t: string) => ({ text: t.slice(REDACTION_LOOKAHEAD_BYTES), redactions: 0 });
  // Valid characters and stray continuation bytes: each decodes on its own, so the window's cut is exact.
  const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).map((s) => Buffer.from(s.replaceAll('\u0000', ' '), 'utf8')), fc.integer({ min: 0x80, max: 0xbf }).map((b) => Buffer.from([b])));
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 60 }), fc.integer({ min: 1, max: 64 }), (units, max) => {
      const tail = Buffer.concat(units);
      writeFileSync(path, Buffer.concat([head, tail]));
      const c = captureFile(path, undefined, { roots: [ws], maxContentBytes: max, redact });
      const whole = new TextDecoder().decode(tail);
      // Every character whose bytes end by the window's end is kept, as far as the bound allows.
      let expected = '';
      let raw = 0;
      let bytes = 0;
      for (const u of units) {
        const ch = new TextDecoder().decode(u);
        raw += u.length;
        bytes += Buffer.byteLength(ch, 'utf8');
        if (raw > max || bytes > max) break;
        expected += ch;
      }
      assert.equal(c.content, expected, tail.toString('hex'));
      assert.ok(whole.startsWith(expected));
    }),
    { numRuns: 800 },
  );
});

test("a file's redaction count is of what is stored: secrets only in the look-ahead past the cut are not counted", () => {
  const { recorder, spans, workspaceDir, processor } = setup();
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  // Clean for 5 KB, then secrets the look-ahead reads but the content never holds.
  writeFileSync(join(workspaceDir, 'late.txt'), 'x'.repeat(6000) + ` ${aws}\nKEY = ${key}\n` + 'y'.repeat(100));
  // One secret kept, one only in the look-ahead.
  writeFileSync(join(workspaceDir, 'one.txt'), `KEY = ${key}\n` + 'x'.repeat(6000) + ` ${aws}\n`);
  // A secret crossing the cut: its tag starts in what is kept (cut into or not), so it counts.
  writeFileSync(join(workspaceDir, 'cross.txt'), 'x'.repeat(5120 - 10) + ` ${aws}\n` + 'z'.repeat(7000) + ` ${key}\n`);
  // The file itself holds the redactor's tag text past the cut, and no secret.
  writeFileSync(join(workspaceDir, 'tagged.txt'), 'x'.repeat(6000) + ' [REDACTED:aws_access_key] [REDACTED:openai_key]\n');
  const run = recorder.startRun();
  for (const path of ['late.txt', 'one.txt', 'cross.txt', 'tagged.txt']) run.fileGenerated({ path });
  run.end();
  const byPath = capturedByPath(spans());
  const count = (path: string) => byPath.get(path)?.[Attr.ATTR_REDACTIONS];
  const content = (path: string) => String(byPath.get(path)?.[Attr.ATTR_FILE_CONTENT]);
  assert.ok(!content('late.txt').includes('[REDACTED'));
  assert.equal(count('late.txt'), undefined, 'nothing redacted in what is stored');
  assert.equal(count('one.txt'), 1);
  assert.ok(content('cross.txt').includes('[REDACT'), content('cross.txt').slice(-40));
  assert.equal(count('cross.txt'), 1);
  assert.equal(count('tagged.txt'), undefined);
  assert.equal(processor.stats().redactions, 2, 'the processor counts what it stored too');
});
