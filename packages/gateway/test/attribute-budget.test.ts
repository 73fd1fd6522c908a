/**
 * keepDecidingAttributes: past the limit, the keys agentspan reads are kept
 * first, then the message keys under its prefixes, then the others; the
 * count dropped is exact. A property over random mixes of keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import { Attr, ForeignAttr as F } from '@agentspan/semconv';
import { keepDecidingAttributes } from '../src/attribute-budget.js';
import { decodeJsonRequest } from '../src/otlp-decode.js';

const KNOWN = [Attr.ATTR_GEN_AI_OPERATION_NAME, Attr.ATTR_GEN_AI_AGENT_NAME, Attr.ATTR_GEN_AI_CONVERSATION_ID, Attr.ATTR_RUN_ID, F.ATTR_AG2_SPAN_TYPE, F.ATTR_OPENINFERENCE_SPAN_KIND, F.ATTR_AI_OPERATION_ID];
const CONFIGURED = 'my.run.key';

type Tier = 'known' | 'prefix' | 'other';

function tierOf(key: string): Tier {
  if (KNOWN.includes(key) || key === CONFIGURED) return 'known';
  if (key.startsWith(Attr.PREFIX_GEN_AI_PROMPT) || key.startsWith(F.PREFIX_OI_LLM_OUTPUT_MESSAGES)) return 'prefix';
  return 'other';
}

const key = fc.oneof(
  fc.constantFrom(...KNOWN, CONFIGURED),
  fc.nat(50).map((i) => `${Attr.PREFIX_GEN_AI_PROMPT}${i}.content`),
  fc.nat(50).map((i) => `${F.PREFIX_OI_LLM_OUTPUT_MESSAGES}${i}.message.content`),
  fc.nat(80).map(String), // keys that look like array indices: listed first by JavaScript
  fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
);

test('property: at most `limit` keys, known ones first, then prefixed, then others; values unchanged; the drop counted exactly', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (entries, limit) => {
      const given: Attributes = {};
      for (const [k, v] of entries) given[k] = v;
      const n = Object.keys(given).length;
      const { attributes, dropped } = keepDecidingAttributes(given, limit, [CONFIGURED, undefined]);
      if (n <= limit) {
        assert.equal(attributes, given, 'within the limit: the same object, nothing copied');
        assert.equal(dropped, 0);
        return;
      }
      const kept = Object.keys(attributes);
      assert.equal(kept.length, limit);
      assert.equal(dropped, n - limit);
      for (const k of kept) assert.equal(attributes[k], given[k]);
      const rank: Record<Tier, number> = { known: 0, prefix: 1, other: 2 };
      const worstKept = Math.max(...kept.map((k) => rank[tierOf(k)]));
      for (const k of Object.keys(given)) {
        if (!(k in attributes)) assert.ok(rank[tierOf(k)] >= worstKept, `${k} (${tierOf(k)}) dropped while a lower tier was kept`);
      }
    }),
    { numRuns: 2000 },
  );
});

test('the deciding keys last, behind thousands of others (index-like keys too): they are the ones kept', () => {
  const given: Attributes = {};
  for (let i = 0; i < 5000; i++) given[String(i)] = i;
  given['gen_ai.operation.name'] = 'chat';
  given['gen_ai.conversation.id'] = 'c';
  const { attributes, dropped } = keepDecidingAttributes(given, 4096);
  assert.equal(attributes['gen_ai.operation.name'], 'chat');
  assert.equal(attributes['gen_ai.conversation.id'], 'c');
  assert.equal(Object.keys(attributes).length, 4096);
  assert.equal(dropped, 5002 - 4096);
});

test('an attribute named __proto__ holding an array (the decoder\'s object takes it as its prototype) adds none of its elements past the limit', () => {
  // What the OTLP/JSON decoder gives for such a span: `{ "key": "__proto__", "value": { "arrayValue": ... } }`.
  const values = Array.from({ length: 5000 }, (_, i) => ({ stringValue: `v${i}` }));
  const body = {
    resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: '0102030405060708090a0b0c0d0e0f10',
      spanId: '0102030405060708',
      name: 'chat',
      attributes: [
        { key: '__proto__', value: { arrayValue: { values } } },
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'app.a', value: { stringValue: 'a' } },
        { key: 'app.b', value: { stringValue: 'b' } },
      ],
    }] }] }],
  };
  const received = decodeJsonRequest(new TextEncoder().encode(JSON.stringify(body))).spans[0]?.attributes ?? {};
  const own = Object.keys(received);
  // Within the limit: the span's own keys are all it has, as before.
  assert.equal(keepDecidingAttributes(received, 4096).dropped, 0);
  const { attributes, dropped } = keepDecidingAttributes(received, 2);
  assert.deepEqual(Object.keys(attributes), ['gen_ai.operation.name', 'app.a'], 'only keys the span has, none inherited from the array');
  assert.equal(dropped, own.length - 2);
});
