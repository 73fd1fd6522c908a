/**
 * Postgres stopped for 30 s in the middle of a 10 000-event workload across
 * 10 concurrent runs, then started again: every event is in the table
 * exactly once, and the application never saw an exception.
 * Runs its own throwaway cluster (never the shared server). Slow: `npm run test:fault`.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { startThrowawayCluster, throwawayClusterUnavailable } from '@agentspan/test-support';
import { startAgentspan } from '../../src/index.js';
import { startWorkload } from '../workload.js';

const OUTAGE_MS = Number(process.env['AGENTSPAN_OUTAGE_MS'] ?? 30_000);

it(`Postgres stopped for ${OUTAGE_MS / 1000} s during a 10 000-event, 10-run workload: every event exactly once`, { timeout: 600_000 }, async (t) => {
  const why = throwawayClusterUnavailable();
  if (why) {
    t.skip(`needs a throwaway Postgres cluster: ${why}`);
    return;
  }
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const cluster = await startThrowawayCluster();
  const spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-outage-'));
  const warnings: string[] = [];
  try {
    const agentspan = await startAgentspan(
      {
        databaseUrl: cluster.url,
        otlpEndpoint: false,
        spoolDir,
        flushOnExit: false,
        registerGlobal: false,
        postgresConnectTimeoutMs: 1000,
        logger: { warn: (m) => warnings.push(m), info: (m) => warnings.push(m) },
      },
      {},
    );
    const started = Date.now();
    const work = startWorkload(agentspan, { runs: 10, eventsPerRun: 1000, durationMs: OUTAGE_MS + 15_000, prefix: 'outage30' });
    let maxDepth = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      maxDepth = Math.max(maxDepth, agentspan.stats().postgres?.queueDepth ?? 0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    await new Promise((r) => setTimeout(r, 5000));
    const before = work.recorded();
    cluster.stop('fast');
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = work.recorded() - before;
    assert.equal(agentspan.stats().postgres?.state, 'down');
    cluster.start();
    const restartedAt = Date.now();
    await work.done;
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    let recoveredMs = 0;
    try {
      for (;;) {
        const r = await client.query(`SELECT COUNT(*)::int AS n FROM execution_events`);
        if (r.rows[0].n >= 10_000) break;
        if (Date.now() - restartedAt > 120_000) assert.fail(`only ${r.rows[0].n} of 10 000 events after two minutes: ${JSON.stringify(agentspan.stats().postgres)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      recoveredMs = Date.now() - restartedAt;
      await agentspan.shutdown();
      clearInterval(sampler);
      const r = await client.query(
        `SELECT run_id, COUNT(*)::int AS n, COUNT(DISTINCT span_id)::int AS d, COUNT(DISTINCT meta->>'seq')::int AS seqs FROM execution_events GROUP BY run_id`,
      );
      assert.equal(r.rows.length, 10);
      for (const row of r.rows as { run_id: string; n: number; d: number; seqs: number }[]) {
        assert.deepEqual([row.n, row.d, row.seqs], [1000, 1000, 1000], row.run_id);
      }
      const runs = await client.query(`SELECT COUNT(*)::int AS n FROM workflow_runs WHERE status = 'success'`);
      assert.equal(runs.rows[0].n, 10);
      const nodes = await client.query(`SELECT COUNT(*)::int AS n FROM dag_nodes`);
      assert.equal(nodes.rows[0].n, 20);
      const s = agentspan.stats().postgres!;
      assert.equal(s.droppedTotal, 0);
      t.diagnostic(
        JSON.stringify({
          outageMs: restartedAt - stoppedAt,
          eventsRecordedDuringOutage: during,
          recoveredMsAfterRestart: recoveredMs,
          totalMs: Date.now() - started,
          maxQueueDepth: maxDepth,
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          queued: s.queued,
          exported: s.exported,
          retried: s.retried,
          spooled: s.spooled,
          replayed: s.replayed,
          dropped: s.droppedTotal,
        }),
      );
      t.diagnostic(`log lines: ${JSON.stringify(warnings)}`);
      assert.equal(warnings.filter((w) => /unreachable/.test(w)).length, 1, 'the outage is logged once');
    } finally {
      await client.end();
    }
    assert.deepEqual(uncaught, []);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    process.removeListener('unhandledRejection', onUncaught);
    cluster.destroy();
    rmSync(spoolDir, { recursive: true, force: true });
  }
});
