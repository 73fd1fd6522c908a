/**
 * How the `workflow_runs` rows of a run made of several traces are merged.
 *
 * A run named by `gen_ai.conversation.id` (the gateway's `runIdAttribute`)
 * can span many traces, one per user turn, and no trace's end is the run's
 * end. The gateway makes a run row from the root of each such trace and
 * marks it `meta.multi_trace`. Where a run's row is already stored, a
 * marked row arriving for it is merged with the stored one, not put over it:
 *
 * - `started_at` the earliest, `completed_at` the latest, `duration_ms` the
 *   time between them;
 * - `status` `failed` when either part failed, else the earlier part's;
 * - `mode`, `task_description`, `session_id`, `trace_id`, `span_id`,
 *   `service_name`: the earlier part's (the conversation's opening request
 *   is its task);
 * - `meta`: both parts' keys, the earlier part's where both have one (so
 *   `error_message` is the earlier failed part's when it failed), except
 *   `truncated`: `true` when either part's is ({@link TRUNCATED_KEY}). A
 *   part that was not cut may carry the key from its user meta (`false`,
 *   or any value of the user's); were it the earlier part, its value would
 *   otherwise hide the other part's cut. And `redactions`: the larger count
 *   when both parts' are numbers, a part's number over the other's value that
 *   is none ({@link REDACTIONS_KEY}): a user meta key of that name on the
 *   earlier part must not hide the other part's count either, and the count
 *   of a run of three parts must not depend on their arrival order.
 *
 * "Earlier" orders parts by start, then trace id, then span id (bytewise),
 * and a part's own duration is the time between its stored start and end
 * ({@link partDurationMs}, the mapper's), so the row does not depend on the
 * order the traces arrive in, nor on a part being written twice (a retry).
 * One exception: a `meta` key the earliest part lacks and several later
 * parts carry with different values (`error_message` when several failed
 * and the earliest did not) takes one of theirs, which one depending on
 * their arrival order (the merged row keeps no record of the parts it was
 * made of).
 *
 * Only two ended, marked rows merge. A row in progress never replaces a
 * stored run (as for every run), and an ended row that is not marked, or
 * that meets a stored row in progress or not marked, replaces it (the rule
 * of every run). The same rules are applied twice: in SQL, by the writer's
 * `ON CONFLICT` ({@link RUN_UPSERT_SETS}), and in JavaScript
 * ({@link mergeRunRows}), for two rows of one run in the same batch (a
 * statement cannot update one row twice). Tests hold the two to the same
 * results.
 */

import { RunStatus } from '@agentspan/semconv';
import { WORKFLOW_RUNS_COLUMN_TYPES, type WorkflowRunRow } from './columns.js';
import { inProgressSql, isInProgressRow } from './liveness.js';
import { quoteIdent } from './sql.js';

/** The `meta` key marking a run row as one part of a run made of several traces. */
export const MULTI_TRACE_KEY = 'multi_trace';

/** The `meta` key saying the row's span was cut (`true` only, see `markCut` in row-mapper.ts); a merged run is cut when either part was. */
export const TRUNCATED_KEY = 'truncated';

/**
 * The `meta` key counting the values the processor redacted on the row's span (`markRedacted` in
 * row-mapper.ts); a merged run has the larger of its parts' counts, a number winning over a value
 * that is none (the user's key of that name, kept on a part that counted nothing).
 */
export const REDACTIONS_KEY = 'redactions';

/** Whether `row` is an ended part of a run made of several traces. */
export function isMultiTracePart(row: WorkflowRunRow): boolean {
  // `meta` is checked, not trusted: a spooled row of another version may lack it.
  const meta: unknown = row.meta;
  return typeof meta === 'object' && meta !== null && (meta as Record<string, unknown>)[MULTI_TRACE_KEY] === true && !isInProgressRow(row);
}

/**
 * Microseconds since the epoch of a timestamp as rows hold it
 * (`2026-03-01T12:00:00.123456Z`, also `+012345-…` past year 9999; any
 * other text `Date.parse` reads, to the millisecond); `undefined` for NULL
 * or unreadable text. A `bigint`: past 2255 a double no longer holds every
 * microsecond, and Postgres orders such times exactly.
 */
