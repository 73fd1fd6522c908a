/**
 * The gateway: an OTLP/HTTP traces endpoint whose spans go through
 * agentspan's processor into Postgres (and, optionally, on to Jaeger).
 *
 * A request is answered only when its fate is known: 200 once every span
 * bound for Postgres is committed or spooled (with `partial_success` for
 * spans rejected for bad ids), 4xx when it can never succeed, 429/503 with
 * `Retry-After` when it may succeed later. Senders retry 429 and 503, and
 * writes are idempotent, so nothing acknowledged is lost and nothing
 * retried is written twice.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { diag } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MAX_TIMER_MILLIS, type DeliveryLogger, type DeliveryStats } from '@agentspan/delivery';
import { ExecutionEventSpanProcessor, classifyForeignSpan, type ProcessorStats } from '@agentspan/processor';
import { cleanKey, notReadyMessage } from '@agentspan/exporter-postgres';
import { Attr, ForeignAttr as F } from '@agentspan/semconv';
import { Admission } from './admission.js';
import { bearerTokenCheck } from './auth.js';
import { BodyBudget } from './body-budget.js';
import { BodyError, CHUNK_SLACK_BYTES, contentEncodingOf, decodeContent, readBody } from './body-reader.js';
import { createForwarding, createPostgresDelivery } from './delivery-adapter.js';
import { FORWARDED_HEADER, GatedSpanProcessor, forwardsToItself } from './forward-loop.js';
import { EnvelopeMemory } from './envelope-memory.js';
import { DecodeError, TooManySpansError, decodeRequestInSteps } from './otlp-decode.js';
import type { DecodedRequest } from './otlp-model.js';
import { CONTENT_TYPES, encodingOf, errorBody, successBody, type OtlpEncoding } from './otlp-response.js';
import { planReplayInSteps, type ReplayPlan } from './replay-plan.js';
import { SLICE_MILLIS, runInSlices } from './slices.js';
import { TurnOrder } from './turn-order.js';
import { CutMarks, GATEWAY_DROPPED_META_KEY } from './cut-mark.js';
import { SpanCutCounter, type FirstCuts, type SpanCut } from './span-cuts.js';
import { MAX_RECEIVED_ATTRIBUTES } from './attribute-budget.js';
import { RunOrderSeeds, type MaxOrderQuery } from './run-order-seed.js';
import { countJsonContainers, countMessages, estimateReceivedBytes } from './request-budget.js';
import { otlpSchema } from './otlp-schema.js';
import { PipelinedConnections } from './pipelined-connections.js';
import { destroyAfter, lingerClose, stopReading } from './lingering-close.js';
import { REPLAY_SPAN_LIMITS, SpanReplayer } from './span-replay.js';
import { DeliveryTicket, type TicketOutcome } from './ticket.js';
import type { Gateway, GatewayLogger, GatewayOptions, GatewayStats } from './types.js';

/** Defaults of {@link GatewayOptions}. */
export const GATEWAY_DEFAULTS = Object.freeze({
  port: 4318,
  host: '127.0.0.1',
  path: '/v1/traces',
  maxBodyBytes: 16 * 1024 * 1024,
  maxConcurrentRequests: 4,
  maxWaitingRequests: 64,
  requestTimeoutMillis: 30_000,
  ackTimeoutMillis: 8000,
  retryAfterBusySeconds: 2,
  retryAfterUnavailableSeconds: 5,
  maxQueueSpans: 100_000,
  maxQueueBytes: 128 * 1024 * 1024,
  startupMigrationTimeoutMillis: 5000,
  shutdownTimeoutMillis: 10_000,
  runIdAttribute: Attr.ATTR_GEN_AI_CONVERSATION_ID,
  nodeIdAttribute: F.ATTR_OI_GRAPH_NODE_ID,
  maxAwaitedEnvelopes: 50_000,
  awaitedEnvelopeMaxAgeMillis: 60 * 60 * 1000,
  orderLookupTimeoutMillis: 1000,
});

/**
 * Runs remembered as looked up for their last execution order: the
 * processor's default `maxTrackedRuns` (it keeps the last orders of ten
 * times as many runs beyond it), so a run still remembered here is one whose
 * counter the processor still holds.
 */
const MAX_SEEDED_RUNS = 10_000;

/** Postgres pipeline defaults: senders wait for the commit, so batches leave quickly. */
const POSTGRES_DELIVERY_DEFAULTS = Object.freeze({
  scheduledDelayMillis: 50,
  maxExportBatchSize: 2000,
  maxConcurrentExports: 2,
});

/** Forwarding defaults: the OTLP path of `@agentspan/node`. */
const FORWARD_DELIVERY_DEFAULTS = Object.freeze({
  maxQueueSize: 20_000,
  maxQueueBytes: 64 * 1024 * 1024,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  maxConcurrentExports: 2,
});

/** Body bytes still read (and thrown away) after an early answer, so the sender gets to read it. */
const MAX_DISCARD_BYTES = 256 * 1024 * 1024;
const DISCARD_TIMEOUT_MILLIS = 5000;
/** Longest wait for the answer to a malformed or timed-out request to be written before its socket is closed anyway. */
const CLIENT_ERROR_CLOSE_MILLIS = 1000;
/** Longest a shutdown waits, once delivery has stopped, for the answers of requests still in flight (see shutdown). */
const ANSWER_GRACE_MILLIS = 100;
/** How often a request waiting for its commit checks whether Postgres went down (to spool instead). */
const ACK_POLL_MILLIS = 100;

const diagLogger: GatewayLogger = { info: (m) => diag.info(m), warn: (m) => diag.warn(m) };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function cutMessage(status: number): string {
  return status === 408 ? 'the request did not arrive whole within requestTimeoutMillis' : 'malformed HTTP request';
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`agentspan gateway: \`${name}\` must be a positive integer, got ${String(value)}`);
  return v;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`agentspan gateway: \`${name}\` must be a non-negative integer, got ${String(value)}`);
  return v;
}

