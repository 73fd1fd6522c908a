/**
 * Request bodies → {@link DecodedRequest}. Protobuf is decoded by protobufjs
 * against the published schema; JSON is parsed by `JSON.parse`; both are
 * then read by the same walker through a {@link Dialect}. Nothing here
 * trusts the input: every field is type-checked, and a span whose ids are
 * unusable is counted as rejected instead of failing the whole request.
 */

import { SpanKind, SpanStatusCode, type HrTime, type SpanStatus } from '@opentelemetry/api';
import { keyValuesToAttributes } from './any-value.js';
import { jsonDialect, protobufDialect, type Dialect } from './dialect.js';
import type { DecodedRequest, ReceivedEvent, ReceivedLink, ReceivedResource, ReceivedScope, ReceivedSpan } from './otlp-model.js';
import { otlpSchema } from './otlp-schema.js';

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

/** Walks `resource_spans` → `scope_spans` → `spans`; `receivedAt` stands in for missing times. */
function walk(d: Dialect, request: unknown, receivedAt: bigint): DecodedRequest {
  const spans: ReceivedSpan[] = [];
  let rejected = 0;
  let rejectReason: string | undefined;
  const reject = (reason: string): void => {
    rejected += 1;
    rejectReason ??= reason;
  };
  for (const rs of list(d, request, 'resource_spans', 'resourceSpans')) {
    const resource = resourceOf(d, rs);
    for (const ss of list(d, rs, 'scope_spans', 'scopeSpans')) {
      const scope = scopeOf(d, ss);
      for (const s of list(d, ss, 'spans', 'spans')) {
        const traceId = d.id(d.field(s, 'trace_id', 'traceId'), 16);
        if (typeof traceId !== 'string' || isZero(traceId)) {
          reject('trace_id must be 16 bytes, not all zero');
          continue;
        }
        const spanId = d.id(d.field(s, 'span_id', 'spanId'), 8);
        if (typeof spanId !== 'string' || isZero(spanId)) {
          reject('span_id must be 8 bytes, not all zero');
          continue;
        }
        const parent = d.id(d.field(s, 'parent_span_id', 'parentSpanId'), 8);
        if (parent === null) {
          reject('parent_span_id must be empty or 8 bytes');
          continue;
        }
        const times = timesOf(d, s, receivedAt);
        if (times === undefined) {
          reject('start_time_unix_nano and end_time_unix_nano must be unsigned 64-bit integers');
          continue;
        }
        const { start, end } = times;
        spans.push({
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
      }
    }
  }
  return {
    spans,
    rejected,
    rejectReason: rejectReason === undefined ? undefined : `${rejected} span(s) rejected: ${rejectReason}`,
  };
}

function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Decodes an `ExportTraceServiceRequest` in protobuf. Throws
 * {@link DecodeError} for a body protobufjs cannot decode (truncated, wrong
 * wire types, a string that is not UTF-8, nesting too deep).
 */
export function decodeProtobufRequest(body: Uint8Array, receivedAt: bigint = nowNanos()): DecodedRequest {
  let message: unknown;
  try {
    message = otlpSchema().exportRequest.decode(body);
  } catch (err) {
    throw new DecodeError(`not a valid protobuf ExportTraceServiceRequest: ${describe(err)}`);
  }
  return walk(protobufDialect, message, receivedAt);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes an OTLP/JSON `ExportTraceServiceRequest`. Throws {@link DecodeError} for text that is not UTF-8 or not a JSON object. */
export function decodeJsonRequest(body: Uint8Array, receivedAt: bigint = nowNanos()): DecodedRequest {
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
  return walk(jsonDialect, parsed, receivedAt);
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}
