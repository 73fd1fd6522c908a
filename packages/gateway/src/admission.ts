/**
 * At most `limit` requests decode and replay at the same time (that part is
 * CPU work on the event loop: more at once only adds latency and memory);
 * up to `maxWaiting` more wait their turn with their bodies read (what those
 * hold is bounded by the gateway's `BodyBudget`; a turn is taken only once
 * the body is whole, so a slow sender never holds one). Beyond that, new
 * requests are refused at once (429) instead of queueing without bound:
 * the gateway asks {@link Admission.full} before reading a body, so a
 * request that arrives while every place is taken is refused before its
 * body is read (and asks again, through `acquire`, once it is read).
 */
export class Admission {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  /** Requests holding a turn now. */
  get running(): number {
    return this.active;
  }

  /** Whether a request arriving now would be refused: every turn and every waiting place taken. */
  get full(): boolean {
    return this.active >= this.limit && this.waiting.length >= this.maxWaiting;
  }

  /** Waits for a turn; resolves `false` at once when too many are waiting already. */
  acquire(): Promise<boolean> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(true));
    });
  }

  /** Gives a turn back (to the next waiting request, if any). */
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.active = Math.max(0, this.active - 1);
  }
}
