/**
 * Values the processor copies out of what it was given (declared file paths,
 * span names, names of other instrumentations) are bounded: a hostile 2 MB
 * path or span name is cut, on a code-point boundary, and marked as the
 * package marks its other cuts (`…[truncated]` and `agentspan.truncated`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { TRUNCATION_MARK, createRedactor } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { fileSpans, setup } from './helpers.js';

/** The bounds the README documents: Linux's PATH_MAX for paths, the recorder's bound for names. */
const MAX_PATH_CHARS = 4096;
const MAX_NAME_CHARS = 200;
const HUGE = 2_000_000;

/** A string of `length` UTF-16 units whose character at `at` (0-based) is an emoji (a surrogate pair starting there). */
function longWithPairAt(prefix: string, length: number, at: number): string {
  const head = prefix + 'a'.repeat(at - prefix.length) + '😀';
  return head + 'b'.repeat(length - head.length);
}

/** `value` was cut to `max` units (one fewer before a surrogate pair), marked, and no surrogate was split. */
function assertCut(value: unknown, max: number, what: string): void {
  assert.equal(typeof value, 'string', what);
  const s = value as string;
  assert.ok(s.endsWith(TRUNCATION_MARK), `${what} is not marked as cut`);
  const body = s.slice(0, -TRUNCATION_MARK.length);
  assert.ok(body.length <= max && body.length >= max - 1, `${what}: ${body.length} units kept`);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(body), `${what} splits a surrogate pair`);
}

test('a declared file path longer than 4096 characters is stored cut and marked, and no file is looked up by it', () => {
  const { provider, processor, spans } = setup();
  const path = longWithPairAt('dir/', HUGE, MAX_PATH_CHARS - 1);
  const attributes: Attributes = { [Attr.ATTR_EVENT_TYPE]: 'file_gen', [Attr.ATTR_RUN_ID]: 'paths', [Attr.ATTR_FILE_PATH]: path };
  provider.getTracer('t').startSpan('file_gen declared', { attributes }).end();
  const span = fileSpans(spans())[0];
  assert.ok(span);
  const a = span.attributes;
  assertCut(a[Attr.ATTR_FILE_PATH], MAX_PATH_CHARS, 'file.path');
  assertCut(a[Attr.ATTR_FILE_RESOLVED_PATH], MAX_PATH_CHARS, 'file.resolved_path');
  assert.equal(a[Attr.ATTR_TRUNCATED], true);
  assert.equal(a[Attr.ATTR_FILE_SKIP_REASON], 'path_too_long');
  assert.equal(a[Attr.ATTR_FILE_HAS_CONTENT], false);
  assert.equal(processor.stats().failures, 0);
});

test('a path at the bound is kept whole and unmarked', () => {
  const { provider, spans, workspaceDir } = setup();
  writeFileSync(join(workspaceDir, 'short.txt'), 'hello');
  const tracer = provider.getTracer('t');
  tracer.startSpan('file_gen short', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'file_gen', [Attr.ATTR_FILE_PATH]: 'short.txt' } }).end();
  const a = fileSpans(spans())[0]?.attributes ?? {};
  assert.equal(a[Attr.ATTR_FILE_PATH], 'short.txt');
  assert.equal(a[Attr.ATTR_FILE_CONTENT], 'hello');
  assert.equal(a[Attr.ATTR_TRUNCATED], undefined);
});

