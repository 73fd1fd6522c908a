/**
 * The Postgres protocol's CancelRequest: asks the server to cancel what one
 * backend is running, over a short connection of its own (what psql sends
 * on Ctrl-C). node-postgres has no per-query cancel; `pg_cancel_backend`
 * would need a second pooled connection (the pool may be full: that is
 * often why a write is late) and a role allowed to signal the backend. A
 * CancelRequest needs neither: no login, no pool slot, only the backend's
 * process id and secret key, which the server gave the client at connect.
 */

import { connect } from 'node:net';

/** What a cancel needs to know about a connected node-postgres client (not part of its typed API). */
interface CancelTarget {
  readonly processID?: unknown;
  readonly secretKey?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
}

/** CancelRequest code (1234 << 16 | 5678), protocol 3.0. */
const CANCEL_REQUEST_CODE = 80877102;

/** The 16 bytes of a CancelRequest for backend `processId` with key `secretKey`. */
export function cancelRequestMessage(processId: number, secretKey: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  b.writeInt32BE(processId | 0, 8);
  b.writeInt32BE(secretKey | 0, 12);
  return b;
}

/**
 * Sends a CancelRequest for the backend of `client` (a connected
 * node-postgres `Client`; a socket directory as `host` is followed to its
 * `.s.PGSQL.<port>` socket). Resolves `true` once the server has closed the
 * cancel connection (it has signalled the backend by then), `false` when the
 * client cannot be cancelled this way (no key: `pg-native`, not connected)
 * or nothing happened within `timeoutMs`. Never rejects.
 *
 * The server cancels whatever the backend runs when the signal arrives, or
 * ignores it when the backend is idle: the caller sends no other statement
 * on that connection until this resolves (see `abortable-client.ts`).
 */
export function sendCancelRequest(client: object, timeoutMs: number): Promise<boolean> {
  const t = client as CancelTarget;
  const { processID, secretKey, host, port } = t;
  if (typeof processID !== 'number' || typeof secretKey !== 'number' || typeof host !== 'string') return Promise.resolve(false);
  const portNumber = typeof port === 'number' ? port : Number(port ?? 5432);
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${portNumber}`) : connect(portNumber, host);
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    socket.unref();
    socket.once('connect', () => socket.end(cancelRequestMessage(processID, secretKey)));
    socket.on('data', () => {}); // the server answers nothing; read anyway so 'close' comes
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(true));
  });
}
