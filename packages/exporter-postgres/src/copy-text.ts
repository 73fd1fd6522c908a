/**
 * Rows in PostgreSQL's COPY text format (tab-separated columns, `\N` for
 * NULL, backslash escapes), for `COPY ... FROM STDIN`. Values are written as
 * the text the unnest path would send for the same row (JSON columns as
 * `JSON.stringify`, numbers with `String`), so both paths store the same
 * values and refuse the same bad ones.
 *
 * Written for speed (it runs once per row on the recording process' CPU):
 * one encoder per column, picked once per table; the values of an
 * `execution_events` row read by a written-out reader; JSON text only ever
 * needs its backslashes doubled (`JSON.stringify` escapes every control
 * character), so it skips the general escape scan; a row's fields are
 * joined into one line and that line goes into the message with one call
 * to the UTF-8 encoder (see {@link copyDataMessages}).
 */

import { EXECUTION_EVENTS_COLUMN_TYPES, executionEventValues, type ColumnTypes } from './columns.js';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES = /[\\\n\r\t]/g;

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t';
}

/** A text value escaped for COPY text format. */
function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPES, escapeChar) : s;
}

/** JSON text escaped for COPY text format: it holds no raw tab, newline or CR, so only backslashes. */
function escapeJsonText(s: string): string {
  return s.includes('\\') ? s.replaceAll('\\', '\\\\') : s;
}

function jsonField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const s = JSON.stringify(value);
  // JSON.stringify returns undefined for a function or symbol: a row fault, like a value pg could not send.
  if (typeof s !== 'string') throw new TypeError('a JSON column holds a value JSON cannot represent');
  return escapeJsonText(s);
}

function scalarField(value: unknown): string {
  if (typeof value === 'string') return escapeText(value);
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  // What pg would send for an object in a parameter (rows never hold one; spooled rows are plain JSON).
  return jsonField(value);
}

/** One value as a COPY text field. */
export function copyField(value: unknown, json: boolean): string {
  return json ? jsonField(value) : scalarField(value);
}

/** Encodes rows of one table as COPY text lines. */
export interface CopyEncoder<Row> {
  /** One row as a COPY text line, newline included. Throws on a value that cannot be serialised. */
  line(row: Row): string;
}

type FieldEncoder = (v: unknown) => string;
/** Reads a row's values, in column order, into `out`. */
type RowReader = (row: unknown, out: unknown[]) => void;

/**
 * A row's fields as COPY text, one table's columns: `fields(row)` fills
 * and returns one array (reused: read it before the next call), whose
 * `join('\t')` is the row's line without its newline. Made per encoding
 * call, so the last row's values are not kept alive past it.
 */
interface RowFields<Row> {
  fields(row: Row): string[];
}

function rowFields<Row>(types: ColumnTypes<Row>): RowFields<Row> {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const n = columns.length;
  const encoders: FieldEncoder[] = columns.map((c) => (types[c] === 'jsonb' ? jsonField : scalarField));
  // `execution_events`, the bulk, has a written-out reader (see executionEventValues); other tables are read column by column.
  const read: RowReader =
    (types as object) === EXECUTION_EVENTS_COLUMN_TYPES
      ? (executionEventValues as RowReader)
      : (row, out) => {
          const r = row as Record<string, unknown>;
          for (let i = 0; i < n; i++) out[i] = r[columns[i] as string];
        };
  const values: unknown[] = new Array<unknown>(n).fill(null);
  const texts: string[] = new Array<string>(n).fill('');
  return {
    fields(row: Row): string[] {
      read(row, values);
      for (let i = 0; i < n; i++) texts[i] = (encoders[i] as FieldEncoder)(values[i]);
      return texts;
    },
  };
}

/** An encoder for rows with the columns (and column order) of `types`. */
export function copyEncoder<Row>(types: ColumnTypes<Row>): CopyEncoder<Row> {
  const { fields } = rowFields(types);
  return {
    line(row: Row): string {
      return fields(row).join('\t') + '\n';
    },
  };
}

