/**
 * Rows in PostgreSQL's COPY text format (tab-separated columns, `\N` for
 * NULL, backslash escapes), for `COPY ... FROM STDIN`. Values are written as
 * the text the unnest path would send for the same row (JSON columns as
 * `JSON.stringify`, numbers with `String`), so both paths store the same
 * values and refuse the same bad ones.
 *
 * Written for speed (it runs once per row on the recording process' CPU):
 * one encoder per column, picked once per table; the values of an
 * `execution_events` row read by a written-out reader; the JSON values of
 * 64 rows serialised with one `JSON.stringify` call (see
 * {@link RowFields.prepare}); JSON text only ever needs its backslashes
 * doubled (`JSON.stringify` escapes every control character), so it skips
 * the general escape scan; a row's fields are
 * joined into one line and that line goes into the message with one call
 * to the UTF-8 encoder (see {@link copyDataMessages}).
 */

import { types as utilTypes } from 'node:util';
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
  if (typeof s !== 'string') throw new TypeError(NO_JSON_MESSAGE);
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

/** Reads the values of one row, in column order, into `out` from index `at` on. */
type RowReader = (row: unknown, out: unknown[], at: number) => void;

/**
 * Rows {@link RowFields.prepare} takes at once. One `JSON.stringify` call
 * over their JSON values costs fewer instructions than one per value: V8
 * 11.3 (Node 20) starts every call with a 32-character buffer, copies the
 * longer strings character by character through a slow path while that
 * buffer grows, and builds its result from many small parts; a call over
 * many values reaches its 16 KB parts at once (BENCHMARKS.md).
 */
const PREPARED_ROWS = 64;

/**
 * Put between the JSON values serialised together. Its JSON is itself (no
 * character JSON escapes), begins with a character text rarely holds
 * (DEL), so that the search for it skips along, and holds no backslash,
 * so that doubling the text's backslashes leaves it as it is.
 */
const SEPARATOR = '\x7f\x7f';
/** What follows a separator's opening quote in the JSON of the values. */
const SEPARATOR_TAIL = `${SEPARATOR}",`;

/**
 * Each value that is not plain (see {@link isBare}) goes into the batch as
 * the one property, keyed "", of an object of its own, whose JSON is
 * `{"":` the value's text `}`: so JSON.stringify looks up the value's
 * `toJSON` once and calls it with the key "", as when the value is
 * serialised alone (as an array element it would get its index, and a
 * check for a `toJSON` before the call would be a second lookup that a
 * getter or a proxy sees, and may answer differently). A value with no
 * JSON text (a function, a symbol, a `toJSON` that returns undefined)
 * leaves its object empty: `{}`.
 */
const WRAPPED_PREFIX = '{"":'.length;

// Taken when the module loads, so that checking a value calls no function a caller may have put in their place since.
const isProxy = utilTypes.isProxy;
const { getPrototypeOf, hasOwn } = Object;
const OBJECT_PROTOTYPE: unknown = Object.prototype;
const ARRAY_PROTOTYPE: unknown = Array.prototype;

/**
 * Whether `toJSON` on Object.prototype or Array.prototype (or an
 * Array.prototype whose prototype is not Object.prototype) can be ruled out
 * without running any code of the caller's: then the batch array and a
 * plain value's prototypes answer no `toJSON`, and a value that is plain
 * (see {@link isBare}) can go into the batch as it is.
 */
function prototypesClean(): boolean {
  return !hasOwn(OBJECT_PROTOTYPE as object, 'toJSON') && !hasOwn(ARRAY_PROTOTYPE as object, 'toJSON') && getPrototypeOf(ARRAY_PROTOTYPE) === OBJECT_PROTOTYPE;
}

/**
 * Whether `v` serialises the same as an element of the batch array as alone,
 * told without running any code of the caller's (no getter, no proxy trap),
 * given {@link prototypesClean}: a number, a boolean, a string other than
 * the separator (that one is wrapped, so that no value's text reads as a
 * separator at the top level of the batch), or an object that is no proxy,
 * whose prototype is Object.prototype, Array.prototype or null and which
 * has no own `toJSON`.
 * JSON.stringify then finds no `toJSON` to call, so the key it would pass
 * (the element's index instead of "") never shows; the wrapper object (its
 * allocation, its serialisation, five more characters) is saved. Anything
 * else (a class instance, a Date, a bigint, a function, a proxy) is
 * wrapped. Object.hasOwn throws on a module namespace's `toJSON` export
 * still in its temporal dead zone: wrapped too, and it throws where it did.
 */