/**
 * A millisecond option the gateway times with a timer: checked as the others, then clamped to what a Node timer
 * takes (2^31 - 1 ms, about 24.8 days). Clamped, not refused, as `orderLookupTimeoutMillis` always was (and
 * `@agentspan/node`'s `shutdownTimeoutMillis`): "wait as long as it takes" written as a huge number means that,
 * where a timer given more fires after 1 ms (a shutdown that stopped waiting at once).
 */
function timerMillis(value: number): number {
  return Math.min(value, MAX_TIMER_MILLIS);
}

function emptyProcessorStats(): ProcessorStats {
  return { spansStamped: 0, spansEnriched: 0, filesDetected: 0, filesCaptured: 0, redactions: 0, failures: 0 };
}

/** Throws a RangeError when `forwardUrl` is the gateway's own address: every span would come back to it for ever. */
function assertNotForwardingToItself(forwardUrl: string, listen: { host: string; port: number }): void {
  if (!forwardsToItself(forwardUrl, listen)) return;
  throw new RangeError(
    `agentspan gateway: forwardUrl ${forwardUrl} is this gateway's own address (it listens on ${listen.host}:${listen.port}); ` +
      'every span would be forwarded back to it for ever. Forward to Jaeger or a Collector on another port or host ' +
      '(e.g. http://jaeger:4318/v1/traces), or listen on another port',
  );
}

/**
 * Reads and throws away what is left of a request body, for at most {@link DISCARD_TIMEOUT_MILLIS} and
 * {@link MAX_DISCARD_BYTES}; past either, `giveUp` is called (once) and the body is read no further.
 */
function discardRest(req: IncomingMessage, giveUp: () => void): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  let done = false;
  const stop = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
    if (!req.complete && !req.destroyed) giveUp();
  };
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > MAX_DISCARD_BYTES) stop();
  };
  const timer = setTimeout(stop, DISCARD_TIMEOUT_MILLIS);
  timer.unref();
  req.on('data', onData);
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.on('error', () => undefined);
  req.resume();
}

/** The run ids the spans of a plan are placed in (the processor numbers the events of these runs). */
function runIdsOf(plan: ReplayPlan): Set<string> {
  const ids = new Set<string>();
  for (const p of plan.spans) {
    const run = p.attributes[Attr.ATTR_RUN_ID];
    if (typeof run === 'string' && run !== '') ids.add(run);
  }
  return ids;
}

/** `execution_events` as the exporter names it: in `schema`, else where the connection's search_path finds it. */
function eventsTable(schema: string | undefined): string {
  return schema === undefined ? 'execution_events' : `"${schema.replace(/"/g, '""')}".execution_events`;
}

/**
 * The query of the last execution order of runs: one statement for all of
 * them, each an index scan of `(run_id, execution_order)` from its end.
 */
function maxOrderQuery(pool: pg.Pool, schema: string | undefined): MaxOrderQuery {
  const text =
    `SELECT r.id AS run_id, (SELECT max(e.execution_order) FROM ${eventsTable(schema)} e WHERE e.run_id = r.id) AS max_order ` +
    'FROM unnest($1::text[]) AS r(id)';
  return async (runIds) => {
    // Looked up as stored: a run id Postgres refuses as it is (a NUL, a lone surrogate) is stored cleaned
    // (`cleanKey`), and sent as it is, it would make the whole query fail, for every run of the request.
    const stored = new Map<string, string>();
    for (const id of runIds) stored.set(cleanKey(id), id);
    const result = await pool.query<{ run_id: string; max_order: number | null }>(text, [[...stored.keys()]]);
    const out = new Map<string, number>();
    for (const row of result.rows) {
      const id = stored.get(row.run_id);
      if (id !== undefined && row.max_order !== null) out.set(id, Number(row.max_order));
    }
    return out;
  };
}

