/**
 * The delivery half's speed changes (SHA-1 written out for the ids, the
 * payload keys stored in place) must leave every byte the exporter produces
 * as it was:
 *
 * - the ids against `node:crypto` and the documented naming scheme, over
 *   names of every padding length and hostile ids;
 * - the payloads of the three common event types against a reference that
 *   builds them key by key through one helper, as the mapper did before
 *   (same keys, same order, same values), over hostile attribute values;
 * - the rows and the COPY bytes of a fixed set of hostile spans against the
 *   digest the code before the change produced (NUL, lone surrogates, huge
 *   and deeply nested values, -0, NaN, Infinity, numbers a double cannot
 *   hold, `__proto__` keys, odd trace and span ids).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType, toolCodeArgument } from '@agentspan/semconv';
import {
  AGENTSPAN_ID_NAMESPACE,
  CONSUMED_ATTRIBUTE_KEYS,
  EXECUTION_EVENTS_COLUMN_TYPES,
  PREVIEW_LENGTH,
  PostgresExecutionEventExporter,
  copyDataMessages,
  eventIdFor,
  groupRows,
  mapSpanToRow,
  parentEventIdFor,
  uuidV5,
  type ExecutionEventRow,
  type JsonObject,
  type JsonValue,
} from '../src/index.js';
import { parseJsonText } from '../src/attribute-values.js';

// ---------------------------------------------------------------------------
// ids
// ---------------------------------------------------------------------------

/** UUIDv5 of `bytes` (namespace included) as RFC 9562 §5.5 says, with `node:crypto`'s SHA-1. */
function uuidOfBytes(bytes: Buffer): string {
  const d = createHash('sha1').update(bytes).digest();
  d[6] = (d[6]! & 0x0f) | 0x50;
  d[8] = (d[8]! & 0x3f) | 0x80;
  const h = d.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const nsBytes = (ns: string): Buffer => Buffer.from(ns.replace(/-/g, ''), 'hex');

/** {@link uuidV5} as documented: the UTF-8 name, or 0xFF and the UTF-16LE code units of a name with a lone surrogate. */
function uuidV5Reference(ns: string, name: string): string {
  const wellFormed = (name as unknown as { isWellFormed(): boolean }).isWellFormed();
  const tail = wellFormed ? Buffer.from(name, 'utf8') : Buffer.concat([Buffer.from([0xff]), Buffer.from(name, 'utf16le')]);
  return uuidOfBytes(Buffer.concat([nsBytes(ns), tail]));
}

const HEX = /^[0-9a-fA-F]*$/;

/** {@link eventIdFor} as documented: `"<trace>-<span>"` lower-cased when no other pair can have that name, else 0xFE, the trace id's length, both ids' UTF-16LE units. */
function eventIdReference(traceId: string, spanId: string): string {
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  const plain = (t === traceId ? !t.includes('-') : HEX.test(traceId)) && (s === spanId || HEX.test(spanId));
  if (plain) return uuidV5Reference(AGENTSPAN_ID_NAMESPACE, `${t}-${s}`);
  const tt = t === traceId || !HEX.test(traceId) ? traceId : t;
  const ss = s === spanId || !HEX.test(spanId) ? spanId : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(tt.length);
  return uuidOfBytes(Buffer.concat([nsBytes(AGENTSPAN_ID_NAMESPACE), Buffer.from([0xfe]), len, Buffer.from(tt, 'utf16le'), Buffer.from(ss, 'utf16le')]));
}

const OTHER_NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const hexId = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n}}$`));
const oddId = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '-', 'a-b', 'ÄB', '\ud800', '\udc00x', 'x\0y', 'é'.repeat(400), 'A'.repeat(1100), '😀'.repeat(600)),
);

describe('ids: SHA-1 written out, the same ids', () => {
  it('uuidV5 equals node:crypto for names of every length across the padding boundaries (0-300 bytes)', () => {
    for (let len = 0; len <= 300; len++) {
      for (const unit of ['a', 'é', '\ud800', '😀']) {
        const name = unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
        assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, name), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, name), `${JSON.stringify(unit)} × ${len}`);
        assert.equal(uuidV5(OTHER_NS, name), uuidV5Reference(OTHER_NS, name));
      }
    }
  });

  it('uuidV5 equals node:crypto for names past the reused scratch space (64 KiB) and long multi-byte names', () => {
    for (const name of ['a'.repeat(70_000), 'é'.repeat(1025), '😀'.repeat(40_000), '\ud800'.repeat(2000), 'x'.repeat(65_520)]) {
      assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, name), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, name));
    }
    // A short name after a huge one: the scratch space kept is still right.
    assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, 'after'), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, 'after'));
  });

  it('property: uuidV5 equals node:crypto for any name (NUL, lone surrogates, astral, long)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 100 }), oddId), (name) => {
        assert.equal(uuidV5(AGENTSPAN_ID_NAMESPACE, name), uuidV5Reference(AGENTSPAN_ID_NAMESPACE, name));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: eventIdFor and parentEventIdFor follow the documented scheme for any pair of ids', () => {
    fc.assert(
      fc.property(fc.oneof(hexId(32), oddId), fc.oneof(hexId(16), oddId), (t, s) => {
        const want = eventIdReference(t, s);
        assert.equal(eventIdFor(t, s), want);
        assert.equal(parentEventIdFor(t, s), want);
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------
// payloads
// ---------------------------------------------------------------------------

/** Values a span's attributes may hold at run time (the SDK checks less than the types say), hostile ones first. */
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('\0', '\ud800', '\udc00', '\udbff\udfff', '\\', '\t', '\n', '"', '__proto__', '-0', 'NaN', 'Infinity', '1e400', '12345678901234567890', '{', '}', '[', ']', ',', ':', 'true', 'null', 'é', '😀') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const text = fc.array(piece, { maxLength: 10 }).map((a) => a.join(''));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.constantFrom(-0, 1e21, 5e-324, 2 ** 53 + 2),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(text, fc.constant('__proto__')), tie('v'), { maxKeys: 3 }),
  ),
})).v;
const jsonText = fc.oneof(
  json.map((v) => JSON.stringify(v) ?? 'null'),
  fc.integer({ min: 1, max: 150 }).map((n) => '['.repeat(n) + '1' + ']'.repeat(n)),
  fc.constantFrom('{"__proto__":{"x":1},"a":"\\u0000"}', '{"n":1e400,"m":-0,"b":12345678901234567890}', '[1,2,', '"\\ud800"', ' {"a":1} ', '{"query":"q","limit":5,"code":"print(1)"}'),
);
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 3, arbitrary: jsonText },
  { weight: 2, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constantFrom(-0, NaN, Infinity, -Infinity, '-0', ' 42 ', '', 'true', 'false')) },
  { weight: 1, arbitrary: fc.array(fc.oneof(text, fc.constant(null), fc.constant(undefined), fc.double()), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '\0', '\ud800', 'é'), fc.integer({ min: 500, max: 5000 })).map(([c, n]) => c.repeat(n)) },
);

/** A plain finished span (all that the mapper reads), with fixed ids and times. */
function spanOf(name: string, attributes: Attributes, ids: { traceId?: string; spanId?: string; parentSpanId?: string } = {}, ended = true): ReadableSpan {
  const traceId = ids.traceId ?? '4bf92f3577b34da6a3ce929d0e0e4736';
  return {
    name,
    spanContext: () => ({ traceId, spanId: ids.spanId ?? '00f067aa0ba902b7', traceFlags: 1 }),
    parentSpanContext: ids.parentSpanId === undefined ? undefined : { traceId, spanId: ids.parentSpanId, traceFlags: 1 },
    attributes,
    startTime: [1_780_000_000, 123_456_789],
    endTime: [1_780_000_001, 987_654_321],
    duration: [1, 864_197_532],
    ended,
    status: { code: 0 },
    resource: { attributes: { 'service.name': 'svc' } },
    events: [],
    links: [],
  } as unknown as ReadableSpan;
}

/** Attributes of an event of `type`: each key it consumes, most of the time, with any value; `__proto__` kept as an own key. */
function eventAttributes(type: string): fc.Arbitrary<Attributes> {
  const keys = [...(CONSUMED_ATTRIBUTE_KEYS[type as EventType] ?? [])].filter(
    // Unchanged paths: the user's JSON objects (merged under the derived keys) and the gateway's fills.
    (k) => k !== Attr.ATTR_USER_INPUTS && k !== Attr.ATTR_USER_OUTPUTS && k !== Attr.ATTR_USER_META && !k.startsWith('agentspan.agent.fill.'),
  );
  return fc.tuple(...keys.map(() => fc.option(attributeValue, { nil: undefined, freq: 4 })), fc.dictionary(fc.oneof(text, fc.constant('__proto__')), attributeValue, { maxKeys: 3 })).map((values) => {
    const extra = values.pop() as Record<string, unknown>;
    const a: Record<string, unknown> = {};
    const set = (k: string, v: unknown): void => {
      if (v !== undefined) Object.defineProperty(a, k, { value: v, enumerable: true, writable: true, configurable: true });
    };
    keys.forEach((k, i) => set(k, values[i]));
    for (const k of Object.keys(extra)) set(k, extra[k]);
    set(Attr.ATTR_EVENT_TYPE, type);
    return a as Attributes;
  });
}

// The reference: the payloads as they were built before the change, every key through one helper.

function readString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
function readNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
function readBoolean(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
}
function attributeToJson(v: unknown): JsonValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x: unknown) => (x === undefined ? null : (x as JsonValue)));
  return v as JsonValue;
}
const readJson = (v: unknown): JsonValue | undefined => (typeof v === 'string' ? parseJsonText(v) : attributeToJson(v));
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
function codePoints(s: string): number {
  return [...s].length;
}
function previewOf(s: string): string {
  return [...s].slice(0, PREVIEW_LENGTH).join('');
}
function put(o: JsonObject, key: string, v: JsonValue | undefined): void {
  if (v !== undefined) Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function payloadReference(type: string, a: Attributes): { inputs: JsonObject; outputs: JsonObject; meta: JsonObject } {
  const inputs: JsonObject = {};
  const outputs: JsonObject = {};
  const meta: JsonObject = {};
  const g = (k: string): AttributeValue | undefined => a[k];
  if (type === EventType.AGENT_CALL) {
    const content = readString(g(Attr.ATTR_MESSAGE_CONTENT));
    put(inputs, 'content', content);
    put(inputs, 'message_preview', content === undefined ? undefined : previewOf(content));
    put(outputs, 'files_generated', readJson(g(Attr.ATTR_FILES_GENERATED)));
    put(meta, 'role', readString(g(Attr.ATTR_AGENT_ROLE)));
    put(meta, 'sender', readString(g(Attr.ATTR_MESSAGE_SENDER)));
    put(meta, 'has_code', readBoolean(g(Attr.ATTR_MESSAGE_HAS_CODE)));
    put(meta, 'code_languages', readJson(g(Attr.ATTR_MESSAGE_CODE_LANGUAGES)));
    put(meta, 'code_hashes', readJson(g(Attr.ATTR_MESSAGE_CODE_HASHES)));
    put(meta, 'has_tool_calls', readBoolean(g(Attr.ATTR_MESSAGE_HAS_TOOL_CALLS)));
    put(meta, 'file_refs', readJson(g(Attr.ATTR_MESSAGE_FILE_REFS)));
    put(meta, 'content_length', readNumber(g(Attr.ATTR_MESSAGE_LENGTH)) ?? (content === undefined ? undefined : codePoints(content)));
    put(meta, 'model', readString(g(Attr.ATTR_GEN_AI_REQUEST_MODEL)));
  } else if (type === EventType.CODE_EXEC) {
    const code = readString(g(Attr.ATTR_CODE_CONTENT));
    const language = readString(g(Attr.ATTR_CODE_LANGUAGE));
    const result = readString(g(Attr.ATTR_CODE_OUTPUT));
    put(inputs, 'code', code);
    put(inputs, 'code_hash', readString(g(Attr.ATTR_CODE_HASH)));
    put(inputs, 'context', readString(g(Attr.ATTR_MESSAGE_CONTEXT)));
    put(inputs, 'language', language);
    put(outputs, 'result', result);
    put(outputs, 'result_preview', result === undefined ? undefined : previewOf(result));
    put(outputs, 'exit_code', readNumber(g(Attr.ATTR_CODE_EXIT_CODE)));
    put(outputs, 'files_generated', readJson(g(Attr.ATTR_FILES_GENERATED)));
    put(meta, 'language', language);
    put(meta, 'imports', readJson(g(Attr.ATTR_CODE_IMPORTS)));
    put(meta, 'files_written', readJson(g(Attr.ATTR_CODE_FILES_WRITTEN)));
    put(meta, 'files_read', readJson(g(Attr.ATTR_CODE_FILES_READ)));
    put(meta, 'has_error', readBoolean(g(Attr.ATTR_HAS_ERROR)) ?? false);
    put(meta, 'error_type', readString(g(Attr.ATTR_ERROR_TYPE)));
    put(meta, 'error_message', readString(g(Attr.ATTR_ERROR_MESSAGE)));
    put(meta, 'code_length', readNumber(g(Attr.ATTR_CODE_LENGTH)) ?? (code === undefined ? undefined : codePoints(code)));
    put(meta, 'cwd', readString(g(Attr.ATTR_CODE_CWD)));
  } else {
    const args = readJson(g(Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS));
    put(inputs, 'tool', readString(g(Attr.ATTR_GEN_AI_TOOL_NAME)));
    put(inputs, 'args', args);
    put(inputs, 'args_keys', readJson(g(Attr.ATTR_TOOL_ARGS_KEYS)) ?? (isObject(args) ? Object.keys(args).sort() : undefined));
    put(inputs, 'tool_call_id', readString(g(Attr.ATTR_GEN_AI_TOOL_CALL_ID)));
    put(inputs, 'context', readString(g(Attr.ATTR_MESSAGE_CONTEXT)));
    const raw = g(Attr.ATTR_GEN_AI_TOOL_CALL_RESULT);
    const resultText = raw === undefined || raw === null ? undefined : typeof raw === 'string' ? raw : JSON.stringify(raw);
    put(outputs, 'result_preview', resultText === undefined ? undefined : previewOf(resultText));
    put(outputs, 'files_generated', readJson(g(Attr.ATTR_FILES_GENERATED)));
    put(outputs, 'result', readJson(raw));
    put(meta, 'has_error', readBoolean(g(Attr.ATTR_HAS_ERROR)) ?? false);
    put(meta, 'error_type', readString(g(Attr.ATTR_ERROR_TYPE)));
    put(meta, 'error_message', readString(g(Attr.ATTR_ERROR_MESSAGE)));
    const codeHash = readString(g(Attr.ATTR_CODE_HASH));
    if (codeHash !== undefined) {
      put(inputs, 'code', isObject(args) ? toolCodeArgument(args) : undefined);
      put(inputs, 'code_hash', codeHash);
      put(meta, 'language', readString(g(Attr.ATTR_CODE_LANGUAGE)));
      put(meta, 'imports', readJson(g(Attr.ATTR_CODE_IMPORTS)));
      put(meta, 'files_written', readJson(g(Attr.ATTR_CODE_FILES_WRITTEN)));
      put(meta, 'files_read', readJson(g(Attr.ATTR_CODE_FILES_READ)));
    }
    meta['source'] = 'tool_call';
  }
  put(meta, 'redactions', readNumber(g(Attr.ATTR_REDACTIONS)));
  put(meta, 'truncated', readBoolean(g(Attr.ATTR_TRUNCATED)));
  return { inputs, outputs, meta };
}

/** Keys in order, values by `Object.is` at the leaves: what decides the JSON text of a column. */
function assertSameObject(actual: JsonObject, expected: JsonObject, what: string): void {
  assert.deepEqual(Reflect.ownKeys(actual), Reflect.ownKeys(expected), `${what}: keys`);
  assert.deepStrictEqual(actual, expected, `${what}: values`);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${what}: JSON text`);
}

