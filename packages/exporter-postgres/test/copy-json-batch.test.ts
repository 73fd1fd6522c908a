/**
 * `copyDataMessages` serialises the JSON values of many rows with one
 * `JSON.stringify` call and splits the text at separators it puts between
 * them (copy-text.ts, `prepare`). These tests hold it to the text each value
 * gives alone: values that hold the separator, values JSON.stringify treats
 * differently inside an array, values and rows that throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EXECUTION_EVENTS_COLUMN_TYPES, WORKFLOW_RUNS_COLUMN_TYPES, copyDataMessages, type ExecutionEventRow } from '../src/index.js';
import { eventRow } from './helpers.js';

/** What copy-text.ts puts between the values it serialises together. */
const SEPARATOR = '\x7f\x7f';

function copyValueReference(v: unknown, json: boolean): string {
  if (v === null || v === undefined) return '\\N';
  const s = json ? JSON.stringify(v) : String(v);
  if (typeof s !== 'string') throw new TypeError('a JSON column holds a value JSON cannot represent');
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** Each row's line on its own, every value read and serialised alone. */
function linesReference<Row extends object>(rows: readonly Row[], types: Record<string, string>): string {
  const columns = Object.keys(types);
  return rows.map((r) => columns.map((c) => copyValueReference((r as Record<string, unknown>)[c], types[c] === 'jsonb')).join('\t') + '\n').join('');
}

/** The messages' payloads as one text, checked to be CopyData messages of whole lines. */
function payload(messages: readonly Buffer[]): string {
  return messages
    .map((m) => {
      assert.equal(m[0], 0x64);
      assert.equal(m.readUInt32BE(1), m.length - 1);
      const text = m.subarray(5).toString('utf8');
      assert.ok(text.endsWith('\n'));
      return text;
    })
    .join('');
}

/** The messages until the generator throws, and what it threw. */
function messagesUntilThrow<Row>(rows: readonly Row[], types: Parameters<typeof copyDataMessages<Row>>[1], pieceBytes: number): { messages: Buffer[]; error: unknown } {
  const messages: Buffer[] = [];
  try {
    for (const m of copyDataMessages(rows, types, pieceBytes)) messages.push(m);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: undefined };
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(SEPARATOR, `${SEPARATOR}",`, `","${SEPARATOR}","`, '\\', '"', ',', '\t\n'));
const jsonWithSeparators = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.constant(SEPARATOR),
    fc.array(fc.oneof(fc.constant(SEPARATOR), tie('value')), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('COPY encoding: JSON values serialised together', () => {
  it('gives each value the text it has alone, whatever holds the separator, over many batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(jsonWithSeparators, jsonWithSeparators, jsonWithSeparators, jsonWithSeparators), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(64, 4096, 65536),
        (values, pieceBytes) => {
          const rows = values.map(([inputs, outputs, meta, attributes], i) =>
            eventRow({ execution_order: i, inputs, outputs, meta, attributes } as Partial<ExecutionEventRow>),
          );
          assert.equal(payload([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, pieceBytes)]), linesReference(rows, EXECUTION_EVENTS_COLUMN_TYPES));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a separator as an array element in the middle of a batch: every later value still in its own column', () => {
    const rows = Array.from({ length: 130 }, (_, i) =>
      eventRow({ execution_order: i, inputs: { list: i === 3 ? ['a', SEPARATOR, 'b', SEPARATOR] : ['a'] }, meta: i === 70 ? ([SEPARATOR, SEPARATOR] as never) : {} }),
    );
    assert.equal(payload([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]), linesReference(rows, EXECUTION_EVENTS_COLUMN_TYPES));
  });

  it('values JSON.stringify serialises differently inside an array are serialised alone', () => {
    const keyed = { toJSON: (key: string) => `key=${key}` };
    const dated = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const rows = Array.from({ length: 100 }, (_, i) =>
      eventRow({ execution_order: i, inputs: (i % 3 === 0 ? keyed : { i }) as never, outputs: (i % 5 === 0 ? dated : {}) as never, meta: (i % 7 === 0 ? 'a string' : { x: [1, 'two'] }) as never }),
    );
    const text = payload([...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)]);
    assert.equal(text, linesReference(rows, EXECUTION_EVENTS_COLUMN_TYPES));
    assert.ok(text.includes('"key="'), 'toJSON is called with the empty key, as for a value alone');
  });

  it('a value with no JSON text (a function) fails its row, after the messages of the rows before it', () => {
    for (const at of [0, 5, 63, 64, 99]) {
      const rows = Array.from({ length: 100 }, (_, i) => eventRow({ execution_order: i, inputs: (i === at ? { toJSON: () => undefined } : { i }) as never }));
      const before = payload([...copyDataMessages(rows.slice(0, at), EXECUTION_EVENTS_COLUMN_TYPES, 1024)]);
      const { messages, error } = messagesUntilThrow(rows, EXECUTION_EVENTS_COLUMN_TYPES, 1024);
      assert.ok(error instanceof TypeError, String(error));
      assert.ok(before.startsWith(payload(messages)), 'only whole messages of the rows before it');
    }
  });

  it('a cycle, a bigint or a throwing getter deep in one value: the same error as alone, the other values of its batch unaffected', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const getter = {
      get boom(): never {
        throw new Error('getter threw');
      },
    };
    for (const [bad, expected] of [
      [cyclic, TypeError],
      [{ n: 1n }, TypeError],
      [getter, Error],
    ] as const) {
      const rows = Array.from({ length: 80 }, (_, i) => eventRow({ execution_order: i, outputs: (i === 40 ? bad : { i }) as never }));
      const { messages, error } = messagesUntilThrow(rows, EXECUTION_EVENTS_COLUMN_TYPES, 512);
      assert.ok(error instanceof expected, String(error));
      let alone: unknown;
      try {
        JSON.stringify(bad);
      } catch (err) {
        alone = err;
      }
      assert.equal((error as Error).message, (alone as Error).message);
      assert.equal(payload(messages), linesReference(rows.slice(0, 40), EXECUTION_EVENTS_COLUMN_TYPES).slice(0, payload(messages).length));
      assert.equal(payload([...copyDataMessages(rows.slice(0, 40), EXECUTION_EVENTS_COLUMN_TYPES)]), linesReference(rows.slice(0, 40), EXECUTION_EVENTS_COLUMN_TYPES));
    }
  });

  it('a row whose property getter throws: that error, at that row, its getter read once', () => {
    const rows: object[] = Array.from({ length: 90 }, (_, i) => eventRow({ execution_order: i }));
    let reads = 0;
    const base = eventRow({ execution_order: 70 });
    const bad = { ...base };
    Object.defineProperty(bad, 'status', {
      enumerable: true,
      get() {
        reads++;
        throw new Error('status getter threw');
      },
    });
    rows[70] = bad;
    const { messages, error } = messagesUntilThrow(rows as ExecutionEventRow[], EXECUTION_EVENTS_COLUMN_TYPES, 512);
    assert.equal((error as Error).message, 'status getter threw');
    assert.equal(reads, 1);
    const before = linesReference(rows.slice(0, 70) as ExecutionEventRow[], EXECUTION_EVENTS_COLUMN_TYPES);
    assert.ok(before.startsWith(payload(messages)));
  });

  it('another table (read column by column): the same text as each value alone', () => {
    const runs = Array.from({ length: 150 }, (_, i) => ({
      id: `run-${i}`,
      mode: null,
      task_description: i % 2 ? 'tab\there' : SEPARATOR,
      status: 'success',
      started_at: null,
      completed_at: null,
      duration_ms: i / 3,
      session_id: null,
      meta: { list: i === 9 ? [1, SEPARATOR, 2] : [i], s: SEPARATOR },
      trace_id: null,
      span_id: null,
      service_name: 'svc',
    }));
    assert.equal(payload([...copyDataMessages(runs, WORKFLOW_RUNS_COLUMN_TYPES, 2048)]), linesReference(runs, WORKFLOW_RUNS_COLUMN_TYPES));
  });
});
