/** The error {@link runMigrations} throws when one migration's SQL fails, or creating the missing schema or the versions table does. */

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
 * What a {@link MigrationError} names when creating the missing schema (the
 * `schema` option) failed: version 0 too, the first step before every
 * migration, told apart from {@link VERSIONS_TABLE_STEP} by its name.
 */
export const SCHEMA_STEP: FailedMigration = Object.freeze({ version: 0, name: 'schema' });

/**
 * One migration's SQL failed: which migration, in which schema, and the
 * Postgres error (`cause`). `code` is the cause's SQLSTATE, so code that
 * reads `err.code` (and `sqlState`, `classifyWriteError`) sees the server's
 * answer through the wrapper. When a step before any migration failed,
 * `migration` is {@link SCHEMA_STEP} (creating the missing schema) or
 * {@link VERSIONS_TABLE_STEP} (creating the versions table), both version 0.
 * `hint`, when given, is appended to the message in parentheses (what to do
 * about it, such as the privilege that was missing).
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  /** The migration whose SQL failed. */
  readonly migration: FailedMigration;
  /** The schema it was applied to (undefined: none could be chosen from the `search_path`). */
  readonly schema: string | undefined;
  /** SQLSTATE of the cause, when it is a server error. */
  readonly code: string | undefined;

  constructor(migration: FailedMigration, schema: string | undefined, cause: unknown, hint?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = schema === undefined ? '' : ` in schema ${schema}`;
    const step =
      migration.version !== SCHEMA_STEP.version
        ? `migration ${migration.version} (${migration.name})${where}`
        : migration.name === SCHEMA_STEP.name
          ? `creating the schema${schema === undefined ? '' : ` ${schema}`}`
          : `creating the versions table ${migration.name}${where}`;
    super(`agentspan exporter-postgres: ${step} failed: ${reason}${hint === undefined ? '' : ` (${hint})`}`, { cause });
    this.migration = { version: migration.version, name: migration.name };
    this.schema = schema;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
