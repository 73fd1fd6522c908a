import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { Attr, EventType } from '@agentspan/semconv';
import { PostgresExecutionEventExporter, sanitizeRow, sanitizeString, sanitizeValue } from '../src/index.js';
import { exportSpans, spanFactory } from './helpers.js';
import type { MappedRow } from '../src/index.js';
import { isCleanString } from '../src/sanitize.js';

/** Any UTF-16 code unit, with NUL and surrogate halves made frequent. */
const codeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00) },
);
const nastyString = fc.array(codeUnit, { maxLength: 24 }).map((units) => String.fromCharCode(...units));
const nastyJson = fc.object({
  key: nastyString,
  values: [nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)],
  maxDepth: 3,
});

/**
 * What Postgres refuses in a string: a NUL or a lone surrogate. The tests' oracle, written
 * differently from the implementation (one regex, no native string methods).
 */
const HOSTILE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isClean(s: string): boolean {
  return !HOSTILE.test(s);
}

/** Every string in a JSON value (keys too). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}

describe('sanitizeString', () => {
  it('replaces NUL and lone surrogates, keeps pairs and clean strings', () => {
    assert.equal(sanitizeString('a\u0000b'), 'a\uFFFDb');
    assert.equal(sanitizeString('\uD800x\uDC00'), '\uFFFDx\uFFFD');
    assert.equal(sanitizeString('😀'), '😀');
    assert.equal(sanitizeString('\uD83D'), '\uFFFD');
    const clean = 'plain text';
    assert.equal(sanitizeString(clean), clean);
  });

  it('property: output never contains NUL or lone surrogates, and clean input is unchanged', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        const out = sanitizeString(s);
        assert.ok(isClean(out));
        assert.equal(out.length, s.length, 'replacement keeps the length');
        if (isClean(s)) assert.equal(out, s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sanitizeValue and __proto__', () => {
  it('keeps a key named __proto__ as an own key, cleaned, and changes no prototype', () => {
    const input = JSON.parse('{"__proto__": {"a": "x\\u0000"}, "b": 1}') as object;
    const { value, changed } = sanitizeValue(input);
    assert.equal(changed, true);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { a: 'x\uFFFD' });
    assert.equal(JSON.stringify(value), '{"__proto__":{"a":"x\uFFFD"},"b":1}');
  });
});

describe('isCleanString', () => {
  it('property: true exactly when the string has no NUL and no lone surrogate, i.e. when sanitizeString keeps it', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        assert.equal(isCleanString(s), isClean(s));
        assert.equal(isCleanString(s), sanitizeString(s) === s);
      }),
      { numRuns: 3000 },
    );
  });

  it('edge cases: pairs at the ends, halves at the ends, NUL alone, one-byte and two-byte strings', () => {
    for (const [s, clean] of [
      ['', true],
      ['\u0000', false],
      ['caf\u00e9', true],
      ['\uD83D\uDE00', true],
      ['x\uD83D', false],
      ['\uDE00x', false],
      ['\uDE00\uD83D', false],
      ['\u4e2d\u6587\u0000', false],
      ['\u4e2d\u6587', true],
    ] as const) {
      assert.equal(isCleanString(s), clean, JSON.stringify(s));
    }
  });
});

describe('sanitizeValue', () => {
  it('cleans keys and nested values and reports the change', () => {
    const r = sanitizeValue({ 'k\u0000': ['\uD800', { x: 'ok' }], n: 1 });
    assert.deepEqual(r.value, { 'k\uFFFD': ['\uFFFD', { x: 'ok' }], n: 1 });
    assert.equal(r.changed, true);
    assert.equal(sanitizeValue({ a: ['b'] }).changed, false);
  });

  it('is cycle-safe and bounded in depth and size', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const r = sanitizeValue(cyclic);
    assert.deepEqual(r.value, { a: 1, self: '[agentspan: circular]' });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = [deep];
    assert.match(JSON.stringify(sanitizeValue(deep).value), /max depth/);
    const wide = Array.from({ length: 200_000 }, (_, i) => i);
    const w = sanitizeValue(wide);
    assert.equal(w.changed, true);
    assert.match(JSON.stringify(w.value), /max size/);
    // shared (non-cyclic) references are fine
    const shared = { x: 1 };
    assert.deepEqual(sanitizeValue([shared, shared]).value, [{ x: 1 }, { x: 1 }]);
  });

  it('stops at maxNodes: one marker where it stopped, nothing after it, flagged as truncated (not cleaned)', () => {
    const r = sanitizeValue(new Array(2_000_000).fill(0));
    const out = r.value as unknown[];
    assert.equal(out.length, 100_000, 'the array node and 99 999 items, then the marker in place of the next');
    assert.equal(out.filter((x) => x === '[agentspan: max size]').length, 1);
    assert.equal(out[out.length - 1], '[agentspan: max size]');
    assert.equal(r.truncated, true);
    assert.equal(r.cleaned, false);
    assert.equal(r.changed, true);
    // The size counts what is emitted, so a size check (maxRowSize) sees the real row.
    assert.ok(JSON.stringify(r.value).length <= r.size, `${JSON.stringify(r.value).length} > ${r.size}`);
    // Keys after the cut are left out too, in every open container.
    const nested = sanitizeValue({ big: Array.from({ length: 10 }, (_, i) => i), after: 'x', more: [1] }, { maxDepth: 64, maxNodes: 5 });
    assert.deepEqual(nested.value, { big: [0, 1, 2, '[agentspan: max size]'] });
    // A sparse array of ten million holes is copied only up to the limit.
    assert.equal((sanitizeValue(new Array(1e7)).value as unknown[]).length, 100_000);
  });

  it('reports a depth cut as truncated, a cleaned string as cleaned', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5; i++) deep = [deep];
    const d = sanitizeValue(deep, { maxDepth: 3, maxNodes: 100 });
    assert.deepEqual([d.truncated, d.cleaned], [true, false]);
    const c = sanitizeValue({ a: 'x\u0000' });
    assert.deepEqual([c.truncated, c.cleaned], [false, true]);
  });

  it('drops what JSON cannot hold', () => {
    const r = sanitizeValue({ u: undefined, f: () => 1, n: Number.NaN, b: 10n, d: new Date(0) });
    assert.deepEqual(r.value, { n: null, b: '10', d: '1970-01-01T00:00:00.000Z' });
  });

  it('property: no string anywhere (keys included) contains NUL or a lone surrogate', () => {
    fc.assert(
      fc.property(nastyJson, (v) => {
        const out = sanitizeValue(v).value;
        for (const s of strings(out)) assert.ok(isClean(s), JSON.stringify(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('sanitizeValue: keys that clean to the same text', () => {
  /** Keys made of a few code units, among them NUL, lone surrogates and U+FFFD itself: collisions are frequent. */
  const collidingKey = fc
    .array(fc.constantFrom(0x61, 0x7e, 0, 0xd800, 0xd801, 0xdc00, 0xfffd), { maxLength: 3 })
    .map((units) => String.fromCharCode(...units));
  const leaf = fc.oneof(fc.integer(), nastyString, fc.boolean(), fc.constant(null));
  const collidingJson = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), fc.array(tie('node'), { maxLength: 3 })),
    object: fc.dictionary(collidingKey, tie('node'), { maxKeys: 6 }),
  })).object;

  /** Keys of every object and leaves, walking both the same way. */
  function census(v: unknown, out = { keys: 0, objects: 0, leaves: [] as string[] }): { keys: number; objects: number; leaves: string[] } {
    if (Array.isArray(v)) for (const x of v) census(x, out);
    else if (v !== null && typeof v === 'object') {
      out.objects++;
      for (const k of Object.keys(v)) {
        out.keys++;
        census((v as Record<string, unknown>)[k], out);
      }
    } else out.leaves.push(JSON.stringify(typeof v === 'string' ? sanitizeString(v) : v));
    return out;
  }

  it('keeps both values: {"a\\u0000": 1, "a\\ufffd": 2} and {"x\\ud800": 1, "x\\ud801": 2}, in either order', () => {
    for (const input of [
      { 'a\u0000': 1, 'a\uFFFD': 2 },
      { 'a\uFFFD': 2, 'a\u0000': 1 },
      { 'x\uD800': 1, 'x\uD801': 2 },
      { 'x\uD800': 1, 'x\uD801': 2, 'x\uFFFD': 3 },
    ]) {
      const r = sanitizeValue(input);
      const out = r.value as Record<string, unknown>;
      assert.equal(Object.keys(out).length, Object.keys(input).length, JSON.stringify(out));
      assert.deepEqual(Object.values(out).sort(), Object.values(input).sort());
      assert.equal(r.cleaned, true);
      for (const k of Object.keys(out)) assert.ok(isClean(k));
      // A clean key keeps its name and its value.
      if ('a\uFFFD' in input) assert.equal(out['a\uFFFD'], 2);
      if ('x\uFFFD' in input) assert.equal(out['x\uFFFD'], 3);
    }
    // The name a colliding key takes: its cleaned text, `~`, 16 hex digits of its hash (as cleanKey); the same every time.
    const a = sanitizeValue({ 'a\uFFFD': 2, 'a\u0000': 1 }).value as Record<string, unknown>;
    const renamed = Object.keys(a).find((k) => k !== 'a\uFFFD') as string;
    assert.match(renamed, /^a\uFFFD~[0-9a-f]{16}$/);
    assert.deepEqual(sanitizeValue({ 'a\u0000': 1, 'a\uFFFD': 2 }).value, a, 'the same names whatever the order');
    // No collision: the cleaned text alone, as before.
    assert.deepEqual(sanitizeValue({ 'k\u0000': 1, n: 2 }).value, { 'k\uFFFD': 1, n: 2 });
  });

  it('a name already taken by a clean key that looks like a renamed one is not taken over', () => {
    const first = sanitizeValue({ 'a\uFFFD': 0, 'a\u0000': 1 }).value as Record<string, unknown>;
    const renamed = Object.keys(first).find((k) => k !== 'a\uFFFD') as string;
    const r = sanitizeValue({ 'a\uFFFD': 0, [renamed]: 'clean', 'a\u0000': 1 }).value as Record<string, unknown>;
    assert.equal(Object.keys(r).length, 3);
    assert.equal(r[renamed], 'clean');
    assert.deepEqual(Object.values(r).sort(), [0, 1, 'clean'].sort());
  });

  it('terminates on a proxy that claims to have every key', () => {
    const claimsAll = new Proxy({ 'a\u0000': 1, 'a\ud800': 2 } as Record<string, unknown>, {
      getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(target, key) ?? { value: 0, enumerable: false, configurable: true, writable: true },
    });
    const out = sanitizeValue(claimsAll).value as Record<string, unknown>;
    assert.deepEqual(Object.values(out).sort(), [1, 2]);
  });

  it('property: every key and every value survives cleaning; keys clean; the same input gives the same output', () => {
    fc.assert(
      fc.property(collidingJson, (v) => {
        const r = sanitizeValue(v);
        const before = census(v);
        const after = census(r.value);
        assert.equal(after.objects, before.objects);
        assert.equal(after.keys, before.keys, JSON.stringify([v, r.value]));
        assert.deepEqual(after.leaves.sort(), before.leaves.sort());
        for (const s of strings(r.value)) assert.ok(isClean(s));
        assert.deepEqual(sanitizeValue(v).value, r.value);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: sanitizeRow keeps every key of its JSON columns and marks the row sanitized', () => {
    fc.assert(
      fc.property(collidingJson, collidingJson, (inputs, attributes) => {
        const r = sanitizeRow({ kind: 'event', row: { id: 'x', inputs, attributes, meta: {} } } as unknown as MappedRow);
        const row = r.mapped.row as unknown as Record<string, unknown>;
        assert.equal(census(row['inputs']).keys, census(inputs).keys);
        assert.equal(census(row['attributes']).keys, census(attributes).keys);
        const dirty = strings(inputs).some((x) => !isClean(x)) || strings(attributes).some((x) => !isClean(x));
        assert.equal(r.sanitized, dirty);
        if (dirty) assert.equal((row['meta'] as Record<string, unknown>)['sanitized'], true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sanitizeRow', () => {
  it('cleans text and JSON columns and sets meta.sanitized', () => {
    const mapped = {
      kind: 'node',
      row: { id: 'x', run_id: 'r\u0000', node_id: 'n', meta: { a: 1 }, order_index: 1 },
    } as unknown as MappedRow;
    const r = sanitizeRow(mapped);
    assert.equal(r.sanitized, true);
    const row = r.mapped.row as unknown as Record<string, unknown>;
    assert.match(String(row['run_id']), /^r\uFFFD~[0-9a-f]{16}$/, 'a key is cleaned apart from other keys (cleanKey)');
    assert.deepEqual(row['meta'], { a: 1, sanitized: true });
    assert.equal(row['order_index'], 1);
    const clean = sanitizeRow({ kind: 'node', row: { id: 'x', meta: {} } } as unknown as MappedRow);
    assert.equal(clean.sanitized, false);
    assert.deepEqual((clean.mapped.row as unknown as Record<string, unknown>)['meta'], {});
  });

  it('sets meta.truncated (not meta.sanitized) and names the columns a limit cut', () => {
    const mapped = {
      kind: 'event',
      row: { id: 'x', inputs: { a: 1 }, outputs: { result: Array.from({ length: 120_000 }, (_, i) => i % 10) }, meta: { m: 1 } },
    } as unknown as MappedRow;
    const r = sanitizeRow(mapped);
    assert.equal(r.sanitized, false);
    assert.deepEqual(r.truncatedColumns, ['outputs']);
    const row = r.mapped.row as unknown as Record<string, unknown>;
    assert.deepEqual(row['meta'], { m: 1, truncated: true });
    assert.ok(JSON.stringify(row['outputs']).length <= r.size);
  });
});

describe('sanitized values in real Postgres', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('sanitize');
  });
  after(() => db.drop());

  it('keys that clean alike are all stored, through the exporter, with meta.sanitized', async () => {
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    const span = f.make('execute_tool t', {
      [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
      [Attr.ATTR_RUN_ID]: 'colliding-keys',
      [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
      [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: '{"a\\u0000": 1, "a\\ufffd": 2, "x\\ud800": 3, "x\\ud801": 4}',
      'custom\u0000': 'one',
      'custom\ufffd': 'two',
    });
    assert.equal((await exportSpans(exporter, [span])).code, 0);
    const res = await db.pool.query<{ inputs: { args: Record<string, number> }; attributes: Record<string, string>; meta: Record<string, unknown> }>(
      `SELECT inputs, attributes, meta FROM "${db.schema}".execution_events WHERE run_id = 'colliding-keys'`,
    );
    const row = res.rows[0];
    assert.ok(row);
    assert.deepEqual(Object.values(row.inputs.args).sort(), [1, 2, 3, 4]);
    assert.equal(row.inputs.args['a\ufffd'], 2, 'the clean key keeps its name');
    assert.deepEqual(Object.values(row.attributes).sort(), ['one', 'two']);
    assert.equal(row.attributes['custom\ufffd'], 'two');
    assert.equal(row.meta['sanitized'], true);
    await exporter.shutdown();
    await f.shutdown();
  });

  it('raw values with NUL or lone surrogates are rejected (the reason for all this)', async () => {
    await assert.rejects(db.pool.query('SELECT $1::jsonb', [JSON.stringify({ a: '\u0000' })]));
    await assert.rejects(db.pool.query('SELECT $1::jsonb', [JSON.stringify({ a: '\uD800' })]));
    await assert.rejects(db.pool.query('SELECT $1::text', ['a\u0000b']));
  });

  it('property sample: JSON.stringify of sanitised values is accepted as jsonb and round-trips its strings', async () => {
    const samples = fc.sample(nastyJson, { numRuns: 300, seed: 42 }).map((v) => sanitizeValue(v).value);
    const texts = fc.sample(nastyString, { numRuns: 300, seed: 7 }).map(sanitizeString);
    const res = await db.pool.query<{ j: unknown; t: string }>('SELECT j, t FROM unnest($1::jsonb[], $2::text[]) AS u(j, t)', [
      samples.map((v) => JSON.stringify(v)),
      texts,
    ]);
    assert.equal(res.rows.length, 300);
    res.rows.forEach((row, i) => {
      assert.deepEqual(strings(row.j).sort(), strings(samples[i]).sort());
      assert.equal(row.t, texts[i]);
    });
  });
});
