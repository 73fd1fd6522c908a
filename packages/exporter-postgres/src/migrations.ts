/**
 * The schema of the three tables, as an ordered list of idempotent SQL
 * migrations, and {@link runMigrations} which applies the missing ones.
 *
 * The SQL is written with unqualified names so it reads (and can be shipped
 * as a docker init file) as is. {@link runMigrations} applies it inside a
 * transaction whose `search_path` is set, with `SET LOCAL`, to the quoted
 * target schema only (then `pg_catalog`, `pg_temp`), so every name resolves
 * to that schema and nothing else.
 */

import { diag } from '@opentelemetry/api';
import type pg from 'pg';
import { TABLES } from './columns.js';
import { MigrationError, SCHEMA_STEP, VERSIONS_TABLE_STEP } from './migration-error.js';
import { AGENTSPAN_TABLES, agentspanSchemaOnSearchPath } from './migration-target.js';
import { isConnectionError, isPrivilegeError, toError } from './pg-errors.js';
import { RollbackTimeoutError, rollbackWithin } from './rollback.js';
import { assertValidSchemaName, quoteIdent, qualify } from './sql.js';
import {
  EVENT_OUTCOMES_VIEW,
  EVENT_OUTCOMES_VIEW_SQL,
  EVENTS_IN_PROGRESS_SQL,
  PATTERN_VIEWS,
  PATTERN_VIEWS_SQL,
  RUN_COUNT_CHECK_SQL,
  TOOL_SEQUENCES_SQL,
} from './views.js';

/** One migration: applied once per schema, in `version` order. */
export interface Migration {
  /** Strictly increasing, never reused. */
  readonly version: number;
  /** Short description, stored beside the version. */
  readonly name: string;
  /** Idempotent DDL (IF NOT EXISTS everywhere) with unqualified names. */
  readonly sql: string;
  /**
   * Tables and views the migration creates. When one of them is missing
   * although the version is recorded (dropped by hand), {@link runMigrations}
   * applies every migration again, in order (they are idempotent).
   * @default none checked
   */
  readonly creates?: readonly string[] | undefined;
}

/** Migration 1: `execution_events`, one row per agent call, code execution, tool call, generated file or handoff. */
export const EXECUTION_EVENTS_SQL = `
CREATE TABLE IF NOT EXISTS execution_events (
  id               uuid PRIMARY KEY,
  run_id           text,
  node_id          text,
  step_id          text,
  session_id       text,
  parent_event_id  uuid,
  event_type       text NOT NULL,
  event_subtype    text,
  agent_name       text,
  agent_role       text,
  "timestamp"      timestamptz NOT NULL,
  started_at       timestamptz,
  completed_at     timestamptz,
  duration_ms      double precision,
  inputs           jsonb NOT NULL DEFAULT '{}'::jsonb,
  outputs          jsonb NOT NULL DEFAULT '{}'::jsonb,
  meta             jsonb NOT NULL DEFAULT '{}'::jsonb,
  error_message    text,
  execution_order  integer,
  depth            integer,
  status           text NOT NULL,
  trace_id         text NOT NULL,
  span_id          text NOT NULL,
  parent_span_id   text,
  name             text,
  service_name     text,
  attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT execution_events_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS execution_events_run_id_execution_order_idx ON execution_events (run_id, execution_order);
CREATE INDEX IF NOT EXISTS execution_events_node_id_execution_order_idx ON execution_events (node_id, execution_order);
CREATE INDEX IF NOT EXISTS execution_events_event_type_event_subtype_idx ON execution_events (event_type, event_subtype);
CREATE INDEX IF NOT EXISTS execution_events_session_id_timestamp_idx ON execution_events (session_id, "timestamp");
CREATE INDEX IF NOT EXISTS execution_events_parent_event_id_idx ON execution_events (parent_event_id);
CREATE INDEX IF NOT EXISTS execution_events_agent_name_idx ON execution_events (agent_name);
CREATE INDEX IF NOT EXISTS execution_events_timestamp_idx ON execution_events ("timestamp");
CREATE INDEX IF NOT EXISTS execution_events_trace_id_idx ON execution_events (trace_id);
`.trim();

/** Migration 2: `workflow_runs`, one row per run (keyed by the run id). */
export const WORKFLOW_RUNS_SQL = `
CREATE TABLE IF NOT EXISTS workflow_runs (
  id                text PRIMARY KEY,
  mode              text,
  task_description  text,
  status            text,
  started_at        timestamptz,
  completed_at      timestamptz,
  duration_ms       double precision,
  session_id        text,
  meta              jsonb NOT NULL DEFAULT '{}'::jsonb,
  trace_id          text,
  span_id           text,
  service_name      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_runs_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS workflow_runs_started_at_idx ON workflow_runs (started_at);
`.trim();

