/**
 * Execution orders that continue across gateway restarts.
 *
 * The processor numbers a run's events (`execution_order`) from a counter
 * in process memory. A conversation (or any run) that goes on after the
 * gateway restarted would be numbered from 1 again, next to the rows the
 * previous process wrote. So before a request is replayed, the runs in it
 * that this process has not seen yet are looked up in Postgres, in one
 * query for all of them (`max(execution_order)` of each, an index scan of
 * `(run_id, execution_order)`), and the processor continues each run after
 * that (`continueExecutionOrder`, which only ever moves a counter forward).
 *
 * - The lookup runs in the gateway, never on an application's thread; a
 *   request waits for it (at most `timeoutMillis`), since its events must
 *   not be numbered before it.
 * - A run is seen once looked up: most recently used `maxRuns` are kept
 *   (no larger than what the processor remembers orders for, so a run this
 *   memory still holds is one the processor still counts); one forgotten is
 *   looked up again, which is harmless (the counter never goes back).
 * - Requests with the same new run wait for the same lookup.
 * - When Postgres cannot be read (down, or no answer within
 *   `timeoutMillis`, or `maxLookups` lookups still outstanding), the
 *   request is replayed anyway, numbered from the counter in memory, and
 *   the runs are counted in `fallbacks`; they are looked up again with the
 *   next request that has them. A lookup that answers after its timeout
 *   still moves the counters forward.
 */

/** Reads `max(execution_order)` of runs (absent: none). */
export type MaxOrderQuery = (runIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;

/** Options of {@link RunOrderSeeds}. */
export interface RunOrderSeedsOptions {
  readonly query: MaxOrderQuery;
  /** Continues the run's numbering after `order` (every processor that may number it). */
  readonly continueAfter: (runId: string, order: number) => void;
  /** Whether a lookup may be tried now (false: Postgres is known to be down). */
  readonly available: () => boolean;
  readonly timeoutMillis: number;
  /** Runs remembered as seen (least recently used forgotten first). */
  readonly maxRuns: number;
  /** Lookups outstanding at most (those past their timeout included). */
  readonly maxLookups: number;
  /** Called once per lookup that failed or timed out, with why (the gateway logs the first). */
  readonly onFallback?: (reason: string) => void;
}

/** Counters of {@link RunOrderSeeds} (`stats().orders` of the gateway). */
export interface RunOrderStats {
  /** Queries sent to Postgres. */
  readonly lookups: number;
  /** Runs whose numbering continued after what Postgres held (their max order was above 0 and above the counter). */
  readonly continued: number;
  /** Runs numbered from the counter in memory because Postgres could not be read in time (counted per request). */
  readonly fallbacks: number;
  /** Runs remembered as seen. */
  readonly seen: number;
}

export class RunOrderSeeds {
  private readonly seen = new Map<string, true>();
  private readonly pending = new Map<string, Promise<void>>();
  private outstanding = 0;
  private lookups = 0;
  private continued = 0;
  private fallbacks = 0;

  constructor(private readonly options: RunOrderSeedsOptions) {}

  stats(): RunOrderStats {
    return { lookups: this.lookups, continued: this.continued, fallbacks: this.fallbacks, seen: this.seen.size };
  }

  /**
   * Resolves once the runs' counters continue after what Postgres holds, or
   * the lookup failed or timed out (then counted). Never rejects.
   */
  async seed(runIds: Iterable<string>): Promise<void> {
    const fresh: string[] = [];
    const waits: Promise<void>[] = [];
    for (const id of runIds) {
      if (this.seen.has(id)) {
        // Most recently used last.
        this.seen.delete(id);
        this.seen.set(id, true);
        continue;
      }
      const p = this.pending.get(id);
      if (p !== undefined) {
        if (!waits.includes(p)) waits.push(p);
      } else if (!fresh.includes(id)) fresh.push(id);
    }
    if (fresh.length > 0) {
      if (!this.options.available()) {
        this.fallback(fresh.length, 'Postgres is down');
      } else if (this.outstanding >= this.options.maxLookups) {
        this.fallback(fresh.length, `${this.outstanding} lookups still outstanding`);
      } else {
        const lookup = this.lookUp(fresh);
        for (const id of fresh) this.pending.set(id, lookup);
        waits.push(lookup);
      }
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  /** One lookup of `ids`; resolves when it answered, failed or timed out. */
  private lookUp(ids: string[]): Promise<void> {
    this.outstanding += 1;
    this.lookups += 1;
    const answered = this.options.query(ids).then(
      (max): string | undefined => {
        // Late too (after its timeout): a counter only ever moves forward.
        for (const id of ids) {
          const order = max.get(id);
          if (order !== undefined && Number.isSafeInteger(order) && order > 0) {
            this.options.continueAfter(id, order);
            this.continued += 1;
          }
          this.remember(id);
        }
        return undefined;
      },
      (err: unknown): string => (err instanceof Error ? err.message : String(err)) || 'the lookup failed',
    );
    void answered.finally(() => (this.outstanding -= 1));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${this.options.timeoutMillis} ms`), this.options.timeoutMillis);
      timer.unref();
    });
    const lookup: Promise<void> = Promise.race([answered, timedOut]).then((failure) => {
      clearTimeout(timer);
      for (const id of ids) if (this.pending.get(id) === lookup) this.pending.delete(id);
      if (failure !== undefined) this.fallback(ids.length, failure);
    });
    return lookup;
  }

  private fallback(runs: number, reason: string): void {
    this.fallbacks += runs;
    this.options.onFallback?.(reason);
  }

  private remember(id: string): void {
    this.seen.delete(id);
    this.seen.set(id, true);
    if (this.seen.size > this.options.maxRuns) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }
}
