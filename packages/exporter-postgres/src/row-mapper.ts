/**
 * Maps an ended span to the row it becomes (pure; no I/O). The attribute
 * `agentspan.event.type` decides the table: `run` → `workflow_runs`,
 * `node` → `dag_nodes`, the event types → `execution_events`; spans without
 * it are not agentspan's and map to `undefined`.
 */

import { SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EVENT_SUBTYPE, EXECUTION_EVENT_TYPES, EventStatus, EventType, RunStatus, toolCodeArgument } from '@agentspan/semconv';
import {
  attributeToJson,
  codePointLength,
  isJsonObject,
  preview,
  readBoolean,
  readInt,
  readJson,
  readNumber,
  readString,
  textOf,
} from './attribute-values.js';
import type { DagNodeRow, ExecutionEventRow, JsonObject, JsonValue, MappedRow, WorkflowRunRow } from './columns.js';
import { hrTimeToIso, hrTimeToMillis } from './hr-time.js';
import { setOwn } from './sanitize.js';
import { markAwaitedFill } from './agent-fill.js';
import { indexSafe, indexSafeOrNull } from './index-safe.js';
import { eventIdFor, parentEventIdFor } from './ids.js';
import { livenessMeta, type Liveness } from './liveness.js';
import { MULTI_TRACE_KEY, partDurationMs, TRUNCATED_KEY } from './run-merge.js';

/** Length, in code points, of `message_preview` and `result_preview`. */
export const PREVIEW_LENGTH = 500;

/** Keys every row kind consumes. */
const BASE_KEYS = [Attr.ATTR_EVENT_TYPE, Attr.ATTR_PROCESSED, Attr.ATTR_RUN_ID, Attr.ATTR_USER_META, Attr.ATTR_ERROR_MESSAGE];

/** Keys every `execution_events` row consumes into a column, `inputs`, `outputs` or `meta`. */
const EVENT_KEYS = [
  ...BASE_KEYS,
  Attr.ATTR_NODE_ID,
  Attr.ATTR_STEP_ID,
  Attr.ATTR_SESSION_ID,
  Attr.ATTR_EXECUTION_ORDER,
  Attr.ATTR_DEPTH,
  Attr.ATTR_GEN_AI_AGENT_NAME,
  Attr.ATTR_AGENT_ROLE,
  Attr.ATTR_STATUS,
  Attr.ATTR_USER_INPUTS,
  Attr.ATTR_USER_OUTPUTS,
  Attr.ATTR_REDACTIONS,
  Attr.ATTR_TRUNCATED,
  // What an agent envelope fills in on rows written before it (agent-fill.ts), not the envelope's own.
  Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS,
  Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS,
  Attr.ATTR_AGENT_FILL_DEPTH_ONLY,
  Attr.ATTR_AGENT_FILL_RUN_IDS,
  Attr.ATTR_AGENT_FILL_RANKS,
  Attr.ATTR_AGENT_FILL_AWAITED,
];

/**
 * The attribute keys each row kind consumes (into a column or into
 * `inputs`/`outputs`/`meta`). Every other attribute of an event span goes
 * to the `attributes` column as is; `workflow_runs` and `dag_nodes` have no
 * such column and drop the rest (the span still reaches any other exporter).
 */
