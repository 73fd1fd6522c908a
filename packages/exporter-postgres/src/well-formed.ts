/**
 * Lone surrogates: UTF-16 code units Postgres cannot store in text, and
 * which UTF-8 writes all alike (as U+FFFD's three bytes).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source); // not global: no lastIndex state

/** ES2024 string methods (Node 20 has them; the fallbacks are for runtimes without). */
type WellFormedMethods = { isWellFormed(): boolean; toWellFormed(): string };
const NATIVE_WELL_FORMED =
  typeof (String.prototype as Partial<WellFormedMethods>).isWellFormed === 'function' &&
  typeof (String.prototype as Partial<WellFormedMethods>).toWellFormed === 'function';

/** Whether `s` holds no lone surrogate. */
export function isWellFormed(s: string): boolean {
  return NATIVE_WELL_FORMED ? (s as unknown as WellFormedMethods).isWellFormed() : !HAS_LONE_SURROGATE.test(s);
}

/** `s` with each lone surrogate replaced by U+FFFD. */
export function toWellFormed(s: string): string {
  return NATIVE_WELL_FORMED ? (s as unknown as WellFormedMethods).toWellFormed() : s.replace(LONE_SURROGATE, '\uFFFD');
}
