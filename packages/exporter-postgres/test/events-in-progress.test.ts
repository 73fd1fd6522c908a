import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, type Attributes } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  COPY_MIN_ROWS,
  PostgresSpanProcessor,
  SHOWN_IN_PROGRESS_KEY,
  effectiveStatusSql,
  groupRows,
  mapSpanToRow,
  runMigrations,
  writeRowsInTransaction,
  type Liveness,
  type MappedRow,
} from '../src/index.js';

const SECRET_CODE = 'import os\nAPI_KEY = "sk-live-abcdefghijklmnopqrstuvwx"\nrun_forever()';

const codeAttributes = (runId: string, order: number): Attributes => ({
  [Attr.ATTR_EVENT_TYPE]: EventType.CODE_EXEC,
  [Attr.ATTR_RUN_ID]: runId,
  [Attr.ATTR_NODE_ID]: 'train',
  [Attr.ATTR_DEPTH]: 2,
  [Attr.ATTR_EXECUTION_ORDER]: order,
  [Attr.ATTR_GEN_AI_AGENT_NAME]: 'executor',
  [Attr.ATTR_CODE_LANGUAGE]: 'python',
  [Attr.ATTR_CODE_CONTENT]: SECRET_CODE,
});

/** The row of a span (started or ended) as the sink maps it. */
function rowOf(span: unknown, liveness?: Liveness): MappedRow {
  const row = mapSpanToRow(span as ReadableSpan, liveness);
  assert.ok(row !== undefined);
  return row;
}

