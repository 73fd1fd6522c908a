/**
 * Every field of an event is bounded, not only its content, and a value cut
 * to its bound never ends in half a surrogate pair (an emoji cut in two is a
 * lone surrogate: Postgres cannot store it, the exporter writes U+FFFD).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr } from '@agentspan/semconv';
import { byName, setup } from './helpers.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string a span carries: its name, status message and string attributes. */
function textsOf(span: ReadableSpan): [string, string][] {
  const out: [string, string][] = [['name', span.name]];
  if (span.status.message !== undefined) out.push(['status.message', span.status.message]);
  for (const [k, v] of Object.entries(span.attributes)) if (typeof v === 'string') out.push([k, v]);
  return out;
}

test('names, paths, ids and error messages cut at their bound keep surrogate pairs whole', () => {
  const { recorder, spans } = setup({ maxContentChars: 5000 });
  const emoji = '😀';
  // Each bound falls between the two halves of the emoji: 200 for names, 4096 for paths, 1007 (+ hash) for ids, 1000 for a status message.
  const name = 'n'.repeat(199) + emoji;
  const run = recorder.startRun({ runId: 'r'.repeat(1006) + emoji + 'x'.repeat(100), mode: name });
  const node = run.startNode('s'.repeat(1006) + emoji + 'x'.repeat(100), { type: name, agent: name });
  node.agentCall({ agent: name, role: name, sender: name, model: name, stepId: 'i'.repeat(1006) + emoji + 'x'.repeat(100) });
  node.toolCall({ agent: name, tool: name, toolCallId: 'c'.repeat(1006) + emoji + 'x'.repeat(100), error: 'e'.repeat(999) + emoji });
  node.codeExecution({ agent: name, code: 'x', language: name, cwd: '/'.repeat(4095) + emoji, status: name as never });
  node.fileGenerated({ agent: name, path: 'p'.repeat(4095) + emoji, source: name as never });
  node.handoff({ from: name, to: name });
  node.end();
  run.end();
  const all = spans();
  assert.equal(all.length, 7);
  for (const span of all) {
    for (const [key, text] of textsOf(span)) assert.ok(!LONE_SURROGATE.test(text), `${span.name.slice(0, 30)}: ${key} ends in half a surrogate pair`);
  }
  const agent = all.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'agent_call');
  assert.equal(agent?.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], 'n'.repeat(199), 'cut before the pair, not inside it');
});

test('role, sender, model, language, source, status, cwd, stepId and toolCallId are bounded like names, paths and ids', () => {
  const { recorder, spans } = setup({ maxContentChars: 1000 });
  const huge = 'z'.repeat(2_000_000);
  const run = recorder.startRun();
  run.agentCall({ agent: 'talker', role: huge, sender: huge, model: huge, stepId: huge, status: huge as never });
  run.toolCall({ agent: 'a', tool: 'lookup', toolCallId: huge });
  run.codeExecution({ agent: 'runner', code: 'x', language: huge, cwd: huge });
  run.fileGenerated({ path: 'f.txt', source: huge as never });
  run.end();
  const all = spans();
  const limits: [string, string, number][] = [
    ['invoke_agent talker', Attr.ATTR_AGENT_ROLE, 200],
    ['invoke_agent talker', Attr.ATTR_MESSAGE_SENDER, 200],
    ['invoke_agent talker', Attr.ATTR_GEN_AI_REQUEST_MODEL, 200],
    ['invoke_agent talker', Attr.ATTR_STATUS, 200],
    ['invoke_agent talker', Attr.ATTR_STEP_ID, 1024],
    ['execute_tool lookup', Attr.ATTR_GEN_AI_TOOL_CALL_ID, 1024],
    ['execute_code runner', Attr.ATTR_CODE_LANGUAGE, 200],
    ['execute_code runner', Attr.ATTR_CODE_CWD, 4096 + '…[truncated]'.length],
    ['file_gen f.txt', Attr.ATTR_FILE_SOURCE, 200],
  ];
  for (const [span, key, max] of limits) {
    const value = byName(all, span).attributes[key];
    assert.equal(typeof value, 'string', `${span} ${key}`);
    assert.ok((value as string).length <= max, `${span} ${key}: ${(value as string).length} chars, at most ${max}`);
  }
  // Ids cut keep a hash of the whole: two long ids differing only at their end stay distinct.
  run.toolCall({ agent: 'a', tool: 'other', toolCallId: `${huge}!` });
  assert.notEqual(byName(spans(), 'execute_tool other').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ID], byName(all, 'execute_tool lookup').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ID]);
});

test('property: a field of any text and length is recorded as given up to its bound, never ending in half a pair', () => {
  const { recorder, spans } = setup({ maxContentChars: 300 });
  const run = recorder.startRun();
  // Whole code points only (the input has no lone surrogate of its own), around every bound.
  const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 260 }), fc.string({ unit: 'grapheme', minLength: 990, maxLength: 1100 }));
  fc.assert(
    fc.property(text, (s) => {
      const before = spans().length;
      run.agentCall({ agent: s, role: s, model: s, content: s });
      const span = spans()[before];
      assert.ok(span);
      for (const [key, value] of textsOf(span)) {
        assert.ok(!LONE_SURROGATE.test(value), `${key} ends in half a surrogate pair`);
        if (key === Attr.ATTR_AGENT_ROLE || key === Attr.ATTR_GEN_AI_REQUEST_MODEL) {
          assert.ok(s.startsWith(value) && value.length <= 200, `${key} is a prefix within 200`);
          if (s.length <= 200) assert.equal(value, s);
          else assert.ok(value.length >= 199, `${key} loses at most the pair at its end`);
        }
      }
    }),
    { numRuns: 200 },
  );
  run.end();
});