/** Migration 3: `dag_nodes`, one row per node (step) of a run. */
export const DAG_NODES_SQL = `
CREATE TABLE IF NOT EXISTS dag_nodes (
  id            uuid PRIMARY KEY,
  run_id        text NOT NULL,
  node_id       text NOT NULL,
  node_type     text,
  title         text,
  agent         text,
  status        text,
  order_index   integer,
  depth         integer,
  started_at    timestamptz,
  completed_at  timestamptz,
  duration_ms   double precision,
  meta          jsonb NOT NULL DEFAULT '{}'::jsonb,
  trace_id      text,
  span_id       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dag_nodes_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS dag_nodes_run_id_order_index_idx ON dag_nodes (run_id, order_index);
`.trim();

/**
 * Migration 4: a span id alone is no longer unique. It is unique only within
 * its trace (64 random bits, or whatever another SDK sends through the
 * gateway), so two different spans of two traces may share one, and with
 * `UNIQUE (span_id)` the second of them was skipped by `ON CONFLICT DO
 * NOTHING` and counted nowhere (and a second run span failed its batch). The primary keys already make every write
 * idempotent: an event's and a node's `id` is derived from its trace and
 * span ids (`eventIdFor`), a run's is the run id. Migrations 1–3 stay as
 * they were applied; this one drops what they created.
 */
export const SPAN_IDS_NOT_UNIQUE_SQL = `
ALTER TABLE execution_events DROP CONSTRAINT IF EXISTS execution_events_span_id_key;
ALTER TABLE workflow_runs DROP CONSTRAINT IF EXISTS workflow_runs_span_id_key;
ALTER TABLE dag_nodes DROP CONSTRAINT IF EXISTS dag_nodes_span_id_key;
`.trim();

/**
 * Migration 24: what the gateway fills in on event rows written before the
 * span they take their agent, depth and node from (see `agent-fill.ts`):
 * one row per parent of such rows and run, each value with its rank. Kept
 * so that rows written after their fill (a concurrent batch, a spool
 * replayed late) take it too.
 */
export const EVENT_FILLS_SQL = `
CREATE TABLE IF NOT EXISTS ${TABLES.EVENT_FILLS} (
  parent_event_id uuid NOT NULL,
  run_id          text NOT NULL,
  agent_name      text,
  name_rank       integer,
  depth           integer,
  depth_rank      integer,
  node_id         text,
  node_rank       integer,
  span_id         text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (parent_event_id, run_id)
);
`.trim();

/** The name of the index of migration 27 (readers look it up to know whether they may rely on it). */
export const UNORDERED_EVENTS_INDEX = 'execution_events_run_id_timestamp_unordered_idx';

/**
 * Migration 27: the events without an execution order (spans no recorder
 * numbered), in replay order per run. The order every view of a run uses
 * lists them last, by time then id; without this index a reader paging
 * through them (`agentspan timeline`) scanned and sorted all of them for
 * every page. Partial: only those rows are in it, so it costs the writes
 * of numbered events nothing. Built in the migration's transaction (no
 * `CONCURRENTLY` there): it reads the table once, and writes to
 * `execution_events` wait for that read.
 */
export const UNORDERED_EVENTS_INDEX_SQL = `
CREATE INDEX IF NOT EXISTS ${UNORDERED_EVENTS_INDEX} ON execution_events (run_id, "timestamp", id) WHERE execution_order IS NULL;
`.trim();

