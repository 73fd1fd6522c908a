import type { AttributeValue, Attributes } from '@opentelemetry/api';

/**
 * Attribute maps that stay fast with many keys.
 *
 * V8 turns a plain object into a hash-table ("dictionary mode") object once
 * more than about 16 properties have been added to it through computed keys
 * (`attrs[key] = value`, which is how the SDK's `setAttribute` and every
 * attribute map here are written). The switch copies the object, and every
 * later add, read and `for...in` over it is slower: on this path it cost
 * about 2 µs per event span, whose attributes (set at start, plus the
 * stamp and the extracted metadata) number 20 to 30.
 *
 * A record made here is a plain object (`Object.prototype`, nothing else to
 * tell it from `{}`) built by a constructor V8 reserves in-object room for,
 * so it keeps fast properties up to about 50 keys.
 */

/** What the constructor writes to: the record under construction. */
type Writable = Record<string, AttributeValue | undefined>;

/**
 * Never assigns anything (it is called with `false`): the assignments in
 * the dead branch make V8 size the object for that many properties.
 */
function AttributeRecord(this: Writable, reserve: boolean): void {
  if (reserve) {
    this.r00 = 0; this.r01 = 0; this.r02 = 0; this.r03 = 0; this.r04 = 0; this.r05 = 0; this.r06 = 0; this.r07 = 0;
    this.r08 = 0; this.r09 = 0; this.r10 = 0; this.r11 = 0; this.r12 = 0; this.r13 = 0; this.r14 = 0; this.r15 = 0;
    this.r16 = 0; this.r17 = 0; this.r18 = 0; this.r19 = 0; this.r20 = 0; this.r21 = 0; this.r22 = 0; this.r23 = 0;
    this.r24 = 0; this.r25 = 0; this.r26 = 0; this.r27 = 0; this.r28 = 0; this.r29 = 0; this.r30 = 0; this.r31 = 0;
  }
}
// Instances are plain objects: same prototype (and so `constructor`, `util.inspect` output) as `{}`.
Reflect.set(AttributeRecord, 'prototype', Object.prototype);

const Ctor = AttributeRecord as unknown as new (reserve: boolean) => Writable;

/**
 * V8 shrinks a constructor's objects to the room its first few instances used ("slack
 * tracking"): fill the first ones with `keys` keys each, so the room is kept.
 */
function keepRoom(ctor: new (reserve: boolean) => Writable, keys: number): void {
  for (let i = 0; i < 16; i++) {
    const warm = new ctor(false);
    for (let k = 0; k < keys; k++) warm[`\u0000agentspan.reserve.${k}`] = k;
  }
}
keepRoom(Ctor, 48);

/**
 * The same for the maps `AttributeBag` builds, one per event (and per run, node and end): their
 * keys are the bag's own, at most 21 (a code execution with every field, an error, metadata and a
 * cut), far from the 30 of a processed span this constructor above is sized for. The room for 40
 * cost 320 bytes per event of which half was never used; 24 fit every bag, and a bag given more
 * keys after all still keeps fast properties (the rest go to a property array; 40 keys were checked).
 */
function BagRecord(this: Writable, reserve: boolean): void {
  if (reserve) {
    this.r00 = 0; this.r01 = 0; this.r02 = 0; this.r03 = 0; this.r04 = 0; this.r05 = 0; this.r06 = 0; this.r07 = 0;
    this.r08 = 0; this.r09 = 0; this.r10 = 0; this.r11 = 0; this.r12 = 0; this.r13 = 0; this.r14 = 0; this.r15 = 0;
    this.r16 = 0; this.r17 = 0; this.r18 = 0; this.r19 = 0; this.r20 = 0; this.r21 = 0; this.r22 = 0; this.r23 = 0;
  }
}
Reflect.set(BagRecord, 'prototype', Object.prototype);

const BagCtor = BagRecord as unknown as new (reserve: boolean) => Writable;

keepRoom(BagCtor, 24);

/** An empty attribute map for an `AttributeBag`: room for the most keys a bag is given. */
export function createBagRecord(): Attributes {
  return new BagCtor(false);
}

/** An empty attribute map that stays fast with many keys. */
export function createAttributeRecord(): Attributes {
  return new Ctor(false);
}

/** A copy of `source` (own enumerable keys, in order) that stays fast with many keys. */
export function toAttributeRecord(source: Attributes): Attributes {
  const out = new Ctor(false);
  for (const key in source) {
    if (Object.prototype.hasOwnProperty.call(source, key)) out[key] = source[key];
  }
  return out;
}
