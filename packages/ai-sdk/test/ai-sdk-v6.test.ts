import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateText, stepCountIs, tool } from 'ai-v6';
import { MockLanguageModelV3 } from 'ai-v6/test';
import { z } from 'zod';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { eventRows, parentOf, spanNamed, startHarness } from './helpers.js';

/**
 * AI SDK v6 (`experimental_telemetry`, `ai.*` spans): no adapter code at all.
 * The SDK's own mock model asks for tool calls, the real tools run, and the
 * processor turns the SDK's spans into rows. (`ai-v6` is `ai@6` installed under
 * an alias beside v7.)
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('ai_sdk_v6');
});
after(async () => {
  await db.drop();
});

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function toolCallTurn(calls: { id: string; name: string; input: unknown }[]) {
  return {
    content: calls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: JSON.stringify(c.input) })),
    finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
    usage,
    warnings: [],
  };
}

function textTurn(text: string) {
  return { content: [{ type: 'text' as const, text }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] };
}

test('AI SDK v6, experimental_telemetry only: two agents with tools, inside step.with(): turns, tools (with a failure) and a generated file land as rows', async () => {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-ai-v6-'));
  const { agentspan, memory } = await startHarness(db, workspaceDir);

  const search = tool({
    description: 'search the web',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => ({ hits: [`${query}: GenAI semantic conventions`] }),
  });
  const lookupCache = tool({
    description: 'read the cache',
    inputSchema: z.object({ key: z.string() }),
    execute: async (): Promise<{ value: string }> => {
      // The declared result type is what the tool would return; without it the
      // body's Promise<never> makes the SDK infer the tool's input as never.
      throw new Error('cache offline');
    },
  });
  const saveReport = tool({
    description: 'save a report',
    inputSchema: z.object({ path: z.string(), text: z.string() }),
    execute: async ({ path, text }) => {
      writeFileSync(join(workspaceDir, path), text);
      return { path, bytes: text.length };
    },
  });
  const researcherModel = new MockLanguageModelV3({
    modelId: 'mock-researcher',
    doGenerate: [
      toolCallTurn([
        { id: 'c1', name: 'search', input: { query: 'otel' } },
        { id: 'c2', name: 'lookup_cache', input: { key: 'otel' } },
      ]),
      textTurn('Found: GenAI semantic conventions'),
    ],
  });
  const writerModel = new MockLanguageModelV3({
    modelId: 'mock-writer',
    doGenerate: [toolCallTurn([{ id: 'c3', name: 'save_report', input: { path: 'report.md', text: '# GenAI\n' } }]), textTurn('Saved report.md')],
  });

  const run = agentspan.startRun({ runId: 'ai-v6-run', task: 'research and write' });
  const research = run.startNode('research', { agent: 'researcher' });
  const found = await research.with(() =>
    generateText({
      model: researcherModel,
      prompt: 'What is OpenTelemetry GenAI?',
      tools: { search, lookup_cache: lookupCache },
      stopWhen: stepCountIs(3),
      experimental_telemetry: { isEnabled: true, functionId: 'researcher' },
    }),
  );
  research.end();
  const write = run.startNode('write', { agent: 'writer' });
  await write.with(() =>
    generateText({
      model: writerModel,
      prompt: `Write a report: ${found.text}`,
      tools: { save_report: saveReport },
      stopWhen: stepCountIs(3),
      experimental_telemetry: { isEnabled: true, functionId: 'writer' },
    }),
  );
  write.end();
  run.end();
  await agentspan.forceFlush();
  const spans = memory.getFinishedSpans(); // before shutdown, which clears the in-memory exporter
  await agentspan.shutdown();

  const rows = await eventRows(db, 'ai-v6-run');
  assert.deepEqual(
    rows.map((r) => [r.node_id, r.event_type, r.agent_name, r.inputs['tool'] ?? r.outputs['file_path'] ?? null]),
    [
      ['research', 'agent_call', 'researcher', null],
      ['research', 'tool_call', 'researcher', 'search'],
      ['research', 'tool_call', 'researcher', 'lookup_cache'],
      ['research', 'agent_call', 'researcher', null],
      ['write', 'agent_call', 'writer', null],
      ['write', 'tool_call', 'writer', 'save_report'],
      ['write', 'file_gen', 'writer', 'report.md'],
      ['write', 'agent_call', 'writer', null],
    ],
  );
  assert.ok(rows.every((r, i) => i === 0 || (r.execution_order ?? 0) > (rows[i - 1]?.execution_order ?? 0)), 'execution order follows start order');
  const [turn1, searchRow, cacheRow, turn2, , saveRow, fileRow, lastTurn] = rows;
  assert.equal(turn1?.meta['model'], 'mock-researcher');
  assert.equal(turn1?.meta['has_tool_calls'], true);
  assert.equal(turn1?.meta['instrumentation'], 'ai-sdk');
  assert.deepEqual(turn1?.meta['tool_calls'], [
    { id: 'c1', name: 'search', arguments: { query: 'otel' } },
    { id: 'c2', name: 'lookup_cache', arguments: { key: 'otel' } },
  ]);
  assert.deepEqual(searchRow?.inputs['args'], { query: 'otel' });
  assert.equal(searchRow?.inputs['tool_call_id'], 'c1');
  assert.deepEqual(searchRow?.outputs['result'], { hits: ['otel: GenAI semantic conventions'] });
  assert.equal(searchRow?.status, 'completed');
  assert.equal(cacheRow?.status, 'failed');
  assert.match(cacheRow?.error_message ?? '', /cache offline/);
  assert.equal(cacheRow?.meta['has_error'], true);
  assert.equal(turn2?.inputs['content'], 'Found: GenAI semantic conventions');
  assert.deepEqual(saveRow?.outputs['result'], { path: 'report.md', bytes: 8 });
  assert.equal(fileRow?.outputs['file_content'], '# GenAI\n');
  assert.equal(lastTurn?.inputs['content'], 'Saved report.md');

  // The span tree: tools and turns under the SDK's generateText span, under the node, under the run.
  const toolSpan = spanNamed(spans, 'ai.toolCall', (s) => s.attributes['ai.toolCall.name'] === 'search');
  const generate = parentOf(spans, toolSpan);
  assert.equal(generate?.name, 'ai.generateText');
  assert.equal(parentOf(spans, generate!)?.name, 'node research');
  assert.equal(parentOf(spans, parentOf(spans, generate!)!)?.name, 'invoke_workflow workflow');
  assert.equal(searchRow?.parent_span_id, generate?.spanContext().spanId);
  const envelopes = await db.pool.query("SELECT count(*)::int AS n FROM execution_events WHERE name = 'ai.generateText'");
  assert.equal(envelopes.rows[0]?.n, 0, 'the generateText envelopes are not rows: their turns are');
});
