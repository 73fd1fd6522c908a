/**
 * The delivery-path fast paths (ids hashed in JavaScript, parent ids
 * remembered, rows sorted with a direct comparator, the clean-row check
 * without a closure) give exactly what the code they replaced gives: each is
 * compared with a reference copy of the old code on hostile inputs (the COPY
 * encoder's comparisons are in `fast-paths.test.ts`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AGENTSPAN_ID_NAMESPACE,
  eventIdFor,
  groupRows,
  parentEventIdFor,
  sanitizeRow,
  uuidV5,
  type ExecutionEventRow,
  type JsonObject,
  type MappedRow,
} from '../src/index.js';
import { eventRow } from './helpers.js';
import { sanitizeRowReference } from './sanitize-reference.js';

// ---------------------------------------------------------------------------
// References: the code before the fast paths
// ---------------------------------------------------------------------------

function uuidV5Reference(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  // A name with a lone surrogate: 0xFF and its UTF-16LE code units (UTF-8 would write every lone
  // surrogate alike, merging ids; see id-merge.test.ts). Every other name: its UTF-8 bytes, as before.
  const wellFormed = !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name);
  const bytes = wellFormed ? Buffer.from(name, 'utf8') : Buffer.concat([Buffer.from([0xff]), Buffer.from(name, 'utf16le')]);
  const digest = createHash('sha1').update(Buffer.concat([ns, bytes])).digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function groupRowsReference(rows: readonly MappedRow[]): { runs: unknown[]; nodes: unknown[]; events: unknown[] } {
  const byKey = <T>(key: (row: T) => string) => (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  const runs = new Map<string, unknown>();
  const nodes = new Map<string, unknown>();
  const events = new Map<string, unknown>();
  for (const m of rows) {
    if (m.kind === 'run') runs.set(m.row.id, m.row);
    else if (m.kind === 'node') {
      if (!nodes.has(m.row.id)) nodes.set(m.row.id, m.row);
    } else if (m.kind === 'event' && !events.has(m.row.id)) events.set(m.row.id, m.row);
  }
  const sort = (m: Map<string, unknown>): unknown[] => [...m.values()].sort(byKey((r) => (r as { id: string }).id));
  return { runs: sort(runs), nodes: sort(nodes), events: sort(events) };
}

// ---------------------------------------------------------------------------

const codeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 9, 10, 13, 0x5c, 0x7f, 0x80, 0x7ff, 0x800, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xfffd) },
);
const nastyString = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(codeUnit, { maxLength }).map((units) => String.fromCharCode(...units));
const uuid = fc.uuid();
const traceId = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
const spanId = fc.stringMatching(/^[0-9a-fA-F]{16}$/);

describe('delivery fast paths give what the old code gives', () => {
  it('uuidV5: the SHA-1 of node:crypto, for every name length around the block boundaries and hostile names', () => {
    // Every length from 0 to 300 bytes (16-byte namespace + name: padding into one, two, ... blocks).
    for (let n = 0; n <= 300; n++) {
      const name = 'x'.repeat(n);
      assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, name), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, name), `length ${n}`);
    }
    fc.assert(
      fc.property(
        fc.oneof(uuid, fc.constant(AGENTSPAN_ID_NAMESPACE)),
        fc.oneof(nastyString(200), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 300 })),
        (ns, name) => {
          assert.equal(uuidV5(ns, name), uuidV5Reference(ns, name));
        },
      ),
      { numRuns: 5000 },
    );
    // A name larger than the reused scratch space, then short ones again.
    const huge = 'é\uD800'.repeat(200_000);
    assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, huge), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, huge));
    assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, 'python.org'), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, 'python.org'));
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('eventIdFor / parentEventIdFor: uuid5 of "<trace>-<span>" in lower case', () => {
    fc.assert(
      fc.property(traceId, spanId, (t, s) => {
        const expected = uuidV5Reference(AGENTSPAN_ID_NAMESPACE, `${t.toLowerCase()}-${s.toLowerCase()}`);
        assert.equal(eventIdFor(t, s), expected);
        assert.equal(parentEventIdFor(t, s), expected);
        assert.equal(parentEventIdFor(t, s), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('groupRows: the same rows, deduplicated and in the same order', () => {
    const id = fc.oneof(fc.uuid(), fc.constantFrom('a', 'A', 'b', '', 'é', '\uD800', '\uFFFD', '0', '00'), nastyString(6));
    const mapped = fc.oneof(
      id.map((i) => ({ kind: 'event', row: { ...eventRow(), id: i } }) as MappedRow),
      fc.tuple(id, fc.nat()).map(([i, n]) => ({ kind: 'run', row: { id: i, n } }) as unknown as MappedRow),
      fc.tuple(id, fc.nat()).map(([i, n]) => ({ kind: 'node', row: { id: i, n } }) as unknown as MappedRow),
    );
    fc.assert(
      fc.property(fc.array(mapped, { maxLength: 60 }), (rows) => {
        const fast = groupRows(rows);
        const ref = groupRowsReference(rows);
        // Same objects in the same order (the kept duplicate included).
        assert.deepEqual(fast.runs.length, ref.runs.length);
        fast.runs.forEach((r, i) => assert.equal(r, ref.runs[i]));
        fast.nodes.forEach((r, i) => assert.equal(r, ref.nodes[i]));
        fast.events.forEach((r, i) => assert.equal(r, ref.events[i]));
        assert.equal(fast.nodes.length, ref.nodes.length);
        assert.equal(fast.events.length, ref.events.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('sanitizeRow: the clean check at the limits (depth, node count) and on values it must not accept', () => {
    const nest = (depth: number, leaf: unknown): unknown => {
      let v: unknown = leaf;
      for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { d: v } : [v];
      return v;
    };
    const cases: unknown[] = [
      nest(62, 'x'),
      nest(63, 'x'),
      nest(64, 'x'),
      nest(65, 'x'),
      nest(63, '\u0000'),
      { many: Array.from({ length: 99_998 }, (_, i) => i) },
      { many: Array.from({ length: 99_999 }, (_, i) => i) },
      { many: Array.from({ length: 100_000 }, (_, i) => i) },
      { huge: 'x'.repeat(3_000_000), tail: '\uDFFF' },
      { huge: 'x'.repeat(3_000_000) },
      { '{"a":1}': '{"looks":"like json"}', '\\u0000': '\\ud800', '"\\"': '[1,2' },
      { a: Number.POSITIVE_INFINITY },
      { a: [undefined] },
      { a: Symbol('s') },
      { a: new Map([['k', 'v']]) },
      JSON.parse('{"__proto__": {"x": "\\u0000"}, "b": 1}') as unknown,
      new Proxy({ a: 'x' }, {}),
    ];
    for (const inputs of cases) {
      const mapped = { kind: 'event', row: eventRow({ inputs: inputs as JsonObject }) } as MappedRow;
      const fast = sanitizeRow(mapped);
      const ref = sanitizeRowReference(mapped);
      // What reaches Postgres (deepEqual would also compare the prototypes a `__proto__` key sets).
      assert.equal(JSON.stringify(fast.mapped), JSON.stringify(ref.mapped));
      assert.equal(fast.sanitized, ref.sanitized);
      assert.equal(fast.size, ref.size);
    }
    // Clean rows are returned as they are, not copied.
    for (const inputs of [nest(63, 'x'), { many: Array.from({ length: 99_998 }, (_, i) => i) }, { huge: 'x'.repeat(3_000_000) }, { a: '😀' }]) {
      const mapped = { kind: 'event', row: eventRow({ inputs: inputs as JsonObject }) } as MappedRow;
      assert.equal(sanitizeRow(mapped).mapped, mapped);
    }
  });

  it('sanitizeRow: a proxy whose traps call sanitizeRow again does not disturb the outer check', () => {
    const inner = { kind: 'event', row: eventRow({ inputs: { a: 'y'.repeat(1000) } }) } as MappedRow;
    const innerSize = sanitizeRow(inner).size;
    const trap = new Proxy(
      { a: 'x' },
      {
        getPrototypeOf(target) {
          sanitizeRow(inner);
          return Reflect.getPrototypeOf(target);
        },
      },
    );
    const plain = { kind: 'event', row: eventRow({ inputs: { q: { a: 'x' } } }) } as MappedRow;
    const withTrap = { kind: 'event', row: eventRow({ inputs: { q: trap } }) } as MappedRow;
    const expected = sanitizeRow(plain);
    const got = sanitizeRow(withTrap);
    assert.equal(got.sanitized, expected.sanitized);
    assert.equal(got.size, expected.size);
    assert.ok(innerSize > 1000);
  });
});
