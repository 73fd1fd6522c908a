/**
 * `copyDataMessages` puts a plain JSON value (a plain object or array, a
 * number, a boolean, a string) into its batch as it is, and every other
 * value wrapped as the property "" of an object of its own (copy-text.ts,
 * `isBare`): a plain value has no `toJSON` for JSON.stringify to call with
 * its index for key. These tests hold every value that is not plain, or
 * only looks plain, to the text, the calls and the keys it gets alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXECUTION_EVENTS_COLUMN_TYPES, copyDataMessages, type ExecutionEventRow } from '../src/index.js';
import { eventRow } from './helpers.js';

const SEPARATOR = '\x7f\x7f';

function field(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  return String(JSON.stringify(v)).replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

/** Each row's line with every value serialised alone. */
function reference(rows: readonly ExecutionEventRow[]): string {
  const types: Record<string, string> = EXECUTION_EVENTS_COLUMN_TYPES;
  return rows
    .map(
      (r) =>
        Object.keys(types)
          .map((c) => {
            const v = (r as unknown as Record<string, unknown>)[c];
            return types[c] === 'jsonb' ? field(v) : v === null || v === undefined ? '\\N' : String(v);
          })
          .join('\t') + '\n',
    )
    .join('');
}

function text(messages: readonly Buffer[]): string {
  return messages.map((m) => m.subarray(5).toString('utf8')).join('');
}

const encode = (rows: readonly ExecutionEventRow[]): string => text([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, 512)]);

/** Rows with plain values around `special`, which goes into row `at`'s `outputs`. */
const rowsAround = (n: number, at: number, special: () => unknown): ExecutionEventRow[] =>
  Array.from({ length: n }, (_, i) =>
    eventRow({ execution_order: i, inputs: { i, list: [i, 'x'] }, outputs: (i === at ? special() : [i]) as never, meta: `m${i}` as never, attributes: (i % 2 === 0) as never }),
  );

/** The JSON field `column` (its index in the line) of every line of `text`. */
const column = (text: string, index: number): string[] =>
  text
    .split('\n')
    .slice(0, -1)
    .map((line) => line.split('\t')[index] as string);
const OUTPUTS = Object.keys(EXECUTION_EVENTS_COLUMN_TYPES).indexOf('outputs');

