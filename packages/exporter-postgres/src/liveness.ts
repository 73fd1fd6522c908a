/**
 * Whether a run or node whose row says `running` is still going. Its row in
 * progress is written when it starts and again on every heartbeat of the
 * delivery pipeline (`heartbeatIntervalMillis`, one minute by default) while
 * it runs, each time with `meta.last_seen_at` and `meta.heartbeat_ms` (the
 * interval). `last_seen_at` is stamped by the writer's statement with the
 * server's time (`heartbeatStatement`), the clock the readers' rule compares
 * it with: the clocks of the hosts that record never enter it. A row last
 * written more than two intervals and a minute ago is *stale*: its process
 * most likely died without ending it (SIGKILL, out of memory, power lost),
 * or has not reached Postgres since. Stale is a reading, never stored: the
 * row turns `running` again with the next heartbeat written (also one a
 * later process replays from a spool: for up to two intervals and a minute
 * then), and is replaced by the row of the end as always.
 *
 * Kept in `meta`, not in columns of their own: a writer never depends on a
 * migration having run (a role that may not alter the tables still writes
 * every row), and a row in progress holds nothing else in `meta` (but a repair
 * record, when its values needed one).
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MAX_TIMER_MILLIS } from '@agentspan/delivery';
import { RunStatus } from '@agentspan/semconv';
import type { JsonObject } from './columns.js';

/** The `meta` key of a row in progress: when it was last written, by the server's clock (ISO 8601, UTC, milliseconds). */
export const LAST_SEEN_AT_KEY = 'last_seen_at';
/** The `meta` key of a row in progress: the heartbeat interval it was written with, ms. */
export const HEARTBEAT_MS_KEY = 'heartbeat_ms';
/**
 * The `meta` key of an event's ended row whose event had a row in progress
 * (it ran longer than `showRunningAfterMillis`): `true`. The writer puts such
 * rows over their row in progress (`replaceInProgressStatement`); every
 * other ended event is only inserted. Kept in the stored row: it also tells
 * a reader the event was shown while it ran.
 */
export const SHOWN_IN_PROGRESS_KEY = 'shown_in_progress';
/** The status a reader gives a row in progress that fell silent (see {@link effectiveStatusSql}). */
export const STALE_STATUS = 'stale';
/** Silence allowed beyond two heartbeat intervals before a row in progress reads as stale, seconds. */
export const STALE_GRACE_SECONDS = 60;
/** Missed heartbeat intervals (before the grace) after which a row in progress reads as stale. */
export const STALE_AFTER_INTERVALS = 2;

/** What the recording process knows of a row in progress when it maps it. */
export interface Liveness {
  /**
   * When the row is prepared (the process is alive then), ISO 8601 as `Date#toISOString` writes it:
   * the row's `last_seen_at` until the writer stamps the server's time over it.
   */
  readonly seenAt: string;
  /** The heartbeat interval, ms; absent or 0 when there is no heartbeat (the row then never reads stale). */
  readonly heartbeatMillis?: number | undefined;
}

/** The heartbeat a writer's rows in progress are marked with: its interval, and the running spans it follows. */
export interface HeartbeatOf {
  readonly millis: number;
  /** Whether the span gets heartbeats (a span beyond the delivery pipeline's bound gets none: its row must not read stale). */
  follows(span: ReadableSpan): boolean;
  /**
   * Whether an event span was queued in progress (it ran longer than
   * `showRunningAfterMillis`): its ended row is marked {@link SHOWN_IN_PROGRESS_KEY}.
   * Absent: no event is.
   */
  shownRunning?(span: ReadableSpan): boolean;
}

/** The `meta` of a row in progress. */
export function livenessMeta(liveness: Liveness): JsonObject {
  const meta: JsonObject = { [LAST_SEEN_AT_KEY]: liveness.seenAt };
  const every = liveness.heartbeatMillis;
  if (every !== undefined && Number.isFinite(every) && every > 0) meta[HEARTBEAT_MS_KEY] = every;
  return meta;
}

/** SQL: the timestamptz `expr` as `meta.last_seen_at` holds it (ISO 8601, UTC, milliseconds: compared as text). */
export function serverTimeSql(expr: string): string {
  return `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** SQL: `meta.last_seen_at` of `alias` when it is a row in progress, else NULL (a row that ended says nothing of it). */
export function lastSeenAtSql(alias: string): string {
  return `CASE WHEN ${inProgressSql(alias)} THEN ${alias}.meta->>'${LAST_SEEN_AT_KEY}' END`;
}

/**
 * Whether `alias` (a `workflow_runs`, `dag_nodes` or `execution_events` row) is a row in progress, in
 * SQL: it says `running` and has neither end nor duration. The duration tells it from an ended row
 * stored repaired without its end time (Postgres refused it) whose status, given by the application,
 * also says `running`.
 */
export function inProgressSql(alias: string): string {
  return `(${alias}.status = '${RunStatus.RUNNING}' AND ${alias}.completed_at IS NULL AND ${alias}.duration_ms IS NULL)`;
}

/** {@link inProgressSql} for a row in hand: `running`, no end, no duration. */
export function isInProgressRow(row: { readonly status: string | null; readonly completed_at: string | null; readonly duration_ms: number | null }): boolean {
  return row.status === RunStatus.RUNNING && row.completed_at === null && row.duration_ms === null;
}

/**
 * SQL: the status of `alias` (a `workflow_runs`, `dag_nodes` or `execution_events` row) as a
 * reader should show it: {@link STALE_STATUS} for a row in progress that
 * has fallen silent, else the stored status. Never raises on odd `meta`
 * (a user's meta only ever reaches rows that ended; a row without the keys,
 * from a version before heartbeats or with them off, stays `running`): the
 * time is compared as text (every `last_seen_at` has the one format of
 * {@link serverTimeSql}) and the interval read only from a JSON number, kept
 * between 0 and a Node timer's longest delay (no longer interval can be set).
 */
export function effectiveStatusSql(alias: string): string {
  const meta = `${alias}.meta`;
  const silence = `make_interval(secs => ${STALE_AFTER_INTERVALS} * greatest(least((${meta}->'${HEARTBEAT_MS_KEY}')::numeric, ${MAX_TIMER_MILLIS}), 0) / 1000 + ${STALE_GRACE_SECONDS})`;
  const cutoff = serverTimeSql(`now() - ${silence}`);
  // The JSON checks in an outer CASE: a CASE decides its condition before it evaluates its result, where
  // the operands of an AND may be evaluated in any order (a cast of a string would raise).
  return (
    `CASE WHEN ${inProgressSql(alias)} AND jsonb_typeof(${meta}->'${HEARTBEAT_MS_KEY}') = 'number' ` +
    `AND jsonb_typeof(${meta}->'${LAST_SEEN_AT_KEY}') = 'string' ` +
    `THEN CASE WHEN (${meta}->>'${LAST_SEEN_AT_KEY}') COLLATE "C" < ${cutoff} COLLATE "C" THEN '${STALE_STATUS}' ELSE ${alias}.status END ` +
    `ELSE ${alias}.status END`
  );
}