/**
 * Starts a gateway and resolves once it listens (and the migrations ran,
 * or `startupMigrationTimeoutMillis` passed). Bad options throw.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (options === null || typeof options !== 'object') throw new TypeError('agentspan gateway: options are required');
  if (options.pool === undefined && (options.databaseUrl === undefined || options.databaseUrl === '')) {
    throw new TypeError('agentspan gateway: give `databaseUrl` or `pool`');
  }
  const d = GATEWAY_DEFAULTS;
  const logger = options.logger ?? diagLogger;
  const port = options.port ?? d.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`agentspan gateway: bad port ${String(options.port)}`);
  const host = options.host ?? d.host;
  const path = options.path ?? d.path;
  const maxBodyBytes = positiveInt('maxBodyBytes', options.maxBodyBytes, d.maxBodyBytes);
  const ackTimeout = timerMillis(positiveInt('ackTimeoutMillis', options.ackTimeoutMillis, d.ackTimeoutMillis));
  const requestTimeout = timerMillis(positiveInt('requestTimeoutMillis', options.requestTimeoutMillis, d.requestTimeoutMillis));
  const maxQueueSpans = positiveInt('maxQueueSpans', options.maxQueueSpans, d.maxQueueSpans);
  const maxQueueBytes = positiveInt('maxQueueBytes', options.maxQueueBytes, d.maxQueueBytes);
  // An eighth of the body limit: 2 million values for 16 MiB, room for 700 spans of 1536-float embeddings.
  const maxDecodedValues = positiveInt('maxDecodedValues', options.maxDecodedValues, Math.max(100_000, Math.floor(maxBodyBytes / 8)));
  const retryBusy = positiveInt('retryAfterBusySeconds', options.retryAfterBusySeconds, d.retryAfterBusySeconds);
  const retryUnavailable = positiveInt('retryAfterUnavailableSeconds', options.retryAfterUnavailableSeconds, d.retryAfterUnavailableSeconds);
  const shutdownTimeout = timerMillis(positiveInt('shutdownTimeoutMillis', options.shutdownTimeoutMillis, d.shutdownTimeoutMillis));
  const startupMigrationTimeout = timerMillis(
    nonNegativeInt('startupMigrationTimeoutMillis', options.startupMigrationTimeoutMillis, d.startupMigrationTimeoutMillis),
  );
  const maxAwaitedEnvelopes = positiveInt('maxAwaitedEnvelopes', options.maxAwaitedEnvelopes, d.maxAwaitedEnvelopes);
  const awaitedEnvelopeMaxAge = positiveInt('awaitedEnvelopeMaxAgeMillis', options.awaitedEnvelopeMaxAgeMillis, d.awaitedEnvelopeMaxAgeMillis);
  // Also what Postgres' statement_timeout takes.
  const orderLookupTimeout = timerMillis(positiveInt('orderLookupTimeoutMillis', options.orderLookupTimeoutMillis, d.orderLookupTimeoutMillis));
  const maxConcurrentRequests = positiveInt('maxConcurrentRequests', options.maxConcurrentRequests, d.maxConcurrentRequests);
  const admission = new Admission(maxConcurrentRequests, Math.max(0, Math.floor(options.maxWaitingRequests ?? d.maxWaitingRequests)));
  // Bodies are read before their request takes a turn (a trickling sender must not hold one); what they hold at
  // once is bounded as it was when only the requests holding a turn read theirs (with room for the small first and
  // last chunks of a body, charged more than their bytes: see MIN_CHUNK_COST).
  const bodyBudget = new BodyBudget(maxConcurrentRequests * (maxBodyBytes + CHUNK_SLACK_BYTES));
  const authorized = options.authTokens && options.authTokens.length > 0 ? bearerTokenCheck(options.authTokens) : undefined;
  const captureContent = options.captureContent ?? true;
  const runIdAttribute = options.runIdAttribute === null ? undefined : (options.runIdAttribute ?? d.runIdAttribute);
  const nodeIdAttribute = options.nodeIdAttribute === null ? undefined : (options.nodeIdAttribute ?? d.nodeIdAttribute);
  const deliveryLogger: DeliveryLogger = { warn: (m) => logger.warn(m), info: (m) => logger.info(m) };
  const forwardUrl = options.forwardUrl !== undefined && options.forwardUrl !== '' ? options.forwardUrl : undefined;
  // With port 0 (a free port chosen when listening) no URL can name it in advance.
  if (forwardUrl !== undefined && port !== 0) assertNotForwardingToItself(forwardUrl, { host, port });

  const postgres = createPostgresDelivery({
    connectionString: options.databaseUrl,
    pool: options.pool,
    schema: options.schema,
    migrate: options.migrate ?? true,
    poolSize: options.poolSize,
    // Checked, and clamped past what a timer (and Postgres) takes, by the exporter itself.
    statementTimeoutMs: options.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    spoolDir: options.spoolDir,
    maxSpoolBytes: options.maxSpoolBytes,
    delivery: {
      ...POSTGRES_DELIVERY_DEFAULTS,
      shutdownTimeoutMillis: shutdownTimeout,
      ...(options.postgresDelivery ?? {}),
      maxQueueSize: maxQueueSpans,
      maxQueueBytes,
      logger: deliveryLogger,
    },
  });
  const forward =
    forwardUrl !== undefined
      ? createForwarding({
          url: forwardUrl,
          headers: options.forwardHeaders,
          delivery: { ...FORWARD_DELIVERY_DEFAULTS, shutdownTimeoutMillis: shutdownTimeout, logger: deliveryLogger },
        })
      : undefined;

  // One agentspan processor per service with a shared workspace (file capture), one for every other service.
  const processorOptions = {
    captureContent,
    ...(options.redaction !== undefined ? { redaction: options.redaction } : {}),
  };
  const defaultProcessor = new ExecutionEventSpanProcessor({ ...processorOptions, fileCapture: { enabled: false } });
  const serviceProcessors = new Map<string, ExecutionEventSpanProcessor>();
  for (const [service, ws] of Object.entries(options.workspaces ?? {})) {
    serviceProcessors.set(
      service,
      new ExecutionEventSpanProcessor({
        ...processorOptions,
        workspaceDir: ws.workspaceDir,
        fileCapture: { ...(ws.fileCapture ?? {}), enabled: true, roots: ws.roots ?? [ws.workspaceDir] },
      }),
    );
  }
  const allProcessors = [defaultProcessor, ...serviceProcessors.values()];
  // Spans of a request that was itself forwarded (FORWARDED_HEADER) are stored but not forwarded again.
  const forwardGate = forward ? new GatedSpanProcessor(forward) : undefined;
  const exporting: SpanProcessor[] = forwardGate ? [postgres.processor, forwardGate] : [postgres.processor];
  // Right after agentspan's processor: marks what the replay left out of a span, once the processor has written its own.
  const cutMarks = new CutMarks();
  /** What the replay left out of spans, counted once per span (a retried request is not counted again). */
  const cutCounter = new SpanCutCounter();
  const replayer = new SpanReplayer({
    processorsFor: (service) => [(service !== undefined ? serviceProcessors.get(service) : undefined) ?? defaultProcessor, cutMarks, ...exporting],
    onCut: (span, received, cut) => {
      cutMarks.expect(span, cut);
      const first = cutCounter.count(received.traceId, received.spanId, cut);
      try {
        logFirstCuts(first, cut);
      } catch {
        // A logger that throws must not fail the replay (the count is taken).
      }
    },
    // The run spans made from trace roots reuse the root's span id: only Postgres gets them.
    ...(forwardGate !== undefined ? { withoutForwarding: (fn: () => void) => forwardGate.withoutForwarding(fn) } : {}),
  });
  for (const p of allProcessors) p.setTracerProvider(replayer.tracerProvider);

  // Agent envelopes whose model turns came in an earlier request (see envelope-memory.ts).
  const envelopes = new EnvelopeMemory({
    maxEntries: maxAwaitedEnvelopes,
    maxAgeMillis: awaitedEnvelopeMaxAge,
    kindOf: (a) => classifyForeignSpan(a)?.kind,
    attributeCountLimit: REPLAY_SPAN_LIMITS.attributeCountLimit,
  });
  const planOptions = {
    runIdAttribute,
    nodeIdAttribute,
    captureContent,
    isForeignAgentSpan: (a: Parameters<typeof classifyForeignSpan>[0]) => classifyForeignSpan(a) !== undefined,
    // A span whose parent came in an earlier request inherits what the memory kept of it (its run, node, depth).
    placementOf: (traceId: string, spanId: string) => envelopes.placementOf(traceId, spanId),
  };

  // Execution orders that continue after a restart: the last order of runs new to this process, read from Postgres.
  // A pool of one connection of its own when given a URL (the exporter's pool is its own), else the pool given.
  const lookupPool =
    options.pool ??
    new pg.Pool({
      connectionString: options.databaseUrl,
      max: 1,
      statement_timeout: Math.min(Math.max(orderLookupTimeout, 1000) * 5, MAX_TIMER_MILLIS),
      connectionTimeoutMillis: orderLookupTimeout,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: 'agentspan-gateway',
    });
  const ownsLookupPool = options.pool === undefined;
  if (ownsLookupPool) lookupPool.on('error', () => undefined); // an idle connection lost: the pool replaces it
  let orderFallbackLogged = false;
  const orderSeeds = new RunOrderSeeds({
    query: maxOrderQuery(lookupPool, options.schema),
    continueAfter: (runId, order) => {
      for (const p of allProcessors) p.continueExecutionOrder(runId, order);
    },
    available: () => postgres.stats().state !== 'down',
    timeoutMillis: orderLookupTimeout,
    maxRuns: MAX_SEEDED_RUNS,
    maxLookups: maxConcurrentRequests,
    onFallback: (reason) => {
      if (orderFallbackLogged) return;
      orderFallbackLogged = true;
      logger.warn(
        `agentspan gateway: the last execution order of new runs could not be read from Postgres (${reason}); ` +
          'their events are numbered from this process\'s own counter, which may repeat orders an earlier process wrote. ' +
          'Counted in stats().orders.fallbacks (logged once)',
      );
    },
  });
  /** Requests are planned in the order they were read, and replayed in the order they were planned (see exportRequest). */
  const planOrder = new TurnOrder();
  const replayOrder = new TurnOrder();
  let envelopeLossLogged = false;
  let envelopeFailureLogged = false;

  /** Logs the first span that lost attributes, events or links (once each: the counts are in stats()). */
  function logFirstCuts(first: FirstCuts, cut: SpanCut): void {
    const mark = `its row is marked meta.truncated and meta.${GATEWAY_DROPPED_META_KEY}`;
    if (first.attributes) {
      logger.warn(
        `agentspan gateway: a span came with more than ${MAX_RECEIVED_ATTRIBUTES} attributes; the ones agentspan reads were kept, ` +
          `${cut.attributes} others were left out (${mark}). Counted in stats().attributesDropped (logged once)`,
      );
    }
    if (first.events) {
      logger.warn(
        `agentspan gateway: a span came with more than ${REPLAY_SPAN_LIMITS.eventCountLimit ?? 0} events or an event with more than ` +
          `${REPLAY_SPAN_LIMITS.attributePerEventCountLimit ?? 0} attributes; ${cut.events} events and ${cut.eventAttributes} event attributes ` +
          `were dropped (${mark}). Counted in stats().eventsDropped (logged once)`,
      );
    }
    if (first.links) {
      logger.warn(
        `agentspan gateway: a span came with more than ${REPLAY_SPAN_LIMITS.linkCountLimit ?? 0} links or a link with more than ` +
          `${REPLAY_SPAN_LIMITS.attributePerLinkCountLimit ?? 0} attributes; ${cut.links} links and ${cut.linkAttributes} link attributes ` +
          `were dropped (${mark}). Counted in stats().linksDropped (logged once)`,
      );
    }
  }

  /** Marks the plan's envelopes whose turns came earlier and remembers its turns' parents; never throws. */
  function applyEnvelopeMemory(plan: ReplayPlan): void {
    try {
      envelopes.apply(plan);
    } catch (err) {
      // Replayed without the cross-request facts: as before the memory existed (an envelope may become a row).
      if (!envelopeFailureLogged) {
        envelopeFailureLogged = true;
        logger.warn(`agentspan gateway: the envelope memory failed on a request (logged once): ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    if (!envelopeLossLogged) {
      const s = envelopes.stats();
      if (s.evicted + s.expired > 0) {
        envelopeLossLogged = true;
        logger.warn(
          `agentspan gateway: an agent envelope awaited after its model turns was forgotten (${s.evicted > 0 ? `maxAwaitedEnvelopes ${maxAwaitedEnvelopes} reached` : `older than awaitedEnvelopeMaxAgeMillis ${awaitedEnvelopeMaxAge}`}); ` +
            'if it still comes it becomes a row next to its turns. Counted in stats().envelopes (logged once)',
        );
      }
    }
  }

  const responses: Record<number, number> = {};
  let spansReceived = 0;
  let spansRejected = 0;
  let spansNotForwarded = 0;
  let requestsNotProcessed = 0;
  let loopLogged = false;
  let closing = false;
  /** When the shutdown gives up waiting (Date.now() ms); set when it begins. */
  let shutdownDeadline = Number.POSITIVE_INFINITY;
  /** Aborted when the gateway shuts down: bodies still being read are refused then (see readBody). */
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let internalErrorLogged = false;
  // The longest a failed connection waits for the answers of requests pipelined before the failure (an accepted request
  // waits for its order lookup and its commit); past it, it is closed and their senders retry (writes are idempotent).
  const pipelinedCloseMillis = Math.min(requestTimeout + orderLookupTimeout + ackTimeout, MAX_TIMER_MILLIS);
  // How long a connection read no further waits, its answers written, for its sender to close it (lingering-close.ts):
  // no longer than a sender of slow headers holds one anyway.
  const lingerMillis = Math.min(20_000, requestTimeout);
  /** Requests of each keep-alive connection still to be answered, for client errors under pipelining. */
  const connections = new PipelinedConnections({
    bodyMillis: requestTimeout,
    maxHeldMillis: pipelinedCloseMillis,
    onDeferredTimeout: (socket) => onClientError(408, socket),
  });
  /** Requests whose sender waits for `100 Continue` before sending the body (`Expect: 100-continue`). */
  const expectsContinue = new WeakSet<IncomingMessage>();

  function queueBusy(stats: DeliveryStats): boolean {
    return stats.queueDepth > maxQueueSpans / 2 || stats.queueBytes > maxQueueBytes / 2;
  }

  /** Responses whose answer is decided (written, or to be written in their turn: see send). */
  const answered = new WeakSet<ServerResponse>();
  /** Requests whose refused body took too long to throw away: their answers, if still to be written, say `Connection: close`. */
  const discardGivenUp = new WeakSet<IncomingMessage>();

  function send(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, contentType: string, headers: Record<string, string> = {}): void {
    responses[status] = (responses[status] ?? 0) + 1;
    if (answered.has(res) || res.headersSent || res.destroyed) return;
    answered.add(res);
    const unread = !req.complete;
    const socket = req.socket;
    // A body not read yet (the request refused on its headers) is read and thrown away, and the connection kept, when
    // it is known to be no larger than a body the gateway would read anyway: the requests pipelined behind it then get
    // their own answers. Otherwise the connection closes after this answer, and nothing parsed after it is processed.
    const keepsConnection = !closing && res.shouldKeepAlive && (!unread || discardableBody(req, res));
    if (!keepsConnection) connections.closeAfterAnswer(socket);
    const write = (): void => {
      if (res.headersSent || res.writableEnded || res.destroyed) return;
      // Decided when written: a body that could not be thrown away in time (or a shutdown) since closes the connection.
      const closes = !keepsConnection || closing || discardGivenUp.has(req);
      if (closes) connections.closeAfterAnswer(socket);
      res.writeHead(status, {
        'Content-Type': contentType,
        'Content-Length': String(body.length),
        ...(closes
          ? { Connection: 'close' }
          : // Node closes the connection after any answer to an Expect request that was sent no 100, in case its body
            // is still to come; this one's body is read whole (sent without waiting, answered before its 100's turn),
            // and closing would drop the requests pipelined behind it unanswered. An explicit header keeps it open.
            expectsContinue.has(req) && !connections.continueWritten(res) && res.shouldKeepAlive
            ? { Connection: 'keep-alive' }
            : {}),
        ...headers,
      });
      res.end(body);
    };
    // An answer queued behind those of requests pipelined before it (no socket yet) is written in its turn, once it
    // is known whether its unread body was thrown away in time: if not, it says `Connection: close`.
    if (unread && keepsConnection && res.socket === null) res.once('socket', write);
    else write();
    // A failed connection (timed out, malformed) is not read further: it closes once this answer is written.
    if (unread && connections.failedWith(socket) === undefined) discardRest(req, () => giveUpDiscard(req, socket));
  }

  /**
   * A refused body still arriving after {@link DISCARD_TIMEOUT_MILLIS} (or past {@link MAX_DISCARD_BYTES}): the
   * connection is read no further and closes, but only once the answers owed on it (those of requests pipelined before,
   * the refusal's own) are written, in order. Dropping it at once lost them: requests already processed, their
   * senders told nothing.
   */
  function giveUpDiscard(req: IncomingMessage, socket: Socket): void {
    if (socket.destroyed) return;
    discardGivenUp.add(req);
    connections.closeAfterAnswer(socket);
    stopReading(socket, lingerMillis);
    destroyAfter(socket, pipelinedCloseMillis);
    // Closed without a reset (which would throw away answers the sender has not read yet): see lingering-close.ts.
    connections.whenAnswered(socket, () => lingerClose(socket, lingerMillis));
  }

  /**
   * Whether the unread body of `req` may be read and thrown away on a connection kept open: its length declared
   * (not chunked) and at most `maxBodyBytes`, and its sender not waiting for a `100 Continue` it will not get (it
   * may then never send the body, or send it late: Node closes such a connection itself). Never on a connection a
   * client error failed (timed out, malformed): it is not read further. A request with neither length nor
   * `Transfer-Encoding` has no body (RFC 9112, 6.3): a GET is "unread" only until Node has parsed its end, which
   * comes after its handler ran; closing after it dropped the requests pipelined behind every `GET /health`.
   */
  function discardableBody(req: IncomingMessage, res: ServerResponse): boolean {
    if (connections.failedWith(req.socket) !== undefined) return false;
    if (req.headers['transfer-encoding'] !== undefined) return false;
    const length = req.headers['content-length'];
    if (length === undefined) return true;
    if (!/^\d{1,16}$/.test(length) || Number(length) > maxBodyBytes) return false;
    return Number(length) === 0 || !expectsContinue.has(req) || connections.continueWritten(res);
  }

  function sendError(req: IncomingMessage, res: ServerResponse, encoding: OtlpEncoding, err: HttpError): void {
    const headers: Record<string, string> = {};
    if (err.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.retryAfterSeconds);
    if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer';
    if (err.status === 405) headers['Allow'] = 'POST';
    send(req, res, err.status, errorBody(encoding, err.status, err.message), CONTENT_TYPES[encoding], headers);
  }

  function healthBody(): { status: string; body: Buffer } {
    const pg = postgres.stats();
    const fw = forward?.stats();
    const status = closing ? 'stopping' : pg.state === 'down' ? 'degraded' : 'ok';
    const summary = (s: DeliveryStats) => ({
      state: s.state,
      queueDepth: s.queueDepth,
      exported: s.exported,
      spooled: s.spooled,
      dropped: s.droppedTotal,
      lastError: s.lastError ?? null,
    });
    return {
      status,
      body: Buffer.from(
        JSON.stringify({ status, postgres: summary(pg), forward: fw ? summary(fw) : null, requestsInFlight: inFlight.size }),
      ),
    };
  }

  /**
   * Waits for a ticket, at most `ackTimeoutMillis`. While Postgres is down
   * and there is a spool, it has the pipeline spool what it holds at once,
   * so the sender is acknowledged as soon as its spans are on disk.
   */
  async function awaitTicket(ticket: DeliveryTicket): Promise<TicketOutcome> {
    const deadline = Date.now() + ackTimeout;
    let spooling = false;
    let sentForShutdown = false;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { ok: false, reason: 'timeout' };
      if (closing && !sentForShutdown) {
        // The shutdown waits for this acknowledgement: the request's spans (all queued, its ticket sealed) go now
        // rather than after the batch delay. The shutdown's own flush covered only what was queued when it began.
        sentForShutdown = true;
        flushForShutdown();
      }
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        ticket.settled,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), Math.min(remaining, ACK_POLL_MILLIS));
        }),
      ]);
      clearTimeout(timer);
      if (outcome !== undefined) return outcome;
      if (!spooling && postgres.hasSpool && postgres.stats().state === 'down') {
        spooling = true;
        void postgres.flush(Math.max(0, deadline - Date.now()));
      }
    }
  }

  /**
   * Sends what the Postgres pipeline holds now instead of after its batch delay (`scheduledDelayMillis`): once the
   * gateway is closing nothing more is worth waiting for, and its shutdown would otherwise wait out that timer for
   * every request in flight (up to the whole delay, 10 s with a 10 s delay). Not while Postgres is down: a flush
   * then spools everything at once, where the shutdown first tries Postgres again (a request waiting then has the
   * pipeline spool, see awaitTicket).
   */
  function flushForShutdown(): void {
    // Bounded by the shutdown's deadline: a flush still waiting past it would hold the process (its timer is not unref'd).
    if (postgres.stats().state !== 'down') void postgres.flush(Math.max(0, shutdownDeadline - Date.now()));
  }

  /** Whether a new export request may be taken now; an error to answer otherwise. */
  function refusal(): HttpError | undefined {
    if (closing) return new HttpError(503, 'the gateway is shutting down', retryUnavailable);
    const s = postgres.stats();
    if (s.state === 'down' && !postgres.hasSpool) {
      return new HttpError(503, `Postgres is unreachable (${s.lastError ?? 'failing'}); retry later`, retryUnavailable);
    }
    if (queueBusy(s)) return new HttpError(429, 'the gateway queue is full; retry later', retryBusy);
    return undefined;
  }

  async function exportRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declaredEncoding = encodingOf(req.headers['content-type']);
    // Errors about the request itself are answered in JSON when its encoding is unknown.
    const encoding: OtlpEncoding = declaredEncoding ?? 'json';
    try {
      if (authorized !== undefined && !authorized(req.headers['authorization'])) {
        throw new HttpError(401, 'missing or wrong bearer token');
      }
      if (declaredEncoding === undefined) {
        throw new HttpError(415, 'Content-Type must be application/x-protobuf or application/json');
      }
      const contentEncoding = contentEncodingOf(req.headers['content-encoding']);
      if (contentEncoding === undefined) throw new HttpError(415, 'Content-Encoding must be gzip, deflate or identity');
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        throw new HttpError(413, `request body of ${declared} bytes is larger than the limit of ${maxBodyBytes}`);
      }
      const refused = refusal();
      if (refused) throw refused;
      // Every place taken: refused before the body is read (a saturated gateway would otherwise read, and hold in the
      // body budget, whole bodies it then refuses anyway).
      if (admission.full) throw new HttpError(429, 'too many requests waiting; retry later', retryBusy);
      // A client error on the connection while this body arrives (its timeout, malformed HTTP) is this request's
      // answer, written after the answers of requests pipelined before it.
      const cut = new AbortController();
      const doneReading = connections.reading(req, (status) => cut.abort(new BodyError('cut', cutMessage(status), status)));
      // Asked for only now, when the body is wanted: a request refused on its headers above got its final answer
      // instead, and its sender sends no body (RFC 9110, 10.1.1).
      if (expectsContinue.has(req)) connections.continueInTurn(req, res);
      let body: Buffer;
      try {
        body = await readBody(req, maxBodyBytes, bodyBudget, stopping.signal, cut.signal);
      } finally {
        doneReading();
      }
      let ticket: DeliveryTicket;
      let rejected: number;
      let rejectReason: string | undefined;
      try {
        if (!(await admission.acquire())) throw new HttpError(429, 'too many requests waiting; retry later', retryBusy);
      } catch (err) {
        bodyBudget.give(body.length);
        throw err;
      }
      // Turns are taken in the order requests were read (waiting requests take theirs first in, first out).
      const planTurn = planOrder.take();
      try {
        const raw = await decodeContent(body, contentEncoding, maxBodyBytes);
        const values = encoding === 'json' ? countJsonContainers(raw, maxDecodedValues) : countMessages(otlpSchema().exportRequest, raw, maxDecodedValues);
        if (values === undefined) {
          throw new HttpError(413, `the request decodes into more than ${maxDecodedValues} values (spans, attributes, array elements); send smaller requests`);
        }
        // Decoding, planning and replaying a large request pause in slices (slices.ts): other connections are served
        // meanwhile, and other requests decode; the plan and replay turns keep the order of requests as before.
        let decoded: DecodedRequest;
        try {
          decoded = await runInSlices(decodeRequestInSteps(encoding, raw, { maxSpans: maxQueueSpans / 2 }));
        } catch (err) {
          // Spans past the limit are decoded (a malformed one is a 400 whatever the body's size), never converted or held.
          if (err instanceof TooManySpansError) {
            throw new HttpError(413, `more than ${Math.floor(maxQueueSpans / 2)} spans in one request; send at most ${Math.floor(maxQueueSpans / 2)} per request`);
          }
          throw err;
        }
        rejected = decoded.rejected;
        rejectReason = decoded.rejectReason;
        // A request the queue could never take whole would be refused as "full" (503) on every retry.
        const bytes = estimateReceivedBytes(decoded.spans);
        if (bytes > maxQueueBytes / 2) {
          throw new HttpError(413, `the request holds about ${bytes} bytes of spans; send at most ${Math.floor(maxQueueBytes / 2)} per request`);
        }
        await planTurn.ready;
        const again = refusal();
        if (again) throw again;
        ticket = new DeliveryTicket();
        const plan = await runInSlices(planReplayInSteps(decoded.spans, planOptions));
        applyEnvelopeMemory(plan);
        // Runs new to this process continue after the orders Postgres holds (bounded wait; never rejects). Replays
        // keep the order requests were planned in (the envelope memory's order, and the numbering's), so a request
        // also waits for the lookups of those before it, and for their replays to end.
        const seeded = orderSeeds.seed(runIdsOf(plan));
        const replayTurn = replayOrder.take();
        planTurn.done();
        const alreadyForwarded = forwardGate !== undefined && req.headers[FORWARDED_HEADER] !== undefined;
        try {
          await replayTurn.ready;
          await seeded;
          if (alreadyForwarded) {
            spansNotForwarded += decoded.spans.length;
            if (!loopLogged) {
              loopLogged = true;
              logger.warn(
                `agentspan gateway: received spans a gateway already forwarded (${FORWARDED_HEADER}); they are stored but not forwarded again, ` +
                  `so a forwarding loop stops here. Check that forwardUrl (${forwardUrl ?? ''}) does not lead back to a gateway (logged once)`,
              );
            }
          }
          // Each slice owns the request's ticket (and keeps its spans from forwarding, for a forwarded request).
          const gate = alreadyForwarded ? forwardGate : undefined;
          await runInSlices(replayer.replayInSteps(plan), SLICE_MILLIS, (slice) =>
            postgres.withTicket(ticket, gate !== undefined ? () => gate.withoutForwarding(slice) : slice),
          );
        } finally {
          replayTurn.done();
        }
        ticket.seal();
        spansReceived += decoded.spans.length;
        spansRejected += rejected;
      } finally {
        planTurn.done();
        admission.release();
        bodyBudget.give(body.length);
      }
      const outcome = await awaitTicket(ticket);
      if (!outcome.ok) {
        throw new HttpError(
          503,
          outcome.reason === 'timeout'
            ? `the spans were not committed to Postgres within ${ackTimeout} ms; retry later (a retry never writes a row twice)`
            : `${outcome.reason}; retry later`,
          retryUnavailable,
        );
      }
      send(req, res, 200, successBody(encoding, rejected, rejectReason), CONTENT_TYPES[encoding]);
    } catch (err) {
      if (err instanceof HttpError) sendError(req, res, encoding, err);
      else if (err instanceof BodyError) {
        if (err.kind === 'aborted') return; // the sender is gone: nobody to answer
        if (err.kind === 'busy') sendError(req, res, encoding, new HttpError(429, err.message, retryBusy));
        else if (err.kind === 'stopped') sendError(req, res, encoding, new HttpError(503, err.message, retryUnavailable));
        else if (err.kind === 'cut') sendError(req, res, encoding, new HttpError(err.status ?? 400, err.message));
        else sendError(req, res, encoding, new HttpError(err.kind === 'too_large' ? 413 : 400, err.message));
      } else if (err instanceof DecodeError) sendError(req, res, encoding, new HttpError(400, err.message));
      else throw err;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Parsed behind an answer that closes the connection: it can never be answered, so it is not processed (its
    // sender retries it). Its answer would be queued behind that one, and Node drops such answers. Nothing after it
    // can be answered either: the connection is read no further. Node keeps every request it parses until the
    // connection closes (after the answers owed before, up to a request's time and its commit's), and a sender
    // pipelining bodyless requests behind the closing answer made it parse and hold them without bound.
    if (connections.closingAfterAnswer(req.socket)) {
      requestsNotProcessed += 1;
      stopReading(req.socket, lingerMillis);
      return;
    }
    const failedWith = connections.opened(req.socket, res);
    if (failedWith !== undefined) {
      // Parsed after a client error on its connection (pipelined behind a request that timed out): it gets that answer.
      sendError(req, res, 'json', new HttpError(failedWith, cutMessage(failedWith)));
      return;
    }
    const url = req.url ?? '/';
    const pathname = url.split('?', 1)[0];
    if (pathname === '/health' || pathname === '/healthz') {
      const h = healthBody();
      send(req, res, closing ? 503 : 200, h.body, 'application/json');
      return;
    }
    if (pathname === '/ready') {
      const h = healthBody();
      send(req, res, refusal() === undefined ? 200 : 503, h.body, 'application/json');
      return;
    }
    if (pathname !== path) {
      sendError(req, res, 'json', new HttpError(404, `not found; OTLP traces go to POST ${path}`));
      return;
    }
    if (req.method !== 'POST') {
      sendError(req, res, 'json', new HttpError(405, `${path} accepts POST only`));
      return;
    }
    await exportRequest(req, res);
  }

  // A request must arrive whole within 30 s (a trickling sender holds no turn, see BodyBudget, but does hold a socket).
  // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default, which made it up to a minute).
  // Node requires headersTimeout <= requestTimeout.
  const timeouts = { requestTimeout, headersTimeout: Math.min(20_000, requestTimeout), keepAliveTimeout: 5000, connectionsCheckingInterval: 1000 };
  const server: Server = createServer(timeouts, onRequest);
  // With a listener, Node writes no `100 Continue` of its own: the gateway writes it when it wants the body, in the
  // request's turn on its connection (pipelined-connections.ts).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    expectsContinue.add(req);
    onRequest(req, res);
  });
  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const p = handle(req, res).catch((err: unknown) => {
      if (!internalErrorLogged) {
        internalErrorLogged = true;
        logger.warn(`agentspan gateway: internal error while handling a request (logged once): ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      }
      try {
        send(req, res, 500, errorBody('json', 500, 'internal error'), 'application/json');
      } catch {
        res.destroy();
      }
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  /** Answers a client error on the socket itself, then closes it. */
  function answerOnSocket(socket: Duplex, status: 400 | 408): void {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    responses[status] = (responses[status] ?? 0) + 1;
    const line = status === 408 ? '408 Request Timeout' : '400 Bad Request';
    const answer = `HTTP/1.1 ${line}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
    if (socket instanceof Socket) {
      // The last answer written; then the lingering close: what the sender still sends is thrown away, never parsed,
      // for at most `lingerMillis`. Destroyed with bytes unread (as until 2026-12), the socket sent a TCP reset, and
      // the answers pipelined before this one that the sender had not read yet were lost (lingering-close.ts).
      socket.write(answer);
      lingerClose(socket, lingerMillis);
      return;
    }
    // Then closed, not only ended: the server's sockets are half-open, so after end() a sender that keeps sending is
    // still parsed, and a timed-out request (never timed out again) held its body's bytes for as long as it liked.
    socket.end(answer, () => socket.destroy());
    destroyAfter(socket, CLIENT_ERROR_CLOSE_MILLIS);
  }

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Malformed HTTP: 400, never a crash; a request not whole in time: 408.
    onClientError(err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400, socket);
  });
  /**
   * Under pipelining a client error belongs to the last request on the connection, never to an earlier one still
   * being processed (see pipelined-connections.ts).
   */
  function onClientError(status: 400 | 408, socket: Duplex): void {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const route = socket instanceof Socket ? connections.clientError(socket, status) : 'socket';
    if (route === 'deferred') return; // its 100 was held: the body's time counts from the 100
    if (route === 'socket' || !(socket instanceof Socket)) {
      answerOnSocket(socket, status);
      return;
    }
    // Nothing more is read from it; it closes after the answers owed, written in order (a 'request' route's answer
    // says `Connection: close`: Node's close after it is the lingering close too).
    stopReading(socket, lingerMillis);
    if (route === 'after-pending') connections.whenAnswered(socket, () => answerOnSocket(socket, status));
    destroyAfter(socket, pipelinedCloseMillis);
  }

  const closeEverything = async (timeoutMillis: number): Promise<void> => {
    await Promise.all([postgres.shutdown(timeoutMillis), forward?.shutdownWithin(timeoutMillis)]);
    await Promise.all(allProcessors.map((p) => p.shutdown()));
    if (ownsLookupPool) {
      // A lookup still stuck on a dead link must not hold the shutdown: end() waits for it at most until the deadline passed.
      await Promise.race([lookupPool.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, Math.max(0, timeoutMillis)).unref())]);
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeEverything(0);
    throw err;
  }
  server.on('error', (err) => logger.warn(`agentspan gateway: server error: ${err.message}`));
  const address = server.address() as AddressInfo;

  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  const ready = await postgres.ready(startupMigrationTimeout);
  if (!ready.ok) {
    logger.warn(`agentspan gateway: ${notReadyMessage(ready, options.schema)}`);
  }
  logger.info(`agentspan gateway: listening on ${url}${path}${forward ? `, forwarding to ${forwardUrl}` : ''}`);

  let shutdownPromise: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    stats(): GatewayStats {
      const processor = emptyProcessorStats();
      for (const p of allProcessors) {
        const s = p.stats();
        for (const k of Object.keys(processor) as (keyof ProcessorStats)[]) processor[k] += s[k];
      }
      return {
        responses: { ...responses },
        spansReceived,
        spansRejected,
        spansNotForwarded,
        requestsInFlight: inFlight.size,
        requestsNotProcessed,
        postgres: postgres.stats(),
        forward: forward?.stats(),
        processor,
        envelopes: envelopes.stats(),
        orders: orderSeeds.stats(),
        ...cutCounter.stats(),
      };
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        const deadline = Date.now() + shutdownTimeout;
        shutdownDeadline = deadline;
        closing = true;
        stopping.abort();
        // Requests already waiting for their commit: see flushForShutdown (those sealed later flush in awaitTicket).
        flushForShutdown();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests in flight finish (their acknowledgement included), within the deadline.
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
        ]);
        await closeEverything(Math.max(0, deadline - Date.now()));
        // Every ticket is settled now (the pipeline failed those whose spans it dropped): the requests that were
        // waiting for one are writing their 503s. Waited for, briefly, so the connections closed next carry them
        // instead of a reset; a request stuck elsewhere (an order lookup) holds the shutdown this much at most.
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise((resolve) => setTimeout(resolve, ANSWER_GRACE_MILLIS).unref()),
        ]);
        server.closeAllConnections();
        await closed;
        logger.info('agentspan gateway: stopped');
      })().catch((err: unknown) => {
        logger.warn(`agentspan gateway: shutdown did not complete cleanly: ${err instanceof Error ? err.message : String(err)}`);
      });
      return shutdownPromise;
    },
  };
}
