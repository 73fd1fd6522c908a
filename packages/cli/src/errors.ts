/**
 * Errors meant for the person at the terminal, and the one-line reasons
 * (with the fix) printed for the failures people meet most.
 */

/** A failure the command already explained (unknown run, missing table ...): exit code 1, no stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Postgres SQLSTATE codes the CLI explains. */
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_FUNCTION = '42883';
const INVALID_CATALOG_NAME = '3D000';
const INVALID_PASSWORD = '28P01';
const INVALID_AUTHORIZATION = '28000';
const INVALID_SCHEMA_NAME = '3F000';

/** Whether `err` says a table, view or function of ours does not exist (the schema is not migrated). */
export function isMissingRelation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === UNDEFINED_TABLE || code === UNDEFINED_FUNCTION || code === INVALID_SCHEMA_NAME;
}

/** A one-line reason for `err`, with the hint people need for the common database failures. */
export function describeError(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${message} (is Postgres running and reachable at that address?)`;
    case 'ENOTFOUND':
      return `${message} (check the host name in the database URL)`;
    case INVALID_CATALOG_NAME:
      return `${message} (create the database first, or point --database-url elsewhere)`;
    case INVALID_PASSWORD:
    case INVALID_AUTHORIZATION:
      return `${message} (check the user and password)`;
    case UNDEFINED_TABLE:
    case UNDEFINED_FUNCTION:
    case INVALID_SCHEMA_NAME:
      return `${message}: the agentspan tables are missing or out of date here; run \`agentspan migrate\` (with the same --database-url/--schema)`;
    default:
      if (/timeout/i.test(message)) return `${message} (is the database reachable from here?)`;
      return message;
  }
}
