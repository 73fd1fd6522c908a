import type { DashboardJson, VariableJson } from './dashboard-model.js';
import { expandMacros, type TimeRange } from './macros.js';
import { ALL_VALUE, interpolateVariables, optionsFromRows, type VariableState } from './variables.js';

/** What a query runs against: `pg.Pool`, `pg.Client` and PGlite all fit. */
export interface Queryable {
  query(sql: string): Promise<{ rows: Record<string, unknown>[]; fields: { name: string }[] }>;
}

/** The dashboard state one query is rendered for. */
export interface QueryContext {
  range: TimeRange;
  /** `$__interval`. @default `1m` */
  interval?: string;
}

/**
 * Renders SQL the way Grafana sends it to Postgres: variables first (the
 * frontend), then macros (the backend).
 */
export function renderSql(sql: string, variables: readonly VariableState[], ctx: QueryContext): string {
  const interpolated = interpolateVariables(sql, variables, {
    interval: ctx.interval ?? '1m',
    from: ctx.range.from,
    to: ctx.range.to,
  });
  return expandMacros(interpolated, ctx.range);
}

function currentOf(v: VariableJson, options: readonly string[], selection: string | readonly string[] | undefined): string | readonly string[] {
  if (selection !== undefined) return selection;
  if (v.includeAll) return ALL_VALUE;
  const first = options[0] ?? '';
  return v.multi ? [first] : first;
}

/**
 * Resolves a dashboard's variables in order, as Grafana does on load or on a
 * time-range change: a query variable runs its (rendered) SQL against `db`
 * for its options; a textbox or constant has its text as its only option.
 * The selection is `selections[name]` when given, else "All" for a variable
 * with an All option, else the first option.
 */
export async function resolveVariables(
  db: Queryable,
  dashboard: DashboardJson,
  ctx: QueryContext,
  selections: Readonly<Record<string, string | readonly string[]>> = {},
): Promise<VariableState[]> {
  const resolved: VariableState[] = [];
  for (const v of dashboard.templating.list) {
    let options: string[];
    switch (v.type) {
      case 'query': {
        const sql = renderSql(v.query, resolved, ctx);
        const res = await db.query(sql);
        options = optionsFromRows(res.rows, res.fields.map((f) => f.name));
        break;
      }
      case 'textbox':
      case 'constant':
        options = [v.query];
        break;
      case 'custom':
        options = v.query.split(',').map((s) => s.trim()).filter((s) => s !== '');
        break;
      default:
        throw new Error(`variable type ${v.type} is not supported by this expander`);
    }
    resolved.push({
      name: v.name,
      multi: v.multi ?? false,
      includeAll: v.includeAll ?? false,
      allValue: v.allValue,
      options,
      current: currentOf(v, options, selections[v.name]),
    });
  }
  return resolved;
}
