/**
 * Rows in PostgreSQL's COPY text format (tab-separated columns, `\N` for
 * NULL, backslash escapes), for `COPY ... FROM STDIN`. Values are written as
 * the text the unnest path would send for the same row (JSON columns as
 * `JSON.stringify`, numbers with `String`), so both paths store the same
 * values and refuse the same bad ones.
 */

import type { ColumnTypes } from './columns.js';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES = /[\\\n\r\t]/g;

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t';
}

/** One value as a COPY text field. */
export function copyField(value: unknown, json: boolean): string {
  if (value === null || value === undefined) return '\\N';
  const s = json ? JSON.stringify(value) : typeof value === 'string' ? value : String(value);
  // JSON.stringify returns undefined for a function or symbol: a row fault, like a value pg could not send.
  if (typeof s !== 'string') throw new TypeError('a JSON column holds a value JSON cannot represent');
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPES, escapeChar) : s;
}

/** `rows` as COPY text, columns in the order of `types`. Throws on a value that cannot be serialised. */
export function toCopyText<Row>(rows: readonly Row[], types: ColumnTypes<Row>): string {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const json = columns.map((c) => types[c] === 'jsonb');
  const last = columns.length - 1;
  let out = '';
  for (const row of rows) {
    for (let i = 0; i <= last; i++) {
      out += copyField(row[columns[i] as keyof Row], json[i] as boolean);
      out += i === last ? '\n' : '\t';
    }
  }
  return out;
}
