/**
 * A fixed set of words (command names, callee names) with a cheap rejection
 * test in front of the hash lookup.
 *
 * Most words looked up are not in the set, and each is usually a freshly
 * sliced string, so `Set.has` would first hash it. A table of which lengths
 * occur for each first character rejects almost all of them by two loads.
 */
export class WordSet {
  private readonly words: ReadonlySet<string>;
  /** For each ASCII first character, a bit per word length 1–31 present in the set. */
  private readonly lengthsByFirstChar = new Uint32Array(128);

  constructor(words: Iterable<string>) {
    this.words = new Set(words);
    for (const w of this.words) {
      const c = w.charCodeAt(0);
      if (c < 128 && w.length < 32) this.lengthsByFirstChar[c]! |= 1 << w.length;
    }
  }

  /** Whether `src[start, end)` is in the set; sliced only when the cheap test passes. */
  hasRange(src: string, start: number, end: number): boolean {
    const n = end - start;
    const c = src.charCodeAt(start);
    if (c < 128 && n < 32 && (this.lengthsByFirstChar[c]! & (1 << n)) === 0) return false;
    return this.words.has(src.slice(start, end));
  }

  has(word: string): boolean {
    const n = word.length;
    const c = word.charCodeAt(0);
    // Rare shapes (non-ASCII first character, 32+ characters) take the plain lookup.
    if (c < 128 && n < 32 && (this.lengthsByFirstChar[c]! & (1 << n)) === 0) return false;
    return this.words.has(word);
  }
}
