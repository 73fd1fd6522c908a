import { SUCCESS_WORDS } from '@agentspan/semconv';
import { STALE_STATUS } from './liveness.js';

/**
 * How a run's status reads: the one classification the CLI (the `runs`
 * table's mark, `runs --status`, the timeline header, the report) and the
 * Grafana dashboards (`Failed runs`, `Succeeded`, `Runs by status`) share.
 *
 * `workflow_runs.status` holds whatever the application gave (`run.end({ status })`
 * from JavaScript, `agentspan.run.status` over OTLP), not only the four
 * standard values. Read in any (ASCII) case, spaces around ignored: a run succeeded
 * only when it says `success` or a word for it (`SUCCESS_WORDS`: `completed`,
 * `ok`, ...); `cancelled`, `running` and `stale` (read, not stored) are their
 * own; any other word (`error`, `timeout`, `aborted`) reads `failed`, so a
 * made-up status can never count as a success nor drop out of the failures.
 * No status at all (NULL, empty or blank) reads `unknown`: nothing says the
 * run is still going.
 */
export const RunOutcome = {
  SUCCESS: 'success',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  RUNNING: 'running',
  STALE: STALE_STATUS,
  UNKNOWN: 'unknown',
} as const;

/** One of the {@link RunOutcome} values. */
export type RunOutcome = (typeof RunOutcome)[keyof typeof RunOutcome];

/** Statuses that are their own outcome; every other non-empty status reads `failed`. */
const OWN_OUTCOMES: readonly RunOutcome[] = [RunOutcome.SUCCESS, RunOutcome.FAILED, RunOutcome.CANCELLED, RunOutcome.RUNNING, RunOutcome.STALE];

/** Other words senders use for a run that succeeded (lower case): `@agentspan/semconv`'s, shared with events. */
export { SUCCESS_WORDS };

/** The outcome of a run whose status (stored, or `stale` as read) is `status`. */
export function runOutcome(status: string | null | undefined): RunOutcome {
  const s = asciiLower((status ?? '').replace(/^ +| +$/g, ''));
  if (s === '') return RunOutcome.UNKNOWN;
  if (SUCCESS_WORDS.includes(s)) return RunOutcome.SUCCESS;
  return OWN_OUTCOMES.find((o) => o === s) ?? RunOutcome.FAILED;
}

/**
 * {@link runOutcome} in SQL, of a status expression (such as
 * `effectiveStatusSql('w')`). A simple `CASE` evaluates the expression once.
 */
export function runOutcomeSql(status: string): string {
  const own = OWN_OUTCOMES.map((o) => `WHEN '${o}' THEN '${o}'`).join(' ');
  const success = SUCCESS_WORDS.map((w) => `WHEN '${w}' THEN '${RunOutcome.SUCCESS}'`).join(' ');
  return `(CASE ${statusWordSql(status)} WHEN '' THEN '${RunOutcome.UNKNOWN}' ${own} ${success} ELSE '${RunOutcome.FAILED}' END)`;
}

/**
 * A status expression as the outcome rules read it, in SQL: spaces trimmed and ASCII letters lowered,
 * exactly as {@link runOutcome} does (`lower()` would follow the collation); NULL reads `''`.
 */
export function statusWordSql(status: string): string {
  return `translate(btrim(coalesce(${status}, ''), ' '), '${UPPER}', '${LOWER}')`;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** ASCII letters lowered, nothing else: the same in JavaScript and in SQL whatever the collation. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
