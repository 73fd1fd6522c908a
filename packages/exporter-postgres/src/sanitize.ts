/**
 * Makes every string of a row acceptable to Postgres: `text` rejects NUL and
 * `jsonb` rejects `\u0000` and unpaired surrogates, and one such string in a
 * multi-row INSERT would fail the whole batch.
 */

import type { ExecutionEventRow, JsonObject, JsonValue, MappedRow } from './columns.js';
import { isWellFormed, toWellFormed } from './well-formed.js';
import { HASH_SUFFIX_BYTES, MAX_INDEXED_BYTES, hashOf, utf8PrefixOf } from './index-safe.js';

/** Replacement for NUL and for lone surrogates. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** Limits of {@link sanitizeValue}: beyond `maxDepth` a value is replaced by a marker string; at `maxNodes` the walk stops (see {@link sanitizeValue}). */
export interface SanitizeLimits {
  /** Deepest nesting kept (the value itself is depth 0). @default 64 */
  readonly maxDepth: number;
  /** Most nodes (values, including containers) visited per call. @default 100000 */
  readonly maxNodes: number;
}

export const DEFAULT_SANITIZE_LIMITS: SanitizeLimits = { maxDepth: 64, maxNodes: 100_000 };

/** Marker written in place of values beyond the limits or of cycles. */
export const MAX_DEPTH_MARKER = '[agentspan: max depth]';
export const MAX_SIZE_MARKER = '[agentspan: max size]';
export const CIRCULAR_MARKER = '[agentspan: circular]';


/**
 * Whether `s` is acceptable to Postgres as it is: no NUL, no lone
 * surrogate (what {@link sanitizeString} would replace). Two native scans
 * rather than a regex: this runs for every string of every row, and on the
 * usual one-byte string `isWellFormed` answers without scanning (about 9 ns
 * against 32 for a character-class test, measured on this project's rows).
 */
export function isCleanString(s: string): boolean {
  return s.indexOf('\0') === -1 && isWellFormed(s);
}

/**
 * A key (a run, node, session or step id) Postgres refuses as it is (a NUL,
 * a lone surrogate) made clean without merging it with another: cleaning alone turns `X\u0000`,
 * `X\ud800` and `X\ud801` all into `X\ufffd`, and these are keys (two
 * runs must never share one). So the cleaned prefix is followed by `~` and
 * the value's hash (`hashOf`, which tells lone surrogates apart), the same
 * every time.
 */
export function cleanKey(s: string): string {
  if (isCleanString(s)) return s;
  return `${utf8PrefixOf(sanitizeString(s), MAX_INDEXED_BYTES - HASH_SUFFIX_BYTES)}~${hashOf(s)}`;
}

/**
 * Columns holding keys: cleaned by {@link cleanKey}, which keeps distinct
 * values distinct. The ids of a span (`trace_id`, `span_id`,
 * `parent_span_id`) too: a child's `parent_span_id` must still name its
 * parent's `span_id`, and two spans must not share one. Only a value that
 * needs cleaning is changed, so hex ids (all that the SDK and the gateway
 * give) are stored as they are.
 */
export const KEY_COLUMNS: ReadonlySet<string> = new Set(['id', 'run_id', 'node_id', 'session_id', 'step_id', 'trace_id', 'span_id', 'parent_span_id']);

/** `s` with NUL and lone surrogates replaced by U+FFFD (the same string when clean). */
export function sanitizeString(s: string): string {
  if (isCleanString(s)) return s;
  // Pairs (emoji, ...) are fine: only NULs and lone surrogates are replaced.
  return toWellFormed(s.includes('\0') ? s.replaceAll('\0', REPLACEMENT_CHARACTER) : s);
}

/**
 * `obj[key] = value` as an own property, also for the key `__proto__`
 * (valid in JSON: `JSON.parse` makes it an own property), which plain
 * assignment would turn into a prototype change, losing the key.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Whether `obj` has an own property `key` (false for an object whose proxy refuses to say). */
function hasOwnKey(obj: object, key: string): boolean {
  try {
    return Object.prototype.hasOwnProperty.call(obj, key);
  } catch {
    return false;
  }
}

/**
 * The name a JSON key takes once cleaned (`clean`, what `original` became)
 * in the copy `out` of the object `source`: `clean` itself, unless another
 * key has that name, a key of `source` (which keeps it: `a\ufffd` beside
 * `a\u0000`) or one already copied (`x\ud800` before `x\ud801`); then
 * `clean`, `~` and the hash of `original` (`hashOf`, which tells lone
 * surrogates apart), as {@link cleanKey} names ids, and `~2`, `~3`, ...
 * after it in the unlikely case that is taken too. So no value is lost
 * when keys collapse, and the same object always gives the same names.
 * Only called for keys that needed cleaning (or cutting): never on the
 * clean-row path.
 */
