/** The error {@link runMigrations} throws when one migration's SQL fails. */

/** What identifies a migration in an error: its version and name. */
export interface FailedMigration {
  readonly version: number;
  readonly name: string;
}

/**
 * One migration's SQL failed: which migration, in which schema, and the
 * Postgres error (`cause`). `code` is the cause's SQLSTATE, so code that
 * reads `err.code` (and `sqlState`, `classifyWriteError`) sees the server's
 * answer through the wrapper.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  /** The migration whose SQL failed. */
  readonly migration: FailedMigration;
  /** The schema it was applied to (undefined: none could be chosen from the `search_path`). */
  readonly schema: string | undefined;
  /** SQLSTATE of the cause, when it is a server error. */
  readonly code: string | undefined;

  constructor(migration: FailedMigration, schema: string | undefined, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `agentspan exporter-postgres: migration ${migration.version} (${migration.name})${schema === undefined ? '' : ` in schema ${schema}`} failed: ${reason}`,
      { cause },
    );
    this.migration = { version: migration.version, name: migration.name };
    this.schema = schema;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
