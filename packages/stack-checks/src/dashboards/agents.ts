import type { DashboardJson } from '../grafana/dashboard-model.js';
import {
  Layout,
  byAgent,
  byEventType,
  byRun,
  dashboard,
  isEnded,
  isError,
  promPanel,
  rowPanel,
  tablePanel,
  timeSeriesPanel,
  unitOverride,
} from './builders.js';

/**
 * The span-metrics names the collector's `span_metrics` connector exports
 * through the Prometheus exporter (namespace `traces.span.metrics`, unit ms,
 * underscore escaping with suffixes); the checks compare them with the
 * collector configuration.
 */
export const SPAN_METRICS = {
  calls: 'traces_span_metrics_calls_total',
  durationBucket: 'traces_span_metrics_duration_milliseconds_bucket',
  /** Prometheus label of the `gen_ai.agent.name` dimension. */
  agentLabel: 'gen_ai_agent_name',
  /** Prometheus label of the `agentspan.event.type` dimension. */
  eventTypeLabel: 'agentspan_event_type',
  /** Prometheus label of the `gen_ai.tool.name` dimension. */
  toolLabel: 'gen_ai_tool_name',
  statusLabel: 'status_code',
  errorStatus: 'STATUS_CODE_ERROR',
} as const;

/** Agents: calls, errors and latency per agent, handoffs; plus the collector's live span metrics. */
export function agentsDashboard(): DashboardJson {
  const l = new Layout();
  const filters = `$__timeFilter(e."timestamp") AND ${byRun('e.run_id')} AND ${byAgent('e.agent_name')} AND ${byEventType('e.event_type')}`;
  const m = SPAN_METRICS;
  const panels = [
    timeSeriesPanel(l, {
      title: 'Calls per agent',
      description: 'Events per interval by agent (all event types matching the filters).',
      w: 12,
      h: 8,
      sql: [
        "SELECT $__timeGroupAlias(e.\"timestamp\", $__interval), coalesce(e.agent_name, '(none)') AS metric, count(*) AS calls",
        'FROM execution_events e',
        `WHERE ${filters}`,
        'GROUP BY 1, 2',
        'ORDER BY 1',
      ].join('\n'),
    }),
    timeSeriesPanel(l, {
      title: 'Errors per agent',
      description: 'Events that failed or show an error, per interval, by agent.',
      w: 12,
      h: 8,
      bars: true,
      stacked: true,
      sql: [
        "SELECT $__timeGroupAlias(e.\"timestamp\", $__interval), coalesce(e.agent_name, '(none)') AS metric, count(*) AS errors",
        'FROM execution_events e',
        `WHERE ${filters} AND ${isError('e')}`,
        'GROUP BY 1, 2',
        'ORDER BY 1',
      ].join('\n'),
    }),
    timeSeriesPanel(l, {
      title: 'Latency per agent (p95)',
      description: '95th percentile of event durations per interval, by agent.',
      w: 12,
      h: 8,
      unit: 'ms',
      sql: [
        "SELECT $__timeGroupAlias(e.\"timestamp\", $__interval), coalesce(e.agent_name, '(none)') AS metric,",
        '       percentile_cont(0.95) WITHIN GROUP (ORDER BY e.duration_ms) AS p95_ms',
        'FROM execution_events e',
        `WHERE ${filters} AND e.duration_ms IS NOT NULL`,
        'GROUP BY 1, 2',
        'ORDER BY 1',
      ].join('\n'),
    }),
    tablePanel(l, {
      title: 'Handoffs',
      description: 'Control passed from one agent to another.',
      w: 12,
      h: 8,
      sql: [
        "SELECT e.inputs->>'from_agent' AS from_agent, e.inputs->>'to_agent' AS to_agent, count(*) AS handoffs, count(DISTINCT e.run_id) AS runs",
        'FROM execution_events e',
        `WHERE e.event_type = 'handoff' AND $__timeFilter(e."timestamp") AND ${byRun('e.run_id')} AND ${byAgent('e.agent_name')}`,
        'GROUP BY 1, 2',
        'ORDER BY 3 DESC, 1, 2',
      ].join('\n'),
    }),
    tablePanel(l, {
      title: 'Agents',
      description: 'Per agent: events by type, errors, error rate (of the events that ended: one still running has no outcome yet) and latency.',
      w: 24,
      h: 9,
      overrides: [
        unitOverride('mean_ms', 'ms'),
        unitOverride('p50_ms', 'ms'),
        unitOverride('p95_ms', 'ms'),
        unitOverride('max_ms', 'ms'),
        unitOverride('error_pct', 'percent'),
      ],
      sql: [
        "SELECT coalesce(e.agent_name, '(none)') AS agent, count(*) AS events,",
        "       count(*) FILTER (WHERE e.event_type = 'agent_call') AS messages,",
        "       count(*) FILTER (WHERE e.event_type = 'code_exec') AS code_execs,",
        "       count(*) FILTER (WHERE e.event_type = 'tool_call') AS tool_calls,",
        `       count(*) FILTER (WHERE ${isError('e')}) AS errors,`,
        `       round(100.0 * count(*) FILTER (WHERE ${isError('e')}) / nullif(count(*) FILTER (WHERE ${isEnded('e')}), 0), 1) AS error_pct,`,
        '       avg(e.duration_ms) AS mean_ms,',
        '       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.duration_ms) AS p50_ms,',
        '       percentile_cont(0.95) WITHIN GROUP (ORDER BY e.duration_ms) AS p95_ms,',
        '       max(e.duration_ms) AS max_ms,',
        '       count(DISTINCT e.run_id) AS runs, max(e."timestamp") AS last_seen',
        'FROM execution_events e',
        `WHERE ${filters}`,
        'GROUP BY 1',
        'ORDER BY 2 DESC, 1',
      ].join('\n'),
    }),
    rowPanel(l, 'Live span metrics (Prometheus, from the collector; not filtered by the variables)'),
    promPanel(l, {
      title: 'Span rate by agent',
      description: `Spans per second by agent, from the collector's span_metrics connector (${m.calls}). Empty until OTLP spans flow through the collector.`,
      w: 8,
      h: 8,
      unit: 'reqps',
      queries: [{ expr: `sum by (${m.agentLabel}) (rate(${m.calls}{${m.agentLabel}!=""}[$__rate_interval]))`, legend: `{{${m.agentLabel}}}` }],
    }),
    promPanel(l, {
      title: 'Error rate by agent',
      description: 'Spans per second with status ERROR, by agent.',
      w: 8,
      h: 8,
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (${m.agentLabel}) (rate(${m.calls}{${m.agentLabel}!="", ${m.statusLabel}="${m.errorStatus}"}[$__rate_interval]))`,
          legend: `{{${m.agentLabel}}}`,
        },
      ],
    }),
    promPanel(l, {
      title: 'p95 latency by agent',
      description: '95th percentile span duration by agent, from the duration histogram.',
      w: 8,
      h: 8,
      unit: 'ms',
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (le, ${m.agentLabel}) (rate(${m.durationBucket}{${m.agentLabel}!=""}[$__rate_interval])))`,
          legend: `{{${m.agentLabel}}}`,
        },
      ],
    }),
    promPanel(l, {
      title: 'Span rate by event type',
      description: 'Spans per second by agentspan event type (run, node, agent_call, code_exec, tool_call, file_gen, handoff).',
      w: 12,
      h: 8,
      unit: 'reqps',
      queries: [{ expr: `sum by (${m.eventTypeLabel}) (rate(${m.calls}{${m.eventTypeLabel}!=""}[$__rate_interval]))`, legend: `{{${m.eventTypeLabel}}}` }],
    }),
    promPanel(l, {
      title: 'Tool calls by tool',
      description: 'Tool spans per second by tool name.',
      w: 12,
      h: 8,
      unit: 'reqps',
      queries: [{ expr: `sum by (${m.toolLabel}) (rate(${m.calls}{${m.toolLabel}!=""}[$__rate_interval]))`, legend: `{{${m.toolLabel}}}` }],
    }),
  ];
  return dashboard({
    uid: 'agentspan-agents',
    title: 'agentspan / Agents',
    description: 'Per-agent activity from Postgres (calls, errors, latency, handoffs) and the live span metrics the collector derives from the OTLP stream.',
    panels,
  });
}
