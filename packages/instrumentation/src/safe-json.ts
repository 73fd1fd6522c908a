/**
 * Serialises anything an application hands us (cyclic objects, BigInt,
 * Errors, Maps, typed arrays, getters that throw, huge strings) to JSON text
 * within a character budget, without ever throwing.
 *
 * `JSON.stringify` throws on cycles and BigInt and has no budget, so a bad
 * argument would either crash the host or make the hot path unbounded; this
 * walker stops adding content once the budget is spent and marks the cut.
 */

/** Result of {@link safeJson}. */
export interface SafeJsonResult {
  /** Valid JSON text. */
  readonly json: string;
  /** True when content was left out to stay within the budget or depth. */
  readonly truncated: boolean;
}

/** What a value, or a part of one, that throws when read (a throwing getter, a revoked proxy) is recorded as. */
export const UNREADABLE = '[unreadable]';

const MAX_DEPTH = 32;
export const TRUNCATION_MARK = '…[truncated]';

/*
 * Budget costs. Every token the JSON text will hold is charged, roughly what
 * it adds to the text: a value that cost nothing (`null`, `[]`) would let a
 * sparse array of 200 million holes, or millions of empty arrays, be walked
 * to the end and built into hundreds of megabytes of text (or a string too
 * long for V8, which kills the process).
 */
/** `null` (also what `undefined` becomes). */
const NULL_COST = 4;
/** `true` / `false`. */
const BOOLEAN_COST = 5;
/** The brackets of an array or object. */
const CONTAINER_COST = 2;
/** The comma before an array item. */
const ITEM_COST = 1;
/** The colon and comma of an object member (its key is charged as a string). */
const MEMBER_COST = 2;
/** What an Error's copy adds to its name and message: `{"name":` `,"message":` `}`. */
const ERROR_COST = '{"name":,"message":}'.length;
/** A Map pair's brackets, or a number key's quotes, beside its colon and comma (see `mapToPlain`). */
const PAIR_COST = MEMBER_COST + 2;

/**
 * Characters JSON writes as more than one: a quote or backslash (2), a
 * control character (2 or 6, `\u0000`), a lone surrogate (6). A string is
 * charged its JSON length, escapes included: charged one per character, a
 * string of NULs within the budget became JSON six times as long. (Pairs
 * match too, and are charged as they are written: 2.)
 */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * How many UTF-16 units of `s` fit in `max` characters of JSON string
 * (quotes not counted), escapes included, a surrogate pair never split.
 * A scan: only for a string with escapes that does not fit whole.
 */
function escapedPrefix(s: string, max: number): number {
  let used = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let units = 1;
    let cost = 1;
    if (c < 0x20) cost = c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) cost = 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        units = 2;
        cost = 2;
      } else cost = 6; // a lone surrogate: \udXXX
    }
    if (used + cost > max) break;
    used += cost;
    i += units;
  }
  return i;
}

/** Length of `s` as a JSON string, quotes included. */
function jsonLength(s: string): number {
  return ESCAPED.test(s) ? JSON.stringify(s).length : s.length + 2;
}

class Budget {
  remaining: number;
  truncated = false;
  constructor(limit: number) {
    this.remaining = limit;
  }
}

/** JSON text of `value`, at most about `maxChars` long (strings are cut, deep or wide structures elided). */
export function safeJson(value: unknown, maxChars: number): SafeJsonResult {
  const flat = flatJson(value, Math.max(16, maxChars));
  return flat !== undefined ? { json: flat, truncated: false } : walkJson(value, maxChars);
}

/** @internal {@link safeJson} by the walker alone (what the flat fast path is tested against). */
export function walkJson(value: unknown, maxChars: number): SafeJsonResult {
  const budget = new Budget(Math.max(16, maxChars));
  try {
    const json = JSON.stringify(toPlain(value, budget, 0, new Set()));
    return { json: json ?? 'null', truncated: budget.truncated };
  } catch {
    return { json: JSON.stringify('[unserialisable]'), truncated: true };
  }
}

