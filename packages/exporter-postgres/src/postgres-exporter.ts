import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import type { MappedRow } from './columns.js';
import { WriteAbortedError, throwIfAborted, untilAborted } from './abortable-client.js';
import type { RollbackTimeoutError } from './rollback.js';
import { isRefusalWithTablesInPlace, runMigrations, type ClientSource } from './migrations.js';
import { ownerMustMigrate } from './migrate-command.js';
import { MigrationError } from './migration-error.js';
import { classifyWriteError, guardCheckedOutClients, isConnectionError, toError } from './pg-errors.js';
import { formerTargetOf, spoolTargetOf, type SpoolTarget } from './spool-target.js';
import { markTruncatedRow, shrinkRow } from './repair.js';
import { writeRowsResilient, type RepairEvent, type ResilientWriteResult } from './resilient-writer.js';
import { mapSpanToRow } from './row-mapper.js';
import { agentFillRowsOf, hasAgentFill } from './agent-fill.js';
import { SHOWN_IN_PROGRESS_KEY, type HeartbeatOf, type Liveness } from './liveness.js';
import { DEFAULT_MAX_BATCH_ROWS, DEFAULT_WRITE_METHOD, type WriteMethod } from './row-writer.js';
import { DEFAULT_SANITIZE_LIMITS, sanitizeMappedEventRow, sanitizeRow, setOwn } from './sanitize.js';
import { assertValidSchemaName } from './sql.js';
import type { ExporterStats, PostgresExporterOptions } from './types.js';
import { MAX_CONNECT_TIMEOUT_MS, MAX_STATEMENT_TIMEOUT_MS, QUERY_TIMEOUT_MARGIN_MS, deadlineMillis } from './timer-millis.js';

const LOG_PREFIX = 'agentspan exporter-postgres:';
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_POOL_SIZE = 4;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** How long `shutdown` waits for the pool to end once its connections were destroyed at the deadline. */
const DESTROY_GRACE_MS = 100;
/** Default of `maxRowSize`: far below Postgres' own limits (1 GB per field, 256 MB per jsonb string). */
export const DEFAULT_MAX_ROW_SIZE = 16 * 1024 * 1024;

/**
 * Whether `version()` is PGlite's (Postgres compiled to WASM, e.g. `PostgreSQL
 * 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, ...`). Its socket server
 * loses protocol synchronisation on a streamed COPY, so the exporter writes
 * to it with `unnest` whatever `writeMethod` says.
 */
export function isPgliteVersion(version: string): boolean {
  return /\bPGlite\b|emscripten|\bwasm32\b/i.test(version);
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`${LOG_PREFIX} \`${name}\` must be a positive integer, got ${String(value)}`);
  }
  return v;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Rows prepared from spans, ready for {@link PostgresExecutionEventExporter.writeMappedRows}. */
export interface PreparedRows {
  readonly rows: MappedRow[];
  /** Spans given. */
  readonly spans: number;
}

/**
 * A `SpanExporter` writing agentspan's spans to Postgres: run spans to
 * `workflow_runs`, node spans to `dag_nodes`, event spans to
 * `execution_events`; other spans are skipped. One transaction per
 * `export()` call, one multi-row INSERT (or, for events, one COPY) per table and chunk, idempotent
 * (re-exported spans change nothing; a re-sent run span updates its row).
 * A value Postgres refuses never fails the batch: the batch is split, the
 * good rows written, the refused row stored repaired or quarantined.
 *
 * Behind the SDK's `BatchSpanProcessor` a failed export is lost; for
 * retries, a bounded queue and a disk spool use `PostgresSpanProcessor`,
 * which drives this exporter.
 */
