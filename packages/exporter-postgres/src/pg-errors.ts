/** Classification of errors from `pg` (pure; no I/O). */

import pg from 'pg';

/** `err` as an Error (wrapping anything else that was thrown). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The SQLSTATE of a server error, else undefined. */
export function sqlState(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * True when the connection that produced `err` should be discarded rather
 * than returned to the pool: anything that is not a server error (socket
 * errors, timeouts, protocol errors), and server errors of class 08
 * (connection exception) or 57P (the server is going away).
 */
export function isConnectionError(err: unknown): boolean {
  const code = sqlState(err);
  if (code === undefined) return true;
  return code.startsWith('08') || code.startsWith('57P');
}

/**
 * True for errors a transaction may hit only because another one ran at the
 * same time, and which a retry of the whole transaction resolves: unique
 * violations raised by a concurrent insert of the same row into a
 * non-arbiter index (23505), deadlocks (40P01), serialization failures (40001).
 */
export function isConcurrencyError(err: unknown): boolean {
  const code = sqlState(err);
  return code === '23505' || code === '40P01' || code === '40001';
}