export const CONSUMED_ATTRIBUTE_KEYS: Readonly<Record<EventType, ReadonlySet<string>>> = Object.freeze({
  run: new Set([
    ...BASE_KEYS,
    Attr.ATTR_RUN_MODE,
    Attr.ATTR_GEN_AI_WORKFLOW_NAME,
    Attr.ATTR_RUN_TASK,
    Attr.ATTR_RUN_STATUS,
    Attr.ATTR_RUN_MULTI_TRACE,
    Attr.ATTR_SESSION_ID,
    Attr.ATTR_TRUNCATED,
  ]),
  node: new Set([
    ...BASE_KEYS,
    Attr.ATTR_NODE_ID,
    Attr.ATTR_NODE_TITLE,
    Attr.ATTR_NODE_TYPE,
    Attr.ATTR_GEN_AI_AGENT_NAME,
    Attr.ATTR_NODE_ORDER,
    Attr.ATTR_DEPTH,
    Attr.ATTR_STATUS,
    Attr.ATTR_TRUNCATED,
  ]),
  agent_call: new Set([
    ...EVENT_KEYS,
    Attr.ATTR_MESSAGE_CONTENT,
    Attr.ATTR_FILES_GENERATED,
    Attr.ATTR_MESSAGE_SENDER,
    Attr.ATTR_MESSAGE_HAS_CODE,
    Attr.ATTR_MESSAGE_CODE_LANGUAGES,
    Attr.ATTR_MESSAGE_CODE_HASHES,
    Attr.ATTR_MESSAGE_HAS_TOOL_CALLS,
    Attr.ATTR_MESSAGE_FILE_REFS,
    Attr.ATTR_MESSAGE_LENGTH,
    Attr.ATTR_GEN_AI_REQUEST_MODEL,
  ]),
  code_exec: new Set([
    ...EVENT_KEYS,
    Attr.ATTR_CODE_CONTENT,
    Attr.ATTR_CODE_HASH,
    Attr.ATTR_MESSAGE_CONTEXT,
    Attr.ATTR_CODE_LANGUAGE,
    Attr.ATTR_CODE_OUTPUT,
    Attr.ATTR_CODE_EXIT_CODE,
    Attr.ATTR_FILES_GENERATED,
    Attr.ATTR_CODE_IMPORTS,
    Attr.ATTR_CODE_FILES_WRITTEN,
    Attr.ATTR_CODE_FILES_READ,
    Attr.ATTR_HAS_ERROR,
    Attr.ATTR_ERROR_TYPE,
    Attr.ATTR_CODE_LENGTH,
    Attr.ATTR_CODE_CWD,
  ]),
  tool_call: new Set([
    ...EVENT_KEYS,
    Attr.ATTR_GEN_AI_TOOL_NAME,
    Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
    Attr.ATTR_TOOL_ARGS_KEYS,
    Attr.ATTR_GEN_AI_TOOL_CALL_ID,
    Attr.ATTR_MESSAGE_CONTEXT,
    Attr.ATTR_GEN_AI_TOOL_CALL_RESULT,
    Attr.ATTR_FILES_GENERATED,
    Attr.ATTR_HAS_ERROR,
    Attr.ATTR_ERROR_TYPE,
    Attr.ATTR_CODE_HASH,
    Attr.ATTR_CODE_LANGUAGE,
    Attr.ATTR_CODE_IMPORTS,
    Attr.ATTR_CODE_FILES_WRITTEN,
    Attr.ATTR_CODE_FILES_READ,
  ]),
  file_gen: new Set([
    ...EVENT_KEYS,
    Attr.ATTR_FILE_PATH,
    Attr.ATTR_FILE_CONTENT,
    Attr.ATTR_FILE_SIZE,
    Attr.ATTR_FILE_TYPE,
    Attr.ATTR_FILE_SHA256,
    Attr.ATTR_FILE_TRUNCATED,
    Attr.ATTR_FILE_SOURCE,
    Attr.ATTR_FILE_HAS_CONTENT,
    Attr.ATTR_FILE_SKIP_REASON,
  ]),
  handoff: new Set([...EVENT_KEYS, Attr.ATTR_HANDOFF_FROM, Attr.ATTR_HANDOFF_TO]),
});

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EXECUTION_EVENT_TYPES);

/** The agentspan event type of a span, or undefined when it has none we know. */
export function eventTypeOf(span: Pick<ReadableSpan, 'attributes'>): EventType | undefined {
  const t = span.attributes[Attr.ATTR_EVENT_TYPE];
  if (t === EventType.RUN || t === EventType.NODE) return t;
  return typeof t === 'string' && EVENT_TYPE_SET.has(t) ? (t as EventType) : undefined;
}