function isBare(v: unknown): boolean {
  const t = typeof v;
  if (t === 'object') {
    if (isProxy(v)) return false;
    const p: unknown = getPrototypeOf(v);
    if (p !== OBJECT_PROTOTYPE && p !== ARRAY_PROTOTYPE && p !== null) return false;
    try {
      return !hasOwn(v as object, 'toJSON');
    } catch {
      return false;
    }
  }
  if (t === 'string') return v !== SEPARATOR;
  return t === 'number' || t === 'boolean';
}

/** Stands for a value with no JSON text in the prepared texts (no JSON text is empty). */
const NO_TEXT = '';
const NO_JSON_MESSAGE = 'a JSON column holds a value JSON cannot represent';

/**
 * Splits `json`, the JSON of the values (wrapped or bare) with SEPARATOR
 * between them (backslashes doubled since), at its separators: the
 * `count` texts' bounds (start, end, start, end, ...), or undefined. A
 * separator is `,"` SEPARATOR `",`, and a value's text can hold that only
 * where the value holds SEPARATOR as an element of an array (a string
 * that is SEPARATOR itself is wrapped, not bare): a `"` inside
 * a string is escaped, so `,"` only ever stands before an array's string
 * element or an object's key, whose text then runs to the next `"`, which
 * a key's is followed by `:`. Such a value moves every split after it
 * forward, which leaves a separator over after the last text: then the
 * split is refused (and {@link splitByStructure} reads the JSON instead).
 */
function splitAtSeparators(json: string, count: number): number[] | undefined {
  const bounds = new Array<number>(2 * count);
  let pos = 1; // after '['
  for (let k = 0; k < count - 1; k++) {
    const at = separatorAt(json, pos);
    if (at === -1) return undefined;
    bounds[2 * k] = pos;
    bounds[2 * k + 1] = at;
    pos = at + 2 + SEPARATOR_TAIL.length;
  }
  if (separatorAt(json, pos) !== -1) return undefined;
  bounds[2 * count - 2] = pos;
  bounds[2 * count - 1] = json.length - 1; // before ']'
  return bounds;
}

/**
 * The bounds {@link splitAtSeparators} gives, found by reading the
 * structure of `json` (the JSON as JSON.stringify returned it, backslashes
 * not doubled): the outer array's elements, every other one a separator.
 * A step per character, so only for the batches that hold the separator
 * as an array element; serialising their values once more instead would
 * run their getters and `toJSON` methods twice.
 */
function splitByStructure(json: string, count: number): number[] | undefined {
  const bounds: number[] = [];
  let depth = 0;
  let element = 0;
  let start = 1;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) i = closingQuote(json, i);
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0 && element % 2 === 0) bounds.push(start, i);
    } else if (c === 0x2c && depth === 1) {
      if (element % 2 === 0) bounds.push(start, i);
      element++;
      start = i + 1;
    }
  }
  return bounds.length === 2 * count ? bounds : undefined;
}

/** Where the string whose opening quote is at `open` closes: the next quote after an even run of backslashes. */
function closingQuote(json: string, open: number): number {
  let q = json.indexOf('"', open + 1);
  for (;;) {
    let b = q;
    while (json.charCodeAt(b - 1) === 0x5c) b--;
    if ((q - b) % 2 === 0) return q;
    q = json.indexOf('"', q + 1);
  }
}

/** The text of rows' JSON value `v`: its prepared text `t`, or `v` serialised now when it was not prepared. */
function jsonText(t: string | undefined, v: unknown): string {
  if (t === undefined) return jsonField(v);
  if (t === NO_TEXT) throw new TypeError(NO_JSON_MESSAGE);
  return t;
}

/** Where the first separator at or after `from` begins, or -1. */
function separatorAt(json: string, from: number): number {
  for (let at = json.indexOf(SEPARATOR_TAIL, from + 2); at !== -1; at = json.indexOf(SEPARATOR_TAIL, at + 1)) {
    if (json.charCodeAt(at - 1) === 0x22 && json.charCodeAt(at - 2) === 0x2c) return at - 2;
  }
  return -1;
}

