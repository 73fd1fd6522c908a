/**
 * Rows in PostgreSQL's COPY text format (tab-separated columns, `\N` for
 * NULL, backslash escapes), for `COPY ... FROM STDIN`. Values are written as
 * the text the unnest path would send for the same row (JSON columns as
 * `JSON.stringify`, numbers with `String`), so both paths store the same
 * values and refuse the same bad ones.
 *
 * Written for speed (it runs once per row on the recording process' CPU):
 * one encoder per column, picked once per table; JSON text only ever needs
 * its backslashes doubled (`JSON.stringify` escapes every control
 * character), so it skips the general escape scan.
 */

import type { ColumnTypes } from './columns.js';

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

/** The columns of `types`, in order, and the field encoder of each (picked once per table). */
function columnEncoders<Row>(types: ColumnTypes<Row>): { readonly columns: readonly string[]; readonly fields: readonly FieldEncoder[] } {
  const columns = Object.keys(types) as (keyof Row & string)[];
  return { columns, fields: columns.map((c) => (types[c] === 'jsonb' ? jsonField : scalarField)) };
}

/** An encoder for rows with the columns (and column order) of `types`. */
export function copyEncoder<Row>(types: ColumnTypes<Row>): CopyEncoder<Row> {
  const { columns, fields } = columnEncoders(types);
  const n = columns.length;
  return {
    line(row: Row): string {
      const r = row as Record<string, unknown>;
      let out = (fields[0] as FieldEncoder)(r[columns[0] as string]);
      for (let i = 1; i < n; i++) {
        out += '\t';
        out += (fields[i] as FieldEncoder)(r[columns[i] as string]);
      }
      return out + '\n';
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
/** ASCII strings up to this length are copied byte by byte: cheaper than a call into the UTF-8 encoder. */
const SHORT_STRING = 40;
/** Fields up to this length are given 3 bytes per UTF-16 code unit of room; longer ones are measured. */
const MEASURE_ABOVE = 4096;

/** Node's `Buffer#utf8Write` (what `Buffer#write` calls once its arguments are sorted out): returns the bytes written. */
type Utf8Write = (this: Buffer, s: string, offset: number, length: number) => number;
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;
const utf8Write: Utf8Write =
  typeof nativeUtf8Write === 'function'
    ? nativeUtf8Write
    : function (this: Buffer, s: string, offset: number, length: number): number {
        return this.write(s, offset, length, 'utf8');
      };

/** Writes `s` as UTF-8 at `pos` (the caller made room); returns the position after it. */
function putString(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= SHORT_STRING) {
    let p = pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return pos + utf8Write.call(buf, s, pos, buf.length - pos); // not ASCII: start over natively
      buf[p++] = c;
    }
    return p;
  }
  return pos + utf8Write.call(buf, s, pos, buf.length - pos);
}

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
 * framed for the wire. No line or piece string is built: each field's text
 * goes into the message as it is made. Building and flattening those
 * strings was a fifth of all the recording process allocated per event
 * end to end, and every byte allocated brings the next garbage collection
 * closer (see BENCHMARKS.md). Throws on a value that cannot be serialised.
 */
export function* copyDataMessages<Row>(
  rows: readonly Row[],
  types: ColumnTypes<Row>,
  pieceBytes = 64 * 1024,
): Generator<Buffer, void, undefined> {
  const { columns, fields } = columnEncoders(types);
  const n = columns.length;
  const texts: string[] = new Array<string>(n).fill('');
  let buf = Buffer.allocUnsafe(pieceBytes + HEADER_BYTES);
  let pos = HEADER_BYTES;
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    let room = n; // the tabs and the newline
    for (let i = 0; i < n; i++) {
      const t = (fields[i] as FieldEncoder)(r[columns[i] as string]);
      texts[i] = t;
      // At most 3 UTF-8 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
      room += t.length <= MEASURE_ABOVE ? 3 * t.length : Buffer.byteLength(t, 'utf8');
    }
    if (pos + room > buf.length) {
      if (pos > HEADER_BYTES) yield seal(buf, pos);
      buf = Buffer.allocUnsafe(Math.max(pieceBytes, room) + HEADER_BYTES);
      pos = HEADER_BYTES;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) buf[pos++] = 0x09; // tab
      pos = putString(buf, pos, texts[i] as string);
    }
    buf[pos++] = 0x0a; // newline
  }
  texts.fill(''); // the last row's values are not kept alive by the generator
  if (pos > HEADER_BYTES) yield seal(buf, pos);
}
