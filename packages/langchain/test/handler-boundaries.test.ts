import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import type { Serialized } from '@langchain/core/load/serializable';
import type { LLMResult } from '@langchain/core/outputs';
import { z } from 'zod';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { Attr } from '@agentspan/semconv';
import { AgentspanCallbackHandler } from '../src/index.js';

/**
 * The handler outside LangGraph (a chat model and a tool called directly),
 * and the paths real runs rarely take: agent actions, runs LangChain never
 * ends, odd inputs. Spans are checked in memory.
 */

function setup() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new ExecutionEventSpanProcessor(), new SimpleSpanProcessor(memory)] });
  const run = createRecorder({ tracerProvider: provider }).startRun({ runId: 'r' });
  const node = run.startNode('n');
  const events = () =>
    memory
      .getFinishedSpans()
      .filter((s) => s.attributes[Attr.ATTR_NODE_ID] === 'n' && s.attributes[Attr.ATTR_EVENT_TYPE] !== 'node')
      .map((s) => ({ type: s.attributes[Attr.ATTR_EVENT_TYPE], agent: s.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], span: s }));
  return { memory, run, node, events };
}

const executor = { lc: 1, type: 'not_implemented', id: ['langchain', 'agents', 'AgentExecutor'] } as unknown as Serialized;
const chatModel = { lc: 1, type: 'not_implemented', id: ['langchain', 'chat_models', 'FakeChat'] } as unknown as Serialized;

function llmResult(text: string): LLMResult {
  return { generations: [[{ text, message: new AIMessage(text) } as never]] };
}

test('a chat model and a tool called directly: the agent option names them', async () => {
  const { node, events } = setup();
  const handler = new AgentspanCallbackHandler({ node, agent: 'solo' });
  const model = fakeModel().respond(new AIMessage({ content: 'Use the clock.', usage_metadata: { input_tokens: 9, output_tokens: 3, total_tokens: 12 } }));
  await model.invoke([new HumanMessage('time?')], { callbacks: [handler] });
  const clock = tool(async () => '12:00', { name: 'clock', description: 'time', schema: z.object({}) });
  await clock.invoke({}, { callbacks: [handler] });
  const got = events();
  assert.deepEqual(got.map((e) => [e.type, e.agent]), [
    ['agent_call', 'solo'],
    ['tool_call', 'solo'],
  ]);
  assert.equal(got[0]?.span.attributes[Attr.ATTR_MESSAGE_CONTENT], 'Use the clock.');
  const meta = JSON.parse(String(got[0]?.span.attributes[Attr.ATTR_USER_META]));
  assert.equal(meta.input_tokens, 9);
  assert.equal(meta.output_tokens, 3);
  assert.equal(got[1]?.span.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '12:00');
});

test('agent actions are messages only when no model turn under that agent said it already', () => {
  const { node, events } = setup();
  const handler = new AgentspanCallbackHandler({ node });
  // An AgentExecutor whose model calls are traced: the turn is the message, the action repeats it.
  handler.handleChainStart(executor, {}, 'exec-1', undefined, [], {}, 'chain', 'support_agent');
  handler.handleChatModelStart(chatModel, [[]], 'llm-1', 'exec-1', {}, [], {}, 'FakeChat');
  handler.handleLLMEnd(llmResult('I should look up the order'), 'llm-1');
  handler.handleAgentAction({ tool: 'lookup', toolInput: { id: 1 }, log: 'I should look up the order' }, 'exec-1');
  // One whose model calls are not traced: the action is the only trace of the message.
  handler.handleAgentAction({ tool: 'lookup', toolInput: { id: 2 }, log: 'Looking up order 2' }, 'exec-1');
  handler.handleAgentEnd({ returnValues: { output: 'Order 2 shipped' }, log: '' }, 'exec-1');
  handler.handleChainEnd({}, 'exec-1');
  const got = events().map((e) => [e.type, e.agent, e.span.attributes[Attr.ATTR_MESSAGE_CONTENT]]);
  assert.deepEqual(got, [
    ['agent_call', 'support_agent', 'I should look up the order'],
    ['agent_call', 'support_agent', 'Looking up order 2'],
    ['agent_call', 'support_agent', 'Order 2 shipped'],
  ]);
  assert.equal(handler.trackedRuns, 0);
});

