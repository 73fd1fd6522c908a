/**
 * Totality helpers: the extractors run on an application's hot path, so a
 * bug in them must degrade to an empty result instead of an exception.
 */

/** Runs `fn`; if it throws (a bug, a stack overflow, a hostile getter), returns `fallback()`. */
export function guarded<R>(fn: () => R, fallback: () => R): R {
  try {
    return fn();
  } catch {
    return fallback();
  }
}

/** The input as a string: strings pass through, anything else becomes `''`. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Default number of characters an extractor scans. */
export const DEFAULT_MAX_SCAN_CHARS = 1_000_000;

/** A usable scan limit: a finite non-negative integer, else the default. */
export function scanLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return DEFAULT_MAX_SCAN_CHARS;
  return Math.floor(value);
}

/** Upper bound on the entries of any returned list, so span attributes stay bounded. */
export const MAX_LIST_ENTRIES = 1000;

/** An insertion-ordered set of strings with a size cap. */
export class OrderedSet {
  private readonly seen = new Set<string>();
  add(value: string | undefined): void {
    if (value === undefined || this.seen.size >= MAX_LIST_ENTRIES) return;
    this.seen.add(value);
  }
  has(value: string): boolean {
    return this.seen.has(value);
  }
  get size(): number {
    return this.seen.size;
  }
  /** Whether the cap is reached (further adds are ignored, so callers may stop looking). */
  get full(): boolean {
    return this.seen.size >= MAX_LIST_ENTRIES;
  }
  toArray(): string[] {
    return [...this.seen];
  }
}
