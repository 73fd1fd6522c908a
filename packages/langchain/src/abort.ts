/**
 * The abort signal of a model call, read from what LangChain passes to
 * `handleChatModelStart` / `handleLLMStart` (`extraParams.options.signal`:
 * the call options, `signal` included), without importing LangChain.
 */

/** The part of `AbortSignal` used here (a signal from another realm or a polyfill qualifies). */
interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The call's abort signal, if LangChain passed one. */
export function callSignal(extraParams: unknown): AbortSignalLike | undefined {
  try {
    const options = (extraParams as { options?: unknown } | null | undefined)?.options;
    const signal = (options as { signal?: unknown } | null | undefined)?.signal;
    if (signal === null || typeof signal !== 'object') return undefined;
    const s = signal as Partial<AbortSignalLike>;
    return typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function'
      ? (s as AbortSignalLike)
      : undefined;
  } catch {
    return undefined; // a getter that throws: no signal
  }
}

/**
 * The watched calls of each signal, behind one listener per signal. A
 * listener per call doubled the listeners a signal shared by concurrent
 * calls carries (LangChain adds one per call itself): Node's "possible
 * EventTarget memory leak" warning (more than 10) came at 6 concurrent
 * streams where the uninstrumented application reached 11.
 */
const watched = new WeakMap<AbortSignalLike, { readonly calls: Set<() => void>; readonly listener: () => void }>();

/**
 * Calls `onAbort(reason)` once when `signal` aborts. Returns `{ unwatch }`
 * to stop listening when the call ends first: a signal shared by many calls
 * (one per request or per server) would otherwise keep every ended call's
 * listener. A signal already aborted is not watched (the caller checks
 * `aborted` at the start).
 */
export function watchAbort(signal: AbortSignalLike | undefined, onAbort: (reason: unknown) => void): { unwatch?: () => void } {
  try {
    if (signal === undefined || signal.aborted) return {};
    let entry = watched.get(signal);
    if (entry === undefined) {
      const calls = new Set<() => void>();
      const listener = (): void => {
        watched.delete(signal);
        for (const call of [...calls]) {
          try {
            call();
          } catch {
            // one call's ending is no reason to skip the others'
          }
        }
      };
      signal.addEventListener('abort', listener, { once: true });
      entry = { calls, listener };
      watched.set(signal, entry);
    }
    const { calls, listener } = entry;
    const call = (): void => {
      calls.delete(call);
      onAbort(abortReasonOf(signal));
    };
    calls.add(call);
    return {
      unwatch: () => {
        calls.delete(call);
        if (calls.size > 0 || watched.get(signal) !== entry) return;
        watched.delete(signal);
        try {
          signal.removeEventListener('abort', listener);
        } catch {
          // nothing to undo
        }
      },
    };
  } catch {
    return {}; // a signal that cannot be listened to: the turn is recorded as without one
  }
}

/** A signal's abort reason, `'aborted'` when it has none or it cannot be read. */
export function abortReasonOf(signal: AbortSignalLike): unknown {
  try {
    return signal.reason ?? 'aborted';
  } catch {
    return 'aborted';
  }
}