describe('payloads stored key by key in place: the same keys, order and values', () => {
  for (const type of [EventType.AGENT_CALL, EventType.CODE_EXEC, EventType.TOOL_CALL]) {
    it(`property: ${type} rows over hostile attribute values`, () => {
      fc.assert(
        fc.property(eventAttributes(type), (attributes) => {
          const m = mapSpanToRow(spanOf(`${type} x`, attributes));
          assert.ok(m?.kind === 'event');
          const want = payloadReference(type, attributes);
          assertSameObject(m.row.inputs, want.inputs, 'inputs');
          assertSameObject(m.row.outputs, want.outputs, 'outputs');
          assertSameObject(m.row.meta, want.meta, 'meta');
        }),
        { numRuns: 1500 },
      );
    });
  }
});

// ---------------------------------------------------------------------------
// rows and COPY bytes of fixed hostile spans
// ---------------------------------------------------------------------------

const HOSTILE: readonly unknown[] = [
  '',
  'plain text',
  'a\0b',
  '\0',
  'x\ud800',
  '\udc00y',
  '\ud83d\ude00 paired',
  'tab\there\nnew\rcr\\back',
  '"quoted" \\N \\.',
  '\u2028\u2029\uFEFF\x7f\b',
  'é'.repeat(3000),
  'z'.repeat(70_000),
  '\ud800'.repeat(600),
  '{"__proto__":{"polluted":1},"a":[1,-0,1e400,12345678901234567890],"b":"\\u0000\\ud800"}',
  '['.repeat(120) + '1' + ']'.repeat(120),
  '{"a":'.repeat(80) + '"\\n"' + '}'.repeat(80),
  '{"query":"sales","limit":5,"code":"print(1)\\n"}',
  '-0',
  'NaN',
  'Infinity',
  '12345678901234567890',
  '9007199254740993',
  ' 42 ',
  'true',
  'false',
  'null',
  '[1,2,',
  -0,
  0,
  NaN,
  Infinity,
  -Infinity,
  1.5,
  2 ** 53 + 2,
  -2_147_483_649,
  2_147_483_647,
  true,
  false,
  ['a', null, 'b\0', '\ud800'],
  [1.5, -0, NaN],
  [],
];
const TRACES = ['4bf92f3577b34da6a3ce929d0e0e4736', '4BF92F3577B34DA6A3CE929D0E0E4736', 'not-hex-trace', 'trace-ü', 't\ud800', 'x'.repeat(300)];
const SPANS = ['00f067aa0ba902b7', '00F067AA0BA902B7', 'span-ü', 's\0', 'é'.repeat(50)];

