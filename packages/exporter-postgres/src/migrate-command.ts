/** The `agentspan migrate` command line to suggest for a schema, quoted for a POSIX shell. */

/** Characters a shell word may hold unquoted (no globbing, expansion or splitting). */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `word` as one POSIX shell word: as is when safe, else in single quotes (`'` written `'\''`). */
export function shellQuote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `agentspan migrate`, with `--schema` and the schema quoted for the shell
 * when one is given: what a log line or `agentspan doctor` tells a person
 * to run, ready to paste. A schema starting with `-` is given as
 * `--schema=...`: the CLI's option parser takes a separate argument that
 * starts with a dash for an option, not for the value.
 */
export function migrateCommandFor(schema?: string | undefined): string {
  if (schema === undefined) return 'agentspan migrate';
  return `agentspan migrate --schema${schema.startsWith('-') ? '=' : ' '}${shellQuote(schema)}`;
}

/** What a log line tells a role that may not apply a migration: who must run what. */
export function ownerMustMigrate(schema?: string | undefined): string {
  return `Run \`${migrateCommandFor(schema)}\` as the tables' owner (or a role allowed to change them) to apply it.`;
}
