/** One line of `agentspan doctor`. */
export interface CheckResult {
  /** `database`, `migrations`, `otlp`, `spool`. */
  name: string;
  /** `fail` makes doctor exit 1; `warn` and `skip` do not. */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found. */
  detail: string;
  /** What to do about it (for warn and fail). */
  fix?: string;
}

/** `postgres://user:secret@host:5432/db?x` → `host:5432/db` (never print credentials). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '') || '(default database)';
    const host = u.host || u.searchParams.get('host') || 'local socket';
    return `${host}/${db}`;
  } catch {
    return '(unparsable URL)';
  }
}
