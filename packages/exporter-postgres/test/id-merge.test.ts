/**
 * Ids never merge once cleaned. Postgres refuses NUL and lone surrogates, and
 * UTF-8 writes every lone surrogate alike (as U+FFFD), so two ids differing
 * only there would become one: a row id derived by uuidV5, a text id column
 * cleaned by replacement. Every id-like column is checked here: the derived
 * uuids (`id`, `parent_event_id`, a fill's parent) and the text ids (`run_id`,
 * `node_id`, `step_id`, `session_id`, a run's `id`, `trace_id`, `span_id`,
 * `parent_span_id`).
 *
 * Real spans never carry such ids (the OpenTelemetry SDK and the gateway
 * give lower-case hex); a `ReadableSpan` made by hand and given to the
 * exporter can, and attribute ids (run, node, step, session) are any string.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AGENTSPAN_ID_NAMESPACE, PostgresExecutionEventExporter, eventIdFor, parentEventIdFor, sanitizeRow, uuidV5, type MappedRow } from '../src/index.js';
import { KEY_COLUMNS } from '../src/sanitize.js';
import { eventRow, exportSpans, spanFactory, type SpanFactory } from './helpers.js';

/** A few code units that clean alike: NUL, lone surrogates, U+FFFD itself, and plain letters. */
const alike = fc.array(fc.constantFrom(0x61, 0x62, 0, 0xd800, 0xd801, 0xdc00, 0xdfff, 0xfffd), { maxLength: 4 }).map((u) => String.fromCharCode(...u));

/** Every id-like column of each table (uuid columns derived, text columns cleaned). */
const ID_COLUMNS = {
  event: ['id', 'run_id', 'node_id', 'step_id', 'session_id', 'parent_event_id', 'trace_id', 'span_id', 'parent_span_id'],
  run: ['id', 'session_id', 'trace_id', 'span_id'],
  node: ['id', 'run_id', 'node_id', 'trace_id', 'span_id'],
  fill: ['parent_event_id', 'run_id', 'node_id', 'span_id'],
} as const;

