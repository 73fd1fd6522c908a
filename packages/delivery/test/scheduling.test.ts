/** When the processor runs its next step, in an application whose event loop is otherwise idle. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { it } from 'node:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryResult, type DeliverySink } from '../src/index.js';
import { FakeSink, memoryLogger, spanSource, until, withTempDir } from './helpers.js';

it('retries keep their pace while the application is idle, when failures are reported from a timer (a connect timeout)', async () => {
  const attempts: number[] = [];
  const sink: DeliverySink<string[]> = {
    destination: 'fake',
    idempotent: true,
    prepare: (spans: readonly ReadableSpan[]) => spans.map((s) => s.spanContext().spanId),
    // Like pg's connectionTimeoutMillis: the failure arrives from a timer callback, not from I/O.
    deliver: () => {
      attempts.push(Date.now());
      return new Promise<DeliveryResult>((resolve) => setTimeout(() => resolve({ kind: 'retry', error: new Error('timeout expired') }), 30));
    },
    shutdown: async () => {},
  };
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10, retryInitialDelayMillis: 20, retryMaxDelayMillis: 100, logger: memoryLogger() });
  try {
    spanSource(p).emit(5);
    // The application is alive but does nothing else (a server waiting for requests).
    await new Promise((r) => setTimeout(r, 1500));
    // At most 130 ms per attempt (30 ms answer + up to 100 ms delay): about a dozen in 1.5 s. A pump
    // that waits for unrelated I/O after each timer-reported failure makes one or two.
    assert.ok(attempts.length >= 6, `attempts: ${attempts.length}`);
  } finally {
    await p.shutdownWithin(10);
  }
});

it('a spooled batch the destination keeps refusing goes back to the spool and never holds up live batches', async () => {
  await withTempDir('agentspan-poison-spool-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.spool?.append(['poison-a', 'poison-b']);
    sink.refuse.add('poison-a');
    const p = new DeliverySpanProcessor(sink, {
      scheduledDelayMillis: 10,
      retryInitialDelayMillis: 20,
      retryMaxDelayMillis: 200,
      replayIntervalMillis: 100,
      logger: memoryLogger(),
    });
    const started = Date.now();
    const source = spanSource(p);
    await new Promise((r) => setTimeout(r, 150)); // the poison batch has been tried and refused by now
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) {
      ids.push(...source.emit(20));
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => ids.every((id) => sink.written.has(id)), 5000, 'every live span written');
    assert.equal(sink.written.has('poison-a'), false);
    const refusedAttempts = sink.batchSizes.filter((n) => n === 2).length;
    assert.ok(refusedAttempts >= 2, `the spooled batch is tried again later (${refusedAttempts} attempts)`);
    assert.ok(refusedAttempts < 40, `but not by every pump (${refusedAttempts} attempts)`);
    assert.equal(p.stats().state, 'up', 'a refused replay while live batches are written is not the destination being down');
    assert.ok(refusedAttempts <= Math.ceil((Date.now() - started) / 100) + 1, `at most one replay per interval (${refusedAttempts})`);
    await p.shutdownWithin(500);
    assert.equal(p.stats().dropped.rejected, 0, 'nothing dropped: the batch stays in the spool for a later process');
    assert.ok(readdirSync(dir).length > 0, 'still on disk');
  });
});

it('a real outage with only spooled data is seen: the failed replay marks the destination down', async () => {
  await withTempDir('agentspan-outage-spool-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.spool?.append(['s1']);
    sink.mode = 'down'; // connection refused: not reached at all
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 5, replayIntervalMillis: 20, retryInitialDelayMillis: 20, logger });
    await until(() => p.stats().state === 'down', 3000, 'marked down');
    assert.ok(logger.lines.some((l) => /unreachable|failing/.test(l)), logger.lines.join('\n'));
    await p.shutdownWithin(100);
  });
});

it('while a replay is being written the processor waits for it, without a timer firing every millisecond', async () => {
  await withTempDir('agentspan-replay-wait-', async (dir) => {
    const sink = new FakeSink({ spoolDir: dir });
    sink.spool?.append(['s1']);
    sink.latency = 500;
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 5, replayIntervalMillis: 20, logger: memoryLogger() });
    await until(() => p.stats().inFlight > 0, 2000, 'the replay being written');
    let pumps = 0;
    const original = (p as unknown as { pump: () => void }).pump.bind(p);
    (p as unknown as { pump: () => void }).pump = () => {
      pumps++;
      original();
    };
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(pumps < 20, `${pumps} pumps in 300 ms of one replay`);
    await p.shutdownWithin(1000);
  });
});
