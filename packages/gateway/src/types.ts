import type pg from 'pg';
import type { DeliveryOptions, DeliveryStats } from '@agentspan/delivery';
import type { FileCaptureConfig, ProcessorStats, RedactionConfig } from '@agentspan/processor';
import type { EnvelopeStats } from './envelope-memory.js';
import type { RunOrderStats } from './run-order-seed.js';
import type { AttributesDroppedStats, EventsDroppedStats, LinksDroppedStats } from './span-cuts.js';

/** Where state changes (startup, Postgres down and back, drops) are reported: never once per request. */
export interface GatewayLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** File capture for the spans of one service (`service.name`), whose workspace the gateway can read. */
export interface ServiceWorkspace {
  /** The agent's working directory as the gateway sees it (relative file paths resolve here). */
  workspaceDir: string;
  /** Other directories files may be read from. @default [workspaceDir] */
  roots?: string[];
  /** The processor's capture limits (`maxFileBytes`, `maxContentBytes`, ...). @default the processor's */
  fileCapture?: Omit<FileCaptureConfig, 'enabled' | 'roots'>;
}

/** Options of {@link startGateway}. Only the database is required. */
export interface GatewayOptions {
  /** Postgres to write to. One of `databaseUrl` and `pool` is required. */
  databaseUrl?: string | undefined;
  /** A pool to write through instead (never ended by the gateway). */
  pool?: pg.Pool | undefined;
  /** Schema of the tables (created if missing). @default the connection's `search_path` */
  schema?: string | undefined;
  /** Run the migrations at start and before the first write. @default true */
  migrate?: boolean | undefined;
  /** How long the start waits for the migrations before serving anyway (they are retried before every write), ms; 0: not at all. At most 2^31 - 1 (a Node timer's limit; more is clamped). @default 5000 */
  startupMigrationTimeoutMillis?: number | undefined;

  /** Port to listen on; 0 picks a free one (see {@link Gateway.port}). @default 4318 */
  port?: number | undefined;
  /** Address to listen on. Bind `0.0.0.0` in a container, with `authTokens`. @default '127.0.0.1' */
  host?: string | undefined;
  /** Path of the OTLP traces endpoint. @default '/v1/traces' */
  path?: string | undefined;
  /**
   * Bearer tokens senders must present (`Authorization: Bearer <token>`);
   * several allow rotation. The health endpoints never need one.
   * @default none: no authentication
   */
  authTokens?: readonly string[] | undefined;

  /** Largest request body, both as received and after `Content-Encoding` is undone, bytes. @default 16_777_216 (16 MiB) */
  maxBodyBytes?: number | undefined;
  /** Requests decoded and replayed at the same time (CPU work); others wait their turn. @default 4 */
  maxConcurrentRequests?: number | undefined;
  /**
   * Requests waiting for a turn (bodies read) before new ones are answered 429 (before their bodies are read). The
   * bodies held at once, read or being read, take at most `maxConcurrentRequests × maxBodyBytes` bytes (each chunk
   * counted as at least 512); past that, 429 too. @default 64
   */
  maxWaitingRequests?: number | undefined;
  /**
   * How long a request may take to arrive whole (headers and body) before it is answered 408 and its
   * connection closed: a sender trickling its body holds its bytes no longer. Checked every second. At most
   * 2^31 - 1 (a Node timer's limit; more is clamped). @default 30_000
   */
  requestTimeoutMillis?: number | undefined;
  /**
   * How long a request waits for its spans to be committed to Postgres (or
   * spooled) before it is answered 503 (the sender retries; writes are
   * idempotent, so a retry never makes a second row). Keep it below the
   * senders' export timeout (10 s by default in the OpenTelemetry SDKs).
   * At most 2^31 - 1 (a Node timer's limit; more is clamped).
   * @default 8000
   */
  ackTimeoutMillis?: number | undefined;
  /** `Retry-After` (seconds) sent with 429 (queue full, too many waiting requests). @default 2 */
  retryAfterBusySeconds?: number | undefined;
  /** `Retry-After` (seconds) sent with 503 (Postgres unreachable and no spool; acknowledgement timed out). @default 5 */
  retryAfterUnavailableSeconds?: number | undefined;

