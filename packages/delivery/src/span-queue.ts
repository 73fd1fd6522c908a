/** A FIFO of spans with their estimated sizes: O(1) push, O(k) take of k items. */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Below this many consumed slots the array is not compacted (compaction is O(n)). */
const COMPACT_MIN = 1024;

/**
 * The queue of a delivery processor: spans in arrival order with the size
 * each was estimated at, so the processor can bound it by count and bytes.
 * Exported for processors built on the same delivery (the Postgres one).
 */
export class SpanQueue {
  private spans: (ReadableSpan | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private total = 0;
  private takenTotal = 0;

  /**
   * Spans taken since the queue was made. The queue is FIFO, so the span
   * taken `n`-th is the `n`-th pushed: `taken` is how far the queue has
   * moved, in push order.
   */
  get taken(): number {
    return this.takenTotal;
  }

  /** Spans queued. */
  get length(): number {
    return this.spans.length - this.head;
  }

  /** Sum of the queued spans' sizes. */
  get bytes(): number {
    return this.total;
  }

  push(span: ReadableSpan, bytes: number): void {
    this.spans.push(span);
    this.sizes.push(bytes);
    this.total += bytes;
  }

  /** Removes and returns the oldest `max` spans (fewer when fewer are queued) and their total size. */
  take(max: number): { spans: ReadableSpan[]; bytes: number } {
    const n = Math.min(Math.max(0, Math.floor(max)), this.length);
    const spans: ReadableSpan[] = new Array<ReadableSpan>(n);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const at = this.head + i;
      spans[i] = this.spans[at] as ReadableSpan;
      bytes += this.sizes[at] ?? 0;
      this.spans[at] = undefined; // let the span be collected as soon as it is written
    }
    this.head += n;
    this.total -= bytes;
    this.takenTotal += n;
    if (this.head === this.spans.length) {
      this.spans = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.spans.length) {
      this.spans = this.spans.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return { spans, bytes };
  }
}
