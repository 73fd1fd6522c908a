import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateText, isStepCount, registerTelemetry, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { z } from 'zod';
import { agentspanTelemetry } from '@agentspan/ai-sdk';
import type { Agentspan, RunHandle } from '@agentspan/node';

/**
 * Vercel AI SDK v7: `registerTelemetry(agentspanTelemetry())` once, then
 * every call made inside `step.with(...)` is recorded; `functionId` names the
 * agent. (With AI SDK v5/v6 skip the registration and pass
 * `experimental_telemetry: { isEnabled: true, functionId }`.) Offline: the
 * SDK's `MockLanguageModelV4` stands in for the LLM; the tools are real.
 */

const usage = {
  inputTokens: { total: 40, noCache: 40, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 12, text: 12, reasoning: 0 },
};

function scripted(modelId: string, turns: ({ call: string; input: unknown } | { text: string })[]) {
  return new MockLanguageModelV4({
    modelId,
    doGenerate: turns.map((t, i) =>
      'text' in t
        ? { content: [{ type: 'text' as const, text: t.text }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] }
        : {
            content: [{ type: 'tool-call' as const, toolCallId: `call_${modelId}_${i}`, toolName: t.call, input: JSON.stringify(t.input) }],
            finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
            usage,
            warnings: [],
          },
    ),
  });
}

/** `registerTelemetry` appends: registering twice would record every span twice. */
let registered = false;

export async function runAiSdkExample(agentspan: Agentspan, workspaceDir: string): Promise<RunHandle> {
  if (!registered) {
    registerTelemetry(agentspanTelemetry());
    registered = true;
  }
  const weather = tool({
    description: 'current weather of a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, celsius: 21, sky: 'clear' }),
  });
  const saveReport = tool({
    description: 'save a report file',
    inputSchema: z.object({ path: z.string(), text: z.string() }),
    execute: async ({ path, text }) => {
      writeFileSync(join(workspaceDir, path), text);
      return { path, bytes: Buffer.byteLength(text) };
    },
  });

  const run = agentspan.startRun({ task: 'Weather report for Lisbon', mode: 'ai-sdk' });
  const lookup = run.startNode('lookup', { agent: 'forecaster' });
  const forecast = await lookup.with(() =>
    generateText({
      model: scripted('mock-forecaster', [{ call: 'weather', input: { city: 'Lisbon' } }, { text: 'Lisbon: 21 °C, clear.' }]),
      prompt: 'What is the weather in Lisbon?',
      tools: { weather },
      stopWhen: isStepCount(3),
      telemetry: { functionId: 'forecaster' },
    }),
  );
  lookup.end();
  const write = run.startNode('write', { agent: 'writer' });
  await write.with(() =>
    generateText({
      model: scripted('mock-writer', [
        { call: 'save_report', input: { path: 'report.md', text: `# Lisbon\n\n${forecast.text}\n` } },
        { text: 'Saved report.md.' },
      ]),
      prompt: `Write a short report: ${forecast.text}`,
      tools: { save_report: saveReport },
      stopWhen: isStepCount(3),
      telemetry: { functionId: 'writer' },
    }),
  );
  write.end();
  run.end();
  return run;
}
