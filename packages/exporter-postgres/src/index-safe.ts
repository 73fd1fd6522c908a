/**
 * Text that fits a btree index entry. Postgres refuses an index entry over
 * about 2704 bytes (SQLSTATE 54000) unless it compresses well, and several
 * text columns are indexed (`run_id`, `node_id`, `session_id`,
 * `agent_name`, `trace_id` of `execution_events`, `run_id` of `dag_nodes`,
 * `id` of `workflow_runs`). A value that long would be refused on every
 * write, repaired or not: it is made to fit when the row is mapped, the
 * same way in every table, so that joins on it still hold.
 */
import { createHash } from 'node:crypto';
import { isWellFormed } from './well-formed.js';

/** Most UTF-8 bytes an indexed text value keeps (under Postgres' ~2704, with room for the other key columns). */
export const MAX_INDEXED_BYTES = 2000;
/** `~` and 16 hex digits of SHA-256 after the kept prefix. */
export const HASH_SUFFIX_BYTES = 17;

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes, whole code points only. */
export function utf8PrefixOf(s: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let units = 1;
    let size: number;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    } else size = 3; // lone surrogates are written as 3 bytes (and replaced by sanitising)
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return s.slice(0, i);
}

/**
 * `s` when it fits {@link MAX_INDEXED_BYTES}, else its longest prefix that
 * leaves room for `~` and 16 hex digits of the SHA-256 of the whole value:
 * two long values that share their start stay apart, and the same value
 * always maps to the same text.
 */
export function indexSafe(s: string): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: most values are ruled out on their length alone.
  if (s.length * 3 <= MAX_INDEXED_BYTES || Buffer.byteLength(s, 'utf8') <= MAX_INDEXED_BYTES) return s;
  return `${utf8PrefixOf(s, MAX_INDEXED_BYTES - HASH_SUFFIX_BYTES)}~${hashOf(s)}`;
}

/**
 * 16 hex digits of the SHA-256 of `s`: of its UTF-8 bytes (what every version
 * hashed), or, when it holds a lone surrogate, of its UTF-16 code units,
 * since UTF-8 writes every lone surrogate alike (two long ids differing only
 * there would share a key).
 */
export function hashOf(s: string): string {
  const bytes = isWellFormed(s) ? s : Buffer.from(s, 'utf16le');
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** {@link indexSafe} for a value that may be absent. */
export function indexSafeOrNull(s: string | null): string | null {
  return s === null ? null : indexSafe(s);
}
