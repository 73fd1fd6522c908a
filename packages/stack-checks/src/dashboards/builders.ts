import { effectiveStatusSql, inProgressSql, runOutcomeSql } from '@agentspan/exporter-postgres';
import type {
  DashboardJson,
  DataLink,
  DatasourceRef,
  FieldOverride,
  PanelJson,
  TargetJson,
  VariableJson,
} from '../grafana/dashboard-model.js';

/**
 * Small builders for the agentspan dashboards, so the four of them share
 * one datasource reference, one set of variables, one filter idiom and one
 * trace link. `npm run generate:stack` writes their JSON into
 * `docker/grafana/dashboards/`; the test suite fails when the committed
 * JSON differs from what these produce.
 */

/** The provisioned datasources (uids fixed in `docker/grafana/provisioning/datasources`). */
export const DATASOURCES = {
  postgres: { type: 'grafana-postgresql-datasource', uid: 'agentspan-postgres' },
  jaeger: { type: 'jaeger', uid: 'agentspan-jaeger' },
  prometheus: { type: 'prometheus', uid: 'agentspan-prometheus' },
} as const satisfies Record<string, DatasourceRef>;

/** Tag shared by the dashboards; the dashboard links list every dashboard with it. */
export const DASHBOARD_TAG = 'agentspan';

/** Jaeger's UI as the browser reaches it (a dashboard variable, so it can be changed). */
export const DEFAULT_JAEGER_URL = 'http://localhost:16686';

/**
 * The custom "All" value of the variables, inserted by Grafana as is (not
 * quoted): a SQL literal, so `'__all' IN ($agent)` is true for "All" and
 * the filters also work when the variable has no options yet (an empty
 * database), which a plain `IN ($agent)` over an empty option list does not.
 */
export const ALL_SQL = "'__all'";

/** `run_id` filter on a column. */
export const byRun = (col: string): string => `('__all' IN ($run_id) OR ${col} IN ($run_id))`;
/** `agent` filter on a column (NULL agents appear as `(none)`). */
export const byAgent = (col: string): string => `('__all' IN ($agent) OR coalesce(${col}, '(none)') IN ($agent))`;
/** `event_type` filter on a column. */
export const byEventType = (col: string): string => `('__all' IN ($event_type) OR ${col} IN ($event_type))`;
/** An event that failed or whose output shows an error. */
export const isError = (e: string): string => `(${e}.status = 'failed' OR ${e}.meta->>'has_error' = 'true')`;
/**
 * An event that ended: not a row in progress (an agent call, code execution or tool call still
 * running, whose row holds its type, agent, run, order and start, but nothing recorded at its end:
 * outcome, duration, tool, language, code, imports). Panels that count events count those in
 * progress too; panels that read what an event's end records (a rate of failures, a tool or a
 * language to group by, a code hash) read only the events that ended, so a call still running
 * neither counts as a success nor shows up as an `(unknown)` tool.
 */
export const isEnded = (e: string): string => `NOT ${inProgressSql(e)}`;

/**
 * The label of a run in charts and the `$run_id` options, by the CLI's rule
 * (`shortRunId` in `packages/cli/src/format/text.ts`): a UUID is shown as its
 * first 8 characters, an id someone chose (`nightly-2026-11-01-eu`) whole,
 * since its start is rarely what tells runs apart; cut to 8 characters,
 * `nightly-…-eu` and `nightly-…-us` were one label.
 */
export const runLabel = (col: string): string => `CASE WHEN ${col} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-' THEN left(${col}, 8) ELSE ${col} END`;

/**
 * How a run's status reads (`runOutcomeSql` of the exporter, the one
 * classification the CLI uses too): the dashboards count and group runs by
 * it, so `Failed runs`, `Succeeded` and `Runs by status` agree with each other
 * and with `agentspan runs --status`.
 */
export function runOutcome(r: string): string {
  return runOutcomeSql(effectiveStatusSql(r));
}

