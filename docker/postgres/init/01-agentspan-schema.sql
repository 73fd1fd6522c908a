-- agentspan schema for a fresh Postgres (docker-entrypoint-initdb.d).
--
-- GENERATED from @agentspan/exporter-postgres migrationScript(): do not edit.
-- Regenerate with `npm run generate:stack` after changing a migration.
-- Migrations: 1 (execution_events), 2 (workflow_runs), 3 (dag_nodes), 4 (span_ids_not_unique), 20 (pattern_views), 21 (event_outcomes_error_type), 22 (tool_sequences_lanes), 23 (events_in_progress), 24 (event_fills), 25 (event_outcome_words), 26 (run_count_check), 27 (unordered_events_index).
--
-- It also records the applied versions in agentspan_schema_migrations, so the
-- exporter's migrator finds nothing to do on first start; later migrations are
-- applied by the exporter at runtime (this file runs only on an empty volume).

CREATE TABLE IF NOT EXISTS agentspan_schema_migrations (
  version     integer PRIMARY KEY,
  name        text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);

-- 1: execution_events

CREATE TABLE IF NOT EXISTS execution_events (
  id               uuid PRIMARY KEY,
  run_id           text,
  node_id          text,
  step_id          text,
  session_id       text,
  parent_event_id  uuid,
  event_type       text NOT NULL,
  event_subtype    text,
  agent_name       text,
  agent_role       text,
  "timestamp"      timestamptz NOT NULL,
  started_at       timestamptz,
  completed_at     timestamptz,
  duration_ms      double precision,
  inputs           jsonb NOT NULL DEFAULT '{}'::jsonb,
  outputs          jsonb NOT NULL DEFAULT '{}'::jsonb,
  meta             jsonb NOT NULL DEFAULT '{}'::jsonb,
  error_message    text,
  execution_order  integer,
  depth            integer,
  status           text NOT NULL,
  trace_id         text NOT NULL,
  span_id          text NOT NULL,
  parent_span_id   text,
  name             text,
  service_name     text,
  attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT execution_events_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS execution_events_run_id_execution_order_idx ON execution_events (run_id, execution_order);
CREATE INDEX IF NOT EXISTS execution_events_node_id_execution_order_idx ON execution_events (node_id, execution_order);
CREATE INDEX IF NOT EXISTS execution_events_event_type_event_subtype_idx ON execution_events (event_type, event_subtype);
CREATE INDEX IF NOT EXISTS execution_events_session_id_timestamp_idx ON execution_events (session_id, "timestamp");
CREATE INDEX IF NOT EXISTS execution_events_parent_event_id_idx ON execution_events (parent_event_id);
CREATE INDEX IF NOT EXISTS execution_events_agent_name_idx ON execution_events (agent_name);
CREATE INDEX IF NOT EXISTS execution_events_timestamp_idx ON execution_events ("timestamp");
CREATE INDEX IF NOT EXISTS execution_events_trace_id_idx ON execution_events (trace_id);

INSERT INTO agentspan_schema_migrations (version, name) VALUES (1, 'execution_events') ON CONFLICT (version) DO NOTHING;

-- 2: workflow_runs

CREATE TABLE IF NOT EXISTS workflow_runs (
  id                text PRIMARY KEY,
  mode              text,
  task_description  text,
  status            text,
  started_at        timestamptz,
  completed_at      timestamptz,
  duration_ms       double precision,
  session_id        text,
  meta              jsonb NOT NULL DEFAULT '{}'::jsonb,
  trace_id          text,
  span_id           text,
  service_name      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_runs_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS workflow_runs_started_at_idx ON workflow_runs (started_at);

INSERT INTO agentspan_schema_migrations (version, name) VALUES (2, 'workflow_runs') ON CONFLICT (version) DO NOTHING;

-- 3: dag_nodes

CREATE TABLE IF NOT EXISTS dag_nodes (
  id            uuid PRIMARY KEY,
  run_id        text NOT NULL,
  node_id       text NOT NULL,
  node_type     text,
  title         text,
  agent         text,
  status        text,
  order_index   integer,
  depth         integer,
  started_at    timestamptz,
  completed_at  timestamptz,
  duration_ms   double precision,
  meta          jsonb NOT NULL DEFAULT '{}'::jsonb,
  trace_id      text,
  span_id       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dag_nodes_span_id_key UNIQUE (span_id)
);
CREATE INDEX IF NOT EXISTS dag_nodes_run_id_order_index_idx ON dag_nodes (run_id, order_index);

INSERT INTO agentspan_schema_migrations (version, name) VALUES (3, 'dag_nodes') ON CONFLICT (version) DO NOTHING;

-- 4: span_ids_not_unique

ALTER TABLE execution_events DROP CONSTRAINT IF EXISTS execution_events_span_id_key;
ALTER TABLE workflow_runs DROP CONSTRAINT IF EXISTS workflow_runs_span_id_key;
ALTER TABLE dag_nodes DROP CONSTRAINT IF EXISTS dag_nodes_span_id_key;

INSERT INTO agentspan_schema_migrations (version, name) VALUES (4, 'span_ids_not_unique') ON CONFLICT (version) DO NOTHING;

-- 20: pattern_views

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
       CASE WHEN NOT (e.status = 'running' AND e.completed_at IS NULL AND e.duration_ms IS NULL)
            THEN translate(btrim(coalesce(e.status, ''), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('', 'success', 'succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed', 'running', 'pending', 'skipped') AND coalesce(e.meta->>'has_error', 'false') <> 'true' END AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;


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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY o.code_hash
  HAVING count(*) > 1
   ORDER BY count(*) DESC, o.code_hash;
END;

CREATE OR REPLACE VIEW agentspan_repeated_code AS
SELECT * FROM agentspan_repeated_code_last(NULL);


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
   WHERE (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY g.tools
   ORDER BY count(*) DESC, cardinality(g.tools) DESC, g.tools;
END;

CREATE OR REPLACE VIEW agentspan_tool_sequences AS
SELECT * FROM agentspan_tool_sequences_last(NULL);

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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY i.module, coalesce(o.language, 'unknown')
   ORDER BY count(*) DESC, i.module;
END;

CREATE OR REPLACE VIEW agentspan_import_usage AS
SELECT * FROM agentspan_import_usage_last(NULL);

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
       AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
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

CREATE OR REPLACE VIEW agentspan_error_rates AS
SELECT * FROM agentspan_error_rates_last(NULL);

INSERT INTO agentspan_schema_migrations (version, name) VALUES (20, 'pattern_views') ON CONFLICT (version) DO NOTHING;

-- 21: event_outcomes_error_type


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
       CASE WHEN NOT (e.status = 'running' AND e.completed_at IS NULL AND e.duration_ms IS NULL)
            THEN translate(btrim(coalesce(e.status, ''), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('', 'success', 'succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed', 'running', 'pending', 'skipped') AND coalesce(e.meta->>'has_error', 'false') <> 'true' END AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;


INSERT INTO agentspan_schema_migrations (version, name) VALUES (21, 'event_outcomes_error_type') ON CONFLICT (version) DO NOTHING;

-- 22: tool_sequences_lanes


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
       CASE WHEN NOT (e.status = 'running' AND e.completed_at IS NULL AND e.duration_ms IS NULL)
            THEN translate(btrim(coalesce(e.status, ''), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('', 'success', 'succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed', 'running', 'pending', 'skipped') AND coalesce(e.meta->>'has_error', 'false') <> 'true' END AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;


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
   WHERE (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY g.tools
   ORDER BY count(*) DESC, cardinality(g.tools) DESC, g.tools;
END;


INSERT INTO agentspan_schema_migrations (version, name) VALUES (22, 'tool_sequences_lanes') ON CONFLICT (version) DO NOTHING;

-- 23: events_in_progress

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
       CASE WHEN NOT (e.status = 'running' AND e.completed_at IS NULL AND e.duration_ms IS NULL)
            THEN translate(btrim(coalesce(e.status, ''), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('', 'success', 'succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed', 'running', 'pending', 'skipped') AND coalesce(e.meta->>'has_error', 'false') <> 'true' END AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;

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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY o.code_hash
  HAVING count(*) > 1
   ORDER BY count(*) DESC, o.code_hash;
END;

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
   WHERE (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY g.tools
   ORDER BY count(*) DESC, cardinality(g.tools) DESC, g.tools;
END;

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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY i.module, coalesce(o.language, 'unknown')
   ORDER BY count(*) DESC, i.module;
END;

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
       AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
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

INSERT INTO agentspan_schema_migrations (version, name) VALUES (23, 'events_in_progress') ON CONFLICT (version) DO NOTHING;

-- 24: event_fills

CREATE TABLE IF NOT EXISTS execution_event_fills (
  parent_event_id uuid NOT NULL,
  run_id          text NOT NULL,
  agent_name      text,
  name_rank       integer,
  depth           integer,
  depth_rank      integer,
  node_id         text,
  node_rank       integer,
  span_id         text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (parent_event_id, run_id)
);

INSERT INTO agentspan_schema_migrations (version, name) VALUES (24, 'event_fills') ON CONFLICT (version) DO NOTHING;

-- 25: event_outcome_words


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
       CASE WHEN NOT (e.status = 'running' AND e.completed_at IS NULL AND e.duration_ms IS NULL)
            THEN translate(btrim(coalesce(e.status, ''), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('', 'success', 'succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed', 'running', 'pending', 'skipped') AND coalesce(e.meta->>'has_error', 'false') <> 'true' END AS succeeded,
       coalesce(e.error_message, e.meta->>'error_message', e.meta->>'error_type') AS error_message,
       e.execution_order,
       e."timestamp",
       e.duration_ms,
       e.parent_event_id
  FROM execution_events e;


INSERT INTO agentspan_schema_migrations (version, name) VALUES (25, 'event_outcome_words') ON CONFLICT (version) DO NOTHING;

-- 26: run_count_check

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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY o.code_hash
  HAVING count(*) > 1
   ORDER BY count(*) DESC, o.code_hash;
END;

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
   WHERE (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY g.tools
   ORDER BY count(*) DESC, cardinality(g.tools) DESC, g.tools;
END;

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
     AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
   GROUP BY i.module, coalesce(o.language, 'unknown')
   ORDER BY count(*) DESC, i.module;
END;

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
       AND (runs IS NULL OR runs >= 0 OR EXISTS (SELECT FROM agentspan_recent_run_ids(runs)))
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

INSERT INTO agentspan_schema_migrations (version, name) VALUES (26, 'run_count_check') ON CONFLICT (version) DO NOTHING;

-- 27: unordered_events_index

CREATE INDEX IF NOT EXISTS execution_events_run_id_timestamp_unordered_idx ON execution_events (run_id, "timestamp", id) WHERE execution_order IS NULL;

INSERT INTO agentspan_schema_migrations (version, name) VALUES (27, 'unordered_events_index') ON CONFLICT (version) DO NOTHING;
