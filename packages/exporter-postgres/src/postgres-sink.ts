/** The Postgres destination of a delivery pipeline: spans become rows, rows are written or spooled. */

import { createHash } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { DeliveryResult, DeliverySink, FileSpool, SpillResult, SpooledBatch } from '@agentspan/delivery';
import { Attr, EventType } from '@agentspan/semconv';
import type { MappedRow } from './columns.js';
import { classifyWriteError, toError } from './pg-errors.js';
import { QuarantineRefusedError } from './resilient-writer.js';
import { wasShrunk } from './repair.js';
import type { PostgresExecutionEventExporter } from './postgres-exporter.js';
import type { SpoolTarget } from './spool-target.js';
import type { HeartbeatOf } from './liveness.js';
import { hasAgentFill } from './agent-fill.js';

/** Whether a record read back from the spool is a row this package wrote. */
export function isMappedRow(record: unknown): record is MappedRow {
  if (record === null || typeof record !== 'object') return false;
  const r = record as { kind?: unknown; row?: unknown };
  if (r.kind !== 'event' && r.kind !== 'run' && r.kind !== 'node' && r.kind !== 'fill') return false;
  const row = r.row as { id?: unknown; parent_event_id?: unknown; run_id?: unknown } | null;
  if (row === null || typeof row !== 'object') return false;
  // A fill is keyed by the parent and run of the rows it fills.
  return r.kind === 'fill' ? typeof row.parent_event_id === 'string' && typeof row.run_id === 'string' : typeof row.id === 'string';
}

/**
 * The spool kind of a Postgres target: `pg_` and a hash of the server,
 * database and schema, so that a process only replays rows meant for the
 * database it writes to, even when several applications share a spool
 * directory. Credentials are not part of it. The target comes from
 * `spoolTargetOf`.
 */
export function spoolKindFor(target: SpoolTarget): string {
  const key = [target.host ?? '', String(target.port ?? ''), target.database ?? '', target.schema ?? ''].join('\u0000');
  return `pg_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * The spool kind of an exporter's target, and the kind earlier versions gave
 * it when that differs and named the server (see `formerTargetOf`): the
 * `kind` and `claimKinds` of its `FileSpool`.
 */
export function spoolKindsOf(exporter: Pick<PostgresExecutionEventExporter, 'spoolTarget' | 'formerSpoolTarget'>): { kind: string; claimKinds: string[] } {
  const kind = spoolKindFor(exporter.spoolTarget);
  const former = exporter.formerSpoolTarget === undefined ? undefined : spoolKindFor(exporter.formerSpoolTarget);
  return { kind, claimKinds: former === undefined || former === kind ? [] : [former] };
}

/** Rows of a payload shrunk to `maxRowSize` before writing (a user's own `meta.repaired` is not one). */
function preRepaired(rows: readonly MappedRow[]): number {
  let n = 0;
  for (const r of rows) if (wasShrunk(r)) n++;
  return n;
}

export class PostgresSink implements DeliverySink<MappedRow[]> {
  readonly destination = 'postgres';
  /** Every write is `ON CONFLICT`-safe: writing a batch twice leaves one copy. */
  readonly idempotent = true;
  readonly spill?: (rows: MappedRow[]) => SpillResult;
  readonly takeSpooled?: () => SpooledBatch<MappedRow[]> | undefined;

  /**
   * @param heartbeat the delivery pipeline's heartbeat (`heartbeatIntervalMillis`, and the spans it
   *   follows), written into each row in progress so that a reader can tell when it fell silent.
   */
  constructor(
    private readonly exporter: PostgresExecutionEventExporter,
    private readonly spool: FileSpool<MappedRow> | undefined,
    private readonly heartbeat?: HeartbeatOf,
  ) {
    if (spool !== undefined) {
      this.spill = (rows) => spool.append(rows);
      this.takeSpooled = () => spool.claim();
    }
  }

  /**
   * Only agentspan's spans (an O(1) attribute lookup), and agent envelopes
   * carrying a fill (`agent-fill.ts`): other spans never take queue space.
   */
  accepts(span: ReadableSpan): boolean {
    return span.attributes[Attr.ATTR_EVENT_TYPE] !== undefined || hasAgentFill(span);
  }

  /**
   * Runs and nodes are also queued when they start: their row in progress
   * (status `running`, see `mapSpanToRow`) lists a run while it is going
   * and keeps it listed if its process dies before the end (killed, out of
   * memory). The row of the end replaces it. Only when the ids that key
   * the row are there from the start (agentspan's recorder sets them then):
   * a run id set later would key the row of the end differently and leave
   * the row in progress behind as a run that never ends.
   */
  acceptsAtStart(span: ReadableSpan): boolean {
    const a = span.attributes;
    const type = a[Attr.ATTR_EVENT_TYPE];
    if (type === EventType.RUN) return typeof a[Attr.ATTR_RUN_ID] === 'string';
    return type === EventType.NODE && typeof a[Attr.ATTR_RUN_ID] === 'string' && typeof a[Attr.ATTR_NODE_ID] === 'string';
  }

  /**
   * Agent calls, code executions and tool calls are shown while running
   * once they have run long enough (`showRunningAfterMillis`): a row in
   * progress like a node's (see `mapSpanToRow`), so a process killed during
   * a long one leaves it listed, `running` and then stale. Most events last
   * microseconds and are never written before their end. Their row's key
   * (trace and span id) is known from the start.
   */
  acceptsWhileRunning(span: ReadableSpan): boolean {
    const type = span.attributes[Attr.ATTR_EVENT_TYPE];
    return type === EventType.AGENT_CALL || type === EventType.CODE_EXEC || type === EventType.TOOL_CALL;
  }

  prepare(spans: readonly ReadableSpan[]): MappedRow[] {
    return this.exporter.prepareRows(spans, this.heartbeat).rows;
  }

  /**
   * Writes the rows. `signal` is aborted when the pipeline gives up on this
   * attempt (`exportTimeoutMillis`) and retries the batch: the write then
   * starts nothing more, cancels its statement, rolls back and releases its
   * connection (see `writeMappedRows`), so it never runs beside the retry.
   */
  async deliver(rows: MappedRow[], signal?: AbortSignal): Promise<DeliveryResult> {
    try {
      const r = await this.exporter.writeMappedRows(rows, signal);
      // A row shrunk before writing and repaired again by Postgres is one repaired span.
      return { kind: 'delivered', repaired: r.repaired + r.quarantined + preRepaired(rows) - r.repairedBefore };
    } catch (err) {
      // Answered but refused (anything `classifyWriteError` does not call transient, a row refused even
      // as a quarantine row) is not Postgres being down: the pipeline keeps writing other batches.
      const refused = err instanceof QuarantineRefusedError || classifyWriteError(err) !== 'transient';
      return { kind: 'retry', error: toError(err), ...(refused ? { refused } : {}) };
    }
  }

  stats(): Readonly<Record<string, number | string>> {
    return { ...this.exporter.stats(), ...(this.spool?.stats() ?? {}), ...(this.spool ? { spoolDir: this.spool.directory } : {}) };
  }

  spoolBytes(): number {
    return this.spool?.stats().spoolBytes ?? 0;
  }

  async shutdown(timeoutMillis: number): Promise<void> {
    this.spool?.close();
    await this.exporter.shutdown(timeoutMillis);
  }
}
