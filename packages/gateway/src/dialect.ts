/**
 * The two OTLP encodings differ only in how a few field kinds look once
 * parsed: protobuf (decoded by protobufjs with `keepCase`) gives snake_case
 * names, `Uint8Array` ids and `Long` 64-bit integers; OTLP/JSON gives
 * lowerCamelCase names, hex ids, base64 bytes and 64-bit integers as strings
 * or numbers. A `Dialect` reads each kind; everything else is shared.
 */

/** Reads the fields whose shape depends on the encoding. All methods are total: bad input gives `undefined` or `null`. */
export interface Dialect {
  /** The value of a field, by its proto name (snake_case) or its JSON name (lowerCamelCase). */
  field(obj: unknown, snake: string, camel: string): unknown;
  /** An id as lower-case hex: `undefined` when empty/absent, `null` when present but not `bytes` long. */
  id(value: unknown, bytes: number): string | undefined | null;
  /** A 64-bit unsigned integer (times in nanoseconds): `undefined` when absent, `null` when present but not one (negative, fractional, 2^64 or more, not a number). */
  uint64(value: unknown): bigint | undefined | null;
  /** A 64-bit signed integer as a JS number when exact, else its decimal text. */
  int64(value: unknown): number | string | undefined;
  /** A `bytes` value as base64 text. */
  bytes(value: unknown): string | undefined;
  /** An enum value as its number (JSON may also name it). */
  enumValue(value: unknown, names: Readonly<Record<string, number>>): number | undefined;
  /** Which `AnyValue` field is set, and its raw value. */
  anyValue(value: unknown): { readonly kind: AnyValueKind; readonly value: unknown } | undefined;
}

export type AnyValueKind = 'string' | 'bool' | 'int' | 'double' | 'array' | 'kvlist' | 'bytes';

const ANY_VALUE_FIELDS: readonly (readonly [AnyValueKind, string, string])[] = [
  ['string', 'string_value', 'stringValue'],
  ['bool', 'bool_value', 'boolValue'],
  ['int', 'int_value', 'intValue'],
  ['double', 'double_value', 'doubleValue'],
  ['array', 'array_value', 'arrayValue'],
  ['kvlist', 'kvlist_value', 'kvlistValue'],
  ['bytes', 'bytes_value', 'bytesValue'],
];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

/** A protobufjs `Long` (or anything with `low`/`high` 32-bit halves). */
interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

function isLongLike(v: unknown): v is LongLike {
  return isObject(v) && typeof v['low'] === 'number' && typeof v['high'] === 'number';
}

function longToBigInt(v: LongLike, signed: boolean): bigint {
  const unsignedValue = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed && v.high < 0 ? unsignedValue - (1n << 64n) : unsignedValue;
}

function exactNumber(v: bigint): number | string {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_RE = /^[0-9a-fA-F]*$/;

const UINT64_LIMIT = 1n << 64n;

/** A number as a uint64: a non-negative integer below 2^64, else `null`. */
function uint64OfNumber(value: unknown): bigint | null {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return null;
  const n = BigInt(value);
  return n < UINT64_LIMIT ? n : null;
}
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** protobufjs messages decoded with `keepCase: true`. */
export const protobufDialect: Dialect = {
  field: (obj, snake) => (isObject(obj) ? obj[snake] : undefined),
  id(value, bytes) {
    if (!(value instanceof Uint8Array) || value.length === 0) return undefined;
    return value.length === bytes ? hexOf(value) : null;
  },
  uint64(value) {
    if (value === undefined || value === null) return undefined;
    if (isLongLike(value)) return longToBigInt(value, false);
    return uint64OfNumber(value);
  },
  int64(value) {
    if (isLongLike(value)) return exactNumber(longToBigInt(value, value.unsigned !== true));
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return undefined;
  },
  bytes: (value) => (value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : undefined),
  enumValue: (value) => (typeof value === 'number' && Number.isInteger(value) ? value : undefined),
  anyValue(value) {
    if (!isObject(value)) return undefined;
    // protobufjs exposes the set member of the `value` oneof by name.
    const set = value['value'];
    for (const [kind, snake] of ANY_VALUE_FIELDS) {
      if (set === snake) return { kind, value: value[snake] };
    }
    return undefined;
  },
};

/** OTLP/JSON as the specification defines it (hex ids), tolerating the proto names and base64 ids some senders use. */
export const jsonDialect: Dialect = {
  field(obj, snake, camel) {
    if (!isObject(obj) || Array.isArray(obj)) return undefined;
    const v = obj[camel];
    return v !== undefined ? v : obj[snake];
  },
  id(value, bytes) {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return null;
    if (HEX_RE.test(value)) return value.length === bytes * 2 ? value.toLowerCase() : null;
    // Not OTLP/JSON, but what a generic proto3 JSON encoder writes for `bytes`. Only for text that is
    // not hex: hex of the wrong length (leading zeros dropped) also reads as base64, as other bytes.
    if (value.length <= bytes * 2 && BASE64_RE.test(value)) {
      const b = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
      if (b.length === bytes) return b.toString('hex');
    }
    return null;
  },
  uint64(value) {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      if (!/^\d{1,20}$/.test(value)) return null;
      const n = BigInt(value);
      return n < UINT64_LIMIT ? n : null;
    }
    return uint64OfNumber(value);
  },
  int64(value) {
    if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return exactNumber(BigInt(value));
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return undefined;
  },
  bytes: (value) => (typeof value === 'string' ? value : undefined),
  enumValue(value, names) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string') return names[value];
    return undefined;
  },
  anyValue(value) {
    if (!isObject(value) || Array.isArray(value)) return undefined;
    for (const [kind, snake, camel] of ANY_VALUE_FIELDS) {
      const v = value[camel] !== undefined ? value[camel] : value[snake];
      if (v !== undefined && v !== null) return { kind, value: v };
    }
    return undefined;
  },
};