test('long session ids stay distinct: a prefix and a hash of the whole, bounded, the same every time', () => {
  const { recorder, spans } = setup();
  // Two session ids sharing their first 300 characters: cut to a prefix alone, they were one session.
  const shared = 's'.repeat(300);
  const ids = [`${shared}-alpha`, `${shared}-beta`, `${'t'.repeat(5000)}`, `${'t'.repeat(5000)}`];
  ids.forEach((sessionId, i) => recorder.startRun({ runId: `session-${i}`, mode: `m${i}`, sessionId }).end());
  recorder.startRun({ runId: 'session-short', mode: 'short', sessionId: 'chat-42' }).end();
  recorder.startRun({ runId: 'session-empty', mode: 'empty', sessionId: '' }).end();
  const session = (mode: string): unknown => byName(spans(), `invoke_workflow ${mode}`).attributes[Attr.ATTR_SESSION_ID];
  const [alpha, beta, long1, long2] = ids.map((_, i) => session(`m${i}`));
  assert.equal(alpha, ids[0], 'an id within the bound is kept whole');
  assert.equal(beta, ids[1]);
  assert.notEqual(alpha, beta, 'ids sharing a long prefix are two sessions');
  assert.equal(long1, long2, 'the same long id always names the same session');
  assert.equal(typeof long1, 'string');
  assert.ok((long1 as string).length <= 1024, `bounded: ${(long1 as string).length}`);
  assert.match(long1 as string, /^t+~[0-9a-f]{16}$/, 'its start, then ~ and 16 hex digits of its hash');
  assert.equal(session('short'), 'chat-42');
  assert.equal(session('empty'), undefined, 'an empty session id is no session');
});

test('long ids differing only in a lone surrogate past the bound stay distinct (UTF-8 writes every lone surrogate alike)', () => {
  const { recorder, spans } = setup();
  // Half an emoji left by a slice: two such ids are two ids; hashed as UTF-8, both ended in U+FFFD and were one.
  const [first, second] = ['\uD800', '\uD801'].map((half) => `${'s'.repeat(2000)}${half}`);
  recorder.startRun({ runId: first, mode: 'lone-1', sessionId: first }).end();
  recorder.startRun({ runId: second, mode: 'lone-2', sessionId: second }).end();
  recorder.startRun({ runId: first, mode: 'lone-1-again', sessionId: first }).end();
  const attrs = (mode: string) => byName(spans(), `invoke_workflow ${mode}`).attributes;
  for (const key of [Attr.ATTR_SESSION_ID, Attr.ATTR_RUN_ID]) {
    assert.notEqual(attrs('lone-1')[key], attrs('lone-2')[key], key);
    assert.equal(attrs('lone-1')[key], attrs('lone-1-again')[key], `${key}: the same id, the same text`);
    assert.match(String(attrs('lone-1')[key]), /^s{1007}~[0-9a-f]{16}$/, key);
  }
  // A well-formed id keeps the hash it always had (of its UTF-8): run ids recorded before stay the same.
  const plain = 'p'.repeat(2000);
  recorder.startRun({ runId: plain, mode: 'plain' }).end();
  assert.equal(attrs('plain')[Attr.ATTR_RUN_ID], `${'p'.repeat(1007)}~${createHash('sha256').update(plain).digest('hex').slice(0, 16)}`);
});

/** The mark the recorder (and the processor) put where they cut a value. */
const TRUNCATION_MARK = '…[truncated]';

test('a file path or cwd longer than 4096 characters is cut there and marked (…[truncated], agentspan.truncated), as the processor marks its cuts', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'marked-paths' });
  const long = 'dir/'.repeat(1500) + 'out.txt';
  const atBound = 'p'.repeat(4096);
  run.fileGenerated({ path: long });
  run.fileGenerated({ path: atBound });
  run.codeExecution({ agent: 'long-cwd', code: 'x', cwd: long });
  run.codeExecution({ agent: 'short-cwd', code: 'x', cwd: '/work' });
  run.end();
  const all = spans();
  const files = all.filter((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'file_gen');
  assert.equal(files[0]?.attributes[Attr.ATTR_FILE_PATH], long.slice(0, 4096) + TRUNCATION_MARK);
  assert.equal(files[0]?.attributes[Attr.ATTR_TRUNCATED], true);
  assert.equal(files[1]?.attributes[Attr.ATTR_FILE_PATH], atBound, 'a path at the bound is whole');
  assert.equal(files[1]?.attributes[Attr.ATTR_TRUNCATED], undefined);
  const longCwd = byName(all, 'execute_code long-cwd').attributes;
  assert.equal(longCwd[Attr.ATTR_CODE_CWD], long.slice(0, 4096) + TRUNCATION_MARK);
  assert.equal(longCwd[Attr.ATTR_TRUNCATED], true);
  assert.equal(byName(all, 'execute_code short-cwd').attributes[Attr.ATTR_TRUNCATED], undefined);
});
