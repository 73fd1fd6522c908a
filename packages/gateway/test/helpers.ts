import { request as httpRequest } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import type { TestSchema } from '@agentspan/test-support';
import { nanosToHrTime, startGateway, type Gateway, type GatewayOptions, type ReceivedSpan } from '../src/index.js';

/** A gateway on a free port, writing to the test schema. */
export function startTestGateway(db: TestSchema, options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return startGateway({
    pool: db.pool,
    schema: db.schema,
    port: 0,
    logger: { info: () => undefined, warn: () => undefined },
    ...options,
  });
}

/** One `export()` of an official exporter, as a promise. */
export function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export function assertExported(result: ExportResult): void {
  if (result.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${result.error?.message ?? 'unknown'}`);
}

/** A raw HTTP request (for what the official exporters never send). */
export function post(
  url: string,
  body: Buffer | Uint8Array,
  headers: Record<string, string | number>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const T0 = 1_760_000_000_000; // ms since the epoch, a fixed day

/** Builds finished spans with chosen names, attributes, parents and times (ms after T0). */
export class SpanFactory {
  private readonly memory = new InMemorySpanExporter();
  private readonly tracer: Tracer;

  constructor(serviceName: string, scopeName = 'test') {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [new SimpleSpanProcessor(this.memory)],
    });
    this.tracer = provider.getTracer(scopeName, '1.0.0');
  }

  /** Starts a span (ended later with {@link end}). */
  start(name: string, attributes: Attributes, at: number, parent?: Span, kind: SpanKind = SpanKind.INTERNAL): Span {
    const ctx = parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent);
    return this.tracer.startSpan(name, { kind, attributes, startTime: T0 + at }, ctx);
  }

  end(span: Span, at: number, attributes: Attributes = {}, error?: string): void {
    span.setAttributes(attributes);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(T0 + at);
  }

  /** Finished spans, in end order (what a batch processor exports). */
  finished(): ReadableSpan[] {
    return this.memory.getFinishedSpans().slice();
  }
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function eventually(fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A decoded span for the pure plan and memory tests: span ids are `n + 1` in hex, times in nanoseconds. */
export function receivedSpan(o: {
  resource: ReceivedSpan['resource'];
  traceId: string;
  id: number;
  parent: number | undefined;
  start: number;
  end: number;
  attributes: Attributes;
  name?: string;
}): ReceivedSpan {
  const hex = (n: number): string => (n + 1).toString(16).padStart(16, '0');
  return {
    resource: o.resource,
    scope: { name: 'test', version: undefined, schemaUrl: undefined },
    traceId: o.traceId,
    spanId: hex(o.id),
    parentSpanId: o.parent === undefined ? undefined : hex(o.parent),
    traceState: undefined,
    name: o.name ?? `s${o.id}`,
    kind: SpanKind.INTERNAL,
    startTime: nanosToHrTime(BigInt(o.start)),
    endTime: nanosToHrTime(BigInt(o.end)),
    startNanos: BigInt(o.start),
    endNanos: BigInt(o.end),
    attributes: o.attributes,
    events: [],
    links: [],
    status: { code: SpanStatusCode.UNSET },
  };
}

/**
 * `pool` whose `query` never answers (the gateway's order lookups go through it) while
 * `connect` (the writes) works: a run's first request waits `orderLookupTimeoutMillis`.
 */
export function poolWithStuckQueries(pool: pg.Pool): pg.Pool {
  return new Proxy(pool, {
    get(target, key) {
      if (key === 'query') return () => new Promise(() => undefined);
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** `n` GenAI tool spans of one conversation (`step_<from>` …), one millisecond apart, ended. */
export function genAiToolSpans(service: string, n: number, conversation: string, from = 0): ReadableSpan[] {
  const f = new SpanFactory(service);
  for (let i = from; i < from + n; i++) {
    const s = f.start(`execute_tool step_${i}`, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'step',
      'gen_ai.conversation.id': conversation,
      'gen_ai.tool.call.arguments': JSON.stringify({ i }),
    }, i);
    f.end(s, i + 1);
  }
  return f.finished();
}
