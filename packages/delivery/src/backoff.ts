/** Retry delays (pure). */

/**
 * Delay before retry number `failures` (1 = after the first failure):
 * `initial * 2^(failures-1)`, capped at `max`, then scaled by a random
 * factor in [0.5, 1) ("equal jitter"), so that many processes restarted by
 * the same outage do not retry in lock-step, while the delay still grows.
 */
export function backoffDelay(failures: number, initial: number, max: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  // 2^(n-1) overflows to Infinity for large n; the cap keeps it finite.
  const exp = Math.min(max, initial * 2 ** Math.min(n - 1, 52));
  const r = random();
  const factor = 0.5 + 0.5 * (Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5);
  return Math.max(0, Math.round(exp * factor));
}
