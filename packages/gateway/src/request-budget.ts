/**
 * How many values a request body would decode into, counted before it is
 * decoded, so that the heap a request takes is bounded by a count and not
 * only by its size in bytes. protobufjs makes one JavaScript object per
 * message: an empty `AnyValue` is 2 bytes on the wire and over a hundred on
 * the heap, so a 16 MB body of them would take gigabytes; `JSON.parse`
 * makes one per `{}` (3 bytes) or `[]`. Both counts walk the bytes without
 * allocating and stop as soon as the budget is spent.
 */
import protobuf from 'protobufjs';
import { estimateSpanPartsBytes } from '@agentspan/delivery';
import type { ReceivedSpan } from './otlp-model.js';

/** Deepest nesting walked (protobufjs' own decoder limit, as protoc's). */
const MAX_DEPTH = 100;

/** The message-typed fields of a type, by field number (resolved once per type). */
const messageFields = new WeakMap<protobuf.Type, Map<number, protobuf.Type>>();

function fieldsOf(type: protobuf.Type): Map<number, protobuf.Type> {
  let fields = messageFields.get(type);
  if (fields === undefined) {
    fields = new Map();
    for (const field of type.fieldsArray) {
      const resolved = field.resolve().resolvedType;
      if (resolved instanceof protobuf.Type) fields.set(field.id, resolved);
    }
    messageFields.set(type, fields);
  }
  return fields;
}

/**
 * Messages in `body` read as `type` (the top message included), or
 * `undefined` as soon as there are more than `budget`. A body that is not
 * well-formed protobuf is counted as far as it goes: the decoder reports
 * what is wrong with it.
 */
export function countMessages(type: protobuf.Type, body: Uint8Array, budget: number): number | undefined {
  const reader = protobuf.Reader.create(body);
  let count = 0;
  const walk = (t: protobuf.Type, end: number, depth: number): boolean => {
    if (++count > budget) return false;
    if (depth > MAX_DEPTH) return true;
    const fields = fieldsOf(t);
    while (reader.pos < end) {
      const tag = reader.uint32();
      const wireType = tag & 7;
      if (wireType !== 2) {
        reader.skipType(wireType);
        continue;
      }
      const length = reader.uint32();
      const sub = fields.get(tag >>> 3);
      const subEnd = reader.pos + length;
      if (subEnd > end) return true; // truncated: the decoder says so
      if (sub === undefined) reader.skip(length);
      else if (!walk(sub, subEnd, depth + 1)) return false;
      else reader.pos = subEnd;
    }
    return true;
  };
  try {
    return walk(type, body.length, 0) ? count : undefined;
  } catch {
    return count <= budget ? count : undefined; // malformed: left to the decoder
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Objects and arrays in a JSON text (UTF-8 bytes), outside strings, or
 * `undefined` as soon as there are more than `budget`. Malformed JSON is
 * counted as far as it goes: `JSON.parse` reports what is wrong with it.
 */
export function countJsonContainers(body: Uint8Array, budget: number): number | undefined {
  let count = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if ((c === OPEN_BRACE || c === OPEN_BRACKET) && ++count > budget) return undefined;
  }
  return count;
}

/** Estimated bytes the decoded spans of a request will take in the delivery queue (its `maxQueueBytes` measure). */
export function estimateReceivedBytes(spans: readonly ReceivedSpan[]): number {
  let bytes = 0;
  for (const s of spans) bytes += estimateSpanPartsBytes(s.name, s.attributes, s.events.length);
  return bytes;
}
