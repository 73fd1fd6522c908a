/**
 * Turns handed out in the order they are taken: each is ready once the one
 * taken before it is done. The gateway plans requests in the order they were
 * read (the envelope memory and the execution order follow it), and replays
 * them in the order they were planned, while their decoding, planning and
 * replaying pause in slices (see slices.ts) and other requests' work runs
 * meanwhile.
 */

/** One turn: wait for `ready`, then call `done` (once or more: later calls do nothing). */
export interface Turn {
  readonly ready: Promise<void>;
  done(): void;
}

export class TurnOrder {
  private last: Promise<void> = Promise.resolve();

  /** The next turn: ready when every turn taken before it is done (one done early waits for those before it). */
  take(): Turn {
    const ready = this.last;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.last = ready.then(() => finished);
    return { ready, done };
  }
}
