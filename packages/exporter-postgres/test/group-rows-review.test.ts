/**
 * Review of `groupRows`'s radix sort (`sortedById` in row-writer.ts): rows
 * whose ids share their first 8 hex digits are put in order among
 * themselves by comparing whole ids. `groupRows` and `writeRows` are public,
 * and any caller's ids may share a prefix (ids numbered after a fixed
 * prefix, a test's ids, rows replayed from an application's own ids): the
 * comparator sort it replaced compared ids O(n log n) times whatever they
 * were, and so must this, in the order that sort gave.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupRows, type DagNodeRow, type MappedRow } from '../src/index.js';
import { eventRow } from './helpers.js';

/** An id that counts how often it is compared (as `<` and `>` do: through its primitive value). */
class CountedId {
  static compared = 0;
  constructor(private readonly text: string) {}
  get length(): number {
    return this.text.length;
  }
  charCodeAt(i: number): number {
    return this.text.charCodeAt(i);
  }
  [Symbol.toPrimitive](): string {
    CountedId.compared += 1;
    return this.text;
  }
}

/** `n` ids sharing their first 8 hex digits, numbered after them, the highest first. */
function sharedPrefixIds(n: number): string[] {
  const ids: string[] = [];
  for (let i = n; i > 0; i--) ids.push(`00000000-0000-5000-8000-${i.toString(16).padStart(12, '0')}`);
  return ids;
}

describe('groupRows: the radix sort by the first 8 hex digits', () => {
  it('compares ids O(n log n) times, as the comparator sort did, not once per pair', () => {
    const n = 3000;
    const rows = sharedPrefixIds(n).map((id): MappedRow => ({ kind: 'event', row: { ...eventRow(), id: new CountedId(id) as unknown as string } }));
    CountedId.compared = 0;
    const events = groupRows(rows).events;
    assert.equal(events.length, n);
    // Array#sort over 3000 rows: about n log2 n = 35 000 comparisons, two conversions each at most.
    assert.ok(CountedId.compared <= 30 * n, `${CountedId.compared} conversions of ids for ${n} rows`);
  });

  it('orders them, and keeps the duplicate the Map kept, as the comparator sort did', () => {
    const ids = sharedPrefixIds(2000);
    // Shuffled (fixed), each id then repeated: first in progress, then ended, then ended again.
    let seed = 7;
    for (let i = ids.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const j = seed % (i + 1);
      [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
    }
    const rows: MappedRow[] = [];
    for (const id of ids) rows.push({ kind: 'event', row: { ...eventRow(), id, status: 'running', completed_at: null, duration_ms: null } });
    for (const id of ids) rows.push({ kind: 'event', row: { ...eventRow(), id, duration_ms: 1 } });
    for (const id of ids) rows.push({ kind: 'event', row: { ...eventRow(), id, duration_ms: 2 } });
    const events = groupRows(rows).events;
    assert.deepEqual(
      events.map((r) => r.id),
      [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    assert.ok(events.every((r) => r.duration_ms === 1));
  });

  it('orders ids in upper-case hex as strings (before every lower-case one), not by their value', () => {
    // Read as numbers, `B…` would come after `a…`; as code units ('B' is 66, 'a' 97) it comes first.
    const ids = ['b0000000-0000-5000-8000-000000000000', 'B0000000-0000-5000-8000-000000000000', 'a1234567-0000-5000-8000-000000000000', '00000000-0000-5000-8000-000000000000'];
    const rows = ids.map((id): MappedRow => ({ kind: 'node', row: { ...eventRow(), id } as unknown as DagNodeRow }));
    assert.deepEqual(
      groupRows(rows).nodes.map((r) => r.id),
      ['00000000-0000-5000-8000-000000000000', 'B0000000-0000-5000-8000-000000000000', 'a1234567-0000-5000-8000-000000000000', 'b0000000-0000-5000-8000-000000000000'],
    );
  });
});
