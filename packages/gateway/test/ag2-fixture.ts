/**
 * Spans shaped like AG2's own tracing (`autogen.opentelemetry`, ag2[tracing])
 * with `AG2_OTEL_RECORD_CONTENT=1`: the span names, attribute keys and value
 * formats AG2 writes, spelled out literally here (not through
 * `@agentspan/semconv`) because they describe a foreign sender.
 *
 * A two-agent chat: the engineer writes a script (with an LLM call), the
 * user proxy runs it (it writes fib.txt), the engineer asks for a tool, the
 * user proxy runs the tool, a second tool fails, a human answers.
 */

import { SpanKind, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanFactory } from './helpers.js';

export const AG2_SERVICE = 'research-agents';
export const AG2_CHAT_ID = '271828182845904523536028747135266249775';

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

export const TASK = 'Compute the first 10 Fibonacci numbers and save them to fib.txt';
export const CODE = [
  'import math',
  'fib = [0, 1]',
  'for _ in range(8):',
  '    fib.append(fib[-1] + fib[-2])',
  "with open('fib.txt', 'w') as f:",
  "    f.write(' '.join(map(str, fib)))",
  "print('saved', len(fib))",
].join('\n');
export const CODE_MESSAGE = `Here is the script:\n\n\`\`\`python\n${CODE}\n\`\`\`\nRun it and report.`;
export const TOOL_RESULT = '{"temp_c": 21, "sky": "clear"}';

export interface Ag2Trace {
  /** All finished spans, in end order (how AG2's BatchSpanProcessor exports them). */
  readonly spans: ReadableSpan[];
  readonly traceId: string;
  /** Span ids by role in the story. */
  readonly ids: Readonly<Record<'conversation' | 'engineer1' | 'llm' | 'proxy1' | 'code' | 'engineer2' | 'proxy2' | 'tool' | 'failedTool' | 'human', string>>;
}

function agent(f: SpanFactory, name: string, at: number, parent: Span, model?: string): Span {
  return f.start(
    `invoke_agent ${name}`,
    {
      'ag2.span.type': 'agent',
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': name,
      ...(model ? { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model } : {}),
    },
    at,
    parent,
  );
}

/** Builds the story; times are ms from a fixed instant. */
export function buildAg2Trace(serviceName = AG2_SERVICE): Ag2Trace {
  const f = new SpanFactory(serviceName, 'opentelemetry.instrumentation.ag2');
  const conversation = f.start(
    'conversation user_proxy',
    {
      'ag2.span.type': 'conversation',
      'gen_ai.operation.name': 'conversation',
      'gen_ai.agent.name': 'user_proxy',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.conversation.max_turns': 6,
      'gen_ai.input.messages': JSON.stringify([text('user', TASK)]),
    },
    0,
  );
  const history: unknown[] = [text('user', TASK)];

  const engineer1 = agent(f, 'engineer', 10, conversation, 'gpt-4o');
  engineer1.setAttribute('gen_ai.input.messages', JSON.stringify(history));
  const llm = f.start(
    'chat gpt-4o',
    { 'ag2.span.type': 'llm', 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.agent.name': 'engineer' },
    12,
    engineer1,
    SpanKind.CLIENT,
  );
  f.end(llm, 900, {
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 80,
    'gen_ai.response.finish_reasons': '["stop"]',
    'gen_ai.usage.cost': 0.0011,
  });
  f.end(engineer1, 910, {
    'gen_ai.output.messages': JSON.stringify([{ ...text('assistant', CODE_MESSAGE), finish_reason: 'stop' }]),
  });
  history.push(text('assistant', CODE_MESSAGE));

  const proxy1 = agent(f, 'user_proxy', 920, conversation);
  proxy1.setAttribute('gen_ai.input.messages', JSON.stringify(history));
  const code = f.start(
    'execute_code user_proxy',
    { 'ag2.span.type': 'code_execution', 'gen_ai.operation.name': 'execute_code', 'gen_ai.agent.name': 'user_proxy' },
    925,
    proxy1,
  );
  f.end(code, 1400, { 'ag2.code_execution.exit_code': 0, 'ag2.code_execution.output': 'saved 10' });
  const proxyReply = 'exitcode: 0 (execution succeeded)\nCode output: saved 10';
  f.end(proxy1, 1410, { 'gen_ai.output.messages': JSON.stringify([{ ...text('assistant', proxyReply), finish_reason: 'stop' }]) });
  history.push(text('user', proxyReply));

  const engineer2 = agent(f, 'engineer', 1420, conversation, 'gpt-4o');
  engineer2.setAttribute('gen_ai.input.messages', JSON.stringify(history));
  const toolCall = { type: 'tool_call', id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Paris' } };
  f.end(engineer2, 2000, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [toolCall] }]) });

  const proxy2 = agent(f, 'user_proxy', 2010, conversation);
  const tool = f.start(
    'execute_tool get_weather',
    {
      'ag2.span.type': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call_weather_1',
      'gen_ai.tool.call.arguments': '{"city": "Paris"}',
    },
    2015,
    proxy2,
  );
  f.end(tool, 2100, { 'gen_ai.tool.call.result': TOOL_RESULT });
  const failedTool = f.start(
    'execute_tool get_forecast',
    {
      'ag2.span.type': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_forecast',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call_forecast_1',
      'gen_ai.tool.call.arguments': '{"city": "Paris", "days": 3}',
    },
    2110,
    proxy2,
  );
  f.end(failedTool, 2150, { 'error.type': 'ExecutionError' });
  const human = f.start(
    'await_human_input user_proxy',
    {
      'ag2.span.type': 'human_input',
      'gen_ai.operation.name': 'await_human_input',
      'gen_ai.agent.name': 'user_proxy',
      'ag2.human_input.prompt': 'Provide feedback to engineer. Press enter to skip and use auto-reply:',
    },
    2160,
    proxy2,
  );
  f.end(human, 5000, { 'ag2.human_input.response': 'Looks good, thanks. TERMINATE' });
  f.end(proxy2, 5010, {
    'gen_ai.output.messages': JSON.stringify([{ ...text('assistant', 'Looks good, thanks. TERMINATE'), finish_reason: 'stop' }]),
  });

  f.end(conversation, 5100, {
    'gen_ai.conversation.id': AG2_CHAT_ID,
    'gen_ai.conversation.turns': 4,
    'gen_ai.usage.cost': 0.0042,
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 360,
    'gen_ai.usage.output_tokens': 150,
    'gen_ai.output.messages': JSON.stringify(history),
  });

  const ids = {
    conversation: conversation.spanContext().spanId,
    engineer1: engineer1.spanContext().spanId,
    llm: llm.spanContext().spanId,
    proxy1: proxy1.spanContext().spanId,
    code: code.spanContext().spanId,
    engineer2: engineer2.spanContext().spanId,
    proxy2: proxy2.spanContext().spanId,
    tool: tool.spanContext().spanId,
    failedTool: failedTool.spanContext().spanId,
    human: human.spanContext().spanId,
  };
  return { spans: f.finished(), traceId: conversation.spanContext().traceId, ids };
}
