export { DeliverySpanProcessor, DELIVERY_DEFAULTS, MAX_TIMER_MILLIS } from './delivery-span-processor.js';
export { exporterSink } from './exporter-sink.js';
export type { ExporterSinkOptions } from './exporter-sink.js';
export { createOtlpHttpSpanExporter, reportsRejectedSpans } from './otlp-http-exporter.js';
export { headerProblem } from './http-headers.js';
export type { OtlpHttpSpanExporterOptions, RejectedSpans, ReportsRejectedSpans } from './otlp-http-exporter.js';
export { FileSpool } from './spool.js';
export type { ClaimedSegment, FileSpoolOptions, FileSpoolStats } from './spool.js';
export { PipelineMetrics, METER_NAME, METER_VERSION } from './pipeline-metrics.js';
export { backoffDelay } from './backoff.js';
export { estimateSpanBytes, estimateSpanPartsBytes } from './span-size.js';
export { SpanQueue } from './span-queue.js';
export { DROP_REASONS } from './types.js';
export type {
  DeliveryLogger,
  DeliveryOptions,
  DeliveryResult,
  DeliverySink,
  DeliveryStats,
  DropReason,
  LatencyStats,
  SpillResult,
  SpooledBatch,
} from './types.js';
