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
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { mapSpanToRow, PostgresExecutionEventExporter, type MappedRow } from '../src/index.js';
import { exportSpans, spanFactory, writeInOrder, type SpanFactory } from './helpers.js';

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

  async function runMeta(id: string): Promise<Record<string, unknown> | undefined> {
    const r = await db.pool.query(`SELECT meta FROM "${db.schema}".workflow_runs WHERE id = $1`, [id]);
    return r.rows[0]?.meta;
  }
  async function nodeMeta(runId: string): Promise<Record<string, unknown> | undefined> {
    const r = await db.pool.query(`SELECT meta FROM "${db.schema}".dag_nodes WHERE run_id = $1`, [runId]);
    return r.rows[0]?.meta;
  }

  function runWithNode(runId: string, runExtra: Attributes, nodeExtra: Attributes) {
    const run = f.start('invoke_workflow r', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: runId, ...runExtra });
    const node = f.make('node step_1', { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_NODE_ID]: 'step_1', ...nodeExtra }, { parent: run });
    return [f.end(run), node];
  }

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

  it('a run made of several traces: the merged row has a count when either part has one, the earlier part\'s when both do, whatever the order and batching', async () => {
    const tracer = new BasicTracerProvider().getTracer('run-node-redactions');
    const T = Date.UTC(2026, 2, 3) / 1000;
    const part = (id: string, startSec: number, redactions: number | undefined): MappedRow => {
      const span = tracer.startSpan('invoke_workflow chat', {
        startTime: [T + startSec, 0],
        attributes: {
          [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
          [Attr.ATTR_RUN_ID]: id,
          [Attr.ATTR_RUN_MULTI_TRACE]: true,
          ...(redactions === undefined ? {} : { [Attr.ATTR_REDACTIONS]: redactions }),
        },
      });
      span.end([T + startSec + 5, 0]);
      const mapped = mapSpanToRow(span as never);
      assert.ok(mapped?.kind === 'run');
      return mapped;
    };
    let n = 0;
    for (const [first, second, expected] of [[3, undefined, 3], [undefined, 4, 4], [3, 4, 3]] as const) {
      for (const how of ['earlier then later', 'later then earlier', 'one batch'] as const) {
        const id = `conv-redacted-${n++}`;
        await writeInOrder(db, part(id, 0, first), part(id, 60, second), how);
        const meta = await runMeta(id);
        assert.equal(meta?.['redactions'], expected, `${first}/${second}, ${how}: ${JSON.stringify(meta)}`);
      }
    }
  });
});
