/**
 * Row sanitising as it was before its fast path (a copy through
 * `sanitizeValue` for every row): the oracle the fast-path property tests
 * compare `sanitizeRow` with (`meta.sanitized` for cleaned values and
 * `meta.truncated` for values cut at a limit, as `sanitizeRow` now reports them).
 */
import { sanitizeValue, type JsonObject, type MappedRow } from '../src/index.js';

export function sanitizeRowReference(mapped: MappedRow): { mapped: MappedRow; sanitized: boolean; size: number } {
  let changed = false;
  let truncated = false;
  let size = 0;
  const row: Record<string, unknown> = {};
  const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [column, value] of Object.entries(mapped.row as object)) {
    if (typeof value === 'string') {
      const clean = (value.replaceAll('\0', '\uFFFD') as unknown as { toWellFormed(): string }).toWellFormed();
      if (clean !== value) changed = true;
      size += clean.length + 4;
      row[column] = clean;
    } else if (typeof value === 'object' && value !== null) {
      const result = sanitizeValue(value);
      if (result.cleaned) changed = true;
      if (result.truncated) truncated = true;
      size += result.size;
      row[column] = isObject(result.value) ? result.value : {};
    } else {
      size += 8;
      row[column] = value;
    }
  }
  if (changed || truncated) {
    row['meta'] = { ...(isObject(row['meta']) ? row['meta'] : {}), ...(changed ? { sanitized: true } : {}), ...(truncated ? { truncated: true } : {}) };
  }
  return { mapped: { kind: mapped.kind, row } as unknown as MappedRow, sanitized: changed, size };
}
