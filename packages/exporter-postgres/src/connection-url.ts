/**
 * A `postgres://` URL from separate connection settings (the PG* variables,
 * a test configuration), in the form node-postgres parses back to the same
 * settings.
 */

/** The settings {@link postgresUrl} puts into a URL. */
export interface PostgresUrlParts {
  /** A host name or address, or a Unix-socket directory such as `/var/run/postgresql`. */
  readonly host: string;
  readonly port: number | string;
  readonly database: string;
  readonly user: string;
  readonly password?: string | undefined;
}

/**
 * The URL of these settings. A Unix-socket directory cannot stand where a
 * host name goes (`postgres://u@/var/run/postgresql:5432/db` names no
 * database node-postgres can find); it goes in `?host=` instead. An IPv6
 * address is bracketed; user and password are percent-encoded, the
 * database as node-postgres decodes it (`decodeURI`, which leaves `%23` and
 * `%3F` as they are). A database name that no URL can carry is refused with
 * a RangeError rather than turned into another name: one with `#` or `?`,
 * or with `.` or `..` between slashes (the URL parser resolves those as
 * path steps).
 */
export function postgresUrl(parts: PostgresUrlParts): string {
  if (/[#?]/.test(parts.database) || parts.database.split('/').some((step) => step === '.' || step === '..')) {
    throw new RangeError(`agentspan: this database name cannot be written in a postgres:// URL: it holds "#" or "?", or "." or ".." between slashes (${JSON.stringify(parts.database)})`);
  }
  const user = encodeURIComponent(parts.user);
  const password = parts.password ? `:${encodeURIComponent(parts.password)}` : '';
  const database = encodeURI(parts.database);
  if (parts.host.startsWith('/')) {
    return `postgres://${user}${password}@/${database}?host=${encodeURIComponent(parts.host)}&port=${encodeURIComponent(String(parts.port))}`;
  }
  const host = parts.host.includes(':') && !parts.host.startsWith('[') ? `[${parts.host}]` : parts.host;
  return `postgres://${user}${password}@${host}:${parts.port}/${database}`;
}
