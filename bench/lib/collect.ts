/** A span processor that keeps every ended span in memory: how the bench gets spans to map without a sink. */
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export class CollectSpans implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
