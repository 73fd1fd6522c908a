import { parseIntervalSeconds } from './macros.js';

/**
 * Grafana's template-variable interpolation for SQL datasources, as the
 * frontend does it before the query reaches the backend (and the macros):
 *
 * - References: `$name`, `${name}`, `[[name]]`. Names are `\w+`. A name that
 *   is neither a dashboard variable nor a supported built-in is left as is,
 *   which is how `$__timeFilter(...)` survives to the macro step.
 * - Values, as the SQL datasources' `interpolateVariable` formats them: a
 *   multi-value selection, or any value of a variable with `multi` or
 *   `includeAll`, is single-quoted (quotes doubled) and comma-joined; a plain
 *   single-value variable is inserted with its quotes doubled but not quoted.
 * - "All" with a custom all value inserts that value raw, unformatted (so a
 *   dashboard writes `allValue: "'__all'"` to get a SQL literal); "All"
 *   without one expands to every option, quoted and joined.
 * - Built-ins: `$__interval`, `$__interval_ms`, `$__from`, `$__to` (epoch ms),
 *   `$__range_s`, `$__range_ms`.
 *
 * Explicit formats (`${name:csv}`, `${name:singlequote}`, ...) change this
 * formatting in Grafana; they are not mimicked here and throw, so a
 * dashboard that starts using one fails its test instead of passing a test
 * that checks something else.
 */

/** The state of one dashboard variable at query time. */
export interface VariableState {
  name: string;
  /** Multi-value selection allowed. */
  multi: boolean;
  /** Has an "All" option. */
  includeAll: boolean;
  /** Custom all value (inserted raw). */
  allValue?: string | null | undefined;
  /** The option values (without "All"), e.g. the results of the variable's query. */
  options: readonly string[];
  /** `'$__all'`, one value, or several. */
  current: string | readonly string[];
}

/** Values of the built-in variables for one query. */
export interface BuiltIns {
  /** `$__interval`, e.g. `1m`. */
  interval: string;
  from: Date;
  to: Date;
}

export const ALL_VALUE = '$__all';

const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** `'it''s'`: Postgres string literal, as Grafana's `quoteLiteral`. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function isAll(current: string | readonly string[]): boolean {
  return current === ALL_VALUE || (Array.isArray(current) && current[0] === ALL_VALUE);
}

function format(v: VariableState): string {
  const current = v.current;
  if (isAll(current)) {
    if (v.allValue) return v.allValue;
    return v.options.map(quoteLiteral).join(',');
  }
  if (typeof current === 'string') {
    return v.multi || v.includeAll ? quoteLiteral(current) : current.replace(/'/g, "''");
  }
  return (current as readonly string[]).map(quoteLiteral).join(',');
}

function builtIn(name: string, b: BuiltIns): string | undefined {
  switch (name) {
    case '__interval':
      return b.interval;
    case '__interval_ms':
      return String(Math.round(parseIntervalSeconds(b.interval) * 1000));
    case '__from':
      return String(b.from.getTime());
    case '__to':
      return String(b.to.getTime());
    case '__range_ms':
      return String(b.to.getTime() - b.from.getTime());
    case '__range_s':
      return String(Math.round((b.to.getTime() - b.from.getTime()) / 1000));
    default:
      return undefined;
  }
}

/** Replaces the variable references in `text` (see the module comment). */
export function interpolateVariables(text: string, variables: readonly VariableState[], builtIns: BuiltIns): string {
  const byName = new Map(variables.map((v) => [v.name, v]));
  return text.replace(
    REFERENCE,
    (match: string, v1?: string, v2?: string, fmt2?: string, v3?: string, fieldPath?: string, fmt3?: string) => {
      const name = v1 ?? v2 ?? v3 ?? '';
      const variable = byName.get(name);
      const fixed = variable === undefined ? builtIn(name, builtIns) : undefined;
      if (variable === undefined && fixed === undefined) return match;
      if (fmt2 !== undefined || fmt3 !== undefined || fieldPath !== undefined) {
        throw new Error(`variable format or field path in "${match}" is not supported by this expander`);
      }
      return fixed ?? format(variable!);
    },
  );
}

/**
 * Option values from the rows of a SQL variable query, as Grafana builds
 * them: with `__text`/`__value` columns, the `__value` of each row;
 * otherwise every value of every column, in order. Nulls are skipped;
 * duplicates keep their first position.
 */
export function optionsFromRows(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (v: unknown): void => {
    if (v === null || v === undefined) return;
    const s = v instanceof Date ? v.toISOString() : String(v);
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  };
  if (columns.includes('__value')) {
    for (const r of rows) push(r['__value']);
  } else {
    for (const r of rows) for (const c of columns) push(r[c]);
  }
  return out;
}
