/**
 * OTLP `AnyValue` → OpenTelemetry API attribute value. The API only allows
 * primitives and homogeneous arrays of primitives; OTLP also carries maps
 * (`kvlist`), nested or mixed arrays and bytes. Those are kept as text
 * rather than dropped: maps and mixed arrays as JSON, bytes as base64.
 */

import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Dialect } from './dialect.js';

/** Deepest nesting converted; deeper values become `"[nested too deep]"`. */
export const MAX_ANY_VALUE_DEPTH = 32;

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

function doubleOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  // JSON encoders write NaN and the infinities as strings.
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function listOf(d: Dialect, container: unknown, snake: string, camel: string): unknown[] {
  const v = d.field(container, snake, camel);
  return Array.isArray(v) ? v : [];
}

/** A nested value as plain JSON data. */
function toPlain(d: Dialect, raw: unknown, depth: number): Plain {
  if (depth > MAX_ANY_VALUE_DEPTH) return '[nested too deep]';
  const any = d.anyValue(raw);
  if (any === undefined) return null;
  switch (any.kind) {
    case 'string':
      return typeof any.value === 'string' ? any.value : null;
    case 'bool':
      return typeof any.value === 'boolean' ? any.value : null;
    case 'int':
      return d.int64(any.value) ?? null;
    case 'double': {
      const n = doubleOf(any.value);
      // JSON has no NaN or infinities: keep them readable as text.
      return n === undefined ? null : Number.isFinite(n) ? n : String(n);
    }
    case 'bytes':
      return d.bytes(any.value) ?? null;
    case 'array':
      return listOf(d, any.value, 'values', 'values').map((v) => toPlain(d, v, depth + 1));
    case 'kvlist': {
      // No prototype: a key named `__proto__` stays data.
      const out = Object.create(null) as { [key: string]: Plain };
      for (const kv of listOf(d, any.value, 'values', 'values')) {
        const key = d.field(kv, 'key', 'key');
        if (typeof key === 'string') out[key] = toPlain(d, d.field(kv, 'value', 'value'), depth + 1);
      }
      return out;
    }
  }
}

/** A homogeneous array the API accepts, or undefined when the elements are mixed or nested. */
function homogeneous(values: Plain[]): AttributeValue | undefined {
  let type: 'string' | 'number' | 'boolean' | undefined;
  for (const v of values) {
    if (v === null) continue;
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') return undefined;
    if (type === undefined) type = t as 'string' | 'number' | 'boolean';
    else if (type !== t) return undefined;
  }
  // `null` entries are allowed in attribute arrays (they stand for missing values).
  return values as AttributeValue;
}

/**
 * One `AnyValue` as an attribute value, or `undefined` for an empty value
 * (no member set), which the API cannot represent.
 */
export function anyValueToAttribute(d: Dialect, raw: unknown): AttributeValue | undefined {
  const any = d.anyValue(raw);
  if (any === undefined) return undefined;
  switch (any.kind) {
    case 'string':
      return typeof any.value === 'string' ? any.value : undefined;
    case 'bool':
      return typeof any.value === 'boolean' ? any.value : undefined;
    case 'int':
      return d.int64(any.value);
    case 'double':
      return doubleOf(any.value);
    case 'bytes':
      return d.bytes(any.value);
    case 'array': {
      const values = listOf(d, any.value, 'values', 'values').map((v) => toPlain(d, v, 1));
      return homogeneous(values) ?? JSON.stringify(values);
    }
    case 'kvlist':
      return JSON.stringify(toPlain(d, raw, 0));
  }
}

/**
 * A repeated `KeyValue` as attributes. Entries without a key or with an
 * empty value are skipped; a repeated key keeps its last value.
 */
export function keyValuesToAttributes(d: Dialect, list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObject(kv)) continue;
    const key = d.field(kv, 'key', 'key');
    // An empty key is no attribute; `__proto__` as a key would set the object's prototype here (and in
    // the SDK's span, which assigns keys the same way), inventing inherited attributes: both skipped.
    if (typeof key !== 'string' || key.length === 0 || key === '__proto__') continue;
    const value = anyValueToAttribute(d, d.field(kv, 'value', 'value'));
    if (value !== undefined) out[key] = value;
  }
  return out;
}