export function timestampMicros(iso: string | null): bigint | undefined {
  if (iso === null) return undefined;
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{1,6})Z$/.exec(iso);
  if (m !== null) {
    const ms = Date.parse(`${m[1] as string}Z`);
    if (Number.isNaN(ms)) return undefined;
    return BigInt(ms) * 1000n + BigInt((m[2] as string).padEnd(6, '0'));
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1000n;
}

/**
 * The `duration_ms` of a part: the time between its stored start and end,
 * to the microsecond, as the merge computes it (so that merging a part with
 * itself, a retry, changes nothing); `fallback` without both.
 */
export function partDurationMs(startedAt: string | null, completedAt: string | null, fallback: number | null): number | null {
  const start = timestampMicros(startedAt);
  const end = timestampMicros(completedAt);
  return start === undefined || end === undefined ? fallback : microsToMs(end - start);
}

/**
 * `micros` in milliseconds, rounded once to the nearest double, as Postgres casts the exact
 * `EXTRACT(EPOCH …) * 1000` (past 2^53 µs, about 285 years, `Number(micros) / 1000` would round twice).
 */
function microsToMs(micros: bigint): number {
  const negative = micros < 0n;
  const m = negative ? -micros : micros;
  const ms = Number(`${m / 1000n}.${(m % 1000n).toString().padStart(3, '0')}`);
  return negative ? -ms : ms;
}

/** Bytewise comparison of text (Postgres `COLLATE "C"`, on the ASCII ids rows hold). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `a` is the earlier part: start (a missing one last), then trace id, then span id. */
function isEarlier(a: WorkflowRunRow, b: WorkflowRunRow): boolean {
  const sa = timestampMicros(a.started_at);
  const sb = timestampMicros(b.started_at);
  // A missing start sorts last, as 'infinity' does in SQL.
  if (sa !== sb) return sb === undefined || (sa !== undefined && sa < sb);
  const byTrace = compareText(a.trace_id ?? '', b.trace_id ?? '');
  if (byTrace !== 0) return byTrace < 0;
  return compareText(a.span_id ?? '', b.span_id ?? '') <= 0;
}

function extremeTimestamp(a: string | null, b: string | null, latest: boolean): string | null {
  const ma = timestampMicros(a);
  const mb = timestampMicros(b);
  if (ma === undefined) return mb === undefined ? null : b;
  if (mb === undefined) return a;
  return (latest ? mb > ma : mb < ma) ? b : a;
}

/**
 * The row of `stored` and `incoming` merged, when both are ended parts of
 * one run made of several traces; `undefined` otherwise (then `incoming`
 * replaces `stored`, as for every run). Mirrors {@link RUN_UPSERT_SETS}.
 */
export function mergeRunRows(stored: WorkflowRunRow, incoming: WorkflowRunRow): WorkflowRunRow | undefined {
  if (!isMultiTracePart(stored) || !isMultiTracePart(incoming)) return undefined;
  const [first, second] = isEarlier(stored, incoming) ? [stored, incoming] : [incoming, stored];
  const startedAt = extremeTimestamp(stored.started_at, incoming.started_at, false);
  const completedAt = extremeTimestamp(stored.completed_at, incoming.completed_at, true);
  const durations = [stored.duration_ms, incoming.duration_ms].filter((d): d is number => d !== null);
  return {
    ...first, // mode, task, session, trace and span ids, service: the earlier part's
    started_at: startedAt,
    completed_at: completedAt,
    duration_ms: partDurationMs(startedAt, completedAt, durations.length > 0 ? Math.max(...durations) : null),
    status: stored.status === RunStatus.FAILED || incoming.status === RunStatus.FAILED ? RunStatus.FAILED : first.status,
    meta: mergedMeta(first.meta, second.meta),
  };
}

/**
 * `first`'s keys over `second`'s, but cut (`truncated: true`) when either was, and the larger count of
 * redactions ({@link REDACTIONS_KEY}): see {@link MERGED}'s `meta`.
 */
function mergedMeta(first: WorkflowRunRow['meta'], second: WorkflowRunRow['meta']): WorkflowRunRow['meta'] {
  const meta = { ...second, ...first };
  if (second[TRUNCATED_KEY] === true) meta[TRUNCATED_KEY] = true;
  const counts = [first[REDACTIONS_KEY], second[REDACTIONS_KEY]].filter((v): v is number => typeof v === 'number');
  if (counts.length > 0) meta[REDACTIONS_KEY] = Math.max(...counts);
  return meta;
}

