import { createRequire } from 'node:module';
import type pg from 'pg';
import { postgresUrl } from '@agentspan/exporter-postgres';
import { UsageError, type CliIo } from './io.js';

/**
 * node-postgres' own reading of connection settings (as the exporter's
 * spool key uses it): the connection string is checked by the parser that
 * will connect with it, without opening anything.
 */
const ConnectionParameters = createRequire(import.meta.url)('pg/lib/connection-parameters.js') as new (config: pg.ClientConfig) => unknown;

/** What a connection URL may start with: node-postgres' URL schemes, and `socket:` (a Unix-socket directory, as the exporter documents). */
const ACCEPTED_SCHEME = /^(?:postgres(?:ql)?:\/\/|socket:)/i;
/** A URL scheme followed by `//` (`mysql://`, `http://`): named in the message, unlike the rest of a value. */
const SOME_SCHEME = /^([a-z][a-z0-9+.-]*:)\/\//i;

const EXPECTED = 'expected postgres://USER@HOST:PORT/DATABASE (postgresql:// too; a Unix socket: postgres://USER@/DATABASE?host=/var/run/postgresql)';

/**
 * Throws a {@link UsageError} naming `source` when `value` is not a
 * connection URL node-postgres reads as meant. Without this check
 * node-postgres resolves anything against a placeholder (`not a url` is a
 * path on host `base`, `localhost:5432/mydb` a URL of scheme `localhost:`),
 * and the mistake surfaced as a connection error (exit 1) about a host or
 * user the person never wrote. The value itself is never printed: it may
 * hold a password.
 */
export function checkDatabaseUrl(value: string, source: string): void {
  if (value.trim() === '') throw new UsageError(`${source} is empty; ${EXPECTED}`);
  if (!ACCEPTED_SCHEME.test(value)) {
    const scheme = SOME_SCHEME.exec(value)?.[1];
    throw new UsageError(
      scheme !== undefined
        ? `${source} has the scheme "${scheme}", not postgres: or postgresql:; ${EXPECTED}`
        : `${source} is not a postgres:// URL; ${EXPECTED}`,
    );
  }
  try {
    new ConnectionParameters({ connectionString: value });
  } catch (err) {
    // node-postgres' message (`Invalid URL`) carries no part of the value: it redacts its input.
    throw new UsageError(`${source} cannot be read as a URL (${(err as Error).message}; a port that is not a number?); ${EXPECTED}`);
  }
}

/**
 * `--database-url`, else `DATABASE_URL`, else a URL built from the PG*
 * variables (a socket directory in `PGHOST` included), else undefined. A
 * flag or variable that is no PostgreSQL URL, or a `PGDATABASE` no URL can
 * carry, is a usage error naming where it came from. An empty
 * `DATABASE_URL` counts as unset (as shells and `.env` files leave it); an
 * empty `--database-url` was typed, and is an error.
 */
export function databaseUrlFrom(flag: string | undefined, env: CliIo['env']): string | undefined {
  if (flag !== undefined) {
    checkDatabaseUrl(flag, '--database-url');
    return flag;
  }
  const fromEnv = env['DATABASE_URL'];
  if (fromEnv) {
    checkDatabaseUrl(fromEnv, 'DATABASE_URL');
    return fromEnv;
  }
  if (env['PGHOST'] || env['PGDATABASE']) {
    let url: string;
    try {
      url = postgresUrl({
        host: env['PGHOST'] ?? '127.0.0.1',
        port: env['PGPORT'] ?? '5432',
        database: env['PGDATABASE'] ?? 'postgres',
        user: env['PGUSER'] ?? env['USER'] ?? 'postgres',
        password: env['PGPASSWORD'],
      });
    } catch (err) {
      throw new UsageError(`PGDATABASE: ${(err as Error).message}`);
    }
    // A PGPORT that is not a number (or a PGHOST no URL can hold) makes a URL node-postgres refuses.
    checkDatabaseUrl(url, 'the URL made of PGHOST, PGPORT, PGDATABASE and PGUSER');
    return url;
  }
  return undefined;
}
