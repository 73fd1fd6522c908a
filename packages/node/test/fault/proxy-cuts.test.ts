/**
 * A TCP proxy between agentspan and Postgres cuts every connection again and
 * again, in the middle of batches, while 10 runs record 10 000 events: no
 * loss, no duplicates. Slow: `npm run test:fault`.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createTestSchema, startTcpProxy } from '@agentspan/test-support';
import { startAgentspan } from '../../src/index.js';
import { startWorkload } from '../workload.js';

it('connections cut repeatedly mid-batch during a 10 000-event workload: no loss, no duplicates', { timeout: 300_000 }, async (t) => {
  const db = await createTestSchema('proxycuts');
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  const spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-cuts-'));
  let cutter: NodeJS.Timeout | undefined;
  try {
    const agentspan = await startAgentspan(
      {
        databaseUrl: proxy.url(db.url),
        schema: db.schema,
        otlpEndpoint: false,
        spoolDir,
        flushOnExit: false,
        registerGlobal: false,
        postgresBatch: { maxExportBatchSize: 250, retryInitialDelayMillis: 20, retryMaxDelayMillis: 500 },
        logger: { warn: () => {} },
      },
      {},
    );
    let cuts = 0;
    const cutSoon = (): void => {
      cutter = setTimeout(() => {
        cuts += proxy.cutAll();
        cutSoon();
      }, 20 + Math.random() * 150);
    };
    cutSoon();
    const work = startWorkload(agentspan, { runs: 10, eventsPerRun: 1000, durationMs: 10_000, prefix: 'cuts' });
    await work.done;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const exists = await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${db.schema}".execution_events`]);
      const n = exists.rows[0].ok ? (await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${db.schema}".execution_events`)).rows[0].n : 0;
      if (n >= 10_000) break;
      if (Date.now() > deadline) assert.fail(`only ${n} rows: ${JSON.stringify(agentspan.stats().postgres)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    clearTimeout(cutter);
    await agentspan.shutdown();
    const r = await db.pool.query(
      `SELECT run_id, COUNT(*)::int AS n, COUNT(DISTINCT span_id)::int AS d FROM "${db.schema}".execution_events GROUP BY run_id`,
    );
    assert.equal(r.rows.length, 10);
    for (const row of r.rows as { n: number; d: number }[]) assert.deepEqual([row.n, row.d], [1000, 1000]);
    const s = agentspan.stats().postgres!;
    t.diagnostic(JSON.stringify({ cuts, retried: s.retried, exported: s.exported, spooled: s.spooled, replayed: s.replayed, dropped: s.droppedTotal }));
    assert.ok(cuts > 20);
    assert.ok(s.retried > 0);
    assert.equal(s.droppedTotal, 0);
  } finally {
    clearTimeout(cutter);
    await proxy.close();
    await db.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
});
