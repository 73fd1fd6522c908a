/**
 * Review of the row-mapping fast paths: `hexPairId` (ids.ts) keeps the namespace and a trace id in a shared
 * buffer between calls, and `sanitizeMappedEventRow` (sanitize.ts) skips seven columns and reads the others
 * by name. These tests hold both to what the general paths give, on the inputs that could tell them apart:
 * code of a caller run while the buffer is in use, refused ids met twice, non-hex ids, and a single
 * unclean value in any one column.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EXECUTION_EVENT_TYPES } from '@agentspan/semconv';
import { AGENTSPAN_ID_NAMESPACE, eventIdFor, mapSpanToRow, sanitizeRow, uuidV5, type MappedRow } from '../src/index.js';
import { isCleanString, sanitizeMappedEventRow } from '../src/sanitize.js';
import { isWellFormed } from '../src/well-formed.js';

const NAMESPACE_BYTES = Buffer.from(AGENTSPAN_ID_NAMESPACE.replace(/-/g, ''), 'hex');
const HEX = /^[0-9a-fA-F]*$/;

function uuidText(digest: Buffer): string {
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const h = digest.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The id `eventIdFor` documents for any pair of strings, written from its comment: the plain name
 * `"<trace>-<span>"` (hex ids lower-cased; a lone surrogate hashed as 0xFF and UTF-16LE) when no other
 * pair can have it, else 0xFE, the trace id's length and both ids as UTF-16LE.
 */
