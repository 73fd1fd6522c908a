import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import { STACK_PATHS, renderInitSchemaSql, repoPath } from '../src/index.js';
import { createReaderRole } from './reader-role.js';
import { readRepoFile } from './stack-files.js';

let viaInit: TestSchema;
let viaMigrations: TestSchema;

before(async () => {
  viaInit = await createTestSchema('init_sql');
  viaMigrations = await createTestSchema('init_migrations');
  // The init path: the committed file, run as the image runs it (the
  // schema's search_path stands in for the image's default `public`).
  const client = await viaInit.pool.connect();
  try {
    await client.query(readRepoFile(STACK_PATHS.initSchemaSql));
  } finally {
    client.release();
  }
  await runMigrations(viaMigrations.pool, { schema: viaMigrations.schema });
});

after(async () => {
  await viaInit?.drop();
  await viaMigrations?.drop();
});

test('the committed init schema is what the exporter migrations generate (run `npm run generate:stack` when this fails)', () => {
  assert.equal(readRepoFile(STACK_PATHS.initSchemaSql), renderInitSchemaSql());
});

/** The catalog of one schema, with the schema name replaced so two schemas compare equal. */
async function catalog(db: TestSchema): Promise<Record<string, unknown[]>> {
  const s = db.schema;
  const unqualify = (text: string): string => text.split(`"${s}".`).join('').split(`${s}.`).join('');
  const client = await db.pool.connect();
  try {
    // Definitions print unqualified names for what the search_path shows.
    await client.query(`SET search_path TO "${s}"`);
    const columns = await client.query(
      `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [s],
    );
    const indexes = await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [s]);
    const constraints = await client.query(
      `SELECT c.conrelid::regclass::text AS tbl, c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY c.conname`,
      [s],
    );
    const views = await client.query(`SELECT viewname, definition FROM pg_views WHERE schemaname = $1 ORDER BY viewname`, [s]);
    const functions = await client.query(
      `SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS def
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1, 2`,
      [s],
    );
    const versions = await client.query('SELECT version, name FROM agentspan_schema_migrations ORDER BY version');
    return {
      columns: columns.rows,
      indexes: indexes.rows.map((r: { indexdef: string }) => ({ ...r, indexdef: unqualify(r.indexdef) })),
      constraints: constraints.rows,
      views: views.rows.map((r: { definition: string }) => ({ ...r, definition: unqualify(r.definition) })),
      functions: functions.rows.map((r: { def: string }) => ({ ...r, def: unqualify(r.def) })),
      versions: versions.rows,
    };
  } finally {
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
}

test('the init path produces the same schema as the migrations: columns, indexes, constraints, views, functions, versions', async () => {
  const a = await catalog(viaInit);
  const b = await catalog(viaMigrations);
  assert.ok((a['columns'] as unknown[]).length > 40, 'the tables exist');
  assert.ok((a['indexes'] as unknown[]).length >= 10, 'the indexes exist');
  for (const key of Object.keys(b)) assert.deepEqual(a[key], b[key], `${key} differ`);
});

test("after the init path, the exporter's migrator has nothing left to do", async () => {
  const result = await runMigrations(viaInit.pool, { schema: viaInit.schema });
  assert.deepEqual(result.applied, []);
});

test('grafana_reader reads every table and view, also ones added later, and can write nothing', async () => {
  const reader = await createReaderRole(viaInit);
  try {
    // A table a later migration adds, created by the owner: default privileges cover it.
    await viaInit.pool.query('CREATE TABLE later_table (id int)');
    const client = await reader.connect();
    try {
      const relations = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') ORDER BY 1`,
        [viaInit.schema],
      );
      assert.ok(relations.rows.length >= 5);
      assert.ok(relations.rows.some((r) => r.name === 'later_table'));
      for (const { name } of relations.rows) await client.query(`SELECT * FROM "${name}" LIMIT 1`);
      const settings = await client.query<{ ro: string; timeout: string }>(
        "SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout",
      );
      assert.deepEqual(settings.rows[0], { ro: 'on', timeout: '30s' });
      await assert.rejects(
        client.query("INSERT INTO workflow_runs (id) VALUES ('x')"),
        (err: { code?: string }) => err.code === '25006' || err.code === '42501',
      );
      await assert.rejects(client.query('BEGIN READ WRITE; DELETE FROM execution_events; COMMIT'), (err: { code?: string }) => err.code === '42501');
      await client.query('ROLLBACK').catch(() => undefined);
    } finally {
      await client.end();
    }
  } finally {
    await reader.drop();
  }
});

function psqlAvailable(): boolean {
  const r = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

test('03-grafana-reader-password.sh sets the password from GRAFANA_DB_PASSWORD, quoting any character', async (t) => {
  if (!psqlAvailable()) {
    t.skip('psql is not installed here (the script runs inside the postgres image, which has it)');
    return;
  }
  const admin = new pg.Client(testConnectionConfig());
  await admin.connect();
  try {
    const existing = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader'");
    if (existing.rowCount) {
      t.skip('this cluster already has a grafana_reader role; not changing its password');
      return;
    }
    await admin.query('CREATE ROLE grafana_reader LOGIN');
    try {
      const cfg = testConnectionConfig();
      // The script's settings: from DATABASE_URL when given, else the PG* settings as they are (a socket directory included).
      const url = cfg.connectionString ? new URL(cfg.connectionString) : undefined;
      const connection = url
        ? {
            PGHOST: url.hostname,
            PGPORT: url.port || '5432',
            ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
            POSTGRES_USER: decodeURIComponent(url.username),
            POSTGRES_DB: url.pathname.slice(1),
          }
        : { PGHOST: String(cfg.host), PGPORT: String(cfg.port), POSTGRES_USER: String(cfg.user), POSTGRES_DB: String(cfg.database) };
      const password = `it's "q" $HOME ; \\ ${randomBytes(4).toString('hex')}`;
      const r = spawnSync('sh', [repoPath(STACK_PATHS.grafanaReaderPasswordSh)], {
        encoding: 'utf8',
        env: { ...process.env, ...connection, GRAFANA_DB_PASSWORD: password },
      });
      assert.equal(r.status, 0, r.stderr);
      const verifier = await admin.query<{ pw: string | null }>("SELECT rolpassword AS pw FROM pg_authid WHERE rolname = 'grafana_reader'");
      assert.match(verifier.rows[0]?.pw ?? '', /^(SCRAM-SHA-256|md5)/, 'a password was set');
      const reader = new pg.Client({ ...cfg, user: 'grafana_reader', password });
      await reader.connect();
      await reader.end();
    } finally {
      await admin.query('DROP ROLE grafana_reader');
    }
  } finally {
    await admin.end();
  }
});

test('03-grafana-reader-password.sh is safe to source (the entrypoint sources non-executable scripts)', () => {
  const r = spawnSync('sh', ['-c', `set -e; . "${repoPath(STACK_PATHS.grafanaReaderPasswordSh)}"; echo still-running`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', GRAFANA_DB_PASSWORD: '' },
  });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /still-running/, 'no exit, no changed shell options');
  assert.match(r.stderr, /GRAFANA_DB_PASSWORD is empty/);
});
