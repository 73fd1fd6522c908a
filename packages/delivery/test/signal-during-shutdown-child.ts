/**
 * Child process of shutdown-settles.test.ts (not a test itself: no `.test.` in its name). The application shuts its
 * pipeline down while a SIGTERM comes; a listener does what `@agentspan/node`'s exit hook does when it alone handles
 * the signal: it flushes, removes itself and raises the signal again, which ends the process. The sink is an
 * exporter that acknowledges spans once it holds them and writes them out when it shuts down (asynchronously, as
 * an exporter batching on its own does): the process must not end before that write. Argument: the file to write.
 */
import { writeFile } from 'node:fs/promises';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DeliverySpanProcessor, exporterSink } from '../src/index.js';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: signal-during-shutdown-child.ts <file>');

const held: string[] = [];
const exporter: SpanExporter = {
  export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
    for (const s of spans) held.push(s.spanContext().spanId);
    setTimeout(() => done({ code: ExportResultCode.SUCCESS }), 50);
  },
  async shutdown() {
    await new Promise((r) => setTimeout(r, 300));
    await writeFile(out, JSON.stringify(held));
  },
};
const p = new DeliverySpanProcessor(exporterSink(exporter), { scheduledDelayMillis: 10_000, shutdownTimeoutMillis: 5000, logger: { warn() {}, info() {} } });
const tracer = new BasicTracerProvider({ spanProcessors: [p] }).getTracer('child');
for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();

function onSignal(): void {
  void p.flush(5000).then(() => {
    process.removeListener('SIGTERM', onSignal);
    process.kill(process.pid, 'SIGTERM');
  });
}
process.prependListener('SIGTERM', onSignal);
process.stdout.write('ready\n');
// The application's own shutdown, under way when the signal comes.
void p.shutdown();
process.kill(process.pid, 'SIGTERM');
