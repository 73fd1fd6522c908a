import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Span, SpanData, Trace } from '@openai/agents-core';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { Attr } from '@agentspan/semconv';
import { AgentspanTracingProcessor, generationOutput, responseOutput } from '../src/index.js';

/**
 * The processor fed SDK-shaped spans directly: the paths a scripted run does
 * not take (Responses API spans, spans the SDK never ends, odd data).
 */

function setup() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new ExecutionEventSpanProcessor(), new SimpleSpanProcessor(memory)] });
  const run = createRecorder({ tracerProvider: provider }).startRun({ runId: 'r' });
  const node = run.startNode('n');
  return { memory, node, run, events: () => memory.getFinishedSpans().filter((s) => s.attributes[Attr.ATTR_NODE_ID] === 'n' && s.attributes[Attr.ATTR_EVENT_TYPE] !== 'node') };
}

let seq = 0;
function sdkSpan(data: Record<string, unknown>, parentId: string | null = null, extra: Partial<Record<string, unknown>> = {}): Span<SpanData> {
  seq += 1;
  return {
    spanId: `span_${seq}`,
    parentId,
    traceId: 'trace_1',
    spanData: data,
    startedAt: new Date(1_700_000_000_000 + seq).toISOString(),
    endedAt: new Date(1_700_000_000_500 + seq).toISOString(),
    error: null,
    ...extra,
  } as unknown as Span<SpanData>;
}

test('a response span (Responses API) inside a turn gives the turn its message, model and tool calls', async () => {
  const { node, events } = setup();
  const p = new AgentspanTracingProcessor({ node });
  const agent = sdkSpan({ type: 'agent', name: 'support' });
  const turn = sdkSpan({ type: 'turn', turn: 1, agent_name: 'support' }, agent.spanId);
  const response = sdkSpan(
    {
      type: 'response',
      response_id: 'resp_1',
      _response: {
        model: 'gpt-5-mini',
        usage: { input_tokens: 11, output_tokens: 4 },
        output: [
          { type: 'message', content: [{ type: 'output_text', text: 'Checking your order.' }] },
          { type: 'function_call', call_id: 'fc_1', name: 'get_order', arguments: '{"id":"A7"}' },
        ],
      },
    },
    turn.spanId,
  );
  for (const s of [agent, turn, response]) await p.onSpanStart(s);
  for (const s of [response, turn, agent]) await p.onSpanEnd(s);
  const [row] = events();
  assert.equal(row?.attributes[Attr.ATTR_EVENT_TYPE], 'agent_call');
  assert.equal(row?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], 'support');
  assert.equal(row?.attributes[Attr.ATTR_MESSAGE_CONTENT], 'Checking your order.');
  assert.equal(row?.attributes[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS], true);
  const meta = JSON.parse(String(row?.attributes[Attr.ATTR_USER_META]));
  assert.deepEqual(meta, {
    turn: 1,
    openai_trace_id: 'trace_1',
    model: 'gpt-5-mini',
    input_tokens: 11,
    output_tokens: 4,
    tool_calls: [{ id: 'fc_1', name: 'get_order', arguments: { id: 'A7' } }],
  });
  assert.equal(events().length, 1, 'the agent span is not a row: its turn is');
  assert.equal(p.openSpans, 0);
});

test('an agent span with no turn inside (no turn spans in older SDKs, no model span) is an agent_call row itself', async () => {
  const { node, events } = setup();
  const p = new AgentspanTracingProcessor({ node });
  const agent = sdkSpan({ type: 'agent', name: 'legacy', tools: ['search'], handoffs: [], output_type: 'text' });
  const fn = sdkSpan({ type: 'function', name: 'search', input: '{"q":"x"}', output: 'found' }, agent.spanId);
  await p.onSpanStart(agent);
  await p.onSpanStart(fn);
  await p.onSpanEnd(fn);
  await p.onSpanEnd(agent);
  const types = events().map((s) => [s.attributes[Attr.ATTR_EVENT_TYPE], s.attributes[Attr.ATTR_GEN_AI_AGENT_NAME]]);
  assert.deepEqual(types, [
    ['tool_call', 'legacy'],
    ['agent_call', 'legacy'],
  ]);
  assert.deepEqual(JSON.parse(String(events()[1]?.attributes[Attr.ATTR_USER_META])), {
    openai_trace_id: 'trace_1',
    tools: ['search'],
    output_type: 'text',
  });
});

