/**
 * A model turn's output from another instrumentation is read only as far as
 * a row can keep it: its first `2 × maxContentChars + 64 KiB` characters. The
 * processor runs on the application's thread, and a 25 MB
 * `gen_ai.output.messages` parsed and written out whole, to keep 1 MB of it,
 * cost the host hundreds of milliseconds (about a second on a slow host).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import { TRUNCATION_MARK } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { closedJsonPrefix, membersAfterStop, type PrefixStop } from '../src/json-prefix.js';
import { setup } from './helpers.js';

const MB = 1024 * 1024;

/** A GenAI output of about `bytes` characters: text parts of `lines` × 20 characters (quotes and newlines to escape), a tool call every tenth part. */
function output(bytes: number, tail = '', lines = 500): string {
  const text = JSON.stringify({ type: 'text', content: 'The answer is "42".\n'.repeat(lines) });
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const part = i % 10 === 9 ? JSON.stringify({ type: 'tool_call', id: `call_${i}${tail}`, name: 'lookup', arguments: { q: i } }) : text;
    parts.push(part);
    length += part.length + 1;
  }
  return `[{"role":"assistant","parts":[${parts.join(',')}]}]`;
}

/** The keys the turn's row is made from, after the processor. */
const MAPPED = [Attr.ATTR_MESSAGE_CONTENT, Attr.ATTR_MESSAGE_LENGTH, Attr.ATTR_MESSAGE_HAS_TOOL_CALLS, Attr.ATTR_USER_META, Attr.ATTR_TRUNCATED];

function turn(messages: string, options: { redaction?: false; maxContentChars?: number } = {}): { mapped: Attributes; ms: number } {
  const { provider, processor, spans } = setup(options);
  const span = provider.getTracer('other').startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' } });
  span.setAttribute('gen_ai.output.messages', messages);
  const started = performance.now();
  span.end();
  const ms = performance.now() - started;
  assert.equal(processor.stats().failures, 0);
  const a = spans()[0]!.attributes;
  const mapped: Attributes = {};
  for (const key of MAPPED) if (a[key] !== undefined) mapped[key] = a[key];
  return { mapped, ms };
}

test('a 25 MB turn output gives the row its first part gives: nothing past the read bound is parsed', () => {
  const whole = output(25 * MB);
  // Its first 3 MB alone are no JSON (cut inside a part): read whole, they would be an unparsed output.
  const first = whole.slice(0, 3 * MB);
  const a = turn(whole).mapped;
  assert.deepEqual(turn(first).mapped, a);
  // And a different tail past the bound changes nothing either (here: other tool-call ids).
  assert.deepEqual(turn(whole.slice(0, 2_200_000) + output(3 * MB, '_other').slice(1)).mapped, a);
  const content = String(a[Attr.ATTR_MESSAGE_CONTENT]);
  assert.equal(content.length, 1_000_000 + TRUNCATION_MARK.length, 'the message keeps maxContentChars, marked where cut');
  assert.ok(content.endsWith(TRUNCATION_MARK), content.slice(-40));
  assert.equal(a[Attr.ATTR_TRUNCATED], true);
  const meta = JSON.parse(String(a[Attr.ATTR_USER_META])) as Record<string, unknown>;
  assert.equal(meta['output_truncated'], true, 'the row says the output was read in part');
  assert.ok(Array.isArray(meta['tool_calls']) && (meta['tool_calls'] as unknown[]).length > 10, 'the tool calls read are kept');
  assert.equal(meta['output_unparsed'], undefined);
});

