import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr, EVENT_SUBTYPE, EXECUTION_EVENT_TYPES, EventType, runSpanName, toolCallSpanName } from '../src/index.js';

test('every attribute key is unique and namespaced (gen_ai.*, agentspan.*, or a general OTel key)', () => {
  const keys = Object.values(Attr);
  assert.equal(new Set(keys).size, keys.length, 'no two constants share a key');
  for (const k of keys) assert.match(k, /^(gen_ai|agentspan|error|service)\.[a-z0-9_.]+$/, k);
});

test('event types: the four execution events (plus handoff) have subtypes; run and node are not rows of execution_events', () => {
  assert.deepEqual([...EXECUTION_EVENT_TYPES].sort(), ['agent_call', 'code_exec', 'file_gen', 'handoff', 'tool_call']);
  for (const t of Object.values(EventType)) assert.equal(typeof EVENT_SUBTYPE[t], 'string');
  assert.ok(!EXECUTION_EVENT_TYPES.includes(EventType.RUN));
});

test('span names follow the GenAI conventions', () => {
  assert.equal(runSpanName('one-shot'), 'invoke_workflow one-shot');
  assert.equal(toolCallSpanName('execute_python'), 'execute_tool execute_python');
});