export function freeKeyName(clean: string, original: string, source: object, out: object): string {
  if (!hasOwnKey(source, clean) && !hasOwnKey(out, clean)) return clean;
  const hashed = `${clean}~${hashOf(original)}`;
  let name = hashed;
  // `source` is asked a bounded number of times (a proxy may claim every key); `out`, ours, is finite.
  for (let n = 2; (n <= 64 && hasOwnKey(source, name)) || hasOwnKey(out, name); n++) name = `${hashed}~${n}`;
  return name;
}

/** Result of a sanitisation: the clean value and what had to change. */
export interface Sanitized<T> {
  readonly value: T;
  /** Whether the value differs from the input in any way (including {@link cleaned} and {@link truncated}). */
  readonly changed: boolean;
  /**
   * Whether a string was cleaned, a value JSON cannot hold was converted or
   * dropped, or a cycle was broken: what `meta.sanitized` reports.
   */
  readonly cleaned: boolean;
  /**
   * Whether a limit cut part of the value: a container nested deeper than
   * `maxDepth` became {@link MAX_DEPTH_MARKER}, or the walk reached
   * `maxNodes` and stopped (the value it was at became
   * {@link MAX_SIZE_MARKER}; everything after it was left out).
   */
  readonly truncated: boolean;
  /**
   * Approximate size of the value as JSON text, in UTF-16 code units
   * (string lengths of values and keys, markers included, plus a few units
   * per other node).
   */
  readonly size: number;
}

/**
 * A JSON-safe copy of `input` in which every string (values and keys) is
 * clean. Also drops what JSON cannot hold (`undefined`, functions, symbols),
 * turns non-finite numbers into `null`, bigints into strings and dates into
 * ISO strings. Keys that become alike once cleaned are all kept (see
 * {@link freeKeyName}). Cycles and depth are bounded by marker strings; at
 * `maxNodes` the walk stops: the value it reached becomes
 * {@link MAX_SIZE_MARKER} and nothing after it is copied (one marker, not
 * one per node left, so the copy is never larger than the limit allows and
 * a huge input costs no more than the limit). Never throws.
 */
