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

/** The digest of the last {@link sha1} call (five big-endian words), reused. */
const H = new Int32Array(5);

/** Bytes {@link sha1} may write after the data it hashes: its padding (0x80, zeros, the 64-bit length). */
const PAD_ROOM = 72;

/** The big-endian 32-bit word at `data[at, at + 4)`. */
function word(data: Uint8Array, at: number): number {
  return ((data[at] as number) << 24) | ((data[at + 1] as number) << 16) | ((data[at + 2] as number) << 8) | (data[at + 3] as number);
}

/**
 * SHA-1 of `data[0, length)` into {@link H}. In JavaScript rather than
 * `node:crypto`: for the short names ids are derived from (two blocks), a
 * call into the native hash costs several times the hashing itself.
 * Checked against `node:crypto` by the tests.
 *
 * The padding is written into `data` after the hashed bytes (it must have
 * {@link PAD_ROOM} bytes of room there), and the 80 rounds are written out
 * on 16 local words, the message schedule extended in place: with the
 * schedule in an 80-word typed array (the textbook loop), its loads and
 * stores were most of the work. Counted with callgrind on the benchmark's
 * workload, the hash of an event id's 65-byte name: 12 100 instructions
 * before, 4 000 written out (rounds unrolled by five over the array: 11 400
 * on the same name alone, against 5 200 written out).
 */
