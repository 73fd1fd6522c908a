/** Run state over a long-lived process: bounded memory, orders that continue, interleaved runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MAX_TRACKED_FILES, RunStates } from '../src/run-state.js';

test('files remembered are bounded over all runs, not only per run: 10 000 finished runs of 100 files each hold at most the bound', () => {
  const runs = new RunStates(10_000);
  for (let r = 0; r < 10_000; r++) {
    runs.nextOrder(`run-${r}`);
    for (let f = 0; f < 100; f++) runs.recordFile(`run-${r}`, 'node', `/ws/outputs/run-${r}/file-${f}.csv`, `span-${f}`, '1:1');
  }
  assert.ok(runs.trackedFiles <= DEFAULT_MAX_TRACKED_FILES, `${runs.trackedFiles} files remembered`);
  // The run recording now keeps its files: a file it records again is a duplicate of its first row.
  assert.equal(runs.recordFile('run-9999', 'node', '/ws/outputs/run-9999/file-0.csv', 'again', '1:1'), 'span-0');
  // An evicted run continues its order.
  assert.equal(runs.nextOrder('run-0'), 2);
});

test('one run recording many files evicts older runs, never itself, and keeps its own de-duplication', () => {
  const runs = new RunStates(100, 50);
  runs.recordFile('old', undefined, '/a', 's0', 'v');
  runs.nextOrder('old');
  for (let f = 0; f < 80; f++) runs.recordFile('busy', 'n', `/f${f}`, `s${f}`, 'v');
  assert.equal(runs.recordFile('busy', 'n', '/f79', 'again', 'v'), 's79');
  assert.equal(runs.fileVersion('old', undefined, '/a'), undefined, 'the older run was evicted for room');
  assert.equal(runs.nextOrder('old'), 2, 'its order continues');
});

test('execution orders of interleaved runs are each 1..n in call order, whatever the eviction, and files stay bounded (property)', () => {
  fc.assert(
    fc.property(// At most 10 runs: an evicted run's order is remembered for 10 times as many runs as are tracked.
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean()), { maxLength: 400 }), fc.integer({ min: 1, max: 8 }), (ops, maxRuns) => {
      const runs = new RunStates(maxRuns, 20);
      const expected = new Map<number, number>();
      for (const [run, withFile] of ops) {
        const next = (expected.get(run) ?? 0) + 1;
        expected.set(run, next);
        assert.equal(runs.nextOrder(`r${run}`), next);
        if (withFile) runs.recordFile(`r${run}`, undefined, `/f${next}`, 's', 'v');
        assert.ok(runs.size <= maxRuns);
        assert.ok(runs.trackedFiles <= 20 || runs.size === 1, `${runs.trackedFiles} files in ${runs.size} runs`);
      }
    }),
  );
});
