/** flush(NaN) / shutdownWithin(NaN): a deadline that is not a number must not spin 1 ms timers forever. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DeliverySpanProcessor } from '../src/index.js';
import { FakeSink, memoryLogger, spanSource, until } from './helpers.js';

/** Settles within `ms`, or 'pending'. */
async function within(p: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => 'settled' as const), new Promise<'pending'>((res) => (timer = setTimeout(() => res('pending'), ms)))]);
  clearTimeout(timer);
  return r;
}

it('flush(NaN) on a write that never answers takes the configured flush deadline, not forever', async () => {
  const sink = new FakeSink({ idempotent: false });
  sink.mode = 'hang';
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, flushTimeoutMillis: 80, logger: memoryLogger() });
  spanSource(p).emit(2);
  await until(() => p.stats().inFlight > 0, 2000, 'the write in flight');
  assert.equal(await within(p.flush(Number.NaN), 1500), 'settled');
  await p.shutdownWithin(0);
  sink.unhang();
});

it('shutdownWithin(NaN) on a write that never answers takes the configured shutdown deadline, not forever', async () => {
  const sink = new FakeSink({ idempotent: true }); // no spool: the drain can only wait
  sink.mode = 'hang';
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, exportTimeoutMillis: 20, retryInitialDelayMillis: 1, retryMaxDelayMillis: 5, shutdownTimeoutMillis: 80, logger: memoryLogger() });
  spanSource(p).emit(2);
  await until(() => p.stats().inFlight > 0, 2000, 'the write in flight');
  assert.equal(await within(p.shutdownWithin(Number.NaN), 1500), 'settled');
  assert.equal(p.pending, 0);
  assert.equal(p.stats().dropped.shutdown, 2);
  sink.unhang();
});

it('flush(undefined) from a JavaScript caller is flush(NaN): the configured deadline', async () => {
  const sink = new FakeSink({ idempotent: false });
  sink.mode = 'hang';
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, flushTimeoutMillis: 80, logger: memoryLogger() });
  spanSource(p).emit(1);
  await until(() => p.stats().inFlight > 0, 2000, 'the write in flight');
  assert.equal(await within(p.flush(undefined as unknown as number), 1500), 'settled');
  await p.shutdownWithin(0);
  sink.unhang();
});
