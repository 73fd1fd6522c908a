/**
 * The events (`begin*`), nodes and runs that are still open, so that a
 * process shutting down can end them instead of losing their rows: a span
 * never ended is never exported. Bounded: past `max` open handles the
 * oldest is no longer tracked (an application that abandons handles must
 * not grow this set without end), and counted.
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
  private readonly open = new Set<OpenHandle>();
  /** Handles no longer tracked because the set was full. */
  untracked = 0;

  constructor(private readonly max: number = DEFAULT_MAX_OPEN_HANDLES) {}

  add(handle: OpenHandle): void {
    if (this.open.size >= this.max) {
      const oldest = this.open.values().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
      this.untracked += 1;
    }
    this.open.add(handle);
  }

  delete(handle: OpenHandle): void {
    this.open.delete(handle);
  }

  /** Ends every tracked handle (events, then nodes, then runs); returns how many. Never throws. */
  endAll(): number {
    const all = [...this.open].sort((a, b) => ORDER[a.openKind] - ORDER[b.openKind]);
    this.open.clear();
    for (const handle of all) {
      try {
        handle.endAtShutdown();
      } catch {
        // ending is guarded inside each handle; nothing may stop the others from ending
      }
    }
    return all.length;
  }
}
