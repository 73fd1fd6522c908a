/**
 * `timeline --json` written as it is read: `JSON.stringify({ run, nodes, events }, null, 2)`, the
 * same text, a page of nodes or events at a time, so neither the run's rows nor the document are
 * ever whole in memory (one string of a run of 500 000 events is also past what V8 allows a string).
 */

/** `value` as `JSON.stringify(value, null, 2)` writes it nested `depth` levels deep (two spaces each). */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * One array member of the top-level object (`"events": [...]`), its items given a page at a time.
 * Every call returns whole lines: the last item is held back until the next page or the end says
 * whether a comma follows it, and an array that stays empty is written `[]`, on its key's line.
 */
export class JsonArrayLines {
  private started = false;
  private held: string | null = null;

  /**
   * @param key the member's name
   * @param last whether it is the object's last member (no comma after it)
   */
  constructor(
    private readonly key: string,
    private readonly last: boolean,
  ) {}

  /** The lines `items` complete. */
  add(items: readonly unknown[]): string[] {
    const lines: string[] = [];
    for (const item of items) {
      if (!this.started) {
        lines.push(`  ${JSON.stringify(this.key)}: [`);
        this.started = true;
      }
      if (this.held !== null) lines.push(`${this.held},`);
      this.held = `    ${nested(item, 2)}`;
    }
    return lines;
  }

  /** The lines that close the member. */
  end(): string[] {
    const comma = this.last ? '' : ',';
    if (!this.started) return [`  ${JSON.stringify(this.key)}: []${comma}`];
    return [this.held ?? '', `  ]${comma}`];
  }
}

/** The document's first lines: its `{` and the `run` member. */
export function timelineJsonHead(run: unknown): string[] {
  return ['{', `  "run": ${nested(run, 1)},`];
}

/** The document's last line. */
export const TIMELINE_JSON_TAIL = '}';
