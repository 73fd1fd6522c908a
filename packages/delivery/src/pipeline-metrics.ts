/**
 * The pipeline's counters as OpenTelemetry metrics. Counters and gauges are
 * asynchronous instruments read from the processor's own counters when a
 * reader collects, so recording costs nothing on the hot path; only the
 * duration histogram is recorded, once per batch.
 */

import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Observable,
} from '@opentelemetry/api';
import { Metrics } from '@agentspan/semconv';
import { DROP_REASONS, type DeliveryStats } from './types.js';

/** Name and version of the meter the pipeline's instruments belong to. */
export const METER_NAME = '@agentspan/delivery';
export const METER_VERSION = '0.1.0';

/** Bucket boundaries of the duration histogram, seconds (writes of a batch take milliseconds to seconds). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * A delivery pipeline's self-metrics (queue, exported, dropped by reason,
 * retries, batch duration) on a `MeterProvider`; the processors create one
 * when given `meterProvider`.
 */
export class PipelineMetrics {
  private readonly meter: Meter;
  private readonly attrs: Attributes;
  private readonly outcomeAttrs: Record<'success' | 'retry' | 'dropped', Attributes>;
  private readonly duration: Histogram;
  private readonly observables: Observable[];
  private readonly callback: (result: BatchObservableResult) => void;
  private closed = false;

  constructor(provider: MeterProvider | undefined, destination: string, read: () => DeliveryStats) {
    this.meter = (provider ?? metrics.getMeterProvider()).getMeter(METER_NAME, METER_VERSION);
    this.attrs = { [Metrics.METRIC_ATTR_DESTINATION]: destination };
    const outcome = (o: string): Attributes => ({ ...this.attrs, [Metrics.METRIC_ATTR_OUTCOME]: o });
    this.outcomeAttrs = { success: outcome('success'), retry: outcome('retry'), dropped: outcome('dropped') };
    const m = this.meter;
    const span = { unit: '{span}' };
    const queued = m.createObservableCounter(Metrics.METRIC_SPANS_QUEUED, { ...span, description: 'Spans accepted into the delivery queue.' });
    const exported = m.createObservableCounter(Metrics.METRIC_SPANS_EXPORTED, { ...span, description: 'Spans written to the destination from the queue.' });
    const retried = m.createObservableCounter(Metrics.METRIC_SPANS_RETRIED, { ...span, description: 'Span deliveries attempted again after a failure.' });
    const spooled = m.createObservableCounter(Metrics.METRIC_SPANS_SPOOLED, { ...span, description: 'Spans written to the disk spool.' });
    const replayed = m.createObservableCounter(Metrics.METRIC_SPANS_REPLAYED, { ...span, description: 'Spooled spans read back and written.' });
    const repaired = m.createObservableCounter(Metrics.METRIC_SPANS_REPAIRED, { ...span, description: 'Spans stored with repaired values.' });
    const dropped = m.createObservableCounter(Metrics.METRIC_SPANS_DROPPED, { ...span, description: 'Spans given up on, by reason (error.type).' });
    const depth = m.createObservableUpDownCounter(Metrics.METRIC_QUEUE_DEPTH, { ...span, description: 'Spans held in memory by the delivery queue.' });
    const bytes = m.createObservableUpDownCounter(Metrics.METRIC_QUEUE_BYTES, { unit: 'By', description: 'Estimated bytes held in memory by the delivery queue.' });
    const spool = m.createObservableUpDownCounter(Metrics.METRIC_SPOOL_BYTES, { unit: 'By', description: 'Bytes in the disk spool.' });
    this.duration = m.createHistogram(Metrics.METRIC_EXPORT_DURATION, {
      unit: 's',
      description: 'Duration of one delivery attempt of one batch.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.observables = [queued, exported, retried, spooled, replayed, repaired, dropped, depth, bytes, spool];
    this.callback = (result) => {
      const s = read();
      result.observe(queued, s.queued, this.attrs);
      result.observe(exported, s.exported, this.attrs);
      result.observe(retried, s.retried, this.attrs);
      result.observe(spooled, s.spooled, this.attrs);
      result.observe(replayed, s.replayed, this.attrs);
      result.observe(repaired, s.repaired, this.attrs);
      for (const reason of DROP_REASONS) {
        result.observe(dropped, s.dropped[reason], { ...this.attrs, [Metrics.METRIC_ATTR_ERROR_TYPE]: reason });
      }
      result.observe(depth, s.queueDepth, this.attrs);
      result.observe(bytes, s.queueBytes, this.attrs);
      const spoolBytes = s.sink['spoolBytes'];
      result.observe(spool, typeof spoolBytes === 'number' ? spoolBytes : 0, this.attrs);
    };
    this.meter.addBatchObservableCallback(this.callback, this.observables);
  }

  /** Records the duration of one delivery attempt. */
  recordAttempt(millis: number, outcome: 'success' | 'retry' | 'dropped'): void {
    if (this.closed) return;
    this.duration.record(Math.max(0, millis) / 1000, this.outcomeAttrs[outcome]);
  }

  /** Stops reporting (the last values stay with the reader). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.meter.removeBatchObservableCallback(this.callback, this.observables);
  }
}
