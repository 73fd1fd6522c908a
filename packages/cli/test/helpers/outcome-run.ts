import type { TestSchema } from '@agentspan/test-support';

/** A message whose 160-character summary in the report (159 units and `…`) would end between the halves of an emoji. */
export const SURROGATE_EDGE_MESSAGE = `${'a'.repeat(158)}${'😀'.repeat(3)}`;

/** One event of {@link seedOutcomeRun}: its stored type and status, and whether it failed (`null`: in progress, no outcome yet). */
export interface OutcomeEvent {
  type: string;
  status: string;
  failed: boolean | null;
  hasError?: boolean;
  error?: string;
  node: 'fine' | 'timed_out';
  inputs?: Record<string, unknown>;
}

/**
 * Events whose status (not their type) says whether they failed: words for success in any case,
 * `pending` and `skipped` do not; `failed`, `error`, `timeout`, `cancelled`, `stale` (stored on an event that
 * ended) and the error flag do;
 * types of the application's own containing the word `failed` decide nothing.
 */
export const OUTCOME_EVENTS: readonly OutcomeEvent[] = [
  { type: 'tool_call', status: 'completed', failed: false, node: 'fine' },
  { type: 'tool_call', status: 'failed', failed: true, error: 'boom', node: 'fine' },
  { type: 'tool_call', status: 'error', failed: true, node: 'fine' },
  { type: 'code_exec', status: 'timeout', failed: true, error: 'deadline exceeded', node: 'fine' },
  { type: 'tool_call', status: ' COMPLETED ', failed: false, node: 'fine' },
  { type: 'agent_call', status: 'ok', failed: false, node: 'fine', inputs: { message_preview: SURROGATE_EDGE_MESSAGE } },
  { type: 'tool_call', status: 'skipped', failed: false, node: 'fine' },
  { type: 'tool_call', status: 'pending', failed: false, node: 'fine' },
  { type: 'tool_call', status: 'cancelled', failed: true, node: 'fine' },
  { type: 'tool_call', status: 'Failed', failed: true, node: 'fine' },
  { type: 'retry_failed_attempts', status: 'completed', failed: false, node: 'timed_out' },
  { type: 'retry failed attempts', status: 'success', failed: false, node: 'timed_out' },
  { type: 'tool_call', status: 'completed', failed: true, hasError: true, node: 'timed_out' },
  // `stale` is what a reader calls a row in progress whose process fell silent; stored on an event that ended, it is
  // one more word that is no success.
  { type: 'tool_call', status: 'stale', failed: true, node: 'timed_out' },
  { type: 'tool_call', status: 'running', failed: null, node: 'timed_out' },
];

/** How many of {@link OUTCOME_EVENTS} failed. */
export const OUTCOME_FAILED = OUTCOME_EVENTS.filter((e) => e.failed === true).length;

/**
 * A run (status `success`) of two nodes, `fine` (`completed`) and `timed_out` (`timeout`, which
 * says failure), holding {@link OUTCOME_EVENTS} in that order (execution order 1, 2, ...).
 */
export async function seedOutcomeRun(db: TestSchema, runId: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms) VALUES ($1, 'm', 'success', now() - interval '1 hour', now(), 1000)`,
    [runId],
  );
  for (const [i, [nodeId, status]] of [['fine', 'completed'], ['timed_out', 'timeout']].entries()) {
    await db.pool.query(
      `INSERT INTO dag_nodes (id, run_id, node_id, status, order_index, started_at, completed_at, duration_ms)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, now() - interval '1 hour', now(), 10)`,
      [runId, nodeId, status, i],
    );
  }
  for (const [i, e] of OUTCOME_EVENTS.entries()) {
    const ended = e.failed !== null;
    await db.pool.query(
      `INSERT INTO execution_events (id, run_id, node_id, event_type, "timestamp", started_at, completed_at, status, trace_id, span_id,
                                     execution_order, duration_ms, meta, error_message, name, inputs)
       VALUES (gen_random_uuid(), $1, $2, $3, now() - interval '1 hour' + $4 * interval '1 second', now() - interval '1 hour' + $4 * interval '1 second',
               CASE WHEN $5::boolean THEN now() END, $6, 't', $7, $4, CASE WHEN $5::boolean THEN 1 END, $8, $9, $10, $11)`,
      [runId, e.node, e.type, i + 1, ended, e.status, `${runId}-span-${i}`, e.hasError ? { has_error: true } : {}, e.error ?? null, `step ${i + 1}`, e.inputs ?? {}],
    );
  }
}
