/**
 * The heartbeat of spans shown while they run: a span its sink takes when it
 * starts (`acceptsAtStart`: a run or a node, for Postgres) is queued again
 * every interval until it ends, so the destination can tell a run that is
 * still going from one whose process died without ending it (killed, out of
 * memory, power lost): the first keeps being seen, the second falls silent.
 *
 * Spans are held weakly: a span the application let go of without ending it
 * (its handle collected) has no process behind it any more that could end it,
 * and must fall silent too, not be kept alive and reported live by the
 * heartbeat itself.
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Most spans a heartbeat follows at once by default; spans started beyond it are not followed (counted). */
export const MAX_FOLLOWED_SPANS = 10_000;

/** Counters of a {@link Heartbeat}. */
export interface HeartbeatStats {
  /** Spans followed now (started, not ended; some may have been collected since the last beat). */
  readonly followed: number;
  /** Spans not followed because {@link MAX_FOLLOWED_SPANS} were followed already. */
  readonly unfollowed: number;
}

/**
 * Calls `beat(span)` for every followed span once per `intervalMillis`, on a
 * timer that never keeps the process alive. `beat` decides what a beat does
 * (queue the span again, or skip it when the queue is busy).
 */
export class Heartbeat {
  private readonly refs = new Set<WeakRef<ReadableSpan>>();
  /** The reference of each followed span, so its end finds it in O(1) without a key string per span. */
  private readonly refOf = new WeakMap<ReadableSpan, WeakRef<ReadableSpan>>();
  private timer: NodeJS.Timeout | undefined;
  private unfollowedCount = 0;

  constructor(
    private readonly intervalMillis: number,
    private readonly beat: (span: ReadableSpan) => void,
    private readonly maxFollowed: number = MAX_FOLLOWED_SPANS,
  ) {}

  /**
   * Follows `span` until {@link unfollow} (its end), its `ended` flag, or its
   * collection. False when `maxFollowed` spans are followed already
   * (counted): the span gets no heartbeat.
   */
  follow(span: ReadableSpan): boolean {
    if (this.refOf.has(span)) return true;
    if (this.refs.size >= this.maxFollowed) {
      this.unfollowedCount += 1;
      return false;
    }
    const ref = new WeakRef(span);
    this.refs.add(ref);
    this.refOf.set(span, ref);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.intervalMillis);
      this.timer.unref();
    }
    return true;
  }

  /** Whether `span` is followed now. */
  follows(span: ReadableSpan): boolean {
    return this.refOf.has(span);
  }

  /** Stops following `span` (it ended). O(1); a span never followed is ignored. */
  unfollow(span: ReadableSpan): void {
    if (this.refs.size === 0) return;
    const ref = this.refOf.get(span);
    if (ref === undefined) return;
    this.refOf.delete(span);
    this.refs.delete(ref);
    if (this.refs.size === 0) this.stopTimer();
  }

  /**
   * Stops the timer and beats no span any more (shutdown). {@link follows}
   * still answers for the spans followed until now: the rows a shutdown
   * still writes or spools for them are rows of beating spans (their
   * process stops beating now, so they must read stale once it is gone).
   */
  stop(): void {
    this.refs.clear();
    this.stopTimer();
  }

  stats(): HeartbeatStats {
    return { followed: this.refs.size, unfollowed: this.unfollowedCount };
  }

  private tick(): void {
    for (const ref of this.refs) {
      const span = ref.deref();
      // `ended` as well as `unfollow`: a span whose end did not reach this processor is no longer running either.
      if (span === undefined || span.ended) {
        this.refs.delete(ref);
        if (span !== undefined) this.refOf.delete(span);
        continue;
      }
      this.beat(span);
    }
    if (this.refs.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
