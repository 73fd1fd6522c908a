/** Every value the serialiser emits is charged to the content budget: nothing is free, so nothing is unbounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Attr } from '@agentspan/semconv';
import { safeJson } from '../src/safe-json.js';
import { byName, setup } from './helpers.js';

test('holes, nulls and empty containers are charged: a sparse or null-filled array stops at the budget, marked truncated', () => {
  const cases: Record<string, unknown> = {
    sparse: new Array(1_000_000),
    nulls: new Array(1_000_000).fill(null),
    undefineds: new Array(1_000_000).fill(undefined),
    emptyArrays: Array.from({ length: 200_000 }, () => []),
    emptyObjects: Array.from({ length: 200_000 }, () => ({})),
    nullMembers: Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, null])),
    nested: { ids: new Array(1_000_000) },
  };
  for (const [name, value] of Object.entries(cases)) {
    const { json, truncated } = safeJson(value, 1000);
    assert.equal(truncated, true, `${name} is marked truncated`);
    assert.ok(json.length < 2000, `${name}: ${json.length} characters for a budget of 1000`);
    assert.doesNotThrow(() => JSON.parse(json), `${name} is valid JSON`);
  }
});

test('a sparse array as tool arguments, and code that is not a string, are cut to maxContentChars', () => {
  const { recorder, spans } = setup({ maxContentChars: 1000 });
  const run = recorder.startRun({ runId: 'budget' });
  run.toolCall({ agent: 'a', tool: 'sparse', args: { ids: new Array(1_000_000) } });
  // Counting reads shows how much of the code object is walked, not only what is kept of it.
  let reads = 0;
  const cells = Array.from({ length: 10_000 }, () => ({
    get source(): string {
      reads += 1;
      return 'x'.repeat(100);
    },
  }));
  run.codeExecution({ agent: 'exec', code: { cells } as never });
  run.end();
  const tool = byName(spans(), 'execute_tool sparse');
  assert.ok(String(tool.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]).length < 2000);
  assert.equal(tool.attributes[Attr.ATTR_TRUNCATED], true);
  const exec = byName(spans(), 'execute_code exec');
  assert.ok(String(exec.attributes[Attr.ATTR_CODE_CONTENT]).length < 2000, 'code content within the budget');
  assert.equal(exec.attributes[Attr.ATTR_TRUNCATED], true);
  assert.ok(reads < 100, `the walk stopped at the budget (${reads} of 10000 cells read)`);
});
