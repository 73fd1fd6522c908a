import { postgresUrl } from '@agentspan/exporter-postgres';
import { UsageError, type CliIo } from './io.js';

/**
 * `--database-url`, else `DATABASE_URL`, else a URL built from the PG*
 * variables (a socket directory in `PGHOST` included), else undefined. A
 * `PGDATABASE` no URL can carry is a usage error.
 */
export function databaseUrlFrom(flag: string | undefined, env: CliIo['env']): string | undefined {
  if (flag) return flag;
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
  if (env['PGHOST'] || env['PGDATABASE']) {
    try {
      return postgresUrl({
        host: env['PGHOST'] ?? '127.0.0.1',
        port: env['PGPORT'] ?? '5432',
        database: env['PGDATABASE'] ?? 'postgres',
        user: env['PGUSER'] ?? env['USER'] ?? 'postgres',
        password: env['PGPASSWORD'],
      });
    } catch (err) {
      throw new UsageError(`PGDATABASE: ${(err as Error).message}`);
    }
  }
  return undefined;
}
