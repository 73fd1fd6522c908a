/**
 * Run as a child process by shutdown.test.ts (not a test file itself): a gateway whose Postgres is a closed port and
 * which has no spool, one request waiting for its acknowledgement when shutdown begins. It prints one JSON line once
 * `shutdown()` resolved, then leaves the event loop to empty: the parent measures how long the process lives on.
 */
import { request } from 'node:http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { startGateway } from '../src/index.js';
import { genAiToolSpans } from './helpers.js';
import { closedPort, unreachablePostgresOptions } from './unreachable-postgres.js';

const shutdownTimeoutMillis = Number(process.argv[2] ?? 1000);
const ackTimeoutMillis = Number(process.argv[3] ?? 30_000);

/** One POST without a keep-alive agent (an idle client socket must not be what keeps this process alive). */
function post(url: string, body: Uint8Array): Promise<{ status: number; retryAfter: string | undefined } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

const port = await closedPort();
const gateway = await startGateway({
  ...unreachablePostgresOptions(port),
  ackTimeoutMillis,
  shutdownTimeoutMillis,
});
const answer = post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('unreachable-svc', 3, 'conv-unreachable')) as Uint8Array);
// Accepted (Postgres was not known to be down yet), replayed, and waiting for a commit that cannot come.
for (;;) {
  const s = gateway.stats();
  if (s.requestsInFlight === 1 && s.postgres.state === 'down' && s.postgres.queueDepth > 0) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const t0 = performance.now();
await gateway.shutdown();
const shutdownMillis = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ shutdownMillis, answer: await answer })}\n`);
