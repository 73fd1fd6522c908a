/** Real spans and a controllable in-process sink for the processor tests. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FileSpool, type DeliveryResult, type DeliverySink, type SpillResult, type SpooledBatch } from '../src/index.js';

/** A provider whose spans go to `processor`; `emit(n)` ends n spans and returns their ids. */
export function spanSource(processor: SpanProcessor) {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('delivery-test');
  let n = 0;
  return {
    provider,
    emit(count: number, attributes: Record<string, string | number> = {}): string[] {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const span = tracer.startSpan(`span ${n++}`, { attributes });
        ids.push(span.spanContext().spanId);
        span.end();
      }
      return ids;
    },
  };
}

export type Mode = 'up' | 'down' | 'hang' | 'fail';

/**
 * An idempotent sink that records span ids. `mode`: `up` writes, `down`
 * answers `retry`, `hang` never answers (until `unhang()`), `fail` answers
 * `dropped`. With `spoolDir` it spools through a real {@link FileSpool}.
 */
export class FakeSink implements DeliverySink<string[]> {
  readonly destination = 'fake';
  readonly idempotent: boolean;
  mode: Mode = 'up';
  /** Span id → times written. */
  readonly written = new Map<string, number>();
  attempts = 0;
  readonly batchSizes: number[] = [];
  private hung: (() => void)[] = [];
  readonly spool: FileSpool<string> | undefined;
  shutdownCalls = 0;
  /** Milliseconds each successful write takes. */
  latency = 0;
  /** Ids the destination refuses (answered `retry`, as a table that cannot take a record): their whole batch fails. */
  readonly refuse = new Set<string>();

  constructor(options: { spoolDir?: string; idempotent?: boolean; maxSpoolBytes?: number } = {}) {
    this.idempotent = options.idempotent ?? true;
    this.spool = options.spoolDir
      ? new FileSpool<string>({ dir: options.spoolDir, kind: 'fake', maxBytes: options.maxSpoolBytes, fsync: false })
      : undefined;
    const spool = this.spool;
    if (spool) {
      this.spill = (ids) => spool.append(ids);
      this.takeSpooled = () => spool.claim();
    }
  }

  /** Spans also taken at their start (unset: at their end only). */
  acceptsAtStart?: (span: ReadableSpan) => boolean;
  spill?: (ids: string[]) => SpillResult;
  takeSpooled?: () => SpooledBatch<string[]> | undefined;

  prepare(spans: readonly ReadableSpan[]): string[] {
    return spans.map((s) => s.spanContext().spanId);
  }

  deliver(ids: string[]): Promise<DeliveryResult> {
    this.attempts++;
    this.batchSizes.push(ids.length);
    if (ids.some((id) => this.refuse.has(id))) return Promise.resolve({ kind: 'retry', error: new Error('refused'), refused: true });
    switch (this.mode) {
      case 'down':
        return Promise.resolve({ kind: 'retry', error: new Error('connection refused') });
      case 'fail':
        return Promise.resolve({ kind: 'dropped', reason: 'export_failed', error: new Error('400') });
      case 'hang':
        return new Promise((resolve) => {
          this.hung.push(() => {
            this.record(ids);
            resolve({ kind: 'delivered' });
          });
        });
      default:
        return new Promise((resolve) =>
          setTimeout(() => {
            this.record(ids);
            resolve({ kind: 'delivered' });
          }, this.latency),
        );
    }
  }

  unhang(): void {
    for (const h of this.hung.splice(0)) h();
  }

  private record(ids: readonly string[]): void {
    for (const id of ids) this.written.set(id, (this.written.get(id) ?? 0) + 1);
  }

  stats() {
    return { ...(this.spool?.stats() ?? {}) };
  }

  shutdown(): Promise<void> {
    this.shutdownCalls++;
    this.spool?.close();
    return Promise.resolve();
  }
}

/** Waits until `cond()` holds (polling), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A logger that records what it is given. */
export function memoryLogger() {
  const lines: string[] = [];
  return { lines, warn: (m: string) => lines.push(`warn ${m}`), info: (m: string) => lines.push(`info ${m}`) };
}

/** Runs `fn` with a fresh temporary directory, removed afterwards whatever happens. */
export async function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
