/**
 * The per-row fast paths (mapping, sanitising, COPY encoding) give exactly
 * what the straightforward implementations they replaced give: each is
 * compared, property by property, with a reference copy of the old code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HrTime } from '@opentelemetry/api';
import { parseJsonText } from '../src/attribute-values.js';
import { hrTimeToIso } from '../src/hr-time.js';
import {
  EXECUTION_EVENTS_COLUMN_TYPES,
  copyDataMessages,
  copyTextPieces,
  sanitizeRow,
  toCopyText,
  type ExecutionEventRow,
  type JsonObject,
  type MappedRow,
} from '../src/index.js';
import { eventRow } from './helpers.js';
import { sanitizeRowReference } from './sanitize-reference.js';

const codeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 9, 10, 13, 0x5c, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00) },
);
const nastyString = fc.array(codeUnit, { maxLength: 24 }).map((units) => String.fromCharCode(...units));
const nastyJson = fc.object({
  key: nastyString,
  values: [nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)],
  maxDepth: 3,
});

// ---------------------------------------------------------------------------
// References: the code before the fast paths
// ---------------------------------------------------------------------------

function parseJsonTextReference(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function hrTimeToIsoReference(hr: HrTime): string | undefined {
  let [seconds, nanos] = hr;
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === 0 && nanos === 0) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return `${iso.slice(0, iso.indexOf('.'))}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}


function copyValueReference(v: unknown, json: boolean): string {
  if (v === null || v === undefined) return '\\N';
  const s = json ? JSON.stringify(v) : String(v);
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function toCopyTextReference(rows: readonly ExecutionEventRow[]): string {
  const columns = Object.keys(EXECUTION_EVENTS_COLUMN_TYPES) as (keyof ExecutionEventRow)[];
  return rows.map((r) => columns.map((c) => copyValueReference(r[c], EXECUTION_EVENTS_COLUMN_TYPES[c] === 'jsonb')).join('\t') + '\n').join('');
}

/** `sanitizeRow` of an event row with these overrides, checked against the reference copy: the same row, flag and size. */
function sanitizesLikeReference(over: Partial<ExecutionEventRow>): { mapped: MappedRow; fast: ReturnType<typeof sanitizeRow> } {
  const mapped = { kind: 'event', row: eventRow(over) } as MappedRow;
  const fast = sanitizeRow(mapped);
  const ref = sanitizeRowReference(mapped);
  assert.deepEqual(fast.mapped, ref.mapped);
  assert.equal(fast.sanitized, ref.sanitized);
  assert.equal(fast.size, ref.size);
  return { mapped, fast };
}

// ---------------------------------------------------------------------------

