/**
 * Review of the stack of just-started spans in `LongRunning`: the sweep
 * calls `due`, and `due` (the processor's `showRunning`) runs the
 * application's `prepareRunning`, which may start spans of its own. With a
 * Set alone such a span joined the sweep under way (a Set's iteration visits
 * what is added during it) and kept the timer running; it must still.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LongRunning, MAX_WATCHED_SPANS } from '../src/long-running.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LongRunning: spans started while a sweep hands spans on', () => {
  const tracer = new BasicTracerProvider().getTracer('pipeline-speed-review');

  it('hands on, in the same sweep, a span started from `due` that is due already (as the Set did)', () => {
    let now = Date.now();
    const due: string[] = [];
    const inner = tracer.startSpan('inner', { startTime: now - 5000 });
    const watch = new LongRunning(
      1000,
      (s) => {
        due.push(s.name);
        if (s.name === 'outer') watch.watch(inner as unknown as ReadableSpan);
      },
      () => now,
    );
    const outer = tracer.startSpan('outer', { startTime: now });
    watch.watch(outer as unknown as ReadableSpan);
    now += 1500;
    watch.sweepNow();
    assert.deepEqual(due, ['outer', 'inner']);
    assert.equal(watch.stats().watched, 0);
    watch.stop();
  });

  it('keeps sweeping on its timer while a span started from `due` is watched', async () => {
    const due: string[] = [];
    const inner = tracer.startSpan('inner');
    const watch = new LongRunning(20, (s) => {
      due.push(s.name);
      if (s.name === 'outer') watch.watch(inner as unknown as ReadableSpan);
    });
    const outer = tracer.startSpan('outer', { startTime: Date.now() - 1000 });
    watch.watch(outer as unknown as ReadableSpan);
    // The first sweep (10 ms) hands on `outer`; `inner` is due 20 ms after its start, on a later sweep.
    for (let i = 0; i < 100 && due.length < 2; i++) await sleep(10);
    watch.stop();
    assert.deepEqual(due, ['outer', 'inner']);
  });

  it(`counts the spans on the stack against the bound of ${MAX_WATCHED_SPANS}`, () => {
    const watch = new LongRunning(1000, () => {});
    const span = (): ReadableSpan => tracer.startSpan('s') as unknown as ReadableSpan;
    // 10 000 starts: whatever number the stack holds at the end, the next start is one too many.
    for (let i = 0; i < MAX_WATCHED_SPANS; i++) assert.equal(watch.watch(span()), true, `start ${i}`);
    assert.equal(watch.watch(span()), false);
    assert.deepEqual(watch.stats(), { watched: MAX_WATCHED_SPANS, unwatched: 1 });
    watch.stop();
  });
});
