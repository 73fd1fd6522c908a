/**
 * Writes mapped rows, idempotently. Runs and nodes: per table, one multi-row
 * `INSERT ... SELECT * FROM unnest($1::t1[], ..., $n::tn[])` per chunk (one
 * parameter per column, whatever the number of rows) with `ON CONFLICT`.
 * Events, the bulk: with the `copy` method, an optimistic `COPY` straight
 * into `execution_events` per chunk, guarded by a savepoint, falling back to
 * the unnest INSERT with `ON CONFLICT DO NOTHING` for a chunk that meets a
 * row already there (see {@link WriteMethod}). {@link writeRows} runs the
 * unnest statements on a client the caller holds (so retry, spool and
 * poison-row splitting can be composed around it);
 * {@link writeRowsInTransaction} wraps a write in one transaction and offers
 * both methods.
 */

import type pg from 'pg';
import {
  DAG_NODES_COLUMN_TYPES,
  EXECUTION_EVENTS_COLUMN_TYPES,
  TABLES,
  WORKFLOW_RUNS_COLUMN_TYPES,
  type ColumnType,
  type ColumnTypes,
  EVENT_FILL_COLUMN_TYPES,
  type DagNodeRow,
  type EventFillRow,
  type JsonObject,
  type ExecutionEventRow,
  type MappedRow,
  type WorkflowRunRow,
} from './columns.js';
import { AbortableStatements, connectUnlessAborted, throwIfAborted } from './abortable-client.js';
import { RollbackTimeoutError, rollbackWithin } from './rollback.js';
import { canCopyIn, copyIn } from './copy-in.js';
import { copyDataMessages } from './copy-text.js';
import type { ClientSource } from './migrations.js';
import { RowSerializationError, isConcurrencyError, isConnectionError, sqlState, toError } from './pg-errors.js';
import { qualify, quoteIdent } from './sql.js';
import { LAST_SEEN_AT_KEY, SHOWN_IN_PROGRESS_KEY, inProgressSql, isInProgressRow, serverTimeSql } from './liveness.js';
import { RUN_UPSERT_SETS, mergeRunRows } from './run-merge.js';
import { AWAITS_FILL_KEY, FILLED_COLUMNS, awaitsFill, fillApplyStatement, fillKey, fillLockStatement, fillUpsertStatement, mergeFills, ownValuesStatement } from './agent-fill.js';

/** Default number of rows per INSERT statement. */
export const DEFAULT_MAX_BATCH_ROWS = 1000;

/**
 * How {@link writeRowsInTransaction} writes `execution_events`, the bulk of
 * the rows.
 *
 * `copy`: per chunk of `maxBatchRows` rows, `SAVEPOINT`, then `COPY ...
 * FROM STDIN` (text format) straight into `execution_events`, the text
 * streamed as it is encoded. COPY has no `ON CONFLICT`; the table's primary
 * key (`id`, derived from the trace and span ids) makes it fail with 23505 if
 * a row is already there (a batch re-sent after a commit, a concurrent writer
 * of the same span, which COPY waits for). Then, and only then, the chunk is
 * rolled back to the savepoint and written with the `unnest` INSERT and `ON
 * CONFLICT DO NOTHING`, as are the later chunks of the same call. A value Postgres
 * refuses fails the COPY with the same SQLSTATE as the INSERT, so poison-row
 * splitting works unchanged.
 *
 * `unnest`: one array parameter per column to `INSERT ... SELECT FROM
 * unnest(...) ON CONFLICT DO NOTHING`, per chunk.
 *
 * Both send the rows sorted by `id`, so concurrent writers take row locks in
 * the same order. Runs and nodes always use `unnest` (they are few, and runs
 * need `ON CONFLICT DO UPDATE`).
 */
export type WriteMethod = 'copy' | 'unnest';

/**
 * Below this many event rows the `copy` method writes with `unnest` too:
 * COPY gains little on a few rows, and the small batches are the ones a
 * flush at exit waits for.
 */
export const COPY_MIN_ROWS = 100;

/**
 * `copy`: about twice the rows per second of `unnest` on the write path and
 * less CPU per row in the recording process (see the package README,
 * *Decisions*). PGlite is detected by the exporter and written with
 * `unnest` (its socket server loses protocol synchronisation on a streamed COPY).
 */
export const DEFAULT_WRITE_METHOD: WriteMethod = 'copy';

/** Something that runs a parameterised query: a `pg.PoolClient` or `pg.Client`. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Options of {@link writeRows}. */
export interface WriteRowsOptions {
  /** Rows per INSERT (or COPY) statement. @default 1000 */
  readonly maxBatchRows?: number | undefined;
}

/** Rows per table, deduplicated and sorted by their conflict key. */
export interface GroupedRows {
  readonly runs: readonly WorkflowRunRow[];
  readonly nodes: readonly DagNodeRow[];
  readonly events: readonly ExecutionEventRow[];
  /** Fills of event rows written before the spans above them (see `agent-fill.ts`), by parent and run. */
  readonly fills?: readonly EventFillRow[] | undefined;
}

