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
import { spanSource, until } from './helpers.js';

const quiet = { warn: () => undefined, info: () => undefined };
/** Largest body the server takes, bytes (a Collector's `max_request_body_size`, scaled down). */
const LIMIT = 200_000;
let server: Server;
let url: string;
/** Span ids in the bodies the server took, with the times each came. */
const received = new Map<string, number>();
let requests = 0;
/** The status of a request that fits (200 unless a test says otherwise), by its number. */
let answer: (n: number) => number = () => 200;
/** How long the server takes to answer, ms. */
let latency = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks);
      const status = body.length > LIMIT ? 413 : answer(requests);
      setTimeout(() => {
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status === 413 ? 'request body too large' : 'backend failing');
          return;
        }
        const request = JSON.parse(body.toString('utf8')) as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
        for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) received.set(s.spanId, (received.get(s.spanId) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }, latency);
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

  it('a split whose parts fail otherwise before any was delivered fails as a whole: retried with retryFailed, never counted rejected', async () => {
    received.clear();
    requests = 0;
    // 413 for the whole batch, then the backend fails (500: not retried by the exporter) until it is repaired.
    let failing = true;
    answer = () => (failing ? 500 : 200);
    try {
      const p = new DeliverySpanProcessor(exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp', retryFailed: true }), {
        scheduledDelayMillis: 10,
        maxExportBatchSize: 512,
        maxConcurrentExports: 1,
        retryInitialDelayMillis: 20,
        retryMaxDelayMillis: 50,
        logger: quiet,
      });
      const ids = spanSource(p).emit(100, { content: 'x'.repeat(5000) });
      await until(() => requests >= 3, 5000, 'the split tried');
      failing = false;
      await until(() => p.stats().exported === 100, 5000, 'delivered once the backend is back');
      const s = p.stats();
      assert.equal(s.droppedTotal, 0, JSON.stringify(s.dropped));
      for (const id of ids) assert.equal(received.get(id), 1, `span ${id} delivered once`);
      await p.shutdown();

      // Without retryFailed: dropped as a failed export, as an unsplit batch's failure is.
      failing = true;
      const q = new DeliverySpanProcessor(exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp' }), { scheduledDelayMillis: 10, maxExportBatchSize: 512, logger: quiet });
      spanSource(q).emit(100, { content: 'x'.repeat(5000) });
      await q.forceFlush();
      assert.deepEqual([q.stats().dropped.export_failed, q.stats().dropped.rejected], [100, 0]);
      await q.shutdown();
    } finally {
      answer = () => 200;
    }
  });

  it('a split that fails after a part was delivered sends nothing more and counts the rest export_failed, each span sent once', async () => {
    received.clear();
    requests = 0;
    // 100 spans of ~5 KB: 413, halves of 50 (413), quarters of 25: the first is taken, then the backend fails.
    answer = (n) => (n <= 3 ? 200 : 500);
    try {
      const p = new DeliverySpanProcessor(exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp', retryFailed: true }), {
        scheduledDelayMillis: 10,
        maxExportBatchSize: 512,
        maxConcurrentExports: 1,
        retryInitialDelayMillis: 20,
        logger: quiet,
      });
      const ids = spanSource(p).emit(100, { content: 'x'.repeat(5000) });
      await p.forceFlush();
      const s = p.stats();
      assert.equal(requests, 4, 'no part sent after the failing one');
      assert.equal(s.exported, 25);
      assert.equal(s.dropped.export_failed, 75);
      assert.equal(s.dropped.rejected, 0);
      assert.equal(s.queued, s.exported + s.droppedTotal + s.queueDepth);
      assert.match(s.lastError ?? '', /75 of 100 spans failed after 25 were delivered/);
      for (const id of ids) assert.ok((received.get(id) ?? 0) <= 1, `span ${id} sent twice`);
      assert.equal([...received.values()].length, 25);
      await p.shutdown();
    } finally {
      answer = () => 200;
    }
  });

  it('a split sends no request after the attempt timed out (exportTimeoutMillis)', async () => {
    received.clear();
    requests = 0;
    latency = 300; // 413, 413, 200, 200, ...: the fifth request would start at ~1200 ms
    try {
      const p = new DeliverySpanProcessor(exporterSink(createOtlpHttpSpanExporter({ url }), { destination: 'otlp' }), {
        scheduledDelayMillis: 0,
        maxExportBatchSize: 512,
        maxConcurrentExports: 1,
        exportTimeoutMillis: 1000,
        logger: quiet,
      });
      spanSource(p).emit(100, { content: 'x'.repeat(5000) });
      await p.forceFlush();
      // The whole split takes 7 requests (100: 413, 50: 413, 25, 25, 50: 413, 25, 25), ~2100 ms: wait past it.
      await new Promise((r) => setTimeout(r, 2000));
      // Started by ~900 ms: at most 4 (fewer on a slow machine); the rest would start after the timeout.
      assert.ok(requests <= 4, `${requests} requests: some started after the attempt timed out`);
      assert.equal(p.stats().dropped.export_timeout, 100);
      await p.shutdown();
    } finally {
      latency = 0;
    }
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
