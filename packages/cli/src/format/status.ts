import type { Colors } from './colors.js';

/** Statuses that mean it went wrong (runs say `failed`, events say `failed`). */
const FAILED = new Set(['failed', 'error', 'cancelled']);
const PENDING = new Set(['running', 'pending']);

/** Whether a run or event status means failure. */
export function isFailedStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && FAILED.has(status);
}

/** `✓ success`, `✗ failed`, `… running`, coloured when colour is on. */
export function statusMark(status: string | null | undefined, colors: Colors): string {
  if (status === null || status === undefined) return colors.dim('? unknown');
  if (FAILED.has(status)) return colors.red(`✗ ${status}`);
  if (PENDING.has(status)) return colors.yellow(`… ${status}`);
  return colors.green(`✓ ${status}`);
}
