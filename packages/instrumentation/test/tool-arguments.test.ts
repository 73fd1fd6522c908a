/** What a tool call records of its arguments, whatever shape they come in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Attr } from '@agentspan/semconv';
import { byName, setup } from './helpers.js';

test('args_keys lists the names of plain-object arguments only, never the byte indexes of binary arguments', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'args-keys' });
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
  const cases: Record<string, unknown> = {
    plain: { q: 'x', limit: 5 },
    nullProto,
    buffer: Buffer.alloc(64),
    u8: new Uint8Array(8),
    f64: new Float64Array(4),
    dataView: new DataView(new ArrayBuffer(8)),
    arrayBuffer: new ArrayBuffer(8),
    array: ['a', 'b'],
    map: new Map([['k', 1]]),
    set: new Set([1]),
  };
  for (const [tool, args] of Object.entries(cases)) run.toolCall({ agent: 'a', tool, args });
  run.end();
  const keysOf = (tool: string): unknown => byName(spans(), `execute_tool ${tool}`).attributes[Attr.ATTR_TOOL_ARGS_KEYS];
  assert.deepEqual(keysOf('plain'), ['limit', 'q']);
  assert.deepEqual(keysOf('nullProto'), ['a', 'b']);
  for (const tool of ['buffer', 'u8', 'f64', 'dataView', 'arrayBuffer', 'array', 'map', 'set']) {
    assert.equal(keysOf(tool), undefined, `${tool} has no argument names`);
  }
  assert.equal(byName(spans(), 'execute_tool buffer').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], '"[Buffer 64 bytes]"');
});