// ---------------------------------------------------------------------------
// The same in SQL
// ---------------------------------------------------------------------------

/** Both rows ended parts of a run made of several traces (`EXCLUDED` is known to have ended). */
const MERGES = `(t.meta @> '{"${MULTI_TRACE_KEY}": true}' AND EXCLUDED.meta @> '{"${MULTI_TRACE_KEY}": true}' AND NOT ${inProgressSql('t')})`;

const orderKey = (alias: string): string =>
  `(COALESCE(${alias}.started_at, 'infinity'::timestamptz), COALESCE(${alias}.trace_id, '') COLLATE "C", COALESCE(${alias}.span_id, '') COLLATE "C")`;
/** The stored row is the earlier part. */
const STORED_FIRST = `${orderKey('t')} <= ${orderKey('EXCLUDED')}`;

const EARLIEST_START = 'LEAST(t.started_at, EXCLUDED.started_at)';

/** A row's count of redactions when it is a number, else NULL (which `GREATEST` passes over). */
const countOf = (alias: string): string =>
  `CASE WHEN jsonb_typeof(${alias}.meta->'${REDACTIONS_KEY}') = 'number' THEN ${alias}.meta->'${REDACTIONS_KEY}' END`;
const LATEST_END = 'GREATEST(t.completed_at, EXCLUDED.completed_at)';

/** The merged value of each column that is not simply the earlier part's. */
const MERGED: Readonly<Record<string, string>> = {
  started_at: EARLIEST_START,
  completed_at: LATEST_END,
  duration_ms:
    `CASE WHEN ${EARLIEST_START} IS NOT NULL AND ${LATEST_END} IS NOT NULL ` +
    `THEN (EXTRACT(EPOCH FROM ${LATEST_END} - ${EARLIEST_START}) * 1000)::double precision ` +
    'ELSE GREATEST(t.duration_ms, EXCLUDED.duration_ms) END',
  status:
    `CASE WHEN t.status = '${RunStatus.FAILED}' OR EXCLUDED.status = '${RunStatus.FAILED}' THEN '${RunStatus.FAILED}' ` +
    `WHEN ${STORED_FIRST} THEN t.status ELSE EXCLUDED.status END`,
  // The earlier part's keys win, but a cut is kept whichever part it came from (a `truncated` key of the
  // earlier part's user meta must not hide it). `@>` matches the boolean `true` only, as `=== true` does.
  // The larger count of redactions (jsonb numbers compare as numbers); none when neither is a number
  // (`jsonb_strip_nulls` drops the key `GREATEST` left NULL, and the earlier part's value stays).
  meta:
    `(CASE WHEN ${STORED_FIRST} THEN EXCLUDED.meta || t.meta ELSE t.meta || EXCLUDED.meta END) || ` +
    `CASE WHEN t.meta @> '{"${TRUNCATED_KEY}": true}' OR EXCLUDED.meta @> '{"${TRUNCATED_KEY}": true}' ` +
    `THEN '{"${TRUNCATED_KEY}": true}'::jsonb ELSE '{}'::jsonb END || ` +
    `jsonb_strip_nulls(jsonb_build_object('${REDACTIONS_KEY}', GREATEST(${countOf('t')}, ${countOf('EXCLUDED')})))`,
};

/**
 * The `SET` list of the writer's `INSERT ... ON CONFLICT (id) DO UPDATE` of
 * runs: the incoming row's values, or, when both rows are ended parts of a
 * run made of several traces, the merged ones (stored row as `t`).
 */
export const RUN_UPSERT_SETS: string = (Object.keys(WORKFLOW_RUNS_COLUMN_TYPES) as (keyof WorkflowRunRow)[])
  .filter((c) => c !== 'id')
  .map((c) => {
    const col = quoteIdent(c);
    const merged = MERGED[c] ?? `CASE WHEN ${STORED_FIRST} THEN t.${col} ELSE EXCLUDED.${col} END`;
    return `${col} = CASE WHEN ${MERGES} THEN ${merged} ELSE EXCLUDED.${col} END`;
  })
  .join(', ');
