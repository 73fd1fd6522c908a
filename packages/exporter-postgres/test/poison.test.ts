import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiagLogLevel, ROOT_CONTEXT, diag, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  PostgresExecutionEventExporter,
  PostgresSpanProcessor,
  eventIdFor,
  runMigrations,
  QuarantineRefusedError,
  writeRowsResilient,
  writeRowsInTransaction,
  type ExecutionEventRow,
  type MappedRow,
} from '../src/index.js';
import { eventRow, exportSpans, spanFactory } from './helpers.js';

let spanBase = 0x1000000;
function goodRows(runId: string, n: number): MappedRow[] {
  const base = spanBase;
  spanBase += n;
  return Array.from({ length: n }, (_, i) => {
    const span = (base + i).toString(16).padStart(16, '0');
    const trace = '0af7651916cd43dd8448eb211c80319c';
    return { kind: 'event' as const, row: eventRow({ id: eventIdFor(trace, span), span_id: span, trace_id: trace, run_id: runId, execution_order: i + 1 }) };
  });
}

const POISONS: { code: RegExp; what: string; poison: Partial<ExecutionEventRow> }[] = [
  { code: /^22021$/, what: 'NUL in a text column', poison: { agent_name: 'eng\u0000ineer' } },
  { code: /^22P05$/, what: '\\u0000 in a jsonb value', poison: { inputs: { content: 'a\u0000b' } } },
  { code: /^22P02$/, what: 'a uuid column that is no uuid', poison: { parent_event_id: 'not-a-uuid' } },
  // Postgres reports 22008 or 22009 depending on how the year overflows.
  { code: /^2200[89]$/, what: 'a timestamp out of range', poison: { started_at: '-250000-01-01T00:00:00.000000Z', timestamp: '-250000-01-01T00:00:00.000000Z' } },
];

