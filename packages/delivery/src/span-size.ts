/** A cheap estimate of the memory a finished span holds (for the queue's byte bound). */

import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Fixed cost of a span object, its context, times and bookkeeping. */
const SPAN_OVERHEAD = 400;
/** Cost of one attribute entry besides its key and value. */
const ENTRY_OVERHEAD = 16;
function valueBytes(v: AttributeValue | undefined): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) {
    // Every element: a sample extrapolated can be off by any factor (16 long strings, then a million
    // nulls), and a span estimated far too large would never fit the queue.
    let sum = 8;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      sum += typeof x === 'string' ? x.length + 8 : 8;
    }
    return sum;
  }
  return 8;
}

/**
 * Estimated bytes of a span made of `name`, `attributes` and `events`
 * events: a fixed overhead plus the length of its name, attribute keys and
 * values (strings counted one byte per UTF-16 unit, as V8 stores Latin-1
 * strings; two-byte strings are undercounted by half), and of its events.
 * Work is linear in the attributes' elements, which the span already holds.
 */
export function estimateSpanPartsBytes(name: string, attributes: Attributes, events: number): number {
  let bytes = SPAN_OVERHEAD + name.length;
  for (const key in attributes) {
    const v = attributes[key];
    // Strings inline: nearly every value is one, and a call per attribute was a third of the estimate's cost.
    bytes += ENTRY_OVERHEAD + key.length + (typeof v === 'string' ? v.length : valueBytes(v));
  }
  return bytes + events * 128;
}

/** Estimated bytes of `span` (see {@link estimateSpanPartsBytes}). */
export function estimateSpanBytes(span: ReadableSpan): number {
  return estimateSpanPartsBytes(span.name, span.attributes, span.events.length);
}