test('an output that fits the read bound is read whole as before (no output_truncated), one just past it in part', () => {
  const max = 10_000;
  const bound = 2 * max + 65_536;
  const small = output(bound - 5_000, '', 20);
  assert.ok(small.length <= bound, String(small.length));
  const a = turn(small, { maxContentChars: max }).mapped;
  const meta = JSON.parse(String(a[Attr.ATTR_USER_META])) as Record<string, unknown>;
  assert.equal(meta['output_truncated'], undefined);
  const calls = (small.match(/"tool_call"/g) ?? []).length;
  assert.ok(calls > 10, `${calls} tool calls`);
  assert.equal((meta['tool_calls'] as unknown[] | undefined)?.length ?? meta['tool_call_count'], calls, 'every tool call read');
  const big = output(bound + 5_000, '', 20);
  const b = turn(big, { maxContentChars: max }).mapped;
  const bigMeta = JSON.parse(String(b[Attr.ATTR_USER_META])) as Record<string, unknown>;
  assert.equal(bigMeta['output_truncated'], true);
  assert.equal(b[Attr.ATTR_TRUNCATED], true);
});

test("the processor's time on a turn output is bounded: 25 MB costs a small multiple of 1 MB, not 25 times it", () => {
  const best = (messages: string): number => {
    let min = Infinity;
    for (let i = 0; i < 5; i++) min = Math.min(min, turn(messages, { redaction: false }).ms);
    return min;
  };
  const oneMb = output(1 * MB);
  const big = output(25 * MB);
  best(oneMb); // warm up
  const ratio = best(big) / best(oneMb);
  // Read whole (parse, exact numbers, stringify) it was about 30; read to the bound (2 MB) about 2.
  assert.ok(ratio < 8, `25 MB took ${ratio.toFixed(1)} times as long as 1 MB`);
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether every string in a parsed value (keys too) holds no lone surrogate. */
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value !== null && typeof value === 'object') return Object.entries(value).every(([k, v]) => wellFormed(k) && wellFormed(v));
  return true;
}

test('closedJsonPrefix closes what it cuts: a value string kept up to the cut, never inside an escape or a surrogate pair; a key, number or literal cut left out', () => {
  const cases: [string, number, string | undefined][] = [
    ['[{"a":"hello world"}]', 12, '[{"a":"hello"}]'],
    ['[{"a":"x\\n\\u0041yz"}]', 9, '[{"a":"x"}]'],
    ['[{"a":"x\\n\\u0041yz"}]', 12, '[{"a":"x\\n"}]'],
    ['[{"a":"x\\n\\u0041yz"}]', 16, '[{"a":"x\\n\\u0041"}]'],
    ['["\\ud83d\\ude00 ok"]', 8, '[""]'],
    ['["a\\\\"]', 4, '["a"]'],
    ['["a\\\\"]', 5, '["a\\\\"]'],
    ['[{"a":1,"bcd":2}]', 10, '[{"a":1}]'],
    ['[{"a":1,"b":23}]', 14, '[{"a":1}]'],
    ['[{"a":1,"b":23}]', 15, '[{"a":1,"b":23}]'],
    ['[true,fals', 10, '[true]'],
    ['[[[', 3, '[[[]]]'],
    ['  {"k":[1,2', 11, '  {"k":[1]}'],
    ['"a string"', 5, undefined],
    ['[' + '['.repeat(600), 601, undefined],
    ['[1] trailing', 8, '[1]'],
  ];
  for (const [text, limit, expected] of cases) {
    const closed = closedJsonPrefix(text, limit);
    assert.equal(closed, expected, `${text} cut at ${limit}`);
    if (closed !== undefined) assert.doesNotThrow(() => JSON.parse(closed), closed);
  }
  // Any cut of a real document closes into JSON whose strings are prefixes of the originals.
  const doc = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'a "b"\n\\ 😀 é\u0001' }, { type: 'tool_call', id: 'c1', arguments: { n: 12.5, ok: true, v: null } }] }]);
  for (let limit = 1; limit <= doc.length; limit++) {
    const closed = closedJsonPrefix(doc, limit);
    assert.ok(closed !== undefined, `cut at ${limit}`);
    const parsed = JSON.parse(closed) as unknown;
    assert.ok(Array.isArray(parsed), `cut at ${limit}: ${closed}`);
    assert.ok(wellFormed(parsed), `cut at ${limit} keeps half an emoji: ${closed}`);
  }
});

