/**
 * Recording from any context: worker threads, callbacks that lost the async
 * context, child processes joining the parent's trace and run.
 */

import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { readFile } from 'node:fs';
import { gzip } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { parseRunReference, startAgentspan, type Agentspan } from '../src/index.js';
import { startEmitter } from './child.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('context');
});
after(async () => {
  await db.drop();
});

const start = (): Promise<Agentspan> =>
  startAgentspan(
    { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, spoolDir: false, flushOnExit: false, registerGlobal: false, logger: { warn: () => {} } },
    {},
  );

interface Row {
  event_type: string;
  node_id: string | null;
  parent_event_id: string | null;
  execution_order: number;
  trace_id: string;
  parent_span_id: string | null;
  agent_name: string;
  status: string;
  meta: Record<string, unknown>;
  inputs: Record<string, unknown>;
  error_message: string | null;
}

async function rows(runId: string): Promise<Row[]> {
  const r = await db.pool.query(`SELECT * FROM "${db.schema}".execution_events WHERE run_id = $1 ORDER BY execution_order`, [runId]);
  return r.rows as Row[];
}

async function nodeRowId(runId: string, nodeId: string): Promise<string> {
  const r = await db.pool.query(`SELECT id FROM "${db.schema}".dag_nodes WHERE run_id = $1 AND node_id = $2`, [runId, nodeId]);
  return r.rows[0].id as string;
}

