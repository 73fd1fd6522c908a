/**
 * Grafana's Postgres macro expansion, re-implemented for tests so a
 * dashboard's SQL can run against a real Postgres exactly as Grafana's
 * backend would send it. Mirrors `pkg/tsdb/grafana-postgresql-datasource/
 * macros.go` (Grafana 10 to 12, without TimescaleDB):
 *
 * | macro | expansion |
 * | --- | --- |
 * | `$__time(col)` | `col AS "time"` |
 * | `$__timeEpoch(col)` | `extract(epoch from col) as "time"` |
 * | `$__timeFilter(col)` | `col BETWEEN '<from>' AND '<to>'` (RFC 3339, UTC, nanosecond precision with trailing zeros dropped) |
 * | `$__timeFrom()` / `$__timeTo()` | `'<from>'` / `'<to>'` |
 * | `$__timeGroup(col, '5m'[, fill])` | `floor(extract(epoch from col)/300)*300` (seconds printed as Go's `%v`) |
 * | `$__timeGroupAlias(col, '5m')` | the same plus ` AS "time"` |
 * | `$__unixEpochFilter(col)` | `col >= <from s> AND col <= <to s>` |
 * | `$__unixEpochGroup(col, '5m')` / `...Alias` | `floor((col)/300)*300` [` AS "time"`] |
 *
 * Like Grafana, a macro is `$name(` up to the first `)`: arguments cannot
 * contain parentheses, and are split on every comma. `$__timeGroup`
 * directly followed by a comma gets the alias (Grafana's pre-5.3
 * compatibility). The fill argument is accepted and ignored: Grafana applies
 * it to the result frames, not to the SQL. An unknown macro throws, as
 * Grafana answers it with an error.
 */

/** The dashboard time range a query runs for. */
export interface TimeRange {
  from: Date;
  to: Date;
}

const MACRO = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Parses a Grafana interval (`'5m'`, `1h`, `30s`, `100ms`, `1d`, `1w`) into
 * seconds, as `gtime.ParseInterval` does for those units. Quotes around it
 * are stripped (Grafana trims `'`). Months and years are calendar-relative in
 * Grafana and not supported here.
 */
export function parseIntervalSeconds(text: string): number {
  const t = text.trim().replace(/^'+|'+$/g, '');
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(t);
  if (!m) throw new Error(`error parsing interval ${text}`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

/**
 * A float64 printed as Go's `fmt` `%v` (that is `strconv.FormatFloat(v, 'g',
 * -1, 64)`): the shortest digits that round-trip, in exponent form when the
 * decimal exponent is below -4 or at least 6 (the threshold `%g` uses for
 * the shortest precision), with at least two exponent digits. So 60 → `60`,
 * 86400 → `86400`, 1209600 → `1.2096e+06`, 0.5 → `0.5`, 0.00001 → `1e-05`.
 */
export function goFloat(v: number): string {
  if (v === 0) return '0';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v); // plain decimal in this range, shortest digits, as Go prints it
}

/** `time.RFC3339Nano` of a UTC instant: fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString(); // 2026-11-26T01:14:43.107Z
  const [main, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${main}${trimmed ? `.${trimmed}` : ''}Z`;
}

function evaluate(name: string, args: string[], range: TimeRange): string {
  const need = (n: number, what: string): void => {
    if (args.length < n || (n > 0 && args[0] === '')) throw new Error(`${what} for macro ${name}`);
  };
  switch (name) {
    case '__time':
      need(1, 'missing time column argument');
      return `${args[0]} AS "time"`;
    case '__timeEpoch':
      need(1, 'missing time column argument');
      return `extract(epoch from ${args[0]}) as "time"`;
    case '__timeFilter':
      need(1, 'missing time column argument');
      return `${args[0]} BETWEEN '${rfc3339Nano(range.from)}' AND '${rfc3339Nano(range.to)}'`;
    case '__timeFrom':
      return `'${rfc3339Nano(range.from)}'`;
    case '__timeTo':
      return `'${rfc3339Nano(range.to)}'`;
    case '__timeGroup': {
      need(2, 'needs time column and interval and optional fill value');
      const s = goFloat(parseIntervalSeconds(args[1]!));
      return `floor(extract(epoch from ${args[0]})/${s})*${s}`;
    }
    case '__timeGroupAlias':
      return `${evaluate('__timeGroup', args, range)} AS "time"`;
    case '__unixEpochFilter': {
      need(1, 'missing time column argument');
      const from = Math.floor(range.from.getTime() / 1000);
      const to = Math.floor(range.to.getTime() / 1000);
      return `${args[0]} >= ${from} AND ${args[0]} <= ${to}`;
    }
    case '__unixEpochGroup': {
      need(2, 'needs time column and interval and optional fill value');
      const s = goFloat(parseIntervalSeconds(args[1]!));
      return `floor((${args[0]})/${s})*${s}`;
    }
    case '__unixEpochGroupAlias':
      return `${evaluate('__unixEpochGroup', args, range)} AS "time"`;
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

/** Expands every macro in `sql` for `range` (see the module comment). */
export function expandMacros(sql: string, range: TimeRange): string {
  return sql.replace(MACRO, (whole: string, rawName: string, rawArgs: string) => {
    let name = rawName;
    if (name === '__timeGroup') {
      // Grafana looks at the character after the first occurrence of this exact text.
      const at = sql.indexOf(whole);
      if (at >= 0 && sql[at + whole.length] === ',') name = '__timeGroupAlias';
    }
    const args = rawArgs.split(',').map((a) => a.trim());
    return evaluate(name, args, range);
  });
}
