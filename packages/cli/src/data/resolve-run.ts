import type pg from 'pg';
import { CliError } from '../errors.js';
import { UsageError } from '../io.js';

/** Shortest prefix accepted in place of a full run id (as git does for commits). */
export const MIN_PREFIX_LENGTH = 4;

/**
 * The full run id for `given`: an exact id (of a `workflow_runs` row, or of
 * events whose run row is not written yet), else a unique prefix of at least
 * {@link MIN_PREFIX_LENGTH} characters of a `workflow_runs` id. An unknown or
 * ambiguous id is a {@link CliError} that says what to do.
 */
export async function resolveRunId(client: pg.ClientBase, given: string | undefined): Promise<string> {
  const id = given?.trim();
  if (!id) throw new UsageError('missing <run-id> (`agentspan runs` lists the recent runs)');
  const exact = await client.query(
    `SELECT 1 FROM workflow_runs WHERE id = $1
     UNION ALL
     SELECT 1 WHERE EXISTS (SELECT 1 FROM execution_events WHERE run_id = $1)
     LIMIT 1`,
    [id],
  );
  if (exact.rowCount) return id;
  if (id.length >= MIN_PREFIX_LENGTH) {
    const matches = await client.query<{ id: string }>(
      'SELECT id FROM workflow_runs WHERE starts_with(id, $1) ORDER BY started_at DESC NULLS LAST, id LIMIT 6',
      [id],
    );
    if (matches.rows.length === 1) return matches.rows[0]!.id;
    if (matches.rows.length > 1) {
      const shown = matches.rows.slice(0, 5).map((r) => `  ${r.id}`);
      throw new CliError(
        `run id prefix "${id}" is ambiguous; it matches ${matches.rows.length > 5 ? 'more than 5' : matches.rows.length} runs:\n${shown.join('\n')}`,
      );
    }
  }
  throw new CliError(`no run "${id}" in this database (\`agentspan runs\` lists the recent runs)`);
}
