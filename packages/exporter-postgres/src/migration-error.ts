/** The error {@link runMigrations} throws when one migration's SQL fails, or creating the versions table does. */

/** What identifies a migration in an error: its version and name. */
export interface FailedMigration {
  readonly version: number;
  readonly name: string;
}

/**
 * What a {@link MigrationError} names when creating the versions table
 * (`agentspan_schema_migrations`, which records the applied versions) failed:
 * version 0, the step before every migration.
 */
export const VERSIONS_TABLE_STEP: FailedMigration = Object.freeze({ version: 0, name: 'agentspan_schema_migrations' });

/**
 * One migration's SQL failed: which migration, in which schema, and the
 * Postgres error (`cause`). `code` is the cause's SQLSTATE, so code that
 * reads `err.code` (and `sqlState`, `classifyWriteError`) sees the server's
 * answer through the wrapper. When creating the versions table failed,
 * before any migration, `migration` is {@link VERSIONS_TABLE_STEP}.
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
    const step = migration.version === VERSIONS_TABLE_STEP.version ? `creating the versions table ${migration.name}` : `migration ${migration.version} (${migration.name})`;
    super(`agentspan exporter-postgres: ${step}${schema === undefined ? '' : ` in schema ${schema}`} failed: ${reason}`, { cause });
    this.migration = { version: migration.version, name: migration.name };
    this.schema = schema;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
