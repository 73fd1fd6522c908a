/**
 * Views and functions for mining runs: the foundations of skill extraction
 * (`agentspan patterns`, Grafana panels, ad hoc SQL all read the same ones).
 *
 * Each aggregate exists twice with one definition:
 * - a function `agentspan_<name>_last(runs integer)` over the `runs` most
 *   recently started runs (`NULL`: every run, including events whose run row
 *   is not written yet; a negative count is refused, SQLSTATE 22023, see
 *   {@link RECENT_RUN_IDS_SQL});
 * - a view `agentspan_<name>` = the function over every run.
 *
 * The functions use `BEGIN ATOMIC` bodies (Postgres 14+, PGlite): like a
 * view, the body is bound to the tables when it is created, so it reads the
 * schema it was migrated into whatever the caller's `search_path` is.
 *
 * "Succeeded" is defined once, in `agentspan_event_outcomes`: the status says
 * no failure (`EVENT_SUCCESS_WORDS`: `completed`, `success` and the words for
 * it as a run's status reads them, in any case; none given; `running` on an
 * event that ended, `pending`, `skipped`), and `meta.has_error` (non-zero exit
 * code, tool error) is not true. Any other word (`failed`, `error`, `timeout`)
 * is no success (migration 25; `status <> 'failed'` before it counted `error`
 * as one).
 * An event still running (its row in progress, `inProgressSql`) has no
 * outcome yet: its `succeeded` is NULL, and the aggregates leave it out
 * (migration 23).
 */

import { inProgressSql } from './liveness.js';
import { EVENT_SUCCESS_WORDS } from '@agentspan/semconv';
import { statusWordSql } from './run-outcome.js';

/**
 * SQL: whether the `execution_events` row `alias` succeeded, as
 * `agentspan_event_outcomes.succeeded` reads it (that view is written with
 * it): NULL while the row is in progress ({@link inProgressSql}), else its
 * status says no failure (`EVENT_SUCCESS_WORDS`, trimmed, ASCII case ignored)
 * and `meta.has_error` is not true. For readers that must count outcomes on a
 * schema of any version (the view exists from migration 20, and read `error`
 * as a success before migration 25): `NOT (...)` is a failure, and NULL, in
 * progress, is neither.
 */
export function eventSucceededSql(alias: string): string {
  return (
    `CASE WHEN NOT ${inProgressSql(alias)}\n` +
    `            THEN ${statusWordSql(`${alias}.status`)} IN (${EVENT_SUCCESS_WORDS.map((w) => `'${w}'`).join(', ')}) ` +
    `AND coalesce(${alias}.meta->>'has_error', 'false') <> 'true' END`
  );
}

/**
 * `agentspan_event_outcomes`: one row per event with what mining reads
 * (tool name, code hash, language, imports, success, the error). The error
 * is the row's message, else `meta.error_message`, else `meta.error_type`
 * (a code run that failed with a `KeyError` and printed no message still
 * says why). `succeeded` is NULL for an event in progress (an agent call,
 * code execution or tool call still running, whose row says `running` with
 * no end: it has no outcome yet, where `status <> 'failed'` alone would call
 * it a success); never NULL for an event that ended. Part of migration 20,
 * alone migration 21, which brought the `error_type` fallback to schemas
 * made before it, part of migration 22, which appended `parent_event_id`
 * (the tool sequences read it), and of migration 23, which brought the NULL
 * `succeeded` of events in progress, and of migration 25, which reads the
 * status as a run's is read (an event `error` or `timeout` is no success).
 */
export const EVENT_OUTCOMES_VIEW_SQL = `
CREATE OR REPLACE VIEW agentspan_event_outcomes AS
SELECT e.id,
       e.run_id,
       e.node_id,
       e.event_type,
       e.agent_name,
       CASE WHEN e.event_type = 'tool_call' THEN e.inputs->>'tool' END AS tool_name,
       e.inputs->>'code_hash' AS code_hash,
       e.inputs->>'code' AS code,
       coalesce(e.meta->>'language', e.inputs->>'language') AS language,
       CASE WHEN jsonb_typeof(e.meta->'imports') = 'array' THEN e.meta->'imports' ELSE '[]'::jsonb END AS imports,
       e.status,
       ${eventSucceededSql('e')} AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;
`;

