/**
 * Fills: rows the gateway wrote before the spans above them are marked
 * `meta.awaits_fill`; those spans, when they come, list the rows' parents
 * (`agentspan.agent.fill.*`), and the exporter keeps the fill per parent and
 * run in `execution_event_fills` and sets the marked columns of the marked
 * rows from it: whatever order fills and rows are written in, concurrently
 * or not, each value from the nearest source.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { PoolClient } from 'pg';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  AWAITS_FILL_KEY,
  COPY_MIN_ROWS,
  MAX_FILL_PARENTS,
  PostgresExecutionEventExporter,
  PostgresSink,
  agentFillRowsOf,
  eventIdFor,
  isMappedRow,
  mapSpanToRow,
  mergeFills,
  quarantineRow,
  repairRow,
  runMigrations,
  writeRows,
  type EventFillRow,
  type MappedRow,
} from '../src/index.js';
import { exportSpans, spanFactory, type SpanFactory } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const A1 = '00000000000000a1';
const A2 = '00000000000000a2';

/** The fill attributes a span carries for these parents (all in `run`, offsets and ranks given). */
function fillOf(parents: string[], run: string, offsets: number[], ranks = parents.map(() => 0)): Attributes {
  return {
    [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: parents,
    [Attr.ATTR_AGENT_FILL_RUN_IDS]: parents.map(() => run),
    [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: offsets,
    [Attr.ATTR_AGENT_FILL_RANKS]: ranks,
  };
}

describe('agentFillRowsOf and the marks (mapping)', () => {
  const f = spanFactory();
  after(() => f.shutdown());

  const envelope = (attributes: Attributes): ReadableSpan =>
    f.make('invoke_agent writer', { [Attr.ATTR_RUN_ID]: 'run-f', [Attr.ATTR_GEN_AI_AGENT_NAME]: 'writer', [Attr.ATTR_DEPTH]: 1, [Attr.ATTR_NODE_ID]: 'n1', ...attributes });

  it('one fill per parent and run: the agent, the depth plus the offset, the node, each with the rank', () => {
    const s = envelope(fillOf([A1, A2.toUpperCase()], 'run-f', [1, 2], [0, 3]));
    const t = s.spanContext().traceId;
    const common = { run_id: 'run-f', agent_name: 'writer', node_id: 'n1', span_id: s.spanContext().spanId };
    assert.deepEqual(agentFillRowsOf(s), [
      { ...common, parent_event_id: eventIdFor(t, A1), depth: 2, name_rank: 0, depth_rank: 0, node_rank: 0 },
      { ...common, parent_event_id: eventIdFor(t, A2), depth: 3, name_rank: 3, depth_rank: 3, node_rank: 3 },
    ]);
  });

  it('depth and node only from a span of the rows\' run, with a positive offset; the name from an envelope, usable', () => {
    const byRun = agentFillRowsOf(envelope(fillOf([A1], 'another-run', [1])));
    assert.deepEqual(byRun.map((r) => [r.agent_name, r.depth, r.node_id]), [['writer', null, null]]);
    assert.deepEqual(agentFillRowsOf(envelope(fillOf([A1], 'run-f', [0]))).map((r) => [r.agent_name, r.depth, r.node_id]), [['writer', null, null]]);
    const turn = agentFillRowsOf(envelope({ ...fillOf([A1], 'run-f', [1]), [Attr.ATTR_AGENT_FILL_DEPTH_ONLY]: true }));
    assert.deepEqual(turn.map((r) => [r.agent_name, r.name_rank, r.depth, r.node_id]), [[null, null, 2, 'n1']], 'no name from a turn or tool');
    for (const unusable of ['', 42, true]) {
      const rows = agentFillRowsOf(envelope({ ...fillOf([A1], 'run-f', [1]), [Attr.ATTR_GEN_AI_AGENT_NAME]: unusable }));
      assert.deepEqual(rows.map((r) => r.agent_name), [null], `${JSON.stringify(unusable)} is no name (the processor's rule)`);
    }
    const nothing = f.make('y', { [Attr.ATTR_RUN_ID]: 'r', ...fillOf([A1], 'other', [1]) });
    assert.deepEqual(agentFillRowsOf(nothing), [], 'nothing to give: no fill');
  });

  it('what cannot be used is left out: bad ids, a missing run, a parent and run twice, too many', () => {
    const ids = ['zz', A1, A1.toUpperCase(), 'g000000000000000', A2];
    const s = envelope({ ...fillOf(ids, 'run-f', [1, 1, 1, 1, 1]), [Attr.ATTR_AGENT_FILL_RUN_IDS]: ['run-f', 'run-f', 'run-f', 'run-f', ''] });
    assert.deepEqual(agentFillRowsOf(s).map((r) => r.parent_event_id), [eventIdFor(s.spanContext().traceId, A1)]);
    const many = Array.from({ length: MAX_FILL_PARENTS * 2 }, (_, i) => i.toString(16).padStart(16, '0'));
    assert.equal(agentFillRowsOf(envelope(fillOf(many, 'run-f', many.map(() => 1)))).length, MAX_FILL_PARENTS);
  });

  it('property: never throws on any attribute values, and every fill is storable', () => {
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{16}$/)), { maxLength: 6 }),
      fc.array(fc.oneof(fc.integer({ min: -3, max: 2_147_483_647 }), fc.double()), { maxLength: 6 }),
    );
    fc.assert(
      fc.property(value, value, value, value, value, value, value, (ids, runs, offsets, ranks, name, depth, run) => {
        const s = f.make('z', {
          [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: ids,
          [Attr.ATTR_AGENT_FILL_RUN_IDS]: runs,
          [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: offsets,
          [Attr.ATTR_AGENT_FILL_RANKS]: ranks,
          [Attr.ATTR_GEN_AI_AGENT_NAME]: name,
          [Attr.ATTR_DEPTH]: depth,
          [Attr.ATTR_RUN_ID]: run,
        });
        for (const r of agentFillRowsOf(s)) {
          assert.match(r.parent_event_id, UUID);
          for (const v of [r.depth, r.name_rank, r.depth_rank, r.node_rank]) assert.ok(v === null || (Number.isInteger(v) && Math.abs(v) <= 2_147_483_648));
          assert.ok(r.agent_name !== null || r.depth !== null || r.node_id !== null);
          assert.ok(r.run_id.length > 0);
        }
        f.reset();
      }),
      { numRuns: 500 },
    );
  });

  it('two fills of one parent and run merge per column, the lower rank winning, in either order', () => {
    const near: EventFillRow = { parent_event_id: 'p', run_id: 'r', agent_name: null, name_rank: null, depth: 4, depth_rank: 0, node_id: 'near', node_rank: 0, span_id: 'a' };
    const far: EventFillRow = { parent_event_id: 'p', run_id: 'r', agent_name: 'writer', name_rank: 2, depth: 4, depth_rank: 2, node_id: 'far', node_rank: 2, span_id: 'b' };
    for (const m of [mergeFills(near, far), mergeFills(far, near)]) assert.deepEqual([m.agent_name, m.depth, m.node_id], ['writer', 4, 'near']);
  });

  it('a row is marked with the columns it lacks only when the gateway says it awaits a fill, never from user meta', () => {
    const awaited = mapSpanToRow(f.make('chat', { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_DEPTH]: 3, [Attr.ATTR_AGENT_FILL_AWAITED]: true }));
    assert.deepEqual(awaited?.kind === 'event' && awaited.row.meta[AWAITS_FILL_KEY], ['agent_name', 'node_id']);
    const spoofed = mapSpanToRow(f.make('chat', { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_USER_META]: JSON.stringify({ [AWAITS_FILL_KEY]: ['agent_name'] }) }));
    assert.equal(spoofed?.kind === 'event' && AWAITS_FILL_KEY in spoofed.row.meta, false);
    const whole = mapSpanToRow(f.make('chat', { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_GEN_AI_AGENT_NAME]: 'a', [Attr.ATTR_DEPTH]: 1, [Attr.ATTR_NODE_ID]: 'n', [Attr.ATTR_AGENT_FILL_AWAITED]: true }));
    assert.equal(whole?.kind === 'event' && AWAITS_FILL_KEY in whole.row.meta, false, 'lacking nothing: not marked');
  });

  it('repair and quarantine keep a fill storable; one whose parent is no uuid fills nothing; a spooled fill is read back', () => {
    const fill: MappedRow = {
      kind: 'fill',
      row: { parent_event_id: 'not-a-uuid', run_id: 'r', agent_name: 'a\u0000b', name_rank: 0, depth: 2, depth_rank: 0, node_id: null, node_rank: null, span_id: 's' },
    };
    const reason = { code: '22021', message: 'bad' };
    for (const m of [repairRow(fill, reason), quarantineRow(fill, reason)]) {
      assert.equal(m.kind, 'fill');
      assert.equal((m.row as EventFillRow).parent_event_id, '00000000-0000-0000-0000-000000000000');
      assert.ok(!String((m.row as EventFillRow).agent_name).includes('\u0000'));
    }
    assert.ok(isMappedRow(JSON.parse(JSON.stringify(fill))));
    assert.ok(!isMappedRow({ kind: 'fill', row: { parent_event_id: 'p' } }), 'a fill without its run is no fill');
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

  /** A turn as the gateway writes it before its envelope: marked, no agent, no depth, no node, unless given. */
  function turn(parentSpanId: string, run: string, n: number, over: Attributes = {}): ReadableSpan {
    const attributes = { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: run, [Attr.ATTR_EXECUTION_ORDER]: n, [Attr.ATTR_AGENT_FILL_AWAITED]: true, ...over };
    return placed(f.make(`chat ${n}`, attributes), parentSpanId);
  }

  /** The same span (same ids) with other attributes: what the gateway makes of a span sent again. */
  function again(span: ReadableSpan, over: Attributes): ReadableSpan {
    const copy = Object.create(span) as ReadableSpan;
    Object.defineProperty(copy, 'attributes', { value: { ...span.attributes, ...over } });
    return copy;
  }

  function envelope(run: string, fill: Attributes, over: Attributes = {}): ReadableSpan {
    return placed(f.make('invoke_agent writer', { [Attr.ATTR_RUN_ID]: run, [Attr.ATTR_GEN_AI_AGENT_NAME]: 'writer', [Attr.ATTR_DEPTH]: 1, [Attr.ATTR_NODE_ID]: 'graph-node', ...fill, ...over }));
  }

  async function rows(run: string): Promise<string[]> {
    const r = await db.pool.query(`SELECT name, agent_name, depth, node_id FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [run]);
    return r.rows.map((x: { name: string; agent_name: string | null; depth: number | null; node_id: string | null }) => `${x.name}: ${x.agent_name} ${x.depth} ${x.node_id}`);
  }

  /**
   * Writes `first` in a transaction held open on `held`, starts `other` meanwhile, then commits and awaits
   * it; whether `other` had settled before the commit (it should wait for the first's locks).
   */
  async function whileHeld(held: PoolClient, first: readonly MappedRow[], other: () => Promise<unknown>, waitMs: number): Promise<boolean> {
    try {
      await held.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await writeRows(held, undefined, first);
      let settled = false;
      const pending = other().then(() => (settled = true));
      await new Promise((r) => setTimeout(r, waitMs));
      const before = settled;
      await held.query('COMMIT');
      await pending;
      return before;
    } finally {
      held.release();
    }
  }

  async function exportOk(spans: ReadableSpan[]): Promise<void> {
    const r = await exportSpans(exporter, spans);
    assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
  }

  it('sets what marked rows under the parent and of the run lack, never a value they were written with; unmarked rows and other runs are left', async () => {
    const P = '00000000000000e1';
    await exportOk([
      turn(P, 'run-a', 1),
      turn(P, 'run-a', 2, { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'own-name' }),
      turn(P, 'run-a', 3, { [Attr.ATTR_DEPTH]: 7, [Attr.ATTR_NODE_ID]: 'own-node' }),
      turn(P, 'run-a', 4, { [Attr.ATTR_AGENT_FILL_AWAITED]: false }),
      turn('00000000000000e2', 'run-a', 5),
      turn(P, 'run-other', 6),
    ]);
    const before = exporter.stats();
    await exportOk([envelope('run-a', fillOf([P], 'run-a', [1]))]);
    assert.deepEqual(await rows('run-a'), [
      'chat 1: writer 2 graph-node',
      'chat 2: own-name 2 graph-node',
      'chat 3: writer 7 own-node',
      'chat 4: null null null',
      'chat 5: null null null',
    ]);
    assert.deepEqual(await rows('run-other'), ['chat 6: null null null'], 'another run under the same parent is not its');
    const after = exporter.stats();
    assert.equal(after.exportedFills - before.exportedFills, 1);
    assert.equal(after.exportedRows, before.exportedRows, 'a fill is no row');
    assert.equal(after.skippedSpans, before.skippedSpans, 'a span that carries a fill is not skipped');
  });

  it('rows written after their fill (a spool replayed late) take it; in one batch too, on the COPY path; written again nothing changes', async () => {
    const P = '00000000000000f1';
    await exportOk([envelope('run-b', fillOf([P], 'run-b', [1]))]);
    await exportOk([turn(P, 'run-b', 1)]);
    assert.deepEqual(await rows('run-b'), ['chat 1: writer 2 graph-node']);
    const Q = '00000000000000f2';
    const many = Array.from({ length: COPY_MIN_ROWS + 5 }, (_, i) => turn(Q, 'run-c', i + 1));
    await exportOk([envelope('run-c', fillOf([Q], 'run-c', [2])), ...many]);
    const r = await db.pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-c' AND agent_name = 'writer' AND depth = 3`);
    assert.equal(r.rows[0].n, many.length);
    const client = await db.pool.connect();
    try {
      const again = await writeRows(client, undefined, exporter.prepareRows([envelope('run-c', fillOf([Q], 'run-c', [2])), ...many]).rows);
      assert.deepEqual([again.fills, again.filled, again.written], [1, 0, 0]);
    } finally {
      client.release();
    }
  });

  it('the nearest source wins, whatever the order: a farther fill written first is replaced by a nearer one, not the other way', async () => {
    const P = '00000000000000f3';
    await exportOk([turn(P, 'run-d', 1)]);
    const far = envelope('run-d', fillOf([P], 'run-d', [3], [2]), { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'outer', [Attr.ATTR_NODE_ID]: 'outer-node' });
    const near = envelope('run-d', fillOf([P], 'run-d', [1], [0]), { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'inner', [Attr.ATTR_DEPTH]: 3, [Attr.ATTR_NODE_ID]: 'inner-node' });
    await exportOk([far]);
    assert.deepEqual(await rows('run-d'), ['chat 1: outer 4 outer-node']);
    await exportOk([near]);
    assert.deepEqual(await rows('run-d'), ['chat 1: inner 4 inner-node']);
    await exportOk([far]);
    assert.deepEqual(await rows('run-d'), ['chat 1: inner 4 inner-node'], 'a farther one again changes nothing');
  });

  it('a fill and its rows written concurrently always meet: whichever transaction commits first, the other waits for it and sees it', async () => {
    for (const first of ['rows', 'fill'] as const) {
      const run = `run-race-${first}`;
      const P = first === 'rows' ? '00000000000000c1' : '00000000000000c2';
      const rowsOf = exporter.prepareRows([turn(P, run, 1), turn(P, run, 2)]).rows;
      const fillRows = exporter.prepareRows([envelope(run, fillOf([P], run, [1]))]).rows;
      // The other side, through the exporter, while the first transaction is open.
      const settled = await whileHeld(await db.pool.connect(), first === 'rows' ? rowsOf : fillRows, () => exporter.writeMappedRows(first === 'rows' ? fillRows : rowsOf), 300);
      assert.equal(settled, false, `${first} first: the other write waits for its lock`);
      assert.deepEqual(await rows(run), ['chat 1: writer 2 graph-node', 'chat 2: writer 2 graph-node'], `${first} first`);
    }
  });

  it('the same span sent again whole (a retried request) brings its own values: they win over fills, before or after', async () => {
    const P = '00000000000000b1';
    const alone = turn(P, 'run-g', 1); // split from its envelope: marked
    await exportOk([alone]);
    // The whole trace sent again: the same span, now with its agent, depth and node (not marked).
    const whole = placed(Object.assign(Object.create(alone) as ReadableSpan, {
      attributes: { ...alone.attributes, [Attr.ATTR_AGENT_FILL_AWAITED]: false, [Attr.ATTR_GEN_AI_AGENT_NAME]: 'own', [Attr.ATTR_DEPTH]: 5 },
    }), P);
    await exportOk([whole]);
    assert.deepEqual(await rows('run-g'), ['chat 1: own 5 null']);
    const meta = await db.pool.query(`SELECT meta->'${AWAITS_FILL_KEY}' AS awaits FROM execution_events WHERE run_id = 'run-g'`);
    assert.deepEqual(meta.rows[0].awaits, ['node_id'], 'what it brought is no longer awaited');
    await exportOk([envelope('run-g', fillOf([P], 'run-g', [1]))]);
    assert.deepEqual(await rows('run-g'), ['chat 1: own 5 graph-node'], 'a later fill sets only what is still awaited');
  });

  it('a span sent again in a split request (awaiting a fill itself) brings nothing over a filled value', async () => {
    const P = '00000000000000b3';
    const first = turn(P, 'run-i', 1);
    await exportOk([first]);
    await exportOk([envelope('run-i', fillOf([P], 'run-i', [1]))]);
    // Sent again with a fallback name of its own (the processor's, from a tool above it), still awaiting.
    await exportOk([again(first, { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'toolagent' })]);
    assert.deepEqual(await rows('run-i'), ['chat 1: writer 2 graph-node']);
  });

  it('a retry bringing own values and a fill batch at once do not deadlock: the locks come before any row lock', async () => {
    const run = 'run-j';
    const P = '00000000000000b4';
    const first = turn(P, run, 1);
    await exportOk([first]);
    const fillOnly = exporter.prepareRows([envelope(run, fillOf([P], run, [1]))]).rows;
    const whole = again(first, { [Attr.ATTR_AGENT_FILL_AWAITED]: false, [Attr.ATTR_GEN_AI_AGENT_NAME]: 'own', [Attr.ATTR_DEPTH]: 2 });
    const retry = exporter.prepareRows([envelope(run, fillOf([P], run, [1])), whole]).rows;
    // The retry's transaction pauses right before its lock statement, while the fill batch runs.
    const held = await db.pool.connect();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let paused!: () => void;
    const atLock = new Promise<void>((r) => (paused = r));
    const client = {
      async query(sql: string, params?: unknown[]) {
        if (typeof sql === 'string' && sql.includes('pg_advisory_xact_lock')) {
          paused();
          await gate;
        }
        return held.query(sql, params);
      },
    };
    // Both without retries: a deadlock would fail one of them.
    const other = await db.pool.connect();
    try {
      await held.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const a = writeRows(client as unknown as Parameters<typeof writeRows>[0], undefined, retry).then(() => held.query('COMMIT'));
      await atLock;
      await other.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const b = writeRows(other, undefined, fillOnly).then(() => other.query('COMMIT'));
      await new Promise((r) => setTimeout(r, 200));
      release();
      await Promise.all([a, b]);
    } finally {
      held.release();
      other.release();
    }
    assert.deepEqual(await rows(run), ['chat 1: own 2 graph-node']);
  });

  it('a stored awaits_fill that is no list (a user meta key of an older version) is no mark, and breaks nothing', async () => {
    for (const [i, value] of ['"agent_name"', '{"agent_name": true}', '5'].entries()) {
      const run = `run-k${i}`;
      const P = `00000000000000${(0xe0 + i).toString(16)}`;
      const first = turn(P, run, 1, { [Attr.ATTR_AGENT_FILL_AWAITED]: false });
      await exportOk([first]);
      await db.pool.query(`UPDATE execution_events SET meta = jsonb_set(meta, '{${AWAITS_FILL_KEY}}', $2::jsonb) WHERE run_id = $1`, [run, value]);
      await exportOk([envelope(run, fillOf([P], run, [1])), again(first, { [Attr.ATTR_GEN_AI_AGENT_NAME]: 'own' })]);
      assert.deepEqual(await rows(run), ['chat 1: null null null'], value);
    }
  });

  it("another schema's fills never wait for this one's locks", async () => {
    const other = await createTestSchema('agent_fill_other');
    await runMigrations(other.pool);
    const held = await db.pool.connect();
    try {
      await held.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const many = Array.from({ length: 300 }, (_, i) => (0xb0000000 + i).toString(16).padStart(16, '0'));
      await writeRows(held, undefined, exporter.prepareRows([envelope('run-l', fillOf(many, 'run-l', many.map(() => 1)))]).rows);
      const elsewhere = new PostgresExecutionEventExporter({ pool: other.pool, migrate: false });
      const started = Date.now();
      await elsewhere.writeMappedRows(elsewhere.prepareRows([envelope('run-l', fillOf([A1], 'run-l', [1]))]).rows);
      assert.ok(Date.now() - started < 1000, 'not held up');
      await elsewhere.shutdown();
    } finally {
      await held.query('ROLLBACK');
      held.release();
      await other.drop();
    }
  });

  it('a retry of plain rows (an in-process spool replay) takes no fill lock and runs no fill statement', async () => {
    const plain = [1, 2, 3].map((n) => placed(f.make(`tool ${n}`, { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: 'run-m', [Attr.ATTR_GEN_AI_AGENT_NAME]: 'a', [Attr.ATTR_DEPTH]: 2 }), '00000000000000b5'));
    const rowsOfPlain = exporter.prepareRows(plain).rows;
    await exporter.writeMappedRows(rowsOfPlain);
    const held = await db.pool.connect();
    try {
      await held.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const again = await writeRows(held, undefined, rowsOfPlain);
      const locks = await held.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
      assert.deepEqual([again.written, again.statements, again.fills, locks.rows[0].n], [0, 1, 0, 0]);
    } finally {
      await held.query('ROLLBACK');
      held.release();
    }
  });

  it('a writer naming the schema and one relying on the search_path (its first schema empty) take the same locks', async () => {
    const empty = `${db.schema}_empty`;
    await db.pool.query(`CREATE SCHEMA "${empty}"`);
    const Pool = db.pool.constructor as typeof import('pg').Pool;
    const viaPath = new Pool({ ...(db.pool as unknown as { options: object }).options, options: `-c search_path="${empty}","${db.schema}"` });
    const named = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema, migrate: false });
    try {
      const run = 'run-n';
      const P = '00000000000000b6';
      const fill = named.prepareRows([envelope(run, fillOf([P], run, [1]))]).rows;
      const settled = await whileHeld(await viaPath.connect(), exporter.prepareRows([turn(P, run, 1)]).rows, () => named.writeMappedRows(fill), 300);
      assert.equal(settled, false, 'the fill waits for the rows');
      assert.deepEqual(await rows(run), ['chat 1: writer 2 graph-node']);
    } finally {
      await named.shutdown();
      await viaPath.end();
      await db.pool.query(`DROP SCHEMA "${empty}"`);
    }
  });

  it('under a REPEATABLE READ default too, a fill and its rows written concurrently meet (the writer reads committed)', async () => {
    const pool = new (db.pool.constructor as typeof import('pg').Pool)({ ...(db.pool as unknown as { options: object }).options, options: `-c search_path="${db.schema}" -c default_transaction_isolation=repeatable\\ read` });
    const writer = new PostgresExecutionEventExporter({ pool, migrate: false });
    try {
      const run = 'run-rr';
      const P = '00000000000000b2';
      const fill = writer.prepareRows([envelope(run, fillOf([P], run, [1]))]).rows;
      await whileHeld(await pool.connect(), writer.prepareRows([turn(P, run, 1)]).rows, () => writer.writeMappedRows(fill), 200);
      assert.deepEqual(await rows(run), ['chat 1: writer 2 graph-node']);
    } finally {
      await writer.shutdown();
      await pool.end();
    }
  });

  it('a batch of 20 000 fills takes a bounded number of locks (one per key would overflow the lock table)', async () => {
    const parents = Array.from({ length: 20_000 }, (_, i) => (0xa0000000 + i).toString(16).padStart(16, '0'));
    await exportOk([envelope('run-h', fillOf(parents.slice(0, 1000), 'run-h', parents.slice(0, 1000).map(() => 1)))]);
    const spans = [];
    for (let i = 0; i < parents.length; i += 1000) spans.push(envelope('run-h', fillOf(parents.slice(i, i + 1000), 'run-h', parents.slice(i, i + 1000).map(() => 1))));
    await exportOk(spans);
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM execution_event_fills WHERE run_id = 'run-h'`);
    assert.equal(n.rows[0].n, parents.length);
  });

  it('agent names are stored as an event row stores them: NUL and lone surrogates replaced, past the index bound cut and hashed', async () => {
    for (const [i, name] of ['a\u0000b\ud800c', 'x'.repeat(10_000)].entries()) {
      const run = `run-e${i}`;
      const P = `00000000000000${(0xd0 + i).toString(16)}`;
      await exportOk([turn(P, run, 1), turn(P, run, 2, { [Attr.ATTR_GEN_AI_AGENT_NAME]: name })]);
      await exportOk([envelope(run, fillOf([P], run, [1]), { [Attr.ATTR_GEN_AI_AGENT_NAME]: name })]);
      const r = await db.pool.query(`SELECT agent_name FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [run]);
      assert.equal(r.rows[0].agent_name, r.rows[1].agent_name, 'filled as the row that had the name stored it');
      assert.ok(r.rows[0].agent_name.length < 3000);
    }
  });

  it('the sink queues a span that carries a fill (it may have no event type of its own); one that gives nothing is skipped, counted', () => {
    const sink = new PostgresSink(exporter, undefined);
    assert.equal(sink.accepts(envelope('run-f', fillOf([A1], 'run-f', [1]))), true);
    assert.equal(sink.accepts(f.make('plain', { a: 1 })), false);
    const before = exporter.stats().skippedSpans;
    exporter.prepareRows([f.make('gives nothing', { [Attr.ATTR_RUN_ID]: 'r', ...fillOf([A1], 'other', [1]) })]);
    assert.equal(exporter.stats().skippedSpans, before + 1);
  });
});
