import { UNREADABLE } from './safe-json.js';

/**
 * A plain copy of an options or event object whose own fields are read one
 * at a time, each unreadable one (a throwing getter, a proxy trap) becoming
 * `"[unreadable]"`. The record methods read the caller's object directly,
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
  for (const key of keys) {
    let field: unknown;
    try {
      field = (value as Record<string, unknown>)[key];
    } catch {
      field = UNREADABLE;
    }
    // Defined, not assigned: a `__proto__` key would otherwise set the copy's prototype.
    Object.defineProperty(out, key, { value: field, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
