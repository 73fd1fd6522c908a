// Runs every package's tests through lerna, streams their output, and ends
// with one plain summary line ("tests: N passed, M failed") summed from the
// node:test TAP totals, so the result is readable at the bottom of a long log.
// Exits with lerna's exit code.
import { spawn } from 'node:child_process';

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
