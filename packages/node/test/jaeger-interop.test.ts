import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { createPropagator, resolvePropagators, startAgentspan } from '../src/index.js';

/**
 * Interop with services that still run the deprecated `jaeger-client`:
 * two real HTTP servers on loopback. The gateway traces with jaeger-client
 * (64-bit trace ids, `uber-trace-id`), calls the agent service, which runs
 * agentspan with the `jaeger` propagator; the agent calls the gateway back.
 * One trace end to end, in both directions.
 */

// jaeger-client is CommonJS without types: the few members used here.
interface JaegerSpanContext {
  toTraceId(): string;
  toSpanId(): string;
  parentIdStr: string | null;
}
interface JaegerSpan {
  context(): JaegerSpanContext;
  finish(): void;
}
interface JaegerTracer {
  startSpan(name: string, options?: { childOf?: JaegerSpanContext | JaegerSpan | null }): JaegerSpan;
  inject(ctx: JaegerSpanContext, format: string, carrier: Record<string, string>): void;
  extract(format: string, carrier: Record<string, unknown>): JaegerSpanContext | null;
  close(cb?: () => void): void;
}
interface JaegerClient {
  Tracer: new (service: string, reporter: unknown, sampler: unknown) => JaegerTracer;
  InMemoryReporter: new () => { spans: JaegerSpan[] };
  ConstSampler: new (decision: boolean) => unknown;
}
const jaeger = createRequire(import.meta.url)('jaeger-client') as JaegerClient;
const HTTP_HEADERS = 'http_headers'; // opentracing's FORMAT_HTTP_HEADERS

/** Jaeger ids print without leading zeros; the OTel propagator pads them. */
const bare = (id: string): string => id.replace(/^0+/, '');

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let db: TestSchema;
before(async () => {
  db = await createTestSchema('jaeger');
});
after(async () => {
  await db.drop();
});

test('jaeger-client caller → agentspan agent → jaeger-client callee: one trace, parents preserved both ways', async () => {
  const reporter = new jaeger.InMemoryReporter();
  const gatewayTracer = new jaeger.Tracer('gateway', reporter, new jaeger.ConstSampler(true));
  const memory = new InMemorySpanExporter();
  const agentspan = await startAgentspan(
    {
      serviceName: 'agent-service',
      databaseUrl: db.url,
      schema: db.schema,
      otlpEndpoint: false,
      propagators: ['tracecontext', 'baggage', 'jaeger'],
      spanProcessors: [new SimpleSpanProcessor(memory)],
      logger: { warn: () => undefined },
    },
    {},
  );

  // The gateway's callback route: what jaeger-client extracts from the agent's outgoing call.
  let callback: { extracted: JaegerSpanContext | null; span: JaegerSpan | undefined } = { extracted: null, span: undefined };
  let gatewayUrl = '';
  const gateway = await listen((req, res) => {
    const extracted = gatewayTracer.extract(HTTP_HEADERS, req.headers);
    const span = gatewayTracer.startSpan('gateway.callback', { childOf: extracted });
    span.finish();
    callback = { extracted, span };
    res.end('ok');
  });
  gatewayUrl = gateway.url;

  // The agent service: extracts the caller's context, records a run in it, calls the gateway back.
  const agentService = await listen((req, res) => {
    const incoming = propagation.extract(ROOT_CONTEXT, req.headers);
    void context.with(incoming, async () => {
      const run = agentspan.startRun({ runId: 'jaeger-run', task: 'answer the gateway' });
      const step = run.startNode('answer');
      step.agentCall({ agent: 'assistant', content: 'looking it up' });
      await step.with(async () => {
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        await fetch(`${gatewayUrl}/callback`, { headers });
      });
      step.end();
      run.end();
      res.end('done');
    });
  });

  // The caller: a jaeger-client span around an HTTP call to the agent.
  const root = gatewayTracer.startSpan('gateway.ask');
  const outgoing: Record<string, string> = {};
  gatewayTracer.inject(root.context(), HTTP_HEADERS, outgoing);
  assert.ok(outgoing['uber-trace-id'], 'jaeger-client wrote uber-trace-id');
  const reply = await fetch(`${agentService.url}/agent`, { headers: outgoing });
  assert.equal(await reply.text(), 'done');
  root.finish();

  await agentspan.forceFlush();
  const spans = memory.getFinishedSpans();
  await agentspan.shutdown();
  await agentService.close();
  await gateway.close();
  gatewayTracer.close();

  const jaegerTraceId = root.context().toTraceId();
  assert.ok(bare(jaegerTraceId).length <= 16, 'jaeger-client made a 64-bit trace id');
  const padded = jaegerTraceId.padStart(32, '0');

  // 1. The agent's spans joined the caller's trace, under the caller's span.
  const runSpan = spans.find((s) => s.name.startsWith('invoke_workflow'));
  const nodeSpan = spans.find((s) => s.name === 'node answer');
  assert.equal(runSpan?.spanContext().traceId, padded, 'left-padded 64-bit trace id');
  assert.equal(runSpan?.parentSpanContext?.spanId, root.context().toSpanId().padStart(16, '0'));
  assert.equal(runSpan?.parentSpanContext?.isRemote, true);
  assert.ok(spans.every((s) => s.spanContext().traceId === padded));
  const rows = await db.pool.query("SELECT trace_id FROM workflow_runs WHERE id = 'jaeger-run'");
  assert.deepEqual(rows.rows, [{ trace_id: padded }]);
  const events = await db.pool.query("SELECT trace_id, event_type FROM execution_events WHERE run_id = 'jaeger-run'");
  assert.deepEqual(events.rows, [{ trace_id: padded, event_type: 'agent_call' }]);

  // 2. The agent's outgoing call carried uber-trace-id: jaeger-client put the callback in the same trace, under the node.
  assert.ok(callback.extracted, 'jaeger-client extracted a context');
  assert.equal(bare(callback.extracted.toTraceId()), bare(jaegerTraceId));
  assert.equal(bare(callback.extracted.toSpanId()), bare(nodeSpan?.spanContext().spanId ?? 'missing'));
  assert.equal(bare(callback.span?.context().toTraceId() ?? ''), bare(jaegerTraceId));
  assert.deepEqual(
    reporter.spans.map((s) => bare(s.context().toTraceId())),
    [bare(jaegerTraceId), bare(jaegerTraceId)],
    'both jaeger-client spans (callback, ask) are in the one trace',
  );
});

