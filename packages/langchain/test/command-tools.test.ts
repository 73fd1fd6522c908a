import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import type { Serialized } from '@langchain/core/load/serializable';
import { Annotation, Command, END, MessagesAnnotation, START, Send, StateGraph, getCurrentTaskInput } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AgentspanCallbackHandler } from '../src/index.js';
import { toolOutput } from '../src/tool-output.js';
import { eventRows, startHarness, type EventRow } from './helpers.js';

/**
 * Tools that return a LangGraph `Command` (the standard way for a tool to
 * update graph state): the row's `outputs.result` is the content of the
 * `ToolMessage` the command carries for that tool call, not the serialised
 * command; the rest of the command is in `meta.command_*`.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('langchain_command');
});
after(async () => {
  await db.drop();
});

function toolCalls(calls: { id: string; name: string; args: Record<string, unknown> }[]): AIMessage {
  return new AIMessage({ content: '', tool_calls: calls.map((c) => ({ ...c, type: 'tool_call' as const })) });
}

/** Nothing of LangChain's or LangGraph's serialisation envelopes in a row. */
function assertNoEnvelope(row: EventRow | undefined): void {
  const text = JSON.stringify([row?.outputs, row?.meta]);
  assert.doesNotMatch(text, /"lc":1|"lg_name"|"constructor"|langchain_core/, text);
}

const toolSerialized = { lc: 1, type: 'not_implemented', id: ['langchain', 'tools', 'DynamicStructuredTool'] } as unknown as Serialized;

