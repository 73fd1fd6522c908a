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
 * Everything is resolved as node-postgres resolves it: a URL without a host
 * name (a socket directory in `?host=`, or the `PGHOST` default) used to
 * leave the host out of the key, so two servers behind different socket
 * directories could share a spool kind; a URL naming its host but not its
 * port (or database) left `PGPORT` (`PGDATABASE`) out of it. A URL that
 * names its host, port and database keeps the key spools have always had
 * (see {@link resolvedUrlTarget}).
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
    if (url.hostname !== '') return resolvedUrlTarget(url, schema);
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
 * The target as earlier versions computed it (a URL read with `new URL`,
 * its parts as written; a pool by its `host` or its whole connection
 * string), for replaying the spools they left: its kind is claimed too
 * (`FileSpool`'s `claimKinds`). `undefined` where that old key did not
 * name the server whole (a URL or pool without a host, or without a port
 * or database, which `PGPORT` / `PGDATABASE` filled in): such spools may
 * hold rows of another server, and are left alone rather than replayed here.
 */
export function formerTargetOf(settings: SpoolTargetSettings): SpoolTarget | undefined {
  const { connectionString, pool, schema } = settings;
  if (connectionString !== undefined && connectionString !== '' && pool === undefined) {
    try {
      const u = new URL(connectionString);
      return urlKeyNamesServer(u) ? urlTarget(u, schema) : undefined;
    } catch {
      // The old expression exactly (the key must come out as it did). The gateway's old key for
      // these was one `unparsed` for all: not claimed, it named no server.
      return namesServer(connectionString) ? { host: connectionString.replace(/\/\/[^@]*@/, '//'), schema } : undefined;
    }
  }
  const o = (pool as { options?: pg.PoolConfig } | undefined)?.options ?? {};
  // The old key is unambiguous only when it named the server whole: a connection string with a
  // host, or host, port and database given (else PGPORT / PGDATABASE filled in what the key left out).
  const named =
    typeof o.connectionString === 'string' && o.connectionString !== ''
      ? namesServer(o.connectionString)
      : typeof o.host === 'string' && o.host !== '' && o.port !== undefined && o.database !== undefined;
  if (!named) return undefined;
  return { host: String(o.host ?? o.connectionString ?? ''), port: o.port, database: o.database, schema: schema ?? String(o.options ?? '') };
}

/** The key earlier versions gave a URL that names its host: host, port and database as written, blanks included. */
function urlTarget(url: URL, schema: string | undefined): SpoolTarget {
  return {
    host: url.hostname,
    port: url.port,
    database: decodeURIComponent(url.pathname.slice(1)),
    schema: schema ?? url.searchParams.get('options') ?? '',
  };
}

/**
 * The key of a URL that names its host, as node-postgres connects with it
 * (`pg-connection-string`, then `ConnectionParameters`): `?host=` and
 * `?port=` win over the URL's own; a port, database or `options` the URL
 * leaves out is `PGPORT` (else 5432), `PGDATABASE` (else the user name:
 * `?user=`, the URL's, `PGUSER`, else `USER`) and `PGOPTIONS`. Parts the
 * URL gives keep their spelling as written, so a URL naming host, port and
 * database has the key earlier versions gave it ({@link urlTarget}); a port
 * given or filled in hashes alike (`'5432'` and `5432`).
 *
 * Not `pg-connection-string` itself: it reads the `sslcert`/`sslkey`/
 * `sslrootcert` files a URL names, and computing a key opens nothing.
 */
function resolvedUrlTarget(url: URL, schema: string | undefined): SpoolTarget {
  const written = urlTarget(url, schema);
  const q = url.searchParams;
  const host = q.get('host') || written.host;
  const port = q.get('port') || written.port || undefined;
  const database = written.database || undefined;
  // What node-postgres fills in for what is missing: `val()` in its connection-parameters.js takes a
  // falsy setting as absent, so '' is passed as undefined.
  const filled = new ConnectionParametersOfPg({
    host,
    database,
    user: q.get('user') || decodeURIComponent(url.username) || undefined,
    options: q.get('options') || undefined,
  });
  return {
    host,
    port: port ?? filled.port,
    database: database ?? filled.database,
    schema: schema ?? (q.get('options') || (filled.options ?? '')),
  };
}

/**
 * Whether a connection string names its server whole: a host (a name, or a
 * socket directory in `?host=`), a port and a database. Only then does a key
 * made of the whole string (what earlier versions gave a pool's connection
 * string, and a URL `new URL` refuses) say which server its rows were for:
 * else `PGPORT` / `PGDATABASE` filled in the rest.
 */
function namesServer(connectionString: string): boolean {
  try {
    const u = new URL(connectionString);
    const q = u.searchParams;
    return (u.hostname !== '' || !!q.get('host')) && (u.port !== '' || !!q.get('port')) && u.pathname.length > 1;
  } catch {
    // Refused by `new URL` (`postgres://user@/db?host=/run/pg`): node-postgres reads it with a dummy host.
    return /[?&]host=[^&]/.test(connectionString) && /[?&]port=\d/.test(connectionString) && /@\/[^/?]/.test(connectionString);
  }
}

/**
 * Whether the key earlier versions made of a URL ({@link urlTarget}: host,
 * port and database as written in the URL itself) named its server whole.
 * Not when a part was blank (`PGPORT`, `PGDATABASE` filled it in), nor when
 * `?host=` or `?port=` overrode the URL's own (left out of that key).
 */
function urlKeyNamesServer(u: URL): boolean {
  const q = u.searchParams;
  return u.hostname !== '' && u.port !== '' && u.pathname.length > 1 && !q.get('host') && !q.get('port');
}