function sha1(data: Uint8Array, length: number): void {
  const blocks = ((length + 8) >>> 6) + 1;
  const end = blocks * 64;
  data[length] = 0x80;
  data.fill(0, length + 1, end - 8);
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length * 8) | 0;
  data[end - 8] = bitsHigh >>> 24;
  data[end - 7] = bitsHigh >>> 16;
  data[end - 6] = bitsHigh >>> 8;
  data[end - 5] = bitsHigh;
  data[end - 4] = bitsLow >>> 24;
  data[end - 3] = bitsLow >>> 16;
  data[end - 2] = bitsLow >>> 8;
  data[end - 1] = bitsLow;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let base = 0; base < end; base += 64) {
    let w0 = word(data, base + 0);
    let w1 = word(data, base + 4);
    let w2 = word(data, base + 8);
    let w3 = word(data, base + 12);
    let w4 = word(data, base + 16);
    let w5 = word(data, base + 20);
    let w6 = word(data, base + 24);
    let w7 = word(data, base + 28);
    let w8 = word(data, base + 32);
    let w9 = word(data, base + 36);
    let w10 = word(data, base + 40);
    let w11 = word(data, base + 44);
    let w12 = word(data, base + 48);
    let w13 = word(data, base + 52);
    let w14 = word(data, base + 56);
    let w15 = word(data, base + 60);
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let t: number;
    // Round i adds into the variable that plays `e` in it; the five names rotate instead of the values.
    //
    // Rounds 0-19: choose(b, c, d) + 0x5a827999. From round 16 on, each round first extends the schedule in place.
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (~b & d)) + 0x5a827999) + e + w0) | 0;
    b = ((b << 30) | (b >>> 2));
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (~a & c)) + 0x5a827999) + d + w1) | 0;
    a = ((a << 30) | (a >>> 2));
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (~e & b)) + 0x5a827999) + c + w2) | 0;
    e = ((e << 30) | (e >>> 2));
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (~d & a)) + 0x5a827999) + b + w3) | 0;
    d = ((d << 30) | (d >>> 2));
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (~c & e)) + 0x5a827999) + a + w4) | 0;
    c = ((c << 30) | (c >>> 2));
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (~b & d)) + 0x5a827999) + e + w5) | 0;
    b = ((b << 30) | (b >>> 2));
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (~a & c)) + 0x5a827999) + d + w6) | 0;
    a = ((a << 30) | (a >>> 2));
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (~e & b)) + 0x5a827999) + c + w7) | 0;
    e = ((e << 30) | (e >>> 2));
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (~d & a)) + 0x5a827999) + b + w8) | 0;
    d = ((d << 30) | (d >>> 2));
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (~c & e)) + 0x5a827999) + a + w9) | 0;
    c = ((c << 30) | (c >>> 2));
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (~b & d)) + 0x5a827999) + e + w10) | 0;
    b = ((b << 30) | (b >>> 2));
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (~a & c)) + 0x5a827999) + d + w11) | 0;
    a = ((a << 30) | (a >>> 2));
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (~e & b)) + 0x5a827999) + c + w12) | 0;
    e = ((e << 30) | (e >>> 2));
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (~d & a)) + 0x5a827999) + b + w13) | 0;
    d = ((d << 30) | (d >>> 2));
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (~c & e)) + 0x5a827999) + a + w14) | 0;
    c = ((c << 30) | (c >>> 2));
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (~b & d)) + 0x5a827999) + e + w15) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w13 ^ w8 ^ w2 ^ w0;
    w0 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (~a & c)) + 0x5a827999) + d + w0) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w14 ^ w9 ^ w3 ^ w1;
    w1 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (~e & b)) + 0x5a827999) + c + w1) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w15 ^ w10 ^ w4 ^ w2;
    w2 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (~d & a)) + 0x5a827999) + b + w2) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w0 ^ w11 ^ w5 ^ w3;
    w3 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (~c & e)) + 0x5a827999) + a + w3) | 0;
    c = ((c << 30) | (c >>> 2));
    // Rounds 20-39: parity(b, c, d) + 0x6ed9eba1.
    t = w1 ^ w12 ^ w6 ^ w4;
    w4 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) + 0x6ed9eba1) + e + w4) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w2 ^ w13 ^ w7 ^ w5;
    w5 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) + 0x6ed9eba1) + d + w5) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w3 ^ w14 ^ w8 ^ w6;
    w6 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) + 0x6ed9eba1) + c + w6) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w4 ^ w15 ^ w9 ^ w7;
    w7 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) + 0x6ed9eba1) + b + w7) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w5 ^ w0 ^ w10 ^ w8;
    w8 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) + 0x6ed9eba1) + a + w8) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w6 ^ w1 ^ w11 ^ w9;
    w9 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) + 0x6ed9eba1) + e + w9) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w7 ^ w2 ^ w12 ^ w10;
    w10 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) + 0x6ed9eba1) + d + w10) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w8 ^ w3 ^ w13 ^ w11;
    w11 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) + 0x6ed9eba1) + c + w11) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w9 ^ w4 ^ w14 ^ w12;
    w12 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) + 0x6ed9eba1) + b + w12) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w10 ^ w5 ^ w15 ^ w13;
    w13 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) + 0x6ed9eba1) + a + w13) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w11 ^ w6 ^ w0 ^ w14;
    w14 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) + 0x6ed9eba1) + e + w14) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w12 ^ w7 ^ w1 ^ w15;
    w15 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) + 0x6ed9eba1) + d + w15) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w13 ^ w8 ^ w2 ^ w0;
    w0 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) + 0x6ed9eba1) + c + w0) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w14 ^ w9 ^ w3 ^ w1;
    w1 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) + 0x6ed9eba1) + b + w1) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w15 ^ w10 ^ w4 ^ w2;
    w2 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) + 0x6ed9eba1) + a + w2) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w0 ^ w11 ^ w5 ^ w3;
    w3 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) + 0x6ed9eba1) + e + w3) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w1 ^ w12 ^ w6 ^ w4;
    w4 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) + 0x6ed9eba1) + d + w4) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w2 ^ w13 ^ w7 ^ w5;
    w5 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) + 0x6ed9eba1) + c + w5) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w3 ^ w14 ^ w8 ^ w6;
    w6 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) + 0x6ed9eba1) + b + w6) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w4 ^ w15 ^ w9 ^ w7;
    w7 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) + 0x6ed9eba1) + a + w7) | 0;
    c = ((c << 30) | (c >>> 2));
    // Rounds 40-59: majority(b, c, d) + 0x8f1bbcdc (as a signed 32-bit constant).
    t = w5 ^ w0 ^ w10 ^ w8;
    w8 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (b & d) | (c & d)) - 0x70e44324) + e + w8) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w6 ^ w1 ^ w11 ^ w9;
    w9 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (a & c) | (b & c)) - 0x70e44324) + d + w9) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w7 ^ w2 ^ w12 ^ w10;
    w10 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (e & b) | (a & b)) - 0x70e44324) + c + w10) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w8 ^ w3 ^ w13 ^ w11;
    w11 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (d & a) | (e & a)) - 0x70e44324) + b + w11) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w9 ^ w4 ^ w14 ^ w12;
    w12 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (c & e) | (d & e)) - 0x70e44324) + a + w12) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w10 ^ w5 ^ w15 ^ w13;
    w13 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (b & d) | (c & d)) - 0x70e44324) + e + w13) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w11 ^ w6 ^ w0 ^ w14;
    w14 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (a & c) | (b & c)) - 0x70e44324) + d + w14) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w12 ^ w7 ^ w1 ^ w15;
    w15 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (e & b) | (a & b)) - 0x70e44324) + c + w15) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w13 ^ w8 ^ w2 ^ w0;
    w0 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (d & a) | (e & a)) - 0x70e44324) + b + w0) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w14 ^ w9 ^ w3 ^ w1;
    w1 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (c & e) | (d & e)) - 0x70e44324) + a + w1) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w15 ^ w10 ^ w4 ^ w2;
    w2 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (b & d) | (c & d)) - 0x70e44324) + e + w2) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w0 ^ w11 ^ w5 ^ w3;
    w3 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (a & c) | (b & c)) - 0x70e44324) + d + w3) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w1 ^ w12 ^ w6 ^ w4;
    w4 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (e & b) | (a & b)) - 0x70e44324) + c + w4) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w2 ^ w13 ^ w7 ^ w5;
    w5 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (d & a) | (e & a)) - 0x70e44324) + b + w5) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w3 ^ w14 ^ w8 ^ w6;
    w6 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (c & e) | (d & e)) - 0x70e44324) + a + w6) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w4 ^ w15 ^ w9 ^ w7;
    w7 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + (((b & c) | (b & d) | (c & d)) - 0x70e44324) + e + w7) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w5 ^ w0 ^ w10 ^ w8;
    w8 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + (((a & b) | (a & c) | (b & c)) - 0x70e44324) + d + w8) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w6 ^ w1 ^ w11 ^ w9;
    w9 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + (((e & a) | (e & b) | (a & b)) - 0x70e44324) + c + w9) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w7 ^ w2 ^ w12 ^ w10;
    w10 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + (((d & e) | (d & a) | (e & a)) - 0x70e44324) + b + w10) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w8 ^ w3 ^ w13 ^ w11;
    w11 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + (((c & d) | (c & e) | (d & e)) - 0x70e44324) + a + w11) | 0;
    c = ((c << 30) | (c >>> 2));
    // Rounds 60-79: parity(b, c, d) + 0xca62c1d6 (as a signed 32-bit constant).
    t = w9 ^ w4 ^ w14 ^ w12;
    w12 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) - 0x359d3e2a) + e + w12) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w10 ^ w5 ^ w15 ^ w13;
    w13 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) - 0x359d3e2a) + d + w13) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w11 ^ w6 ^ w0 ^ w14;
    w14 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) - 0x359d3e2a) + c + w14) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w12 ^ w7 ^ w1 ^ w15;
    w15 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) - 0x359d3e2a) + b + w15) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w13 ^ w8 ^ w2 ^ w0;
    w0 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) - 0x359d3e2a) + a + w0) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w14 ^ w9 ^ w3 ^ w1;
    w1 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) - 0x359d3e2a) + e + w1) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w15 ^ w10 ^ w4 ^ w2;
    w2 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) - 0x359d3e2a) + d + w2) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w0 ^ w11 ^ w5 ^ w3;
    w3 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) - 0x359d3e2a) + c + w3) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w1 ^ w12 ^ w6 ^ w4;
    w4 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) - 0x359d3e2a) + b + w4) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w2 ^ w13 ^ w7 ^ w5;
    w5 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) - 0x359d3e2a) + a + w5) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w3 ^ w14 ^ w8 ^ w6;
    w6 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) - 0x359d3e2a) + e + w6) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w4 ^ w15 ^ w9 ^ w7;
    w7 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) - 0x359d3e2a) + d + w7) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w5 ^ w0 ^ w10 ^ w8;
    w8 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) - 0x359d3e2a) + c + w8) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w6 ^ w1 ^ w11 ^ w9;
    w9 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) - 0x359d3e2a) + b + w9) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w7 ^ w2 ^ w12 ^ w10;
    w10 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) - 0x359d3e2a) + a + w10) | 0;
    c = ((c << 30) | (c >>> 2));
    t = w8 ^ w3 ^ w13 ^ w11;
    w11 = (t << 1) | (t >>> 31);
    e = (((a << 5) | (a >>> 27)) + ((b ^ c ^ d) - 0x359d3e2a) + e + w11) | 0;
    b = ((b << 30) | (b >>> 2));
    t = w9 ^ w4 ^ w14 ^ w12;
    w12 = (t << 1) | (t >>> 31);
    d = (((e << 5) | (e >>> 27)) + ((a ^ b ^ c) - 0x359d3e2a) + d + w12) | 0;
    a = ((a << 30) | (a >>> 2));
    t = w10 ^ w5 ^ w15 ^ w13;
    w13 = (t << 1) | (t >>> 31);
    c = (((d << 5) | (d >>> 27)) + ((e ^ a ^ b) - 0x359d3e2a) + c + w13) | 0;
    e = ((e << 30) | (e >>> 2));
    t = w11 ^ w6 ^ w0 ^ w14;
    w14 = (t << 1) | (t >>> 31);
    b = (((c << 5) | (c >>> 27)) + ((d ^ e ^ a) - 0x359d3e2a) + b + w14) | 0;
    d = ((d << 30) | (d >>> 2));
    t = w12 ^ w7 ^ w1 ^ w15;
    w15 = (t << 1) | (t >>> 31);
    a = (((b << 5) | (b >>> 27)) + ((c ^ d ^ e) - 0x359d3e2a) + a + w15) | 0;
    c = ((c << 30) | (c >>> 2));
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
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
  // At most 3 UTF-8 bytes per UTF-16 code unit; a long name is measured instead. Then room for the padding.
  const need = 16 + (name.length <= 1024 ? name.length * 3 : Buffer.byteLength(name, 'utf8')) + PAD_ROOM;
  // The name below overwrites what hexPairId left in the scratch. Marked only here, after the last point
  // where a caller's code can run (a namespace's text, a name's length) and derive an id meanwhile, which
  // would leave its trace id marked as kept over bytes this call then writes.
  scratchTrace = undefined;
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
  const length = 17 + name.length * 2;
  const data = Buffer.allocUnsafe(length + PAD_ROOM);
  ns.copy(data, 0);
  data[16] = 0xff;
  data.write(name, 17, 'utf16le');
  sha1(data, length);
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
  const hex = hexPairId(traceId, spanId);
  if (hex !== undefined) return hex;
  // Lower-cased as before; where that changed an id, only hex may stay (the usual ids: one compare each).
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  if ((t === traceId ? t.includes('-') : !HEX.test(traceId)) || (s !== spanId && !HEX.test(spanId))) {
    // An id lower-casing left alone is kept as is; one it changed is kept as given unless it is hex (a number).
    return uuidV5OfPair(t === traceId || !HEX.test(traceId) ? traceId : t, s === spanId || !HEX.test(spanId) ? spanId : s);
  }
  return uuidV5(AGENTSPAN_ID_NAMESPACE, `${t}-${s}`);
}