test('a ReAct agent\'s tools returning Commands: outputs.result is the ToolMessage content, status error fails the row, other update keys in meta', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const setUser = tool(
    async ({ name }, config) =>
      new Command({
        update: {
          messages: [new ToolMessage({ content: `user set to ${name}`, tool_call_id: String(config.toolCall?.id), name: 'set_user' })],
          user_name: name,
        },
      }),
    { name: 'set_user', description: 'remember the user', schema: z.object({ name: z.string() }) },
  );
  const quota = tool(
    async (_args, config) =>
      new Command({
        update: {
          messages: [new ToolMessage({ content: 'quota exceeded', tool_call_id: String(config.toolCall?.id), status: 'error', name: 'quota' })],
        },
      }),
    { name: 'quota', description: 'check the quota', schema: z.object({}) },
  );
  // The update as [key, value] pairs, the ToolMessage's content JSON text.
  const tally = tool(
    async (_args, config) =>
      new Command({ update: [['messages', [new ToolMessage({ content: '{"hits":2}', tool_call_id: String(config.toolCall?.id), name: 'tally' })]]] }),
    { name: 'tally', description: 'count', schema: z.object({}) },
  );
  const State = Annotation.Root({ ...MessagesAnnotation.spec, user_name: Annotation<string> });
  const agent = createReactAgent({
    llm: fakeModel()
      .respond(
        toolCalls([
          { id: 'c_user', name: 'set_user', args: { name: 'Ada' } },
          { id: 'c_quota', name: 'quota', args: {} },
          { id: 'c_tally', name: 'tally', args: {} },
        ]),
      )
      .respond(new AIMessage('done')),
    tools: [setUser, quota, tally],
    stateSchema: State,
    name: 'stateful',
  });
  const run = agentspan.startRun({ runId: 'lc-cmd-react' });
  const out = await agent.invoke({ messages: [new HumanMessage('set me up')] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  assert.equal(out.user_name, 'Ada', 'the Command updated the graph state');
  run.end();
  await agentspan.shutdown();

  const rows = (await eventRows(db, 'lc-cmd-react')).filter((r) => r.event_type === 'tool_call');
  const byTool = new Map(rows.map((r) => [r.inputs['tool'], r]));
  assert.equal(rows.length, 3);

  const user = byTool.get('set_user');
  assert.equal(user?.status, 'completed');
  assert.equal(user?.outputs['result'], 'user set to Ada');
  assert.equal(user?.inputs['tool_call_id'], 'c_user');
  assert.deepEqual(user?.meta['command_update_keys'], ['messages', 'user_name']);
  assert.deepEqual(user?.meta['command_update'], { user_name: 'Ada' });
  assert.equal(user?.meta['command_messages'], 1);
  assert.equal(user?.meta['command_goto'], undefined);
  assertNoEnvelope(user);

  const failed = byTool.get('quota');
  assert.equal(failed?.status, 'failed', 'a ToolMessage with status error in the Command fails the row');
  assert.equal(failed?.error_message, 'quota exceeded');
  assert.equal(failed?.outputs['result'], 'quota exceeded');
  assert.deepEqual(failed?.meta['command_update_keys'], ['messages']);
  assert.equal(failed?.meta['command_update'], undefined);
  assertNoEnvelope(failed);

  const counted = byTool.get('tally');
  assert.equal(counted?.status, 'completed');
  assert.deepEqual(counted?.outputs['result'], { hits: 2 }, 'JSON text content is parsed, as for a bare ToolMessage');
  assert.deepEqual(counted?.meta['command_update_keys'], ['messages']);
  assertNoEnvelope(counted);
});

test('a handoff tool (Command.PARENT, goto, the whole conversation in the update): result is its ToolMessage, routing in meta, the conversation not stored again', async () => {
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
  const run = agentspan.startRun({ runId: 'lc-cmd-handoff' });
  const out = await swarm.invoke({ messages: [new HumanMessage('a secretive first question')] }, { callbacks: [new AgentspanCallbackHandler({ run })] });
  assert.equal(out.messages.at(-1)?.content, 'coded it');
  run.end();
  await agentspan.shutdown();

  const row = (await eventRows(db, 'lc-cmd-handoff')).find((r) => r.inputs['tool'] === 'transfer_to_coder');
  assert.equal(row?.status, 'completed');
  assert.equal(row?.outputs['result'], 'Transferred to coder');
  assert.deepEqual(row?.meta['command_goto'], ['coder']);
  assert.equal(row?.meta['command_graph'], '__parent__');
  assert.deepEqual(row?.meta['command_update_keys'], ['messages']);
  assert.equal(row?.meta['command_messages'], 3, 'the human message, the tool-calling turn and the ToolMessage');
  assert.doesNotMatch(JSON.stringify([row?.outputs, row?.meta]), /secretive first question/, 'the conversation is not copied into the tool row');
  assertNoEnvelope(row);
});

test('Commands outside a tool call, without a ToolMessage, and in serialised forms: content when there is a ToolMessage for the call, the readable update otherwise', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const run = agentspan.startRun({ runId: 'lc-cmd-forms' });
  const handler = new AgentspanCallbackHandler({ node: run.startNode('n') });

  // Called directly: no tool call id, so every tool message of the command is this call's.
  const direct = tool(async () => new Command({ update: { messages: [new ToolMessage({ content: 'direct ok', tool_call_id: 'elsewhere' })] } }), {
    name: 'direct',
    description: 'x',
    schema: z.object({}),
  });
  await direct.invoke({}, { callbacks: [handler] });
  // No ToolMessage: the update, readable, and where it routes.
  const router = tool(
    async () => new Command({ update: { counter: 1, messages: [new AIMessage('a note')] }, goto: [new Send('worker', { job: 1 }), 'audit'] }),
    { name: 'router', description: 'x', schema: z.object({}) },
  );
  await router.invoke({}, { callbacks: [handler] });
  // Serialised forms reaching the handler: Command.toJSON() through JSON (messages as { lc: 1, type: 'constructor', ... }),
  // two calls' ToolMessages in one command (only this call's counts), and message-like objects.
  const both = new Command({
    update: {
      messages: [
        new ToolMessage({ content: 'not mine', tool_call_id: 'other', status: 'error' }),
        new ToolMessage({ content: 'mine failed', tool_call_id: 's1', status: 'error' }),
      ],
    },
  });
  handler.handleToolStart(toolSerialized, '{}', 'run-s1', undefined, undefined, undefined, 'serialised', 's1');
  handler.handleToolEnd(JSON.parse(JSON.stringify(both)), 'run-s1');
  handler.handleToolStart(toolSerialized, '{}', 'run-s2', undefined, undefined, undefined, 'plain', 's2');
  handler.handleToolEnd(
    { lg_name: 'Command', update: [['messages', [{ role: 'tool', content: [{ type: 'text', text: 'plain ok' }], tool_call_id: 's2' }]], ['n', 2]] },
    'run-s2',
  );
  handler.handleToolStart(toolSerialized, '{}', 'run-s3', undefined, undefined, undefined, 'other_call', 's3');
  handler.handleToolEnd(JSON.parse(JSON.stringify(both)), 'run-s3');
  assert.equal(handler.trackedRuns, 0);
  run.end();
  await agentspan.shutdown();

  const rows = new Map((await eventRows(db, 'lc-cmd-forms')).map((r) => [r.inputs['tool'], r]));
  assert.equal(rows.get('direct')?.outputs['result'], 'direct ok');
  assert.equal(rows.get('direct')?.status, 'completed');

  const routed = rows.get('router');
  assert.deepEqual(routed?.outputs['result'], { counter: 1, messages: [{ type: 'ai', content: 'a note' }] });
  assert.deepEqual(routed?.meta['command_goto'], ['worker', 'audit']);
  assert.deepEqual(routed?.meta['command_update_keys'], ['counter', 'messages']);
  assert.equal(routed?.meta['command_update'], undefined, 'the update is the result, not repeated');
  assertNoEnvelope(routed);

  const serialised = rows.get('serialised');
  assert.equal(serialised?.status, 'failed');
  assert.equal(serialised?.outputs['result'], 'mine failed');
  assert.equal(serialised?.error_message, 'mine failed');
  assert.equal(serialised?.meta['command_messages'], 2);
  assertNoEnvelope(serialised);

  const plain = rows.get('plain');
  assert.equal(plain?.status, 'completed');
  assert.equal(plain?.outputs['result'], 'plain ok');
  assert.deepEqual(plain?.meta['command_update'], [['n', 2]], 'pairs stay pairs');

  // A command with ToolMessages for other calls only: not this call's result, nor its failure.
  const other = rows.get('other_call');
  assert.equal(other?.status, 'completed');
  assert.deepEqual(other?.outputs['result'], {
    messages: [
      { type: 'tool', content: 'not mine', tool_call_id: 'other', status: 'error' },
      { type: 'tool', content: 'mine failed', tool_call_id: 's1', status: 'error' },
    ],
  });
  assertNoEnvelope(other);
});