describe('COPY encoding: plain values go into the batch unwrapped, others as alone', () => {
  it('plain objects, arrays (holes too), null-prototype objects, numbers, booleans and strings: the text of each alone', () => {
    const holes: unknown[] = [1];
    holes[3] = 'x';
    const nullProto = Object.assign(Object.create(null) as object, { a: 1, [SEPARATOR]: [SEPARATOR] });
    const specials: unknown[] = [holes, nullProto, -0, NaN, 1e21, true, '', SEPARATOR, `${SEPARATOR}",`, '\ud800\0\t"\\', { '': { '': 1 } }, [SEPARATOR], ['a', SEPARATOR, 'b']];
    for (const [k, s] of specials.entries()) {
      const rows = rowsAround(70, k * 5, () => s);
      assert.equal(encode(rows), reference(rows), `value ${k}`);
    }
  });

  it('a toJSON on the prototype (a class instance, Object.create, a Date): called once, with the key ""', () => {
    const keys: string[] = [];
    class Money {
      constructor(readonly cents: number) {}
      toJSON(key: string): string {
        keys.push(key);
        return `${this.cents / 100}€`;
      }
    }
    const inherited = Object.create({
      toJSON(key: string) {
        keys.push(key);
        return { inherited: key };
      },
    }) as object;
    for (const s of [() => new Money(150), () => inherited]) {
      const rows = rowsAround(70, 33, s);
      keys.length = 0;
      const got = encode(rows);
      assert.deepEqual(keys, [''], 'looked up and called once, with ""');
      assert.equal(got, reference(rows));
    }
    const dated = rowsAround(70, 33, () => new Date(Date.UTC(2026, 0, 2)));
    assert.equal(encode(dated), reference(dated));
  });

  it('an array or a null-prototype object with its own toJSON: called with the key ""', () => {
    const arr = Object.assign([1, 2], { toJSON: (key: string) => `array toJSON(${key})` });
    const bare = Object.assign(Object.create(null) as object, { toJSON: (key: string) => `null-proto toJSON(${key})` });
    for (const s of [arr, bare]) {
      const rows = rowsAround(70, 20, () => s);
      const got = encode(rows);
      assert.equal(got, reference(rows));
      assert.match(column(got, OUTPUTS)[20] as string, /toJSON\(\)"$/);
    }
  });

  it('a proxy over a plain object: its traps run as for the value alone, the toJSON it answers gets ""', () => {
    const traps = (log: string[]): ProxyHandler<object> => ({
      get(t, key, receiver) {
        log.push(`get ${String(key)}`);
        return key === 'toJSON' ? (k: string) => ({ proxied: k }) : (Reflect.get(t, key, receiver) as unknown);
      },
      getPrototypeOf(t) {
        log.push('getPrototypeOf');
        return Reflect.getPrototypeOf(t);
      },
      getOwnPropertyDescriptor(t, key) {
        log.push(`getOwnPropertyDescriptor ${String(key)}`);
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
      ownKeys(t) {
        log.push('ownKeys');
        return Reflect.ownKeys(t);
      },
    });
    const alone: string[] = [];
    const aloneText = JSON.stringify(new Proxy({ a: 1 }, traps(alone)));
    const log: string[] = [];
    const rows = rowsAround(70, 40, () => new Proxy({ a: 1 }, traps(log)));
    const got = encode(rows);
    assert.deepEqual(log, alone);
    assert.equal(column(got, OUTPUTS)[40], aloneText);
    assert.equal(aloneText, '{"proxied":""}');
  });

  it('Object.prototype.toJSON and Array.prototype.toJSON (polluted prototypes): every value as alone', () => {
    const op = Object.prototype as { toJSON?: unknown };
    const ap = Array.prototype as { toJSON?: unknown };
    const rows = rowsAround(130, 64, () => ({ nested: [1, { deep: true }] }));
    const keys: string[] = [];
    try {
      op.toJSON = function (this: object, key: string) {
        keys.push(key);
        return { key, array: Array.isArray(this) };
      };
      const got = encode(rows);
      // Once per object or array of the rows (inputs and outputs), each with "".
      assert.deepEqual(keys, new Array<string>(2 * rows.length).fill(''));
      assert.equal(got, reference(rows));
      delete op.toJSON;
      keys.length = 0;
      ap.toJSON = function (this: unknown[], key: string) {
        keys.push(key);
        return { key, length: this.length };
      };
      const arrays = encode(rows);
      // Once per array value (outputs), with ""; the arrays inside values get their keys, as alone.
      assert.deepEqual(keys.filter((k) => k === ''), new Array<string>(rows.length - 1).fill(''));
      assert.deepEqual(new Set(keys.filter((k) => k !== '')), new Set(['list', 'nested']));
      assert.equal(arrays, reference(rows));
    } finally {
      delete op.toJSON;
      delete ap.toJSON;
    }
  });

  it('a toJSON that Object.prototype gets while the batch is serialised (from a getter): no text is cut from the result of a toJSON given the batch', () => {
    // Input: row 10's value defines Object.prototype.toJSON when it is read; the rows after it are serialised with it.
    const op = Object.prototype as { toJSON?: unknown };
    const defining = {
      get a(): number {
        op.toJSON = function (key: string) {
          return { key };
        };
        return 1;
      },
    };
    try {
      const rows = rowsAround(40, 10, () => defining);
      const got = column(encode(rows), OUTPUTS);
      // As alone from then on: each value's text is that of its toJSON called with "".
      for (let i = 11; i < 40; i++) assert.equal(got[i], '{"key":""}', `row ${i}`);
    } finally {
      delete op.toJSON;
    }
  });

  it('a value that gives itself a toJSON while it is serialised: stored as JSON.stringify serialised it then, its toJSON not called', () => {
    let calls = 0;
    const self = {
      get a(): number {
        (self as { toJSON?: () => string }).toJSON = () => (calls++, 'too late');
        return 1;
      },
    };
    const rows = rowsAround(40, 5, () => self);
    const got = column(encode(rows), OUTPUTS);
    assert.equal(got[5], '{"a":1}');
    assert.equal(calls, 0);
  });

  it('an Array.prototype whose prototype is not Object.prototype (a toJSON inherited there): arrays as alone', () => {
    const ap = Array.prototype as object;
    const keys: string[] = [];
    const inserted = Object.assign(Object.create(Object.prototype) as object, {
      toJSON(this: unknown[], key: string) {
        keys.push(key);
        return { key, length: this.length };
      },
    });
    const rows = rowsAround(70, 3, () => [1, 2]);
    try {
      Object.setPrototypeOf(ap, inserted);
      const got = encode(rows);
      const encodeKeys = keys.splice(0);
      assert.equal(got, reference(rows));
      // As many calls, with the same keys, as serialising each value alone.
      assert.deepEqual(encodeKeys, keys);
    } finally {
      Object.setPrototypeOf(ap, Object.prototype);
    }
  });

  it('a bigint with a BigInt.prototype.toJSON: serialised through it, with the key "" (no bigint goes in bare)', () => {
    const bp = BigInt.prototype as { toJSON?: unknown };
    const keys: string[] = [];
    try {
      bp.toJSON = function (this: bigint, key: string) {
        keys.push(key);
        return `n${this.toString()}`;
      };
      const rows = rowsAround(70, 7, () => 12n);
      assert.equal(encode(rows), reference(rows));
      assert.deepEqual(keys.slice(0, 1), ['']);
    } finally {
      delete bp.toJSON;
    }
  });

  it('clean prototypes: no toJSON is looked up on a plain string value (a String.prototype.toJSON getter never runs)', () => {
    let reads = 0;
    Object.defineProperty(String.prototype, 'toJSON', { configurable: true, get: () => (reads++, undefined) });
    try {
      // Every JSON value a string: the batch's first value too.
      const rows = Array.from({ length: 70 }, (_, i) => eventRow({ execution_order: i, inputs: 'plain' as never, outputs: `o${i}` as never, meta: 'm' as never, attributes: 'a' as never }));
      const alone = reads;
      const got = encode(rows);
      assert.equal(reads - alone, 0);
      assert.equal(got, reference(rows));
    } finally {
      delete (String.prototype as { toJSON?: unknown }).toJSON;
    }
  });
});
