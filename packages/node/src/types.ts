import type { MeterProvider } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type {
  ExecutionEventSpanProcessor,
  FileCaptureConfig,
  ProcessorStats,
  RedactionConfig,
} from '@agentspan/processor';
import type { AttachedRecorder, NodeHandle, OpenHandleStats, Recorder, RunHandle, RunReference } from '@agentspan/instrumentation';
import type { DeliveryStats } from '@agentspan/delivery';
import type { AgentspanWorkerData } from './worker-protocol.js';
import type { PropagatorName } from './propagators.js';

/**
 * The delivery queue of one export path (see `@agentspan/delivery`). Beyond
 * the bounds, Postgres spills the oldest spans to the spool; OTLP drops new
 * spans. Every drop is counted in `stats()`. The `…Millis` fields are at most
 * 2_147_483_647 (2^31 − 1, a Node timer's limit): a longer value is clamped.
 */
export interface BatchOptions {
  /** Spans held in memory. @default 20_000 for Postgres, 2048 for OTLP */
  maxQueueSize?: number;
  /** Estimated bytes held in memory. @default 64 MiB for Postgres, 16 MiB for OTLP */
  maxQueueBytes?: number;
  /** Spans per export call. @default 1000 for Postgres, 512 for OTLP */
  maxExportBatchSize?: number;
  /** Longest a span waits for its batch to fill, ms. @default 500 for Postgres, 2000 for OTLP */
  scheduledDelayMillis?: number;
  /** Batches written at once while the destination is up. @default 2 for Postgres, 1 for OTLP */
  maxConcurrentExports?: number;
  /** Backstop on one export attempt, ms. @default 60_000 */
  exportTimeoutMillis?: number;
  /** First retry delay, doubled per failure, with jitter, ms (Postgres only; OTLP retries inside its exporter). @default 250 */
  retryInitialDelayMillis?: number;
  /** Longest retry delay, ms. @default 10_000 */
  retryMaxDelayMillis?: number;
  /** How long `forceFlush()` tries before it spools what is left, ms. @default 10_000 */
  flushTimeoutMillis?: number;
}

/** A sink for the few messages agentspan prints for people (not per span). */
export interface AgentspanLogger {
  warn(message: string): void;
  /** Good news (a destination is back). @default `diag.info` */
  info?(message: string): void;
}

/**
 * Options of {@link startAgentspan}. Every option has a default; where an
 * environment variable applies, the option wins over the variable, which wins
 * over the default.
 */
