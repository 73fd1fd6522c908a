import pg from 'pg';
import { MIGRATIONS, migrateCommandFor } from '@agentspan/exporter-postgres';
import { quoteIdent } from '../database.js';
import { describeError, isMissingRelation } from '../errors.js';
import type { CheckResult } from './checks.js';
import { describeDatabaseUrl } from './checks.js';

/** Connect timeout of the doctor's database check, ms (a person is waiting). */
const DOCTOR_CONNECT_TIMEOUT_MS = 5000;

/** The database line and the migrations line. */
export async function checkDatabase(url: string | undefined, schema: string | undefined): Promise<CheckResult[]> {
  if (!url) {
    return [
      {
        name: 'database',
        status: 'fail',
        detail: 'no database configured',
        fix: 'set DATABASE_URL (or PGHOST/PGDATABASE), or pass --database-url',
      },
      { name: 'migrations', status: 'skip', detail: 'needs the database' },
    ];
  }
  const where = describeDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: DOCTOR_CONNECT_TIMEOUT_MS, application_name: 'agentspan-doctor' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    return [
      { name: 'database', status: 'fail', detail: `cannot connect to ${where}: ${describeError(err)}`, fix: 'start Postgres, or fix --database-url / DATABASE_URL' },
      { name: 'migrations', status: 'skip', detail: 'needs the database' },
    ];
  }
  try {
    const info = await client.query<{ version: string; schema: string | null }>(
      "SELECT current_setting('server_version') AS version, current_schema() AS schema",
    );
    if (schema) {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (!exists.rowCount) {
        return [
          { name: 'database', status: 'ok', detail: `connected to ${where} (PostgreSQL ${info.rows[0]?.version})` },
          { name: 'migrations', status: 'fail', detail: `schema "${schema}" does not exist`, fix: `run \`${migrateCommandFor(schema)}\`` },
        ];
      }
      await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    }
    const schemaName = schema ?? info.rows[0]?.schema ?? '(none)';
    const database: CheckResult = {
      name: 'database',
      status: 'ok',
      detail: `connected to ${where} (PostgreSQL ${info.rows[0]?.version}, schema ${schemaName})`,
    };
    return [database, await checkMigrations(client, schemaName, migrateCommandFor(schema || undefined))];
  } catch (err) {
    return [
      { name: 'database', status: 'fail', detail: `${where}: ${describeError(err)}` },
      { name: 'migrations', status: 'skip', detail: 'needs the database' },
    ];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `migrate`: the command to suggest, with this check's `--schema` (shell-quoted) when one was given. */
async function checkMigrations(client: pg.Client, schemaName: string, migrate: string): Promise<CheckResult> {
  let applied: Set<number>;
  try {
    const res = await client.query<{ version: number }>('SELECT version FROM agentspan_schema_migrations');
    applied = new Set(res.rows.map((r) => Number(r.version)));
  } catch (err) {
    if (!isMissingRelation(err)) throw err;
    return { name: 'migrations', status: 'fail', detail: `no agentspan tables in schema ${schemaName}`, fix: `run \`${migrate}\`` };
  }
  const missing = MIGRATIONS.filter((m) => !applied.has(m.version));
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v)).sort((a, b) => a - b);
  if (missing.length > 0) {
    return {
      name: 'migrations',
      status: 'fail',
      detail: `${missing.length} of ${MIGRATIONS.length} not applied: ${missing.map((m) => `${m.version} (${m.name})`).join(', ')}`,
      fix: `run \`${migrate}\``,
    };
  }
  const dropped = await missingRelations(client, MIGRATIONS.flatMap((m) => m.creates ?? []));
  if (dropped.length > 0) {
    return {
      name: 'migrations',
      status: 'fail',
      detail: `all ${MIGRATIONS.length} recorded as applied, but missing (dropped?): ${dropped.join(', ')}`,
      fix: `run \`${migrate}\` (it creates them again)`,
    };
  }
  if (unknown.length > 0) {
    return {
      name: 'migrations',
      status: 'warn',
      detail: `all ${MIGRATIONS.length} applied, plus ${unknown.join(', ')} that this agentspan does not know`,
      fix: 'a newer agentspan migrated this database: upgrade @agentspan/cli',
    };
  }
  return { name: 'migrations', status: 'ok', detail: `all ${MIGRATIONS.length} applied (versions ${MIGRATIONS.map((m) => m.version).join(', ')})` };
}

/** The tables and views among `relations` that the connection's `search_path` does not find. */
async function missingRelations(client: pg.Client, relations: readonly string[]): Promise<string[]> {
  const res = await client.query<{ name: string }>(
    `SELECT r.name FROM unnest($1::text[]) WITH ORDINALITY AS r(name, position)
      WHERE to_regclass(quote_ident(r.name)) IS NULL ORDER BY r.position`,
    [[...new Set(relations)]],
  );
  return res.rows.map((r) => r.name);
}