/** Longest pair of ids (in code units, both together) {@link hexPairId} takes: its name then fits the scratch's first 256 bytes. */
const HEX_PAIR_MAX = 128;

/**
 * The trace id (as given) whose name bytes sit at the start of `scratch`: the namespace, the trace id
 * lower-cased and `-`; undefined when none does (`uuidV5` writes other names there).
 */
let scratchTrace: string | undefined;

/**
 * `id` lower-cased into `data` from `at`, one byte per hex digit; false at the first character that is not
 * a hex digit (the bytes written so far are then meaningless).
 */
function writeHexLower(data: Buffer, at: number, id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    let c = id.charCodeAt(i);
    if (c >= 0x41 && c <= 0x46) c |= 0x20; // A-F → a-f
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
    data[at + i] = c;
  }
  return true;
}

/**
 * {@link eventIdFor} of two hex ids (every OpenTelemetry pair), or undefined for any other pair: the same
 * uuid as `uuidV5(AGENTSPAN_ID_NAMESPACE, "<trace>-<span>")` lower-cased, with the name's bytes written
 * straight from the ids' characters. The namespace and the trace id stay in the scratch from one call to
 * the next (the spans of a batch mostly share their trace), so a call writes the span id's 16 bytes.
 * What it saves, per id: the two `toLowerCase` calls, the joined name, the namespace's copy and the
 * UTF-8 write into the buffer (two calls into C++): about 1 000 instructions per event by a callgrind
 * profile of the benchmark's workload (BENCHMARKS.md, *What changed (2026-12-07, evening)*).
 */
