import type { MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace-base';

/** Why spans were given up on (the `error.type` of the dropped-spans metric). */
export type DropReason =
  /** The in-memory queue was full and there is no spool. */
  | 'queue_full'
  /** The queue was full and the spool had reached its size cap. */
  | 'spool_full'
  /** The queue was full and writing the spool failed (disk full, permissions). */
  | 'spool_error'
  /** The destination refused the spans for good (a row Postgres rejects even after repair; spans an OTLP backend rejected in a partial success). */
  | 'rejected'
  /** The destination reported a failed export (non-retrying sinks, e.g. OTLP after its own retries). */
  | 'export_failed'
  /** An export did not finish within `exportTimeoutMillis` (non-idempotent sinks only). */
  | 'export_timeout'
  /** Spans still held when `shutdown()` reached its deadline and could not be spooled, or ended after it. */
  | 'shutdown'
  /** Spans still held when the process exited and could not be spooled. */
  | 'exit';

/** Every {@link DropReason}, for iteration. */
export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'queue_full',
  'spool_full',
  'spool_error',
  'rejected',
  'export_failed',
  'export_timeout',
  'shutdown',
  'exit',
]);

/** Outcome of one delivery attempt of one batch, as a sink reports it (never an exception). */
export type DeliveryResult =
  /**
   * Written. `rejected` of the batch's spans were refused for good (`error`: why, when the sink
   * knows; it becomes `stats().lastError`), `repaired` stored with repaired values, `failed` not
   * written because the destination failed after the rest of the batch was written (counted as
   * dropped `export_failed`, never retried: a retry of the batch would write the rest twice).
   */
  | {
      readonly kind: 'delivered';
      readonly rejected?: number | undefined;
      readonly repaired?: number | undefined;
      readonly failed?: number | undefined;
      readonly error?: Error | undefined;
    }
  /**
   * Not written, worth trying again later (destination down, timeout, ...).
   * `refused`: the destination answered and refused this batch (it is up;
   * only this batch failed), as opposed to not being reached at all.
   */
  | { readonly kind: 'retry'; readonly error: Error; readonly refused?: boolean | undefined }
  /** Not written, and trying again would not help. */
  | { readonly kind: 'dropped'; readonly reason: DropReason; readonly error?: Error | undefined };

/** What {@link DeliverySink.spill} did with a batch. */
export type SpillResult = 'stored' | 'full' | 'error';

/** A batch read back from a spool: acknowledge it once written, release it to leave it for later. */
export interface SpooledBatch<P> {
  readonly payload: P;
  /** Records in the batch (spans, for the counters). */
  readonly spans: number;
  /** Estimated bytes of the batch in memory. */
  readonly bytes: number;
  /** Forgets the batch for good (it was written). Never throws. */
  ack(): void;
  /** Puts the batch back for a later attempt (this process or the next). Never throws. */
  release(): void;
}

/**
 * Where a {@link DeliverySpanProcessor} sends its batches. `P` is the
 * prepared form of a batch (rows for Postgres, the spans themselves for an
 * OTLP exporter). Every method must stay within its own error handling: the
 * processor guards each call anyway, but a sink that throws is a bug.
 */
export interface DeliverySink<P> {
  /** Name of the destination, for logs, stats and the metrics' `agentspan.delivery.destination`. */
  readonly destination: string;
  /**
   * True when delivering the same batch twice leaves the destination as if
   * it had been delivered once (Postgres with `ON CONFLICT`). Only then may
   * the processor spool a batch whose delivery is still in flight at a
   * deadline, or retry one that timed out.
   */
  readonly idempotent: boolean;
  /** Called in `onEnd`, on the application's stack: must be O(1). Spans it refuses are not counted. */
  accepts?(span: ReadableSpan): boolean;
  /**
   * Called in `onStart`, on the application's stack: must be O(1). A span it
   * accepts is queued once when it starts as well (still running:
   * `span.ended` is false when `prepare` sees it in time), so the
   * destination can show it in progress; its end is queued as usual.
   * Absent: spans are queued when they end only.
   */
  acceptsAtStart?(span: ReadableSpan): boolean;
  /**
   * Called in `onStart`, on the application's stack: must be O(1). A span it
   * accepts is queued while it runs once it has run `showRunningAfterMillis`
   * (and the processor's `prepareRunning` agreed), then beats like a span
   * taken at its start; its end is queued as usual. For spans too many to
   * show all at their start (events: most last microseconds). Absent: none.
   */
  acceptsWhileRunning?(span: ReadableSpan): boolean;
  /** Turns spans into the form the sink writes. Runs in the background (or when spilling). */
  prepare(spans: readonly ReadableSpan[]): P;
  /**
   * One attempt to write a prepared batch. `signal` is aborted when the
   * processor gives up on the attempt (`exportTimeoutMillis`): its result is
   * no longer awaited, so a sink that writes in several steps starts none
   * after it.
   */
  deliver(payload: P, signal?: AbortSignal): Promise<DeliveryResult>;
  /**
   * Stores a prepared batch durably, synchronously (it may run in a
   * process `'exit'` handler). Absent: the sink has no spool.
   */
  spill?(payload: P): SpillResult;
  /** The next spooled batch to replay, if any (claimed, so no other process replays it too). */
  takeSpooled?(): SpooledBatch<P> | undefined;
  /**
   * Extra counters merged into the processor's `stats().sink`. A string
   * `spoolLastError` (what `FileSpool.stats()` gives) is taken as why the
   * last `spill` failed: the processor's warning and `lastError` name it.
   */
  stats?(): Readonly<Record<string, number | string>>;
  /** Bytes on disk in the spool (for the metrics). */
  spoolBytes?(): number;
  /** Releases the sink's resources within `timeoutMillis`; must resolve, never reject. */
  shutdown(timeoutMillis: number): Promise<void>;
}

