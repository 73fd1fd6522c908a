/** Real spans for the tests: a BasicTracerProvider with an in-memory exporter. */

import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type HrTime, type Span } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import type pg from 'pg';
import type { TestSchema } from '@agentspan/test-support';
import { writeRows, type ExecutionEventRow, type MappedRow } from '../src/index.js';

export interface SpanFactory {
  /** Starts a span (child of `parent` when given) with the attributes. */
  start(name: string, attributes: Attributes, parent?: Span, startTime?: HrTime): Span;
  /** Ends it (optionally failed) and returns the finished ReadableSpan. */
  end(span: Span, opts?: { endTime?: HrTime; error?: string }): ReadableSpan;
  /** Starts and ends a span in one go. */
  make(name: string, attributes: Attributes, opts?: { parent?: Span; startTime?: HrTime; endTime?: HrTime; error?: string }): ReadableSpan;
  /** Every span ended so far. */
  finished(): ReadableSpan[];
  reset(): void;
  shutdown(): Promise<void>;
}

export function spanFactory(): SpanFactory {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('exporter-postgres-test');
  const byId = (span: Span): ReadableSpan => {
    const id = span.spanContext().spanId;
    const found = memory.getFinishedSpans().find((s) => s.spanContext().spanId === id);
    if (!found) throw new Error(`span ${id} not finished`);
    return found;
  };
  const factory: SpanFactory = {
    start(name, attributes, parent, startTime) {
      const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
      return tracer.startSpan(name, { attributes, ...(startTime ? { startTime } : {}) }, ctx);
    },
    end(span, opts = {}) {
      if (opts.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: opts.error });
      span.end(opts.endTime);
      return byId(span);
    },
    make(name, attributes, opts = {}) {
      const span = factory.start(name, attributes, opts.parent, opts.startTime);
      return factory.end(span, opts);
    },
    finished: () => memory.getFinishedSpans(),
    reset: () => memory.reset(),
    shutdown: () => provider.shutdown(),
  };
  return factory;
}

/**
 * `span` as if it had been recorded in trace `traceId` (same span id), with
 * the run id `runId`: what two traces that happen to share a span id give.
 * The parent keeps its span id and takes the new trace id too.
 */
export function inAnotherTrace(span: ReadableSpan, traceId: string, runId: string): ReadableSpan {
  const copy = Object.create(span) as ReadableSpan & { attributes: Attributes; parentSpanContext: ReadableSpan['parentSpanContext'] };
  const own = span.spanContext();
  Object.defineProperty(copy, 'spanContext', { value: () => ({ ...own, traceId }) });
  Object.defineProperty(copy, 'attributes', { value: { ...span.attributes, [Attr.ATTR_RUN_ID]: runId } });
  const parent = span.parentSpanContext;
  Object.defineProperty(copy, 'parentSpanContext', { value: parent === undefined ? undefined : { ...parent, traceId } });
  return copy;
}

