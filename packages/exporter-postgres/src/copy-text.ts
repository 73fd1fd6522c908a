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

/** An encoder for rows with the columns (and column order) of `types`. */
export function copyEncoder<Row>(types: ColumnTypes<Row>): CopyEncoder<Row> {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const fields = columns.map((c) => (types[c] === 'jsonb' ? jsonField : scalarField));
  const n = columns.length;
  return {
    line(row: Row): string {
      const r = row as Record<string, unknown>;
      let out = (fields[0] as (v: unknown) => string)(r[columns[0] as string]);
      for (let i = 1; i < n; i++) {
        out += '\t';
        out += (fields[i] as (v: unknown) => string)(r[columns[i] as string]);
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
