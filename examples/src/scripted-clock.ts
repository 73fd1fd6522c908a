/**
 * Simulated time for scripted workflows. A scripted agent answers at once,
 * so without this every span would last a few microseconds and the latency
 * panels and trace timelines would show nothing. The clock starts in the
 * past (`budgetMs` ago) and advances by the duration an event would have
 * taken with a real model, so a run keeps its order, has realistic
 * durations, and ends before "now" (as long as the script stays within the
 * budget), which keeps it inside a dashboard's time range ending at now.
 */
export interface ScriptedClock {
  /** The current simulated time, ms since the epoch. */
  now(): number;
  /** Reserves `ms` from now on: `{ startTime, endTime }` for one event; the clock moves to its end. */
  span(ms: number): { startTime: number; endTime: number };
  /** Moves the clock forward without recording anything (a pause between events). */
  advance(ms: number): number;
}

/** A clock starting `budgetMs` before the real now. */
export function scriptedClock(budgetMs: number, realNow: number = Date.now()): ScriptedClock {
  let t = realNow - budgetMs;
  return {
    now: () => t,
    span(ms) {
      const startTime = t;
      t += Math.max(0, ms);
      return { startTime, endTime: t };
    },
    advance(ms) {
      t += Math.max(0, ms);
      return t;
    },
  };
}

/**
 * How long a model would take to write `text`: a fixed latency plus a rate
 * per character, so longer messages take longer. Deterministic.
 */
export function modelLatencyMs(text: string): number {
  return 700 + Math.min(6_000, text.length * 6);
}