describe('derived uuids (uuidV5, eventIdFor)', () => {
  it('ids differing only in a lone surrogate (or in U+FFFD) stay apart', () => {
    const t = '0af7651916cd43dd8448eb211c80319c';
    const ids = new Set(['ab\ud800', 'ab\ud801', 'ab\udc00', 'ab\ufffd', 'ab\u0000'].map((s) => eventIdFor(t, s)));
    assert.equal(ids.size, 5);
    assert.notEqual(eventIdFor('x\ud800', 'b7ad6b7169203331'), eventIdFor('x\ud801', 'b7ad6b7169203331'));
    assert.notEqual(uuidV5(AGENTSPAN_ID_NAMESPACE, '\ud800'), uuidV5(AGENTSPAN_ID_NAMESPACE, '\ufffd'));
  });

  it('property: distinct names give distinct uuids (names drawn from look-alike code units)', () => {
    fc.assert(
      fc.property(alike, alike, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(uuidV5(AGENTSPAN_ID_NAMESPACE, a), uuidV5(AGENTSPAN_ID_NAMESPACE, b), JSON.stringify([a, b]));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: eventIdFor and parentEventIdFor agree, and keep look-alike (trace, span) pairs apart', () => {
    fc.assert(
      fc.property(alike, alike, alike, alike, (t1, s1, t2, s2) => {
        // Case and the separator: the next describe.
        fc.pre(t1.toLowerCase() !== t2.toLowerCase() || s1.toLowerCase() !== s2.toLowerCase());
        assert.notEqual(eventIdFor(t1, s1), eventIdFor(t2, s2));
        assert.equal(parentEventIdFor(t1, s1), eventIdFor(t1, s1));
      }),
      { numRuns: 3000 },
    );
  });

  it('well-formed names keep the ids every version derived (UTF-8, RFC 9562)', () => {
    assert.equal(eventIdFor('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), '5bb2580d-c1ec-5783-b0ff-c8f49c55aa48');
    assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, 'caf\u00e9-\ufffd-\ud83d\ude00'), uuidV5Utf8('caf\u00e9-\ufffd-\ud83d\ude00'));
  });
});

/**
 * Case and the separator. Ids were lower-cased before hashing and joined with an unescaped `-`, so
 * non-hex ids differing only in case, and pairs joining alike (`a-b`+`c`, `a`+`b-c`), were one row.
 * Hex ids are numbers: their case is no difference, and they keep the ids every version derived.
 */
describe('derived uuids: case and separator', () => {
  /** Ids HEAD (cd6436b) derived, pinned: stored rows and their retries must keep meeting them. */
  const PINNED: readonly (readonly [string, string, string])[] = [
    ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', '5bb2580d-c1ec-5783-b0ff-c8f49c55aa48'],
    ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '36bc190f-5693-5e6c-b28e-84b3a8cdabd7'],
    ['00000000000000000000000000000001', '0000000000000001', 'c0672f22-9b76-50a5-a42b-563bbd73508e'],
    ['ffffffffffffffffffffffffffffffff', 'ffffffffffffffff', 'db2c117a-4789-5e26-a19d-b73176faa81e'],
    // Hex in capitals: the same numbers, the same ids as before.
    ['4BF92F3577B34DA6A3CE929D0E0E4736', '00F067AA0BA902B7', '36bc190f-5693-5e6c-b28e-84b3a8cdabd7'],
    ['', '', '1ac82bb8-51d8-5d76-9c26-6ef06ab8eed7'],
    // Non-hex ids that were never ambiguous keep theirs too.
    ['t', 'span-1', '50e6e818-0be8-57ec-9573-3966e3d1e061'],
    ['trace', 'node_7', '4e752024-54ae-56a9-a0f5-a050531a7f4f'],
    ['0af7651916cd43dd8448eb211c80319c', 'ab\ud800', 'e4d7067d-2e5c-5ea4-a3fd-203c9a702d77'],
    ['0af7651916cd43dd8448eb211c80319c', 'caf\u00e9', 'c0d577f6-9e66-56d5-b455-3f809dae5876'],
  ];

  it('OpenTelemetry hex ids (and unambiguous others) keep the ids HEAD derived, byte for byte', () => {
    for (const [t, s, id] of PINNED) {
      assert.equal(eventIdFor(t, s), id, JSON.stringify([t, s]));
      assert.equal(parentEventIdFor(t, s), id, JSON.stringify([t, s]));
    }
  });

  it('non-hex ids differing only in case, and pairs that join alike around "-", are apart', () => {
    const pairs = [
      ['Run', 'x'], ['run', 'x'], ['RUN', 'x'],
      ['r', 'Span'], ['r', 'span'],
      ['a-b', 'c'], ['a', 'b-c'], ['a-b-c', ''], ['', 'a-b-c'],
      ['\u212a', 'x'], ['k', 'x'], ['K', 'x'], // the Kelvin sign lower-cases to k
      ['\u0130', 'x'], ['i\u0307', 'x'], // İ lower-cases to two code units
      ['g', 'x'], ['G', 'x'],
    ] as const;
    const ids = new Set(pairs.map(([t, s]) => eventIdFor(t, s)));
    assert.equal(ids.size, pairs.length);
  });

  it('a pair its plain name would merge: SHA-1 of 0xFE, the trace id\'s length and both ids in UTF-16LE (vectors computed in Python, README *Ids*)', () => {
    assert.equal(eventIdFor('Run-1', 'x'), '65facead-e467-5016-b5a5-54a603d5140a');
    assert.equal(eventIdFor('a-b', 'c'), '6e4c45d8-e083-5f48-948a-4f303aebb334');
    assert.equal(eventIdFor('\u212a\u{1f600}', 'Sp\ud800'), 'e89f63ae-3a1d-5e3d-9e18-aa7ada229733');
  });

  /** Code units that meet at every boundary: hex in both cases, non-hex letters in both cases, the separator, look-alikes. */
  const unit = fc.constantFrom('a', 'A', 'f', 'F', '0', 'g', 'G', 'k', 'K', '\u212a', '-', '\u00e9', '\u00c9', '\u0130', '\ud800', '');
  const id = fc.array(unit, { maxLength: 5 }).map((u) => u.join(''));
  const hex = (v: string): boolean => /^[0-9a-f]*$/i.test(v);
  /** What makes two pairs the same span: equal ids, except hex ids, which are numbers and equal in any case. */
  const sameId = (a: string, b: string): boolean => a === b || (hex(a) && hex(b) && a.toLowerCase() === b.toLowerCase());

  it('property: distinct (trace, span) pairs give distinct ids; hex pairs equal but for case give the same', () => {
    fc.assert(
      fc.property(id, id, id, id, (t1, s1, t2, s2) => {
        const same = sameId(t1, t2) && sameId(s1, s2);
        if (same) assert.equal(eventIdFor(t1, s1), eventIdFor(t2, s2), JSON.stringify([t1, s1, t2, s2]));
        else assert.notEqual(eventIdFor(t1, s1), eventIdFor(t2, s2), JSON.stringify([t1, s1, t2, s2]));
        assert.equal(parentEventIdFor(t1, s1), eventIdFor(t1, s1));
      }),
      { numRuns: 20_000 },
    );
  });

  it('a hex id is one span in any case, also beside an id that is hashed in the pair form', () => {
    // The pair form is chosen by the other id (a non-hex trace with `-`, a non-hex span in capitals):
    // the hex id's case must not count there either, or a parent named in capitals misses its row.
    assert.equal(eventIdFor('AB', 'G'), eventIdFor('ab', 'G'));
    assert.equal(eventIdFor('a-b', 'CD'), eventIdFor('a-b', 'cd'));
    assert.equal(eventIdFor('Run', '00F067AA0BA902B7'), eventIdFor('Run', '00f067aa0ba902b7'));
    assert.equal(parentEventIdFor('Trace-X', 'B7AD6B7169203331'), eventIdFor('Trace-X', 'b7ad6b7169203331'));
  });

  it('property: flipping the case of a hex id never changes the pair\'s id, whatever the other id is', () => {
    const flip = (v: string, mask: readonly boolean[]): string =>
      [...v].map((ch, i) => (mask[i % Math.max(1, mask.length)] ? ch.toUpperCase() : ch.toLowerCase())).join('');
    const mask = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(id, id, mask, mask, (t, s, mt, ms) => {
        const t2 = hex(t) ? flip(t, mt) : t;
        const s2 = hex(s) ? flip(s, ms) : s;
        assert.equal(eventIdFor(t2, s2), eventIdFor(t, s), JSON.stringify([t, s, t2, s2]));
      }),
      { numRuns: 20_000 },
    );
  });

  it('property: lower-case hex pairs are uuid5 of "<trace>-<span>", as every version derived them', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{1,32}$/), fc.stringMatching(/^[0-9a-f]{1,16}$/), (t, s) => {
        assert.equal(eventIdFor(t, s), uuidV5Utf8(`${t}-${s}`));
        assert.equal(eventIdFor(t.toUpperCase(), s.toUpperCase()), uuidV5Utf8(`${t}-${s}`));
      }),
      { numRuns: 2000 },
    );
  });
});

