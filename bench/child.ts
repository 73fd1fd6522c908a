/**
 * One benchmark case, run in a process of its own so that one case's heap,
 * JIT state and leftover timers never colour another's numbers:
 *
 *   node --import tsx bench/child.ts <case> '<json options>'
 *
 * Prints its result as JSON on the last stdout line. Each case uses a schema
 * of its own and drops it before exiting.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { createHash } from 'node:crypto';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { Attr, EventType } from '@agentspan/semconv';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { startAgentspan, type Agentspan, type BatchOptions } from '@agentspan/node';
import { EXECUTION_EVENTS_COLUMNS, writeRowsInTransaction, type MappedRow } from '@agentspan/exporter-postgres';
import { createRedactor, extractCodeMetadata } from '@agentspan/extract';
import { testConnectionConfig } from '@agentspan/test-support';
import { benchSchema, emit, eventsCopyText, median, percentile, quietLogger, type BenchSchema } from './lib/common.js';
import { workloadRows } from './lib/rows.js';
import { codeSnippets2k, csv5k, driveWorkload } from './lib/workload.js';
import { cpuMeter, type CpuSpent } from './lib/cpu.js';

type Opts = Record<string, unknown>;
const num = (o: Opts, k: string, d: number): number => (typeof o[k] === 'number' ? (o[k] as number) : d);
/**
 * Untimed repetitions run before the timed ones of every throughput case
 * (JIT, connections, the server's caches): the figures are the steady state
 * of a process that has been running, for agentspan and baselines alike.
 */