// ---------------------------------------------------------------------------
// The recogniser, property-based
// ---------------------------------------------------------------------------

/** Outputs built to break a reader: throwing getters and proxies, cycles, `__proto__` keys, deep nesting. */
function hostile(): unknown[] {
  const throwing = new Proxy({}, {
    get: () => {
      throw new Error('get');
    },
    has: () => {
      throw new Error('has');
    },
    ownKeys: () => {
      throw new Error('ownKeys');
    },
    getPrototypeOf: () => {
      throw new Error('proto');
    },
  });
  const cyclic: Record<string, unknown> = { lg_name: 'Command' };
  cyclic['update'] = { messages: cyclic, loop: cyclic, list: [cyclic] };
  let deep: unknown = 'bottom';
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  const getter = Object.defineProperty({ lg_name: 'Command' }, 'update', {
    enumerable: true,
    get() {
      throw new Error('update getter');
    },
  });
  const messageGetter = {
    lg_name: 'Command',
    update: {
      messages: [
        Object.defineProperty({ type: 'tool', tool_call_id: 'x' }, 'content', {
          enumerable: true,
          get() {
            throw new Error('content getter');
          },
        }),
      ],
    },
  };
  return [
    throwing,
    { lg_name: 'Command', update: throwing, goto: throwing },
    { lg_name: 'Command', update: { messages: [throwing] } },
    cyclic,
    { lg_name: 'Command', update: deep },
    { lg_name: 'Command', update: { messages: [{ type: 'tool', content: deep, tool_call_id: 'x' }] } },
    getter,
    messageGetter,
    JSON.parse('{"lg_name":"Command","update":{"__proto__":{"polluted":1},"messages":[{"role":"__proto__","content":"x"},{"role":"constructor","content":"y"}]}}'),
    { lg_name: 'Command', update: { messages: { __overwrite__: [{ type: 'tool', content: 'over', tool_call_id: 'x' }] } } },
    { lg_name: 'Command', update: { messages: new Array(100_000).fill({ type: 'tool', content: 'many', tool_call_id: 'x' }) } },
    { lg_name: 'Command', update: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, { v: [i] }])) },
    { lg_name: 'Command', update: [['messages']], goto: [null, 1, {}, { node: 7 }, 'ok'] },
    { lc: 1, type: 'constructor', id: null, kwargs: null },
    { lg_name: 'Command', update: { messages: [{ lc: 1, type: 'constructor', id: [{}], kwargs: {} }, { lc: 1, type: 'constructor', id: ['ToolMessage'], kwargs: 'x' }] } },
    Object.create(null),
    Symbol('s'),
    () => 1,
    10n,
  ];
}

