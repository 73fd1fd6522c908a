/** SQL text helpers. */

/** `name` as a quoted SQL identifier (`"my ""odd"" schema"`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `table` qualified with the quoted `schema`, or unqualified when no schema is configured. */
export function qualify(schema: string | undefined, table: string): string {
  return schema === undefined ? table : `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * Throws a clear error for a schema name Postgres would not keep as given:
 * empty, containing NUL, or longer than 63 bytes (Postgres would silently
 * truncate it, and our qualified names would then miss); and for names it
 * would not take as a schema of ours: `$user` (in a `search_path`, where the
 * migrations must name the schema, it always means the role's own schema,
 * quoted or not) and names starting with `pg_` (reserved for system
 * schemas: Postgres refuses to create them, 42939).
 */
export function assertValidSchemaName(schema: string): void {
  if (typeof schema !== 'string' || schema.length === 0) {
    throw new TypeError('agentspan exporter-postgres: `schema` must be a non-empty string');
  }
  if (schema.includes('\0')) {
    throw new TypeError('agentspan exporter-postgres: `schema` must not contain NUL');
  }
  if (Buffer.byteLength(schema, 'utf8') > 63) {
    throw new TypeError(`agentspan exporter-postgres: \`schema\` is longer than Postgres' 63-byte identifier limit: ${schema}`);
  }
  if (schema === '$user') {
    throw new TypeError(
      'agentspan exporter-postgres: `schema` cannot be "$user": in a search_path Postgres reads it as the name of the current role, ' +
        'so the tables would land elsewhere; give the schema name itself (or leave `schema` unset to follow the search_path)',
    );
  }
  if (schema.startsWith('pg_')) {
    throw new TypeError(`agentspan exporter-postgres: \`schema\` cannot start with "pg_" (reserved for Postgres' system schemas): ${schema}`);
  }
}
