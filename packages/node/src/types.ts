import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type {
  ExecutionEventSpanProcessor,
  FileCaptureConfig,
  ProcessorStats,
  RedactionConfig,
} from '@agentspan/processor';
import type { Recorder } from '@agentspan/instrumentation';

/** Batching of one export path (the SDK's BatchSpanProcessor settings). */
export interface BatchOptions {
  /** Spans held before new ones are dropped (and counted). @default 20_000 for Postgres, 2048 for OTLP */
  maxQueueSize?: number;
  /** Spans per export call. @default 1000 for Postgres, 512 for OTLP */
  maxExportBatchSize?: number;
  /** Delay between scheduled exports, ms. @default 500 for Postgres, 2000 for OTLP */
  scheduledDelayMillis?: number;
  /** Time one export may take before it is abandoned, ms. @default 30_000 */
  exportTimeoutMillis?: number;
}

/** A sink for the few messages agentspan prints for people (not per span). */
export interface AgentspanLogger {
  warn(message: string): void;
}

/**
 * Options of {@link startAgentspan}. Every option has a default; where an
 * environment variable applies, the option wins over the variable, which wins
 * over the default.
 */
export interface AgentspanOptions {
  /** `service.name` of the resource. @default `OTEL_SERVICE_NAME`, else `'agentspan'` */
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
   * OTLP/HTTP traces endpoint (Jaeger, a Collector). `false` turns forwarding
   * off. @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else no forwarding
   */
  otlpEndpoint?: string | false;
  /** Extra headers for OTLP requests. @default `OTEL_EXPORTER_OTLP_HEADERS` */
  otlpHeaders?: Record<string, string>;
  /** Root for file content capture; relative paths resolve here. @default `process.cwd()` */
  workspaceDir?: string;
  /** Keep content on spans and rows (see the processor docs). @default `AGENTSPAN_CAPTURE_CONTENT`, else true */
  captureContent?: boolean;
  /** File content capture settings. */
  fileCapture?: FileCaptureConfig;
  /** Secret redaction settings, or `false` to turn it off. @default on */
  redaction?: RedactionConfig | false;
  /** Longest text kept per content attribute. @default 1_000_000 */
  maxContentChars?: number;
  /**
   * Register the provider as the global tracer provider (with the
   * AsyncLocalStorage context manager and W3C propagators), so spans of other
   * instrumentations in the process flow through the processor too.
   * @default true
   */
  registerGlobal?: boolean;
  /** Run the schema migrations at start (retried on first export if the database is down). @default true */
  migrate?: boolean;
  /** Connections the Postgres exporter opens. @default 4 (use 1 for PGlite) */
  postgresPoolSize?: number;
  /** Postgres batching. */
  postgresBatch?: BatchOptions;
  /** OTLP batching. */
  otlpBatch?: BatchOptions;
  /** More span processors, placed after agentspan's processor and before the exporters. */
  spanProcessors?: SpanProcessor[];
  /** Resource attributes added to `service.name`. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Where the few human-facing warnings go. @default console.warn with an `[agentspan]` prefix */
  logger?: AgentspanLogger;
}

/** Counters of the whole pipeline. */
export interface AgentspanStats {
  processor: ProcessorStats;
  postgres: Record<string, number> | undefined;
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
  /** Exports everything ended so far to every destination. */
  forceFlush(): Promise<void>;
  /** Flushes both exporters, closes connections and unregisters the globals it registered. Idempotent. */
  shutdown(): Promise<void>;
}
