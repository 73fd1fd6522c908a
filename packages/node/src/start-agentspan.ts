import { diag } from '@opentelemetry/api';
import { AlwaysOnSampler, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { DeliverySpanProcessor } from '@agentspan/delivery';
import { createRecorder, toRunReference, type AttachedRecorder, type RunReference } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { notReadyMessage, type PostgresSpanProcessor } from '@agentspan/exporter-postgres';
import { resolveOptions, type AgentspanEnv } from './config.js';
import { registerExitHooks } from './exit-hooks.js';
import { registerGlobals } from './global-registration.js';
import { buildResource } from './resource.js';
import { otlpPipeline, postgresPipeline } from './pipeline.js';
import { createPropagator, resolvePropagators, type PropagatorEnv } from './propagators.js';
import {
  DEFAULT_CHILD_ORDER_BLOCK,
  RUN_REFERENCE_ENV,
  TRACEPARENT_ENV,
  formatRunReference,
  parseRunReference,
} from './run-reference-env.js';
import type { Agentspan, AgentspanLogger, AgentspanOptions } from './types.js';
import { withoutNulls } from './option-checks.js';
import { WorkerBridge } from './worker-bridge.js';
import { timerMillis } from './timer-limit.js';

const consoleLogger: AgentspanLogger = {
  warn: (message) => console.warn(`[agentspan] ${message}`),
};

/** Deadline of the start-up migration attempt when no connect timeout is configured, ms. */
const STARTUP_MIGRATION_WAIT_MS = 5000;

/** A run or node handle, or a plain reference, as a reference. */

/**
 * Wires agentspan into this process and returns the recording API:
 *
 * 1. a `NodeTracerProvider` whose first span processor is the
 *    {@link ExecutionEventSpanProcessor} (stamping and synchronous extraction),
 * 2. then any `spanProcessors` you add,
 * 3. then a `PostgresSpanProcessor` (bounded queue, retries with backoff,
 *    disk spool, shutdown deadline) when `databaseUrl` is given,
 * 4. then a bounded delivery processor to OTLP/HTTP (Jaeger or a
 *    Collector) when an endpoint is configured;
 *
 * registered as the global tracer provider unless `registerGlobal: false`.
 * Migrations run at start, waiting at most the connect timeout (a database
 * that is down only produces a warning: they are retried before every
 * write). Unless `flushOnExit: false`, SIGTERM, SIGINT and `beforeExit`
 * flush, and `exit` spools what is left.
 *
 * @example
 * const agentspan = await startAgentspan({ databaseUrl: process.env.DATABASE_URL });
 * const run = agentspan.startRun({ task: 'Compute primes', mode: 'one-shot' });
 * run.startNode('step_1').agentCall({ agent: 'engineer', content: 'hello' });
 * run.end();
 * await agentspan.shutdown();
 */
export async function startAgentspan(given: AgentspanOptions = {}, env?: AgentspanEnv): Promise<Agentspan> {
  const options = withoutNulls(given); // null is "not given", as it always was
  const resolved = resolveOptions(options, env);
  const logger = options.logger ?? consoleLogger;
  for (const w of resolved.warnings) logger.warn(w);
  const propagatorWarnings: string[] = []; // checked before anything is created: a bad name in code throws here
  const propagators = resolvePropagators(options.propagators, (env ?? process.env) as PropagatorEnv, propagatorWarnings);
  for (const w of propagatorWarnings) logger.warn(w);

  const processor = new ExecutionEventSpanProcessor({
    workspaceDir: resolved.workspaceDir,
    captureContent: resolved.captureContent,
    ...(options.fileCapture ? { fileCapture: options.fileCapture } : {}),
    ...(options.redaction !== undefined ? { redaction: options.redaction } : {}),
    // The same bound as the recorder's: other instrumentations' messages and tool values are content too.
    ...(options.maxContentChars !== undefined ? { maxContentChars: options.maxContentChars } : {}),
  });

  const processors: SpanProcessor[] = [processor, ...(options.spanProcessors ?? [])];

  // Two independent queues: a slow or absent Jaeger never holds back Postgres, nor the other way round.
  let postgres: PostgresSpanProcessor | undefined;
  if (resolved.databaseUrl) {
    postgres = postgresPipeline({ ...resolved, databaseUrl: resolved.databaseUrl }, options, logger, (span) => processor.prepareRunning(span));
    processors.push(postgres);
  } else {
    logger.warn('no databaseUrl given: spans are not written to Postgres (pass databaseUrl to startAgentspan)');
  }

  let otlp: DeliverySpanProcessor<ReadableSpan[]> | undefined;
  if (resolved.otlpEndpoint) {
    otlp = otlpPipeline({ ...resolved, otlpEndpoint: resolved.otlpEndpoint }, options, logger);
    processors.push(otlp);
  }

  const provider = new NodeTracerProvider({
    resource: buildResource({
      envAttributes: resolved.envResourceAttributes,
      optionAttributes: resolved.resourceAttributes,
      serviceName: resolved.serviceName,
      // Span attributes are redacted in the processor; the resource never passes through it.
      redact: (text) => processor.redactText(text),
    }),
    spanProcessors: processors,
    // Explicit, so the SDK neither follows an unsampled parent nor reads OTEL_TRACES_SAMPLER: every run is recorded.
    sampler: options.sampler ?? new AlwaysOnSampler(),
  });
  processor.setTracerProvider(provider);

  const globals = resolved.registerGlobal ? registerGlobals(provider, createPropagator(propagators), (m) => logger.warn(m)) : undefined;

  if (postgres && resolved.migrate) {
    // Bounded: a database that is down (or a black hole) must not hold up the application's start.
    // With no connect timeout (0) the start waits as it does by default: a wait of 0 gave up at once and warned.
    const startupWait = options.postgresConnectTimeoutMs === undefined || options.postgresConnectTimeoutMs === 0 ? STARTUP_MIGRATION_WAIT_MS : options.postgresConnectTimeoutMs;
    const ready = await postgres.ready(timerMillis(startupWait));
    if (!ready.ok) {
      logger.warn(notReadyMessage(ready, options.schema));
    }
  }

  const recorder = createRecorder({
    tracerProvider: provider,
    ...(options.maxContentChars !== undefined ? { maxContentChars: options.maxContentChars } : {}),
  });

  /** Delivers or spools everything held, on both paths at once, within `timeoutMillis`. */
  const flushAll = async (timeoutMillis: number): Promise<void> => {
    await Promise.all([postgres?.flush(timeoutMillis), otlp?.flush(timeoutMillis)]);
  };
  const bridge = new WorkerBridge(recorder, () => flushAll(resolved.shutdownTimeoutMillis), (m) => logger.warn(m));
  /** Ends the events, nodes and runs the application left open (their rows would be lost), saying so once. */
  const endOpenHandles = (): number => {
    const ended = recorder.endOpen();
    if (ended > 0) logger.warn(`${ended} event(s), node(s) or run(s) were still open at shutdown; recorded as failed (runs: cancelled)`);
    return ended;
  };

  let shutdownPromise: Promise<void> | undefined;
  let unregisterExitHooks: (() => void) | undefined;
  let envWarned = false;
  const agentspan: Agentspan = {
    startRun: (o) => recorder.startRun(o),
    endOpen: endOpenHandles,
    openHandleStats: () => recorder.openHandleStats(),
    attach: (ref) => {
      const attached = recorder.attach(ref);
      let base: unknown;
      try {
        base = (ref as Partial<RunReference> | undefined)?.orderBase;
      } catch {
        // a hostile reference (a throwing getter): recorded into without a base, never thrown into the caller
      }
      if (typeof base === 'number') processor.continueExecutionOrder(attached.runId, base);
      return attached;
    },
    tracerProvider: provider,
    processor,
    serviceName: resolved.serviceName,
    stats: () => ({
      processor: processor.stats(),
      postgres: postgres?.stats(),
      otlp: otlp?.stats(),
      recorder: recorder.openHandleStats(),
    }),
    forceFlush: () => provider.forceFlush(),
    attachFromEnv(): AttachedRecorder | undefined {
      const warnings: string[] = [];
      const ref = parseRunReference(resolved.runReference, warnings);
      if (warnings.length > 0 && !envWarned) {
        envWarned = true;
        for (const w of warnings) logger.warn(w);
      }
      if (ref === undefined) return undefined;
      return agentspan.attach(ref);
    },
    childEnv(target, base = process.env, orderBlock = DEFAULT_CHILD_ORDER_BLOCK): NodeJS.ProcessEnv {
      const ref = toRunReference(target);
      const orderBase = processor.reserveExecutionOrders(ref.runId, orderBlock);
      return {
        ...base,
        [RUN_REFERENCE_ENV]: formatRunReference({ ...ref, orderBase }),
        [TRACEPARENT_ENV]: ref.traceparent,
      };
    },
    workerData: (target) => bridge.open(toRunReference(target)),
    shutdown: () => {
      shutdownPromise ??= (async () => {
        unregisterExitHooks?.();
        bridge.close(Math.min(1000, resolved.shutdownTimeoutMillis / 2)); // bounded: a worker may keep posting
        endOpenHandles(); // after the worker bridge: a worker's open events are ended there, with their own message
        try {
          await provider.shutdown();
        } catch (err) {
          diag.warn('agentspan: shutdown did not complete cleanly', err);
        }
        globals?.undo(); // only what agentspan registered: an application's own setup stays
      })();
      return shutdownPromise;
    },
  };

  if (resolved.flushOnExit) {
    unregisterExitHooks = registerExitHooks({
      flush: flushAll,
      endOpen: () => void endOpenHandles(),
      spillSync: () => {
        postgres?.spillAllSync();
        otlp?.spillAllSync(); // no spool: what is left is counted as dropped (exit)
      },
      pending: () => (postgres?.pending ?? 0) + (otlp?.pending ?? 0),
      timeoutMillis: resolved.shutdownTimeoutMillis,
    });
  }
  return agentspan;
}
