import { context, diag, propagation, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { PostgresExecutionEventExporter } from '@agentspan/exporter-postgres';
import { Attr } from '@agentspan/semconv';
import { resolveOptions, type AgentspanEnv } from './config.js';
import type { Agentspan, AgentspanLogger, AgentspanOptions, BatchOptions } from './types.js';

/** Defaults of the Postgres path: rows appear within half a second, in large batches. */
const POSTGRES_BATCH: Required<BatchOptions> = {
  maxQueueSize: 20_000,
  maxExportBatchSize: 1000,
  scheduledDelayMillis: 500,
  exportTimeoutMillis: 30_000,
};

/** Defaults of the OTLP path: the SDK's own, but exporting sooner. */
const OTLP_BATCH: Required<BatchOptions> = {
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 2000,
  exportTimeoutMillis: 30_000,
};

const consoleLogger: AgentspanLogger = {
  warn: (message) => console.warn(`[agentspan] ${message}`),
};

function batch(defaults: Required<BatchOptions>, given: BatchOptions | undefined): Required<BatchOptions> {
  return { ...defaults, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined)) };
}

/**
 * Wires agentspan into this process and returns the recording API:
 *
 * 1. a `NodeTracerProvider` whose first span processor is the
 *    {@link ExecutionEventSpanProcessor} (stamping and synchronous extraction),
 * 2. then any `spanProcessors` you add,
 * 3. then a batch processor to Postgres (`PostgresExecutionEventExporter`)
 *    when `databaseUrl` is given,
 * 4. then a batch processor to OTLP/HTTP (Jaeger or a Collector) when an
 *    endpoint is configured;
 *
 * registered as the global tracer provider unless `registerGlobal: false`.
 * Migrations run at start (a database that is down only produces a warning:
 * they are retried on the first export).
 *
 * @example
 * const agentspan = await startAgentspan({ databaseUrl: process.env.DATABASE_URL });
 * const run = agentspan.startRun({ task: 'Compute primes', mode: 'one-shot' });
 * run.startNode('step_1').agentCall({ agent: 'engineer', content: 'hello' });
 * run.end();
 * await agentspan.shutdown();
 */
export async function startAgentspan(options: AgentspanOptions = {}, env?: AgentspanEnv): Promise<Agentspan> {
  const resolved = resolveOptions(options, env);
  const logger = options.logger ?? consoleLogger;
  for (const w of resolved.warnings) logger.warn(w);

  const processor = new ExecutionEventSpanProcessor({
    workspaceDir: resolved.workspaceDir,
    captureContent: resolved.captureContent,
    ...(options.fileCapture ? { fileCapture: options.fileCapture } : {}),
    ...(options.redaction !== undefined ? { redaction: options.redaction } : {}),
  });

  const processors: SpanProcessor[] = [processor, ...(options.spanProcessors ?? [])];

  let postgres: PostgresExecutionEventExporter | undefined;
  if (resolved.databaseUrl) {
    postgres = new PostgresExecutionEventExporter({
      connectionString: resolved.databaseUrl,
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.postgresPoolSize !== undefined ? { poolSize: options.postgresPoolSize } : {}),
      migrate: true,
    });
    processors.push(new BatchSpanProcessor(postgres, batch(POSTGRES_BATCH, options.postgresBatch)));
  } else {
    logger.warn('no databaseUrl given: spans are not written to Postgres (pass databaseUrl to startAgentspan)');
  }

  if (resolved.otlpEndpoint) {
    const otlp = new OTLPTraceExporter({ url: resolved.otlpEndpoint, headers: resolved.otlpHeaders });
    processors.push(new BatchSpanProcessor(otlp, batch(OTLP_BATCH, options.otlpBatch)));
  }

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...(options.resourceAttributes ?? {}),
      [Attr.ATTR_SERVICE_NAME]: resolved.serviceName,
    }),
    spanProcessors: processors,
  });
  processor.setTracerProvider(provider);

  let registered = false;
  if (resolved.registerGlobal) {
    provider.register();
    registered = true;
  }

  if (postgres && resolved.migrate) {
    const ready = await postgres.migrate().then(
      () => true,
      (err: unknown) => {
        logger.warn(
          `could not prepare the Postgres schema yet (${err instanceof Error ? err.message : String(err)}); ` +
            'it is retried on the first export',
        );
        return false;
      },
    );
    if (!ready) diag.debug('agentspan: migrations deferred');
  }

  const recorder = createRecorder({
    tracerProvider: provider,
    ...(options.maxContentChars !== undefined ? { maxContentChars: options.maxContentChars } : {}),
  });

  let shutdownPromise: Promise<void> | undefined;
  return {
    startRun: (o) => recorder.startRun(o),
    attach: (ref) => recorder.attach(ref),
    tracerProvider: provider,
    processor,
    serviceName: resolved.serviceName,
    stats: () => ({
      processor: processor.stats(),
      postgres: postgres ? { ...postgres.stats() } : undefined,
    }),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      shutdownPromise ??= (async () => {
        try {
          await provider.shutdown();
        } catch (err) {
          diag.warn('agentspan: shutdown did not complete cleanly', err);
        }
        if (registered) {
          trace.disable();
          context.disable();
          propagation.disable();
        }
      })();
      return shutdownPromise;
    },
  };
}
