/**
 * The one place the gateway uses `@agentspan/delivery` and the Postgres
 * exporter's delivery parts: the Postgres pipeline (bounded queue, retries,
 * spool) with acknowledgement tickets, and the optional OTLP forwarding.
 *
 * Acknowledgements come from a decorator around the exporter's
 * `PostgresSink`: it notes the ticket of every span the sink accepts while a
 * request is replayed, and settles those tickets when the batch holding
 * their spans is committed (`delivered`) or spooled (`spill` stored), or
 * fails them when the batch is dropped.
 */

import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FORWARDED_HEADER } from './forward-loop.js';
import type pg from 'pg';
import {
  DeliverySpanProcessor,
  FileSpool,
  createOtlpHttpSpanExporter,
  exporterSink,
  type DeliveryOptions,
  type DeliveryResult,
  type DeliverySink,
  type DeliveryStats,
  type SpillResult,
  type SpooledBatch,
} from '@agentspan/delivery';
import {
  PostgresExecutionEventExporter,
  PostgresSink,
  isMappedRow,
  spoolKindsOf,
  type MappedRow,
} from '@agentspan/exporter-postgres';
import type { DeliveryTicket } from './ticket.js';

/** A batch on its way, with the tickets of the spans in it. */
interface TrackedBatch<P> {
  readonly payload: P;
  readonly tickets: ReadonlyMap<DeliveryTicket, number>;
  settled: boolean;
}

function settle<P>(batch: TrackedBatch<P>, ok: boolean, reason: string): void {
  if (batch.settled) return;
  batch.settled = true;
  for (const [ticket, n] of batch.tickets) {
    if (ok) ticket.complete(n);
    else ticket.fail(reason);
  }
}

/** Decorates a sink so that delivery and spooling settle the tickets of the spans involved. */
class TicketingSink<P> implements DeliverySink<TrackedBatch<P>> {
  readonly destination: string;
  readonly idempotent: boolean;
  readonly spill?: (batch: TrackedBatch<P>) => SpillResult;
  readonly takeSpooled?: () => SpooledBatch<TrackedBatch<P>> | undefined;
  /** The ticket of the request being replayed (replay is synchronous). */
  current: DeliveryTicket | undefined;
  private readonly owner = new WeakMap<ReadableSpan, DeliveryTicket>();
  /** Tickets that handed spans to the pipeline and have not settled yet (failed when the pipeline stops). */
  private readonly open = new Set<DeliveryTicket>();

  constructor(private readonly inner: DeliverySink<P>) {
    this.destination = inner.destination;
    this.idempotent = inner.idempotent;
    const spill = inner.spill?.bind(inner);
    if (spill !== undefined) {
      this.spill = (batch) => {
        const result = spill(batch.payload);
        if (result === 'stored') settle(batch, true, '');
        return result;
      };
    }
    const take = inner.takeSpooled?.bind(inner);
    if (take !== undefined) {
      // Batches from the spool were acknowledged when they were written there.
      this.takeSpooled = () => {
        const b = take();
        if (b === undefined) return undefined;
        return {
          payload: { payload: b.payload, tickets: new Map(), settled: true },
          spans: b.spans,
          bytes: b.bytes,
          ack: () => b.ack(),
          release: () => b.release(),
        };
      };
    }
  }

  accepts(span: ReadableSpan): boolean {
    const ok = this.inner.accepts === undefined || this.inner.accepts(span);
    if (ok && this.current !== undefined) {
      this.owner.set(span, this.current);
      this.current.expect(1);
    }
    return ok;
  }

  prepare(spans: readonly ReadableSpan[]): TrackedBatch<P> {
    const tickets = new Map<DeliveryTicket, number>();
    for (const s of spans) {
      const t = this.owner.get(s);
      if (t === undefined) continue;
      this.owner.delete(s);
      tickets.set(t, (tickets.get(t) ?? 0) + 1);
    }
    try {
      return { payload: this.inner.prepare(spans), tickets, settled: false };
    } catch (err) {
      for (const t of tickets.keys()) t.fail('the spans could not be prepared for Postgres');
      throw err;
    }
  }

  async deliver(batch: TrackedBatch<P>, signal?: AbortSignal): Promise<DeliveryResult> {
    // The attempt's signal passed on: a sink working in steps stops when the attempt has timed out.
    const result = await this.inner.deliver(batch.payload, signal);
    // Rows Postgres refuses for good are counted (stats) but do not fail the request: a retry would meet the same refusal.
    if (result.kind === 'delivered') settle(batch, true, '');
    else if (result.kind === 'dropped') settle(batch, false, `spans dropped (${result.reason})`);
    return result;
  }

  stats(): Readonly<Record<string, number | string>> {
    return this.inner.stats?.() ?? {};
  }

  spoolBytes(): number {
    return this.inner.spoolBytes?.() ?? 0;
  }

  /** Follows `ticket` until it settles, so that a stop of the pipeline can fail it (see {@link shutdown}). */
  track(ticket: DeliveryTicket): void {
    if (this.open.has(ticket)) return;
    this.open.add(ticket);
    void ticket.settled.then(() => this.open.delete(ticket));
  }

