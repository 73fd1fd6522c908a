import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { DeliveryStats } from '@agentspan/delivery';
import { startAgentspan } from '../src/index.js';

/**
 * What an OTLP backend rejects in a successful response (partial success) is
 * counted as dropped in `stats().otlp`, over JSON and over protobuf
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`). A real HTTP server answers
 * with the bytes a Collector sends.
 */

interface Request {
  contentType: string;
  body: Buffer;
}
const requests: Request[] = [];
/** The body of every answer (the content type follows the request's). */
let answer: (contentType: string) => Buffer = () => Buffer.from('{}');
let server: Server;
let url = '';

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type']);
      requests.push({ contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(answer(contentType));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}/v1/traces`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** `ExportTraceServiceResponse { partial_success { rejected_spans: n, error_message: message } }` in protobuf. */
function protobufRejecting(n: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const inner = Buffer.concat([Buffer.from([0x08, n, 0x12, text.length]), text]);
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}

async function recordThree(env: Record<string, string>): Promise<DeliveryStats> {
  const agentspan = await startAgentspan(
    { otlpEndpoint: url, registerGlobal: false, flushOnExit: false, spoolDir: false, logger: { warn: () => undefined } },
    env,
  );
  const run = agentspan.startRun({ runId: 'partial-success' });
  const node = run.startNode('n1');
  node.toolCall({ agent: 'a', tool: 'search', args: { q: 1 }, result: 'none' });
  node.end();
  run.end();
  await agentspan.shutdown();
  const otlp = agentspan.stats().otlp;
  assert.ok(otlp);
  return otlp;
}

test('JSON: spans the backend rejects count as dropped (rejected) with its message, not as exported', async () => {
  requests.length = 0;
  answer = () => Buffer.from(JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'one span too large' } }));
  const otlp = await recordThree({});
  assert.equal(requests[0]?.contentType, 'application/json');
  assert.equal(otlp.queued, 3); // run, node, tool
  assert.equal(otlp.dropped.rejected, requests.length, 'one rejected per request');
  assert.equal(otlp.exported, 3 - requests.length);
  assert.match(otlp.lastError ?? '', /rejected 1 of \d spans: one span too large/);
});

test('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: protobuf on the wire, and the rejection read from a protobuf answer', async () => {
  requests.length = 0;
  answer = () => protobufRejecting(2, 'bad');
  const otlp = await recordThree({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
  assert.ok(requests.length >= 1);
  for (const r of requests) {
    assert.equal(r.contentType, 'application/x-protobuf');
    assert.equal(r.body[0], 0x0a, 'ExportTraceServiceRequest field 1 (resource_spans), length-delimited');
  }
  assert.ok(requests.some((r) => r.body.includes(Buffer.from('execute_tool search'))), 'the span names travel as protobuf strings');
  const sent = 3;
  assert.equal(otlp.dropped.rejected + otlp.exported, sent);
  assert.ok(otlp.dropped.rejected >= 2);
});
