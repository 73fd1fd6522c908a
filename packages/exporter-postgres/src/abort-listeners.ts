/**
 * One `'abort'` listener per signal, whatever the number of writes waiting
 * on it. A caller may give one signal to many concurrent writes (one
 * deadline for a whole flush); a listener each would pass Node's limit of
 * 10 per signal and print `MaxListenersExceededWarning` into the host's
 * log, although nothing leaks. Raising the limit on the caller's signal
 * (`setMaxListeners`) would change an object that is not ours. Instead the
 * writes subscribe here: the first subscriber adds one listener to the
 * signal, the last to leave removes it, so the signal holds nothing of a
 * write once it has settled.
 */

/** A signal's subscribers and the one listener that calls them. */
interface Subscribers {
  readonly fns: Set<() => void>;
  readonly listener: () => void;
}

/** The subscribers of each signal that has any. */
const subscribers = new WeakMap<AbortSignal, Subscribers>();

/**
 * Calls `fn` once when `signal` is aborted. Returns the unsubscribe function,
 * to call once `fn` is no longer needed (safe to call more than once, or
 * after `fn` ran). A signal aborted already is answered without a listener
 * (its `'abort'` event has fired, one added now would never run nor be
 * removed until unsubscribed): `fn` runs in a microtask, so before any timer
 * or I/O, but never inside the call, where the caller does not yet hold the
 * unsubscribe function (`AbortableStatements` stores it in its constructor);
 * unsubscribing before then means it does not run.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) return answerNow(fn);
  let subs = subscribers.get(signal);
  if (subs === undefined) {
    const fns = new Set<() => void>();
    const listener = (): void => {
      subscribers.delete(signal);
      for (const f of fns) {
        try {
          f();
        } catch {
          // Ours never throw; one that did must not keep the others from stopping.
        }
      }
      fns.clear();
    };
    subs = { fns, listener };
    subscribers.set(signal, subs);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper of its own: the same function subscribed twice is two subscriptions.
  const entry = (): void => fn();
  const { fns, listener } = subs;
  fns.add(entry);
  return () => {
    if (!fns.delete(entry) || fns.size > 0 || subscribers.get(signal) !== subs) return;
    subscribers.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/** {@link onAbort} on a signal aborted already: `fn` in a microtask, unless unsubscribed first. */
function answerNow(fn: () => void): () => void {
  let wanted = true;
  queueMicrotask(() => {
    if (!wanted) return;
    wanted = false;
    try {
      fn();
    } catch {
      // As in the listener: a subscriber that throws is not the signal's failure (nor an uncaught error).
    }
  });
  return () => {
    wanted = false;
  };
}
