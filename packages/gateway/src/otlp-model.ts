/**
 * The gateway's own view of a received OTLP span, the same whichever
 * encoding (protobuf or JSON) it arrived in. Decoders produce it; the
 * replay turns it into an SDK span. Ids are lower-case hex, times `HrTime`.
 */

import type { Attributes, HrTime, SpanKind, SpanStatus } from '@opentelemetry/api';

/** The resource a span came from (one per `ResourceSpans`). */
export interface ReceivedResource {
  readonly attributes: Attributes;
  readonly schemaUrl: string | undefined;
  /** Canonical text of the attributes and schema URL: equal resources have equal keys. */
  readonly key: string;
}

/** The instrumentation scope a span came from (one per `ScopeSpans`). */
export interface ReceivedScope {
  readonly name: string;
  readonly version: string | undefined;
  readonly schemaUrl: string | undefined;
}

/** A span event as received (exception events included). */
export interface ReceivedEvent {
  readonly name: string;
  readonly time: HrTime;
  readonly attributes: Attributes;
}

/** A link to another span, as received. */
export interface ReceivedLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string | undefined;
  readonly attributes: Attributes;
}

/** One span as received, validated (ids of the right length, not all zero). */
export interface ReceivedSpan {
  readonly resource: ReceivedResource;
  readonly scope: ReceivedScope;
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span (empty or all-zero `parent_span_id`). */
  readonly parentSpanId: string | undefined;
  readonly traceState: string | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  /** Start time; a missing start is replaced by the end time (or the receive time when both are missing). */
  readonly startTime: HrTime;
  /** End time, never before the start. */
  readonly endTime: HrTime;
  /** Start and end in nanoseconds since the epoch, for ordering. */
  readonly startNanos: bigint;
  readonly endNanos: bigint;
  readonly attributes: Attributes;
  readonly events: readonly ReceivedEvent[];
  readonly links: readonly ReceivedLink[];
  readonly status: SpanStatus;
}

/** What a decoder made of one request body. */
export interface DecodedRequest {
  readonly spans: ReceivedSpan[];
  /** Spans that were present but unusable (bad ids): reported as OTLP partial success. */
  readonly rejected: number;
  /** Why, for the partial-success `error_message` (first reason, with the count). */
  readonly rejectReason: string | undefined;
}
