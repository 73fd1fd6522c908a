import { MIGRATIONS, migrationScript } from '@agentspan/exporter-postgres';

/**
 * The Postgres image runs every `*.sql` in `/docker-entrypoint-initdb.d` once,
 * on an empty data directory, in file-name order. The first of ours is the
 * whole agentspan schema, generated from the exporter's own migrations
 * (`migrationScript()`), so the init path and `runMigrations` can never
 * disagree; the test suite fails when the committed file is stale.
 */
export function renderInitSchemaSql(): string {
  const versions = MIGRATIONS.map((m) => `${m.version} (${m.name})`).join(', ');
  const header = [
    '-- agentspan schema for a fresh Postgres (docker-entrypoint-initdb.d).',
    '--',
    '-- GENERATED from @agentspan/exporter-postgres migrationScript(): do not edit.',
    '-- Regenerate with `npm run generate:stack` after changing a migration.',
    `-- Migrations: ${versions}.`,
    '--',
    '-- It also records the applied versions in agentspan_schema_migrations, so the',
    "-- exporter's migrator finds nothing to do on first start; later migrations are",
    '-- applied by the exporter at runtime (this file runs only on an empty volume).',
    '',
  ].join('\n');
  return `${header}\n${migrationScript()}`;
}