/**
 * A row's fields as COPY text, one table's columns; `join('\t')` of what
 * `fields` returns is the row's line without its newline. Made per
 * encoding call, so no row is kept alive past it.
 */
interface RowFields<Row> {
  /**
   * Reads rows[start, end) and serialises their JSON values with one
   * `JSON.stringify` call.
   */
  prepare(rows: readonly Row[], start: number, end: number): void;
  /** The fields of rows[i] of the last `prepare`, or of `row` read now when `i` is -1. */
  fields(row: Row, i: number): string[];
}

function rowFields<Row>(types: ColumnTypes<Row>): RowFields<Row> {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const n = columns.length;
  const isJson: boolean[] = columns.map((c) => types[c] === 'jsonb');
  const jsonColumns: number[] = [];
  for (let c = 0; c < n; c++) if (isJson[c] === true) jsonColumns.push(c);
  const jn = jsonColumns.length;
  // `execution_events`, the bulk, has its own written-out reader and fields (see executionEventValues); other tables go column by column.
  const events = (types as object) === EXECUTION_EVENTS_COLUMN_TYPES;
  const read: RowReader = events
    ? (executionEventValues as RowReader)
    : (row, out, at) => {
        const r = row as Record<string, unknown>;
        for (let c = 0; c < n; c++) out[at + c] = r[columns[c] as string];
      };

  // The last prepare's rows: their values (n per row, fresh arrays: a young array takes young values without a write barrier).
  let first = 0;
  let rowCount = 0;
  let values: unknown[] = [];
  /** The rows from `first` on whose values were read (a getter that threw stops the reading; `readError` is what it threw). */
  let readRows = 0;
  let readError: unknown;
  /** The JSON texts of the JSON values, jn per row (undefined: encoded with its row), or undefined for none. */
  let jsonTexts: (string | undefined)[] | undefined;

  return {
    prepare(rows: readonly Row[], start: number, end: number): void {
      first = start;
      rowCount = end - start;
      values = new Array<unknown>(rowCount * n);
      readRows = 0;
      readError = undefined;
      jsonTexts = undefined;
      try {
        for (let r = 0; r < rowCount; r++) {
          read(rows[start + r], values, r * n);
          readRows++;
        }
      } catch (err) {
        // Thrown again when its row is encoded, after the rows before it (as when each row was read in turn).
        readError = err;
        return;
      }
      const batch: unknown[] = [];
      /** The slot of each value in the batch: its index in `texts`, or its complement (~) for a value put in bare. */
      const slots: number[] = [];
      const clean = prototypesClean();
      for (let r = 0; r < rowCount; r++) {
        for (let j = 0; j < jn; j++) {
          const v = values[r * n + (jsonColumns[j] as number)];
          if (v === null || v === undefined) continue; // NULL, no JSON
          if (slots.length > 0) batch.push(SEPARATOR);
          if (clean && isBare(v)) {
            batch.push(v);
            slots.push(~(r * jn + j));
          } else {
            batch.push({ '': v });
            slots.push(r * jn + j);
          }
        }
      }
      if (slots.length === 0) return;
      let raw: string;
      let json: string;
      try {
        // A toJSON on Array.prototype or Object.prototype would be called on the batch or its wrappers themselves
        // (when `clean`, there is none, and batch[0] may be a string, whose prototype this lookup must not reach).
        if (!clean && (typeof (batch as { toJSON?: unknown }).toJSON === 'function' || typeof (batch[0] as { toJSON?: unknown }).toJSON === 'function')) return;
        raw = JSON.stringify(batch);
        json = escapeJsonText(raw);
      } catch {
        // A value that throws (a cycle, a bigint deep inside, a getter), or a batch past the longest string V8 makes
        // (doubling its backslashes may be what reaches it): each value is met again, alone, when its row is encoded.
        return;
      }
      // A toJSON that code of the caller's run by the serialisation (a getter, a toJSON, a proxy trap) gave
      // Object.prototype or Array.prototype was called on the bare values and the wrappers too, with their index
      // for key: each value is met again, alone, when its row is encoded (as when the batch throws). A toJSON it
      // gave a bare value of a later row is not looked for: that one was called with the value's index (README).
      if (clean && !prototypesClean()) return;
      const fast = splitAtSeparators(json, slots.length);
      const byStructure = fast === undefined;
      const bounds = fast ?? splitByStructure(raw, slots.length);
      if (bounds === undefined) return;
      const source = byStructure ? raw : json;
      const texts = new Array<string | undefined>(rowCount * jn);
      for (let k = 0; k < slots.length; k++) {
        const from = bounds[2 * k] as number;
        const to = bounds[2 * k + 1] as number;
        const slot = slots[k] as number;
        // Bare: the text as it is; wrapped: `{}`, no JSON text, else `{"":` text `}`.
        const t = slot < 0 ? source.slice(from, to) : to - from === 2 ? NO_TEXT : source.slice(from + WRAPPED_PREFIX, to - 1);
        texts[slot < 0 ? ~slot : slot] = byStructure ? escapeJsonText(t) : t;
      }
      jsonTexts = texts;
    },
    fields(row: Row, i: number): string[] {
      let vs = values;
      let at: number;
      let r = i - first;
      if (i < 0) {
        vs = new Array<unknown>(n);
        read(row, vs, 0);
        at = 0;
        r = -1;
      } else {
        if (r >= readRows) throw readError;
        at = r * n;
      }
      const prepared = r >= 0 ? jsonTexts : undefined;
      if (events) return executionEventFields(vs, at, prepared, r * jn);
      const texts = new Array<string>(n);
      for (let c = 0, j = 0; c < n; c++) {
        const v = vs[at + c];
        if (isJson[c] === true) {
          texts[c] = jsonText(prepared?.[r * jn + j], v);
          j++;
        } else texts[c] = scalarField(v);
      }
      return texts;
    },
  };
}

