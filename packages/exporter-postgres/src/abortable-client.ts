/**
 * A write attempt that stops when its `AbortSignal` is aborted (the delivery
 * pipeline gives up on an attempt after `exportTimeoutMillis` and retries the
 * batch beside it: see `PostgresSink.deliver`). It starts no further step
 * (transaction, chunk, fill, statement); the statement it is running is
 * cancelled on the server; the transaction is rolled back and the
 * connection given back, or discarded when a cancel request was sent on it
 * (see {@link AbortableStatements.cancelSent}). A COMMIT already sent is
 * never cancelled: the attempt lets it finish (either outcome is covered by
 * the retry, the writes being idempotent).
 */

import type pg from 'pg';
import { onAbort } from './abort-listeners.js';
import { sendCancelRequest } from './cancel-request.js';

/** Thrown by a write whose signal was aborted; `cause` is the signal's reason. Never a row's fault. */
export class WriteAbortedError extends Error {
  constructor(signal: AbortSignal) {
    const reason: unknown = signal.reason;
    super(`agentspan exporter-postgres: write abandoned${reason instanceof Error ? `: ${reason.message}` : ''}`, { cause: reason });
    this.name = 'WriteAbortedError';
  }
}

/** Throws {@link WriteAbortedError} when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new WriteAbortedError(signal);
}

/**
 * `work`, or a {@link WriteAbortedError} as soon as `signal` is aborted,
 * whichever comes first. `work` goes on (it is shared, like a migration, or
 * cleans up after itself); its outcome is then ignored.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new WriteAbortedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    // Through onAbort: one listener on the signal however many writes wait on it.
    const unsubscribe = onAbort(signal, () => reject(new WriteAbortedError(signal)));
    work.then(
      (v) => {
        unsubscribe();
        resolve(v);
      },
      (err: unknown) => {
        unsubscribe();
        reject(err);
      },
    );
  });
}

/** Something that hands out pooled clients (a `pg.Pool`). */
interface ClientPool {
  connect(): Promise<pg.PoolClient>;
}

/**
 * A client from `pool`, unless `signal` is aborted first: then rejects at
 * once, and a client that comes later is given straight back.
 */
export function connectUnlessAborted(pool: ClientPool, signal: AbortSignal | undefined): Promise<pg.PoolClient> {
  throwIfAborted(signal);
  const connecting = pool.connect();
  if (signal === undefined) return connecting;
  return untilAborted(connecting, signal).catch((err: unknown) => {
    if (err instanceof WriteAbortedError) {
      connecting.then(
        (client) => client.release(),
        () => {},
      );
    }
    throw err;
  });
}

/** How long an aborted statement may take to stop after its cancel before its connection is cut. */
export const ABORT_GRACE_MS = 2000;
/** How long a cancel request may take (it opens a connection of its own). */
const CANCEL_TIMEOUT_MS = 1000;

/** A node-postgres "submittable" query (our `COPY`): settles through its `callback`. */
interface Submittable {
  submit(connection: unknown): void;
  callback?: (err: Error | null | undefined, res?: unknown) => void;
}

function isSubmittable(q: unknown): q is Submittable {
  return typeof q === 'object' && q !== null && typeof (q as { submit?: unknown }).submit === 'function';
}

/**
 * The statements of one transaction on `raw`, bound to `signal`. Statements
 * go through {@link client}: once the signal is aborted it refuses to start
 * one, and the one in flight is cancelled (a CancelRequest, see
 * `cancel-request.ts`); if it has not stopped {@link ABORT_GRACE_MS} later
 * (a server that answers nothing), the connection's socket is cut, which
 * fails it. COMMIT and ROLLBACK are sent on `raw`, never through it: they
 * are never cancelled.
 */
export class AbortableStatements {
  /** Runs statements as `raw` does, unless the signal is aborted. Exposes `raw`'s protocol connection (for COPY). */
  readonly client: pg.ClientBase;
  private inFlight = 0;
  private cancelling: Promise<unknown> | undefined;
  private grace: NodeJS.Timeout | undefined;
  /** The socket was cut at the end of the grace: the connection must be discarded. */
  cut = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly raw: pg.PoolClient,
    private readonly signal: AbortSignal,
    private readonly graceMs: number = ABORT_GRACE_MS,
  ) {
    const query = (config: unknown, ...rest: unknown[]): unknown => this.query(config, rest);
    this.client = {
      query,
      get connection(): unknown {
        return (raw as unknown as { connection?: unknown }).connection;
      },
    } as unknown as pg.ClientBase;
    this.unsubscribe = onAbort(signal, this.stopStatement);
  }

  /** Whether the signal was aborted. */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** The error a write that stopped for the signal rejects with. */
  abortError(): WriteAbortedError {
    return new WriteAbortedError(this.signal);
  }

  private query(config: unknown, rest: unknown[]): unknown {
    if (this.signal.aborted) {
      // A submittable (COPY) is run inside a Promise executor: a throw rejects it.
      if (isSubmittable(config)) throw this.abortError();
      return Promise.reject(this.abortError());
    }
    const run = this.raw.query.bind(this.raw) as (...args: unknown[]) => unknown;
    this.inFlight++;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
    };
    if (isSubmittable(config)) {
      const callback = config.callback;
      config.callback = (err, res) => {
        settle();
        callback?.(err, res);
      };
      return run(config, ...rest);
    }
    const result = run(config, ...rest) as Promise<unknown>;
    result.then(settle, settle);
    return result;
  }

  private readonly stopStatement = (): void => {
    if (this.inFlight === 0) return; // the next statement is refused; nothing to stop on the server
    this.cancelling = sendCancelRequest(this.raw, CANCEL_TIMEOUT_MS);
    this.grace = setTimeout(() => {
      if (this.inFlight === 0) return;
      this.cut = true;
      try {
        // The socket, not end(): end() waits for the server, which is what does not answer.
        (this.raw as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      } catch {
        /* already gone */
      }
    }, this.graceMs);
    this.grace.unref();
  };

  /**
   * Resolves once a cancel request sent for the signal has reached the
   * server (or given up): only then may ROLLBACK be sent, so that the
   * cancel cannot land on it instead (it would fail, and the connection be
   * discarded: still safe, only wasteful).
   */
  async cancelSettled(): Promise<void> {
    await this.cancelling;
  }

  /**
   * Whether a cancel request was started for this connection's backend. Nothing
   * tells when the server applies it: the cancel connection closing proves
   * nothing behind a proxy or pooler (which may close it at once), and one
   * that timed out may still arrive. Such a connection must not go back to
   * the pool, where the late cancel would stop another statement, perhaps
   * the application's own on a pool it lent us.
   */
  get cancelSent(): boolean {
    return this.cancelling !== undefined;
  }

  /** Stops listening to the signal (before COMMIT: a COMMIT is never cancelled) and clears the grace timer. */
  dispose(): void {
    this.unsubscribe();
    if (this.grace !== undefined) clearTimeout(this.grace);
  }
}
