/** A cheap estimate of the memory a finished span holds (for the queue's byte bound). */

import type { AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Fixed cost of a span object, its context, times and bookkeeping. */
const SPAN_OVERHEAD = 400;
/** Cost of one attribute entry besides its key and value. */
const ENTRY_OVERHEAD = 16;
/** Array elements looked at; longer arrays are extrapolated, so the estimate stays O(1) per attribute. */
const ARRAY_SAMPLE = 16;

function valueBytes(v: AttributeValue | undefined): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) {
    const n = v.length;
    if (n === 0) return 8;
    const sample = Math.min(n, ARRAY_SAMPLE);
    let sum = 0;
    for (let i = 0; i < sample; i++) {
      const x = v[i] as unknown;
      sum += typeof x === 'string' ? x.length + 8 : 8;
    }
    return Math.ceil((sum / sample) * n);
  }
  return 8;
}

/**
 * Estimated bytes of `span`: a fixed overhead plus the length of its name,
 * attribute keys and values (strings counted one byte per UTF-16 unit, as V8
 * stores Latin-1 strings; two-byte strings are undercounted by half), and of
 * its events. Bounded work: attribute count is limited by the SDK (128 by
 * default) and arrays are sampled.
 */
export function estimateSpanBytes(span: ReadableSpan): number {
  let bytes = SPAN_OVERHEAD + span.name.length;
  const attrs = span.attributes;
  for (const key in attrs) {
    bytes += ENTRY_OVERHEAD + key.length + valueBytes(attrs[key]);
  }
  const events = span.events;
  if (events.length > 0) bytes += events.length * 128;
  return bytes;
}
