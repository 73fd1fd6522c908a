import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { DeliverySpanProcessor, type DeliveryStats } from '../src/index.js';
import { FakeSink, memoryLogger, spanSource, until } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'agentspan-delivery-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every accepted span is exported, spooled, dropped or still held. */
function assertAccounted(s: DeliveryStats): void {
  assert.equal(s.queued, s.exported + s.spooled + s.droppedTotal - s.replayDropped + s.queueDepth, JSON.stringify(s));
}

const fast = { retryInitialDelayMillis: 5, retryMaxDelayMillis: 20, scheduledDelayMillis: 5, replayIntervalMillis: 20 };

describe('DeliverySpanProcessor', () => {
  it('delivers every span exactly once, in batches of maxExportBatchSize', async () => {
    const sink = new FakeSink();
    const p = new DeliverySpanProcessor(sink, { ...fast, maxExportBatchSize: 100, logger: memoryLogger() });
    const src = spanSource(p);
    const ids = src.emit(1050);
    await p.forceFlush();
    assert.equal(sink.written.size, 1050);
    for (const id of ids) assert.equal(sink.written.get(id), 1);
    assert.ok(Math.max(...sink.batchSizes) <= 100);
    const s = p.stats();
    assert.equal(s.exported, 1050);
    assert.equal(s.queueDepth, 0);
    assert.equal(s.state, 'up');
    assertAccounted(s);
    await p.shutdown();
    assert.equal(p.stats().state, 'stopped');
    assert.equal(sink.shutdownCalls, 1);
    await p.shutdown(); // idempotent
    assert.equal(sink.shutdownCalls, 1);
  });

  it('forceFlush under a producer that never stops: every span ended before the call is delivered, and it returns long before its deadline', async () => {
    const sink = new FakeSink();
    sink.latency = 3; // each write takes longer than the producer's gap between spans
    const p = new DeliverySpanProcessor(sink, { ...fast, maxExportBatchSize: 100, exportTimeoutMillis: 60_000, logger: memoryLogger() });
    const src = spanSource(p);
    // One span every millisecond, all the while.
    const producer = setInterval(() => src.emit(1), 1);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const before = src.emit(200);
      const started = Date.now();
      await p.flush(20_000);
      const took = Date.now() - started;
      for (const id of before) assert.equal(sink.written.get(id), 1, 'ended before the flush: delivered by it');
      // The drain waits for what was ended before it (and two rounds of what came meanwhile), not for an empty queue.
      assert.ok(took < 5_000, `flush returned after ${took} ms`);
      assert.equal(p.stats().spooled, 0, 'nothing spooled: newer spans stay queued for normal delivery');
    } finally {
      clearInterval(producer);
    }
    // What the flush left queued goes out by normal delivery, with no other flush.
    await until(() => p.stats().queueDepth === 0, 5000, 'the spans ended during the flush delivered by the scheduler');
    assert.equal(p.stats().spooled, 0);
    assertAccounted(p.stats());
    await p.shutdown();
  });

  it('holds spans while the destination is down, retries with backoff, logs each state change once, then delivers all', async () => {
    const sink = new FakeSink();
    sink.mode = 'down';
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, maxExportBatchSize: 50, logger });
    const src = spanSource(p);
    const ids = src.emit(500);
    await until(() => sink.attempts >= 5, 5000, 'several attempts');
    assert.equal(p.stats().state, 'down');
    assert.equal(p.stats().queueDepth, 500);
    assert.ok(p.stats().retried >= 5 * 50);
    assert.ok(p.stats().consecutiveFailures >= 5);
    // While down, one attempt at a time.
    assert.ok(p.stats().inFlight <= 1);
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warnings.length, 1, logger.lines.join('\n'));
    assert.match(warnings[0]!, /fake is unreachable or failing \(connection refused\)/);
    sink.mode = 'up';
    await until(() => sink.written.size === 500, 5000, 'all delivered');
    for (const id of ids) assert.equal(sink.written.get(id), 1);
    assert.equal(p.stats().state, 'up');
    assert.equal(logger.lines.filter((l) => l.startsWith('info')).length, 1);
    assertAccounted(p.stats());
    await p.shutdown();
  });

  it('without a spool, a full queue drops new spans, counts them and never throws', async () => {
    const sink = new FakeSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 100, maxExportBatchSize: 10, logger: memoryLogger() });
    const src = spanSource(p);
    assert.doesNotThrow(() => src.emit(250));
    const s = p.stats();
    assert.equal(s.queueDepth, 100);
    assert.equal(s.dropped.queue_full, 150);
    assertAccounted(s);
    sink.mode = 'up';
    await p.forceFlush();
    assert.equal(sink.written.size, 100);
    await p.shutdown();
  });

  it('the byte bound applies as well as the count', async () => {
    const sink = new FakeSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueBytes: 100_000, logger: memoryLogger() });
    const src = spanSource(p);
    src.emit(50, { big: 'x'.repeat(10_000) });
    const s = p.stats();
    assert.ok(s.queueBytes <= 100_000, String(s.queueBytes));
    assert.ok(s.queueDepth <= 10);
    assert.equal(s.queueDepth + s.dropped.queue_full, 50);
    await p.shutdownWithin(50);
  });

  it('with a spool, overflow goes to disk, memory stays bounded, and everything is delivered when the destination returns', async () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 200, maxExportBatchSize: 50, logger: memoryLogger() });
    const src = spanSource(p);
    let maxDepth = 0;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(...src.emit(100));
      maxDepth = Math.max(maxDepth, p.stats().queueDepth);
    }
    assert.ok(maxDepth <= 200, `depth ${maxDepth}`);
    assert.ok(p.stats().spooled >= 3800, JSON.stringify(p.stats()));
    assert.equal(p.stats().droppedTotal, 0);
    assertAccounted(p.stats());
    sink.mode = 'up';
    await until(() => sink.written.size === 4000, 10_000, 'all 4000 delivered');
    for (const id of ids) assert.equal(sink.written.get(id), 1, `span ${id} written once`);
    assert.equal(p.stats().replayed, p.stats().spooled);
    await p.shutdown();
    assert.deepEqual(readdirSync(dir), [], 'the spool is empty once replayed');
  });

  it('only when the spool is full too are spans dropped, and counted as spool_full', async () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir, maxSpoolBytes: 4000 });
    sink.mode = 'down';
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 50, maxExportBatchSize: 10, logger });
    spanSource(p).emit(500);
    const s = p.stats();
    assert.ok(s.spooled > 0 && s.spooled < 450, JSON.stringify(s));
    assert.ok(s.dropped.spool_full > 0);
    assert.ok(s.queueDepth <= 50);
    assertAccounted(s);
    assert.equal(logger.lines.filter((l) => l.includes('spool is full')).length, 1, 'logged once');
    await p.shutdownWithin(50);
  });

  it('a spool that cannot be written is reported by its own error, not by the delivery error that made it spill', async () => {
    const path = join(tempDir(), 'spool');
    writeFileSync(path, 'a regular file where the spool directory should be');
    const sink = new FakeSink({ spoolDir: path });
    sink.mode = 'down';
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 50, maxExportBatchSize: 10, logger });
    const src = spanSource(p);
    src.emit(5);
    await until(() => p.stats().lastError === 'connection refused', 3000, 'a failed delivery');
    src.emit(500); // overflows the queue: spilled, and the spool fails
    const spoolError = sink.spool?.lastError;
    assert.ok(spoolError, 'the spool failed');
    const warnings = logger.lines.filter((l) => l.includes('spool failed'));
    assert.equal(warnings.length, 1, JSON.stringify(logger.lines));
    assert.ok(warnings[0]!.includes(`(${spoolError})`), warnings[0]);
    assert.ok(!warnings[0]!.includes('connection refused'), warnings[0]);
    const s = p.stats();
    assert.equal(s.lastError, `writing the fake spool failed: ${spoolError}`);
    assert.equal(s.sink.spoolLastError, spoolError);
    assert.ok(s.dropped.spool_error > 0);
    assertAccounted(s);
    await p.shutdownWithin(50);
  });

  it('forceFlush while down spools at once instead of waiting; the next processor replays it', async () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    const src = spanSource(p);
    src.emit(10);
    await until(() => p.stats().state === 'down', 2000, 'down');
    const ids = src.emit(20);
    const started = Date.now();
    await p.forceFlush();
    assert.ok(Date.now() - started < 1000);
    assert.equal(p.stats().queueDepth, 0);
    assert.equal(p.stats().spooled, 30);
    await p.shutdown();

    const sink2 = new FakeSink({ spoolDir: dir });
    const p2 = new DeliverySpanProcessor(sink2, { ...fast, logger: memoryLogger() });
    await until(() => sink2.written.size === 30, 5000, 'replayed by the next processor');
    for (const id of ids) assert.ok(sink2.written.has(id));
    assert.equal(p2.stats().replayed, 30);
    await p2.shutdown();
  });

  it('when everything was spooled while down, a spooled batch probes the destination and replay starts once it is back', async () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    const ids = spanSource(p).emit(40);
    await until(() => p.stats().state === 'down', 2000, 'down');
    await p.forceFlush(); // spools everything: nothing live is left to probe with
    assert.equal(p.stats().queueDepth, 0);
    const attempts = sink.attempts;
    await until(() => sink.attempts > attempts + 1, 3000, 'probes from the spool while down');
    sink.mode = 'up';
    await until(() => sink.written.size === 40, 5000, 'replayed once back');
    for (const id of ids) assert.equal(sink.written.get(id), 1);
    assert.equal(p.stats().state, 'up');
    await p.shutdown();
  });

  it('shutdown never waits past its deadline for a stuck write, and spools the stuck batch', async () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'hang';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    const src = spanSource(p);
    const ids = src.emit(30);
    await until(() => p.stats().inFlight > 0, 2000, 'a write in flight');
    const started = Date.now();
    await p.shutdownWithin(300);
    const took = Date.now() - started;
    assert.ok(took < 1000, `shutdown took ${took} ms`);
    assert.equal(p.stats().spooled, 30);
    assert.equal(p.stats().droppedTotal, 0);
    // The stuck write finishing late changes no counter.
    sink.unhang();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.stats().exported, 0);
    const sink2 = new FakeSink({ spoolDir: dir });
    const p2 = new DeliverySpanProcessor(sink2, { ...fast, logger: memoryLogger() });
    await until(() => sink2.written.size === 30, 5000, 'replayed');
    for (const id of ids) assert.ok(sink2.written.has(id));
    await p2.shutdown();
  });

  it('without a spool, what shutdown cannot deliver is counted as dropped (shutdown)', async () => {
    const sink = new FakeSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    spanSource(p).emit(25);
    await p.shutdownWithin(100);
    const s = p.stats();
    assert.equal(s.dropped.shutdown, 25);
    assert.equal(s.queueDepth, 0);
    assertAccounted(s);
    // Spans ended after shutdown are counted too.
    p.onEnd(spanSourceSpan());
    assert.equal(p.stats().dropped.shutdown, 26);
  });

  it('a non-retrying sink counts failed exports as dropped (export_failed)', async () => {
    const sink = new FakeSink({ idempotent: false });
    sink.mode = 'fail';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    spanSource(p).emit(40);
    await p.forceFlush();
    assert.equal(p.stats().dropped.export_failed, 40);
    assertAccounted(p.stats());
    await p.shutdown();
  });

  it('an attempt that never answers times out: retried when idempotent, dropped otherwise', async () => {
    const sink = new FakeSink();
    sink.mode = 'hang';
    const p = new DeliverySpanProcessor(sink, { ...fast, exportTimeoutMillis: 50, logger: memoryLogger() });
    spanSource(p).emit(5);
    await until(() => p.stats().retried >= 5, 3000, 'a timed-out attempt retried');
    sink.mode = 'up';
    await until(() => p.stats().exported === 5, 3000, 'delivered after the timeout');
    await p.shutdown();

    const sink2 = new FakeSink({ idempotent: false });
    sink2.mode = 'hang';
    const p2 = new DeliverySpanProcessor(sink2, { ...fast, exportTimeoutMillis: 50, logger: memoryLogger() });
    spanSource(p2).emit(5);
    await until(() => p2.stats().dropped.export_timeout === 5, 3000, 'dropped after the timeout');
    await p2.shutdownWithin(10);
  });

  it('spillAllSync (process exit) spools everything held, including writes in flight', () => {
    const dir = tempDir();
    const sink = new FakeSink({ spoolDir: dir });
    sink.mode = 'hang';
    const p = new DeliverySpanProcessor(sink, { ...fast, logger: memoryLogger() });
    spanSource(p).emit(120);
    const n = p.spillAllSync();
    assert.equal(n, 120);
    assert.equal(p.stats().queueDepth, 0);
    assert.equal(p.stats().spooled, 120);
    assert.ok(readdirSync(dir).some((f) => f.endsWith('.open') || f.endsWith('.spool')));
  });

  it('onEnd stays cheap: the queue only holds references, the sink prepares in the background', async () => {
    const sink = new FakeSink();
    let prepared = 0;
    const prepare = sink.prepare.bind(sink);
    sink.prepare = (spans) => {
      prepared += spans.length;
      return prepare(spans);
    };
    const p = new DeliverySpanProcessor(sink, { ...fast, scheduledDelayMillis: 1000, logger: memoryLogger() });
    spanSource(p).emit(10);
    assert.equal(prepared, 0, 'nothing prepared on the caller stack');
    await p.forceFlush();
    assert.equal(prepared, 10);
    await p.shutdown();
  });

  it('a sink that takes spans at their start too (acceptsAtStart) gets them twice, running then ended, every one counted; a throwing check loses nothing', async () => {
    const sink = new FakeSink();
    const seen: boolean[] = [];
    sink.acceptsAtStart = (span) => span.attributes['live'] === true;
    const prepare = sink.prepare.bind(sink);
    sink.prepare = (spans) => {
      for (const s of spans) seen.push(s.ended);
      return prepare(spans);
    };
    const p = new DeliverySpanProcessor(sink, { ...fast, scheduledDelayMillis: 1, logger: memoryLogger() });
    const tracer = spanSource(p).provider.getTracer('at-start');
    const live = tracer.startSpan('live', { attributes: { live: true } });
    tracer.startSpan('plain').end();
    await p.forceFlush();
    assert.deepEqual(seen.sort(), [false, true], 'the live span prepared while running, the plain one once, ended');
    live.end();
    await p.forceFlush();
    assert.equal(sink.written.get(live.spanContext().spanId), 2, 'the live span was written at its start and at its end');
    const s = p.stats();
    assert.equal(s.queued, 3);
    assert.equal(s.exported, 3);
    assertAccounted(s);
    sink.acceptsAtStart = () => {
      throw new Error('broken check');
    };
    tracer.startSpan('after').end(); // its start is not queued, its end is
    await p.forceFlush();
    assert.equal(p.stats().exported, 4);
    await p.shutdown();
  });

  it('rejects bad options with a clear error', () => {
    const sink = new FakeSink();
    assert.throws(() => new DeliverySpanProcessor(sink, { maxQueueSize: 0 }), /maxQueueSize/);
    assert.throws(() => new DeliverySpanProcessor(sink, { retryInitialDelayMillis: -1 }), /retryInitialDelayMillis/);
    assert.throws(() => new DeliverySpanProcessor({} as unknown as FakeSink), /sink/);
  });

  it('reports its counters through the OpenTelemetry metrics API', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const sink = new FakeSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 10, meterProvider, logger: memoryLogger() });
    spanSource(p).emit(15);
    await until(() => sink.attempts >= 2, 3000, 'retries');
    sink.mode = 'up';
    await p.forceFlush();
    await reader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const value = (name: string, attrs: Record<string, string> = {}): number => {
      const m = metrics.filter((x) => x.descriptor.name === name).at(-1);
      assert.ok(m, `metric ${name}`);
      const dp = m.dataPoints.find((d) => Object.entries(attrs).every(([k, v]) => d.attributes[k] === v));
      assert.ok(dp, `data point of ${name} with ${JSON.stringify(attrs)}`);
      return dp.value as number;
    };
    assert.equal(value('agentspan.delivery.spans.queued', { 'agentspan.delivery.destination': 'fake' }), 15);
    assert.equal(value('agentspan.delivery.spans.exported'), 10);
    assert.equal(value('agentspan.delivery.spans.dropped', { 'error.type': 'queue_full' }), 5);
    assert.ok(value('agentspan.delivery.spans.retried') >= 10);
    assert.equal(value('agentspan.delivery.queue.depth'), 0);
    const duration = metrics.find((x) => x.descriptor.name === 'agentspan.delivery.export.duration');
    assert.ok(duration && duration.descriptor.unit === 's');
    assert.ok(duration.dataPoints.some((d) => d.attributes['agentspan.delivery.outcome'] === 'retry'));
    assert.ok(duration.dataPoints.some((d) => d.attributes['agentspan.delivery.outcome'] === 'success'));
    await p.shutdown();
    await meterProvider.shutdown();
  });
});

/** One ended span, for calling onEnd directly. */
function spanSourceSpan() {
  let captured: import('@opentelemetry/sdk-trace-base').ReadableSpan | undefined;
  const src = spanSource({
    onStart() {},
    onEnd(s) {
      captured = s;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  src.emit(1);
  return captured!;
}
