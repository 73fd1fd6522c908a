/**
 * Many writes sharing one AbortSignal (a caller that gives one deadline to a
 * whole flush) add no listener per write to it: Node warns
 * (`MaxListenersExceededWarning`) past 10 listeners on one signal, which
 * reads as a leak in the host's log, and a listener left behind would keep
 * every write it captured alive as long as the signal. Against a real
 * Postgres, writes waiting for pool connections and running statements.
 */

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import pg from 'pg';
import { PostgresExecutionEventExporter, WriteAbortedError, type MappedRow } from '../src/index.js';
import { untilAborted } from '../src/abortable-client.js';
import { onAbort } from '../src/abort-listeners.js';
import { eventRow } from './helpers.js';

/** Warnings Node emitted while `work` ran (process `'warning'` events). */
async function warningsDuring(work: () => Promise<unknown>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error): void => {
    seen.push(w);
  };
  process.on('warning', onWarning);
  try {
    await work();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

let n = 0;
/** A batch of `count` event rows of its own (distinct ids and span ids). */
function rows(count: number): MappedRow[] {
  const out: MappedRow[] = [];
  for (let i = 0; i < count; i++) {
    const k = (n++).toString(16).padStart(12, '0');
    out.push({ kind: 'event', row: eventRow({ id: `00000000-0000-4000-8000-${k}`, span_id: `s${k}`, run_id: 'listeners', execution_order: n }) });
  }
  return out;
}

describe('one AbortSignal shared by many writes', () => {
  let db: TestSchema;
  let pool: pg.Pool;
  before(async () => {
    db = await createTestSchema('abort_listeners');
    // A lent pool smaller than the writes: most of them wait for a connection, each with the signal.
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    pool.on('error', () => {});
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('50 concurrent writes: no MaxListenersExceededWarning, every row written, no listener left on the signal', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema });
    await exporter.migrate();
    const controller = new AbortController();
    const warnings = await warningsDuring(async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => exporter.writeMappedRows(rows(3), controller.signal)));
      assert.equal(results.reduce((s, r) => s + r.written, 0), 150);
    });
    assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const stored = await pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'listeners'`);
    assert.equal(stored.rows[0].n, 150);
    await exporter.shutdown();
  });

  it('50 concurrent writes aborted together: each rejects WriteAbortedError, no warning, no listener left', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema });
    await exporter.migrate();
    const controller = new AbortController();
    const warnings = await warningsDuring(async () => {
      const writes = Array.from({ length: 50 }, () => exporter.writeMappedRows(rows(3), controller.signal));
      // Some write at least is past its connection (a listener per statement), most are waiting for one.
      await new Promise((r) => setTimeout(r, 5));
      controller.abort(new Error('deadline'));
      const outcomes = await Promise.allSettled(writes);
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.ok(o.reason instanceof WriteAbortedError, String(o.reason));
      }
    });
    assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    // The pool is whole again: the connections aborted writes still waited for are given back as they come.
    const deadline = Date.now() + 10_000;
    while (pool.waitingCount > 0 || pool.idleCount < pool.totalCount) {
      assert.ok(Date.now() < deadline, `pool: ${pool.waitingCount} waiting, ${pool.idleCount} of ${pool.totalCount} idle`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await pool.query('SELECT 1');
    await exporter.shutdown();
  });

  it('untilAborted: 1000 waits on one signal add one listener at most, removed when the last settles', async () => {
    const controller = new AbortController();
    const releases: (() => void)[] = [];
    const waits = Array.from({ length: 1000 }, () => untilAborted(new Promise<void>((r) => releases.push(r)), controller.signal));
    assert.ok(getEventListeners(controller.signal, 'abort').length <= 1);
    for (const r of releases.slice(0, 999)) r();
    await Promise.all(waits.slice(0, 999));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'one wait still listens');
    controller.abort();
    await assert.rejects(waits[999] as Promise<void>, WriteAbortedError);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});

describe('onAbort on a signal that has already fired', () => {
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('answers at once (before any timer or I/O), once, and leaves no listener on the signal', async () => {
    for (const signal of [AbortSignal.abort(new Error('gone')), (() => { const c = new AbortController(); c.abort(); return c.signal; })()]) {
      let calls = 0;
      const unsubscribe = onAbort(signal, () => calls++);
      assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener added');
      // Not inside the call (the caller has its unsubscribe function before `fn` runs), but before anything else.
      assert.equal(calls, 0);
      await Promise.resolve();
      assert.equal(calls, 1, 'answered in the same turn');
      await tick();
      assert.equal(calls, 1, 'once');
      unsubscribe();
      unsubscribe();
      assert.equal(getEventListeners(signal, 'abort').length, 0);
    }
  });

  it('unsubscribed before it was answered: never called', async () => {
    const signal = AbortSignal.abort();
    let calls = 0;
    onAbort(signal, () => calls++)();
    await tick();
    assert.equal(calls, 0);
    assert.equal(getEventListeners(signal, 'abort').length, 0);
  });

  it('subscribed from inside the abort (the signal has fired by then): answered, nothing left, the others called once', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const calls: string[] = [];
    onAbort(signal, () => {
      calls.push('first');
      // What a subscriber's cleanup may start: another wait on the same signal.
      onAbort(signal, () => calls.push('late'));
      throw new Error('a subscriber that throws stops none of the others');
    });
    onAbort(signal, () => calls.push('second'));
    assert.equal(getEventListeners(signal, 'abort').length, 1);
    controller.abort();
    await tick();
    assert.deepEqual(calls, ['first', 'second', 'late']);
    assert.equal(getEventListeners(signal, 'abort').length, 0);
  });

  it('a subscriber that throws when answered late does not surface as an uncaught error', async () => {
    const seen: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      seen.push(err);
    };
    process.on('uncaughtException', onUncaught);
    try {
      onAbort(AbortSignal.abort(), () => {
        throw new Error('boom');
      });
      await tick();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(seen, []);
  });
});