/** The outcomes of a run that ended, the ones a success rate is a share of. */
export const ENDED_OUTCOMES = "('success', 'failed', 'cancelled')";

function allOption(): { selected: boolean; text: string[]; value: string[] } {
  return { selected: true, text: ['All'], value: ['$__all'] };
}

function queryVariable(name: string, label: string, description: string, sql: string): VariableJson {
  return {
    name,
    label,
    description,
    type: 'query',
    datasource: DATASOURCES.postgres,
    query: sql,
    definition: sql,
    multi: true,
    includeAll: true,
    allValue: ALL_SQL,
    current: allOption(),
    options: [],
    refresh: 2,
    sort: 0,
    hide: 0,
  };
}

/** `$run_id`: the runs started in the time range, newest first (label: mode · start · id). */
export function runIdVariable(): VariableJson {
  return queryVariable(
    'run_id',
    'Run',
    'Runs started in the time range, newest first.',
    [
      `SELECT r.id AS __value, coalesce(r.mode, 'run') || ' · ' || to_char(r.started_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI:SS') || ' · ' || ${runLabel('r.id')} AS __text`,
      'FROM workflow_runs r',
      'WHERE $__timeFilter(r.started_at)',
      'ORDER BY r.started_at DESC',
      'LIMIT 500',
    ].join('\n'),
  );
}

/** `$agent`: agents with events in the time range. */
export function agentVariable(): VariableJson {
  return queryVariable(
    'agent',
    'Agent',
    'Agents with events in the time range; events without an agent are "(none)".',
    [
      "SELECT DISTINCT coalesce(e.agent_name, '(none)') AS agent",
      'FROM execution_events e',
      'WHERE $__timeFilter(e."timestamp")',
      'ORDER BY 1',
    ].join('\n'),
  );
}

/** `$event_type`: event types in the time range. */
export function eventTypeVariable(): VariableJson {
  return queryVariable(
    'event_type',
    'Event type',
    'agent_call, code_exec, tool_call, file_gen, handoff.',
    ['SELECT DISTINCT e.event_type', 'FROM execution_events e', 'WHERE $__timeFilter(e."timestamp")', 'ORDER BY 1'].join('\n'),
  );
}

/** `$jaeger_url`: where the trace links point (Jaeger's UI as your browser reaches it). */
export function jaegerUrlVariable(): VariableJson {
  return {
    name: 'jaeger_url',
    label: 'Jaeger UI',
    description: "Base URL of Jaeger's UI as your browser reaches it; the trace links open <url>/trace/<trace id>.",
    type: 'textbox',
    query: DEFAULT_JAEGER_URL,
    current: { selected: false, text: DEFAULT_JAEGER_URL, value: DEFAULT_JAEGER_URL },
    options: [{ selected: true, text: DEFAULT_JAEGER_URL, value: DEFAULT_JAEGER_URL }],
    hide: 0,
  };
}

/** The variables every dashboard has, in dependency order. */
export function standardVariables(): VariableJson[] {
  return [runIdVariable(), agentVariable(), eventTypeVariable(), jaegerUrlVariable()];
}

/** Data links from a trace id column to Jaeger's UI (`/trace/<id>`, the span highlighted) and to Grafana's Explore. */
export function traceLinks(spanIdField?: string): DataLink[] {
  const find = spanIdField ? `?uiFind=\${__data.fields.${spanIdField}}` : '';
  const panes =
    '%7B%22trace%22:%7B%22datasource%22:%22agentspan-jaeger%22,%22queries%22:%5B%7B%22refId%22:%22A%22,' +
    '%22datasource%22:%7B%22type%22:%22jaeger%22,%22uid%22:%22agentspan-jaeger%22%7D,%22query%22:%22${__value.raw}%22%7D%5D,' +
    '%22range%22:%7B%22from%22:%22now-7d%22,%22to%22:%22now%22%7D%7D%7D';
  return [
    { title: 'Open the trace in Jaeger', url: `\${jaeger_url}/trace/\${__value.raw}${find}`, targetBlank: true },
    { title: 'Open the trace in Grafana Explore (Jaeger)', url: `/explore?schemaVersion=1&orgId=1&panes=${panes}`, targetBlank: false },
  ];
}

