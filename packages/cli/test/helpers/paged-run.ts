import type pg from 'pg';

/** The run {@link seedPagedRun} records. */
export const PAGED_RUN = 'paged-run-2026-11-20';

/** A fixed uuid per number, so the order of ties (by id) is known: `00000000-0000-4000-8000-0000000000NN`. */
export const eventId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const T0 = '2026-11-20T10:00:00.000000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

/**
 * A run whose every row is fixed (ids, times, texts), so its timeline's bytes are too: two nodes
 * interleaved, a run-level event, ties in the ordering key (the same execution order and timestamp,
 * told apart by id), events without an execution order (listed last, by timestamp, ties by id), one
 * with the exporter's epoch for an unknown start, CJK and emoji text, failures, a file, a handoff.
 * Events are inserted in an order unlike the replay order, so nothing depends on the heap's.
 */
export async function seedPagedRun(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO workflow_runs (id, mode, task_description, status, started_at, completed_at, duration_ms, service_name, trace_id, meta)
     VALUES ($1, 'one-shot', 'Summarise the sales data 売上データを要約する', 'failed', $2, $3, 9000, 'svc', 'trace-1', '{"k":"v"}')`,
    [PAGED_RUN, T0, at(9000)],
  );
  await pool.query(
    `INSERT INTO dag_nodes (id, run_id, node_id, title, agent, status, order_index, started_at, completed_at, duration_ms)
     VALUES ('00000000-0000-4000-9000-000000000001', $1, 'step_1', 'write the script', 'engineer', 'completed', 0, $2, $3, 4000),
            ('00000000-0000-4000-9000-000000000002', $1, '分析', '過去五年間の売上を要約する', '分析者', 'timeout', 1, $4, $5, 3000)`,
    [PAGED_RUN, at(10), at(4010), at(20), at(3020)],
  );
  type Row = [n: number, order: number | null, ms: number, node: string | null, type: string, agent: string | null, status: string, extra?: Partial<Extra>];
  interface Extra { inputs: object; outputs: object; meta: object; error: string; depth: number; duration: number; started: boolean; name: string }
  const rows: Row[] = [
    [9, 1, 100, 'step_1', 'agent_call', 'planner', 'completed', { inputs: { message_preview: 'Plan: write fib.py 😀 then run it' } }],
    [3, 2, 200, 'step_1', 'code_exec', 'executor', 'completed', { inputs: { code: 'print([fib(i) for i in range(10)])', language: 'python' }, outputs: { exit_code: 0 }, meta: { files_written: ['fib.txt'] } }],
    // Three ties: the same order and timestamp, replayed by id (1, 2, 7 below).
    [7, 3, 300, '分析', 'tool_call', '分析者エージェント', 'completed', { inputs: { tool: 'read_file', args_keys: ['path'] }, depth: 3 }],
    [1, 3, 300, '分析', 'tool_call', '分析者', 'failed', { inputs: { tool: 'search', args_keys: ['q', 'limit'] }, error: 'TimeoutError: 検索がタイムアウトしました' }],
    [2, 3, 300, '分析', 'agent_call', 'analyst', 'completed', { inputs: { message_preview: '日本語のメッセージ' } }],
    [12, 4, 350, null, 'handoff', 'planner', 'completed', { inputs: { from_agent: 'planner', to_agent: 'writer' }, depth: 1 }],
    [5, 5, 400, 'step_1', 'code_exec', 'executor', 'completed', { inputs: { code: 'import pandas\nprint(1)', language: 'python' }, outputs: { exit_code: 1 }, meta: { has_error: true, error_message: "ModuleNotFoundError: No module named 'pandas'" } }],
    [6, 6, 500, 'step_1', 'file_gen', 'executor', 'completed', { outputs: { file_path: 'fib.txt', file_size: 2048 }, meta: { has_content: 'true' } }],
    [4, 7, 600, 'step_1', 'retry_with_exponential_backoff_attempt', 'executor', 'completed', { name: 'retry' }],
    [8, 8, 700, '分析', 'tool_call', 'analyst', 'completed', { inputs: { tool: 'write_file', args_keys: ['path', 'content'] }, outputs: { files_generated: ['summary.md'] } }],
    // No execution order: after all the others, by timestamp, then id (13 before 14 at the same time).
    [14, null, 50, 'step_1', 'agent_call', 'critic', 'completed', { inputs: { message_preview: 'late but early' } }],
    [13, null, 50, 'step_1', 'agent_call', 'critic', 'completed', { inputs: { message_preview: 'tied with 14' } }],
    [11, null, 800, null, 'custom_event', null, 'done', { started: false, name: 'checkpoint' }],
    // The exporter's epoch: the start is unknown (its offset reads `-`), and still the first of the unordered ones.
    [10, null, -Date.parse(T0), '分析', 'tool_call', 'analyst', 'completed', { started: false, inputs: { tool: 'noop', args_keys: [] } }],
  ];
  for (const [n, order, ms, node, type, agent, status, extra = {}] of rows) {
    await pool.query(
      `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", started_at, completed_at, status, trace_id, span_id,
                                     execution_order, depth, duration_ms, inputs, outputs, meta, error_message, name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8, 'trace-1', $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        eventId(n), PAGED_RUN, node, type, agent, at(ms), extra.started === false ? null : at(ms), status, `span-${n}`,
        order, extra.depth ?? (node === null ? 1 : 2), extra.duration ?? n * 3.5, extra.inputs ?? {}, extra.outputs ?? {}, extra.meta ?? {},
        extra.error ?? null, extra.name ?? null,
      ],
    );
  }
}

/** The replay order of the events {@link seedPagedRun} records, by their number (see {@link eventId}). */
export const PAGED_RUN_ORDER = [9, 3, 1, 2, 7, 12, 5, 6, 4, 8, 10, 13, 14, 11];