export function sanitizeValue(input: unknown, limits: SanitizeLimits = DEFAULT_SANITIZE_LIMITS): Sanitized<JsonValue> {
  let cleaned = false;
  let truncated = false;
  /** Set when the walk reaches `maxNodes`: every open container stops there. */
  let exhausted = false;
  let nodes = 0;
  let size = 0;
  const ancestors = new Set<object>();

  const marker = (text: string): string => {
    size += text.length;
    return text;
  };

  const walk = (v: unknown, depth: number): JsonValue | undefined => {
    size += 4;
    if (++nodes > limits.maxNodes) {
      exhausted = true;
      truncated = true;
      return marker(MAX_SIZE_MARKER);
    }
    switch (typeof v) {
      case 'string': {
        const clean = sanitizeString(v);
        if (clean !== v) cleaned = true;
        size += clean.length;
        return clean;
      }
      case 'number':
        if (Number.isFinite(v)) return v;
        cleaned = true;
        return null;
      case 'boolean':
        return v;
      case 'bigint':
        cleaned = true;
        return marker(v.toString());
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    if (v === null) return null;
    const obj = v as object;
    if (obj instanceof Date) {
      cleaned = true;
      return Number.isNaN(obj.getTime()) ? null : marker(obj.toISOString());
    }
    if (depth >= limits.maxDepth) {
      truncated = true;
      return marker(MAX_DEPTH_MARKER);
    }
    if (ancestors.has(obj)) {
      cleaned = true;
      return marker(CIRCULAR_MARKER);
    }
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const out: JsonValue[] = [];
        for (const item of obj as unknown[]) {
          if (exhausted) break;
          const w = walk(item, depth + 1);
          out.push(w === undefined ? null : w);
        }
        return out;
      }
      const out: { [k: string]: JsonValue } = {};
      for (const key of Object.keys(obj)) {
        if (exhausted) break;
        let item: unknown;
        try {
          item = (obj as Record<string, unknown>)[key];
        } catch {
          cleaned = true;
          continue; // a throwing getter: drop the key
        }
        const w = walk(item, depth + 1);
        if (w === undefined) continue;
        let name = key;
        if (!isCleanString(key)) {
          cleaned = true;
          name = freeKeyName(sanitizeString(key), key, obj, out);
        }
        size += name.length + 4;
        setOwn(out, name, w);
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };

  try {
    const value = walk(input, 0);
    return { value: value === undefined ? null : value, changed: cleaned || truncated, cleaned, truncated, size };
  } catch {
    // Unreachable in practice (walk guards its own hazards); fail closed.
    return { value: null, changed: true, cleaned: true, truncated: false, size: 4 };
  }
}

/**
 * The approximate size {@link sanitizeValue} would report for `input`, if
 * sanitising would leave it exactly as it is (plain JSON values only:
 * strings without NUL or lone surrogates, finite numbers, plain objects and
 * arrays, within the limits); otherwise -1. No copy is made, which is what
 * makes the common case (a clean row) cheap.
 */
function cleanJsonSize(input: unknown, limits: SanitizeLimits): number {
  // Saved and restored: a proxy's trap could call back in.
  const outerNodes = cleanNodes;
  const outerSize = cleanSize;
  const outerLimits = cleanLimits;
  cleanNodes = 0;
  cleanSize = 0;
  cleanLimits = limits;
  try {
    return isCleanJson(input, 0) ? cleanSize : -1;
  } catch {
    return -1;
  } finally {
    cleanNodes = outerNodes;
    cleanSize = outerSize;
    cleanLimits = outerLimits;
  }
}

/** State of the current {@link cleanJsonSize} call (module-level: no closure allocated per call). */
let cleanNodes = 0;
let cleanSize = 0;
let cleanLimits: SanitizeLimits = DEFAULT_SANITIZE_LIMITS;

/**
 * JSON keys lately found clean. The keys of a workload's rows repeat from row to row (the mapper's own,
 * the attributes' names, the keys of the users' JSON), and a key read by `for-in` is an internalised
 * string whose hash V8 keeps: asking the set is cheaper than the two scans. Only short keys are kept,
 * and the set is emptied when full, so it stays small whatever the keys.
 */
const cleanKeys = new Set<string>();
const CLEAN_KEYS_MAX = 4096;
const CLEAN_KEY_MAX_LENGTH = 64;

/** {@link isCleanString} of a JSON key, remembered for short keys found clean. */
function isCleanKey(key: string): boolean {
  if (cleanKeys.has(key)) return true;
  if (!isCleanString(key)) return false;
  if (key.length <= CLEAN_KEY_MAX_LENGTH) {
    if (cleanKeys.size >= CLEAN_KEYS_MAX) cleanKeys.clear();
    cleanKeys.add(key);
  }
  return true;
}

function isCleanJson(v: unknown, depth: number): boolean {
  if (++cleanNodes > cleanLimits.maxNodes) return false;
  cleanSize += 4;
  switch (typeof v) {
    case 'string':
      if (!isCleanString(v)) return false;
      cleanSize += v.length;
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false; // undefined, functions, symbols, bigints: sanitizeValue changes them
  }
  if (v === null) return true;
  if (depth >= cleanLimits.maxDepth) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      // A hole or an undefined item becomes null in the copy.
      if (!(i in v) || !isCleanJson(v[i], depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false; // a Date, a Map, a class instance: let the copy decide
  for (const key in v as Record<string, unknown>) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) return false;
    if (!isCleanKey(key)) return false;
    // A getter is read here and again when the row is encoded. Not asked for: the question was a
    // call into the runtime per key (a third of this walk), and a getter that returns a clean value
    // here and a refused one later only sends the row down the poison-row path, which repairs it.
    const item = (v as Record<string, unknown>)[key];
    if (item === undefined) return false; // a key the copy drops (or a setter without a getter)
    if (!isCleanJson(item, depth + 1)) return false;
    cleanSize += key.length + 4;
  }
  return true;
}

/** Result of {@link sanitizeRow}. */
export interface SanitizedRow<M extends MappedRow> {
  readonly mapped: M;
  /** Whether a string was cleaned (or a value JSON cannot hold converted): `meta.sanitized = true`. */
  readonly sanitized: boolean;
  /** JSON columns a limit cut (see {@link Sanitized.truncated}); when any, `meta.truncated = true`. */
  readonly truncatedColumns: readonly string[];
  /** The row's approximate size (see {@link Sanitized.size}). */
  readonly size: number;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * The row with every string (text columns, JSON values and JSON keys)
 * clean and every JSON value within the walk's limits; `meta.sanitized =
 * true` when a string was replaced, `meta.truncated = true` when a limit cut
 * a value. `size` is the row's approximate size as written. A row that
 * needs no change is returned as it is (`mapped` itself, not a copy).
 * Never throws.
 */
export function sanitizeRow<M extends MappedRow>(mapped: M): SanitizedRow<M> {
  const source = mapped.row as unknown as Record<string, unknown>;
  // Fast path: measure without copying; most rows are clean.
  let size = 0;
  let clean = true;
  for (const column in source) {
    const value = source[column];
    if (typeof value === 'string') {
      if (!isCleanString(value)) {
        clean = false;
        break;
      }
      size += value.length + 4;
    } else if (typeof value === 'object' && value !== null) {
      const n = isObject(value) ? cleanJsonSize(value, DEFAULT_SANITIZE_LIMITS) : -1;
      if (n < 0) {
        clean = false;
        break;
      }
      size += n;
    } else {
      size += 8;
    }
  }
  if (clean) return { mapped, sanitized: false, truncatedColumns: NONE, size };
  return sanitizeRowCopy(mapped);
}

/**
 * {@link sanitizeRow} of an `execution_events` row as the row mapper built it (`mapSpanToRow`, nothing
 * changed since but its `meta`): the same result, measured with fewer instructions. Its columns are read
 * by name instead of by a walk over its keys, and the columns the mapper derives itself are only
 * measured, never scanned, since they are clean by construction: `id` and `parent_event_id` (uuid text or
 * null), `event_type` and `event_subtype` (the type checked against the known ones, and its constant),
 * `timestamp`, `started_at` and `completed_at` (ISO text the mapper formats, or null). Counted with
 * callgrind on the benchmark's workload: the two scans per string (`indexOf`, `isWellFormed`) are about
 * 200 instructions, and the keyed reads of the walk about 100 per column.
 * Only for rows `mapSpanToRow` returned: a row from elsewhere (a spool, a caller) goes through
 * {@link sanitizeRow}, which scans every string.
 */
export function sanitizeMappedEventRow(mapped: MappedRow & { readonly kind: 'event' }): SanitizedRow<MappedRow & { readonly kind: 'event' }> {
  const size = mappedEventRowCleanSize(mapped.row);
  if (size >= 0) return { mapped, sanitized: false, truncatedColumns: NONE, size };
  return sanitizeRowCopy(mapped);
}

/** What {@link sanitizeRow}'s measure adds for `v`, or -1 when `v` needs the copy. */
function columnCleanSize(v: unknown): number {
  if (typeof v === 'string') return isCleanString(v) ? v.length + 4 : -1;
  if (typeof v === 'object' && v !== null) return isObject(v) ? cleanJsonSize(v, DEFAULT_SANITIZE_LIMITS) : -1;
  return 8;
}

/** What {@link sanitizeRow}'s measure adds for `v`, a value known to be clean: a string or null. */
function knownCleanSize(v: string | null): number {
  return typeof v === 'string' ? v.length + 4 : 8;
}

/** The size {@link sanitizeRow} measures for a mapped event row, or -1 when it needs the copy (see {@link sanitizeMappedEventRow}). */
function mappedEventRowCleanSize(row: ExecutionEventRow): number {
  let size =
    knownCleanSize(row.id) +
    knownCleanSize(row.parent_event_id) +
    knownCleanSize(row.event_type) +
    knownCleanSize(row.event_subtype) +
    knownCleanSize(row.timestamp) +
    knownCleanSize(row.started_at) +
    knownCleanSize(row.completed_at);
  let n: number;
  if ((n = columnCleanSize(row.run_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.node_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.step_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.session_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.agent_name)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.agent_role)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.duration_ms)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.inputs)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.outputs)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.meta)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.error_message)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.execution_order)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.depth)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.status)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.trace_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.span_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.parent_span_id)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.name)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.service_name)) < 0) return -1;
  size += n;
  if ((n = columnCleanSize(row.attributes)) < 0) return -1;
  return size + n;
}

/** {@link sanitizeRow} by copying every value through {@link sanitizeValue}. */
function sanitizeRowCopy<M extends MappedRow>(mapped: M): SanitizedRow<M> {
  let cleaned = false;
  const truncatedColumns: string[] = [];
  let size = 0;
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(mapped.row as object)) {
    if (typeof value === 'string') {
      const clean = KEY_COLUMNS.has(column) ? cleanKey(value) : sanitizeString(value);
      if (clean !== value) cleaned = true;
      size += clean.length + 4;
      row[column] = clean;
    } else if (typeof value === 'object' && value !== null) {
      const result = sanitizeValue(value);
      if (result.cleaned) cleaned = true;
      if (result.truncated) truncatedColumns.push(column);
      size += result.size;
      row[column] = isObject(result.value) ? result.value : {};
    } else {
      size += 8;
      row[column] = value;
    }
  }
  if (cleaned || truncatedColumns.length > 0) {
    const meta = isObject(row['meta']) ? row['meta'] : {};
    const flags = { ...(cleaned ? { sanitized: true } : {}), ...(truncatedColumns.length > 0 ? { truncated: true } : {}) };
    row['meta'] = { ...meta, ...flags };
  }
  return { mapped: { kind: mapped.kind, row } as unknown as M, sanitized: cleaned, truncatedColumns, size };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