/**
 * The common case of {@link safeJson} without the walker's copies: a
 * string, finite number, boolean or `null`, or a plain object or array of
 * them (tool arguments like `{ q: 'x', limit: 5 }`, results like
 * `['a', 'b']`), that fits the budget with nothing to cut. It follows the
 * walker's budget accounting exactly and gives up (`undefined`: the walker
 * decides) on anything else, so its text is always the walker's.
 */
function flatJson(value: unknown, limit: number): string | undefined {
  if (value === null || typeof value !== 'object') return primitiveJson(value, limit);
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    const isArray = Array.isArray(value);
    if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return undefined;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
    let remaining = limit - CONTAINER_COST;
    let out = isArray ? '[' : '{';
    if (isArray) {
      const items = value as readonly unknown[];
      for (let i = 0; i < items.length; i++) {
        if (remaining <= 0) return undefined;
        remaining -= ITEM_COST;
        const item = primitiveJson(items[i], remaining);
        if (item === undefined) return undefined;
        remaining -= primitiveCost(item);
        out += (i === 0 ? '' : ',') + item;
      }
      return out + ']';
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const key = primitiveJson(keys[i]!, remaining);
      if (key === undefined) return undefined;
      remaining -= key.length + MEMBER_COST;
      const item = primitiveJson(record[keys[i]!], remaining);
      if (item === undefined) return undefined;
      remaining -= primitiveCost(item);
      out += (i === 0 ? '' : ',') + key + ':' + item;
    }
    return out + '}';
  } catch {
    return undefined; // a throwing getter or trap: the walker records it as such
  }
}

/**
 * JSON of a primitive that needs no cut (`undefined` for anything else). Its budget cost, as
 * `toPlain` counts it, is {@link primitiveCost} of the text: the text alone is returned, not a
 * `{ json, cost }` pair, since this runs for every member of every tool's arguments.
 */
