/**
 * The rows of the three tables as TypeScript types, and the columns the
 * exporter writes (in table order, with the Postgres type each is cast to).
 * `created_at` is left to its default and so is not listed.
 */

/** A value `jsonb` can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (the `inputs`, `outputs`, `meta` and `attributes` columns). */
export type JsonObject = { [key: string]: JsonValue };

/** Postgres types used by the columns the exporter writes. */
export type ColumnType = 'uuid' | 'text' | 'timestamptz' | 'double precision' | 'integer' | 'jsonb';

/** The Postgres type of every written column of a row type, in table order. */
export type ColumnTypes<Row> = { readonly [K in keyof Row]-?: ColumnType };

/** A row of `execution_events`. Timestamps are ISO 8601 strings with microseconds. */
export interface ExecutionEventRow {
  id: string;
  run_id: string | null;
  node_id: string | null;
  step_id: string | null;
  session_id: string | null;
  parent_event_id: string | null;
  event_type: string;
  event_subtype: string | null;
  agent_name: string | null;
  agent_role: string | null;
  timestamp: string;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  inputs: JsonObject;
  outputs: JsonObject;
  meta: JsonObject;
  error_message: string | null;
  execution_order: number | null;
  depth: number | null;
  status: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  service_name: string | null;
  attributes: JsonObject;
}

/** A row of `workflow_runs`. */
export interface WorkflowRunRow {
  id: string;
  mode: string | null;
  task_description: string | null;
  status: string | null;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  session_id: string | null;
  meta: JsonObject;
  trace_id: string | null;
  span_id: string | null;
  service_name: string | null;
}

/** A row of `dag_nodes`. */
export interface DagNodeRow {
  id: string;
  run_id: string;
  node_id: string;
  node_type: string | null;
  title: string | null;
  agent: string | null;
  status: string | null;
  order_index: number | null;
  depth: number | null;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  meta: JsonObject;
  trace_id: string | null;
  span_id: string | null;
}

/**
 * A row of `execution_event_fills`: the `agent_name`, `depth` and `node_id`
 * of the `execution_events` rows under one parent and of one run that were
 * written without them (rows marked `meta.awaits_fill`, see
 * `agent-fill.ts`), from a span the gateway received after them. Each value
 * comes with its rank, the number of spans between the rows' parent and the
 * span that gave it: the nearest source wins, whatever the order fills
 * arrive in.
 */
export interface EventFillRow {
  /** The `parent_event_id` of the rows it fills. */
  parent_event_id: string;
  /** Their `run_id`. */
  run_id: string;
  /** Their agent's name, and its rank (both NULL: none known). */
  agent_name: string | null;
  name_rank: number | null;
  /** Their depth, and its rank. */
  depth: number | null;
  depth_rank: number | null;
  /** Their node, and its rank. */
  node_id: string | null;
  node_rank: number | null;
  /** The span it came from, for reports. */
  span_id: string | null;
}

/** Which table a mapped span goes to, with its row (or, `fill`, what it fills in on stored rows). */
export type MappedRow =
  | { readonly kind: 'run'; readonly row: WorkflowRunRow }
  | { readonly kind: 'node'; readonly row: DagNodeRow }
  | { readonly kind: 'event'; readonly row: ExecutionEventRow }
  | { readonly kind: 'fill'; readonly row: EventFillRow };

/** Table names (unqualified). */
export const TABLES = {
  EXECUTION_EVENTS: 'execution_events',
  WORKFLOW_RUNS: 'workflow_runs',
  DAG_NODES: 'dag_nodes',
  EVENT_FILLS: 'execution_event_fills',
  SCHEMA_MIGRATIONS: 'agentspan_schema_migrations',
} as const;

/** Postgres type of each column of `execution_events` the exporter writes, in table order. */
export const EXECUTION_EVENTS_COLUMN_TYPES: ColumnTypes<ExecutionEventRow> = {
  id: 'uuid',
  run_id: 'text',
  node_id: 'text',
  step_id: 'text',
  session_id: 'text',
  parent_event_id: 'uuid',
  event_type: 'text',
  event_subtype: 'text',
  agent_name: 'text',
  agent_role: 'text',
  timestamp: 'timestamptz',
  started_at: 'timestamptz',
  completed_at: 'timestamptz',
  duration_ms: 'double precision',
  inputs: 'jsonb',
  outputs: 'jsonb',
  meta: 'jsonb',
  error_message: 'text',
  execution_order: 'integer',
  depth: 'integer',
  status: 'text',
  trace_id: 'text',
  span_id: 'text',
  parent_span_id: 'text',
  name: 'text',
  service_name: 'text',
  attributes: 'jsonb',
};

