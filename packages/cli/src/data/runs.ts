import type pg from 'pg';
import { effectiveStatusSql, eventSucceededSql, lastSeenAtSql } from '@agentspan/exporter-postgres';
import { runOutcomeSql, type RunOutcome } from '@agentspan/exporter-postgres';
import { asIso, asNumber, asObject, asString } from './json.js';

/** One line of `agentspan runs`. */
export interface RunListEntry {
  id: string;
  mode: string | null;
  task: string | null;
  /** The stored status, or `stale` for a run whose row says `running` but whose heartbeat stopped (see `lastSeenAt`). */
  status: string | null;
  /** When a run in progress was last seen running by its process (its heartbeat), null for a run that ended or has none. */
  lastSeenAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  /** Events by `event_type`, e.g. `{ agent_call: 3, code_exec: 2 }`. */
  eventCounts: Record<string, number>;
  /**
   * Events that failed: ended with a status that says failure (`failed`, `error`, `timeout`, any word
   * but those for success, `pending` and `skipped`) or an error flag, as `agentspan_event_outcomes`
   * reads them (`succeeded` false; an event in progress has no outcome and is not counted). Read
   * with the view's own definition (`eventSucceededSql`), not from the view: the same count on a
   * schema migrated before the view existed (migration 20) or read `error` as a success (25).
   */
  failedEvents: number;
  /** Distinct agent names, sorted. */
  agents: string[];
  /** When the run's last event ended (its start when it has no end), null without events: how far a run with no end recorded got. */
  lastEventAt: string | null;
}

/** Filters of {@link listRuns}. */
export interface ListRunsOptions {
  /** Only runs started at or after this time. */
  since?: Date | undefined;
  /** Only runs whose status reads this outcome (`failed` includes `error` and any other non-standard status; `running` means running and still seen). */
  outcome?: RunOutcome | undefined;
  /** At most this many runs, newest first. */
  limit: number;
}

/**
 * The newest runs (by `started_at`) with their event counts and agents. Runs
 * are listed from `workflow_runs`, which has a run's row from its start
 * (status `running`) when it was recorded through agentspan's processor.
 */
export async function listRuns(client: pg.ClientBase, options: ListRunsOptions): Promise<RunListEntry[]> {
  const res = await client.query(
    `WITH r AS (
       SELECT id, mode, task_description, status, last_seen_at, started_at, completed_at, duration_ms
         FROM (SELECT w.id, w.mode, w.task_description, ${effectiveStatusSql('w')} AS status,
                      ${lastSeenAtSql('w')} AS last_seen_at,
                      w.started_at, w.completed_at, w.duration_ms
                 FROM workflow_runs w
                WHERE $1::timestamptz IS NULL OR w.started_at >= $1::timestamptz) w
        WHERE $2::text IS NULL OR ${runOutcomeSql('w.status')} = $2::text
        ORDER BY started_at DESC NULLS LAST, id
        LIMIT $3
     )
     SELECT r.*,
            (SELECT coalesce(jsonb_object_agg(c.event_type, c.n), '{}'::jsonb)
               FROM (SELECT e.event_type, count(*) AS n FROM execution_events e WHERE e.run_id = r.id GROUP BY e.event_type) c
            ) AS event_counts,
            (SELECT count(*) FROM execution_events e WHERE e.run_id = r.id AND NOT (${eventSucceededSql('e')})) AS failed_events,
            (SELECT coalesce(array_agg(DISTINCT e.agent_name ORDER BY e.agent_name), '{}')
               FROM execution_events e WHERE e.run_id = r.id AND e.agent_name IS NOT NULL) AS agents,
            (SELECT max(coalesce(e.completed_at, e.started_at, e."timestamp"))
               FROM execution_events e WHERE e.run_id = r.id) AS last_event_at
       FROM r
      ORDER BY r.started_at DESC NULLS LAST, r.id`,
    [options.since ?? null, options.outcome ?? null, options.limit],
  );
  return res.rows.map((r: Record<string, unknown>) => ({
    id: String(r['id']),
    mode: asString(r['mode']),
    task: asString(r['task_description']),
    status: asString(r['status']),
    lastSeenAt: asIso(r['last_seen_at']),
    startedAt: asIso(r['started_at']),
    completedAt: asIso(r['completed_at']),
    durationMs: asNumber(r['duration_ms']),
    eventCounts: Object.fromEntries(
      Object.entries(asObject(r['event_counts']))
        .map(([k, v]) => [k, asNumber(v) ?? 0] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    failedEvents: asNumber(r['failed_events']) ?? 0,
    agents: Array.isArray(r['agents']) ? (r['agents'] as unknown[]).map(String) : [],
    lastEventAt: asIso(r['last_event_at']),
  }));
}
