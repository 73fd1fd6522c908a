import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { Attr } from '@agentspan/semconv';
import { ExecutionEventSpanProcessor } from '../src/index.js';
import { fileSpans, named, setup } from './helpers.js';

test('execution order is per run, in start order, shared by all event types, skipping runs and nodes', () => {
  const { recorder, spans } = setup();
  const a = recorder.startRun({ runId: 'A' });
  const b = recorder.startRun({ runId: 'B' });
  const stepA = a.startNode('s');
  stepA.agentCall({ agent: 'x', content: 'one' });
  b.agentCall({ agent: 'y', content: 'b-one' });
  const tool = stepA.beginToolCall({ agent: 'x', tool: 'slow' });
  stepA.agentCall({ agent: 'x', content: 'three' });
  tool.end({ result: 'ok' });
  stepA.end();
  a.end();
  b.end();
  const all = spans();
  const order = (name: string, run: string) =>
    all.find((s) => s.name === name && s.attributes[Attr.ATTR_RUN_ID] === run)?.attributes[Attr.ATTR_EXECUTION_ORDER];
  assert.equal(order('invoke_agent x', 'A'), 1);
  assert.equal(order('execute_tool slow', 'A'), 2, 'ordered by start, not end');
  assert.equal(all.filter((s) => s.name === 'invoke_agent x')[1]?.attributes[Attr.ATTR_EXECUTION_ORDER], 3);
  assert.equal(order('invoke_agent y', 'B'), 1);
  assert.equal(named(all, 'node s').attributes[Attr.ATTR_EXECUTION_ORDER], undefined);
});

test('a run whose state was evicted by newer runs continues its execution order', () => {
  const { recorder, spans } = setup({ maxTrackedRuns: 2 });
  const long = recorder.startRun({ runId: 'long' });
  long.toolCall({ agent: 'a', tool: 'search' });
  long.toolCall({ agent: 'a', tool: 'write' });
  for (let i = 0; i < 5; i++) recorder.startRun({ runId: `short-${i}` }).toolCall({ agent: 'a', tool: 'x' });
  long.toolCall({ agent: 'a', tool: 'read' });
  long.end();
  const orders = spans()
    .filter((s) => s.attributes[Attr.ATTR_RUN_ID] === 'long' && s.attributes[Attr.ATTR_EXECUTION_ORDER] !== undefined)
    .map((s) => [s.attributes[Attr.ATTR_GEN_AI_TOOL_NAME], s.attributes[Attr.ATTR_EXECUTION_ORDER]]);
  assert.deepEqual(orders, [['search', 1], ['write', 2], ['read', 3]]);
});

test('foreign spans inside step.with() inherit run id, node id and depth', () => {
  const { recorder, spans, provider } = setup();
  const run = recorder.startRun({ runId: 'R' });
  const step = run.startNode('step_1');
  const lib = provider.getTracer('some-lib');
  step.with(() => {
    const outer = lib.startSpan('outer');
    const inner = lib.startSpan('inner', {}, trace.setSpan(context.active(), outer));
    inner.end();
    outer.end();
  });
  lib.startSpan('outside').end();
  step.end();
  run.end();
  const all = spans();
  for (const [name, depth] of [['outer', 2], ['inner', 3]] as const) {
    const s = named(all, name);
    assert.equal(s.attributes[Attr.ATTR_RUN_ID], 'R');
    assert.equal(s.attributes[Attr.ATTR_NODE_ID], 'step_1');
    assert.equal(s.attributes[Attr.ATTR_DEPTH], depth);
    assert.equal(typeof s.attributes[Attr.ATTR_EXECUTION_ORDER], 'number');
  }
  assert.equal(named(all, 'outside').attributes[Attr.ATTR_RUN_ID], undefined);
});

