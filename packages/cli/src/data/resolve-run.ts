import type pg from 'pg';
import { CliError } from '../errors.js';
import { terminalSafe } from '../format/text.js';
import { UsageError } from '../io.js';

/** Shortest prefix accepted in place of a full run id (as git does for commits). */
export const MIN_PREFIX_LENGTH = 4;

/** How many candidates an ambiguous prefix lists. */
const SHOWN_CANDIDATES = 5;

/**
 * The full run id for `given`: an exact id (of a `workflow_runs` row, or of
 * events whose run row is not written yet), else a unique prefix of at least
 * {@link MIN_PREFIX_LENGTH} characters of a `workflow_runs` id. `given` is
 * tried as typed first, and trimmed only when that finds nothing: a run id
 * is stored as the application gave it, spaces included (`' x '` must open),
 * while an id pasted with a stray space still opens its run (an id of only
 * spaces is a missing one). An unknown or ambiguous id is a {@link CliError}
 * that says what to do.
 */
export async function resolveRunId(client: pg.ClientBase, given: string | undefined): Promise<string> {
  const trimmed = given?.trim();
  if (!given || !trimmed) throw new UsageError('missing <run-id> (`agentspan runs` lists the recent runs)');
  const found = (await matchRunId(client, given)) ?? (trimmed === given ? undefined : await matchRunId(client, trimmed));
  if (found !== undefined) return found;
  throw new CliError(`no run "${terminalSafe(given)}" in this database (\`agentspan runs\` lists the recent runs)`);
}

/** The run `text` names exactly or as a unique prefix; undefined when none; an ambiguous prefix throws. */
async function matchRunId(client: pg.ClientBase, text: string): Promise<string | undefined> {
  if (await exists(client, text)) return text;
  if (text.length < MIN_PREFIX_LENGTH) return undefined;
  const matches = await client.query<{ id: string }>(
    'SELECT id FROM workflow_runs WHERE starts_with(id, $1) ORDER BY started_at DESC NULLS LAST, id LIMIT $2',
    [text, SHOWN_CANDIDATES + 1],
  );
  if (matches.rows.length === 1) return matches.rows[0]!.id;
  if (matches.rows.length > 1) throw ambiguous(text, matches.rows.map((r) => r.id));
  return undefined;
}

/** Whether `id` is a run: its row, or events recorded under it before its row. */
async function exists(client: pg.ClientBase, id: string): Promise<boolean> {
  const exact = await client.query(
    `SELECT 1 FROM workflow_runs WHERE id = $1
     UNION ALL
     SELECT 1 WHERE EXISTS (SELECT 1 FROM execution_events WHERE run_id = $1)
     LIMIT 1`,
    [id],
  );
  return (exact.rowCount ?? 0) > 0;
}

/**
 * The error for a prefix of several runs, listing them one per line. The ids
 * are recorded text: each goes through {@link terminalSafe}, so an escape
 * sequence in one cannot reach the terminal and a newline in one cannot pass
 * for another candidate's line.
 */
function ambiguous(prefix: string, ids: readonly string[]): CliError {
  const count = ids.length > SHOWN_CANDIDATES ? `more than ${SHOWN_CANDIDATES}` : String(ids.length);
  const shown = ids.slice(0, SHOWN_CANDIDATES).map((id) => `  ${terminalSafe(id)}`);
  return new CliError(`run id prefix "${terminalSafe(prefix)}" is ambiguous; it matches ${count} runs:\n${shown.join('\n')}`);
}
