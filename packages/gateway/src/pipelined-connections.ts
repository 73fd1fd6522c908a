/**
 * The requests of one keep-alive connection, for HTTP/1.1 pipelining: a
 * client may send several requests back to back, and their answers must go
 * out in the same order, each request getting its own. Node queues the
 * responses of pipelined requests itself, but a client error on the
 * connection (a request not whole within `requestTimeoutMillis`, malformed
 * HTTP) is reported on the socket, not on a request: an answer written
 * straight to the socket then would be read by the client as the answer to
 * the earliest request still unanswered, another request's status.
 *
 * So a client error is answered where it belongs:
 * - the request whose body was being read is failed, and answers through
 *   its own response, which Node writes after the earlier ones;
 * - otherwise (its headers never ended), once every earlier response is
 *   written, on the socket;
 * - with nothing pending, on the socket at once (as before).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Where the answer to a client error goes. */
export type ClientErrorRoute =
  /** Nothing pending on the connection: write it on the socket now. */
  | 'socket'
  /** The request whose body was being read answers it through its own response. */
  | 'request'
  /** Earlier responses are still to be written: write it on the socket once they are ({@link PipelinedConnections.whenAnswered}). */
  | 'after-pending';

interface ConnectionState {
  /** Responses of the connection not yet closed (written, or the socket gone). */
  pending: number;
  /** The request whose body is being read, and how to fail that read with an HTTP status. */
  reading: { readonly req: IncomingMessage; readonly fail: (status: number) => void } | undefined;
  /** The status a client error gave the connection: requests parsed after it get it too. */
  failedWith: number | undefined;
  /** Called once `pending` is 0. */
  idle: (() => void)[];
}

export class PipelinedConnections {
  private readonly states = new WeakMap<Socket, ConnectionState>();

  private stateOf(socket: Socket): ConnectionState {
    let state = this.states.get(socket);
    if (state === undefined) {
      state = { pending: 0, reading: undefined, failedWith: undefined, idle: [] };
      this.states.set(socket, state);
    }
    return state;
  }

  /**
   * A request arrived on `socket`: its response counts as pending until it
   * closes. Returns the status to answer it with at once when the
   * connection already failed (a client error on an earlier part of it),
   * else undefined.
   */
  opened(socket: Socket, res: ServerResponse): number | undefined {
    const state = this.stateOf(socket);
    state.pending += 1;
    res.once('close', () => {
      state.pending -= 1;
      if (state.pending > 0) return;
      const idle = state.idle.splice(0);
      for (const fn of idle) fn();
    });
    return state.failedWith;
  }

  /**
   * The body of `req` is being read; `fail` ends that read with a status.
   * Returns the function to call once the read is over.
   */
  reading(req: IncomingMessage, fail: (status: number) => void): () => void {
    const state = this.stateOf(req.socket);
    const reading = { req, fail };
    state.reading = reading;
    return () => {
      if (state.reading === reading) state.reading = undefined;
    };
  }

  /** The status a client error gave the connection, if one did (it is not read further then). */
  failedWith(socket: Socket): number | undefined {
    return this.states.get(socket)?.failedWith;
  }

  /** A client error with `status` on `socket`: where its answer goes (see {@link ClientErrorRoute}). */
  clientError(socket: Socket, status: number): ClientErrorRoute {
    const state = this.states.get(socket);
    if (state === undefined) return 'socket';
    state.failedWith ??= status;
    const reading = state.reading;
    state.reading = undefined;
    // A body already whole whose read has not ended yet (its end is emitted later) is an earlier request's: the error
    // is about what the connection sent after it.
    if (reading !== undefined && !reading.req.complete) {
      reading.fail(status);
      return 'request';
    }
    return state.pending > 0 ? 'after-pending' : 'socket';
  }

  /** Calls `fn` once every response of `socket` is closed (at once if none is pending). */
  whenAnswered(socket: Socket, fn: () => void): void {
    const state = this.states.get(socket);
    if (state === undefined || state.pending === 0) fn();
    else state.idle.push(fn);
  }
}
