/**
 * A span processor that delivers ended spans to a sink without losing any:
 * a bounded in-memory queue (count and bytes), batches written in the
 * background, retries with exponential backoff and jitter while the
 * destination is down, a disk spool for what does not fit or cannot be
 * delivered before a deadline, and counters for every span.
 */

import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { backoffDelay } from './backoff.js';
import { Heartbeat, MAX_FOLLOWED_SPANS } from './heartbeat.js';
import { LongRunning, MAX_SHOWN_RUNNING, MAX_WATCHED_SPANS } from './long-running.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { SpanQueue } from './span-queue.js';
import { estimateSpanBytes } from './span-size.js';
import {
  DROP_REASONS,
  type DeliveryLogger,
  type DeliveryOptions,
  type DeliveryResult,
  type DeliverySink,
  type DeliveryStats,
  type DropReason,
  type SpillResult,
  type SpooledBatch,
} from './types.js';

/** Defaults of {@link DeliveryOptions}. */
export const DELIVERY_DEFAULTS = Object.freeze({
  maxQueueSize: 20_000,
  maxQueueBytes: 64 * 1024 * 1024,
  maxExportBatchSize: 1000,
  scheduledDelayMillis: 500,
  maxConcurrentExports: 2,
  exportTimeoutMillis: 60_000,
  retryInitialDelayMillis: 250,
  retryMaxDelayMillis: 10_000,
  flushTimeoutMillis: 10_000,
  shutdownTimeoutMillis: 5000,
  replayIntervalMillis: 5000,
  heartbeatIntervalMillis: 60_000,
  showRunningAfterMillis: 10_000,
});

/** The longest delay a Node timer takes (a longer one fires after 1 ms, with a warning): the bound of `heartbeatIntervalMillis`, and what longer times are clamped to. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/** While the destination is down, the background spills the queue down to this share of its bounds once it passes {@link RELIEVE_HIGH}. */
const RELIEVE_LOW = 0.5;
const RELIEVE_HIGH = 0.75;
/** After the spool refused a batch, do not try it again from `onEnd` for this long (each try costs a prepare). */
const SPILL_BACKOFF_MILLIS = 1000;
/** The key of a sink's `stats()` that says why its spool last failed (`FileSpoolStats.spoolLastError`). */
const SPOOL_LAST_ERROR = 'spoolLastError';

type Origin = 'live' | 'spool' | 'beats';

/**
 * A prepared batch on its way: from the queue (`live`), read back from the
 * spool, or heartbeats only (`beats`: no span of the queue, never parked nor
 * spooled; a failed one is let go, the next beat makes up for it).
 */
interface Batch<P> {
  readonly payload: P;
  readonly spans: number;
  readonly bytes: number;
  readonly origin: Origin;
  readonly spooled: SpooledBatch<P> | undefined;
  /** Accounted for elsewhere (spooled or released at a deadline) while its delivery was still running. */
  abandoned: boolean;
  /** Push-order number of its first span (a live batch; 0 for a spooled one, +Infinity for heartbeats): what a flush waits for. */
  readonly firstSeq: number;
}

const diagLogger: DeliveryLogger = {
  warn: (message) => diag.warn(message),
  info: (message) => diag.info(message),
};

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`agentspan delivery: \`${name}\` must be a positive integer, got ${String(value)}`);
  }
  return v;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`agentspan delivery: \`${name}\` must be a non-negative number, got ${String(value)}`);
  }
  return v;
}

/**
 * A millisecond option given to a timer, once checked: clamped to what a Node timer takes (a longer delay fires
 * after 1 ms, with a TimeoutOverflowWarning). Clamped, not refused, as `@agentspan/node` and
 * `@agentspan/gateway` do: a huge value means "as long as it takes", which 24.8 days is.
 */
function timerMillis(value: number): number {
  return Math.min(value, MAX_TIMER_MILLIS);
}

/**
 * The deadline given to `flush(ms)` or `shutdownWithin(ms)`: negative is 0; NaN (a deadline computed from an
 * unset value) is the configured one, as if none were given. Unchecked, NaN never passed (`remaining <= 0` is
 * false) and each wait became a 1 ms timer: the drain spun until everything settled, forever on a write that
 * never answers. Infinity stays (waited in timer-sized steps).
 */
