/**
 * Filling in the agent, depth and node of event rows written before the
 * spans above them arrived (the gateway).
 *
 * The processor's GenAI mapping names the agent of a model turn or tool
 * after the agent envelope above it (`invoke_agent`, `ai.generateText`,
 * OpenInference `AGENT`), and the gateway gives a span the depth and node of
 * the nearest placed span above it. Both need those spans while the span is
 * replayed. The gateway replays each OTLP request on its own, and SDKs
 * export children before parents, in batches: spans of an agent that runs
 * longer than a sender's export delay arrive before their envelope.
 *
 * - Their rows are written with what is known and marked
 *   `meta.awaits_fill`: the columns among `agent_name`, `depth`, `node_id`
 *   they lack (the gateway sets `agentspan.agent.fill.awaited` on such a
 *   span).
 * - The spans above, when they arrive, list the parents of those rows
 *   (`agentspan.agent.fill.*`, parallel arrays: parent span id, the rows'
 *   run, a depth offset, a rank). Each listed parent becomes an
 *   {@link EventFillRow}: the name (an envelope's usable
 *   `gen_ai.agent.name`; none from a span marked `depth_only`), and, when
 *   the span is in the rows' run and the offset is positive, its depth plus
 *   the offset and its node.
 * - The writer keeps fills in `execution_event_fills` (one row per parent
 *   and run, each value from the source of lowest rank, i.e. nearest the
 *   rows), and after every batch that holds fills or marked rows, sets the
 *   marked columns of the marked rows under those parents from it. A value
 *   a row was written with is never changed (the same span sent again whole
 *   brings its own, which win); a write repeated changes nothing. Both
 *   sides first take transaction-scoped advisory locks of their parents and
 *   runs (keys sharing {@link FILL_LOCKS} by hash), in read committed
 *   transactions, so a fill and the rows it fills, written concurrently,
 *   always meet (the later one sees the earlier committed).
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr } from '@agentspan/semconv';
import { readInt, readString } from './attribute-values.js';
import { EVENT_FILL_COLUMN_TYPES, TABLES, type EventFillRow, type ExecutionEventRow } from './columns.js';
import { eventIdFor } from './ids.js';
import { indexSafe, indexSafeOrNull } from './index-safe.js';
import { qualify } from './sql.js';

/** Most parents one span's fill lists (the gateway lists at most as many); the rest are ignored. */
export const MAX_FILL_PARENTS = 1024;

/** The `meta` key of a row written without some of the columns a fill may give: their names. */
export const AWAITS_FILL_KEY = 'awaits_fill';

/** The columns a fill gives, in the order `meta.awaits_fill` lists them. */
export const FILLED_COLUMNS = ['agent_name', 'depth', 'node_id'] as const;

const INT4_MAX = 2_147_483_647;
const SPAN_ID = /^[0-9a-f]{16}$/i;

/** Whether a span carries a fill (read by the sink to accept spans with no row of their own). */
export function hasAgentFill(span: Pick<ReadableSpan, 'attributes'>): boolean {
  return span.attributes[Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS] !== undefined;
}

/**
 * Marks an event row whose span the gateway said awaits a fill
 * (`agentspan.agent.fill.awaited`): `meta.awaits_fill` lists the columns it
 * lacks. A row that lacks none is not marked, and the key is never taken
 * from a user's `agentspan.meta` (a fill would then change values the row
 * was written with).
 */
export function markAwaitedFill(span: Pick<ReadableSpan, 'attributes'>, row: ExecutionEventRow): void {
  const meta = row.meta;
  if (span.attributes[Attr.ATTR_AGENT_FILL_AWAITED] !== true) {
    if (AWAITS_FILL_KEY in meta) delete meta[AWAITS_FILL_KEY];
    return;
  }
  const lacking = FILLED_COLUMNS.filter((c) => row[c] === null);
  if (lacking.length > 0) meta[AWAITS_FILL_KEY] = lacking;
  else delete meta[AWAITS_FILL_KEY];
}

/** Whether a stored row is marked as awaiting a fill (`meta.awaits_fill`, a non-empty list). */
export function awaitsFill(row: Pick<ExecutionEventRow, 'meta'>): boolean {
  // `meta` may be missing in a record spooled by another version.
  const v = (row.meta as ExecutionEventRow['meta'] | undefined)?.[AWAITS_FILL_KEY];
  return Array.isArray(v) && v.length > 0;
}

/** A name the processor would use: a non-empty string (its `str()`; `''`, numbers and booleans are none). */
function usableName(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? indexSafe(v) : null;
}

/**
 * The fills a span carries: one per listed parent and run, with what the
 * span gives the rows under it. None when it gives nothing, or lists
 * nothing usable. Never throws.
 */
