/** A {@link DeliverySink} over any OpenTelemetry `SpanExporter` (OTLP to Jaeger or a Collector). */

import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { reportsRejectedSpans, type ReportsRejectedSpans } from './otlp-http-exporter.js';
import { DELIVERY_DEFAULTS, MAX_TIMER_MILLIS } from './delivery-span-processor.js';
import type { DeliveryResult, DeliverySink } from './types.js';

/** Options of {@link exporterSink}. */
export interface ExporterSinkOptions {
  /** Name for logs, stats and metrics. @default 'exporter' */
  readonly destination?: string | undefined;
  /**
   * Whether a failed export is attempted again by the processor. Off by
   * default: OTLP exporters already retry (5 attempts with backoff) inside
   * `export()`, and a backend such as Jaeger stores a re-sent span twice.
   * @default false
   */
  readonly retryFailed?: boolean | undefined;
}

/** One export's outcome: what the backend rejected of a success, or the failure. */
type Outcome = { readonly ok: true; readonly rejected: number; readonly message: string | undefined } | { readonly ok: false; readonly error: Error };

/** One `export()` call as a promise (its first answer counts; a synchronous throw is a failure). */
function exportOnce(exporter: SpanExporter, spans: ReadableSpan[], counting: boolean): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    try {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          // An OTLP partial success arrives as SUCCESS: only an exporter that reports rejected spans
          // (createOtlpHttpSpanExporter) can say how many of these the backend refused. Read in this
          // callback: valid only now.
          const rejected = counting ? (exporter as SpanExporter & ReportsRejectedSpans).takeRejectedSpans() : undefined;
          resolve({ ok: true, rejected: rejected?.count ?? 0, message: rejected?.message });
        } else resolve({ ok: false, error: result.error ?? new Error('export failed') });
      });
    } catch (err) {
      resolve({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
    }
  });
}

/**
 * The deadline of the sink's `shutdown(ms)`: negative is 0; NaN (no number: `undefined` from a JavaScript caller) is
 * the pipeline's default `shutdownTimeoutMillis`, as `flush(NaN)` and `shutdownWithin(NaN)` take the configured one
 * (the sink knows no processor's); at most a timer's limit. Unchecked, NaN became a 1 ms timer: shutdown returned
 * while the exporter still sent what it held.
 */
function shutdownMillis(timeoutMillis: number): number {
  const millis = Math.max(0, timeoutMillis);
  return Number.isNaN(millis) ? DELIVERY_DEFAULTS.shutdownTimeoutMillis : Math.min(millis, MAX_TIMER_MILLIS);
}

/** Whether a failed export was refused for its size (HTTP 413, as the OTLP exporters' error carries it). */
function tooLarge(error: Error): boolean {
  return (error as Error & { code?: unknown }).code === 413;
}

/** What the parts of a split came to. */
interface SplitTally {
  /** Spans the backend took. */
  delivered: number;
  /** Spans refused for good: too large alone (413), or rejected in a partial success. */
  rejected: number;
  message: string | undefined;
  /** Spans not delivered because a part failed otherwise (the backend down, 5xx after the exporter's retries), or never sent after it. */
  failed: number;
  error: Error | undefined;
}

/**
 * Exports `spans` in halves, each split again while the backend answers 413,
 * adding the outcome to `tally`. The first part that fails otherwise ends the
 * split: the parts after it are not sent (a failing backend would make each
 * wait out the exporter's timeout and retries), nor once `signal` is aborted
 * (the processor gave up on the attempt: nothing may be sent for it any more).
 */
async function exportSplit(exporter: SpanExporter, spans: ReadableSpan[], counting: boolean, tally: SplitTally, signal: AbortSignal | undefined): Promise<void> {
  const mid = Math.ceil(spans.length / 2);
  for (const part of [spans.slice(0, mid), spans.slice(mid)]) {
    if (tally.error !== undefined || signal?.aborted === true) {
      tally.failed += part.length;
      tally.error ??= new Error('the delivery attempt was abandoned (exportTimeoutMillis)');
      continue;
    }
    const o = await exportOnce(exporter, part, counting);
    if (o.ok) {
      const rejected = Math.min(part.length, o.rejected);
      tally.delivered += part.length - rejected;
      tally.rejected += rejected;
      if (o.message !== undefined) tally.message = o.message;
    } else if (tooLarge(o.error) && part.length > 1) await exportSplit(exporter, part, counting, tally, signal);
    else if (tooLarge(o.error)) {
      tally.rejected += 1;
      tally.message = `a span alone is larger than the backend takes (${o.error.message})`;
    } else {
      tally.failed += part.length;
      tally.error = o.error;
    }
  }
}

