/**
 * Filling in the agent of event rows written before their agent envelope
 * arrived.
 *
 * The processor's GenAI mapping names the agent of a model turn or tool
 * after the envelope above it (`invoke_agent`, `ai.generateText`,
 * OpenInference `AGENT`), and the gateway places a span's depth under its
 * parent's. Both need the envelope while the span is replayed. The gateway
 * replays each OTLP request on its own, and SDKs export children before
 * parents, in batches: spans of an agent that runs longer than a sender's
 * export delay arrive before their envelope, and their rows are written
 * with `agent_name`, `depth` and `node_id` NULL. When the envelope arrives,
 * the gateway lists on it the parents of those rows
 * (`agentspan.agent.fill.parent_span_ids`, with a depth offset each); each
 * becomes one {@link EventFillRow}, and the writer then sets, on the stored
 * rows under that parent and of its run, what they lack: `agent_name` from
 * the envelope, `depth` the envelope's plus the offset, `node_id` the
 * envelope's. A value a row has is never
 * changed; a fill written twice changes nothing the second time.
 *
 * Written in the same transaction as the batch's rows, after them: rows of
 * the same batch are filled too. Rows written after their fill (a spool
 * replayed after the envelope's request was written live) are not.
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr } from '@agentspan/semconv';
import { readInt, readString } from './attribute-values.js';
import { EVENT_FILL_COLUMN_TYPES, TABLES, type EventFillRow } from './columns.js';
import { eventIdFor } from './ids.js';
import { indexSafe, indexSafeOrNull } from './index-safe.js';
import { qualify } from './sql.js';

/** Most parents one span's fill lists (the gateway lists fewer); the rest are ignored. */
export const MAX_FILL_PARENTS = 256;

const INT4_MAX = 2_147_483_647;
const SPAN_ID = /^[0-9a-f]{16}$/i;

/** Whether a span carries a fill (read by the sink to accept spans with no row of their own). */
export function hasAgentFill(span: Pick<ReadableSpan, 'attributes'>): boolean {
  return span.attributes[Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS] !== undefined;
}

/**
 * The fills a span carries: one per listed parent, with what the rows under
 * it lack. None when the span names no agent and has no depth and no node
 * (nothing to fill), or lists nothing usable. Never throws.
 */
export function agentFillRowsOf(span: ReadableSpan): EventFillRow[] {
  const a = span.attributes;
  const parents = a[Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS];
  if (!Array.isArray(parents)) return [];
  const offsets = a[Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS];
  // A span that is no envelope (a turn, a tool: the gateway says so) gives the depth alone.
  const agentName = a[Attr.ATTR_AGENT_FILL_DEPTH_ONLY] === true ? null : indexSafeOrNull(readString(a[Attr.ATTR_GEN_AI_AGENT_NAME]) ?? null);
  const depth = readInt(a[Attr.ATTR_DEPTH]);
  const nodeId = indexSafeOrNull(readString(a[Attr.ATTR_NODE_ID]) ?? null);
  const runId = readString(a[Attr.ATTR_RUN_ID]);
  if (runId === undefined) return [];
  const traceId = span.spanContext().traceId;
  const spanId = span.spanContext().spanId;
  const out: EventFillRow[] = [];
  const seen = new Set<string>();
  const n = Math.min(parents.length, MAX_FILL_PARENTS);
  for (let i = 0; i < n; i++) {
    const parent: unknown = parents[i];
    if (typeof parent !== 'string' || !SPAN_ID.test(parent) || seen.has(parent.toLowerCase())) continue;
    seen.add(parent.toLowerCase());
    const offset: unknown = Array.isArray(offsets) ? offsets[i] : undefined;
    const sum = depth !== undefined && typeof offset === 'number' && Number.isInteger(offset) && offset > 0 ? depth + offset : undefined;
    const rowDepth = sum !== undefined && sum <= INT4_MAX ? sum : null;
    if (agentName === null && rowDepth === null && nodeId === null) continue;
    out.push({ id: eventIdFor(traceId, parent), run_id: indexSafe(runId), agent_name: agentName, depth: rowDepth, node_id: nodeId, span_id: spanId });
  }
  return out;
}

/**
 * The UPDATE of a batch's fills: parameters are one array per
 * {@link EVENT_FILL_COLUMN_TYPES} column. Only rows that lack a value are
 * touched (`parent_event_id` is indexed). Exported for tests.
 */
export function agentFillStatement(schema: string | undefined): string {
  const t = EVENT_FILL_COLUMN_TYPES;
  return (
    `UPDATE ${qualify(schema, TABLES.EXECUTION_EVENTS)} AS t ` +
    `SET agent_name = COALESCE(t.agent_name, f.agent_name), depth = COALESCE(t.depth, f.depth), node_id = COALESCE(t.node_id, f.node_id) ` +
    `FROM unnest($1::${t.id}[], $2::${t.run_id}[], $3::${t.agent_name}[], $4::${t.depth}[], $5::${t.node_id}[], $6::${t.span_id}[]) ` +
    `AS f(id, run_id, agent_name, depth, node_id, span_id) ` +
    `WHERE t.parent_event_id = ANY($1::${t.id}[]) AND t.parent_event_id = f.id AND t.run_id = f.run_id ` +
    `AND ((t.agent_name IS NULL AND f.agent_name IS NOT NULL) OR (t.depth IS NULL AND f.depth IS NOT NULL) OR (t.node_id IS NULL AND f.node_id IS NOT NULL))`
  );
}
