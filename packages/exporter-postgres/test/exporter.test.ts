import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { COPY_MIN_ROWS, PostgresExecutionEventExporter, eventIdFor } from '../src/index.js';
import { buildWorkflow, exportSpans, inAnotherTrace, spanFactory, type SpanFactory } from './helpers.js';

describe('PostgresExecutionEventExporter against Postgres', () => {
  let db: TestSchema;
  let f: SpanFactory;
  let exporter: PostgresExecutionEventExporter;

  before(async () => {
    db = await createTestSchema('exporter');
    f = spanFactory();
    exporter = new PostgresExecutionEventExporter({ pool: db.pool });
  });
  after(async () => {
    await exporter.shutdown();
    await f.shutdown();
    await db.drop();
  });
  beforeEach(() => f.reset());

  it('writes a run, its node and one event of each type', async () => {
    const runId = 'run-content';
    const w = buildWorkflow(f, runId);
    const result = await exportSpans(exporter, w.all);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));

    const counts = await db.pool.query(
      'SELECT event_type, COUNT(*) FROM execution_events WHERE run_id = $1 GROUP BY event_type;',
      [runId],
    );
    assert.deepEqual(
      Object.fromEntries(counts.rows.map((r: { event_type: string; count: string }) => [r.event_type, Number(r.count)])),
      { agent_call: 1, code_exec: 1, tool_call: 1, file_gen: 1, handoff: 1 },
    );

    const run = (await db.pool.query('SELECT * FROM workflow_runs WHERE id = $1', [runId])).rows[0];
    assert.equal(run.mode, 'one-shot');
    assert.equal(run.task_description, 'Analyse the data');
    assert.equal(run.status, 'success');
    assert.equal(run.session_id, 'session-1');
    assert.equal(run.trace_id, w.run.spanContext().traceId);
    assert.equal(run.span_id, w.run.spanContext().spanId);
    assert.equal(run.meta.owner, 'ana');
    assert.equal(run.meta.service_name, w.run.resource.attributes['service.name']);

    const node = (await db.pool.query('SELECT * FROM dag_nodes WHERE run_id = $1', [runId])).rows[0];
    assert.equal(node.node_id, 'step_1');
    assert.equal(node.title, 'Load data');
    assert.equal(node.node_type, 'agent');
    assert.equal(node.agent, 'engineer');
    assert.equal(node.order_index, 0);
    assert.equal(node.depth, 1);
    assert.equal(node.status, 'completed');
    assert.equal(node.id, eventIdFor(w.node.spanContext().traceId, w.node.spanContext().spanId));

    // parent_event_id of each event is its node's dag_nodes.id
    const parents = await db.pool.query(
      'SELECT DISTINCT e.parent_event_id FROM execution_events e WHERE e.run_id = $1',
      [runId],
    );
    assert.deepEqual(parents.rows, [{ parent_event_id: node.id }]);
    const joined = await db.pool.query(
      'SELECT COUNT(*)::int AS n FROM execution_events e JOIN dag_nodes n ON n.id = e.parent_event_id WHERE e.run_id = $1',
      [runId],
    );
    assert.equal(joined.rows[0].n, 5);
    // The node's own parent is the run span.
    assert.equal(w.node.parentSpanContext?.spanId, w.run.spanContext().spanId);
  });

  it('answers the documented queries verbatim', async () => {
    const w = buildWorkflow(f, 'run-queries');
    assert.equal((await exportSpans(exporter, w.all)).code, ExportResultCode.SUCCESS);
    // Unnamed columns share the name ?column?: read them as arrays.
    const files = await db.pool.query({
      text: "SELECT outputs->>'file_path', LENGTH(outputs->>'file_content'), meta->>'has_content' FROM execution_events WHERE event_type = 'file_gen';",
      rowMode: 'array',
    });
    assert.ok(files.rows.length >= 1);
    assert.deepEqual(files.rows[0], ['out.csv', 8, 'true']);
    const code = await db.pool.query({
      text: "SELECT agent_name, meta->>'imports', meta->>'files_written' FROM execution_events WHERE event_type = 'code_exec' AND meta->>'imports' IS NOT NULL;",
      rowMode: 'array',
    });
    assert.ok(code.rows.length >= 1);
    assert.deepEqual(code.rows[0], ['engineer', '["pandas"]', '["out.png"]']);
  });

  it('is idempotent: the same spans twice give one row each', async () => {
    const runId = 'run-twice';
    const w = buildWorkflow(f, runId);
    assert.equal((await exportSpans(exporter, w.all)).code, ExportResultCode.SUCCESS);
    assert.equal((await exportSpans(exporter, w.all)).code, ExportResultCode.SUCCESS);
    const n = await db.pool.query(
      `SELECT (SELECT COUNT(*) FROM execution_events WHERE run_id = $1)::int AS events,
              (SELECT COUNT(*) FROM dag_nodes WHERE run_id = $1)::int AS nodes,
              (SELECT COUNT(*) FROM workflow_runs WHERE id = $1)::int AS runs`,
      [runId],
    );
    assert.deepEqual(n.rows[0], { events: 5, nodes: 1, runs: 1 });
  });

  for (const writeMethod of ['copy', 'unnest'] as const) {
    it(`two spans of different traces that share a span id are two rows (${writeMethod}): a span id is unique only within its trace`, async () => {
      const w = buildWorkflow(f, `run-shared-ids-a-${writeMethod}`);
      // Enough events for the COPY path (COPY_MIN_ROWS), each of them again in another trace, same span id.
      const events = Array.from({ length: COPY_MIN_ROWS }, (_, i) =>
        f.make(`execute_tool t${i}`, {
          [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
          [Attr.ATTR_RUN_ID]: `run-shared-ids-a-${writeMethod}`,
          [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
        }),
      );
      const first = [...w.all, ...events];
      const traceB = 'b'.repeat(32); // the span ids are new in each test, so the rows of the two never meet
      const second = first.map((s) => inAnotherTrace(s, traceB, `run-shared-ids-b-${writeMethod}`));
      const writer = new PostgresExecutionEventExporter({ pool: db.pool, writeMethod });
      try {
        assert.equal((await exportSpans(writer, first)).code, ExportResultCode.SUCCESS);
        assert.equal((await exportSpans(writer, second)).code, ExportResultCode.SUCCESS);
        assert.equal(writer.stats().exportedRows, 2 * first.length, 'every row of both traces is new');
      } finally {
        await writer.shutdown();
      }
      const spanIds = first.map((s) => s.spanContext().spanId);
      const n = await db.pool.query(
        `SELECT (SELECT COUNT(*) FROM execution_events WHERE span_id = ANY($1))::int AS events,
                (SELECT COUNT(*) FROM execution_events WHERE span_id = ANY($1) AND trace_id = $2)::int AS events_b,
                (SELECT COUNT(*) FROM dag_nodes WHERE span_id = ANY($1))::int AS nodes,
                (SELECT COUNT(*) FROM workflow_runs WHERE span_id = ANY($1))::int AS runs`,
        [spanIds, traceB],
      );
      const eventSpans = first.length - 2; // all but the run and the node
      assert.deepEqual(n.rows[0], { events: 2 * eventSpans, events_b: eventSpans, nodes: 2, runs: 2 });
    });
  }

  it('tolerates concurrent exports of overlapping spans (no duplicates, no errors)', async () => {
    const runId = 'run-concurrent';
    const w = buildWorkflow(f, runId);
    const more = Array.from({ length: 40 }, (_, i) =>
      f.make(`invoke_agent a${i}`, {
        [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
        [Attr.ATTR_RUN_ID]: runId,
        [Attr.ATTR_MESSAGE_CONTENT]: `m${i}`,
      }),
    );
    const all = [...w.all, ...more];
    const results = await Promise.all([
      exportSpans(exporter, all),
      exportSpans(exporter, [...all].reverse()),
      exportSpans(exporter, all.slice(3)),
      exportSpans(exporter, all.slice(0, 20)),
    ]);
    for (const r of results) assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
    const n = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [runId]);
    assert.equal(n.rows[0].n, 45);
    const runs = await db.pool.query('SELECT COUNT(*)::int AS n FROM workflow_runs WHERE id = $1', [runId]);
    assert.equal(runs.rows[0].n, 1);
  });

  it('a re-sent run span updates its row', async () => {
    const first = f.make('invoke_workflow x', {
      [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
      [Attr.ATTR_RUN_ID]: 'run-resent',
      [Attr.ATTR_RUN_STATUS]: 'running',
    });
    assert.equal((await exportSpans(exporter, [first])).code, ExportResultCode.SUCCESS);
    const second = f.make(
      'invoke_workflow x',
      { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run-resent' },
      { error: 'boom' },
    );
    assert.equal((await exportSpans(exporter, [second])).code, ExportResultCode.SUCCESS);
    const row = (await db.pool.query('SELECT status, span_id, meta FROM workflow_runs WHERE id = $1', ['run-resent'])).rows[0];
    assert.equal(row.status, 'failed');
    assert.equal(row.span_id, second.spanContext().spanId);
    assert.equal(row.meta.error_message, 'boom');
  });

  it('skips spans without an event type and counts them', async () => {
    const before = exporter.stats().skippedSpans;
    const plain = f.make('GET /health', { 'http.method': 'GET' });
    const r = await exportSpans(exporter, [plain]);
    assert.equal(r.code, ExportResultCode.SUCCESS);
    assert.equal(exporter.stats().skippedSpans, before + 1);
    const n = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE span_id = $1', [
      plain.spanContext().spanId,
    ]);
    assert.equal(n.rows[0].n, 0);
  });

  it('writes NUL and lone surrogates as U+FFFD and marks the row sanitized', async () => {
    const bad = f.make('execute_tool bad\u0000tool', {
      [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
      [Attr.ATTR_RUN_ID]: 'run-sanitize',
      [Attr.ATTR_GEN_AI_TOOL_NAME]: 'to\u0000ol',
      [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ ['k\u0000ey']: 'v\uD800al', nested: ['\uDC00', 'ok'] }),
      [Attr.ATTR_GEN_AI_AGENT_NAME]: 'agent\uD83D',
      'custom.attribute': 'x\u0000y',
    });
    const agent = f.make('invoke_agent a', {
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_RUN_ID]: 'run-sanitize',
      [Attr.ATTR_MESSAGE_CONTENT]: 'hello\u0000world\uDFFF',
    });
    const good = f.make('invoke_agent b', {
      [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
      [Attr.ATTR_RUN_ID]: 'run-sanitize',
      [Attr.ATTR_MESSAGE_CONTENT]: 'clean 😀',
    });
    const before = exporter.stats().sanitizedRows;
    const r = await exportSpans(exporter, [bad, agent, good]);
    assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
    assert.equal(exporter.stats().sanitizedRows, before + 2);
    const rows = (
      await db.pool.query('SELECT * FROM execution_events WHERE run_id = $1 ORDER BY event_type, name', ['run-sanitize'])
    ).rows;
    assert.equal(rows.length, 3);
    const [a, b, tool] = rows;
    assert.equal(a.inputs.content, 'hello\uFFFDworld\uFFFD');
    assert.equal(a.meta.sanitized, true);
    assert.equal(b.inputs.content, 'clean 😀');
    assert.equal(b.meta.sanitized, undefined);
    assert.equal(tool.name, 'execute_tool bad\uFFFDtool');
    assert.equal(tool.agent_name, 'agent\uFFFD');
    assert.equal(tool.inputs.tool, 'to\uFFFDol');
    assert.deepEqual(tool.inputs.args, { ['k\uFFFDey']: 'v\uFFFDal', nested: ['\uFFFD', 'ok'] });
    assert.deepEqual(tool.inputs.args_keys, ['k\uFFFDey', 'nested']);
    assert.equal(tool.attributes['custom.attribute'], 'x\uFFFDy');
    assert.equal(tool.meta.sanitized, true);
  });

  it('run and node ids that differ only by a NUL or a lone surrogate stay apart (they are keys), in every table alike', async () => {
    const ids = ['nul-id\u0000', 'nul-id\ud800', 'nul-id\ud801'];
    const spans = ids.flatMap((id) => [
      f.make('invoke_workflow w', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: id }),
      f.make('node s', { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: id, [Attr.ATTR_NODE_ID]: id }),
      f.make('invoke_agent a', { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_RUN_ID]: id, [Attr.ATTR_NODE_ID]: id }),
    ]);
    const r = await exportSpans(exporter, spans);
    assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
    const runs = (await db.pool.query("SELECT id FROM workflow_runs WHERE id LIKE 'nul-id%'")).rows.map((x) => x.id as string);
    assert.equal(new Set(runs).size, 3, runs.join(', '));
    const joined = await db.pool.query(
      `SELECT count(*)::int AS n FROM workflow_runs w JOIN dag_nodes n ON n.run_id = w.id AND n.node_id = w.id
         JOIN execution_events e ON e.run_id = w.id AND e.node_id = w.id WHERE w.id LIKE 'nul-id%'`,
    );
    assert.equal(joined.rows[0]?.n, 3, 'each run joins its own node and event, and no other');
  });

  it('keeps microseconds and durations', async () => {
    const span = f.make(
      'handoff a -> b',
      { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-time' },
      { startTime: [1_767_225_600, 123_456_789], endTime: [1_767_225_601, 500_000_000] },
    );
    assert.equal((await exportSpans(exporter, [span])).code, ExportResultCode.SUCCESS);
    const row = (
      await db.pool.query(
        `SELECT to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ts,
                to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS done,
                duration_ms, started_at = "timestamp" AS same
           FROM execution_events WHERE run_id = 'run-time'`,
      )
    ).rows[0];
    assert.equal(row.ts, '2026-01-01T00:00:00.123456');
    assert.equal(row.done, '2026-01-01T00:00:01.500000');
    assert.ok(Math.abs(row.duration_ms - 1376.543211) < 1e-6, String(row.duration_ms));
    assert.equal(row.same, true);
  });

  it('counts exported rows', async () => {
    const s = exporter.stats();
    assert.ok(s.exportedRows > 0);
    assert.equal(s.failedExports, 0);
  });
});
