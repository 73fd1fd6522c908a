/**
 * Repairing rows Postgres refuses (pure; no I/O). A refused row is stored
 * repaired rather than lost: first with its offending values replaced
 * ({@link repairRow}), and if even that is refused, as a minimal quarantine
 * row that keeps its identity and says why ({@link quarantineRow}). Rows
 * too large to send are shrunk beforehand ({@link shrinkRow}). Every repaired
 * row carries `meta.repaired = true` and `meta.repair` describing what was done.
 */

import { DAG_NODES_COLUMNS, EVENT_FILL_COLUMNS, EXECUTION_EVENTS_COLUMNS, WORKFLOW_RUNS_COLUMNS, type JsonObject, type JsonValue, type MappedRow } from './columns.js';
import { eventIdFor } from './ids.js';
import { indexSafe } from './index-safe.js';
import { DEFAULT_SANITIZE_LIMITS, KEY_COLUMNS, cleanKey, freeKeyName, sanitizeString, setOwn, type SanitizeLimits } from './sanitize.js';

/** Marker appended to a string that was cut. */
export const TRUNCATION_MARKER = '…[agentspan: truncated]';

/** Longest string kept by {@link repairRow}, UTF-16 code units. */
export const REPAIR_MAX_STRING = 1_000_000;
/** Longest text kept in a quarantine row's columns. */
const QUARANTINE_MAX_TEXT = 1000;
/** Shortest length {@link shrinkRow} cuts a string to. */
const SHRINK_MIN_STRING = 256;

/** `timestamp` of an event row is NOT NULL: the value used when the real one cannot be stored. */
export const EPOCH_ISO = '1970-01-01T00:00:00.000000Z';

/** Columns that identify a row and are never cut. */
const IDENTITY_COLUMNS = new Set(['id', 'span_id', 'trace_id', 'parent_span_id', 'parent_event_id', 'run_id', 'node_id', 'event_type']);

const TIMESTAMP_COLUMNS: Readonly<Record<MappedRow['kind'], readonly string[]>> = {
  event: ['timestamp', 'started_at', 'completed_at'],
  run: ['started_at', 'completed_at'],
  node: ['started_at', 'completed_at'],
  fill: [],
};

const JSON_COLUMNS = new Set(['inputs', 'outputs', 'meta', 'attributes']);

/** Text columns under a btree index (see index-safe.ts). */
const INDEXED_TEXT_COLUMNS: Readonly<Record<MappedRow['kind'], readonly string[]>> = {
  event: ['run_id', 'node_id', 'session_id', 'agent_name', 'trace_id', 'event_type', 'event_subtype'],
  run: ['id'],
  node: ['run_id', 'node_id'],
  fill: ['run_id', 'agent_name', 'node_id'],
};

const TABLE_COLUMNS: Readonly<Record<MappedRow['kind'], readonly string[]>> = {
  event: EXECUTION_EVENTS_COLUMNS,
  run: WORKFLOW_RUNS_COLUMNS,
  node: DAG_NODES_COLUMNS,
  fill: EVENT_FILL_COLUMNS,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]+$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Fixes the uuid columns of event and node rows: a `parent_event_id` that is
 * not a uuid becomes NULL; an `id` that is not one is derived again from the
 * trace and span ids (or from the span id alone).
 */
function repairUuids(kind: MappedRow['kind'], row: Record<string, unknown>, changes: string[]): void {
  if (kind === 'run') return;
  if (kind === 'fill') {
    // It names the parent of the rows it fills: one that is no uuid fills nothing (never a made-up parent).
    if (!(typeof row['parent_event_id'] === 'string' && UUID.test(row['parent_event_id']))) {
      row['parent_event_id'] = NIL_UUID;
      changes.push('parent_event_id: not a uuid, fills nothing');
    }
    return;
  }
  const parent = row['parent_event_id'];
  if (parent !== null && parent !== undefined && !(typeof parent === 'string' && UUID.test(parent))) {
    row['parent_event_id'] = null;
    changes.push('parent_event_id: not a uuid');
  }
  const id = row['id'];
  if (!(typeof id === 'string' && UUID.test(id))) {
    const trace = typeof row['trace_id'] === 'string' && HEX_ID.test(row['trace_id']) ? row['trace_id'] : '0';
    const span = typeof row['span_id'] === 'string' ? row['span_id'] : String(id);
    row['id'] = eventIdFor(trace, span);
    changes.push('id: not a uuid, derived again');
  }
}

/** An ISO timestamp Postgres accepts: years 0001 to 9999, as this package writes them. */
const ISO_TIMESTAMP = /^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;

/** Whether `value` is a timestamp string Postgres will take. */
export function isStorableTimestamp(value: unknown): boolean {
  return typeof value === 'string' && ISO_TIMESTAMP.test(value);
}

/** Why a row was repaired: the SQLSTATE (or `too_large`) and the error message. */
export interface RepairReason {
  readonly code: string;
  readonly message: string;
}

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1; // never leave half a surrogate pair
  return s.slice(0, end) + TRUNCATION_MARKER;
}

