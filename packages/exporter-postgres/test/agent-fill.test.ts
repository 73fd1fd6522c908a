/**
 * Fills: an agent envelope the gateway received after spans under it lists
 * their parents (`agentspan.agent.fill.*`), and the exporter sets, on the
 * stored rows under those parents and of the same run, the agent name and
 * depth they lack, never a value they have.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  COPY_MIN_ROWS,
  MAX_FILL_PARENTS,
  PostgresExecutionEventExporter,
  PostgresSink,
  agentFillRowsOf,
  eventIdFor,
  groupRows,
  isMappedRow,
  quarantineRow,
  repairRow,
  runMigrations,
  writeRows,
  type MappedRow,
} from '../src/index.js';
import { exportSpans, spanFactory, type SpanFactory } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('agentFillRowsOf (mapping an envelope that carries a fill)', () => {
  const f = spanFactory();
  after(() => f.shutdown());

  const envelope = (attributes: Attributes): ReadableSpan =>
    f.make('invoke_agent writer', { [Attr.ATTR_RUN_ID]: 'run-f', [Attr.ATTR_GEN_AI_AGENT_NAME]: 'writer', [Attr.ATTR_DEPTH]: 1, ...attributes });

  it('one fill per listed parent: its event id, the run, the agent, the envelope depth plus the offset', () => {
    const s = envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1', '00000000000000A2'], [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: [1, 2] });
    const traceId = s.spanContext().traceId;
    assert.deepEqual(agentFillRowsOf(s), [
      { id: eventIdFor(traceId, '00000000000000a1'), run_id: 'run-f', agent_name: 'writer', depth: 2, node_id: null, span_id: s.spanContext().spanId },
      { id: eventIdFor(traceId, '00000000000000a2'), run_id: 'run-f', agent_name: 'writer', depth: 3, node_id: null, span_id: s.spanContext().spanId },
    ]);
  });

  it('what cannot be used is left out: bad ids, repeated ids, bad offsets, depth past integer, no run, nothing to fill', () => {
    const ids = ['zz', '00000000000000a1', '00000000000000A1', 'g000000000000000', '00000000000000a3', '00000000000000a4', '00000000000000a5'];
    const rows = agentFillRowsOf(envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ids, [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: [1, 1, 1, 1, 0, -1, 1.5] }));
    assert.deepEqual(rows.map((r) => r.depth), [2, null, null, null], 'a1 once; a3–a5 keep the name, not a depth');
    assert.equal(agentFillRowsOf(envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'], [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: [1], [Attr.ATTR_DEPTH]: 2_147_483_647 }))[0]?.depth, null);
    const noRun = f.make('x', { [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'], [Attr.ATTR_GEN_AI_AGENT_NAME]: 'w' });
    assert.deepEqual(agentFillRowsOf(noRun), [], 'no run: nothing it could fill');
    assert.deepEqual(agentFillRowsOf(envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'], [Attr.ATTR_GEN_AI_AGENT_NAME]: '', [Attr.ATTR_DEPTH]: 'x' })).length, 1, "'' is a name");
    const nothing = f.make('y', { [Attr.ATTR_RUN_ID]: 'r', [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'], [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: [1] });
    assert.deepEqual(agentFillRowsOf(nothing), [], 'no name, no depth: nothing to fill');
  });

  it('a span that is no envelope (depth_only) gives the depth alone', () => {
    const rows = agentFillRowsOf(envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'], [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: [1], [Attr.ATTR_AGENT_FILL_DEPTH_ONLY]: true }));
    assert.deepEqual(rows.map((r) => [r.agent_name, r.depth]), [[null, 2]]);
    const nodeOnly = f.make('n', { [Attr.ATTR_RUN_ID]: 'r', [Attr.ATTR_NODE_ID]: 'step_1', [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ['00000000000000a1'] });
    assert.deepEqual(agentFillRowsOf(nodeOnly).map((r) => [r.agent_name, r.depth, r.node_id]), [[null, null, 'step_1']], 'a node alone is worth a fill');
  });

  it(`at most ${MAX_FILL_PARENTS} parents are read from one span`, () => {
    const ids = Array.from({ length: MAX_FILL_PARENTS * 4 }, (_, i) => i.toString(16).padStart(16, '0'));
    assert.equal(agentFillRowsOf(envelope({ [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ids })).length, MAX_FILL_PARENTS);
  });

  it('property: never throws on any attribute values, and every fill is storable', () => {
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{16}$/)), { maxLength: 8 }),
      fc.array(fc.oneof(fc.integer({ min: -3, max: 2_147_483_647 }), fc.double()), { maxLength: 8 }),
    );
    fc.assert(
      fc.property(value, value, value, value, value, (ids, offsets, name, depth, run) => {
        const s = f.make('z', {
          [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ids,
          [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: offsets,
          [Attr.ATTR_GEN_AI_AGENT_NAME]: name,
          [Attr.ATTR_DEPTH]: depth,
          [Attr.ATTR_RUN_ID]: run,
        });
        for (const r of agentFillRowsOf(s)) {
          assert.match(r.id, UUID);
          assert.ok(r.depth === null || (Number.isInteger(r.depth) && r.depth >= -2_147_483_648 && r.depth <= 2_147_483_647));
          assert.ok(r.agent_name !== null || r.depth !== null);
          assert.equal(typeof r.run_id, 'string');
        }
        f.reset();
      }),
      { numRuns: 500 },
    );
  });

  it('repair and quarantine keep a fill storable; one whose id is no uuid fills nothing', () => {
    const fill: MappedRow = { kind: 'fill', row: { id: 'not-a-uuid', run_id: 'r', agent_name: 'a\u0000b', depth: 2, node_id: null, span_id: 's' } };
    const reason = { code: '22021', message: 'bad' };
    for (const m of [repairRow(fill, reason), quarantineRow(fill, reason)]) {
      assert.equal(m.kind, 'fill');
      assert.equal(m.row.id, '00000000-0000-0000-0000-000000000000');
      assert.ok(!String((m.row as { agent_name: unknown }).agent_name).includes('\u0000'));
    }
    assert.ok(isMappedRow(JSON.parse(JSON.stringify({ kind: 'fill', row: { id: eventIdFor('a', 'b') } }))), 'a spooled fill is read back');
  });
});

describe('fills written to Postgres', () => {
  let db: TestSchema;
  let f: SpanFactory;
  let exporter: PostgresExecutionEventExporter;
  const TRACE = '0af7651916cd43dd8448eb211c80319c';

  before(async () => {
    db = await createTestSchema('agent_fill');
    await runMigrations(db.pool);
    f = spanFactory();
    exporter = new PostgresExecutionEventExporter({ pool: db.pool });
  });
  after(async () => {
    await exporter.shutdown();
    await f.shutdown();
    await db.drop();
  });
  beforeEach(() => f.reset());

  /** `span` in trace TRACE, under the parent span id given (a span received in a request without its parent). */
  function placed(span: ReadableSpan, parentSpanId?: string): ReadableSpan {
    const copy = Object.create(span) as ReadableSpan;
    const own = span.spanContext();
    Object.defineProperty(copy, 'spanContext', { value: () => ({ ...own, traceId: TRACE }) });
    Object.defineProperty(copy, 'parentSpanContext', { value: parentSpanId === undefined ? undefined : { traceId: TRACE, spanId: parentSpanId, traceFlags: 1 } });
    return copy;
  }

  /** A turn's row as the gateway writes it before its envelope: no agent, no depth, its parent the envelope. */
  function turn(parentSpanId: string, run: string, n: number, over: Attributes = {}): ReadableSpan {
    return placed(f.make(`chat ${n}`, { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: run, [Attr.ATTR_EXECUTION_ORDER]: n, ...over }), parentSpanId);
  }

  function envelope(run: string, parents: string[], offsets: number[], over: Attributes = {}): ReadableSpan {
    const s = f.make('invoke_agent writer', {
      [Attr.ATTR_RUN_ID]: run,
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'writer',
      [Attr.ATTR_DEPTH]: 1,
      [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: parents,
      [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: offsets,
      ...over,
    });
    return placed(s);
  }

  async function rows(run: string): Promise<string[]> {
    const r = await db.pool.query(`SELECT name, agent_name, depth, node_id FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [run]);
    return r.rows.map((x: { name: string; agent_name: string | null; depth: number | null; node_id: string | null }) => `${x.name}: ${x.agent_name} ${x.depth} ${x.node_id}`);
  }

  async function exportOk(spans: ReadableSpan[]): Promise<void> {
    const r = await exportSpans(exporter, spans);
    assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
  }

  it('fills what stored rows under the parent lack, never what they have, nor rows of another run or parent', async () => {
    const P = '00000000000000e1';
    await exportOk([
      turn(P, 'run-a', 1),
      turn(P, 'run-a', 2, { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'own-name' }),
      turn(P, 'run-a', 3, { [Attr.ATTR_DEPTH]: 7, [Attr.ATTR_NODE_ID]: 'own-node' }),
      turn('00000000000000e2', 'run-a', 4),
      turn(P, 'run-other', 5),
    ]);
    const before = exporter.stats();
    await exportOk([envelope('run-a', [P], [1], { [Attr.ATTR_NODE_ID]: 'graph-node' })]);
    assert.deepEqual(await rows('run-a'), ['chat 1: writer 2 graph-node', 'chat 2: own-name 2 graph-node', 'chat 3: writer 7 own-node', 'chat 4: null null null']);
    assert.deepEqual(await rows('run-other'), ['chat 5: null null null'], 'another run under the same parent is not its');
    const after = exporter.stats();
    assert.equal(after.exportedFills - before.exportedFills, 1);
    assert.equal(after.exportedRows, before.exportedRows, 'a fill is no row');
    assert.equal(after.skippedSpans, before.skippedSpans, 'an envelope that carries a fill is not skipped');
  });

  it('a fill in the same batch as its rows fills them (events first), on the COPY path too; written twice it changes nothing', async () => {
    const P = '00000000000000f1';
    const many = Array.from({ length: COPY_MIN_ROWS + 5 }, (_, i) => turn(P, 'run-b', i + 1));
    await exportOk([envelope('run-b', [P], [2]), ...many]);
    const r = await db.pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-b' AND agent_name = 'writer' AND depth = 3`);
    assert.equal(r.rows[0].n, many.length);
    const g = groupRows(exporter.prepareRows([envelope('run-b', [P], [2])]).rows);
    const client = await db.pool.connect();
    try {
      const again = await writeRows(client, undefined, g);
      assert.deepEqual([again.fills, again.filled, again.written], [1, 0, 0]);
    } finally {
      client.release();
    }
  });

  it('two fills of one parent in a batch (spans up one chain): each value from the first that has it', async () => {
    const P = '00000000000000f2';
    await exportOk([turn(P, 'run-c', 1)]);
    // The nearer span (a turn above the row: depth only) ends first, then the envelope (name and depth).
    const nearer = envelope('run-c', [P], [1], { [Attr.ATTR_AGENT_FILL_DEPTH_ONLY]: true, [Attr.ATTR_DEPTH]: 4, [Attr.ATTR_GEN_AI_AGENT_NAME]: 'not-this' });
    await exportOk([nearer, envelope('run-c', [P], [3])]);
    assert.deepEqual(await rows('run-c'), ['chat 1: writer 5 null']);
  });

  it('a fill written before its rows (a spool replayed after the envelope came live) leaves them as they are', async () => {
    const P = '00000000000000f3';
    await exportOk([envelope('run-d', [P], [1])]);
    await exportOk([turn(P, 'run-d', 1)]);
    assert.deepEqual(await rows('run-d'), ['chat 1: null null null']);
  });

  it('agent names are stored as an event row stores them: NUL and lone surrogates replaced, past the index bound cut and hashed', async () => {
    for (const [i, name] of ['a\u0000b\ud800c', 'x'.repeat(10_000)].entries()) {
      const run = `run-e${i}`;
      const P = `00000000000000${(0xc0 + i).toString(16)}`;
      await exportOk([turn(P, run, 1), turn(P, run, 2, { [Attr.ATTR_GEN_AI_AGENT_NAME]: name })]);
      await exportOk([envelope(run, [P], [1], { [Attr.ATTR_GEN_AI_AGENT_NAME]: name })]);
      const r = await db.pool.query(`SELECT agent_name FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [run]);
      assert.equal(r.rows[0].agent_name, r.rows[1].agent_name, 'filled as the row that had the name stored it');
      assert.ok(r.rows[0].agent_name.length < 3000);
    }
  });

  it('the sink queues an envelope that carries a fill (it has no event type of its own)', () => {
    const sink = new PostgresSink(exporter, undefined);
    assert.equal(sink.accepts(envelope('run-f', ['00000000000000f4'], [1])), true);
    assert.equal(sink.accepts(f.make('plain', { a: 1 })), false);
  });
});