const warmupReps = (o: Opts): number => num(o, 'warmupReps', 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const quoted = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** 1. The limit: COPY of agentspan's rows, from Node (pg-copy-streams) and from psql. */
async function copyCase(o: Opts): Promise<unknown> {
  const events = num(o, 'events', 50_000);
  const reps = num(o, 'reps', 5);
  const { events: rows } = await workloadRows(events);
  const text = eventsCopyText(rows);
  const db = await benchSchema('copy');
  const cols = EXECUTION_EVENTS_COLUMNS.map(quoted).join(', ');
  const copySql = `COPY ${quoted(db.schema)}.execution_events (${cols}) FROM STDIN`;
  const node: number[] = [];
  const nodeCpu: CpuSpent[] = [];
  const psql: number[] = [];
  let psqlNote: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-bench-copy-'));
  const file = join(dir, 'events.copy');
  writeFileSync(file, text);
  const cfg = testConnectionConfig();
  const psqlArgs = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', String(cfg.host ?? '127.0.0.1'), '-p', String(cfg.port ?? 5432), '-U', String(cfg.user ?? 'postgres'), '-d', String(cfg.database ?? 'test')];
  const hasPsql = spawnSync('psql', ['--version']).status === 0 && !cfg.connectionString;
  // psql's own start-up (connect, exit) is measured and subtracted: the limit is the COPY itself.
  const startup: number[] = [];
  if (hasPsql) {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      spawnSync('psql', [...psqlArgs, '-c', 'SELECT 1'], { stdio: 'ignore' });
      startup.push(performance.now() - t0);
    }
  } else psqlNote = 'psql not found (or DATABASE_URL set): the psql COPY case was skipped';
  try {
    for (let r = -warmupReps(o); r < reps; r++) {
      await db.reset();
      const client = await db.pool.connect();
      try {
        const cpu = cpuMeter();
        const t0 = performance.now();
        await client.query('BEGIN');
        await pipeline(Readable.from([text]), client.query(copyFrom(copySql)));
        await client.query('COMMIT');
        const ms = performance.now() - t0;
        if (r >= 0) {
          node.push(ms);
          nodeCpu.push(cpu());
        }
      } finally {
        client.release();
      }
      if ((await db.countEvents()) !== rows.length) throw new Error('COPY from Node wrote the wrong number of rows');
      if (hasPsql) {
        await db.reset();
        const t0 = performance.now();
        const p = spawnSync('psql', [...psqlArgs, '-c', `\\copy ${quoted(db.schema)}.execution_events (${cols}) FROM '${file}'`], { encoding: 'utf8' });
        const ms = performance.now() - t0 - median(startup);
        if (p.status !== 0) throw new Error(`psql failed: ${p.stderr}`);
        if (r >= 0) psql.push(ms);
        if ((await db.countEvents()) !== rows.length) throw new Error('COPY from psql wrote the wrong number of rows');
      }
    }
    const size = await db.pool.query<{ avg: string; total: string }>(
      `SELECT avg(pg_column_size(e.*))::int::text AS avg, pg_total_relation_size('execution_events')::text AS total FROM execution_events e`,
    );
    const idx = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'execution_events'`, [db.schema]);
    return {
      rows: rows.length,
      copyBytes: text.length,
      avgRowBytes: Number(size.rows[0]?.avg ?? 0),
      indexes: Number(idx.rows[0]?.n ?? 0),
      nodeMs: node,
      nodeCpu,
      psqlMs: psql,
      psqlStartupMs: median(startup),
      psqlNote,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

/** 3. The naive baseline: one autocommitted INSERT per event, as the system agentspan replaces did. */
async function naiveCase(o: Opts): Promise<unknown> {
  const events = num(o, 'events', 3000);
  const reps = num(o, 'reps', 5);
  const { events: rows } = await workloadRows(events);
  const db = await benchSchema('naive');
  const cols = EXECUTION_EVENTS_COLUMNS;
  const sql = `INSERT INTO execution_events (${cols.map(quoted).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
  const ms: number[] = [];
  try {
    for (let r = -warmupReps(o); r < reps; r++) {
      await db.reset();
      const client = await db.pool.connect();
      try {
        const t0 = performance.now();
        for (const row of rows) {
          const rec = row as unknown as Record<string, unknown>;
          await client.query(sql, cols.map((c) => {
            const v = rec[c];
            return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
          }));
        }
        if (r >= 0) ms.push(performance.now() - t0);
      } finally {
        client.release();
      }
    }
    return { rows: rows.length, ms };
  } finally {
    await db.drop();
  }
}

/** The write path alone (no recording): agentspan's row writer on prepared rows, one connection. */
async function writerCase(o: Opts): Promise<unknown> {
  const events = num(o, 'events', 50_000);
  const reps = num(o, 'reps', 5);
  const batch = num(o, 'batch', 1000);
  const method = o['method'] === 'unnest' ? 'unnest' : 'copy';
  const { all } = await workloadRows(events);
  const db = await benchSchema('writer');
  const ms: number[] = [];
  const cpu: CpuSpent[] = [];
  try {
    for (let r = -warmupReps(o); r < reps; r++) {
      await db.reset();
      const meter = cpuMeter();
      const t0 = performance.now();
      for (let i = 0; i < all.length; i += batch) {
        await writeRowsInTransaction(db.pool, db.schema, all.slice(i, i + batch) as MappedRow[], { maxBatchRows: batch, method });
      }
      const elapsed = performance.now() - t0;
      if (r >= 0) {
        ms.push(elapsed);
        cpu.push(meter());
      }
      if ((await db.countEvents()) !== events) throw new Error('writer wrote the wrong number of rows');
    }
    return { rows: events, ms, cpu };
  } finally {
    await db.drop();
  }
}

async function startBench(url: string, schema: string | undefined, o: Opts, extra: Parameters<typeof startAgentspan>[0] = {}): Promise<Agentspan> {
  const batch: BatchOptions = {};
  if (typeof o['batch'] === 'number') batch.maxExportBatchSize = o['batch'];
  if (typeof o['queue'] === 'number') batch.maxQueueSize = o['queue'];
  if (typeof o['concurrency'] === 'number') batch.maxConcurrentExports = o['concurrency'];
  return startAgentspan(
    {
      serviceName: 'agentspan-bench',
      databaseUrl: url,
      ...(schema ? { schema } : {}),
      spoolDir: false,
      otlpEndpoint: false,
      registerGlobal: false,
      flushOnExit: false,
      logger: quietLogger,
      postgresBatch: batch,
      ...(typeof o['pool'] === 'number' ? { postgresPoolSize: o['pool'] } : {}),
      ...(o['method'] === 'unnest' || o['method'] === 'copy' ? { postgresWriteMethod: o['method'] } : {}),
      ...extra,
    },
    {},
  );
}

/**
 * Queued spans above which the producing runs pause: four full batches by
 * default, enough that every writer always finds a full batch waiting (the
 * pipeline is never starved, so what is measured is its rate), without the
 * inventory an application that outruns its sink piles up. `pauseAbove`
 * overrides it (the knob rows measure what a fuller queue costs).
 */
function pauseAbove(o: Opts): number {
  const batch = num(o, 'batch', 1000);
  // Never at or past the queue's bound: with the spool off (as here) a full queue drops spans and the case fails.
  const queue = num(o, 'queue', 20_000);
  return num(o, 'pauseAbove', Math.min(4 * batch, queue - batch));
}

/** Records `events` in 10 concurrent runs and waits until every row is committed; ms per repetition. */
async function endToEnd(
  db: Pick<BenchSchema, 'url' | 'schema' | 'reset' | 'countEvents'>,
  o: Opts,
  reps: number,
  events: number,
  schemaOption: boolean,
): Promise<{ ms: number[]; cpu: CpuSpent[]; retried: number }> {
  const ms: number[] = [];
  const cpu: CpuSpent[] = [];
  let retried = 0;
  for (let r = -warmupReps(o); r < reps; r++) {
    await db.reset();
    const agentspan = await startBench(db.url, schemaOption ? db.schema : undefined, o);
    const limit = pauseAbove(o);
    const meter = cpuMeter();
    const t0 = performance.now();
    await driveWorkload(agentspan, { events, backpressure: () => (agentspan.stats().postgres?.queueDepth ?? 0) > limit });
    await agentspan.forceFlush();
    const n = await db.countEvents();
    const elapsed = performance.now() - t0;
    const spent = meter();
    const s = agentspan.stats().postgres;
    await agentspan.shutdown();
    if (n !== events || (s?.droppedTotal ?? 0) !== 0 || (s?.spooled ?? 0) !== 0) {
      throw new Error(`end to end: ${n} of ${events} rows, dropped ${s?.droppedTotal}, spooled ${s?.spooled}`);
    }
    if (r < 0) continue;
    retried += s?.retried ?? 0;
    ms.push(elapsed);
    cpu.push(spent);
  }
  return { ms, cpu, retried };
}

/** 2. agentspan end to end into Postgres, with the knobs in `o` (batch, queue, concurrency, pool). */
async function e2eCase(o: Opts): Promise<unknown> {
  const events = num(o, 'events', 50_000);
  const db = await benchSchema('e2e');
  try {
    const r = await endToEnd(db, o, num(o, 'reps', 5), events, true);
    return { rows: events, ...r };
  } finally {
    await db.drop();
  }
}

/** 7. The same through the embedded PGlite database of `examples/` (one connection). */
async function pgliteCase(o: Opts): Promise<unknown> {
  const { startEmbeddedDatabase } = await import('@agentspan/examples');
  const events = num(o, 'events', 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-bench-pglite-'));
  const embedded = await startEmbeddedDatabase(dir);
  const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
  try {
    // Create the tables once through agentspan itself.
    const first = await startBench(embedded.url, undefined, { ...o, pool: 1 });
    await first.shutdown();
    const db = {
      url: embedded.url,
      schema: 'public',
      async reset() {
        await pool.query('TRUNCATE execution_events, workflow_runs, dag_nodes');
      },
      async countEvents() {
        const r = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM execution_events');
        return Number(r.rows[0]?.n ?? 0);
      },
    };
    const r = await endToEnd(db, { ...o, pool: 1 }, num(o, 'reps', 5), events, false);
    return { rows: events, ...r };
  } finally {
    await pool.end();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

class NoopExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function summarise(samplesNs: readonly number[]): { medianUs: number; p99Us: number; meanUs: number } {
  const us = samplesNs.map((n) => n / 1000);
  return { medianUs: median(us), p99Us: percentile(us, 99), meanUs: us.reduce((a, b) => a + b, 0) / us.length };
}

/** Times `fn` once per sample (hrtime around each call); yields every `every` calls, untimed. */
async function sampleLoop(
  samples: number,
  warmup: number,
  every: number,
  fn: (i: number) => void,
  between?: () => Promise<void>,
  prepare?: (i: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    prepare?.(i); // untimed
    const t0 = process.hrtime.bigint();
    fn(i);
    const dt = Number(process.hrtime.bigint() - t0);
    if (i >= warmup) out.push(dt);
    if ((i + 1) % every === 0) {
      await yieldToLoop();
      if (between) await between();
    }
  }
  return out;
}

const OUTPUT = 'eu: mean=101.2 peak=12\n';

/** Work for {@link busyLoopLike}: arithmetic over a small array, nothing allocated, nothing called. */
const spinData = new Float64Array(1024).map((_, k) => k / 7);
let spinSink = 0;
function spin(n: number): void {
  let acc = 0;
  for (let k = 0; k < n; k++) acc += spinData[k & 1023]! * 1.0001;
  spinSink += acc;
}

/**
 * The latency of a pure computation (no allocation, no I/O, no agentspan
 * code, no memory touched beyond 8 KB) calibrated to a median of
 * `targetUs`: the least this machine (timer interrupts, the hypervisor, the
 * other core's work) adds to the tail of any call that long, measured with
 * the same loop as the calls.
 */
async function busyLoopLike(targetUs: number, samples: number, warmup: number, every: number): Promise<ReturnType<typeof summarise> & { iterations: number }> {
  let n = 1000;
  for (let round = 0; round < 6; round++) {
    const ns = await sampleLoop(1000, 100, every, () => spin(n));
    n = Math.max(1, Math.round((n * targetUs) / (median(ns) / 1000)));
  }
  return { ...summarise(await sampleLoop(samples, warmup, every, () => spin(n))), iterations: n };
}

/** The attributes a `codeExecution` of `code` ends with, after the processor (captured once, in memory). */
async function codeExecutionAttributes(code: string): Promise<Attributes> {
  const memory = new InMemorySpanExporter();
  const processor = new ExecutionEventSpanProcessor({ workspaceDir: tmpdir() });
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(memory)] });
  processor.setTracerProvider(provider);
  const recorder = createRecorder({ tracerProvider: provider });
  const run = recorder.startRun({ task: 'attributes', mode: 'bench' });
  const node = run.startNode('step_1', { agent: 'executor' });
  node.codeExecution({ agent: 'executor', language: 'python', code, output: OUTPUT, exitCode: 0, cwd: tmpdir() });
  node.end();
  run.end();
  await provider.forceFlush();
  const span = memory.getFinishedSpans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === EventType.CODE_EXEC);
  await provider.shutdown();
  if (!span) throw new Error('no code_exec span was recorded');
  return { ...span.attributes };
}

/** 4. Hot-path cost per event on the application thread. */
async function hotpathCase(o: Opts): Promise<unknown> {
  const samples = num(o, 'samples', 20_000);
  const warmup = num(o, 'warmup', 2000);
  const every = 100;
  const result: Record<string, unknown> = {};

  // Bare OTel: a span with four attributes, batched to an exporter that does nothing.
  {
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopExporter())] });
    const tracer = provider.getTracer('bench');
    const ns = await sampleLoop(samples, warmup, every, (i) => {
      const span = tracer.startSpan('execute_code python', { attributes: { 'gen_ai.operation.name': 'execute_code', 'gen_ai.agent.name': 'executor', 'code.language': 'python', 'agentspan.execution_order': i } });
      span.end();
    });
    await provider.shutdown();
    result['otelBare'] = summarise(ns);
  }

  // Distinct snippets, rotated per call: the same size and metadata, but no two consecutive calls see the same string.
  const VARIANTS = 256;
  const snippets = codeSnippets2k(false, VARIANTS);
  const snippetsFile = codeSnippets2k(true, VARIANTS);
  const snippet = snippets[0]!;
  // Where the time goes: the synchronous extraction and redaction alone, on the same snippets.
  {
    const ns = await sampleLoop(samples, warmup, every, (i) => extractCodeMetadata(snippets[i % VARIANTS]!, { language: 'python', output: OUTPUT, exitCode: 0 }));
    result['extractOnly'] = summarise(ns);
    const redactor = createRedactor();
    const ns2 = await sampleLoop(samples, warmup, every, (i) => redactor.redact(snippets[i % VARIANTS]!));
    result['redactOnly'] = summarise(ns2);
  }
  // The floor under any synchronous extraction in JavaScript on this machine: reading every character
  // of the snippet once (one charCodeAt pass, nothing else), and the SHA-256 code hash alone.
  {
    let sink = 0;
    const ns = await sampleLoop(samples, warmup, every, (i) => {
      const s = snippets[i % VARIANTS]!;
      for (let k = 0; k < s.length; k++) sink += s.charCodeAt(k) & 1;
    });
    result['floorScan'] = summarise(ns);
    result['floorSink'] = sink; // keeps the loop from being optimised away
    result['floorHash'] = summarise(await sampleLoop(samples, warmup, every, (i) => createHash('sha256').update(snippets[i % VARIANTS]!).digest('hex')));
  }
  // The SDK's own floor for this span: a bare span carrying every attribute a processed
  // codeExecution span ends with (copied from one), no agentspan code involved.
  {
    const attributes = await codeExecutionAttributes(snippet);
    result['codeSpanAttributes'] = Object.keys(attributes).length;
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopExporter())] });
    const tracer = provider.getTracer('bench');
    const ns = await sampleLoop(samples, warmup, every, (i) => {
      attributes[Attr.ATTR_EXECUTION_ORDER] = i;
      tracer.startSpan('execute_code python', { attributes }).end();
    });
    await provider.shutdown();
    result['otelSameAttributes'] = summarise(ns);
  }

  const db = await benchSchema('hotpath');
  const workspace = mkdtempSync(join(tmpdir(), 'agentspan-bench-ws-'));
  writeFileSync(join(workspace, 'results.csv'), csv5k());
  try {
    const variants: [string, string[], boolean][] = [
      ['agentspanNoDelivery', snippets, false],
      ['agentspanCode', snippets, true],
      ['agentspanCodeFile', snippetsFile, true],
    ];
    for (const [name, codes, delivery] of variants) {
      await db.reset();
      const agentspan = delivery
        ? await startBench(db.url, db.schema, o, { workspaceDir: workspace })
        : await startAgentspan({ serviceName: 'agentspan-bench', otlpEndpoint: false, registerGlobal: false, flushOnExit: false, spoolDir: false, logger: quietLogger, workspaceDir: workspace }, {});
      const run = agentspan.startRun({ task: 'hot path', mode: 'bench' });
      let node = run.startNode('step_1', { agent: 'executor' });
      const writesFile = codes === snippetsFile;
      const ns = await sampleLoop(
        samples,
        warmup,
        every,
        (i) => node.codeExecution({ agent: 'executor', language: 'python', code: codes[i % VARIANTS]!, output: OUTPUT, exitCode: 0, cwd: workspace }),
        async () => {
          while ((agentspan.stats().postgres?.queueDepth ?? 0) > 10_000) await sleep(1);
        },
        // A file is recorded once per node: a node per call, created untimed, so every call captures it.
        writesFile
          ? (i) => {
              node.end();
              node = run.startNode(`step_${i + 2}`, { agent: 'executor' });
            }
          : undefined,
      );
      node.end();
      run.end();
      await agentspan.forceFlush();
      const s = agentspan.stats().postgres;
      await agentspan.shutdown();
      result[name] = { ...summarise(ns), spans: s?.queued, dropped: s?.droppedTotal };
    }
    const code = result['agentspanCode'] as { medianUs: number };
    result['floorBusy'] = await busyLoopLike(code.medianUs, samples, warmup, every);
    result['spinSink'] = spinSink; // keeps the loop from being optimised away
    const files = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM execution_events WHERE event_type = 'file_gen'`);
    result['fileGenRows'] = Number(files.rows[0]?.n ?? 0);
    result['snippetBytes'] = Buffer.byteLength(snippet);
    result['fileBytes'] = csv5k().length;
    return result;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    await db.drop();
  }
}

/** 6. Peak RSS while `events` are recorded in one burst (a yield every 1000), Postgres up or down. */
async function rssCase(o: Opts): Promise<unknown> {
  const events = num(o, 'events', 200_000);
  const up = o['postgres'] !== 'down';
  const db = up ? await benchSchema('rss') : undefined;
  const spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-bench-spool-'));
  try {
    const url = db?.url ?? 'postgres://postgres@127.0.0.1:1/unreachable';
    const agentspan = await startAgentspan(
      { serviceName: 'agentspan-bench', databaseUrl: url, ...(db ? { schema: db.schema } : {}), spoolDir, otlpEndpoint: false, registerGlobal: false, flushOnExit: false, logger: quietLogger, postgresConnectTimeoutMs: 1000, shutdownTimeoutMillis: up ? 60_000 : 1000 },
      {},
    );
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let maxDepth = 0;
    const t0 = performance.now();
    const run = agentspan.startRun({ task: 'burst', mode: 'bench' });
    const node = run.startNode('step_1');
    const { recordEvent } = await import('./lib/workload.js');
    for (let i = 0; i < events; i++) {
      recordEvent(node, i);
      if ((i + 1) % 1000 === 0) {
        peak = Math.max(peak, process.memoryUsage().rss);
        maxDepth = Math.max(maxDepth, agentspan.stats().postgres?.queueDepth ?? 0);
        await yieldToLoop();
      }
    }
    node.end();
    run.end();
    const burstMs = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage().rss);
    const s = agentspan.stats().postgres;
    await agentspan.shutdown();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    return { events, postgres: up ? 'up' : 'down', baselineRss: baseline, peakRss: Math.max(peak, maxRss), burstMs, maxQueueDepth: maxDepth, spooled: s?.spooled, dropped: s?.droppedTotal, exported: s?.exported };
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
    await db?.drop();
  }
}

/** 5. Extraction throughput (bench/extract.bench.ts). */
async function extractCase(o: Opts): Promise<unknown> {
  const { runExtractBench } = await import('./extract.bench.js');
  const smoke = o['smoke'] === true;
  return runExtractBench(smoke ? { filter: (n) => n.startsWith('realistic: python corpus') || n === 'adv redact: spaces' } : {});
}

/**
 * The machine's speed at this moment, from two fixed loops that run no agentspan code: integer
 * arithmetic (registers only) and object churn (short-lived objects kept in a Map, the kind of
 * work recording and mapping spans do). This machine speeds up and slows down over minutes, and
 * memory-heavy code more than arithmetic; run.ts probes at the start and the end of a run so that
 * runs can be compared knowing the phase each met.
 */
async function probeCase(o: Opts): Promise<unknown> {
  const rounds = 5;
  const intIterations = o['smoke'] === true ? 1_000_000 : 20_000_000;
  const churnOps = o['smoke'] === true ? 20_000 : 400_000;
  let x = 1;
  const intNs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < intIterations; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
    intNs.push(Number(process.hrtime.bigint() - t0) / intIterations);
  }
  const churnNs: number[] = [];
  let kept = 0;
  for (let r = 0; r < rounds; r++) {
    const map = new Map<string, { i: number; s: string }>();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < churnOps; i++) map.set(`k${i & 4095}`, { i, s: `v${i}` });
    churnNs.push(Number(process.hrtime.bigint() - t0) / churnOps);
    kept += map.size;
  }
  return { intNs: median(intNs), churnNs: median(churnNs), sink: x + kept };
}

const cases: Record<string, (o: Opts) => Promise<unknown>> = {
  probe: probeCase,
  copy: copyCase,
  naive: naiveCase,
  writer: writerCase,
  e2e: e2eCase,
  pglite: pgliteCase,
  hotpath: hotpathCase,
  rss: rssCase,
  extract: extractCase,
};

const [name, json] = process.argv.slice(2);
const fn = name ? cases[name] : undefined;
if (!fn) {
  console.error(`usage: child.ts <${Object.keys(cases).join('|')}> '<json options>'`);
  process.exit(2);
}
try {
  emit(await fn(json ? (JSON.parse(json) as Opts) : {}));
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