function mapStrings(v: JsonValue, f: (s: string) => string): JsonValue {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const name = f(k);
      // Two keys cut or cleaned alike both keep their value.
      setOwn(out, name === k ? k : freeKeyName(name, k, v, out), mapStrings(x, f));
    }
    return out;
  }
  return v;
}

function withRepairMeta(meta: unknown, reason: RepairReason, details: JsonObject): JsonObject {
  const base = meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as JsonObject) : {};
  return {
    ...base,
    repaired: true,
    repair: { code: reason.code, message: cut(reason.message, 500), ...details },
  };
}

function rowOf(m: MappedRow): Record<string, unknown> {
  return { ...(m.row as unknown as Record<string, unknown>) };
}

function asMapped(kind: MappedRow['kind'], row: Record<string, unknown>): MappedRow {
  return { kind, row } as unknown as MappedRow;
}

/**
 * The row with every value Postgres may refuse replaced: timestamps outside
 * what it stores become NULL (the NOT NULL event `timestamp` becomes the
 * epoch; originals are kept in `meta.repair.original`), strings longer than
 * `maxString` are cut, text columns lose any NUL. `meta.repaired = true`.
 */
export function repairRow(mapped: MappedRow, reason: RepairReason, maxString = REPAIR_MAX_STRING): MappedRow {
  const row = rowOf(mapped);
  const changes: string[] = [];
  const original: JsonObject = {};
  for (const col of TIMESTAMP_COLUMNS[mapped.kind]) {
    const v = row[col];
    if (v === null || v === undefined || isStorableTimestamp(v)) continue;
    original[col] = typeof v === 'string' ? cut(v, 100) : String(v);
    row[col] = col === 'timestamp' ? EPOCH_ISO : null;
    changes.push(`${col}: not a storable timestamp`);
  }
  repairUuids(mapped.kind, row, changes);
  for (const col of INDEXED_TEXT_COLUMNS[mapped.kind]) {
    // Rows mapped by this version fit already; a spooled row of an earlier one may not (SQLSTATE 54000).
    const v = row[col];
    if (typeof v === 'string' && indexSafe(v) !== v) {
      row[col] = indexSafe(v);
      changes.push(`${col}: too long for its index, cut and hashed`);
    }
  }
  const clean = (s: string): string => sanitizeString(cut(s, maxString));
  for (const [col, v] of Object.entries(row)) {
    if (col === 'meta') continue;
    if (typeof v === 'string' && !IDENTITY_COLUMNS.has(col) && !TIMESTAMP_COLUMNS[mapped.kind].includes(col)) {
      const c = clean(v);
      if (c !== v) {
        row[col] = c;
        changes.push(`${col}: cut or cleaned`);
      }
    } else if (JSON_COLUMNS.has(col) && v !== null && typeof v === 'object') {
      const before = JSON.stringify(v);
      const after = mapStrings(v as JsonValue, clean);
      if (JSON.stringify(after) !== before) {
        row[col] = after;
        changes.push(`${col}: strings cut or cleaned`);
      }
    }
  }
  const meta = mapStrings((row['meta'] ?? {}) as JsonValue, clean);
  row['meta'] = withRepairMeta(meta, reason, {
    changes,
    ...(Object.keys(original).length > 0 ? { original } : {}),
  });
  return asMapped(mapped.kind, row);
}

/**
 * A minimal row for a span whose values Postgres refuses even after
 * {@link repairRow}: its identity (ids, type, name, status, order, depth,
 * service), storable timestamps only, empty `inputs`/`outputs`/`attributes`,
 * and `meta = { repaired: true, quarantined: true, repair: { code, message } }`.
 */
export function quarantineRow(mapped: MappedRow, reason: RepairReason): MappedRow {
  const src = rowOf(mapped);
  const row: Record<string, unknown> = {};
  // Cut by characters, then by bytes: 1000 CJK characters are 3000 bytes, too many for an index entry.
  const text = (v: unknown): string | null =>
    typeof v === 'string' ? sanitizeString(indexSafe(cut(v, QUARANTINE_MAX_TEXT))) : null;
  // Every column of the table, not only those the row has: a spooled record from another version
  // may lack some, and a column left out of a write is NULL, not its default.
  for (const col of TABLE_COLUMNS[mapped.kind]) {
    const v = src[col];
    if (TIMESTAMP_COLUMNS[mapped.kind].includes(col)) {
      row[col] = isStorableTimestamp(v) ? v : col === 'timestamp' ? EPOCH_ISO : null;
    } else if (JSON_COLUMNS.has(col)) {
      row[col] = {};
    } else if (typeof v === 'string') {
      // Identity is kept whole (joins on it must hold), only made storable: its index entry, no NUL.
      row[col] = KEY_COLUMNS.has(col) ? cleanKey(indexSafe(v)) : IDENTITY_COLUMNS.has(col) ? sanitizeString(indexSafe(v)) : text(v);
    } else if (typeof v === 'number') {
      row[col] = Number.isFinite(v) ? v : null;
    } else {
      row[col] = v ?? null;
    }
  }
  repairUuids(mapped.kind, row, []);
  // NOT NULL text columns must stay non-null after cutting.
  if (mapped.kind === 'node') {
    row['run_id'] ??= 'unknown';
    row['node_id'] ??= 'unknown';
  }
  if (mapped.kind === 'event') {
    row['status'] ??= 'completed';
    row['event_type'] ??= 'unknown';
    row['trace_id'] ??= '';
    row['span_id'] ??= '';
  }
  row['meta'] = withRepairMeta({}, reason, { quarantined: true });
  (row['meta'] as JsonObject)['quarantined'] = true;
  return asMapped(mapped.kind, row);
}

