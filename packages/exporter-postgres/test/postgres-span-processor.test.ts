import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, startTcpProxy, type TcpProxy, type TestSchema } from '@agentspan/test-support';
import { PostgresExecutionEventExporter, PostgresSpanProcessor, formerTargetOf, postgresUrl, spoolKindFor, spoolTargetOf, type MappedRow, type PostgresSpanProcessorOptions } from '../src/index.js';
import { FileSpool } from '@agentspan/delivery';
import pg from 'pg';
import { exportSpans, spanFactory } from './helpers.js';

const quiet = { warn: () => {}, info: () => {} };
const fast = { retryInitialDelayMillis: 20, retryMaxDelayMillis: 200, scheduledDelayMillis: 20, replayIntervalMillis: 50 };

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A provider feeding `processor`, and a way to record n events of a run. */
function recorder(processor: PostgresSpanProcessor) {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('processor-test');
  let order = 0;
  return {
    provider,
    events(runId: string, n: number): string[] {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('execute_tool t', {
          attributes: {
            [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
            [Attr.ATTR_RUN_ID]: runId,
            [Attr.ATTR_EXECUTION_ORDER]: ++order,
            [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
            [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ i, pad: 'p'.repeat(200) }),
          },
        });
        ids.push(span.spanContext().spanId);
        span.end();
      }
      return ids;
    },
  };
}

