import pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import type { CommandSpec } from '../command.js';
import { CONNECT_TIMEOUT_MS, requireDatabaseUrl } from '../database.js';

/** `agentspan migrate`: creates or updates the tables and views; running it again changes nothing. */
export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary: 'create or update the tables (execution_events, workflow_runs, dag_nodes) and the pattern views',
  usage: 'agentspan migrate [--schema NAME]',
  optionHelp: [],
  options: {},
  maxPositionals: 0,
  async run(ctx) {
    const pool = new pg.Pool({ connectionString: requireDatabaseUrl(ctx.database, ctx.io), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on('error', () => undefined);
    try {
      const result = await runMigrations(pool, {
        ...(ctx.database.schema ? { schema: ctx.database.schema } : {}),
        // The migration's error is what the command fails with; a ROLLBACK cut after it is said beside it.
        onRollbackTimeout: (timeout) =>
          ctx.io.err(`warning: the ROLLBACK of the failed migration did not answer within ${timeout.timeoutMs} ms; its connection was cut (the server rolls back when it notices)`),
      });
      if (ctx.json) ctx.io.out(JSON.stringify(result));
      else if (result.applied.length === 0) ctx.io.out('schema is up to date (nothing to apply)');
      else {
        if (result.recreated.length > 0) ctx.io.out(`missing although migrated (dropped?): ${result.recreated.join(', ')}; created again`);
        ctx.io.out(`applied ${result.applied.length} migration(s): version ${result.applied.join(', ')}`);
      }
      return 0;
    } finally {
      await pool.end();
    }
  },
};
