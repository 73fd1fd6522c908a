/**
 * Runs made of several traces (a gateway conversation): the rows of their
 * parts merge, in the writer's ON CONFLICT and within a batch alike, into
 * one row that does not depend on the order or number of times the parts
 * arrive; every other run keeps the rule of a later end replacing the row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType, RunStatus } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { mapSpanToRow, runMigrations, writeRows, type MappedRow, type WorkflowRunRow } from '../src/index.js';
import { MULTI_TRACE_KEY, mergeRunRows, partDurationMs, timestampMicros } from '../src/run-merge.js';

const BASE_MICROS = Date.UTC(2026, 2, 1, 12, 0, 0) * 1000;

/** ISO text with six fractional digits, as the mapper writes timestamps. */
function isoOf(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, iso.indexOf('.'))}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}

interface Part {
  readonly start: number | null;
  readonly end: number | null;
  readonly status: string;
  readonly trace: string;
  readonly span: string;
  readonly mode: string;
  readonly task: string;
  readonly extra: boolean;
  /** `meta.truncated`: `true` when the part was cut, `false` as a user's own key, or none. */
  readonly truncated?: boolean | undefined;
}

function rowOfPart(id: string, p: Part, marked = true): WorkflowRunRow {
  const meta: Record<string, string | boolean> = { service_name: `svc-${p.trace.slice(0, 2)}` };
  if (p.status === RunStatus.FAILED) meta.error_message = `failed in ${p.trace}/${p.span}`;
  if (p.extra) meta[`only_${p.span}`] = p.trace;
  if (p.truncated !== undefined) meta.truncated = p.truncated;
  if (marked) meta[MULTI_TRACE_KEY] = true;
  return {
    id,
    mode: p.mode,
    task_description: p.task,
    status: p.status,
    started_at: p.start === null ? null : isoOf(p.start),
    completed_at: p.end === null ? null : isoOf(p.end),
    duration_ms: p.start === null || p.end === null ? 7 : (p.end - p.start) / 1000,
    session_id: `session-${p.trace}`,
    meta,
    trace_id: p.trace,
    span_id: p.span,
    service_name: `svc-${p.trace}`,
  };
}

const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));

const partArb: fc.Arbitrary<Part> = fc
  .record({
    // Few distinct starts and trace ids, so ties (broken by trace id, then span id) come up.
    startStep: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 12 }),
    startMicros: fc.constantFrom(0, 999_999),
    length: fc.option(fc.integer({ min: 0, max: 5_000_000_000 }), { freq: 12 }),
    status: fc.constantFrom(RunStatus.SUCCESS, RunStatus.SUCCESS, RunStatus.FAILED, 'cancelled'),
    trace: fc.constantFrom('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331b7ad6b7169203331'),
    span: hex(16),
    mode: fc.constantFrom('otlp.trace', 'support-chat'),
    task: fc.string({ maxLength: 12 }).filter((s) => !s.includes('\u0000')),
    extra: fc.boolean(),
    truncated: fc.constantFrom(undefined, undefined, true, false),
  })
  .map((r) => {
    const start = r.startStep === null ? null : BASE_MICROS + r.startStep * 3_600_000_000 + r.startMicros;
    return {
      start,
      end: start === null || r.length === null ? (r.length === null ? null : BASE_MICROS + r.length) : start + r.length,
      status: r.status,
      trace: r.trace,
      span: r.span,
      mode: r.mode,
      task: r.task,
      extra: r.extra,
      truncated: r.truncated,
    };
  });

