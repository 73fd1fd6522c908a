/**
 * The CI-sized run of the benchmark: proves `bench/run.ts` and every case
 * still work (tiny sizes, one repetition, a few seconds). It asserts the
 * report's sections and that every case produced numbers, never a timing.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');

test('npm run bench -- --smoke writes every section and keeps the rest of the file', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-bench-smoke-'));
  const out = join(dir, 'BENCHMARKS.md');
  writeFileSync(out, '# Benchmarks\n\n## Reliability\n\nkept as is\n\n<!-- bench:start -->\nold numbers\n<!-- bench:end -->\n\ntrailer kept\n');
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(bench, 'run.ts'), '--smoke', '--out', out], { cwd: bench, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(out, 'utf8');
    for (const heading of [
      '## Reliability',
      '## Throughput and overhead',
      '### Summary against the targets',
      '### 1. The limit: COPY',
      '### 2. agentspan end to end',
      '### 3. The naive baseline',
      '### 4. Hot-path cost per event',
      '### 5. Extraction throughput',
      '### 6. Peak RSS',
      '### 7. Embedded PGlite',
      '### Tuning knobs',
    ]) {
      assert.ok(md.includes(heading), `missing ${heading}`);
    }
    assert.ok(md.includes('kept as is') && md.includes('trailer kept'), 'text outside the markers is kept');
    assert.ok(!md.includes('old numbers'), 'the generated section is replaced');
    assert.equal(md.split('<!-- bench:start -->').length, 2, 'one generated section');
    assert.match(md, /\| Node, `pg-copy-streams`, one connection \| \d[\d ]* ms \| \d/);
    assert.match(md, /\| agentspan end to end \| \d[\d ]* ms \| \d/);
    assert.match(md, /\| one INSERT per event \| \d[\d ]* ms \| \d/);
    assert.match(md, /\| agentspan → PGlite \| \d[\d ]* ms \| \d/);
    assert.match(md, /\| floor: a bare OTel span carrying the \d+ attributes .*\| \d/);
    assert.match(md, /\| floor: SHA-256 of the snippet \(`node:crypto`\) \| \d/);
    assert.match(md, /\| tail floor: a busy loop .*\| \d/);
    // CPU accounting: client and server CPU per row for COPY and end to end, and the ceiling they imply.
    assert.match(md, /\| COPY from Node \(§1\)[^|]*\| \d[\d ]*\.\d \| \d[\d ]*\.\d \| (\d[\d ]*\.\d|not readable here) \|/);
    assert.match(md, /\| agentspan end to end \| \d[\d ]*\.\d \| \d[\d ]*\.\d \| (\d[\d ]*\.\d|not readable here) \|/);
    assert.match(md, /cannot exceed [\d ]+ events\/s on \d+ cores|no ceiling computed from the cores/);
    assert.match(md, /The tighter bound, \d+% of the faster COPY, is the highest ratio/);
    assert.match(md, /\| agentspan end to end \|[^\n]*\| \d+% \|\n/);
    assert.match(md, /that thread was busy \d+% of the end-to-end time: \d[\d ]*\.\d µs of main-thread work per event (on a core \(of \d[\d ]*\.\d µs busy; \d[\d ]*\.\d µs it waited, runnable, for a core\)|\(its busy time[^)]*\)), so however many cores are free the case cannot exceed [\d ]+ events\/s on it, \d+% of the faster COPY/);
    // Where the scheduler's accounting is readable (Linux), the main thread's time on a core and its waits are columns.
    if (existsSync('/proc/thread-self/schedstat')) {
      assert.match(md, /\| agentspan end to end \| \d[\d ]*\.\d \| \d[\d ]*\.\d \| [^|]+ \| [^|]+ \| [^|]+ \| \d[\d ]*\.\d \| \d[\d ]*\.\d \| \d+% \|\n/);
    }
    assert.match(md, /\| end to end ≥ 75% of COPY of the same rows \| \d+% of the faster COPY, median of 1 pair \(\d+%\)/);
    assert.match(md, /\| machine speed, start → end of the run \| integer loop [^|]* \d+\.\d\d → \d+\.\d\d ns per iteration; object churn [^|]* \d[\d ]* → \d[\d ]* ns per insert/);
    assert.doesNotMatch(md, /\bNaN\b|n\/a/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
