/**
 * Per-run bookkeeping the processor needs across spans: the next execution
 * order and the files already recorded. Held in a map bounded by the count
 * of runs and of files remembered over all of them (least recently used run
 * evicted first), so a process that starts runs forever never grows without
 * bound; a run's state outlives its run span,
 * because late callbacks may still record into it. An evicted run's last
 * order is kept apart (for ten times as many runs, a string and a number
 * each, oldest forgotten first), so a long-running run that thousands of
 * short ones pushed out continues its sequence instead of starting again
 * at 1; its file set is forgotten (a file it records again in a node is
 * then a second row).
 */

/** State of one run. */
export interface RunState {
  /** Last execution order handed out (0 before the first event). */
  order: number;
  /** Keys (`node \0 path`) of files recorded so far, with the span that recorded each and the version it saw. */
  readonly files: Map<string, RecordedFile>;
}

/** A file recorded in a node: the span whose row holds it, and the version (size, mtime) it captured. */
export interface RecordedFile {
  spanId: string;
  version: string | undefined;
}

/** Evicted runs whose last order is remembered, per run tracked in full. */
const EVICTED_ORDERS_PER_RUN = 10;

/** Most files remembered per run for de-duplication. */
const MAX_FILES_PER_RUN = 10_000;

/**
 * Most files remembered over all runs (some 330 bytes each with their paths:
 * about 30 MB). The run count alone bounds nothing useful: 10 000 runs of
 * 10 000 files each would hold gigabytes after they ended. Past it, the
 * least recently used runs are evicted as by the run count (their last
 * order kept).
 */
export const DEFAULT_MAX_TRACKED_FILES = 100_000;

export class RunStates {
  private readonly states = new Map<string, RunState>();
  /** Last orders of evicted runs, oldest first. */
  private readonly evictedOrders = new Map<string, number>();
  /** The most recently used run: already last in `states`, so using it again needs no re-insertion. */
  private recentId: string | undefined;
  private recent: RunState | undefined;
  /** Files remembered over all runs in `states`. */
  private files = 0;

  constructor(
    private readonly maxRuns: number = 10_000,
    private readonly maxFiles: number = DEFAULT_MAX_TRACKED_FILES,
  ) {}

  get(runId: string): RunState {
    // Consecutive events of one run (the usual case) skip the map's delete and re-insert.
    if (runId === this.recentId && this.recent !== undefined) return this.recent;
    let state = this.states.get(runId);
    if (state) {
      // Re-insert to mark as most recently used.
      this.states.delete(runId);
    } else {
      const evicted = this.evictedOrders.get(runId);
      if (evicted !== undefined) this.evictedOrders.delete(runId);
      state = { order: evicted ?? 0, files: new Map() };
      if (this.states.size >= this.maxRuns) this.evictOldest();
    }
    this.states.set(runId, state);
    this.recentId = runId;
    this.recent = state;
    return state;
  }

  private evictOldest(): void {
    const oldest = this.states.entries().next().value;
    if (oldest === undefined) return;
    const [id, state] = oldest;
    this.states.delete(id);
    this.files -= state.files.size;
    if (id === this.recentId) {
      this.recentId = undefined;
      this.recent = undefined;
    }
    if (state.order === 0) return;
    if (this.evictedOrders.size >= this.maxRuns * EVICTED_ORDERS_PER_RUN) {
      const forgotten = this.evictedOrders.keys().next().value;
      if (forgotten !== undefined) this.evictedOrders.delete(forgotten);
    }
    this.evictedOrders.set(id, state.order);
  }

  /** Next execution order for the run (1-based). */
  nextOrder(runId: string): number {
    const state = this.get(runId);
    state.order += 1;
    return state.order;
  }

  /**
   * Reserves `count` orders of the run for someone else (a child process):
   * returns the last order before the block; this process continues after it.
   */
  reserveOrders(runId: string, count: number): number {
    const state = this.get(runId);
    const base = state.order;
    state.order += count;
    return base;
  }

  /** Continues the run's sequence after `order` (when it is ahead of this process' own). */
  continueAfter(runId: string, order: number): void {
    const state = this.get(runId);
    if (order > state.order) state.order = order;
  }

  /**
   * Remembers that `spanId` recorded `path` in `nodeId`, seeing `version`;
   * returns the span id that recorded the same version before (a
   * duplicate), else `undefined`: the first record, or another version,
   * which then becomes the one remembered. An unknown version (the file
   * could not be read) is the same as any.
   */
  recordFile(runId: string, nodeId: string | undefined, path: string, spanId: string, version: string | undefined): string | undefined {
    const files = this.get(runId).files;
    const key = `${nodeId ?? ''}\u0000${path}`;
    const known = files.get(key);
    if (known !== undefined && (version === undefined || known.version === undefined || known.version === version)) return known.spanId;
    if (known !== undefined) files.set(key, { spanId, version });
    else if (files.size < MAX_FILES_PER_RUN) {
      files.set(key, { spanId, version });
      this.files += 1;
      // Older runs make room; this one (the most recently used, last in `states`) is never evicted here.
      while (this.files > this.maxFiles && this.states.size > 1) this.evictOldest();
    }
    return undefined;
  }

  /** The version of `path` recorded in `nodeId` of the run (`null` when recorded without one), or `undefined` when not recorded. */
  fileVersion(runId: string, nodeId: string | undefined, path: string): string | null | undefined {
    const known = this.states.get(runId)?.files.get(`${nodeId ?? ''}\u0000${path}`);
    return known === undefined ? undefined : (known.version ?? null);
  }

  get size(): number {
    return this.states.size;
  }

  /** Files remembered over all runs. */
  get trackedFiles(): number {
    return this.files;
  }
}
