/**
 * Whether a `${` is inside a template literal (JS's backquoted string): what a shell default's `${TOKEN-1}` is read
 * against (see redact.ts's `templateArithmetic`). The text's backquotes and line ends are listed once per text when
 * first asked; each question then costs a few binary searches (walking back up to {@link WALK_BACK} characters for each
 * `${` took 437 ms per MB of `` `${TOKEN-1}` `` repeated on one line).
 *
 * The lists hold positions of backquotes and line ends only, four bytes each: their memory follows how many there are,
 * not the text's length (counts per character, three 32-bit arrays as long as the text, were 12 bytes a character,
 * 120 MB for a 10 MB log holding one `${TOKEN-1}`, before a review of review 4).
 */

/** Most characters read back for a template literal's opening backquote. */
export const WALK_BACK = 1024;

export class TemplateTicks {
  /** Positions of the backquotes not after a backslash, in order. */
  private readonly all: Int32Array;
  /** Those of them in no run of three or more (a Markdown fence, ```` ``` ````, opens no template). */
  private readonly lone: Int32Array;
  /** Positions of the line ends (`\n`, `\r`), in order. */
  private readonly breaks: Int32Array;

  constructor(text: string) {
    // Counted first, then listed: each list allocated once, four bytes a position.
    let ticks = 0;
    let loneTicks = 0;
    let lines = 0;
    this.scan(text, () => ticks++, () => loneTicks++, () => lines++);
    const all = (this.all = new Int32Array(ticks));
    const lone = (this.lone = new Int32Array(loneTicks));
    const breaks = (this.breaks = new Int32Array(lines));
    ticks = loneTicks = lines = 0;
    this.scan(text, (k) => (all[ticks++] = k), (k) => (lone[loneTicks++] = k), (k) => (breaks[lines++] = k));
  }

  /** Each backquote not after a backslash (`tick`), those in no run of three or more too (`loneTick`), each line end. */
  private scan(text: string, tick: (k: number) => void, loneTick: (k: number) => void, lineEnd: (k: number) => void): void {
    const n = text.length;
    for (let i = text.indexOf('`'); i >= 0; ) {
      let j = i;
      while (j < n && text.charCodeAt(j) === 96) j++;
      for (let k = i; k < j; k++) {
        if (k > 0 && text.charCodeAt(k - 1) === 92) continue;
        tick(k);
        if (j - i < 3) loneTick(k);
      }
      i = text.indexOf('`', j);
    }
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) lineEnd(i);
    }
  }

  /**
   * Whether `at` (a `${`) is inside a backquoted literal: an odd number of backquotes before it on its line within
   * {@link WALK_BACK} characters; or, none before it on its line, an odd number of them on the lines above it that
   * start within those characters or hold their start (a template literal opened on a line above: `` `x `` then
   * `${TOKEN-1}` below; read as a default's value before a review of 2026-12-07's review, while the same on one line
   * was arithmetic), runs of three or more (a Markdown fence) counting for nothing there. Whole lines are counted: a
   * window starting inside a code span (`` `x` ``) counted its second backquote alone, an odd count (a review of
   * review 4).
   */
  inTemplate(at: number): boolean {
    const stop = Math.max(0, at - WALK_BACK);
    const lineStart = this.lineStartOf(at);
    const onLine = countIn(this.all, Math.max(stop, lineStart), at);
    if (onLine > 0) return onLine % 2 === 1;
    // The line holds the window's start: no line above it within the window.
    if (lineStart <= stop) return false;
    return countIn(this.lone, this.lineStartOf(stop), at) % 2 === 1;
  }

  /** Where the line holding `i` starts: after the last line end before `i`, or 0. */
  private lineStartOf(i: number): number {
    const k = lowerBound(this.breaks, i);
    return k === 0 ? 0 : this.breaks[k - 1]! + 1;
  }
}

/** How many of the ordered `positions` are in `[from, to)`. */
function countIn(positions: Int32Array, from: number, to: number): number {
  return from >= to ? 0 : lowerBound(positions, to) - lowerBound(positions, from);
}

/** The index of the first of the ordered `positions` at or after `x`. */
function lowerBound(positions: Int32Array, x: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