/** The row of an ended span whose event had a row in progress, as the sink marks it. */
function shownEndOf(span: unknown): MappedRow {
  const m = rowOf(span);
  assert.equal(m.kind, 'event');
  m.row.meta[SHOWN_IN_PROGRESS_KEY] = true;
  return m;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('events in progress (an agent call, code execution or tool call that runs long)', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('evinprogress');
    await runMigrations(db.pool, { schema: db.schema });
  });
  after(async () => {
    await db.drop();
  });

  async function eventRows(runId: string): Promise<Record<string, unknown>[]> {
    const r = await db.pool.query(`SELECT * FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [runId]);
    return r.rows as Record<string, unknown>[];
  }

  it('a long event is listed once it has run the threshold, names and order only, beating; its end replaces the row; a short one is written at its end only', async () => {
    const readied: string[] = [];
    const processor = new PostgresSpanProcessor({
      pool: db.pool,
      migrate: false,
      scheduledDelayMillis: 1,
      heartbeatIntervalMillis: 60,
      showRunningAfterMillis: 40,
      prepareRunning: (span) => {
        readied.push(span.spanContext().spanId);
        return true;
      },
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('events-in-progress');
    const long = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-long', 1) });
    const short = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-long', 2) });
    short.end();

    const [live] = await until(() => eventRows('run-ev-long'), (rows) => rows.some((r) => r['status'] === 'running'), 'the row in progress');
    assert.ok(live);
    assert.equal(live['status'], 'running');
    assert.equal(live['event_type'], 'code_exec');
    assert.equal(live['agent_name'], 'executor');
    assert.equal(live['name'], 'execute_code executor');
    assert.equal(live['node_id'], 'train');
    assert.equal(live['execution_order'], 1);
    assert.equal(live['depth'], 2);
    assert.ok(live['started_at'] instanceof Date);
    assert.equal(live['completed_at'], null);
    assert.equal(live['duration_ms'], null);
    // Content comes with the end: nothing of the code (nor its secret) in the row in progress.
    assert.deepEqual(live['inputs'], {});
    assert.deepEqual(live['outputs'], {});
    assert.deepEqual(live['attributes'], {});
    assert.deepEqual(Object.keys(live['meta'] as object).sort(), ['heartbeat_ms', 'last_seen_at']);
    // When shown, and again before each batch holding it running is prepared: the long one only.
    assert.ok(readied.length >= 1);
    assert.deepEqual(new Set(readied), new Set([long.spanContext().spanId]));

    // It beats: seen again later.
    const first = String((live['meta'] as Record<string, unknown>)['last_seen_at']);
    await until(
      () => eventRows('run-ev-long'),
      (rows) => String((rows[0]?.['meta'] as Record<string, unknown>)['last_seen_at']) > first,
      'a heartbeat',
    );

    long.end();
    await processor.forceFlush();
    const stats = processor.stats();
    await processor.shutdown();
    const rows = await eventRows('run-ev-long');
    assert.equal(rows.length, 2);
    const [ended, instant] = rows;
    assert.equal(ended!['status'], 'completed');
    assert.ok(ended!['completed_at'] instanceof Date);
    assert.equal(typeof ended!['duration_ms'], 'number');
    assert.equal((ended!['inputs'] as Record<string, unknown>)['code'], SECRET_CODE, 'no processor here: the content as recorded');
    assert.equal((ended!['meta'] as Record<string, unknown>)[SHOWN_IN_PROGRESS_KEY], true);
    assert.equal((ended!['meta'] as Record<string, unknown>)['last_seen_at'], undefined);
    assert.equal((instant!['meta'] as Record<string, unknown>)[SHOWN_IN_PROGRESS_KEY], undefined);
    assert.equal(stats.shownRunning, 1);
    assert.equal(stats.droppedTotal, 0);
    assert.equal(stats.queued, 3, 'two ends and one row in progress');
  });

  it('without prepareRunning (nothing vouches for the running attributes), or when it says no, or with 0, no event is written before its end', async () => {
    for (const [label, extra] of [
      ['no prepareRunning', {}],
      ['prepareRunning false', { prepareRunning: () => false }],
      ['showRunningAfterMillis 0', { prepareRunning: () => true, showRunningAfterMillis: 0 }],
    ] as const) {
      const runId = `run-ev-off-${label.replace(/\W+/g, '-')}`;
      const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 1, showRunningAfterMillis: 20, ...extra });
      const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('events-in-progress');
      const span = tracer.startSpan('execute_code executor', { attributes: codeAttributes(runId, 1) });
      await new Promise((r) => setTimeout(r, 120));
      await processor.forceFlush();
      assert.equal((await eventRows(runId)).length, 0, label);
      span.end();
      await processor.shutdown();
      const rows = await eventRows(runId);
      assert.equal(rows.length, 1, label);
      assert.equal(rows[0]!['status'], 'completed', label);
      assert.equal(processor.stats().shownRunning, 0, label);
    }
  });

  it('a prepareRunning that throws keeps the span from being shown, never thrown', async () => {
    const processor = new PostgresSpanProcessor({
      pool: db.pool,
      migrate: false,
      scheduledDelayMillis: 1,
      showRunningAfterMillis: 20,
      prepareRunning: () => {
        throw new Error('boom');
      },
      logger: { warn: () => {}, info: () => {} },
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('events-in-progress');
    const span = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-throws', 1) });
    await new Promise((r) => setTimeout(r, 120));
    await processor.forceFlush();
    assert.equal((await eventRows('run-ev-throws')).length, 0);
    span.end();
    await processor.shutdown();
    assert.equal((await eventRows('run-ev-throws'))[0]!['status'], 'completed');
    assert.equal(processor.stats().shownRunning, 0);
  });

  it('the end replaces the row in progress on the COPY path too, beside a chunk of plain events (no COPY fallback)', async () => {
    const provider = new BasicTracerProvider();
    const tracer = provider.getTracer('events-in-progress');
    const long = tracer.startSpan('execute_tool search', {
      attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: 'run-ev-copy', [Attr.ATTR_EXECUTION_ORDER]: 0, [Attr.ATTR_GEN_AI_TOOL_NAME]: 'search' },
    });
    await writeRowsInTransaction(db.pool, undefined, [rowOf(long, { seenAt: new Date().toISOString(), heartbeatMillis: 60_000 })]);
    assert.equal((await eventRows('run-ev-copy'))[0]!['status'], 'running');
    long.end();
    const plain: MappedRow[] = [];
    for (let i = 1; i <= COPY_MIN_ROWS + 5; i++) {
      const s = tracer.startSpan('invoke_agent writer', {
        attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: 'run-ev-copy', [Attr.ATTR_EXECUTION_ORDER]: i },
      });
      s.end();
      plain.push(rowOf(s));
    }
    const r = await writeRowsInTransaction(db.pool, undefined, [...plain, shownEndOf(long)], { method: 'copy' });
    assert.equal(r.copyFallbacks, 0, 'the plain events went through COPY untouched');
    assert.equal(r.events, COPY_MIN_ROWS + 6);
    const rows = await eventRows('run-ev-copy');
    assert.equal(rows.length, COPY_MIN_ROWS + 6);
    assert.equal(rows[0]!['status'], 'completed', 'the tool call ended');
    assert.ok(rows[0]!['completed_at'] instanceof Date);
    assert.equal((rows[0]!['inputs'] as Record<string, unknown>)['tool'], 'search', 'with its content');
  });

  it('a row in progress written after the end changes nothing; an end that lost its mark still replaces its stored row in progress, on either path', async () => {
    const tracer = new BasicTracerProvider().getTracer('events-in-progress');
    const span = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-late', 1) });
    const early = rowOf(span, { seenAt: new Date().toISOString(), heartbeatMillis: 1000 });
    span.end();
    await writeRowsInTransaction(db.pool, undefined, [shownEndOf(span)]);
    const before = await eventRows('run-ev-late');
    assert.equal(before[0]!['status'], 'completed');
    // Replayed late from a spool, or a heartbeat prepared before the end and written after it.
    const r = await writeRowsInTransaction(db.pool, undefined, [early]);
    assert.equal(r.written, 0);
    assert.deepEqual(await eventRows('run-ev-late'), before);

    // An end without the mark (its meta cut by the sanitiser's bounds, or rebuilt as a quarantine row)
    // over a stored row in progress: the chunk that met it is put over it, by INSERT and by COPY.
    for (const method of ['unnest', 'copy'] as const) {
      const runId = `run-ev-unmarked-${method}`;
      const other = tracer.startSpan('execute_code executor', { attributes: codeAttributes(runId, 0) });
      await writeRowsInTransaction(db.pool, undefined, [rowOf(other, { seenAt: new Date().toISOString() })]);
      other.end();
      const rest: MappedRow[] = [];
      for (let i = 1; i <= (method === 'copy' ? COPY_MIN_ROWS : 2); i++) {
        const s = tracer.startSpan('invoke_agent writer', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_EXECUTION_ORDER]: i } });
        s.end();
        rest.push(rowOf(s));
      }
      const w = await writeRowsInTransaction(db.pool, undefined, [...rest, rowOf(other)], { method });
      const rows = await eventRows(runId);
      assert.equal(rows.length, rest.length + 1, method);
      assert.equal(rows[0]!['status'], 'completed', `${method}: the end replaced its row in progress`);
      assert.equal((rows[0]!['inputs'] as Record<string, unknown>)['code'], SECRET_CODE, method);
      assert.ok(rows.every((x) => x['status'] === 'completed'), method);
      if (method === 'copy') assert.equal(w.copyFallbacks, 1);
    }
  });

  it('user metadata past the sanitiser\'s bounds (its meta cut, the mark with it) does not leave the event running', async () => {
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 1, showRunningAfterMillis: 20, prepareRunning: () => true });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('events-in-progress');
    const span = tracer.startSpan('execute_code executor', {
      attributes: { ...codeAttributes('run-ev-big-meta', 1), [Attr.ATTR_USER_META]: JSON.stringify({ losses: new Array(120_000).fill(0.5) }) },
    });
    await until(() => eventRows('run-ev-big-meta'), (rows) => rows.length === 1, 'the row in progress');
    span.end();
    await processor.forceFlush();
    await processor.shutdown();
    const [row] = await eventRows('run-ev-big-meta');
    assert.equal(row!['status'], 'completed');
    assert.equal((row!['meta'] as Record<string, unknown>)['truncated'], true, 'its meta was cut');
  });

  it('an ended event whose own status says running and whose end time Postgres refused (stored with no end) is no row in progress: an outcome, no heartbeat stamp', async () => {
    const tracer = new BasicTracerProvider().getTracer('events-in-progress');
    const span = tracer.startSpan('execute_tool render', {
      attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: 'run-ev-repaired-end', [Attr.ATTR_EXECUTION_ORDER]: 1, [Attr.ATTR_GEN_AI_TOOL_NAME]: 'render', [Attr.ATTR_STATUS]: 'running' },
    });
    span.end(new Date(Date.UTC(10000, 0, 1))); // a year Postgres cannot store: the row is repaired, completed_at NULL
    const processor = new PostgresSpanProcessor({ pool: db.pool, migrate: false, scheduledDelayMillis: 1 });
    processor.onEnd(span as unknown as ReadableSpan);
    await processor.forceFlush();
    await processor.shutdown();
    const r = await db.pool.query(
      `SELECT e.completed_at, e.duration_ms, e.meta, o.succeeded, ${effectiveStatusSql('e')} AS effective
         FROM execution_events e JOIN agentspan_event_outcomes o ON o.id = e.id WHERE e.run_id = 'run-ev-repaired-end'`,
    );
    assert.equal(r.rows.length, 1);
    const row = r.rows[0] as { completed_at: Date | null; duration_ms: number | null; meta: Record<string, unknown>; succeeded: boolean | null; effective: string };
    assert.equal(row.completed_at, null, 'stored repaired, without its end');
    assert.equal(typeof row.duration_ms, 'number');
    assert.equal(row.meta['repaired'], true);
    assert.equal(row.meta['last_seen_at'], undefined, 'not stamped as a row in progress');
    assert.equal(row.succeeded, true, 'it has an outcome');
  });

  it('groupRows: an event\'s end wins over its row in progress in either order, and the later heartbeat over the earlier', () => {
    const tracer = new BasicTracerProvider().getTracer('events-in-progress');
    const span = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-group', 1) });
    const beat1 = rowOf(span, { seenAt: '2026-01-01T00:00:00.000Z' });
    const beat2 = rowOf(span, { seenAt: '2026-01-01T00:01:00.000Z' });
    assert.equal(groupRows([beat1, beat2]).events[0]!.meta['last_seen_at'], '2026-01-01T00:01:00.000Z');
    span.end();
    const end = shownEndOf(span);
    for (const batch of [
      [beat1, end, beat2],
      [end, beat1],
      [beat2, end],
    ]) {
      const g = groupRows(batch);
      assert.equal(g.events.length, 1);
      assert.equal(g.events[0]!.status, 'completed');
    }
  });

  it('a killed process leaves its event listed: effectiveStatusSql reads it stale once silent, running while seen', async () => {
    const tracer = new BasicTracerProvider().getTracer('events-in-progress');
    const parent = tracer.startSpan('node train', { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: 'run-ev-stale', [Attr.ATTR_NODE_ID]: 'train' } });
    const quiet = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-stale', 1) }, trace.setSpan(ROOT_CONTEXT, parent));
    const seen = tracer.startSpan('execute_code executor', { attributes: codeAttributes('run-ev-stale', 2) });
    await writeRowsInTransaction(db.pool, undefined, [rowOf(quiet, { seenAt: new Date().toISOString(), heartbeatMillis: 1000 }), rowOf(seen, { seenAt: new Date().toISOString(), heartbeatMillis: 1000 })]);
    // The quiet one was last seen ten minutes ago (its process was killed then).
    await db.pool.query(
      `UPDATE execution_events SET meta = jsonb_set(meta, '{last_seen_at}', to_jsonb(to_char((now() - interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) WHERE run_id = 'run-ev-stale' AND execution_order = 1`,
    );
    const r = await db.pool.query(`SELECT execution_order, ${effectiveStatusSql('e')} AS status FROM execution_events e WHERE run_id = 'run-ev-stale' ORDER BY 1`);
    assert.deepEqual(
      r.rows.map((x: { status: string }) => x.status),
      ['stale', 'running'],
    );
  });
});
