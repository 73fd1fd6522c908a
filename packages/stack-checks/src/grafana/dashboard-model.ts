/**
 * The subset of Grafana's dashboard JSON (schema version 39) that the
 * agentspan dashboards use and the checks read. Grafana accepts and
 * migrates this classic JSON model in every version from 10 on.
 */

export interface DatasourceRef {
  type: string;
  uid: string;
}

export interface TargetJson {
  refId: string;
  datasource: DatasourceRef;
  /** SQL datasources. */
  rawSql?: string;
  rawQuery?: boolean;
  editorMode?: 'code' | 'builder';
  /** SQL result shape: `time_series` needs a `time` column, sorted ascending. */
  format?: 'table' | 'time_series';
  /** Prometheus. */
  expr?: string;
  legendFormat?: string;
  range?: boolean;
  instant?: boolean;
}

export interface DataLink {
  title: string;
  url: string;
  targetBlank?: boolean;
}

export interface FieldOverride {
  matcher: { id: 'byName' | 'byRegexp'; options: string };
  properties: { id: string; value: unknown }[];
}

export interface FieldConfig {
  defaults: Record<string, unknown> & { unit?: string; links?: DataLink[]; custom?: Record<string, unknown> };
  overrides: FieldOverride[];
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DatasourceRef;
  targets?: TargetJson[];
  fieldConfig?: FieldConfig;
  options?: Record<string, unknown>;
  transformations?: { id: string; options: Record<string, unknown> }[];
  collapsed?: boolean;
  /** Nested panels of a collapsed row. */
  panels?: PanelJson[];
}

export interface VariableOption {
  selected: boolean;
  text: string | string[];
  value: string | string[];
}

export interface VariableJson {
  name: string;
  label?: string;
  description?: string;
  type: 'query' | 'textbox' | 'constant' | 'custom' | 'interval';
  datasource?: DatasourceRef;
  /** The SQL of a query variable; the text of a textbox or constant. */
  query: string;
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current: VariableOption;
  options: VariableOption[];
  /** 1: on dashboard load, 2: on time range change. */
  refresh?: 0 | 1 | 2;
  sort?: number;
  hide?: 0 | 1 | 2;
  skipUrlSync?: boolean;
}

export interface DashboardLink {
  title: string;
  type: 'dashboards' | 'link';
  tags?: string[];
  asDropdown?: boolean;
  includeVars?: boolean;
  keepTime?: boolean;
  url?: string;
  icon?: string;
  targetBlank?: boolean;
  tooltip?: string;
}

export interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  timezone: string;
  editable: boolean;
  graphTooltip: number;
  refresh: string;
  schemaVersion: number;
  version: number;
  time: { from: string; to: string };
  timepicker: Record<string, unknown>;
  templating: { list: VariableJson[] };
  annotations: { list: unknown[] };
  links: DashboardLink[];
  panels: PanelJson[];
}

/** Every panel, with the panels of collapsed rows flattened in. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  for (const p of dashboard.panels) {
    out.push(p);
    if (p.panels) out.push(...p.panels);
  }
  return out;
}
