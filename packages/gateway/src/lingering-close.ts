/**
 * A connection the gateway reads no further (a refused body too slow to throw away, requests pipelined behind an
 * answer that closes it), closed without losing the answers written on it.
 *
 * A socket closed with bytes unread sends a TCP reset instead of a FIN, and the kernel then throws away what it has
 * not sent yet: the answers a sender reading slowly (its receive window full) had not taken in, the 200 of a request
 * whose rows were written among them; a sender still writing its body got EPIPE and read nothing at all. So the
 * connection closes as HTTP servers' "lingering close" does (RFC 9112, 9.6): once the answers are written its write
 * side is shut (a FIN after them), and what still arrives is read and thrown away, never parsed into requests, until
 * the sender closes its side or `lingerMillis` pass.
 */

import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Destroys `socket` after `millis` unless it closes first: the bound on every close that waits for something (answers
 * owed, a sender's FIN). The timer keeps no process alive.
 */
export function destroyAfter(socket: Duplex, millis: number): void {
  const timer = setTimeout(() => socket.destroy(), millis);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The `'resume'` listener of each socket read no further ({@link stopReading}). */
const repausers = new WeakMap<Socket, () => void>();
/** Sockets whose write side is shut, read until the sender closes ({@link lingerClose}). */
const lingering = new WeakSet<Socket>();

/**
 * Nothing more is read from `socket` (it is to close): paused, and paused again whenever something resumes it (Node
 * resumes a server socket when a request's body is read, or when written answers drain). When Node closes it after
 * an answer saying `Connection: close` (its `destroySoon()`), it closes by {@link lingerClose} instead.
 */
export function stopReading(socket: Socket, lingerMillis: number): void {
  if (repausers.has(socket) || lingering.has(socket)) return;
  const repause = (): void => void socket.pause();
  repausers.set(socket, repause);
  socket.pause();
  socket.on('resume', repause);
  socket.destroySoon = () => lingerClose(socket, lingerMillis);
}

/**
 * Shuts the write side of `socket` after what is written on it, then reads and throws away what arrives until the
 * sender closes its side (then destroyed), at most `lingerMillis`.
 */
export function lingerClose(socket: Socket, lingerMillis: number): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  const repause = repausers.get(socket);
  if (repause !== undefined) socket.off('resume', repause);
  destroyAfter(socket, lingerMillis);
  socket.once('end', () => socket.destroy());
  socket.end();
  // Node's HTTP parser reads the socket's handle itself. Resumed, Node starts the handle reading again (its own
  // 'resume' listener, called first); then, before anything is read, a 'data' listener hands what the handle reads
  // back to the stream (Node wraps a server socket's `on` to do so), and the parser's own listener is removed: what
  // arrives is thrown away, not parsed. Handed over while paused instead, the handle was never started again (the
  // stream counts a read as under way since the parser took it) and the linger read nothing.
  socket.pause();
  socket.once('resume', () => {
    const parserListeners = socket.listeners('data') as ((chunk: Buffer) => void)[];
    socket.on('data', () => undefined);
    for (const listener of parserListeners) socket.off('data', listener);
  });
  socket.resume();
}