/**
 * Wraps a `SpanExporter`: spans are delivered as they are (sampled spans
 * only, as the SDK's batch processor does); a FAILED export is counted as
 * dropped (`export_failed`), or retried with `retryFailed`. Spans the
 * backend rejected in a successful export are counted as dropped
 * (`rejected`) when the exporter reports them (`ReportsRejectedSpans`:
 * `createOtlpHttpSpanExporter` does; the upstream OTLP exporters do
 * not, and their partial successes count as exported). A batch refused for
 * its size (HTTP 413) is sent again in halves; only a span too large alone
 * is lost (`rejected`); a part failing otherwise ends the split (see the
 * README: the batch fails whole, or, with a part delivered, the rest is
 * `export_failed`). No spool: the
 * guarantees are those the exporter allows (bounded, never blocking, every
 * drop counted).
 *
 * `shutdown(timeoutMillis)` stops waiting at its deadline, but cannot cancel
 * an export the exporter is still performing: its HTTP request (and retry
 * timers) keep the process alive until the exporter's own timeout. Give the
 * exporter a timeout no longer than the shutdown deadline (as
 * `startAgentspan` does) so the deadline bounds the process's life.
 */
export function exporterSink(exporter: SpanExporter, options: ExporterSinkOptions = {}): DeliverySink<ReadableSpan[]> {
  const retry = options.retryFailed ?? false;
  const counting = reportsRejectedSpans(exporter);
  const destination = options.destination ?? 'exporter';
  const delivered = (total: number, rejected: number, message: string | undefined): DeliveryResult =>
    rejected === 0
      ? { kind: 'delivered' }
      : {
          kind: 'delivered',
          rejected,
          error: new Error(`${destination}: the backend rejected ${rejected} of ${total} spans${message !== undefined ? `: ${message}` : ''}`),
        };
  return {
    destination,
    idempotent: false,
    accepts: (span) => (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    prepare: (spans) => [...spans],
    deliver: async (spans, signal) => {
      const failure = (error: Error): DeliveryResult => (retry ? { kind: 'retry', error } : { kind: 'dropped', reason: 'export_failed', error });
      const first = await exportOnce(exporter, spans, counting);
      if (first.ok) return delivered(spans.length, first.rejected, first.message);
      if (!tooLarge(first.error) || spans.length < 2) {
        if (tooLarge(first.error)) return delivered(1, 1, `a span alone is larger than the backend takes (${first.error.message})`);
        return failure(first.error);
      }
      // 413: the request, not its spans, is too large for the backend (a Collector takes 20 MiB by
      // default). Halves are sent in turn until each part fits; only a span too large on its own is refused.
      const tally: SplitTally = { delivered: 0, rejected: 0, message: undefined, failed: 0, error: undefined };
      await exportSplit(exporter, spans, counting, tally, signal);
      if (tally.error === undefined) return delivered(spans.length, tally.rejected, tally.message);
      // Nothing stored yet: the batch fails as a whole, as an unsplit one would (retried with retryFailed;
      // a retry splits it again), not `rejected`: the backend failed them, it did not refuse them.
      if (tally.delivered === 0) return failure(tally.error);
      // Part of it stored: trying the batch again would send that part twice, so the rest is given up
      // (`export_failed`, as an unsplit batch's failure) even with retryFailed.
      const notes = [`${tally.failed} of ${spans.length} spans failed after ${tally.delivered} were delivered: ${tally.error.message}`];
      if (tally.rejected > 0) notes.push(`the backend rejected ${tally.rejected}${tally.message !== undefined ? `: ${tally.message}` : ''}`);
      return { kind: 'delivered', rejected: tally.rejected, failed: tally.failed, error: new Error(`${destination}: ${notes.join('; ')}`) };
    },
    shutdown: async (timeoutMillis) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        // Not unref'd: bounded by the deadline, as the processor's own wait is. Unref'd, an exporter whose
        // shutdown never settles left `await shutdown()` pending in a process with nothing else to do: the
        // process exited there, skipping the application's code after the await (exit code 13 under a
        // top-level await).
        // Clamped, NaN the default (see shutdownMillis): the processor passes what is left of
        // `shutdownTimeoutMillis`, clamped already; another caller may pass anything.
        timer = setTimeout(resolve, shutdownMillis(timeoutMillis));
      });
      try {
        await Promise.race([Promise.resolve().then(() => exporter.shutdown()), deadline]);
      } catch {
        /* an exporter that fails to shut down has nothing left to deliver */
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
  };
}
