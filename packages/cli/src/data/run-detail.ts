import type pg from 'pg';
import { EPOCH_ISO, effectiveStatusSql, inProgressSql, lastSeenAtSql } from '@agentspan/exporter-postgres';
import { fetchInBatches } from './cursor.js';
import { DEFAULT_PAGE_SIZE, eventPages, ISO_TIMESTAMP } from './event-pages.js';
import { asIso, asNumber, asObject, asString, asStringArray, type JsonObject } from './json.js';

/** The `workflow_runs` row of a run (all null when the row is not written yet). */
export interface RunHeader {
  id: string;
  mode: string | null;
  task: string | null;
  /** The stored status, or `stale` for a run in progress whose heartbeat stopped (see `lastSeenAt`). */
  status: string | null;
  /** When a run in progress was last seen running by its process (its heartbeat); null once it ended, or without one. */
  lastSeenAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  /** `started_at` as epoch milliseconds with the microseconds kept (Date would round them away). */
  startMs: number | null;
  serviceName: string | null;
  traceId: string | null;
  meta: JsonObject;
  /**
   * Whether a `workflow_runs` row exists (a run in progress has one, with
   * `completedAt` null; a run whose start and end were both lost, one that
   * reached only the gateway and whose trace root has not arrived, or a
   * gateway run the gateway makes no row for (named by a conversation id,
   * or under a root that is no agent span) has events but no row).
   */
  recorded: boolean;
}

/** A `dag_nodes` row. */
export interface NodeRow {
  /** The row id; events directly inside the node have it as `parent_event_id`. */
  id: string;
  nodeId: string;
  type: string | null;
  title: string | null;
  agent: string | null;
  status: string | null;
  orderIndex: number | null;
  startMs: number | null;
  durationMs: number | null;
}

/** Event fields every view of a run needs. */
export interface EventSummaryRow {
  id: string;
  parentEventId: string | null;
  nodeId: string | null;
  eventType: string;
  eventSubtype: string | null;
  agentName: string | null;
  agentRole: string | null;
  /**
   * The stored status, or `stale` for an event in progress whose process fell silent (see
   * `lastSeenAt`): an event in progress (`inProgress`) reads `running` or `stale`.
   */
  status: string;
  /**
   * Whether the row is an event's row in progress (an agent call, code execution or tool call still
   * running when it was written): it holds ids, names, order and start only, no outcome and no
   * duration; the row of its end replaces it.
   */
  inProgress: boolean;
  /** When an event in progress was last seen running by its process (its heartbeat); null for one that ended. */
  lastSeenAt: string | null;
  hasError: boolean;
  errorMessage: string | null;
  executionOrder: number | null;
  depth: number | null;
  startedAt: string | null;
  startMs: number | null;
  durationMs: number | null;
  name: string | null;
}

/** What `agentspan timeline` shows of an event (previews, never whole contents). */
export interface TimelineEventRow extends EventSummaryRow {
  /** First 400 characters of the message, the code, or the tool result. */
  preview: string | null;
  language: string | null;
  tool: string | null;
  argsKeys: string[];
  exitCode: number | null;
  filePath: string | null;
  fileSize: number | null;
  hasContent: boolean | null;
  filesWritten: string[];
  filesGenerated: string[];
  fromAgent: string | null;
  toAgent: string | null;
}

/** An event with everything stored about it (for the HTML report). */
export interface FullEventRow extends EventSummaryRow {
  inputs: JsonObject;
  outputs: JsonObject;
  meta: JsonObject;
  attributes: JsonObject;
}

const EPOCH_MS = (column: string) => `(extract(epoch FROM ${column}) * 1000)::double precision`;

/**
 * The start of an `execution_events` row aliased `e`, epoch ms: `started_at`, else `timestamp`, but for the
 * epoch the exporter writes there when the start is unknown (`EPOCH_ISO`): then none, so an unknown start is
 * shown as such and never taken for the run's first moment.
 */
const START_MS = EPOCH_MS(`coalesce(e.started_at, nullif(e."timestamp", '${EPOCH_ISO}'::timestamptz))`);

/** The summary of an `execution_events` row aliased `e` (its status as readers show it: `stale` for a silent row in progress). */
const SUMMARY_COLUMNS = `
  id::text AS id, parent_event_id::text AS parent_event_id, node_id, event_type, event_subtype, agent_name, agent_role,
  ${effectiveStatusSql('e')} AS status, ${inProgressSql('e')} AS in_progress, ${lastSeenAtSql('e')} AS last_seen_at,
  (meta->>'has_error' = 'true') AS has_error, coalesce(error_message, meta->>'error_message', meta->>'error_type') AS error_message,
  execution_order, depth, started_at, ${START_MS} AS start_ms, duration_ms, name`;

/** The replay order: execution order, then start time (events recorded without an order go last). */
const EVENT_ORDER = 'ORDER BY execution_order NULLS LAST, "timestamp", id';