/** Rows {@link shrinkRow} made, so that they are counted as repaired once (`meta.repaired` alone is user-writable). */
const SHRUNK_ROWS = new WeakSet<MappedRow>();

/** Whether `row` was shrunk to `maxRowSize` by this process (a spooled row read back is a new object: not counted again). */
export function wasShrunk(row: MappedRow): boolean {
  return SHRUNK_ROWS.has(row);
}

/**
 * The row `sanitizeRow` returned with `columns` cut at the walk's limits
 * (`meta.truncated = true` already), marked as a row too large to store
 * whole: `meta.repaired = true`, `meta.repair = { code: 'too_large',
 * message, changes }`, and counted like a row {@link shrinkRow} made.
 */
export function markTruncatedRow(mapped: MappedRow, columns: readonly string[], limits: SanitizeLimits = DEFAULT_SANITIZE_LIMITS): MappedRow {
  const row = rowOf(mapped);
  const limit = `${limits.maxNodes} JSON values or nesting depth ${limits.maxDepth}`;
  row['meta'] = withRepairMeta(row['meta'], { code: 'too_large', message: `a JSON value exceeds ${limit}` }, {
    changes: columns.map((c) => `${c}: cut at ${limit}`),
  });
  const marked = asMapped(mapped.kind, row);
  SHRUNK_ROWS.add(marked);
  return marked;
}

/**
 * The row with its longest strings cut so that its approximate size (as
 * measured by `sanitizeRow`) fits `maxSize`: one cap is computed so that
 * the strings, each cut to at most the cap, fit what the rest of the row
 * leaves (water-filling), and every longer string is cut to it. Undefined
 * when cutting strings cannot make it fit.
 */
export function shrinkRow(mapped: MappedRow, size: number, maxSize: number): MappedRow | undefined {
  const row = rowOf(mapped);
  const lengths: number[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') lengths.push(v.length);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const [col, v] of Object.entries(row)) if (!IDENTITY_COLUMNS.has(col)) collect(v);
  const stringTotal = lengths.reduce((a, b) => a + b, 0);
  const budget = maxSize - Math.max(0, size - stringTotal) - lengths.length * TRUNCATION_MARKER.length;
  if (budget <= 0) return undefined;
  lengths.sort((a, b) => b - a);
  // Largest cap c with sum(min(len, c)) <= budget.
  let cap = 0;
  let rest = stringTotal;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] as number;
    rest -= len; // strings shorter than this one keep their length
    const c = Math.floor((budget - rest) / (i + 1));
    if (c >= len) {
      cap = len;
      break;
    }
    cap = c;
    const next = lengths[i + 1] ?? 0;
    if (c >= next) break;
  }
  cap = Math.max(cap, SHRINK_MIN_STRING);
  const shrink = (s: string): string => cut(s, cap);
  const changes: string[] = [];
  for (const [col, v] of Object.entries(row)) {
    if (IDENTITY_COLUMNS.has(col) || col === 'meta') continue;
    if (typeof v === 'string' && v.length > cap) {
      row[col] = shrink(v);
      changes.push(col);
    } else if (JSON_COLUMNS.has(col) && v !== null && typeof v === 'object') {
      row[col] = mapStrings(v as JsonValue, shrink);
      changes.push(col);
    }
  }
  row['meta'] = withRepairMeta(mapStrings((row['meta'] ?? {}) as JsonValue, shrink), { code: 'too_large', message: `row of about ${size} characters exceeds maxRowSize ${maxSize}` }, {
    // A row already cut at the walk's limits (markTruncatedRow) keeps saying so.
    changes: [...earlierTooLargeChanges(row['meta']), ...changes.map((c) => `${c}: strings cut to ${cap} characters`)],
    original_size: size,
  });
  const shrunk = asMapped(mapped.kind, row);
  SHRUNK_ROWS.add(shrunk);
  return shrunk;
}

/** `meta.repair.changes` of a row already marked `too_large` (by {@link markTruncatedRow}); otherwise none. */
function earlierTooLargeChanges(meta: unknown): string[] {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return [];
  const repair = (meta as JsonObject)['repair'];
  if (repair === null || typeof repair !== 'object' || Array.isArray(repair) || repair['code'] !== 'too_large') return [];
  const changes = repair['changes'];
  return Array.isArray(changes) ? changes.filter((c): c is string => typeof c === 'string') : [];
}
