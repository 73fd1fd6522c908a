import { diag } from '@opentelemetry/api';

/**
 * Runs `fn` and returns its result, or `fallback` when it throws: recording
 * must never throw into the host application. The failure is logged through
 * `diag` once per call site name, not per call, so a broken input pattern
 * cannot flood the log.
 */
const reported = new Set<string>();

export function guarded<T>(site: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    reportFailure(site, err);
    return fallback;
  }
}

/**
 * The logging half of {@link guarded}, for the per-event record methods,
 * which catch inline: a closure per call is garbage on the hot path.
 */
export function reportFailure(site: string, err: unknown): void {
  if (!reported.has(site)) {
    reported.add(site);
    diag.warn(`agentspan: ${site} failed and was skipped (further failures here are not logged)`, err);
  }
}