function summaryOf(r: Record<string, unknown>): EventSummaryRow {
  return {
    id: String(r['id']),
    parentEventId: asString(r['parent_event_id']),
    nodeId: asString(r['node_id']),
    eventType: String(r['event_type']),
    eventSubtype: asString(r['event_subtype']),
    agentName: asString(r['agent_name']),
    agentRole: asString(r['agent_role']),
    status: String(r['status']),
    inProgress: r['in_progress'] === true,
    lastSeenAt: asIso(r['last_seen_at']),
    hasError: r['has_error'] === true,
    errorMessage: asString(r['error_message']),
    executionOrder: asNumber(r['execution_order']),
    depth: asNumber(r['depth']),
    startedAt: asIso(r['started_at']),
    startMs: asNumber(r['start_ms']),
    durationMs: asNumber(r['duration_ms']),
    name: asString(r['name']),
  };
}

/** The run row (or a placeholder when only events exist). */
export async function loadRunHeader(client: pg.ClientBase, runId: string): Promise<RunHeader> {
  const res = await client.query(
    `SELECT w.id, w.mode, w.task_description, ${effectiveStatusSql('w')} AS status,
            ${lastSeenAtSql('w')} AS last_seen_at,
            w.started_at, w.completed_at, w.duration_ms, w.service_name, w.trace_id, w.meta,
            ${EPOCH_MS('w.started_at')} AS start_ms
       FROM workflow_runs w WHERE w.id = $1`,
    [runId],
  );
  const r = res.rows[0] as Record<string, unknown> | undefined;
  if (!r) {
    return {
      id: runId, mode: null, task: null, status: null, lastSeenAt: null, startedAt: null, completedAt: null, durationMs: null,
      startMs: null, serviceName: null, traceId: null, meta: {}, recorded: false,
    };
  }
  return {
    id: runId,
    mode: asString(r['mode']),
    task: asString(r['task_description']),
    status: asString(r['status']),
    lastSeenAt: asIso(r['last_seen_at']),
    startedAt: asIso(r['started_at']),
    completedAt: asIso(r['completed_at']),
    durationMs: asNumber(r['duration_ms']),
    startMs: asNumber(r['start_ms']),
    serviceName: asString(r['service_name']),
    traceId: asString(r['trace_id']),
    meta: asObject(r['meta']),
    recorded: true,
  };
}

const NODE_COLUMNS = `n.id::text AS id, n.node_id, n.node_type, n.title, n.agent, ${effectiveStatusSql('n')} AS status, n.order_index, n.duration_ms,
            ${EPOCH_MS('n.started_at')} AS start_ms`;

/** A run's nodes are listed in this order, and a node id named twice stands for its first row in it. */
const NODE_ORDER = 'n.order_index NULLS LAST, n.started_at, n.id';

function nodeOf(r: Record<string, unknown>): NodeRow {
  return {
    id: String(r['id']),
    nodeId: String(r['node_id']),
    type: asString(r['node_type']),
    title: asString(r['title']),
    agent: asString(r['agent']),
    status: asString(r['status']),
    orderIndex: asNumber(r['order_index']),
    startMs: asNumber(r['start_ms']),
    durationMs: asNumber(r['duration_ms']),
  };
}

/** The run's nodes in their order. */
export async function loadNodes(client: pg.ClientBase, runId: string): Promise<NodeRow[]> {
  const res = await client.query(`SELECT ${NODE_COLUMNS} FROM dag_nodes n WHERE n.run_id = $1 ORDER BY ${NODE_ORDER}`, [runId]);
  return res.rows.map(nodeOf);
}

/**
 * The run's nodes in their order ({@link loadNodes}), `pageSize` at a time, each page one query after
 * the last row of the one before (keyset pagination, as {@link eventPages}): `timeline --json` holds
 * one page. The key is the order's columns with their NULLs made comparable (a flag, then the value).
 */
