/**
 * OTLP headers Node's HTTP client would refuse (a name with a space, a value
 * with a line break once percent-decoded) are dropped before the request:
 * the upstream configuration reads OTEL_EXPORTER_OTLP_HEADERS from
 * process.env itself, and one such header failed every export. A real HTTP
 * server receives the requests.
 */

import assert from 'node:assert/strict';
import { createServer, validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createOtlpHttpSpanExporter, headerProblem } from '../src/index.js';

const seen: IncomingHttpHeaders[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function oneSpan(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.getTracer('t').startSpan('s').end();
  return memory.getFinishedSpans();
}

function exportOnce(exporter: ReturnType<typeof createOtlpHttpSpanExporter>): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(oneSpan(), resolve));
}

test('headers from OTEL_EXPORTER_OTLP_HEADERS that cannot be sent are dropped, the valid ones sent, the export succeeds', async () => {
  const saved = process.env['OTEL_EXPORTER_OTLP_HEADERS'];
  // `bad name` has a space; `x-line`'s value decodes to a line break (%0A): Node refuses both.
  process.env['OTEL_EXPORTER_OTLP_HEADERS'] = 'x-good=yes,bad name=1,x-line=a%0Ab';
  try {
    const exporter = createOtlpHttpSpanExporter({ url, headers: { 'x-option': 'kept', 'x-option-bad': 'v\r\nInjected: 1' } });
    seen.length = 0;
    const result = await exportOnce(exporter);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!['x-good'], 'yes');
    assert.equal(seen[0]!['x-option'], 'kept');
    for (const gone of ['bad name', 'x-line', 'x-option-bad', 'injected']) assert.equal(seen[0]![gone], undefined, gone);
    await exporter.shutdown();
  } finally {
    if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_HEADERS'];
    else process.env['OTEL_EXPORTER_OTLP_HEADERS'] = saved;
  }
});

test('headerProblem agrees with the HTTP client: a header passes it exactly when Node would send it', () => {
  const accepts = (name: string, value: string): boolean => {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      return true;
    } catch {
      return false;
    }
  };
  const text = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '\t', '\r', '\n', '\u0000', ':', '"', '\u007f', '\u00e9', '\u20ac', '\ud800'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })), maxLength: 12 });
  fc.assert(
    fc.property(text, text, (name, value) => {
      assert.equal(headerProblem(name, value) === undefined, accepts(name, value), JSON.stringify([name, value]));
    }),
    { numRuns: 2000 },
  );
});