/** `rows` as COPY text, columns in the order of `types`. Throws on a value that cannot be serialised. */
export function toCopyText<Row>(rows: readonly Row[], types: ColumnTypes<Row>): string {
  const enc = copyEncoder(types);
  let out = '';
  for (const row of rows) out += enc.line(row);
  return out;
}

/**
 * `rows` as COPY text in pieces of about `pieceChars` characters (whole
 * lines; a longer line is a piece of its own), encoded lazily, so a writer
 * can send one piece while the next is encoded and no string ever holds a
 * whole large batch.
 */
export function* copyTextPieces<Row>(rows: readonly Row[], types: ColumnTypes<Row>, pieceChars = 64 * 1024): Generator<string, void, undefined> {
  const enc = copyEncoder(types);
  let out = '';
  for (const row of rows) {
    out += enc.line(row);
    if (out.length >= pieceChars) {
      yield out;
      out = '';
    }
  }
  if (out.length > 0) yield out;
}

// ---------------------------------------------------------------------------
// Straight into CopyData messages
// ---------------------------------------------------------------------------

const COPY_DATA = 0x64; // 'd'
/** A CopyData message's header: its type byte and its int32 length. */
const HEADER_BYTES = 5;
/** Lines up to this length are given 3 bytes per UTF-16 code unit of room; longer ones are measured. */
const MEASURE_ABOVE = 16 * 1024;

/** Node's `Buffer#utf8Write` (what `Buffer#write` calls once its arguments are sorted out): returns the bytes written. */
type Utf8Write = (this: Buffer, s: string, offset: number, length: number) => number;
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;
const utf8Write: Utf8Write =
  typeof nativeUtf8Write === 'function'
    ? nativeUtf8Write
    : function (this: Buffer, s: string, offset: number, length: number): number {
        return this.write(s, offset, length, 'utf8');
      };

/** The message of `buf[0..end)`, its header filled in. */
function seal(buf: Buffer, end: number): Buffer {
  buf[0] = COPY_DATA;
  buf.writeUInt32BE(end - 1, 1);
  return buf.subarray(0, end);
}

/**
 * `rows` as COPY text in CopyData protocol messages (type byte, length,
 * then whole lines) of about `pieceBytes` bytes each (a longer line gets a
 * message of its own), encoded lazily: the bytes of {@link copyTextPieces}
 * framed for the wire. Each row's fields are joined into one line (one
 * flat string, no intermediate concatenations), which goes into the
 * message with one call to the UTF-8 encoder. Measured with
 * `bench/instructions.bench.ts` against the alternatives: copying each
 * field's characters into the message from JavaScript cost about 20
 * instructions per byte, a call into the encoder per field about 500
 * instructions per call, and concatenating the line with `+` allocated
 * twice the garbage of `join` (BENCHMARKS.md). Throws on a value that
 * cannot be serialised.
 */
export function* copyDataMessages<Row>(
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  pieceBytes = 64 * 1024,
): Generator<Buffer, void, undefined> {
  const { fields } = rowFields(types);
  let buf = Buffer.allocUnsafe(pieceBytes + HEADER_BYTES);
  let pos = HEADER_BYTES;
  for (const row of rows) {
    const line = fields(row).join('\t');
    // At most 3 UTF-8 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units); +1 for the newline.
    const room = (line.length <= MEASURE_ABOVE ? 3 * line.length : Buffer.byteLength(line, 'utf8')) + 1;
    if (pos + room > buf.length) {
      if (pos > HEADER_BYTES) yield seal(buf, pos);
      buf = Buffer.allocUnsafe(Math.max(pieceBytes, room) + HEADER_BYTES);
      pos = HEADER_BYTES;
    }
    pos += utf8Write.call(buf, line, pos, buf.length - pos);
    buf[pos++] = 0x0a; // newline
  }
  if (pos > HEADER_BYTES) yield seal(buf, pos);
}
