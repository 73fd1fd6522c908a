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
import { diag, DiagLogLevel } from '@opentelemetry/api';
import {
  MIGRATIONS,
  MigrationError,
  PostgresExecutionEventExporter,
  SCHEMA_STEP,
  VERSIONS_TABLE_STEP,
  migrateCommandFor,
  notReadyMessage,
  runMigrations,
  shellQuote,
} from '../src/index.js';
import { isRefusalWithTablesInPlace } from '../src/migrations.js';
import { buildWorkflow, exportSpans, spanFactory, type SpanFactory } from './helpers.js';

/** A login role of its own, with a pool connected as it. */
interface TestRole {
  readonly name: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

async function createRole(admin: pg.Pool, prefix: string, searchPath?: string): Promise<TestRole> {
  const name = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`);
  const url = new URL(testDatabaseUrl());
  url.username = name;
  url.password = password;
  if (searchPath !== undefined) url.searchParams.set('options', `-c search_path="${searchPath}"`);
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

  it('a role that may create nothing in an empty schema is not told its spans are written: the tables do not exist', async () => {
    const schema = `t_empty_${randomBytes(4).toString('hex')}`;
    const role = await createRole(admin, 'no_create');
    const warnings: string[] = [];
    diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const exporter = new PostgresExecutionEventExporter({ pool: role.pool, schema });
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role.name}"`);
      const refused = await runMigrations(role.pool, { schema }).then(() => undefined, (err: unknown) => err as Error);
      assert.ok(refused, 'the migration is refused');
      assert.match(notReadyMessage({ ok: false, error: refused }, schema), /could not prepare the Postgres schema yet/);
      const exported = await exportSpans(exporter, buildWorkflow(f, 'run-nothing').all);
      assert.notEqual(exported.code, ExportResultCode.SUCCESS, 'nothing can be written');
      assert.equal(warnings.filter((w) => /writing to the existing tables anyway/.test(w)).length, 0, warnings.join('\n'));
    } finally {
      diag.disable();
      await exporter.shutdown();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await role.drop();
    }
  });

  for (const how of ['with the schema option', 'through the search_path'] as const) {
    it(`a role that may not create the versions table gets a MigrationError naming it, the schema and the SQLSTATE (${how})`, async () => {
      const schema = `t_no_versions_${randomBytes(4).toString('hex')}`;
      const role = await createRole(admin, 'no_versions', how === 'through the search_path' ? schema : undefined);
      try {
        await admin.query(`CREATE SCHEMA "${schema}"`);
        await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role.name}"`);
        const refused = await runMigrations(role.pool, how === 'with the schema option' ? { schema } : {}).then(
          () => undefined,
          (err: unknown) => err,
        );
        assert.ok(refused instanceof MigrationError, `a MigrationError, not ${String(refused)}`);
        assert.deepEqual(refused.migration, VERSIONS_TABLE_STEP);
        assert.deepEqual(refused.migration, { version: 0, name: 'agentspan_schema_migrations' });
        assert.equal(refused.code, '42501');
        assert.equal(refused.schema, schema);
        assert.ok(refused.cause instanceof pg.DatabaseError);
        assert.match(
          refused.message,
          new RegExp(`^agentspan exporter-postgres: creating the versions table agentspan_schema_migrations in schema ${schema} failed: permission denied for schema ${schema}$`),
        );
        // Nothing can be written yet: not a refusal to run beside existing tables, so the exporter keeps trying.
        assert.equal(isRefusalWithTablesInPlace(refused), false);
        assert.match(notReadyMessage({ ok: false, error: refused }, schema), /^could not prepare the Postgres schema yet \(agentspan exporter-postgres: creating the versions table/);
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await role.drop();
      }
    });
  }

  it('a role that may not create schemas in the database gets a MigrationError naming the missing schema, the privilege and the SQLSTATE', async () => {
    const role = await createRole(admin, 'no_schema');
    const schema = `${role.name}_missing`;
    try {
      const priv = await admin.query(`SELECT has_database_privilege($1, $2, 'CREATE') AS c`, [role.name, database]);
      assert.equal(priv.rows[0].c, false, 'precondition: no CREATE on the database');
      const refused = await runMigrations(role.pool, { schema }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(refused instanceof MigrationError, `a MigrationError, not ${String(refused)}`);
      assert.deepEqual(refused.migration, SCHEMA_STEP);
      assert.deepEqual(refused.migration, { version: 0, name: 'schema' });
      assert.equal(refused.code, '42501');
      assert.equal(refused.schema, schema);
      assert.ok(refused.cause instanceof pg.DatabaseError);
      assert.match(
        refused.message,
        new RegExp(
          `^agentspan exporter-postgres: creating the schema ${schema} failed: permission denied for database ${database} ` +
            `\\(creating a missing schema needs the CREATE privilege on the database: create schema ${schema} beforehand as a role that has it, ` +
            `owned by this role \\(CREATE SCHEMA "${schema}" AUTHORIZATION "${role.name}"\\), or grant this role CREATE on database ${database}\\)$`,
        ),
      );
      const created = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      assert.equal(created.rowCount, 0, 'no schema was created');
      // Nothing can be written: no refusal to run beside existing tables.
      assert.equal(isRefusalWithTablesInPlace(refused), false);
      assert.match(notReadyMessage({ ok: false, error: refused }, schema), /^could not prepare the Postgres schema yet \(agentspan exporter-postgres: creating the schema/);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await role.drop();
    }
  });

  for (const how of ['with the schema option', 'through the search_path'] as const) {
    it(`a role that may only write the tables keeps writing when a migration is due (${how}), and says once what to run`, async () => {
      const schema = `t_dba_owned_${randomBytes(4).toString('hex')}`;
      const role = await createRole(admin, 'writer', how === 'through the search_path' ? schema : undefined);
      const warnings: string[] = [];
      diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
      const options = how === 'with the schema option' ? { schema } : {};
      const exporter = new PostgresExecutionEventExporter({ pool: role.pool, ...options });
      try {
        // The DBA migrated (as the owner) with a release before migration 21; the application role writes.
        await runMigrations(admin, { schema, migrations: MIGRATIONS.filter((m) => m.version < 21) });
        await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role.name}"`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "${schema}" TO "${role.name}"`);

        const refused = await runMigrations(role.pool, options).then(
          () => undefined,
          (err: unknown) => err,
        );
        assert.ok(refused instanceof MigrationError, String(refused));
        assert.equal(refused.code, '42501');
        assert.deepEqual(refused.migration, { version: 21, name: 'event_outcomes_error_type' });

        for (const runId of ['run-due-1', 'run-due-2']) {
          const exported = await exportSpans(exporter, buildWorkflow(f, runId).all);
          assert.equal(exported.code, ExportResultCode.SUCCESS, String(exported.error));
          assert.equal(await countRows(admin, schema, runId), 5);
        }
        const refusals = warnings.filter((w) => /may not apply/.test(w));
        assert.equal(refusals.length, 1, warnings.join('\n'));
        assert.match(refusals[0]!, /migration 21 \(event_outcomes_error_type\)/);
        assert.match(
          refusals[0]!,
          how === 'with the schema option' ? new RegExp(`Run \`agentspan migrate --schema ${schema}\` as the tables' owner`) : /Run `agentspan migrate` as the tables' owner/,
        );
        // What a process starting up says about it: what to run, not "retried before every write".
        const startup = notReadyMessage({ ok: false, error: refused }, how === 'with the schema option' ? schema : undefined);
        assert.match(startup, /may not apply the Postgres migrations .*spans are written to the existing tables\. Run `agentspan migrate/);
        assert.doesNotMatch(startup, /retried before every write/);
        // Asked for explicitly, the migration still reports the refusal.
        await assert.rejects(exporter.migrate(), (err: unknown) => err instanceof MigrationError && err.code === '42501');
        const versions = await admin.query(`SELECT max(version)::int AS v FROM "${schema}".agentspan_schema_migrations`);
        assert.equal(versions.rows[0].v, 20, 'nothing recorded that was not applied');
      } finally {
        diag.disable();
        await exporter.shutdown();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await role.drop();
      }
    });
  }
});

describe('migrateCommandFor', () => {
  it('quotes the schema for a POSIX shell only when it needs it', () => {
    assert.equal(migrateCommandFor(undefined), 'agentspan migrate');
    assert.equal(migrateCommandFor('agentspan_data'), 'agentspan migrate --schema agentspan_data');
    assert.equal(migrateCommandFor('My Schema'), "agentspan migrate --schema 'My Schema'");
    assert.equal(migrateCommandFor(`it's $HOME`), `agentspan migrate --schema 'it'\\''s $HOME'`);
    assert.equal(shellQuote('-- comment'), "'-- comment'");
    assert.equal(migrateCommandFor('-- comment'), "agentspan migrate --schema='-- comment'");
    assert.equal(migrateCommandFor('-x'), 'agentspan migrate --schema=-x');
  });
});
