/**
 * The OTLP/HTTP span exporter of `@opentelemetry/exporter-trace-otlp-http`
 * and `-proto`, built from the same public parts, with one difference: the
 * spans a backend rejects in a successful response (OTLP partial success,
 * `partial_success.rejected_spans`) are told to {@link exporterSink}, which
 * counts them as dropped. The upstream exporters report such an export as a
 * plain SUCCESS and only log the rejection through `diag`.
 */

import { OTLPExporterBase, type IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonTraceSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import { diag } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { headerProblem } from './http-headers.js';
import { serializeJsonTraceRequest } from './otlp-json.js';

/** What a backend refused of the last successful export (OTLP partial success). */
export interface RejectedSpans {
  /** How many of the export's spans the backend rejected (0 when it took them all). */
  readonly count: number;
  /** The backend's `error_message`, when it gave one. */
  readonly message: string | undefined;
}

/**
 * A `SpanExporter` that can say what the backend refused of the export whose
 * SUCCESS it has just reported. {@link exporterSink} asks, from inside the
 * export's result callback, any exporter that has this method.
 */
export interface ReportsRejectedSpans {
  /**
   * What the backend rejected of the export whose result callback is running now, then forgets
   * it. Valid only synchronously inside that callback (the answer and the callback come from the
   * same response, with nothing in between).
   */
  takeRejectedSpans(): RejectedSpans;
}

/** Whether `exporter` implements {@link ReportsRejectedSpans}. */
export function reportsRejectedSpans(exporter: SpanExporter): exporter is SpanExporter & ReportsRejectedSpans {
  return typeof (exporter as Partial<ReportsRejectedSpans>).takeRejectedSpans === 'function';
}

/** Options of {@link createOtlpHttpSpanExporter}. */
export interface OtlpHttpSpanExporterOptions {
  /** The traces endpoint (`http://localhost:4318/v1/traces`). Unset: the OTel environment variables, then the default. */
  readonly url?: string | undefined;
  /** Extra request headers (authentication). */
  readonly headers?: Record<string, string> | undefined;
  /** Bound of one export, its request and the exporter's retries. @default 10000 */
  readonly timeoutMillis?: number | undefined;
  /** The body's encoding: `'json'` (as `-otlp-http`) or `'protobuf'` (as `-otlp-proto`). @default 'json' */
  readonly encoding?: 'json' | 'protobuf' | undefined;
}

/** The OTel semantic-conventions component type the upstream HTTP exporters report their own metrics under. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/** The count of a decoded `rejected_spans` (an int64: a number, a string in JSON, a bigint); 0 when unusable. */
function countOf(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

const NOTHING_REJECTED: RejectedSpans = Object.freeze({ count: 0, message: undefined });

class RejectionCountingExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter, ReportsRejectedSpans {
  constructor(
    delegate: IOtlpExportDelegate<ReadableSpan[]>,
    private readonly last: { rejected: RejectedSpans },
  ) {
    super(delegate);
  }

  takeRejectedSpans(): RejectedSpans {
    const r = this.last.rejected;
    this.last.rejected = NOTHING_REJECTED;
    return r;
  }
}

/**
 * The headers of every request without the ones Node's HTTP client would refuse: the options' and
 * `OTEL_EXPORTER_OTLP_HEADERS`, which the upstream configuration reads from `process.env` itself
 * (a name with a space, a value with a line break once percent-decoded). One such header failed
 * every request; dropped, with one warning per header, the spans still go out (without it).
 */
function sendableHeaders(headers: () => Promise<Record<string, string>>): () => Promise<Record<string, string>> {
  const warned = new Set<string>();
  return async () => {
    const all = await headers();
    let kept: Record<string, string> | undefined;
    for (const [name, value] of Object.entries(all)) {
      const problem = headerProblem(name, String(value));
      if (problem === undefined) continue;
      kept ??= { ...all };
      delete kept[name];
      if (!warned.has(name)) {
        warned.add(name);
        diag.warn(`agentspan: OTLP header ${JSON.stringify(name.slice(0, 64))} is not sent: ${problem}`);
      }
    }
    return kept ?? all;
  };
}

/**
 * An OTLP/HTTP span exporter (JSON or protobuf) that also implements
 * {@link ReportsRejectedSpans}. Configured like the upstream
 * `OTLPTraceExporter` (the same delegate, retries, timeouts, environment
 * variables, self-metrics component type); the partial success is still
 * logged through `diag` as upstream does.
 */
export function createOtlpHttpSpanExporter(options: OtlpHttpSpanExporterOptions = {}): SpanExporter & ReportsRejectedSpans {
  const protobuf = options.encoding === 'protobuf';
  const inner: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = protobuf ? ProtobufTraceSerializer : JsonTraceSerializer;
  const last = { rejected: NOTHING_REJECTED };
  // The delegate deserialises a success's body and calls the export's result callback right after,
  // in the same turn: what this records is read by that callback (exporterSink) and by nothing else.
  const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
    // JSON: numbers as the OTLP/JSON mapping reads them (see otlp-json.ts); upstream's lose or corrupt some.
    serializeRequest: (spans) => (protobuf ? inner.serializeRequest(spans) : serializeJsonTraceRequest(spans)),
    deserializeResponse: (data) => {
      last.rejected = NOTHING_REJECTED;
      const response = inner.deserializeResponse(data);
      const partial = response?.partialSuccess;
      const count = countOf(partial?.rejectedSpans);
      if (count > 0) last.rejected = { count, message: typeof partial?.errorMessage === 'string' && partial.errorMessage !== '' ? partial.errorMessage : undefined };
      return response;
    },
  };
  const config = {
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
    ...(options.timeoutMillis !== undefined ? { timeoutMillis: options.timeoutMillis } : {}),
  };
  const merged = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': protobuf ? 'application/x-protobuf' : 'application/json' });
  const delegate = createOtlpHttpExportDelegate(
    { ...merged, headers: sendableHeaders(merged.headers) },
    serializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return new RejectionCountingExporter(delegate, last);
}