/**
 * The row a span becomes, or `undefined` when the span has no (known)
 * `agentspan.event.type`. Strings are not sanitised here: see `sanitizeRow`.
 * A run or node still running becomes its row in progress, whose `meta` says
 * it was seen running at `liveness.seenAt` (default: now; see `liveness.ts`).
 */
export function mapSpanToRow(span: ReadableSpan, liveness?: Liveness): MappedRow | undefined {
  const type = eventTypeOf(span);
  if (type === undefined) return undefined;
  if (type === EventType.RUN) {
    return { kind: 'run', row: span.ended === false ? runInProgress(mapRun(span), liveness ?? seenNow()) : mapRun(span) };
  }
  if (type === EventType.NODE) {
    return { kind: 'node', row: span.ended === false ? nodeInProgress(mapNode(span), liveness ?? seenNow()) : mapNode(span) };
  }
  // A file already recorded in the same node (detected, then declared): one row is enough.
  if (type === EventType.FILE_GEN && span.attributes[Attr.ATTR_FILE_DUPLICATE] === true) return undefined;
  return { kind: 'event', row: span.ended === false ? eventInProgress(mapEvent(span, type), liveness ?? seenNow()) : mapEvent(span, type) };
}

// ---------------------------------------------------------------------------
// Common parts
// ---------------------------------------------------------------------------

interface Common {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** The parent's span id, or the nearest row ancestor's when the parent has no row. */
  parentEventSpanId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  serviceName: string | null;
  failed: boolean;
  errorMessage: string | null;
}

function commonOf(span: ReadableSpan): Common {
  const ctx = span.spanContext();
  const failed = span.status.code === SpanStatusCode.ERROR;
  const ended = span.ended !== false;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId || null,
    parentEventSpanId: readString(span.attributes[Attr.ATTR_PARENT_EVENT_SPAN_ID]) ?? (span.parentSpanContext?.spanId || null),
    startedAt: hrTimeToIso(span.startTime) ?? null,
    completedAt: ended ? (hrTimeToIso(span.endTime) ?? null) : null,
    durationMs: ended ? hrTimeToMillis(span.duration) : null,
    serviceName: readString(span.resource.attributes[Attr.ATTR_SERVICE_NAME]) ?? null,
    failed,
    errorMessage: readString(span.attributes[Attr.ATTR_ERROR_MESSAGE]) ?? (failed ? (span.status.message ?? null) : null),
  };
}

/** `status` of an event or node: explicit `agentspan.status`, else from the span status. */
function statusOf(span: ReadableSpan, c: Common): string {
  const explicit = readString(span.attributes[Attr.ATTR_STATUS]);
  if (explicit) return explicit;
  if (span.ended === false) return EventStatus.RUNNING;
  return c.failed ? EventStatus.FAILED : EventStatus.COMPLETED;
}

/** Sets `obj[key]` only when `value` is defined (an attribute named `__proto__` included: see `setOwn`). */
function put(obj: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) setOwn(obj, key, value);
}

/**
 * `meta.truncated = true` on a run's or node's row whose span says it was cut
 * (`agentspan.truncated`: a value the processor cut, attributes or events the
 * gateway dropped), as on an event's row. Only `true` is written, never
 * `false`: two parts of a run made of several traces merge their `meta` key
 * by key, the earlier part's value winning (run-merge.ts), and a part's
 * `false` must not hide the other part's cut (the merge also keeps a `true`
 * over a `truncated` key a part took from its user meta).
 */
function markCut(meta: JsonObject, a: Attributes): void {
  if (readBoolean(a[Attr.ATTR_TRUNCATED]) === true) meta[TRUNCATED_KEY] = true;
}

/**
 * `meta.redactions` on a run's or node's row: how many values the processor
 * redacted on its span (its task, session id, title, metadata, name), as on
 * an event's row (and read as there: a number or numeric string, negative
 * or huge included). A run made of several traces keeps the larger of its
 * parts' counts (run-merge.ts, `REDACTIONS_KEY`): the merged row has a count
 * whenever a part redacted something, whatever a part's user meta says and
 * whatever order the parts arrive in. A row in progress has none (its `meta`
 * is its liveness only, as an event's in progress).
 */