/**
 * The fields of an `execution_events` row whose values are `v[at..]`,
 * (see {@link executionEventValues}), its JSON texts taken from
 * `prepared[p..p+3]` where there. Written out, each field's encoder called
 * at its own call site.
 */
function executionEventFields(v: readonly unknown[], at: number, prepared: readonly (string | undefined)[] | undefined, p: number): string[] {
  return [
    scalarField(v[at]),
    scalarField(v[at + 1]),
    scalarField(v[at + 2]),
    scalarField(v[at + 3]),
    scalarField(v[at + 4]),
    scalarField(v[at + 5]),
    scalarField(v[at + 6]),
    scalarField(v[at + 7]),
    scalarField(v[at + 8]),
    scalarField(v[at + 9]),
    scalarField(v[at + 10]),
    scalarField(v[at + 11]),
    scalarField(v[at + 12]),
    scalarField(v[at + 13]),
    jsonText(prepared?.[p], v[at + 14]),
    jsonText(prepared?.[p + 1], v[at + 15]),
    jsonText(prepared?.[p + 2], v[at + 16]),
    scalarField(v[at + 17]),
    scalarField(v[at + 18]),
    scalarField(v[at + 19]),
    scalarField(v[at + 20]),
    scalarField(v[at + 21]),
    scalarField(v[at + 22]),
    scalarField(v[at + 23]),
    scalarField(v[at + 24]),
    scalarField(v[at + 25]),
    jsonText(prepared?.[p + 3], v[at + 26]),
  ];
}

/** An encoder for rows with the columns (and column order) of `types`. */
export function copyEncoder<Row>(types: ColumnTypes<Row>): CopyEncoder<Row> {
  const { fields } = rowFields(types);
  return {
    line(row: Row): string {
      return fields(row, -1).join('\t') + '\n';
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
  const { prepare, fields } = rowFields(types);
  let buf = Buffer.allocUnsafe(pieceBytes + HEADER_BYTES);
  let pos = HEADER_BYTES;
  let preparedEnd = 0;
  for (let i = 0; i < rows.length; i++) {
    // Past the prepared rows, not every 64th: rows pushed onto `rows` while the messages are consumed are encoded too.
    if (i >= preparedEnd) {
      preparedEnd = Math.min(rows.length, i + PREPARED_ROWS);
      prepare(rows, i, preparedEnd);
    }
    const line = fields(rows[i] as Row, i).join('\t');
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