  /**
   * Most spans held between receipt and commit. A request is refused with
   * 429 while more than half of it (or of `maxQueueBytes`) is used, and a
   * request of more than half of it spans with 413: the other half is
   * headroom for the `file_gen` spans the processor adds.
   * @default 100_000
   */
  maxQueueSpans?: number | undefined;
  /** Most estimated bytes held between receipt and commit (same rule). @default 134_217_728 (128 MiB) */
  maxQueueBytes?: number | undefined;
  /**
   * Most values (spans, attributes, events, array elements: protobuf messages, or JSON objects
   * and arrays) one request may decode into; beyond it, 413 before anything is decoded. It bounds
   * the heap a request takes, which its size in bytes alone does not: an empty value is 2 bytes on
   * the wire and over a hundred decoded.
   * @default `maxBodyBytes / 8` (2 097 152 for 16 MiB), at least 100 000
   */
  maxDecodedValues?: number | undefined;
  /**
   * Tuning of the Postgres delivery pipeline (`@agentspan/delivery`).
   * Defaults differ from an application's: batches go out after 50 ms,
   * because senders wait for the commit.
   * @default { scheduledDelayMillis: 50, maxExportBatchSize: 2000, maxConcurrentExports: 2 }
   */
  postgresDelivery?: Omit<DeliveryOptions, 'maxQueueSize' | 'maxQueueBytes' | 'logger'> | undefined;
  /** Size of the Postgres pool the gateway creates (ignored with `pool`). @default 4 */
  poolSize?: number | undefined;
  /** `statement_timeout` of the gateway's Postgres writes, ms; at most 2^31 - 1 less 5 s (the exporter waits 5 s beyond it; more is clamped, by the exporter). @default 30_000 (the exporter's) */
  statementTimeoutMs?: number | undefined;
  /** How long the gateway's pool waits for a new Postgres connection, ms; at most 2^31 - 1 (a Node timer's limit; more is clamped, by the exporter). @default 5000 (the exporter's) */
  connectTimeoutMs?: number | undefined;
  /**
   * Directory of the disk spool. With it, spans received while Postgres is
   * down are acknowledged once on disk and written when it is back; without
   * it, requests are refused with 503 while Postgres is down.
   * @default undefined (no spool)
   */
  spoolDir?: string | undefined;
  /** Size cap of the spool, bytes. @default 268_435_456 (256 MiB) */
  maxSpoolBytes?: number | undefined;

  /**
   * Forward every received span (after redaction and enrichment) to this
   * OTLP/HTTP traces URL, e.g. Jaeger's `http://jaeger:4318/v1/traces`.
   * Bounded and never blocking; not part of the acknowledgement. A URL
   * naming the gateway's own address (its port on the host it binds; on
   * `localhost` or `0.0.0.0` while it binds a loopback address; on any
   * loopback address or this host's names while it binds every interface)
   * throws a `RangeError` at start. Another loopback address than the one
   * bound (`127.0.0.2`, `::1` for `127.0.0.1`) is another socket: allowed. Forwarded
   * requests carry `x-agentspan-forwarded: 1`; a gateway stores the spans of
   * such a request but does not forward them again.
   * @default undefined (no forwarding)
   */
  forwardUrl?: string | undefined;
  /** Headers of the forwarding requests. @default {} */
  forwardHeaders?: Readonly<Record<string, string>> | undefined;

  /**
   * Span attribute naming the run when `agentspan.run.id` is absent. A span
   * that carries neither is in the run of its nearest placed ancestor (in
   * its request, or one the gateway remembers from an earlier request: see
   * the README, *Runs, nodes, depth and order*), else, or with `null`, in the
   * run of its trace id. AG2 spans ignore `gen_ai.conversation.id` (AG2 sets
   * it on the conversation span only, when it ends), so an AG2 run is its trace.
   * @default 'gen_ai.conversation.id'
   */
  runIdAttribute?: string | null | undefined;
  /** Span attribute naming the node when `agentspan.node.id` is absent (`null`: none). @default 'graph.node.id' */
  nodeIdAttribute?: string | null | undefined;
  /**
   * Most parent spans remembered because model turns were replayed under
   * them before they arrived (agent envelopes awaited in a later request, so
   * that they make no row next to their turns; and those that arrived, for a
   * retried request). When full, the least recently touched sixteenth is forgotten, counted
   * in `stats().envelopes.evicted` when it had not arrived. About 320 bytes
   * each, up to 440 with a parent of rows to fill; with a fifth as many
   * envelopes that became rows (kept to count turns that come after them),
   * 15–21 MiB at the default.
   * @default 50_000
   */
  maxAwaitedEnvelopes?: number | undefined;
  /**
   * How long such a parent is remembered after a turn under it (or the span
   * itself) was last replayed, ms; one that had not arrived is counted in
   * `stats().envelopes.expired`.
   * @default 3_600_000 (1 hour)
   */
  awaitedEnvelopeMaxAgeMillis?: number | undefined;
  /**
   * How long a request waits for `max(execution_order)` of the runs in it
   * that this gateway process has not seen yet (so that a run continues
   * after the rows an earlier process wrote), ms. Past it the request is
   * numbered from the counter in memory, counted in `stats().orders.fallbacks`.
   * @default 1000
   */
  orderLookupTimeoutMillis?: number | undefined;
  /**
   * File capture, per service (`service.name` of the sender's resource):
   * only where the gateway shares the agent's workspace. Other services'
   * `file_gen` rows record paths without content (`skip_reason: disabled`).
   * @default {} (no capture)
   */
  workspaces?: Readonly<Record<string, ServiceWorkspace>> | undefined;
  /** Keep content (messages, code, outputs, tool arguments and results, file content). @default true */
  captureContent?: boolean | undefined;
  /** Secret redaction before anything is written or forwarded. @default on */
  redaction?: RedactionConfig | false | undefined;