describe('PostgresSpanProcessor against a real Postgres', () => {
  let db: TestSchema;
  let proxy: TcpProxy;
  const dirs: string[] = [];
  const spoolDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'agentspan-pgspool-'));
    dirs.push(d);
    return d;
  };
  before(async () => {
    db = await createTestSchema('pgproc');
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  });
  after(async () => {
    await proxy.close();
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function countRows(runId: string): Promise<{ n: number; distinct: number }> {
    const exists = await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${db.schema}".execution_events`]);
    if (!exists.rows[0].ok) return { n: 0, distinct: 0 };
    const r = await db.pool.query(
      `SELECT COUNT(*)::int AS n, COUNT(DISTINCT span_id)::int AS distinct FROM "${db.schema}".execution_events WHERE run_id = $1`,
      [runId],
    );
    return r.rows[0] as { n: number; distinct: number };
  }

  const options = (over: Partial<PostgresSpanProcessorOptions> = {}): PostgresSpanProcessorOptions => ({
    connectionString: proxy.url(db.url),
    schema: db.schema,
    logger: quiet,
    statementTimeoutMs: 2000,
    connectTimeoutMs: 1000,
    ...fast,
    ...over,
  });

  it('Postgres unreachable at start: spans wait, migrations and writes are retried, then everything lands exactly once', async () => {
    proxy.mode = 'refuse';
    const p = new PostgresSpanProcessor(options({ spoolDir: spoolDir() }));
    const ready = await p.ready(500);
    assert.equal(ready.ok, false);
    const src = recorder(p);
    const ids = src.events('run-late', 2000);
    await until(() => p.stats().state === 'down', 5000, 'down');
    assert.ok(p.stats().retried > 0);
    proxy.mode = 'forward';
    await until(async () => (await countRows('run-late')).n === 2000, 20_000, '2000 rows');
    const rows = await countRows('run-late');
    assert.deepEqual(rows, { n: 2000, distinct: 2000 });
    const stored = await db.pool.query(`SELECT span_id FROM "${db.schema}".execution_events WHERE run_id = 'run-late'`);
    assert.deepEqual(new Set(stored.rows.map((r: { span_id: string }) => r.span_id)), new Set(ids));
    await until(() => p.stats().state === 'up', 5000, 'up');
    await p.shutdown();
    const s = p.stats();
    assert.equal(s.exported + s.replayed, 2000);
    assert.equal(s.droppedTotal, 0);
  });

  it('connections cut again and again in the middle of batches: no loss, no duplicates', async () => {
    proxy.mode = 'forward';
    const p = new PostgresSpanProcessor(options({ maxExportBatchSize: 250, maxConcurrentExports: 2 }));
    assert.equal((await p.ready(5000)).ok, true);
    const src = recorder(p);
    let cuts = 0;
    let cutter: NodeJS.Timeout | undefined;
    // Cut every open connection at random moments, 20 to 120 ms apart: mid-connect, mid-INSERT, mid-COMMIT.
    const cutSoon = (): void => {
      cutter = setTimeout(() => {
        cuts += proxy.cutAll();
        cutSoon();
      }, 20 + Math.random() * 100);
    };
    cutSoon();
    const ids: string[] = [];
    try {
      // At least 5000 events, and on until more than 10 cuts have landed while writes were
      // in flight: a fast write path could otherwise finish between cuts. New events wait while
      // 5000 are held: on a loaded machine, writes cut this often fall behind, and what overflows
      // the queue (20 000) is dropped by design, which is not what this test is about (CI once
      // recorded 23 500 here and lost 3 250 to a full queue).
      const started = Date.now();
      // On until a cut has also landed mid-write (a retry): on a fast machine every write can finish between cuts.
      while (ids.length < 5000 || ((cuts <= 10 || p.stats().retried === 0) && Date.now() - started < 20_000)) {
        if (p.pending <= 5000) ids.push(...src.events('run-cut', 500));
        await new Promise((r) => setTimeout(r, 30));
      }
      await until(() => p.stats().queueDepth === 0, 30_000, `queue drained under cuts (${JSON.stringify(p.stats())})`);
    } finally {
      clearTimeout(cutter);
    }
    await p.forceFlush();
    assert.ok(cuts > 10, `only ${cuts} connections were cut`);
    assert.ok(p.stats().retried > 0, 'some writes were cut mid-batch and retried');
    const s = p.stats();
    assert.deepEqual(await countRows('run-cut'), { n: ids.length, distinct: ids.length }, JSON.stringify(s));
    assert.equal(s.exported + s.spooled, ids.length);
    assert.equal(s.droppedTotal, 0);
    await p.shutdown();
  });

  it('a server that stops answering never holds shutdown past its deadline; the stuck batch is spooled and replayed later', async () => {
    proxy.mode = 'forward';
    const dir = spoolDir();
    const p = new PostgresSpanProcessor(options({ spoolDir: dir, shutdownTimeoutMillis: 700, statementTimeoutMs: 30_000 }));
    assert.equal((await p.ready(5000)).ok, true);
    const src = recorder(p);
    proxy.mode = 'blackhole';
    proxy.cutAll(); // new connections go into the black hole
    const ids = src.events('run-stuck', 300);
    await until(() => p.stats().inFlight > 0, 5000, 'a write in flight');
    const started = Date.now();
    await p.shutdown();
    const took = Date.now() - started;
    assert.ok(took < 3000, `shutdown took ${took} ms`);
    assert.equal(p.stats().spooled, 300);
    assert.ok(readdirSync(dir).length > 0);
    proxy.mode = 'forward';
    proxy.cutAll();

    const p2 = new PostgresSpanProcessor(options({ spoolDir: dir }));
    await until(async () => (await countRows('run-stuck')).n === 300, 10_000, 'replayed rows');
    // The counter moves once COMMIT has answered, a moment after the rows became visible.
    await until(() => p2.stats().replayed >= 300, 5000, 'replay counted');
    assert.equal(p2.stats().replayed, 300);
    const stored = await db.pool.query(`SELECT span_id FROM "${db.schema}".execution_events WHERE run_id = 'run-stuck'`);
    assert.deepEqual(new Set(stored.rows.map((r: { span_id: string }) => r.span_id)), new Set(ids));
    await p2.shutdown();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a spool is replayed only into the database and schema it was written for', async () => {
    const dir = spoolDir();
    proxy.mode = 'refuse';
    const p = new PostgresSpanProcessor(options({ spoolDir: dir }));
    recorder(p).events('run-keyed', 10);
    await p.shutdownWithin(200);
    assert.equal(p.stats().spooled, 10);
    proxy.mode = 'forward';
    const other = await createTestSchema('pgproc_other');
    try {
      const q = new PostgresSpanProcessor({ connectionString: other.url, schema: other.schema, spoolDir: dir, logger: quiet, ...fast });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(q.stats().replayed, 0, 'another schema does not take these rows');
      await q.shutdown();
      const mine = new PostgresSpanProcessor(options({ spoolDir: dir }));
      await until(async () => (await countRows('run-keyed')).n === 10, 10_000, 'replayed into its own schema');
      await mine.shutdown();
    } finally {
      await other.drop();
    }
  });

  it('spools of two servers reached through different socket directories are kept apart', async () => {
    // postgresUrl() puts a socket directory in `?host=`; the spool's key must read it from there.
    const kinds: string[] = [];
    for (const socketDir of ['/nonexistent/agentspan-a', '/nonexistent/agentspan-b']) {
      const dir = spoolDir();
      const url = postgresUrl({ host: socketDir, port: 5432, database: 'test', user: 'postgres' });
      const p = new PostgresSpanProcessor({ connectionString: url, schema: 'same', spoolDir: dir, logger: quiet, ...fast, connectTimeoutMs: 200 });
      recorder(p).events('run-socket', 1);
      await p.shutdownWithin(300);
      assert.equal(p.stats().spooled, 1);
      kinds.push(...readdirSync(dir).map((f) => f.split('-')[0]!));
    }
    assert.equal(kinds.length, 2);
    assert.notEqual(kinds[0], kinds[1]);
  });

  it('spools an earlier version left under its own key are replayed after an upgrade', async () => {
    const dir = spoolDir();
    // A pool made from a URL: earlier versions keyed it by the whole URL, this one by host, port and database.
    const pool = new pg.Pool({ connectionString: db.url });
    const former = formerTargetOf({ pool, schema: db.schema });
    assert.ok(former, 'a pool with a connection string had a key naming its server');
    assert.notEqual(spoolKindFor(former), spoolKindFor(spoolTargetOf({ pool, schema: db.schema })), 'the key changed');
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema, migrate: false });
    const span = f.make('handoff a -> b', { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-upgraded-spool' });
    const oldSpool = new FileSpool<MappedRow>({ dir, kind: spoolKindFor(former), fsync: false });
    oldSpool.append(exporter.prepareRows([span]).rows);
    oldSpool.close();
    const p = new PostgresSpanProcessor({ pool, schema: db.schema, spoolDir: dir, logger: quiet, ...fast });
    try {
      await until(async () => (await countRows('run-upgraded-spool')).n === 1, 10_000, 'the old spool replayed');
    } finally {
      await p.shutdown();
      await pool.end();
    }
    assert.doesNotThrow(() => new PostgresExecutionEventExporter({ pool: new pg.Pool({ connectionString: 'postgres://u@db:99999/app' }) }), 'a pool node-postgres cannot read fails when it connects, not here');
  });

  it('a processor given an exporter keys its spool by that exporter\'s target, not by the PG* defaults', async () => {
    const kinds: string[] = [];
    for (const database of ['alpha', 'beta']) {
      const dir = spoolDir();
      const exporter = new PostgresExecutionEventExporter({ connectionString: `postgres://postgres@127.0.0.1:1/${database}`, schema: 'same', connectTimeoutMs: 200 });
      assert.deepEqual(exporter.spoolTarget, { host: '127.0.0.1', port: '1', database, schema: 'same' });
      const p = new PostgresSpanProcessor({ exporter, spoolDir: dir, logger: quiet, ...fast });
      recorder(p).events(`run-${database}`, 1);
      await p.shutdownWithin(300);
      assert.equal(p.stats().spooled, 1);
      kinds.push(...readdirSync(dir).map((f) => f.split('-')[0]!));
    }
    assert.deepEqual(kinds, [
      spoolKindFor({ host: '127.0.0.1', port: '1', database: 'alpha', schema: 'same' }),
      spoolKindFor({ host: '127.0.0.1', port: '1', database: 'beta', schema: 'same' }),
    ]);
  });

  it('concurrent and repeated export() calls (as the SDK batch processor makes) never duplicate a row', async () => {
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    try {
      const run = f.start('invoke_workflow w', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-concurrent' });
      const spans: ReadableSpan[] = [];
      for (let i = 0; i < 300; i++) {
        spans.push(
          f.make('handoff a -> b', { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-concurrent', [Attr.ATTR_EXECUTION_ORDER]: i }, { parent: run }),
        );
      }
      spans.push(f.end(run));
      const results = await Promise.all([
        exportSpans(exporter, spans),
        exportSpans(exporter, spans),
        exportSpans(exporter, spans.slice(0, 200)),
        exportSpans(exporter, spans.slice(100)),
        exportSpans(exporter, [...spans].reverse()),
      ]);
      for (const r of results) assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      assert.deepEqual(await countRows('run-concurrent'), { n: 300, distinct: 300 });
      const runs = await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${db.schema}".workflow_runs WHERE id = 'run-concurrent'`);
      assert.equal(runs.rows[0].n, 1);
    } finally {
      await exporter.shutdown();
      await f.shutdown();
    }
    void trace;
    void ROOT_CONTEXT;
  });
});