function primitiveJson(v: unknown, remaining: number): string | undefined {
  switch (typeof v) {
    case 'string': {
      if (remaining <= 0 || v.length > remaining) return undefined;
      // A string with nothing to escape is quoted as it is, which is what JSON.stringify writes for it, without its call.
      const json = needsEscape(v) ? JSON.stringify(v) : `"${v}"`;
      return json.length - 2 <= remaining ? json : undefined;
    }
    case 'number':
      // What JSON.stringify writes for a finite number is its String() (ECMA-262, SerializeJSONProperty), -0 as "0" too.
      return Number.isFinite(v) ? String(v) : undefined;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return v === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

/**
 * The budget cost of a text {@link primitiveJson} gave: its length (a string's quotes and escapes
 * included), except `true`, charged {@link BOOLEAN_COST} as `false` is. (A string's text starts
 * with a quote, so no string is taken for the literal.)
 */
function primitiveCost(json: string): number {
  // The walker's costs by name (NULL_COST is `null`'s length, BOOLEAN_COST `false`'s: the same, named).
  return json === 'true' || json === 'false' ? BOOLEAN_COST : json === 'null' ? NULL_COST : json.length;
}

/** Longest string {@link needsEscape} scans itself; longer ones go to {@link ESCAPED}. */
const SHORT_SCAN = 64;

/**
 * `ESCAPED.test(s)`: for a short string (an argument name, a query) by a scan of its code units,
 * which costs a fraction of a regular expression call; a long one by the expression.
 */
function needsEscape(s: string): boolean {
  if (s.length > SHORT_SCAN) return ESCAPED.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** Text for a value that is usually a string (message content, tool results). */
export function safeText(value: unknown, maxChars: number): { text: string; truncated: boolean } {
  if (typeof value === 'string') return cutString(value, maxChars);
  if (value === undefined || value === null) return { text: '', truncated: false };
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return { text: String(value), truncated: false };
  }
  const { json, truncated } = safeJson(value, maxChars);
  return { text: json, truncated };
}

/** `s` cut to `maxChars` (never splitting a surrogate pair), with a mark when cut. */
export function cutString(s: string, maxChars: number): { text: string; truncated: boolean } {
  if (s.length <= maxChars) return { text: s, truncated: false };
  return { text: headOf(s, maxChars) + TRUNCATION_MARK, truncated: true };
}

/**
 * The first `maxChars` UTF-16 units of `s`, one fewer when the last would be
 * the first half of a surrogate pair: a plain `slice` there leaves a lone
 * surrogate, which Postgres cannot store and which turns an emoji into U+FFFD.
 */
export function headOf(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let end = Math.max(0, maxChars);
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return s.slice(0, end);
}

/**
 * `s` within what is left of the budget, charged its JSON length (escapes
 * included); cut, and marked, when that is more than is left.
 */
function take(budget: Budget, s: string): string {
  const remaining = budget.remaining;
  if (remaining <= 0) {
    budget.truncated = true;
    return TRUNCATION_MARK;
  }
  // Never more than `remaining` characters fit (each costs at least one): only those are measured.
  let text = headOf(s, remaining);
  let cost = jsonLength(text);
  if (cost - 2 > remaining) {
    text = text.slice(0, escapedPrefix(text, remaining));
    cost = jsonLength(text);
  }
  if (text.length === s.length) {
    budget.remaining -= cost;
    return text;
  }
  budget.truncated = true;
  budget.remaining -= cost + TRUNCATION_MARK.length;
  return text + TRUNCATION_MARK;
}

function toPlain(value: unknown, budget: Budget, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
      return take(budget, value);
    case 'number':
      // Charged its digits: `-1.2345678901234567e-300` is 24 characters of JSON, `0` one.
      if (Number.isFinite(value)) {
        budget.remaining -= String(value).length;
        return value;
      }
      return take(budget, String(value));
    case 'boolean':
      budget.remaining -= BOOLEAN_COST;
      return value;
    case 'bigint':
      return take(budget, value.toString());
    case 'undefined':
      budget.remaining -= NULL_COST;
      return null;
    case 'symbol':
      return take(budget, value.toString());
    case 'function':
      return take(budget, `[function ${functionName(value)}]`);
    default:
      break;
  }
  if (value === null) {
    budget.remaining -= NULL_COST;
    return null;
  }
  const obj = value as object;
  if (ancestors.has(obj)) return take(budget, '[Circular]');
  if (depth >= MAX_DEPTH || budget.remaining <= 0) {
    budget.truncated = true;
    return TRUNCATION_MARK;
  }
  ancestors.add(obj);
  try {
    return objectToPlain(obj, budget, depth, ancestors);
  } catch {
    // A throwing getter, proxy trap or toJSON (even `instanceof` throws on a revoked proxy):
    // this value is recorded as unreadable, its siblings as they are.
    return take(budget, UNREADABLE);
  } finally {
    ancestors.delete(obj);
  }
}

function functionName(fn: { readonly name?: unknown }): string {
  try {
    const name = fn.name;
    return typeof name === 'string' && name.length > 0 ? name : 'anonymous';
  } catch {
    return 'anonymous'; // a class with a throwing static `name` getter
  }
}

/** The plain copy of an object; may throw (the caller records the object as unreadable). */
function objectToPlain(obj: object, budget: Budget, depth: number, ancestors: Set<object>): unknown {
  if (obj instanceof Date) return take(budget, Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString());
  // Its text (`/ab+c/gi`): a RegExp has no enumerable members, so it would otherwise be `{}`.
  if (obj instanceof RegExp) return take(budget, String(obj));
  if (obj instanceof Error) {
    budget.remaining -= ERROR_COST;
    return { name: take(budget, String(obj.name)), message: take(budget, String(obj.message)) };
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    // Never the bytes: a Buffer's toJSON lists every one of them.
    return take(budget, `[${obj.constructor.name} ${(obj as ArrayBuffer).byteLength} bytes]`);
  }
  budget.remaining -= CONTAINER_COST;
  if (obj instanceof Map) return mapToPlain(obj, budget, depth, ancestors);
  if (obj instanceof Set) return itemsToPlain(obj.values(), budget, depth, ancestors);
  const withToJson = obj as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    const replaced: unknown = (withToJson.toJSON as () => unknown).call(obj);
    if (replaced !== obj) return toPlain(replaced, budget, depth + 1, ancestors);
  }
  if (Array.isArray(obj)) return arrayToPlain(obj, budget, depth, ancestors);
  return recordToPlain(obj, budget, depth, ancestors);
}

