/** agentspan records every run: neither an unsampled upstream nor OTEL_TRACES_SAMPLER drops its spans. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, context, defaultTextMapGetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startAgentspan } from '../src/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

async function started(extra: { sampler?: AlwaysOffSampler } = {}) {
  const ended: ReadableSpan[] = [];
  const collector: SpanProcessor = { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const agentspan = await startAgentspan(
    { registerGlobal: false, flushOnExit: false, otlpEndpoint: false, spoolDir: false, spanProcessors: [collector], logger: { warn: () => {} }, ...extra },
    {},
  );
  return { agentspan, ended };
}

test('a run inside an unsampled upstream trace, and one attached through an unsampled reference, are recorded', async () => {
  process.env['OTEL_TRACES_SAMPLER'] = 'always_off'; // read by the SDK itself, unless a sampler is given
  try {
    const { agentspan, ended } = await started();
    const incoming = new W3CTraceContextPropagator().extract(
      ROOT_CONTEXT,
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
      defaultTextMapGetter,
    );
    context.with(incoming, () => {
      const run = agentspan.startRun({ runId: 'unsampled-upstream' });
      run.startNode('s1').agentCall({ agent: 'a', content: 'hello' });
      run.end();
    });
    agentspan
      .attach({ runId: 'unsampled-reference', nodeId: 'n', traceparent: '00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-00' })
      .toolCall({ agent: 'a', tool: 't' });
    await agentspan.shutdown();
    const names = ended.map((s) => `${String(s.attributes['agentspan.run.id'])} ${s.name}`).sort();
    assert.deepEqual(names, [
      'unsampled-reference execute_tool t',
      'unsampled-upstream invoke_agent a',
      'unsampled-upstream invoke_workflow workflow',
      'unsampled-upstream node s1',
    ]);
  } finally {
    delete process.env['OTEL_TRACES_SAMPLER'];
  }
});

test('a sampler given as an option is used', async () => {
  const { agentspan, ended } = await started({ sampler: new AlwaysOffSampler() });
  agentspan.startRun({ runId: 'sampled-out' }).end();
  await agentspan.shutdown();
  assert.equal(ended.length, 0);
});
