/**
 * Long synchronous work (decoding, planning and replaying a request of tens
 * of thousands of spans) done in slices, so the event loop serves other
 * connections meanwhile: health checks, other senders, timers. The work is
 * written as a generator that yields at points where it may pause (every
 * few dozen spans); the driver runs it until a slice of time is used up,
 * then gives the event loop a turn (`setImmediate`, after pending I/O) and
 * goes on. A request small enough to finish within one slice runs exactly
 * as a plain loop would, without a pause.
 */

/** Work done in steps: yields where it may pause, returns its result. */
export type SlicedWork<T> = Generator<void, T, void>;

/** Milliseconds of work between two turns of the event loop. */
export const SLICE_MILLIS = 10;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `work` to its end, giving the event loop a turn whenever `sliceMillis`
 * have been spent since the last one. Each slice runs inside `around` (which
 * must call its argument synchronously): the replay sets the request's
 * delivery ticket around each slice. Rejects with what `work` throws.
 */
export async function runInSlices<T>(work: SlicedWork<T>, sliceMillis = SLICE_MILLIS, around?: (slice: () => void) => void): Promise<T> {
  const slice = (): IteratorResult<void, T> => {
    const until = performance.now() + sliceMillis;
    let step: IteratorResult<void, T>;
    do step = work.next();
    while (step.done !== true && performance.now() < until);
    return step;
  };
  const ran: IteratorResult<void, T>[] = [];
  for (;;) {
    if (around === undefined) ran.push(slice());
    else around(() => ran.push(slice()));
    const step = ran.pop();
    if (step === undefined) throw new Error('agentspan gateway: a slice of work was not run');
    if (step.done === true) return step.value;
    await nextTurn();
  }
}

/** Runs `work` to its end at once (no pause), for callers that want the result synchronously. */
export function runToEnd<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}