/** `obj[key]`, or the unreadable mark when reading it throws (a getter, a proxy's get trap). */
function member(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/** Whether the budget is spent; if so, marks the cut. */
function spent(budget: Budget): boolean {
  if (budget.remaining > 0) return false;
  budget.truncated = true;
  return true;
}

function arrayToPlain(items: readonly unknown[], budget: Budget, depth: number, ancestors: Set<object>): unknown[] {
  const out: unknown[] = [];
  // By index, not by iterator: a hole or a throwing element getter costs that element only.
  for (let i = 0, length = items.length; i < length; i++) {
    if (spent(budget)) {
      out.push(TRUNCATION_MARK);
      break;
    }
    budget.remaining -= ITEM_COST;
    out.push(toPlain(member(items, i), budget, depth + 1, ancestors));
  }
  return out;
}

function itemsToPlain(items: Iterable<unknown>, budget: Budget, depth: number, ancestors: Set<object>): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (spent(budget)) {
      out.push(TRUNCATION_MARK);
      break;
    }
    budget.remaining -= ITEM_COST;
    out.push(toPlain(item, budget, depth + 1, ancestors));
  }
  return out;
}

/**
 * Sets `out[key]` as an own member: a `__proto__` key is defined, since
 * assigned it would set the object's prototype and vanish. The copies are
 * ordinary objects, not prototype-less ones: V8 keeps those in dictionary
 * mode, which made every copy a quarter slower to build and serialise.
 */
function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * Own enumerable members, each read on its own: one that throws is
 * unreadable, its siblings are kept.
 */
function recordToPlain(obj: object, budget: Budget, depth: number, ancestors: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    if (spent(budget)) {
      out['…'] = TRUNCATION_MARK;
      break;
    }
    const key = take(budget, k);
    budget.remaining -= MEMBER_COST;
    setMember(out, key, toPlain(member(obj, k), budget, depth + 1, ancestors));
  }
  return out;
}

/**
 * A Map whose keys are all strings or numbers becomes an object (`{"a":1}`);
 * any other key (an object, a symbol, a boolean) would collapse to
 * `"[object Object]"` and overwrite its neighbours, so such a Map becomes
 * an array of `[key, value]` pairs instead, keys serialised like values.
 */
function mapToPlain(map: Map<unknown, unknown>, budget: Budget, depth: number, ancestors: Set<object>): unknown {
  const pairs: [unknown, unknown][] = [];
  let textKeys = true;
  let cut = false;
  for (const [k, v] of map) {
    if (spent(budget)) {
      cut = true;
      break;
    }
    if (textKeys && typeof k !== 'string' && typeof k !== 'number') {
      textKeys = false;
      // The pairs so far become `[k,v]` arrays: those with a string key were charged as members.
      for (const [key] of pairs) if (typeof key === 'string') budget.remaining -= PAIR_COST - MEMBER_COST;
    }
    // Charged as written: `"k":v,` for a string key; a number key's quotes, or a pair's `[`, `,`, `]`, cost two more.
    budget.remaining -= textKeys && typeof k === 'string' ? MEMBER_COST : PAIR_COST;
    pairs.push([toPlain(k, budget, depth + 1, ancestors), toPlain(v, budget, depth + 1, ancestors)]);
  }
  if (!textKeys) return cut ? [...pairs, TRUNCATION_MARK] : pairs;
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) setMember(out, String(k), v);
  if (cut) out['…'] = TRUNCATION_MARK;
  return out;
}