export class PostgresExecutionEventExporter implements SpanExporter {
  private readonly pool: pg.Pool;
  /** `pool` with an error listener on every checked-out client (see `guardCheckedOutClients`). */
  private readonly clientSource: ClientSource;
  private readonly ownsPool: boolean;
  private readonly schema: string | undefined;
  private readonly target: SpoolTarget;
  private readonly formerTarget: SpoolTarget | undefined;
  private readonly migrateOnExport: boolean;
  private readonly maxBatchRows: number;
  /** The method asked for; `copy` becomes `unnest` on PGlite (see `isPgliteVersion`). */
  private readonly writeMethod: WriteMethod;
  /** The method used, once the server has been identified (only `copy` needs to know). */
  private serverMethod: WriteMethod | undefined;
  private serverProbe: Promise<WriteMethod> | undefined;
  private readonly statementTimeoutMs: number;
  private readonly maxRowSize: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Connected clients of an owned pool, so a stuck one can be destroyed at a deadline. */
  private readonly clients = new Set<pg.Client>();
  private migration: Promise<void> | undefined;
  private migrated = false;
  /**
   * The last migration attempt before a write was refused for lack of
   * privilege: writes go on against the tables as they are, without asking
   * again, until a write finds a table missing.
   */
  private migrationRefused = false;
  /** The refusal was logged (once, until a migration succeeds). */
  private migrationRefusalLogged = false;
  private shutdownPromise: Promise<void> | undefined;
  private healthy = true;
  private readonly poisonLogged = new Set<string>();
  private counters = {
    exportedRows: 0,
    exportedFills: 0,
    skippedSpans: 0,
    failedExports: 0,
    sanitizedRows: 0,
    repairedRows: 0,
    quarantinedRows: 0,
    shrunkRows: 0,
    rollbackTimeouts: 0,
  };
  /** A ROLLBACK that timed out was logged (once per exporter: the count is in stats()). */
  private rollbackTimeoutLogged = false;

