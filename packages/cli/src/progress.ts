import type { CliIo } from './io.js';

/** A progress bar on standard error; a no-op unless a person is watching. */
export interface Progress {
  /** Sets the amount done (clamped to the total). */
  update(done: number): void;
  /** Adds to the amount done. */
  tick(amount?: number): void;
  /** Erases the bar (call once, also on failure). */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Text before the bar, e.g. `loading events`. */
  label: string;
  /** The amount that means 100 %. */
  total: number;
  /** Draw at all: the caller passes `io.isTTY && !json`. */
  enabled: boolean;
  /** Least time between two redraws, ms. @default 80 */
  minIntervalMs?: number;
  /** Clock (tests). @default Date.now */
  now?: () => number;
}

const NOOP: Progress = { update: () => undefined, tick: () => undefined, done: () => undefined };
const BAR_WIDTH = 24;

/** Renders one frame: `label [#########---------------]  37% 3700/10000`. */
export function progressLine(label: string, done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent} ${done}/${total}`;
}

/**
 * A bar redrawn in place with `\r` on standard error, at most every
 * `minIntervalMs` (redrawing per row would cost more than the work on a
 * fast database), and always at 100 %.
 */
export function createProgress(io: CliIo, options: ProgressOptions): Progress {
  const write = io.writeErr;
  if (!options.enabled || !write) return NOOP;
  const now = options.now ?? Date.now;
  const minInterval = options.minIntervalMs ?? 80;
  let done = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let finished = false;
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < minInterval) return;
    lastDraw = t;
    write(`\r${progressLine(options.label, done, options.total)}`);
  };
  draw(true);
  return {
    update(value) {
      if (finished) return;
      done = Math.min(options.total, Math.max(0, value));
      draw(done >= options.total);
    },
    tick(amount = 1) {
      this.update(done + amount);
    },
    done() {
      if (finished) return;
      finished = true;
      write('\r\u001b[2K');
    },
  };
}