test('propagators: option wins over OTEL_PROPAGATORS; unsupported env names warn, unsupported option names throw', () => {
  const warnings: string[] = [];
  assert.deepEqual(resolvePropagators(undefined, {}, warnings), ['tracecontext', 'baggage']);
  assert.deepEqual(resolvePropagators(undefined, { OTEL_PROPAGATORS: ' Jaeger , tracecontext,jaeger' }, warnings), ['jaeger', 'tracecontext']);
  assert.deepEqual(resolvePropagators(['baggage'], { OTEL_PROPAGATORS: 'jaeger' }, warnings), ['baggage']);
  assert.deepEqual(warnings, []);
  assert.deepEqual(resolvePropagators(undefined, { OTEL_PROPAGATORS: 'b3,xray' }, warnings), ['tracecontext', 'baggage']);
  assert.equal(warnings.length, 3);
  assert.deepEqual(resolvePropagators(undefined, { OTEL_PROPAGATORS: 'none,jaeger' }, []), ['none']);
  assert.throws(() => resolvePropagators(['b3' as never], {}, []), /unsupported propagator "b3"/);
  assert.deepEqual(createPropagator(['none']).fields(), []);
  assert.deepEqual(createPropagator(['jaeger']).fields(), ['uber-trace-id']);
});

test('OTEL_PROPAGATORS=jaeger alone: the global propagator reads and writes uber-trace-id only', async () => {
  const agentspan = await startAgentspan(
    { otlpEndpoint: false, logger: { warn: () => undefined } },
    { OTEL_PROPAGATORS: 'jaeger' } as never,
  );
  try {
    const ctx = propagation.extract(ROOT_CONTEXT, { 'uber-trace-id': 'abc123:def456:0:1', traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });
    assert.equal(trace.getSpanContext(ctx)?.traceId, '0000000000000000000000000000abc123'.slice(-32));
    const out: Record<string, string> = {};
    propagation.inject(ctx, out);
    assert.deepEqual(Object.keys(out), ['uber-trace-id']);
  } finally {
    await agentspan.shutdown();
  }
});
