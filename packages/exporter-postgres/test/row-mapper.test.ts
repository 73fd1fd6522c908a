import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Attr, EventType } from '@agentspan/semconv';
import { CONSUMED_ATTRIBUTE_KEYS, eventIdFor, mapSpanToRow, PREVIEW_LENGTH } from '../src/index.js';
import type { DagNodeRow, ExecutionEventRow, MappedRow, WorkflowRunRow } from '../src/index.js';
import { buildWorkflow, spanFactory } from './helpers.js';

const f = spanFactory();
after(() => f.shutdown());

function event(m: MappedRow | undefined): ExecutionEventRow {
  assert.ok(m?.kind === 'event', `expected an event row, got ${m?.kind}`);
  return m.row;
}

describe('mapSpanToRow', () => {
  const w = buildWorkflow(f, 'run-map');

  it('maps a run span to workflow_runs', () => {
    const m = mapSpanToRow(w.run);
    assert.ok(m?.kind === 'run');
    const r: WorkflowRunRow = m.row;
    assert.equal(r.id, 'run-map');
    assert.equal(r.mode, 'one-shot');
    assert.equal(r.task_description, 'Analyse the data');
    assert.equal(r.status, 'success');
    assert.equal(r.session_id, 'session-1');
    assert.equal(r.span_id, w.run.spanContext().spanId);
    assert.equal(r.service_name, w.run.resource.attributes['service.name']);
    // user meta merged, derived keys win
    assert.deepEqual(r.meta, { owner: 'ana', service_name: r.service_name });
    assert.match(r.started_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok((r.duration_ms ?? -1) >= 0);
  });

  it('run: mode falls back to gen_ai.workflow.name, status to the span status', () => {
    const s = f.make('invoke_workflow wf', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_GEN_AI_WORKFLOW_NAME]: 'wf' }, { error: 'bad' });
    const r = mapSpanToRow(s)?.row as WorkflowRunRow;
    assert.equal(r.mode, 'wf');
    assert.equal(r.status, 'failed');
    assert.equal(r.id, s.spanContext().traceId, 'a run without run id is keyed by its trace id');
    assert.equal(r.meta['error_message'], 'bad');
  });

  it('maps a node span to dag_nodes with the id its events point to', () => {
    const m = mapSpanToRow(w.node);
    assert.ok(m?.kind === 'node');
    const n: DagNodeRow = m.row;
    assert.deepEqual(
      { ...n, started_at: null, completed_at: null, duration_ms: null },
      {
        id: eventIdFor(w.node.spanContext().traceId, w.node.spanContext().spanId),
        run_id: 'run-map',
        node_id: 'step_1',
        node_type: 'agent',
        title: 'Load data',
        agent: 'engineer',
        status: 'completed',
        order_index: 0,
        depth: 1,
        started_at: null,
        completed_at: null,
        duration_ms: null,
        meta: {},
        trace_id: w.node.spanContext().traceId,
        span_id: w.node.spanContext().spanId,
      },
    );
    for (const e of w.events) assert.equal(event(mapSpanToRow(e)).parent_event_id, n.id);
  });

  it('agent_call: columns, inputs, outputs, meta', () => {
    const e = event(mapSpanToRow(w.agentCall));
    assert.equal(e.event_type, 'agent_call');
    assert.equal(e.event_subtype, 'message');
    assert.equal(e.agent_name, 'engineer');
    assert.equal(e.agent_role, 'assistant');
    assert.equal(e.run_id, 'run-map');
    assert.equal(e.node_id, 'step_1');
    assert.equal(e.session_id, 'session-1');
    assert.equal(e.execution_order, 3);
    assert.equal(e.depth, 2);
    assert.equal(e.status, 'completed');
    assert.equal(e.error_message, null);
    assert.equal(e.name, 'invoke_agent engineer');
    assert.equal(e.timestamp, e.started_at);
    assert.equal(e.parent_span_id, w.node.spanContext().spanId);
    assert.deepEqual(e.inputs, { content: 'x'.repeat(600), message_preview: 'x'.repeat(PREVIEW_LENGTH) });
    assert.deepEqual(e.outputs, { files_generated: ['out.png'] });
    assert.deepEqual(e.meta, {
      role: 'assistant',
      sender: 'planner',
      has_code: true,
      code_languages: ['python'],
      has_tool_calls: false,
      file_refs: ['data.csv'],
      content_length: 600,
      model: 'gpt-test',
      redactions: 2,
    });
    assert.deepEqual(e.attributes, { [Attr.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent' });
  });

  it('code_exec: inputs, outputs, meta', () => {
    const e = event(mapSpanToRow(w.codeExec));
    assert.equal(e.event_subtype, 'executed');
    assert.deepEqual(e.inputs, {
      code: 'import pandas as pd\nprint(1)',
      code_hash: 'abcdef0123456789',
      context: 'please run',
      language: 'python',
    });
    assert.deepEqual(e.outputs, { result: '1\n', result_preview: '1\n', exit_code: 0 });
    assert.deepEqual(e.meta, {
      language: 'python',
      imports: ['pandas'],
      files_written: ['out.png'],
      files_read: ['data.csv'],
      has_error: false,
      code_length: 28,
      cwd: '/work',
    });
    assert.deepEqual(e.attributes, {});
  });

  it('tool_call: parsed args and result, args_keys derived', () => {
    const e = event(mapSpanToRow(w.toolCall));
    assert.equal(e.event_subtype, 'invoked');
    assert.equal(e.agent_name, 'researcher');
    assert.deepEqual(e.inputs, { tool: 'search', args: { q: 'otel', limit: 3 }, args_keys: ['limit', 'q'], tool_call_id: 'call_1' });
    assert.deepEqual(e.outputs, { result: { hits: 2 }, result_preview: '{"hits":2}' });
    assert.deepEqual(e.meta, { has_error: false, source: 'tool_call' });
  });

  it('tool_call: non-JSON result stays a string; explicit args_keys win; errors', () => {
    const s = f.make(
      'execute_tool t',
      {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: 'not json {',
        [Attr.ATTR_TOOL_ARGS_KEYS]: ['a', 'b'],
        [Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]: 'plain text result',
        [Attr.ATTR_HAS_ERROR]: true,
        [Attr.ATTR_ERROR_TYPE]: 'ToolError',
        [Attr.ATTR_MESSAGE_CONTEXT]: 'ctx',
        [Attr.ATTR_FILES_GENERATED]: ['a.txt'],
      },
      { error: 'tool failed' },
    );
    const e = event(mapSpanToRow(s));
    assert.deepEqual(e.inputs, { args: 'not json {', args_keys: ['a', 'b'], context: 'ctx' });
    assert.deepEqual(e.outputs, { result: 'plain text result', result_preview: 'plain text result', files_generated: ['a.txt'] });
    assert.deepEqual(e.meta, { has_error: true, error_type: 'ToolError', source: 'tool_call' });
    assert.equal(e.status, 'failed');
    assert.equal(e.error_message, 'tool failed');
  });

  it('agent_call: the code hashes of its blocks go to meta.code_hashes', () => {
    const s = f.make('invoke_agent eng', {
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_MESSAGE_CONTENT]: 'x',
      [Attr.ATTR_MESSAGE_CODE_HASHES]: ['abcdef0123456789'],
    });
    assert.deepEqual(event(mapSpanToRow(s)).meta['code_hashes'], ['abcdef0123456789']);
    assert.equal(event(mapSpanToRow(s)).attributes[Attr.ATTR_MESSAGE_CODE_HASHES], undefined, 'not repeated in attributes');
  });

  it('tool_call that ran code: inputs.code is the argument the processor hashed (command, script, ...), with the error message', () => {
    const s = f.make('execute_tool bash', {
      [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
      [Attr.ATTR_GEN_AI_TOOL_NAME]: 'bash',
      [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ timeout: 30, command: 'ls -la > out.txt' }),
      [Attr.ATTR_CODE_HASH]: 'abcdef0123456789',
      [Attr.ATTR_CODE_LANGUAGE]: 'shell',
      [Attr.ATTR_HAS_ERROR]: true,
      [Attr.ATTR_ERROR_TYPE]: 'ExitCode',
      [Attr.ATTR_ERROR_MESSAGE]: 'ls: cannot access',
    });
    const e = event(mapSpanToRow(s));
    assert.equal(e.inputs['code'], 'ls -la > out.txt');
    assert.equal(e.inputs['code_hash'], 'abcdef0123456789');
    assert.equal(e.meta['error_message'], 'ls: cannot access');
  });

  it('file_gen: outputs and meta', () => {
    const e = event(mapSpanToRow(w.fileGen));
    assert.equal(e.event_subtype, 'generated');
    assert.deepEqual(e.inputs, {});
    assert.deepEqual(e.outputs, {
      file_path: 'out.csv',
      file_content: 'a,b\n1,2\n',
      file_size: 8,
      file_type: 'csv',
      sha256: 'f'.repeat(64),
    });
    assert.deepEqual(e.meta, { source: 'code_execution', has_content: true, file_type: 'csv' });
  });

  it('file_gen without content: has_content defaults to false, skip_reason kept', () => {
    const s = f.make('file_gen big.bin', {
      [Attr.ATTR_EVENT_TYPE]: EventType.FILE_GEN,
      [Attr.ATTR_FILE_PATH]: 'big.bin',
      [Attr.ATTR_FILE_SKIP_REASON]: 'binary',
      [Attr.ATTR_FILE_TRUNCATED]: false,
      [Attr.ATTR_TRUNCATED]: true,
    });
    const e = event(mapSpanToRow(s));
    assert.deepEqual(e.outputs, { file_path: 'big.bin', truncated: false });
    assert.deepEqual(e.meta, { has_content: false, skip_reason: 'binary', truncated: true });
  });

  it('handoff: from and to', () => {
    const e = event(mapSpanToRow(w.handoff));
    assert.equal(e.event_subtype, 'handoff');
    assert.deepEqual(e.inputs, { from_agent: 'engineer', to_agent: 'critic' });
    assert.deepEqual(e.outputs, {});
    assert.deepEqual(e.meta, {});
  });

  it('user inputs/outputs/meta merge without overwriting derived keys', () => {
    const s = f.make('invoke_agent u', {
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_MESSAGE_CONTENT]: 'hi',
      [Attr.ATTR_USER_INPUTS]: JSON.stringify({ content: 'user must not win', extra: 1 }),
      [Attr.ATTR_USER_OUTPUTS]: JSON.stringify({ score: 0.5 }),
      [Attr.ATTR_USER_META]: '[1,2]',
    });
    const e = event(mapSpanToRow(s));
    assert.deepEqual(e.inputs, { extra: 1, content: 'hi', message_preview: 'hi' });
    assert.deepEqual(e.outputs, { score: 0.5 });
    assert.deepEqual(e.meta, { user_meta: [1, 2], content_length: 2 });
  });

  it('a user JSON key named __proto__ stays an ordinary key, never a prototype change', () => {
    const s = f.make('invoke_agent p', {
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_MESSAGE_CONTENT]: 'hi',
      [Attr.ATTR_USER_INPUTS]: '{"__proto__": {"polluted": true}, "x": 1}',
    });
    const e = event(mapSpanToRow(s));
    assert.equal(Object.getPrototypeOf(e.inputs), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(e.inputs, '__proto__')?.value, { polluted: true });
    assert.equal(JSON.stringify(e.inputs), '{"__proto__":{"polluted":true},"x":1,"content":"hi","message_preview":"hi"}');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('explicit status and error message win; execution order must be an int4', () => {
    const s = f.make('handoff a -> b', {
      [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF,
      [Attr.ATTR_STATUS]: 'skipped',
      [Attr.ATTR_ERROR_MESSAGE]: 'not needed',
      [Attr.ATTR_EXECUTION_ORDER]: 2 ** 40,
      [Attr.ATTR_DEPTH]: '3',
    });
    const e = event(mapSpanToRow(s));
    assert.equal(e.status, 'skipped');
    assert.equal(e.error_message, 'not needed');
    assert.equal(e.execution_order, null);
    assert.equal(e.depth, 3);
    assert.equal(e.parent_event_id, null);
    assert.equal(e.parent_span_id, null);
  });

  it('returns undefined for spans that are not agentspan’s', () => {
    assert.equal(mapSpanToRow(f.make('GET /', { 'http.method': 'GET' })), undefined);
    assert.equal(mapSpanToRow(f.make('x', { [Attr.ATTR_EVENT_TYPE]: 'something_else' })), undefined);
  });

  it('every consumed key set holds the event type key', () => {
    for (const set of Object.values(CONSUMED_ATTRIBUTE_KEYS)) assert.ok(set.has(Attr.ATTR_EVENT_TYPE));
  });
});
