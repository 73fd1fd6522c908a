/** The two delivery paths `startAgentspan` builds: Postgres (queue, retries, spool) and OTLP (bounded, drops counted). */

import { diag, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace-base';
import { createOtlpHttpSpanExporter, DeliverySpanProcessor, exporterSink, type DeliveryLogger, type DeliveryOptions } from '@agentspan/delivery';
import { PostgresSpanProcessor } from '@agentspan/exporter-postgres';
import type { ResolvedOptions } from './config.js';
import type { AgentspanLogger, AgentspanOptions, BatchOptions } from './types.js';
import { MAX_TIMER_MILLIS } from './timer-limit.js';

/** Defaults of the Postgres path: rows appear within half a second, in large batches. */
export const POSTGRES_DELIVERY: Readonly<Required<BatchOptions>> = Object.freeze({
  maxQueueSize: 20_000,
  maxQueueBytes: 64 * 1024 * 1024,
  maxExportBatchSize: 1000,
  scheduledDelayMillis: 500,
  maxConcurrentExports: 2,
  exportTimeoutMillis: 60_000,
  retryInitialDelayMillis: 250,
  retryMaxDelayMillis: 10_000,
  flushTimeoutMillis: 10_000,
});

/**
 * Defaults of the OTLP path: the SDK's queue and batch sizes, exporting
 * sooner; one export at a time (the OTLP exporter retries inside it), no
 * retry on top (a re-sent span shows twice in Jaeger).
 */
export const OTLP_DELIVERY: Readonly<Required<BatchOptions>> = Object.freeze({
  maxQueueSize: 2048,
  maxQueueBytes: 16 * 1024 * 1024,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 2000,
  maxConcurrentExports: 1,
  exportTimeoutMillis: 60_000,
  retryInitialDelayMillis: 1000,
  retryMaxDelayMillis: 30_000,
  flushTimeoutMillis: 10_000,
});

/** The batch options that become timers in the delivery processor (delays and deadlines, ms). */
const BATCH_TIMER_KEYS = ['scheduledDelayMillis', 'exportTimeoutMillis', 'retryInitialDelayMillis', 'retryMaxDelayMillis', 'flushTimeoutMillis'] as const;

function merge(defaults: Readonly<Required<BatchOptions>>, given: BatchOptions | undefined): Required<BatchOptions> {
  // Only the batch options: the merged object is spread into the processor's own options, and any other key given
  // here (`schema`, `statementTimeoutMs`, `replayIntervalMillis`, ...) went with it, unchecked, while the
  // application was told it was ignored (see unknown-options.ts).
  // Each read as the other options are (`given.maxQueueSize`): a field inherited or a getter of the application's
  // class counts too. Only own fields were taken before, so such a value was dropped without a word (not warned
  // either: it is a known name), and the default stayed in force.
  const merged: Required<BatchOptions> = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof BatchOptions)[]) {
    const value = given?.[key];
    if (value !== undefined) merged[key] = value;
  }
  // Clamped to a timer's limit: beyond it a timer fires after 1 ms (an export "timed out" at once: nothing was ever
  // written). Only a number too large is touched: a wrong value is for the processor to refuse, naming it.
  for (const key of BATCH_TIMER_KEYS) if (typeof merged[key] === 'number' && merged[key] > MAX_TIMER_MILLIS) merged[key] = MAX_TIMER_MILLIS;
  return merged;
}

/** State changes go to the application's logger (warnings) and to `diag` (good news, unless the logger takes it). */
export function deliveryLogger(logger: AgentspanLogger): DeliveryLogger {
  return {
    warn: (m) => logger.warn(m.replace(/^agentspan /, '')),
    info: (m) => (logger.info ? logger.info(m.replace(/^agentspan /, '')) : diag.info(m)),
  };
}

function common(
  resolved: ResolvedOptions,
  batch: Required<BatchOptions>,
  logger: AgentspanLogger,
  meterProvider: MeterProvider | undefined,
): DeliveryOptions {
  return { ...batch, shutdownTimeoutMillis: resolved.shutdownTimeoutMillis, logger: deliveryLogger(logger), meterProvider };
}

export function postgresPipeline(
  resolved: ResolvedOptions & { databaseUrl: string },
  options: AgentspanOptions,
  logger: AgentspanLogger,
  prepareRunning?: (span: Span) => boolean,
): PostgresSpanProcessor {
  return new PostgresSpanProcessor({
    ...common(resolved, merge(POSTGRES_DELIVERY, options.postgresBatch), logger, options.meterProvider),
    connectionString: resolved.databaseUrl,
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.postgresPoolSize !== undefined ? { poolSize: options.postgresPoolSize } : {}),
    // Beyond a timer's (and Postgres') limit, clamped by the exporter itself.
    ...(options.postgresStatementTimeoutMs !== undefined ? { statementTimeoutMs: options.postgresStatementTimeoutMs } : {}),
    // 0 is "no timeout" (node-postgres' reading, documented so): the longest a timer waits, as the exporter takes
    // only a positive integer (0 handed on failed the start with a RangeError).
    ...(options.postgresConnectTimeoutMs !== undefined
      ? { connectTimeoutMs: options.postgresConnectTimeoutMs === 0 ? MAX_TIMER_MILLIS : options.postgresConnectTimeoutMs }
      : {}),
    ...(options.postgresHeartbeatMs !== undefined ? { heartbeatIntervalMillis: options.postgresHeartbeatMs } : {}),
    ...(options.postgresEventsInProgressAfterMs !== undefined ? { showRunningAfterMillis: options.postgresEventsInProgressAfterMs } : {}),
    // The processor redacts a long event's attributes before its row in progress is written.
    ...(prepareRunning !== undefined ? { prepareRunning } : {}),
    ...(options.postgresWriteMethod !== undefined ? { writeMethod: options.postgresWriteMethod } : {}),
    // `migrate: false`: the application manages the schema; nothing is created, not even on first write.
    migrate: resolved.migrate,
    spoolDir: resolved.spoolDir ?? false,
    maxSpoolBytes: resolved.maxSpoolBytes,
  });
}

export function otlpPipeline(
  resolved: ResolvedOptions & { otlpEndpoint: string },
  options: AgentspanOptions,
  logger: AgentspanLogger,
): DeliverySpanProcessor<ReadableSpan[]> {
  // The upstream OTLP/HTTP exporter's parts, telling the sink what a backend rejects (partial success).
  const exporter = createOtlpHttpSpanExporter({
    url: resolved.otlpEndpoint,
    headers: resolved.otlpHeaders,
    // Bounds each export, its request and the exporter's retries, which no shutdown can cancel (see ResolvedOptions).
    timeoutMillis: resolved.otlpTimeoutMillis,
    encoding: resolved.otlpEncoding,
  });
  return new DeliverySpanProcessor(
    exporterSink(exporter, { destination: 'otlp' }),
    common(resolved, merge(OTLP_DELIVERY, options.otlpBatch), logger, options.meterProvider),
  );
}
