/**
 * Answers read off a raw TCP connection to the gateway, for tests that write HTTP/1.1 requests by hand (pipelined,
 * refused before their bodies): each answer as it arrives, in order, and whether the connection closed.
 */
import type { Socket } from 'node:net';

/** One HTTP answer read off the connection. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** When it was read (Date.now()). */
  at: number;
}

/** The answers read from a raw connection, in order, and whether it closed. */
export function answersOf(socket: Socket): { answers: () => RawAnswer[]; closed: () => boolean } {
  let buffered = Buffer.alloc(0);
  const answers: RawAnswer[] = [];
  let closed = false;
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffered.length < end + 4 + length) return;
      answers.push({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0),
        headers,
        body: Buffer.from(buffered.subarray(end + 4, end + 4 + length)),
        at: Date.now(),
      });
      buffered = buffered.subarray(end + 4 + length);
    }
  });
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return { answers: () => answers.slice(), closed: () => closed };
}
