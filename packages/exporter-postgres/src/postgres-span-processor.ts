import { DELIVERY_DEFAULTS, DeliverySpanProcessor, FileSpool, type DeliveryOptions } from '@agentspan/delivery';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MappedRow } from './columns.js';
import type { HeartbeatOf } from './liveness.js';
import { toError } from './pg-errors.js';
import { PostgresExecutionEventExporter } from './postgres-exporter.js';
import { PostgresSink, isMappedRow, spoolKindsOf } from './postgres-sink.js';
import { deadlineMillis } from './timer-millis.js';
import type { PostgresExporterOptions } from './types.js';

/** How long `ready()` waits for the migrations when not told (or told `NaN`). */
const DEFAULT_READY_TIMEOUT_MS = 5000;

/** Options of {@link PostgresSpanProcessor}: the exporter's, the delivery pipeline's, and the spool's. */
export interface PostgresSpanProcessorOptions extends DeliveryOptions, Partial<PostgresExporterOptions> {
  /**
   * An exporter to drive instead of creating one from the Postgres options
   * (the processor shuts it down with itself).
   * @default a new `PostgresExecutionEventExporter(options)`
   */
  exporter?: PostgresExecutionEventExporter | undefined;
  /**
   * Directory of the disk spool, for spans that do not fit in memory or
   * cannot be delivered before a flush or shutdown deadline. Without it
   * such spans are dropped (and counted).
   * @default undefined (no spool; `@agentspan/node` defaults to `.agentspan/spool`)
   */
  spoolDir?: string | false | undefined;
  /** Size cap of the spool directory, bytes. @default 268_435_456 (256 MiB) */
  maxSpoolBytes?: number | undefined;
  /** Size at which a spool segment is closed and a new one started, bytes. @default 8_388_608 (8 MiB) */
  spoolSegmentBytes?: number | undefined;
}

/** What {@link PostgresSpanProcessor.ready} found. */
export interface ReadyResult {
  /** The migrations are applied (the database is reachable). */
  readonly ok: boolean;
  /** Why not, when known (undefined when the deadline passed first). */
  readonly error?: Error | undefined;
}

/**
 * The reliable way to write agentspan's spans to Postgres: a
 * {@link DeliverySpanProcessor} (bounded queue, background batches, retries
 * with backoff and jitter, disk spool, shutdown deadline, counters and
 * metrics) driving a {@link PostgresExecutionEventExporter}. Put it after
 * the `ExecutionEventSpanProcessor`, in place of a `BatchSpanProcessor`.
 *
 * @example
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [
 *     new ExecutionEventSpanProcessor(),
 *     new PostgresSpanProcessor({ connectionString, spoolDir: '.agentspan/spool' }),
 *   ],
 * });
 */
export class PostgresSpanProcessor extends DeliverySpanProcessor<MappedRow[]> {
  /** The exporter that writes the rows. */
  readonly exporter: PostgresExecutionEventExporter;
  /** The spool, when `spoolDir` is set. */
  readonly spool: FileSpool<MappedRow> | undefined;

  constructor(options: PostgresSpanProcessorOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('agentspan exporter-postgres: PostgresSpanProcessor options are required');
    }
    const exporter = options.exporter ?? new PostgresExecutionEventExporter(options as PostgresExporterOptions);
    const spool =
      typeof options.spoolDir === 'string' && options.spoolDir !== ''
        ? new FileSpool<MappedRow>({
            dir: options.spoolDir,
            // Its target's kind, and what earlier versions spooled for it under the key they gave it.
            ...spoolKindsOf(exporter),
            maxBytes: options.maxSpoolBytes,
            segmentBytes: options.spoolSegmentBytes,
            validate: isMappedRow,
          })
        : undefined;
    const millis = options.heartbeatIntervalMillis ?? DELIVERY_DEFAULTS.heartbeatIntervalMillis;
    // The sink asks this processor which running spans its heartbeat follows (set once `super` returns).
    let self: PostgresSpanProcessor | undefined;
    const heartbeat: HeartbeatOf = {
      millis,
      follows: (span: ReadableSpan) => self?.isFollowed(span) === true,
      shownRunning: (span: ReadableSpan) => self?.wasShownRunning(span) === true,
    };
    super(new PostgresSink(exporter, spool, heartbeat), options);
    self = this;
    this.exporter = exporter;
    this.spool = spool;
  }

  /**
   * Runs the migrations, waiting at most `timeoutMillis` (5000 by default and for `NaN`; above 2^31 - 1, or
   * `Infinity`, as long as they take: clamped to what a timer takes, which fired such a timer after 1 ms). Never rejects:
   * when the database is not reachable yet, the migrations are retried
   * before every write.
   */
  async ready(timeoutMillis = DEFAULT_READY_TIMEOUT_MS): Promise<ReadyResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReadyResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false }), deadlineMillis(timeoutMillis, DEFAULT_READY_TIMEOUT_MS));
      timer.unref();
    });
    try {
      return await Promise.race([
        this.exporter.migrate().then(
          (): ReadyResult => ({ ok: true }),
          (err: unknown): ReadyResult => ({ ok: false, error: toError(err) }),
        ),
        timeout,
      ]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