/** Every migration, in the order they are applied. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'execution_events', sql: EXECUTION_EVENTS_SQL, creates: [TABLES.EXECUTION_EVENTS] },
  { version: 2, name: 'workflow_runs', sql: WORKFLOW_RUNS_SQL, creates: [TABLES.WORKFLOW_RUNS] },
  { version: 3, name: 'dag_nodes', sql: DAG_NODES_SQL, creates: [TABLES.DAG_NODES] },
  { version: 4, name: 'span_ids_not_unique', sql: SPAN_IDS_NOT_UNIQUE_SQL },
  { version: 20, name: 'pattern_views', sql: PATTERN_VIEWS_SQL, creates: PATTERN_VIEWS },
  { version: 21, name: 'event_outcomes_error_type', sql: EVENT_OUTCOMES_VIEW_SQL, creates: [EVENT_OUTCOMES_VIEW] },
  { version: 22, name: 'tool_sequences_lanes', sql: `${EVENT_OUTCOMES_VIEW_SQL}\n${TOOL_SEQUENCES_SQL}`, creates: [EVENT_OUTCOMES_VIEW] },
  { version: 23, name: 'events_in_progress', sql: EVENTS_IN_PROGRESS_SQL, creates: [EVENT_OUTCOMES_VIEW] },
  { version: 24, name: 'event_fills', sql: EVENT_FILLS_SQL, creates: [TABLES.EVENT_FILLS] },
  // The outcomes view again, and the aggregates over it: an event's status read as a run's (`error` is no success).
  { version: 25, name: 'event_outcome_words', sql: EVENT_OUTCOMES_VIEW_SQL, creates: [EVENT_OUTCOMES_VIEW] },
  // agentspan_recent_run_ids and the four *_last functions again: a negative `runs` refused, naming it (22023).
  { version: 26, name: 'run_count_check', sql: RUN_COUNT_CHECK_SQL },
  // Events without an execution order, by run, time and id: a page of them is an index range.
  { version: 27, name: 'unordered_events_index', sql: UNORDERED_EVENTS_INDEX_SQL },
]);

/** The table recording applied versions (created by {@link runMigrations}, not by a migration). */
export const SCHEMA_MIGRATIONS_SQL = `
CREATE TABLE IF NOT EXISTS ${TABLES.SCHEMA_MIGRATIONS} (
  version     integer PRIMARY KEY,
  name        text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
`.trim();

/**
 * The whole schema as one SQL script (for a docker init file): the
 * migrations table, every migration, and the rows recording them, so the
 * exporter's own migrator finds nothing left to do.
 */
