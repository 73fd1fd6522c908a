/**
 * `exporterSink().shutdown(ms)` with a deadline that is not a number (NaN, undefined from a JavaScript caller): it
 * takes the default shutdown deadline, as `flush(NaN)` and `shutdownWithin(NaN)` take the configured ones. Unchecked,
 * NaN became a 1 ms timer: shutdown returned while the exporter still sent what it held. Against a real OTLP/HTTP
 * server (node:http) and the real `createOtlpHttpSpanExporter`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createOtlpHttpSpanExporter, DELIVERY_DEFAULTS, exporterSink } from '../src/index.js';
import { spanSource } from './helpers.js';

/** How long the server takes to answer, ms. */
const LATENCY = 400;
let server: Server;
let url: string;
let answered = 0;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        answered++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }, LATENCY),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function spans(n: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  spanSource(new SimpleSpanProcessor(memory)).emit(n);
  return memory.getFinishedSpans();
}

for (const deadline of [Number.NaN, undefined]) {
  it(`shutdown(${String(deadline)}) waits for the export in flight (the default deadline), not 1 ms`, async () => {
    const sink = exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp' });
    const before = answered;
    let delivered = false;
    const delivery = sink.deliver(spans(3)).then((r) => {
      delivered = r.kind === 'delivered';
    });
    await new Promise((r) => setTimeout(r, 20)); // the request is on its way
    const start = Date.now();
    await sink.shutdown(deadline as unknown as number);
    const took = Date.now() - start;
    assert.equal(answered, before + 1, `shutdown returned after ${took} ms, before the export in flight was answered`);
    assert.ok(took < DELIVERY_DEFAULTS.shutdownTimeoutMillis, `took ${took} ms`);
    await delivery;
    assert.ok(delivered);
  });
}

it('a negative deadline is 0: shutdown does not wait', async () => {
  const sink = exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp' });
  const delivery = sink.deliver(spans(1));
  await new Promise((r) => setTimeout(r, 20));
  const start = Date.now();
  await sink.shutdown(-5);
  assert.ok(Date.now() - start < LATENCY / 2, `took ${Date.now() - start} ms`);
  await delivery;
});
