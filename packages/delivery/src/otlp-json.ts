/**
 * The OTLP/JSON request body of a batch of spans, as the upstream
 * `JsonTraceSerializer` builds it, with its numbers encoded as the OTLP/JSON
 * specification (the proto3 JSON mapping) reads them. Upstream puts a JS
 * number in `intValue` as it is: above 2^53 its shortest decimal form is not
 * the integer the span holds (2^62 goes out as 4611686018427388000), from
 * 2^63 on it is out of the int64 range (a receiver refuses the whole
 * request, every span of the batch with it), and NaN or ±Infinity in
 * `doubleValue` become `null` (the value is lost). The protobuf encoding has
 * none of these faults; this makes the JSON one say the same.
 */

// Not part of the package's public entry; stable within the exact version pinned in package.json.
import { JSON_ENCODER } from '@opentelemetry/otlp-transformer/build/src/common/utils.js';
import { createExportTraceServiceRequest } from '@opentelemetry/otlp-transformer/build/src/trace/internal.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Bounds of int64 as doubles: -(2^63) is its minimum, 2^63 one past its maximum (both exact). */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

/** An `AnyValue` as built by the transformer, before and after the fix (int64 as a decimal string, special doubles as strings). */
interface AnyValue {
  intValue?: number | string | null;
  doubleValue?: number | string | null;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
}
interface KeyValue {
  value: AnyValue;
}

function fixValue(v: AnyValue | undefined): void {
  if (v === undefined || v === null) return;
  if (typeof v.intValue === 'number') {
    const n = v.intValue;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64_EXCLUSIVE) {
      // The exact integer, as the specification asks int64 values to be written.
      v.intValue = BigInt(n).toString();
    } else {
      // Beyond int64 (as the protobuf encoding does): a double.
      delete v.intValue;
      v.doubleValue = n;
    }
  }
  if (typeof v.doubleValue === 'number' && !Number.isFinite(v.doubleValue)) {
    v.doubleValue = Number.isNaN(v.doubleValue) ? 'NaN' : v.doubleValue > 0 ? 'Infinity' : '-Infinity';
  }
  if (v.arrayValue !== undefined) for (const x of v.arrayValue.values) fixValue(x);
  if (v.kvlistValue !== undefined) fixAttributes(v.kvlistValue.values);
}

function fixAttributes(attributes: readonly KeyValue[] | undefined): void {
  if (attributes === undefined) return;
  for (const kv of attributes) fixValue(kv.value);
}

/** The OTLP/JSON bytes of `spans` (an `ExportTraceServiceRequest`). */
export function serializeJsonTraceRequest(spans: ReadableSpan[]): Uint8Array {
  const request = createExportTraceServiceRequest(spans, JSON_ENCODER);
  for (const rs of request.resourceSpans ?? []) {
    fixAttributes(rs.resource?.attributes as KeyValue[] | undefined);
    for (const ss of rs.scopeSpans) {
      fixAttributes(ss.scope?.attributes as KeyValue[] | undefined);
      for (const span of ss.spans ?? []) {
        fixAttributes(span.attributes as KeyValue[]);
        for (const e of span.events) fixAttributes(e.attributes as KeyValue[]);
        for (const l of span.links) fixAttributes(l.attributes as KeyValue[]);
      }
    }
  }
  return new TextEncoder().encode(JSON.stringify(request));
}
