import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { expandMacros, goFloat, interpolateVariables, parseIntervalSeconds, rfc3339Nano, type VariableState } from '../src/index.js';

const range = { from: new Date('2018-04-12T18:00:00.000Z'), to: new Date('2018-04-12T18:05:00.123Z') };

test('macros expand as Grafana 12 expands them for Postgres', () => {
  const cases: [string, string][] = [
    ['select $__time(time_column)', 'select time_column AS "time"'],
    ['select $__timeEpoch(time_column)', 'select extract(epoch from time_column) as "time"'],
    [
      'WHERE $__timeFilter(time_column)',
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00.123Z'",
    ],
    ['WHERE $__timeFilter(e."timestamp")', `WHERE e."timestamp" BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00.123Z'`],
    ['select $__timeFrom(), $__timeTo()', "select '2018-04-12T18:00:00Z', '2018-04-12T18:05:00.123Z'"],
    ["GROUP BY $__timeGroup(time_column,'5m')", 'GROUP BY floor(extract(epoch from time_column)/300)*300'],
    ["GROUP BY $__timeGroup(time_column, '5m', NULL)", 'GROUP BY floor(extract(epoch from time_column)/300)*300'],
    ['GROUP BY $__timeGroup(time_column, 1h)', 'GROUP BY floor(extract(epoch from time_column)/3600)*3600'],
    ["select $__timeGroupAlias(time_column,'5m')", 'select floor(extract(epoch from time_column)/300)*300 AS "time"'],
    // Pre-5.3 compatibility: $__timeGroup followed directly by a comma gets the alias.
    ["select $__timeGroup(time_column,'5m'), value", 'select floor(extract(epoch from time_column)/300)*300 AS "time", value'],
    ["select $__timeGroupAlias(t, '14d')", 'select floor(extract(epoch from t)/1.2096e+06)*1.2096e+06 AS "time"'],
    ["select $__timeGroupAlias(t, '500ms')", 'select floor(extract(epoch from t)/0.5)*0.5 AS "time"'],
    ['where $__unixEpochFilter(epoch)', 'where epoch >= 1523556000 AND epoch <= 1523556300'],
    ["select $__unixEpochGroupAlias(epoch, '5m')", 'select floor((epoch)/300)*300 AS "time"'],
    ['no macros here', 'no macros here'],
  ];
  for (const [sql, expected] of cases) assert.equal(expandMacros(sql, range), expected, sql);
  assert.throws(() => expandMacros('select $__nope(x)', range), /unknown macro/);
  assert.throws(() => expandMacros('select $__timeGroup(x)', range), /needs time column and interval/);
  assert.throws(() => expandMacros("select $__timeGroup(x, '5 minutes')", range), /error parsing interval/);
});

test("intervals and floats print the way Go's %v prints them", () => {
  assert.equal(parseIntervalSeconds("'5m'"), 300);
  assert.equal(parseIntervalSeconds('100ms'), 0.1);
  assert.equal(parseIntervalSeconds('1w'), 604_800);
  const floats: [number, string][] = [
    [60, '60'],
    [86_400, '86400'],
    [999_999, '999999'],
    [1_000_000, '1e+06'],
    [1_209_600, '1.2096e+06'],
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [31_536_000, '3.1536e+07'],
  ];
  for (const [v, s] of floats) assert.equal(goFloat(v), s, String(v));
  assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.100Z')), '2026-01-02T03:04:05.1Z');
});

const builtIns = { interval: '1m', from: range.from, to: range.to };
function variable(partial: Partial<VariableState> & Pick<VariableState, 'name' | 'current'>): VariableState {
  return { multi: true, includeAll: true, allValue: "'__all'", options: ['a', 'b'], ...partial };
}

test('variables are quoted and joined the way the SQL datasources interpolate them', () => {
  const agent = (current: VariableState['current'], extra: Partial<VariableState> = {}): string =>
    interpolateVariables('x IN ($agent) OR y IN (${agent}) OR z IN ([[agent]])', [variable({ name: 'agent', current, ...extra })], builtIns);
  assert.equal(agent(['planner']), "x IN ('planner') OR y IN ('planner') OR z IN ('planner')");
  assert.equal(agent(['a', "o'brien"]), "x IN ('a','o''brien') OR y IN ('a','o''brien') OR z IN ('a','o''brien')");
  assert.equal(agent('$__all'), "x IN ('__all') OR y IN ('__all') OR z IN ('__all')", 'a custom all value goes in raw');
  assert.equal(agent(['$__all'], { allValue: null }), "x IN ('a','b') OR y IN ('a','b') OR z IN ('a','b')", 'without one, All is every option');
  assert.equal(
    interpolateVariables("name = '$who'", [variable({ name: 'who', multi: false, includeAll: false, allValue: null, current: "it's" })], builtIns),
    "name = 'it''s'",
    'a plain single value is escaped but not quoted',
  );
  assert.equal(interpolateVariables('$__interval $__interval_ms $__from $__to $__range_s', [], builtIns), `1m 60000 ${range.from.getTime()} ${range.to.getTime()} 300`);
  assert.equal(interpolateVariables('$__timeFilter(t) AND $unknown', [], builtIns), '$__timeFilter(t) AND $unknown', 'unknown names stay for the macro step');
  assert.throws(() => interpolateVariables('${agent:csv}', [variable({ name: 'agent', current: ['a'] })], builtIns), /not supported/);
});

let db: TestSchema;
before(async () => {
  db = await createTestSchema('grafana_expansion');
});
after(async () => {
  await db.drop();
});

test('any selected values round-trip through the interpolated SQL unchanged (no injection)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000')), { minLength: 1, maxLength: 5 }), async (values) => {
      const sql = interpolateVariables('SELECT ARRAY[$agent]::text[] AS v', [variable({ name: 'agent', current: values })], builtIns);
      const res = await db.pool.query<{ v: string[] }>(sql);
      assert.deepEqual(res.rows[0]!.v, values);
    }),
    { numRuns: 60 },
  );
});

test('the expanded time macros bucket and filter correctly in Postgres', async () => {
  const sql = expandMacros(
    "SELECT $__timeGroupAlias(t, '5m'), count(*) AS n FROM (VALUES ('2018-04-12T18:01:00Z'::timestamptz), ('2018-04-12T18:04:59Z'), ('2018-04-12T18:05:01Z'), ('2018-04-12T17:59:59Z')) AS v(t) WHERE $__timeFilter(t) GROUP BY 1 ORDER BY 1",
    range,
  );
  const res = await db.pool.query<{ time: string; n: string }>(sql);
  assert.deepEqual(res.rows.map((r) => [Number(r.time), Number(r.n)]), [[Date.parse('2018-04-12T18:00:00Z') / 1000, 2]]);
});
