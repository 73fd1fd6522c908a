/** A {@link DeliverySink} over any OpenTelemetry `SpanExporter` (OTLP to Jaeger or a Collector). */

import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { reportsRejectedSpans } from './otlp-http-exporter.js';
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

/**
 * Wraps a `SpanExporter`: spans are delivered as they are (sampled spans
 * only, as the SDK's batch processor does); a FAILED export is counted as
 * dropped (`export_failed`), or retried with `retryFailed`. Spans the
 * backend rejected in a successful export are counted as dropped
 * (`rejected`) when the exporter reports them (`ReportsRejectedSpans`:
 * `createOtlpHttpSpanExporter` does; the upstream OTLP exporters do
 * not, and their partial successes count as exported). No spool: the
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
  return {
    destination: options.destination ?? 'exporter',
    idempotent: false,
    accepts: (span) => (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    prepare: (spans) => [...spans],
    deliver: (spans) =>
      new Promise<DeliveryResult>((resolve) => {
        try {
          exporter.export(spans, (result) => {
            if (result.code === ExportResultCode.SUCCESS) {
              // An OTLP partial success arrives as SUCCESS: only an exporter that reports rejected spans
              // (createOtlpHttpSpanExporter) can say how many of these the backend refused.
              const rejected = counting ? exporter.takeRejectedSpans() : undefined;
              if (rejected === undefined || rejected.count === 0) resolve({ kind: 'delivered' });
              else {
                const why = `${options.destination ?? 'exporter'}: the backend rejected ${rejected.count} of ${spans.length} spans${rejected.message !== undefined ? `: ${rejected.message}` : ''}`;
                resolve({ kind: 'delivered', rejected: rejected.count, error: new Error(why) });
              }
            } else {
              const error = result.error ?? new Error('export failed');
              resolve(retry ? { kind: 'retry', error } : { kind: 'dropped', reason: 'export_failed', error });
            }
          });
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          resolve(retry ? { kind: 'retry', error } : { kind: 'dropped', reason: 'export_failed', error });
        }
      }),
    shutdown: async (timeoutMillis) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMillis);
        timer.unref();
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
