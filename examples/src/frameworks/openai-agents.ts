import { Agent, Usage, run as runAgent, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import type { AgentOutputItem, Model, ModelResponse } from '@openai/agents';
import { z } from 'zod';
import { AgentspanTracingProcessor } from '@agentspan/openai-agents';
import type { Agentspan, RunHandle } from '@agentspan/node';

/**
 * OpenAI Agents SDK: a triage agent hands off to a math agent that uses a
 * tool. `setTraceProcessors([new AgentspanTracingProcessor({ run })])`
 * replaces the SDK's default processor (which exports to OpenAI's servers);
 * use `addTraceProcessor` to keep it. Offline: a scripted `Model` stands in
 * for the LLM; the tool is real.
 */

class ScriptedModel implements Model {
  private turn = 0;
  constructor(private readonly turns: AgentOutputItem[][]) {}
  async getResponse(): Promise<ModelResponse> {
    const output = this.turns[this.turn++] ?? [];
    return { usage: new Usage({ requests: 1, inputTokens: 30, outputTokens: 9, totalTokens: 39 }), output };
  }
  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('this example does not stream');
  }
}

const call = (callId: string, name: string, args: unknown): AgentOutputItem => ({
  type: 'function_call',
  callId,
  name,
  arguments: JSON.stringify(args),
  status: 'completed',
});
const say = (text: string): AgentOutputItem => ({
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text }],
});

export async function runOpenAiAgentsExample(agentspan: Agentspan): Promise<RunHandle> {
  const multiply = tool({
    name: 'multiply',
    description: 'multiply two numbers',
    parameters: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => String(a * b),
  });
  const math = new Agent({
    name: 'math_agent',
    instructions: 'Answer arithmetic questions with the tools.',
    tools: [multiply],
    model: new ScriptedModel([[call('call_2', 'multiply', { a: 6, b: 7 })], [say('6 × 7 = 42')]]),
  });
  const triage = new Agent({
    name: 'triage',
    instructions: 'Route arithmetic to the math agent.',
    handoffs: [math],
    model: new ScriptedModel([[call('call_1', 'transfer_to_math_agent', {})]]),
  });

  const run = agentspan.startRun({ task: 'What is 6 times 7?', mode: 'openai-agents' });
  setTracingDisabled(false); // the SDK disables tracing when NODE_ENV=test
  setTraceProcessors([new AgentspanTracingProcessor({ run })]);
  try {
    await runAgent(triage, 'What is 6 times 7?');
    run.end();
  } catch (error) {
    run.end({ error });
  }
  return run;
}