describe('fast paths give what the plain code gives', () => {
  it('parseJsonText: JSON texts, near misses and plain text', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      nastyString,
      fc.json().map((j) => ` \n\t${j}\r `),
      fc.json().map((j) => `${j}x`),
      fc.json().map((j) => `\u00a0${j}`),
      fc.constantFrom('', ' ', '"', '""', '-', '-0', '01', '1.', '.5', '1e5', '1E+2', 'tru', 'true ', 'nul', 'null', 'False', '[1,]', '{"a":1}}', '[[]', '"\\u0000"', 'NaN', 'Infinity'),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        assert.deepEqual(parseJsonText(text), parseJsonTextReference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('hrTimeToIso: the same text, also for runs of times within one second', () => {
    const seconds = fc.oneof(fc.integer({ min: -62_000_000_000, max: 253_000_000_000 }), fc.constantFrom(0, 1, 1_764_000_000, 8.64e12, 8.64e12 + 1, -8.64e12 - 1));
    const nanos = fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(0, 999, 1000, 99_999_000, 100_000_000, -1, 1e9, 2.5e9));
    fc.assert(
      fc.property(fc.array(fc.tuple(seconds, nanos), { minLength: 1, maxLength: 20 }), (times) => {
        // Runs of the same second, then a jump.
        const all = times.flatMap(([s, n]) => [[s, n] as HrTime, [s, (n + 123_456) % 1e9] as HrTime]);
        for (const hr of all) assert.equal(hrTimeToIso(hr), hrTimeToIsoReference(hr), JSON.stringify(hr));
      }),
      { numRuns: 2000 },
    );
  });

  it('sanitizeRow: the same row, flag and size; a clean row is not copied', () => {
    const row = fc.record({
      agent_name: fc.oneof(nastyString, fc.constant(null)),
      name: nastyString,
      duration_ms: fc.oneof(fc.double(), fc.constant(null)),
      inputs: nastyJson,
      outputs: fc.oneof(nastyJson, fc.constant({})),
      meta: nastyJson,
      attributes: fc.oneof(nastyJson, fc.constant({ a: [1, 'x', null] })),
    });
    fc.assert(
      fc.property(row, (over) => {
        const { mapped, fast } = sanitizesLikeReference(over as Partial<ExecutionEventRow>);
        if (!fast.sanitized) assert.equal(fast.mapped, mapped);
      }),
      { numRuns: 2000 },
    );
    // What only the copy fixes: values JSON cannot hold, holes, getters, depth, non-plain objects.
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const odd: unknown[] = [
      { a: undefined },
      { a: () => 1 },
      { a: [1, , 3] }, // eslint-disable-line no-sparse-arrays
      { a: 10n },
      { a: Number.NaN },
      { a: new Date(0) },
      deep,
      Object.defineProperty({}, 'g', { get: () => 'x', enumerable: true }),
      Object.defineProperty({ ok: 1 }, 'g', { get: () => 'a\u0000b', enumerable: true }),
      Object.defineProperty({}, 's', { set: () => {}, enumerable: true }),
      JSON.parse('{"__proto__": "x\\u0000y", "b": 1}') as object, // an own data property named __proto__
      JSON.parse('{"__proto__": {"a": 1}}') as object,
      Object.create({ inherited: 1 }) as object,
      [1, 2],
    ];
    for (const value of odd) sanitizesLikeReference({ inputs: value as JsonObject });
  });

  it('sanitizeRow: rows drawn from a few look-alike strings, clean and not (what it remembers of earlier rows never answers for a dirty one)', () => {
    // Same lengths and first characters, so that clean and dirty strings meet in the same slots.
    const pool = ['ab', 'a\u0000', 'a\ud800', 'aé', 'key', 'k\u0000y', 'kéy', 'x'.repeat(64), 'x'.repeat(63) + '\u0000', 'x'.repeat(65) + '\u0000'];
    const pick = fc.constantFrom(...pool);
    const row = fc.record({
      agent_name: pick,
      name: pick,
      // Spread: plain objects (fc.dictionary also makes some without a prototype, which the copy would give one).
      inputs: fc.dictionary(pick, pick, { maxKeys: 4 }).map((d) => ({ ...d })),
      meta: fc.dictionary(pick, fc.oneof(pick, fc.array(pick, { maxLength: 3 })), { maxKeys: 4 }).map((d) => ({ ...d })),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (overs) => {
        for (const over of overs) sanitizesLikeReference(over as Partial<ExecutionEventRow>);
      }),
      { numRuns: 1000 },
    );
  });

  /** Overrides of a row's text, number and JSON columns with hostile values, for the COPY encoders. */
  const copyRow = fc.record({
    agent_name: fc.oneof(nastyString, fc.constant(null)),
    error_message: fc.oneof(fc.string(), nastyString, fc.constant(null)),
    name: nastyString,
    // Around the length up to which text values are escaped while copied byte by byte (40), mostly ASCII.
    step_id: fc.oneof(
      fc.array(codeUnit, { minLength: 38, maxLength: 42 }).map((units) => String.fromCharCode(...units)),
      fc.tuple(fc.string({ minLength: 38, maxLength: 42 }), fc.constantFrom('\\', '\t', '\n', '\r', 'é', '😀'), fc.nat(42)).map(
        ([s, c, at]) => s.slice(0, at) + c + s.slice(at),
      ),
    ),
    duration_ms: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    execution_order: fc.oneof(fc.integer(), fc.constant(null)),
    inputs: nastyJson,
    meta: nastyJson,
  });

  it('toCopyText / copyTextPieces: the same COPY text as the plain encoder', () => {
    fc.assert(
      fc.property(fc.array(copyRow, { maxLength: 20 }), fc.integer({ min: 1, max: 400 }), (overs, pieceChars) => {
        const rows = overs.map((o) => eventRow(o as Partial<ExecutionEventRow>));
        const expected = toCopyTextReference(rows);
        assert.equal(toCopyText(rows, EXECUTION_EVENTS_COLUMN_TYPES), expected);
        assert.equal([...copyTextPieces(rows, EXECUTION_EVENTS_COLUMN_TYPES, pieceChars)].join(''), expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('copyDataMessages: rows drawn from a few look-alike strings, some to escape (what it remembers of earlier rows never skips an escape)', () => {
    const pool = ['ab', 'a\t', 'a\\', 'a\n', 'a\r', 'aé', 'x'.repeat(64), 'x'.repeat(63) + '\t', 'x'.repeat(65)];
    const pick = fc.constantFrom(...pool);
    const row = fc.record({ agent_name: pick, name: pick, node_id: pick, error_message: fc.oneof(pick, fc.constant(null)) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (overs) => {
        const rows = overs.map((o) => eventRow(o as Partial<ExecutionEventRow>));
        const expected = Buffer.from(toCopyTextReference(rows), 'utf8');
        const messages = [...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)];
        assert.deepEqual(Buffer.concat(messages.map((m) => m.subarray(5))), expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('copyDataMessages: the same COPY text as the plain encoder, as UTF-8 in CopyData messages of whole lines', () => {
    fc.assert(
      fc.property(fc.array(copyRow, { maxLength: 20 }), fc.integer({ min: 1, max: 4000 }), (overs, pieceBytes) => {
        const rows = overs.map((o) => eventRow(o as Partial<ExecutionEventRow>));
        const expected = Buffer.from(toCopyTextReference(rows), 'utf8');
        const messages = [...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, pieceBytes)];
        for (const m of messages) {
          assert.equal(m[0], 0x64, 'a CopyData message');
          assert.equal(m.readUInt32BE(1), m.length - 1, 'its length counts itself and the payload');
          assert.equal(m[m.length - 1], 0x0a, 'whole lines only');
        }
        assert.deepEqual(Buffer.concat(messages.map((m) => m.subarray(5))), expected);
      }),
      { numRuns: 1000 },
    );
  });
});