function deadlineMillis(value: number, configured: number): number {
  const millis = Math.max(0, value); // NaN for undefined too (a JavaScript caller)
  return Number.isNaN(millis) ? configured : millis;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function zeroDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

/**
 * Rounds a flush gives the spans ended while it runs, after every span
 * ended before it has left the queue (see `drain`).
 */
const FLUSH_FOLLOW_UP_ROUNDS = 2;

/**
 * Delivers ended spans to a {@link DeliverySink}.
 *
 * - `onEnd` is O(1): it estimates the span's size and pushes a reference
 *   onto the queue. Preparing (e.g. mapping to rows) and writing happen in
 *   the background, never on the application's stack, except when the
 *   queue overflows: then the oldest batch is prepared and spilled to the
 *   sink's spool synchronously (bounded memory beats latency there).
 * - A failed attempt (`retry`) parks the batch and tries again after an
 *   exponential backoff with jitter; while the destination is down only one
 *   attempt runs at a time. `dropped` results are counted, never retried.
 * - `forceFlush()` delivers what is queued (when the destination is down it
 *   spools it at once instead); `shutdown()` delivers until its deadline, then
 *   spools the rest and closes the sink. Neither ever rejects.
 * - When idle and up, it replays batches from the sink's spool (from this
 *   process or earlier ones).
 */
export class DeliverySpanProcessor<P> implements SpanProcessor {
  private readonly sink: DeliverySink<P>;
  private readonly maxQueueSize: number;
  private readonly maxQueueBytes: number;
  private readonly batchSize: number;
  private readonly delay: number;
  private readonly concurrency: number;
  private readonly exportTimeout: number;
  private readonly retryInitial: number;
  private readonly retryMax: number;
  private readonly flushTimeout: number;
  private readonly shutdownTimeout: number;
  private readonly replayInterval: number;
  private readonly logger: DeliveryLogger;
  private readonly random: () => number;
  private readonly metrics: PipelineMetrics;
  /** Follows the spans queued at their start while they run (undefined: heartbeat off). */
  private readonly heartbeat: Heartbeat | undefined;
  /**
   * Spans due a heartbeat, at most one entry each: they take no place in the
   * queue (a beat never crowds out an event); they are prepared in batches of
   * their own (`prepareBeats`), ahead of the queue's spans.
   */
  private readonly beats = new Set<ReadableSpan>();
  /** Watches the spans the sink shows once they have run long enough (undefined: off, or no `prepareRunning`). */
  private readonly longRunning: LongRunning | undefined;
  /**
   * Follows the spans shown running (undefined: heartbeat off), apart from
   * runs and nodes: long events never take their places, and at most
   * {@link MAX_SHOWN_RUNNING} are followed (a round of beats must fit well
   * within an interval: an event row costs more to write than a node's).
   */
  private readonly runningBeats: Heartbeat | undefined;
  /** Spans running past the threshold that were not shown: not watched, or {@link MAX_SHOWN_RUNNING} shown already. */
  private runningNotShown = 0;
  private readonly prepareRunning: ((span: Span) => boolean) | undefined;
  /** Spans queued in progress by `showRunning`: their end replaces a row the destination holds (see `wasShownRunning`). */
  private readonly shownRunning = new WeakSet<ReadableSpan>();
  private shownRunningCount = 0;
  private notShownLogged = false;

  private readonly queue = new SpanQueue();
  /** Prepared batches waiting for a (re)try, oldest first. */
  private readonly parked: Batch<P>[] = [];
  private readonly inFlight = new Set<Batch<P>>();
  /** Live spans held: queued + parked + in flight (not abandoned). */
  private heldSpans = 0;
  /** Live spans ever taken onto the queue: with `heldSpans`, tells how many have left it (delivered, spooled or dropped). */
  private acceptedSpans = 0;
  private heldBytes = 0;

  private state: 'up' | 'down' = 'up';
  private downSince = 0;
  private failures = 0;
  private totalFailures = 0;
  private retryAt = 0;
  private queueDueAt = 0;
  private nextReplayAt = 0;
  /** Until when replay waits after a replayed batch failed (not reset when the destination comes back: see `account`). */
  private replayBlockedUntil = 0;
  private spillBlockedUntil = 0;
  private lastSpillFailure: SpillResult | undefined;
  private lastError: string | undefined;
  private flushing = 0;
  private closed = false;
  private stopped = false;
  private shutdownPromise: Promise<void> | undefined;

  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** The pump scheduled to run next turn of the event loop, if any. */
  private pumpSoon: NodeJS.Immediate | undefined;
  private pumping = false;
  private waiters: (() => void)[] = [];

  private readonly counts = {
    queued: 0,
    exported: 0,
    retried: 0,
    spooled: 0,
    replayed: 0,
    replayDropped: 0,
    repaired: 0,
  };
  /** Heartbeats prepared for the sink (not spans of the queue: outside `counts`, see `DeliveryStats.heartbeats`). */
  private heartbeatsPrepared = 0;
  /** The heartbeat interval, ms (0: off). */
  private readonly heartbeatMillis: number;
  /** Since when heartbeats have been due without a break (`beats` not empty). */
  private beatsDueSince = 0;
  private unfollowedLogged = false;
  private readonly dropped = zeroDrops();
  /** Drops already reported to the logger, so each reason is reported once per episode. */
  private readonly dropsReported = new Set<DropReason>();
  private latency = { count: 0, last: 0, max: 0, total: 0 };
  private internalErrorLogged = false;

  constructor(sink: DeliverySink<P>, options: DeliveryOptions = {}) {
    if (sink === null || typeof sink !== 'object' || typeof sink.deliver !== 'function' || typeof sink.prepare !== 'function') {
      throw new TypeError('agentspan delivery: a sink with prepare() and deliver() is required');
    }
    const d = DELIVERY_DEFAULTS;
    this.sink = sink;
    this.logger = options.logger ?? diagLogger;
    this.maxQueueSize = positiveInt('maxQueueSize', options.maxQueueSize, d.maxQueueSize);
    this.maxQueueBytes = positiveInt('maxQueueBytes', options.maxQueueBytes, d.maxQueueBytes);
    let batchSize = positiveInt('maxExportBatchSize', options.maxExportBatchSize, d.maxExportBatchSize);
    if (batchSize > this.maxQueueSize) {
      this.logWarn(`maxExportBatchSize (${batchSize}) is larger than maxQueueSize; using ${this.maxQueueSize}`);
      batchSize = this.maxQueueSize;
    }
    this.batchSize = batchSize;
    this.delay = timerMillis(nonNegative('scheduledDelayMillis', options.scheduledDelayMillis, d.scheduledDelayMillis));
    this.concurrency = positiveInt('maxConcurrentExports', options.maxConcurrentExports, d.maxConcurrentExports);
    this.exportTimeout = timerMillis(positiveInt('exportTimeoutMillis', options.exportTimeoutMillis, d.exportTimeoutMillis));
    this.retryInitial = timerMillis(nonNegative('retryInitialDelayMillis', options.retryInitialDelayMillis, d.retryInitialDelayMillis));
    this.retryMax = Math.max(this.retryInitial, timerMillis(nonNegative('retryMaxDelayMillis', options.retryMaxDelayMillis, d.retryMaxDelayMillis)));
    this.flushTimeout = timerMillis(nonNegative('flushTimeoutMillis', options.flushTimeoutMillis, d.flushTimeoutMillis));
    this.shutdownTimeout = timerMillis(nonNegative('shutdownTimeoutMillis', options.shutdownTimeoutMillis, d.shutdownTimeoutMillis));
    this.replayInterval = timerMillis(positiveInt('replayIntervalMillis', options.replayIntervalMillis, d.replayIntervalMillis));
    this.random = options.random ?? Math.random;
    const heartbeatMillis = nonNegative('heartbeatIntervalMillis', options.heartbeatIntervalMillis, d.heartbeatIntervalMillis);
    if (heartbeatMillis > MAX_TIMER_MILLIS) {
      throw new RangeError(`agentspan delivery: \`heartbeatIntervalMillis\` must be at most ${MAX_TIMER_MILLIS} (a Node timer's limit), got ${heartbeatMillis}`);
    }
    this.heartbeatMillis = heartbeatMillis;
    this.heartbeat = heartbeatMillis > 0 && sink.acceptsAtStart !== undefined ? new Heartbeat(heartbeatMillis, (span) => this.beat(span)) : undefined;
    const runningMillis = nonNegative('showRunningAfterMillis', options.showRunningAfterMillis, d.showRunningAfterMillis);
    if (runningMillis > MAX_TIMER_MILLIS) {
      throw new RangeError(`agentspan delivery: \`showRunningAfterMillis\` must be at most ${MAX_TIMER_MILLIS} (a Node timer's limit), got ${runningMillis}`);
    }
    if (options.prepareRunning !== undefined && typeof options.prepareRunning !== 'function') {
      throw new TypeError('agentspan delivery: `prepareRunning` must be a function');
    }
    this.prepareRunning = options.prepareRunning;
    this.longRunning =
      runningMillis > 0 && this.prepareRunning !== undefined && sink.acceptsWhileRunning !== undefined
        ? new LongRunning(runningMillis, (span) => this.showRunning(span as Span))
        : undefined;
    this.runningBeats =
      this.longRunning !== undefined && heartbeatMillis > 0 ? new Heartbeat(heartbeatMillis, (span) => this.beat(span), MAX_SHOWN_RUNNING) : undefined;
    this.metrics = new PipelineMetrics(options.meterProvider, sink.destination, () => this.stats());
    // Replay anything an earlier process spooled, as soon as the event loop is free.
    if (sink.takeSpooled) this.schedulePump();
  }

  // -------------------------------------------------------------------------
  // SpanProcessor
  // -------------------------------------------------------------------------

  /**
   * Queues a span the sink records while it runs (`acceptsAtStart`), and again
   * on every heartbeat until it ends; other spans wait for their end.
   */
  onStart(span: Span): void {
    try {
      if (this.sink.acceptsAtStart?.(span) === true) {
        if (!this.closed && this.heartbeat !== undefined && !this.heartbeat.follow(span) && !this.unfollowedLogged) {
          this.unfollowedLogged = true;
          this.logWarn(
            `agentspan ${this.sink.destination}: more than ${MAX_FOLLOWED_SPANS} runs and nodes are running at once; those started beyond it get no heartbeat and are written without one (readers never take them for stale); counted in stats().heartbeatsNotFollowed`,
          );
        }
        this.enqueue(span);
      } else if (this.longRunning !== undefined && !this.closed && this.sink.acceptsWhileRunning?.(span) === true) {
        if (!this.longRunning.watch(span)) this.notShown(`more than ${MAX_WATCHED_SPANS} events are running at once`);
      }
    } catch (err) {
      this.internalError(err);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      this.heartbeat?.unfollow(span);
      this.longRunning?.unwatch(span);
      this.runningBeats?.unfollow(span);
      if (this.sink.accepts !== undefined && !this.sink.accepts(span)) return;
      this.enqueue(span);
    } catch (err) {
      this.internalError(err);
    }
  }

  /**
   * A span the sink shows while running has run `showRunningAfterMillis`:
   * `prepareRunning` readies it (redaction), then it is queued in progress
   * and followed by the heartbeat, as a span taken at its start. Called from
   * the sweep's timer; never throws.
   */
  private showRunning(span: Span): void {
    try {
      if (this.closed || span.ended) return;
      if (this.prepareRunning?.(span) !== true) return;
      if (span.ended) return; // ended meanwhile (`prepareRunning` may run code of the application's)
      // Without a heartbeat a row in progress would never read stale once its process died.
      if (this.runningBeats !== undefined && !this.runningBeats.follow(span)) {
        this.notShown(`more than ${MAX_SHOWN_RUNNING} events ran past showRunningAfterMillis at once`);
        return;
      }
      this.shownRunning.add(span);
      this.shownRunningCount += 1;
      this.enqueue(span);
    } catch (err) {
      this.internalError(err);
    }
  }

  /** A long span not shown while running (it is still written at its end): counted, logged once. */
  private notShown(why: string): void {
    this.runningNotShown += 1;
    if (this.notShownLogged) return;
    this.notShownLogged = true;
    this.logWarn(`agentspan ${this.sink.destination}: ${why}; those beyond it are written at their end only, never in progress; counted in stats().runningNotShown`);
  }

  /**
   * Readies the running spans of a batch just before the sink prepares them
   * (`prepareRunning`: its redaction then covers what the application
   * changed since the span was last readied, e.g. a name set after its
   * start). Ended spans are left alone; a failure is logged once and the
   * span prepared as it is (its start was readied already).
   */
  private readyRunning(spans: readonly ReadableSpan[]): void {
    const ready = this.prepareRunning;
    if (ready === undefined) return;
    for (const span of spans) {
      if (span.ended) continue;
      try {
        ready(span as Span);
      } catch (err) {
        this.internalError(err);
      }
    }
  }

  /**
   * Whether `span` was queued in progress after running long enough
   * (`showRunningAfterMillis`): the destination may hold its row in
   * progress, which the row of its end must replace.
   */
  wasShownRunning(span: ReadableSpan): boolean {
    return this.shownRunning.has(span);
  }

  /**
   * A heartbeat of a span still running: it is due to be prepared again (by
   * the sink, as it runs now) in the next batch of heartbeats. A span has one
   * beat due at most: while the destination is down they wait, one per span.
   */
  private beat(span: ReadableSpan): void {
    if (this.closed) return;
    if (this.beats.size === 0) this.beatsDueSince = Date.now();
    this.beats.add(span);
    this.schedulePump();
  }

  /** A batch of up to `max` heartbeats (undefined when none is due any more, or preparing failed: the beats are let go). */
  private prepareBeats(max: number): Batch<P> | undefined {
    const beats = this.takeBeats(max);
    if (beats.length === 0) return undefined;
    try {
      this.readyRunning(beats);
      const payload = this.sink.prepare(beats);
      this.heartbeatsPrepared += beats.length;
      return { payload, spans: 0, bytes: 0, origin: 'beats', spooled: undefined, abandoned: false, firstSeq: Number.POSITIVE_INFINITY };
    } catch (err) {
      this.internalError(err);
      return undefined;
    }
  }

  /** Up to `max` spans due a heartbeat, still running (a span that ended has its end queued instead). */
  private takeBeats(max: number): ReadableSpan[] {
    const out: ReadableSpan[] = [];
    for (const span of this.beats) {
      if (out.length >= max) break;
      this.beats.delete(span);
      if (!span.ended) out.push(span);
    }
    return out;
  }

  /** Takes one span into the queue (or the spool, or counts it dropped). Never throws past its caller's guard. */
  private enqueue(span: ReadableSpan): void {
    this.counts.queued += 1;
    if (this.closed) {
      this.drop(1, 'shutdown');
      return;
    }
    const bytes = estimateSpanBytes(span);
    if (bytes > this.maxQueueBytes) {
      // It would not fit an empty queue: evicting the queue to the spool first (on the application's
      // stack) would only have been followed by dropping it anyway. It goes to the spool on its own.
      if (!this.spillAlone(span, bytes)) this.drop(1, this.overflowReason());
      return;
    }
    if (this.heldSpans + 1 > this.maxQueueSize || this.heldBytes + bytes > this.maxQueueBytes) {
      if (!this.makeRoom(bytes)) {
        this.drop(1, this.overflowReason());
        return;
      }
    }
    this.queue.push(span, bytes);
    this.heldSpans += 1;
    this.acceptedSpans += 1;
    this.heldBytes += bytes;
    if (this.queue.length === 1) this.queueDueAt = Date.now() + this.delay;
    if (this.queue.length >= this.batchSize) this.schedulePump();
    else if (this.queue.length === 1) this.armTimer(this.queueDueAt);
  }

  /**
   * Delivers every span ended before the call. While the destination is
   * down (or once `flushTimeoutMillis` has passed) what is left goes to the
   * spool instead, so that on return the spans are in the destination or on
   * disk (unless there is no spool). Never rejects.
   */
  forceFlush(): Promise<void> {
    return this.flush(this.flushTimeout);
  }

  /**
   * {@link forceFlush} with its own deadline, ms. During a shutdown it resolves once the shutdown has settled, the
   * sink's own shutdown included (at the latest at its deadline, when what is still held is spooled as by any flush
   * that times out): its spans are then out or on disk only once the sink
   * has closed (an exporter may write what it holds only then), and a caller that ends the process when the flush
   * resolves (`@agentspan/node` on SIGTERM) must not end it while the sink closes.
   */
  flush(timeoutMillis: number): Promise<void> {
    if (this.stopped && this.shutdownPromise === undefined) return Promise.resolve(); // spilled at exit: nothing left
    const millis = deadlineMillis(timeoutMillis, this.flushTimeout);
    const deadline = Date.now() + millis;
    // The shutdown's own drain delivers what is held; a flush begun before it stops waiting when it stops.
    const drained = this.shutdownPromise !== undefined ? Promise.resolve() : this.drain(millis, false).catch((err: unknown) => this.internalError(err));
    return drained.then(() => this.untilShutDown(deadline));
  }

  /** Resolves once a shutdown begun by now has settled, at the latest at `deadline`; at once without one. */
  private untilShutDown(deadline: number): Promise<void> {
    const shutdown = this.shutdownPromise;
    if (shutdown === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd, as a drain's wait: a flush in progress keeps the process alive until its deadline.
      const timer = setTimeout(() => {
        this.spillAtFlushDeadline();
        resolve();
      }, timerMillis(Math.max(0, deadline - Date.now())));
      void shutdown.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * A flush waiting for a shutdown reached its own deadline first: what the shutdown's drain still holds is spooled
   * now (batches being written too, on an idempotent sink), as a flush that times out does, so that on return the
   * spans are written or on disk (its caller may end the process then). Until the 2026-12 review it returned with
   * them still in memory. The shutdown's drain is woken: nothing held, it goes on to stop.
   */
  private spillAtFlushDeadline(): void {
    if (this.stopped || this.heldSpans === 0) return;
    try {
      this.spillEverything(true);
    } catch (err) {
      this.internalError(err);
    }
    this.notify();
  }

  /**
   * Stops accepting spans, delivers until `shutdownTimeoutMillis`, spools
   * what is left (including batches whose write is still running, when the
   * sink is idempotent), then closes the sink within what remains of the
   * deadline. Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    return this.shutdownWithin(this.shutdownTimeout);
  }

  /** {@link shutdown} with its own deadline, ms (the first call's deadline wins). */
  shutdownWithin(timeoutMillis: number): Promise<void> {
    this.shutdownPromise ??= (async () => {
      const millis = deadlineMillis(timeoutMillis, this.shutdownTimeout);
      const deadline = Date.now() + millis;
      this.closed = true;
      this.heartbeat?.stop();
      this.runningBeats?.stop();
      this.longRunning?.stop();
      this.beats.clear();
      try {
        await this.drain(millis, true);
      } catch (err) {
        this.internalError(err);
      }
      this.releaseSpooled();
      this.accountLeftovers('shutdown');
      this.stopped = true;
      this.clearTimers();
      // A flush still waiting (on a write that never answered) has nothing left to wait for: wake it now, or it
      // waited out its own timeout, its timer holding the process alive until then. It then waits for the sink's
      // shutdown below, within its deadline (see flush).
      this.notify();
      this.reportDrops();
      try {
        await this.sink.shutdown(timerMillis(Math.max(0, deadline - Date.now())));
      } catch (err) {
        this.internalError(err);
      }
      this.metrics.close();
    })();
    return this.shutdownPromise;
  }

  // -------------------------------------------------------------------------
  // Public extras
  // -------------------------------------------------------------------------

  /**
   * Synchronously spools everything still held (for a process `'exit'`
   * handler, where nothing asynchronous runs any more). Batches whose write
   * is in flight are spooled too when the sink is idempotent. What cannot be
   * spooled is counted as dropped (`exit`). Returns the spans spooled.
   */
  spillAllSync(): number {
    const before = this.counts.spooled;
    try {
      this.closed = true;
      this.heartbeat?.stop();
      this.runningBeats?.stop();
      this.longRunning?.stop();
      this.beats.clear();
      this.spillEverything(true);
      this.releaseSpooled();
      this.accountLeftovers('exit');
      this.clearTimers();
      this.stopped = true;
      this.notify(); // as at the end of shutdown: a waiting flush has nothing left to wait for
    } catch (err) {
      this.internalError(err);
    }
    return this.counts.spooled - before;
  }

  /**
   * Whether the heartbeat follows `span` (taken at its start, still running,
   * within the bound): a sink marks the rows of such spans as beating.
   */
  isFollowed(span: ReadableSpan): boolean {
    return this.heartbeat?.follows(span) === true || this.runningBeats?.follows(span) === true;
  }

  /** Spans held in memory now. */
  get pending(): number {
    return this.heldSpans;
  }

  /** A snapshot of the counters. */
  stats(): DeliveryStats {
    let droppedTotal = 0;
    for (const r of DROP_REASONS) droppedTotal += this.dropped[r];
    let sink: Readonly<Record<string, number | string>> = {};
    try {
      sink = { ...(this.sink.stats?.() ?? {}) };
    } catch {
      /* a sink's counters are optional */
    }
    const l = this.latency;
    return {
      destination: this.sink.destination,
      state: this.stopped ? 'stopped' : this.state,
      ...this.counts,
      heartbeats: this.heartbeatsPrepared,
      heartbeatsNotFollowed: this.heartbeat?.stats().unfollowed ?? 0,
      shownRunning: this.shownRunningCount,
      runningNotShown: this.runningNotShown,
      dropped: { ...this.dropped },
      droppedTotal,
      queueDepth: this.heldSpans,
      queueBytes: this.heldBytes,
      inFlight: this.inFlight.size,
      consecutiveFailures: this.failures,
      exportLatencyMs: { count: l.count, last: l.last, max: l.max, mean: l.count === 0 ? 0 : l.total / l.count },
      lastError: this.lastError,
      sink,
    };
  }

  // -------------------------------------------------------------------------
  // Scheduling
  // -------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpSoon !== undefined || this.stopped) return;
    // Not unref'd: Node's poll phase does not wake for an unref'd immediate, so a pump scheduled from
    // a timer callback (a connect timeout's retry) waited for unrelated I/O. A ref'd one holds the
    // process for one turn of the loop at most (not a timer: setTimeout(0) waits a millisecond, per batch).
    this.pumpSoon = setImmediate(() => {
      this.pumpSoon = undefined;
      this.pump();
    });
  }

  private armTimer(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.pumpSoon !== undefined) clearImmediate(this.pumpSoon);
    this.pumpSoon = undefined;
  }

  /** Starts as many attempts as the state allows, then arms the timer for the next thing due. */
  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      if (this.state === 'down') this.relieve();
      const now = Date.now();
      while (this.inFlight.size < (this.state === 'down' ? 1 : this.concurrency)) {
        if (this.state === 'down' && now < this.retryAt) break;
        const batch = this.nextBatch(now);
        if (batch === undefined) break;
        this.start(batch);
      }
      this.armNext(now);
    } catch (err) {
      this.internalError(err);
    } finally {
      this.pumping = false;
    }
  }

  private armNext(now: number): void {
    let at = Number.POSITIVE_INFINITY;
    if (this.state === 'down') {
      // Only when no attempt runs: while down one runs at a time, and its end pumps again (a timer armed at a
      // retry time already past would fire every millisecond while a hung attempt holds the one slot).
      if (this.inFlight.size === 0 && (this.parked.length > 0 || this.queue.length > 0 || this.beats.size > 0)) at = this.retryAt;
    } else if (this.queue.length > 0) {
      at = Math.max(this.queueDueAt, now);
    }
    // (Parked batches while up need no timer: the attempt that settles next pumps again.)
    // No replay timer while a replay is being written: its end pumps again (a timer here fired every millisecond).
    if (this.sink.takeSpooled !== undefined && !this.closed && !this.inFlightOf('spool')) {
      at = Math.min(at, Math.max(this.nextReplayAt, this.replayBlockedUntil, now + 1, this.state === 'down' ? this.retryAt : 0));
    }
    if (Number.isFinite(at)) this.armTimer(at);
  }

  private nextBatch(now: number): Batch<P> | undefined {
    const parked = this.parked.shift();
    if (parked !== undefined) return parked;
    if (this.beatsMayGo(now)) {
      const batch = this.prepareBeats(this.batchSize);
      if (batch !== undefined) return batch;
    }
    while (this.queue.length > 0 && (this.queue.length >= this.batchSize || this.flushing > 0 || now >= this.queueDueAt)) {
      const batch = this.prepareLive(this.batchSize);
      if (this.queue.length > 0) this.queueDueAt = now + this.delay;
      if (batch !== undefined) return batch; // else preparing failed (counted): try the next spans
    }
    // Replay when up; while down, a spooled batch serves as the probe when nothing live is waiting
    // (everything may have been spooled: without a probe the destination would never be seen again).
    if (
      this.sink.takeSpooled !== undefined &&
      !this.closed &&
      (this.state === 'up' || (this.parked.length === 0 && this.queue.length === 0)) &&
      now >= this.nextReplayAt &&
      now >= this.replayBlockedUntil &&
      ![...this.inFlight].some((b) => b.origin === 'spool')
    ) {
      const spooled = this.guard('takeSpooled', () => this.sink.takeSpooled?.());
      if (spooled === undefined) {
        this.nextReplayAt = now + this.replayInterval;
        return undefined;
      }
      this.nextReplayAt = 0; // more may be waiting: look again as soon as this one is done
      return { payload: spooled.payload, spans: spooled.spans, bytes: spooled.bytes, origin: 'spool', spooled, abandoned: false, firstSeq: 0 };
    }
    return undefined;
  }

  /** Takes up to `max` spans off the queue and prepares them (undefined when preparing failed; counted). */
  private prepareLive(max: number): Batch<P> | undefined {
    const firstSeq = this.queue.taken + 1;
    const { spans, bytes } = this.queue.take(max);
    if (spans.length === 0) return undefined;
    try {
      this.readyRunning(spans);
      const payload = this.sink.prepare(spans);
      return { payload, spans: spans.length, bytes, origin: 'live', spooled: undefined, abandoned: false, firstSeq };
    } catch (err) {
      this.heldSpans -= spans.length;
      this.heldBytes -= bytes;
      this.lastError = toError(err).message;
      this.drop(spans.length, 'rejected');
      this.internalError(err);
      return undefined;
    }
  }

  // -------------------------------------------------------------------------
  // Attempts
  // -------------------------------------------------------------------------

  private start(batch: Batch<P>): void {
    this.inFlight.add(batch);
    const started = performance.now();
    let settled = false;
    let timeout: NodeJS.Timeout | undefined;
    const finish = (result: DeliveryResult): void => {
      if (settled) return;
      settled = true;
      if (timeout !== undefined) clearTimeout(timeout);
      this.settle(batch, result, performance.now() - started);
    };
    // Aborted when the attempt times out: a sink writing in several steps (a 413 split) starts no more of them.
    const abort = new AbortController();
    timeout = setTimeout(() => {
      const error = new Error(`delivery did not finish within ${this.exportTimeout} ms`);
      finish(this.sink.idempotent ? { kind: 'retry', error } : { kind: 'dropped', reason: 'export_timeout', error });
      abort.abort(error);
    }, this.exportTimeout);
    timeout.unref();
    let attempt: Promise<DeliveryResult>;
    try {
      // The sink's own I/O (pg, http) must not be traced into the pipeline it feeds.
      attempt = context.with(suppressTracing(context.active()), () => this.sink.deliver(batch.payload, abort.signal));
    } catch (err) {
      attempt = Promise.resolve({ kind: 'retry', error: toError(err) });
    }
    attempt.then(finish, (err: unknown) => finish({ kind: 'retry', error: toError(err) }));
  }

  private settle(batch: Batch<P>, result: DeliveryResult, millis: number): void {
    this.inFlight.delete(batch);
    try {
      if (!batch.abandoned) this.account(batch, result, millis);
      else if (result.kind === 'delivered') this.markUp(); // the destination is back, even if the batch was spooled meanwhile
    } catch (err) {
      this.internalError(err);
    }
    this.notify();
    if (!this.stopped) this.schedulePump();
  }

  private account(batch: Batch<P>, result: DeliveryResult, millis: number): void {
    if (batch.origin === 'beats') {
      this.accountBeats(result, millis);
      return;
    }
    const live = batch.origin === 'live';
    switch (result.kind) {
      case 'delivered': {
        this.metrics.recordAttempt(millis, 'success');
        const l = this.latency;
        l.count += 1;
        l.last = millis;
        l.total += millis;
        if (millis > l.max) l.max = millis;
        const rejected = Math.min(batch.spans, Math.max(0, result.rejected ?? 0));
        const failed = Math.min(batch.spans - rejected, Math.max(0, result.failed ?? 0));
        const written = batch.spans - rejected - failed;
        if (live) {
          this.release(batch);
          this.counts.exported += written;
        } else {
          this.counts.replayed += written;
          batch.spooled?.ack();
        }
        this.counts.repaired += Math.max(0, result.repaired ?? 0);
        if (rejected > 0 || failed > 0) {
          if (result.error !== undefined) this.lastError = result.error.message;
          this.drop(rejected, 'rejected');
          this.drop(failed, 'export_failed');
          if (!live) this.counts.replayDropped += rejected + failed;
        }
        this.markUp();
        break;
      }
      case 'retry': {
        this.metrics.recordAttempt(millis, 'retry');
        this.counts.retried += batch.spans;
        this.lastError = result.error.message;
        if (!live) {
          // Back to the spool, tried again after the replay interval: a spooled batch the destination
          // keeps refusing (a record of another version, a table altered by hand) must not stand in
          // front of live batches, nor be retried after every live success. A destination that
          // answered and refused this one batch is not down; one that could not be reached is.
          batch.spooled?.release();
          this.replayBlockedUntil = Date.now() + this.replayInterval;
          if (result.refused === true && this.state === 'up') break;
        } else {
          this.parked.unshift(batch);
        }
        this.failures += 1;
        this.totalFailures += 1;
        this.retryAt = Date.now() + backoffDelay(this.failures, this.retryInitial, this.retryMax, this.random);
        this.markDown(result.error);
        break;
      }
      case 'dropped': {
        this.metrics.recordAttempt(millis, 'dropped');
        if (result.error) this.lastError = result.error.message;
        if (live) this.release(batch);
        else {
          batch.spooled?.ack();
          this.counts.replayDropped += batch.spans;
        }
        this.drop(batch.spans, result.reason);
        break;
      }
    }
  }

  /**
   * A batch of heartbeats settled: it counts for the destination's state (a
   * beat is the probe that sees it back when nothing else waits), never for
   * the span counters; a failed one is let go (the next beat makes up for it).
   */
  private accountBeats(result: DeliveryResult, millis: number): void {
    this.metrics.recordAttempt(millis, result.kind === 'delivered' ? 'success' : result.kind);
    if (result.kind === 'delivered') {
      this.markUp();
      return;
    }
    if (result.error !== undefined) this.lastError = result.error.message;
    if (result.kind === 'retry' && !(result.refused === true && this.state === 'up')) {
      this.failures += 1;
      this.totalFailures += 1;
      this.retryAt = Date.now() + backoffDelay(this.failures, this.retryInitial, this.retryMax, this.random);
      this.markDown(result.error);
    }
  }

  /** Forgets a live batch from the memory accounting. */
  private release(batch: Batch<P>): void {
    if (batch.origin !== 'live') return;
    this.heldSpans -= batch.spans;
    this.heldBytes -= batch.bytes;
  }

  private markDown(error: Error): void {
    if (this.state === 'down') return;
    this.state = 'down';
    this.downSince = Date.now();
    this.logWarn(
      `${this.sink.destination} is unreachable or failing (${error.message}); ` +
        `holding ${this.heldSpans} span(s) and retrying with backoff (logged once until it recovers)`,
    );
  }

  private markUp(): void {
    this.failures = 0;
    this.retryAt = 0;
    if (this.state === 'up') return;
    this.state = 'up';
    this.nextReplayAt = 0;
    const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
    this.logInfo(`${this.sink.destination} is reachable again after ${seconds} s; delivering ${this.heldSpans} held span(s)`);
    this.reportDrops();
  }

  // -------------------------------------------------------------------------
  // Overflow and the spool
  // -------------------------------------------------------------------------

  private overflowReason(): DropReason {
    if (this.sink.spill === undefined) return 'queue_full';
    if (this.lastSpillFailure === 'full') return 'spool_full';
    if (this.lastSpillFailure === 'error') return 'spool_error';
    return 'queue_full';
  }

  private fits(extraBytes: number): boolean {
    return this.heldSpans + 1 <= this.maxQueueSize && this.heldBytes + extraBytes <= this.maxQueueBytes;
  }

  /** Spills the oldest waiting batches until a span of `bytes` fits; false when it still does not. */
  private makeRoom(bytes: number): boolean {
    if (this.sink.spill === undefined || Date.now() < this.spillBlockedUntil) return false;
    while (!this.fits(bytes)) {
      if (!this.spillOldest()) return false;
    }
    return true;
  }

  /**
   * Writes one span larger than `maxQueueBytes` straight to the spool, never
   * held in memory; false when there is no spool or it refused (the caller
   * counts the drop).
   */
  private spillAlone(span: ReadableSpan, bytes: number): boolean {
    if (this.sink.spill === undefined || Date.now() < this.spillBlockedUntil) return false;
    let payload: P;
    try {
      this.readyRunning([span]);
      payload = this.sink.prepare([span]);
    } catch (err) {
      this.lastError = toError(err).message;
      this.internalError(err);
      return false;
    }
    // `abandoned`: never counted as held, so storing it releases nothing.
    const batch: Batch<P> = { payload, spans: 1, bytes, origin: 'live', spooled: undefined, abandoned: true, firstSeq: 0 };
    if (this.spill(batch)) return true;
    this.spillBlockedUntil = Date.now() + SPILL_BACKOFF_MILLIS;
    return false;
  }

  /** While down, spills from the background so `onEnd` rarely has to. */
  private relieve(): void {
    if (this.sink.spill === undefined || Date.now() < this.spillBlockedUntil) return;
    const high = this.heldSpans > this.maxQueueSize * RELIEVE_HIGH || this.heldBytes > this.maxQueueBytes * RELIEVE_HIGH;
    if (!high) return;
    while (this.heldSpans > this.maxQueueSize * RELIEVE_LOW || this.heldBytes > this.maxQueueBytes * RELIEVE_LOW) {
      if (!this.spillOldest()) return;
    }
  }

  /** Spills one batch: the oldest parked live batch, else the oldest queued spans. False when nothing could be spilled. */
  private spillOldest(): boolean {
    const i = this.parked.findIndex((b) => b.origin === 'live');
    let batch: Batch<P> | undefined;
    if (i >= 0) batch = this.parked.splice(i, 1)[0];
    else if (this.queue.length > 0) batch = this.prepareLive(this.batchSize);
    else return false;
    if (batch === undefined) return true; // preparing failed: the spans were counted and dropped
    if (this.spill(batch)) return true;
    this.parked.splice(Math.max(0, i), 0, batch); // keep it, prepared, for a later attempt
    this.spillBlockedUntil = Date.now() + SPILL_BACKOFF_MILLIS;
    return false;
  }

  /** Writes one live batch to the spool; true when stored (and accounted for). */
  private spill(batch: Batch<P>): boolean {
    if (this.sink.spill === undefined) return false;
    let result: SpillResult;
    let thrown: string | undefined;
    try {
      result = this.sink.spill(batch.payload);
    } catch (err) {
      thrown = toError(err).message;
      result = 'error';
    }
    if (result !== 'stored') {
      let reason: string | undefined;
      if (result === 'error') {
        // The spool's own error: `lastError` holds why delivery failed (the reason for spilling), which
        // says nothing about the disk (a spool path that is a file read "connect ECONNREFUSED").
        reason = thrown ?? this.sinkSpoolError() ?? 'the sink gave no reason';
        this.lastError = `writing the ${this.sink.destination} spool failed: ${reason}`;
      }
      if (this.lastSpillFailure !== result) {
        this.logWarn(
          result === 'full'
            ? `the ${this.sink.destination} spool is full: spans that do not fit in memory are dropped (counted)`
            : `writing the ${this.sink.destination} spool failed (${reason}): spans that do not fit in memory are dropped (counted)`,
        );
      }
      this.lastSpillFailure = result;
      return false;
    }
    this.lastSpillFailure = undefined;
    this.counts.spooled += batch.spans;
    if (!batch.abandoned) this.release(batch);
    return true;
  }

  /** The sink's report of its spool's last failure (`spoolLastError` in its `stats()`, as `FileSpool` gives it). */
  private sinkSpoolError(): string | undefined {
    try {
      const message = this.sink.stats?.()[SPOOL_LAST_ERROR];
      return typeof message === 'string' && message !== '' ? message : undefined;
    } catch {
      return undefined; // a sink's counters are optional
    }
  }

  /**
   * Spools every live batch held: parked ones, the queue, and (when
   * `inFlightToo` and the sink is idempotent) those being written, which are
   * then abandoned (their late result is ignored; a duplicate write is harmless).
   */
  private spillEverything(inFlightToo: boolean): void {
    if (this.sink.spill === undefined) return;
    for (let i = 0; i < this.parked.length; ) {
      const b = this.parked[i] as Batch<P>;
      if (b.origin === 'live' && this.spill(b)) this.parked.splice(i, 1);
      else i++;
    }
    while (this.queue.length > 0) {
      const b = this.prepareLive(this.batchSize);
      if (b === undefined) continue;
      if (!this.spill(b)) {
        this.parked.push(b);
        break;
      }
    }
    if (inFlightToo && this.sink.idempotent) {
      for (const b of this.inFlight) {
        if (b.origin !== 'live' || b.abandoned) continue;
        if (!this.spill(b)) break;
        b.abandoned = true;
      }
    }
  }

  /** Gives spooled batches (parked or in flight) back to the spool, for a later attempt. */
  private releaseSpooled(): void {
    for (let i = 0; i < this.parked.length; ) {
      const b = this.parked[i] as Batch<P>;
      if (b.origin === 'spool') {
        this.parked.splice(i, 1);
        b.spooled?.release();
      } else i++;
    }
    for (const b of this.inFlight) {
      if (b.origin === 'spool' && !b.abandoned) {
        b.abandoned = true;
        b.spooled?.release();
      }
    }
  }

  /** After a final deadline: whatever live spans are still held are lost; count them. */
  private accountLeftovers(reason: DropReason): void {
    let lost = this.queue.length;
    this.queue.take(this.queue.length);
    for (const b of this.parked) if (b.origin === 'live') lost += b.spans;
    this.parked.length = 0;
    for (const b of this.inFlight) {
      if (b.origin === 'live' && !b.abandoned) {
        b.abandoned = true;
        lost += b.spans;
      }
      // A heartbeat still being written says nothing any more about the destination of a stopped processor.
      if (b.origin === 'beats') b.abandoned = true;
    }
    this.drop(lost, reason);
    this.heldSpans = 0;
    this.heldBytes = 0;
  }

  // -------------------------------------------------------------------------
  // Flush
  // -------------------------------------------------------------------------

  /**
   * Delivers what is held until nothing is, or the deadline; then spools
   * what is left (at the deadline, or always when `final`).
   *
   * Converges under a steady producer: once every span accepted before the
   * drain began has left the queue, spans ended meanwhile get
   * {@link FLUSH_FOLLOW_UP_ROUNDS} more rounds and the drain stops waiting,
   * leaving newer spans to normal delivery (or, on the way out, to the
   * exit hook's synchronous spool). Without it, an application ending a
   * span every millisecond kept a flush, and a SIGTERM, waiting out the
   * whole deadline whenever a commit took longer than that.
   */
  private async drain(timeoutMillis: number, final: boolean): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    const failuresAtStart = this.totalFailures;
    /** Push-order number of the last span that must be settled before the drain may stop: accepted before it (or before the current round). */
    let target = this.acceptedSpans;
    let followUps = 0;
    let timedOut = false;
    this.flushing += 1;
    try {
      if (this.state === 'down') {
        if (final) this.retryAt = 0; // one immediate attempt: it may be back
        else this.spillEverything(false); // no waiting out a backoff: make it durable now
      }
      this.pump();
      while (this.heldSpans > 0 && !this.stopped) {
        if (this.settledUpTo(target)) {
          // Everything the round waited for has left; what is held was ended since.
          if (followUps === FLUSH_FOLLOW_UP_ROUNDS) break;
          followUps += 1;
          target = this.acceptedSpans;
        }
        if (this.state === 'down' && this.totalFailures > failuresAtStart && this.sink.spill !== undefined) {
          this.spillEverything(false);
          if (this.heldSpans === 0) break;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          timedOut = true;
          break;
        }
        await this.nextChange(remaining);
        this.pump();
      }
      // A replay being written when shutdown began is let finish within the deadline: handed back
      // mid-write, its segment would be replayed again by the next process though it was written.
      while (final && !timedOut && this.inFlightOf('spool')) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        await this.nextChange(remaining);
      }
    } finally {
      this.flushing -= 1;
    }
    // At the deadline, batches still being written are spooled too when the sink is idempotent (their
    // late result is then ignored): on return every span is written or on disk, as forceFlush promises.
    if (this.heldSpans > 0 && (final || timedOut)) this.spillEverything(true);
  }

  /**
   * Whether every span pushed up to number `seq` has left memory: off the
   * queue, and in no live batch still parked or being written. Which spans,
   * not how many: a slow batch of early spans is waited for even when
   * later ones, ended meanwhile, were written first.
   */
  private settledUpTo(seq: number): boolean {
    if (this.queue.taken < seq) return false;
    for (const b of this.parked) if (b.origin === 'live' && b.firstSeq <= seq) return false;
    for (const b of this.inFlight) if (b.origin === 'live' && !b.abandoned && b.firstSeq <= seq) return false;
    return true;
  }

  /**
   * Whether a batch of heartbeats goes next. Ahead of the queue's spans (under a steady load the queue is
   * never empty: behind it they would starve), but one batch of them in flight at most and never in the last
   * free slot while the queue's spans are due, unless they have waited a whole interval (a slow write of
   * them must not hold the events back); none while a flush waits; while down, only as the probe when
   * nothing else waits.
   */
  private beatsMayGo(now: number): boolean {
    if (this.beats.size === 0 || this.closed || this.flushing > 0 || this.inFlightOf('beats')) return false;
    if (this.state === 'down') return this.queue.length === 0;
    const lastSlot = this.inFlight.size + 1 >= this.concurrency;
    const spansDue = this.queue.length > 0 && (this.queue.length >= this.batchSize || now >= this.queueDueAt);
    return !lastSlot || !spansDue || now - this.beatsDueSince >= this.heartbeatMillis;
  }

  /** Whether a batch of `origin` is being written (and still accounted for here). */
  private inFlightOf(origin: Origin): boolean {
    for (const b of this.inFlight) if (b.origin === origin && !b.abandoned) return true;
    return false;
  }

  /** Resolves at the next settled attempt, at the end of shutdown, or after `millis` (at most a timer's limit: the caller loops). */
  private nextChange(millis: number): Promise<void> {
    return new Promise((resolve) => {
      // Not unref'd: a flush or shutdown in progress keeps the process alive until its deadline (or until
      // shutdown ends, which wakes it). Clamped: `flush(ms)` and `shutdownWithin(ms)` take any number.
      const timer = setTimeout(done, timerMillis(millis));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
      // A retry timer may be due before anything settles.
      if (this.state === 'down' && this.retryAt > Date.now()) {
        const wake = setTimeout(done, Math.min(millis, this.retryAt - Date.now() + 1));
        wake.unref();
      }
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  // -------------------------------------------------------------------------
  // Counting and logging
  // -------------------------------------------------------------------------

  private drop(n: number, reason: DropReason): void {
    if (n <= 0) return;
    this.dropped[reason] += n;
    if (!this.dropsReported.has(reason)) {
      this.dropsReported.add(reason);
      this.logWarn(`dropping ${this.sink.destination} spans (${reason}); every drop is counted in stats().dropped`);
    }
  }

  /** Summarises drops since the last report (at recovery and shutdown); the next drop of each reason is logged again. */
  private reportDrops(): void {
    if (this.dropsReported.size === 0) return;
    const parts = [...this.dropsReported].map((r) => `${r}: ${this.dropped[r]}`);
    this.logWarn(`${this.sink.destination} spans dropped so far: ${parts.join(', ')}`);
    this.dropsReported.clear();
  }

  private guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.lastError = toError(err).message;
      this.internalError(err, what);
      return undefined;
    }
  }

  private internalError(err: unknown, what = 'internal'): void {
    if (this.internalErrorLogged) return;
    this.internalErrorLogged = true;
    diag.error(`agentspan delivery (${this.sink.destination}): ${what} error (logged once)`, err);
  }

  private logWarn(message: string): void {
    try {
      this.logger.warn(`agentspan delivery: ${message}`);
    } catch {
      /* a logger must not break delivery */
    }
  }

  private logInfo(message: string): void {
    try {
      this.logger.info(`agentspan delivery: ${message}`);
    } catch {
      /* a logger must not break delivery */
    }
  }
}