test('runs LangChain never ends: bounded, and ended as failed when evicted or disposed', () => {
  const { node, events } = setup();
  const handler = new AgentspanCallbackHandler({ node, maxTrackedRuns: 5 });
  for (let i = 0; i < 12; i++) handler.handleChatModelStart(chatModel, [[]], `llm-${i}`, undefined, {}, [], {}, 'FakeChat');
  assert.equal(handler.trackedRuns, 5);
  assert.equal(events().length, 7);
  handler.dispose();
  assert.equal(handler.trackedRuns, 0);
  const all = events();
  assert.equal(all.length, 12);
  assert.ok(all.every((e) => e.span.status.code === 2 && String(e.span.attributes[Attr.ATTR_ERROR_MESSAGE]).includes('not ended')));
});

test('odd inputs never throw into LangChain, and the handler is never copied', () => {
  const { node, events } = setup();
  const handler = new AgentspanCallbackHandler({ node });
  assert.equal(handler.copy(), handler);
  assert.equal(handler.awaitHandlers, true);
  handler.handleToolStart(null as unknown as Serialized, '{broken json', 't1', undefined, undefined, undefined, undefined, undefined);
  handler.handleToolEnd({ content: [{ type: 'text', text: 'bad' }], tool_call_id: 'x', status: 'error' }, 't1');
  handler.handleToolEnd('late', 'never-started');
  handler.handleLLMEnd({ generations: 'nope' } as unknown as LLMResult, 'never-started');
  handler.handleChatModelStart(chatModel, [[]], 'm1', undefined, {}, [], {}, 'FakeChat');
  handler.handleLLMEnd({ generations: [[null]] } as unknown as LLMResult, 'm1');
  handler.handleChainError(new Error('x'), 'unknown-chain');
  handler.handleAgentAction(undefined as never, 'nowhere');
  const got = events();
  assert.equal(got[0]?.type, 'tool_call');
  assert.equal(got[0]?.span.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], '"{broken json"');
  assert.equal(got[0]?.span.status.code, 2, 'a ToolMessage with status error fails the row');
  assert.equal(got[1]?.type, 'agent_call');
  assert.throws(() => new AgentspanCallbackHandler({} as never), /node.*run/);
});

test('a code-running tool without code in its arguments stays a tool_call; isCodeTool can be replaced', async () => {
  const { node, events } = setup();
  const handler = new AgentspanCallbackHandler({ node, isCodeTool: (name) => name === 'calc' });
  const calc = tool(async ({ expr }) => String(eval(expr)), { name: 'calc', description: 'calc', schema: z.object({ expr: z.string() }) });
  const python = tool(async () => 'ok', { name: 'run_python', description: 'py', schema: z.object({ code: z.string() }) });
  await calc.invoke({ expr: '1+1' }, { callbacks: [handler] });
  await python.invoke({ code: 'print(1)' }, { callbacks: [handler] });
  assert.deepEqual(events().map((e) => e.type), ['tool_call', 'tool_call']);
  const withDefault = new AgentspanCallbackHandler({ node });
  await python.invoke({ code: 'import os\nprint(1)' }, { callbacks: [withDefault] });
  const code = events()[2]?.span;
  assert.equal(code?.attributes[Attr.ATTR_EVENT_TYPE], 'code_exec');
  assert.equal(code?.attributes[Attr.ATTR_CODE_LANGUAGE], 'python');
  assert.deepEqual(code?.attributes[Attr.ATTR_CODE_IMPORTS], ['os']);
});
