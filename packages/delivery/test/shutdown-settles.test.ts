/**
 * A flush during a shutdown resolves once the shutdown has settled, the sink's own shutdown included (within the
 * flush's deadline). `@agentspan/node` ends the process when its SIGTERM flush resolves: resolved before the sink
 * had closed, it ended the process while the sink still wrote what it held (spans counted as exported, lost).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryResult, type DeliverySink } from '../src/index.js';
import { FakeSink, memoryLogger, spanSource, withTempDir } from './helpers.js';

/** A sink that writes at once and takes `closeMillis` to shut down (a pool ending, an exporter's buffer written out). */
function slowClosingSink(closeMillis: number): DeliverySink<string[]> & { closedAt: number } {
  const sink = {
    destination: 'slow-close',
    idempotent: false,
    closedAt: 0,
    prepare: (spans: readonly ReadableSpan[]) => spans.map((s) => s.spanContext().spanId),
    deliver: async (): Promise<DeliveryResult> => ({ kind: 'delivered' }),
    shutdown: async () => {
      await new Promise((r) => setTimeout(r, closeMillis));
      sink.closedAt = Date.now();
    },
  };
  return sink;
}

it('SIGTERM while the application shuts down (node\'s exit hook alone handling it): the process ends only once the sink has written what it held', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-signal-'));
  try {
    const file = join(dir, 'written.json');
    const script = fileURLToPath(new URL('./signal-during-shutdown-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    assert.match(out, /ready/);
    assert.equal(signal, 'SIGTERM', `ended by the signal raised again (exit code ${String(code)})`);
    let written: string[] | undefined;
    try {
      written = JSON.parse(readFileSync(file, 'utf8')) as string[];
    } catch {
      written = undefined;
    }
    assert.equal(written?.length, 5, 'the exporter wrote its 5 spans before the process ended');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a flush waiting when shutdown stops the pipeline resolves once the sink has closed, not before', async () => {
  const sink = slowClosingSink(300);
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10_000, logger: memoryLogger() });
  spanSource(p).emit(3);
  const shutdown = p.shutdown();
  const flushed = p.flush(5000).then(() => Date.now());
  const flushedAt = await flushed;
  assert.ok(sink.closedAt > 0 && flushedAt >= sink.closedAt, `flush resolved ${sink.closedAt === 0 ? 'before the sink closed' : `${flushedAt - sink.closedAt} ms after it closed`}`);
  await shutdown;
});

it('a flush called once the pipeline stopped, while the sink still closes, waits for it too', async () => {
  const sink = slowClosingSink(300);
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10_000, logger: memoryLogger() });
  spanSource(p).emit(3);
  const shutdown = p.shutdown();
  while (p.stats().state !== 'stopped') await new Promise((r) => setImmediate(r));
  assert.equal(sink.closedAt, 0, 'the sink is still closing');
  await p.flush(5000);
  assert.ok(sink.closedAt > 0, 'flush resolved after the sink closed');
  await shutdown;
});

it('a flush during a shutdown still keeps its own deadline when the sink takes longer to close', async () => {
  const sink = slowClosingSink(1500);
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10_000, logger: memoryLogger() });
  spanSource(p).emit(1);
  const shutdown = p.shutdown();
  const start = Date.now();
  await p.flush(200);
  const took = Date.now() - start;
  assert.ok(took >= 150 && took < 1000, `flush(200) took ${took} ms`);
  assert.equal(sink.closedAt, 0);
  await shutdown;
});

it('a flush called during a shutdown and reaching its own deadline first spools what is still held, as any flush does', async () => {
  await withTempDir('agentspan-flush-in-shutdown-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'hang'; // the shutdown's drain waits on a write that does not answer
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10_000, shutdownTimeoutMillis: 5000, logger: memoryLogger() });
    spanSource(p).emit(3);
    const shutdown = p.shutdown();
    await new Promise((r) => setTimeout(r, 20)); // the batch is being written
    const start = Date.now();
    await p.flush(200);
    const took = Date.now() - start;
    assert.ok(took < 1000, `flush(200) took ${took} ms`);
    // forceFlush's promise: on return the spans are in the destination or on disk (the caller may end the process now).
    assert.equal(p.stats().spooled, 3, 'the spans still held at the flush deadline were spooled');
    sink.unhang();
    await shutdown;
  });
});
