/**
 * Benchmark: gateway throughput, from a loopback sender to committed rows.
 *
 * 1. builds N spans shaped like AG2's (agent turns with their messages, tool
 *    calls with arguments and results, code executions with output; about
 *    1 KB of attributes each) with the OpenTelemetry SDK (not timed);
 * 2. starts a gateway on a free port writing to a scratch schema of the test
 *    Postgres;
 * 3. sends them with the official `@opentelemetry/exporter-trace-otlp-proto`
 *    exporter in batches of 512 (the SDK's BatchSpanProcessor batch size),
 *    C requests at a time, and times until the last request is answered:
 *    the gateway answers only once a request's spans are committed, so this
 *    is receipt → decode → processor → Postgres commit;
 * 4. checks the row count and prints a table and one JSON line.
 *
 * Run: `npm run bench -w @agentspan/gateway` (Postgres as for the tests).
 * Options (environment): BENCH_SPANS (default 50000), BENCH_CONCURRENCY
 * (default 4), BENCH_ENCODING (`proto` or `json`, default proto).
 */
import { cpus } from 'node:os';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTestSchema } from '@agentspan/test-support';
import { startGateway } from '../src/index.js';
import { SpanFactory } from '../test/helpers.js';

const N = Number(process.env['BENCH_SPANS'] ?? 50_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const ENCODING = process.env['BENCH_ENCODING'] === 'json' ? 'json' : 'proto';
const BATCH = 512;

const text = (role: string, content: string) => JSON.stringify([{ role, parts: [{ type: 'text', content }] }]);

/** Conversations of 50 spans: 20 agent turns, 20 tool calls, 10 code executions. */
function buildSpans(n: number, service = 'bench-agents'): ReadableSpan[] {
  const f = new SpanFactory(service, 'opentelemetry.instrumentation.ag2');
  let made = 0;
  let t = 0;
  for (let c = 0; made < n; c++) {
    for (let i = 0; i < 50 && made < n; i++, made++) {
      t += 2;
      const kind = i % 5;
      if (kind < 2) {
        const s = f.start(`invoke_agent agent_${kind}`, {
          'ag2.span.type': 'agent',
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': `agent_${kind}`,
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.conversation.id': `conversation-${c}`,
        }, t);
        f.end(s, t + 1, {
          'gen_ai.output.messages': text('assistant', `Step ${i} of conversation ${c}: I looked at data/input_${i}.csv and the mean is ${i * 1.5}. `.repeat(6)),
        });
      } else if (kind < 4) {
        const s = f.start('execute_tool search', {
          'ag2.span.type': 'tool',
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'search',
          'gen_ai.tool.call.id': `call_${c}_${i}`,
          'gen_ai.tool.call.arguments': JSON.stringify({ query: `observability of agent ${i}`, limit: 10 }),
        }, t);
        f.end(s, t + 1, { 'gen_ai.tool.call.result': JSON.stringify({ hits: Array.from({ length: 5 }, (_, k) => ({ title: `result ${k}`, score: k / 10 })) }) });
      } else {
        const s = f.start('execute_code executor', {
          'ag2.span.type': 'code_execution',
          'gen_ai.operation.name': 'execute_code',
          'gen_ai.agent.name': 'executor',
        }, t);
        f.end(s, t + 1, { 'ag2.code_execution.exit_code': 0, 'ag2.code_execution.output': `processed ${i} rows\n`.repeat(20) });
      }
    }
  }
  return f.finished();
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))),
  );
}

async function main(): Promise<void> {
  const spans = buildSpans(N);
  const db = await createTestSchema('bench_gateway');
  const gateway = await startGateway({
    pool: db.pool,
    schema: db.schema,
    port: 0,
    logger: { info: () => undefined, warn: (m) => console.error(m) },
  });
  try {
    const url = `${gateway.url}/v1/traces`;
    const exporters = Array.from({ length: CONCURRENCY }, () =>
      ENCODING === 'json' ? new JsonExporter({ url, timeoutMillis: 60_000 }) : new ProtoExporter({ url, timeoutMillis: 60_000 }),
    );
    // Warm-up: migrations, JIT, pool connections.
    await exportOnce(exporters[0] as SpanExporter, buildSpans(BATCH, 'bench-warmup'));
    const batches: ReadableSpan[][] = [];
    for (let i = 0; i < spans.length; i += BATCH) batches.push(spans.slice(i, i + BATCH));
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      exporters.map(async (exporter) => {
        while (next < batches.length) {
          const batch = batches[next++] as ReadableSpan[];
          await exportOnce(exporter, batch);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = await db.pool.query("SELECT COUNT(*)::int AS n FROM execution_events WHERE service_name = 'bench-agents'");
    await Promise.all(exporters.map((e) => e.shutdown()));
    const result = {
      bench: 'gateway',
      encoding: ENCODING,
      spans: spans.length,
      rows: rows.rows[0].n as number,
      batch: BATCH,
      concurrency: CONCURRENCY,
      seconds: Number(seconds.toFixed(3)),
      spansPerSecond: Math.round(spans.length / seconds),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    };
    console.log('| spans | encoding | batch × concurrency | seconds | spans/s (to committed rows) | rows |');
    console.log('| ---: | --- | --- | ---: | ---: | ---: |');
    console.log(`| ${result.spans} | ${result.encoding} | ${BATCH} × ${CONCURRENCY} | ${result.seconds} | ${result.spansPerSecond} | ${result.rows} |`);
    console.log(JSON.stringify(result));
    if (result.rows < spans.length) throw new Error(`only ${result.rows} of ${spans.length} rows written`);
  } finally {
    await gateway.shutdown();
    await db.drop();
  }
}

await main();
