#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DASHBOARDS, renderDashboard } from '../dashboards/index.js';
import { renderInitSchemaSql } from '../init-sql.js';
import { STACK_PATHS, repoPath } from '../paths.js';

// Regenerates the stack's generated files: the Postgres init schema (from the
// exporter's migrations) and the Grafana dashboards (from src/dashboards).
function write(relative: string, content: string): void {
  const full = repoPath(relative);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  console.log(`wrote ${relative}`);
}

write(STACK_PATHS.initSchemaSql, renderInitSchemaSql());
for (const [file, build] of Object.entries(DASHBOARDS)) {
  write(join(STACK_PATHS.grafanaDashboardsDir, file), renderDashboard(build()));
}