/** The spans: every event type with its consumed keys set to the hostile values in turn, under a run and a node. */
function hostileSpans(): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const types = [EventType.AGENT_CALL, EventType.CODE_EXEC, EventType.TOOL_CALL, EventType.FILE_GEN, EventType.HANDOFF];
  let n = 0;
  for (const type of types) {
    const keys = [...CONSUMED_ATTRIBUTE_KEYS[type]].filter((k) => !k.startsWith('agentspan.agent.fill.') && k !== Attr.ATTR_EVENT_TYPE);
    // Twice: as they are, then with every string Postgres refuses made clean (rows the fast path takes).
    for (let i = 0; i < 2 * HOSTILE.length; i++) {
      const clean = i >= HOSTILE.length;
      const value = (at: number): unknown => {
        const v = HOSTILE[at % HOSTILE.length];
        return clean && typeof v === 'string' && (v.includes('\0') || !(v as unknown as { isWellFormed(): boolean }).isWellFormed()) ? 'ok' : v;
      };
      const a: Record<string, unknown> = {};
      keys.forEach((k, j) => {
        if ((i + j) % 5 !== 4) a[k] = value(i + j);
      });
      Object.defineProperty(a, '__proto__', { value: value(i), enumerable: true, writable: true, configurable: true });
      a['leftover.' + String(i)] = value(i * 7);
      a[Attr.ATTR_EVENT_TYPE] = type;
      n++;
      spans.push(
        spanOf(`${type} ${String(value(i)).slice(0, 40)}`, a as Attributes, {
          traceId: TRACES[n % TRACES.length],
          spanId: n % 4 === 0 ? SPANS[n % SPANS.length] : n.toString(16).padStart(16, '0'),
          parentSpanId: n % 3 === 0 ? undefined : SPANS[(n + 1) % SPANS.length],
        }),
      );
    }
  }
  spans.push(spanOf('run', { [Attr.ATTR_EVENT_TYPE]: EventType.RUN, [Attr.ATTR_RUN_ID]: 'run\0\ud800' }, { spanId: 'aaaaaaaaaaaaaaaa' }));
  spans.push(spanOf('node', { [Attr.ATTR_EVENT_TYPE]: EventType.NODE, [Attr.ATTR_RUN_ID]: 'r', [Attr.ATTR_NODE_ID]: 'n\0' }, { spanId: 'BBBBBBBBBBBBBBBB', traceId: 'T-1' }));
  return spans;
}