test('code execution: hash, imports, files, errors, and a captured file_gen child per written file', () => {
  const { recorder, spans, workspaceDir, processor } = setup();
  writeFileSync(join(workspaceDir, 'fib.txt'), 'F(0) = 0\nF(1) = 1\n');
  const run = recorder.startRun({ runId: 'R2' });
  const step = run.startNode('step_1');
  step.codeExecution({
    agent: 'executor',
    language: 'python',
    code: 'import numpy as np\nfrom os import path\nwith open("fib.txt", "w") as f:\n    f.write("x")\n',
    output: 'Traceback (most recent call last):\n  File "<stdin>", line 1\nModuleNotFoundError: No module named \'numpy\'\n',
    exitCode: 1,
  });
  step.end();
  run.end();
  const all = spans();
  const code = named(all, 'execute_code executor');
  assert.match(String(code.attributes[Attr.ATTR_CODE_HASH]), /^[0-9a-f]{16}$/);
  assert.deepEqual(code.attributes[Attr.ATTR_CODE_IMPORTS], ['numpy', 'os']);
  assert.deepEqual(code.attributes[Attr.ATTR_CODE_FILES_WRITTEN], ['fib.txt']);
  assert.deepEqual(code.attributes[Attr.ATTR_FILES_GENERATED], ['fib.txt']);
  assert.equal(code.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.equal(code.attributes[Attr.ATTR_ERROR_TYPE], 'ModuleNotFoundError');
  const [file, ...rest] = fileSpans(all);
  assert.equal(rest.length, 0);
  assert.ok(file);
  assert.equal(file.name, 'file_gen fib.txt');
  assert.equal(file.parentSpanContext?.spanId, code.spanContext().spanId);
  assert.equal(file.attributes[Attr.ATTR_RUN_ID], 'R2');
  assert.equal(file.attributes[Attr.ATTR_NODE_ID], 'step_1');
  assert.equal(file.attributes[Attr.ATTR_DEPTH], 3);
  assert.equal(file.attributes[Attr.ATTR_FILE_SOURCE], 'code_execution');
  assert.equal(file.attributes[Attr.ATTR_FILE_CONTENT], 'F(0) = 0\nF(1) = 1\n');
  assert.equal(file.attributes[Attr.ATTR_FILE_HAS_CONTENT], true);
  assert.equal(file.attributes[Attr.ATTR_FILE_SIZE], 18);
  assert.equal(file.attributes[Attr.ATTR_FILE_TYPE], 'txt');
  assert.match(String(file.attributes[Attr.ATTR_FILE_SHA256]), /^[0-9a-f]{64}$/);
  assert.ok(
    Number(file.attributes[Attr.ATTR_EXECUTION_ORDER]) > Number(code.attributes[Attr.ATTR_EXECUTION_ORDER]),
    'the file comes after the execution that wrote it',
  );
  assert.equal(processor.stats().filesCaptured, 1);
});

test('a relative cwd is a directory of the workspace: files written there are found and captured, and a declaration of them is the same file', () => {
  const { recorder, spans, workspaceDir } = setup();
  mkdirSync(join(workspaceDir, 'sub'));
  writeFileSync(join(workspaceDir, 'sub', 'x.txt'), 'hello\n');
  const run = recorder.startRun();
  const step = run.startNode('s');
  step.codeExecution({ agent: 'e', language: 'python', code: "open('x.txt', 'w').write('hello')\n", cwd: 'sub' });
  step.fileGenerated({ agent: 'e', path: 'sub/x.txt' });
  step.end();
  run.end();
  const files = fileSpans(spans());
  const captured = files.find((f) => f.attributes[Attr.ATTR_FILE_HAS_CONTENT] === true);
  assert.ok(captured, 'the file in <workspace>/sub was read');
  assert.equal(captured.attributes[Attr.ATTR_FILE_CONTENT], 'hello\n');
  assert.equal(files.filter((f) => f.attributes[Attr.ATTR_FILE_DUPLICATE] !== true).length, 1, 'one file, not two');
});

test('a code run whose output shows a failure ends with status Error (its message the error message); a run that succeeded stays unset', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.codeExecution({ agent: 'e', language: 'python', code: 'import json\njson.loads("x")\n', output: 'Traceback (most recent call last):\njson.decoder.JSONDecodeError: Expecting value\n', exitCode: 1 });
  run.codeExecution({ agent: 'ok', language: 'python', code: 'print(1)\n', output: '1\n', exitCode: 0 });
  run.end();
  const failed = named(spans(), 'execute_code e');
  assert.equal(failed.status.code, SpanStatusCode.ERROR);
  assert.equal(failed.status.message, 'Expecting value');
  assert.equal(named(spans(), 'execute_code ok').status.code, SpanStatusCode.UNSET);
});

