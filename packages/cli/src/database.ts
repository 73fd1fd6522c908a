import pg from 'pg';
import { assertValidSchemaName } from '@agentspan/exporter-postgres';
import { databaseUrlFrom } from './database-url.js';
import { UsageError, type CliIo } from './io.js';

/** How the commands find their database. */
export interface DatabaseFlags {
  databaseUrl?: string | undefined;
  schema?: string | undefined;
}

/** The connect timeout of every CLI connection, ms: long enough for a cold server, short enough for a person waiting. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Quotes an identifier for SQL (`my "schema"` → `"my ""schema"""`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The connection URL from the flags and environment, or a usage error saying how to give one. */
export function requireDatabaseUrl(flags: DatabaseFlags, io: CliIo): string {
  const url = databaseUrlFrom(flags.databaseUrl, io.env);
  if (!url) throw new UsageError('no database: pass --database-url or set DATABASE_URL (or PGHOST/PGDATABASE)');
  return url;
}

/**
 * A usage error for a `--schema` no agentspan schema can have (`$user`, which
 * a `search_path` reads as the role's own schema, `pg_*`, over 63 bytes): the
 * exporter refuses them, so reading one would show another schema's tables.
 */
export function checkSchemaFlag(schema: string): void {
  try {
    assertValidSchemaName(schema);
  } catch (err) {
    throw new UsageError(`--schema: ${(err as Error).message.replace(/^agentspan exporter-postgres: `schema` /, '')}`);
  }
}

/**
 * Connects one client (the CLI runs its queries one after another), sets the
 * `search_path` to `--schema` when given, runs `fn`, and always closes the
 * connection.
 */
export async function withDatabase<T>(flags: DatabaseFlags, io: CliIo, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  if (flags.schema) checkSchemaFlag(flags.schema);
  const client = new pg.Client({
    connectionString: requireDatabaseUrl(flags, io),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'agentspan-cli',
  });
  // A connection dropped between queries surfaces through the next query; this keeps it from crashing the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (flags.schema) await client.query(`SET search_path TO ${quoteIdent(flags.schema)}`);
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
