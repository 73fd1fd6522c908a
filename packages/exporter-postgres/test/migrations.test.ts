import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import {
  DAG_NODES_COLUMNS,
  EXECUTION_EVENTS_COLUMNS,
  MIGRATIONS,
  EVENT_OUTCOMES_VIEW_SQL,
  WORKFLOW_RUNS_COLUMNS,
  UNORDERED_EVENTS_INDEX,
  migrationScript,
  runMigrations,
} from '../src/index.js';

const EXPECTED_INDEXES = [
  'dag_nodes_pkey',
  'dag_nodes_run_id_order_index_idx',
  'execution_events_agent_name_idx',
  'execution_events_event_type_event_subtype_idx',
  'execution_events_node_id_execution_order_idx',
  'execution_events_parent_event_id_idx',
  'execution_events_pkey',
  'execution_events_run_id_execution_order_idx',
  'execution_events_run_id_timestamp_unordered_idx',
  'execution_events_session_id_timestamp_idx',
  'execution_events_timestamp_idx',
  'execution_events_trace_id_idx',
  'execution_event_fills_pkey',
  'agentspan_schema_migrations_pkey',
  'workflow_runs_pkey',
  'workflow_runs_started_at_idx',
].sort();

async function catalog(pool: pg.Pool, schema: string) {
  const objects = await pool.query<{ relname: string; relkind: string }>(
    `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 ORDER BY c.relname`,
    [schema],
  );
  return objects.rows;
}

async function columnsOf(pool: pg.Pool, schema: string, table: string): Promise<string[]> {
  const r = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return r.rows.map((x) => x.column_name);
}

/** The versions from `first` on: what a schema migrated up to just before `first` has left to apply. */
const versionsFrom = (first: number): number[] => MIGRATIONS.map((m) => m.version).filter((v) => v >= first);

