/**
 * ROLLBACK with a bound. A ROLLBACK costs the server next to nothing (Postgres
 * undoes nothing, it marks the transaction aborted), so one that has not
 * answered within {@link ROLLBACK_TIMEOUT_MS} meets a server or link that has
 * stopped answering. Nothing else bounds it on a pool the application lent
 * (our client-side query timeout is set on our own pool only): the write,
 * and the application's connection with it, would wait for ever, and so
 * would the exporter's shutdown and the application's `pool.end()`.
 */

import type pg from 'pg';
import { toError } from './pg-errors.js';

/**
 * How long a ROLLBACK may take before its connection is cut and discarded:
 * as long as an aborted statement gets to stop (`ABORT_GRACE_MS`), so an
 * abandoned write settles within about 4 s of its abort (the statement's
 * grace, then the ROLLBACK's), inside the 5 s shutdown deadline.
 */
export const ROLLBACK_TIMEOUT_MS = 2000;

/** The ROLLBACK did not answer within its bound; its connection was cut. */
export class RollbackTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`agentspan exporter-postgres: ROLLBACK did not answer within ${timeoutMs} ms; the connection was cut`);
    this.name = 'RollbackTimeoutError';
  }
}

/**
 * Sends ROLLBACK on `client`. Resolves `undefined` once it is done, the
 * error when it fails, or a {@link RollbackTimeoutError} after `timeoutMs`,
 * having cut the connection's socket (the ROLLBACK then fails, and the
 * connection must be released with an error: discarded). Never rejects.
 */
export async function rollbackWithin(client: pg.ClientBase, timeoutMs: number = ROLLBACK_TIMEOUT_MS): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
    timer.unref();
  });
  const done = client.query('ROLLBACK').then(
    () => undefined,
    (err: unknown) => toError(err),
  );
  const outcome = await Promise.race([done, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome;
  try {
    // The socket, not end(): end() waits for the server, which is what does not answer.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  } catch {
    /* already gone */
  }
  return new RollbackTimeoutError(timeoutMs);
}
