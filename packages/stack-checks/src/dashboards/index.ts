import type { DashboardJson } from '../grafana/dashboard-model.js';
import { agentsDashboard } from './agents.js';
import { filesDashboard } from './files.js';
import { runsOverviewDashboard } from './runs-overview.js';
import { toolsAndCodeDashboard } from './tools-and-code.js';

/** The provisioned dashboards, by file name under `docker/grafana/dashboards/`. */
export const DASHBOARDS: Readonly<Record<string, () => DashboardJson>> = {
  'runs-overview.json': runsOverviewDashboard,
  'agents.json': agentsDashboard,
  'tools-and-code.json': toolsAndCodeDashboard,
  'files.json': filesDashboard,
};

/** The dashboard with Grafana uid `uid` (built afresh); throws when there is none. */
export function dashboardByUid(uid: string): DashboardJson {
  for (const build of Object.values(DASHBOARDS)) {
    const d = build();
    if (d.uid === uid) return d;
  }
  throw new Error(`no dashboard with uid ${uid}`);
}

/** A dashboard as its committed file holds it (two-space JSON, trailing newline). */
export function renderDashboard(d: DashboardJson): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
