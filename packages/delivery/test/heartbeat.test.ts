import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryStats } from '../src/index.js';
import { MAX_FOLLOWED_SPANS } from '../src/heartbeat.js';
import { FakeSink, memoryLogger, spanSource, until, withTempDir } from './helpers.js';

const fast = { retryInitialDelayMillis: 5, retryMaxDelayMillis: 20, scheduledDelayMillis: 1, replayIntervalMillis: 20 };

function assertAccounted(s: DeliveryStats): void {
  assert.equal(s.queued, s.exported + s.spooled + s.droppedTotal - s.replayDropped + s.queueDepth, JSON.stringify(s));
}

/** A sink taking spans marked `live` at their start, recording each preparation of them (running or ended); spooling into `spoolDir` when given. */
function liveSink(spoolDir?: string): { sink: FakeSink; prepared: { id: string; ended: boolean }[] } {
  const sink = new FakeSink(spoolDir === undefined ? {} : { spoolDir });
  const prepared: { id: string; ended: boolean }[] = [];
  sink.acceptsAtStart = (span: ReadableSpan) => span.attributes['live'] === true;
  const prepare = sink.prepare.bind(sink);
  sink.prepare = (spans) => {
    for (const s of spans) if (s.attributes['live'] === true) prepared.push({ id: s.spanContext().spanId, ended: s.ended });
    return prepare(spans);
  };
  return { sink, prepared };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('heartbeat of spans queued at their start', () => {
  it('prepares a running span again every interval until it ends, counted in heartbeats, outside the queue and its counters', async () => {
    const { sink, prepared } = liveSink();
    const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 30, logger: memoryLogger() });
    const tracer = spanSource(p).provider.getTracer('heartbeat');
    const live = tracer.startSpan('run', { attributes: { live: true } });
    const id = live.spanContext().spanId;
    await until(() => prepared.filter((x) => x.id === id && !x.ended).length >= 4, 3000, 'three heartbeats after the start');
    live.end();
    await p.forceFlush();
    const beats = p.stats().heartbeats;
    assert.ok(beats >= 3, `heartbeats: ${beats}`);
    await sleep(120);
    await p.forceFlush();
    const s = p.stats();
    assert.equal(s.heartbeats, beats, 'no heartbeat after the end');
    assert.equal(s.queued, 2, 'its start and its end; heartbeats take no place in the queue');
    assert.equal(s.exported, 2);
    assertAccounted(s);
    assert.equal(prepared.filter((x) => x.ended).length, 1, 'the end is queued once');
    await p.shutdown();
  });

  it('spans taken only at their end, a sink without acceptsAtStart and an interval of 0 get no heartbeat', async () => {
    const { sink } = liveSink();
    const off = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 0, logger: memoryLogger() });
    const tracer = spanSource(off).provider.getTracer('off');
    const live = tracer.startSpan('run', { attributes: { live: true } });
    const plain = tracer.startSpan('plain');
    await sleep(80);
    await off.forceFlush();
    assert.equal(off.stats().heartbeats, 0);
    assert.equal(off.stats().queued, 1, 'only the start of the live span');
    live.end();
    plain.end();
    await off.shutdown();

    const noStart = new FakeSink(); // no acceptsAtStart
    const p = new DeliverySpanProcessor(noStart, { ...fast, heartbeatIntervalMillis: 10, logger: memoryLogger() });
    const t2 = spanSource(p).provider.getTracer('no-start');
    const running = t2.startSpan('run', { attributes: { live: true } });
    await sleep(60);
    assert.equal(p.stats().heartbeats, 0);
    running.end();
    await p.shutdown();
  });

  it('beats take no room from events: with the queue full of them, every event is kept and every running span still beats', async () => {
    const { sink, prepared } = liveSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 100, maxExportBatchSize: 100, heartbeatIntervalMillis: 20, logger: memoryLogger() });
    const source = spanSource(p);
    const tracer = source.provider.getTracer('busy');
    // 60 running spans (their starts: 60 of the 100 places), then 40 events: the queue is full.
    const running = Array.from({ length: 60 }, (_, i) => tracer.startSpan(`run ${i}`, { attributes: { live: true } }));
    source.emit(40);
    await sleep(100); // several intervals while the destination is down
    assert.equal(p.stats().queueDepth, 100);
    assert.equal(p.stats().droppedTotal, 0, 'no event made way for a beat');
    sink.mode = 'up';
    await p.forceFlush();
    await until(() => new Set(prepared.filter((x) => !x.ended).map((x) => x.id)).size === 60 && p.stats().heartbeats >= 60, 3000, 'every running span beat');
    const beatsOf = new Map<string, number>();
    const startCount = prepared.length;
    await sleep(100);
    for (const x of prepared.slice(startCount)) beatsOf.set(x.id, (beatsOf.get(x.id) ?? 0) + 1);
    assert.equal(beatsOf.size, 60, 'no span starves: every one beat again within a few intervals');
    for (const span of running) span.end();
    await p.forceFlush();
    const s = p.stats();
    assert.equal(s.droppedTotal, 0);
    assert.equal(s.queued, 60 + 40 + 60);
    assertAccounted(s);
    await p.shutdown();
  });

  it('follows at most 10 000 running spans: the next is not followed, counted, logged once', async () => {
    const { sink } = liveSink();
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 30_000, heartbeatIntervalMillis: 60_000, logger });
    const tracer = spanSource(p).provider.getTracer('many');
    // The SDK's tracer makes ReadableSpans; the API types its result as the narrower Span.
    const spans = Array.from({ length: MAX_FOLLOWED_SPANS + 2 }, (_, i) => tracer.startSpan(`run ${i}`, { attributes: { live: true } }) as unknown as ReadableSpan & { end(): void });
    assert.equal(p.isFollowed(spans[0]!), true);
    assert.equal(p.isFollowed(spans[MAX_FOLLOWED_SPANS - 1]!), true);
    assert.equal(p.isFollowed(spans[MAX_FOLLOWED_SPANS]!), false);
    assert.equal(p.stats().heartbeatsNotFollowed, 2);
    assert.equal(logger.lines.filter((l) => l.includes('get no heartbeat')).length, 1);
    spans[0]!.end();
    assert.equal(p.isFollowed(spans[0]!), false, 'an ended span is no longer followed');
    for (const span of spans.slice(1)) span.end();
    await p.shutdown();
  });

  it('a heartbeat is the probe that sees the destination back when nothing else waits (everything spooled while it was down)', async () => {
    await withTempDir('agentspan-heartbeat-probe-', async (dir) => {
      const { sink } = liveSink(dir);
      sink.mode = 'down';
      const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 20, replayIntervalMillis: 60_000, logger: memoryLogger() });
      const live = spanSource(p).provider.getTracer('probe').startSpan('run', { attributes: { live: true } });
      await until(() => p.stats().state === 'down', 3000, 'down');
      await p.forceFlush(); // down: what is held goes to the spool
      assert.equal(p.stats().queueDepth, 0);
      // Another process sharing the spool replays it: nothing is left here to serve as a probe.
      for (let b = sink.spool!.claim(); b !== undefined; b = sink.spool!.claim()) b.ack();
      sink.mode = 'up';
      await until(() => p.stats().state === 'up', 3000, 'the destination seen back by a heartbeat');
      const beats = p.stats().heartbeats;
      await until(() => p.stats().heartbeats > beats, 3000, 'beating again');
      live.end();
      await p.shutdown();
    });
  });

  it('heartbeats never reach the spool nor the replay counters (an overflow spilled while the destination is down)', async () => {
    await withTempDir('agentspan-heartbeat-spool-', async (dir) => {
      const { sink } = liveSink(dir);
      sink.mode = 'down';
      const p = new DeliverySpanProcessor(sink, { ...fast, maxQueueSize: 4, maxExportBatchSize: 2, heartbeatIntervalMillis: 10, logger: memoryLogger() });
      const source = spanSource(p);
      const live = source.provider.getTracer('spool').startSpan('run', { attributes: { live: true } });
      await sleep(80); // beats due while down
      source.emit(10); // overflows the queue of 4: the oldest are spilled from onEnd
      await p.forceFlush(); // down: the rest is spooled too
      const s = p.stats();
      assert.equal(s.spooled, 11, 'the start and the 10 events');
      assert.equal(s.sink['spoolAppended'], 11, 'no heartbeat among the records spooled');
      sink.mode = 'up';
      await until(() => p.stats().replayed >= 11, 3000, 'the spool replayed');
      await sleep(50);
      assert.equal(p.stats().replayed, 11, 'replayed counts the spooled spans only');
      live.end();
      await p.shutdown();
      assertAccounted(p.stats());
    });
  });

  it('a heartbeat write that hangs holds one export slot at most: the events go on being written', async () => {
    const { sink } = liveSink();
    const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 10, logger: memoryLogger() });
    const source = spanSource(p);
    const live = source.provider.getTracer('slot').startSpan('run', { attributes: { live: true } });
    await p.forceFlush();
    const liveId = live.spanContext().spanId;
    const deliver = sink.deliver.bind(sink);
    let hung = 0;
    sink.deliver = (ids) => {
      if (ids.length > 0 && ids.every((id) => id === liveId)) {
        hung++;
        return new Promise(() => undefined); // a beat stuck behind a lock, for good
      }
      return deliver(ids);
    };
    await until(() => hung > 0, 3000, 'a heartbeat batch hung');
    await sleep(100); // ten more ticks
    assert.equal(hung, 1, 'no second heartbeat batch while one is in flight');
    const ids = source.emit(50);
    await until(() => ids.every((id) => sink.written.has(id)), 3000, 'the events written beside it');
    assert.equal(p.stats().droppedTotal, 0);
    live.end();
    sink.deliver = deliver;
    await p.shutdown();
  });

  it('a heartbeat write still running at shutdown changes nothing once the processor stopped', async () => {
    const { sink } = liveSink();
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 10, shutdownTimeoutMillis: 50, logger });
    const live = spanSource(p).provider.getTracer('late').startSpan('run', { attributes: { live: true } });
    await p.forceFlush();
    const liveId = live.spanContext().spanId;
    let fail: ((r: { kind: 'retry'; error: Error }) => void) | undefined;
    const deliver = sink.deliver.bind(sink);
    sink.deliver = (ids) =>
      ids.length > 0 && ids.every((id) => id === liveId) ? new Promise((resolve) => (fail = resolve)) : deliver(ids);
    await until(() => fail !== undefined, 3000, 'a heartbeat batch in flight');
    await p.shutdown();
    const before = logger.lines.length;
    fail?.({ kind: 'retry', error: new Error('Connection terminated unexpectedly') });
    await sleep(20);
    const s = p.stats();
    assert.equal(s.state, 'stopped');
    assert.equal(s.consecutiveFailures, 0, 'the late failure was not counted');
    assert.deepEqual(logger.lines.slice(before), [], 'nor logged');
    live.end();
  });

  it('while down, with the one attempt hung, the processor waits for it: no timer fires every millisecond', async () => {
    const { sink } = liveSink();
    sink.mode = 'down';
    const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 20, logger: memoryLogger() });
    const live = spanSource(p).provider.getTracer('hung').startSpan('run', { attributes: { live: true } });
    await until(() => p.stats().state === 'down', 3000, 'down');
    sink.mode = 'hang'; // the next attempt (the start's retry, then beats) never answers
    await until(() => p.stats().inFlight === 1, 3000, 'an attempt hung');
    // Count the pumps (a private method: what a timer firing every millisecond would run).
    const target = p as unknown as { pump: () => void };
    const pump = target.pump.bind(p);
    let pumps = 0;
    target.pump = () => {
      pumps++;
      pump();
    };
    await sleep(300); // 15 heartbeat intervals
    assert.ok(pumps < 40, `${pumps} pumps in 300 ms`);
    sink.unhang();
    live.end();
    sink.mode = 'up';
    await p.shutdown();
  });

  it('stops at shutdown: a span still running gets no beat after it', async () => {
    const { sink } = liveSink();
    const p = new DeliverySpanProcessor(sink, { ...fast, heartbeatIntervalMillis: 20, logger: memoryLogger() });
    const live = spanSource(p).provider.getTracer('shutdown').startSpan('run', { attributes: { live: true } });
    await until(() => p.stats().heartbeats >= 1, 3000, 'a first beat');
    await p.shutdown();
    const beats = p.stats().heartbeats;
    await sleep(100);
    assert.equal(p.stats().heartbeats, beats);
    live.end();
  });

  it('rejects an interval a Node timer cannot take, or a negative one', () => {
    const { sink } = liveSink();
    assert.throws(() => new DeliverySpanProcessor(sink, { heartbeatIntervalMillis: -1 }), /heartbeatIntervalMillis/);
    assert.throws(() => new DeliverySpanProcessor(sink, { heartbeatIntervalMillis: 2 ** 31 }), /heartbeatIntervalMillis.*timer/);
  });

  describe('in a process of its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentspan-heartbeat-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs `body` (ESM, with `DeliverySpanProcessor`, `BasicTracerProvider`, a `sink` and its count of running spans prepared, `seen`, in scope) and returns its stdout. */
    async function runChild(body: string, flags: string[] = []): Promise<{ out: string; code: number | null; ms: number }> {
      const script = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
      const processorModule = new URL('../src/index.ts', import.meta.url).href;
      const sdkModule = import.meta.resolve('@opentelemetry/sdk-trace-base'); // the script lives outside the package
      writeFileSync(
        script,
        `import { DeliverySpanProcessor } from ${JSON.stringify(processorModule)};
         import { BasicTracerProvider } from ${JSON.stringify(sdkModule)};
         const seen = { prepared: 0 };
         const sink = {
           destination: 'child', idempotent: true,
           acceptsAtStart: () => true,
           prepare: (spans) => { seen.prepared += spans.filter((s) => !s.ended).length; return spans.length; },
           deliver: async () => ({ kind: 'delivered' }),
           shutdown: async () => {},
         };
         ${body}`,
      );
      const started = Date.now();
      const child = spawn(process.execPath, [...flags, '--import', 'tsx', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { out, code, ms: Date.now() - started };
    }

    it('never keeps the process alive: a run left open does not hold the process', async () => {
      const r = await runChild(
        `const p = new DeliverySpanProcessor(sink, { heartbeatIntervalMillis: 60000, scheduledDelayMillis: 1 });
         const provider = new BasicTracerProvider({ spanProcessors: [p] });
         globalThis.keep = provider.getTracer('t').startSpan('run'); // never ended
         await p.forceFlush();
         process.stdout.write('started ' + seen.prepared + '\\n');`,
      );
      assert.equal(r.code, 0);
      assert.match(r.out, /started 1/);
      assert.ok(r.ms < 20_000, `the process ended by itself (${r.ms} ms)`);
    });

    it('holds spans weakly: a running span the application let go of is collected and falls silent', async () => {
      const r = await runChild(
        `const p = new DeliverySpanProcessor(sink, { heartbeatIntervalMillis: 20, scheduledDelayMillis: 1 });
         const provider = new BasicTracerProvider({ spanProcessors: [p] });
         const tracer = provider.getTracer('t');
         const kept = tracer.startSpan('kept');
         (() => { tracer.startSpan('dropped'); })(); // started, never ended, no reference kept
         await p.forceFlush();
         const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
         for (let i = 0; i < 5; i++) { globalThis.gc(); await sleep(10); }
         const before = p.stats().heartbeats;
         await sleep(200);
         await p.forceFlush();
         const beats = p.stats().heartbeats - before;
         process.stdout.write(JSON.stringify({ beats }) + '\\n');
         kept.end();
         await p.shutdown();`,
        ['--expose-gc'],
      );
      assert.equal(r.code, 0);
      const { beats } = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as { beats: number };
      // About 10 intervals passed: the kept span beat each time (give or take the timer's drift), the dropped one never.
      assert.ok(beats >= 5 && beats <= 12, `beats in 200 ms: ${beats} (one span, not two)`);
    });
  });
});
