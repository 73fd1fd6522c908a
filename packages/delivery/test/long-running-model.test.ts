/**
 * `LongRunning` keeps the spans just started on a short stack before its Set
 * (most events end before any other span starts: their watch and unwatch are
 * then a push and a pop, not a Set insertion and deletion). It must behave as
 * the Set alone did (copied below as the reference): the same answers to
 * `watch`, the same spans handed on in the same order, the same counts, on any
 * sequence of starts, ends (in order or not, seen or not), sweeps and stops.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LongRunning, MAX_WATCHED_SPANS } from '../src/long-running.js';

/** The code before: one Set. */
class ReferenceLongRunning {
  private readonly watched = new Set<ReadableSpan>();
  private unwatchedCount = 0;
  constructor(
    private readonly afterMillis: number,
    private readonly due: (span: ReadableSpan) => void,
    private readonly now: () => number,
  ) {}
  watch(span: ReadableSpan): boolean {
    if (this.watched.size >= MAX_WATCHED_SPANS) {
      this.unwatchedCount += 1;
      return false;
    }
    this.watched.add(span);
    return true;
  }
  unwatch(span: ReadableSpan): void {
    if (this.watched.size !== 0) this.watched.delete(span);
  }
  stop(): void {
    this.watched.clear();
  }
  stats(): { watched: number; unwatched: number } {
    return { watched: this.watched.size, unwatched: this.unwatchedCount };
  }
  sweepNow(): void {
    const cutoff = this.now() - this.afterMillis;
    for (const span of this.watched) {
      const [s, ns] = span.startTime;
      if (span.ended) this.watched.delete(span);
      else if (s * 1000 + ns / 1e6 <= cutoff) {
        this.watched.delete(span);
        this.due(span);
      }
    }
  }
}

interface FakeSpan {
  name: string;
  ended: boolean;
  startTime: [number, number];
}

type Op =
  | { op: 'start'; back: number }
  | { op: 'end'; which: number; seen: boolean }
  | { op: 'endLast' }
  | { op: 'watchAgain'; which: number }
  | { op: 'sweep'; advance: number }
  | { op: 'stop' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(3000).map((back): Op => ({ op: 'start', back })) },
  { weight: 6, arbitrary: fc.constant<Op>({ op: 'endLast' }) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.boolean()).map(([which, seen]): Op => ({ op: 'end', which, seen })) },
  { weight: 1, arbitrary: fc.nat().map((which): Op => ({ op: 'watchAgain', which })) },
  { weight: 2, arbitrary: fc.nat(1500).map((advance): Op => ({ op: 'sweep', advance })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'stop' }) },
);

/** Runs `ops` on both; asserts every answer, hand-on and count alike. */
function runBoth(ops: readonly Op[], prefill: number): void {
  let now = 1_000_000;
  const dueNew: string[] = [];
  const dueRef: string[] = [];
  const fresh = new LongRunning(1000, (s) => dueNew.push(s.name), () => now);
  const ref = new ReferenceLongRunning(1000, (s) => dueRef.push(s.name), () => now);
  const spans: FakeSpan[] = [];
  const running: FakeSpan[] = [];
  const start = (back: number): void => {
    const span: FakeSpan = { name: `s${spans.length}`, ended: false, startTime: [Math.floor((now - back) / 1000), ((now - back) % 1000) * 1e6] };
    spans.push(span);
    running.push(span);
    const r = span as unknown as ReadableSpan;
    assert.equal(fresh.watch(r), ref.watch(r), `watch ${span.name}`);
  };
  const end = (span: FakeSpan, seen: boolean): void => {
    span.ended = true;
    running.splice(running.indexOf(span), 1);
    if (seen) {
      fresh.unwatch(span as unknown as ReadableSpan);
      ref.unwatch(span as unknown as ReadableSpan);
    }
  };
  for (let i = 0; i < prefill; i++) start(0);
  for (const o of ops) {
    if (o.op === 'start') start(o.back);
    else if (o.op === 'endLast') {
      const last = running[running.length - 1];
      if (last !== undefined) end(last, true);
    } else if (o.op === 'end') {
      const span = running[o.which % Math.max(1, running.length)];
      if (span !== undefined) end(span, o.seen);
    } else if (o.op === 'watchAgain') {
      const span = spans[o.which % Math.max(1, spans.length)];
      if (span !== undefined) assert.equal(fresh.watch(span as unknown as ReadableSpan), ref.watch(span as unknown as ReadableSpan));
    } else if (o.op === 'sweep') {
      now += o.advance;
      fresh.sweepNow();
      ref.sweepNow();
    } else {
      fresh.stop();
      ref.stop();
    }
    assert.deepEqual(fresh.stats(), ref.stats(), `after ${JSON.stringify(o)}`);
    assert.deepEqual(dueNew, dueRef, `after ${JSON.stringify(o)}`);
  }
  now += 10_000;
  fresh.sweepNow();
  ref.sweepNow();
  assert.deepEqual(dueNew, dueRef);
  assert.deepEqual(fresh.stats(), ref.stats());
  fresh.stop();
}

describe('LongRunning behaves as the Set it replaced', () => {
  it('on any sequence of starts, ends in order or not, ends not seen, sweeps and stops', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => runBoth(ops, 0)),
      { numRuns: 1500 },
    );
  });

  it(`at its bound of ${MAX_WATCHED_SPANS} spans: the same spans refused and counted`, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => runBoth(ops, MAX_WATCHED_SPANS - 40)),
      { numRuns: 40 },
    );
  });
});
