/**
 * `workflow_runs` and `dag_nodes` rows say how many values the processor
 * redacted on their span (`agentspan.redactions`: a run's task, session id,
 * metadata, a node's title, the span's name), as `execution_events` rows do:
 * `meta.redactions`. Without it an audit of what was redacted in a run
 * missed the run's and its steps' own texts. Against real Postgres rows,
 * through the exporter and the writer's run merge.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { mapSpanToRow, PostgresExecutionEventExporter, writeRows, type MappedRow } from '../src/index.js';
import { mergeRunRows } from '../src/run-merge.js';
import { exportSpans, runWithNode as buildRunWithNode, spanFactory, storedNodeMeta, storedRunMeta, writeInOrder, type SpanFactory } from './helpers.js';

describe('meta.redactions on workflow_runs and dag_nodes rows', () => {
  let db: TestSchema;
  let f: SpanFactory;
  let exporter: PostgresExecutionEventExporter;
  before(async () => {
    db = await createTestSchema('run_node_redactions');
    f = spanFactory();
    exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    await exporter.migrate();
  });
  after(async () => {
    await exporter.shutdown();
    await f.shutdown();
    await db.drop();
  });

  const runMeta = (id: string) => storedRunMeta(db, id);
  const nodeMeta = (runId: string) => storedNodeMeta(db, runId, 'step_1');
  const runWithNode = (runId: string, runExtra: Attributes, nodeExtra: Attributes) => buildRunWithNode(f, runId, runExtra, nodeExtra);

  it("the span's count is the row's meta.redactions, over a user meta key of the same name; none without one", async () => {
    const user = JSON.stringify({ redactions: 'the app says 0', k: 1 });
    const spans = runWithNode(
      'run-redacted',
      { [Attr.ATTR_REDACTIONS]: 2, [Attr.ATTR_RUN_TASK]: 'Use token=[REDACTED:password_assignment]', [Attr.ATTR_USER_META]: user },
      { [Attr.ATTR_REDACTIONS]: 1, [Attr.ATTR_NODE_TITLE]: 'Login with [REDACTED:password_assignment]' },
    );
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const run = await runMeta('run-redacted');
    assert.equal(run?.['redactions'], 2, JSON.stringify(run));
    assert.equal(run?.['k'], 1);
    assert.equal((await nodeMeta('run-redacted'))?.['redactions'], 1);
    const found = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM "${db.schema}".workflow_runs WHERE (meta->>'redactions')::int > 0) AS runs,
              (SELECT count(*)::int FROM "${db.schema}".dag_nodes WHERE (meta->>'redactions')::int > 0) AS nodes`,
    );
    assert.deepEqual(found.rows[0], { runs: 1, nodes: 1 }, 'found by the same query as redacted events');

    assert.equal((await exportSpans(exporter, runWithNode('run-clean', {}, {}))).code, 0);
    assert.equal((await runMeta('run-clean'))?.['redactions'], undefined);
    assert.equal((await nodeMeta('run-clean'))?.['redactions'], undefined);
  });

  const tracer = new BasicTracerProvider().getTracer('run-node-redactions');
  const T = Date.UTC(2026, 2, 3) / 1000;
  /** One part of a run made of several traces, with the processor's count and the user's meta when given. */
  const part = (id: string, startSec: number, redactions: number | undefined, userMeta?: object): MappedRow => {
    const span = tracer.startSpan('invoke_workflow chat', {
      startTime: [T + startSec, 0],
      attributes: {
        [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
        [Attr.ATTR_RUN_ID]: id,
        [Attr.ATTR_RUN_MULTI_TRACE]: true,
        ...(redactions === undefined ? {} : { [Attr.ATTR_REDACTIONS]: redactions }),
        ...(userMeta === undefined ? {} : { [Attr.ATTR_USER_META]: JSON.stringify(userMeta) }),
      },
    });
    span.end([T + startSec + 5, 0]);
    const mapped = mapSpanToRow(span as never);
    assert.ok(mapped?.kind === 'run');
    return mapped;
  };

  it('a run made of several traces: the merged row has a count when either part has one, the larger when both do, whatever the order and batching', async () => {
    let n = 0;
    for (const [first, second, expected] of [[3, undefined, 3], [undefined, 4, 4], [3, 4, 4], [4, 3, 4]] as const) {
      for (const how of ['earlier then later', 'later then earlier', 'one batch'] as const) {
        const id = `conv-redacted-${n++}`;
        await writeInOrder(db, part(id, 0, first), part(id, 60, second), how);
        const meta = await runMeta(id);
        assert.equal(meta?.['redactions'], expected, `${first}/${second}, ${how}: ${JSON.stringify(meta)}`);
      }
    }
  });

  it("a multi-trace run: the earlier part's user meta key `redactions` does not hide the later part's count (the derived key wins, as on one row)", async () => {
    // The earlier part's keys win a merge; a user's `redactions` there (no count of its own) hid the count of a part that redacted.
    let n = 0;
    for (const user of [{ redactions: 'the app says 0' }, { redactions: 0 }, { redactions: null }, { redactions: [5] }]) {
      for (const how of ['earlier then later', 'later then earlier', 'one batch'] as const) {
        const id = `conv-user-redactions-${n++}`;
        await writeInOrder(db, part(id, 0, undefined, user), part(id, 60, 2), how);
        const meta = await runMeta(id);
        assert.equal(meta?.['redactions'], 2, `${JSON.stringify(user)}, ${how}: ${JSON.stringify(meta)}`);
      }
      // Neither part counted: the user's value stays, as any key of the earlier part's.
      const id = `conv-user-redactions-${n++}`;
      await writeInOrder(db, part(id, 0, undefined, user), part(id, 60, undefined), 'later then earlier');
      assert.deepEqual((await runMeta(id))?.['redactions'], user.redactions);
    }
  });

  it('any parts, counts and user keys, in any order and batches: the stored count is the JavaScript merge\'s, the largest number of the parts', async () => {
    // The writer merges in SQL (a stored row) and in JavaScript (two parts in one batch): the two must agree.
    const count = fc.constantFrom(undefined, 0, 1, 2, 7, 2.5, -1, 1e308);
    const user = fc.constantFrom(undefined, { redactions: 'n/a' }, { redactions: 0 }, { redactions: 9 }, { redactions: null }, { team: 'core' });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(count, user), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), async (specs, noise) => {
        const id = `conv-any-${n++}`;
        const rows = specs.map(([c, u], i) => part(id, 60 * i, c, u));
        const sent = rows.map((r, i) => ({ r, k: (noise[i] ?? 0) % 97 })).sort((a, b) => a.k - b.k).map((x) => x.r);
        const batches: MappedRow[][] = [[]];
        sent.forEach((r, i) => {
          if (i > 0 && (noise[(i + 3) % 8] ?? 0) % 2 === 0) batches.push([]);
          batches[batches.length - 1]!.push(r);
        });
        for (const b of batches) await writeRows(db.pool, db.schema, b);
        const runRows = rows.map((r) => (r.kind === 'run' ? r.row : assert.fail()));
        const merged = runRows.slice(1).reduce((acc, r) => mergeRunRows(acc, r) ?? r, runRows[0]!);
        const stored = await runMeta(id);
        assert.deepEqual(stored?.['redactions'], merged.meta['redactions'], `${JSON.stringify(specs)}: ${JSON.stringify(stored)}`);
        const numbers = runRows.map((r) => r.meta['redactions']).filter((v): v is number => typeof v === 'number');
        if (numbers.length > 0) assert.equal(stored?.['redactions'], Math.max(...numbers));
      }),
      { numRuns: 120 },
    );
  });

  it('an odd attribute is read as on events (a numeric string, a negative, a huge count kept; NaN, Infinity, text dropped); rows in progress carry none', async () => {
    const values = ['5', -1, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 'many', true] as const;
    const onEvents: unknown[] = [];
    for (const [i, value] of values.entries()) {
      const runId = `run-odd-${i}`;
      const extra = { [Attr.ATTR_REDACTIONS]: value };
      const event = f.make('execute_tool t', { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: runId, ...extra });
      assert.equal((await exportSpans(exporter, [...runWithNode(runId, extra, extra), event])).code, 0);
      const e = await db.pool.query(`SELECT meta FROM "${db.schema}".execution_events WHERE run_id = $1`, [runId]);
      const expected: unknown = e.rows[0]?.meta?.['redactions'];
      onEvents.push(expected);
      assert.equal((await runMeta(runId))?.['redactions'], expected, `run, ${String(value)}`);
      assert.equal((await nodeMeta(runId))?.['redactions'], expected, `node, ${String(value)}`);
    }
    assert.deepEqual(onEvents, [5, -1, 1e308, undefined, undefined, undefined, undefined]);
    // Running: the row in progress holds its liveness only, as an event's does; the count comes with its end.
    const run = f.start('invoke_workflow r', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-live', [Attr.ATTR_REDACTIONS]: 3 });
    const node = f.start('node n', { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: 'run-live', [Attr.ATTR_REDACTIONS]: 3 }, run);
    for (const span of [run, node]) {
      const mapped = mapSpanToRow(span as never, { seenAt: '2026-03-01T12:00:00.000Z' });
      assert.ok(mapped?.kind === 'run' || mapped?.kind === 'node');
      assert.equal(mapped.row.meta['redactions'], undefined, JSON.stringify(mapped.row.meta));
    }
    f.end(node);
    f.end(run);
  });

  it('a run of three traces has the same count whatever the order its parts arrive in', async () => {
    // The earlier part's count where both had one: the part without a count arriving between the two others decided.
    const counts = [undefined, 3, 5] as const;
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (const [k, order] of orders.entries()) {
      const id = `conv-three-${k}`;
      for (const i of order) await writeRows(db.pool, db.schema, [part(id, 60 * i, counts[i])]);
      assert.equal((await runMeta(id))?.['redactions'], 5, `order ${order.join(',')}`);
    }
  });
});
