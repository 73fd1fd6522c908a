import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import type { MappedRow } from './columns.js';
import { runMigrations } from './migrations.js';
import { toError } from './pg-errors.js';
import { mapSpanToRow } from './row-mapper.js';
import { DEFAULT_MAX_BATCH_ROWS, writeRowsInTransaction } from './row-writer.js';
import { sanitizeRow } from './sanitize.js';
import { assertValidSchemaName } from './sql.js';
import type { ExporterStats, PostgresExporterOptions } from './types.js';

const LOG_PREFIX = 'agentspan exporter-postgres:';
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_POOL_SIZE = 4;

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`${LOG_PREFIX} \`${name}\` must be a positive integer, got ${String(value)}`);
  }
  return v;
}

/**
 * A `SpanExporter` writing agentspan's spans to Postgres: run spans to
 * `workflow_runs`, node spans to `dag_nodes`, event spans to
 * `execution_events`; other spans are skipped. One transaction per
 * `export()` call, one multi-row INSERT per table and chunk, idempotent
 * (re-exported spans change nothing; a re-sent run span updates its row).
 */
export class PostgresExecutionEventExporter implements SpanExporter {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly schema: string | undefined;
  private readonly migrateOnExport: boolean;
  private readonly maxBatchRows: number;
  private readonly statementTimeoutMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private migration: Promise<void> | undefined;
  private migrated = false;
  private shutdownPromise: Promise<void> | undefined;
  private healthy = true;
  private counters = { exportedRows: 0, skippedSpans: 0, failedExports: 0, sanitizedRows: 0 };

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
    this.migrateOnExport = options.migrate ?? true;
    this.maxBatchRows = positiveInt('maxBatchRows', options.maxBatchRows, DEFAULT_MAX_BATCH_ROWS);
    this.statementTimeoutMs = positiveInt('statementTimeoutMs', options.statementTimeoutMs, DEFAULT_STATEMENT_TIMEOUT_MS);
    const poolSize = positiveInt('poolSize', options.poolSize, DEFAULT_POOL_SIZE);

    if (pool !== undefined) {
      if (connectionString !== undefined) diag.warn(`${LOG_PREFIX} both \`pool\` and \`connectionString\` given; using \`pool\``);
      this.pool = pool;
      this.ownsPool = false;
    } else {
      this.pool = new pg.Pool({
        connectionString,
        max: poolSize,
        statement_timeout: this.statementTimeoutMs,
        connectionTimeoutMillis: this.statementTimeoutMs,
        application_name: 'agentspan-exporter-postgres',
        keepAlive: true,
      });
      this.pool.on('error', (err) => {
        // An idle client lost its connection; the pool replaces it. Never crash the host.
        diag.warn(`${LOG_PREFIX} idle connection error: ${err.message}`);
      });
      this.ownsPool = true;
    }
  }

  /** Counters since construction. */
  stats(): ExporterStats {
    return { ...this.counters };
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
    const work = context
      .with(suppressTracing(context.active()), () => this.exportAsync(spans))
      .then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (err: unknown) => done({ code: ExportResultCode.FAILED, error: toError(err) }),
      );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async exportAsync(spans: readonly ReadableSpan[]): Promise<void> {
    const rows = this.toRows(spans);
    if (rows.length === 0) return;
    try {
      await this.ensureMigrated();
      await writeRowsInTransaction(this.pool, this.schema, rows, {
        maxBatchRows: this.maxBatchRows,
        statementTimeoutMs: this.ownsPool ? undefined : this.statementTimeoutMs,
      });
    } catch (err) {
      if (this.healthy) {
        this.healthy = false;
        diag.error(`${LOG_PREFIX} export failed (further failures are not logged until one succeeds): ${toError(err).message}`);
      }
      throw err;
    }
    this.counters.exportedRows += rows.length;
    if (!this.healthy) {
      this.healthy = true;
      diag.info(`${LOG_PREFIX} exports succeed again`);
    }
  }

  /** Maps and sanitises; counts skipped spans. Never throws. */
  private toRows(spans: readonly ReadableSpan[]): MappedRow[] {
    const rows: MappedRow[] = [];
    let mappingErrors = 0;
    let firstError: unknown;
    for (const span of spans) {
      let mapped: MappedRow | undefined;
      try {
        mapped = mapSpanToRow(span);
      } catch (err) {
        mappingErrors++;
        firstError ??= err;
      }
      if (mapped === undefined) {
        this.counters.skippedSpans++;
        continue;
      }
      const { mapped: clean, sanitized } = sanitizeRow(mapped);
      if (sanitized) this.counters.sanitizedRows++;
      rows.push(clean);
    }
    if (mappingErrors > 0) {
      diag.warn(`${LOG_PREFIX} skipped ${mappingErrors} span(s) that could not be mapped: ${toError(firstError).message}`);
    }
    return rows;
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

  private async ensureMigrated(): Promise<void> {
    if (this.migrateOnExport) await this.migrateOnce();
  }

  private async migrateOnce(): Promise<void> {
    if (this.migrated) return;
    this.migration ??= runMigrations(this.pool, { schema: this.schema }).then(
      () => {
        this.migrated = true;
      },
      (err: unknown) => {
        this.migration = undefined; // tried again next time
        throw err;
      },
    );
    await this.migration;
  }

  /** Resolves once every export started before the call has finished. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Stops accepting exports, awaits the ones in flight, ends an owned pool. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await this.forceFlush();
      if (this.ownsPool) {
        await this.pool.end().catch((err: unknown) => {
          diag.warn(`${LOG_PREFIX} closing the pool failed: ${toError(err).message}`);
        });
      }
    })();
    return this.shutdownPromise;
  }
}
