import { createHash } from 'node:crypto';

/**
 * The fixed namespace of every id agentspan derives. Never change it: rows
 * written by an older version would stop matching the ids a newer one derives.
 */
export const AGENTSPAN_ID_NAMESPACE = 'a296e60e-4aec-41d8-9add-ea4f0079dcbf';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidToBytes(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new TypeError(`not a UUID: ${JSON.stringify(uuid)}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(b: Uint8Array): string {
  const hex = Buffer.from(b.subarray(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 over the namespace's 16
 * bytes followed by the UTF-8 name, with the version and variant bits set.
 */
export function uuidV5(namespace: string, name: string): string {
  const digest = createHash('sha1').update(uuidToBytes(namespace)).update(name, 'utf8').digest();
  // Version 5 in the high nibble of byte 6, variant 10xx in byte 8.
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  return bytesToUuid(digest);
}

/**
 * The `execution_events.id` (and `dag_nodes.id`) of the span with these ids:
 * `uuidV5(AGENTSPAN_ID_NAMESPACE, "<traceId>-<spanId>")`, ids in lower-case
 * hex. Deterministic, so an event's `parent_event_id` (derived from its
 * parent span id) equals the id of the parent's row without a lookup.
 */
export function eventIdFor(traceId: string, spanId: string): string {
  return uuidV5(AGENTSPAN_ID_NAMESPACE, `${traceId.toLowerCase()}-${spanId.toLowerCase()}`);
}