  constructor(options: PostgresExporterOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${LOG_PREFIX} options are required: { pool } or { connectionString }`);
    }
    const { pool, connectionString } = options;
    if (pool === undefined && (connectionString === undefined || connectionString === '')) {
      throw new TypeError(`${LOG_PREFIX} give either \`pool\` (a pg.Pool) or \`connectionString\``);
    }
    if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.connect !== 'function')) {
      throw new TypeError(`${LOG_PREFIX} \`pool\` must be a pg.Pool`);
    }
    if (connectionString !== undefined && typeof connectionString !== 'string') {
      throw new TypeError(`${LOG_PREFIX} \`connectionString\` must be a string`);
    }
    if (options.schema !== undefined) assertValidSchemaName(options.schema);
    this.schema = options.schema;
    this.target = spoolTargetOf({ connectionString, pool, schema: options.schema });
    this.formerTarget = formerTargetOf({ connectionString, pool, schema: options.schema });
    this.migrateOnExport = options.migrate ?? true;
    this.maxBatchRows = positiveInt('maxBatchRows', options.maxBatchRows, DEFAULT_MAX_BATCH_ROWS);
    const method = options.writeMethod ?? DEFAULT_WRITE_METHOD;
    if (method !== 'copy' && method !== 'unnest') {
      throw new TypeError(`agentspan exporter-postgres: writeMethod must be 'copy' or 'unnest', got ${String(method)}`);
    }
    this.writeMethod = method;
    // Clamped past what a timer (and Postgres) takes, not refused: see timer-millis.ts.
    this.statementTimeoutMs = Math.min(
      positiveInt('statementTimeoutMs', options.statementTimeoutMs, DEFAULT_STATEMENT_TIMEOUT_MS),
      MAX_STATEMENT_TIMEOUT_MS,
    );
    const connectTimeoutMs = Math.min(
      positiveInt('connectTimeoutMs', options.connectTimeoutMs, Math.min(DEFAULT_CONNECT_TIMEOUT_MS, this.statementTimeoutMs)),
      MAX_CONNECT_TIMEOUT_MS,
    );
    this.maxRowSize = positiveInt('maxRowSize', options.maxRowSize, DEFAULT_MAX_ROW_SIZE);
    const poolSize = positiveInt('poolSize', options.poolSize, DEFAULT_POOL_SIZE);

    if (pool !== undefined) {
      if (connectionString !== undefined) diag.warn(`${LOG_PREFIX} both \`pool\` and \`connectionString\` given; using \`pool\``);
      this.pool = pool;
      this.ownsPool = false;
    } else {
      const clients = this.clients;
      /**
       * Known from creation, not from `'connect'`: a connection stuck while connecting (a server
       * that accepts TCP and never answers) must be destroyed at the shutdown deadline too.
       */
      class TrackedClient extends pg.Client {
        constructor(config?: string | pg.ClientConfig) {
          super(config);
          clients.add(this);
          // Closes the gap between checkout and the guard of each write: a socket dying there must not crash the host.
          this.on('error', () => {});
          this.once('end', () => clients.delete(this));
        }
      }
      this.pool = new pg.Pool({
        Client: TrackedClient,
        connectionString,
        max: poolSize,
        statement_timeout: this.statementTimeoutMs,
        // The server cannot time out a query it never receives (a dead link): the client gives up too.
        query_timeout: this.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
        idle_in_transaction_session_timeout: this.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
        connectionTimeoutMillis: connectTimeoutMs,
        idleTimeoutMillis: 10_000,
        // Idle connections must not keep the application alive: exiting is the exit hooks' business.
        allowExitOnIdle: true,
        application_name: 'agentspan-exporter-postgres',
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      this.pool.on('error', (err) => {
        // An idle client lost its connection; the pool replaces it. Never crash the host.
        diag.debug(`${LOG_PREFIX} idle connection error: ${err.message}`);
      });
      this.pool.on('remove', (client) => {
        this.clients.delete(client);
      });
      this.ownsPool = true;
    }
    this.clientSource = guardCheckedOutClients(this.pool) as ClientSource;
  }

  /** Counters since construction. */
  stats(): ExporterStats {
    return { ...this.counters };
  }

  /** The schema the exporter writes to (undefined: the connection's search_path). */
  get targetSchema(): string | undefined {
    return this.schema;
  }

  /**
   * Server, database and schema this exporter writes to, without
   * credentials: what a spool of its rows is keyed by (`spoolKindFor`), so
   * that only a writer to the same database replays them.
   */
  get spoolTarget(): SpoolTarget {
    return this.target;
  }

  /** The target as earlier versions keyed this exporter's spool, when that key named a server (see `formerTargetOf`): their spools are replayed too. */
  get formerSpoolTarget(): SpoolTarget | undefined {
    return this.formerTarget;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const done = (result: ExportResult): void => {
      if (called) return;
      called = true;
      if (result.code !== ExportResultCode.SUCCESS) this.counters.failedExports++;
      try {
        resultCallback(result);
      } catch (err) {
        diag.error(`${LOG_PREFIX} export result callback threw`, err);
      }
    };
    if (this.shutdownPromise !== undefined) {
      done({ code: ExportResultCode.FAILED, error: new Error(`${LOG_PREFIX} exporter is shut down`) });
      return;
    }
    let rows: MappedRow[];
    try {
      rows = this.prepareRows(spans).rows;
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: toError(err) });
      return;
    }
    this.writeMappedRows(rows).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (err: unknown) => done({ code: ExportResultCode.FAILED, error: toError(err) }),
    );
  }

  /**
   * Maps spans to rows, sanitised, with rows larger than `maxRowSize`
   * shrunk (and marked repaired). Spans that are not agentspan's, or that
   * cannot be mapped, are skipped and counted. Synchronous; never throws.
   * A run or node still running becomes its row in progress, seen now; one
   * that `heartbeat` follows is marked as beating every `heartbeat.millis`,
   * and the ended row of an event it showed running is marked to replace
   * that event's row in progress (`SHOWN_IN_PROGRESS_KEY`)
   * (see `liveness.ts`).
   */
  prepareRows(spans: readonly ReadableSpan[], heartbeat?: HeartbeatOf): PreparedRows {
    const rows: MappedRow[] = [];
    let mappingErrors = 0;
    let firstError: unknown;
    const seenAt = new Date().toISOString();
    const silent: Liveness = { seenAt };
    const beating: Liveness = { seenAt, heartbeatMillis: heartbeat?.millis };
    for (const span of spans) {
      let mapped: MappedRow | undefined;
      try {
        mapped = mapSpanToRow(span, heartbeat !== undefined && heartbeat.follows(span) ? beating : silent);
      } catch (err) {
        mappingErrors++;
        firstError ??= err;
      }
      // A span the gateway received after spans under it: what their rows lack (a row of its own or not).
      let fills = 0;
      if (hasAgentFill(span)) {
        try {
          for (const fill of agentFillRowsOf(span)) {
            rows.push(sanitizeRow({ kind: 'fill', row: fill }).mapped);
            fills++;
          }
        } catch (err) {
          mappingErrors++;
          firstError ??= err;
        }
      }
      if (mapped === undefined) {
        if (fills === 0) this.counters.skippedSpans++;
        continue;
      }
      // The end of an event that had a row in progress: the writer must put it over that row.
      if (mapped.kind === 'event' && span.ended !== false && heartbeat?.shownRunning?.(span) === true) {
        setOwn(mapped.row.meta, SHOWN_IN_PROGRESS_KEY, true);
      }
      // An event's row as the mapper built it: its derived columns are not scanned again (sanitize.ts).
      const { mapped: sanitizedRow, sanitized, truncatedColumns, size } = mapped.kind === 'event' ? sanitizeMappedEventRow(mapped) : sanitizeRow(mapped);
      if (sanitized) this.counters.sanitizedRows++;
      let clean = sanitizedRow;
      if (truncatedColumns.length > 0) {
        clean = markTruncatedRow(sanitizedRow, truncatedColumns);
        this.logPoison(
          'too_large_value',
          `a JSON value of a row exceeded ${DEFAULT_SANITIZE_LIMITS.maxNodes} values or nesting depth ${DEFAULT_SANITIZE_LIMITS.maxDepth} and was cut there; it is stored with meta.truncated = true and meta.repaired = true`,
        );
      }
      if (size > this.maxRowSize) {
        const shrunk = shrinkRow(clean, size, this.maxRowSize);
        if (shrunk !== undefined) {
          this.counters.shrunkRows++;
          this.logPoison('too_large', `a row of about ${size} characters was shrunk to maxRowSize (${this.maxRowSize}); it is stored with meta.repaired = true`);
          rows.push(shrunk);
          continue;
        }
      }
      // A row cut at the walk's limits is counted once, shrunk to maxRowSize as well or not.
      if (truncatedColumns.length > 0) this.counters.shrunkRows++;
      rows.push(clean);
    }
    if (mappingErrors > 0) {
      diag.warn(`${LOG_PREFIX} skipped ${mappingErrors} span(s) that could not be mapped: ${toError(firstError).message}`);
    }
    return { rows, spans: spans.length };
  }

  /**
   * Writes prepared rows: one transaction when Postgres accepts them all;
   * otherwise the batch is split until the refused rows are found, which
   * are stored repaired or quarantined (counted, and logged once per
   * SQLSTATE). Runs the migrations first when they are due (and again when
   * a table turns out to be missing). Rejects only with errors worth
   * retrying (connection, timeout, server); never on a bad value.
   *
   * @param signal aborted when the caller gives up on this write (the
   *   delivery pipeline's `exportTimeoutMillis`): the write starts no
   *   further transaction, chunk or statement, cancels the statement it is
   *   running, rolls back, releases its connection and rejects with
   *   `WriteAbortedError`. Transactions committed before stay committed, and
   *   a COMMIT already sent is let finish: the caller writes the batch again
   *   (idempotent), which covers either outcome.
   */
  writeMappedRows(rows: readonly MappedRow[], signal?: AbortSignal): Promise<ResilientWriteResult> {
    if (this.shutdownPromise !== undefined && this.ownsPool) {
      return Promise.reject(new Error(`${LOG_PREFIX} exporter is shut down`));
    }
    const work = context.with(suppressTracing(context.active()), () => this.writeAsync(rows, signal));
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  private async writeAsync(rows: readonly MappedRow[], signal: AbortSignal | undefined): Promise<ResilientWriteResult> {
    if (rows.length === 0) return { written: 0, repaired: 0, quarantined: 0, repairedBefore: 0, transactions: 0 };
    let result: ResilientWriteResult;
    try {
      throwIfAborted(signal);
      // The migration and the server probe are shared with other writes: an abandoned write stops
      // waiting for them, they go on.
      await untilAborted(this.ensureMigrated(), signal);
      const method = await untilAborted(Promise.resolve(this.methodForServer()), signal);
      result = await writeRowsResilient(this.clientSource, this.schema, rows, {
        maxBatchRows: this.maxBatchRows,
        method,
        statementTimeoutMs: this.ownsPool ? undefined : this.statementTimeoutMs,
        onRepair: (e) => this.onRepair(e),
        onRollbackTimeout: (e) => this.onRollbackTimeout(e),
        signal,
      });
    } catch (err) {
      // Given up by the caller, who reports it (the delivery pipeline's timeout): not Postgres failing.
      if (err instanceof WriteAbortedError) throw err;
      if (classifyWriteError(err) === 'schema') {
        // A table or the schema went missing: migrate again before the next attempt.
        this.migrated = false;
        this.migrationRefused = false;
      }
      if (this.healthy) {
        this.healthy = false;
        diag.error(`${LOG_PREFIX} write failed (further failures are not logged until one succeeds): ${toError(err).message}`);
      }
      throw err;
    }
    let fills = 0;
    for (const r of rows) if (r.kind === 'fill') fills++;
    this.counters.exportedRows += rows.length - fills;
    this.counters.exportedFills += fills;
    if (!this.healthy) {
      this.healthy = true;
      diag.info(`${LOG_PREFIX} writes succeed again`);
    }
    return result;
  }

  /**
   * `unnest` when asked for; else `copy`, unless the server is PGlite (asked
   * once, with `SELECT version()`; a failure is thrown like a failed write,
   * and asked again next time).
   */
  private methodForServer(): Promise<WriteMethod> | WriteMethod {
    if (this.writeMethod !== 'copy') return this.writeMethod;
    if (this.serverMethod !== undefined) return this.serverMethod;
    this.serverProbe ??= (async (): Promise<WriteMethod> => {
      const client = await this.clientSource.connect();
      let broken: Error | undefined;
      try {
        const r = await client.query<{ v: string }>('SELECT version() AS v');
        return isPgliteVersion(String(r.rows[0]?.v ?? '')) ? 'unnest' : 'copy';
      } catch (err) {
        if (isConnectionError(err)) broken = toError(err);
        throw err;
      } finally {
        client.release(broken);
      }
    })().then(
      (method) => {
        this.serverMethod = method;
        this.serverProbe = undefined;
        if (method !== this.writeMethod) diag.info(`${LOG_PREFIX} the server is PGlite: events are written with unnest, not COPY`);
        return method;
      },
      (err: unknown) => {
        this.serverProbe = undefined; // asked again next time
        throw err;
      },
    );
    return this.serverProbe;
  }

  private onRepair(e: RepairEvent): void {
    if (e.outcome === 'repaired') this.counters.repairedRows++;
    else this.counters.quarantinedRows++;
    this.logPoison(
      e.reason.code,
      `Postgres refused a ${e.kind} row (span ${e.spanId ?? '?'}): ${e.reason.code} ${e.reason.message}; ` +
        `the other rows of its batch were written and this one was stored ${e.outcome} (meta.repaired = true). ` +
        'Further rows refused for this reason are counted in stats() without a log line.',
    );
  }

  private onRollbackTimeout(e: RollbackTimeoutError): void {
    this.counters.rollbackTimeouts++;
    if (this.rollbackTimeoutLogged) return;
    this.rollbackTimeoutLogged = true;
    diag.warn(
      `${LOG_PREFIX} a ROLLBACK did not answer within ${e.timeoutMs} ms (the server or the link stopped answering): ` +
        'its connection was cut and discarded. Further ones are counted in stats().rollbackTimeouts without a log line.',
    );
  }

  private logPoison(code: string, message: string): void {
    if (this.poisonLogged.has(code)) return;
    this.poisonLogged.add(code);
    diag.warn(`${LOG_PREFIX} ${message}`);
  }

  /**
   * Runs the migrations now, whatever the `migrate` option says (for example
   * at start-up, to surface a database problem early). Resolves once they
   * are applied; later calls resolve at once. On failure it rejects, and the
   * next call (or export, with `migrate: true`) tries again.
   */
  migrate(): Promise<void> {
    return context.with(suppressTracing(context.active()), () => this.migrateOnce());
  }

  /**
   * Migrates before a write when `migrate` is on. A migration refused for
   * lack of privilege (42501: the tables belong to another role, as when a
   * DBA migrates and the application only writes) does not stop the write:
   * the existing tables usually take the rows of a release whose migration
   * is still due. It is logged once, with what to run; a write that then
   * fails is handled like any other.
   */
  private async ensureMigrated(): Promise<void> {
    if (!this.migrateOnExport || this.migrationRefused) return;
    try {
      await this.migrateOnce();
    } catch (err) {
      if (!isRefusalWithTablesInPlace(err)) throw err;
      this.migrationRefused = true;
      this.logMigrationRefused(err);
    }
  }

  private logMigrationRefused(err: MigrationError): void {
    if (this.migrationRefusalLogged) return;
    this.migrationRefusalLogged = true;
    const where = this.schema === undefined ? '' : ` in schema ${this.schema}`;
    diag.warn(
      `${LOG_PREFIX} this role may not apply migration ${err.migration.version} (${err.migration.name})${where} ` +
        `(${toError(err.cause).message}); writing to the existing tables anyway. ${ownerMustMigrate(this.schema)}`,
    );
  }

  private async migrateOnce(): Promise<void> {
    if (this.migrated) return;
    // A ROLLBACK cut after a failed migration is counted and logged as a write's is.
    this.migration ??= runMigrations(this.clientSource, { schema: this.schema, onRollbackTimeout: (e) => this.onRollbackTimeout(e) }).then(
      () => {
        this.migrated = true;
        this.migrationRefusalLogged = false;
        this.migration = undefined;
      },
      (err: unknown) => {
        this.migration = undefined; // tried again next time
        throw err;
      },
    );
    await this.migration;
  }

  /** Resolves once every write started before the call has finished. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops accepting exports, waits up to `timeoutMs` for the writes in
   * flight, then ends an owned pool; connections still stuck at the deadline
   * are destroyed, so a hung server never holds up the caller. Idempotent.
   * @param timeoutMs @default 5000 (also for `NaN`); a negative one is 0, one
   *   above 2^31 - 1 (`Infinity` included) is 2^31 - 1, what a timer takes.
   */
  shutdown(timeoutMs: number = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<void> {
    this.shutdownPromise ??= (async () => {
      const deadline = Date.now() + deadlineMillis(timeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS);
      await Promise.race([this.forceFlush(), sleep(Math.max(0, deadline - Date.now()))]);
      if (!this.ownsPool) return;
      const ended = this.pool.end().then(
        () => true,
        (err: unknown) => {
          diag.warn(`${LOG_PREFIX} closing the pool failed: ${toError(err).message}`);
          return true;
        },
      );
      const inTime = await Promise.race([ended, sleep(Math.max(0, deadline - Date.now())).then(() => false)]);
      if (!inTime) {
        this.destroyConnections();
        // The sockets are gone: the pool ends within a few ticks. A short backstop, not a second deadline.
        await Promise.race([ended, sleep(DESTROY_GRACE_MS)]);
      }
    })();
    return this.shutdownPromise;
  }

  /** Destroys every connection of an owned pool at once (a write in flight fails). */
  destroyConnections(): void {
    for (const client of this.clients) {
      try {
        // The socket, not client.end(): end() waits for the server, which is the thing not answering.
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      } catch {
        /* already gone */
      }
    }
  }
}