test('a file rewritten with other content later in the same node gets a file_gen for its new version; unchanged, it does not', () => {
  const { recorder, spans, workspaceDir } = setup();
  const out = join(workspaceDir, 'out.txt');
  const run = recorder.startRun();
  const step = run.startNode('s');
  const write = "open('out.txt', 'w').write(x)\n";
  writeFileSync(out, 'version 1\n');
  step.codeExecution({ agent: 'e', language: 'python', code: write });
  step.codeExecution({ agent: 'e', language: 'python', code: write }); // same file, untouched
  writeFileSync(out, 'version 2, longer\n');
  step.codeExecution({ agent: 'e', language: 'python', code: write });
  step.fileGenerated({ agent: 'e', path: 'out.txt' }); // declared after: the same version
  step.end();
  run.end();
  const rows = fileSpans(spans()).filter((f) => f.attributes[Attr.ATTR_FILE_DUPLICATE] !== true);
  assert.deepEqual(rows.map((f) => f.attributes[Attr.ATTR_FILE_CONTENT]), ['version 1\n', 'version 2, longer\n']);
});

test('a declared path is stored normalised like a detected one', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.fileGenerated({ agent: 'e', path: './results/./table.csv' });
  run.end();
  assert.equal(fileSpans(spans())[0]?.attributes[Attr.ATTR_FILE_PATH], 'results/table.csv');
});

test('a file declared after it was detected is marked duplicate (one row), in another node it is not', () => {
  const { recorder, spans, workspaceDir } = setup();
  writeFileSync(join(workspaceDir, 'out.csv'), 'a,b\n1,2\n');
  const run = recorder.startRun();
  const s1 = run.startNode('s1');
  s1.codeExecution({ agent: 'e', language: 'python', code: 'df.to_csv("out.csv")' });
  s1.fileGenerated({ path: 'out.csv' });
  s1.end();
  const s2 = run.startNode('s2');
  s2.fileGenerated({ path: './out.csv' });
  s2.end();
  run.end();
  const files = fileSpans(spans());
  assert.equal(files.length, 3);
  const dup = files.filter((f) => f.attributes[Attr.ATTR_FILE_DUPLICATE] === true);
  assert.equal(dup.length, 1);
  assert.equal(dup[0]?.attributes[Attr.ATTR_FILE_SOURCE], 'explicit');
  assert.equal(dup[0]?.attributes[Attr.ATTR_NODE_ID], 's1');
});