/** The view of migrations 21 and 23 (and of 20 and 22). */
export const EVENT_OUTCOMES_VIEW = 'agentspan_event_outcomes';

/** The views of migration 20. */
export const PATTERN_VIEWS: readonly string[] = Object.freeze([
  EVENT_OUTCOMES_VIEW,
  'agentspan_repeated_code',
  'agentspan_tool_sequences',
  'agentspan_import_usage',
  'agentspan_error_rates',
]);

/**
 * `agentspan_recent_run_ids(runs)`: the ids of the `runs` most recently
 * started runs (`NULL`: every run), which every `agentspan_<name>_last`
 * reads. A negative count is refused with SQLSTATE 22023
 * (`invalid_parameter_value`) and `agentspan: runs must be 0 or more (NULL:
 * every run), got -1`, by `agentspan_checked_run_count`, defined with it;
 * before migration 26 it was Postgres' own `LIMIT must not be negative`
 * (2201W), naming no argument. The check is PL/pgSQL (an SQL function cannot
 * raise) and reads no table, so it needs no binding to the schema. Part of
 * migration 20, and of migration 26, which brought the check.
 */
export const RECENT_RUN_IDS_SQL = `
CREATE OR REPLACE FUNCTION agentspan_checked_run_count(runs integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  IF runs < 0 THEN
    RAISE EXCEPTION 'agentspan: runs must be 0 or more (NULL: every run), got %', runs
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'runs is how many of the most recently started runs to read.';
  END IF;
  RETURN runs;
END;
$$;

CREATE OR REPLACE FUNCTION agentspan_recent_run_ids(runs integer)
RETURNS TABLE (run_id text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT w.id FROM workflow_runs w ORDER BY w.started_at DESC NULLS LAST, w.id LIMIT agentspan_checked_run_count(runs);
END;
`;

/**
 * The condition every `agentspan_<name>_last` adds so that a negative
 * `runs` is refused whatever rows there are: its filter on the newest runs
 * is only evaluated for rows that reach it (none in an empty schema, which
 * answered -1 with no rows), while this condition reads no column, so
 * Postgres checks it once, before any row. A count of 0 or more passes it
 * without reading the runs; a negative one goes to
 * `agentspan_recent_run_ids`, which refuses it. Written with that function,
 * not with `agentspan_checked_run_count`: migrations 22 and 23, which define
 * these functions again, run before migration 26 creates the check in a
 * schema migrated before it. Part of the four functions since migration 26.
 */
const NEGATIVE_RUNS_REFUSED = '(runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))';

/**
 * `agentspan_tool_sequences_last`: 2- and 3-grams of consecutive tool calls
 * within a node id, in execution order. An instance of a node id (its
 * `dag_nodes` row) whose tool calls interleave in execution order with
 * another instance's ran at the same time as it (the branches of a
 * LangGraph `Send` fan-out): its calls are a sequence of their own, never
 * interleaved with the other branches' into sequences that never happened.
 * Instances that overlap no other (the steps of a loop sharing a node id,
 * such as a LangGraph ReAct agent's `tools` node, one instance per step)
 * chain into one sequence per node id, as before. Execution order, not
 * time: span starts have millisecond precision, and a loop's steps start
 * within the same millisecond. Overlap is found with window functions over
 * the instances in order of their first call (the latest last call before
 * it, the next first call after it), no pairwise comparison. A call's
 * instance is the `dag_nodes` row that is its parent, or its parent's
 * parent (a tool call under an agent call); a call deeper than that, or
 * under no node row, chains with its node id's other calls. A branch with
 * a single call cannot be seen to interleave and chains too. Cost: over
 * every run it reads the node rows and parents of every tool call (about
 * 4× the node-id-only version's time: 1.9 s against 0.5 s for 200 000 tool
 * calls here); over the newest `runs` runs it reads only theirs, through the
 * `run_id` index (11 ms against 34 for 10 of 2000 runs).
 *
 * A call still running (its row in progress: no outcome, and no tool name
 * yet, since such a row holds no `inputs`) is no finished step: no gram
 * holds it. It still takes its place in its sequence (the grams across it
 * wait for its end, rather than join its neighbours into a sequence that
 * did not happen) and in its instance's range of execution order (a branch
 * whose last call still runs overlaps the branches beside it as it will
 * once it ends, if it ends with a tool name): the grams of a run in
 * progress are among those it has once it ends, but for a call that ends
 * without a tool name (it then leaves its sequence and its instance's
 * range). Part of migration 20, alone migration 22, which brought it
 * to schemas made before it, and part of migration 23 (calls in progress)
 * and of migration 26 (a negative `runs` refused).
 */
