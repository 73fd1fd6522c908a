/**
 * Request bodies → {@link DecodedRequest}. Protobuf is decoded by protobufjs
 * against the published schema; JSON is parsed by `JSON.parse`; both are
 * then read by the same walker through a {@link Dialect}. Nothing here
 * trusts the input: every field is type-checked, and a span whose ids are
 * unusable is counted as rejected instead of failing the whole request.
 */

import { SpanKind, SpanStatusCode, type HrTime, type SpanStatus } from '@opentelemetry/api';
import protobuf from 'protobufjs';
import { keyValuesToAttributes } from './any-value.js';
import { jsonDialect, protobufDialect, type Dialect } from './dialect.js';
import type { DecodedRequest, ReceivedEvent, ReceivedLink, ReceivedResource, ReceivedScope, ReceivedSpan } from './otlp-model.js';
import { otlpSchema } from './otlp-schema.js';
import { runToEnd, type SlicedWork } from './slices.js';

/** A body that is not a valid OTLP request in its declared encoding (answered with 400). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

const NANOS_PER_SECOND = 1_000_000_000n;

const SPAN_KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE_NAMES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** OTLP `SpanKind` (0 unspecified ... 5 consumer) → API `SpanKind`; unspecified is INTERNAL, as the spec allows. */
function spanKindOf(otlp: number | undefined): SpanKind {
  switch (otlp) {
    case 2:
      return SpanKind.SERVER;
    case 3:
      return SpanKind.CLIENT;
    case 4:
      return SpanKind.PRODUCER;
    case 5:
      return SpanKind.CONSUMER;
    default:
      return SpanKind.INTERNAL;
  }
}

/** Nanoseconds since the epoch → `HrTime`. */
export function nanosToHrTime(nanos: bigint): HrTime {
  return [Number(nanos / NANOS_PER_SECOND), Number(nanos % NANOS_PER_SECOND)];
}

function list(d: Dialect, obj: unknown, snake: string, camel: string): unknown[] {
  const v = d.field(obj, snake, camel);
  return Array.isArray(v) ? v : [];
}

function text(d: Dialect, obj: unknown, snake: string, camel: string): string | undefined {
  const v = d.field(obj, snake, camel);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function isZero(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return false;
  return true;
}

function resourceOf(d: Dialect, resourceSpans: unknown): ReceivedResource {
  const attributes = keyValuesToAttributes(d, d.field(d.field(resourceSpans, 'resource', 'resource'), 'attributes', 'attributes'));
  const schemaUrl = text(d, resourceSpans, 'schema_url', 'schemaUrl');
  const entries = Object.keys(attributes)
    .sort()
    .map((k) => [k, attributes[k]]);
  return { attributes, schemaUrl, key: JSON.stringify([schemaUrl ?? '', entries]) };
}

function scopeOf(d: Dialect, scopeSpans: unknown): ReceivedScope {
  const scope = d.field(scopeSpans, 'scope', 'scope');
  return {
    name: text(d, scope, 'name', 'name') ?? '',
    version: text(d, scope, 'version', 'version'),
    schemaUrl: text(d, scopeSpans, 'schema_url', 'schemaUrl'),
  };
}

function statusOf(d: Dialect, span: unknown): SpanStatus {
  const status = d.field(span, 'status', 'status');
  const code = d.enumValue(d.field(status, 'code', 'code'), STATUS_CODE_NAMES);
  const message = text(d, status, 'message', 'message');
  if (code === 2) return message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message };
  if (code === 1) return { code: SpanStatusCode.OK };
  return { code: SpanStatusCode.UNSET };
}

function eventsOf(d: Dialect, span: unknown, fallback: bigint): ReceivedEvent[] {
  const out: ReceivedEvent[] = [];
  for (const e of list(d, span, 'events', 'events')) {
    const nanos = d.uint64(d.field(e, 'time_unix_nano', 'timeUnixNano'));
    out.push({
      name: text(d, e, 'name', 'name') ?? 'event',
      time: nanosToHrTime(typeof nanos === 'bigint' && nanos > 0n ? nanos : fallback), // an event with a bad time keeps the span's
      attributes: keyValuesToAttributes(d, d.field(e, 'attributes', 'attributes')),
    });
  }
  return out;
}