  /**
   * Called by the processor once it has stopped: every span it held is now delivered, spooled, or dropped and
   * counted (`shutdown`: the queue, batches waiting for a retry, batches still being written, which it abandons),
   * and no attempt's late result counts any more. The processor reports those drops only as a count, so a ticket
   * still open here has lost spans: it fails now, and its request is answered 503 before the server closes its
   * connection (it waited for an acknowledgement that could never come, and its poll kept the process alive).
   */
  shutdown(timeoutMillis: number): Promise<void> {
    for (const ticket of this.open) ticket.fail('the gateway stopped before the spans were committed');
    this.open.clear();
    return this.inner.shutdown(timeoutMillis);
  }
}

/** Where and how the gateway writes to Postgres. */
export interface PostgresDeliveryOptions {
  readonly connectionString?: string | undefined;
  readonly pool?: pg.Pool | undefined;
  readonly schema?: string | undefined;
  readonly migrate: boolean;
  readonly poolSize?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly spoolDir?: string | undefined;
  readonly maxSpoolBytes?: number | undefined;
  readonly delivery: DeliveryOptions;
}

/** The Postgres pipeline as the gateway uses it. */
export interface PostgresDelivery {
  /** The span processor to put after agentspan's processor. */
  readonly processor: SpanProcessor;
  readonly hasSpool: boolean;
  /**
   * Runs `fn` (a synchronous replay) with `ticket` as the owner of every span the pipeline accepts meanwhile. When
   * `fn` throws, the ticket fails (it will never be sealed) and the error is thrown on.
   */
  withTicket(ticket: DeliveryTicket, fn: () => void): void;
  stats(): DeliveryStats;
  /** Applies the migrations, waiting at most `timeoutMillis`; never rejects. */
  ready(timeoutMillis: number): Promise<{ ok: boolean; error?: Error | undefined }>;
  /** Delivers (or, while Postgres is down, spools) what is held. Never rejects. */
  flush(timeoutMillis: number): Promise<void>;
  shutdown(timeoutMillis: number): Promise<void>;
}

export function createPostgresDelivery(options: PostgresDeliveryOptions): PostgresDelivery {
  const exporter = new PostgresExecutionEventExporter({
    ...(options.pool !== undefined ? { pool: options.pool } : { connectionString: options.connectionString }),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    migrate: options.migrate,
  });
  const spool =
    options.spoolDir !== undefined && options.spoolDir !== ''
      ? new FileSpool<MappedRow>({
          dir: options.spoolDir,
          ...spoolKindsOf(exporter),
          maxBytes: options.maxSpoolBytes,
          validate: isMappedRow,
        })
      : undefined;
  const sink = new TicketingSink(new PostgresSink(exporter, spool));
  const processor = new DeliverySpanProcessor(sink, options.delivery);
  return {
    processor,
    hasSpool: spool !== undefined,
    withTicket(ticket, fn) {
      sink.track(ticket);
      sink.current = ticket;
      const droppedBefore = processor.stats().droppedTotal;
      try {
        fn();
      } catch (err) {
        // The replay broke off (the request is answered 500): the ticket is never sealed, so it would stay open, and
        // followed by the sink, until shutdown. Its spans already queued are still delivered; the request failed.
        ticket.fail('the spans could not be replayed');
        throw err;
      } finally {
        sink.current = undefined;
      }
      // A span refused on arrival (queue full, no room in the spool) never reaches the sink: fail the request now.
      if (processor.stats().droppedTotal > droppedBefore) ticket.fail('the Postgres queue is full');
    },
    stats: () => processor.stats(),
    async ready(timeoutMillis) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: boolean }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false }), Math.max(0, timeoutMillis));
        timer.unref();
      });
      try {
        return await Promise.race([
          exporter.migrate().then(
            () => ({ ok: true }),
            (err: unknown) => ({ ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
          ),
          timeout,
        ]);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
    flush: (timeoutMillis) => processor.flush(timeoutMillis),
    shutdown: (timeoutMillis) => processor.shutdownWithin(timeoutMillis),
  };
}

/** Where received spans are forwarded (Jaeger, a Collector): an OTLP/HTTP traces URL. */
export interface ForwardOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly delivery: DeliveryOptions;
}

/**
 * The forwarding pipeline: bounded, never blocking, drops counted (the OTLP
 * exporter retries inside each export). Its requests carry
 * {@link FORWARDED_HEADER}, so a gateway they reach does not forward them again.
 */
export function createForwarding(options: ForwardOptions): DeliverySpanProcessor<ReadableSpan[]> {
  // Protobuf, as `-otlp-proto` sends it; spans the target rejects in a partial success are counted as dropped (rejected).
  const exporter = createOtlpHttpSpanExporter({ url: options.url, headers: { ...(options.headers ?? {}), [FORWARDED_HEADER]: '1' }, encoding: 'protobuf' });
  return new DeliverySpanProcessor(exporterSink(exporter, { destination: 'otlp-forward' }), options.delivery);
}
