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
  /** Tracked events, oldest first; they are let go first when too many are open. */
  private readonly events = new Set<WeakRef<OpenHandle>>();
  /** Tracked runs and nodes: let go only when no event is left to let go (they end their children). */
  private readonly scopes = new Set<WeakRef<OpenHandle>>();
  /**
   * Handles let go (no longer tracked) while still open, until they end or
   * are collected: weak references only, as many as the application holds open.
   */
  private readonly letGo = new Set<WeakRef<OpenHandle>>();
  /** Each handle's reference, to find it again when it ends. */
  private readonly refs = new WeakMap<OpenHandle, WeakRef<OpenHandle>>();
  /** Removes the reference of a handle collected while open: abandoned, never ended. */
  private readonly collected = new FinalizationRegistry<WeakRef<OpenHandle>>((ref) => {
    if (this.events.delete(ref) || this.scopes.delete(ref)) this.abandoned += 1;
    else if (this.letGo.delete(ref)) {
      this.untracked -= 1;
      this.abandoned += 1;
    }
  });
  /** Handles collected while still open (dropped without `end()`): their rows are lost. */
  abandoned = 0;
  /**
   * Handles still open that are no longer tracked, because too many were
   * open at once: `endAll()` cannot end them. One that ends later leaves
   * this count; one collected open moves to `abandoned`.
   */
  untracked = 0;

  constructor(private readonly max: number = DEFAULT_MAX_OPEN_HANDLES) {}

  add(handle: OpenHandle): void {
    if (this.events.size + this.scopes.size >= this.max) this.letGoOldest();
    const ref = new WeakRef(handle);
    (handle.openKind === 'event' ? this.events : this.scopes).add(ref);
    this.refs.set(handle, ref);
    this.collected.register(handle, ref, ref);
  }

  delete(handle: OpenHandle): void {
    const ref = this.refs.get(handle);
    if (ref === undefined) return;
    this.refs.delete(handle);
    if (this.letGo.delete(ref)) this.untracked -= 1;
    else if (!this.events.delete(ref)) this.scopes.delete(ref);
    this.collected.unregister(ref);
  }

  /** Stops tracking the oldest open event (else the oldest run or node): beyond `max`, memory stays bounded. */
  private letGoOldest(): void {
    const from = this.events.size > 0 ? this.events : this.scopes;
    const oldest = from.values().next().value;
    if (oldest === undefined) return;
    from.delete(oldest);
    if (oldest.deref() === undefined) {
      // Collected, its finalizer not run yet (it would find the reference in no set now): counted here.
      this.collected.unregister(oldest);
      this.abandoned += 1;
      return;
    }
    this.letGo.add(oldest);
    this.untracked += 1;
  }

  /** Ends every tracked handle still held (events, then nodes, then runs); returns how many. Never throws. */
  endAll(): number {
    const live: OpenHandle[] = [];
    for (const set of [this.events, this.scopes]) {
      for (const ref of set) {
        const handle = ref.deref();
        if (handle !== undefined) live.push(handle);
      }
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
