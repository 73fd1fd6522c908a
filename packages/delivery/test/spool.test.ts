import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { FileSpool, SpanQueue, backoffDelay } from '../src/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'agentspan-spool-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Start tick of a process (`/proc/<pid>/stat` field 22), read independently of the spool's own parser. */
function startTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}
const hasProc = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');

async function until(cond: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 5000; !cond(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

type Rec = { id: number; text: string };
const recs = (from: number, n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: from + i, text: `row ${from + i} ü \u{1F600}` }));

describe('FileSpool', () => {
  it('appends batches and reads them back once; ack deletes, release puts back', () => {
    const dir = tempDir();
    const spool = new FileSpool<Rec>({ dir, kind: 'test' });
    assert.equal(spool.append(recs(0, 3)), 'stored');
    assert.equal(spool.append(recs(3, 2)), 'stored');
    const seg = spool.claim();
    assert.ok(seg);
    assert.deepEqual(seg.payload, recs(0, 5));
    assert.equal(spool.claim(), undefined, 'a claimed segment is not handed out twice');
    seg.release();
    const again = spool.claim();
    assert.ok(again);
    assert.deepEqual(again.payload.map((r) => r.id), [0, 1, 2, 3, 4]);
    again.ack();
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(spool.claim(), undefined);
    assert.equal(spool.stats().spoolBytes, 0);
  });

  it('a claim renews the segment\'s mtime: an old segment does not look abandoned (to another host) once claimed', () => {
    const dir = tempDir();
    const spool = new FileSpool<string>({ dir, kind: 'k', fsync: false });
    spool.append(['r1']);
    spool.close();
    const [file] = readdirSync(dir);
    const old = new Date(Date.now() - 20 * 60_000);
    utimesSync(join(dir, file!), old, old);
    const claimed = spool.claim();
    assert.deepEqual(claimed?.payload, ['r1']);
    const [name] = readdirSync(dir);
    assert.match(name!, /\.claimed-/);
    assert.ok(Date.now() - statSync(join(dir, name!)).mtimeMs < 60_000, 'mtime is the time of the claim');
    claimed?.ack();
  });

  it('claimKinds: segments an earlier kind left are replayed too; new ones get the current kind; other kinds are left alone', () => {
    const dir = tempDir();
    const old = new FileSpool<string>({ dir, kind: 'pg_old', fsync: false });
    old.append(['from-the-old-version']);
    old.close();
    const stranger = new FileSpool<string>({ dir, kind: 'pg_other', fsync: false });
    stranger.append(['not-mine']);
    stranger.close();
    const spool = new FileSpool<string>({ dir, kind: 'pg_new', claimKinds: ['pg_old'], fsync: false });
    const claimed = spool.claim();
    assert.deepEqual(claimed?.payload, ['from-the-old-version']);
    claimed?.ack();
    spool.append(['written-now']);
    spool.close();
    assert.ok(readdirSync(dir).some((f) => f.startsWith('pg_new-')));
    assert.deepEqual(spool.claim()?.payload, ['written-now']);
    assert.equal(spool.claim(), undefined, 'pg_other is not this spool\'s');
    assert.throws(() => new FileSpool({ dir, kind: 'pg_new', claimKinds: ['../x'] }), TypeError);
  });

  it('the size cap counts only this kind\'s segments, not those of a claimed earlier kind', () => {
    const dir = tempDir();
    const old = new FileSpool<string>({ dir, kind: 'pg_old', fsync: false });
    old.append(['x'.repeat(900)]); // still being written by an old process: an open segment
    const spool = new FileSpool<string>({ dir, kind: 'pg_new', claimKinds: ['pg_old'], maxBytes: 1000, fsync: false });
    assert.equal(spool.append(['y'.repeat(300)]), 'stored');
    old.close();
    spool.close();
  });

  it('rotates segments at segmentBytes and replays them oldest first', () => {
    const dir = tempDir();
    const spool = new FileSpool<Rec>({ dir, kind: 'test', segmentBytes: 200 });
    for (let i = 0; i < 10; i++) assert.equal(spool.append(recs(i * 3, 3)), 'stored');
    assert.ok(readdirSync(dir).filter((f) => f.endsWith('.spool')).length >= 3);
    const ids: number[] = [];
    for (let seg = spool.claim(); seg; seg = spool.claim()) {
      ids.push(...seg.payload.map((r) => r.id));
      seg.ack();
    }
    assert.deepEqual(ids, Array.from({ length: 30 }, (_, i) => i));
  });

  it('refuses appends beyond maxBytes with "full"', () => {
    const dir = tempDir();
    const spool = new FileSpool<Rec>({ dir, kind: 'test', maxBytes: 1000 });
    let stored = 0;
    let result: string = 'stored';
    while (result === 'stored') {
      result = spool.append(recs(stored, 5));
      if (result === 'stored') stored += 5;
    }
    assert.equal(result, 'full');
    assert.ok(spool.stats().spoolBytes <= 1000);
    // Replaying frees room again.
    const seg = spool.claim();
    seg?.ack();
    assert.equal(spool.append(recs(1000, 1)), 'stored');
  });

  it('reports "error" (never throws) when the directory cannot be written', () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const spool = new FileSpool<Rec>({ dir: join(file, 'spool'), kind: 'test' });
    assert.equal(spool.append(recs(0, 1)), 'error');
    assert.ok(spool.lastError);
    assert.equal(spool.claim(), undefined);
  });

  it('skips and counts a torn last line (a crash mid-write), keeping every complete record', () => {
    const dir = tempDir();
    const writer = new FileSpool<Rec>({ dir, kind: 'test' });
    writer.append(recs(0, 4));
    writer.close();
    const name = readdirSync(dir).find((f) => f.endsWith('.spool'))!;
    appendFileSync(join(dir, name), '{"id":4,"text":"tor');
    const seg = new FileSpool<Rec>({ dir, kind: 'test' }).claim();
    assert.ok(seg);
    assert.deepEqual(seg.payload.map((r) => r.id), [0, 1, 2, 3]);
    seg.ack();
  });

  it('validate() refuses malformed records, counted as corrupt', () => {
    const dir = tempDir();
    const writer = new FileSpool<unknown>({ dir, kind: 'test' });
    writer.append([{ id: 1 }, 'not a record', { id: 2 }]);
    writer.close(); // another live writer's open segment (even in this process) is never claimed
    const reader = new FileSpool<Rec>({ dir, kind: 'test', validate: (r) => typeof r === 'object' && r !== null && 'id' in r });
    const seg = reader.claim();
    assert.deepEqual(seg?.payload, [{ id: 1 }, { id: 2 }]);
    assert.equal(reader.stats().spoolCorrupt, 1);
  });

  it('leaves files of another kind alone', () => {
    const dir = tempDir();
    const other = new FileSpool<Rec>({ dir, kind: 'other' });
    other.append(recs(0, 2));
    other.close();
    assert.equal(new FileSpool<Rec>({ dir, kind: 'test' }).claim(), undefined);
    assert.ok(new FileSpool<Rec>({ dir, kind: 'other' }).claim());
  });

  it("claims the open segment of a process killed with SIGKILL, never a live writer's", async () => {
    const dir = tempDir();
    const script = join(dirs[0] ?? tempDir(), 'writer.mjs');
    const spoolModule = new URL('../src/spool.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { FileSpool } from ${JSON.stringify(spoolModule)};
       const spool = new FileSpool({ dir: process.argv[2], kind: 'test' });
       for (let i = 0; i < 5; i++) spool.append([{ id: i, text: 'from child' }]);
       process.stdout.write('ready\\n');
       setInterval(() => {}, 1000);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    const reader = new FileSpool<Rec>({ dir, kind: 'test' });
    assert.equal(reader.claim(), undefined, 'the writer is alive: its open segment is not claimed');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const seg = reader.claim();
    assert.ok(seg, 'claimed after the writer died');
    assert.deepEqual(seg.payload.map((r) => r.id), [0, 1, 2, 3, 4]);
    seg.ack();
  });

  it('an open segment whose pid now runs another process (pid reuse) is replayed; one its live writer holds is not', { skip: !hasProc && 'needs /proc (Linux)' }, async () => {
    const dir = tempDir();
    // A segment as this version writes it: the header records the writer's boot and start tick.
    const probe = new FileSpool<string>({ dir: tempDir(), kind: 'test', fsync: false });
    probe.append(['probe']);
    const probeName = readdirSync(probe.directory)[0]!;
    const header = JSON.parse(readFileSync(join(probe.directory, probeName), 'utf8').split('\n')[0]!) as { writer: { boot: string; ticks: number; pidns: string } };
    probe.close();
    assert.equal(header.writer.ticks, startTicks(process.pid), 'the header records the writer\'s start tick');
    assert.equal(header.writer.boot, readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim());
    assert.match(header.writer.pidns, /^pid:\[\d+\]$/);
    const { boot, pidns } = header.writer;
    const [, host, start] = /^test-([a-z0-9_]+)-\d+-(\d+)-/.exec(probeName)!;

    // An unrelated live process stands for whatever got the pid of a writer killed with SIGKILL.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    // A writer that exited but was never reaped (its parent, now `sleep`, never waits): a zombie keeps its pid and start tick.
    // It exits after the shell has become `sleep 30`: one that exited sooner could be reaped by the shell itself (seen under load).
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await once(other, 'spawn');
      const pid = other.pid!;
      const ticks = startTicks(pid);
      const [out] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(out.toString().trim());
      await until(() => /\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'latin1')), 'the zombie');
      const segment = (owner: number, instance: string, writer: object | undefined, record: string): void => {
        const head = { agentspan_spool: 1, kind: 'test', ...(writer === undefined ? {} : { writer }) };
        writeFileSync(join(dir, `test-${host}-${owner}-${start}-${instance}-000001.open`), `${JSON.stringify(head)}\n${JSON.stringify(record)}\n`);
      };
      segment(pid, 'a1', { boot, ticks: ticks - 1, pidns }, 'writer-started-at-another-tick');
      segment(pid, 'a2', { boot: 'another-boot', ticks, pidns }, 'writer-of-an-earlier-boot');
      // This process' own pid, but an earlier process (pid 1 of a container restarted within the second).
      segment(process.pid, 'a3', { boot, ticks: startTicks(process.pid) - 1, pidns }, 'earlier-process-with-my-pid');
      segment(zombie, 'a4', { boot, ticks: startTicks(zombie), pidns }, 'writer-exited-unreaped');
      segment(pid, 'b1', { boot, ticks, pidns }, 'its-writer-is-alive');
      // A writer in another PID namespace (a container on this host): its pid names another process here.
      segment(pid, 'b3', { boot, ticks: ticks - 1, pidns: 'pid:[1]' }, 'a-writer-in-another-container');
      segment(pid, 'b2', undefined, 'an-earlier-version-with-no-record');
      const reader = new FileSpool<string>({ dir, kind: 'test', fsync: false });
      const replayed: string[] = [];
      for (let seg = reader.claim(); seg !== undefined; seg = reader.claim()) {
        replayed.push(...seg.payload);
        seg.ack();
      }
      assert.deepEqual(replayed.sort(), ['earlier-process-with-my-pid', 'writer-exited-unreaped', 'writer-of-an-earlier-boot', 'writer-started-at-another-tick']);
      // Left alone: the writer runs; and without a record a live pid is taken for its writer, as before.
      assert.deepEqual(readdirSync(dir).sort(), [`test-${host}-${pid}-${start}-b1-000001.open`, `test-${host}-${pid}-${start}-b2-000001.open`, `test-${host}-${pid}-${start}-b3-000001.open`]);
    } finally {
      other.kill();
      parent.kill();
    }
  });

  it('two spools on one directory never replay the same segment', () => {
    const dir = tempDir();
    const writer = new FileSpool<Rec>({ dir, kind: 'test', segmentBytes: 100 });
    for (let i = 0; i < 20; i++) writer.append(recs(i, 1));
    writer.close();
    const a = new FileSpool<Rec>({ dir, kind: 'test' });
    const b = new FileSpool<Rec>({ dir, kind: 'test' });
    const seen: number[] = [];
    for (;;) {
      const sa = a.claim();
      const sb = b.claim();
      if (!sa && !sb) break;
      for (const s of [sa, sb]) {
        if (!s) continue;
        seen.push(...s.payload.map((r) => r.id));
        s.ack();
      }
    }
    assert.deepEqual(seen.sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  });

  it('spool files and the directory it creates are readable by their owner only (spans hold user data)', () => {
    const dir = join(tempDir(), 'nested', 'spool');
    const old = process.umask(0o022); // the common default, which leaves files world-readable unless the spool says otherwise
    try {
      const spool = new FileSpool<Rec>({ dir, kind: 'perm', fsync: false });
      assert.equal(spool.append(recs(0, 1)), 'stored');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
      spool.close(); // renamed to .spool: the mode stays
      for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    } finally {
      process.umask(old);
    }
  });

  it('the file format is one JSON document per line after a header', () => {
    const dir = tempDir();
    const spool = new FileSpool<Rec>({ dir, kind: 'test' });
    spool.append(recs(0, 2));
    const name = readdirSync(dir)[0]!;
    assert.match(name, /^test-[a-z0-9_]+-\d+-\d+-[0-9a-f]+-\d{6}\.open$/);
    const lines = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n');
    // `writer` (boot id and start tick, where /proc tells them): earlier versions skip the header by its first key.
    const { writer, ...header } = JSON.parse(lines[0]!) as { writer?: { boot: string; ticks: number } };
    assert.deepEqual(header, { agentspan_spool: 1, kind: 'test' });
    if (hasProc) assert.deepEqual(Object.keys(writer ?? {}), ['boot', 'ticks', 'pidns']);
    assert.ok(lines[0]!.startsWith('{"agentspan_spool"'));
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l) as Rec), recs(0, 2));
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, stays within [half, full] of the capped delay', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, initial, r) => {
        const max = initial * 100;
        const d = backoffDelay(n, initial, max, () => r);
        const full = Math.min(max, initial * 2 ** (n - 1));
        return d >= Math.floor(full / 2) && d <= Math.ceil(full) && Number.isFinite(d);
      }),
    );
    assert.equal(backoffDelay(1, 100, 10_000, () => 1), 100);
    assert.equal(backoffDelay(4, 100, 10_000, () => 1), 800);
    assert.equal(backoffDelay(40, 100, 10_000, () => 1), 10_000);
    assert.equal(backoffDelay(3, 100, 10_000, () => Number.NaN), 300);
  });
});

describe('SpanQueue', () => {
  it('is FIFO with byte accounting, across compactions', () => {
    const q = new SpanQueue();
    const span = (i: number) => ({ name: String(i) }) as unknown as import('@opentelemetry/sdk-trace-base').ReadableSpan;
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(span(next++), 3);
      const { spans, bytes } = q.take(70);
      assert.equal(bytes, 210);
      for (const s of spans) assert.equal(s.name, String(expected++));
    }
    assert.equal(q.length, 50 * 30);
    assert.equal(q.bytes, 50 * 30 * 3);
    const rest = q.take(10_000);
    assert.equal(rest.spans.length, 1500);
    assert.equal(q.length, 0);
    assert.equal(q.bytes, 0);
  });
});
