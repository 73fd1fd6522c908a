import pg from 'pg';

/** One event of a run, as the timeline shows it. */
export interface TimelineEvent {
  executionOrder: number | null;
  eventType: string;
  agentName: string | null;
  nodeId: string | null;
  status: string;
  /** A non-zero exit code or a tool error (`meta.has_error`), whatever the status says. */
  hasError: boolean;
  durationMs: number | null;
  filePath: string | null;
  hasContent: boolean | null;
}

/** What the database holds about one run. */
export interface RunSummary {
  runId: string;
  status: string | null;
  mode: string | null;
  events: TimelineEvent[];
  countsByType: Record<string, number>;
}

/** Reads a run's events in execution order (the replay order). */
export async function readRunSummary(client: pg.ClientBase | pg.Pool, runId: string): Promise<RunSummary> {
  const run = await client.query<{ status: string | null; mode: string | null }>(
    'SELECT status, mode FROM workflow_runs WHERE id = $1',
    [runId],
  );
  const events = await client.query<{
    execution_order: number | null;
    event_type: string;
    agent_name: string | null;
    node_id: string | null;
    status: string;
    has_error: boolean;
    duration_ms: number | null;
    file_path: string | null;
    has_content: string | null;
  }>(
    `SELECT execution_order, event_type, agent_name, node_id, status, coalesce(meta->>'has_error' = 'true', false) AS has_error, duration_ms,
            outputs->>'file_path' AS file_path, meta->>'has_content' AS has_content
       FROM execution_events
      WHERE run_id = $1
      ORDER BY execution_order NULLS LAST, timestamp`,
    [runId],
  );
  const counts = await client.query<{ event_type: string; count: string }>(
    'SELECT event_type, COUNT(*) FROM execution_events WHERE run_id = $1 GROUP BY event_type ORDER BY event_type',
    [runId],
  );
  return {
    runId,
    status: run.rows[0]?.status ?? null,
    mode: run.rows[0]?.mode ?? null,
    events: events.rows.map((r) => ({
      executionOrder: r.execution_order,
      eventType: r.event_type,
      agentName: r.agent_name,
      nodeId: r.node_id,
      status: r.status,
      hasError: r.has_error === true,
      durationMs: r.duration_ms,
      filePath: r.file_path,
      hasContent: r.has_content === null ? null : r.has_content === 'true',
    })),
    countsByType: Object.fromEntries(counts.rows.map((r) => [r.event_type, Number(r.count)])),
  };
}

/** `✓ agent_call engineer @ step_1 (order 1)` lines, then the counts by type. */
export function formatRunSummary(summary: RunSummary): string {
  const lines: string[] = [];
  lines.push(`run ${summary.runId} (${summary.mode ?? 'unknown mode'}): ${summary.status ?? 'not yet written'}`);
  for (const e of summary.events) {
    // As `agentspan timeline` marks it: a code run that exited non-zero failed, whatever its status.
    const mark = e.status === 'failed' || e.hasError ? '✗' : '✓';
    const where = e.nodeId ? ` @ ${e.nodeId}` : '';
    const file = e.filePath ? ` ${e.filePath}${e.hasContent ? ' [content captured]' : ''}` : '';
    lines.push(`${mark} ${e.eventType} ${e.agentName ?? '-'}${where} (order ${e.executionOrder ?? '?'})${file}`);
  }
  lines.push('');
  lines.push('events by type:');
  for (const [type, count] of Object.entries(summary.countsByType)) lines.push(`  ${type.padEnd(11)} ${count}`);
  return lines.join('\n');
}

/** How to look at the data afterwards (with psql when the database outlives the example). */
export function queryHints(databaseUrl: string | undefined, runId: string, schema?: string): string {
  const queries = [
    `SELECT event_type, COUNT(*) FROM execution_events WHERE run_id = '${runId.replace(/'/g, "''")}' GROUP BY event_type;`,
    "SELECT outputs->>'file_path', LENGTH(outputs->>'file_content'), meta->>'has_content' FROM execution_events WHERE event_type = 'file_gen';",
    "SELECT agent_name, meta->>'imports', meta->>'files_written' FROM execution_events WHERE event_type = 'code_exec' AND meta->>'imports' IS NOT NULL;",
  ];
  if (databaseUrl === undefined) {
    return [
      'query it: the embedded database lives in .agentspan/pglite; to query with psql, run against your own',
      'Postgres instead (DATABASE_URL=postgres://... npm run demo), then for example:',
      ...queries.map((q) => `  ${q}`),
    ].join('\n');
  }
  // The tables are in `schema` when one was given: the queries must look there.
  const searchPath = schema ? `SET search_path TO "${schema.replace(/"/g, '""')}"; ` : '';
  const target = withoutPassword(databaseUrl);
  return ['query it:', ...queries.map((q) => `  psql "${target}" -c "${(searchPath + q).replace(/"/g, '\\"')}"`)].join('\n');
}

/** A connection URL without its password (printed, it would end up in terminal logs). */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1@');
}

/** `database: ...` as the examples print it: where the rows go, without credentials. */
export function databaseLine(embedded: boolean, url: string): string {
  return embedded ? `database: embedded PGlite (${url})` : `database: Postgres, ${withoutPassword(url)}`;
}
