/**
 * The bytes of request bodies held at once (read, or read and waiting for a
 * decoding turn), shared by every request. Bodies are read before a request
 * takes a turn, so a sender that trickles its body (a byte a second, on
 * purpose or over a bad link) holds a socket and the few bytes it sent, never
 * a turn that complete requests wait for. A chunk that does not fit is
 * refused (the request is answered 429), never waited for: two half-read
 * bodies waiting for each other's bytes would wait for ever.
 */
export class BodyBudget {
  private held = 0;

  constructor(private readonly limit: number) {}

  /** Bytes held now. */
  get used(): number {
    return this.held;
  }

  /** Takes `n` bytes; false (nothing taken) when they do not fit. */
  take(n: number): boolean {
    if (this.held + n > this.limit) return false;
    this.held += n;
    return true;
  }

  /** Gives `n` bytes back. */
  give(n: number): void {
    this.held = Math.max(0, this.held - n);
  }
}