function hexPairId(traceId: string, spanId: string): string | undefined {
  // Ids that are not strings (a malformed span) take the general path, which refuses them as before.
  if (typeof traceId !== 'string' || typeof spanId !== 'string' || traceId.length + spanId.length > HEX_PAIR_MAX) return undefined;
  const data = scratch; // never shorter than 256 bytes: room for the name and the hash's padding
  if (traceId !== scratchTrace) {
    scratchTrace = undefined;
    if (!writeHexLower(data, 16, traceId)) return undefined;
    AGENTSPAN_NAMESPACE_BYTES.copy(data, 0);
    data[16 + traceId.length] = 0x2d; // -
    scratchTrace = traceId;
  }
  const at = 17 + traceId.length;
  if (!writeHexLower(data, at, spanId)) return undefined;
  sha1(data, at + spanId.length);
  return digestToUuidV5();
}

/** {@link eventIdFor} of a pair its plain name would merge with another: over 0xFE, the trace id's length and both ids' UTF-16LE code units (hex ids already lower-cased by the caller). */
function uuidV5OfPair(traceId: string, spanId: string): string {
  const length = 21 + (traceId.length + spanId.length) * 2;
  const data = Buffer.allocUnsafe(length + PAD_ROOM);
  AGENTSPAN_NAMESPACE_BYTES.copy(data, 0);
  data[16] = 0xfe;
  data.writeUInt32BE(traceId.length, 17);
  const at = 21 + data.write(traceId, 21, 'utf16le');
  data.write(spanId, at, 'utf16le');
  sha1(data, length);
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
