/**
 * OTLP partial success: spans a backend rejects in a successful response are
 * counted as dropped (`rejected`), not as exported. A real HTTP server
 * answers the exporter's real requests with the bytes a backend sends.
 */

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createOtlpHttpSpanExporter, DeliverySpanProcessor, exporterSink } from '../src/index.js';
import { spanSource } from './helpers.js';

interface Received {
  contentType: string | undefined;
  body: Buffer;
}

/** What the server answers next: status and body bytes (one entry per request, the last repeated). */
let answers: { status: number; body: Buffer | string }[] = [];
const received: Received[] = [];
let server: Server;
let url: string;

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** An `ExportTraceServiceResponse` in protobuf: field 1 (partial_success) holding field 1 (rejected_spans, varint) and 2 (error_message). */
function protobufPartialSuccess(rejected: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const inner = Buffer.concat([Buffer.from([0x08, rejected]), Buffer.from([0x12, text.length]), text]);
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}

function processor(exporter: Parameters<typeof exporterSink>[0]) {
  return new DeliverySpanProcessor(exporterSink(exporter, { destination: 'otlp' }), {
    scheduledDelayMillis: 10,
    maxExportBatchSize: 512,
    maxConcurrentExports: 1,
    logger: { warn: () => undefined, info: () => undefined },
  });
}

before(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      received.push({ contentType: req.headers['content-type'], body });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('OTLP partial success', () => {
  it('JSON: rejected spans are dropped (rejected), the rest exported, the backend message is the last error', async () => {
    received.length = 0;
    answers = [{ status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: '2', errorMessage: 'spans without a name' } }) }];
    const p = processor(createOtlpHttpSpanExporter({ url, encoding: 'json', timeoutMillis: 5000 }));
    const { emit } = spanSource(p);
    const ids = emit(5);
    await p.forceFlush();
    const s = p.stats();
    assert.equal(s.exported, 3);
    assert.equal(s.dropped.rejected, 2);
    assert.equal(s.droppedTotal, 2);
    assert.match(s.lastError ?? '', /the backend rejected 2 of 5 spans: spans without a name/);
    // What went over the wire: one JSON request holding the five spans.
    assert.equal(received.length, 1);
    assert.equal(received[0]!.contentType, 'application/json');
    const request = JSON.parse(received[0]!.body.toString('utf8')) as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
    const sent = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((ss) => ss.spans.map((sp) => sp.spanId)));
    assert.deepEqual([...sent].sort(), [...ids].sort());
    await p.shutdown();
  });

  it('protobuf: the rejected count is read from the binary response', async () => {
    received.length = 0;
    answers = [{ status: 200, body: protobufPartialSuccess(3, 'bad attributes') }];
    const p = processor(createOtlpHttpSpanExporter({ url, encoding: 'protobuf', timeoutMillis: 5000 }));
    spanSource(p).emit(4);
    await p.forceFlush();
    const s = p.stats();
    assert.equal(s.exported, 1);
    assert.equal(s.dropped.rejected, 3);
    assert.match(s.lastError ?? '', /rejected 3 of 4 spans: bad attributes/);
    assert.equal(received[0]!.contentType, 'application/x-protobuf');
    await p.shutdown();
  });

  it('a rejection belongs to its own export: the next full success exports all; a warning (0 rejected) and an unreadable body reject nothing', async () => {
    answers = [
      { status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: 1 } }) },
      { status: 200, body: '' },
      { status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: 0, errorMessage: 'a warning' } }) },
      { status: 200, body: 'not json' },
    ];
    const p = processor(createOtlpHttpSpanExporter({ url, encoding: 'json', timeoutMillis: 5000 }));
    const { emit } = spanSource(p);
    for (let round = 0; round < 4; round++) {
      emit(2);
      await p.forceFlush();
    }
    const s = p.stats();
    assert.equal(s.queued, 8);
    assert.equal(s.dropped.rejected, 1);
    assert.equal(s.exported, 7);
    await p.shutdown();
  });

  it('more rejected than sent counts the batch, no more; the upstream exporter still counts a partial success as exported', async () => {
    answers = [{ status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: '99' } }) }];
    const ours = processor(createOtlpHttpSpanExporter({ url, encoding: 'json', timeoutMillis: 5000 }));
    spanSource(ours).emit(3);
    await ours.forceFlush();
    assert.equal(ours.stats().dropped.rejected, 3);
    assert.equal(ours.stats().exported, 0);
    await ours.shutdown();

    const upstream = processor(new OTLPTraceExporter({ url, timeoutMillis: 5000 }));
    spanSource(upstream).emit(3);
    await upstream.forceFlush();
    assert.equal(upstream.stats().exported, 3, 'the limit documented for exporters that cannot report rejections');
    await upstream.shutdown();
  });
});
