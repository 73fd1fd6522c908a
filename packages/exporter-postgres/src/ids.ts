import { isWellFormed } from './well-formed.js';

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

/** The 80-word message schedule of {@link sha1}, reused (hashing is synchronous). */
const W = new Int32Array(80);
/** The digest of the last {@link sha1} call (five big-endian words), reused. */
const H = new Int32Array(5);

/**
 * SHA-1 of `data[0, length)` into {@link H}. In JavaScript rather than
 * `node:crypto`: for the short names ids are derived from (two blocks), a
 * call into the native hash costs several times the hashing itself.
 * Checked against `node:crypto` by the tests.
 */
function sha1(data: Uint8Array, length: number): void {
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  // Padding: 0x80, zeros, then the length in bits as a 64-bit big-endian integer.
  const blocks = ((length + 8) >>> 6) + 1;
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length * 8) | 0;
  for (let b = 0; b < blocks; b++) {
    const base = b * 64;
    for (let i = 0; i < 16; i++) {
      const at = base + i * 4;
      if (at + 4 <= length) {
        W[i] = ((data[at] as number) << 24) | ((data[at + 1] as number) << 16) | ((data[at + 2] as number) << 8) | (data[at + 3] as number);
      } else {
        let word = 0;
        for (let k = 0; k < 4; k++) {
          const j = at + k;
          word = (word << 8) | (j < length ? (data[j] as number) : j === length ? 0x80 : 0);
        }
        W[i] = word;
      }
    }
    if (b === blocks - 1) {
      W[14] = bitsHigh;
      W[15] = bitsLow;
    }
    for (let i = 16; i < 80; i++) {
      const x = (W[i - 3] as number) ^ (W[i - 8] as number) ^ (W[i - 14] as number) ^ (W[i - 16] as number);
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let t: number;
    let i = 0;
    for (; i < 20; i++) {
      t = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (; i < 40; i++) {
      t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (; i < 60; i++) {
      t = (((a << 5) | (a >>> 27)) + ((bb & c) | (bb & d) | (c & d)) + e - 0x70e44324 + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (; i < 80; i++) {
      t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e - 0x359d3e2a + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
}

/** ASCII codes of the lower-case hex digits. */
const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');
/** Where the 16 bytes of a UUID go in its 36-character text (two hex digits each). */
const UUID_DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** The text of the UUID being formatted: dashes fixed, digits overwritten (one string made per id). */
const UUID_TEXT = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

/** The version-5 UUID text of the SHA-1 digest in {@link H} (its first 16 bytes; version and variant bits set). */
function digestToUuidV5(): string {
  for (let i = 0; i < 16; i++) {
    let b = ((H[i >> 2] as number) >>> (24 - (i & 3) * 8)) & 0xff;
    // Version 5 in the high nibble of byte 6, variant 10xx in byte 8.
    if (i === 6) b = (b & 0x0f) | 0x50;
    else if (i === 8) b = (b & 0x3f) | 0x80;
    const at = UUID_DIGIT_AT[i] as number;
    UUID_TEXT[at] = HEX_CODES[b >> 4] as number;
    UUID_TEXT[at + 1] = HEX_CODES[b & 0x0f] as number;
  }
  return UUID_TEXT.toString('latin1', 0, 36);
}

/** Scratch space for namespace + name, reused (hashing is synchronous); grown when a name needs more. */
let scratch = Buffer.allocUnsafe(256);
const SCRATCH_MAX = 64 * 1024;

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 over the namespace's 16
 * bytes followed by the UTF-8 name, with the version and variant bits set.
 *
 * A name holding a lone surrogate has no UTF-8 form: UTF-8 would write every
 * lone surrogate as U+FFFD, so `x\ud800`, `x\ud801` and `x\ufffd` would
 * share one id (and the rows of two spans one key, the second lost to `ON
 * CONFLICT`). Such a name is hashed as the byte 0xFF, which UTF-8 never
 * uses, followed by its UTF-16LE code units: apart from each other and from
 * every well-formed name, whose ids are unchanged.
 */
export function uuidV5(namespace: string, name: string): string {
  const ns = namespace === AGENTSPAN_ID_NAMESPACE ? AGENTSPAN_NAMESPACE_BYTES : uuidToBytes(namespace);
  // At most 3 UTF-8 bytes per UTF-16 code unit; a long name is measured instead.
  const need = 16 + (name.length <= 1024 ? name.length * 3 : Buffer.byteLength(name, 'utf8'));
  let data = scratch;
  if (data.length < need) {
    data = Buffer.allocUnsafe(need);
    if (need <= SCRATCH_MAX) scratch = data; // a huge name is not kept around
  }
  ns.copy(data, 0);
  const n = data.write(name, 16, 'utf8');
  // As many bytes as code units: ASCII only, well-formed (the usual hex ids: no check at all).
  if (n !== name.length && !isWellFormed(name)) return uuidV5OfCodeUnits(ns, name);
  sha1(data, 16 + n);
  return digestToUuidV5();
}

/** {@link uuidV5} of a name with a lone surrogate: over 0xFF and its UTF-16LE code units. */
function uuidV5OfCodeUnits(ns: Buffer, name: string): string {
  const data = Buffer.allocUnsafe(17 + name.length * 2);
  ns.copy(data, 0);
  data[16] = 0xff;
  data.write(name, 17, 'utf16le');
  sha1(data, data.length);
  return digestToUuidV5();
}

const AGENTSPAN_NAMESPACE_BYTES = uuidToBytes(AGENTSPAN_ID_NAMESPACE);

/** Hex digits, in either case: an id made of them is a number, whatever its case. */
const HEX = /^[0-9a-fA-F]*$/;

/**
 * The `execution_events.id` (and `dag_nodes.id`) of the span with these ids:
 * a version-5 UUID in {@link AGENTSPAN_ID_NAMESPACE}, deterministic, so an
 * event's `parent_event_id` (derived from its parent span id) equals the id
 * of the parent's row without a lookup.
 *
 * Its name is `"<traceId>-<spanId>"`, hex ids lower-cased (they are
 * numbers: `AB` and `ab` are one span), when no other pair can have that
 * name: both ids hex, or a trace id without `-` and ids that lower-casing
 * leaves as they are. Every OpenTelemetry id is such a pair, and keeps the
 * uuid every version derived. Any other pair (a non-hex id that
 * lower-casing changes, a `-` in a non-hex trace id) is hashed as the byte
 * 0xFE (never a byte of UTF-8, and not the 0xFF of {@link uuidV5}'s
 * ill-formed names), the trace id's length in UTF-16 code units (32-bit
 * big-endian), then both ids as UTF-16LE, a hex id lower-cased there too
 * (which form a pair takes never depends on a hex id's case, so `AB` and
 * `ab` stay one span beside any other id): distinct pairs, distinct ids.
 */
export function eventIdFor(traceId: string, spanId: string): string {
  // Lower-cased as before; where that changed an id, only hex may stay (the usual ids: one compare each).
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  if ((t === traceId ? t.includes('-') : !HEX.test(traceId)) || (s !== spanId && !HEX.test(spanId))) {
    // An id lower-casing left alone is kept as is; one it changed is kept as given unless it is hex (a number).
    return uuidV5OfPair(t === traceId || !HEX.test(traceId) ? traceId : t, s === spanId || !HEX.test(spanId) ? spanId : s);
  }
  return uuidV5(AGENTSPAN_ID_NAMESPACE, `${t}-${s}`);
}

/** {@link eventIdFor} of a pair its plain name would merge with another: over 0xFE, the trace id's length and both ids' UTF-16LE code units (hex ids already lower-cased by the caller). */
function uuidV5OfPair(traceId: string, spanId: string): string {
  const data = Buffer.allocUnsafe(21 + (traceId.length + spanId.length) * 2);
  AGENTSPAN_NAMESPACE_BYTES.copy(data, 0);
  data[16] = 0xfe;
  data.writeUInt32BE(traceId.length, 17);
  const at = 21 + data.write(traceId, 21, 'utf16le');
  data.write(spanId, at, 'utf16le');
  sha1(data, data.length);
  return digestToUuidV5();
}

/** A parent id derived lately, with the trace it belongs to. */
interface ParentId {
  readonly traceId: string;
  readonly id: string;
}

/**
 * Parent ids derived lately, by parent span id: the events of a node share
 * their parent, so most lookups hit. Keyed by the span id alone (checked
 * against the trace id on a hit) rather than by "<trace>-<span>": that key
 * would be a new string per lookup, hashed every time, while the span id
 * is the parent's own string, whose hash V8 keeps.
 */
const parentIds = new Map<string, ParentId>();
const PARENT_IDS_MAX = 1024;

/**
 * {@link eventIdFor} for a parent span: the same value, remembered for the
 * last {@link PARENT_IDS_MAX} parents asked for (the events of one node all
 * have the node's span as their parent).
 */
export function parentEventIdFor(traceId: string, parentSpanId: string): string {
  const hit = parentIds.get(parentSpanId);
  if (hit !== undefined && hit.traceId === traceId) return hit.id;
  const id = eventIdFor(traceId, parentSpanId);
  if (parentIds.size >= PARENT_IDS_MAX) parentIds.clear();
  parentIds.set(parentSpanId, { traceId, id });
  return id;
}
