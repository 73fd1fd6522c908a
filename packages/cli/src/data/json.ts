/** A JSON object as read from a `jsonb` column. */
export type JsonObject = { [key: string]: JsonValue };
/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** `value` if it is a JSON object, else `{}` (columns default to `{}`, but views and old rows may differ). */
export function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
}

/** A string, or null for anything else. */
export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A finite number (also from a numeric string, as `bigint`/`numeric` arrive), or null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** The strings of a JSON array (other entries dropped); `[]` for anything else. */
export function asStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** An ISO timestamp from a `timestamptz` value (a Date from node-postgres), or null. */
export function asIso(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string') return value;
  return null;
}
