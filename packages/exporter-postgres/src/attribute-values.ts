/**
 * Readers of span attribute values (pure). Attribute values are strings,
 * numbers, booleans or homogeneous arrays of them; the readers coerce what
 * can be coerced and return `undefined` for absent or unusable values.
 *
 * They take the value, not the attributes and a key: the caller writes
 * `readString(a[Attr.X])`, so each read is a property load of its own with
 * one name, which V8 answers from the object's shape. A shared
 * `attrs[key]` inside the reader sees every name the mapper asks for and
 * falls back to a hash lookup per read (about a tenth of the mapper's
 * instructions, measured with `bench/instructions.bench.ts`).
 */

import { quoteInexactNumbers } from './json-numbers.js';
import type { AttributeValue } from '@opentelemetry/api';
import type { JsonObject, JsonValue } from './columns.js';

const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;

/** A string value (numbers and booleans as their text). */
export function readString(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number (numeric strings accepted). */
export function readNumber(v: AttributeValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** An integer that fits Postgres `integer` (numeric strings accepted). */
export function readInt(v: AttributeValue | undefined): number | undefined {
  const n = readNumber(v);
  return n !== undefined && Number.isInteger(n) && n >= INT4_MIN && n <= INT4_MAX ? n : undefined;
}

/** A boolean (`'true'`/`'false'` strings accepted). */
export function readBoolean(v: AttributeValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** An attribute value as JSON, without parsing strings (array holes become null). */
export function attributeToJson(v: AttributeValue | undefined): JsonValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return (v as readonly unknown[]).map((x) => (x === undefined ? null : (x as JsonValue)));
  return v as JsonValue;
}

/**
 * A value that may be JSON text: strings are parsed, falling back to the
 * raw string when they are not valid JSON; arrays and scalars as they are.
 */
export function readJson(v: AttributeValue | undefined): JsonValue | undefined {
  if (typeof v === 'string') return parseJsonText(v);
  return attributeToJson(v);
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** JSON's own whitespace (what `JSON.parse` skips around a value). */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * False only when `JSON.parse(text)` is sure to throw (cheap checks of the
 * first and last characters), so plain text, the common case for a tool
 * result or a message, never pays for an exception (a thrown SyntaxError
 * costs microseconds: its stack is captured).
 */
function mayBeJson(text: string): boolean {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isJsonSpace(text.charCodeAt(start))) start++;
  while (end >= start && isJsonSpace(text.charCodeAt(end))) end--;
  if (start > end) return false;
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(end);
  switch (first) {
    case 0x7b: // {
      return last === 0x7d;
    case 0x5b: // [
      return last === 0x5d;
    case 0x22: // "
      return last === 0x22 && end > start;
    case 0x74: // t
    case 0x66: // f
    case 0x6e: {
      // n
      const word = text.slice(start, end + 1);
      return word === 'true' || word === 'false' || word === 'null';
    }
    default:
      return (first === 0x2d || (first >= 0x30 && first <= 0x39)) && JSON_NUMBER.test(text.slice(start, end + 1));
  }
}

/**
 * `JSON.parse(text)`, or `text` itself when it is not valid JSON. Numbers a
 * double cannot hold exactly (a 64-bit id, `1e400`, 19 significant digits)
 * come back as their text (see json-numbers.ts), not as another number.
 */
export function parseJsonText(text: string): JsonValue {
  if (!mayBeJson(text)) return text;
  try {
    const quoted = quoteInexactNumbers(text);
    if (quoted !== text) JSON.parse(text); // only valid JSON is parsed: invalid text stays text, whatever quoting did to it
    return JSON.parse(quoted) as JsonValue;
  } catch {
    return text;
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of a value: strings as they are, anything else as JSON. */
export function textOf(v: AttributeValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Number of Unicode code points in `s` (what Python's `len` counts). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The first `max` code points of `s` (never splits a surrogate pair). */
export function preview(s: string, max: number): string {
  if (s.length <= max) return s;
  let points = 0;
  let i = 0;
  while (i < s.length && points < max) {
    const c = s.charCodeAt(i);
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    points++;
  }
  return s.slice(0, i);
}