export async function* nodePages(client: pg.ClientBase, runId: string, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<NodeRow[]> {
  const key = `(n.order_index IS NULL, coalesce(n.order_index, 0), n.started_at IS NULL, coalesce(n.started_at, '-infinity'::timestamptz), n.id)`;
  let after: unknown[] | null = null;
  for (;;) {
    const keyset = after === null ? '' : `AND ${key} > ($3::boolean, $4::integer, $5::boolean, $6::timestamptz, $7::uuid)`;
    const res = await client.query(
      `SELECT ${NODE_COLUMNS}, n.order_index IS NULL AS k0, coalesce(n.order_index, 0) AS k1, n.started_at IS NULL AS k2,
              ${ISO_TIMESTAMP("coalesce(n.started_at, '-infinity'::timestamptz)")} AS k3, n.id::text AS k4
         FROM dag_nodes n WHERE n.run_id = $1 ${keyset} ORDER BY ${key} LIMIT $2`,
      [runId, pageSize, ...(after ?? [])],
    );
    const rows = res.rows as Record<string, unknown>[];
    const last = rows[rows.length - 1];
    if (last !== undefined) {
      yield rows.map(nodeOf);
      after = [last['k0'], last['k1'], last['k2'], last['k3'], last['k4']];
    }
    if (rows.length < pageSize) return;
  }
}

/** The nodes of the run named by `nodeIds`, by node id: for each, its first row in the run's order (as {@link loadNodes} lists them). */
export async function loadNodesById(client: pg.ClientBase, runId: string, nodeIds: readonly string[]): Promise<Map<string, NodeRow>> {
  const byId = new Map<string, NodeRow>();
  if (nodeIds.length === 0) return byId;
  const res = await client.query(
    `SELECT DISTINCT ON (n.node_id) ${NODE_COLUMNS} FROM dag_nodes n WHERE n.run_id = $1 AND n.node_id = ANY($2::text[]) ORDER BY n.node_id, ${NODE_ORDER}`,
    [runId, nodeIds],
  );
  for (const r of res.rows as Record<string, unknown>[]) byId.set(String(r['node_id']), nodeOf(r));
  return byId;
}

/** How many events a run has (for progress bars). */
export async function countEvents(client: pg.ClientBase, runId: string): Promise<number> {
  return (await eventTotals(client, runId)).count;
}

/** How many events a run has, and the earliest start among them (epoch ms, as each event's `startMs`; null when none is known). */
export async function eventTotals(client: pg.ClientBase, runId: string): Promise<{ count: number; firstStartMs: number | null }> {
  const res = await client.query(`SELECT count(*)::integer AS n, min(${START_MS}) AS first_start_ms FROM execution_events e WHERE e.run_id = $1`, [runId]);
  const row = res.rows[0] as Record<string, unknown> | undefined;
  return { count: asNumber(row?.['n']) ?? 0, firstStartMs: asNumber(row?.['first_start_ms']) };
}

/** What `timeline` reads of an event: previews computed in SQL, so large contents never leave the database. */
const TIMELINE_COLUMNS = `${SUMMARY_COLUMNS},
  left(coalesce(inputs->>'message_preview', inputs->>'code', outputs->>'result_preview', inputs->>'content'), 400) AS preview,
  coalesce(meta->>'language', inputs->>'language') AS language,
  inputs->>'tool' AS tool, inputs->'args_keys' AS args_keys, outputs->>'exit_code' AS exit_code,
  outputs->>'file_path' AS file_path, outputs->>'file_size' AS file_size, meta->>'has_content' AS has_content,
  meta->'files_written' AS files_written, outputs->'files_generated' AS files_generated,
  inputs->>'from_agent' AS from_agent, inputs->>'to_agent' AS to_agent`;

function timelineEventOf(r: Record<string, unknown>): TimelineEventRow {
  return {
    ...summaryOf(r),
    preview: asString(r['preview']),
    language: asString(r['language']),
    tool: asString(r['tool']),
    argsKeys: asStringArray(r['args_keys']),
    exitCode: asNumber(r['exit_code']),
    filePath: asString(r['file_path']),
    fileSize: asNumber(r['file_size']),
    hasContent: r['has_content'] === null || r['has_content'] === undefined ? null : r['has_content'] === 'true',
    filesWritten: asStringArray(r['files_written']),
    filesGenerated: asStringArray(r['files_generated']),
    fromAgent: asString(r['from_agent']),
    toAgent: asString(r['to_agent']),
  };
}

/** The run's events for the timeline in replay order, a page at a time ({@link eventPages}). */
export function timelineEventPages(client: pg.ClientBase, runId: string, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<TimelineEventRow[]> {
  return eventPages(client, runId, TIMELINE_COLUMNS, timelineEventOf, pageSize);
}

/** The fields of an event that decide the widths of the timeline's columns. */
export type MeasuredEventRow = Pick<TimelineEventRow, 'executionOrder' | 'startMs' | 'eventType' | 'agentName' | 'durationMs'>;

/** The run's events as {@link MeasuredEventRow}s, a page at a time: the few short columns the widths need. */
export function measuredEventPages(client: pg.ClientBase, runId: string, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<MeasuredEventRow[]> {
  return eventPages(
    client,
    runId,
    `e.execution_order, ${START_MS} AS start_ms, e.event_type, e.agent_name, e.duration_ms`,
    (r) => ({
      executionOrder: asNumber(r['execution_order']),
      startMs: asNumber(r['start_ms']),
      eventType: String(r['event_type']),
      agentName: asString(r['agent_name']),
      durationMs: asNumber(r['duration_ms']),
    }),
    pageSize,
  );
}

/** The run's events with their whole `inputs`, `outputs`, `meta` and `attributes`. */
export async function loadFullEvents(
  client: pg.ClientBase,
  runId: string,
  onProgress?: (fetched: number) => void,
): Promise<FullEventRow[]> {
  return fetchInBatches(
    client,
    `SELECT ${SUMMARY_COLUMNS}, inputs, outputs, meta, attributes
       FROM execution_events e WHERE run_id = $1 ${EVENT_ORDER}`,
    [runId],
    {
      batchSize: 500,
      ...(onProgress ? { onProgress } : {}),
      map: (r) => ({
        ...summaryOf(r),
        inputs: asObject(r['inputs']),
        outputs: asObject(r['outputs']),
        meta: asObject(r['meta']),
        attributes: asObject(r['attributes']),
      }),
    },
  );
}