/** SHA-256 of the prepared rows (as JSON, keys in order) and of the COPY bytes of their events, in the writer's order. */
function digestOf(spans: readonly ReadableSpan[]): { rows: string; copy: string; stats: string } {
  const exporter = new PostgresExecutionEventExporter({ connectionString: 'postgres://u@127.0.0.1:1/unused', migrate: false, maxRowSize: 100_000 });
  const rows = exporter.prepareRows(spans).rows;
  const events: readonly ExecutionEventRow[] = groupRows(rows).events;
  const copy = createHash('sha256');
  for (const message of copyDataMessages(events, EXECUTION_EVENTS_COLUMN_TYPES, 4096)) copy.update(message);
  void exporter.shutdown();
  return {
    rows: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
    copy: copy.digest('hex'),
    stats: JSON.stringify(exporter.stats()),
  };
}

describe('rows and COPY bytes of hostile spans: as before the change', () => {
  it('the digests the code before the change gave (bc731b5)', () => {
    const d = digestOf(hostileSpans());
    assert.deepEqual(d, GOLDEN);
  });
});

/** Computed with the exporter of bc731b5 (before the SHA-1 and payload changes) on {@link hostileSpans}. */
const GOLDEN = {
  rows: 'cf8730e820c7e1f9d2cb1e6264914cbfe88deabaa2bd26e7c4e3ac74e75558d4',
  copy: '7527067c82ab002cd73a6d88474ec0e1dc1bfe601f1276a3f80008aecd4e95d1',
  stats: JSON.stringify({
    exportedRows: 0,
    exportedFills: 0,
    skippedSpans: 0,
    failedExports: 0,
    sanitizedRows: 340,
    repairedRows: 0,
    quarantinedRows: 0,
    shrunkRows: 93,
    rollbackTimeouts: 0,
  }),
};
