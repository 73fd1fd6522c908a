import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Agent,
  Runner,
  Usage,
  addTraceProcessor,
  run as runAgent,
  setTraceProcessors,
  setTracingDisabled,
  withGenerationSpan,
  type Model,
  type ModelResponse,
} from '@openai/agents-core';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AgentspanTracingProcessor } from '../src/index.js';
import { eventRows, startHarness } from './helpers.js';

/**
 * The SDK's trace processors are process-wide: every processor sees every
 * trace. Two requests served at once, each with its own agentspan run, must
 * each find only their own agent's rows, with the status the SDK reported.
 * Driven by the real runner and an offline model that answers after a delay,
 * so the two SDK runs overlap.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('openai_agents_concurrent');
  setTracingDisabled(false); // the SDK turns tracing off when NODE_ENV=test
});
after(async () => {
  setTraceProcessors([]);
  await db.drop();
});
beforeEach(() => setTraceProcessors([]));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A model that says `text` after `delayMs`, reported in a `generation` span as the SDK's Chat Completions model does. */
class SlowModel implements Model {
  constructor(
    private readonly text: string,
    private readonly delayMs: number,
  ) {}
  async getResponse(): Promise<ModelResponse> {
    return withGenerationSpan(async (span) => {
      await sleep(this.delayMs);
      span.spanData.output = [{ choices: [{ message: { role: 'assistant', content: this.text } }] }];
      return {
        usage: new Usage({ requests: 1, inputTokens: 5, outputTokens: 3, totalTokens: 8 }),
        output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: this.text }] }],
        responseId: this.text,
      };
    });
  }
  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('streaming is not scripted');
  }
}

function agentAnswering(id: string, delayMs: number): Agent {
  return new Agent({ name: `agent_${id}`, model: new SlowModel(`answer of ${id}`, delayMs) });
}

/** [run_id, node_id, agent, status, content] of every event of the two runs. */
async function rowsOf(...runIds: string[]): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const id of runIds) {
    for (const r of await eventRows(db, id)) out.push([r.run_id, r.node_id, r.agent_name, r.status, r.inputs['content'] ?? null]);
  }
  return out;
}

test('one processor with neither run nor node: each SDK run lands in the agentspan run active where it started', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const processor = new AgentspanTracingProcessor();
  setTraceProcessors([processor]);
  const serve = async (id: string, delayMs: number) => {
    const run = agentspan.startRun({ runId: `amb-${id}` });
    await run.with(() => runAgent(agentAnswering(id, delayMs), 'hi'));
    run.end();
  };
  // r1 starts first and finishes last: its whole SDK run spans r2's.
  await Promise.all([serve('r1', 80), (async () => (await sleep(10), serve('r2', 10)))()]);
  // Outside any run's with(): not recorded here, counted.
  await runAgent(agentAnswering('stray', 0), 'hi');
  await agentspan.shutdown();

  assert.deepEqual(await rowsOf('amb-r1', 'amb-r2'), [
    ['amb-r1', 'agent_r1', 'agent_r1', 'completed', 'answer of r1'],
    ['amb-r2', 'agent_r2', 'agent_r2', 'completed', 'answer of r2'],
  ]);
  const nodes = await db.pool.query("SELECT run_id, node_id, status FROM dag_nodes WHERE run_id LIKE 'amb-%' ORDER BY run_id");
  assert.deepEqual(nodes.rows, [
    { run_id: 'amb-r1', node_id: 'agent_r1', status: 'completed' },
    { run_id: 'amb-r2', node_id: 'agent_r2', status: 'completed' },
  ]);
  const stray = await db.pool.query("SELECT count(*)::int AS n FROM execution_events WHERE agent_name = 'agent_stray'");
  assert.equal(stray.rows[0].n, 0);
  assert.equal(processor.skippedTraces, 1);
  assert.equal(processor.openSpans, 0);
});

test('two SDK runs sharing a trace id (one per conversation) at once: each in its own run, neither ended by the other', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const processor = new AgentspanTracingProcessor();
  setTraceProcessors([processor]);
  const traceId = 'trace_' + '0123456789abcdef0123456789abcdef';
  const serve = async (id: string, delayMs: number) => {
    const run = agentspan.startRun({ runId: `shared-${id}` });
    await run.with(() => new Runner({ traceId }).run(agentAnswering(id, delayMs), 'hi'));
    run.end();
  };
  // r2 starts after r1 and ends first: its trace's end must not end r1's open turn.
  await Promise.all([serve('r1', 80), (async () => (await sleep(10), serve('r2', 10)))()]);
  await agentspan.shutdown();
  assert.deepEqual(await rowsOf('shared-r1', 'shared-r2'), [
    ['shared-r1', 'agent_r1', 'agent_r1', 'completed', 'answer of r1'],
    ['shared-r2', 'agent_r2', 'agent_r2', 'completed', 'answer of r2'],
  ]);
  assert.equal(processor.openSpans, 0);
});

test("with neither, a node's with() puts every event of the SDK run in that node (no node per agent)", async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  setTraceProcessors([new AgentspanTracingProcessor()]);
  const run = agentspan.startRun({ runId: 'amb-node' });
  const step = run.startNode('support');
  await step.with(() => runAgent(agentAnswering('n', 0), 'hi'));
  step.end();
  run.end();
  await agentspan.shutdown();
  assert.deepEqual(await rowsOf('amb-node'), [['amb-node', 'support', 'agent_n', 'completed', 'answer of n']]);
});

test('a processor per request ({ run }, added): a trace started within the other run is left to it, nothing is stored twice', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const processors: AgentspanTracingProcessor[] = [];
  const serve = async (id: string, delayMs: number) => {
    const run = agentspan.startRun({ runId: `add-${id}` });
    const processor = new AgentspanTracingProcessor({ run });
    processors.push(processor);
    addTraceProcessor(processor);
    await run.with(() => runAgent(agentAnswering(id, delayMs), 'hi'));
    run.end();
  };
  await Promise.all([serve('r1', 80), (async () => (await sleep(10), serve('r2', 10)))()]);
  await agentspan.shutdown();

  assert.deepEqual(await rowsOf('add-r1', 'add-r2'), [
    ['add-r1', 'agent_r1', 'agent_r1', 'completed', 'answer of r1'],
    ['add-r2', 'agent_r2', 'agent_r2', 'completed', 'answer of r2'],
  ]);
  // Each saw the other's trace and left it (r2's, added while r1's trace ran, at its first span it saw end).
  assert.deepEqual(
    processors.map((p) => p.skippedTraces),
    [1, 1],
  );
  assert.deepEqual(
    processors.map((p) => p.openSpans),
    [0, 0],
  );
});

test('with { run } and no agentspan run active where the SDK run starts, the trace is recorded there (as before)', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const run = agentspan.startRun({ runId: 'fixed-no-with' });
  const processor = new AgentspanTracingProcessor({ run });
  setTraceProcessors([processor]);
  await runAgent(agentAnswering('f', 0), 'hi');
  // Within another run's with(), the configured run does not take it.
  const other = agentspan.startRun({ runId: 'fixed-other' });
  await other.with(() => runAgent(agentAnswering('o', 0), 'hi'));
  other.end();
  run.end();
  await agentspan.shutdown();
  assert.deepEqual(await rowsOf('fixed-no-with', 'fixed-other'), [['fixed-no-with', 'agent_f', 'agent_f', 'completed', 'answer of f']]);
  assert.equal(processor.skippedTraces, 1);
});