/** JSON arrays and objects whose strings hold any text: escapes (control characters), emoji, other scripts. */
const documents = fc.constantFrom('grapheme' as const, 'binary' as const).chain((unit) => {
  const value = fc.jsonValue({ stringUnit: unit });
  return fc.oneof(fc.array(value), fc.dictionary(fc.string({ unit }), value));
});

test('property: any cut of any JSON array or object closes into JSON, read from at most the limit, whole when the limit holds it', () => {
  fc.assert(
    fc.property(documents, fc.boolean(), fc.nat(), (value, pretty, at) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined);
      const limit = 1 + (at % (text.length + 2));
      const closed = closedJsonPrefix(text, limit);
      assert.ok(closed !== undefined, `${text} cut at ${limit}`);
      const parsed = JSON.parse(closed) as unknown;
      assert.equal(Array.isArray(parsed), Array.isArray(value));
      assert.ok(wellFormed(parsed), closed);
      if (limit >= text.length) assert.equal(closed, text, 'a document within the limit is itself');
      // What it keeps is read from the first `limit` characters: a different tail changes nothing.
      assert.equal(closedJsonPrefix(text.slice(0, limit) + '}"]x', limit), closed);
    }),
    { numRuns: 500 },
  );
});

/** The mapped keys of a turn span of any convention: `start` attributes at its start, `end` set before it ends. */
function turnOf(name: string, start: Attributes, end: Attributes, maxContentChars: number): Attributes {
  const { provider, processor, spans } = setup({ maxContentChars });
  const span = provider.getTracer('other').startSpan(name, { attributes: start });
  span.setAttributes(end);
  span.end();
  assert.equal(processor.stats().failures, 0);
  const a = spans()[0]!.attributes;
  const mapped: Attributes = {};
  for (const key of MAPPED) if (a[key] !== undefined) mapped[key] = a[key];
  return mapped;
}

function metaOf(a: Attributes): Record<string, unknown> {
  return JSON.parse(String(a[Attr.ATTR_USER_META])) as Record<string, unknown>;
}

test('a response text sent on its own stays unmarked when only the tool calls were read in part (AI SDK, OpenInference, OpenLLMetry)', () => {
  const max = 1_000;
  const huge = 'x'.repeat(2 * max + 65_536 + 1);
  const said = 'Uploaded; the report is in out/report.md';
  const cases: [string, Attributes, Attributes][] = [
    ['ai.generateText.doGenerate', { 'ai.operationId': 'ai.generateText.doGenerate' }, { 'ai.response.text': said, 'ai.response.toolCalls': JSON.stringify([{ toolCallId: 'c1', toolName: 'write', args: huge }]) }],
    ['ai.generateText.doGenerate', { 'ai.operationId': 'ai.generateText.doGenerate' }, { 'ai.response.text': said, 'ai.response.toolCalls': JSON.stringify([{ toolCallId: 'c1', toolName: 'write', input: { body: huge } }]) }],
    ['llm', { 'openinference.span.kind': 'LLM' }, { 'llm.output_messages.0.message.content': said, 'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'c1', 'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': huge }],
    ['chat m', { 'llm.request.type': 'chat' }, { 'gen_ai.completion.0.content': said, 'gen_ai.completion.0.tool_calls.0.id': 'c1', 'gen_ai.completion.0.tool_calls.0.arguments': huge }],
  ];
  for (const [name, start, end] of cases) {
    const a = turnOf(name, start, end, max);
    assert.equal(a[Attr.ATTR_MESSAGE_CONTENT], said, `${name}: the text was read whole, nothing of it is cut`);
    assert.equal(a[Attr.ATTR_MESSAGE_LENGTH], said.length);
    assert.equal(metaOf(a)['output_truncated'], true, `${name}: the tool calls were read in part`);
    assert.equal(a[Attr.ATTR_TRUNCATED], true);
  }
});

test("an output read in part whose parts put `type` last (OpenTelemetry Python GenAI types: `{content, type}`, `{arguments, name, id, type}`) keeps its text and tool call", () => {
  const max = 1_000;
  const bound = 2 * max + 65_536;
  const answer = 'The answer is "42".\n'.repeat(Math.ceil((bound + 10_000) / 20));
  // Text cut by the bound: its `type` comes after it, past the bound.
  const text = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ content: answer, type: 'text' }], finish_reason: 'stop' }]) }, max);
  assert.equal(text[Attr.ATTR_MESSAGE_CONTENT], answer.slice(0, max) + TRUNCATION_MARK, 'the text read, cut and marked');
  assert.equal(metaOf(text)['output_truncated'], true);
  assert.equal(metaOf(text)['output_unparsed'], undefined, 'the output is JSON, read in part');
  // Reasoning is no text, whatever its key order: cut there, the output read holds no text.
  const reasoning = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ content: answer, type: 'reasoning' }] }]) }, max);
  assert.notEqual(reasoning[Attr.ATTR_MESSAGE_CONTENT], answer.slice(0, max) + TRUNCATION_MARK, 'reasoning is not taken for the answer');
  // A tool call cut in its arguments: kept with what was read of them.
  const call = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, {
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ content: 'Writing it.', type: 'text' }, { arguments: { path: 'out.md', body: answer }, name: 'write', id: 'c1', type: 'tool_call' }] }]),
  }, max);
  assert.equal(call[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS], true, 'the tool call cut in its arguments is a tool call');
  const calls = metaOf(call)['tool_calls'] ?? metaOf(call)['tool_call_count'];
  assert.ok(Array.isArray(calls) ? calls.length === 1 : calls === 1, JSON.stringify(metaOf(call)).slice(0, 300));
});

