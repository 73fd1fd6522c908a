/**
 * Writes mapped rows, idempotently. Runs and nodes: per table, one multi-row
 * `INSERT ... SELECT * FROM unnest($1::t1[], ..., $n::tn[])` per chunk (one
 * parameter per column, whatever the number of rows) with `ON CONFLICT`.
 * Events, the bulk: by default `COPY` into a per-connection temporary
 * staging table, then `INSERT ... SELECT ... ON CONFLICT DO NOTHING` (see
 * {@link WriteMethod}). {@link writeRows} runs the unnest statements on a
 * client the caller holds (so retry, spool and poison-row splitting can be
 * composed around it); {@link writeRowsInTransaction} wraps a write in one
 * transaction and offers both methods.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  DAG_NODES_COLUMN_TYPES,
  EXECUTION_EVENTS_COLUMN_TYPES,
  TABLES,
  WORKFLOW_RUNS_COLUMN_TYPES,
  type ColumnTypes,
  type DagNodeRow,
  type ExecutionEventRow,
  type MappedRow,
  type WorkflowRunRow,
} from './columns.js';
import { toCopyText } from './copy-text.js';
import type { ClientSource } from './migrations.js';
import { RowSerializationError, isConcurrencyError, isConnectionError, toError } from './pg-errors.js';
import { qualify, quoteIdent } from './sql.js';

/** Default number of rows per INSERT statement. */
export const DEFAULT_MAX_BATCH_ROWS = 1000;

/**
 * How {@link writeRowsInTransaction} writes `execution_events`, the bulk of
 * the rows: `copy` streams them with `COPY ... FROM STDIN` into a temporary
 * staging table, then moves them with one `INSERT ... SELECT ... ON CONFLICT
 * DO NOTHING` (COPY itself has no ON CONFLICT; the staging table keeps the
 * write idempotent), all in the caller's transaction; `unnest` sends them as
 * one array parameter per column to `INSERT ... SELECT FROM unnest(...)`.
 * Both store the same values and refuse the same bad ones, so the poison-row
 * splitting above them works unchanged, and both write `maxBatchRows` rows
 * per INSERT statement. Runs and nodes always use `unnest`
 * (they are few, and runs need `ON CONFLICT DO UPDATE`).
 */
export type WriteMethod = 'copy' | 'unnest';

/**
 * Below this many event rows the `copy` method writes with `unnest` too: COPY
 * costs two more round trips (create-if-missing the staging table, COPY, then
 * INSERT), which a few rows do not repay; and the small batches are the ones
 * a flush at exit waits for.
 */
export const COPY_MIN_ROWS = 100;

/**
 * `unnest`: `copy` is faster on the write path alone (about 20% on the
 * benchmark's rows) but not end to end, where the recording process' CPU is
 * the limit, and PGlite's socket server hangs on COPY batches of a few
 * thousand rows (see BENCHMARKS.md, *Write path*).
 */
export const DEFAULT_WRITE_METHOD: WriteMethod = 'unnest';

/** Something that runs a parameterised query: a `pg.PoolClient` or `pg.Client`. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Options of {@link writeRows}. */
export interface WriteRowsOptions {
  /** Rows per INSERT statement. @default 1000 */
  readonly maxBatchRows?: number | undefined;
}

/** Rows per table, deduplicated and sorted by their conflict key. */
export interface GroupedRows {
  readonly runs: readonly WorkflowRunRow[];
  readonly nodes: readonly DagNodeRow[];
  readonly events: readonly ExecutionEventRow[];
}

/** What {@link writeRows} sent. */
export interface WriteRowsResult {
  /** Rows sent per table (after deduplication within the call). */
  readonly runs: number;
  readonly nodes: number;
  readonly events: number;
  /** Rows that are new (ON CONFLICT skipped the others; updated runs count as written). */
  readonly written: number;
  /** INSERT statements executed. */
  readonly statements: number;
}