export interface AgentspanOptions {
  /**
   * `service.name` of the resource. Wins over `resourceAttributes['service.name']`,
   * which wins over `OTEL_SERVICE_NAME`, which wins over `service.name` in
   * `OTEL_RESOURCE_ATTRIBUTES`.
   * @default `'agentspan'`
   */
  serviceName?: string;
  /**
   * Postgres connection string for `execution_events`. Absent: no Postgres
   * export, and one warning. Not read from `DATABASE_URL` implicitly (that
   * variable usually names the application's own database): pass it.
   */
  databaseUrl?: string;
  /** Schema for the tables (created if missing). @default the connection's `search_path` */
  schema?: string;
  /**
   * OTLP/HTTP traces endpoint (Jaeger, a Collector), sent as JSON. `false`
   * turns forwarding off, as does `OTEL_SDK_DISABLED=true` (which wins over
   * this option). @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else no forwarding
   */
  otlpEndpoint?: string | false;
  /** Extra headers for OTLP requests; an undefined value is no header (`process.env.KEY` unset). @default `OTEL_EXPORTER_OTLP_HEADERS` */
  otlpHeaders?: Record<string, string | undefined>;
  /** Root for file content capture; relative paths resolve here. @default `process.cwd()` */
  workspaceDir?: string;
  /** Keep content on spans and rows (see the processor docs). @default `AGENTSPAN_CAPTURE_CONTENT`, else true */
  captureContent?: boolean;
  /** File content capture settings. */
  fileCapture?: FileCaptureConfig;
  /** Secret redaction settings, or `false` to turn it off. @default on */
  redaction?: RedactionConfig | false;
  /**
   * Longest text kept per content attribute: of agentspan's events, and of
   * other instrumentations' messages, tool arguments and results (as the rows
   * take them). Longer is cut and marked. @default 1_000_000
   */
  maxContentChars?: number;
  /**
   * Register the provider as the global tracer provider (with the
   * AsyncLocalStorage context manager and W3C propagators), so spans of other
   * instrumentations in the process flow through the processor too.
   * @default true
   */
  registerGlobal?: boolean;
  /**
   * Context propagation formats installed with the global provider (only when
   * `registerGlobal` is true): `'tracecontext'`, `'baggage'`, `'jaeger'`
   * (`uber-trace-id`, for services on the deprecated `jaeger-client`), or
   * `['none']`.
   * @default `OTEL_PROPAGATORS`, else `['tracecontext', 'baggage']`
   */
  propagators?: PropagatorName[];
  /** Run the schema migrations at start (retried on first export if the database is down). @default true */
  migrate?: boolean;
  /** Connections the Postgres exporter opens. @default 4 (use 1 for PGlite) */
  postgresPoolSize?: number;
  /** Postgres batching. */
  postgresBatch?: BatchOptions;
  /**
   * `statement_timeout` of the Postgres writes, ms (the client gives up 5 s
   * later). At most 2_147_478_647 (2^31 − 1 less those 5 s): a longer value
   * is clamped to it.
   * @default 30_000
   */
  postgresStatementTimeoutMs?: number;
  /**
   * How long to wait for a Postgres connection, ms (0: no timeout, i.e. the
   * longest, and the start waits the default 5 s for the migrations). At most
   * 2_147_483_647 (2^31 − 1, a Node timer's limit): a longer value is
   * clamped to it.
   * @default 5000
   */
  postgresConnectTimeoutMs?: number;
  /**
   * How often the row of a run or node still running is written again, ms, with the time its
   * process last saw it running (`meta.last_seen_at`): readers (`agentspan runs`, the dashboards)
   * show a run whose row says `running` but whose heartbeat stopped for two intervals and a minute
   * as `stale` (its process most likely died: SIGKILL, out of memory). `0` turns the heartbeat off
   * (such a run then reads `running` forever).
   * @default 60_000
   */
  postgresHeartbeatMs?: number;
  /**
   * How long an agent call, code execution or tool call must have run before its row is written
   * in progress, ms (status `running`, no content yet; the row of its end replaces it). From then
   * on it beats with `postgresHeartbeatMs`, so an event running when its process was killed stays
   * listed and reads `stale`, as its run does. Events that end sooner (almost all) are written at
   * their end only. `0` turns this off.
   * @default 10_000
   */
  postgresEventsInProgressAfterMs?: number;
  /**
   * How event rows are written: `copy` (streamed `COPY` straight into
   * `execution_events` behind a savepoint; a chunk holding a row that already
   * exists falls back to `INSERT ... ON CONFLICT DO NOTHING`, so a re-sent
   * span never makes a second row) or `unnest` (always the INSERT). Batches
   * under 100 events and PGlite use `unnest` whatever this says; see
   * `@agentspan/exporter-postgres` and BENCHMARKS.md.
   * @default 'copy'
   */
  postgresWriteMethod?: 'copy' | 'unnest';
  /**
   * Directory of the disk spool: spans that overflow the Postgres queue, or
   * that a flush, shutdown or exit cannot deliver in time, are appended here
   * (fsynced per batch) and delivered when Postgres is back or on the next
   * start. Relative paths resolve against `process.cwd()`. `false`: no spool
   * (such spans are dropped, and counted).
   * @default `AGENTSPAN_SPOOL_DIR` (`off` disables), else `.agentspan/spool`
   */
  spoolDir?: string | false;
  /** Size cap of the spool directory, bytes. @default `AGENTSPAN_SPOOL_MAX_BYTES`, else 268_435_456 (256 MiB) */
  maxSpoolBytes?: number;
  /**
   * Flush on `SIGTERM`, `SIGINT` and `beforeExit`, and spool at `exit`. On a
   * signal with no other listener, agentspan shuts down within
   * `shutdownTimeoutMillis` and raises the signal again, so the process ends
   * as it would have; when the application listens too, agentspan only
   * flushes and the application decides.
   * @default `AGENTSPAN_FLUSH_ON_EXIT`, else true
   */
  flushOnExit?: boolean;
  /**
   * Deadline of `shutdown()` and of the flush on exit, ms. An OTLP request
   * still in flight then (its timeout: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`,
   * else `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10 s) can keep the process alive
   * up to that timeout; it cannot be cancelled. At most 2_147_483_647 (2^31 − 1,
   * about 24.8 days, the longest a Node timer waits): a longer value, from the
   * option or the variable, is clamped to it.
   * @default `AGENTSPAN_SHUTDOWN_TIMEOUT_MS`, else 5000
   */
  shutdownTimeoutMillis?: number;
  /**
   * Where the pipeline's own metrics go (spans queued, exported, retried,
   * spooled, dropped, queue depth, export duration).
   * @default the global MeterProvider at the time `startAgentspan` runs
   */
  meterProvider?: MeterProvider;
  /** OTLP batching. */
  otlpBatch?: BatchOptions;
  /** More span processors, placed after agentspan's processor and before the exporters. */
  spanProcessors?: SpanProcessor[];
  /**
   * Resource attributes, merged over the SDK's default resource and the
   * attributes of `OTEL_RESOURCE_ATTRIBUTES` (these win per key). An
   * undefined value is no attribute (`process.env.X` unset).
   */
  resourceAttributes?: Record<string, string | number | boolean | undefined>;
  /**
   * Which spans are recorded. agentspan is a system of record, so by
   * default every span is, whatever an upstream service decided (a
   * `traceparent` with the sampled flag off) and whatever
   * `OTEL_TRACES_SAMPLER` says. A sampler that drops a run's spans drops
   * its rows in Postgres too.
   * @default new AlwaysOnSampler()
   */
  sampler?: Sampler;
  /** Where the few human-facing warnings go. @default console.warn with an `[agentspan]` prefix */
  logger?: AgentspanLogger;
}