function linksOf(d: Dialect, span: unknown): ReceivedLink[] {
  const out: ReceivedLink[] = [];
  for (const l of list(d, span, 'links', 'links')) {
    const traceId = d.id(d.field(l, 'trace_id', 'traceId'), 16);
    const spanId = d.id(d.field(l, 'span_id', 'spanId'), 8);
    // A link to nothing usable is left out; the span itself is fine.
    if (typeof traceId !== 'string' || typeof spanId !== 'string' || isZero(traceId) || isZero(spanId)) continue;
    out.push({
      traceId,
      spanId,
      traceState: text(d, l, 'trace_state', 'traceState'),
      attributes: keyValuesToAttributes(d, d.field(l, 'attributes', 'attributes')),
    });
  }
  return out;
}

/**
 * Start and end, repaired so that the end is never before the start and a
 * missing one is taken from the other; `undefined` when either is present
 * but not a uint64 (the span is rejected, not given a made-up time).
 */
function timesOf(d: Dialect, span: unknown, receivedAt: bigint): { start: bigint; end: bigint } | undefined {
  const startRaw = d.uint64(d.field(span, 'start_time_unix_nano', 'startTimeUnixNano'));
  const endRaw = d.uint64(d.field(span, 'end_time_unix_nano', 'endTimeUnixNano'));
  if (startRaw === null || endRaw === null) return undefined;
  let start = startRaw ?? 0n;
  let end = endRaw ?? 0n;
  if (start === 0n && end === 0n) start = end = receivedAt;
  else if (start === 0n) start = end;
  else if (end === 0n || end < start) end = start;
  return { start, end };
}

/** What the walk collects: the spans converted, and the ones rejected. */
interface Collected {
  readonly spans: ReceivedSpan[];
  rejected: number;
  rejectReason: string | undefined;
}

function collected(): Collected {
  return { spans: [], rejected: 0, rejectReason: undefined };
}

function resultOf(c: Collected): DecodedRequest {
  return {
    spans: c.spans,
    rejected: c.rejected,
    rejectReason: c.rejectReason === undefined ? undefined : `${c.rejected} span(s) rejected: ${c.rejectReason}`,
  };
}

function reject(out: Collected, reason: string): void {
  out.rejected += 1;
  out.rejectReason ??= reason;
}

/**
 * Converts one decoded span into `out` (or counts it as rejected). Returns
 * false, converting nothing, when it would be one more than `maxSpans`.
 */
function convertSpan(d: Dialect, s: unknown, resource: ReceivedResource, scope: ReceivedScope, receivedAt: bigint, maxSpans: number, out: Collected): boolean {
  const traceId = d.id(d.field(s, 'trace_id', 'traceId'), 16);
  if (typeof traceId !== 'string' || isZero(traceId)) {
    reject(out, 'trace_id must be 16 bytes, not all zero');
    return true;
  }
  const spanId = d.id(d.field(s, 'span_id', 'spanId'), 8);
  if (typeof spanId !== 'string' || isZero(spanId)) {
    reject(out, 'span_id must be 8 bytes, not all zero');
    return true;
  }
  const parent = d.id(d.field(s, 'parent_span_id', 'parentSpanId'), 8);
  if (parent === null) {
    reject(out, 'parent_span_id must be empty or 8 bytes');
    return true;
  }
  const times = timesOf(d, s, receivedAt);
  if (times === undefined) {
    reject(out, 'start_time_unix_nano and end_time_unix_nano must be unsigned 64-bit integers');
    return true;
  }
  if (out.spans.length + 1 > maxSpans) return false;
  const { start, end } = times;
  out.spans.push({
    resource,
    scope,
    traceId,
    spanId,
    parentSpanId: parent === undefined || isZero(parent) ? undefined : parent,
    traceState: text(d, s, 'trace_state', 'traceState'),
    name: text(d, s, 'name', 'name') ?? 'unknown',
    kind: spanKindOf(d.enumValue(d.field(s, 'kind', 'kind'), SPAN_KIND_NAMES)),
    startTime: nanosToHrTime(start),
    endTime: nanosToHrTime(end),
    startNanos: start,
    endNanos: end,
    attributes: keyValuesToAttributes(d, d.field(s, 'attributes', 'attributes')),
    events: eventsOf(d, s, start),
    links: linksOf(d, s),
    status: statusOf(d, s),
  });
  return true;
}

