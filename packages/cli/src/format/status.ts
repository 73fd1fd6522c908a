import { STALE_STATUS } from '@agentspan/exporter-postgres';
import type { Colors } from './colors.js';

/** Statuses that mean it went wrong (runs say `failed`, events say `failed`). */
const FAILED = new Set(['failed', 'error', 'cancelled']);
const PENDING = new Set(['running', 'pending']);

/** Whether a run or event status means failure. */
export function isFailedStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && FAILED.has(status);
}

/** `✓ success`, `✗ failed`, `… running`, `! stale`, coloured when colour is on. */
export function statusMark(status: string | null | undefined, colors: Colors): string {
  if (status === null || status === undefined) return colors.dim('? unknown');
  if (FAILED.has(status)) return colors.red(`✗ ${status}`);
  // A run or node whose row says `running` but whose process fell silent (no heartbeat): most likely died.
  if (status === STALE_STATUS) return colors.yellow(`! ${status}`);
  if (PENDING.has(status)) return colors.yellow(`… ${status}`);
  return colors.green(`✓ ${status}`);
}