test('an output whose JSON ends within the read bound is read whole: blank after it is no cut, anything else makes it no JSON', () => {
  const max = 1_000;
  const bound = 2 * max + 65_536;
  const doc = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'short answer' }, { type: 'tool_call', id: 'c1', name: 'n', arguments: { a: 1 } }] }]);
  const whole = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, { 'gen_ai.output.messages': doc }, max);
  const padded = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, { 'gen_ai.output.messages': doc + ' \n'.repeat(bound) }, max);
  assert.deepEqual(padded, whole, 'trailing blank past the bound changes nothing');
  const trailing = turnOf('chat m', { 'gen_ai.operation.name': 'chat' }, { 'gen_ai.output.messages': doc + ' '.repeat(100) + 'x'.repeat(bound) }, max);
  assert.equal(metaOf(trailing)['output_unparsed'], true, 'text after the JSON makes the output no JSON, as read whole');
  assert.equal(metaOf(trailing)['output_truncated'], undefined);
});

test('property: membersAfterStop reads the members after the one the limit cut in an object, whatever the cut (a string value, a key, a number, between members)', () => {
  const key = fc.string({ unit: 'binary', maxLength: 8 }).map((k) => 'k' + k); // never an index: objects keep the order written
  const members = fc.uniqueArray(fc.tuple(key, fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 6, selector: (m) => m[0] });
  fc.assert(
    fc.property(members, fc.nat(), fc.boolean(), (list, at, pretty) => {
      const object = Object.fromEntries(list);
      const text = JSON.stringify([object], null, pretty ? 1 : undefined);
      const limit = 1 + (at % text.length);
      const stop: PrefixStop = { depth: 0, keptEnd: 0 };
      const closed = closedJsonPrefix(text, limit, stop);
      if (closed === undefined || stop.depth !== 2) return; // the cut is not at the object's own level
      const read = JSON.parse(closed) as Record<string, unknown>[];
      const kept = Object.keys(read[0] ?? {});
      // The member the limit fell in is the last kept (a string value cut short) or the first not kept.
      const cutAt = kept.length; // a string value cut short is kept (the last), any other cut member is not: the members read start after those kept
      const after = membersAfterStop(text, stop, 1 << 20);
      const expected = JSON.parse(JSON.stringify(Object.fromEntries(list.slice(cutAt)))) as unknown; // as written (-0 is 0)
      if (after === undefined) assert.deepEqual(expected, {}, `${text} cut at ${limit}`);
      else assert.deepEqual(JSON.parse(after), expected, `${text} cut at ${limit}`);
    }),
    { numRuns: 2000 },
  );
});