function markRedacted(meta: JsonObject, a: Attributes): void {
  put(meta, 'redactions', readNumber(a[Attr.ATTR_REDACTIONS]));
}

/**
 * Merges the user's JSON object (the attribute `value`) under the derived keys:
 * derived keys win. A user value that is valid but not an object is kept
 * under `fallbackKey` instead of being lost.
 */
function withUser(derived: JsonObject, value: AttributeValue | undefined, fallbackKey: string): JsonObject {
  const user = readJson(value);
  if (user === undefined) return derived;
  if (isJsonObject(user)) return { ...user, ...derived };
  return { [fallbackKey]: user, ...derived };
}

/**
 * The row of a run or node still running (queued when its span started, see
 * `PostgresSink.acceptsAtStart`): identifiers, names, order, depth and start
 * only. The names are redacted already (the `ExecutionEventSpanProcessor`
 * redacts a run's and a node's attributes at their start too); the longer
 * texts (a run's task and session id, a node's title, user metadata) come
 * with the row of the end, which replaces this one (the writer's `ON
 * CONFLICT ... WHERE`). Its `meta` holds only its liveness (`liveness.ts`).
 */
function runInProgress(row: WorkflowRunRow, liveness: Liveness): WorkflowRunRow {
  return {
    ...row,
    status: RunStatus.RUNNING,
    completed_at: null,
    duration_ms: null,
    task_description: null,
    session_id: null,
    meta: livenessMeta(liveness),
  };
}

/** A node's row in progress: see {@link runInProgress}. */
function nodeInProgress(row: DagNodeRow, liveness: Liveness): DagNodeRow {
  return { ...row, status: EventStatus.RUNNING, completed_at: null, duration_ms: null, title: null, meta: livenessMeta(liveness) };
}

/**
 * An event's row in progress (an agent call, code execution or tool call
 * that has run `showRunningAfterMillis`, see `PostgresSink.acceptsWhileRunning`):
 * as a node's, identifiers, names, order, depth and start only. Its content
 * (`inputs`, `outputs`, `attributes`) comes with the row of its end, which
 * replaces this one; its names were redacted when it was readied
 * (`ExecutionEventSpanProcessor.prepareRunning`).
 */
function eventInProgress(row: ExecutionEventRow, liveness: Liveness): ExecutionEventRow {
  return {
    ...row,
    status: EventStatus.RUNNING,
    completed_at: null,
    duration_ms: null,
    inputs: {},
    outputs: {},
    meta: livenessMeta(liveness),
    error_message: null,
    attributes: {},
  };
}

function seenNow(): Liveness {
  return { seenAt: new Date().toISOString() };
}

// ---------------------------------------------------------------------------
// workflow_runs
// ---------------------------------------------------------------------------

function mapRun(span: ReadableSpan): WorkflowRunRow {
  const a = span.attributes;
  const c = commonOf(span);
  const meta: JsonObject = {};
  put(meta, 'service_name', c.serviceName ?? undefined);
  put(meta, 'error_message', c.errorMessage ?? undefined);
  markCut(meta, a);
  markRedacted(meta, a);
  // One part of a run made of several traces: merged into the stored row, not put over it (run-merge.ts).
  if (a[Attr.ATTR_RUN_MULTI_TRACE] === true) meta[MULTI_TRACE_KEY] = true;
  const fullMeta = withUser(meta, a[Attr.ATTR_USER_META], 'user_meta');
  // A part (marked by the attribute or by the user's meta) takes its duration to the microsecond from its
  // stored times, as a merge takes it: a retry then changes nothing.
  const part = fullMeta[MULTI_TRACE_KEY] === true;
  return {
    id: indexSafe(readString(a[Attr.ATTR_RUN_ID]) ?? c.traceId),
    mode: readString(a[Attr.ATTR_RUN_MODE]) ?? readString(a[Attr.ATTR_GEN_AI_WORKFLOW_NAME]) ?? null,
    task_description: readString(a[Attr.ATTR_RUN_TASK]) ?? null,
    status: readString(a[Attr.ATTR_RUN_STATUS]) ?? (c.failed ? RunStatus.FAILED : RunStatus.SUCCESS),
    started_at: c.startedAt,
    completed_at: c.completedAt,
    duration_ms: part ? partDurationMs(c.startedAt, c.completedAt, c.durationMs) : c.durationMs,
    session_id: indexSafeOrNull(readString(a[Attr.ATTR_SESSION_ID]) ?? null),
    meta: fullMeta,
    trace_id: c.traceId,
    span_id: c.spanId,
    service_name: c.serviceName,
  };
}

