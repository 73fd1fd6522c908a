/** An application with its own OpenTelemetry setup: agentspan neither takes it over nor tears it down. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, context, createContextKey, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { startAgentspan } from '../src/index.js';

test("an application's own global setup stays in place, during and after agentspan's life", async () => {
  const appSpans = new InMemorySpanExporter();
  const app = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans)] });
  app.register();
  const warnings: string[] = [];
  const agentspan = await startAgentspan({ otlpEndpoint: false, spoolDir: false, flushOnExit: false, logger: { warn: (m) => warnings.push(m) } }, {});
  assert.ok(
    warnings.some((w) => /another OpenTelemetry setup is registered globally; its tracer provider, context manager, propagator stay/.test(w)),
    warnings.join('\n'),
  );
  const run = agentspan.startRun({ runId: 'r' });
  run.agentCall({ agent: 'a', content: 'hello' });
  run.end();
  assert.ok(agentspan.stats().processor.spansStamped >= 2, 'agentspan still records through its own provider');
  await agentspan.shutdown();

  trace.getTracer('app').startSpan('after agentspan shut down').end();
  assert.deepEqual(appSpans.getFinishedSpans().map((s) => s.name), ['after agentspan shut down']);
  const key = createContextKey('k');
  assert.equal(context.with(ROOT_CONTEXT.setValue(key, 'v'), () => context.active().getValue(key)), 'v', 'the context manager still works');
  assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate', 'baggage'], 'the propagator is still there');
  await app.shutdown();
});
