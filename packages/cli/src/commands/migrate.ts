import pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import { databaseUrlFrom } from '../database-url.js';
import { UsageError, type CliIo } from '../io.js';

/** `agentspan migrate`: creates or updates the tables; running it again changes nothing. */
export async function migrateCommand(
  flags: { databaseUrl?: string | undefined; schema?: string | undefined; json?: boolean | undefined },
  io: CliIo,
): Promise<number> {
  const url = databaseUrlFrom(flags.databaseUrl, io.env);
  if (!url) throw new UsageError('no database: pass --database-url or set DATABASE_URL (or PGHOST/PGDATABASE)');
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    const result = await runMigrations(pool, flags.schema ? { schema: flags.schema } : {});
    if (flags.json) io.out(JSON.stringify(result));
    else if (result.applied.length === 0) io.out('schema is up to date (nothing to apply)');
    else io.out(`applied ${result.applied.length} migration(s): version ${result.applied.join(', ')}`);
    return 0;
  } finally {
    await pool.end();
  }
}
