import * as crypto from 'node:crypto';

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

/** `crypto.hash` (one-shot, no Hash object: several times faster for short inputs) where Node has it. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

function sha1(data: Uint8Array): Buffer {
  return oneShotHash !== undefined ? oneShotHash('sha1', data, 'buffer') : crypto.createHash('sha1').update(data).digest();
}

/** The version-5 UUID text of a SHA-1 digest (version and variant bits set). */
function digestToUuidV5(digest: Buffer): string {
  // Version 5 in the high nibble of byte 6, variant 10xx in byte 8.
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 over the namespace's 16
 * bytes followed by the UTF-8 name, with the version and variant bits set.
 */
export function uuidV5(namespace: string, name: string): string {
  const ns = namespace === AGENTSPAN_ID_NAMESPACE ? AGENTSPAN_NAMESPACE_BYTES : uuidToBytes(namespace);
  const data = Buffer.allocUnsafe(16 + Buffer.byteLength(name, 'utf8'));
  ns.copy(data, 0);
  data.write(name, 16, 'utf8');
  return digestToUuidV5(sha1(data));
}

const AGENTSPAN_NAMESPACE_BYTES = uuidToBytes(AGENTSPAN_ID_NAMESPACE);

/**
 * The `execution_events.id` (and `dag_nodes.id`) of the span with these ids:
 * `uuidV5(AGENTSPAN_ID_NAMESPACE, "<traceId>-<spanId>")`, ids in lower-case
 * hex. Deterministic, so an event's `parent_event_id` (derived from its
 * parent span id) equals the id of the parent's row without a lookup.
 */
export function eventIdFor(traceId: string, spanId: string): string {
  return uuidV5(AGENTSPAN_ID_NAMESPACE, `${traceId.toLowerCase()}-${spanId.toLowerCase()}`);
}

/** Parent ids derived lately: the events of a node share their parent, so most lookups hit. */
const parentIds = new Map<string, string>();
const PARENT_IDS_MAX = 1024;

/**
 * {@link eventIdFor} for a parent span: the same value, remembered for the
 * last {@link PARENT_IDS_MAX} parents asked for (the events of one node all
 * have the node's span as their parent).
 */
export function parentEventIdFor(traceId: string, parentSpanId: string): string {
  const key = `${traceId}-${parentSpanId}`;
  let id = parentIds.get(key);
  if (id === undefined) {
    id = eventIdFor(traceId, parentSpanId);
    if (parentIds.size >= PARENT_IDS_MAX) parentIds.clear();
    parentIds.set(key, id);
  }
  return id;
}