describe('poison rows against Postgres', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('poison');
    await runMigrations(db.pool);
  });
  after(async () => {
    await db.drop();
  });

  it('records that lack columns (a spool of another version) are stored as quarantine rows, never refused for good', async () => {
    const rows = [
      { kind: 'event', row: { id: '00000000-0000-4000-8000-0000000000e1' } },
      { kind: 'event', row: { id: '00000000-0000-4000-8000-0000000000e2', run_id: 'run-incomplete', inputs: null } },
      { kind: 'node', row: { id: '00000000-0000-4000-8000-0000000000e3' } },
      { kind: 'run', row: { id: 'run-incomplete' } },
    ] as unknown as MappedRow[];
    const result = await writeRowsResilient(db.pool, undefined, rows);
    assert.equal(result.written + result.repaired + result.quarantined, 4);
    const events = await db.pool.query(
      `SELECT event_type, status, meta->>'quarantined' AS q FROM execution_events WHERE id IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2') ORDER BY id`,
    );
    assert.deepEqual(events.rows, [
      { event_type: 'unknown', status: 'completed', q: 'true' },
      { event_type: 'unknown', status: 'completed', q: 'true' },
    ]);
  });

  it('a span both shrunk to maxRowSize and then repaired by Postgres counts as one repaired span', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, maxRowSize: 5000, scheduledDelayMillis: 10 });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('poison');
    tracer
      .startSpan('handoff a -> b', {
        attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-shrunk-and-repaired', big: 'x'.repeat(50_000) },
        startTime: [-8e12, 0], // before 4713 BC: Postgres refuses the timestamp
      })
      .end();
    await processor.forceFlush();
    const stats = processor.stats();
    await processor.shutdown();
    assert.equal(stats.exported, 1);
    assert.equal(stats.repaired, 1);
    // A user's own `meta.repaired` is data, not a repair.
    const again = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    new BasicTracerProvider({ spanProcessors: [again] })
      .getTracer('poison')
      .startSpan('handoff a -> b', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-user-repaired', [Attr.ATTR_USER_META]: '{"repaired":true}' } })
      .end();
    await again.forceFlush();
    assert.equal(again.stats().exported, 1);
    assert.equal(again.stats().repaired, 0);
    await again.shutdown();
    const n = await db.pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-shrunk-and-repaired'`);
    assert.equal(n.rows[0].n, 1);
  });

  it('values too long for an index entry (a 4000-character run id, 1200 CJK characters of agent name) are made to fit, the same in every table', async () => {
    const random = (n: number) => Array.from({ length: n }, () => Math.random().toString(36).slice(2, 3)).join('');
    const longRun = `run-${random(4000)}`;
    const otherLongRun = longRun.slice(0, 3000) + random(1000); // shares its first 3000 characters
    const agent = Array.from({ length: 1200 }, () => String.fromCodePoint(0x4e00 + Math.floor(Math.random() * 20000))).join('');
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('poison');
    for (const runId of [longRun, otherLongRun]) {
      const run = tracer.startSpan('invoke_workflow long', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: runId } });
      const ctx = trace.setSpan(ROOT_CONTEXT, run);
      tracer.startSpan('node n', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_NODE_ID]: 'n' } }, ctx).end();
      for (let i = 0; i < 3; i++) {
        tracer
          .startSpan('invoke_agent x', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_GEN_AI_AGENT_NAME]: agent, [Attr.ATTR_EXECUTION_ORDER]: i + 1 } }, ctx)
          .end();
      }
      run.end();
    }
    await processor.forceFlush();
    const stats = processor.stats();
    await processor.shutdown();
    assert.equal(stats.exported, 14); // two runs of a run, a node and three events, and the run's and node's rows in progress
    assert.equal(stats.repaired, 0, 'made to fit when mapped, not refused and repaired');
    const joined = await db.pool.query(
      `SELECT w.id, octet_length(w.id) AS bytes, count(DISTINCT e.id)::int AS events, count(DISTINCT n.id)::int AS nodes, max(octet_length(e.agent_name)) AS agent_bytes
         FROM workflow_runs w JOIN execution_events e ON e.run_id = w.id JOIN dag_nodes n ON n.run_id = w.id
        WHERE w.id LIKE 'run-%~%' GROUP BY w.id`,
    );
    assert.equal(joined.rows.length, 2, 'two runs, kept apart though they share 3000 characters');
    for (const r of joined.rows) {
      assert.ok(r.bytes <= 2000, `run id of ${r.bytes} bytes`);
      assert.equal(r.events, 3);
      assert.equal(r.nodes, 1);
      assert.ok(r.agent_bytes <= 2000);
    }
  });

  it('a row refused even as a quarantine row (a table altered by hand) does not keep the rest of its batch out', async () => {
    const altered = await createTestSchema('poison_altered');
    try {
      await runMigrations(altered.pool);
      await altered.pool.query(`ALTER TABLE execution_events ADD CONSTRAINT no_poison CHECK (span_id <> 'ffffffffffffffff')`);
      const rows = goodRows('run-altered', 20);
      (rows[7]!.row as ExecutionEventRow).span_id = 'ffffffffffffffff';
      await assert.rejects(writeRowsResilient(altered.pool, undefined, rows), QuarantineRefusedError);
      const n = await altered.pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-altered'`);
      assert.equal(n.rows[0].n, 19, 'every other row is stored');
    } finally {
      await altered.drop();
    }
  });

  for (const { code, what, poison } of POISONS) {
    it(`500 good rows and one with ${what} (${code.source}): 500 good rows plus the repaired one`, async () => {
      const runId = `run-${what.replace(/\W/g, '_')}`;
      const rows = goodRows(runId, 501);
      const bad = rows[250]!;
      rows[250] = { kind: 'event', row: { ...(bad.row as ExecutionEventRow), ...poison } };
      // The value really is refused by Postgres, as is.
      await assert.rejects(writeRowsInTransaction(db.pool, undefined, [rows[250]!]), (err: { code?: string }) => code.test(err.code ?? ''));

      const events: string[] = [];
      const result = await writeRowsResilient(db.pool, undefined, rows, { onRepair: (e) => events.push(`${e.outcome} ${e.reason.code}`) });
      assert.equal(result.written, 500);
      assert.equal(result.repaired + result.quarantined, 1);
      assert.ok(result.transactions < 40, `${result.transactions} transactions`);
      assert.equal(events.length, 1);
      assert.match(events[0]!, /^repaired 22/);
      const n = await db.pool.query(
        `SELECT COUNT(*)::int AS n, COUNT(*) FILTER (WHERE meta->>'repaired' = 'true')::int AS repaired FROM execution_events WHERE run_id = $1`,
        [runId],
      );
      assert.deepEqual(n.rows[0], { n: 501, repaired: 1 });
      const repaired = await db.pool.query(`SELECT span_id, meta FROM execution_events WHERE run_id = $1 AND meta->>'repaired' = 'true'`, [runId]);
      assert.equal(repaired.rows[0].span_id, bad.row.span_id);
      assert.match(repaired.rows[0].meta.repair.code, code);
    });
  }

  it('logs each kind of refusal once, counts every repaired row, and the export still succeeds', async () => {
    const warnings: string[] = [];
    diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false });
    try {
      for (let round = 0; round < 3; round++) {
        const rows = goodRows(`run-log-${round}`, 20).map((r) => ({ kind: 'event' as const, row: { ...(r.row as ExecutionEventRow), span_id: `${round}${(r.row.span_id ?? '').slice(1)}`, id: eventIdFor('1'.repeat(32), `${round}${r.row.span_id}`) } }));
        rows[3] = { kind: 'event', row: { ...(rows[3]!.row as ExecutionEventRow), agent_name: 'x\u0000' } };
        rows[7] = { kind: 'event', row: { ...(rows[7]!.row as ExecutionEventRow), agent_name: 'y\u0000' } };
        await exporter.writeMappedRows(rows);
      }
      assert.equal(exporter.stats().repairedRows, 6);
      assert.equal(warnings.filter((w) => w.includes('22021')).length, 1, warnings.join('\n'));
    } finally {
      diag.disable();
      await exporter.shutdown();
    }
  });

  it('a row too large to send is stored with its longest strings cut (meta.repair.code = too_large)', async () => {
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false, maxRowSize: 50_000 });
    try {
      const span = f.make('invoke_agent big', {
        [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
        [Attr.ATTR_RUN_ID]: 'run-too-large',
        [Attr.ATTR_MESSAGE_CONTENT]: 'z'.repeat(200_000),
      });
      const r = await exportSpans(exporter, [span]);
      assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      const row = await db.pool.query(
        `SELECT LENGTH(inputs->>'content') AS len, meta->'repair'->>'code' AS code, meta->>'repaired' AS repaired FROM execution_events WHERE run_id = 'run-too-large'`,
      );
      assert.equal(row.rows[0].code, 'too_large');
      assert.equal(row.rows[0].repaired, 'true');
      assert.ok(row.rows[0].len < 50_000);
      assert.equal(exporter.stats().shrunkRows, 1);
    } finally {
      await exporter.shutdown();
      await f.shutdown();
    }
  });

  it('a JSON value over 100 000 nodes is cut once (one marker), marked truncated and too_large, counted as shrunk, not sanitised', async () => {
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false });
    try {
      // 240 KB of JSON: well within the recorder's budget, but 120 000 values.
      const result = JSON.stringify(Array.from({ length: 120_000 }, (_, i) => i % 10));
      const span = f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: 'run-max-nodes',
        [Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]: result,
      });
      const r = await exportSpans(exporter, [span]);
      assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      const row = await db.pool.query(
        `SELECT jsonb_array_length(outputs->'result') AS n,
           (SELECT COUNT(*)::int FROM jsonb_array_elements(outputs->'result') e WHERE e = '"[agentspan: max size]"'::jsonb) AS markers,
           outputs->'result'->-1 AS last, LENGTH(outputs::text) AS chars,
           meta->>'truncated' AS truncated, meta->>'sanitized' AS sanitized, meta->>'repaired' AS repaired,
           meta->'repair'->>'code' AS code, meta->'repair'->'changes'->>0 AS change
         FROM execution_events WHERE run_id = 'run-max-nodes'`,
      );
      const got = row.rows[0];
      assert.equal(got.markers, 1);
      assert.equal(got.last, '[agentspan: max size]');
      assert.ok(got.n < 100_000, String(got.n));
      assert.ok(got.chars < result.length * 1.5, `stored ${got.chars} characters for a ${result.length}-character value`);
      assert.deepEqual([got.truncated, got.sanitized, got.repaired, got.code], ['true', null, 'true', 'too_large']);
      assert.match(got.change, /^outputs: cut at 100000 JSON values/);
      const stats = exporter.stats();
      assert.deepEqual([stats.shrunkRows, stats.sanitizedRows], [1, 0]);
    } finally {
      await exporter.shutdown();
      await f.shutdown();
    }
  });

  it('a value cut at the node limit is not inflated by markers (4 MB of zeros stays under 1 MB, not 48 MB)', async () => {
    const f = spanFactory();
    // 2 000 000 zeros (4 MB of JSON) were stored as 1.9 M marker strings (48 MB) measured as 400 KB.
    const span = f.make('execute_tool t', {
      [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
      [Attr.ATTR_RUN_ID]: 'run-max-nodes-size',
      [Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]: JSON.stringify(new Array(2_000_000).fill(0)),
    });
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false });
    try {
      const [row] = exporter.prepareRows([span]).rows;
      const stored = (row?.row as unknown as Record<string, unknown>)['outputs'] as Record<string, unknown>;
      const outputs = JSON.stringify(stored);
      assert.ok(outputs.length < 1_000_000, `outputs are ${outputs.length} characters`);
      assert.equal(typeof stored['result_preview'], 'string', 'the preview is kept although the result is cut');
    } finally {
      await exporter.shutdown();
      await f.shutdown();
    }
  });

  it('through PostgresSpanProcessor: a span with an impossible start time is stored repaired, its batch intact', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 10 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('poison');
    for (let i = 0; i < 50; i++) {
      tracer
        .startSpan('handoff a -> b', {
          attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-time', [Attr.ATTR_EXECUTION_ORDER]: i },
          // Year -251539: JavaScript can hold it, Postgres cannot.
          ...(i === 17 ? { startTime: [-8e12, 0] as [number, number] } : {}),
        })
        .end();
    }
    await provider.forceFlush();
    await provider.shutdown();
    const n = await db.pool.query(
      `SELECT COUNT(*)::int AS n, COUNT(*) FILTER (WHERE meta->>'repaired' = 'true')::int AS repaired FROM execution_events WHERE run_id = 'run-time'`,
    );
    assert.deepEqual(n.rows[0], { n: 50, repaired: 1 });
    const s = processor.stats();
    assert.equal(s.exported, 50);
    assert.equal(s.repaired, 1);
    assert.equal(s.droppedTotal, 0);
  });
});
