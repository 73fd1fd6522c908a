import { randomBytes, randomUUID } from 'node:crypto';
import type { TestSchema } from '@agentspan/test-support';

/** One event row, ended (`completed`, `failed`) or in progress (`running`) as the writer leaves it while the event runs. */
interface EventSpec {
  order: number;
  type: string;
  name: string;
  status: 'completed' | 'failed' | 'running';
  inputs?: Record<string, unknown>;
  error?: string;
  /** For a row in progress: when its process last wrote it. */
  lastSeenAt?: string;
}

/** What {@link seedLiveRun} wrote: when the processes of its two events in progress were last seen. */
export interface LiveRun {
  runId: string;
  /** The tool call still running (#3): seen 5 s ago. */
  freshSeen: string;
  /** The code execution whose process fell silent an hour ago (#4): stale. */
  staleSeen: string;
}

/**
 * A run in progress (`tool-loop`, node `analyse`, agent `analyst`, started two minutes ago) with
 * four events: #1 a tool call that ended, #2 one that failed (`HTTP 503`), #3 a tool call still
 * running (`execute_tool fetch_page`), #4 a code execution whose row in progress fell silent an hour
 * ago (`execute_code executor`). Rows in progress as the writer leaves them: status `running`, no
 * end, no duration, no inputs, outputs or attributes, `meta` holding only the liveness keys.
 */
export async function seedLiveRun(db: TestSchema, runId: string): Promise<LiveRun> {
  const freshSeen = new Date(Date.now() - 5_000).toISOString();
  const staleSeen = new Date(Date.now() - 3_600_000).toISOString();
  const liveMeta = { last_seen_at: new Date(Date.now() - 10_000).toISOString(), heartbeat_ms: 60_000 };
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, task_description, status, started_at, meta, trace_id)
     VALUES ($1, 'tool-loop', 'Fetch and summarise', 'running', now() - interval '2 minutes', $2, $3)`,
    [runId, liveMeta, 'ab'.repeat(16)],
  );
  const nodeRow = randomUUID();
  await db.pool.query(
    `INSERT INTO dag_nodes (id, run_id, node_id, title, agent, status, order_index, started_at, meta)
     VALUES ($1, $2, 'analyse', 'analyse the pages', 'analyst', 'running', 1, now() - interval '2 minutes', $3)`,
    [nodeRow, runId, liveMeta],
  );
  const insert = async (e: EventSpec): Promise<void> => {
    const live = e.status === 'running';
    await db.pool.query(
      `INSERT INTO execution_events (id, run_id, node_id, parent_event_id, event_type, agent_name, "timestamp", started_at, completed_at,
                                     duration_ms, inputs, outputs, meta, error_message, execution_order, depth, status, trace_id,
                                     span_id, name)
       VALUES ($1, $2, 'analyse', $3, $4, 'analyst', now() - interval '2 minutes' + make_interval(secs => $5::int),
               now() - interval '2 minutes' + make_interval(secs => $5::int),
               CASE WHEN $6::boolean THEN NULL ELSE now() - interval '2 minutes' + make_interval(secs => $5::int + 1) END,
               CASE WHEN $6::boolean THEN NULL ELSE 1000 END, $7, '{}', $8, $9, $5::int, 2, $10, $11, $12, $13)`,
      [
        randomUUID(),
        runId,
        nodeRow,
        e.type,
        e.order,
        live,
        e.inputs ?? {},
        live ? { last_seen_at: e.lastSeenAt, heartbeat_ms: 60_000 } : {},
        e.error ?? null,
        e.status,
        'ab'.repeat(16),
        randomBytes(8).toString('hex'),
        e.name,
      ],
    );
  };
  await insert({ order: 1, type: 'tool_call', name: 'execute_tool search', status: 'completed', inputs: { tool: 'search', args_keys: ['q'] } });
  await insert({ order: 2, type: 'tool_call', name: 'execute_tool fetch', status: 'failed', inputs: { tool: 'fetch', args_keys: ['url'] }, error: 'HTTP 503' });
  await insert({ order: 3, type: 'tool_call', name: 'execute_tool fetch_page', status: 'running', lastSeenAt: freshSeen });
  await insert({ order: 4, type: 'code_exec', name: 'execute_code executor', status: 'running', lastSeenAt: staleSeen });
  return { runId, freshSeen, staleSeen };
}