/** What {@link writeRows} sent. */
export interface WriteRowsResult {
  /** Rows sent per table (after deduplication within the call). */
  readonly runs: number;
  readonly nodes: number;
  readonly events: number;
  /** Fills sent (after merging those of one parent and run), and the stored event rows filled in (not counted in `written`). */
  readonly fills: number;
  readonly filled: number;
  /** Rows that are new (ON CONFLICT skipped the others; updated runs and nodes count as written). */
  readonly written: number;
  /**
   * INSERT and COPY statements that wrote rows, one per table and chunk (a
   * COPY rolled back for a fallback is not counted), and the UPDATEs that
   * put ended nodes over their rows in progress.
   */
  readonly statements: number;
  /**
   * Chunks the `copy` method wrote with `INSERT ... ON CONFLICT DO NOTHING`
   * because their COPY met a row already stored (0 with `unnest`).
   */
  readonly copyFallbacks: number;
}

/** Orders rows by `id` (code unit order, as `<` compares strings). */
function byId(a: { readonly id: string }, b: { readonly id: string }): number {
  const ka = a.id;
  const kb = b.id;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Whether `row` is a row in progress (a run's or node's since its start, an event's once it ran long). */
const isInProgress = isInProgressRow;

/**
 * The first 8 characters of `id` read as hexadecimal (0 to 2^32 - 1); -1 when one is not a lower-case hex
 * digit, or `id` is shorter. Ids that have one order by it as their first 8 code units do ('0'-'9' come
 * before 'a'-'f' as characters and as digits).
 */
function hexPrefix(id: string): number {
  if (id.length < 8) return -1;
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = id.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Longest run of rows sharing their 8-digit key put in order by insertion sort; a longer one (ids a caller
 * numbered after a fixed prefix: `groupRows` is public) takes the comparator sort, whose comparisons grow as
 * n log n, not n^2.
 */
const INSERTION_SORT_MAX = 16;

/** Sorts `rows[from, to)` by id in place, stably. */
function sortRangeById<Row extends { readonly id: string }>(rows: Row[], from: number, to: number): void {
  if (to - from > INSERTION_SORT_MAX) {
    const part = rows.slice(from, to).sort(byId); // Array#sort is stable
    for (let i = 0; i < part.length; i++) rows[from + i] = part[i] as Row;
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const row = rows[i] as Row;
    let j = i - 1;
    while (j >= from && (rows[j] as Row).id > row.id) {
      rows[j + 1] = rows[j] as Row;
      j--;
    }
    rows[j + 1] = row;
  }
}

/**
 * A copy of `rows` sorted by id in code unit order (as {@link byId}), rows of one id in their order in
 * `rows`. A comparator sort compares the ids as strings about log2(n) times each, which V8 does in its
 * runtime, not inline: 0.5 µs per row of a 1000-row batch, on the one thread that records, maps and
 * encodes. Instead, when every id starts with 8 lower-case hex digits (agentspan's ids are UUIDs), the rows'
 * indexes are sorted by the value of those digits, a byte at a time (a stable radix sort: linear whatever
 * the ids); ids sharing those 8 digits (a pair in about one batch in 8600 of 1000 random UUIDs, or a row
 * repeated), adjacent then and in batch order, are put in order by the whole id ({@link sortRangeById}).
 * Any other id takes the comparator sort.
 */
function sortedById<Row extends { readonly id: string }>(rows: readonly Row[]): Row[] {
  const n = rows.length;
  if (n < 2) return rows.slice();
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const prefix = hexPrefix((rows[i] as Row).id);
    if (prefix < 0) return [...rows].sort(byId); // Array#sort is stable
    keys[i] = prefix;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let scratch = new Uint32Array(n);
  const starts = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    starts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((keys[order[i] as number] as number) >>> shift) & 255;
      starts[digit] = (starts[digit] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const count = starts[b] as number;
      starts[b] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const at = order[i] as number;
      const digit = ((keys[at] as number) >>> shift) & 255;
      const to = starts[digit] as number;
      starts[digit] = to + 1;
      scratch[to] = at;
    }
    [order, scratch] = [scratch, order];
  }
  const out = new Array<Row>(n);
  for (let j = 0; j < n; j++) out[j] = rows[order[j] as number] as Row;
  let start = 0;
  for (let j = 1; j <= n; j++) {
    if (j < n && keys[order[j] as number] === keys[order[start] as number]) continue;
    if (j - start > 1) sortRangeById(out, start, j);
    start = j;
  }
  return out;
}

/**
 * Keeps one row per id of `sorted` (sorted by id, the rows of one id in batch order), in place: the first,
 * unless it is in progress and a later one comes (its end, or a later heartbeat), as the writer's `ON
 * CONFLICT` keeps them.
 */
function oneRowPerId<Row extends DagNodeRow | ExecutionEventRow>(sorted: Row[]): Row[] {
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i] as Row;
    if (kept > 0 && (sorted[kept - 1] as Row).id === row.id) {
      if (isInProgress(sorted[kept - 1] as Row)) sorted[kept - 1] = row;
      continue;
    }
    sorted[kept++] = row;
  }
  sorted.length = kept;
  return sorted;
}

