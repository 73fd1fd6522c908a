/**
 * `COPY ... FROM STDIN` through a node-postgres client, streaming CopyData
 * messages as they are encoded (`copyDataMessages`): the next one is encoded while the server
 * parses the previous one (two processes, two cores), and the socket's
 * backpressure paces the encoder. A query object of node-postgres' own
 * "submittable" kind, so it queues like any other query on the client and
 * honours the client's `query_timeout`.
 *
 * Errors: a server error (a refused value, a unique violation, ...) stops
 * the encoding at once and rejects with the server's error (the server has
 * left copy mode, ignores the messages already on the wire and is ready for
 * the next query). A row that cannot be encoded aborts the COPY (CopyFail)
 * and rejects with {@link RowSerializationError}, not with the server's
 * answer to the abort, so the rows are blamed and not the connection.
 */

import type pg from 'pg';
import { RowSerializationError, toError } from './pg-errors.js';

/** The parts of node-postgres' connection a copy-in uses (not part of its typed API). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFail(message: string): void;
  readonly stream: NodeJS.WritableStream & { writable: boolean };
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

class CopyInQuery {
  /** For node-postgres (and for anything that logs queries by their text). */
  readonly text: string;
  rowCount = 0;
  private connection: CopyConnection | undefined;
  private finished = false;
  private stopped = false;
  private encodeError: Error | undefined;
  private next: IteratorResult<Buffer, void> | undefined;

  constructor(
    text: string,
    private readonly messages: Iterator<Buffer, void, undefined>,
    private readonly done: (err: Error | undefined, rowCount: number) => void,
  ) {
    this.text = text;
  }

  /**
   * The final outcome. node-postgres replaces it with a wrapper that also
   * clears its `query_timeout` timer (and calls it unbound on a timeout, so
   * it is an arrow function); the handlers below always go through it.
   */
  callback = (err: Error | undefined | null): void => {
    if (this.finished) return;
    this.finished = true;
    this.stopped = true;
    this.connection?.stream.removeListener('drain', this.pump);
    this.done(err ?? undefined, this.rowCount);
  };

  submit(connection: CopyConnection): void {
    this.connection = connection;
    connection.query(this.text);
    // Encode the first message while the server answers with CopyInResponse.
    this.advance();
  }

  private advance(): void {
    if (this.next !== undefined || this.encodeError !== undefined) return;
    try {
      this.next = this.messages.next();
    } catch (err) {
      this.encodeError = new RowSerializationError(`a row could not be serialised: ${toError(err).message}`, { cause: err });
    }
  }

  handleCopyInResponse(): void {
    this.pump();
  }

  private readonly pump = (): void => {
    const connection = this.connection;
    if (connection === undefined || this.stopped) return;
    const stream = connection.stream;
    for (;;) {
      if (this.stopped) return;
      this.advance();
      if (this.encodeError !== undefined) {
        // The server answers with an error (57014), reported as the rows' fault below.
        this.stopped = true;
        connection.sendCopyFail(this.encodeError.message.slice(0, 200));
        return;
      }
      const current = this.next as IteratorResult<Buffer, void>;
      this.next = undefined;
      if (current.done === true) {
        this.stopped = true;
        stream.write(COPY_DONE);
        return;
      }
      if (!stream.writable) return; // the connection died: node-postgres reports it
      if (current.value.length === 0) continue;
      if (!stream.write(current.value)) {
        this.advance(); // encode the next message while the socket drains
        stream.once('drain', this.pump);
        return;
      }
    }
  };

  handleCommandComplete(msg: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(msg.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.callback(this.encodeError);
  }

  handleError(err: Error): void {
    this.stopped = true;
    this.connection?.stream.removeListener('drain', this.pump);
    this.callback(this.encodeError ?? err);
  }

  // A COPY FROM never produces rows; node-postgres may still call these on odd servers.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * Whether `client` can run {@link copyIn}: a node-postgres JavaScript client
 * (it has the protocol connection the COPY data is written to); not, say,
 * a `pg-native` client or a test double.
 */
export function canCopyIn(client: unknown): boolean {
  const connection = (client as { connection?: Partial<CopyConnection> } | null)?.connection;
  return (
    typeof connection?.query === 'function' &&
    typeof connection.sendCopyFail === 'function' &&
    typeof (connection.stream as { write?: unknown } | undefined)?.write === 'function'
  );
}

/**
 * Runs `sql` (a `COPY ... FROM STDIN` in text format) on `client`, sending
 * the CopyData `messages` as they are produced (see `copyDataMessages`).
 * Resolves with the number of rows the server reports copied.
 */
export function copyIn(client: pg.ClientBase, sql: string, messages: Iterable<Buffer>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const query = new CopyInQuery(sql, messages[Symbol.iterator]() as Iterator<Buffer, void, undefined>, (err, rowCount) => {
      if (err) reject(err);
      else resolve(rowCount);
    });
    (client as unknown as { query(q: CopyInQuery): unknown }).query(query);
  });
}