/**
 * Spans converted between two points where the walk may pause (see
 * slices.ts), or fewer when they are large: a pause point also comes after
 * every {@link PAUSE_BYTES} of protobuf spans. At a pause point the driver
 * reads the clock; the event loop gets a turn only once a slice's time is
 * spent, which a request of an SDK's size (512 spans at most) seldom is.
 */
const PAUSE_SPANS = 64;
const PAUSE_BYTES = 64 * 1024;

/**
 * Walks `resource_spans` → `scope_spans` → `spans` of a request decoded
 * whole (OTLP/JSON parsed, or a protobuf message); `receivedAt` stands in
 * for missing times.
 */
export function* walkRequest(d: Dialect, request: unknown, receivedAt: bigint, maxSpans = Number.POSITIVE_INFINITY): SlicedWork<DecodedRequest> {
  const out = collected();
  let sincePause = 0;
  for (const rs of list(d, request, 'resource_spans', 'resourceSpans')) {
    const resource = resourceOf(d, rs);
    for (const ss of list(d, rs, 'scope_spans', 'scopeSpans')) {
      const scope = scopeOf(d, ss);
      for (const s of list(d, ss, 'spans', 'spans')) {
        // Decoded whole already: nothing after it can make the request undecodable.
        if (!convertSpan(d, s, resource, scope, receivedAt, maxSpans, out)) throw new TooManySpansError(maxSpans);
        if (++sincePause >= PAUSE_SPANS) {
          sincePause = 0;
          yield;
        }
      }
    }
  }
  return resultOf(out);
}

/**
 * Bodies from this size on are decoded span by span (see
 * {@link protobufSteps}); smaller ones, most requests (an SDK's batch of 512
 * spans of a few hundred bytes each), whole by protobufjs, which is faster
 * per span and takes a few milliseconds for such a body.
 */
export const DECODE_BY_SPAN_FROM_BYTES = 512 * 1024;

/**
 * A protobuf request in steps. From `bySpanFrom` bytes on its frame
 * (resources, scopes, each span's bytes) is decoded at once, the spans one
 * at a time, each converted as it is decoded, so a large request can pause
 * between spans. Each span is decoded at the depth it has in the request,
 * so the result, and what is refused, are those of decoding the request
 * whole (tested).
 */