// ---------------------------------------------------------------------------
// dag_nodes
// ---------------------------------------------------------------------------

function mapNode(span: ReadableSpan): DagNodeRow {
  const a = span.attributes;
  const c = commonOf(span);
  const meta: JsonObject = {};
  put(meta, 'error_message', c.errorMessage ?? undefined);
  markCut(meta, a);
  markRedacted(meta, a);
  return {
    id: eventIdFor(c.traceId, c.spanId),
    run_id: indexSafe(readString(a[Attr.ATTR_RUN_ID]) ?? c.traceId),
    node_id: indexSafe(readString(a[Attr.ATTR_NODE_ID]) ?? c.spanId),
    node_type: readString(a[Attr.ATTR_NODE_TYPE]) ?? null,
    title: readString(a[Attr.ATTR_NODE_TITLE]) ?? null,
    agent: readString(a[Attr.ATTR_GEN_AI_AGENT_NAME]) ?? null,
    status: statusOf(span, c),
    order_index: readInt(a[Attr.ATTR_NODE_ORDER]) ?? null,
    depth: readInt(a[Attr.ATTR_DEPTH]) ?? null,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    duration_ms: c.durationMs,
    meta: withUser(meta, a[Attr.ATTR_USER_META], 'user_meta'),
    trace_id: c.traceId,
    span_id: c.spanId,
  };
}

// ---------------------------------------------------------------------------
// execution_events
// ---------------------------------------------------------------------------

interface Payload {
  inputs: JsonObject;
  outputs: JsonObject;
  meta: JsonObject;
}

/*
 * The builders of the three common payloads (agent calls, code executions, tool calls) store each key in
 * place (`if (v !== undefined) o['key'] = v`) rather than through `put`: a store inside a shared helper
 * sees every key name and becomes a megamorphic keyed store, a hash lookup per key (about 2 500
 * instructions per event of the benchmark's mix, counted with callgrind), where a store with its own name
 * at its own site is answered from the object's shape. The keys are literals, never `__proto__`, so
 * `setOwn` is not needed; the stores run in the order `put` ran them, so the keys (and the JSON text) are
 * in the same order (test/row-bytes.test.ts checks both against the key-by-key reference).
 */

function agentCallPayload(a: Attributes): Payload {
  const inputs: JsonObject = {};
  const outputs: JsonObject = {};
  const meta: JsonObject = {};
  const content = readString(a[Attr.ATTR_MESSAGE_CONTENT]);
  if (content !== undefined) {
    inputs['content'] = content;
    inputs['message_preview'] = preview(content, PREVIEW_LENGTH);
  }
  const filesGenerated = readJson(a[Attr.ATTR_FILES_GENERATED]);
  if (filesGenerated !== undefined) outputs['files_generated'] = filesGenerated;
  const role = readString(a[Attr.ATTR_AGENT_ROLE]);
  if (role !== undefined) meta['role'] = role;
  const sender = readString(a[Attr.ATTR_MESSAGE_SENDER]);
  if (sender !== undefined) meta['sender'] = sender;
  const hasCode = readBoolean(a[Attr.ATTR_MESSAGE_HAS_CODE]);
  if (hasCode !== undefined) meta['has_code'] = hasCode;
  const codeLanguages = readJson(a[Attr.ATTR_MESSAGE_CODE_LANGUAGES]);
  if (codeLanguages !== undefined) meta['code_languages'] = codeLanguages;
  const codeHashes = readJson(a[Attr.ATTR_MESSAGE_CODE_HASHES]);
  if (codeHashes !== undefined) meta['code_hashes'] = codeHashes;
  const hasToolCalls = readBoolean(a[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS]);
  if (hasToolCalls !== undefined) meta['has_tool_calls'] = hasToolCalls;
  const fileRefs = readJson(a[Attr.ATTR_MESSAGE_FILE_REFS]);
  if (fileRefs !== undefined) meta['file_refs'] = fileRefs;
  const contentLength = readNumber(a[Attr.ATTR_MESSAGE_LENGTH]) ?? (content === undefined ? undefined : codePointLength(content));
  if (contentLength !== undefined) meta['content_length'] = contentLength;
  const model = readString(a[Attr.ATTR_GEN_AI_REQUEST_MODEL]);
  if (model !== undefined) meta['model'] = model;
  return { inputs, outputs, meta };
}