export const TOOL_SEQUENCES_SQL = `
CREATE OR REPLACE FUNCTION agentspan_tool_sequences_last(runs integer)
RETURNS TABLE (
  sequence text, tools text[], length integer, occurrences integer, run_count integer, successes integer,
  success_rate double precision
)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH picked AS (
    SELECT o.run_id, o.node_id, o.tool_name, o.succeeded, o.execution_order, o."timestamp", o.id, o.parent_event_id
      FROM agentspan_event_outcomes o
     WHERE runs IS NULL AND o.event_type = 'tool_call' AND (o.tool_name IS NOT NULL OR o.succeeded IS NULL)
    UNION ALL
    SELECT o.run_id, o.node_id, o.tool_name, o.succeeded, o.execution_order, o."timestamp", o.id, o.parent_event_id
      FROM agentspan_recent_run_ids(runs) r
      JOIN agentspan_event_outcomes o ON o.run_id = r.run_id
     WHERE runs IS NOT NULL AND o.event_type = 'tool_call' AND (o.tool_name IS NOT NULL OR o.succeeded IS NULL)
  ), tool_calls AS (
    SELECT t.run_id, t.node_id, t.tool_name, t.succeeded, t.execution_order, t."timestamp", t.id,
           coalesce(n1.id, n2.id) AS node_row
      FROM picked t
      LEFT JOIN dag_nodes n1 ON n1.id = t.parent_event_id
      LEFT JOIN execution_events p ON n1.id IS NULL AND p.id = t.parent_event_id
      LEFT JOIN dag_nodes n2 ON n2.id = p.parent_event_id
  ), ranges AS (
    SELECT t.node_row, t.run_id, t.node_id, min(t.execution_order) AS lo, max(t.execution_order) AS hi
      FROM tool_calls t
     WHERE t.node_row IS NOT NULL
     GROUP BY t.node_row, t.run_id, t.node_id
  ), instances AS (
    SELECT q.node_row,
           (lag(q.running_hi) OVER by_start > q.lo OR lead(q.lo) OVER by_start < q.hi) AS concurrent
      FROM (SELECT r.*,
                   max(r.hi) OVER (PARTITION BY r.run_id, r.node_id ORDER BY r.lo, r.node_row ROWS UNBOUNDED PRECEDING) AS running_hi
              FROM ranges r) q
    WINDOW by_start AS (PARTITION BY q.run_id, q.node_id ORDER BY q.lo, q.node_row)
  ), calls AS (
    SELECT t.run_id,
           t.tool_name AS t1,
           lead(t.tool_name, 1) OVER w AS t2,
           lead(t.tool_name, 2) OVER w AS t3,
           t.succeeded AS s1,
           lead(t.succeeded, 1) OVER w AS s2,
           lead(t.succeeded, 2) OVER w AS s3
      FROM tool_calls t
      LEFT JOIN instances i ON i.node_row = t.node_row
    WINDOW w AS (PARTITION BY t.run_id, t.node_id, CASE WHEN i.concurrent THEN t.node_row END
                 ORDER BY t.execution_order NULLS LAST, t."timestamp", t.id)
  ), grams AS (
    -- A NULL success: a call in progress, or no call (past the end of the sequence).
    SELECT c.run_id, ARRAY[c.t1, c.t2] AS tools, (c.s1 AND c.s2) AS ok
      FROM calls c WHERE c.s1 IS NOT NULL AND c.s2 IS NOT NULL
    UNION ALL
    SELECT c.run_id, ARRAY[c.t1, c.t2, c.t3], (c.s1 AND c.s2 AND c.s3)
      FROM calls c WHERE c.s1 IS NOT NULL AND c.s2 IS NOT NULL AND c.s3 IS NOT NULL
  )
  SELECT array_to_string(g.tools, ' > '),
         g.tools,
         cardinality(g.tools),
         count(*)::integer,
         count(DISTINCT g.run_id)::integer,
         (count(*) FILTER (WHERE g.ok))::integer,
         (count(*) FILTER (WHERE g.ok))::double precision / count(*)
    FROM grams g
   WHERE ${NEGATIVE_RUNS_REFUSED}
   GROUP BY g.tools
   ORDER BY count(*) DESC, cardinality(g.tools) DESC, g.tools;
END;
`;

