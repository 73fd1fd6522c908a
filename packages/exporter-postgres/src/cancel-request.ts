/**
 * The Postgres protocol's CancelRequest: asks the server to cancel what one
 * backend is running, over a short connection of its own (what psql sends
 * on Ctrl-C). node-postgres has no per-query cancel; `pg_cancel_backend`
 * would need a second pooled connection (the pool may be full: that is
 * often why a write is late) and a role allowed to signal the backend. A
 * CancelRequest needs neither: no login, no pool slot, only the backend's
 * process id and secret key, which the server gave the client at connect.
 */

import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** What a cancel needs to know about a connected node-postgres client (not part of its typed API). */
interface CancelTarget {
  readonly processID?: unknown;
  readonly secretKey?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
  /** node-postgres' `ssl` as the client resolved it: `false`, `true` or TLS options. */
  readonly ssl?: unknown;
  /** `'direct'`: TLS from the first byte (Postgres 17), no SSLRequest. */
  readonly sslNegotiation?: unknown;
}

/** CancelRequest code (1234 << 16 | 5678), protocol 3.0. */
const CANCEL_REQUEST_CODE = 80877102;
/** SSLRequest code (1234 << 16 | 5679). */
const SSL_REQUEST_CODE = 80877103;
/** The server's answer to an SSLRequest when it goes on with TLS. */
const SSL_ACCEPTED = 0x53; // 'S'

/** The 16 bytes of a CancelRequest for backend `processId` with key `secretKey`. */
export function cancelRequestMessage(processId: number, secretKey: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  b.writeInt32BE(processId | 0, 8);
  b.writeInt32BE(secretKey | 0, 12);
  return b;
}

function sslRequestMessage(): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(SSL_REQUEST_CODE, 4);
  return b;
}

/**
 * The TLS options node-postgres itself uses for `host` with `ssl`: the host
 * checked against the certificate, SNI unless it is an IP address, the
 * client's own options (its `key` is not enumerable: copied by name).
 */
function tlsOptionsOf(ssl: unknown, host: string, direct: boolean): ConnectionOptions {
  const options: ConnectionOptions = { host };
  if (typeof ssl === 'object' && ssl !== null) {
    Object.assign(options, ssl);
    if ('key' in ssl) options.key = (ssl as { key?: ConnectionOptions['key'] }).key;
  }
  if (direct) options.ALPNProtocols = ['postgresql'];
  if (isIP(host) === 0) options.servername = host;
  return options;
}

/**
 * Sends a CancelRequest for the backend of `client` (a connected
 * node-postgres `Client`; a socket directory as `host` is followed to its
 * `.s.PGSQL.<port>` socket). Resolves `true` once the cancel connection was
 * closed after the request was sent (Postgres closes it once it has
 * signalled the backend; a proxy may close it sooner), `false` when the
 * client cannot be cancelled this way (no key: `pg-native`, not connected),
 * the request could not be sent, or nothing happened within `timeoutMs`.
 * Never rejects.
 *
 * A client connected with TLS (`ssl`) has its cancel sent over TLS too, with
 * the same options (as libpq does since Postgres 17): the request carries
 * the backend's secret key, which must not cross the network in clear when
 * the connection it cancels does not. A server that then declines TLS gets
 * no request at all.
 *
 * The server cancels whatever the backend runs when the signal arrives, or
 * ignores it when the backend is idle: the caller sends no other statement
 * on that connection until this resolves, and never pools the connection
 * again (see `abortable-client.ts`).
 */
export function sendCancelRequest(client: object, timeoutMs: number): Promise<boolean> {
  const t = client as CancelTarget;
  const { processID, secretKey, host, port, ssl } = t;
  if (typeof processID !== 'number' || typeof secretKey !== 'number' || typeof host !== 'string') return Promise.resolve(false);
  const portNumber = typeof port === 'number' ? port : Number(port ?? 5432);
  const secure = ssl !== undefined && ssl !== null && ssl !== false;
  const direct = t.sslNegotiation === 'direct';
  let socket: Socket;
  try {
    socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${portNumber}`) : connect(portNumber, host);
  } catch {
    // A port node-postgres never dialled itself (a `stream` of the user's own): thrown at once. Run from an
    // abort listener, a throw or a rejection nobody handles yet would reach the host as an uncaught error.
    return Promise.resolve(false);
  }
  return new Promise<boolean>((resolve) => {
    let done = false;
    let sent = false;
    let tls: Socket | undefined;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls?.destroy();
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    socket.unref();
    socket.on('error', () => finish(false)); // `on`: a second error after the first must not go unhandled
    socket.once('close', () => finish(sent));
    const send = (over: Socket): void => {
      sent = true;
      over.on('data', () => {}); // the server answers nothing; read anyway so 'close' comes
      over.end(cancelRequestMessage(processID, secretKey));
    };
    const upgrade = (): void => {
      try {
        tls = tlsConnect({ ...tlsOptionsOf(ssl, host, direct), socket });
      } catch {
        finish(false);
        return;
      }
      tls.on('error', () => finish(false));
      tls.once('close', () => finish(sent));
      tls.once('secureConnect', () => send(tls as Socket));
    };
    if (!secure) socket.once('connect', () => send(socket));
    else if (direct) socket.once('connect', upgrade);
    else {
      socket.once('connect', () => socket.write(sslRequestMessage()));
      // One byte: 'S' and TLS follows; anything else, and the key is not sent in clear.
      socket.once('data', (answer) => (answer[0] === SSL_ACCEPTED && answer.length === 1 ? upgrade() : finish(false)));
    }
  });
}
