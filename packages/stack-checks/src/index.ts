export { REPO_ROOT, STACK_PATHS, repoPath } from './paths.js';
export { renderInitSchemaSql } from './init-sql.js';
export { expandMacros, goFloat, parseIntervalSeconds, rfc3339Nano } from './grafana/macros.js';
export type { TimeRange } from './grafana/macros.js';
export { interpolateVariables, optionsFromRows, quoteLiteral, ALL_VALUE } from './grafana/variables.js';
export type { VariableState, BuiltIns } from './grafana/variables.js';
export { renderSql, resolveVariables } from './grafana/render-query.js';
export type { Queryable, QueryContext } from './grafana/render-query.js';
export { allPanels } from './grafana/dashboard-model.js';
export type {
  DashboardJson,
  DashboardLink,
  DataLink,
  DatasourceRef,
  FieldConfig,
  FieldOverride,
  PanelJson,
  TargetJson,
  VariableJson,
} from './grafana/dashboard-model.js';
export { DASHBOARDS, dashboardByUid, renderDashboard } from './dashboards/index.js';
export { DATASOURCES, DASHBOARD_TAG, DEFAULT_JAEGER_URL, ALL_SQL } from './dashboards/builders.js';
export { SPAN_METRICS } from './dashboards/agents.js';
export { composeVariables, interpolateCompose } from './compose-variables.js';
export type { ComposeVariable } from './compose-variables.js';
export {
  exportBounds,
  jaegerExportBounds,
  JAEGER_LIMITS,
  gatewayExportBounds,
  gatewayMaxBodyBytes,
  worstCaseCompressedBytes,
  COLLECTOR_DEFAULT_GRPC_MESSAGE_BYTES,
  COLLECTOR_DEFAULT_HTTP_BODY_BYTES,
} from './gateway-request-size.js';
export type { ExportDestination, GatewayExportBound, GatewayLimits } from './gateway-request-size.js';