/** A run with one node holding one event of each type; returns every span and the key ones. */
export function buildWorkflow(f: SpanFactory, runId: string) {
  const run = f.start('invoke_workflow one-shot', {
    [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
    [Attr.ATTR_RUN_ID]: runId,
    [Attr.ATTR_RUN_MODE]: 'one-shot',
    [Attr.ATTR_RUN_TASK]: 'Analyse the data',
    [Attr.ATTR_SESSION_ID]: 'session-1',
    [Attr.ATTR_USER_META]: JSON.stringify({ owner: 'ana', service_name: 'user-must-not-win' }),
  });
  const node = f.start(
    'node step_1',
    {
      [Attr.ATTR_EVENT_TYPE]: EventType.NODE,
      [Attr.ATTR_RUN_ID]: runId,
      [Attr.ATTR_NODE_ID]: 'step_1',
      [Attr.ATTR_NODE_TITLE]: 'Load data',
      [Attr.ATTR_NODE_TYPE]: 'agent',
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'engineer',
      [Attr.ATTR_NODE_ORDER]: 0,
      [Attr.ATTR_DEPTH]: 1,
    },
    run,
  );
  const common = (order: number): Attributes => ({
    [Attr.ATTR_RUN_ID]: runId,
    [Attr.ATTR_NODE_ID]: 'step_1',
    [Attr.ATTR_SESSION_ID]: 'session-1',
    [Attr.ATTR_EXECUTION_ORDER]: order,
    [Attr.ATTR_DEPTH]: 2,
  });
  const agentCall = f.make(
    'invoke_agent engineer',
    {
      ...common(3),
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'engineer',
      [Attr.ATTR_AGENT_ROLE]: 'assistant',
      [Attr.ATTR_MESSAGE_SENDER]: 'planner',
      [Attr.ATTR_MESSAGE_CONTENT]: 'x'.repeat(600),
      [Attr.ATTR_MESSAGE_HAS_CODE]: true,
      [Attr.ATTR_MESSAGE_CODE_LANGUAGES]: ['python'],
      [Attr.ATTR_MESSAGE_HAS_TOOL_CALLS]: false,
      [Attr.ATTR_MESSAGE_FILE_REFS]: ['data.csv'],
      [Attr.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-test',
      [Attr.ATTR_FILES_GENERATED]: ['out.png'],
      [Attr.ATTR_REDACTIONS]: 2,
      [Attr.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
    },
    { parent: node },
  );
  const codeExec = f.make(
    'execute_code engineer',
    {
      ...common(4),
      [Attr.ATTR_EVENT_TYPE]: EventType.CODE_EXEC,
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'engineer',
      [Attr.ATTR_CODE_LANGUAGE]: 'python',
      [Attr.ATTR_CODE_CONTENT]: 'import pandas as pd\nprint(1)',
      [Attr.ATTR_CODE_HASH]: 'abcdef0123456789',
      [Attr.ATTR_CODE_OUTPUT]: '1\n',
      [Attr.ATTR_CODE_EXIT_CODE]: 0,
      [Attr.ATTR_CODE_IMPORTS]: ['pandas'],
      [Attr.ATTR_CODE_FILES_WRITTEN]: ['out.png'],
      [Attr.ATTR_CODE_FILES_READ]: ['data.csv'],
      [Attr.ATTR_CODE_CWD]: '/work',
      [Attr.ATTR_MESSAGE_CONTEXT]: 'please run',
    },
    { parent: node },
  );
  const toolCall = f.make(
    'execute_tool search',
    {
      ...common(5),
      [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'researcher',
      [Attr.ATTR_GEN_AI_TOOL_NAME]: 'search',
      [Attr.ATTR_GEN_AI_TOOL_CALL_ID]: 'call_1',
      [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ q: 'otel', limit: 3 }),
      [Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]: JSON.stringify({ hits: 2 }),
      [Attr.ATTR_HAS_ERROR]: false,
    },
    { parent: node },
  );
  const fileGen = f.make(
    'file_gen out.csv',
    {
      ...common(6),
      [Attr.ATTR_EVENT_TYPE]: EventType.FILE_GEN,
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'engineer',
      [Attr.ATTR_FILE_PATH]: 'out.csv',
      [Attr.ATTR_FILE_CONTENT]: 'a,b\n1,2\n',
      [Attr.ATTR_FILE_SIZE]: 8,
      [Attr.ATTR_FILE_TYPE]: 'csv',
      [Attr.ATTR_FILE_SHA256]: 'f'.repeat(64),
      [Attr.ATTR_FILE_HAS_CONTENT]: true,
      [Attr.ATTR_FILE_SOURCE]: 'code_execution',
    },
    { parent: node },
  );
  const handoff = f.make(
    'handoff engineer -> critic',
    {
      ...common(7),
      [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF,
      [Attr.ATTR_HANDOFF_FROM]: 'engineer',
      [Attr.ATTR_HANDOFF_TO]: 'critic',
    },
    { parent: node },
  );
  const nodeSpan = f.end(node);
  const runSpan = f.end(run);
  const events = [agentCall, codeExec, toolCall, fileGen, handoff];
  return { run: runSpan, node: nodeSpan, events, agentCall, codeExec, toolCall, fileGen, handoff, all: [runSpan, nodeSpan, ...events] };
}

/** Promise form of `exporter.export`. */
export function exportSpans(
  exporter: { export(spans: ReadableSpan[], cb: (r: { code: number; error?: Error }) => void): void },
  spans: ReadableSpan[],
): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Records every statement run by clients of `pool` (a counting wrapper around `client.query`). */
export function countQueries(pool: pg.Pool): { readonly statements: string[] } {
  const statements: string[] = [];
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      statements.push(typeof first === 'string' ? first : String((first as { text?: string })?.text));
      return original(...args);
    };
  });
  return { statements };
}

/** A valid `execution_events` row, with `over` applied. */
export function eventRow(over: Partial<ExecutionEventRow> = {}): ExecutionEventRow {
  return {
    id: '6f1c2a52-5d3b-5a8e-9c1e-0f4a1b2c3d4e',
    run_id: 'run-1',
    node_id: 'step_1',
    step_id: null,
    session_id: null,
    parent_event_id: null,
    event_type: 'agent_call',
    event_subtype: 'message',
    agent_name: 'engineer',
    agent_role: 'assistant',
    timestamp: '2026-01-01T00:00:00.000000Z',
    started_at: '2026-01-01T00:00:00.000000Z',
    completed_at: '2026-01-01T00:00:01.000000Z',
    duration_ms: 1000,
    inputs: { content: 'hello' },
    outputs: {},
    meta: { role: 'assistant' },
    error_message: null,
    execution_order: 1,
    depth: 2,
    status: 'completed',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    parent_span_id: null,
    name: 'invoke_agent engineer',
    service_name: 'svc',
    attributes: {},
    ...over,
  };
}

/** Writes a run's two parts each alone, in either order, or both in one batch (later first: the merge must not rely on order). */
export async function writeInOrder(db: TestSchema, earlier: MappedRow, later: MappedRow, how: 'earlier then later' | 'later then earlier' | 'one batch'): Promise<void> {
  if (how === 'one batch') {
    await writeRows(db.pool, db.schema, [later, earlier]);
    return;
  }
  const [a, b] = how === 'earlier then later' ? [earlier, later] : [later, earlier];
  await writeRows(db.pool, db.schema, [a]);
  await writeRows(db.pool, db.schema, [b]);
}

/** The `meta` of a stored `workflow_runs` row, or `undefined` when there is none. */
export async function storedRunMeta(db: TestSchema, id: string): Promise<Record<string, unknown> | undefined> {
  const r = await db.pool.query(`SELECT meta FROM "${db.schema}".workflow_runs WHERE id = $1`, [id]);
  return r.rows[0]?.meta;
}

/** The `meta` of a stored `dag_nodes` row, or `undefined` when there is none. */
export async function storedNodeMeta(db: TestSchema, runId: string, nodeId: string): Promise<Record<string, unknown> | undefined> {
  const r = await db.pool.query(`SELECT meta FROM "${db.schema}".dag_nodes WHERE run_id = $1 AND node_id = $2`, [runId, nodeId]);
  return r.rows[0]?.meta;
}

/** A run span with one node (`step_1`) under it, both ended, with `extra` attributes on each. */
export function runWithNode(f: SpanFactory, runId: string, runExtra: Attributes, nodeExtra: Attributes): ReadableSpan[] {
  const run = f.start('invoke_workflow r', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: runId, ...runExtra });
  const node = f.make('node step_1', { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_NODE_ID]: 'step_1', ...nodeExtra }, { parent: run });
  return [f.end(run), node];
}
