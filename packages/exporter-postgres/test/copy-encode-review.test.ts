/**
 * Review of the batched JSON serialisation of `copyDataMessages`
 * (copy-text.ts, `prepare`): each JSON value must be serialised as when it
 * was serialised alone, once, at its row. These are the inputs a review
 * found where the batch did otherwise: a `toJSON` read before the batch
 * (twice in all), a value re-serialised after a refused split, a polluted
 * prototype reaching the batch array itself, rows added while the
 * generator runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXECUTION_EVENTS_COLUMN_TYPES, copyDataMessages, type ExecutionEventRow } from '../src/index.js';
import { eventRow } from './helpers.js';

const SEPARATOR = '\x7f\x7f';

/** Each row's line with every JSON value serialised alone (the encoding before batching). */
function reference(rows: readonly ExecutionEventRow[]): string {
  const types: Record<string, string> = EXECUTION_EVENTS_COLUMN_TYPES;
  return rows
    .map((r) =>
      Object.keys(types)
        .map((c) => {
          const v = (r as unknown as Record<string, unknown>)[c];
          if (v === null || v === undefined) return '\\N';
          const s = types[c] === 'jsonb' ? JSON.stringify(v) : String(v);
          return s.replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
        })
        .join('\t') + '\n',
    )
    .join('');
}

function text(messages: readonly Buffer[]): string {
  return messages.map((m) => m.subarray(5).toString('utf8')).join('');
}

function untilThrow(rows: readonly ExecutionEventRow[], pieceBytes: number): { messages: Buffer[]; error: unknown } {
  const messages: Buffer[] = [];
  try {
    for (const m of copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, pieceBytes)) messages.push(m);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: undefined };
}

/** The messages yielded before row `at` throws: those of rows[0, at) but the last (the final flush). */
function messagesBefore(rows: readonly ExecutionEventRow[], at: number, pieceBytes: number): string {
  return text([...copyDataMessages(rows.slice(0, at), EXECUTION_EVENTS_COLUMN_TYPES, pieceBytes)].slice(0, -1));
}

const rowsWith = (n: number, at: (i: number) => Partial<ExecutionEventRow> | undefined): ExecutionEventRow[] =>
  Array.from({ length: n }, (_, i) => eventRow({ execution_order: i, inputs: { i }, ...at(i) }));

describe('COPY encoding review: JSON values serialised together behave as alone', () => {
  it('a toJSON getter that throws fails its own row, after the rows before it, not the batch', () => {
    const throwing = {
      get toJSON(): never {
        throw new Error('toJSON getter threw');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Input: a cycle in row 10, a throwing toJSON getter in row 50 (same batch): the cycle is met first.
    const rows = rowsWith(80, (i) => (i === 10 ? { outputs: cyclic as never } : i === 50 ? { meta: throwing as never } : undefined));
    const first = untilThrow(rows, 256);
    assert.match(String((first.error as Error).message), /circular/);
    assert.equal(text(first.messages), messagesBefore(rows, 10, 256));
    // Alone at row 50: that error, after the messages of rows 0..49.
    const only = rowsWith(80, (i) => (i === 50 ? { meta: throwing as never } : undefined));
    const second = untilThrow(only, 256);
    assert.equal((second.error as Error).message, 'toJSON getter threw');
    assert.equal(text(second.messages), messagesBefore(only, 50, 256));
  });

  it('a revoked proxy fails its own row, after the rows before it', () => {
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const rows = rowsWith(70, (i) => (i === 30 ? { attributes: revocable.proxy as never } : undefined));
    const { messages, error } = untilThrow(rows, 256);
    assert.ok(error instanceof TypeError);
    assert.equal(text(messages), messagesBefore(rows, 30, 256));
  });

  it("a value's toJSON is looked up once, as by JSON.stringify alone (a proxy counting its reads)", () => {
    let reads = 0;
    let calls = 0;
    const counted = new Proxy(
      { a: 1 },
      {
        get(target, key, receiver) {
          if (key === 'toJSON') {
            // Input: no toJSON on the first read, one on any later read (a stateful proxy).
            reads++;
            return reads === 1 ? undefined : (k: string) => (calls++, `toJSON(${k})`);
          }
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const rows = rowsWith(10, (i) => (i === 3 ? { outputs: counted as never } : undefined));
    const got = text([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]);
    assert.equal(reads, 1);
    assert.equal(calls, 0);
    reads = 0;
    assert.equal(got, reference(rows));
  });

  it('a toJSON that returns undefined is called once and fails its row', () => {
    let calls = 0;
    const none = { toJSON: () => (calls++, undefined) };
    const rows = rowsWith(20, (i) => (i === 7 ? { inputs: none as never } : undefined));
    const { messages, error } = untilThrow(rows, 256);
    assert.ok(error instanceof TypeError);
    assert.equal(calls, 1);
    assert.equal(text(messages), messagesBefore(rows, 7, 256));
  });

  it('a value in a batch whose split is refused (a separator as an array element) is not serialised twice', () => {
    let reads = 0;
    // Input: a getter counting its reads in row 0, the separator as an array element in row 5 of the same batch.
    const counting = {
      get n(): number {
        return reads++;
      },
    };
    const rows = rowsWith(10, (i) => (i === 0 ? { inputs: counting as never } : i === 5 ? { outputs: ['a', SEPARATOR, 'b'] as never } : undefined));
    const got = text([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]);
    assert.equal(reads, 1);
    assert.ok(got.slice(0, got.indexOf('\n')).includes('\t{"n":0}\t'), 'the first read is what is stored');
    assert.equal(got.slice(got.indexOf('\n') + 1), reference(rows.slice(1)));
  });

  it('an Array.prototype.toJSON (a polluted prototype) changes no value but those it changes alone', () => {
    const proto = Array.prototype as unknown as { toJSON?: unknown };
    const objProto = Object.prototype as unknown as { toJSON?: unknown };
    const rows = rowsWith(20, (i) => ({ inputs: [i, 'x'] as never, outputs: `s${i}` as never, meta: i as never }));
    try {
      proto.toJSON = function (this: unknown[]) {
        return [...this].reverse();
      };
      assert.equal(text([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]), reference(rows));
      delete proto.toJSON;
      objProto.toJSON = function (this: object, key: string) {
        return Array.isArray(this) ? [...(this as unknown[])].reverse() : { key, keys: Object.keys(this).length };
      };
      assert.equal(text([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]), reference(rows));
    } finally {
      delete proto.toJSON;
      delete objProto.toJSON;
    }
  });

  it('rows added to the array while the messages are consumed are encoded, as by the array iterator', () => {
    const rows = rowsWith(10, () => undefined);
    const seen: Buffer[] = [];
    for (const m of copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, 16)) {
      seen.push(m);
      if (seen.length === 3) rows.push(eventRow({ execution_order: 99 }));
    }
    assert.equal(text(seen), reference(rows));
  });
});
