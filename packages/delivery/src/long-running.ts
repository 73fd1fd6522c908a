/**
 * Spans that become worth showing while they run once they have run long
 * enough: an agent call, code execution or tool call (for Postgres) whose
 * row would otherwise appear only at its end, so a process killed during a
 * long one left no trace of it. Most events last microseconds (recorded
 * after the fact, or begun and ended at once); they are added here at their
 * start and removed at their end, and nothing else happens to them: pushed
 * onto a short stack of spans just started and popped off it (no other span
 * started in between), or, once the stack is full or a sweep comes, moved
 * into a Set and deleted from it. A sweep every half threshold hands on the
 * spans still running past the threshold and lets go of them.
 *
 * Held strongly, but at most {@link MAX_WATCHED_SPANS} and each for at most
 * one threshold and a half: a span handed on is followed weakly from then on
 * (the heartbeat), and one the application let go of without ending it is
 * released by the next sweep whatever it did.
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Most spans watched at once; spans started beyond it are not watched (counted). */
export const MAX_WATCHED_SPANS = 10_000;
/**
 * Most spans shown while running at once (followed by their own heartbeat,
 * apart from runs and nodes); beyond it a long span is written at its end
 * only (counted). A round of beats of an event row costs about three times
 * a node's: 1000 of them take about a tenth of a second to write.
 */
export const MAX_SHOWN_RUNNING = 1000;

/** Counters of a {@link LongRunning}. */
export interface LongRunningStats {
  /** Spans watched now (started, not ended, not handed on yet). */
  readonly watched: number;
  /** Spans not watched because {@link MAX_WATCHED_SPANS} were watched already. */
  readonly unwatched: number;
}

/** Milliseconds since the epoch of a span's start (OTel `HrTime`: seconds, nanoseconds). */
function startMillis(span: ReadableSpan): number {
  const [s, ns] = span.startTime;
  return s * 1000 + ns / 1e6;
}

/**
 * Spans just started, held on a stack before the Set: enough for the events
 * an application begins inside one another (a tool call in an agent call),
 * few enough that finding one that ends out of order is a short scan.
 */
const RECENT_MAX = 32;

/**
 * Calls `due(span)` once for every watched span still running
 * `afterMillis` after its start (measured from the span's own start time,
 * so an event begun with an earlier `startTime` is due at the next sweep),
 * on a timer that never keeps the process alive and runs only while spans
 * are watched.
 */
export class LongRunning {
  /** Watched spans that started before those of `recent`, in the order they started. */
  private readonly watched = new Set<ReadableSpan>();
  /**
   * Watched spans started last, oldest first: a span that ends before another starts is popped off
   * (a push and a pop instead of a Set insertion and deletion, per event); moved into `watched`, in
   * order, when full and at every sweep. Together with `watched`: what the Set alone held.
   */
  private readonly recent: ReadableSpan[] = [];
  /**
   * While a sweep walks `watched`: spans started then (from `due`, which runs the application's
   * `prepareRunning`) go straight into the Set, as with the Set alone, so the sweep under way visits them
   * and does not stop the timer while they are watched.
   */
  private sweeping = false;
  private timer: NodeJS.Timeout | undefined;
  private unwatchedCount = 0;
  private readonly sweepMillis: number;

  constructor(
    private readonly afterMillis: number,
    private readonly due: (span: ReadableSpan) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepMillis = Math.max(1, Math.ceil(afterMillis / 2));
  }

  /** Watches `span` from its start. False when {@link MAX_WATCHED_SPANS} are watched already (counted). */
  watch(span: ReadableSpan): boolean {
    if (this.watched.size + this.recent.length >= MAX_WATCHED_SPANS) {
      this.unwatchedCount += 1;
      return false;
    }
    // A span watched already is left as it is, as a Set's insertion leaves it (not held twice).
    if (this.recent.includes(span) || (this.watched.size !== 0 && this.watched.has(span))) return true;
    if (this.sweeping) this.watched.add(span);
    else {
      if (this.recent.length === RECENT_MAX) this.settleRecent();
      this.recent.push(span);
    }
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.sweepMillis);
      this.timer.unref();
    }
    return true;
  }

  /** Stops watching `span` (it ended). O(1) for the span started last; a span not watched is ignored. */
  unwatch(span: ReadableSpan): void {
    const recent = this.recent;
    const last = recent.length - 1;
    if (last >= 0) {
      if (recent[last] === span) {
        recent.pop();
        return;
      }
      const at = recent.lastIndexOf(span, last - 1);
      if (at >= 0) {
        recent.splice(at, 1);
        return;
      }
    }
    if (this.watched.size !== 0) this.watched.delete(span);
  }

  /** Watches nothing any more (shutdown). */
  stop(): void {
    this.recent.length = 0;
    this.watched.clear();
    this.stopTimer();
  }

  stats(): LongRunningStats {
    return { watched: this.watched.size + this.recent.length, unwatched: this.unwatchedCount };
  }

  /** Moves the spans just started into the Set, after those there (the order they started in). */
  private settleRecent(): void {
    for (const span of this.recent) this.watched.add(span);
    this.recent.length = 0;
  }

  /** Hands on the spans due, lets go of the ended ones; exported for tests through {@link sweepNow}. */
  private sweep(): void {
    this.settleRecent();
    const cutoff = this.now() - this.afterMillis;
    const nested = this.sweeping; // a sweep run from `due` (sweepNow) leaves the outer one sweeping
    this.sweeping = true;
    try {
      for (const span of this.watched) {
        if (span.ended) {
          // Its end did not reach this processor (another processor threw first): nothing to show.
          this.watched.delete(span);
        } else if (startMillis(span) <= cutoff) {
          this.watched.delete(span);
          this.due(span);
        }
      }
    } finally {
      this.sweeping = nested;
    }
    if (this.watched.size === 0 && this.recent.length === 0) this.stopTimer();
  }

  /** Runs a sweep now (tests: no waiting for the timer). */
  sweepNow(): void {
    this.sweep();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
