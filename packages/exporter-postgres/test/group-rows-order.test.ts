/**
 * `groupRows` sorts by a numeric key of each id's leading hex digits and
 * drops duplicates in that sorted order instead of a Map per table (see
 * `sortedById` in row-writer.ts): it must give the very rows, in the very
 * order, that the Map-and-comparator code it replaced gives (copied below as
 * the reference), on ids that share long prefixes, differ only past them,
 * repeat, or are no lower-case hex at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { groupRows, type DagNodeRow, type ExecutionEventRow, type MappedRow, type WorkflowRunRow } from '../src/index.js';
import { isInProgressRow } from '../src/liveness.js';
import { mergeRunRows } from '../src/run-merge.js';
import { eventRow } from './helpers.js';

/** The code before: a Map per table (first ended row kept, a row in progress gives way), then a comparator sort. */
function groupRowsReference(rows: readonly MappedRow[]): { runs: WorkflowRunRow[]; nodes: DagNodeRow[]; events: ExecutionEventRow[] } {
  const byId = (a: { readonly id: string }, b: { readonly id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const runs = new Map<string, WorkflowRunRow>();
  const nodes = new Map<string, DagNodeRow>();
  const events = new Map<string, ExecutionEventRow>();
  for (const m of rows) {
    if (m.kind === 'run') {
      const held = runs.get(m.row.id);
      const merged = held === undefined ? undefined : mergeRunRows(held, m.row);
      if (merged !== undefined) runs.set(m.row.id, merged);
      else if (held === undefined || !isInProgressRow(m.row) || isInProgressRow(held)) runs.set(m.row.id, m.row);
    } else if (m.kind === 'node') {
      const held = nodes.get(m.row.id);
      if (held === undefined || isInProgressRow(held)) nodes.set(m.row.id, m.row);
    } else if (m.kind === 'event') {
      const held = events.get(m.row.id);
      if (held === undefined || isInProgressRow(held)) events.set(m.row.id, m.row);
    }
  }
  return { runs: [...runs.values()].sort(byId), nodes: [...nodes.values()].sort(byId), events: [...events.values()].sort(byId) };
}

const hex = '0123456789abcdef';
/** Ids built to collide in their first 8 characters (the numeric key) and to differ after them, or not hex at all. */
const id = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('00000000', 'ffffffff', '0a0a0a0a', '9fffffff', 'a0000000'), fc.array(fc.constantFrom(...hex, '-'), { maxLength: 6 }))
      .map(([p, rest]) => p + rest.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'a', '0000000', '0000000g', 'A0000000', 'ffffffff', 'fffffffg', 'é', '\uD800', '00000000\uFFFF', ' 0000000') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const status = fc.constantFrom<ExecutionEventRow['status']>('running', 'success');
const event = fc.tuple(id, status, fc.nat()).map(([i, s, n]): MappedRow => {
  const running = s === 'running';
  return { kind: 'event', row: { ...eventRow(), id: i, status: s, completed_at: running ? null : '2026-01-01T00:00:01.000Z', duration_ms: running ? null : n } };
});
const node = fc.tuple(id, status, fc.nat()).map(([i, s, n]) => {
  const running = s === 'running';
  return { kind: 'node', row: { id: i, status: s, completed_at: running ? null : '2026-01-01T00:00:01.000Z', duration_ms: running ? null : n, n } } as unknown as MappedRow;
});

describe('groupRows keeps the rows and the order of the Map-and-comparator code', () => {
  it('on hostile ids: shared prefixes, repeats, rows in progress, ids that are no lower-case hex', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(event, node), { maxLength: 80 }), (rows) => {
        const fast = groupRows(rows);
        const ref = groupRowsReference(rows);
        assert.equal(fast.events.length, ref.events.length);
        assert.equal(fast.nodes.length, ref.nodes.length);
        // The same objects (the kept duplicate included), in the same order.
        fast.events.forEach((r, i) => assert.equal(r, ref.events[i], `event ${i}`));
        fast.nodes.forEach((r, i) => assert.equal(r, ref.nodes[i], `node ${i}`));
      }),
      { numRuns: 3000 },
    );
  });

  it('on a batch the size of a delivery batch, all uuids, some repeated', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { minLength: 500, maxLength: 1500 }), fc.array(fc.nat(), { maxLength: 40 }), (ids, repeats) => {
        const rows = ids.map((i): MappedRow => ({ kind: 'event', row: { ...eventRow(), id: i } }));
        for (const r of repeats) rows.push(rows[r % rows.length] as MappedRow);
        const fast = groupRows(rows).events;
        const ref = groupRowsReference(rows).events;
        assert.equal(fast.length, ref.length);
        fast.forEach((r, i) => assert.equal(r, ref[i], `event ${i}`));
      }),
      { numRuns: 60 },
    );
  });
});
