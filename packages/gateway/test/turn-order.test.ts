/** TurnOrder: turns are ready in the order taken, whichever is done first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TurnOrder } from '../src/turn-order.js';

test('property: whatever order turns are done in (some done before they are ready), each is ready only after every earlier one is done', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))), async ([n, doneOrder]) => {
      const order = new TurnOrder();
      const turns = Array.from({ length: n }, () => order.take());
      const ready: number[] = [];
      const doneAt: number[] = [];
      turns.forEach((t, i) => void t.ready.then(() => ready.push(i)));
      for (const i of doneOrder) {
        turns[i]?.done();
        doneAt.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        // Every turn ready so far has all earlier turns done.
        for (const r of ready) for (let e = 0; e < r; e++) assert.ok(doneAt.includes(e), `turn ${r} ready before turn ${e} was done`);
      }
      assert.deepEqual(ready, [...Array(n).keys()], 'all ready, in order');
    }),
    { numRuns: 200 },
  );
});
