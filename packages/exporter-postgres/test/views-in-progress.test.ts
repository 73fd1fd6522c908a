/**
 * The pattern views beside events in progress: an agent call, code execution or tool call still
 * running has a row that says `running` with no end (`inProgressSql`), and no outcome yet.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runMigrations } from '../src/index.js';

/** `meta.last_seen_at` as the writer stamps it, `ago` ms before now. */
const seenAgo = (ago: number) => new Date(Date.now() - ago).toISOString();
/** An hour of silence at a one-minute heartbeat: stale to every reader. */
const HOUR = 3_600_000;

interface EventSpec {
  runId: string;
  type: 'agent_call' | 'code_exec' | 'tool_call';
  order: number;
  agent?: string;
  nodeId?: string;
  /** The `dag_nodes` row (or event) the event is directly inside. */
  parent?: string;
  /** Set: a row in progress last written this long ago (ms). */
  runningFor?: number;
  failed?: boolean;
  inputs?: Record<string, unknown>;
  meta?: Record<string, unknown>;
  error?: string;
}

describe('pattern views and events in progress', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('views_live');
    await runMigrations(db.pool, { schema: db.schema });
  });
  after(async () => {
    await db.drop();
  });

  /** Writes an event row: ended (`completed`, or `failed`), or in progress as the writer leaves it while the event runs. */
  async function event(spec: EventSpec): Promise<string> {
    const id = randomUUID();
    const live = spec.runningFor !== undefined;
    const meta = live ? { ...spec.meta, last_seen_at: seenAgo(spec.runningFor!), heartbeat_ms: 60_000 } : { ...spec.meta };
    await db.pool.query(
      `INSERT INTO execution_events (id, run_id, node_id, parent_event_id, event_type, agent_name, "timestamp", started_at,
                                     completed_at, duration_ms, inputs, outputs, meta, error_message, execution_order, depth,
                                     status, trace_id, span_id, name)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int), now() + make_interval(secs => $7::int),
               CASE WHEN $8::boolean THEN NULL ELSE now() + make_interval(secs => $7::int + 1) END,
               CASE WHEN $8::boolean THEN NULL ELSE 1000 END,
               $9, '{}', $10, $11, $7::int, 3, $12, $13, $14, $15)`,
      [
        id,
        spec.runId,
        spec.nodeId ?? null,
        spec.parent ?? null,
        spec.type,
        spec.agent ?? 'agent',
        spec.order,
        live,
        spec.inputs ?? {},
        meta,
        spec.error ?? null,
        live ? 'running' : spec.failed ? 'failed' : 'completed',
        randomBytes(16).toString('hex'),
        randomBytes(8).toString('hex'),
        `${spec.type} ${String(spec.inputs?.['tool'] ?? spec.agent ?? '')}`.trim(),
      ],
    );
    return id;
  }

  /** A node instance (`dag_nodes` row) of `nodeId`; its id is what its events have as `parent_event_id`. */
  async function node(runId: string, nodeId: string): Promise<string> {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO dag_nodes (id, run_id, node_id, status, started_at) VALUES ($1, $2, $3, 'completed', now())`,
      [id, runId, nodeId],
    );
    return id;
  }

  async function run(runId: string, startedAgo = 0): Promise<void> {
    await db.pool.query(
      `INSERT INTO workflow_runs (id, status, started_at) VALUES ($1, 'running', now() - make_interval(secs => $2))`,
      [runId, startedAgo],
    );
  }

  async function grams(prefix: string, runs: number | null = null): Promise<[string, number, number][]> {
    const { rows } = await db.pool.query<{ sequence: string; occurrences: number; successes: number }>(
      'SELECT sequence, occurrences, successes FROM agentspan_tool_sequences_last($1::integer) WHERE sequence LIKE $2 ORDER BY sequence',
      [runs, `${prefix}%`],
    );
    return rows.map((g) => [g.sequence, g.occurrences, g.successes]);
  }

  it('agentspan_event_outcomes: an event in progress, seen lately or stale, has no outcome (succeeded NULL); ended events keep theirs', async () => {
    const runId = 'outcomes-live';
    const ok = await event({ runId, type: 'tool_call', order: 1, inputs: { tool: 'outcome_ok' } });
    const bad = await event({ runId, type: 'tool_call', order: 2, inputs: { tool: 'outcome_bad' }, failed: true, error: 'boom' });
    const flagged = await event({ runId, type: 'code_exec', order: 3, meta: { has_error: true } });
    const fresh = await event({ runId, type: 'agent_call', order: 4, runningFor: 5_000 });
    const stale = await event({ runId, type: 'code_exec', order: 5, runningFor: HOUR });
    const { rows } = await db.pool.query<{ id: string; status: string; succeeded: boolean | null; error_message: string | null }>(
      'SELECT id, status, succeeded, error_message FROM agentspan_event_outcomes WHERE run_id = $1',
      [runId],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(rows.length, 5, 'one row per event, those in progress included');
    assert.equal(byId.get(ok)!.succeeded, true);
    assert.deepEqual([byId.get(bad)!.succeeded, byId.get(bad)!.error_message], [false, 'boom']);
    assert.equal(byId.get(flagged)!.succeeded, false);
    assert.deepEqual([byId.get(fresh)!.status, byId.get(fresh)!.succeeded], ['running', null]);
    assert.deepEqual([byId.get(stale)!.status, byId.get(stale)!.succeeded], ['running', null]);
  });

  it('agentspan_error_rates: a call still running is neither an error nor a success, so it does not lower the error rate', async () => {
    const runId = 'rates-live';
    await event({ runId, type: 'agent_call', order: 1, agent: 'rates_writer', failed: true, error: 'model rate limited' });
    await event({ runId, type: 'agent_call', order: 2, agent: 'rates_writer', runningFor: 5_000 });
    await event({ runId, type: 'tool_call', order: 3, agent: 'rates_writer', runningFor: HOUR });
    await event({ runId, type: 'tool_call', order: 4, agent: 'rates_tooler', inputs: { tool: 'rates_grep' } });
    await event({ runId, type: 'tool_call', order: 5, agent: 'rates_tooler', runningFor: 5_000, inputs: { tool: 'rates_grep' } });
    const { rows } = await db.pool.query(
      `SELECT kind, name, calls, errors, error_rate, last_error FROM agentspan_error_rates WHERE name LIKE 'rates_%' ORDER BY kind, name`,
    );
    assert.deepEqual(rows, [
      { kind: 'agent', name: 'rates_tooler', calls: 1, errors: 0, error_rate: 0, last_error: null },
      { kind: 'agent', name: 'rates_writer', calls: 1, errors: 1, error_rate: 1, last_error: 'model rate limited' },
      { kind: 'tool', name: 'rates_grep', calls: 1, errors: 0, error_rate: 0, last_error: null },
    ]);
  });

  it('agentspan_repeated_code and agentspan_import_usage: an unfinished execution is no repetition of its code, nor a use of its imports', async () => {
    const code = { code: 'import rep_mod\nrep_mod.go()\n', code_hash: 'rep-hash-1', language: 'python' };
    const imports = { language: 'python', imports: ['rep_mod'] };
    // Executed once and ended, then again in two runs, still running there: the row in progress as the
    // writer leaves it (no inputs), and one that carries its code and imports (as a writer that recorded
    // them at the start would): the status decides, not what the row holds.
    await run('rep-1', 30);
    await run('rep-2', 20);
    await run('rep-3', 10);
    await event({ runId: 'rep-1', type: 'code_exec', order: 1, agent: 'rep_exec', inputs: code, meta: imports });
    await event({ runId: 'rep-2', type: 'code_exec', order: 1, agent: 'rep_exec', runningFor: 5_000 });
    await event({ runId: 'rep-3', type: 'code_exec', order: 1, agent: 'rep_exec', runningFor: HOUR, inputs: code, meta: imports });
    const repeated = async () =>
      (await db.pool.query(`SELECT code_hash, executions, run_count, successes, failures FROM agentspan_repeated_code WHERE code_hash LIKE 'rep-%'`)).rows;
    assert.deepEqual(await repeated(), [], 'executed once: not repeated');
    const usage = await db.pool.query(`SELECT module, uses, run_count, successes, success_rate FROM agentspan_import_usage WHERE module = 'rep_mod'`);
    assert.deepEqual(usage.rows, [{ module: 'rep_mod', uses: 1, run_count: 1, successes: 1, success_rate: 1 }]);

    // A second execution that ended, and failed: repeated now, with one success and one failure.
    await event({ runId: 'rep-2', type: 'code_exec', order: 2, agent: 'rep_exec', inputs: code, meta: { ...imports, has_error: true } });
    assert.deepEqual(await repeated(), [{ code_hash: 'rep-hash-1', executions: 2, run_count: 2, successes: 1, failures: 1 }]);
    const newest = await db.pool.query(`SELECT code_hash FROM agentspan_repeated_code_last(2) WHERE code_hash LIKE 'rep-%'`);
    assert.deepEqual(newest.rows, [], 'over the newest two runs, the one execution that ended is all there is');
  });

  it('agentspan_tool_sequences: a call still running is in no gram, and the calls beside it are not joined across it', async () => {
    const runId = 'seq-live-loop';
    const step = await node(runId, 'tools');
    await event({ runId, type: 'tool_call', order: 1, nodeId: 'tools', parent: step, inputs: { tool: 'seqlive_search' } });
    const running = await event({ runId, type: 'tool_call', order: 2, nodeId: 'tools', parent: step, runningFor: 5_000 });
    await event({ runId, type: 'tool_call', order: 3, nodeId: 'tools', parent: step, inputs: { tool: 'seqlive_write' } });
    assert.deepEqual(await grams('seqlive_'), [], 'no seqlive_search > seqlive_write: a call ran between them');

    // Its end replaces the row in progress (same id): the grams it is part of appear.
    await db.pool.query(
      `UPDATE execution_events SET status = 'completed', completed_at = "timestamp" + interval '1 second', duration_ms = 1000,
              inputs = '{"tool": "seqlive_read"}', meta = '{}' WHERE id = $1`,
      [running],
    );
    assert.deepEqual(await grams('seqlive_'), [
      ['seqlive_read > seqlive_write', 1, 1],
      ['seqlive_search > seqlive_read', 1, 1],
      ['seqlive_search > seqlive_read > seqlive_write', 1, 1],
    ]);
  });

  it('agentspan_tool_sequences: a branch whose last call still runs overlaps the branch beside it, and is not interleaved with it', async () => {
    const runId = 'seq-live-fanout';
    await run(runId);
    const a = await node(runId, 'worker');
    const b = await node(runId, 'worker');
    // A: #1 and #3 (still running, stale), B: #2 and #4, at the same time.
    await event({ runId, type: 'tool_call', order: 1, nodeId: 'worker', parent: a, inputs: { tool: 'fanlive_a1' } });
    await event({ runId, type: 'tool_call', order: 2, nodeId: 'worker', parent: b, inputs: { tool: 'fanlive_b1' } });
    await event({ runId, type: 'tool_call', order: 3, nodeId: 'worker', parent: a, runningFor: HOUR });
    await event({ runId, type: 'tool_call', order: 4, nodeId: 'worker', parent: b, inputs: { tool: 'fanlive_b2' } });
    const expected: [string, number, number][] = [['fanlive_b1 > fanlive_b2', 1, 1]];
    assert.deepEqual(await grams('fanlive_'), expected);
    assert.deepEqual(await grams('fanlive_', 1), expected, 'the same over the newest run');
  });
});