/** Field override putting {@link traceLinks} on a column. */
export function traceLinkOverride(field = 'trace_id', spanIdField?: string): FieldOverride {
  return { matcher: { id: 'byName', options: field }, properties: [{ id: 'links', value: traceLinks(spanIdField) }] };
}

/** Field override linking a run id cell to the Runs overview filtered to that run. */
export function runLinkOverride(field = 'run_id'): FieldOverride {
  return {
    matcher: { id: 'byName', options: field },
    properties: [
      {
        id: 'links',
        value: [
          {
            title: 'Show this run',
            url: '/d/agentspan-runs-overview/agentspan-runs-overview?var-run_id=${__value.raw}&${__url_time_range}',
          },
        ],
      },
    ],
  };
}

/** Field override for a unit on one column. */
export function unitOverride(field: string, unit: string): FieldOverride {
  return { matcher: { id: 'byName', options: field }, properties: [{ id: 'unit', value: unit }] };
}

/** Field override for a column's width in a table. */
export function widthOverride(field: string, width: number): FieldOverride {
  return { matcher: { id: 'byName', options: field }, properties: [{ id: 'custom.width', value: width }] };
}

/** Places panels left to right on Grafana's 24-column grid, wrapping rows. */
export class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 0;

  nextId(): number {
    this.id += 1;
    return this.id;
  }

  place(w: number, h: number): { h: number; w: number; x: number; y: number } {
    if (this.x + w > 24) this.newline();
    const pos = { h, w, x: this.x, y: this.y };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return pos;
  }

  newline(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/** What every SQL panel needs. */
export interface SqlPanelSpec {
  title: string;
  description: string;
  sql: string;
  /** @default `table` */
  format?: 'table' | 'time_series';
  w: number;
  h: number;
  unit?: string;
  overrides?: FieldOverride[];
  options?: Record<string, unknown>;
  custom?: Record<string, unknown>;
  decimals?: number;
}

function sqlTarget(sql: string, format: 'table' | 'time_series'): TargetJson {
  return { refId: 'A', datasource: DATASOURCES.postgres, editorMode: 'code', rawQuery: true, format, rawSql: sql };
}

function panel(layout: Layout, type: string, spec: SqlPanelSpec, defaultOptions: Record<string, unknown>): PanelJson {
  return {
    id: layout.nextId(),
    type,
    title: spec.title,
    description: spec.description,
    gridPos: layout.place(spec.w, spec.h),
    datasource: DATASOURCES.postgres,
    targets: [sqlTarget(spec.sql, spec.format ?? 'table')],
    fieldConfig: {
      defaults: {
        ...(spec.unit ? { unit: spec.unit } : {}),
        ...(spec.decimals !== undefined ? { decimals: spec.decimals } : {}),
        ...(spec.custom ? { custom: spec.custom } : {}),
      },
      overrides: spec.overrides ?? [],
    },
    options: { ...defaultOptions, ...spec.options },
  };
}

/** A single number (first row, numeric columns). */
export function statPanel(layout: Layout, spec: SqlPanelSpec): PanelJson {
  return panel(layout, 'stat', spec, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    colorMode: 'value',
    graphMode: 'none',
    textMode: 'auto',
    justifyMode: 'auto',
    orientation: 'auto',
  });
}

