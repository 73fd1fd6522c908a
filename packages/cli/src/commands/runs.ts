import { integerValue, stringValue, type CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { listRuns, type RunListEntry } from '../data/runs.js';
import type { Colors } from '../format/colors.js';
import { parseSince } from '../format/since.js';
import { runStatusMark } from '../format/status.js';
import { renderTable } from '../format/table.js';
import { formatDuration, formatTimestamp, shortRunId, shorten } from '../format/text.js';
import { UsageError } from '../io.js';
import { RunOutcome } from '@agentspan/exporter-postgres';

/**
 * `--status` values and the outcome they select (`error` and `ok` are aliases people type), read as
 * the STATUS column marks them ({@link RunOutcome}): `failed` also selects runs whose status is
 * `error` or any other word but `success`, `cancelled` and `running`. `stale` is a run whose row
 * says `running` but whose process stopped sending heartbeats (see the exporter's `liveness.ts`);
 * `running` then selects the runs still seen. `unknown`: runs with no status.
 */
const STATUS_ALIASES: Record<string, RunOutcome> = {
  success: RunOutcome.SUCCESS,
  ok: RunOutcome.SUCCESS,
  failed: RunOutcome.FAILED,
  error: RunOutcome.FAILED,
  cancelled: RunOutcome.CANCELLED,
  running: RunOutcome.RUNNING,
  stale: RunOutcome.STALE,
  unknown: RunOutcome.UNKNOWN,
};

/** Short labels for the event counts column. */
const COUNT_LABELS: Record<string, string> = {
  agent_call: 'agent',
  code_exec: 'code',
  tool_call: 'tool',
  file_gen: 'file',
  handoff: 'handoff',
};

/** `3 agent, 2 code, 1 tool, 1 file` in a fixed order, unknown types last. */
export function formatEventCounts(counts: Record<string, number>): string {
  const known = Object.keys(COUNT_LABELS).filter((t) => counts[t]);
  const other = Object.keys(counts).filter((t) => !(t in COUNT_LABELS) && counts[t]).sort();
  const parts = [...known, ...other].map((t) => `${counts[t]} ${COUNT_LABELS[t] ?? t}`);
  return parts.length > 0 ? parts.join(', ') : 'no events';
}


/**
 * The run's duration; for a run with no end recorded (still going, or its
 * process died), `≥` the time from its start to its last event's end.
 */
function durationCell(r: Pick<RunListEntry, 'durationMs' | 'completedAt' | 'startedAt' | 'lastEventAt'>): string {
  if (r.durationMs !== null || r.completedAt !== null || r.startedAt === null || r.lastEventAt === null) return formatDuration(r.durationMs);
  const sofar = Date.parse(r.lastEventAt) - Date.parse(r.startedAt);
  return Number.isFinite(sofar) && sofar >= 0 ? `≥ ${formatDuration(sofar)}` : formatDuration(null);
}

/**
 * The runs as a table; on a terminal (`width`: standard output is one) fitted to its width, the free
 * text cut first: task, agents, event counts, mode, then a run id you chose (a UUID's 8 characters
 * stay whole) and a status of the application's own (the standard ones stay whole).
 */
export function runsTable(runs: readonly RunListEntry[], colors: Colors, width?: number): string {
  return renderTable(
    [
      { header: 'RUN', cell: (r) => shortRunId(r.id), maxWidth: 40, shrink: true, minWidth: 8 },
      { header: 'MODE', cell: (r) => r.mode ?? '-', maxWidth: 18, shrink: true },
      { header: 'STATUS', cell: (r) => runStatusMark(r.status, colors), shrink: true, minWidth: 9 },
      { header: 'STARTED (UTC)', cell: (r) => formatTimestamp(r.startedAt) },
      { header: 'DURATION', cell: (r) => durationCell(r), alignRight: true },
      {
        header: 'EVENTS',
        cell: (r) =>
          formatEventCounts(r.eventCounts) + (r.failedEvents > 0 ? colors.red(` (${r.failedEvents} failed)`) : ''),
        shrink: true,
      },
      { header: 'AGENTS', cell: (r) => r.agents.join(', ') || '-', maxWidth: 32, shrink: true },
      { header: 'TASK', cell: (r) => shorten(r.task, 48) || '-', shrink: true },
    ],
    runs,
    { width },
  );
}

/** `agentspan runs`: the newest runs, one per line. */
export const runsCommand: CommandSpec = {
  name: 'runs',
  summary: 'list recent runs: id, mode, status, start, duration, events by type, agents, task',
  usage: 'agentspan runs [--since 24h] [--status success|failed|error|cancelled|running|stale|unknown] [--limit N]',
  optionHelp: [
    '--since DURATION|DATE  only runs started since then: 30m, 24h, 7d, 2w, or 2026-11-01 (default: any time)',
    '--status STATUS        only runs with this status; error = failed, ok = success; failed also selects',
    '                       any status but success, cancelled and running (error, timeout ...); stale =',
    '                       running but its process silent for 2 heartbeats and a minute; unknown = no',
    '                       status recorded (default: any)',
    '--limit N              at most N runs, newest first (default 20)',
  ],
  options: { since: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } },
  maxPositionals: 0,
  async run(ctx) {
    const sinceRaw = stringValue(ctx.values, 'since');
    const since = sinceRaw === undefined ? undefined : parseSince(sinceRaw);
    const statusRaw = stringValue(ctx.values, 'status');
    const outcome = statusRaw === undefined ? undefined : STATUS_ALIASES[statusRaw.toLowerCase()];
    if (statusRaw !== undefined && outcome === undefined) {
      throw new UsageError(`--status "${statusRaw}": expected one of ${Object.keys(STATUS_ALIASES).join(', ')}`);
    }
    const limit = integerValue(ctx.values, 'limit', 20, { min: 1, max: 10_000 });
    const runs = await withDatabase(ctx.database, ctx.io, (client) => listRuns(client, { since, outcome, limit }));
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ runs }, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      ctx.io.out(
        since || outcome
          ? 'no runs match (try a wider --since or another --status)'
          : 'no runs recorded yet (run `agentspan demo`, or record one with startAgentspan)',
      );
      return 0;
    }
    ctx.io.out(runsTable(runs, ctx.colors, ctx.io.columns));
    return 0;
  },
};