test('a long cwd does not make a detected file\'s resolved path unbounded; declared files.generated entries are bounded too', () => {
  const { provider, processor, spans } = setup();
  const cwd = longWithPairAt('work/', HUGE, MAX_PATH_CHARS - 40);
  const declared = longWithPairAt('gen/', HUGE, MAX_PATH_CHARS - 1);
  provider
    .getTracer('t')
    .startSpan('code', {
      attributes: {
        [Attr.ATTR_EVENT_TYPE]: 'code_exec',
        [Attr.ATTR_RUN_ID]: 'cwd-run',
        [Attr.ATTR_CODE_LANGUAGE]: 'python',
        [Attr.ATTR_CODE_CONTENT]: "with open('out.txt', 'w') as f:\n    f.write('x')\n",
        [Attr.ATTR_CODE_CWD]: cwd,
        [Attr.ATTR_FILES_GENERATED]: [declared, 'small.txt'],
      },
    })
    .end();
  const all = spans();
  const file = fileSpans(all)[0];
  assert.ok(file, 'the detected file still gets its file_gen span');
  assert.equal(file.attributes[Attr.ATTR_FILE_PATH], 'out.txt');
  assertCut(file.attributes[Attr.ATTR_FILE_RESOLVED_PATH], MAX_PATH_CHARS, 'file.resolved_path');
  assert.equal(file.attributes[Attr.ATTR_FILE_SKIP_REASON], 'path_too_long');
  const code = all.find((s) => s.name === 'code');
  const generated = code?.attributes[Attr.ATTR_FILES_GENERATED] as string[];
  assertCut(generated[0], MAX_PATH_CHARS, 'files.generated[0]');
  assert.deepEqual(generated.slice(1), ['small.txt', 'out.txt']);
  assert.equal(code?.attributes[Attr.ATTR_TRUNCATED], true);
  assert.equal(processor.stats().failures, 0);
});

