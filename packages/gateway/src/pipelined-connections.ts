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
 *
 * `Expect: 100-continue`. The `100 Continue` is an interim response of its
 * request and follows the same order: written ahead of the answers owed to
 * requests pipelined before it, a client reads it as an interim response of
 * the earliest request still unanswered (and ignores it). So it is written
 * in its request's turn, once those answers are written. Until then the
 * client sends no body, yet Node's `requestTimeout` counts from the
 * request's headers: a timeout of a request whose 100 was held is deferred
 * (`'deferred'`), and its body gets the whole timeout from the moment its
 * 100 is written.
 *
 * An answer that closes the connection (`Connection: close`: a body the
 * gateway will not read, a shutdown) ends what the connection is read for:
 * requests Node parses after it (pipelined in the same packets) can never
 * be answered, so they are not processed either ({@link closingAfterAnswer});
 * their senders retry them (RFC 9112, 9.3.2).
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
  | 'after-pending'
  /**
   * A timeout of a request whose `100 Continue` was held for earlier answers: the sender could not send its body
   * meanwhile, so nothing is answered yet; `onDeferredTimeout` is called if the body is still not whole
   * `bodyMillis` after the 100 was written.
   */
  | 'deferred';

/** Options of {@link PipelinedConnections}. */
export interface PipelinedConnectionsOptions {
  /** How long a body may take from its held `100 Continue` (the gateway's `requestTimeoutMillis`). */
  readonly bodyMillis: number;
  /** A deferred timeout that passed with the body still not whole: handle it as the 408 it now is. */
  readonly onDeferredTimeout: (socket: Socket) => void;
  /** Longest a request whose timeout was deferred may still wait for its 100 (the earlier answers); then its socket is destroyed. */
  readonly maxHeldMillis: number;
}

/** The request whose body is being read on a connection. */
interface Reading {
  readonly req: IncomingMessage;
  readonly fail: (status: number) => void;
  /**
   * Its `100 Continue`: `'held'` while it waits for the answers of requests pipelined before it, then when it was
   * written (ms since the epoch); undefined when it was never held (written at once, or not asked for).
   */
  continued: 'held' | number | undefined;
  /** A deferred timeout's timer: the bound on the wait for the 100, then the body's own time. */
  timer: NodeJS.Timeout | undefined;
}

interface ConnectionState {
  /** Responses of the connection not yet closed (written, or the socket gone). */
  pending: number;
  /** The request whose body is being read, and how to fail that read with an HTTP status. */
  reading: Reading | undefined;
  /** The status a client error gave the connection: requests parsed after it get it too. */
  failedWith: number | undefined;
  /** Called once `pending` is 0. */
  idle: (() => void)[];
  /** An answer with `Connection: close` was written: nothing parsed after it is processed. */
  closingAfterAnswer: boolean;
}

export class PipelinedConnections {
  private readonly states = new WeakMap<Socket, ConnectionState>();
  /** Responses whose `100 Continue` was written. */
  private readonly continuedResponses = new WeakSet<ServerResponse>();

  constructor(private readonly options: PipelinedConnectionsOptions) {}

  private stateOf(socket: Socket): ConnectionState {
    let state = this.states.get(socket);
    if (state === undefined) {
      state = { pending: 0, reading: undefined, failedWith: undefined, idle: [], closingAfterAnswer: false };
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
    const reading: Reading = { req, fail, continued: undefined, timer: undefined };
    state.reading = reading;
    return () => {
      clearTimeout(reading.timer);
      if (state.reading === reading) state.reading = undefined;
    };
  }

  /**
   * The sender of `req` (whose body is being read, see {@link reading})
   * waits for `100 Continue`: written in the request's turn (at once when
   * no earlier response is pending), never ahead of the answers owed before
   * it, and not at all once `res` has its final answer.
   */
  continueInTurn(req: IncomingMessage, res: ServerResponse): void {
    // The first response of a connection has the socket at once; a later one is given it in its turn ('socket').
    if (res.socket !== null) {
      res.writeContinue();
      this.continuedResponses.add(res);
      return;
    }
    const reading = this.states.get(req.socket)?.reading;
    const own = reading?.req === req ? reading : undefined;
    if (own !== undefined) own.continued = 'held';
    res.once('socket', () => {
      if (res.headersSent || res.writableEnded || res.destroyed) return;
      res.writeContinue();
      this.continuedResponses.add(res);
      if (own === undefined) return;
      own.continued = Date.now();
      // A timeout fell while the sender could not send: its body gets the whole time from now.
      if (own.timer !== undefined) this.armBodyTimer(own, this.options.bodyMillis);
    });
  }

  /** Whether `res` had its `100 Continue` written ({@link continueInTurn}). */
  continueWritten(res: ServerResponse): boolean {
    return this.continuedResponses.has(res);
  }

  private armBodyTimer(reading: Reading, millis: number): void {
    clearTimeout(reading.timer);
    reading.timer = setTimeout(() => {
      reading.timer = undefined;
      reading.continued = undefined; // timed out for good: routed as any timeout now
      if (!reading.req.complete) this.options.onDeferredTimeout(reading.req.socket);
    }, millis);
    reading.timer.unref();
  }

  /** An answer on `socket` says `Connection: close`: requests parsed after it are not processed. */
  closeAfterAnswer(socket: Socket): void {
    this.stateOf(socket).closingAfterAnswer = true;
  }

  /**
   * Whether an answer with `Connection: close` was written on `socket`: a request parsed now came after it, and
   * can never be answered (Node closes the connection once that answer is written).
   */
  closingAfterAnswer(socket: Socket): boolean {
    return this.states.get(socket)?.closingAfterAnswer === true;
  }

  /** The status a client error gave the connection, if one did (it is not read further then). */
  failedWith(socket: Socket): number | undefined {
    return this.states.get(socket)?.failedWith;
  }

  /** A client error with `status` on `socket`: where its answer goes (see {@link ClientErrorRoute}). */
  clientError(socket: Socket, status: number): ClientErrorRoute {
    const state = this.states.get(socket);
    if (state === undefined) return 'socket';
    const held = state.reading;
    if (status === 408 && held !== undefined && held.continued !== undefined && !held.req.complete) {
      // Node times a message out once, from its headers: from here the gateway times this body itself.
      if (held.continued === 'held') {
        if (held.timer === undefined) {
          held.timer = setTimeout(() => socket.destroy(), this.options.maxHeldMillis);
          held.timer.unref();
        }
        return 'deferred';
      }
      const left = held.continued + this.options.bodyMillis - Date.now();
      if (left > 0) {
        this.armBodyTimer(held, left);
        return 'deferred';
      }
    }
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