test('capture is confined to the workspace: binary, ../ escape, symlink to /etc/passwd, FIFO, large file', () => {
  const base = mkdtempSync(join(tmpdir(), 'agentspan-sandbox-'));
  const workspaceDir = join(base, 'ws');
  mkdirSync(workspaceDir);
  writeFileSync(join(workspaceDir, 'ok.txt'), 'safe text');
  writeFileSync(join(workspaceDir, 'data.txt'), Buffer.from([0x41, 0x00, 0x42]));
  writeFileSync(join(workspaceDir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(base, 'secret.txt'), 'outside');
  symlinkSync('/etc/passwd', join(workspaceDir, 'passwd.txt'));
  execFileSync('mkfifo', [join(workspaceDir, 'pipe.txt')]);
  writeFileSync(join(workspaceDir, 'big.txt'), 'x'.repeat(2_000_000));
  const { recorder, spans } = setup({ workspaceDir });
  const run = recorder.startRun();
  for (const path of ['ok.txt', 'data.txt', 'image.png', '../secret.txt', 'passwd.txt', 'pipe.txt', 'big.txt', 'missing.txt']) {
    run.fileGenerated({ path });
  }
  run.end();
  const byPath = new Map(fileSpans(spans()).map((s) => [s.attributes[Attr.ATTR_FILE_PATH], s.attributes]));
  assert.equal(byPath.get('ok.txt')?.[Attr.ATTR_FILE_CONTENT], 'safe text');
  const expectations: Record<string, string> = {
    'data.txt': 'binary',
    'image.png': 'not_text',
    '../secret.txt': 'outside_workspace',
    'passwd.txt': 'outside_workspace',
    'pipe.txt': 'not_regular_file',
    'big.txt': 'too_large',
    'missing.txt': 'not_found',
  };
  for (const [path, reason] of Object.entries(expectations)) {
    const a = byPath.get(path);
    assert.ok(a, `a file_gen span for ${path}`);
    assert.equal(a[Attr.ATTR_FILE_SKIP_REASON], reason, path);
    assert.equal(a[Attr.ATTR_FILE_HAS_CONTENT], false, path);
    assert.equal(a[Attr.ATTR_FILE_CONTENT], undefined, path);
  }
  assert.match(String(byPath.get('image.png')?.[Attr.ATTR_FILE_SHA256]), /^[0-9a-f]{64}$/);
});

test('content is cut to 5 KB on a UTF-8 boundary and marked truncated', () => {
  const { recorder, spans, workspaceDir } = setup();
  writeFileSync(join(workspaceDir, 'long.md'), 'é'.repeat(4000)); // 8000 bytes
  const run = recorder.startRun();
  run.fileGenerated({ path: 'long.md' });
  run.end();
  const [f] = fileSpans(spans());
  const content = String(f?.attributes[Attr.ATTR_FILE_CONTENT]);
  assert.equal(Buffer.byteLength(content), 5120);
  assert.ok(!content.includes('\uFFFD'));
  assert.equal(f?.attributes[Attr.ATTR_FILE_TRUNCATED], true);
  assert.equal(f?.attributes[Attr.ATTR_FILE_SIZE], 8000);
});

test('tool results naming files create file_gen spans with source tool_call', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.toolCall({ agent: 'a', tool: 'plot', args: { x: 1 }, result: 'Plot saved to plots/fig1.png' });
  run.toolCall({ agent: 'a', tool: 'export', result: { output_path: 'results/table.csv' } });
  run.end();
  const files = fileSpans(spans()).map((s) => [s.attributes[Attr.ATTR_FILE_PATH], s.attributes[Attr.ATTR_FILE_SOURCE]]);
  assert.deepEqual(files.sort(), [
    ['plots/fig1.png', 'tool_call'],
    ['results/table.csv', 'tool_call'],
  ]);
});

test('a tool that ran code and failed keeps the error type and message its output gave', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.toolCall({
    agent: 'a',
    tool: 'execute_python',
    args: { code: 'import pandas\n' },
    result: "Traceback (most recent call last):\n  File \"<stdin>\", line 1\nModuleNotFoundError: No module named 'pandas'\n",
  });
  run.end();
  const tool = named(spans(), 'execute_tool execute_python');
  assert.equal(tool.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.equal(tool.attributes[Attr.ATTR_ERROR_TYPE], 'ModuleNotFoundError');
  assert.equal(tool.attributes[Attr.ATTR_ERROR_MESSAGE], "No module named 'pandas'");
});

test('agent messages get file references and code block metadata, and create no files', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.agentCall({ agent: 'eng', content: 'I saved the data to results.csv.\n```python\nprint(1)\n```' });
  run.end();
  const a = named(spans(), 'invoke_agent eng').attributes;
  assert.deepEqual(a[Attr.ATTR_MESSAGE_FILE_REFS], ['results.csv']);
  assert.equal(a[Attr.ATTR_MESSAGE_HAS_CODE], true);
  assert.deepEqual(a[Attr.ATTR_MESSAGE_CODE_LANGUAGES], ['python']);
  assert.equal(fileSpans(spans()).length, 0);
});

test('a code block an agent proposed and the code an executor ran have the same hash', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const code = 'import json\nwith open("out.json", "w") as f:\n    json.dump({"a": 1}, f)';
  run.agentCall({ agent: 'engineer', content: `Run this:\n\n- step\n  \`\`\`python\n  ${code.replaceAll('\n', '\n  ')}\n  \`\`\`\nand\n\`\`\`python\n${code}\n\`\`\`\n\`\`\`sh\nls\n\`\`\`` });
  run.codeExecution({ agent: 'executor', language: 'python', code, output: '', exitCode: 0 });
  run.agentCall({ agent: 'critic', content: 'no code here' });
  run.end();
  const executed = named(spans(), 'execute_code executor').attributes[Attr.ATTR_CODE_HASH];
  const proposed = named(spans(), 'invoke_agent engineer').attributes[Attr.ATTR_MESSAGE_CODE_HASHES] as string[];
  assert.equal(proposed.length, 2, 'the two copies of the block hash alike (once), and the shell block');
  assert.equal(proposed[0], executed);
  assert.equal(named(spans(), 'invoke_agent critic').attributes[Attr.ATTR_MESSAGE_CODE_HASHES], undefined);
});