/**
 * Splits rows by table, drops duplicates within the batch (the first event
 * or node of an id, i.e. of a span, is kept; the last run of a run id, so a
 * re-sent run wins, or two parts of a run made of several traces merged; a
 * row in progress never wins over one that knows its end, as in the
 * writer's `ON CONFLICT`) and sorts each
 * table by its conflict key, so that concurrent transactions lock rows in
 * the same order and cannot deadlock each other. Events and nodes are
 * sorted first and their duplicates, then adjacent, dropped (no Map of a
 * thousand ids per batch); runs, a few per batch and merged, keep a Map.
 */
export function groupRows(rows: readonly MappedRow[]): GroupedRows {
  const runs = new Map<string, WorkflowRunRow>();
  const nodes: DagNodeRow[] = [];
  const events: ExecutionEventRow[] = [];
  let fills: Map<string, EventFillRow> | undefined;
  for (const m of rows) {
    if (m.kind === 'event') events.push(m.row);
    else if (m.kind === 'run') {
      const held = runs.get(m.row.id);
      // Two parts of a run made of several traces merge, as in the writer's ON CONFLICT (run-merge.ts).
      const merged = held === undefined ? undefined : mergeRunRows(held, m.row);
      if (merged !== undefined) runs.set(m.row.id, merged);
      else if (held === undefined || !isInProgress(m.row) || isInProgress(held)) runs.set(m.row.id, m.row);
    } else if (m.kind === 'node') nodes.push(m.row);
    else if (m.kind === 'fill') {
      // One parent and run twice (a retry, or spans up one chain): one fill, each value of the lower rank, as
      // the table keeps them.
      fills ??= new Map();
      const key = fillKey(m.row.parent_event_id, m.row.run_id);
      const held = fills.get(key);
      fills.set(key, held === undefined ? m.row : mergeFills(held, m.row));
    } else events.push((m as { readonly row: ExecutionEventRow }).row);
  }
  return {
    runs: [...runs.values()].sort(byId),
    // An ended node is never rewritten; one in progress gives way to its end or to a later heartbeat. Events alike.
    nodes: oneRowPerId(sortedById(nodes)),
    events: oneRowPerId(sortedById(events)),
    fills: fills === undefined ? undefined : [...fills.values()],
  };
}

/**
 * What an INSERT does with a row whose key is already stored: skip it, or
 * update the stored row from it, only where `when` holds (SQL over the
 * stored row, as `t`, and the new one, as `EXCLUDED`; always without it).
 */
type Conflict =
  | { readonly doNothing: true }
  | {
      readonly updateOn: string;
      readonly when?: string | undefined;
      /** The `SET` list; without it every other column takes the new row's value. */
      readonly sets?: string | undefined;
    };


/**
 * An ended row replaces a row in progress; a row in progress never replaces
 * a stored row, so one replayed late from a spool cannot turn an ended run
 * back into a running one. Runs: a later end wins too (a re-sent run),
 * except that two ended parts of a run made of several traces merge
 * (run-merge.ts).
 */
const RUN_CONFLICT: Conflict = { updateOn: 'id', when: `NOT ${inProgressSql('EXCLUDED')}`, sets: RUN_UPSERT_SETS };

/**
 * A heartbeat (a row in progress written again, see `liveness.ts`) renews
 * the liveness keys of a stored row that is still in progress, never of an
 * ended one: `meta.last_seen_at` becomes the server's time of the write
 * (`now()`, as the readers' rule compares it with: the clock of the host
 * that recorded the row never enters the comparison), `heartbeat_ms` the
 * row's own. Runs after the insert in the same transaction, so a row just
 * inserted in progress is stamped too. Parameters: ids, then the rows'
 * `meta`. Exported for tests.
 */
export function heartbeatStatement(schema: string | undefined, table: string, idType: ColumnType): string {
  const stamp = `jsonb_build_object('${LAST_SEEN_AT_KEY}', ${serverTimeSql('now()')})`;
  return (
    `UPDATE ${qualify(schema, table)} AS t SET meta = t.meta || h.meta || ${stamp} FROM unnest($1::${idType}[], $2::jsonb[]) AS h(id, meta) ` +
    `WHERE t.id = ANY($1::${idType}[]) AND t.id = h.id AND ${inProgressSql('t')}` // the primary key's index, whatever the estimates
  );
}

/**
 * Locks the stored rows of `ids` in id order, before a batch updates them in
 * two statements (ended nodes, then heartbeats): each UPDATE locks in the
 * order of its plan, and two batches taking the same rows in different
 * orders would deadlock. Exported for tests.
 */
export function lockRowsStatement(schema: string | undefined, table: string, idType: ColumnType): string {
  return `SELECT 1 FROM ${qualify(schema, table)} WHERE id = ANY($1::${idType}[]) ORDER BY id FOR UPDATE`;
}

/** The two columns a heartbeat statement reads from each row in progress. */
const HEARTBEAT_COLUMNS = (idType: ColumnType): ColumnTypes<{ id: string; meta: JsonObject }> => ({ id: idType, meta: 'jsonb' });

