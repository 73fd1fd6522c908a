/**
 * Names of the metrics agentspan's delivery pipeline reports about itself,
 * and the attribute keys on them. Like the span attribute keys, nothing else
 * in the code base spells these strings.
 */

/** Spans accepted into a delivery queue. Counter, `{span}`. */
export const METRIC_SPANS_QUEUED = 'agentspan.delivery.spans.queued';
/** Spans written to their destination from the queue. Counter, `{span}`. */
export const METRIC_SPANS_EXPORTED = 'agentspan.delivery.spans.exported';
/** Span deliveries attempted again after a failed attempt. Counter, `{span}`. */
export const METRIC_SPANS_RETRIED = 'agentspan.delivery.spans.retried';
/** Spans written to the disk spool. Counter, `{span}`. */
export const METRIC_SPANS_SPOOLED = 'agentspan.delivery.spans.spooled';
/** Spans read back from the disk spool and written. Counter, `{span}`. */
export const METRIC_SPANS_REPLAYED = 'agentspan.delivery.spans.replayed';
/** Spans stored with repaired values (`meta.repaired = true`). Counter, `{span}`. */
export const METRIC_SPANS_REPAIRED = 'agentspan.delivery.spans.repaired';
/** Spans given up on, by reason (`error.type`). Counter, `{span}`. */
export const METRIC_SPANS_DROPPED = 'agentspan.delivery.spans.dropped';
/** Spans held in memory (queued, waiting for a retry, or being written). UpDownCounter, `{span}`. */
export const METRIC_QUEUE_DEPTH = 'agentspan.delivery.queue.depth';
/** Estimated bytes held in memory by the queue. UpDownCounter, `By`. */
export const METRIC_QUEUE_BYTES = 'agentspan.delivery.queue.bytes';
/** Bytes in the disk spool directory. UpDownCounter, `By`. */
export const METRIC_SPOOL_BYTES = 'agentspan.delivery.spool.bytes';
/** Duration of one delivery attempt of one batch. Histogram, `s`. */
export const METRIC_EXPORT_DURATION = 'agentspan.delivery.export.duration';

/** Metric attribute: where the spans go (`postgres`, `otlp`). */
export const METRIC_ATTR_DESTINATION = 'agentspan.delivery.destination';
/** Metric attribute: why spans were dropped (the general OpenTelemetry key). */
export const METRIC_ATTR_ERROR_TYPE = 'error.type';
/** Metric attribute: outcome of a delivery attempt (`success`, `retry`, `dropped`). */
export const METRIC_ATTR_OUTCOME = 'agentspan.delivery.outcome';
