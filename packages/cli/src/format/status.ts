import { STALE_STATUS } from '@agentspan/exporter-postgres';
import { RunOutcome, runOutcome } from '@agentspan/exporter-postgres';
import type { Colors } from './colors.js';

/** Statuses of events and nodes that mean it went wrong (events say `failed`). */
const FAILED = new Set(['failed', 'error', 'cancelled']);
const PENDING = new Set(['running', 'pending']);

/** Whether a run or event status means failure. */
export function isFailedStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && FAILED.has(status);
}

/** An event's or a node's `✓ completed`, `✗ failed`, `… running`, `! stale`, coloured when colour is on. */
export function statusMark(status: string | null | undefined, colors: Colors): string {
  if (status === null || status === undefined) return colors.dim('? unknown');
  if (FAILED.has(status)) return colors.red(`✗ ${status}`);
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
 * The one-character mark of an event line: `✗` failed (or an error flag: a non-zero exit code, a
 * tool error), `…` still running, `!` stale (running, its process silent), `✓` ended otherwise.
 * An event in progress has no outcome yet: never `✓`. Whether it is in progress is its row's
 * (`inProgress`), not its stored status: an event that ended may say `running` of itself.
 */
export function eventMark(event: { status: string; hasError: boolean; inProgress: boolean }, colors: Colors): string {
  if (isFailedStatus(event.status) || event.hasError) return colors.red('✗');
  if (!event.inProgress) return colors.green('✓');
  return event.status === STALE_STATUS ? colors.yellow('!') : colors.yellow('…');
}