/** A time series: SQL with a `time` column, one value column per series or a `metric` column naming them. */
export function timeSeriesPanel(layout: Layout, spec: SqlPanelSpec & { bars?: boolean; stacked?: boolean }): PanelJson {
  const custom = {
    drawStyle: spec.bars ? 'bars' : 'line',
    lineWidth: 1,
    fillOpacity: spec.bars ? 80 : 10,
    pointSize: 5,
    showPoints: 'auto',
    spanNulls: false,
    stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
    ...spec.custom,
  };
  return panel(layout, 'timeseries', { ...spec, format: 'time_series', custom }, {
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'desc' },
  });
}

/** A table. */
export function tablePanel(layout: Layout, spec: SqlPanelSpec): PanelJson {
  return panel(layout, 'table', { ...spec, custom: { align: 'auto', cellOptions: { type: 'auto' }, ...spec.custom } }, {
    showHeader: true,
    cellHeight: 'sm',
    footer: { show: false, reducer: ['sum'], fields: '' },
  });
}

/** A pie chart: one string column (the slice) and one numeric column. */
export function piePanel(layout: Layout, spec: SqlPanelSpec): PanelJson {
  return panel(layout, 'piechart', spec, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: true },
    pieType: 'donut',
    legend: { displayMode: 'table', placement: 'right', showLegend: true, values: ['value', 'percent'] },
    tooltip: { mode: 'single', sort: 'none' },
  });
}

/** A bar chart: a string column for the x axis, numeric columns for the bars. */
export function barPanel(layout: Layout, spec: SqlPanelSpec & { horizontal?: boolean; stacked?: boolean }): PanelJson {
  return panel(layout, 'barchart', spec, {
    orientation: spec.horizontal ? 'horizontal' : 'auto',
    stacking: spec.stacked ? 'normal' : 'none',
    showValue: 'auto',
    xTickLabelRotation: 0,
    xTickLabelSpacing: 0,
    barWidth: 0.8,
    groupWidth: 0.7,
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'none' },
  });
}

/** A Prometheus time series (the collector's span metrics). */
export function promPanel(
  layout: Layout,
  spec: { title: string; description: string; w: number; h: number; unit?: string; queries: { expr: string; legend: string }[] },
): PanelJson {
  return {
    id: layout.nextId(),
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    gridPos: layout.place(spec.w, spec.h),
    datasource: DATASOURCES.prometheus,
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCES.prometheus,
      editorMode: 'code',
      expr: q.expr,
      legendFormat: q.legend,
      range: true,
      instant: false,
    })),
    fieldConfig: {
      defaults: { ...(spec.unit ? { unit: spec.unit } : {}), custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never' } },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

/** A row header (a full-width separator with a title). */
export function rowPanel(layout: Layout, title: string): PanelJson {
  layout.newline();
  const p: PanelJson = { id: layout.nextId(), type: 'row', title, gridPos: layout.place(24, 1), collapsed: false, panels: [] };
  layout.newline();
  return p;
}

/** Whether the panels refer to variable `name` (`$name`, `${name}`, `${name:…}`). */
function usesVariable(panelsJson: string, name: string): boolean {
  return new RegExp(`\\$(?:${name}\\b|\\{${name}[}:])`).test(panelsJson);
}

/**
 * A dashboard with the standard variables its panels use (a variable no
 * panel reads would be a filter that filters nothing), links and settings.
 */
export function dashboard(spec: { uid: string; title: string; description: string; panels: PanelJson[] }): DashboardJson {
  const panelsJson = JSON.stringify(spec.panels);
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: { refresh_intervals: ['10s', '30s', '1m', '5m', '15m'] },
    templating: { list: standardVariables().filter((v) => usesVariable(panelsJson, v.name)) },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [
      {
        title: 'agentspan dashboards',
        type: 'dashboards',
        tags: [DASHBOARD_TAG],
        asDropdown: false,
        includeVars: true,
        keepTime: true,
      },
      {
        title: 'Jaeger',
        type: 'link',
        url: '${jaeger_url}/search',
        icon: 'external link',
        targetBlank: true,
        tooltip: "Jaeger's trace search",
      },
    ],
    panels: spec.panels,
  };
}