export function agentFillRowsOf(span: ReadableSpan): EventFillRow[] {
  const a = span.attributes;
  const parents = a[Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS];
  if (!Array.isArray(parents)) return [];
  const runs = a[Attr.ATTR_AGENT_FILL_RUN_IDS];
  const offsets = a[Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS];
  const ranks = a[Attr.ATTR_AGENT_FILL_RANKS];
  // A span that is no envelope (a turn, a tool: the gateway says so) gives no name.
  const name = a[Attr.ATTR_AGENT_FILL_DEPTH_ONLY] === true ? null : usableName(a[Attr.ATTR_GEN_AI_AGENT_NAME]);
  const ownRun = readString(a[Attr.ATTR_RUN_ID]);
  const depth = readInt(a[Attr.ATTR_DEPTH]);
  const node = indexSafeOrNull(readString(a[Attr.ATTR_NODE_ID]) ?? null);
  const traceId = span.spanContext().traceId;
  const spanId = span.spanContext().spanId;
  const out: EventFillRow[] = [];
  const seen = new Set<string>();
  const n = Math.min(parents.length, MAX_FILL_PARENTS);
  for (let i = 0; i < n; i++) {
    const parent: unknown = parents[i];
    const run: unknown = Array.isArray(runs) ? runs[i] : undefined;
    if (typeof parent !== 'string' || !SPAN_ID.test(parent) || typeof run !== 'string' || run === '') continue;
    const key = `${parent.toLowerCase()} ${run}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const offset: unknown = Array.isArray(offsets) ? offsets[i] : undefined;
    const r: unknown = Array.isArray(ranks) ? ranks[i] : undefined;
    const rank = typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= INT4_MAX ? r : INT4_MAX;
    // Depth and node only from a span of the rows' run (the gateway's placement never crosses runs).
    const structural = ownRun === run && typeof offset === 'number' && Number.isInteger(offset) && offset > 0;
    const sum = structural && depth !== undefined ? depth + (offset as number) : undefined;
    const rowDepth = sum !== undefined && sum <= INT4_MAX ? sum : null;
    const rowNode = structural ? node : null;
    if (name === null && rowDepth === null && rowNode === null) continue;
    out.push({
      parent_event_id: eventIdFor(traceId, parent),
      run_id: indexSafe(run),
      agent_name: name,
      name_rank: name === null ? null : rank,
      depth: rowDepth,
      depth_rank: rowDepth === null ? null : rank,
      node_id: rowNode,
      node_rank: rowNode === null ? null : rank,
      span_id: spanId,
    });
  }
  return out;
}

/** Two fills of one parent and run as one, each value from the source of lower rank (as the table keeps them). */
export function mergeFills(held: EventFillRow, next: EventFillRow): EventFillRow {
  const better = (a: number | null, b: number | null): boolean => b !== null && (a === null || b < a);
  const name = better(held.name_rank, next.name_rank) ? next : held;
  const depth = better(held.depth_rank, next.depth_rank) ? next : held;
  const node = better(held.node_rank, next.node_rank) ? next : held;
  return {
    ...held,
    agent_name: name.agent_name,
    name_rank: name.name_rank,
    depth: depth.depth,
    depth_rank: depth.depth_rank,
    node_id: node.node_id,
    node_rank: node.node_rank,
  };
}

/** The key of a parent and run: what the advisory lock and the table's primary key are about. */
export function fillKey(parentEventId: string, runId: string): string {
  return `${parentEventId.toLowerCase()} ${runId}`;
}

/**
 * Advisory locks the fills of one schema take, at most: keys share them by hash (each schema of a database
 * has its own). One lock per key would fill Postgres's shared lock table
 * (`max_locks_per_transaction` × connections) with a batch of many fills, and the batch would fail with
 * 53200 for good; a key sharing a lock only makes unrelated fills of the schema wait for each other (a
 * batch of hundreds of keys takes them all: the batches with fills or marked rows of a schema then go one
 * at a time).
 */
export const FILL_LOCKS = 64;

/**
 * Takes the transaction-scoped advisory locks of the keys ({@link fillKey},
 * `$1`; at most {@link FILL_LOCKS}, keys sharing them by hash, those of the
 * schema holding the table `$2`, `execution_events` as the writer names it),
 * in one order. Every writer takes them before any row lock on stored rows
 * (the rows it inserted before are its own, unseen by others), so two
 * batches never wait on each other in a cycle. Exported for tests.
 */
export function fillLockStatement(): string {
  // The two-key form: the first key is the schema's, the one the table `$2` (as the writer names it:
  // qualified, or resolved by the search_path) lives in, whichever way each writer names it; the second the bucket.
  return (
    `SELECT count(pg_advisory_xact_lock(s, h)) FROM ` +
    `(SELECT DISTINCT hashtext('agentspan fills ' || (SELECT c.relnamespace::regnamespace::text FROM pg_class c WHERE c.oid = to_regclass($2::text))) AS s, ` +
    `(hashtextextended(k, 0) & ${FILL_LOCKS - 1})::integer AS h FROM unnest($1::text[]) AS k ORDER BY 1, 2) AS locks`
  );
}

/**
 * Stored rows awaiting a fill that the same span, sent again, brings values
 * for: those values win, and the columns they fill are no longer awaited
 * (the key goes when none is left). `$1…$4`: ids, agent names, depths,
 * nodes. Exported for tests.
 */
export function ownValuesStatement(schema: string | undefined): string {
  const given = (c: string): string => `(c = '${c}' AND n.${c} IS NOT NULL)`;
  const remaining =
    `(SELECT coalesce(jsonb_agg(c), '[]'::jsonb) FROM jsonb_array_elements_text(t.meta->'${AWAITS_FILL_KEY}') AS c ` +
    `WHERE NOT (${FILLED_COLUMNS.map(given).join(' OR ')}))`;
  const value = (c: string): string => `CASE WHEN t.meta->'${AWAITS_FILL_KEY}' ? '${c}' AND n.${c} IS NOT NULL THEN n.${c} ELSE t.${c} END`;
  return (
    `UPDATE ${qualify(schema, TABLES.EXECUTION_EVENTS)} AS t SET ${FILLED_COLUMNS.map((c) => `${c} = ${value(c)}`).join(', ')}, ` +
    `meta = CASE WHEN ${remaining} = '[]'::jsonb THEN t.meta - '${AWAITS_FILL_KEY}' ELSE jsonb_set(t.meta, '{${AWAITS_FILL_KEY}}', ${remaining}) END ` +
    `FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[]) AS n(id, agent_name, depth, node_id) ` +
    `WHERE t.id = ANY($1::uuid[]) AND t.id = n.id AND jsonb_typeof(t.meta->'${AWAITS_FILL_KEY}') = 'array' ` +
    `AND (${FILLED_COLUMNS.map((c) => `(t.meta->'${AWAITS_FILL_KEY}' ? '${c}' AND n.${c} IS NOT NULL)`).join(' OR ')})`
  );
}

/** The upsert of a batch's fills: per column, the value of lower rank wins. Exported for tests. */
export function fillUpsertStatement(schema: string | undefined): string {
  const t = EVENT_FILL_COLUMN_TYPES;
  const columns = Object.keys(t) as (keyof EventFillRow)[];
  const arrays = columns.map((c, i) => `$${i + 1}::${t[c]}[]`).join(', ');
  const take = (value: string, rank: string): string =>
    `${value} = CASE WHEN EXCLUDED.${rank} IS NOT NULL AND (f.${rank} IS NULL OR EXCLUDED.${rank} < f.${rank}) THEN EXCLUDED.${value} ELSE f.${value} END, ` +
    `${rank} = CASE WHEN EXCLUDED.${rank} IS NOT NULL AND (f.${rank} IS NULL OR EXCLUDED.${rank} < f.${rank}) THEN EXCLUDED.${rank} ELSE f.${rank} END`;
  return (
    `INSERT INTO ${qualify(schema, TABLES.EVENT_FILLS)} AS f (${columns.join(', ')}) SELECT * FROM unnest(${arrays}) ` +
    `ON CONFLICT (parent_event_id, run_id) DO UPDATE SET ${take('agent_name', 'name_rank')}, ${take('depth', 'depth_rank')}, ${take('node_id', 'node_rank')}`
  );
}

/**
 * Sets, on the marked rows under the given parents and runs, each column
 * they await from the stored fill (a value the row was written with is
 * never changed). `$1` parent event ids, `$2` runs. Exported for tests.
 */
export function fillApplyStatement(schema: string | undefined): string {
  const value = (c: string): string => `CASE WHEN t.meta->'${AWAITS_FILL_KEY}' ? '${c}' AND f.${c} IS NOT NULL THEN f.${c} ELSE t.${c} END`;
  const sets = FILLED_COLUMNS.map((c) => `${c} = ${value(c)}`).join(', ');
  return (
    `UPDATE ${qualify(schema, TABLES.EXECUTION_EVENTS)} AS t SET ${sets} ` +
    `FROM ${qualify(schema, TABLES.EVENT_FILLS)} AS f, unnest($1::uuid[], $2::text[]) AS k(parent_event_id, run_id) ` +
    `WHERE f.parent_event_id = k.parent_event_id AND f.run_id = k.run_id ` +
    `AND t.parent_event_id = ANY($1::uuid[]) AND t.parent_event_id = f.parent_event_id AND t.run_id = f.run_id ` +
    `AND jsonb_typeof(t.meta->'${AWAITS_FILL_KEY}') = 'array' ` +
    `AND (t.agent_name, t.depth, t.node_id) IS DISTINCT FROM (${FILLED_COLUMNS.map(value).join(', ')})`
  );
}