/** uuid5 over the UTF-8 bytes, the way node:crypto computes it. */
function uuidV5Utf8(name: string): string {
  const ns = Buffer.from(AGENTSPAN_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const d = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  d[6] = ((d[6] ?? 0) & 0x0f) | 0x50;
  d[8] = ((d[8] ?? 0) & 0x3f) | 0x80;
  const h = d.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

describe('text id columns (sanitizeRow)', () => {
  it('every id-like text column is cleaned as a key (cleanKey), never by replacement alone', () => {
    for (const [kind, columns] of Object.entries(ID_COLUMNS)) {
      for (const column of columns) {
        if (column === 'parent_event_id' || (column === 'id' && kind !== 'run')) continue; // uuids, derived above
        assert.ok(KEY_COLUMNS.has(column), `${kind}.${column}`);
      }
    }
  });

  it('property: two event rows whose ids differ only in what cleaning replaces keep every id apart; a parent and its child still match', () => {
    const columns = ['run_id', 'node_id', 'step_id', 'session_id', 'trace_id', 'span_id', 'parent_span_id'] as const;
    fc.assert(
      fc.property(alike, alike, fc.constantFrom(...columns), (a, b, column) => {
        fc.pre(a !== b);
        const clean = (v: string): unknown => (sanitizeRow({ kind: 'event', row: eventRow({ [column]: v }) }).mapped.row as unknown as Record<string, unknown>)[column];
        assert.notEqual(clean(a), clean(b), `${column}: ${JSON.stringify([a, b])}`);
        // The same value cleans the same way in every column and table: a child's parent_span_id is its parent's span_id.
        const asParent = (sanitizeRow({ kind: 'event', row: eventRow({ parent_span_id: a }) }).mapped.row as { parent_span_id: string }).parent_span_id;
        const asSpan = (sanitizeRow({ kind: 'node', row: { ...nodeRow(), span_id: a } } as unknown as MappedRow).mapped.row as { span_id: string }).span_id;
        assert.equal(asParent, asSpan);
      }),
      { numRuns: 2000 },
    );
  });
});

function nodeRow(): Record<string, unknown> {
  return { id: '6f1c2a52-5d3b-5a8e-9c1e-0f4a1b2c3d4e', run_id: 'r', node_id: 'n', trace_id: 't', span_id: 's', meta: {} };
}

describe('ids that clean alike, in real Postgres', () => {
  let db: TestSchema;
  let f: SpanFactory;
  before(async () => {
    db = await createTestSchema('idmerge');
    f = spanFactory();
  });
  after(async () => {
    await f.shutdown();
    await db.drop();
  });

  /** `span` with other ids (a span made by hand: the SDK itself only makes hex ids). */
  function withIds(span: ReadableSpan, traceId: string, spanId: string, parentSpanId?: string): ReadableSpan {
    const copy = Object.create(span) as ReadableSpan;
    const own = span.spanContext();
    Object.defineProperty(copy, 'spanContext', { value: () => ({ ...own, traceId, spanId }) });
    Object.defineProperty(copy, 'parentSpanContext', {
      value: parentSpanId === undefined ? undefined : { traceId, spanId: parentSpanId, traceFlags: 1 },
    });
    return copy;
  }

  it('two spans whose ids differ only in a lone surrogate are two rows, their parent links intact', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    const event = (order: number): ReadableSpan =>
      f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: 'ids-alike',
        [Attr.ATTR_EXECUTION_ORDER]: order,
        [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
      });
    const trace = 'trace\ud800';
    const spans = [
      withIds(event(1), trace, 'span\ud800'),
      withIds(event(2), trace, 'span\ud801'),
      withIds(event(3), 'trace\ud801', 'span\ud800'),
      // Children of the first two: each points at its own parent.
      withIds(event(4), trace, 'child-a', 'span\ud800'),
      withIds(event(5), trace, 'child-b', 'span\ud801'),
    ];
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const rows = (
      await db.pool.query<{ id: string; parent_event_id: string | null; trace_id: string; span_id: string; parent_span_id: string | null; execution_order: number }>(
        `SELECT id, parent_event_id, trace_id, span_id, parent_span_id, execution_order FROM "${db.schema}".execution_events WHERE run_id = 'ids-alike' ORDER BY execution_order`,
      )
    ).rows;
    assert.equal(rows.length, 5, 'no row lost to an id merged with another');
    const [a, b, c, childA, childB] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    assert.equal(new Set(rows.map((r) => r.id)).size, 5);
    assert.notEqual(a.span_id, b.span_id);
    assert.notEqual(a.trace_id, c.trace_id);
    assert.equal(childA.parent_event_id, a.id);
    assert.equal(childB.parent_event_id, b.id);
    assert.equal(childA.parent_span_id, a.span_id);
    assert.equal(childB.parent_span_id, b.span_id);
    // Written again: nothing more (the ids are derived the same way every time).
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const again = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'ids-alike'`);
    assert.equal(again.rows[0].n, 5);
    await exporter.shutdown();
  });

  it('spans whose ids differ only in case (not hex) or join alike around "-" are rows of their own, their children linked', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    const event = (order: number): ReadableSpan =>
      f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: 'ids-case',
        [Attr.ATTR_EXECUTION_ORDER]: order,
        [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
      });
    const spans = [
      withIds(event(1), 'Trace-X', 'Span'),
      withIds(event(2), 'trace-x', 'span'),
      withIds(event(3), 'a-b', 'c'),
      withIds(event(4), 'a', 'b-c'),
      withIds(event(5), 'Trace-X', 'child', 'Span'),
      withIds(event(6), 'trace-x', 'child', 'span'),
      // An OpenTelemetry span: its row keeps the id every version gave it.
      withIds(event(7), '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'),
    ];
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const rows = (
      await db.pool.query<{ id: string; parent_event_id: string | null; execution_order: number }>(
        `SELECT id, parent_event_id, execution_order FROM "${db.schema}".execution_events WHERE run_id = 'ids-case' ORDER BY execution_order`,
      )
    ).rows;
    assert.deepEqual(rows.map((r) => r.execution_order), [1, 2, 3, 4, 5, 6, 7], 'no row lost to an id merged with another');
    assert.equal(new Set(rows.map((r) => r.id)).size, 7);
    assert.equal(rows[4]?.parent_event_id, rows[0]?.id);
    assert.equal(rows[5]?.parent_event_id, rows[1]?.id);
    assert.equal(rows[6]?.id, '5bb2580d-c1ec-5783-b0ff-c8f49c55aa48');
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const again = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'ids-case'`);
    assert.equal(again.rows[0].n, 7, 'written again: nothing more');
    await exporter.shutdown();
  });

  it('a child naming its parent\'s hex span id in capitals, in a trace hashed in the pair form, links to the parent\'s row', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    const event = (order: number): ReadableSpan =>
      f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: 'ids-hex-case',
        [Attr.ATTR_EXECUTION_ORDER]: order,
        [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
      });
    const spans = [withIds(event(1), 'run-7', 'b7ad6b7169203331'), withIds(event(2), 'run-7', '00f067aa0ba902b7', 'B7AD6B7169203331')];
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const rows = (
      await db.pool.query<{ id: string; parent_event_id: string | null }>(
        `SELECT id, parent_event_id FROM "${db.schema}".execution_events WHERE run_id = 'ids-hex-case' ORDER BY execution_order`,
      )
    ).rows;
    assert.equal(rows.length, 2);
    assert.equal(rows[1]?.parent_event_id, rows[0]?.id, 'the child points at its parent\'s row');
    await exporter.shutdown();
  });

  it('attribute ids (run, node, step, session) differing only in what cleaning replaces stay apart', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    const spans = ['\u0000', '\ud800', '\ud801', '\ufffd'].map((x, i) =>
      f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: `run${x}`,
        [Attr.ATTR_NODE_ID]: `node${x}`,
        [Attr.ATTR_STEP_ID]: `step${x}`,
        [Attr.ATTR_SESSION_ID]: `session${x}`,
        [Attr.ATTR_EXECUTION_ORDER]: i,
      }),
    );
    assert.equal((await exportSpans(exporter, spans)).code, 0);
    const r = await db.pool.query(
      `SELECT count(DISTINCT run_id)::int AS runs, count(DISTINCT node_id)::int AS nodes, count(DISTINCT step_id)::int AS steps, count(DISTINCT session_id)::int AS sessions
         FROM "${db.schema}".execution_events WHERE run_id LIKE 'run%'`,
    );
    assert.deepEqual(r.rows[0], { runs: 4, nodes: 4, steps: 4, sessions: 4 });
    await exporter.shutdown();
  });
});
