import type { CliIo } from './io.js';

/** `--database-url`, else `DATABASE_URL`, else a URL built from the PG* variables, else undefined. */
export function databaseUrlFrom(flag: string | undefined, env: CliIo['env']): string | undefined {
  if (flag) return flag;
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
  if (env['PGHOST'] || env['PGDATABASE']) {
    const user = encodeURIComponent(env['PGUSER'] ?? env['USER'] ?? 'postgres');
    const password = env['PGPASSWORD'] ? `:${encodeURIComponent(env['PGPASSWORD'])}` : '';
    const host = env['PGHOST'] ?? '127.0.0.1';
    const port = env['PGPORT'] ?? '5432';
    const database = env['PGDATABASE'] ?? 'postgres';
    return `postgres://${user}${password}@${host}:${port}/${database}`;
  }
  return undefined;
}
