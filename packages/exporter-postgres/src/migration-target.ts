/**
 * Which schema the migrations act on when no schema is configured.
 *
 * Unqualified names are then resolved by the connection's `search_path`:
 * a write goes to the first schema that holds the table, but a `CREATE
 * TABLE IF NOT EXISTS` looks only in the first schema that exists (with the
 * default `"$user", public`, the role's own schema when it has one). Run
 * with the plain `search_path`, a migration due on tables living in
 * `public` would create a second, empty set in the role's schema, and every
 * later write would go there. So the migrations act where the agentspan
 * tables already are; only a database with none of them gets the first
 * schema of the `search_path`.
 */

import type pg from 'pg';
import { TABLES } from './columns.js';

/** The tables whose presence marks a schema as agentspan's (the versions table first). */
export const AGENTSPAN_TABLES: readonly string[] = Object.freeze([
  TABLES.SCHEMA_MIGRATIONS,
  TABLES.EXECUTION_EVENTS,
  TABLES.WORKFLOW_RUNS,
  TABLES.DAG_NODES,
]);

/**
 * The first schema of the connection's effective `search_path` (schemas
 * that exist and the role may use, in order) that holds one of
 * {@link AGENTSPAN_TABLES}; when none does, `current_schema()`; undefined
 * when the `search_path` names no usable schema at all.
 */
export async function agentspanSchemaOnSearchPath(client: Pick<pg.PoolClient, 'query'>): Promise<string | undefined> {
  const res = await client.query<{ schema: string | null }>(
    `SELECT coalesce(
       (SELECT s.name
          FROM unnest(current_schemas(false)) WITH ORDINALITY AS s(name, position)
         WHERE EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = s.name AND c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
         ORDER BY s.position
         LIMIT 1),
       current_schema()) AS schema`,
    [AGENTSPAN_TABLES],
  );
  return res.rows[0]?.schema ?? undefined;
}