function byKey<T>(key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/**
 * Splits rows by table, drops duplicates within the batch (the first event
 * or node of a span id is kept; the last run of a run id, so a re-sent run
 * wins) and sorts each table by its conflict key, so that concurrent
 * transactions lock rows in the same order and cannot deadlock each other.
 */
export function groupRows(rows: readonly MappedRow[]): GroupedRows {
  const runs = new Map<string, WorkflowRunRow>();
  const nodes = new Map<string, DagNodeRow>();
  const events = new Map<string, ExecutionEventRow>();
  for (const m of rows) {
    if (m.kind === 'run') runs.set(m.row.id, m.row);
    else if (m.kind === 'node') {
      if (!nodes.has(m.row.id)) nodes.set(m.row.id, m.row);
    } else if (!events.has(m.row.id)) events.set(m.row.id, m.row);
  }
  return {
    runs: [...runs.values()].sort(byKey((r) => r.id)),
    nodes: [...nodes.values()].sort(byKey((r) => r.id)),
    events: [...events.values()].sort(byKey((r) => r.id)),
  };
}

type Conflict = { readonly doNothing: true } | { readonly updateOn: string };

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
    // insert of the same row (same id and span_id) is skipped, never an error.
    onConflict = 'ON CONFLICT DO NOTHING';
  } else {
    const updates = columns
      .filter((c) => c !== conflict.updateOn)
      .map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`)
      .join(', ');
    onConflict = `ON CONFLICT (${quoteIdent(conflict.updateOn)}) DO UPDATE SET ${updates}`;
  }
  return `INSERT INTO ${qualify(schema, table)} (${names}) SELECT * FROM unnest(${arrays}) ${onConflict}`;
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

async function insertChunks<Row>(
  client: Queryable,
  sql: string,
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  maxBatchRows: number,
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
  }
  return { written, statements };
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
 * on an open transaction (its staging table is emptied at commit), so only
 * {@link writeRowsInTransaction} offers it.
 */
async function writeRowsWith(
  client: Queryable,
  schema: string | undefined,
  rows: readonly MappedRow[] | GroupedRows,
  options: WriteRowsOptions,
  method: WriteMethod,
): Promise<WriteRowsResult> {
  const maxBatchRows = checkBatchRows(options.maxBatchRows);
  const g = Array.isArray(rows) ? groupRows(rows as readonly MappedRow[]) : (rows as GroupedRows);
  let written = 0;
  let statements = 0;
  const add = (r: { written: number; statements: number }): void => {
    written += r.written;
    statements += r.statements;
  };
  if (g.runs.length > 0) {
    const sql = insertStatement(schema, TABLES.WORKFLOW_RUNS, WORKFLOW_RUNS_COLUMN_TYPES, { updateOn: 'id' });
    add(await insertChunks(client, sql, g.runs, WORKFLOW_RUNS_COLUMN_TYPES, maxBatchRows));
  }
  if (g.nodes.length > 0) {
    const sql = insertStatement(schema, TABLES.DAG_NODES, DAG_NODES_COLUMN_TYPES, { doNothing: true });
    add(await insertChunks(client, sql, g.nodes, DAG_NODES_COLUMN_TYPES, maxBatchRows));
  }
  if (g.events.length > 0) {
    if (method === 'copy' && g.events.length >= COPY_MIN_ROWS) {
      add(await copyThroughStage(client, schema, TABLES.EXECUTION_EVENTS, g.events, EXECUTION_EVENTS_COLUMN_TYPES, maxBatchRows));
    } else {
      const sql = insertStatement(schema, TABLES.EXECUTION_EVENTS, EXECUTION_EVENTS_COLUMN_TYPES, { doNothing: true });
      add(await insertChunks(client, sql, g.events, EXECUTION_EVENTS_COLUMN_TYPES, maxBatchRows));
    }
  }
  return { runs: g.runs.length, nodes: g.nodes.length, events: g.events.length, written, statements };
}

/** A short stable hash, so each target schema gets its own staging table on a shared connection. */
function shortHash(s: string): string {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

/** The statements of the COPY path for one table (exported for tests). */
export function copyStatements<Row>(
  schema: string | undefined,
  table: string,
  types: ColumnTypes<Row>,
): { create: string; copy: string; insert: string; empty: string } {
  const stage = `pg_temp.${quoteIdent(`agentspan_stage_${table}_${shortHash(schema ?? '')}`)}`;
  const names = (Object.keys(types) as string[]).map(quoteIdent).join(', ');
  return {
    // Created if missing in every transaction (so it exists once per session, and transaction-pooling
    // proxies work); ON COMMIT DELETE ROWS empties it at the end of every transaction
    // (and a rollback discards what it holds), so rows never leak from one write into the next.
    create: `CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${qualify(schema, table)} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    copy: `COPY ${stage} (${names}) FROM STDIN`,
    // Sorted by the key like the unnest path, so concurrent writers lock rows in the same order.
    insert: `INSERT INTO ${qualify(schema, table)} (${names}) SELECT ${names} FROM ${stage} ORDER BY "id" ON CONFLICT DO NOTHING`,
    empty: `DELETE FROM ${stage}`,
  };
}

