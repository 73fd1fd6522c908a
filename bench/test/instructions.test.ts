/**
 * `instructions.bench.ts` and its child still work: every stage of the child
 * runs (plain Node, seconds), and one stage is counted under valgrind with
 * tiny sizes when valgrind is installed. No count is asserted beyond its sign.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInstructionsBench, valgrindAvailable } from '../instructions.bench.js';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the instructions child runs every stage and reports what it encoded', { timeout: 120_000 }, () => {
  for (const [stage, events] of [['record', 40], ['map', 40], ['encode', 40], ['code2k', 10]] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(bench, 'instructions-child.ts'), stage, String(events)], { cwd: bench, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const bytes = Number(/bytes (\d+)/.exec(r.stdout)?.[1]);
    // record and code2k count spans; map counts rows; encode adds the COPY bytes (about 900 per row).
    assert.ok(bytes >= events, `${stage}: ${r.stdout}`);
    if (stage === 'encode') assert.ok(bytes > events * 500, `encode wrote ${bytes} bytes for ${events} events`);
  }
  const usage = spawnSync(process.execPath, ['--import', 'tsx', join(bench, 'instructions-child.ts'), 'nonsense', '1'], { cwd: bench, encoding: 'utf8' });
  assert.equal(usage.status, 2);
});

test('valgrind counts instructions per event and leaves no build folder behind', { timeout: 300_000 }, async (t) => {
  if (!valgrindAvailable()) {
    t.skip('valgrind is not installed');
    return;
  }
  const [row] = await runInstructionsBench({ small: 20, large: 60, stages: ['record'] });
  assert.ok(row !== undefined);
  assert.equal(row.stage, 'record');
  assert.ok(row.large > row.small && row.small > 1e8, JSON.stringify(row));
  assert.ok(row.perEvent > 1000, JSON.stringify(row));
  assert.deepEqual(readdirSync(bench).filter((f) => f.startsWith('.instructions-')), []);
  await assert.rejects(runInstructionsBench({ small: 10, large: 10 }), RangeError);
});