function codeExecPayload(a: Attributes): Payload {
  const inputs: JsonObject = {};
  const outputs: JsonObject = {};
  const meta: JsonObject = {};
  const code = readString(a[Attr.ATTR_CODE_CONTENT]);
  const language = readString(a[Attr.ATTR_CODE_LANGUAGE]);
  const result = readString(a[Attr.ATTR_CODE_OUTPUT]);
  if (code !== undefined) inputs['code'] = code;
  const codeHash = readString(a[Attr.ATTR_CODE_HASH]);
  if (codeHash !== undefined) inputs['code_hash'] = codeHash;
  const context = readString(a[Attr.ATTR_MESSAGE_CONTEXT]);
  if (context !== undefined) inputs['context'] = context;
  if (language !== undefined) inputs['language'] = language;
  if (result !== undefined) {
    outputs['result'] = result;
    outputs['result_preview'] = preview(result, PREVIEW_LENGTH);
  }
  const exitCode = readNumber(a[Attr.ATTR_CODE_EXIT_CODE]);
  if (exitCode !== undefined) outputs['exit_code'] = exitCode;
  const filesGenerated = readJson(a[Attr.ATTR_FILES_GENERATED]);
  if (filesGenerated !== undefined) outputs['files_generated'] = filesGenerated;
  if (language !== undefined) meta['language'] = language;
  const imports = readJson(a[Attr.ATTR_CODE_IMPORTS]);
  if (imports !== undefined) meta['imports'] = imports;
  const filesWritten = readJson(a[Attr.ATTR_CODE_FILES_WRITTEN]);
  if (filesWritten !== undefined) meta['files_written'] = filesWritten;
  const filesRead = readJson(a[Attr.ATTR_CODE_FILES_READ]);
  if (filesRead !== undefined) meta['files_read'] = filesRead;
  meta['has_error'] = readBoolean(a[Attr.ATTR_HAS_ERROR]) ?? false;
  const errorType = readString(a[Attr.ATTR_ERROR_TYPE]);
  if (errorType !== undefined) meta['error_type'] = errorType;
  const errorMessage = readString(a[Attr.ATTR_ERROR_MESSAGE]);
  if (errorMessage !== undefined) meta['error_message'] = errorMessage;
  const codeLength = readNumber(a[Attr.ATTR_CODE_LENGTH]) ?? (code === undefined ? undefined : codePointLength(code));
  if (codeLength !== undefined) meta['code_length'] = codeLength;
  const cwd = readString(a[Attr.ATTR_CODE_CWD]);
  if (cwd !== undefined) meta['cwd'] = cwd;
  return { inputs, outputs, meta };
}