function documentedEventId(traceId: string, spanId: string): string {
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  if ((t === traceId ? t.includes('-') : !HEX.test(traceId)) || (s !== spanId && !HEX.test(spanId))) {
    const tt = t === traceId || !HEX.test(traceId) ? traceId : t;
    const ss = s === spanId || !HEX.test(spanId) ? spanId : s;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(tt.length);
    return uuidText(createHash('sha1').update(NAMESPACE_BYTES).update(Buffer.from([0xfe])).update(length).update(Buffer.from(tt + ss, 'utf16le')).digest());
  }
  const name = `${t}-${s}`;
  if (!isWellFormed(name)) {
    return uuidText(createHash('sha1').update(NAMESPACE_BYTES).update(Buffer.from([0xff])).update(Buffer.from(name, 'utf16le')).digest());
  }
  return uuidText(createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest());
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const OTHER_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('eventIdFor after code of a caller ran inside uuidV5', () => {
  it('a namespace whose text derives an event id while uuidV5 reads it leaves the next id right', () => {
    const namespace = {
      toString(): string {
        eventIdFor(TRACE, 'aaaaaaaaaaaaaaaa'); // keeps TRACE in the shared buffer...
        return OTHER_NAMESPACE;
      },
      replace(): string {
        return OTHER_NAMESPACE.replace(/-/g, '');
      },
    };
    // ...which uuidV5 then overwrites with its own namespace and name.
    uuidV5(namespace as unknown as string, 'a name longer than the trace id, so that its bytes differ from the kept ones');
    assert.equal(eventIdFor(TRACE, SPAN), documentedEventId(TRACE, SPAN));
  });

  it('a name whose length derives an event id leaves the next id right (uuidV5 then throws)', () => {
    const name = {
      get length(): number {
        eventIdFor(TRACE, 'bbbbbbbbbbbbbbbb');
        return 3;
      },
    };
    assert.throws(() => uuidV5(OTHER_NAMESPACE, name as unknown as string));
    assert.equal(eventIdFor(TRACE, SPAN), documentedEventId(TRACE, SPAN));
  });
});

describe('eventIdFor of ids the fast path refuses', () => {
  it('a trace id refused halfway, met twice in a row, is not taken for the kept one', () => {
    const good = '0af7651916cd43dd8448eb211c80319c';
    const bad = '0af7651916cd43dd8448eb211c8031zz';
    assert.equal(eventIdFor(good, SPAN), documentedEventId(good, SPAN));
    assert.equal(eventIdFor(bad, SPAN), documentedEventId(bad, SPAN));
    assert.equal(eventIdFor(bad, SPAN), documentedEventId(bad, SPAN));
    assert.equal(eventIdFor(bad, 'aaaaaaaaaaaaaaaa'), documentedEventId(bad, 'aaaaaaaaaaaaaaaa'));
  });

  it('property: hex ids with one odd character (not a hex digit in ASCII, or no ASCII at all) keep the documented id', () => {
    const odd = fc.constantFrom('g', 'G', 'x', '-', ' ', '\t', '\0', '\u00a0', '\uff10', '\uff21', '\uff41', '\u0663', '\u212a', '\u0130', '\ud800', '\udc00', '😀', 'é');
    const withOdd = (n: number): fc.Arbitrary<string> =>
      fc
        .tuple(fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n}}$`)), fc.option(fc.tuple(fc.nat(n), odd), { nil: undefined }))
        .map(([hex, o]) => (o === undefined ? hex : hex.slice(0, o[0]) + o[1] + hex.slice(o[0])));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(withOdd(32), withOdd(31), withOdd(33), withOdd(0)), fc.oneof(withOdd(16), withOdd(15))), { minLength: 1, maxLength: 8 }), (pairs) => {
        for (const [t, s] of pairs) assert.equal(eventIdFor(t, s), documentedEventId(t, s));
      }),
      { numRuns: 1500 },
    );
  });
});

/** A span `mapSpanToRow` makes an event row of, with nothing to clean in it. */
function cleanSpan(type: string, extra: Record<string, unknown> = {}): ReadableSpan {
  const attributes: Record<string, unknown> = {
    [Attr.ATTR_EVENT_TYPE]: type,
    [Attr.ATTR_RUN_ID]: 'run-1',
    [Attr.ATTR_NODE_ID]: 'node-1',
    [Attr.ATTR_STEP_ID]: 'step-1',
    [Attr.ATTR_SESSION_ID]: 'session-1',
    [Attr.ATTR_GEN_AI_AGENT_NAME]: 'analyst',
    [Attr.ATTR_AGENT_ROLE]: 'assistant',
    [Attr.ATTR_EXECUTION_ORDER]: 3,
    [Attr.ATTR_DEPTH]: 1,
    [Attr.ATTR_STATUS]: 'completed',
    [Attr.ATTR_ERROR_MESSAGE]: 'boom',
    [Attr.ATTR_USER_INPUTS]: '{"q":"x"}',
    [Attr.ATTR_USER_OUTPUTS]: '{"r":"y"}',
    [Attr.ATTR_USER_META]: '{"m":"z"}',
    'custom.key': 'value',
    ...extra,
  };
  return {
    name: 'span name',
    spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }),
    parentSpanContext: { traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags: 1 },
    attributes: attributes as Attributes,
    startTime: [1_780_000_000, 123_456_789],
    endTime: [1_780_000_001, 987_654_321],
    duration: [1, 864_197_532],
    ended: true,
    status: { code: 0 },
    resource: { attributes: { 'service.name': 'svc' } },
    events: [],
    links: [],
  } as unknown as ReadableSpan;
}

/** The columns `sanitizeMappedEventRow` takes as clean by construction. */
const DERIVED = ['id', 'parent_event_id', 'event_type', 'event_subtype', 'timestamp', 'started_at', 'completed_at'] as const;

describe('sanitizeMappedEventRow', () => {
  it('an unclean value in any one scanned column alone sends the row to the copy, as sanitizeRow does', () => {
    const base = mapSpanToRow(cleanSpan('tool_call'));
    assert.equal(base?.kind, 'event');
    const columns = Object.keys(base!.row).filter((c) => !(DERIVED as readonly string[]).includes(c));
    assert.equal(columns.length, 20);
    for (const column of columns) {
      for (const dirty of ['x\0y', 'x\ud800', { k: '\0' }, { ['k\udc00']: 1 }]) {
        const mapped = mapSpanToRow(cleanSpan('tool_call'))! as MappedRow & { kind: 'event' };
        (mapped.row as unknown as Record<string, unknown>)[column] = dirty;
        const expected = sanitizeRow(mapped);
        assert.equal(expected.sanitized, true, `${column}: ${JSON.stringify(dirty)}`);
        assert.deepStrictEqual(sanitizeMappedEventRow(mapped), expected, `${column}: ${JSON.stringify(dirty)}`);
      }
    }
  });

  it('property: the seven columns it does not scan are clean whatever the span holds (ids, times, parent, type)', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('\0', '\ud800', 'x\udc00', TRACE.toUpperCase(), '', '-', 'A'.repeat(200)),
    );
    const time = fc.oneof(
      fc.tuple(fc.integer({ min: 1_700_000_000, max: 1_700_000_002 }), fc.integer({ min: 0, max: 999_999_999 })),
      fc.tuple(
        fc.constantFrom(0, -1, -62_167_219_201, 253_402_300_800, 8.64e12, 8.64e12 + 1, Number.NaN, Number.POSITIVE_INFINITY, 1.5),
        fc.constantFrom(0, -1, 1e9, 2.5e9, -3e9, Number.NaN, 1e300, 0.5),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...EXECUTION_EVENT_TYPES), hostile, hostile, fc.option(hostile, { nil: undefined }), time, time, fc.boolean(), (type, traceId, spanId, parent, start, end, ended) => {
        const span = {
          ...cleanSpan(type, parent === undefined ? {} : { [Attr.ATTR_PARENT_EVENT_SPAN_ID]: parent }),
          spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
          startTime: start,
          endTime: end,
          ended,
        } as unknown as ReadableSpan;
        const mapped = mapSpanToRow(span, { seenAt: '2026-01-01T00:00:00.000Z' });
        assert.equal(mapped?.kind, 'event');
        const row = mapped!.row as unknown as Record<string, unknown>;
        for (const column of DERIVED) {
          const v = row[column];
          assert.ok(v === null || (typeof v === 'string' && isCleanString(v) && /^[\x20-\x7e]*$/.test(v)), `${column}: ${JSON.stringify(v)}`);
        }
        assert.deepStrictEqual(sanitizeMappedEventRow(mapped as MappedRow & { kind: 'event' }), sanitizeRow(mapped!));
      }),
      { numRuns: 1500 },
    );
  });
});
