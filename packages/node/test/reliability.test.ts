/**
 * The delivery guarantees, end to end through startAgentspan, in a version
 * short enough for every CI run (the long versions are in test/fault).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  createTestSchema,
  startTcpProxy,
  startThrowawayCluster,
  throwawayClusterUnavailable,
  type TcpProxy,
  type TestSchema,
} from '@agentspan/test-support';
import { startAgentspan, type AgentspanOptions } from '../src/index.js';
import { startWorkload } from './workload.js';

let db: TestSchema;
let proxy: TcpProxy;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'agentspan-rel-'));
  dirs.push(d);
  return d;
};
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => {
  uncaught.push(err);
};
before(async () => {
  db = await createTestSchema('reliability');
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
after(async () => {
  process.removeListener('uncaughtException', onUncaught);
  process.removeListener('unhandledRejection', onUncaught);
  await proxy.close();
  await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  assert.deepEqual(uncaught, [], 'the host never saw an exception from agentspan');
});

const quiet = { warn: () => {}, info: () => {} };
const fastRetry = { retryInitialDelayMillis: 50, retryMaxDelayMillis: 500, scheduledDelayMillis: 50 };

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reliability (short versions)', () => {
  it('Postgres stopped for a few seconds in the middle of a 10-run workload: every event is in the table exactly once', async (t) => {
    const why = throwawayClusterUnavailable();
    if (why) {
      t.skip(`needs a throwaway Postgres cluster: ${why}`);
      return;
    }
    const cluster = await startThrowawayCluster();
    try {
      const agentspan = await startAgentspan(
        {
          databaseUrl: cluster.url,
          otlpEndpoint: false,
          spoolDir: tempDir(),
          flushOnExit: false,
          registerGlobal: false,
          postgresConnectTimeoutMs: 1000,
          postgresBatch: { ...fastRetry, maxQueueSize: 1000 },
          logger: quiet,
        },
        {},
      );
      const work = startWorkload(agentspan, { runs: 10, eventsPerRun: 300, durationMs: 4000, prefix: 'outage' });
      await until(() => work.recorded() >= 600, 10_000, 'the workload under way');
      cluster.stop('fast');
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(agentspan.stats().postgres?.state, 'down');
      cluster.start();
      await work.done;
      const { Client } = (await import('pg')).default;
      const client = new Client({ connectionString: cluster.url });
      await client.connect();
      try {
        await until(
          async () => {
            await agentspan.forceFlush();
            const r = await client.query(`SELECT COUNT(*)::int AS n FROM execution_events`);
            return r.rows[0].n >= 3000;
          },
          30_000,
          `3000 events (${JSON.stringify(agentspan.stats().postgres)})`,
        );
        const r = await client.query(
          `SELECT run_id, COUNT(*)::int AS n, COUNT(DISTINCT span_id)::int AS d, COUNT(DISTINCT (meta->>'seq'))::int AS seqs FROM execution_events GROUP BY run_id ORDER BY run_id`,
        );
        assert.equal(r.rows.length, 10);
        for (const row of r.rows as { n: number; d: number; seqs: number }[]) assert.deepEqual([row.n, row.d, row.seqs], [300, 300, 300]);
        const runs = await client.query(`SELECT COUNT(*)::int AS n FROM workflow_runs WHERE status = 'success'`);
        await agentspan.shutdown();
        assert.equal(runs.rows[0].n, 10);
        const s = agentspan.stats().postgres!;
        assert.ok(s.retried > 0, 'the outage was felt');
        assert.equal(s.droppedTotal, 0);
      } finally {
        await client.end();
      }
    } finally {
      cluster.destroy();
    }
  });

  it('a burst while Postgres is down stays within the memory bound (overflow goes to the spool), then lands exactly once', async () => {
    proxy.mode = 'refuse';
    const agentspan = await startAgentspan(
      {
        databaseUrl: proxy.url(db.url),
        schema: db.schema,
        otlpEndpoint: false,
        spoolDir: tempDir(),
        flushOnExit: false,
        registerGlobal: false,
        postgresConnectTimeoutMs: 500,
        postgresBatch: { ...fastRetry, maxQueueSize: 1000, maxExportBatchSize: 250 },
        logger: quiet,
      },
      {},
    );
    const run = agentspan.startRun({ runId: 'run-burst' });
    let maxDepth = 0;
    for (let i = 0; i < 5000; i++) {
      run.toolCall({ agent: 'a', tool: 't', args: { i }, metadata: { seq: i } });
      if (i % 100 === 0) maxDepth = Math.max(maxDepth, agentspan.stats().postgres!.queueDepth);
    }
    run.end();
    const s = agentspan.stats().postgres!;
    assert.ok(maxDepth <= 1000 && s.queueDepth <= 1000, `depth ${maxDepth}`);
    assert.ok(s.spooled >= 4000, `spooled ${s.spooled}`);
    assert.equal(s.droppedTotal, 0);
    proxy.mode = 'forward';
    await until(
      async () => {
        const r = await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'run-burst'`).catch(() => ({ rows: [{ n: 0 }] }));
        return r.rows[0].n === 5000;
      },
      30_000,
      '5000 rows',
    );
    await agentspan.shutdown();
    const r = await db.pool.query(`SELECT COUNT(DISTINCT span_id)::int AS d, COUNT(DISTINCT meta->>'seq')::int AS seqs FROM "${db.schema}".execution_events WHERE run_id = 'run-burst'`);
    assert.deepEqual(r.rows[0], { d: 5000, seqs: 5000 });
  });

  it('Jaeger down never holds back Postgres, and Postgres down never holds back Jaeger', async () => {
    proxy.mode = 'forward';
    // 1. OTLP endpoint refusing connections; Postgres fine.
    const dead: Server = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const a = await startAgentspan(
      {
        databaseUrl: db.url,
        schema: db.schema,
        otlpEndpoint: `http://127.0.0.1:${deadPort}/v1/traces`,
        spoolDir: tempDir(),
        flushOnExit: false,
        registerGlobal: false,
        shutdownTimeoutMillis: 1500,
        otlpBatch: { scheduledDelayMillis: 20, maxQueueSize: 100 },
        postgresBatch: { scheduledDelayMillis: 20 },
        logger: quiet,
      },
      {},
    );
    const run = a.startRun({ runId: 'run-jaeger-down' });
    for (let i = 0; i < 500; i++) run.handoff({ from: 'a', to: 'b' });
    run.end();
    await until(
      async () => (await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'run-jaeger-down'`)).rows[0].n === 500,
      10_000,
      'Postgres rows while Jaeger is down',
    );
    const started = Date.now();
    await a.shutdown();
    assert.ok(Date.now() - started < 4000, `shutdown took ${Date.now() - started} ms`);
    const otlp = a.stats().otlp!;
    assert.ok(otlp.droppedTotal > 0, 'OTLP drops are counted');
    assert.equal(otlp.queued, otlp.exported + otlp.droppedTotal + otlp.queueDepth);

    // 2. Postgres down; the OTLP receiver fine.
    const received: number[] = [];
    const receiver = createServer((req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        received.push(n);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    proxy.mode = 'refuse';
    const b = await startAgentspan(
      {
        databaseUrl: proxy.url(db.url),
        schema: db.schema,
        otlpEndpoint: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/traces`,
        spoolDir: tempDir(),
        flushOnExit: false,
        registerGlobal: false,
        postgresConnectTimeoutMs: 300,
        otlpBatch: { scheduledDelayMillis: 20 },
        logger: quiet,
      },
      {},
    );
    const run2 = b.startRun({ runId: 'run-pg-down' });
    for (let i = 0; i < 200; i++) run2.handoff({ from: 'a', to: 'b' });
    run2.end();
    await until(() => (b.stats().otlp?.exported ?? 0) === 201, 10_000, 'OTLP delivered while Postgres is down');
    assert.ok(received.length > 0);
    await b.shutdown();
    const pg = b.stats().postgres!;
    assert.equal(pg.spooled, 202, 'Postgres spans went to the spool: 200 events, the run at its start and at its end');
    await new Promise((r) => receiver.close(r));
    proxy.mode = 'forward';
  });

  it('reports queued, exported, retried, spooled, dropped, queue depth and export latency through stats() and the OpenTelemetry metrics API', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const options: AgentspanOptions = {
      databaseUrl: db.url,
      schema: db.schema,
      otlpEndpoint: false,
      spoolDir: false,
      flushOnExit: false,
      registerGlobal: false,
      meterProvider,
      logger: quiet,
    };
    const agentspan = await startAgentspan(options, {});
    const run = agentspan.startRun({ runId: 'run-metrics' });
    for (let i = 0; i < 20; i++) run.handoff({ from: 'a', to: 'b' });
    run.end();
    await agentspan.forceFlush();
    const s = agentspan.stats().postgres!;
    assert.equal(s.queued, 22); // 20 events, the run at its start (its row in progress) and at its end
    assert.equal(s.exported, 22);
    assert.equal(s.queueDepth, 0);
    assert.ok(s.exportLatencyMs.count >= 1 && s.exportLatencyMs.max > 0);
    assert.equal(typeof s.sink['exportedRows'], 'number');
    await reader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const names = new Set(metrics.map((m) => m.descriptor.name));
    for (const n of [
      'agentspan.delivery.spans.queued',
      'agentspan.delivery.spans.exported',
      'agentspan.delivery.spans.retried',
      'agentspan.delivery.spans.spooled',
      'agentspan.delivery.spans.dropped',
      'agentspan.delivery.queue.depth',
      'agentspan.delivery.export.duration',
    ]) {
      assert.ok(names.has(n), `metric ${n}`);
    }
    const exported = metrics.find((m) => m.descriptor.name === 'agentspan.delivery.spans.exported');
    assert.equal(exported?.dataPoints.find((d) => d.attributes['agentspan.delivery.destination'] === 'postgres')?.value, 22);
    await agentspan.shutdown();
    await meterProvider.shutdown();
  });
});