/** Where the few human-facing messages of a delivery pipeline go (state changes, drops), never one per span. */
export interface DeliveryLogger {
  warn(message: string): void;
  info(message: string): void;
}

/** Options of a {@link DeliverySpanProcessor}. Every one has a default. */
export interface DeliveryOptions {
  /**
   * Most spans held in memory (queued, waiting for a retry, or being
   * written). Beyond it the oldest spans go to the spool, or, without one,
   * new spans are dropped and counted.
   * @default 20_000
   */
  maxQueueSize?: number | undefined;
  /**
   * Most estimated bytes held in memory (see `estimateSpanBytes`): the same
   * overflow rule as `maxQueueSize`.
   * @default 67_108_864 (64 MiB)
   */
  maxQueueBytes?: number | undefined;
  /** Spans per delivery attempt. @default 1000 */
  maxExportBatchSize?: number | undefined;
  /** Longest time a span waits in the queue for a batch to fill, ms. @default 500 */
  scheduledDelayMillis?: number | undefined;
  /** Batches written at the same time while the destination is up (one while it is down). @default 2 */
  maxConcurrentExports?: number | undefined;
  /**
   * Longest one delivery attempt may take before it counts as failed, ms
   * (the sink's own timeouts should fire first; this is the backstop).
   * @default 60_000
   */
  exportTimeoutMillis?: number | undefined;
  /** First retry delay after a failure, ms; doubled per consecutive failure, with jitter. @default 250 */
  retryInitialDelayMillis?: number | undefined;
  /** Longest retry delay, ms. @default 10_000 (also how long, at most, a recovered destination waits to be noticed) */
  retryMaxDelayMillis?: number | undefined;
  /** How long `forceFlush()` tries to deliver before it spools what is left, ms. @default 10_000 */
  flushTimeoutMillis?: number | undefined;
  /** How long `shutdown()` tries to deliver before it spools what is left and closes the sink, ms. @default 5000 */
  shutdownTimeoutMillis?: number | undefined;
  /** How often an idle processor looks for spooled batches to replay, ms. @default 5000 */
  replayIntervalMillis?: number | undefined;
  /**
   * How often a span the sink takes at its start (`acceptsAtStart`) is
   * prepared again while it runs, ms, so that the destination sees it alive
   * (Postgres: `meta.last_seen_at` of a run's or node's row in progress); 0
   * turns the heartbeat off. Beats take no place in the queue, so they never
   * crowd out events: one due per span at most, prepared in a batch of their
   * own (never parked nor spooled: a failed one is let go, the next makes up
   * for it; while the destination is down, the probe that sees it back).
   * At most 10 000 running spans are followed at once (`isFollowed`).
   * @default 60_000
   */
  heartbeatIntervalMillis?: number | undefined;
  /**
   * How long a span the sink shows while running (`acceptsWhileRunning`:
   * an agent call, code execution or tool call, for Postgres) must have run
   * before it is queued in progress, ms; from then on it beats with the
   * heartbeat until it ends. 0 turns this off. Effective only with
   * `prepareRunning` (without it, nothing vouches that the running span's
   * attributes are fit to be written yet: see there). At most 10 000 spans
   * are watched at once, and 1000 shown at once, followed by a heartbeat of
   * their own (runs and nodes keep their 10 000 places);
   * `stats().runningNotShown` counts the rest, written at their end only.
   * @default 10_000
   */
  showRunningAfterMillis?: number | undefined;
  /**
   * Called on the span (still running, still writable) just before it is
   * queued in progress under `showRunningAfterMillis`, from a timer, never
   * on the application's stack; and again on every running span (a run or
   * node at its start, a heartbeat) just before a batch holding it is
   * prepared, so that what changed since is readied too (there its answer
   * is not asked). agentspan's `startAgentspan` passes the
   * `ExecutionEventSpanProcessor`'s `prepareRunning`, which redacts the
   * span's attributes and name then, as it does for runs and nodes at their
   * start (the end's redaction would otherwise come too late for that row).
   * False, or a throw (logged once through `diag`), keeps the span from
   * being shown. Absent: no span is shown while running.
   */
  prepareRunning?: ((span: Span) => boolean) | undefined;
  /**
   * Where the pipeline's metrics go. Read once, at construction.
   * @default the global MeterProvider (`metrics.getMeterProvider()`) at construction
   */
  meterProvider?: MeterProvider | undefined;
  /** Where state changes (destination down / back, drops) are reported, once each. @default `diag` */
  logger?: DeliveryLogger | undefined;
  /** Source of randomness for the retry jitter (tests). @default Math.random */
  random?: (() => number) | undefined;
}

