/**
 * Child process of timer-limits.test.ts (not a test itself: no `.test.` in its name). A flush waits on a
 * destination that never answers; shutdown, with a short deadline, gives up on it. The process must then exit
 * promptly: the flush's own 30 s wait must not hold the event loop. Prints `flush settled <ms>` once the
 * flush's promise settles, `shutdown done <ms>` once shutdown resolves.
 */
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, type DeliveryResult, type DeliverySink } from '../src/index.js';

const sink: DeliverySink<string[]> = {
  destination: 'blocked',
  idempotent: false,
  prepare: (spans: readonly ReadableSpan[]) => spans.map((s) => s.spanContext().spanId),
  deliver: () => new Promise<DeliveryResult>(() => {}), // never answers (nor holds the loop: no timer, no socket)
  shutdown: async () => {},
};
const p = new DeliverySpanProcessor(sink, { scheduledDelayMillis: 1, flushTimeoutMillis: 30_000, logger: { warn() {}, info() {} } });
const tracer = new BasicTracerProvider({ spanProcessors: [p] }).getTracer('child');
tracer.startSpan('s').end();
const start = Date.now();
void p.forceFlush().then(() => process.stdout.write(`flush settled ${Date.now() - start}\n`));
await new Promise((r) => setTimeout(r, 50));
await p.shutdownWithin(100);
process.stdout.write(`shutdown done ${Date.now() - start}\n`);
