/**
 * Spans that become worth showing while they run once they have run long
 * enough: an agent call, code execution or tool call (for Postgres) whose
 * row would otherwise appear only at its end, so a process killed during a
 * long one left no trace of it. Most events last microseconds (recorded
 * after the fact, or begun and ended at once); they are added here at their
 * start and removed at their end, a Set insertion and deletion, and nothing
 * else happens to them. A sweep every half threshold hands on the spans
 * still running past the threshold and lets go of them.
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
 * Calls `due(span)` once for every watched span still running
 * `afterMillis` after its start (measured from the span's own start time,
 * so an event begun with an earlier `startTime` is due at the next sweep),
 * on a timer that never keeps the process alive and runs only while spans
 * are watched.
 */
export class LongRunning {
  private readonly watched = new Set<ReadableSpan>();
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
    if (this.watched.size >= MAX_WATCHED_SPANS) {
      this.unwatchedCount += 1;
      return false;
    }
    this.watched.add(span);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.sweepMillis);
      this.timer.unref();
    }
    return true;
  }

  /** Stops watching `span` (it ended). O(1); a span not watched is ignored. */
  unwatch(span: ReadableSpan): void {
    if (this.watched.size !== 0) this.watched.delete(span);
  }

  /** Watches nothing any more (shutdown). */
  stop(): void {
    this.watched.clear();
    this.stopTimer();
  }

  stats(): LongRunningStats {
    return { watched: this.watched.size, unwatched: this.unwatchedCount };
  }

  /** Hands on the spans due, lets go of the ended ones; exported for tests through {@link sweepNow}. */
  private sweep(): void {
    const cutoff = this.now() - this.afterMillis;
    for (const span of this.watched) {
      if (span.ended) {
        // Its end did not reach this processor (another processor threw first): nothing to show.
        this.watched.delete(span);
      } else if (startMillis(span) <= cutoff) {
        this.watched.delete(span);
        this.due(span);
      }
    }
    if (this.watched.size === 0) this.stopTimer();
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