test('spans the SDK never ends are ended as failed when their trace ends, and the open set stays bounded', async () => {
  const { node, events } = setup();
  const p = new AgentspanTracingProcessor({ node, maxOpenSpans: 10 });
  const agent = sdkSpan({ type: 'agent', name: 'a' });
  await p.onSpanStart(agent);
  for (let i = 0; i < 25; i++) await p.onSpanStart(sdkSpan({ type: 'turn', turn: i, agent_name: 'a' }, agent.spanId));
  assert.equal(p.openSpans, 10);
  assert.equal(events().length, 16, 'the 16 least recently used turns were evicted and ended; the agent, looked up by each turn, stayed');
  await p.onTraceEnd({ traceId: 'trace_1' } as Trace);
  assert.equal(p.openSpans, 0);
  const turns = events().filter((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'agent_call');
  assert.equal(turns.length, 25);
  assert.ok(turns.every((s) => s.attributes[Attr.ATTR_STATUS] === undefined && s.status.code === 2));
  assert.ok(turns.every((s) => String(s.attributes[Attr.ATTR_ERROR_MESSAGE]).includes('not ended')));
});

test('odd data never throws into the SDK: missing names, non-JSON input, unknown span types, double ends', async () => {
  const { node, events } = setup();
  const p = new AgentspanTracingProcessor({ node });
  const weird = [
    sdkSpan({ type: 'function', name: 'raw', input: 'not json {', output: '' }),
    sdkSpan({ type: 'handoff' }),
    sdkSpan({ type: 'mystery', payload: 1 }),
    sdkSpan({ type: 'generation', output: [null, 5, { choices: 'x' }, { content: [{ text: 7 }] }] }),
    sdkSpan({ type: 'agent', name: '' }),
  ];
  for (const s of weird) await p.onSpanStart(s);
  for (const s of weird) await p.onSpanEnd(s);
  for (const s of weird) await p.onSpanEnd(s);
  await p.onSpanStart(null as unknown as Span<SpanData>);
  await p.onSpanEnd(undefined as unknown as Span<SpanData>);
  await p.shutdown();
  const byType = events().map((s) => s.attributes[Attr.ATTR_EVENT_TYPE]);
  assert.ok(byType.includes('tool_call') && byType.includes('handoff'));
  const raw = events().find((s) => s.attributes[Attr.ATTR_GEN_AI_TOOL_NAME] === 'raw');
  assert.equal(raw?.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], '"not json {"');
  // Neither node nor run: spans of a trace started outside any agentspan run's with() are not recorded, and counted.
  const ambient = new AgentspanTracingProcessor({});
  const before = events().length;
  const stray = sdkSpan({ type: 'function', name: 'stray', input: '{}', output: '1' });
  await ambient.onSpanStart(stray);
  await ambient.onSpanEnd(stray);
  assert.equal(events().length, before);
  assert.equal(ambient.skippedTraces, 1);
});

test('generation and response data readers', () => {
  assert.deepEqual(
    generationOutput({
      model: 'gpt-4.1',
      output: [
        {
          choices: [
            { message: { content: null, tool_calls: [{ id: 't1', function: { name: 'add', arguments: '{"a":1}' } }] } },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        },
      ],
    }),
    { text: undefined, toolCalls: [{ id: 't1', name: 'add', arguments: { a: 1 } }], model: 'gpt-4.1', inputTokens: 3, outputTokens: 2 },
  );
  assert.deepEqual(generationOutput({ output: [{ role: 'assistant', content: 'hi' }] }).text, 'hi');
  assert.deepEqual(responseOutput({ _response: 'nope' }), {
    text: undefined,
    toolCalls: [],
    model: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
  });
});
