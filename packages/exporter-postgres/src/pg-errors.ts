/** Classification of errors from `pg` (pure; no I/O). */

import pg from 'pg';
import { MigrationError } from './migration-error.js';
import { WriteAbortedError } from './abortable-client.js';

/** `err` as an Error (wrapping anything else that was thrown). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The SQLSTATE of a server error (also one a {@link MigrationError} wraps), else undefined. */
export function sqlState(err: unknown): string | undefined {
  if (err instanceof MigrationError) return sqlState(err.cause);
  return err instanceof pg.DatabaseError && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * True when the connection that produced `err` should be discarded rather
 * than returned to the pool: anything that is not a server error (socket
 * errors, timeouts, protocol errors), and server errors of class 08
 * (connection exception) or 57P (the server is going away). Not a
 * {@link WriteAbortedError}.
 */
export function isConnectionError(err: unknown): boolean {
  // An abandoned write stopped between statements (see `abortable-client.ts`): its connection is sound.
  if (err instanceof RowSerializationError || err instanceof WriteAbortedError) return false;
  const code = sqlState(err);
  if (code === undefined) return true;
  return code.startsWith('08') || code.startsWith('57P');
}

/**
 * True when the role lacks a privilege the statement needs (42501
 * insufficient_privilege: no CREATE on the database or schema, not the
 * owner of a table or view). Retrying as the same role will not help.
 */
export function isPrivilegeError(err: unknown): boolean {
  return sqlState(err) === '42501';
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

/**
 * What to do about an error from a write:
 * - `transient`: the connection or the server failed (class 08, 57P, 53
 *   insufficient resources, 57014 statement timeout, 58 system error, and
 *   anything that is not a server error); retry the batch later.
 * - `concurrency`: another transaction got in the way; retry at once.
 * - `row`: a value was refused (class 22 data exception, 23 integrity
 *   violations other than a unique race, 54 program limit such as a value
 *   too large, or {@link RowSerializationError}); the batch must be split to
 *   find the row.
 * - `schema`: a table or schema is missing (42P01, 3F000, 42703); run the
 *   migrations again, then retry.
 * - `server`: any other server error (permissions, configuration, ...);
 *   retry later, it may be fixed meanwhile.
 */
export type WriteErrorClass = 'transient' | 'concurrency' | 'row' | 'schema' | 'server';

/** A row could not be turned into query parameters (e.g. a string too long for `JSON.stringify`). */
export class RowSerializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RowSerializationError';
  }
}

/** Classifies an error thrown by a write (pure). */
export function classifyWriteError(err: unknown): WriteErrorClass {
  if (err instanceof RowSerializationError) return 'row';
  const code = sqlState(err);
  if (code === undefined) return 'transient';
  if (isConcurrencyError(err)) return 'concurrency';
  if (code === '42P01' || code === '3F000' || code === '42703') return 'schema';
  if (code.startsWith('22') || code.startsWith('23') || code.startsWith('54')) return 'row';
  if (code.startsWith('08') || code.startsWith('57') || code.startsWith('53') || code.startsWith('58')) return 'transient';
  return 'server';
}

/** Something that hands out pooled clients (a `pg.Pool`). */
type PoolLike = { connect(): Promise<import('pg').PoolClient> };

/**
 * `pool` with an `'error'` listener on every client while it is checked
 * out. node-postgres emits `'error'` on a checked-out client whose socket
 * dies; without a listener that event is an uncaught exception that would
 * crash the host application. The query in progress still fails with the
 * error, which is what the writer acts on.
 */
export function guardCheckedOutClients<P extends PoolLike>(pool: P): PoolLike {
  return {
    async connect() {
      const client = await pool.connect();
      const onError = (): void => {
        /* reported by the failing query */
      };
      client.on('error', onError);
      const release = client.release;
      client.release = (err?: Error | boolean) => {
        client.removeListener('error', onError);
        // Late 'error' events of a client being destroyed must not crash the host either.
        if (err) client.on('error', onError);
        return release.call(client, err);
      };
      return client;
    },
  };
}
