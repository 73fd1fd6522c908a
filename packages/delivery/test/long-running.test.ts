import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasicTracerProvider, type ReadableSpan, type Span } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryStats } from '../src/index.js';
import { LongRunning, MAX_SHOWN_RUNNING, MAX_WATCHED_SPANS } from '../src/long-running.js';
import { FakeSink, memoryLogger, spanSource, until } from './helpers.js';

const fast = { retryInitialDelayMillis: 5, retryMaxDelayMillis: 20, scheduledDelayMillis: 1, replayIntervalMillis: 20 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function assertAccounted(s: DeliveryStats): void {
  assert.equal(s.queued, s.exported + s.spooled + s.droppedTotal - s.replayDropped + s.queueDepth, JSON.stringify(s));
}

/** A sink showing spans marked `event` while they run, recording each preparation of them (running or ended). */
function eventSink(): { sink: FakeSink; prepared: { id: string; ended: boolean }[] } {
  const sink = new FakeSink();
  const prepared: { id: string; ended: boolean }[] = [];
  sink.acceptsAtStart = (span: ReadableSpan) => span.attributes['live'] === true;
  (sink as FakeSink & { acceptsWhileRunning: (s: ReadableSpan) => boolean }).acceptsWhileRunning = (span) => span.attributes['event'] === true;
  const prepare = sink.prepare.bind(sink);
  sink.prepare = (spans) => {
    for (const s of spans) if (s.attributes['event'] === true) prepared.push({ id: s.spanContext().spanId, ended: s.ended });
    return prepare(spans);
  };
  return { sink, prepared };
}

describe('LongRunning', () => {
  const tracer = new BasicTracerProvider().getTracer('long-running');

  it('hands on a span still running past the threshold, from its own start time, once; lets go of ended ones', () => {
    let now = Date.now();
    const due: string[] = [];
    const watch = new LongRunning(1000, (s) => due.push(s.name), () => now);
    // Start times given: the SDK's clock is not `Date.now()`, and a loaded machine separates them further.
    const a = tracer.startSpan('a', { startTime: now });
    const b = tracer.startSpan('b', { startTime: now });
    const early = tracer.startSpan('early', { startTime: now - 5000 });
    const gone = tracer.startSpan('gone', { startTime: now });
    const readable = (s: unknown): ReadableSpan => s as ReadableSpan;
    for (const s of [a, b, early, gone]) assert.equal(watch.watch(readable(s)), true);
    watch.sweepNow();
    assert.deepEqual(due, ['early'], 'begun with an earlier start time: due at once');
    watch.unwatch(readable(b)); // ended, its end seen
    gone.end(); // ended, its end not seen by this processor
    now += 1001;
    watch.sweepNow();
    assert.deepEqual(due, ['early', 'a']);
    assert.equal(watch.stats().watched, 0, 'nothing held any more');
    now += 5000;
    watch.sweepNow();
    assert.deepEqual(due, ['early', 'a'], 'each once');
    for (const s of [a, b, early]) s.end();
    watch.stop();
  });

  it(`watches at most ${MAX_WATCHED_SPANS} spans at once and counts the rest`, () => {
    const watch = new LongRunning(60_000, () => {});
    const span = tracer.startSpan('x');
    // The same span object stands for many (a Set keeps one entry per object): fill with distinct stand-ins.
    for (let i = 0; i < MAX_WATCHED_SPANS; i++) assert.equal(watch.watch({ ...span, ended: false } as unknown as ReadableSpan), true);
    assert.equal(watch.watch(span as unknown as ReadableSpan), false);
    assert.deepEqual(watch.stats(), { watched: MAX_WATCHED_SPANS, unwatched: 1 });
    watch.stop();
    assert.equal(watch.stats().watched, 0);
    span.end();
  });
});

describe('spans shown while running (acceptsWhileRunning, showRunningAfterMillis, prepareRunning)', () => {
  it('a span running past the threshold is readied, queued in progress and then beats; a short one is queued at its end only', async () => {
    const { sink, prepared } = eventSink();
    const readied: string[] = [];
    const p = new DeliverySpanProcessor(sink, {
      ...fast,
      heartbeatIntervalMillis: 40,
      showRunningAfterMillis: 30,
      prepareRunning: (span) => {
        readied.push(span.spanContext().spanId);
        return true;
      },
      logger: memoryLogger(),
    });
    const tracer = spanSource(p).provider.getTracer('shown');
    const long = tracer.startSpan('long', { attributes: { event: true } });
    const short = tracer.startSpan('short', { attributes: { event: true } });
    short.end();
    const id = long.spanContext().spanId;
    assert.equal(p.wasShownRunning(long as unknown as ReadableSpan), false);
    await until(() => prepared.filter((x) => x.id === id && !x.ended).length >= 3, 10_000, 'shown, then two heartbeats');
    // When shown, and again before each batch holding it running (its row in progress, its beats) is prepared.
    assert.ok(readied.length >= 3, `readied ${readied.length} times`);
    assert.deepEqual(new Set(readied), new Set([id]), 'the long one only');
    assert.equal(p.wasShownRunning(long as unknown as ReadableSpan), true);
    assert.equal(p.wasShownRunning(short as unknown as ReadableSpan), false);
    long.end();
    await p.forceFlush();
    const s = p.stats();
    assert.equal(s.shownRunning, 1);
    assert.equal(s.queued, 3, 'the short end, the long one in progress and its end');
    assert.equal(s.exported, 3);
    assert.ok(s.heartbeats >= 2);
    assertAccounted(s);
    assert.equal(prepared.filter((x) => x.id === short.spanContext().spanId).length, 1, 'the short one: its end only');
    await p.shutdown();
  });

  it('prepareRunning false or throwing, a span ended in prepareRunning, and a shut down processor: nothing shown, nothing thrown', async () => {
    for (const [label, prepareRunning] of [
      ['false', () => false],
      [
        'throws',
        () => {
          throw new Error('boom');
        },
      ],
      [
        'ends it',
        (span: Span) => {
          span.end();
          return true;
        },
      ],
    ] as const) {
      const { sink, prepared } = eventSink();
      const p = new DeliverySpanProcessor(sink, { ...fast, showRunningAfterMillis: 10, prepareRunning, logger: memoryLogger() });
      const tracer = spanSource(p).provider.getTracer('refused');
      const span = tracer.startSpan('long', { attributes: { event: true } });
      await sleep(60);
      await p.forceFlush();
      assert.equal(prepared.filter((x) => !x.ended).length, 0, label);
      assert.equal(p.stats().shownRunning, 0, label);
      span.end();
      await p.shutdown();
    }
    const { sink, prepared } = eventSink();
    const p = new DeliverySpanProcessor(sink, { ...fast, showRunningAfterMillis: 20, prepareRunning: () => true, logger: memoryLogger() });
    const span = spanSource(p).provider.getTracer('closed').startSpan('long', { attributes: { event: true } });
    await p.shutdown();
    await sleep(60);
    assert.equal(prepared.length, 0, 'after shutdown nothing is shown');
    span.end();
  });

  it(`at most ${MAX_SHOWN_RUNNING} shown at once, on a heartbeat of their own: runs and nodes started after them still beat`, async () => {
    const { sink } = eventSink();
    const logger = memoryLogger();
    const p = new DeliverySpanProcessor(sink, { ...fast, showRunningAfterMillis: 10, prepareRunning: () => true, logger });
    const tracer = spanSource(p).provider.getTracer('many');
    const events = Array.from({ length: MAX_SHOWN_RUNNING + 5 }, (_, i) => tracer.startSpan(`event ${i}`, { attributes: { event: true } }));
    await until(() => p.stats().shownRunning + p.stats().runningNotShown === events.length, 10_000, 'every long event handed on');
    assert.equal(p.stats().shownRunning, MAX_SHOWN_RUNNING);
    assert.equal(p.stats().runningNotShown, 5);
    assert.equal(logger.lines.filter((w) => /runningNotShown/.test(w)).length, 1, 'logged once');
    const run = tracer.startSpan('run', { attributes: { live: true } });
    assert.equal(p.isFollowed(run as unknown as ReadableSpan), true, 'a run started after them still gets its heartbeat');
    assert.equal(p.stats().heartbeatsNotFollowed, 0);
    for (const e of events) e.end();
    run.end();
    await p.forceFlush();
    assertAccounted(p.stats());
    await p.shutdown();
  });

  it('what the application changes on a running span before its batch is prepared is readied too (a run at its start, a shown event)', async () => {
    const sink = new FakeSink();
    const names: string[] = [];
    sink.acceptsAtStart = (span) => span.attributes['live'] === true;
    (sink as FakeSink & { acceptsWhileRunning: (s: ReadableSpan) => boolean }).acceptsWhileRunning = (span) => span.attributes['event'] === true;
    const prepare = sink.prepare.bind(sink);
    sink.prepare = (spans) => {
      for (const s of spans) if (!s.ended) names.push(s.name);
      return prepare(spans);
    };
    // A stand-in for the processor's redaction: the word `secret` never leaves a running span.
    const prepareRunning = (span: Span): boolean => {
      span.updateName(span.name.replace('secret', '[R]'));
      return true;
    };
    // Nothing is prepared before the flush (however slow the machine), but the event is shown by its timer.
    const p = new DeliverySpanProcessor(sink, { ...fast, scheduledDelayMillis: 600_000, showRunningAfterMillis: 10, prepareRunning, logger: memoryLogger() });
    const tracer = spanSource(p).provider.getTracer('renamed');
    const run = tracer.startSpan('run', { attributes: { live: true } });
    const event = tracer.startSpan('event', { attributes: { event: true } });
    run.updateName('run secret'); // after its start, before its row in progress is prepared
    await until(() => p.stats().shownRunning === 1, 10_000, 'the event shown');
    event.updateName('event secret'); // after it was shown, before its batch is prepared
    await p.forceFlush();
    assert.deepEqual(names.sort(), ['event [R]', 'run [R]']);
    event.end();
    run.end();
    await p.shutdown();
  });

  it('off without prepareRunning, with 0, or for a sink without acceptsWhileRunning; bad options are refused', async () => {
    for (const options of [{ showRunningAfterMillis: 10 }, { showRunningAfterMillis: 0, prepareRunning: () => true }]) {
      const { sink, prepared } = eventSink();
      const p = new DeliverySpanProcessor(sink, { ...fast, ...options, logger: memoryLogger() });
      const span = spanSource(p).provider.getTracer('off').startSpan('long', { attributes: { event: true } });
      await sleep(50);
      await p.forceFlush();
      assert.equal(prepared.length, 0, JSON.stringify(options));
      span.end();
      await p.shutdown();
    }
    assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { showRunningAfterMillis: -1 }), RangeError);
    assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { showRunningAfterMillis: 2 ** 31 }), /Node timer/);
    assert.throws(() => new DeliverySpanProcessor(new FakeSink(), { prepareRunning: 'yes' as unknown as () => boolean }), TypeError);
  });
});