/**
 * `agentspan_repeated_code_last`: code (by `code_hash`) executed more than
 * once. Only executions that ended count: an unfinished one has no outcome,
 * and is no repetition of its code yet (a row in progress holds no code, but
 * the rule is the status, not what a writer left out). Part of migration 20,
 * of migration 23, which left executions in progress out, and of migration
 * 26 (a negative `runs` refused).
 */
export const REPEATED_CODE_SQL = `
CREATE OR REPLACE FUNCTION agentspan_repeated_code_last(runs integer)
RETURNS TABLE (
  code_hash text, language text, executions integer, run_count integer, successes integer, failures integer,
  success_rate double precision, agents text[], first_seen timestamptz, last_seen timestamptz, sample_code text
)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT o.code_hash,
         min(o.language),
         count(*)::integer,
         count(DISTINCT o.run_id)::integer,
         (count(*) FILTER (WHERE o.succeeded))::integer,
         (count(*) FILTER (WHERE NOT o.succeeded))::integer,
         (count(*) FILTER (WHERE o.succeeded))::double precision / count(*),
         array_agg(DISTINCT o.agent_name) FILTER (WHERE o.agent_name IS NOT NULL),
         min(o."timestamp"),
         max(o."timestamp"),
         min(left(o.code, 4000))
    FROM agentspan_event_outcomes o
   WHERE o.event_type = 'code_exec'
     AND o.code_hash IS NOT NULL
     AND o.succeeded IS NOT NULL
     AND (runs IS NULL OR o.run_id IN (SELECT r.run_id FROM agentspan_recent_run_ids(runs) r))
     AND ${NEGATIVE_RUNS_REFUSED}
   GROUP BY o.code_hash
  HAVING count(*) > 1
   ORDER BY count(*) DESC, o.code_hash;
END;
`;

/**
 * `agentspan_import_usage_last`: modules imported by executed code, per
 * language. Only executions that ended count (their success rate is the
 * share of them that succeeded). Part of migration 20, of migration 23,
 * which left executions in progress out, and of migration 26 (a negative
 * `runs` refused).
 */
export const IMPORT_USAGE_SQL = `
CREATE OR REPLACE FUNCTION agentspan_import_usage_last(runs integer)
RETURNS TABLE (
  module text, language text, uses integer, run_count integer, successes integer, success_rate double precision
)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT i.module,
         coalesce(o.language, 'unknown'),
         count(*)::integer,
         count(DISTINCT o.run_id)::integer,
         (count(*) FILTER (WHERE o.succeeded))::integer,
         (count(*) FILTER (WHERE o.succeeded))::double precision / count(*)
    FROM agentspan_event_outcomes o
   CROSS JOIN LATERAL jsonb_array_elements_text(o.imports) AS i(module)
   WHERE o.event_type = 'code_exec'
     AND o.succeeded IS NOT NULL
     AND (runs IS NULL OR o.run_id IN (SELECT r.run_id FROM agentspan_recent_run_ids(runs) r))
     AND ${NEGATIVE_RUNS_REFUSED}
   GROUP BY i.module, coalesce(o.language, 'unknown')
   ORDER BY count(*) DESC, i.module;
END;
`;

/**
 * `agentspan_error_rates_last`: calls and errors per tool and per agent.
 * Only calls that ended count: one still running is neither an error nor a
 * success, and counted among the calls it would lower the error rate.
 * Part of migration 20, of migration 23, which left calls in progress
 * out, and of migration 26 (a negative `runs` refused).
 */
