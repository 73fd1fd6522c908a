import { STALE_STATUS } from '@agentspan/exporter-postgres';
import { eventStatusFailed } from '@agentspan/semconv';
import { RunOutcome, runOutcome } from '@agentspan/exporter-postgres';
import type { Colors } from './colors.js';

/** Statuses of nodes (and events) that say it has not ended yet: no outcome. */
const PENDING = new Set(['running', 'pending']);

/**
 * Whether an event's or a node's status says it failed, as `@agentspan/semconv`'s
 * `eventStatusFailed` (and the outcomes view's `succeeded`) reads it: any word but
 * those for success (`completed`, `success`, `ok`, ... in any ASCII case, spaces
 * around ignored), `running`, `pending`, `skipped` and none at all. `failed`,
 * `error`, `timeout`, `cancelled` say failure. `stale` (a row in progress whose
 * process fell silent, as read) is no outcome yet, and no status is unknown.
 */
export function statusSaysFailure(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && status !== STALE_STATUS && eventStatusFailed(status);
}

/**
 * Whether an event failed: it has ended, and its status says failure
 * (`eventStatusFailed`, as the outcomes view's `succeeded` reads it) or it carries
 * the error flag (`meta.has_error`: a non-zero exit code, a tool error, also under
 * status `completed`). What the event is (its type, its name) never decides it: an
 * application's own type `retry_failed_attempts` that completed is no failure. An
 * event in progress has no outcome yet (a reader's `stale` is one of those); a
 * stored `stale` on an event that ended is a word like any other, no success, as
 * `runs` counts it. The timeline's marks, the report and `runs` read it so.
 */
export function eventFailed(event: { status: string; hasError: boolean; inProgress: boolean }): boolean {
  return !event.inProgress && (event.hasError || eventStatusFailed(event.status));
}

/**
 * An event's or a node's status with its mark, coloured when colour is on: `✗ failed` (or any
 * status that says failure, {@link statusSaysFailure}: `✗ error`, `✗ timeout`), `! stale`,
 * `… running`, `… pending`, `✓ completed` (and any other word for no failure), `? unknown`.
 */
export function statusMark(status: string | null | undefined, colors: Colors): string {
  if (status === null || status === undefined) return colors.dim('? unknown');
  if (statusSaysFailure(status)) return colors.red(`✗ ${status}`);
  // A run or node whose row says `running` but whose process fell silent (no heartbeat): most likely died.
  if (status === STALE_STATUS) return colors.yellow(`! ${status}`);
  if (PENDING.has(status)) return colors.yellow(`… ${status}`);
  return colors.green(`✓ ${status}`);
}

/**
 * A run's status with the mark of its {@link runOutcome}: `✓ success`, `✗ failed`, `✗ error` (any
 * status but the standard ones reads failed, shown as stored), `✗ cancelled`, `… running`,
 * `! stale`, `? unknown` (no status), coloured when colour is on.
 */
export function runStatusMark(status: string | null | undefined, colors: Colors): string {
  switch (runOutcome(status)) {
    case RunOutcome.UNKNOWN:
      return colors.dim(`? ${RunOutcome.UNKNOWN}`);
    case RunOutcome.SUCCESS:
      return colors.green(`✓ ${status}`);
    case RunOutcome.RUNNING:
      return colors.yellow(`… ${status}`);
    case RunOutcome.STALE:
      return colors.yellow(`! ${status}`);
    default:
      return colors.red(`✗ ${status}`);
  }
}

/**
 * The one-character mark of an event line: `✗` failed ({@link eventFailed}: its status says so,
 * or an error flag: a non-zero exit code, a tool error), `…` still running, `!` stale (running,
 * its process silent), `✓` ended otherwise. An event in progress has no outcome yet: never `✓`.
 * Whether it is in progress is its row's (`inProgress`), not its stored status: an event that
 * ended may say `running` of itself.
 */
export function eventMark(event: { status: string; hasError: boolean; inProgress: boolean }, colors: Colors): string {
  if (eventFailed(event)) return colors.red('✗');
  if (!event.inProgress) return colors.green('✓');
  return event.status === STALE_STATUS ? colors.yellow('!') : colors.yellow('…');
}
