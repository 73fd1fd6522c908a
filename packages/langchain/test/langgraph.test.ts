import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { Annotation, Command, END, MemorySaver, MessagesAnnotation, START, Send, StateGraph, getCurrentTaskInput, interrupt } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AgentspanCallbackHandler } from '../src/index.js';
import { eventRows, startHarness } from './helpers.js';

/**
 * A LangGraph team of two prebuilt ReAct agents (a researcher with a search
 * tool and a failing fetch tool, a coder with a JavaScript-running tool),
 * driven by `@langchain/core`'s fake chat model; the tools are real.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('langchain_graph');
});
after(async () => {
  await db.drop();
});

function toolCalls(calls: { id: string; name: string; args: Record<string, unknown> }[]): AIMessage {
  return new AIMessage({ content: '', tool_calls: calls.map((c) => ({ ...c, type: 'tool_call' as const })) });
}

function team() {
  const search = tool(async ({ query }) => JSON.stringify({ hits: [`${query}: OpenTelemetry GenAI conventions`] }), {
    name: 'search',
    description: 'search the web',
    schema: z.object({ query: z.string() }),
  });
  const fetchPage = tool(
    async () => {
      throw new Error('503 from upstream');
    },
    { name: 'fetch_page', description: 'fetch a page', schema: z.object({ url: z.string() }) },
  );
  const runJavascript = tool(async ({ code }) => String(runInNewContext(code, {}, { timeout: 1000 })), {
    name: 'run_javascript',
    description: 'run JavaScript and return the value of its last expression',
    schema: z.object({ code: z.string() }),
  });
  const researcherModel = fakeModel()
    .respond(
      toolCalls([
        { id: 'call_1', name: 'search', args: { query: 'genai' } },
        { id: 'call_2', name: 'fetch_page', args: { url: 'https://example.com' } },
      ]),
    )
    .respond(new AIMessage('GenAI conventions define invoke_agent and execute_tool.'));
  const coderModel = fakeModel()
    .respond(toolCalls([{ id: 'call_3', name: 'run_javascript', args: { code: '[1, 1, 2, 3, 5].reduce((a, b) => a + b)' } }]))
    .respond(new AIMessage('The sum is 12.'));
  const researcher = createReactAgent({ llm: researcherModel, tools: [search, fetchPage], name: 'researcher' });
  const coder = createReactAgent({ llm: coderModel, tools: [runJavascript], name: 'coder' });
  return new StateGraph(MessagesAnnotation)
    .addNode('research', researcher)
    .addNode('code', coder)
    .addEdge(START, 'research')
    .addEdge('research', 'code')
    .addEdge('code', END)
    .compile({ name: 'team' });
}

test('with { node }: model turns, tools (one failing) and a code-running tool as rows, named after the agents', async () => {
  const { agentspan, memory } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const run = agentspan.startRun({ runId: 'lc-node-run', task: 'research then compute' });
  const step = run.startNode('team');
  const handler = new AgentspanCallbackHandler({ node: step });
  const out = await team().invoke({ messages: [new HumanMessage('Research GenAI, then add the first five Fibonacci numbers')] }, { callbacks: [handler] });
  assert.equal(out.messages.at(-1)?.content, 'The sum is 12.');
  step.end();
  run.end();
  await agentspan.forceFlush();
  const spans = memory.getFinishedSpans();
  await agentspan.shutdown();

  const rows = await eventRows(db, 'lc-node-run');
  assert.deepEqual(
    rows.map((r) => [r.event_type, r.agent_name, r.node_id, r.inputs['tool'] ?? r.inputs['language'] ?? null]),
    [
      ['agent_call', 'researcher', 'team', null],
      ['tool_call', 'researcher', 'team', 'search'],
      ['tool_call', 'researcher', 'team', 'fetch_page'],
      ['agent_call', 'researcher', 'team', null],
      ['agent_call', 'coder', 'team', null],
      ['code_exec', 'coder', 'team', 'javascript'],
      ['agent_call', 'coder', 'team', null],
    ],
  );
  assert.ok(rows.every((r, i) => i === 0 || (r.execution_order ?? 0) > (rows[i - 1]?.execution_order ?? 0)));
  const [turn1, searchRow, fetchRow, turn2, , codeRow, lastTurn] = rows;
  assert.equal(turn1?.meta['has_tool_calls'], true);
  assert.deepEqual(turn1?.meta['tool_calls'], [
    { id: 'call_1', name: 'search', arguments: { query: 'genai' } },
    { id: 'call_2', name: 'fetch_page', arguments: { url: 'https://example.com' } },
  ]);
  assert.equal(turn1?.meta['langgraph_node'], 'agent');
  assert.deepEqual(searchRow?.inputs['args'], { query: 'genai' });
  assert.equal(searchRow?.inputs['tool_call_id'], 'call_1');
  assert.deepEqual(searchRow?.outputs['result'], { hits: ['genai: OpenTelemetry GenAI conventions'] });
  assert.equal(fetchRow?.status, 'failed');
  assert.match(fetchRow?.error_message ?? '', /503 from upstream/);
  assert.equal(turn2?.inputs['content'], 'GenAI conventions define invoke_agent and execute_tool.');
  assert.equal(codeRow?.inputs['code'], '[1, 1, 2, 3, 5].reduce((a, b) => a + b)');
  assert.equal(codeRow?.outputs['result'], '12');
  assert.equal(codeRow?.meta['tool'], 'run_javascript');
  assert.equal(lastTurn?.inputs['content'], 'The sum is 12.');
  // The span tree: every event is a child of the node span, which is a child of the run span.
  const nodeSpan = spans.find((s) => s.name === 'node team');
  assert.ok(rows.every((r) => r.parent_span_id === nodeSpan?.spanContext().spanId));
  assert.equal(nodeSpan?.parentSpanContext?.spanId, spans.find((s) => s.name.startsWith('invoke_workflow'))?.spanContext().spanId);
  assert.equal(handler.trackedRuns, 0, 'every LangChain run ended and was forgotten');
});

test('with { run }: the outer graph steps become nodes named after the graph nodes', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const run = agentspan.startRun({ runId: 'lc-run-run' });
  await team().invoke({ messages: [new HumanMessage('go')] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  run.end();
  await agentspan.shutdown();
  const nodes = await db.pool.query(
    "SELECT node_id, node_type, agent, status, order_index FROM dag_nodes WHERE run_id = 'lc-run-run' ORDER BY order_index",
  );
  assert.deepEqual(nodes.rows, [
    { node_id: 'research', node_type: 'langgraph_node', agent: 'research', status: 'completed', order_index: 0 },
    { node_id: 'code', node_type: 'langgraph_node', agent: 'code', status: 'completed', order_index: 1 },
  ]);
  const rows = await eventRows(db, 'lc-run-run');
  assert.deepEqual(
    rows.map((r) => [r.node_id, r.event_type, r.agent_name]),
    [
      ['research', 'agent_call', 'researcher'],
      ['research', 'tool_call', 'researcher'],
      ['research', 'tool_call', 'researcher'],
      ['research', 'agent_call', 'researcher'],
      ['code', 'agent_call', 'coder'],
      ['code', 'code_exec', 'coder'],
      ['code', 'agent_call', 'coder'],
    ],
  );
});

test("a handoff (Command.PARENT) and an interrupt() leave their graph nodes completed, not failed: they are LangGraph's control flow", async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const transfer = tool(
    async (_args, config) => {
      const state = getCurrentTaskInput() as { messages: unknown[] };
      const done = new ToolMessage({ content: 'Transferred to coder', tool_call_id: String(config.toolCall?.id), name: 'transfer_to_coder' });
      return new Command({ goto: 'coder', graph: Command.PARENT, update: { messages: [...state.messages, done] } });
    },
    { name: 'transfer_to_coder', description: 'hand off to the coder', schema: z.object({}) },
  );
  const researcher = createReactAgent({ llm: fakeModel().respond(toolCalls([{ id: 'h1', name: 'transfer_to_coder', args: {} }])), tools: [transfer], name: 'researcher' });
  const coder = createReactAgent({ llm: fakeModel().respond(new AIMessage('coded it')), tools: [], name: 'coder' });
  const swarm = new StateGraph(MessagesAnnotation)
    .addNode('researcher', researcher, { ends: ['coder'] })
    .addNode('coder', coder)
    .addEdge(START, 'researcher')
    .addEdge('coder', END)
    .compile({ name: 'swarm' });
  const run = agentspan.startRun({ runId: 'lc-handoff' });
  const out = await swarm.invoke({ messages: [new HumanMessage('go')] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  assert.equal(out.messages.at(-1)?.content, 'coded it');

  const approval = new StateGraph(MessagesAnnotation)
    .addNode('approve', () => ({ messages: [new HumanMessage(String(interrupt('approve?')))] }))
    .addEdge(START, 'approve')
    .addEdge('approve', END)
    .compile({ checkpointer: new MemorySaver(), name: 'hitl' });
  await approval.invoke({ messages: [new HumanMessage('go')] }, { callbacks: [new AgentspanCallbackHandler({ run })], configurable: { thread_id: 't1' } });
  run.end();
  await agentspan.shutdown();
  const nodes = await db.pool.query<{ node_id: string; status: string; meta: Record<string, unknown> }>(
    `SELECT node_id, status, meta FROM dag_nodes WHERE run_id = 'lc-handoff' ORDER BY node_id`,
  );
  const byNode = new Map(nodes.rows.map((n) => [n.node_id, n]));
  assert.equal(byNode.get('researcher')?.status, 'completed');
  assert.equal(byNode.get('researcher')?.meta['langgraph'], 'ParentCommand');
  assert.equal(byNode.get('coder')?.status, 'completed');
  assert.equal(byNode.get('approve')?.status, 'completed');
  assert.equal(byNode.get('approve')?.meta['langgraph'], 'GraphInterrupt');
});

test('tool sequences: the branches of a Send fan-out (one graph node run twice at once) are two sequences; a ReAct agent\'s tools steps chain into one', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const pause = () => new Promise((r) => setTimeout(r, 5));
  const lookup = tool(
    async ({ topic }) => {
      await pause();
      return `notes on ${topic}`;
    },
    { name: 'fan_lookup', description: 'look a topic up', schema: z.object({ topic: z.string() }) },
  );
  const summarise = tool(
    async ({ text }) => {
      await pause();
      return text.slice(0, 10);
    },
    { name: 'fan_summarise', description: 'summarise', schema: z.object({ text: z.string() }) },
  );
  const Topics = Annotation.Root({ topics: Annotation<string[]>(), topic: Annotation<string>(), notes: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  const fanOut = new StateGraph(Topics)
    .addNode('worker', async (state: { topic: string }, config) => {
      const found = await lookup.invoke({ topic: state.topic }, config);
      const short = await summarise.invoke({ text: String(found) }, config);
      return { notes: [String(short)] };
    })
    .addConditionalEdges(START, (state: { topics: string[] }) => state.topics.map((topic) => new Send('worker', { topic })), ['worker'])
    .addEdge('worker', END)
    .compile({ name: 'fan' });
  const run = agentspan.startRun({ runId: 'lc-send-fanout' });
  const out = await fanOut.invoke({ topics: ['otel', 'genai'] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  assert.equal(out.notes.length, 2);

  const react = createReactAgent({
    llm: fakeModel()
      .respond(toolCalls([{ id: 'r1', name: 'react_search', args: { query: 'q' } }]))
      .respond(toolCalls([{ id: 'r2', name: 'react_read', args: { url: 'u' } }]))
      .respond(new AIMessage('done')),
    tools: [
      tool(async () => 'hits', { name: 'react_search', description: 'search', schema: z.object({ query: z.string() }) }),
      tool(async () => 'page', { name: 'react_read', description: 'read', schema: z.object({ url: z.string() }) }),
    ],
    name: 'looper',
  });
  await react.invoke({ messages: [new HumanMessage('go')] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  run.end();
  await agentspan.shutdown();

  const workers = await db.pool.query(`SELECT count(*)::int AS n FROM dag_nodes WHERE run_id = 'lc-send-fanout' AND node_id = 'worker'`);
  assert.equal(workers.rows[0].n, 2, 'one node instance per branch');
  const calls = await eventRows(db, 'lc-send-fanout');
  const fanCalls = calls.filter((r) => String(r.inputs['tool']).startsWith('fan_')).map((r) => r.inputs['tool']);
  assert.deepEqual(fanCalls, ['fan_lookup', 'fan_lookup', 'fan_summarise', 'fan_summarise'], 'the branches ran at the same time: their calls interleave');
  const tools = await db.pool.query(`SELECT count(*)::int AS n FROM dag_nodes WHERE run_id = 'lc-send-fanout' AND node_id = 'tools'`);
  assert.equal(tools.rows[0].n, 2, 'one instance per tools step of the ReAct loop');
  const grams = await db.pool.query<{ sequence: string; occurrences: number }>(
    `SELECT sequence, occurrences FROM agentspan_tool_sequences_last(NULL) WHERE sequence LIKE 'fan\\_%' OR sequence LIKE 'react\\_%' ORDER BY sequence`,
  );
  assert.deepEqual(grams.rows.map((g) => [g.sequence, g.occurrences]), [
    ['fan_lookup > fan_summarise', 2],
    ['react_search > react_read', 1],
  ]);
});