export const ERROR_RATES_SQL = `
CREATE OR REPLACE FUNCTION agentspan_error_rates_last(runs integer)
RETURNS TABLE (
  kind text, name text, calls integer, errors integer, error_rate double precision, run_count integer,
  last_error text
)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH scoped AS (
    SELECT o.*
      FROM agentspan_event_outcomes o
     WHERE o.event_type IN ('agent_call', 'code_exec', 'tool_call', 'handoff')
       AND o.succeeded IS NOT NULL
       AND (runs IS NULL OR o.run_id IN (SELECT r.run_id FROM agentspan_recent_run_ids(runs) r))
       AND ${NEGATIVE_RUNS_REFUSED}
  ), keyed AS (
    SELECT 'tool'::text AS kind, s.tool_name AS name, s.* FROM scoped s WHERE s.tool_name IS NOT NULL
    UNION ALL
    SELECT 'agent'::text, s.agent_name, s.* FROM scoped s WHERE s.agent_name IS NOT NULL
  )
  SELECT k.kind,
         k.name,
         count(*)::integer,
         (count(*) FILTER (WHERE NOT k.succeeded))::integer,
         (count(*) FILTER (WHERE NOT k.succeeded))::double precision / count(*),
         count(DISTINCT k.run_id)::integer,
         (array_agg(left(k.error_message, 500) ORDER BY k."timestamp" DESC)
            FILTER (WHERE NOT k.succeeded AND k.error_message IS NOT NULL))[1]
    FROM keyed k
   GROUP BY k.kind, k.name
   ORDER BY 5 DESC, 4 DESC, 3 DESC, k.kind, k.name;
END;
`;

/** Migration 20: the pattern views (`agentspan_event_outcomes`, `agentspan_repeated_code`, `agentspan_tool_sequences`, `agentspan_import_usage`, `agentspan_error_rates`). */
export const PATTERN_VIEWS_SQL = `
${EVENT_OUTCOMES_VIEW_SQL}
${RECENT_RUN_IDS_SQL}
${REPEATED_CODE_SQL}
CREATE OR REPLACE VIEW agentspan_repeated_code AS
SELECT * FROM agentspan_repeated_code_last(NULL);

${TOOL_SEQUENCES_SQL}
CREATE OR REPLACE VIEW agentspan_tool_sequences AS
SELECT * FROM agentspan_tool_sequences_last(NULL);
${IMPORT_USAGE_SQL}
CREATE OR REPLACE VIEW agentspan_import_usage AS
SELECT * FROM agentspan_import_usage_last(NULL);
${ERROR_RATES_SQL}
CREATE OR REPLACE VIEW agentspan_error_rates AS
SELECT * FROM agentspan_error_rates_last(NULL);
`.trim();

/**
 * Migration 23: events in progress have no outcome. `agentspan_event_outcomes`
 * again (`succeeded` NULL for a row in progress), and every function that
 * aggregates it: repeated code, imports and error rates leave such events
 * out, the tool sequences list no gram holding a call still running. The
 * views over the functions (`agentspan_repeated_code` ...) read them as
 * they are, so they need no change.
 */
export const EVENTS_IN_PROGRESS_SQL = [EVENT_OUTCOMES_VIEW_SQL, REPEATED_CODE_SQL, TOOL_SEQUENCES_SQL, IMPORT_USAGE_SQL, ERROR_RATES_SQL]
  .map((sql) => sql.trim())
  .join('\n\n');

/**
 * Migration 26: a negative `runs` is refused by every pattern function with
 * an error naming the argument (SQLSTATE 22023), whatever the schema holds:
 * `agentspan_recent_run_ids` and its check (`RECENT_RUN_IDS_SQL`), and the
 * four functions again with the condition that makes them check it first.
 * The views over the functions read them as they are.
 */
export const RUN_COUNT_CHECK_SQL = [RECENT_RUN_IDS_SQL, REPEATED_CODE_SQL, TOOL_SEQUENCES_SQL, IMPORT_USAGE_SQL, ERROR_RATES_SQL]
  .map((sql) => sql.trim())
  .join('\n\n');