/**
 * Nodes are inserted with `ON CONFLICT DO NOTHING` and no target, like
 * events (a unique index a user added on `dag_nodes` is an arbiter too,
 * never an error), and then their ended rows replace rows in progress with
 * this UPDATE (an ended node's row is never rewritten: the same span gives
 * the same row). Exported for tests.
 */
export function replaceInProgressStatement<Row>(schema: string | undefined, table: string, types: ColumnTypes<Row>): string {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const sets = columns
    .filter((c) => c !== 'id')
    .map((c) => `${quoteIdent(c)} = n.${quoteIdent(c)}`)
    .join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(', ');
  const names = columns.map(quoteIdent).join(', ');
  // `t.id = ANY($1)`: the primary key's index whatever the planner's estimates (without statistics, after a
  // round of heartbeats left dead rows, it chose a nested loop over the unnest: 10 s for 1000 ends).
  return `UPDATE ${qualify(schema, table)} AS t SET ${sets} FROM unnest(${arrays}) AS n(${names}) WHERE t.id = ANY($1::${types['id' as keyof Row]}[]) AND t.id = n.id AND ${inProgressSql('t')} AND NOT ${inProgressSql('n')}`;
}

/** The INSERT statement of a table (exported for tests and for generated SQL). */
export function insertStatement<Row>(
  schema: string | undefined,
  table: string,
  types: ColumnTypes<Row>,
  conflict: Conflict,
): string {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const names = columns.map(quoteIdent).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(', ');
  let onConflict: string;
  if ('doNothing' in conflict) {
    // No conflict target: every unique index is an arbiter, so a concurrent
    // insert of the same row (same id) is skipped, never an error, whatever
    // unique index a user may have added.
    onConflict = 'ON CONFLICT DO NOTHING';
  } else {
    const updates =
      conflict.sets ??
      columns
        .filter((c) => c !== conflict.updateOn)
        .map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`)
        .join(', ');
    onConflict = `ON CONFLICT (${quoteIdent(conflict.updateOn)}) DO UPDATE SET ${updates}${conflict.when === undefined ? '' : ` WHERE ${conflict.when}`}`;
  }
  return `INSERT INTO ${qualify(schema, table)} AS t (${names}) SELECT * FROM unnest(${arrays}) ${onConflict}`;
}

/** One array parameter per column; JSON columns as JSON text. */
function columnArrays<Row>(rows: readonly Row[], types: ColumnTypes<Row>): unknown[][] {
  const columns = Object.keys(types) as (keyof Row & string)[];
  return columns.map((c) => {
    const json = types[c] === 'jsonb';
    return rows.map((r) => {
      const v = r[c] as unknown;
      if (v === null || v === undefined) return null;
      return json ? JSON.stringify(v) : v;
    });
  });
}

/**
 * Runs `sql` (an INSERT or UPDATE reading one array parameter per column, see
 * `columnArrays`) once per chunk of rows; `onShort` is given each chunk that
 * wrote fewer rows than it holds (an INSERT that met stored rows).
 */
async function unnestChunks<Row>(
  client: Queryable,
  sql: string,
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  maxBatchRows: number,
  onShort?: (chunk: readonly Row[]) => void,
): Promise<{ written: number; statements: number }> {
  let written = 0;
  let statements = 0;
  for (let i = 0; i < rows.length; i += maxBatchRows) {
    const chunk = rows.slice(i, i + maxBatchRows);
    let params: unknown[][];
    try {
      params = columnArrays(chunk, types);
    } catch (err) {
      // e.g. a string too long for JSON.stringify: the rows are at fault, not the connection.
      throw new RowSerializationError(`a row could not be serialised: ${toError(err).message}`, { cause: err });
    }
    const res = await client.query(sql, params);
    written += res.rowCount ?? 0;
    statements++;
    if (onShort !== undefined && (res.rowCount ?? 0) < chunk.length) onShort(chunk);
  }
  return { written, statements };
}

/**
 * Renews the liveness of the stored rows in progress among `rows`, those
 * just inserted in progress too (the preparing host's time in their `meta`
 * replaced by the server's). Not counted as written. Returns the statements
 * run.
 */
async function renewLiveness(
  client: Queryable,
  schema: string | undefined,
  table: string,
  idType: ColumnType,
  rows: readonly (WorkflowRunRow | DagNodeRow | ExecutionEventRow)[],
  maxBatchRows: number,
): Promise<number> {
  const live = rows.filter(isInProgress);
  if (live.length === 0) return 0;
  return (await unnestChunks(client, heartbeatStatement(schema, table, idType), live, HEARTBEAT_COLUMNS(idType), maxBatchRows)).statements;
}

/**
 * Writes rows of a table that has rows in progress (nodes; events shown
 * while running): inserted with `ON CONFLICT DO NOTHING` and no target (a
 * unique index a user added is an arbiter too, never an error), then the
 * ended ones put over their stored rows in progress, then the liveness of
 * those still in progress renewed. Rows sorted by id (`groupRows`).
 */
async function writeLiveRows<Row extends DagNodeRow | ExecutionEventRow>(
  client: Queryable,
  schema: string | undefined,
  table: string,
  types: ColumnTypes<Row>,
  rows: readonly Row[],
  maxBatchRows: number,
): Promise<{ written: number; statements: number }> {
  const idType = types['id' as keyof Row];
  const inserted = await unnestChunks(client, insertStatement(schema, table, types, { doNothing: true }), rows, types, maxBatchRows);
  let { written, statements } = inserted;
  if (rows.length > 1) {
    await client.query(lockRowsStatement(schema, table, idType), [rows.map((r) => r.id)]);
    statements++;
  }
  const ended = rows.filter((r) => !isInProgress(r));
  if (ended.length > 0) {
    const replaced = await unnestChunks(client, replaceInProgressStatement(schema, table, types), ended, types, maxBatchRows);
    written += replaced.written;
    statements += replaced.statements;
  }
  statements += await renewLiveness(client, schema, table, idType, rows, maxBatchRows);
  return { written, statements };
}

/**
 * Of the stored rows of `rows` (same ids): those in progress, and those
 * awaiting a fill (`meta.awaits_fill`, see `agent-fill.ts`), by id as
 * `uuid::text` writes it (lower case). A read, no lock (the rows found are
 * locked in id order when they are written over). Not counted among the
 * statements that write.
 */
async function storedStates(client: Queryable, schema: string | undefined, rows: readonly ExecutionEventRow[]): Promise<{ inProgress: Set<string>; awaiting: Set<string> }> {
  const idType = EXECUTION_EVENTS_COLUMN_TYPES.id;
  const awaiting = `jsonb_typeof(t.meta->'${AWAITS_FILL_KEY}') = 'array'`;
  const sql =
    `SELECT t.id::text AS id, ${inProgressSql('t')} AS live, ${awaiting} AS awaiting FROM ${qualify(schema, TABLES.EXECUTION_EVENTS)} AS t ` +
    `WHERE t.id = ANY($1::${idType}[]) AND (${inProgressSql('t')} OR ${awaiting})`;
  const res = await client.query<{ id: string; live: boolean; awaiting: boolean }>(sql, [rows.map((r) => r.id)]);
  const out = { inProgress: new Set<string>(), awaiting: new Set<string>() };
  for (const r of res.rows) {
    if (r.live) out.inProgress.add(r.id);
    if (r.awaiting) out.awaiting.add(r.id);
  }
  return out;
}

/**
 * Events that take part in rows in progress (one in progress, or the end of
 * one that had a row in progress: `SHOWN_IN_PROGRESS_KEY`), apart from the
 * rest, which are inserted (COPY). Usually none: no copy is made then. The
 * mark only spares a batch its COPY fallback: an end that lost it (a `meta`
 * cut by the sanitiser's bounds, a quarantine row) still meets its stored
 * row in progress, and the chunk that met it is put over it then.
 */
function splitLiveEvents(events: readonly ExecutionEventRow[]): { plain: readonly ExecutionEventRow[]; live: ExecutionEventRow[] } {
  let live: ExecutionEventRow[] | undefined;
  let plain: ExecutionEventRow[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as ExecutionEventRow;
    // `meta` may be missing in a record spooled by another version (it is stored as a quarantine row).
    if (isInProgress(e) || (e.meta as ExecutionEventRow['meta'] | undefined)?.[SHOWN_IN_PROGRESS_KEY] === true) {
      if (live === undefined) {
        live = [];
        plain = events.slice(0, i);
      }
      live.push(e);
    } else if (plain !== undefined) plain.push(e);
  }
  return live === undefined ? { plain: events, live: [] } : { plain: plain as ExecutionEventRow[], live };
}

function checkBatchRows(n: number | undefined): number {
  const v = n ?? DEFAULT_MAX_BATCH_ROWS;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`agentspan exporter-postgres: maxBatchRows must be a positive integer, got ${String(n)}`);
  }
  return v;
}

/**
 * Writes the rows with the client the caller holds (no transaction of its
 * own): runs (upserted, so a re-sent run updates its row), then nodes, then
 * events (ON CONFLICT DO NOTHING), each table in chunks of `maxBatchRows`.
 */
export async function writeRows(
  client: Queryable,
  schema: string | undefined,
  rows: readonly MappedRow[] | GroupedRows,
  options: WriteRowsOptions = {},
): Promise<WriteRowsResult> {
  return writeRowsWith(client, schema, rows, options, 'unnest');
}

/**
 * {@link writeRows} with a choice of method for the events. `copy` relies
 * on an open transaction (its savepoint), so only
 * {@link writeRowsInTransaction} offers it.
 */
async function writeRowsWith(
  client: Queryable,
  schema: string | undefined,
  rows: readonly MappedRow[] | GroupedRows,
  options: WriteRowsOptions,
  method: WriteMethod,
  begin?: string,
): Promise<WriteRowsResult> {
  const maxBatchRows = checkBatchRows(options.maxBatchRows);
  const g = Array.isArray(rows) ? groupRows(rows as readonly MappedRow[]) : (rows as GroupedRows);
  let written = 0;
  let statements = 0;
  let copyFallbacks = 0;
  let own: readonly ExecutionEventRow[] = [];
  const fills = g.fills ?? [];
  let keys: FillKeys | undefined;
  // The fills' locks come before any row lock on stored rows, in every writer (`fillLockStatement`).
  const lockFills = async (): Promise<void> => {
    keys = fillKeysOf(fills, g.events, own);
    if (keys === undefined) return;
    await flushBegin();
    await client.query(fillLockStatement(), [keys.keys, qualify(schema, TABLES.EXECUTION_EVENTS)]);
    statements++;
  };
  const add = (r: { written: number; statements: number }): void => {
    written += r.written;
    statements += r.statements;
  };
  // `begin` (BEGIN, maybe SET LOCAL) runs before anything else: on its own before a parameterised
  // statement, or in the same round trip as the first COPY.
  let pending = begin;
  const takeBegin = (): string | undefined => {
    const sql = pending;
    pending = undefined;
    return sql;
  };
  const flushBegin = async (): Promise<void> => {
    const sql = takeBegin();
    if (sql !== undefined) await client.query(sql);
  };
  if (g.runs.length > 0) {
    await flushBegin();
    const sql = insertStatement(schema, TABLES.WORKFLOW_RUNS, WORKFLOW_RUNS_COLUMN_TYPES, RUN_CONFLICT);
    add(await unnestChunks(client, sql, g.runs, WORKFLOW_RUNS_COLUMN_TYPES, maxBatchRows));
    statements += await renewLiveness(client, schema, TABLES.WORKFLOW_RUNS, WORKFLOW_RUNS_COLUMN_TYPES.id, g.runs, maxBatchRows);
  }
  if (g.nodes.length > 0) {
    await flushBegin();
    add(await writeLiveRows(client, schema, TABLES.DAG_NODES, DAG_NODES_COLUMN_TYPES, g.nodes, maxBatchRows));
  }
  if (g.events.length > 0) {
    const { plain, live } = splitLiveEvents(g.events);
    // Chunks of plain events that met stored rows (a retry, a replay: or the end of an event whose row
    // in progress is stored and whose mark was lost, see `splitLiveEvents`): they go the live way too.
    const met: ExecutionEventRow[] = [];
    const onShort = (chunk: readonly ExecutionEventRow[]): void => {
      for (const e of chunk) if (!isInProgress(e)) met.push(e);
    };
    // A client that cannot stream COPY data (pg-native, a proxy object) writes with unnest.
    if (method === 'copy' && plain.length >= COPY_MIN_ROWS && canCopyIn(client)) {
      const r = await copyChunks(client, schema, TABLES.EXECUTION_EVENTS, plain, EXECUTION_EVENTS_COLUMN_TYPES, maxBatchRows, takeBegin(), onShort);
      add(r);
      copyFallbacks += r.fallbacks;
    } else if (plain.length > 0) {
      await flushBegin();
      const sql = insertStatement(schema, TABLES.EXECUTION_EVENTS, EXECUTION_EVENTS_COLUMN_TYPES, { doNothing: true });
      add(await unnestChunks(client, sql, plain, EXECUTION_EVENTS_COLUMN_TYPES, maxBatchRows, onShort));
    }
    // What the stored rows of the rows that met them (and of the ends of events shown in progress) are:
    // usually nothing to learn (a retry or a replay met its own rows).
    const ended = live.filter((e) => !isInProgress(e));
    const stored = met.length + ended.length === 0 ? undefined : await storedStates(client, schema, met.length === 0 ? ended : [...met, ...ended]);
    // Rows bringing their own values to a stored row of the same span awaiting a fill (see `writeFills`).
    if (stored !== undefined && stored.awaiting.size > 0) own = ownValueCandidates([...met, ...ended], stored.awaiting);
    await lockFills();
    // Of the rows a chunk met, those stored in progress join the live ones, in one pass in id order: its row
    // locks are taken in one order, whatever another batch holds.
    const stuck = stored === undefined || stored.inProgress.size === 0 ? [] : met.filter((r) => stored.inProgress.has(r.id.toLowerCase()));
    const replacing = stuck.length === 0 ? live : [...live, ...stuck].sort(byId);
    if (replacing.length > 0) {
      await flushBegin();
      add(await writeLiveRows(client, schema, TABLES.EXECUTION_EVENTS, EXECUTION_EVENTS_COLUMN_TYPES, replacing, maxBatchRows));
    }
  }
  // After the events: a fill reaches the rows of its own batch too.
  let filled = 0;
  if (g.events.length === 0) await lockFills();
  if (keys !== undefined) {
    const r = await writeFills(client, schema, fills, own, keys, maxBatchRows);
    filled = r.filled;
    statements += r.statements;
  }
  await flushBegin(); // nothing to write: the transaction is still opened (and committed) as asked
  return { runs: g.runs.length, nodes: g.nodes.length, events: g.events.length, fills: fills.length, filled, written, statements, copyFallbacks };
}

/**
 * Rows of a batch whose stored row (`awaiting`: ids of stored rows awaiting a fill) they may give their own
 * values: those that await no fill themselves (the spans their values come from were in their request: the
 * same span sent again whole, after a split request) and have some of the values a fill gives.
 */
function ownValueCandidates(rows: readonly ExecutionEventRow[], awaiting: ReadonlySet<string>): ExecutionEventRow[] {
  return rows.filter(
    (r) => awaiting.has(r.id.toLowerCase()) && r.parent_event_id !== null && r.run_id !== null && !awaitsFill(r) && FILLED_COLUMNS.some((c) => r[c] !== null),
  );
}

/** The values `ownValuesStatement` reads from each row. */
const OWN_VALUES_COLUMN_TYPES: ColumnTypes<Pick<ExecutionEventRow, 'id' | 'agent_name' | 'depth' | 'node_id'>> = {
  id: 'uuid',
  agent_name: 'text',
  depth: 'integer',
  node_id: 'text',
};

/** The parents and runs a batch's fills and marked rows are about, sorted; undefined when none (the usual batch). */
function fillKeysOf(fills: readonly EventFillRow[], events: readonly ExecutionEventRow[], own: readonly ExecutionEventRow[]): FillKeys | undefined {
  const byKey = new Map<string, readonly [string, string]>();
  for (const f of fills) byKey.set(fillKey(f.parent_event_id, f.run_id), [f.parent_event_id, f.run_id]);
  for (const e of events) {
    if (e.parent_event_id !== null && e.run_id !== null && awaitsFill(e)) byKey.set(fillKey(e.parent_event_id, e.run_id), [e.parent_event_id, e.run_id]);
  }
  // Checked above: both set.
  for (const e of own) byKey.set(fillKey(e.parent_event_id as string, e.run_id as string), [e.parent_event_id as string, e.run_id as string]);
  if (byKey.size === 0) return undefined;
  const entries = [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { keys: entries.map((e) => e[0]), parents: entries.map((e) => e[1][0]), runs: entries.map((e) => e[1][1]) };
}

/** Parents and runs (and their keys, for the locks) in parallel arrays. */
interface FillKeys {
  readonly keys: string[];
  readonly parents: string[];
  readonly runs: string[];
}

/**
 * The fills of a batch (see `agent-fill.ts`), once their locks are held (`fillLockStatement`, taken by the
 * caller before any row lock on stored rows): the rows' own values over stored rows awaiting a fill (they
 * win, and are no longer awaited), the fills merged into the table, and the marked rows under those
 * parents set from it.
 */
async function writeFills(
  client: Queryable,
  schema: string | undefined,
  fills: readonly EventFillRow[],
  own: readonly ExecutionEventRow[],
  k: FillKeys,
  maxBatchRows: number,
): Promise<{ filled: number; statements: number }> {
  let statements = 0;
  if (own.length > 0) {
    const r = await unnestChunks(client, ownValuesStatement(schema), own, OWN_VALUES_COLUMN_TYPES, maxBatchRows);
    // Counted only when it wrote (usually it finds no stored row awaiting a fill: a retry met its own rows).
    if (r.written > 0) statements += r.statements;
  }
  // The locks serialise every writer of these keys: the table's rows need no order of their own.
  if (fills.length > 0) statements += (await unnestChunks(client, fillUpsertStatement(schema), fills, EVENT_FILL_COLUMN_TYPES, maxBatchRows)).statements;
  const res = await client.query(fillApplyStatement(schema), [k.parents, k.runs]);
  return { filled: res.rowCount ?? 0, statements: statements + 1 };
}

/** The `COPY ... FROM STDIN` statement of the copy path for one table (exported for tests). */
export function copyStatement<Row>(schema: string | undefined, table: string, types: ColumnTypes<Row>): string {
  const names = (Object.keys(types) as string[]).map(quoteIdent).join(', ');
  return `COPY ${qualify(schema, table)} (${names}) FROM STDIN`;
}

/** The savepoint guarding each COPY chunk. */
const SAVEPOINT = 'agentspan_copy';

/**
 * The copy path (see {@link WriteMethod}): an optimistic COPY per chunk
 * under a savepoint; on a unique violation, that chunk and the rest through
 * `INSERT ... ON CONFLICT DO NOTHING`. Each chunk is one round trip: the
 * savepoint statements (and `prefix`, for the first: the transaction's
 * BEGIN) and the COPY go in one simple query.
 */
async function copyChunks<Row>(
  client: Queryable,
  schema: string | undefined,
  table: string,
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  maxBatchRows: number,
  prefix: string | undefined,
  onShort?: (chunk: readonly Row[]) => void,
): Promise<{ written: number; statements: number; fallbacks: number }> {
  const copySql = copyStatement(schema, table, types);
  const insertSql = insertStatement(schema, table, types, { doNothing: true });
  let written = 0;
  let statements = 0;
  let fallbacks = 0;
  let conflicted = false;
  let savepoint = false;
  for (let i = 0; i < rows.length; i += maxBatchRows) {
    const chunk = rows.slice(i, i + maxBatchRows);
    if (!conflicted) {
      // One round trip: the previous chunk's savepoint (if any) released, a fresh one taken, the COPY.
      const guard = savepoint ? `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}` : `SAVEPOINT ${SAVEPOINT}`;
      const sql = `${i === 0 && prefix !== undefined ? `${prefix}; ` : ''}${guard}; ${copySql}`;
      savepoint = true;
      try {
        const copied = await copyIn(client as pg.ClientBase, sql, copyDataMessages(chunk, types));
        if (copied !== chunk.length) {
          // Never expected (one line per row); refuse rather than commit a partial batch.
          throw new Error(`agentspan exporter-postgres: COPY wrote ${copied} of ${chunk.length} rows`);
        }
        written += copied;
        statements++;
        continue;
      } catch (err) {
        if (sqlState(err) !== '23505') throw err;
        // A row is already there: idempotency is the unique constraints' job, ON CONFLICT's from here on.
        await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        conflicted = true;
        fallbacks++;
      }
    }
    const r = await unnestChunks(client, insertSql, chunk, types, maxBatchRows, onShort);
    written += r.written;
    statements += r.statements;
  }
  return { written, statements, fallbacks };
}

/** Options of {@link writeRowsInTransaction}. */
export interface WriteTransactionOptions extends WriteRowsOptions {
  /** How `execution_events` rows are written (see {@link WriteMethod}). @default DEFAULT_WRITE_METHOD ('copy') */
  readonly method?: WriteMethod | undefined;
  /** `statement_timeout` set with `SET LOCAL` inside the transaction; unset leaves the connection's. */
  readonly statementTimeoutMs?: number | undefined;
  /** Attempts when the transaction fails only because of a concurrent one. @default 3 */
  readonly attempts?: number | undefined;
  /**
   * The attempt's signal (see `PostgresSink.deliver`): once aborted, no
   * further transaction, chunk or statement is started, the statement in
   * flight is cancelled, the transaction rolled back and its connection
   * released; the write rejects with `WriteAbortedError`. A COMMIT already
   * sent is let finish.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called when a ROLLBACK did not answer within `ROLLBACK_TIMEOUT_MS`: its
   * connection was cut and is discarded (the write fails as it would have).
   */
  readonly onRollbackTimeout?: ((error: RollbackTimeoutError) => void) | undefined;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * {@link writeRows} in one transaction on a client from `pool`. A
 * transaction that fails only because a concurrent one wrote the same rows
 * (unique violation on a non-arbiter index, deadlock) is retried; any other
 * error rolls back and is thrown. A client whose connection broke is
 * discarded, not returned to the pool.
 */
export async function writeRowsInTransaction(
  pool: ClientSource,
  schema: string | undefined,
  rows: readonly MappedRow[] | GroupedRows,
  options: WriteTransactionOptions = {},
): Promise<WriteRowsResult> {
  const grouped = Array.isArray(rows) ? groupRows(rows as readonly MappedRow[]) : (rows as GroupedRows);
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await transactionOnce(pool, schema, grouped, options);
    } catch (err) {
      if (attempt >= attempts || !isConcurrencyError(err)) throw err;
      await sleep(5 + Math.random() * 20 * attempt);
    }
  }
}

/**
 * Read committed whatever the server's or role's default: a statement that waited for another
 * transaction's lock must see what it committed (the fills' advisory locks rely on it, see `agent-fill.ts`).
 */
const BEGIN = 'BEGIN ISOLATION LEVEL READ COMMITTED';

async function transactionOnce(
  pool: ClientSource,
  schema: string | undefined,
  grouped: GroupedRows,
  options: WriteTransactionOptions,
): Promise<WriteRowsResult> {
  const client = await connectUnlessAborted(pool, options.signal);
  // Without a signal the statements go straight to the client: nothing is added to the usual write.
  const guard = options.signal === undefined ? undefined : new AbortableStatements(client, options.signal);
  let broken: Error | undefined;
  // Sent with the first statement that needs no parameters (the first COPY), else on its own.
  // A number formatted by us: nothing to quote.
  const begin =
    options.statementTimeoutMs === undefined ? BEGIN : `${BEGIN}; SET LOCAL statement_timeout = '${Math.floor(options.statementTimeoutMs)}ms'`;
  try {
    try {
      const result = await writeRowsWith(guard?.client ?? client, schema, grouped, options, options.method ?? DEFAULT_WRITE_METHOD, begin);
      // Aborted meanwhile: no COMMIT (the retry writes the batch); from COMMIT on, nothing is cancelled.
      if (guard?.aborted === true) throw guard.abortError();
      guard?.dispose();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (guard?.cut === true || isConnectionError(err)) broken = toError(err);
      else {
        // A cancel still on its way must not land on the ROLLBACK.
        await guard?.cancelSettled();
        // Bounded: a server that stops answering now would hold the connection (and a lent pool) for ever.
        const rollbackErr = await rollbackWithin(client);
        if (rollbackErr !== undefined) {
          broken = rollbackErr;
          if (rollbackErr instanceof RollbackTimeoutError) options.onRollbackTimeout?.(rollbackErr);
        }
        // Rolled back (its locks freed for the retry), but a cancel may still be on its way: discarded, not pooled.
        if (guard?.cancelSent === true) broken ??= guard.abortError();
      }
      // Whatever failed after the abort (the cancelled statement's 57014 ...), the write was abandoned:
      // never split nor retried here.
      throw guard?.aborted === true ? guard.abortError() : err;
    }
  } catch (err) {
    broken ??= isConnectionError(err) ? toError(err) : undefined;
    throw err;
  } finally {
    guard?.dispose();
    client.release(broken);
  }
}