export function* protobufSteps(body: Uint8Array, receivedAt: bigint, maxSpans: number, bySpanFrom = DECODE_BY_SPAN_FROM_BYTES): SlicedWork<DecodedRequest> {
  const schema = otlpSchema();
  if (body.length < bySpanFrom) {
    let message: unknown;
    try {
      message = schema.exportRequest.decode(body);
    } catch (err) {
      throw new DecodeError(`not a valid protobuf ExportTraceServiceRequest: ${describe(err)}`);
    }
    return yield* walkRequest(protobufDialect, message, receivedAt, maxSpans);
  }
  let frame: unknown;
  try {
    frame = schema.exportRequestFrame.decode(body);
  } catch (err) {
    throw new DecodeError(`not a valid protobuf ExportTraceServiceRequest: ${describe(err)}`);
  }
  const d = protobufDialect;
  const out = collected();
  // Past `maxSpans` the rest is still decoded, not converted: a body malformed after the limit is undecodable (400)
  // as it is when decoded whole, whatever its size, and only a decodable one is refused for its size (413).
  let overLimit = false;
  // The frame's span bytes are views of the body: one reader over the body decodes each where it lies.
  const reader = protobuf.Reader.create(body);
  let spansSincePause = 0;
  let bytesSincePause = 0;
  for (const rs of list(d, frame, 'resource_spans', 'resourceSpans')) {
    const resource = resourceOf(d, rs);
    for (const ss of list(d, rs, 'scope_spans', 'scopeSpans')) {
      const scope = scopeOf(d, ss);
      for (const bytes of list(d, ss, 'spans', 'spans')) {
        if (!(bytes instanceof Uint8Array)) continue;
        let span: unknown;
        try {
          if (bytes.buffer === body.buffer) {
            reader.pos = bytes.byteOffset - body.byteOffset;
            span = schema.decodeSpan(reader, bytes.length);
          } else {
            span = schema.decodeSpan(protobuf.Reader.create(bytes), bytes.length);
          }
        } catch (err) {
          throw new DecodeError(`not a valid protobuf ExportTraceServiceRequest: ${describe(err)}`);
        }
        if (!overLimit) overLimit = !convertSpan(d, span, resource, scope, receivedAt, maxSpans, out);
        bytesSincePause += bytes.length;
        if (++spansSincePause >= PAUSE_SPANS || bytesSincePause >= PAUSE_BYTES) {
          spansSincePause = 0;
          bytesSincePause = 0;
          yield;
        }
      }
    }
  }
  if (overLimit) throw new TooManySpansError(maxSpans);
  return resultOf(out);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** `JSON.parse` of an OTLP/JSON body (one call: it cannot pause), then the walk in steps. */
function* jsonSteps(body: Uint8Array, receivedAt: bigint, maxSpans: number): SlicedWork<DecodedRequest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(STRICT_UTF8.decode(body));
  } catch (err) {
    throw new DecodeError(`not a valid OTLP/JSON ExportTraceServiceRequest: ${describe(err)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DecodeError('not a valid OTLP/JSON ExportTraceServiceRequest: the body must be a JSON object');
  }
  const resourceSpans = jsonDialect.field(parsed, 'resource_spans', 'resourceSpans');
  if (resourceSpans !== undefined && resourceSpans !== null && !Array.isArray(resourceSpans)) {
    throw new DecodeError('not a valid OTLP/JSON ExportTraceServiceRequest: resourceSpans must be an array');
  }
  return yield* walkRequest(jsonDialect, parsed, receivedAt, maxSpans);
}

function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** More spans in one request than the caller takes (answered 413); thrown only for a request that decodes (else {@link DecodeError}). */
export class TooManySpansError extends Error {
  override readonly name = 'TooManySpansError';
  constructor(readonly limit: number) {
    super(`more than ${limit} spans in one request`);
  }
}

/** Options of {@link decodeRequestInSteps}. */
export interface DecodeOptions {
  /** Stands in for missing times (default: now). */
  readonly receivedAt?: bigint;
  /** Most spans taken; with more, the rest is only checked to decode, then {@link TooManySpansError} is thrown. */
  readonly maxSpans?: number;
}

/**
 * Decodes a request body in steps that may pause between spans (run it
 * with `runInSlices`). Throws {@link DecodeError} as the one-call decoders
 * do, and {@link TooManySpansError} past `maxSpans`.
 */
export function decodeRequestInSteps(encoding: 'protobuf' | 'json', body: Uint8Array, options: DecodeOptions = {}): SlicedWork<DecodedRequest> {
  const receivedAt = options.receivedAt ?? nowNanos();
  const maxSpans = options.maxSpans ?? Number.POSITIVE_INFINITY;
  return encoding === 'protobuf' ? protobufSteps(body, receivedAt, maxSpans) : jsonSteps(body, receivedAt, maxSpans);
}

/**
 * Decodes an `ExportTraceServiceRequest` in protobuf. Throws
 * {@link DecodeError} for a body protobufjs cannot decode (truncated, wrong
 * wire types, a string that is not UTF-8, nesting too deep).
 */
export function decodeProtobufRequest(body: Uint8Array, receivedAt: bigint = nowNanos()): DecodedRequest {
  return runToEnd(protobufSteps(body, receivedAt, Number.POSITIVE_INFINITY));
}

/** Decodes an OTLP/JSON `ExportTraceServiceRequest`. Throws {@link DecodeError} for text that is not UTF-8 or not a JSON object. */
export function decodeJsonRequest(body: Uint8Array, receivedAt: bigint = nowNanos()): DecodedRequest {
  return runToEnd(jsonSteps(body, receivedAt, Number.POSITIVE_INFINITY));
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}
