/**
 * Which database a spool's rows are meant for: the server, database and
 * schema a writer connects to, without credentials. Two writers share a
 * spool directory safely only when this tells their targets apart, since a
 * process replays every batch of its own spool kind (`spoolKindFor`).
 */

import { createRequire } from 'node:module';
import type pg from 'pg';

/** node-postgres' own resolution of connection settings (connection string, then `PG*` variables, then defaults); untyped upstream. */
interface ConnectionParameters {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
  readonly options?: string | undefined;
}
const ConnectionParametersOfPg = createRequire(import.meta.url)('pg/lib/connection-parameters.js') as new (config: pg.ClientConfig) => ConnectionParameters;

/** Server, database and schema of a Postgres target; what the spool kind is a hash of. */
export interface SpoolTarget {
  readonly host?: string | undefined;
  readonly port?: number | string | undefined;
  readonly database?: string | undefined;
  readonly schema?: string | undefined;
}

/** How a writer reaches Postgres: a connection string of its own, or a pool it was given. */
export interface SpoolTargetSettings {
  readonly connectionString?: string | undefined;
  readonly pool?: pg.Pool | undefined;
  /** The schema the rows go to, when set explicitly (else a `search_path` in the connection options). */
  readonly schema?: string | undefined;
}

/** A connection string without its `user:password@`. */
function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//');
}

/**
 * Host, port and database as node-postgres will connect: `?host=` socket
 * directories, `socket:` URLs, `PGHOST`/`PGPORT`/`PGDATABASE` for what the
 * settings leave out. Pure: nothing is opened.
 */
function resolvedByPg(config: pg.ClientConfig, schema: string | undefined): SpoolTarget {
  const p = new ConnectionParametersOfPg(config);
  return {
    host: p.host,
    port: p.port,
    database: p.database,
    schema: schema ?? (typeof p.options === 'string' ? p.options : ''),
  };
}

/**
 * The {@link SpoolTarget} of a writer's settings (a pool wins over a
 * connection string, as in the exporter).
 *
 * A URL that names its host keeps the key spools have always had (host,
 * port and database as written), so spools written by earlier versions are
 * still replayed. Everything else is resolved as node-postgres resolves it:
 * a URL without a host name (a socket directory in `?host=`, or the
 * `PGHOST` default) used to leave the host out of the key, so two servers
 * behind different socket directories could share a spool kind.
 */
export function spoolTargetOf(settings: SpoolTargetSettings): SpoolTarget {
  const { connectionString, pool, schema } = settings;
  if (pool !== undefined || connectionString === undefined) {
    const options = (pool as { options?: pg.PoolConfig } | undefined)?.options ?? {};
    try {
      return resolvedByPg(options, schema);
    } catch {
      // Settings node-postgres cannot read (the pool will say so when it connects): keyed by what they say.
      return formerTargetOf(settings) ?? { host: String(options.host ?? ''), schema: schema ?? '' };
    }
  }
  try {
    const url = new URL(connectionString);
    if (url.hostname !== '') return urlTarget(url, schema);
  } catch {
    // Not a WHATWG URL (`postgres://user@/db?host=/run/pg`, `socket:...`, key=value strings): node-postgres' own parser below.
  }
  try {
    return resolvedByPg({ connectionString }, schema);
  } catch {
    // node-postgres could not read it either (the pool will say so when it connects): the string itself is the key.
    return { host: withoutCredentials(connectionString), schema: schema ?? '' };
  }
}

/**
 * The target as versions before 2026-12-04 computed it (a URL read with
 * `new URL`; a pool by its `host` or its whole connection string), for
 * replaying the spools they left: its kind is claimed too
 * (`FileSpool`'s `claimKinds`). `undefined` where that old key named no
 * server (a URL or pool without a host): such spools may hold rows of
 * another server, and are left alone rather than replayed here.
 */
export function formerTargetOf(settings: SpoolTargetSettings): SpoolTarget | undefined {
  const { connectionString, pool, schema } = settings;
  if (connectionString !== undefined && connectionString !== '' && pool === undefined) {
    try {
      const u = new URL(connectionString);
      return u.hostname === '' ? undefined : urlTarget(u, schema);
    } catch {
      // The old expression exactly (the key must come out as it did). The gateway's old key for
      // these was one `unparsed` for all: not claimed, it named no server.
      return namesHost(connectionString) ? { host: connectionString.replace(/\/\/[^@]*@/, '//'), schema } : undefined;
    }
  }
  const o = (pool as { options?: pg.PoolConfig } | undefined)?.options ?? {};
  // The old key is unambiguous only when it named the server whole: a connection string with a
  // host, or host, port and database given (else PGPORT / PGDATABASE filled in what the key left out).
  const named =
    typeof o.connectionString === 'string' && o.connectionString !== ''
      ? namesHost(o.connectionString)
      : typeof o.host === 'string' && o.host !== '' && o.port !== undefined && o.database !== undefined;
  if (!named) return undefined;
  return { host: String(o.host ?? o.connectionString ?? ''), port: o.port, database: o.database, schema: schema ?? String(o.options ?? '') };
}

/** The key of a URL that names its host: host, port and database as written (what every version gave it). */
function urlTarget(url: URL, schema: string | undefined): SpoolTarget {
  return {
    host: url.hostname,
    port: url.port,
    database: decodeURIComponent(url.pathname.slice(1)),
    schema: schema ?? url.searchParams.get('options') ?? '',
  };
}

/** Whether a connection string names its server (a host name, or a socket directory in `?host=`) and a database. */
function namesHost(connectionString: string): boolean {
  try {
    const u = new URL(connectionString);
    return u.hostname !== '' && u.pathname.length > 1;
  } catch {
    return /[?&]host=/.test(connectionString);
  }
}
