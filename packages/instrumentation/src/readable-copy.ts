import { UNREADABLE } from './safe-json.js';

/** Prototypes looked into for getters (a class hierarchy is rarely deeper). */
const MAX_PROTOTYPES = 8;

/**
 * The fields the record methods read (of events, results, options and
 * references): only these are read from a class's getters, since a getter
 * may do more than return a value (a cursor's `nextPage`).
 */
const RECORDED_FIELDS: ReadonlySet<string> = new Set([
  'agent', 'args', 'code', 'content', 'context', 'cwd', 'endTime', 'error', 'exitCode', 'from', 'hasToolCalls', 'language',
  'metadata', 'mode', 'model', 'newTrace', 'nodeId', 'orderBase', 'output', 'path', 'result', 'role', 'runId', 'sender',
  'sessionId', 'source', 'startTime', 'status', 'stepId', 'task', 'title', 'to', 'tool', 'toolCallId', 'traceparent', 'type',
]);

/**
 * A plain copy of an options or event object whose fields are read one at a
 * time, each unreadable one (a throwing getter, a proxy trap) becoming
 * `"[unreadable]"`. Its own enumerable fields, and the getters its class
 * defines for the fields the record methods read (`get tool()` of an event
 * class), are what they would have read. The record methods read the caller's object directly,
 * which is cheapest; when that throws they record again from this copy, so
 * one bad field costs that field, not the event, run or node (nor the
 * explicit `runId` beside it). Never throws: an object whose keys cannot
 * even be listed (a revoked proxy) gives an empty copy.
 */
export function readableCopy(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return out;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return out;
  }
  for (const key of keys) copyField(out, value, key);
  try {
    let proto: unknown = Object.getPrototypeOf(value);
    for (let depth = 0; depth < MAX_PROTOTYPES && proto !== null && proto !== Object.prototype; depth++) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (!RECORDED_FIELDS.has(key) || Object.prototype.hasOwnProperty.call(out, key)) continue;
        if (Object.getOwnPropertyDescriptor(proto, key)?.get !== undefined) copyField(out, value, key);
      }
      proto = Object.getPrototypeOf(proto);
    }
  } catch {
    // A proxy whose prototype cannot be read: its own fields are what there is.
  }
  return out;
}

/** `out[key] = value[key]`, `"[unreadable]"` when reading it throws. */
function copyField(out: Record<string, unknown>, value: object, key: string): void {
  let field: unknown;
  try {
    field = (value as Record<string, unknown>)[key];
  } catch {
    field = UNREADABLE;
  }
  // Defined, not assigned: a `__proto__` key would otherwise set the copy's prototype.
  Object.defineProperty(out, key, { value: field, enumerable: true, writable: true, configurable: true });
}

/**
 * The `fields` of an `end()` options or result object, each read once, into
 * a plain object the attributes are then built from; one that throws (a
 * getter, a proxy trap) is `"[unreadable]"` there, and costs that field
 * alone: built from the caller's object instead, the first field that threw
 * would cost every field after it (an unreadable `result` beside an `error`
 * would record a failed call as a success). Never read twice: a getter may
 * consume its value (a stream's next chunk), and read again it would give
 * another. A field that throws but is not there (a proxy that throws on
 * unknown keys, a revoked one) is no field. Anything but an object has none.
 */
export function readFields(value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return {};
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    try {
      out[field] = (value as Record<string, unknown>)[field];
    } catch {
      if (hasField(value, field)) out[field] = UNREADABLE;
    }
  }
  return out;
}

/** `key in value`, false when even that throws (a revoked proxy). */
function hasField(value: object, key: string): boolean {
  try {
    return key in value;
  } catch {
    return false;
  }
}
