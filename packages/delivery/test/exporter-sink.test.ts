/**
 * `exporterSink` against a real OTLP/HTTP server (node:http) and the real
 * `createOtlpHttpSpanExporter`: request size limits (413) and shutdown.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createOtlpHttpSpanExporter, DeliverySpanProcessor, exporterSink } from '../src/index.js';
import { spanSource } from './helpers.js';

const quiet = { warn: () => undefined, info: () => undefined };
/** Largest body the server takes, bytes (a Collector's `max_request_body_size`, scaled down). */
const LIMIT = 200_000;
let server: Server;
let url: string;
/** Span ids in the bodies the server took, with the times each came. */
const received = new Map<string, number>();
let requests = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks);
      if (body.length > LIMIT) {
        res.writeHead(413, { 'content-type': 'text/plain' });
        res.end('request body too large');
        return;
      }
      const request = JSON.parse(body.toString('utf8')) as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
      for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) received.set(s.spanId, (received.get(s.spanId) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('exporterSink', () => {
  it('a batch the backend finds too large (413) is sent in smaller parts: only a span too large alone is lost, counted as rejected', async () => {
    received.clear();
    requests = 0;
    const p = new DeliverySpanProcessor(exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp' }), {
      scheduledDelayMillis: 10,
      maxExportBatchSize: 512,
      maxConcurrentExports: 1,
      logger: quiet,
    });
    const src = spanSource(p);
    const small = src.emit(100, { content: 'x'.repeat(5000) }); // ~500 KB in one batch
    const [huge] = src.emit(1, { content: 'y'.repeat(LIMIT) });
    await p.forceFlush();
    const s = p.stats();
    for (const id of small) assert.equal(received.get(id), 1, `span ${id} delivered once`);
    assert.equal(received.has(huge!), false);
    assert.equal(s.exported, 100);
    assert.equal(s.dropped.rejected, 1);
    assert.equal(s.dropped.export_failed, 0);
    assert.match(s.lastError ?? '', /rejected 1 of 101 spans: a span alone is larger/);
    assert.ok(requests < 20, `${requests} requests`);
    await p.shutdown();
  });

  it('await shutdown() returns at its deadline when the exporter\'s shutdown never settles, in a process with nothing else to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentspan-sink-'));
    try {
      const script = join(dir, 'hung-exporter.mjs');
      const index = new URL('../src/index.ts', import.meta.url).href;
      writeFileSync(
        script,
        `import { DeliverySpanProcessor, exporterSink } from ${JSON.stringify(index)};
         const exporter = { export: (spans, cb) => cb({ code: 0 }), shutdown: () => new Promise(() => {}) };
         const p = new DeliverySpanProcessor(exporterSink(exporter), { shutdownTimeoutMillis: 200 });
         await p.shutdown();
         process.stdout.write('after shutdown\\n');`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(out, 'after shutdown\n');
      assert.equal(code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
