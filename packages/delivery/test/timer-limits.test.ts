/** A flush still waiting when shutdown gives up is woken; millisecond options past a Node timer's limit are clamped. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { DeliverySpanProcessor, exporterSink, MAX_TIMER_MILLIS } from '../src/index.js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { FakeSink, memoryLogger, spanSource, until } from './helpers.js';

/** Collects the process's TimeoutOverflowWarnings while `fn` runs. */
async function overflowWarnings(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => {
    if (w.name === 'TimeoutOverflowWarning') seen.push(w.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on a later tick
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

it('a flush waiting on a blocked destination settles as soon as shutdown gives up, not at its own deadline', async () => {
  const sink = new FakeSink({ idempotent: false });
  sink.mode = 'hang';
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, flushTimeoutMillis: 30_000, logger: memoryLogger() });
  spanSource(p).emit(3);
  await until(() => p.stats().inFlight > 0, 2000, 'the write in flight');
  let settledAt = 0;
  const flushed = p.forceFlush().then(() => {
    settledAt = Date.now();
  });
  await new Promise((r) => setTimeout(r, 20));
  await p.shutdownWithin(100);
  const shutDownAt = Date.now();
  await Promise.race([flushed, new Promise((r) => setTimeout(r, 1000))]);
  assert.ok(settledAt > 0, 'the flush settled within 1 s of shutdown (its own timeout is 30 s)');
  assert.ok(settledAt - shutDownAt < 200, `settled ${settledAt - shutDownAt} ms after shutdown`);
  assert.equal(p.stats().dropped.shutdown, 3);
  sink.unhang();
});

it('a process whose flush waits on a blocked destination exits promptly after shutdown', async () => {
  const script = fileURLToPath(new URL('./flush-during-shutdown-child.ts', import.meta.url));
  const start = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  const elapsed = Date.now() - start;
  assert.equal(code, 0, `exit code (output: ${out})`);
  assert.match(out, /shutdown done/);
  assert.match(out, /flush settled/);
  assert.ok(elapsed < 10_000, `the child took ${elapsed} ms (the flush's own timeout is 30 s)`);
});

it('exportTimeoutMillis past the timer limit is clamped: a working destination still gets its spans, with no TimeoutOverflowWarning', async () => {
  const warnings = await overflowWarnings(async () => {
    const sink = new FakeSink({ idempotent: false });
    sink.latency = 30;
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, exportTimeoutMillis: 2 ** 31, logger: memoryLogger() });
    spanSource(p).emit(5);
    await p.forceFlush();
    assert.equal(sink.written.size, 5);
    assert.equal(p.stats().dropped.export_timeout, 0);
    await p.shutdownWithin(1000);
  });
  assert.deepEqual(warnings, []);
});

it('flush, shutdown, retry and replay times past the timer limit are clamped, not refused; non-integers and bad values still refused as before', async () => {
  const warnings = await overflowWarnings(async () => {
    const sink = new FakeSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, {
      scheduledDelayMillis: 2 ** 31,
      retryInitialDelayMillis: 2 ** 31,
      retryMaxDelayMillis: 2 ** 40,
      flushTimeoutMillis: 2 ** 31,
      shutdownTimeoutMillis: 2 ** 31,
      replayIntervalMillis: 2 ** 31,
      logger: memoryLogger(),
    });
    spanSource(p).emit(2);
    // Down, no spool: the flush waits for the retry (clamped, ~24.8 days away) until shutdown gives up.
    const flushed = p.forceFlush();
    try {
      await until(() => p.stats().retried > 0, 2000, 'a failed attempt');
      const attempts = sink.attempts;
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.attempts, attempts, 'no retry after 1 ms: the backoff is not an overflowed timer');
    } finally {
      await p.shutdownWithin(50);
    }
    const settled = await Promise.race([flushed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
    assert.ok(settled, 'the flush settled once shutdown ended');
    assert.equal(p.stats().dropped.shutdown, 2);
  });
  assert.deepEqual(warnings, []);
  assert.equal(MAX_TIMER_MILLIS, 2 ** 31 - 1);
  assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { exportTimeoutMillis: 1.5 }), /exportTimeoutMillis/);
  assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { replayIntervalMillis: 0 }), /replayIntervalMillis/);
  assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { flushTimeoutMillis: Number.POSITIVE_INFINITY }), /flushTimeoutMillis/);
  assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { shutdownTimeoutMillis: -1 }), /shutdownTimeoutMillis/);
});

it('flush(ms) and shutdownWithin(ms) given more than a timer takes wait, instead of spinning on 1 ms timers', async () => {
  const warnings = await overflowWarnings(async () => {
    const sink = new FakeSink({ idempotent: false });
    sink.mode = 'hang';
    const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, logger: memoryLogger() });
    spanSource(p).emit(1);
    await until(() => p.stats().inFlight > 0, 2000, 'the write in flight');
    const flushed = p.flush(2 ** 31);
    await new Promise((r) => setTimeout(r, 30));
    sink.unhang();
    await flushed;
    assert.equal(sink.written.size, 1);
    await p.shutdownWithin(2 ** 31);
  });
  assert.deepEqual(warnings, []);
});

it("exporterSink's shutdown clamps the deadline it is given (a destination that never finishes shutting down)", async () => {
  let finishShutdown = (): void => {};
  const exporter: SpanExporter = {
    export: (_spans: ReadableSpan[], done) => done({ code: ExportResultCode.SUCCESS }),
    // Settles only when the test lets it (the sink's deadline timer, ~24.8 days, is cleared then).
    shutdown: () => new Promise<void>((res) => (finishShutdown = res)),
  };
  const warnings = await overflowWarnings(async () => {
    const sink = exporterSink(exporter);
    const settled = sink.shutdown(2 ** 31).then(() => 'settled');
    try {
      const r = await Promise.race([settled, new Promise((res) => setTimeout(() => res('waiting'), 50))]);
      assert.equal(r, 'waiting', 'it waits, rather than giving up after 1 ms');
    } finally {
      finishShutdown();
      await settled;
    }
  });
  assert.deepEqual(warnings, []);
});
