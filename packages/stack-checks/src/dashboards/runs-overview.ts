import { effectiveStatusSql } from '@agentspan/exporter-postgres';
import type { DashboardJson } from '../grafana/dashboard-model.js';
import {
  ENDED_OUTCOMES,
  Layout,
  barPanel,
  byAgent,
  byEventType,
  byRun,
  dashboard,
  isError,
  piePanel,
  rowPanel,
  runLabel,
  runLinkOverride,
  runOutcome,
  statPanel,
  tablePanel,
  timeSeriesPanel,
  traceLinkOverride,
  unitOverride,
  widthOverride,
} from './builders.js';

/** Runs overview: how many runs, how they ended, how long they took, what they did; each run links to its trace. */
export function runsOverviewDashboard(): DashboardJson {
  const l = new Layout();
  const eventFilters = `${byRun('e.run_id')} AND ${byAgent('e.agent_name')} AND ${byEventType('e.event_type')}`;
  const panels = [
    statPanel(l, {
      title: 'Runs started',
      description: 'Runs started in the time range.',
      w: 4,
      h: 4,
      sql: 'SELECT count(*) AS runs\nFROM workflow_runs r\nWHERE $__timeFilter(r.started_at)',
    }),
    statPanel(l, {
      title: 'Succeeded',
      description: 'Share of the runs that ended (success, failed or cancelled; any status but those and running reads failed) that succeeded.',
      w: 4,
      h: 4,
      unit: 'percent',
      decimals: 1,
      sql: [
        `SELECT 100.0 * count(*) FILTER (WHERE o.outcome = 'success') / nullif(count(*) FILTER (WHERE o.outcome IN ${ENDED_OUTCOMES}), 0) AS success_pct`,
        `FROM workflow_runs r CROSS JOIN LATERAL (SELECT ${runOutcome('r')} AS outcome) o`,
        'WHERE $__timeFilter(r.started_at)',
      ].join('\n'),
    }),
    statPanel(l, {
      title: 'Failed runs',
      description: 'Runs that ended failed: status failed, or any status but success, cancelled and running (error, timeout ...), as `agentspan runs --status failed` reads them.',
      w: 4,
      h: 4,
      sql: `SELECT count(*) FILTER (WHERE ${runOutcome('r')} = 'failed') AS failed\nFROM workflow_runs r\nWHERE $__timeFilter(r.started_at)`,
    }),
    statPanel(l, {
      title: 'Median run duration',
      description: 'Median duration of the finished runs.',
      w: 4,
      h: 4,
      unit: 'ms',
      sql: [
        'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms) AS median_ms',
        'FROM workflow_runs r',
        'WHERE $__timeFilter(r.started_at) AND r.duration_ms IS NOT NULL',
      ].join('\n'),
    }),
    statPanel(l, {
      title: 'Events',
      description: 'Events (agent calls, code executions, tool calls, files, handoffs) matching the filters.',
      w: 4,
      h: 4,
      sql: `SELECT count(*) AS events\nFROM execution_events e\nWHERE $__timeFilter(e."timestamp") AND ${eventFilters}`,
    }),
    statPanel(l, {
      title: 'Events with errors',
      description: 'Events that failed or whose output shows an error (non-zero exit code, traceback, tool error).',
      w: 4,
      h: 4,
      sql: `SELECT count(*) FILTER (WHERE ${isError('e')}) AS errors\nFROM execution_events e\nWHERE $__timeFilter(e."timestamp") AND ${eventFilters}`,
    }),
    timeSeriesPanel(l, {
      title: 'Runs over time',
      description:
        'Runs started per interval, by how their status reads (running: not finished yet; stale: not finished, and its process silent for over two heartbeats and a minute, most likely dead; ' +
        'failed: failed or any status but success, cancelled and running; unknown: no status recorded).',
      w: 12,
      h: 8,
      bars: true,
      stacked: true,
      sql: [
        `SELECT $__timeGroupAlias(r.started_at, $__interval), ${runOutcome('r')} AS metric, count(*) AS runs`,
        'FROM workflow_runs r',
        'WHERE $__timeFilter(r.started_at)',
        'GROUP BY 1, 2',
        'ORDER BY 1',
      ].join('\n'),
    }),
    piePanel(l, {
      title: 'Runs by status',
      description:
        'How the status of the runs started in the time range reads (running: not finished yet; stale: not finished, its process most likely dead; ' +
        'failed: failed or any status but success, cancelled and running; unknown: no status recorded).',
      w: 6,
      h: 8,
      sql: [
        `SELECT ${runOutcome('r')} AS status, count(*) AS runs`,
        'FROM workflow_runs r',
        'WHERE $__timeFilter(r.started_at)',
        'GROUP BY 1',
        'ORDER BY 2 DESC',
      ].join('\n'),
    }),
    piePanel(l, {
      title: 'Runs by mode',
      description: 'Workflow mode (one-shot, planning-control, idea-generation, ...).',
      w: 6,
      h: 8,
      sql: [
        "SELECT coalesce(r.mode, '(none)') AS mode, count(*) AS runs",
        'FROM workflow_runs r',
        'WHERE $__timeFilter(r.started_at)',
        'GROUP BY 1',
        'ORDER BY 2 DESC',
      ].join('\n'),
    }),
    timeSeriesPanel(l, {
      title: 'Run duration',
      description: 'Mean and longest duration of the runs started per interval.',
      w: 12,
      h: 8,
      unit: 'ms',
      sql: [
        'SELECT $__timeGroupAlias(r.started_at, $__interval), avg(r.duration_ms) AS "mean", max(r.duration_ms) AS "longest"',
        'FROM workflow_runs r',
        'WHERE $__timeFilter(r.started_at) AND r.duration_ms IS NOT NULL',
        'GROUP BY 1',
        'ORDER BY 1',
      ].join('\n'),
    }),
    barPanel(l, {
      title: 'Events per run',
      description: 'Events of the latest 20 runs matching the filters, by type.',
      w: 12,
      h: 8,
      stacked: true,
      sql: [
        `SELECT ${runLabel('r.id')} || ' ' || coalesce(r.mode, '') AS run,`,
        "       count(*) FILTER (WHERE e.event_type = 'agent_call') AS agent_call,",
        "       count(*) FILTER (WHERE e.event_type = 'code_exec') AS code_exec,",
        "       count(*) FILTER (WHERE e.event_type = 'tool_call') AS tool_call,",
        "       count(*) FILTER (WHERE e.event_type = 'file_gen') AS file_gen,",
        "       count(*) FILTER (WHERE e.event_type = 'handoff') AS handoff",
        'FROM (',
        '  SELECT r.id, r.mode, r.started_at FROM workflow_runs r',
        `  WHERE $__timeFilter(r.started_at) AND ${byRun('r.id')}`,
        '  ORDER BY r.started_at DESC LIMIT 20',
        ') r',
        `JOIN execution_events e ON e.run_id = r.id AND ${byAgent('e.agent_name')} AND ${byEventType('e.event_type')}`,
        'GROUP BY r.id, r.mode, r.started_at',
        'ORDER BY r.started_at',
      ].join('\n'),
    }),
    rowPanel(l, 'Runs and their events'),
    tablePanel(l, {
      title: 'Runs',
      description: 'Runs started in the time range. Click a trace id to open the run in Jaeger, a run id to filter this dashboard to it.',
      w: 24,
      h: 9,
      overrides: [traceLinkOverride('trace_id'), runLinkOverride('run_id'), unitOverride('duration_ms', 'ms'), widthOverride('task', 320)],
      sql: [
        `SELECT r.started_at AS started, r.id AS run_id, r.mode, coalesce(nullif(${effectiveStatusSql('r')}, ''), 'unknown') AS status, r.task_description AS task, r.duration_ms,`,
        '       count(e.id) AS events,',
        "       count(e.id) FILTER (WHERE e.event_type = 'code_exec') AS code_execs,",
        "       count(e.id) FILTER (WHERE e.event_type = 'file_gen') AS files,",
        `       count(e.id) FILTER (WHERE ${isError('e')}) AS errors,`,
        '       r.service_name, r.trace_id',
        'FROM workflow_runs r',
        'LEFT JOIN execution_events e ON e.run_id = r.id',
        `WHERE $__timeFilter(r.started_at) AND ${byRun('r.id')}`,
        'GROUP BY r.id',
        'ORDER BY r.started_at DESC',
        'LIMIT 200',
      ].join('\n'),
    }),
    tablePanel(l, {
      title: 'Run timeline',
      description:
        'Events of the selected runs, newest run first, each in execution order (the replay order). The trace id opens the trace with the span highlighted. ' +
        'An event still running has status running and no duration yet (stale: no end recorded, and its process silent for over two heartbeats and a minute, most likely dead).',
      w: 24,
      h: 12,
      overrides: [traceLinkOverride('trace_id', 'span_id'), runLinkOverride('run_id'), unitOverride('duration_ms', 'ms'), widthOverride('detail', 360)],
      sql: [
        `SELECT e."timestamp", e.run_id, e.execution_order AS "order", e.node_id, e.event_type, e.agent_name, ${effectiveStatusSql('e')} AS status,`,
        "       (e.meta->>'has_error' = 'true') AS has_error, e.duration_ms,",
        "       coalesce(e.outputs->>'file_path', e.inputs->>'tool', left(e.inputs->>'message_preview', 160), left(e.inputs->>'code', 160),",
        // An event in progress has no inputs yet: its span name (`execute_tool fetch`) says what it is.
        "                e.inputs->>'from_agent' || ' -> ' || (e.inputs->>'to_agent'), e.name) AS detail,",
        "       coalesce(e.error_message, e.meta->>'error_message') AS error, e.trace_id, e.span_id",
        'FROM execution_events e',
        'LEFT JOIN workflow_runs r ON r.id = e.run_id',
        `WHERE $__timeFilter(e."timestamp") AND ${eventFilters}`,
        'ORDER BY r.started_at DESC NULLS LAST, e.run_id, e.execution_order',
        'LIMIT 1000',
      ].join('\n'),
    }),
  ];
  return dashboard({
    uid: 'agentspan-runs-overview',
    title: 'agentspan / Runs overview',
    description: 'Workflow runs recorded by agentspan: counts, outcomes, durations, events per run, and a link from each run to its trace in Jaeger.',
    panels,
  });
}