function toolCallPayload(a: Attributes): Payload {
  const inputs: JsonObject = {};
  const outputs: JsonObject = {};
  const meta: JsonObject = {};
  const args = readJson(a[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
  const tool = readString(a[Attr.ATTR_GEN_AI_TOOL_NAME]);
  if (tool !== undefined) inputs['tool'] = tool;
  if (args !== undefined) inputs['args'] = args;
  const argsKeys = readJson(a[Attr.ATTR_TOOL_ARGS_KEYS]) ?? (isJsonObject(args) ? Object.keys(args).sort() : undefined);
  if (argsKeys !== undefined) inputs['args_keys'] = argsKeys;
  const toolCallId = readString(a[Attr.ATTR_GEN_AI_TOOL_CALL_ID]);
  if (toolCallId !== undefined) inputs['tool_call_id'] = toolCallId;
  const context = readString(a[Attr.ATTR_MESSAGE_CONTEXT]);
  if (context !== undefined) inputs['context'] = context;
  const resultText = textOf(a[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]);
  // The small keys first: a result too large for the sanitising walk (past maxNodes) is cut, and
  // whatever the walk would meet after it with it.
  if (resultText !== undefined) outputs['result_preview'] = preview(resultText, PREVIEW_LENGTH);
  const filesGenerated = readJson(a[Attr.ATTR_FILES_GENERATED]);
  if (filesGenerated !== undefined) outputs['files_generated'] = filesGenerated;
  const result = readJson(a[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]);
  if (result !== undefined) outputs['result'] = result;
  meta['has_error'] = readBoolean(a[Attr.ATTR_HAS_ERROR]) ?? false;
  const errorType = readString(a[Attr.ATTR_ERROR_TYPE]);
  if (errorType !== undefined) meta['error_type'] = errorType;
  const errorMessage = readString(a[Attr.ATTR_ERROR_MESSAGE]);
  if (errorMessage !== undefined) meta['error_message'] = errorMessage;
  // A tool that ran code (`execute_python({ code })`): the same code metadata as a code_exec row.
  const codeHash = readString(a[Attr.ATTR_CODE_HASH]);
  if (codeHash !== undefined) {
    const code = isJsonObject(args) ? toolCodeArgument(args) : undefined; // the argument the processor hashed
    if (code !== undefined) inputs['code'] = code;
    inputs['code_hash'] = codeHash;
    const language = readString(a[Attr.ATTR_CODE_LANGUAGE]);
    if (language !== undefined) meta['language'] = language;
    const imports = readJson(a[Attr.ATTR_CODE_IMPORTS]);
    if (imports !== undefined) meta['imports'] = imports;
    const filesWritten = readJson(a[Attr.ATTR_CODE_FILES_WRITTEN]);
    if (filesWritten !== undefined) meta['files_written'] = filesWritten;
    const filesRead = readJson(a[Attr.ATTR_CODE_FILES_READ]);
    if (filesRead !== undefined) meta['files_read'] = filesRead;
  }
  meta['source'] = 'tool_call';
  return { inputs, outputs, meta };
}

function fileGenPayload(a: Attributes): Payload {
  const outputs: JsonObject = {};
  const meta: JsonObject = {};
  const fileType = readString(a[Attr.ATTR_FILE_TYPE]);
  put(outputs, 'file_path', readString(a[Attr.ATTR_FILE_PATH]));
  put(outputs, 'file_content', readString(a[Attr.ATTR_FILE_CONTENT]));
  put(outputs, 'file_size', readNumber(a[Attr.ATTR_FILE_SIZE]));
  put(outputs, 'file_type', fileType);
  put(outputs, 'sha256', readString(a[Attr.ATTR_FILE_SHA256]));
  put(outputs, 'truncated', readBoolean(a[Attr.ATTR_FILE_TRUNCATED]));
  put(meta, 'source', readString(a[Attr.ATTR_FILE_SOURCE]));
  put(meta, 'has_content', readBoolean(a[Attr.ATTR_FILE_HAS_CONTENT]) ?? false);
  put(meta, 'skip_reason', readString(a[Attr.ATTR_FILE_SKIP_REASON]));
  put(meta, 'file_type', fileType);
  return { inputs: {}, outputs, meta };
}

function handoffPayload(a: Attributes): Payload {
  const inputs: JsonObject = {};
  put(inputs, 'from_agent', readString(a[Attr.ATTR_HANDOFF_FROM]));
  put(inputs, 'to_agent', readString(a[Attr.ATTR_HANDOFF_TO]));
  return { inputs, outputs: {}, meta: {} };
}

const PAYLOADS: Readonly<Record<Exclude<EventType, 'run' | 'node'>, (a: Attributes) => Payload>> = {
  agent_call: agentCallPayload,
  code_exec: codeExecPayload,
  tool_call: toolCallPayload,
  file_gen: fileGenPayload,
  handoff: handoffPayload,
};

/** Every attribute not in `consumed`, as a JSON object. */
function leftoverAttributes(a: Attributes, consumed: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  // for-in rather than Object.keys: no array per span, and V8 reads `a[key]` by the key's slot.
  for (const key in a) {
    if (!Object.prototype.hasOwnProperty.call(a, key) || consumed.has(key)) continue;
    put(out, key, attributeToJson(a[key]));
  }
  return out;
}

/**
 * `agent_name`: `gen_ai.agent.name` as text. On a span of another instrumentation (`agentspan.mapped_from`),
 * only a non-empty string: the processor names no agent after `''` or `42` (nor the spans under it), and
 * neither does the row (a gateway fill may then give it the agent's name).
 */
function agentNameOf(a: Attributes): string | null {
  const v = a[Attr.ATTR_GEN_AI_AGENT_NAME];
  if (a[Attr.ATTR_MAPPED_FROM] === undefined) return readString(v) ?? null;
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function mapEvent(span: ReadableSpan, type: Exclude<EventType, 'run' | 'node'>): ExecutionEventRow {
  const a = span.attributes;
  const c = commonOf(span);
  const payload = PAYLOADS[type](a);
  const redactions = readNumber(a[Attr.ATTR_REDACTIONS]);
  if (redactions !== undefined) payload.meta['redactions'] = redactions;
  const truncated = readBoolean(a[Attr.ATTR_TRUNCATED]);
  if (truncated !== undefined) payload.meta['truncated'] = truncated;
  const row: ExecutionEventRow = {
    id: eventIdFor(c.traceId, c.spanId),
    // Indexed columns: a value too long for an index entry is made to fit (see index-safe.ts).
    run_id: indexSafeOrNull(readString(a[Attr.ATTR_RUN_ID]) ?? null),
    node_id: indexSafeOrNull(readString(a[Attr.ATTR_NODE_ID]) ?? null),
    step_id: readString(a[Attr.ATTR_STEP_ID]) ?? null,
    session_id: indexSafeOrNull(readString(a[Attr.ATTR_SESSION_ID]) ?? null),
    parent_event_id: c.parentEventSpanId ? parentEventIdFor(c.traceId, c.parentEventSpanId) : null,
    event_type: type,
    event_subtype: EVENT_SUBTYPE[type],
    agent_name: indexSafeOrNull(agentNameOf(a)),
    agent_role: readString(a[Attr.ATTR_AGENT_ROLE]) ?? null,
    // `timestamp` is NOT NULL: a span always has a start time; the epoch is the last resort.
    timestamp: c.startedAt ?? new Date(0).toISOString(),
    started_at: c.startedAt,
    completed_at: c.completedAt,
    duration_ms: c.durationMs,
    inputs: withUser(payload.inputs, a[Attr.ATTR_USER_INPUTS], 'user_inputs'),
    outputs: withUser(payload.outputs, a[Attr.ATTR_USER_OUTPUTS], 'user_outputs'),
    meta: withUser(payload.meta, a[Attr.ATTR_USER_META], 'user_meta'),
    error_message: c.errorMessage,
    execution_order: readInt(a[Attr.ATTR_EXECUTION_ORDER]) ?? null,
    depth: readInt(a[Attr.ATTR_DEPTH]) ?? null,
    status: statusOf(span, c),
    trace_id: c.traceId,
    span_id: c.spanId,
    parent_span_id: c.parentSpanId,
    name: span.name,
    service_name: c.serviceName,
    attributes: leftoverAttributes(a, CONSUMED_ATTRIBUTE_KEYS[type]),
  };
  markAwaitedFill(span, row);
  return row;
}