test('secrets are redacted in every attribute before exporters see them', () => {
  const { recorder, spans } = setup();
  const key = 'sk-proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4';
  const run = recorder.startRun({ task: `use ${key}` });
  run.codeExecution({ agent: 'e', language: 'python', code: `client = OpenAI(api_key="${key}")`, output: key });
  run.toolCall({ agent: 'e', tool: 'http', args: { url: 'postgres://bob:hunter22@db:5432/x' } });
  run.end();
  for (const s of spans()) {
    for (const v of Object.values(s.attributes)) assert.ok(!String(v).includes(key) && !String(v).includes('hunter22'));
  }
  const code = named(spans(), 'execute_code e');
  assert.ok(Number(code.attributes[Attr.ATTR_REDACTIONS]) >= 2);
  assert.match(String(code.attributes[Attr.ATTR_CODE_CONTENT]), /\[REDACTED:[a-z_]+\]/);
});

test('captureContent: false keeps metadata and drops content', () => {
  const { recorder, spans, workspaceDir } = setup({ captureContent: false });
  writeFileSync(join(workspaceDir, 'r.txt'), 'result');
  const run = recorder.startRun();
  run.codeExecution({ agent: 'e', language: 'python', code: 'import os\nopen("r.txt","w")', output: 'done' });
  run.toolCall({ agent: 'e', tool: 't', args: { q: 1 }, result: 'fine' });
  run.agentCall({ agent: 'a', content: 'see r.txt' });
  run.end();
  const code = named(spans(), 'execute_code e').attributes;
  assert.equal(code[Attr.ATTR_CODE_CONTENT], undefined);
  assert.equal(code[Attr.ATTR_CODE_OUTPUT], undefined);
  assert.deepEqual(code[Attr.ATTR_CODE_IMPORTS], ['os']);
  assert.match(String(code[Attr.ATTR_CODE_HASH]), /^[0-9a-f]{16}$/);
  const tool = named(spans(), 'execute_tool t').attributes;
  assert.equal(tool[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], undefined);
  assert.deepEqual(tool[Attr.ATTR_TOOL_ARGS_KEYS], ['q']);
  assert.equal(named(spans(), 'invoke_agent a').attributes[Attr.ATTR_MESSAGE_CONTENT], undefined);
  const [file] = fileSpans(spans());
  assert.equal(file?.attributes[Attr.ATTR_FILE_CONTENT], undefined);
  assert.equal(file?.attributes[Attr.ATTR_FILE_SIZE], 6);
  assert.equal(file?.attributes[Attr.ATTR_FILE_HAS_CONTENT], false);
});

test('captureContent and fileCapture.enabled given as anything but a boolean throw at construction, not treated as true', () => {
  for (const value of ['false', 'no', 0, 1, null]) {
    assert.throws(
      () => new ExecutionEventSpanProcessor({ captureContent: value as unknown as boolean }),
      (err: Error) => err instanceof TypeError && /captureContent must be true or false/.test(err.message) && err.message.includes(String(value)),
    );
    assert.throws(
      () => new ExecutionEventSpanProcessor({ fileCapture: { enabled: value as unknown as boolean } }),
      (err: Error) => err instanceof TypeError && /fileCapture\.enabled must be true or false/.test(err.message),
    );
  }
  assert.doesNotThrow(() => new ExecutionEventSpanProcessor({ captureContent: false, fileCapture: { enabled: true } }));
});

test('hostile content never makes the processor throw', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const nasty = ['\u0000'.repeat(1000), '\uD800open("x","w")', '('.repeat(100_000), 'open('.repeat(50_000), 'x'.repeat(3_000_000)];
  for (const s of nasty) {
    assert.doesNotThrow(() => run.codeExecution({ agent: 'e', code: s, output: s }));
    assert.doesNotThrow(() => run.toolCall({ agent: 'e', tool: 't', args: { code: s }, result: s }));
    assert.doesNotThrow(() => run.agentCall({ agent: 'e', content: s }));
    assert.doesNotThrow(() => run.fileGenerated({ path: s }));
  }
  run.end();
  assert.ok(spans().length >= nasty.length * 4, `got ${spans().length} spans`);
});