  /** How long `shutdown()` waits for requests in flight and for delivery, ms; at most 2^31 - 1 (a Node timer's limit; more is clamped). @default 10_000 */
  shutdownTimeoutMillis?: number | undefined;
  /** @default messages go to `diag` */
  logger?: GatewayLogger | undefined;
}

/** Counters of a running gateway. */
export interface GatewayStats {
  /** Requests answered (all endpoints), by HTTP status. */
  readonly responses: Readonly<Record<number, number>>;
  /** Spans decoded from accepted requests. */
  readonly spansReceived: number;
  /** Spans rejected inside otherwise valid requests (bad ids), reported as partial success. */
  readonly spansRejected: number;
  /**
   * Spans stored but not forwarded because their request was itself
   * forwarded by a gateway (it carried `x-agentspan-forwarded`): a
   * forwarding loop, stopped after one hop. 0 without `forwardUrl`.
   */
  readonly spansNotForwarded: number;
  /** Requests being read, decoded, replayed or waiting for their commit. */
  readonly requestsInFlight: number;
  /**
   * Requests parsed on a connection behind an answer that closes it (a refusal whose body was not read whole, a
   * shutdown): never answered, so not processed; their senders retry them (RFC 9112, 9.3.2). The connection is read
   * no further once one comes, so a sender pipelining behind such an answer adds at most what one read brought.
   */
  readonly requestsNotProcessed: number;
  readonly postgres: DeliveryStats;
  readonly forward: DeliveryStats | undefined;
  /** agentspan's processors, summed over services. */
  readonly processor: ProcessorStats;
  /** Agent envelopes whose model turns came in an earlier request (see the README, *Agent envelopes across requests*). */
  readonly envelopes: EnvelopeStats;
  /** Execution orders continued from Postgres for runs new to this process (see the README, *Execution order*). */
  readonly orders: RunOrderStats;
  /**
   * Spans that came with more attributes than a replayed span keeps (4 096),
   * and how many attributes were left out of them: the keys agentspan reads
   * are kept first, and the row is marked (`meta.truncated`, and
   * `meta.gateway_dropped.attributes` with the count). Counted once per span
   * (trace and span id), not per reception: a span sent again (a retried
   * request, whose rows are written once) is not counted again while it is
   * among the last 10 000 spans counted. The first is logged.
   */
  readonly attributesDropped: AttributesDroppedStats;
  /**
   * Spans that lost events to the replay's limits (more than 4 096 events,
   * the oldest dropped; more than 1 024 attributes on one event), how many
   * events and how many attributes of the events kept. Marked and counted
   * as {@link attributesDropped} (`meta.gateway_dropped.events`,
   * `.event_attributes`).
   */
  readonly eventsDropped: EventsDroppedStats;
  /**
   * Spans that lost links (more than 1 024, the first dropped) or link
   * attributes (more than 1 024 on one link), and how many. Marked and
   * counted as {@link attributesDropped} (`meta.gateway_dropped.links`,
   * `.link_attributes`).
   */
  readonly linksDropped: LinksDroppedStats;
}

/** A running gateway. */
export interface Gateway {
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** The port (useful with `port: 0`). */
  readonly port: number;
  stats(): GatewayStats;
  /**
   * Stops accepting requests, lets those in flight finish, delivers (or
   * spools) what is held, and closes everything, within
   * `shutdownTimeoutMillis`. Idempotent; never rejects.
   */
  shutdown(): Promise<void>;
}
