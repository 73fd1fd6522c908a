/**
 * Events without an execution order (spans no recorder numbered) are paged through the partial
 * index of migration 27 (`UNORDERED_EVENTS_INDEX`): each page an index range of a page, not a scan
 * and sort of every such event of the run (which made a run of them quadratic to read). Proved on
 * the query as the CLI sends it (EXPLAIN ANALYZE of it, in its own transaction, with its settings),
 * also for a run the table's statistics do not know yet; and a schema migrated before that
 * migration still pages them all, once each, in order (the query of before).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { MIGRATIONS, UNORDERED_EVENTS_INDEX, runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { eventPages } from '../src/data/event-pages.js';
import { timelineEventPages } from '../src/data/run-detail.js';

const EVENTS = 20_000;
const PAGE = 1000;

let db: TestSchema;
/** A schema migrated by a version before migration 27: no partial index. */
let older: TestSchema;
before(async () => {
  db = await createTestSchema('cli_unordered');
  older = await createTestSchema('cli_unordered_old');
  await runMigrations(db.pool);
  await runMigrations(older.pool, { migrations: MIGRATIONS.filter((m) => m.version < 27) });
  for (const { pool } of [db, older]) {
    // Other runs, numbered: the bulk of a real table, and what the (run_id, execution_order) index holds.
    await insertEvents(pool, 'numbered', 30_000, true);
    await pool.query('ANALYZE execution_events');
    // Written after ANALYZE: a run the statistics do not know, as `timeline` meets one just recorded.
    await insertEvents(pool, 'orderless', EVENTS, false);
  }
});
after(async () => {
  await db.drop();
  await older.drop();
});

/** `count` events of run `runId`, numbered or not; times from a small set (ties told apart by id). */
async function insertEvents(pool: pg.Pool, runId: string, count: number, numbered: boolean): Promise<void> {
  await pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order)
     SELECT gen_random_uuid(), CASE WHEN $3 THEN $1 || (i % 20) ELSE $1 END, 'tool_call',
            '2026-11-20T10:00:00Z'::timestamptz + (i % 997) * interval '1 ms', 'completed', 't', gen_random_uuid()::text,
            CASE WHEN $3 THEN i END
       FROM generate_series(1, $2::integer) AS i`,
    [runId, count, numbered],
  );
}

/** The run's event ids in the order every view of a run uses. */
async function replayOrder(client: pg.ClientBase, runId: string): Promise<string[]> {
  const r = await client.query<{ id: string }>(`SELECT id::text AS id FROM execution_events WHERE run_id = $1 ORDER BY execution_order NULLS LAST, "timestamp", id`, [runId]);
  return r.rows.map((x) => x.id);
}

/** A plan node of EXPLAIN (FORMAT JSON). */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
const nodesOf = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodesOf)];

/**
 * `client`, recording every statement, and the plan (EXPLAIN ANALYZE, run just before it on the
 * same connection, so in its transaction and under its settings) of each page of events without
 * an order.
 */
function explaining(client: pg.ClientBase): { client: pg.ClientBase; statements: string[]; plans: PlanNode[] } {
  const statements: string[] = [];
  const plans: PlanNode[] = [];
  const query = async (text: string, params?: unknown[]): Promise<pg.QueryResult> => {
    statements.push(text);
    if (/execution_order IS NULL/.test(text) && /^\s*SELECT/.test(text)) {
      const r = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
      plans.push((r.rows[0]?.['QUERY PLAN'][0] as { Plan: PlanNode }).Plan);
    }
    return client.query(text, params);
  };
  return { client: { query } as unknown as pg.ClientBase, statements, plans };
}

test(`${EVENTS} events without an order: every page an index range of the partial index (no sort, no row beyond the page), each event once, in order`, async () => {
  const raw = await db.pool.connect();
  try {
    const { client, plans } = explaining(raw);
    const seen: string[] = [];
    for await (const page of eventPages(client, 'orderless', 'e.id::text AS id', (r) => String(r['id']), PAGE)) {
      assert.ok(page.length <= PAGE);
      seen.push(...page);
    }
    assert.equal(seen.length, EVENTS);
    assert.equal(new Set(seen).size, EVENTS, 'each event once');
    assert.deepEqual(seen, await replayOrder(raw, 'orderless'), 'in replay order');
    assert.equal(plans.length, EVENTS / PAGE + 1, 'one query per page, and the one that finds the end');
    for (const [i, plan] of plans.entries()) {
      const nodes = nodesOf(plan);
      const scan = nodes.find((n) => n['Index Name'] === UNORDERED_EVENTS_INDEX);
      assert.ok(scan !== undefined && /^Index (Only )?Scan$/.test(scan['Node Type']), `page ${i}: ${JSON.stringify(nodes.map((n) => [n['Node Type'], n['Index Name']]))}`);
      assert.ok(!nodes.some((n) => /Sort/.test(n['Node Type'])), `page ${i}: no sort`);
      assert.ok((scan['Actual Rows'] ?? Infinity) <= PAGE, `page ${i}: ${scan['Actual Rows']} rows read`);
    }
  } finally {
    raw.release();
  }
});

test('the timeline\'s own page query (its columns) takes the same index, also once the statistics know the run', async () => {
  const raw = await db.pool.connect();
  try {
    await raw.query('ANALYZE execution_events');
    const { client, plans } = explaining(raw);
    let n = 0;
    for await (const page of timelineEventPages(client, 'orderless', PAGE)) n += page.length;
    assert.equal(n, EVENTS);
    for (const plan of plans) {
      const nodes = nodesOf(plan);
      assert.ok(nodes.some((x) => x['Index Name'] === UNORDERED_EVENTS_INDEX && /^Index (Only )?Scan$/.test(x['Node Type'])));
      assert.ok(!nodes.some((x) => /Sort/.test(x['Node Type'])));
    }
    // Nothing left open between pages: each page's transaction ended.
    const tx = await raw.query<{ open: boolean }>(`SELECT now() <> statement_timestamp() AS open`);
    assert.equal(tx.rows[0]?.open, false);
  } finally {
    raw.release();
  }
});

test('a schema without migration 27: the same events, once each and in order, through the query of before (no transaction, no setting)', async () => {
  const raw = await older.pool.connect();
  try {
    const { client, statements } = explaining(raw);
    const seen: string[] = [];
    for await (const page of eventPages(client, 'orderless', 'e.id::text AS id', (r) => String(r['id']), PAGE)) seen.push(...page);
    assert.deepEqual(seen, await replayOrder(raw, 'orderless'));
    assert.ok(!statements.some((s) => /BEGIN|enable_sort/.test(s)), statements.filter((s) => /BEGIN|enable_sort/.test(s)).join('\n'));
  } finally {
    raw.release();
  }
});