/**
 * The values of an `execution_events` row in the order of
 * {@link EXECUTION_EVENTS_COLUMN_TYPES}, into `out` from index `at` on. Written out rather than
 * read column by column with `row[column]`: a property read whose name
 * changes from one read to the next is a hash lookup in V8, and the COPY
 * encoder reads 27 of them per row, once per event (a test checks that
 * both orders agree).
 */
export function executionEventValues(row: ExecutionEventRow, out: unknown[], at = 0): void {
  out[at] = row.id;
  out[at + 1] = row.run_id;
  out[at + 2] = row.node_id;
  out[at + 3] = row.step_id;
  out[at + 4] = row.session_id;
  out[at + 5] = row.parent_event_id;
  out[at + 6] = row.event_type;
  out[at + 7] = row.event_subtype;
  out[at + 8] = row.agent_name;
  out[at + 9] = row.agent_role;
  out[at + 10] = row.timestamp;
  out[at + 11] = row.started_at;
  out[at + 12] = row.completed_at;
  out[at + 13] = row.duration_ms;
  out[at + 14] = row.inputs;
  out[at + 15] = row.outputs;
  out[at + 16] = row.meta;
  out[at + 17] = row.error_message;
  out[at + 18] = row.execution_order;
  out[at + 19] = row.depth;
  out[at + 20] = row.status;
  out[at + 21] = row.trace_id;
  out[at + 22] = row.span_id;
  out[at + 23] = row.parent_span_id;
  out[at + 24] = row.name;
  out[at + 25] = row.service_name;
  out[at + 26] = row.attributes;
}

/** Postgres type of each column of `workflow_runs` the exporter writes, in table order. */
export const WORKFLOW_RUNS_COLUMN_TYPES: ColumnTypes<WorkflowRunRow> = {
  id: 'text',
  mode: 'text',
  task_description: 'text',
  status: 'text',
  started_at: 'timestamptz',
  completed_at: 'timestamptz',
  duration_ms: 'double precision',
  session_id: 'text',
  meta: 'jsonb',
  trace_id: 'text',
  span_id: 'text',
  service_name: 'text',
};

/** Postgres type of each column of `dag_nodes` the exporter writes, in table order. */
export const DAG_NODES_COLUMN_TYPES: ColumnTypes<DagNodeRow> = {
  id: 'uuid',
  run_id: 'text',
  node_id: 'text',
  node_type: 'text',
  title: 'text',
  agent: 'text',
  status: 'text',
  order_index: 'integer',
  depth: 'integer',
  started_at: 'timestamptz',
  completed_at: 'timestamptz',
  duration_ms: 'double precision',
  meta: 'jsonb',
  trace_id: 'text',
  span_id: 'text',
};

/** Postgres type of each value of an {@link EventFillRow} (the parameters of its UPDATE). */
export const EVENT_FILL_COLUMN_TYPES: ColumnTypes<EventFillRow> = {
  parent_event_id: 'uuid',
  run_id: 'text',
  agent_name: 'text',
  name_rank: 'integer',
  depth: 'integer',
  depth_rank: 'integer',
  node_id: 'text',
  node_rank: 'integer',
  span_id: 'text',
};

function columnsOf<Row>(types: ColumnTypes<Row>): readonly (keyof Row & string)[] {
  return Object.freeze(Object.keys(types) as (keyof Row & string)[]);
}

/** Columns of `execution_events` the exporter writes (all but `created_at`), in table order. */
export const EXECUTION_EVENTS_COLUMNS = columnsOf(EXECUTION_EVENTS_COLUMN_TYPES);

/** Columns of `workflow_runs` the exporter writes (all but `created_at`), in table order. */
export const WORKFLOW_RUNS_COLUMNS = columnsOf(WORKFLOW_RUNS_COLUMN_TYPES);

/** Columns of `dag_nodes` the exporter writes (all but `created_at`), in table order. */
export const DAG_NODES_COLUMNS = columnsOf(DAG_NODES_COLUMN_TYPES);

/** The values of an {@link EventFillRow}. */
export const EVENT_FILL_COLUMNS = columnsOf(EVENT_FILL_COLUMN_TYPES);
