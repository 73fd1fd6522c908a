/** The AG2 mapping, pure: each span type AG2 writes, and what is left to the processor. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeFromMessages, mapAg2Span } from '../src/index.js';

const view = (name: string, attributes: Record<string, string | number | boolean>, isRoot = false) => ({ name, spanId: 'a1b2c3d4e5f60718', attributes, isRoot });
const msg = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

test('speaker selection → a handoff to the selected agent, with the candidates', () => {
  const m = mapAg2Span(
    view('speaker_selection', {
      'ag2.span.type': 'speaker_selection',
      'gen_ai.operation.name': 'speaker_selection',
      'ag2.speaker_selection.candidates': '["planner", "engineer", "critic"]',
      'ag2.speaker_selection.selected': 'engineer',
    }),
    undefined,
  );
  assert.equal(m?.attributes['agentspan.event.type'], 'handoff');
  assert.equal(m?.attributes['agentspan.handoff.to'], 'engineer');
  assert.deepEqual(JSON.parse(String(m?.attributes['agentspan.meta'])), { framework: 'ag2', speaker_selection: true, candidates: ['planner', 'engineer', 'critic'] });
});

test('conversations: the root is the run (initiate_chats too), a nested one a node', () => {
  const conv = { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation', 'gen_ai.agent.name': 'manager' };
  assert.equal(mapAg2Span(view('conversation manager', conv, true), undefined)?.attributes['agentspan.event.type'], 'run');
  const nested = mapAg2Span(view('conversation checking_agent', conv), undefined);
  assert.equal(nested?.attributes['agentspan.event.type'], 'node');
  assert.equal(nested?.attributes['agentspan.node.type'], 'conversation');
  assert.equal(nested?.attributes['agentspan.node.id'], 'a1b2c3d4e5f60718');
  const multi = mapAg2Span(view('initiate_chats', { 'ag2.span.type': 'multi_conversation', 'ag2.chats.ids': '["1", "2"]' }, true), undefined);
  assert.equal(multi?.attributes['agentspan.run.mode'], 'ag2.initiate_chats');
  assert.deepEqual(JSON.parse(String(multi?.attributes['agentspan.meta'])).chat_ids, ['1', '2']);
});

test('a code execution whose agent turn came in another request: exit code and output, no code; a non-zero exit is an error', () => {
  const m = mapAg2Span(
    view('execute_code executor', { 'ag2.span.type': 'code_execution', 'ag2.code_execution.exit_code': 1, 'ag2.code_execution.output': 'Traceback ...', 'error.type': 'CodeExecutionError' }),
    undefined,
  );
  assert.equal(m?.attributes['agentspan.event.type'], 'code_exec');
  assert.equal(m?.attributes['agentspan.code.exit_code'], 1);
  assert.equal(m?.attributes['agentspan.code.content'], undefined);
  assert.equal(m?.attributes['agentspan.error.detected'], true);
  assert.equal(m?.attributes['agentspan.status'], 'failed');
});

test('the code comes from the latest input message with fenced blocks (all its blocks, in order)', () => {
  const found = codeFromMessages([
    msg('user', 'Write it.'),
    msg('assistant', 'Step one:\n```python\nx = 1\n```\nand two:\n```python\nprint(x)\n```'),
    msg('user', 'no code here'),
  ]);
  assert.deepEqual(found && { code: found.code, language: found.language }, { code: 'x = 1\n\nprint(x)', language: 'python' });
  assert.equal(codeFromMessages([msg('user', 'nothing')]), undefined);
});

test('LLM spans are withheld from the GenAI mapping; tools are left to it; spans typed already are not touched', () => {
  assert.deepEqual(mapAg2Span(view('chat gpt-4o', { 'ag2.span.type': 'llm', 'gen_ai.operation.name': 'chat' }), undefined)?.withhold, ['gen_ai.operation.name']);
  const t = mapAg2Span(view('execute_tool f', { 'ag2.span.type': 'tool', 'gen_ai.operation.name': 'execute_tool' }), undefined);
  assert.deepEqual(t?.attributes, {});
  assert.equal(mapAg2Span(view('x', { 'ag2.span.type': 'agent', 'agentspan.event.type': 'agent_call' }), undefined), undefined);
  assert.equal(mapAg2Span(view('x', { 'gen_ai.operation.name': 'invoke_agent' }), undefined), undefined);
});

test('an agent turn whose reply is a tool call: the calls as JSON content, has_tool_calls', () => {
  const m = mapAg2Span(
    view('invoke_agent engineer', {
      'ag2.span.type': 'agent',
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'search', arguments: { q: 'x' } }] }]),
    }),
    undefined,
  );
  assert.equal(m?.attributes['agentspan.message.has_tool_calls'], true);
  assert.deepEqual(JSON.parse(String(m?.attributes['agentspan.message.content'])), { tool_calls: [{ id: 'c1', name: 'search', arguments: { q: 'x' } }] });
});
