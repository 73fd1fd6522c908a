/**
 * A ticket follows the Postgres-bound spans of one request through the
 * delivery pipeline: the request is answered 200 only once every one of
 * them is committed to Postgres or written to the disk spool. Anything
 * else (a drop, a timeout) makes the answer retryable, so a sender never
 * hears "accepted" for spans the gateway could still lose.
 */

/** How a ticket ended. */
export type TicketOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class DeliveryTicket {
  private expected = 0;
  private done = 0;
  private sealed = false;
  private outcome: TicketOutcome | undefined;
  private resolve!: (o: TicketOutcome) => void;
  /** Settles once: ok when every expected span is durable, not ok at the first failure. */
  readonly settled: Promise<TicketOutcome>;

  constructor() {
    this.settled = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Spans handed to the pipeline under this ticket so far. */
  get spans(): number {
    return this.expected;
  }

  /** One more span to wait for (called while the request's spans are replayed). */
  expect(n = 1): void {
    if (this.outcome === undefined) this.expected += n;
  }

  /** `n` of the ticket's spans are durable. */
  complete(n: number): void {
    if (this.outcome !== undefined) return;
    this.done += n;
    this.check();
  }

  /** Some of the ticket's spans will not be delivered. */
  fail(reason: string): void {
    this.finish({ ok: false, reason });
  }

  /** No more spans will be added: settles at once if all are durable already (or there were none). */
  seal(): void {
    this.sealed = true;
    this.check();
  }

  private check(): void {
    if (this.sealed && this.done >= this.expected) this.finish({ ok: true });
  }

  private finish(outcome: TicketOutcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.resolve(outcome);
  }
}