/** The stored row, timestamps as the mapper writes them. */
async function storedRun(db: TestSchema, id: string): Promise<WorkflowRunRow | undefined> {
  const iso = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${c}`;
  const r = await db.pool.query<WorkflowRunRow>(
    `SELECT id, mode, task_description, status, ${iso('started_at')}, ${iso('completed_at')}, duration_ms, session_id, meta, trace_id, span_id, service_name
       FROM workflow_runs WHERE id = $1`,
    [id],
  );
  return r.rows[0];
}

const asRun = (row: WorkflowRunRow): MappedRow => ({ kind: 'run', row });

describe('runs made of several traces', () => {
  let db: TestSchema;
  let n = 0;
  const nextId = () => `conv-${++n}`;
  before(async () => {
    db = await createTestSchema('run_merge');
    await runMigrations(db.pool, { schema: db.schema });
  });
  after(async () => {
    await db.drop();
  });

  it('timestampMicros reads the mapper\'s timestamps to the microsecond (past 2255 too, where a double cannot), and NULL or unreadable text as missing', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 253_402_300_799_999_999n }), (micros) => {
        const ms = Number(micros / 1000n);
        const iso = new Date(ms).toISOString();
        assert.equal(timestampMicros(`${iso.slice(0, iso.indexOf('.'))}.${String(micros % 1_000_000n).padStart(6, '0')}Z`), micros);
      }),
    );
    assert.equal(timestampMicros('2300-01-01T00:00:00.000001Z')! - timestampMicros('2300-01-01T00:00:00.000000Z')!, 1n);
    assert.equal(timestampMicros('+012345-01-01T00:00:00.000001Z')! - timestampMicros('+012345-01-01T00:00:00.000000Z')!, 1n);
    assert.equal(timestampMicros('2026-03-01T12:00:00.5Z'), BigInt(BASE_MICROS + 500_000), 'fewer digits: a fraction, not micros');
    assert.equal(timestampMicros('2026-03-01T12:00:00Z'), BigInt(BASE_MICROS));
    assert.equal(timestampMicros(null), undefined);
    assert.equal(timestampMicros('yesterday'), undefined);
  });

  it('any parts, in any order and batches, some sent twice: the stored row is the parts merged, as mergeRunRows merges them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(partArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        async (parts, noise) => {
          const id = nextId();
          const rows = parts.map((p) => rowOfPart(id, p));
          // A shuffled sending order, each part once or twice, cut into batches at random.
          const sent = rows.map((r, i) => ({ r, k: (noise[i] ?? 0) % 97 })).sort((a, b) => a.k - b.k).map((x) => x.r);
          if ((noise[7] ?? 0) % 2 === 0) sent.push(sent[0] as WorkflowRunRow);
          const batches: WorkflowRunRow[][] = [[]];
          sent.forEach((r, i) => {
            if (i > 0 && (noise[(i + 3) % 8] ?? 0) % 3 === 0) batches.push([]);
            (batches[batches.length - 1] as WorkflowRunRow[]).push(r);
          });
          for (const b of batches) await writeRows(db.pool, db.schema, b.map(asRun));

          // Expected: folded in the parts' own order (the property is that the order does not matter).
          const expected = rows.slice(1).reduce((acc, r) => mergeRunRows(acc, r) ?? r, rows[0] as WorkflowRunRow);
          const stored = await storedRun(db, id);
          assert.ok(stored !== undefined);
          const failedMessages = rows.filter((r) => r.status === RunStatus.FAILED).map((r) => r.meta.error_message);
          const firstPart = rows.find((r) => r.span_id === expected.span_id && r.trace_id === expected.trace_id);
          if (firstPart?.status !== RunStatus.FAILED && failedMessages.length > 1) {
            // Several parts failed, the earliest did not: any failed part's message (the documented exception).
            assert.ok(failedMessages.includes(stored.meta.error_message as string));
            assert.deepEqual({ ...stored, meta: { ...stored.meta, error_message: null } }, { ...expected, meta: { ...expected.meta, error_message: null } });
          } else {
            assert.deepEqual(stored, expected);
          }
          // What the merge means, checked against the parts directly.
          const starts = rows.map((r) => Number(timestampMicros(r.started_at))).filter((m) => !Number.isNaN(m));
          const ends = rows.map((r) => Number(timestampMicros(r.completed_at))).filter((m) => !Number.isNaN(m));
          assert.equal(Number(timestampMicros(stored.started_at)), starts.length > 0 ? Math.min(...starts) : Number.NaN);
          assert.equal(Number(timestampMicros(stored.completed_at)), ends.length > 0 ? Math.max(...ends) : Number.NaN);
          if (starts.length > 0 && ends.length > 0) assert.equal(stored.duration_ms, (Math.max(...ends) - Math.min(...starts)) / 1000);
          assert.equal(stored.status === RunStatus.FAILED, rows.some((r) => r.status === RunStatus.FAILED));
          assert.equal(stored.meta[MULTI_TRACE_KEY], true);
          // A cut part makes the run cut, whichever part came first and whatever the others' own key says.
          assert.equal(stored.meta['truncated'] === true, rows.some((r) => r.meta['truncated'] === true), JSON.stringify(rows.map((r) => r.meta)));
          for (const r of rows) for (const k of Object.keys(r.meta)) assert.ok(k in stored.meta, `meta key ${k} of a part kept`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a conversation of three traces: earliest start, latest end, the first trace\'s task and ids, failed once any trace failed', async () => {
    const id = nextId();
    const hour = 3_600_000_000;
    const first: Part = { start: BASE_MICROS, end: BASE_MICROS + 2_000_000, status: 'success', trace: 'a'.repeat(32), span: '1'.repeat(16), mode: 'otlp.trace', task: 'Book a flight', extra: false };
    const second: Part = { ...first, start: BASE_MICROS + hour, end: BASE_MICROS + hour + 500_000, status: 'failed', trace: 'b'.repeat(32), span: '2'.repeat(16), task: 'Make it Tuesday' };
    const third: Part = { ...first, start: BASE_MICROS + 2 * hour, end: BASE_MICROS + 2 * hour + 1_000_000, trace: 'c'.repeat(32), span: '3'.repeat(16), task: 'Thanks' };
    // The last trace first, the first trace last (an earlier export retried after a later one landed).
    for (const p of [third, second, first]) await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, p))]);
    const stored = await storedRun(db, id);
    assert.deepEqual(stored, {
      id,
      mode: 'otlp.trace',
      task_description: 'Book a flight',
      status: 'failed',
      started_at: '2026-03-01T12:00:00.000000Z',
      completed_at: '2026-03-01T14:00:01.000000Z',
      duration_ms: 7_201_000,
      session_id: `session-${'a'.repeat(32)}`,
      meta: { service_name: 'svc-aa', error_message: `failed in ${'b'.repeat(32)}/${'2'.repeat(16)}`, [MULTI_TRACE_KEY]: true },
      trace_id: 'a'.repeat(32),
      span_id: '1'.repeat(16),
      service_name: `svc-${'a'.repeat(32)}`,
    });
  });

  it('other runs keep their rule: a later end replaces the row, a row in progress never does, a part over a row in progress replaces it', async () => {
    const part: Part = { start: BASE_MICROS, end: BASE_MICROS + 1000, status: 'success', trace: 'a'.repeat(32), span: '1'.repeat(16), mode: 'otlp.trace', task: 'first', extra: false };
    const later: Part = { ...part, start: BASE_MICROS + 5000, end: BASE_MICROS + 9000, trace: 'b'.repeat(32), task: 'second' };
    const inProgress = (row: WorkflowRunRow): WorkflowRunRow => ({ ...row, status: RunStatus.RUNNING, completed_at: null, duration_ms: null });

    // An unmarked end over a stored part: replaced, as any re-sent run.
    let id = nextId();
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, part))]);
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, later, false))]);
    assert.equal((await storedRun(db, id))?.task_description, 'second');
    assert.equal((await storedRun(db, id))?.meta[MULTI_TRACE_KEY], undefined);

    // A part over a stored unmarked run: replaced too (only two parts merge).
    id = nextId();
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, later, false))]);
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, part))]);
    assert.equal((await storedRun(db, id))?.task_description, 'first');
    assert.equal((await storedRun(db, id))?.started_at, isoOf(BASE_MICROS));
    assert.equal((await storedRun(db, id))?.completed_at, isoOf(BASE_MICROS + 1000), 'not merged with the unmarked row\'s end');

    // A part in progress (the start of the next trace's run span) leaves a stored part alone, in a batch or after it.
    id = nextId();
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, part))]);
    await writeRows(db.pool, db.schema, [asRun(inProgress(rowOfPart(id, later)))]);
    assert.equal((await storedRun(db, id))?.status, 'success');
    await writeRows(db.pool, db.schema, [asRun(inProgress(rowOfPart(id, later))), asRun(rowOfPart(id, later))]);
    const merged = await storedRun(db, id);
    assert.equal(merged?.started_at, isoOf(BASE_MICROS));
    assert.equal(merged?.completed_at, isoOf(BASE_MICROS + 9000));

    // A part over a stored row in progress replaces it.
    id = nextId();
    await writeRows(db.pool, db.schema, [asRun(inProgress(rowOfPart(id, part)))]);
    await writeRows(db.pool, db.schema, [asRun(rowOfPart(id, later))]);
    assert.equal((await storedRun(db, id))?.started_at, isoOf(BASE_MICROS + 5000));
    assert.equal((await storedRun(db, id))?.status, 'success');
  });

  it('a part written again (a retry) leaves the row as it was: its duration is taken to the microsecond, as the merge takes it', async () => {
    const tracer = new BasicTracerProvider().getTracer('run-merge');
    const T = Date.UTC(2026, 2, 1) / 1000;
    const span = tracer.startSpan('invoke_workflow chat', {
      startTime: [T, 999], // 999 ns past the second: the row keeps 0 µs of it
      attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'conv-retry', [Attr.ATTR_RUN_MULTI_TRACE]: true },
    });
    span.end([T, 49_999_500]);
    const mapped = mapSpanToRow(span as never);
    assert.ok(mapped?.kind === 'run');
    assert.equal(mapped.row.duration_ms, 49.999, 'the stored times\' difference, not the span\'s 49.998501 ms');
    await writeRows(db.pool, db.schema, [mapped]);
    const once = await storedRun(db, 'conv-retry');
    await writeRows(db.pool, db.schema, [mapped]);
    await writeRows(db.pool, db.schema, [mapped, mapped]);
    assert.deepEqual(await storedRun(db, 'conv-retry'), once);
  });

  it('a run opted in by its user meta (`multi_trace: true`) is a part like the gateway\'s: its duration from its stored times, a retry changes nothing', async () => {
    const tracer = new BasicTracerProvider().getTracer('run-merge');
    const T = Date.UTC(2026, 2, 1) / 1000;
    const span = tracer.startSpan('invoke_workflow chat', {
      startTime: [T, 999],
      attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'conv-user-meta', [Attr.ATTR_USER_META]: '{"multi_trace": true, "team": "core"}' },
    });
    span.end([T, 49_999_500]);
    const mapped = mapSpanToRow(span as never);
    assert.ok(mapped?.kind === 'run');
    assert.equal(mapped.row.duration_ms, 49.999);
    await writeRows(db.pool, db.schema, [mapped]);
    const once = await storedRun(db, 'conv-user-meta');
    await writeRows(db.pool, db.schema, [mapped, mapped]);
    assert.deepEqual(await storedRun(db, 'conv-user-meta'), once);
  });

  it('partDurationMs equals what Postgres computes for the same times, to the last bit, for any span of years (one rounding, as the SQL cast)', async () => {
    const iso = (micros: bigint) => {
      const ms = Number(micros / 1000n);
      const text = new Date(ms).toISOString();
      return `${text.slice(0, text.indexOf('.'))}.${String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0')}Z`;
    };
    const instant = fc.bigInt({ min: 1n, max: 253_402_300_799_999_999n }); // 1970 to 9999
    const pairs = fc.sample(fc.tuple(instant, instant), 400);
    pairs.push([1n, 9_223_721_850_406_449_000n / 1000n]); // a duration past 2^53 µs
    const starts = pairs.map(([a, b]) => iso(a < b ? a : b));
    const ends = pairs.map(([a, b]) => iso(a < b ? b : a));
    const r = await db.pool.query<{ ms: number }>(
      `SELECT (EXTRACT(EPOCH FROM e - s) * 1000)::double precision AS ms FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS t(s, e, i) ORDER BY i`,
      [starts, ends],
    );
    r.rows.forEach((row, i) => assert.equal(partDurationMs(starts[i]!, ends[i]!, null), row.ms, `${starts[i]} → ${ends[i]}`));
  });

  it('parts a microsecond apart after 2255 merge the same in one batch as one by one (JavaScript and SQL agree past a double\'s microseconds)', async () => {
    const at = (fraction: string) => `2300-01-01T00:00:00.${fraction}Z`;
    const part = (trace: string, start: string, task: string): WorkflowRunRow => ({
      ...rowOfPart('x', { start: 0, end: 0, status: 'success', trace, span: '1'.repeat(16), mode: 'otlp.trace', task, extra: false }),
      started_at: at(start),
      completed_at: at('500000'),
      duration_ms: null,
    });
    const first = part('b'.repeat(32), '000000', 'first turn');
    const second = part('a'.repeat(32), '000001', 'second turn');
    const separate = nextId();
    await writeRows(db.pool, db.schema, [asRun({ ...second, id: separate })]);
    await writeRows(db.pool, db.schema, [asRun({ ...first, id: separate })]);
    const batch = nextId();
    await writeRows(db.pool, db.schema, [asRun({ ...second, id: batch }), asRun({ ...first, id: batch })]);
    const [a, b] = [await storedRun(db, separate), await storedRun(db, batch)];
    assert.equal(a?.task_description, 'first turn');
    assert.deepEqual({ ...b, id: separate }, a);
    assert.equal(a?.duration_ms, 500);
  });

  it('the mapper marks a run span with agentspan.run.multi_trace, and only that one', () => {
    const tracer = new BasicTracerProvider().getTracer('run-merge');
    const rowOf = (extra: Record<string, boolean>) => {
      const span = tracer.startSpan('invoke_workflow chat', {
        attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'conv-map', ...extra },
      });
      span.end();
      const mapped = mapSpanToRow(span as never);
      assert.ok(mapped?.kind === 'run');
      return mapped.row;
    };
    assert.equal(rowOf({ [Attr.ATTR_RUN_MULTI_TRACE]: true }).meta[MULTI_TRACE_KEY], true);
    assert.equal(rowOf({}).meta[MULTI_TRACE_KEY], undefined);
    assert.equal(rowOf({ [Attr.ATTR_RUN_MULTI_TRACE]: false }).meta[MULTI_TRACE_KEY], undefined);
  });
});