/** Counters of the whole pipeline. */
export interface AgentspanStats {
  processor: ProcessorStats;
  /** The Postgres delivery pipeline (`sink` holds the exporter's and the spool's counters); undefined without `databaseUrl`. */
  postgres: DeliveryStats | undefined;
  /** The OTLP delivery pipeline; undefined without an endpoint. */
  otlp: DeliveryStats | undefined;
  /**
   * The recorder's own losses (see `Recorder.openHandleStats`): `begin*` events, nodes and runs the
   * application never ended, and record calls, ends and workflow callbacks that failed (`failed`).
   */
  recorder: OpenHandleStats;
}

/** What {@link startAgentspan} returns: the recording API plus lifecycle. */
export interface Agentspan extends Recorder {
  /** The provider agentspan created (already global unless `registerGlobal: false`). */
  readonly tracerProvider: NodeTracerProvider;
  /** The processor (for stats or composition). */
  readonly processor: ExecutionEventSpanProcessor;
  /** The resolved service name. */
  readonly serviceName: string;
  /** Counters of the pipeline. */
  stats(): AgentspanStats;
  /**
   * Exports everything ended so far to every destination; what Postgres
   * cannot take in time (or at all, while it is down) goes to the spool.
   */
  forceFlush(): Promise<void>;
  /**
   * Records into the run a parent process passed in `AGENTSPAN_RUN_REFERENCE`
   * (see {@link Agentspan.childEnv}); undefined when the variable is absent
   * (a process not started by agentspan: no warning) or malformed (one
   * warning).
   */
  attachFromEnv(): AttachedRecorder | undefined;
  /**
   * The environment for a child process that records into `target` (a run,
   * a node, or a reference): `base` plus `AGENTSPAN_RUN_REFERENCE` and
   * `TRACEPARENT`. Reserves `orderBlock` execution orders of the run for the
   * child, so its events never share an order with this process' events.
   * @param orderBlock @default 100_000
   */
  childEnv(target: RunHandle | NodeHandle | RunReference, base?: NodeJS.ProcessEnv, orderBlock?: number): NodeJS.ProcessEnv;
  /**
   * What a worker thread needs to record into `target`: pass it in
   * `workerData` and its `port` in the `transferList`, then call
   * `createWorkerRecorder(data)` from `@agentspan/node/worker` in the worker.
   */
  workerData(target: RunHandle | NodeHandle | RunReference): AgentspanWorkerData;
  /** Flushes both exporters, closes connections and unregisters the globals it registered. Idempotent. */
  shutdown(): Promise<void>;
}
