import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { ROOT_CONTEXT, trace, type Attributes } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  PostgresSpanProcessor,
  effectiveStatusSql,
  groupRows,
  mapSpanToRow,
  runMigrations,
  writeRows,
  writeRowsInTransaction,
  type Liveness,
  type Queryable,
  type MappedRow,
} from '../src/index.js';

const RUN_ATTRIBUTES = (runId: string): Attributes => ({
  [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
  [Attr.ATTR_RUN_ID]: runId,
  [Attr.ATTR_RUN_MODE]: 'research',
  [Attr.ATTR_RUN_TASK]: 'find the flaky test, token sk-live-abcdefghijklmnopqrstuvwx',
  [Attr.ATTR_SESSION_ID]: 'session-1',
  [Attr.ATTR_USER_META]: '{"team":"core"}',
});

const NODE_ATTRIBUTES = (runId: string): Attributes => ({
  [Attr.ATTR_EVENT_TYPE]: EventType.NODE,
  [Attr.ATTR_RUN_ID]: runId,
  [Attr.ATTR_NODE_ID]: 'plan',
  [Attr.ATTR_NODE_TYPE]: 'step',
  [Attr.ATTR_NODE_TITLE]: 'Plan the search',
  [Attr.ATTR_NODE_ORDER]: 1,
  [Attr.ATTR_GEN_AI_AGENT_NAME]: 'planner',
});

/** A run span with one node span under it, started and not ended. */
function startRunAndNode(provider: BasicTracerProvider, runId: string) {
  const tracer = provider.getTracer('in-progress');
  const run = tracer.startSpan('invoke_workflow research', { attributes: RUN_ATTRIBUTES(runId) });
  const node = tracer.startSpan('node plan', { attributes: NODE_ATTRIBUTES(runId) }, trace.setSpan(ROOT_CONTEXT, run));
  return { run, node };
}

/** The row of a span (started or ended) as the sink maps it. */
/** A mapped run, node or event (a span maps to no fill). */
type TableRow = Exclude<MappedRow, { kind: 'fill' }>;

function rowOf(span: unknown, liveness?: Liveness): TableRow {
  const row = mapSpanToRow(span as ReadableSpan, liveness);
  assert.ok(row !== undefined && row.kind !== 'fill');
  return row;
}

describe('runs and nodes in progress', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('inprogress');
    await runMigrations(db.pool, { schema: db.schema });
  });
  after(async () => {
    await db.drop();
  });

  async function runRow(id: string) {
    const r = await db.pool.query(`SELECT * FROM workflow_runs WHERE id = $1`, [id]);
    return r.rows as Record<string, unknown>[];
  }
  async function nodeRows(runId: string) {
    const r = await db.pool.query(`SELECT * FROM dag_nodes WHERE run_id = $1`, [runId]);
    return r.rows as Record<string, unknown>[];
  }

  it('a run and its node are listed while they run, with ids, names and start only; their ends replace those rows', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const { run, node } = startRunAndNode(provider, 'run-live');
    await processor.forceFlush();

    const [live] = await runRow('run-live');
    assert.ok(live, 'the run is listed before it ends');
    assert.equal(live['status'], 'running');
    assert.equal(live['mode'], 'research');
    assert.equal(live['completed_at'], null);
    assert.equal(live['duration_ms'], null);
    assert.ok(live['started_at'] instanceof Date);
    assert.equal(live['trace_id'], run.spanContext().traceId);
    // Texts that may be content are redacted when the span ends: not written before.
    assert.equal(live['task_description'], null);
    assert.equal(live['session_id'], null);
    // Only its liveness: when it was seen running, and the heartbeat interval (the default minute).
    const liveMeta = live['meta'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(liveMeta).sort(), ['heartbeat_ms', 'last_seen_at']);
    assert.equal(liveMeta['heartbeat_ms'], 60_000);
    assert.ok(Math.abs(Date.parse(String(liveMeta['last_seen_at'])) - Date.now()) < 60_000);
    const [liveNode] = await nodeRows('run-live');
    assert.ok(liveNode, 'the node is listed before it ends');
    assert.equal(liveNode['status'], 'running');
    assert.equal(liveNode['node_id'], 'plan');
    assert.equal(liveNode['node_type'], 'step');
    assert.equal(liveNode['agent'], 'planner');
    assert.equal(liveNode['order_index'], 1);
    assert.equal(liveNode['title'], null);
    assert.equal(liveNode['completed_at'], null);

    node.end();
    run.end();
    await processor.forceFlush();
    const stats = processor.stats();
    await processor.shutdown();
    assert.equal(stats.queued, 4, 'two starts and two ends');
    assert.equal(stats.droppedTotal, 0);

    const ended = await runRow('run-live');
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!['status'], 'success');
    assert.ok(ended[0]!['completed_at'] instanceof Date);
    assert.equal(typeof ended[0]!['duration_ms'], 'number');
    assert.match(String(ended[0]!['task_description']), /^find the flaky test/);
    assert.equal(ended[0]!['session_id'], 'session-1');
    assert.equal((ended[0]!['meta'] as Record<string, unknown>)['team'], 'core');
    const endedNodes = await nodeRows('run-live');
    assert.equal(endedNodes.length, 1);
    assert.equal(endedNodes[0]!['status'], 'completed');
    assert.equal(endedNodes[0]!['title'], 'Plan the search');
    assert.ok(endedNodes[0]!['completed_at'] instanceof Date);
  });

  it('a row in progress written after the end (replayed late from a spool) leaves the ended rows as they are', async () => {
    const provider = new BasicTracerProvider();
    const { run, node } = startRunAndNode(provider, 'run-late');
    const early = [rowOf(run), rowOf(node)];
    assert.equal(early[0]!.row.completed_at, null);
    node.end();
    run.end();
    const final = [rowOf(run), rowOf(node)];
    await writeRowsInTransaction(db.pool, undefined, final);
    const before = { run: await runRow('run-late'), nodes: await nodeRows('run-late') };
    assert.equal(before.run[0]!['status'], 'success');

    const r = await writeRowsInTransaction(db.pool, undefined, early);
    assert.equal(r.written, 0, 'nothing written over');
    assert.deepEqual(await runRow('run-late'), before.run);
    assert.deepEqual(await nodeRows('run-late'), before.nodes);

    // The run's end written again (a re-sent run) still updates its row, as before.
    const again = await writeRowsInTransaction(db.pool, undefined, final);
    assert.equal(again.runs, 1);
  });

  it('the same run started in two processes: the second start does not hide the first one\'s end', async () => {
    const provider = new BasicTracerProvider();
    const first = startRunAndNode(provider, 'run-resumed');
    first.node.end();
    first.run.end();
    await writeRowsInTransaction(db.pool, undefined, [rowOf(first.run)]);
    const second = provider.getTracer('in-progress').startSpan('invoke_workflow research', { attributes: RUN_ATTRIBUTES('run-resumed') });
    await writeRowsInTransaction(db.pool, undefined, [rowOf(second)]);
    assert.equal((await runRow('run-resumed'))[0]!['status'], 'success', 'until the second process ends it');
    second.end();
    await writeRowsInTransaction(db.pool, undefined, [rowOf(second)]);
    const [row] = await runRow('run-resumed');
    assert.equal(row!['span_id'], second.spanContext().spanId, 'the later end wins');
  });

  it('a run span without its run id at the start (set later, by hand) is written at its end only: no row in progress left behind under the trace id', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('in-progress');
    const run = tracer.startSpan('invoke_workflow late-id', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN } });
    await processor.forceFlush();
    run.setAttribute(Attr.ATTR_RUN_ID, 'run-late-id');
    run.end();
    await processor.forceFlush();
    await processor.shutdown();
    assert.equal((await runRow(run.spanContext().traceId)).length, 0, 'nothing keyed by the trace id');
    assert.equal((await runRow('run-late-id'))[0]!['status'], 'success');
  });

  it('an ended run whose end time Postgres refuses (stored repaired, completed_at NULL) still replaces its row in progress', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('in-progress');
    const run = tracer.startSpan('invoke_workflow far', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-far-end' } });
    await processor.forceFlush();
    assert.equal((await runRow('run-far-end'))[0]!['status'], 'running');
    run.end(new Date('+010000-06-01T00:00:00Z')); // the SDK takes it; Postgres refuses a year past 9999
    await processor.forceFlush();
    const stats = processor.stats();
    await processor.shutdown();
    assert.equal(stats.repaired, 1);
    const [row] = await runRow('run-far-end');
    assert.equal(row!['status'], 'success', 'the end is recorded, repaired');
    assert.equal(row!['completed_at'], null);
    assert.ok((row!['meta'] as Record<string, unknown>)['repair'] !== undefined, 'with its repair record');
  });

  it('a unique index a user added on dag_nodes is respected, as before rows in progress: a node id used twice in a run is skipped, never an error that holds back the batch', async () => {
    await db.pool.query(`CREATE UNIQUE INDEX dag_nodes_user_uq ON dag_nodes (run_id, node_id)`);
    try {
      const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
      const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('in-progress');
      const run = tracer.startSpan('invoke_workflow twice', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-node-twice' } });
      const ctx = trace.setSpan(ROOT_CONTEXT, run);
      for (const pass of [1, 2]) {
        const node = tracer.startSpan('node review', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: 'run-node-twice', [Attr.ATTR_NODE_ID]: 'review', [Attr.ATTR_NODE_TITLE]: `pass ${pass}` } }, ctx);
        await processor.forceFlush(); // the node's row in progress is written before it ends
        node.end();
        await processor.forceFlush();
      }
      run.end();
      await processor.forceFlush();
      const stats = processor.stats();
      await processor.shutdown();
      assert.equal(stats.retried, 0, stats.lastError);
      assert.equal(stats.droppedTotal, 0);
      assert.equal((await runRow('run-node-twice'))[0]!['status'], 'success');
      const nodes = await nodeRows('run-node-twice');
      assert.deepEqual(nodes.map((n) => [n['status'], n['title']]), [['completed', 'pass 1']], 'the first node, ended; the second skipped by the user\'s index');
    } finally {
      await db.pool.query(`DROP INDEX dag_nodes_user_uq`);
    }
  });

  describe('heartbeats', () => {
    const seenAt = (ms: number): Liveness => ({ seenAt: new Date(ms).toISOString(), heartbeatMillis: 1000 });
    const metaOf = async (table: 'workflow_runs' | 'dag_nodes', runId: string) => {
      const column = table === 'workflow_runs' ? 'id' : 'run_id';
      const r = await db.pool.query(`SELECT status, completed_at, meta FROM ${table} WHERE ${column} = $1`, [runId]);
      assert.equal(r.rows.length, 1);
      return r.rows[0] as { status: string; completed_at: Date | null; meta: Record<string, unknown> };
    };
    const write = (rows: MappedRow[]) => writeRowsInTransaction(db.pool, undefined, rows);

    it('a running run and node are written again on every heartbeat, each time seen later; the end replaces them', async () => {
      const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 1, heartbeatIntervalMillis: 40 });
      const provider = new BasicTracerProvider({ spanProcessors: [processor] });
      const { run, node } = startRunAndNode(provider, 'run-beat');
      await processor.forceFlush();
      const first = await metaOf('workflow_runs', 'run-beat');
      assert.equal(first.meta['heartbeat_ms'], 40);
      const firstNode = await metaOf('dag_nodes', 'run-beat');
      const deadline = Date.now() + 5000;
      let later = first;
      while (later.meta['last_seen_at'] === first.meta['last_seen_at'] && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        later = await metaOf('workflow_runs', 'run-beat');
      }
      assert.ok(String(later.meta['last_seen_at']) > String(first.meta['last_seen_at']), 'the run was seen again');
      assert.equal(later.status, 'running');
      await new Promise((r) => setTimeout(r, 100));
      const laterNode = await metaOf('dag_nodes', 'run-beat');
      assert.ok(String(laterNode.meta['last_seen_at']) > String(firstNode.meta['last_seen_at']), 'the node was seen again');
      node.end();
      run.end();
      await processor.forceFlush();
      const stats = processor.stats();
      await processor.shutdown();
      assert.ok(stats.heartbeats >= 2, `heartbeats: ${stats.heartbeats}`);
      assert.equal(stats.droppedTotal, 0);
      const ended = await metaOf('workflow_runs', 'run-beat');
      assert.equal(ended.status, 'success');
      assert.equal(ended.meta['last_seen_at'], undefined, 'the row of the end has the user meta only');
      assert.equal(ended.meta['team'], 'core');
      assert.equal((await metaOf('dag_nodes', 'run-beat')).status, 'completed');
    });

    it('last_seen_at is the server\'s time of the write, whatever the recording host\'s clock says; a heartbeat written after the end changes nothing', async () => {
      const provider = new BasicTracerProvider();
      const { run, node } = startRunAndNode(provider, 'run-beat-late');
      const serverNow = async () => ((await db.pool.query(`SELECT extract(epoch FROM now()) * 1000 AS ms`)).rows[0] as { ms: string }).ms;
      // A host whose clock is a year behind, then one ten minutes ahead: the stored time is the server's.
      for (const skew of [-365 * 86_400_000, 600_000]) {
        const before = Number(await serverNow());
        await write([rowOf(run, seenAt(Date.now() + skew)), rowOf(node, seenAt(Date.now() + skew))]);
        const after = Number(await serverNow());
        for (const table of ['workflow_runs', 'dag_nodes'] as const) {
          const seen = Date.parse(String((await metaOf(table, 'run-beat-late')).meta['last_seen_at']));
          assert.ok(seen >= before - 1 && seen <= after + 1, `${table} skew ${skew}: ${new Date(seen).toISOString()} not in [${new Date(before).toISOString()}, ${new Date(after).toISOString()}]`);
        }
      }
      assert.equal((await metaOf('workflow_runs', 'run-beat-late')).meta['heartbeat_ms'], 1000);
      const beat = [rowOf(run, seenAt(Date.now())), rowOf(node, seenAt(Date.now()))];
      node.end();
      run.end();
      await write([rowOf(run), rowOf(node)]);
      await write(beat); // prepared before the end, written after it
      const r = await metaOf('workflow_runs', 'run-beat-late');
      const n = await metaOf('dag_nodes', 'run-beat-late');
      assert.equal(r.status, 'success');
      assert.equal(r.meta['last_seen_at'], undefined);
      assert.equal(n.status, 'completed');
      assert.equal(n.meta['last_seen_at'], undefined);
    });

    it('two batches updating the same nodes in opposite orders do not deadlock (rows locked in id order first)', async () => {
      const low = '00000000-0000-4000-8000-000000000001';
      const high = 'ffffffff-0000-4000-8000-000000000002';
      const nodeRow = (id: string, ended: boolean): MappedRow => ({
        kind: 'node',
        row: {
          id, run_id: 'run-lock-order', node_id: id.slice(0, 4), node_type: null, title: null, agent: null,
          status: ended ? 'completed' : 'running', order_index: 0, depth: 1, started_at: '2026-12-06T00:00:00.000Z',
          completed_at: ended ? '2026-12-06T00:00:05.000Z' : null, duration_ms: ended ? 5000 : null,
          meta: ended ? {} : { last_seen_at: '2026-12-06T00:00:00.000Z', heartbeat_ms: 1000 }, trace_id: 't', span_id: id.slice(-4),
        },
      });
      await write([nodeRow(low, false), nodeRow(high, false)]);
      // A pauses after its insert, B after its first UPDATE (any round trip may take that long): A's heartbeat
      // UPDATE then locks the low node and waits for the high one, which B's UPDATE of ended nodes holds, and B's
      // heartbeat UPDATE waits for the low one: a deadlock, unless both lock their rows in id order first.
      const pausing = (client: pg.PoolClient, after: RegExp, ms: number): Queryable => {
        let paused = false;
        return {
          query: async (sql: string, params?: unknown[]) => {
            const r = await client.query(sql, params);
            if (!paused && after.test(sql)) {
              paused = true;
              await new Promise((res) => setTimeout(res, ms));
            }
            return r;
          },
        } as unknown as Queryable;
      };
      const a = await db.pool.connect();
      const b = await db.pool.connect();
      try {
        await a.query('BEGIN');
        await b.query('BEGIN');
        const results = await Promise.allSettled([
          writeRows(pausing(a, /^INSERT/, 200), undefined, [nodeRow(low, false), nodeRow(high, false)]).then(() => a.query('COMMIT')),
          new Promise((res) => setTimeout(res, 50))
            .then(() => writeRows(pausing(b, /^UPDATE/, 300), undefined, [nodeRow(high, true), nodeRow(low, false)]))
            .then(() => b.query('COMMIT')),
        ]);
        assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? 'committed' : String((r.reason as { code?: string }).code))), ['committed', 'committed']);
      } finally {
        await a.query('ROLLBACK').catch(() => undefined);
        await b.query('ROLLBACK').catch(() => undefined);
        a.release();
        b.release();
      }
      const rows = await db.pool.query(`SELECT id::text, status FROM dag_nodes WHERE run_id = 'run-lock-order' ORDER BY id`);
      assert.deepEqual(rows.rows.map((r: { status: string }) => r.status), ['running', 'completed']);
    });

    it('a run still running when the processor shuts down is written as beating: it reads stale once its process is gone', async () => {
      // The start is still queued at shutdown (a long batch delay): shutdown writes it after the heartbeat stopped.
      const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 60_000, heartbeatIntervalMillis: 1000 });
      const provider = new BasicTracerProvider({ spanProcessors: [processor] });
      startRunAndNode(provider, 'run-at-shutdown');
      await processor.shutdown();
      for (const table of ['workflow_runs', 'dag_nodes'] as const) {
        const row = await metaOf(table, 'run-at-shutdown');
        assert.equal(row.status, 'running');
        assert.equal(row.meta['heartbeat_ms'], 1000, `${table}: written with its heartbeat`);
      }
    });

    it('groupRows keeps the latest heartbeat of a node in one batch (and the end over any)', () => {
      const provider = new BasicTracerProvider();
      const { node } = startRunAndNode(provider, 'run-beat-batch');
      const t0 = Date.parse('2026-12-01T10:00:00.000Z');
      const g = groupRows([rowOf(node, seenAt(t0)), rowOf(node, seenAt(t0 + 1000))]);
      assert.equal(g.nodes[0]!.meta['last_seen_at'], '2026-12-01T10:00:01.000Z');
      node.end();
      const ended = groupRows([rowOf(node), rowOf(node, seenAt(t0 + 5000))]);
      assert.notEqual(ended.nodes[0]!.completed_at, null);
    });

    it('effectiveStatusSql: stale after two intervals and a minute of silence, never for an ended row, a row without a heartbeat, or odd meta', async () => {
      const rows: [string, string, string | null, unknown][] = [
        // id, status, completed_at, meta
        ['st-fresh', 'running', null, { last_seen_at: new Date(Date.now() - 5_000).toISOString(), heartbeat_ms: 60_000 }],
        ['st-stale', 'running', null, { last_seen_at: new Date(Date.now() - 200_000).toISOString(), heartbeat_ms: 60_000 }],
        ['st-almost', 'running', null, { last_seen_at: new Date(Date.now() - 150_000).toISOString(), heartbeat_ms: 60_000 }],
        ['st-fast-beat', 'running', null, { last_seen_at: new Date(Date.now() - 75_000).toISOString(), heartbeat_ms: 1000 }],
        // A three-day interval, 2.5 days after a beat: its next is not due yet.
        ['st-slow-beat', 'running', null, { last_seen_at: new Date(Date.now() - 2.5 * 86_400_000).toISOString(), heartbeat_ms: 3 * 86_400_000 }],
        ['st-no-beat', 'running', null, { last_seen_at: new Date(Date.now() - 10_000_000).toISOString() }],
        ['st-old-version', 'running', null, {}],
        ['st-ended', 'success', new Date(Date.now() - 10_000_000).toISOString(), { last_seen_at: '2000-01-01T00:00:00.000Z', heartbeat_ms: 1 }],
        ['st-odd-1', 'running', null, { last_seen_at: 12, heartbeat_ms: 'often' }],
        ['st-odd-2', 'running', null, { last_seen_at: 'not a time', heartbeat_ms: 1e308 }],
        ['st-odd-3', 'running', null, { last_seen_at: '2000-01-01T00:00:00.000Z', heartbeat_ms: -1e300 }],
        ['st-odd-4', 'running', null, { last_seen_at: null, heartbeat_ms: [1] }],
      ];
      for (const [id, status, completed, meta] of rows) {
        await db.pool.query(`INSERT INTO workflow_runs (id, status, started_at, completed_at, meta) VALUES ($1, $2, now(), $3, $4)`, [
          id,
          status,
          completed,
          JSON.stringify(meta),
        ]);
      }
      const r = await db.pool.query(`SELECT w.id, ${effectiveStatusSql('w')} AS shown FROM workflow_runs w WHERE w.id LIKE 'st-%' ORDER BY w.id`);
      const shown = Object.fromEntries(r.rows.map((x: { id: string; shown: string }) => [x.id, x.shown]));
      assert.deepEqual(shown, {
        'st-almost': 'running',
        'st-ended': 'success',
        'st-fast-beat': 'stale',
        'st-slow-beat': 'running',
        'st-fresh': 'running',
        'st-no-beat': 'running',
        'st-odd-1': 'running',
        'st-odd-2': 'running', // not a time: compared as text, it sorts after every time (no error, never stale)
        'st-odd-3': 'stale',
        'st-odd-4': 'running',
        'st-old-version': 'running',
        'st-stale': 'stale',
      });
    });
  });

  it('groupRows: in one batch, the row that knows its end wins over a row in progress, in either order', () => {
    const provider = new BasicTracerProvider();
    const { run, node } = startRunAndNode(provider, 'run-batch');
    const early = [rowOf(run), rowOf(node)];
    node.end();
    run.end();
    const final = [rowOf(run), rowOf(node)];
    for (const batch of [
      [...early, ...final],
      [...final, ...early],
    ]) {
      const g = groupRows(batch);
      assert.equal(g.runs.length, 1);
      assert.equal(g.nodes.length, 1);
      assert.notEqual(g.runs[0]!.completed_at, null);
      assert.notEqual(g.nodes[0]!.completed_at, null);
    }
  });
});
