/**
 * Migrations and writes as a role with the privileges production roles
 * have, not the superuser the other tests use: each test makes a login role
 * of its own (and drops it).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import pg from 'pg';
import { testConnectionConfig, testDatabaseUrl } from '@agentspan/test-support';
import { MIGRATIONS, PostgresExecutionEventExporter, runMigrations } from '../src/index.js';
import { buildWorkflow, exportSpans, spanFactory, type SpanFactory } from './helpers.js';

/** A login role of its own, with a pool connected as it. */
interface TestRole {
  readonly name: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

async function createRole(admin: pg.Pool, prefix: string): Promise<TestRole> {
  const name = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`);
  const url = new URL(testDatabaseUrl());
  url.username = name;
  url.password = password;
  const pool = new pg.Pool({ connectionString: url.href, max: 2 });
  pool.on('error', () => {});
  return {
    name,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP OWNED BY "${name}" CASCADE`);
      await admin.query(`DROP ROLE "${name}"`);
    },
  };
}

async function countRows(admin: pg.Pool, schema: string, runId: string): Promise<number> {
  const r = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".execution_events WHERE run_id = $1`, [runId]);
  return r.rows[0].n;
}

describe('migrations and writes under ordinary privileges', () => {
  let admin: pg.Pool;
  let database: string;
  let f: SpanFactory;
  before(async () => {
    admin = new pg.Pool({ ...testConnectionConfig(), max: 2 });
    admin.on('error', () => {});
    database = (await admin.query('SELECT current_database() AS d')).rows[0].d;
    f = spanFactory();
  });
  after(async () => {
    await f.shutdown();
    await admin.end();
  });

  it('a role that owns an existing schema but may not create schemas in the database migrates and writes it', async () => {
    const role = await createRole(admin, 'schema_owner');
    const schema = `${role.name}_data`;
    try {
      await admin.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role.name}"`);
      const priv = await admin.query(`SELECT has_database_privilege($1, $2, 'CREATE') AS c`, [role.name, database]);
      assert.equal(priv.rows[0].c, false, 'precondition: no CREATE on the database (the default for a role that does not own it)');

      const result = await runMigrations(role.pool, { schema });
      assert.deepEqual(result.applied, MIGRATIONS.map((m) => m.version));

      const exporter = new PostgresExecutionEventExporter({ pool: role.pool, schema });
      const exported = await exportSpans(exporter, buildWorkflow(f, 'run-owner').all);
      await exporter.shutdown();
      assert.equal(exported.code, ExportResultCode.SUCCESS, String(exported.error));
      assert.equal(await countRows(admin, schema, 'run-owner'), 5);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await role.drop();
    }
  });
});
