/** Every value the serialiser emits is charged to the content budget: nothing is free, so nothing is unbounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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

test('property: JSON content stays within the budget, escapes and long numbers included (a cut adds at most a mark per level)', () => {
  // Characters JSON writes as 2 or 6 (NUL, a quote, a lone surrogate) and numbers of up to 24 digits:
  // charged one character or 8 apiece, a budget of 1 000 let through text six times as long.
  const text = fc.string({ unit: fc.constantFrom('\u0000', '"', '\\', '\n', '\u001f', '\ud800', '\udc00', '😀', 'a'), maxLength: 300 });
  const leaf = fc.oneof(text, fc.double(), fc.integer(), fc.constant(null), fc.boolean());
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 20 }), fc.dictionary(text, tie('node'), { maxKeys: 8 })),
  })).node;
  // Per level of nesting cut short: a key cut with its mark and its value (a number is written whole),
  // the level's own mark (`"…":"…[truncated]"`) and closing bracket.
  const perLevel = 64;
  fc.assert(
    fc.property(value, fc.integer({ min: 16, max: 3000 }), (v, max) => {
      const { json } = safeJson(v, max);
      const depth = maxDepth(JSON.parse(json) as unknown);
      assert.ok(json.length <= max + perLevel * (depth + 1), `${json.length} characters for a budget of ${max} (depth ${depth})`);
    }),
    { numRuns: 2000 },
  );
  // A string of NULs: cut where its escapes reach the budget, not where its characters do.
  const nuls = safeJson({ s: '\u0000'.repeat(100_000) }, 1000);
  assert.equal(nuls.truncated, true);
  assert.ok(nuls.json.length <= 1000 + perLevel, `${nuls.json.length}`);
  assert.ok(nuls.json.length >= 1000 - 6, 'the budget is used, not left empty');
});

function maxDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let d = 0;
  for (const x of Object.values(v)) d = Math.max(d, maxDepth(x));
  return d + 1;
}

test('property: Errors and Maps are charged what JSON writes for them (keys, quotes, pair brackets), so many of them stay within the budget', () => {
  // `{"name":…,"message":…}` was charged without its keys, a Map's number keys without the quotes
  // an object key gets, and pairs `[k,v]` without their brackets: 10 000 Errors with a budget of
  // 1 000 gave 2 300 characters, a Map of number keys 1 400.
  const perLevel = 64;
  const empty = (): Error => Object.assign(new Error(''), { name: '' });
  const wide: Record<string, unknown> = {
    errors: Array.from({ length: 10_000 }, empty),
    settled: Array.from({ length: 10_000 }, () => ({ status: 'rejected', reason: new Error('x') })),
    numberKeys: new Map(Array.from({ length: 10_000 }, (_, i) => [i, 0])),
    objectKeys: new Map(Array.from({ length: 10_000 }, () => [{}, 0])),
    mixedKeys: new Map<unknown, unknown>([...Array.from({ length: 5_000 }, (_, i): [unknown, unknown] => [`k${i}`, 0]), [true, 0]]),
  };
  for (const [name, v] of Object.entries(wide)) {
    const { json, truncated } = safeJson(v, 1000);
    assert.equal(truncated, true, name);
    const depth = maxDepth(JSON.parse(json) as unknown);
    assert.ok(json.length <= 1000 + perLevel * (depth + 1), `${name}: ${json.length} characters for a budget of 1000 (depth ${depth})`);
  }
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant({}));
  const leaf = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.constant(null),
    fc.string({ maxLength: 10 }).map((m) => new Error(m)),
    fc.tuple(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })).map(([n, m]) => Object.assign(new Error(m), { name: n })),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 40 }),
      fc.array(fc.tuple(key, tie('node')), { maxLength: 40 }).map((pairs) => new Map(pairs)),
      fc.array(tie('node'), { maxLength: 40 }).map((items) => new Set(items)),
    ),
  })).node;
  fc.assert(
    fc.property(value, fc.integer({ min: 16, max: 400 }), (v, max) => {
      const { json } = safeJson(v, max);
      const depth = maxDepth(JSON.parse(json) as unknown);
      assert.ok(json.length <= max + perLevel * (depth + 1), `${json.length} characters for a budget of ${max} (depth ${depth})`);
    }),
    { numRuns: 3000 },
  );
});

test('metadata merged at the end stays within maxContentChars: the end keys first, then what fits of the start', () => {
  // Each side within the budget, merged they were twice it.
  const max = 1000;
  const { recorder, spans } = setup({ maxContentChars: max });
  const start = { plan: 'p'.repeat(900), team: 'core' };
  const end = { summary: 's'.repeat(900), team: 'infra' };
  const run = recorder.startRun({ runId: 'merge', mode: 'merge', metadata: start });
  const node = run.startNode('n', { metadata: start });
  node.beginToolCall({ agent: 'a', tool: 'slow', metadata: start }).end({ result: 'ok', metadata: end });
  node.end({ metadata: end });
  run.end({ metadata: end });
  // Small metadata still merges whole, in the start's key order, and is not marked truncated.
  const small = recorder.startRun({ runId: 'merge-small', mode: 'small', metadata: { a: 1, b: 2 } });
  small.end({ metadata: { b: 3, c: 4 } });
  for (const name of ['invoke_workflow merge', 'node n', 'execute_tool slow']) {
    const span = byName(spans(), name);
    const text = String(span.attributes[Attr.ATTR_USER_META]);
    assert.ok(text.length <= max + 64 * 2, `${name}: ${text.length} characters for a budget of ${max}`);
    const meta = JSON.parse(text) as Record<string, unknown>;
    assert.equal(meta['summary'], end.summary, `${name}: the end's member is whole`);
    assert.equal(meta['team'], 'infra', `${name}: the end wins a shared key`);
    assert.equal(span.attributes[Attr.ATTR_TRUNCATED], true, `${name} is marked truncated`);
  }
  const merged = byName(spans(), 'invoke_workflow small');
  assert.equal(merged.attributes[Attr.ATTR_USER_META], '{"a":1,"b":3,"c":4}');
  assert.equal(merged.attributes[Attr.ATTR_TRUNCATED], undefined);
});

test("merged metadata over the budget keeps the end's members first even when the start's keys are integers (which objects list first)", () => {
  const max = 1000;
  const { recorder, spans } = setup({ maxContentChars: max });
  // `2024` is an array index to JavaScript: any object built from these lists it before `summary`.
  recorder.startRun({ runId: 'merge-int', mode: 'int', metadata: { 2024: 'p'.repeat(900), team: 'core' } }).end({ metadata: { summary: 's'.repeat(900), team: 'infra' } });
  const span = byName(spans(), 'invoke_workflow int');
  const meta = JSON.parse(String(span.attributes[Attr.ATTR_USER_META])) as Record<string, unknown>;
  assert.equal(meta['summary'], 's'.repeat(900), "the end's member is whole");
  assert.equal(meta['team'], 'infra', 'the end wins a shared key, and keeps it');
  assert.ok(String(meta['2024'] ?? '').length < 900, "the start's member is what is cut");
  assert.equal(span.attributes[Attr.ATTR_TRUNCATED], true);
});

test("property: merged metadata is JSON; whole when it fits; over the budget, an end that fits a third of it is kept whole, whatever the keys", () => {
  // Integer-like keys (listed first by any object) and `__proto__` (which assignment would drop) among the others.
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '7', '2024', '__proto__', 'team'));
  const meta = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
  /** `{ ...a, ...b }` with `__proto__` as a member, as JSON.parse reads it. */
  const assign = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const out = JSON.parse(JSON.stringify(a)) as Record<string, unknown>;
    for (const k of Object.keys(b)) Object.defineProperty(out, k, { value: b[k], enumerable: true, writable: true, configurable: true });
    return out;
  };
  fc.assert(
    fc.property(meta, meta, fc.integer({ min: 20, max: 600 }), (startGiven, endGiven, max) => {
      const { recorder, spans } = setup({ maxContentChars: max });
      recorder.startRun({ mode: 'start', metadata: startGiven }).end();
      recorder.startRun({ mode: 'end', metadata: endGiven }).end();
      // Each side as recorded alone (already within the budget): what the merge starts from.
      const start = JSON.parse(String(byName(spans(), 'invoke_workflow start').attributes[Attr.ATTR_USER_META])) as Record<string, unknown>;
      const endText = String(byName(spans(), 'invoke_workflow end').attributes[Attr.ATTR_USER_META]);
      const end = JSON.parse(endText) as Record<string, unknown>;
      recorder.startRun({ mode: 'merged', metadata: startGiven }).end({ metadata: endGiven });
      const span = byName(spans(), 'invoke_workflow merged');
      const text = String(span.attributes[Attr.ATTR_USER_META]);
      const merged = JSON.parse(text) as Record<string, unknown>;
      const whole = JSON.stringify(assign(start, end));
      if (whole.length <= max) {
        assert.equal(text, whole);
        return;
      }
      if (endText.length * 3 <= max) {
        for (const k of Object.keys(end)) assert.deepEqual(merged[k], end[k], `${k} of ${endText} in ${text}`);
      }
      // Whatever was cut is marked (safeJson's budget is approximate: what fits it whole is kept whole).
      if (span.attributes[Attr.ATTR_TRUNCATED] !== true) assert.deepEqual(merged, JSON.parse(whole));
    }),
    { numRuns: 1000 },
  );
});