test('span names copied into agent and tool names are cut at 200 characters and marked', () => {
  const { provider, processor, spans } = setup();
  const tracer = provider.getTracer('other');
  const longName = longWithPairAt('', HUGE, MAX_NAME_CHARS - 1);
  // OpenInference names an agent after its span; its model turn takes the agent's name.
  const agent = tracer.startSpan(longName, { attributes: { 'openinference.span.kind': 'AGENT' } });
  const inAgent = trace.setSpan(context.active(), agent);
  tracer.startSpan('llm', { attributes: { 'openinference.span.kind': 'LLM', 'llm.output_messages.0.message.content': 'hi' } }, inAgent).end();
  agent.end();
  // GenAI names agents and tools in their span names.
  tracer.startSpan(`invoke_agent ${longName}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }).end();
  tracer.startSpan(`execute_tool ${longName}`, { attributes: { 'gen_ai.operation.name': 'execute_tool' } }).end();
  // OpenLLMetry names a tool after its span; OpenInference too.
  tracer.startSpan(longName, { attributes: { 'traceloop.span.kind': 'tool' } }).end();
  tracer.startSpan(longName, { attributes: { 'openinference.span.kind': 'TOOL' } }).end();
  const all = spans();
  const byKind = (kind: string, convention: string) =>
    all.filter((s) => s.attributes[Attr.ATTR_MAPPED_FROM] === convention && (s.attributes['openinference.span.kind'] ?? s.attributes['traceloop.span.kind'] ?? s.attributes['gen_ai.operation.name']) === kind);
  const oiAgent = byKind('AGENT', 'openinference')[0];
  const oiTurn = byKind('LLM', 'openinference')[0];
  assertCut(oiAgent?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], MAX_NAME_CHARS, 'OpenInference agent name');
  assert.equal(oiTurn?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], oiAgent?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], 'the turn takes the same cut name');
  assert.equal(oiTurn?.attributes[Attr.ATTR_TRUNCATED], true);
  assertCut(byKind('invoke_agent', 'gen_ai')[0]?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], MAX_NAME_CHARS, 'GenAI agent name');
  assertCut(byKind('execute_tool', 'gen_ai')[0]?.attributes[Attr.ATTR_GEN_AI_TOOL_NAME], MAX_NAME_CHARS, 'GenAI tool name');
  assertCut(byKind('tool', 'traceloop')[0]?.attributes[Attr.ATTR_GEN_AI_TOOL_NAME], MAX_NAME_CHARS, 'OpenLLMetry tool name');
  assertCut(byKind('TOOL', 'openinference')[0]?.attributes[Attr.ATTR_GEN_AI_TOOL_NAME], MAX_NAME_CHARS, 'OpenInference tool name');
  for (const s of all) assert.equal(s.attributes[Attr.ATTR_TRUNCATED], true, s.name.slice(0, 40));
  assert.equal(processor.stats().failures, 0);
});

test("a long agent name of an envelope is cut before it names the spans under it, and the envelope's own is cut in place", () => {
  const { provider, spans } = setup();
  const tracer = provider.getTracer('other');
  const longName = 'planner-'.repeat(HUGE / 8);
  const envelope = tracer.startSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': longName } });
  tracer
    .startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm'.repeat(HUGE) } }, trace.setSpan(context.active(), envelope))
    .end();
  envelope.end();
  const byName = new Map(spans().map((s) => [s.name, s.attributes]));
  assertCut(byName.get('chat m')?.[Attr.ATTR_GEN_AI_AGENT_NAME], MAX_NAME_CHARS, 'turn agent name');
  assertCut(byName.get('invoke_agent')?.[Attr.ATTR_GEN_AI_AGENT_NAME], MAX_NAME_CHARS, 'envelope agent name');
  assert.equal(byName.get('chat m')?.[Attr.ATTR_GEN_AI_AGENT_NAME], byName.get('invoke_agent')?.[Attr.ATTR_GEN_AI_AGENT_NAME]);
  // The model is a name as well (agentspan's recorder bounds it the same way).
  assertCut(byName.get('chat m')?.[Attr.ATTR_GEN_AI_REQUEST_MODEL], MAX_NAME_CHARS, 'model');
});

test('a token cut by the name bound is redacted as cut short (the mark is what the rules read)', () => {
  const { provider, spans } = setup();
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
  const name = 'x'.repeat(MAX_NAME_CHARS - 20) + ' ' + token;
  provider.getTracer('other').startSpan(`execute_tool ${name}`, { attributes: { 'gen_ai.operation.name': 'execute_tool' } }).end();
  const tool = String(spans()[0]?.attributes[Attr.ATTR_GEN_AI_TOOL_NAME]);
  assert.ok(!tool.includes(token.slice(0, 8)), tool.slice(-60));
  assert.ok(tool.endsWith(TRUNCATION_MARK), tool.slice(-60));
  assert.equal(createRedactor().redact(tool).redactions, 0, 'nothing left for the rules');
});

/** The bound on the entries of `agentspan.files.generated` the README documents (`@agentspan/extract`'s bound on any list it returns). */
const MAX_FILES_GENERATED = 1000;

test('a declared files.generated list of 100 000 entries is cut to 1000, keeps the files detected, and is marked', () => {
  const { provider, processor, spans } = setup();
  const declared = Array.from({ length: 100_000 }, (_, i) => `gen/${i}.txt`);
  provider
    .getTracer('t')
    .startSpan('code', {
      attributes: {
        [Attr.ATTR_EVENT_TYPE]: 'code_exec',
        [Attr.ATTR_RUN_ID]: 'many-files',
        [Attr.ATTR_CODE_LANGUAGE]: 'python',
        [Attr.ATTR_CODE_CONTENT]: "with open('out.txt', 'w') as f:\n    f.write('x')\n",
        [Attr.ATTR_FILES_GENERATED]: declared,
      },
    })
    .end();
  const code = spans().find((s) => s.name === 'code');
  const generated = code?.attributes[Attr.ATTR_FILES_GENERATED] as string[];
  assert.equal(generated.length, MAX_FILES_GENERATED);
  assert.deepEqual(generated.slice(0, 2), ['gen/0.txt', 'gen/1.txt'], 'the first declared entries are kept, in order');
  assert.equal(generated.at(-1), 'out.txt', 'the file detected is kept');
  assert.equal(code?.attributes[Attr.ATTR_TRUNCATED], true);
  assert.equal(processor.stats().failures, 0);
});

test('a declared files.generated list that fits with the files detected is kept whole and unmarked', () => {
  const { provider, spans } = setup();
  const declared = Array.from({ length: MAX_FILES_GENERATED - 1 }, (_, i) => `gen/${i}.txt`);
  provider
    .getTracer('t')
    .startSpan('code', {
      attributes: {
        [Attr.ATTR_EVENT_TYPE]: 'code_exec',
        [Attr.ATTR_CODE_LANGUAGE]: 'python',
        [Attr.ATTR_CODE_CONTENT]: "with open('out.txt', 'w') as f:\n    f.write('x')\n",
        [Attr.ATTR_FILES_GENERATED]: [...declared, 'out.txt'],
      },
    })
    .end();
  const code = spans().find((s) => s.name === 'code');
  assert.deepEqual(code?.attributes[Attr.ATTR_FILES_GENERATED], [...declared, 'out.txt'], 'a declared entry also detected counts once');
  assert.equal(code?.attributes[Attr.ATTR_TRUNCATED], undefined);
});

test("an error type copied from another instrumentation's exception event is cut at 200 characters and marked", () => {
  const { provider, spans } = setup();
  const tracer = provider.getTracer('other');
  const longType = longWithPairAt('', HUGE, MAX_NAME_CHARS - 1);
  const failed = tracer.startSpan('execute_tool divide', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'divide' } });
  failed.addEvent('exception', { 'exception.type': longType, 'exception.message': 'boom' });
  failed.setStatus({ code: SpanStatusCode.ERROR });
  failed.end();
  const short = tracer.startSpan('execute_tool add', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add' } });
  short.addEvent('exception', { 'exception.type': 'RangeError' });
  short.setStatus({ code: SpanStatusCode.ERROR });
  short.end();
  const byName = new Map(spans().map((s) => [s.name, s.attributes]));
  assertCut(byName.get('execute_tool divide')?.[Attr.ATTR_ERROR_TYPE], MAX_NAME_CHARS, 'error.type');
  assert.equal(byName.get('execute_tool divide')?.[Attr.ATTR_TRUNCATED], true);
  assert.equal(byName.get('execute_tool add')?.[Attr.ATTR_ERROR_TYPE], 'RangeError');
  assert.equal(byName.get('execute_tool add')?.[Attr.ATTR_TRUNCATED], undefined);
});

test("a failure's message copied from another instrumentation's span is content: cut at maxContentChars and marked, its own attribute too", () => {
  const { provider, spans } = setup({ maxContentChars: 1000 });
  const tracer = provider.getTracer('other');
  const fromStatus = tracer.startSpan('execute_tool divide', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'divide' } });
  fromStatus.setStatus({ code: SpanStatusCode.ERROR, message: longWithPairAt('', HUGE, 999) });
  fromStatus.end();
  const fromEvent = tracer.startSpan('execute_tool add', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add' } });
  fromEvent.addEvent('exception', { 'exception.type': 'RangeError', 'exception.message': 'x'.repeat(5000) });
  fromEvent.setStatus({ code: SpanStatusCode.ERROR });
  fromEvent.end();
  const short = tracer.startSpan('execute_tool sub', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'sub' } });
  short.setStatus({ code: SpanStatusCode.ERROR, message: 'division by zero' });
  short.end();
  const byName = new Map(spans().map((s) => [s.name, s.attributes]));
  assertCut(byName.get('execute_tool divide')?.[Attr.ATTR_ERROR_MESSAGE], 1000, 'error message from the status');
  assert.equal(byName.get('execute_tool divide')?.[Attr.ATTR_TRUNCATED], true);
  assertCut(byName.get('execute_tool add')?.[Attr.ATTR_ERROR_MESSAGE], 1000, 'error message from the exception event');
  assert.equal(byName.get('execute_tool sub')?.[Attr.ATTR_ERROR_MESSAGE], 'division by zero');
  assert.equal(byName.get('execute_tool sub')?.[Attr.ATTR_TRUNCATED], undefined);
});

test('a value 1 to 12 characters over its bound that merely ends in the mark text is cut like any; one the span says was cut is kept', () => {
  const { provider, spans } = setup();
  const tracer = provider.getTracer('other');
  // Ends in the mark's text, 7 characters over the name bound, and no cut was ever said.
  const tool = 'x'.repeat(MAX_NAME_CHARS - 5) + TRUNCATION_MARK;
  tracer.startSpan('execute_tool t', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool } }).end();
  const path = 'p/'.repeat(MAX_PATH_CHARS / 2 - 3) + 'abcd' + TRUNCATION_MARK;
  tracer.startSpan('file_gen long', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'file_gen', [Attr.ATTR_FILE_PATH]: path } }).end();
  // The same path on a span that says it was cut (the recorder cut it): kept, not cut into its mark.
  tracer.startSpan('file_gen cut', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'file_gen', [Attr.ATTR_FILE_PATH]: path, [Attr.ATTR_TRUNCATED]: true } }).end();
  // A tool name cut when the span started is read again at its end: it is not cut twice.
  const longTool = 'y'.repeat(HUGE);
  tracer.startSpan(`execute_tool ${longTool}`, { attributes: { 'gen_ai.operation.name': 'execute_tool' } }).end();
  const byName = new Map(spans().map((s) => [s.name.slice(0, 20), s.attributes]));
  assert.equal(byName.get('execute_tool t')?.[Attr.ATTR_GEN_AI_TOOL_NAME], tool.slice(0, MAX_NAME_CHARS) + TRUNCATION_MARK);
  assert.equal(byName.get('execute_tool t')?.[Attr.ATTR_TRUNCATED], true);
  assert.equal(byName.get('file_gen long')?.[Attr.ATTR_FILE_PATH], path.slice(0, MAX_PATH_CHARS) + TRUNCATION_MARK);
  assert.equal(byName.get('file_gen cut')?.[Attr.ATTR_FILE_PATH], path);
  assert.equal(byName.get('file_gen cut')?.[Attr.ATTR_FILE_SKIP_REASON], 'path_too_long');
  assert.equal(byName.get(`execute_tool ${'y'.repeat(7)}`)?.[Attr.ATTR_GEN_AI_TOOL_NAME], 'y'.repeat(MAX_NAME_CHARS) + TRUNCATION_MARK);
});

test('a declared files.generated list the processor does not rewrite is bounded too: at most 1000 entries, each a bounded path, marked', () => {
  const { provider, processor, spans } = setup();
  const tracer = provider.getTracer('t');
  const declared = Array.from({ length: 5000 }, (_, i) => `gen/${i}.txt`);
  // A code run that writes no file (nothing detected: no rewrite), a tool call, and a span of no event type.
  tracer
    .startSpan('code', {
      attributes: { [Attr.ATTR_EVENT_TYPE]: 'code_exec', [Attr.ATTR_CODE_LANGUAGE]: 'python', [Attr.ATTR_CODE_CONTENT]: 'print(1)', [Attr.ATTR_FILES_GENERATED]: declared },
    })
    .end();
  tracer.startSpan('tool', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'tool_call', [Attr.ATTR_FILES_GENERATED]: declared } }).end();
  tracer.startSpan('plain', { attributes: { [Attr.ATTR_FILES_GENERATED]: declared } }).end();
  const longPath = 'q'.repeat(HUGE);
  tracer.startSpan('long entry', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'agent_call', [Attr.ATTR_FILES_GENERATED]: ['a.txt', longPath] } }).end();
  const small = ['b.txt', 'b.txt', 'c.txt'];
  tracer.startSpan('small', { attributes: { [Attr.ATTR_EVENT_TYPE]: 'code_exec', [Attr.ATTR_CODE_CONTENT]: 'print(2)', [Attr.ATTR_FILES_GENERATED]: small } }).end();
  const byName = new Map(spans().map((s) => [s.name, s.attributes]));
  for (const name of ['code', 'tool', 'plain']) {
    assert.deepEqual(byName.get(name)?.[Attr.ATTR_FILES_GENERATED], declared.slice(0, MAX_FILES_GENERATED), name);
    assert.equal(byName.get(name)?.[Attr.ATTR_TRUNCATED], true, name);
  }
  const long = byName.get('long entry')?.[Attr.ATTR_FILES_GENERATED] as string[];
  assert.equal(long[0], 'a.txt');
  assertCut(long[1], MAX_PATH_CHARS, 'a declared entry');
  assert.equal(byName.get('long entry')?.[Attr.ATTR_TRUNCATED], true);
  assert.deepEqual(byName.get('small')?.[Attr.ATTR_FILES_GENERATED], small, 'a list within the bounds is left as the span set it');
  assert.equal(byName.get('small')?.[Attr.ATTR_TRUNCATED], undefined);
  assert.equal(processor.stats().failures, 0);
});

test("a path the recorder cut and marked is kept as it cut it (not cut into its mark), and no file is looked up by it", () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'recorder-cut' });
  const long = 'dir/'.repeat(1500) + 'out.txt';
  run.fileGenerated({ path: long });
  run.end();
  const file = fileSpans(spans())[0]?.attributes ?? {};
  assert.equal(file[Attr.ATTR_FILE_PATH], long.slice(0, MAX_PATH_CHARS) + TRUNCATION_MARK);
  assert.equal(file[Attr.ATTR_TRUNCATED], true);
  assert.equal(file[Attr.ATTR_FILE_SKIP_REASON], 'path_too_long');
});
