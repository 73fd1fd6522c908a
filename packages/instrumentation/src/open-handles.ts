/**
 * The events (`begin*`), nodes and runs that are still open, so that a
 * process shutting down can end them instead of losing their rows: a span
 * never ended is never exported.
 *
 * Held weakly: a handle the application dropped without `end()` is garbage
 * (with its span and content: nothing here keeps megabytes of abandoned
 * content alive) and is counted as abandoned when collected; only handles
 * the application still holds are ended at shutdown. Bounded too: past
 * `max` open handles the oldest is no longer tracked, and counted.
 */

/** Why a handle is ended by {@link OpenHandles.endAll}. */
export const SHUTDOWN_REASON = 'agentspan shut down before this ended';

/** Kinds in the order they are ended: children before their parents. */
export type OpenKind = 'event' | 'node' | 'run';
const ORDER: Record<OpenKind, number> = { event: 0, node: 1, run: 2 };

/** What the registry can do with an open handle. */
export interface OpenHandle {
  readonly openKind: OpenKind;
  /** Ends the handle as cut short by shutdown (events and nodes failed, runs cancelled). */
  endAtShutdown(): void;
}

/** Default most handles tracked at once. */
export const DEFAULT_MAX_OPEN_HANDLES = 10_000;

export class OpenHandles {
  private readonly open = new Set<WeakRef<OpenHandle>>();
  /** Each tracked handle's reference, to find it again when it ends. */
  private readonly refs = new WeakMap<OpenHandle, WeakRef<OpenHandle>>();
  /** Removes the reference of a handle collected while open: abandoned, never ended. */
  private readonly collected = new FinalizationRegistry<WeakRef<OpenHandle>>((ref) => {
    if (this.open.delete(ref)) this.abandoned += 1;
  });
  /** Handles collected while still open (dropped without `end()`): their rows are lost. */
  abandoned = 0;
  /** Handles no longer tracked because too many were open at once. */
  untracked = 0;

  constructor(private readonly max: number = DEFAULT_MAX_OPEN_HANDLES) {}

  add(handle: OpenHandle): void {
    if (this.open.size >= this.max) {
      const oldest = this.open.values().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
      this.untracked += 1;
    }
    const ref = new WeakRef(handle);
    this.open.add(ref);
    this.refs.set(handle, ref);
    this.collected.register(handle, ref, ref);
  }

  delete(handle: OpenHandle): void {
    const ref = this.refs.get(handle);
    if (ref === undefined) return;
    this.refs.delete(handle);
    this.open.delete(ref);
    this.collected.unregister(ref);
  }

  /** Ends every tracked handle still held (events, then nodes, then runs); returns how many. Never throws. */
  endAll(): number {
    const live: OpenHandle[] = [];
    for (const ref of this.open) {
      const handle = ref.deref();
      if (handle !== undefined) live.push(handle);
    }
    live.sort((a, b) => ORDER[a.openKind] - ORDER[b.openKind]);
    for (const handle of live) {
      try {
        handle.endAtShutdown();
      } catch {
        // ending is guarded inside each handle; nothing may stop the others from ending
      }
    }
    return live.length;
  }
}