test('the recogniser never throws, whatever the output (generated and hostile shapes), and never leaks the prototype', () => {
  for (const output of hostile()) {
    for (const id of [undefined, 'x', '', 7 as unknown as string]) {
      const out = toolOutput(output, id);
      assert.equal(typeof out.failed, 'boolean');
      if (out.metadata) assert.doesNotThrow(() => JSON.stringify(out.metadata));
    }
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const over = toolOutput({ lg_name: 'Command', update: { messages: { __overwrite__: [{ type: 'tool', content: 'over', tool_call_id: 'x' }] } } }, 'x');
  assert.equal(over.result, 'over', 'an Overwrite of the messages is read through');
  const many = toolOutput({ lg_name: 'Command', update: { counter: 1, big: new Array(100_000).fill(0) } }, 'x');
  assert.ok(JSON.stringify(many.result).length < 100_000, 'the readable update is bounded');
  fc.assert(
    fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }), fc.option(fc.string(), { nil: undefined }), (value, id) => {
      for (const output of [value, { lg_name: 'Command', update: value, goto: value, resume: value }, { lg_name: 'Command', update: { messages: value } }, { lg_name: 'Command', update: [['messages', value]] }]) {
        const out = toolOutput(output, id);
        assert.equal(typeof out.failed, 'boolean');
      }
    }),
    { numRuns: 500 },
  );
});

test('hostile tool outputs through the handler: every tool row is still ended, none left open', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-')));
  const run = agentspan.startRun({ runId: 'lc-cmd-hostile' });
  const handler = new AgentspanCallbackHandler({ node: run.startNode('n') });
  const outputs = hostile();
  outputs.forEach((output, i) => {
    handler.handleToolStart(toolSerialized, '{}', `h${i}`, undefined, undefined, undefined, `hostile_${i}`, 'x');
    assert.doesNotThrow(() => handler.handleToolEnd(output, `h${i}`));
  });
  assert.equal(handler.trackedRuns, 0);
  handler.dispose();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-cmd-hostile');
  assert.equal(rows.length, outputs.length);
  assert.ok(rows.every((r) => r.status === 'completed'), JSON.stringify(rows.map((r) => [r.name, r.status, r.error_message])));
  assert.ok(rows.some((r) => r.outputs['result'] === 'over'), 'an Overwrite of the messages is read through');
});

