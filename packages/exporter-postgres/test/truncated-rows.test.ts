/**
 * `workflow_runs` and `dag_nodes` rows say when their span was cut
 * (`agentspan.truncated`, set by the processor when it cut a value of the
 * span and by the gateway when it dropped attributes or events of a span it
 * replays), as `execution_events` rows do: `meta.truncated = true`. Without
 * it a reader of those tables could not tell a cut title, task or name from
 * a whole one. Against real Postgres rows, through the exporter and the
 * writer's run merge.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { mapSpanToRow, PostgresExecutionEventExporter, writeRows, type MappedRow } from '../src/index.js';
import { exportSpans, runWithNode as buildRunWithNode, spanFactory, storedNodeMeta, storedRunMeta, writeInOrder, type SpanFactory } from './helpers.js';

describe('meta.truncated on workflow_runs and dag_nodes rows', () => {
  let db: TestSchema;
  let f: SpanFactory;
  let exporter: PostgresExecutionEventExporter;
  before(async () => {
    db = await createTestSchema('truncated_rows');
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
  const nodeMeta = (runId: string, nodeId: string) => storedNodeMeta(db, runId, nodeId);
  const runWithNode = (runId: string, runExtra: Attributes, nodeExtra: Attributes) => buildRunWithNode(f, runId, runExtra, nodeExtra);

  it('a cut run span and a cut node span: both rows carry meta.truncated = true, beside what the gateway wrote in agentspan.meta', async () => {
    // As the gateway marks a replayed span that lost something (cut-mark.ts): the flag, and its counts in the user meta.
    const gatewayMeta = JSON.stringify({ owner: 'ana', gateway_dropped: { attributes: 3 } });
    const spans = runWithNode(
      'run-cut',
      { [Attr.ATTR_TRUNCATED]: true, [Attr.ATTR_RUN_TASK]: 'Analyse…[agentspan: truncated]', [Attr.ATTR_USER_META]: gatewayMeta },
      // A user meta saying otherwise does not hide the cut: derived keys win, as on events.
      { [Attr.ATTR_TRUNCATED]: true, [Attr.ATTR_NODE_TITLE]: 'Load…', [Attr.ATTR_USER_META]: JSON.stringify({ truncated: false, k: 1 }) },
    );
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const { service_name: _service, ...run } = (await runMeta('run-cut')) ?? {};
    assert.deepEqual(run, { owner: 'ana', gateway_dropped: { attributes: 3 }, truncated: true });
    assert.deepEqual(await nodeMeta('run-cut', 'step_1'), { k: 1, truncated: true });
    const byKey = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM "${db.schema}".workflow_runs WHERE meta @> '{"truncated": true}') AS runs,
              (SELECT count(*)::int FROM "${db.schema}".dag_nodes WHERE meta @> '{"truncated": true}') AS nodes`,
    );
    assert.deepEqual(byKey.rows[0], { runs: 1, nodes: 1 }, 'found by the same query as cut events');
  });

  it('spans not cut (no flag, false, "false", a flag of another type): no truncated key, the user meta as it was', async () => {
    const cases: [string, Attributes][] = [
      ['none', {}],
      ['false', { [Attr.ATTR_TRUNCATED]: false }],
      ['false-text', { [Attr.ATTR_TRUNCATED]: 'false' }],
      ['number', { [Attr.ATTR_TRUNCATED]: 1 }],
    ];
    for (const [name, attrs] of cases) {
      const id = `run-whole-${name}`;
      assert.equal((await exportSpans(exporter, runWithNode(id, attrs, attrs))).code, 0);
      assert.equal((await runMeta(id))?.['truncated'], undefined, `run, ${name}`);
      assert.equal((await nodeMeta(id, 'step_1'))?.['truncated'], undefined, `node, ${name}`);
    }
    // The user's own key is kept when the span says nothing (it is the user's metadata, not ours).
    const id = 'run-user-key';
    const meta = JSON.stringify({ truncated: 'by the app' });
    assert.equal((await exportSpans(exporter, runWithNode(id, { [Attr.ATTR_USER_META]: meta }, { [Attr.ATTR_USER_META]: meta }))).code, 0);
    assert.equal((await runMeta(id))?.['truncated'], 'by the app');
    // The flag given as the text "true" (a sender without booleans) counts, as on events.
    const text = 'run-flag-text';
    assert.equal((await exportSpans(exporter, runWithNode(text, { [Attr.ATTR_TRUNCATED]: 'true' }, { [Attr.ATTR_TRUNCATED]: 'true' }))).code, 0);
    assert.equal((await runMeta(text))?.['truncated'], true);
    assert.equal((await nodeMeta(text, 'step_1'))?.['truncated'], true);
  });

  it('a run made of several traces, one part cut: the merged row says truncated, whatever the order and batching of the parts', async () => {
    const tracer = new BasicTracerProvider().getTracer('truncated-rows');
    const T = Date.UTC(2026, 2, 1) / 1000;
    const part = (id: string, startSec: number, cut: boolean | undefined): MappedRow => {
      const span = tracer.startSpan('invoke_workflow chat', {
        startTime: [T + startSec, 0],
        attributes: {
          [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
          [Attr.ATTR_RUN_ID]: id,
          [Attr.ATTR_RUN_MULTI_TRACE]: true,
          ...(cut === undefined ? {} : { [Attr.ATTR_TRUNCATED]: cut }),
        },
      });
      span.end([T + startSec + 5, 0]);
      const mapped = mapSpanToRow(span as never);
      assert.ok(mapped?.kind === 'run');
      return mapped;
    };
    let n = 0;
    // The cut part first or second in time, each part written alone in both orders, or both in one batch.
    for (const cutFirst of [true, false]) {
      for (const how of ['earlier then later', 'later then earlier', 'one batch'] as const) {
        const id = `conv-cut-${n++}`;
        const earlier = part(id, 0, cutFirst ? true : undefined);
        const later = part(id, 60, cutFirst ? undefined : true);
        await writeInOrder(db, earlier, later, how);
        const meta = await runMeta(id);
        assert.equal(meta?.['truncated'], true, `cut ${cutFirst ? 'earlier' : 'later'} part, ${how}: ${JSON.stringify(meta)}`);
        assert.equal(meta?.['multi_trace'], true);
      }
    }
    // A part that says false and one that is cut: still cut (false is not carried, so it cannot win the merge).
    const id = 'conv-false-and-cut';
    await writeRows(db.pool, db.schema, [part(id, 0, false)]);
    await writeRows(db.pool, db.schema, [part(id, 60, true)]);
    assert.equal((await runMeta(id))?.['truncated'], true);
  });

  it("a part whose user meta has a truncated key of its own, the other part cut: the merged row is cut, whatever the order and batching", async () => {
    const tracer = new BasicTracerProvider().getTracer('truncated-rows');
    const T = Date.UTC(2026, 2, 2) / 1000;
    const part = (id: string, startSec: number, extra: Attributes): MappedRow => {
      const span = tracer.startSpan('invoke_workflow chat', {
        startTime: [T + startSec, 0],
        attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: id, [Attr.ATTR_RUN_MULTI_TRACE]: true, ...extra },
      });
      span.end([T + startSec + 5, 0]);
      const mapped = mapSpanToRow(span as never);
      assert.ok(mapped?.kind === 'run');
      return mapped;
    };
    let n = 0;
    // The user's key is kept on a part that was not cut (it is their metadata), so the earlier part
    // carries it into the merge, where the earlier part's keys win: the cut must win over it.
    for (const userValue of [false, 'by the app', null]) {
      for (const userFirst of [true, false]) {
        for (const how of ['earlier then later', 'later then earlier', 'one batch'] as const) {
          const id = `conv-user-key-${n++}`;
          const user = part(id, userFirst ? 0 : 60, { [Attr.ATTR_USER_META]: JSON.stringify({ truncated: userValue }) });
          const cut = part(id, userFirst ? 60 : 0, { [Attr.ATTR_TRUNCATED]: true });
          const [earlier, later] = userFirst ? [user, cut] : [cut, user];
          await writeInOrder(db, earlier, later, how);
          const meta = await runMeta(id);
          const where = `user ${JSON.stringify(userValue)} on the ${userFirst ? 'earlier' : 'later'} part, ${how}`;
          assert.equal(meta?.['truncated'], true, `${where}: ${JSON.stringify(meta)}`);
        }
      }
    }
  });
});