describe('runMigrations', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('migrations');
  });
  after(() => db.drop());

  it('creates the three tables and their indexes in the current schema', async () => {
    const result = await runMigrations(db.pool);
    assert.deepEqual(result.applied, MIGRATIONS.map((m) => m.version));
    const objects = await catalog(db.pool, db.schema);
    assert.deepEqual(
      objects.filter((o) => o.relkind === 'r').map((o) => o.relname),
      ['agentspan_schema_migrations', 'dag_nodes', 'execution_event_fills', 'execution_events', 'workflow_runs'],
    );
    assert.deepEqual(objects.filter((o) => o.relkind === 'i').map((o) => o.relname).sort(), EXPECTED_INDEXES);
    const versions = await db.pool.query('SELECT version, name FROM agentspan_schema_migrations ORDER BY version');
    assert.deepEqual(versions.rows, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('writes exactly the columns the exporter knows, plus created_at', async () => {
    assert.deepEqual(await columnsOf(db.pool, db.schema, 'execution_events'), [...EXECUTION_EVENTS_COLUMNS, 'created_at']);
    assert.deepEqual(await columnsOf(db.pool, db.schema, 'workflow_runs'), [...WORKFLOW_RUNS_COLUMNS, 'created_at']);
    assert.deepEqual(await columnsOf(db.pool, db.schema, 'dag_nodes'), [...DAG_NODES_COLUMNS, 'created_at']);
  });

  it('re-running is a no-op', async () => {
    const before = await catalog(db.pool, db.schema);
    const result = await runMigrations(db.pool);
    assert.deepEqual(result.applied, []);
    assert.deepEqual(await catalog(db.pool, db.schema), before);
    const n = await db.pool.query('SELECT COUNT(*)::int AS n FROM agentspan_schema_migrations');
    assert.equal(n.rows[0].n, MIGRATIONS.length);
  });

  it('concurrent migrators from two pools do not fail, and apply each version once', async () => {
    const schema = `${db.schema}_conc`;
    const pools = [1, 2].map(() => new pg.Pool({ ...testConnectionConfig(), max: 3 }));
    for (const p of pools) p.on('error', () => {});
    try {
      const results = await Promise.all(
        pools.flatMap((p) => [runMigrations(p, { schema }), runMigrations(p, { schema }), runMigrations(p, { schema })]),
      );
      const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
      assert.deepEqual(applied, MIGRATIONS.map((m) => m.version));
      const objects = await catalog(pools[0]!, schema);
      assert.equal(objects.filter((o) => o.relkind === 'r').length, 5);
    } finally {
      await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('creates and qualifies a given schema, quoting odd names', async () => {
    const schema = `${db.schema} Odd "Name"`;
    const admin = new pg.Pool({ ...testConnectionConfig(), max: 1 });
    admin.on('error', () => {});
    const leakCheck = async () => (await admin.query(`SELECT to_regclass('execution_events')::text AS r`)).rows[0].r;
    try {
      const defaultBefore = await leakCheck();
      const result = await runMigrations(admin, { schema });
      assert.equal(result.applied.length, MIGRATIONS.length);
      const objects = await catalog(admin, schema);
      assert.deepEqual(objects.filter((o) => o.relkind === 'i').map((o) => o.relname).sort(), EXPECTED_INDEXES);
      // Nothing leaked into the connection's default schema.
      assert.equal(await leakCheck(), defaultBefore);
      assert.deepEqual((await runMigrations(admin, { schema })).applied, []);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
      await admin.end();
    }
  });

  it('upgrades a schema made before migration 4: the span-id constraints go, the data stays', async () => {
    const old = await createTestSchema('migold');
    try {
      const before4 = MIGRATIONS.filter((m) => m.version !== 4);
      assert.equal(before4.length, MIGRATIONS.length - 1, 'migration 4 exists');
      await runMigrations(old.pool, { migrations: before4 });
      const spanKeys = async () =>
        (await catalog(old.pool, old.schema)).filter((o) => o.relname.endsWith('_span_id_key')).map((o) => o.relname);
      assert.deepEqual(await spanKeys(), ['dag_nodes_span_id_key', 'execution_events_span_id_key', 'workflow_runs_span_id_key']);
      await old.pool.query(
        `INSERT INTO execution_events (id, event_type, "timestamp", status, trace_id, span_id)
         VALUES ('00000000-0000-5000-8000-000000000001', 'info', now(), 'completed', 'aa', '0123456789abcdef')`,
      );
      assert.deepEqual((await runMigrations(old.pool)).applied, [4]);
      assert.deepEqual(await spanKeys(), []);
      const n = await old.pool.query('SELECT COUNT(*)::int AS n FROM execution_events');
      assert.equal(n.rows[0].n, 1);
      assert.deepEqual(
        (await catalog(old.pool, old.schema)).map((o) => o.relname),
        (await catalog(db.pool, db.schema)).map((o) => o.relname),
        'the same catalog as a schema made in one go',
      );
    } finally {
      await old.drop();
    }
  });

  it('migration 27 indexes the events without an execution order of a schema migrated before it (partial: numbered events are not in it)', async () => {
    const old = await createTestSchema('mig27');
    try {
      await runMigrations(old.pool, { migrations: MIGRATIONS.filter((m) => m.version < 27) });
      await old.pool.query(
        `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order)
         SELECT gen_random_uuid(), 'r', 'tool_call', now(), 'completed', 't', 's' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE i END
           FROM generate_series(1, 300) AS i`,
      );
      assert.deepEqual((await runMigrations(old.pool)).applied, [27]);
      const def = await old.pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
        old.schema,
        UNORDERED_EVENTS_INDEX,
      ]);
      assert.match(def.rows[0]?.indexdef ?? '', /\(run_id, "timestamp", id\) WHERE \(execution_order IS NULL\)$/);
      const size = await old.pool.query<{ n: number }>(`SELECT reltuples::int AS n FROM pg_class WHERE oid = to_regclass($1)`, [
        `"${old.schema}".${UNORDERED_EVENTS_INDEX}`,
      ]);
      assert.equal(size.rows[0]?.n, 100, 'the 100 events without an order, only');
    } finally {
      await old.drop();
    }
  });

  it('tables dropped by hand, their versions kept: the next run creates them (and the views) again', async () => {
    const dropped = await createTestSchema('migdropped');
    try {
      await runMigrations(dropped.pool);
      const made = await catalog(dropped.pool, dropped.schema);
      await dropped.pool.query('DROP TABLE execution_events, workflow_runs, dag_nodes CASCADE');

      const result = await runMigrations(dropped.pool);
      assert.deepEqual(result.applied, MIGRATIONS.map((m) => m.version), 'every migration applied again');
      assert.deepEqual(result.recreated, [
        'execution_events',
        'workflow_runs',
        'dag_nodes',
        'agentspan_event_outcomes',
        'agentspan_repeated_code',
        'agentspan_tool_sequences',
        'agentspan_import_usage',
        'agentspan_error_rates',
      ]);
      assert.deepEqual(await catalog(dropped.pool, dropped.schema), made, 'the same catalog as before the drop');
      const n = await dropped.pool.query('SELECT COUNT(*)::int AS n FROM agentspan_schema_migrations');
      assert.equal(n.rows[0].n, MIGRATIONS.length, 'each version recorded once');
      assert.deepEqual(await runMigrations(dropped.pool), { applied: [], recreated: [] });

      // One view dropped alone is noticed too.
      await dropped.pool.query('DROP VIEW agentspan_error_rates');
      assert.deepEqual((await runMigrations(dropped.pool)).recreated, ['agentspan_error_rates']);
      assert.deepEqual(await catalog(dropped.pool, dropped.schema), made);
    } finally {
      await dropped.drop();
    }
  });

  it("each migration's `creates` names exactly the tables and views its SQL creates", () => {
    for (const m of MIGRATIONS) {
      const named = [...m.sql.matchAll(/CREATE (?:TABLE IF NOT EXISTS|OR REPLACE VIEW) (\w+)/g)].map((x) => x[1]);
      assert.deepEqual([...(m.creates ?? [])].sort(), [...new Set(named)].sort(), `migration ${m.version}`);
    }
  });

  it('refuses "$user" and pg_ schema names before connecting', async () => {
    const neverConnects = { connect: () => Promise.reject(new Error('connected')) };
    await assert.rejects(runMigrations(neverConnects, { schema: '$user' }), { name: 'TypeError', message: /\$user/ });
    await assert.rejects(runMigrations(neverConnects, { schema: 'pg_agent' }), { name: 'TypeError', message: /pg_/ });
  });

  it('without a schema, an upgrade migrates the schema of the search_path holding the tables, not an earlier empty one', async () => {
    // The default search_path "$user", public with a role that has a schema of its own: the tables live in
    // the second schema, the first exists and is empty. Unqualified writes reach the second one's tables.
    const tables = await createTestSchema('migpath_tables');
    const first = `${tables.schema}_first`;
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${first}","${tables.schema}"` });
    pool.on('error', () => {});
    try {
      await runMigrations(tables.pool, { migrations: MIGRATIONS.filter((m) => m.version !== 21) });
      await tables.pool.query(
        `INSERT INTO execution_events (id, event_type, "timestamp", status, trace_id, span_id)
         VALUES ('00000000-0000-5000-8000-000000000002', 'info', now(), 'completed', 'aa', '0123456789abcdef')`,
      );
      await pool.query(`CREATE SCHEMA "${first}"`);

      assert.deepEqual((await runMigrations(pool)).applied, [21]);
      assert.deepEqual(await catalog(pool, first), [], 'nothing created in the first schema of the search_path');
      const versions = await tables.pool.query('SELECT version FROM agentspan_schema_migrations ORDER BY version');
      assert.deepEqual(versions.rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      const view = await pool.query('SELECT count(*)::int AS n FROM agentspan_event_outcomes');
      assert.equal(view.rows[0].n, 1, 'the view reads the existing rows');
      assert.deepEqual((await runMigrations(pool)).applied, []);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${first}" CASCADE`);
      await pool.end();
      await tables.drop();
    }
  });

  it('migration 22 appends parent_event_id to an agentspan_event_outcomes made before it (other views depending on it), and the tool sequences read it', async () => {
    const s = await createTestSchema('mig22');
    try {
      await runMigrations(s.pool, { migrations: MIGRATIONS.filter((m) => m.version < 20) });
      const before22 = EVENT_OUTCOMES_VIEW_SQL.replace(',\n       e.parent_event_id', '');
      assert.notEqual(before22, EVENT_OUTCOMES_VIEW_SQL, 'the view as migrations 20 and 21 made it');
      await s.pool.query(before22);
      await s.pool.query('CREATE VIEW a_users_view AS SELECT id, tool_name FROM agentspan_event_outcomes');
      assert.deepEqual((await runMigrations(s.pool)).applied, versionsFrom(20));
      const cols = await s.pool.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'agentspan_event_outcomes' ORDER BY ordinal_position`,
        [s.schema],
      );
      assert.equal(cols.rows.at(-1)?.column_name, 'parent_event_id');
      assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM a_users_view')).rows[0].n, 0, "the user's view still works");
      assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM agentspan_tool_sequences')).rows[0].n, 0);
    } finally {
      await s.drop();
    }
  });

  it('migration 25 reads an event status as a run status is read: error or timeout is no success, completed in any case is (a schema migrated before it)', async () => {
    const s = await createTestSchema('mig25');
    try {
      await runMigrations(s.pool, { migrations: MIGRATIONS.filter((m) => m.version < 25) });
      // The outcomes view as migrations 23 and 24 left it.
      const before25 = EVENT_OUTCOMES_VIEW_SQL.replace(/THEN translate\(btrim[^\n]+ AND coalesce/, "THEN e.status <> 'failed' AND coalesce");
      assert.notEqual(before25, EVENT_OUTCOMES_VIEW_SQL, 'the view as migration 23 made it');
      await s.pool.query(before25);
      const statuses = ['completed', ' Completed ', 'OK', 'success', 'skipped', 'failed', 'error', 'timeout', 'FAILED'];
      for (const [i, status] of statuses.entries()) {
        await s.pool.query(
          `INSERT INTO execution_events (id, event_type, agent_name, "timestamp", status, trace_id, span_id, completed_at)
           VALUES ($1, 'tool_call', 'worker', now(), $2, 'aa', $3, now())`,
          [`00000000-0000-5000-8000-0000000025${String(i).padStart(2, '0')}`, status, `0123456789abcd${String(i).padStart(2, '0')}`],
        );
      }
      const read = async () =>
        (await s.pool.query<{ status: string; succeeded: boolean }>('SELECT status, succeeded FROM agentspan_event_outcomes ORDER BY id')).rows.map((r) => [r.status, r.succeeded]);
      assert.deepEqual((await read()).filter(([, ok]) => ok).map(([st]) => st), ['completed', ' Completed ', 'OK', 'success', 'skipped', 'error', 'timeout', 'FAILED'], "before 25: only 'failed' was no success");
      assert.deepEqual((await runMigrations(s.pool)).applied, versionsFrom(25));
      assert.deepEqual((await read()).filter(([, ok]) => ok).map(([st]) => st), ['completed', ' Completed ', 'OK', 'success', 'skipped']);
    } finally {
      await s.drop();
    }
  });

  it('migration 23 gives an event in progress no outcome in a schema migrated before it (other views depending on the outcomes kept)', async () => {
    const s = await createTestSchema('mig23');
    try {
      await runMigrations(s.pool, { migrations: MIGRATIONS.filter((m) => m.version < 23) });
      // The outcomes view as migrations 20 to 22 made it.
      const before23 = EVENT_OUTCOMES_VIEW_SQL.replace(
        /CASE WHEN NOT \(e\.status = 'running' AND e\.completed_at IS NULL AND e\.duration_ms IS NULL\)\s+THEN ([^\n]+) END AS succeeded/,
        `(e.status <> 'failed' AND coalesce(e.meta->>'has_error', 'false') <> 'true') AS succeeded`,
      );
      assert.notEqual(before23, EVENT_OUTCOMES_VIEW_SQL, 'the view as migrations 20 to 22 made it');
      await s.pool.query(before23);
      await s.pool.query('CREATE VIEW a_users_view AS SELECT id, succeeded FROM agentspan_event_outcomes');
      await s.pool.query(
        `INSERT INTO execution_events (id, event_type, agent_name, "timestamp", status, trace_id, span_id, meta)
         VALUES ('00000000-0000-5000-8000-000000000023', 'agent_call', 'writer', now(), 'running', 'aa', '0123456789abcdef',
                 jsonb_build_object('last_seen_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'heartbeat_ms', 60000))`,
      );
      const succeeded = async () => (await s.pool.query('SELECT succeeded FROM a_users_view')).rows[0].succeeded;
      assert.equal(await succeeded(), true, 'before 23: an event still running counted as a success');
      assert.deepEqual((await runMigrations(s.pool)).applied, versionsFrom(23));
      assert.equal(await succeeded(), null, "no outcome yet, through the user's view too");
      assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM agentspan_error_rates')).rows[0].n, 0, 'not a call of writer yet');
    } finally {
      await s.drop();
    }
  });

  it('without a schema, a database without agentspan tables gets them in the first schema of the search_path', async () => {
    const first = await createTestSchema('migpath_first');
    const second = await createTestSchema('migpath_second');
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${first.schema}","${second.schema}"` });
    pool.on('error', () => {});
    try {
      assert.deepEqual((await runMigrations(pool)).applied, MIGRATIONS.map((m) => m.version));
      assert.equal((await catalog(pool, first.schema)).filter((o) => o.relkind === 'r').length, 5);
      assert.deepEqual(await catalog(pool, second.schema), []);
    } finally {
      await pool.end();
      await first.drop();
      await second.drop();
    }
  });

  it('migrationScript() builds the same catalog and leaves nothing for runMigrations', async () => {
    const other = await createTestSchema('migscript');
    try {
      await other.pool.query(migrationScript());
      const fromScript = await catalog(other.pool, other.schema);
      assert.deepEqual(
        fromScript.map((o) => o.relname),
        (await catalog(db.pool, db.schema)).map((o) => o.relname),
      );
      assert.deepEqual((await runMigrations(other.pool)).applied, []);
    } finally {
      await other.drop();
    }
  });
});