type Form = 'live' | 'json' | 'role' | 'type';
interface GenMessage {
  tool: boolean;
  id: string;
  error: boolean;
  text: string;
  form: Form;
}

function build(m: GenMessage): unknown {
  if (!m.tool) return m.form === 'json' ? JSON.parse(JSON.stringify(new AIMessage(m.text))) : new HumanMessage(m.text);
  const status = m.error ? 'error' : 'success';
  switch (m.form) {
    case 'live':
      return new ToolMessage({ content: m.text, tool_call_id: m.id, status });
    case 'json':
      return JSON.parse(JSON.stringify(new ToolMessage({ content: m.text, tool_call_id: m.id, status })));
    case 'role':
      return { role: 'tool', content: m.text, tool_call_id: m.id, status };
    case 'type':
      return { type: 'tool', content: [{ type: 'text', text: m.text }], tool_call_id: m.id, status };
  }
}

test('the recogniser on generated Commands (live or serialised, object or pairs, messages in every form): this call\'s ToolMessage content, failed by its status', () => {
  const message = fc.record({
    tool: fc.boolean(),
    id: fc.constantFrom('a', 'b', 'c'),
    error: fc.boolean(),
    text: fc.string({ minLength: 1 }).map((s) => `r:${s}`),
    form: fc.constantFrom<Form>('live', 'json', 'role', 'type'),
  });
  const extra = fc.dictionary(fc.string().filter((k) => k !== 'messages'), fc.jsonValue(), { maxKeys: 3 });
  fc.assert(
    fc.property(
      fc.array(message, { maxLength: 6 }),
      extra,
      fc.boolean(),
      fc.constantFrom('live', 'json'),
      fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      fc.option(fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), { nil: undefined }),
      (messages, others, asPairs, commandForm, toolCallId, goto) => {
        const built = messages.map(build);
        const entries: [string, unknown][] = [['messages', built], ...Object.entries(others)];
        const update = asPairs ? entries : Object.fromEntries(entries);
        const command = new Command({ update, ...(goto ? { goto } : {}) });
        const output = commandForm === 'json' ? JSON.parse(JSON.stringify(command)) : command;
        const out = toolOutput(output, toolCallId);

        const mine = messages.filter((m) => m.tool && (toolCallId === undefined || m.id === toolCallId));
        const meta = out.metadata ?? {};
        assert.deepEqual(meta['command_update_keys'], [...new Set(Array.isArray(update) ? update.map(([k]) => k) : Object.keys(update))]);
        if (goto && goto.length > 0) assert.deepEqual(meta['command_goto'], goto);
        else assert.equal(meta['command_goto'], undefined);
        assert.doesNotMatch(JSON.stringify(out.result) ?? '', /"lc":1|langchain_core/);
        if (mine.length === 0) {
          assert.equal(out.failed, false);
          assert.equal(meta['command_update'], undefined);
          return;
        }
        const texts = mine.map((m) => m.text);
        assert.deepEqual(out.result, texts.length === 1 ? texts[0] : texts);
        assert.equal(out.failed, mine.some((m) => m.error));
        if (out.failed) assert.equal(out.error, mine.filter((m) => m.error).map((m) => m.text).join('\n'));
        assert.equal(meta['command_messages'], messages.length);
        if (Object.keys(others).length > 0) {
          const rest = asPairs ? Object.entries(others) : Object.fromEntries(Object.entries(others));
          // The serialised form went through JSON, which writes -0 as 0; the row is JSON too, so compare as JSON.
          assert.deepEqual(asJson(meta['command_update']), asJson(rest));
        } else assert.equal(meta['command_update'], undefined);
      },
    ),
    {
      numRuns: 300,
      // Found by CI (seed -1622401768): a -0 in the update, lost by the test's own JSON round trip.
      examples: [[[{ tool: true, id: 'a', error: false, text: 'r: ', form: 'live' }], { '': [-0] }, false, 'json', undefined, undefined]],
    },
  );
});

function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
