import type pg from 'pg';

/** Options of `PostgresExecutionEventExporter`. */
export interface PostgresExporterOptions {
  /**
   * A pool to write through. The exporter never ends a pool it was given;
   * its `statement_timeout` still applies, with `SET LOCAL`, to each export
   * transaction. One of `pool` and `connectionString` is required; when both
   * are given, `pool` wins (with one `diag` warning).
   * @default undefined
   */
  pool?: pg.Pool | undefined;
  /**
   * Connection string of a pool the exporter creates, owns (with an
   * `'error'` listener) and ends on `shutdown()`.
   * @default undefined
   */
  connectionString?: string | undefined;
  /**
   * Schema holding the tables. When given it is created if missing (the
   * only case that needs `CREATE` on the database) and every name is
   * qualified with it (quoted); otherwise names are unqualified and the
   * connection's `search_path` decides. `$user` (which a `search_path`
   * always reads as the role's own schema) and names starting with `pg_`
   * (reserved for system schemas) throw a TypeError.
   * @default undefined (the connection's current schema)
   */
  schema?: string | undefined;
  /**
   * Run the migrations once before the first write. A failed migration is
   * retried on the next export; one refused for lack of privilege (42501)
   * is logged once and the write goes on against the existing tables.
   * @default true
   */
  migrate?: boolean | undefined;
  /**
   * Rows per INSERT or COPY statement (one statement per table per chunk).
   * @default 1000
   */
  maxBatchRows?: number | undefined;
  /**
   * How `execution_events` rows are written: `copy` (per chunk, a `COPY`
   * straight into the table under a savepoint; a chunk that meets a row
   * already stored, from a retry or a concurrent writer, is rolled back to
   * the savepoint and written with `INSERT ... ON CONFLICT DO NOTHING`) or
   * `unnest` (always `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO
   * NOTHING`). Same rows, same idempotency, same poison-row handling; `copy`
   * writes about twice as many rows per second and costs the recording
   * process less CPU per row. On PGlite, whose socket server cannot take a
   * streamed COPY, `unnest` is used whatever this says (the server is asked
   * its `version()` once).
   * @default 'copy'
   */
  writeMethod?: 'copy' | 'unnest' | undefined;
  /**
   * `statement_timeout` in milliseconds: a connection option of an owned
   * pool, `SET LOCAL` in each export transaction on a given pool. An owned
   * pool also gives up on a query client-side 5 s later (`query_timeout`,
   * for a server that no longer answers at all) and ends sessions idle in a
   * transaction as long. At most 2^31 - 1 ms less those 5 s: a larger value
   * is clamped to it (a Node timer or Postgres given more fails at once).
   * @default 30000
   */
  statementTimeoutMs?: number | undefined;
  /**
   * How long an owned pool waits for a new connection, ms. At most
   * 2^31 - 1 ms (a Node timer's limit): a larger value is clamped to it.
   * @default 5000, or `statementTimeoutMs` when that is smaller
   */
  connectTimeoutMs?: number | undefined;
  /**
   * Largest row sent, as its approximate size in characters (strings of
   * values and keys). A larger row is stored with its longest strings cut
   * (`meta.repaired = true`, `meta.repair.code = 'too_large'`) instead of
   * being refused by Postgres.
   * @default 16_777_216
   */
  maxRowSize?: number | undefined;
  /**
   * Size of the pool the exporter creates (ignored with `pool`).
   * @default 4
   */
  poolSize?: number | undefined;
}

/** Counters of a `PostgresExecutionEventExporter`, since it was created. */
export interface ExporterStats {
  /** Rows sent in committed transactions (including rows that already existed). */
  readonly exportedRows: number;
  /**
   * Fills sent in committed transactions: the agent name and depth of rows
   * under one parent, filled in from an agent envelope that arrived after
   * them (the gateway; see the README, *Rows filled in later*). Not rows.
   */
  readonly exportedFills: number;
  /** Spans without an agentspan event type (or that could not be mapped): not written. */
  readonly skippedSpans: number;
  /** `export()` calls that reported FAILED. */
  readonly failedExports: number;
  /** Rows in which a NUL or lone surrogate was replaced, or a value JSON cannot hold converted (`meta.sanitized = true`). */
  readonly sanitizedRows: number;
  /** Rows Postgres refused, stored with offending values replaced (`meta.repaired = true`). */
  readonly repairedRows: number;
  /** Rows Postgres refused even repaired, stored as minimal rows (`meta.quarantined = true`). */
  readonly quarantinedRows: number;
  /**
   * Rows stored cut before writing (`meta.repaired = true`,
   * `meta.repair.code = 'too_large'`): larger than `maxRowSize` (longest
   * strings cut), or with a JSON value over 100 000 values or nested deeper
   * than 64 (cut there, `meta.truncated = true`). Counted once per row.
   */
  readonly shrunkRows: number;
  /**
   * ROLLBACKs (after a failed or abandoned write) that did not answer within
   * `ROLLBACK_TIMEOUT_MS`: their connections were cut and discarded. Logged
   * once; a server that stopped answering in the middle of a write.
   */
  readonly rollbackTimeouts: number;
}