async function copyThroughStage<Row>(
  client: Queryable,
  schema: string | undefined,
  table: string,
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  maxBatchRows: number,
): Promise<{ written: number; statements: number }> {
  const sql = copyStatements(schema, table, types);
  await client.query(sql.create);
  let written = 0;
  let statements = 0;
  for (let i = 0; i < rows.length; i += maxBatchRows) {
    const chunk = rows.slice(i, i + maxBatchRows);
    let text: Buffer;
    try {
      text = Buffer.from(toCopyText(chunk, types), 'utf8');
    } catch (err) {
      throw new RowSerializationError(`a row could not be serialised: ${toError(err).message}`, { cause: err });
    }
    if (i > 0) await client.query(sql.empty); // the previous chunk is still staged until commit
    const stream = (client as pg.ClientBase).query(copyFrom(sql.copy));
    await pipeline(Readable.from([text]), stream);
    if (stream.rowCount !== chunk.length) {
      // Never expected (one line per row); refuse rather than commit a partial batch.
      throw new Error(`agentspan exporter-postgres: COPY staged ${stream.rowCount} of ${chunk.length} rows`);
    }
    const res = await client.query(sql.insert);
    written += res.rowCount ?? 0;
    statements++;
  }
  return { written, statements };
}

/** Options of {@link writeRowsInTransaction}. */
export interface WriteTransactionOptions extends WriteRowsOptions {
  /** How `execution_events` rows are written (see {@link WriteMethod}). @default 'unnest' */
  readonly method?: WriteMethod | undefined;
  /** `statement_timeout` set with `SET LOCAL` inside the transaction; unset leaves the connection's. */
  readonly statementTimeoutMs?: number | undefined;
  /** Attempts when the transaction fails only because of a concurrent one. @default 3 */
  readonly attempts?: number | undefined;
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
    try {
      return await transactionOnce(pool, schema, grouped, options);
    } catch (err) {
      if (attempt >= attempts || !isConcurrencyError(err)) throw err;
      await sleep(5 + Math.random() * 20 * attempt);
    }
  }
}

async function transactionOnce(
  pool: ClientSource,
  schema: string | undefined,
  grouped: GroupedRows,
  options: WriteTransactionOptions,
): Promise<WriteRowsResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      if (options.statementTimeoutMs !== undefined) {
        await client.query(`SELECT set_config('statement_timeout', $1, true)`, [`${Math.floor(options.statementTimeoutMs)}ms`]);
      }
      const result = await writeRowsWith(client, schema, grouped, options, options.method ?? DEFAULT_WRITE_METHOD);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionError(err)) broken = toError(err);
      else {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = toError(rollbackErr);
        });
      }
      throw err;
    }
  } catch (err) {
    broken ??= isConnectionError(err) ? toError(err) : undefined;
    throw err;
  } finally {
    client.release(broken);
  }
}
