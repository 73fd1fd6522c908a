import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Absolute path of the repository root. This file sits two directories
 * below the package (`src/` while testing through tsx, `dist/` when built),
 * and the package two below the root, so the same relative walk works from
 * both.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Paths of the deployable stack, relative to {@link REPO_ROOT}. */
export const STACK_PATHS = {
  composeFile: 'docker/docker-compose.yml',
  dockerDir: 'docker',
  initSqlDir: 'docker/postgres/init',
  initSchemaSql: 'docker/postgres/init/01-agentspan-schema.sql',
  grafanaReaderSql: 'docker/postgres/init/02-grafana-reader.sql',
  grafanaReaderPasswordSh: 'docker/postgres/init/03-grafana-reader-password.sh',
  grafanaProvisioningDir: 'docker/grafana/provisioning',
  grafanaDashboardsDir: 'docker/grafana/dashboards',
  prometheusConfig: 'docker/prometheus/prometheus.yml',
  exampleDockerfile: 'docker/example/Dockerfile',
  exampleLoopScript: 'docker/example/run-examples.sh',
  collectorConfigDir: 'collector-config',
  collectorConfig: 'collector-config/otel-collector.yaml',
  collectorConfigPythonAgents: 'collector-config/otel-collector.python-agents.yaml',
  collectorConfigGateway: 'collector-config/otel-collector.gateway.yaml',
  docsDir: 'docs',
} as const;

/** `REPO_ROOT` joined with a repository-relative path. */
export function repoPath(relative: string): string {
  return join(REPO_ROOT, relative);
}