/** Latency of delivery attempts, in milliseconds. */
export interface LatencyStats {
  /** Attempts measured. */
  readonly count: number;
  readonly last: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Counters of one delivery pipeline, since it was created. Every span
 * handed to the pipeline is accounted for:
 * `queued = exported + spooled + (droppedTotal - replayDropped) + queueDepth`.
 */
export interface DeliveryStats {
  readonly destination: string;
  /** `up` (last attempt succeeded, or none yet), `down` (retrying), `stopped` (shut down). */
  readonly state: 'up' | 'down' | 'stopped';
  /**
   * Spans handed to the pipeline (those its sink accepts), including any
   * dropped on arrival. A span the sink also takes when it starts
   * (`acceptsAtStart`) counts once at its start and once at its end.
   */
  readonly queued: number;
  /**
   * Heartbeats prepared (see `heartbeatIntervalMillis`): a running span
   * prepared again, in a batch of heartbeats. Not spans of the queue: outside
   * `queued`, `exported` and the rest, never spooled, never counted dropped
   * (a beat lost is made up by the next).
   */
  readonly heartbeats: number;
  /** Spans taken at their start that get no heartbeat: more than 10 000 were followed at once (logged once). */
  readonly heartbeatsNotFollowed: number;
  /** Spans queued in progress because they ran longer than `showRunningAfterMillis` (also counted in `queued`). */
  readonly shownRunning: number;
  /**
   * Spans the sink would show while running that were written at their end
   * only: more than 10 000 were watched at once, or (with the heartbeat on)
   * more than 1000 were shown running at once. Logged once.
   */
  readonly runningNotShown: number;
  /** Spans from the queue written to the destination (including repaired ones). */
  readonly exported: number;
  /** Span deliveries attempted again after a failure (one span retried twice counts 2). */
  readonly retried: number;
  /** Spans written to the spool (queue overflow, flush or shutdown deadline, process exit). */
  readonly spooled: number;
  /** Spooled spans (of this process or an earlier one) read back and written. */
  readonly replayed: number;
  /** Spooled spans read back and then dropped (rejected by the destination); included in `dropped`. */
  readonly replayDropped: number;
  /** Spans stored with repaired values. */
  readonly repaired: number;
  /** Spans given up on, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Sum of `dropped`. */
  readonly droppedTotal: number;
  /** Spans held in memory now (queued, waiting for a retry, or being written). */
  readonly queueDepth: number;
  /** Estimated bytes held in memory now. */
  readonly queueBytes: number;
  /** Delivery attempts running now. */
  readonly inFlight: number;
  /** Failed attempts in a row (0 when up). */
  readonly consecutiveFailures: number;
  /** Latency of successful delivery attempts. */
  readonly exportLatencyMs: LatencyStats;
  /**
   * Message of the last failure, if any: a delivery attempt's error, or
   * `writing the <destination> spool failed: <the spool's error>`.
   */
  readonly lastError: string | undefined;
  /** The sink's own counters (spool size, repaired rows, ...). */
  readonly sink: Readonly<Record<string, number | string>>;
}