export function migrationScript(migrations: readonly Migration[] = MIGRATIONS): string {
  const parts = [SCHEMA_MIGRATIONS_SQL];
  for (const m of migrations) {
    parts.push(`-- ${m.version}: ${m.name}`, m.sql);
    parts.push(
      `INSERT INTO ${TABLES.SCHEMA_MIGRATIONS} (version, name) VALUES (${m.version}, '${m.name.replaceAll("'", "''")}') ON CONFLICT (version) DO NOTHING;`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /**
   * Schema to create the tables in (created if missing; an existing one is
   * never created again, so its owner needs no `CREATE` on the database).
   * `$user` and names starting with `pg_` are refused with a TypeError (see
   * the exporter's `schema` option).
   * @default the first schema of the connection's `search_path` that holds
   * agentspan's tables, else its current schema (where unqualified writes go)
   */
  readonly schema?: string | undefined;
  /**
   * Migrations to apply (tests and later versions).
   * @default MIGRATIONS
   */
  readonly migrations?: readonly Migration[] | undefined;
  /**
   * Called when the ROLLBACK of a failed migration did not answer within
   * `ROLLBACK_TIMEOUT_MS` (its connection cut and discarded), with the
   * migration's error, which `runMigrations` still rejects with.
   * @default a `diag` warning naming both
   */
  readonly onRollbackTimeout?: ((timeout: RollbackTimeoutError, migrationError: unknown) => void) | undefined;
}

/**
 * Tells `onRollbackTimeout` (by default, one `diag` warning naming the
 * migration's error) that the ROLLBACK of a failed migration was cut. A
 * callback that throws is ignored: the migration's error is what
 * `runMigrations` rejects with, whatever happens to the report.
 */
function reportRollbackTimeout(
  onRollbackTimeout: RunMigrationsOptions['onRollbackTimeout'],
  timeout: RollbackTimeoutError,
  migrationError: unknown,
): void {
  try {
    if (onRollbackTimeout !== undefined) {
      onRollbackTimeout(timeout, migrationError);
      return;
    }
    diag.warn(
      `agentspan exporter-postgres: the ROLLBACK of a failed migration did not answer within ${timeout.timeoutMs} ms ` +
        `(the server or the link stopped answering): its connection was cut and discarded. ` +
        `The migration failed with: ${toError(migrationError).message}`,
    );
  } catch {
    /* see above */
  }
}

/** What {@link runMigrations} did. */
export interface RunMigrationsResult {
  /** Versions applied by this call (empty when the schema was up to date; every version when `recreated` is not empty). */
  readonly applied: readonly number[];
  /** Tables and views found missing although their migration was recorded, and created again (empty when none was). */
  readonly recreated: readonly string[];
}

/** Something that hands out clients: a `pg.Pool`. */
export type ClientSource = Pick<pg.Pool, 'connect'>;

/** First key of the advisory lock (`'agsp'`); the second is a hash of the schema name. */
const ADVISORY_LOCK_CLASS = 0x61677370;

/**
 * Applies the migrations not yet recorded in `agentspan_schema_migrations`,
 * in one transaction under an advisory lock (so concurrent migrators, in this
 * process or another, wait for each other instead of racing). Re-running is
 * a no-op: when every version is recorded and every table and view they
 * create exists (`Migration.creates`), it only reads the catalog and the
 * versions table. A table dropped by hand, with its version still recorded,
 * makes it apply every migration again.
 *
 * A migration whose SQL fails rejects with a {@link MigrationError} naming
 * it (its `code` and `cause` are Postgres'), and so do creating the missing
 * schema (naming `SCHEMA_STEP`; refused for lack of CREATE on the database,
 * the message names that privilege) and creating the versions table (naming
 * `VERSIONS_TABLE_STEP`), both version 0; anything else (connecting, the
 * catalog reads, the lock) with the error as thrown by `pg`. The ROLLBACK
 * after such a failure is bounded (`rollbackWithin`, `ROLLBACK_TIMEOUT_MS`):
 * one that does not answer has its connection cut and discarded, is reported
 * to `onRollbackTimeout`, and the rejection is still the failure's error.
 *
 * Without `schema`, it acts on the schema of the `search_path` that already
 * holds agentspan's tables (see `agentspanSchemaOnSearchPath`), so an
 * upgrade migrates the tables the application writes to, never a second,
 * empty set in an earlier schema of the path.
 */
export async function runMigrations(pool: ClientSource, options: RunMigrationsOptions = {}): Promise<RunMigrationsResult> {
  if (options.schema !== undefined) assertValidSchemaName(options.schema);
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const schema = options.schema ?? (await agentspanSchemaOnSearchPath(client));
    const migrationsTable = qualify(schema, TABLES.SCHEMA_MIGRATIONS);
    // Fast path without a lock: everything already applied.
    const before = await readSchemaState(client, schema, migrations);
    if (before.upToDate) return { applied: [], recreated: [] };

    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, hashtext(coalesce($1::text, current_schema(), '')))`, [
        schema ?? null,
      ]);
      if (options.schema !== undefined) await createSchemaIfMissing(client, options.schema);
      if (schema !== undefined) {
        await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}, pg_catalog, pg_temp`);
      }
      // Read again under the lock: another migrator may have finished meanwhile.
      let state = await readSchemaState(client, schema, migrations);
      if (!state.versionsTable) {
        // Only when missing: CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table
        // exists, which a role that only writes the tables (and would merely fail a migration) lacks.
        await createVersionsTable(client, schema);
        state = await readSchemaState(client, schema, migrations);
      }
      const { done, missing } = state;
      // A recorded migration whose tables are gone is applied again, and so is every other
      // (they are idempotent, and a later one may build on what an earlier one created).
      const reapply = missing.length > 0;
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version) && !reapply) continue;
        await applyMigration(client, m, schema);
        if (!done.has(m.version)) {
          await client.query(`INSERT INTO ${migrationsTable} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        }
        applied.push(m.version);
      }
      await client.query('COMMIT');
      if (applied.length > 0) {
        diag.info(
          `agentspan exporter-postgres: applied migrations ${applied.join(', ')}${schema ? ` in schema ${schema}` : ''}` +
            (reapply ? ` (again: ${missing.join(', ')} had been dropped)` : ''),
        );
      }
      return { applied, recreated: missing };
    } catch (err) {
      // Bounded as the writer's (rollback.ts): a server or link that stops answering now would hold
      // `migrate`, the start-up waiting for it and the pool's `end()` for ever. A connection already
      // broken is discarded below without one (the server rolls back when it goes).
      if (!isConnectionError(err)) {
        const rollbackErr = await rollbackWithin(client);
        if (rollbackErr !== undefined) {
          // Never pooled again: a ROLLBACK that failed or was cut leaves the connection's state unknown.
          broken = rollbackErr;
          if (rollbackErr instanceof RollbackTimeoutError) reportRollbackTimeout(options.onRollbackTimeout, rollbackErr, err);
        }
      }
      // The migration's own error, as is: what failed, and what to fix. The timeout is only reported beside it.
      throw err;
    }
  } catch (err) {
    broken ??= isConnectionError(err) ? toError(err) : undefined;
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Creates `schema` when it is missing; a failure is thrown as a {@link MigrationError} naming
 * {@link SCHEMA_STEP}, and a refusal (42501) says which privilege was missing and what to do.
 * Only a missing schema is created: Postgres checks CREATE on the database before IF NOT EXISTS,
 * and a role that owns an existing schema often lacks it (the default for a role that does not
 * own the database). The role and database are read with the check, for the message: once the
 * CREATE fails, the transaction answers nothing more.
 */
async function createSchemaIfMissing(client: pg.PoolClient, schema: string): Promise<void> {
  const res = await client.query<{ present: boolean; role: string; database: string }>(
    'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present, current_user AS role, current_database() AS database',
    [schema],
  );
  const found = res.rows[0];
  if (found?.present) return;
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (err) {
    const hint =
      isPrivilegeError(err) && found !== undefined
        ? `creating a missing schema needs the CREATE privilege on the database: create schema ${schema} beforehand as a role that has it, ` +
          `owned by this role (CREATE SCHEMA ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(found.role)}), or grant this role CREATE on database ${found.database}`
        : undefined;
    throw new MigrationError(SCHEMA_STEP, schema, err, hint);
  }
}

/** Creates `agentspan_schema_migrations`; a failure is thrown as a {@link MigrationError} naming {@link VERSIONS_TABLE_STEP}. */
async function createVersionsTable(client: pg.PoolClient, schema: string | undefined): Promise<void> {
  try {
    await client.query(SCHEMA_MIGRATIONS_SQL);
  } catch (err) {
    throw new MigrationError(VERSIONS_TABLE_STEP, schema, err);
  }
}

/** Runs one migration's SQL; its failure is thrown as a {@link MigrationError} naming it. */
async function applyMigration(client: pg.PoolClient, migration: Migration, schema: string | undefined): Promise<void> {
  try {
    await client.query(migration.sql);
  } catch (err) {
    throw new MigrationError(migration, schema, err);
  }
}

/** What a schema holds of the migrations: the recorded versions, and the tables and views of those found missing. */
interface SchemaState {
  /** Whether `agentspan_schema_migrations` exists. */
  readonly versionsTable: boolean;
  readonly done: ReadonlySet<number>;
  readonly missing: readonly string[];
  /** Every migration recorded and nothing of them missing. */
  readonly upToDate: boolean;
}

async function readSchemaState(client: pg.PoolClient, schema: string | undefined, migrations: readonly Migration[]): Promise<SchemaState> {
  const present = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    qualify(schema, TABLES.SCHEMA_MIGRATIONS),
  ]);
  if (!present.rows[0]?.present) return { versionsTable: false, done: new Set(), missing: [], upToDate: false };
  const versions = await client.query<{ version: number }>(`SELECT version FROM ${qualify(schema, TABLES.SCHEMA_MIGRATIONS)}`);
  const done = new Set(versions.rows.map((r) => Number(r.version)));
  const expected = migrations.filter((m) => done.has(m.version)).flatMap((m) => m.creates ?? []);
  const missing = await missingRelations(client, schema, expected);
  return { versionsTable: true, done, missing, upToDate: missing.length === 0 && migrations.every((m) => done.has(m.version)) };
}

/** The names among `relations` that do not exist in `schema` (unqualified names: on the `search_path`). */
async function missingRelations(client: pg.PoolClient, schema: string | undefined, relations: readonly string[]): Promise<string[]> {
  if (relations.length === 0) return [];
  const res = await client.query<{ name: string }>(
    `SELECT r.name FROM unnest($1::text[]) WITH ORDINALITY AS r(name, position)
      WHERE to_regclass(CASE WHEN $2::text IS NULL THEN quote_ident(r.name) ELSE format('%I.%I', $2::text, r.name) END) IS NULL
      ORDER BY r.position`,
    [[...new Set(relations)], schema ?? null],
  );
  return res.rows.map((r) => r.name);
}

/**
 * Whether `err` is a migration this role may not apply (42501) that creates
 * none of the tables: the tables exist from earlier migrations, so the rows
 * can still be written while the owner has yet to apply it. A refusal to
 * create the tables themselves (a fresh database) or the versions table is
 * not: nothing could be written.
 */
export function isRefusalWithTablesInPlace(err: unknown): err is MigrationError {
  if (!(err instanceof MigrationError) || !isPrivilegeError(err)) return false;
  const refused = MIGRATIONS.find((m) => m.version === err.migration.version);
  return refused !== undefined && !(refused.creates ?? []).some((name) => AGENTSPAN_TABLES.includes(name));
}
