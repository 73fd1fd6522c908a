/**
 * The longest delay a Node timer takes. `setTimeout` with a longer one (or
 * `Infinity`) fires after 1 ms instead, with a `TimeoutOverflowWarning` on
 * the application's stderr: a deadline meant as "very long" becomes "now".
 * Every timer agentspan computes from a user's option goes through
 * {@link timerMillis}.
 *
 * Defined here rather than imported from `@agentspan/delivery`: the worker
 * recorder needs it too, and must not load the delivery pipeline.
 */

/** 2^31 − 1 ms, about 24.8 days. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/**
 * `millis` as a timer can take it: at most {@link MAX_TIMER_MILLIS} (a
 * longer deadline, `Infinity` included, waits that long: in practice no
 * deadline), 0 for a negative one or `NaN`.
 */
export function timerMillis(millis: number): number {
  if (!(millis > 0)) return 0;
  return Math.min(millis, MAX_TIMER_MILLIS);
}
