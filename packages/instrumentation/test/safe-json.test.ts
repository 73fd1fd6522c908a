import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { safeJson, walkJson } from '../src/safe-json.js';

const RUNS = Number(process.env.FC_RUNS ?? 300) * 10;

describe('safeJson: the flat fast path', () => {
  const primitive = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 10 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(-0),
    fc.bigInt(),
  );
  const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'toJSON', 'constructor', '0', '1'));
  const flatObject = fc.array(fc.tuple(key, primitive), { maxLength: 8 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });
  const value = fc.oneof(flatObject, fc.array(primitive, { maxLength: 8 }), fc.array(fc.oneof(flatObject, primitive), { maxLength: 3 }), primitive);
  it('gives exactly the walker’s text and truncation flag, at every budget', () => {
    fc.assert(
      fc.property(value, (v) => {
        // Every budget around the value's size, so each boundary of the accounting is crossed.
        for (let max = 0; max <= 160; max++) assert.deepEqual(safeJson(v, max), walkJson(v, max), `budget ${max}`);
      }),
      { numRuns: RUNS / 5 },
    );
  });

  it('leaves the odd cases to the walker', () => {
    const withToJson = { a: 1, toJSON: () => 'x' };
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 'b' });
    const getterThrows = Object.defineProperty({}, 'a', { enumerable: true, get: () => { throw new Error('no'); } });
    const sparse: unknown[] = [1];
    sparse[3] = 2;
    for (const v of [withToJson, nullProto, getterThrows, sparse, new Map([['a', 1]]), new Set([1]), new Date(0), { a: NaN }, { a: Infinity }, { a: 'x'.repeat(100) }]) {
      assert.deepEqual(safeJson(v, 50), walkJson(v, 50));
    }
    assert.equal(safeJson({ q: 'x', n: 5, ok: true, none: null }, 1000).json, '{"q":"x","n":5,"ok":true,"none":null}');
  });
});

describe('safeJson: what each value becomes', () => {
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const throwing = new Proxy({}, { get: () => { throw new Error('trap'); } });

  it('a member that cannot be read is "[unreadable]", its siblings are kept', () => {
    assert.equal(safeJson({ query: 'keep me', limit: 5, session: revoked() }, 1000).json, '{"query":"keep me","limit":5,"session":"[unreadable]"}');
    assert.equal(safeJson({ a: 1, session: throwing }, 1000).json, '{"a":1,"session":"[unreadable]"}');
    const getter = Object.defineProperty({ a: 1 }, 'b', { enumerable: true, get: () => { throw new Error('no'); } });
    assert.equal(safeJson(getter, 1000).json, '{"a":1,"b":"[unreadable]"}');
    const items = Object.defineProperty([1, 2, 3], 1, { get: () => { throw new Error('no'); } });
    assert.equal(safeJson(items, 1000).json, '[1,"[unreadable]",3]');
  });

  it('a value that cannot be read at all is "[unreadable]", as documented', () => {
    assert.equal(safeJson(revoked(), 1000).json, '"[unreadable]"');
    assert.equal(safeJson(throwing, 1000).json, '"[unreadable]"');
  });

  it('keeps a `__proto__` key, a RegExp as its text, and Maps whose keys are not text as [key, value] pairs', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"x":1},"a":2}');
    assert.equal(safeJson(parsed, 1000).json, '{"__proto__":{"x":1},"a":2}');
    assert.equal(safeJson({ deep: parsed }, 1000).json, '{"deep":{"__proto__":{"x":1},"a":2}}');
    assert.equal(safeJson({ pattern: /ab+c/gi }, 1000).json, '{"pattern":"/ab+c/gi"}');
    assert.equal(safeJson(new Map<unknown, unknown>([['a', 1], [2, 'b']]), 1000).json, '{"2":"b","a":1}');
    assert.equal(
      safeJson(new Map([[{ id: 1 }, 'first'], [{ id: 2 }, 'second']]), 1000).json,
      '[[{"id":1},"first"],[{"id":2},"second"]]',
    );
  });
});