describe('recording from any context', () => {
  it('a worker thread records into the same run and node, through the main thread', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'run-worker' });
    const step = run.startNode('step_w');
    step.agentCall({ agent: 'main', content: 'before the worker' });
    const data = agentspan.workerData(step);
    const worker = new Worker(new URL('./fixtures/worker.mjs', import.meta.url), {
      workerData: { agentspan: data, count: 50 },
      transferList: [data.port],
    });
    await once(worker, 'exit');
    await new Promise((r) => setTimeout(r, 50)); // the port's close reaches the main thread
    step.agentCall({ agent: 'main', content: 'after the worker' });
    step.end();
    run.end();
    await agentspan.shutdown();

    const all = await rows('run-worker');
    const fromWorker = all.filter((r) => r.agent_name === 'worker');
    const tools = fromWorker.filter((r) => r.event_type === 'tool_call' && r.inputs['tool'] === 'search');
    assert.equal(tools.length, 50);
    assert.deepEqual(tools.map((r) => r.meta['seq']).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 50 }, (_, i) => i));
    const node = await nodeRowId('run-worker', 'step_w');
    for (const r of fromWorker) {
      assert.equal(r.node_id, 'step_w');
      assert.equal(r.parent_event_id, node, 'a child of the node span');
    }
    const code = fromWorker.find((r) => r.event_type === 'code_exec');
    assert.ok(code, 'begin/end from the worker');
    const message = fromWorker.find((r) => r.event_type === 'agent_call');
    assert.equal(message?.meta['kept'], 'yes', 'an event with a function still arrives, as JSON');
    const unfinished = fromWorker.find((r) => r.inputs['tool'] === 'never-ends');
    assert.equal(unfinished?.status, 'failed', 'an event the worker never ended is recorded as failed');
    const orders = all.map((r) => r.execution_order);
    assert.equal(new Set(orders).size, orders.length, 'one sequence of orders across threads');
    assert.equal(all[0]?.agent_name, 'main');
    assert.equal(all.at(-1)?.agent_name, 'main');
  });

  it('callbacks fired outside the async context (timers, emitters, native callbacks) carry the run and node of the handle', async () => {
    const agentspan = await startAgentspan(
      { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, spoolDir: false, flushOnExit: false, logger: { warn: () => {} } },
      {},
    );
    const run = agentspan.startRun({ runId: 'run-callbacks' });
    const step = run.startNode('step_cb');
    const other = agentspan.startRun({ runId: 'run-ambient' });
    const emitter = new EventEmitter();
    const done: Promise<unknown>[] = [];
    // The ambient context belongs to another run: only the explicit handle decides.
    other.with(() => {
      done.push(new Promise<void>((resolve) => setTimeout(() => (step.toolCall({ agent: 'a', tool: 'timer' }), resolve()), 5)));
      done.push(new Promise<void>((resolve) => emitter.once('go', () => (step.toolCall({ agent: 'a', tool: 'emitter' }), resolve()))));
      done.push(new Promise<void>((resolve) => readFile(import.meta.filename ?? new URL(import.meta.url).pathname, () => (step.toolCall({ agent: 'a', tool: 'fs' }), resolve()))));
      done.push(new Promise<void>((resolve) => gzip(Buffer.from('x'), () => (step.toolCall({ agent: 'a', tool: 'zlib' }), resolve()))));
      done.push(new Promise<void>((resolve) => setImmediate(() => (step.toolCall({ agent: 'a', tool: 'immediate' }), resolve()))));
    });
    setTimeout(() => emitter.emit('go'), 10);
    await Promise.all(done);
    step.end();
    run.end();
    other.end();
    await agentspan.shutdown();
    const all = await rows('run-callbacks');
    assert.deepEqual(all.map((r) => r.inputs['tool']).sort(), ['emitter', 'fs', 'immediate', 'timer', 'zlib']);
    const node = await nodeRowId('run-callbacks', 'step_cb');
    for (const r of all) {
      assert.equal(r.node_id, 'step_cb');
      assert.equal(r.parent_event_id, node);
    }
    assert.equal((await rows('run-ambient')).length, 0);
  });

  it('a child process joins the parent trace and run through AGENTSPAN_RUN_REFERENCE, with execution orders of its own', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'run-parent' });
    const step = run.startNode('step_p');
    for (let i = 0; i < 3; i++) step.agentCall({ agent: 'parent', content: `before ${i}` });
    const env = agentspan.childEnv(step, { ...process.env });
    const ref = parseRunReference(env['AGENTSPAN_RUN_REFERENCE']);
    assert.equal(ref?.runId, 'run-parent');
    assert.equal(ref?.nodeId, 'step_p');
    assert.equal(env['TRACEPARENT'], ref?.traceparent);
    const child = startEmitter({ databaseUrl: db.url, schema: db.schema, spoolDir: false, runId: 'unused', mode: 'burst', count: 40, then: 'shutdown', fromEnv: true }, env);
    const how = await child.exited;
    assert.equal(how.code, 0, child.stderr());
    for (let i = 0; i < 3; i++) step.agentCall({ agent: 'parent', content: `after ${i}` });
    step.end();
    run.end();
    await agentspan.shutdown();

    const all = await rows('run-parent');
    const parent = all.filter((r) => r.agent_name === 'parent');
    const fromChild = all.filter((r) => r.agent_name === 'worker');
    assert.equal(parent.length, 6);
    assert.equal(fromChild.length, 40);
    const orders = all.map((r) => r.execution_order);
    assert.equal(new Set(orders).size, orders.length, 'no order is shared between the processes');
    const before = parent.slice(0, 3).map((r) => r.execution_order);
    const afterOrders = parent.slice(3).map((r) => r.execution_order);
    for (const r of fromChild) {
      assert.ok(r.execution_order > Math.max(...before) && r.execution_order < Math.min(...afterOrders), 'the child sorts between the events before and after it');
      assert.equal(r.trace_id, parent[0]?.trace_id, 'same trace');
      assert.equal(r.node_id, 'step_p');
      assert.equal(r.parent_event_id, await nodeRowId('run-parent', 'step_p'));
    }
  });

  it('attach() with an orderBase (a run resumed after a restart) numbers its events after it', async () => {
    const first = await start();
    const run = first.startRun({ runId: 'run-resumed' });
    const step = run.startNode('step_r');
    const ref = step.reference();
    for (let i = 0; i < 3; i++) step.toolCall({ agent: 'a', tool: `before_${i}` });
    await first.shutdown(); // the process "crashes": the run never ends
    const second = await start();
    const { rows: [last] } = await db.pool.query<{ max: number }>(`SELECT max(execution_order)::int AS max FROM "${db.schema}".execution_events WHERE run_id = 'run-resumed'`);
    const resumed = second.attach({ ...ref, orderBase: last!.max });
    for (let i = 0; i < 3; i++) resumed.toolCall({ agent: 'a', tool: `after_${i}` });
    const hostile = new Proxy({ ...ref }, { get: (t, k) => { if (k === 'orderBase') throw new Error('boom'); return Reflect.get(t, k); } });
    assert.doesNotThrow(() => second.attach(hostile));
    await second.shutdown();
    const all = await rows('run-resumed');
    assert.deepEqual(all.map((r) => [r.inputs['tool'], r.execution_order]), [['before_0', 1], ['before_1', 2], ['before_2', 3], ['after_0', 4], ['after_1', 5], ['after_2', 6]]);
  });

  it('shutdown ends what the application left open: begin* events and nodes as failed, runs as cancelled, with one warning', async () => {
    const warnings: string[] = [];
    const agentspan = await startAgentspan(
      { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, spoolDir: false, flushOnExit: false, registerGlobal: false, logger: { warn: (m) => warnings.push(m) } },
      {},
    );
    const run = agentspan.startRun({ runId: 'run-left-open' });
    const step = run.startNode('step_open');
    step.beginToolCall({ agent: 'a', tool: 'still_running' });
    step.beginCodeExecution({ agent: 'a', code: 'while True: pass', language: 'python' });
    step.beginToolCall({ agent: 'a', tool: 'finished' }).end({ result: 'ok' });
    await agentspan.shutdown();
    const events = await rows('run-left-open');
    const byName = new Map(events.map((r) => [String(r.inputs['tool'] ?? r.event_type), r]));
    for (const name of ['still_running', 'code_exec']) {
      assert.equal(byName.get(name)?.status, 'failed', name);
      assert.match(String(byName.get(name)?.error_message), /shut down before this ended/, name);
    }
    assert.equal(byName.get('finished')?.status, 'completed');
    const node = await db.pool.query(`SELECT status FROM "${db.schema}".dag_nodes WHERE run_id = 'run-left-open'`);
    assert.deepEqual(node.rows.map((r) => r.status), ['failed']);
    const runRow = await db.pool.query(`SELECT status FROM "${db.schema}".workflow_runs WHERE id = 'run-left-open'`);
    assert.deepEqual(runRow.rows.map((r) => r.status), ['cancelled']);
    assert.equal(warnings.filter((w) => /4 event\(s\), node\(s\) or run\(s\) were still open at shutdown/.test(w)).length, 1, warnings.join('\n'));
  });

  it('a malformed AGENTSPAN_RUN_REFERENCE is ignored with one warning, never thrown', async () => {
    const warnings: string[] = [];
    const agentspan = await startAgentspan(
      { otlpEndpoint: false, flushOnExit: false, registerGlobal: false, logger: { warn: (m) => warnings.push(m) } },
      { AGENTSPAN_RUN_REFERENCE: '{"runId": 42' },
    );
    assert.equal(agentspan.attachFromEnv(), undefined);
    assert.equal(agentspan.attachFromEnv(), undefined);
    assert.equal(warnings.filter((w) => w.includes('AGENTSPAN_RUN_REFERENCE')).length, 1);
    for (const bad of ['[]', '{"runId":"r"}', '{"runId":"r","traceparent":"00-zz"}', 'null']) {
      assert.equal(parseRunReference(bad), undefined, bad);
    }
    await agentspan.shutdown();
  });
});
