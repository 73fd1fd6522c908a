import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import { PostgresExecutionEventExporter } from '../src/index.js';
import { countQueries, exportSpans, spanFactory, type SpanFactory } from './helpers.js';

/** Statements that write rows into `table`: INSERTs, and the COPYs of the default `copy` method. */
function inserts(statements: readonly string[], table: string): number {
  // A COPY shares its round trip with the savepoint (and the first with BEGIN): `...; COPY table (...)`.
  return statements.filter((s) => s.startsWith(`INSERT INTO ${table} `) || s.startsWith(`COPY ${table} `) || s.includes(`; COPY ${table} `)).length;
}

describe('batched writes', () => {
  let db: TestSchema;
  let pool: pg.Pool;
  let counter: { readonly statements: string[] };
  let f: SpanFactory;

  before(async () => {
    db = await createTestSchema('batching');
    pool = new pg.Pool({ ...testConnectionConfig(), max: 4, options: `-c search_path="${db.schema}"` });
    pool.on('error', () => {});
    counter = countQueries(pool);
    f = spanFactory();
  });
  after(async () => {
    await pool.end();
    await f.shutdown();
    await db.drop();
  });

  function manySpans(runId: string, nodes: number, events: number): ReadableSpan[] {
    const run = f.start('invoke_workflow bulk', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: runId });
    const nodeSpans = Array.from({ length: nodes }, (_, i) =>
      f.start(
        `node step_${i}`,
        { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_NODE_ID]: `step_${i}`, [Attr.ATTR_NODE_ORDER]: i },
        run,
      ),
    );
    const out: ReadableSpan[] = [];
    for (let i = 0; i < events; i++) {
      out.push(
        f.make(
          'invoke_agent bulk',
          {
            [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
            [Attr.ATTR_RUN_ID]: runId,
            [Attr.ATTR_EXECUTION_ORDER]: i + 1,
            [Attr.ATTR_MESSAGE_CONTENT]: `message ${i} ${'lorem ipsum '.repeat(20)}`,
            [Attr.ATTR_USER_META]: JSON.stringify({ i }),
          },
          { parent: nodeSpans[i % nodes] },
        ),
      );
    }
    for (const n of nodeSpans) out.push(f.end(n));
    out.push(f.end(run));
    return out;
  }

  it('writes 2 500 spans with at most 3 INSERT statements per table', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool });
    try {
      const spans = manySpans('run-bulk', 1200, 1299); // 1 run + 1 200 nodes + 1 299 events = 2 500 spans
      assert.equal(spans.length, 2500);
      counter.statements.length = 0;
      const r = await exportSpans(exporter, spans);
      assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      const s = counter.statements;
      assert.equal(inserts(s, 'workflow_runs'), 1);
      assert.equal(inserts(s, 'dag_nodes'), 2);
      assert.equal(inserts(s, 'execution_events'), 2);
      assert.ok(inserts(s, 'workflow_runs') + inserts(s, 'dag_nodes') + inserts(s, 'execution_events') <= 9);
      const n = await pool.query(
        `SELECT (SELECT COUNT(*) FROM execution_events WHERE run_id = 'run-bulk')::int AS events,
                (SELECT COUNT(*) FROM dag_nodes WHERE run_id = 'run-bulk')::int AS nodes`,
      );
      assert.deepEqual(n.rows[0], { events: 1299, nodes: 1200 });
    } finally {
      await exporter.shutdown();
    }
  });

  it('2 500 event spans take 3 statements; maxBatchRows sets the chunk size', async () => {
    f.reset();
    const spans = manySpans('run-bulk-2', 1, 2500).slice(0, 2500);
    const exporter = new PostgresExecutionEventExporter({ pool });
    try {
      counter.statements.length = 0;
      assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
      assert.equal(inserts(counter.statements, 'execution_events'), 3);
      assert.equal(counter.statements.filter((x) => x.includes('COPY execution_events ')).length, 3, 'the default method copies');
    } finally {
      await exporter.shutdown();
    }
    const small = new PostgresExecutionEventExporter({ pool, maxBatchRows: 100, migrate: false });
    try {
      counter.statements.length = 0;
      assert.equal((await exportSpans(small, spans)).code, ExportResultCode.SUCCESS);
      // The same spans again: the first chunk's COPY meets the rows already written, rolls back to its
      // savepoint, and every chunk goes through INSERT ... ON CONFLICT DO NOTHING, 100 rows each.
      assert.equal(counter.statements.filter((x) => x.startsWith('INSERT INTO execution_events ')).length, 25);
      assert.equal(counter.statements.filter((x) => x.includes('COPY execution_events ')).length, 1);
      assert.equal(counter.statements.filter((x) => x.startsWith('BEGIN')).length, 1, 'one transaction per export');
    } finally {
      await small.shutdown();
    }
    const n = await pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-bulk-2'`);
    assert.equal(n.rows[0].n, 2500);
  });

  it('works behind a BatchSpanProcessor (concurrent exports during forceFlush)', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool });
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 50, maxQueueSize: 5000 })],
    });
    const tracer = provider.getTracer('bsp-test');
    const run = tracer.startSpan('invoke_workflow bsp', {
      attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-bsp' },
    });
    const ctx = trace.setSpan(ROOT_CONTEXT, run);
    for (let i = 0; i < 1000; i++) {
      tracer
        .startSpan(
          'execute_tool t',
          {
            attributes: {
              [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
              [Attr.ATTR_RUN_ID]: 'run-bsp',
              [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
              [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ i }),
            },
          },
          ctx,
        )
        .end();
    }
    run.end();
    await provider.forceFlush();
    await provider.shutdown();
    const n = await pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-bsp'`);
    assert.equal(n.rows[0].n, 1000);
    const runs = await pool.query(`SELECT COUNT(*)::int AS n FROM workflow_runs WHERE id = 'run-bsp'`);
    assert.equal(runs.rows[0].n, 1);
    assert.equal(exporter.stats().failedExports, 0);
  });
});
