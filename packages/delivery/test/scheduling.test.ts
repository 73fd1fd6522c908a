/** When the processor runs its next step, in an application whose event loop is otherwise idle. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryResult, type DeliverySink } from '../src/index.js';
import { memoryLogger, spanSource } from './helpers.js';

it('retries keep their pace while the application is idle, when failures are reported from a timer (a connect timeout)', async () => {
  const attempts: number[] = [];
  const sink: DeliverySink<string[]> = {
    destination: 'fake',
    idempotent: true,
    prepare: (spans: readonly ReadableSpan[]) => spans.map((s) => s.spanContext().spanId),
    // Like pg's connectionTimeoutMillis: the failure arrives from a timer callback, not from I/O.
    deliver: () => {
      attempts.push(Date.now());
      return new Promise<DeliveryResult>((resolve) => setTimeout(() => resolve({ kind: 'retry', error: new Error('timeout expired') }), 30));
    },
    shutdown: async () => {},
  };
  const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 10, retryInitialDelayMillis: 20, retryMaxDelayMillis: 100, logger: memoryLogger() });
  try {
    spanSource(p).emit(5);
    // The application is alive but does nothing else (a server waiting for requests).
    await new Promise((r) => setTimeout(r, 1500));
    // At most 130 ms per attempt (30 ms answer + up to 100 ms delay): about a dozen in 1.5 s. A pump
    // that waits for unrelated I/O after each timer-reported failure makes one or two.
    assert.ok(attempts.length >= 6, `attempts: ${attempts.length}`);
  } finally {
    await p.shutdownWithin(10);
  }
});
