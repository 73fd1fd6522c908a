/** What forceFlush promises: every span ended before the call is written, or on disk, when it returns. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryResult, type DeliverySink } from '../src/index.js';
import { FakeSink, memoryLogger, spanSource, until, withTempDir } from './helpers.js';

it('a slow batch of spans ended before forceFlush is waited for, though later spans keep coming and are written first', async () => {
  const written = new Set<string>();
  const slow = new Set<string>();
  const sink: DeliverySink<string[]> = {
    destination: 'fake',
    idempotent: true,
    prepare: (spans: readonly ReadableSpan[]) => spans.map((s) => s.spanContext().spanId),
    deliver: (ids) =>
      new Promise<DeliveryResult>((resolve) => {
        setTimeout(() => {
          for (const id of ids) written.add(id);
          resolve({ kind: 'delivered' });
        }, ids.some((id) => slow.has(id)) ? 600 : 1);
      }),
    shutdown: async () => {},
  };
  const p = new DeliverySpanProcessor(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 5, maxConcurrentExports: 2, logger: memoryLogger() });
  const source = spanSource(p);
  const early = source.emit(10);
  for (const id of early) slow.add(id);
  await new Promise((r) => setTimeout(r, 20)); // the early batch is being written
  const producer = setInterval(() => source.emit(5), 1);
  try {
    await p.forceFlush();
    assert.deepEqual(early.filter((id) => !written.has(id)), [], 'every span ended before the call is written');
  } finally {
    clearInterval(producer);
    await p.shutdownWithin(1000);
  }
});

it('at a flush deadline, batches whose write is still running go to the spool (an idempotent sink)', async () => {
  await withTempDir('agentspan-flush-deadline-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'hang';
    const p = new DeliverySpanProcessor(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 5, logger: memoryLogger() });
    spanSource(p).emit(20);
    await new Promise((r) => setTimeout(r, 30)); // both batches are being written, and hang
    await p.flush(200);
    assert.equal(p.pending, 0, 'nothing left only in memory');
    assert.equal(p.stats().spooled, 20);
    sink.unhang();
    await p.shutdownWithin(500);
  });
});

it('shutdown lets a replay being written finish within its deadline, instead of handing the segment back mid-write', async () => {
  await withTempDir('agentspan-replay-at-shutdown-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.spool?.append(['s1', 's2', 's3']);
    sink.latency = 300;
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 5, replayIntervalMillis: 20, logger: memoryLogger() });
    await until(() => p.stats().inFlight > 0, 3000, 'the replay being written');
    await p.shutdownWithin(5000);
    assert.equal(p.stats().replayed, 3);
    assert.deepEqual([...sink.written.values()], [1, 1, 1]);
    const next = new FakeSink({ spoolDir: dir });
    assert.equal(next.spool?.claim(), undefined, 'nothing left for the next process to replay again');
    next.spool?.close();
  });
});
