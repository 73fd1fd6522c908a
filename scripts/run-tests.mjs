// Type-checks every package's tests, then runs them through lerna, streams
// their output, and ends with one plain summary line ("tests: N passed, M
// failed") summed from the node:test TAP totals, so the result is readable at
// the bottom of a long log. Exits with lerna's exit code.
//
// The tests run through tsx, which strips types without checking them, so a
// type error in a test would otherwise go unnoticed: `tsc -b
// tsconfig.tests.json` checks each package's test/tsconfig.json (its tests and
// sources, strict like the build) first, and a type error fails the run with
// tsc's output before any test starts.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const testsProject = fileURLToPath(new URL('../tsconfig.tests.json', import.meta.url));
const started = performance.now();
const check = spawnSync(process.execPath, [tsc, '-b', testsProject], { stdio: 'inherit' });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (check.status !== 0) {
  console.log(`\ntests: not run, the type check of the tests failed (tsc -b tsconfig.tests.json, ${seconds} s)`);
  process.exit(check.status || 1);
}
console.log(`tests type-checked (tsc -b tsconfig.tests.json) in ${seconds} s`);

const args = ['lerna', 'run', 'test', '--concurrency', '2', '--stream', '--no-prefix', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
let passed = 0;
let failed = 0;
let skipped = 0;
let buffer = '';

function scan(text) {
  buffer += text;
  const lines = buffer.split('\n');
  buffer = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^# (pass|fail|skipped) (\d+)\s*$/.exec(line.trim());
    if (!m) continue;
    const n = Number(m[2]);
    if (m[1] === 'pass') passed += n;
    else if (m[1] === 'fail') failed += n;
    else skipped += n;
  }
}

child.stdout.on('data', (d) => {
  process.stdout.write(d);
  scan(d.toString('utf8'));
});
child.stderr.on('data', (d) => process.stderr.write(d));
child.on('close', (code) => {
  scan('\n');
  const ok = code === 0;
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = ok ? 0 : code || 1;
});
