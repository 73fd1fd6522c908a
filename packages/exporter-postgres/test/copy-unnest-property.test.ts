/**
 * The two write paths of `execution_events` against the real database, on
 * generated rows: every row sanitised as the exporter does, written once
 * with `COPY` (text format) and once with `unnest`, must store the same
 * values, byte for byte (each row compared as `to_jsonb`, `created_at`
 * aside), or both be refused with the same SQLSTATE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { COPY_MIN_ROWS, eventIdFor, runMigrations, sanitizeRow, sqlState, writeRowsInTransaction, type ExecutionEventRow, type MappedRow } from '../src/index.js';
import { countQueries, eventRow } from './helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Pieces COPY text must escape or that look like its markers, lone surrogates and NUL among them. */
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('\\', '\t', '\n', '\r', '\\.', '\\N', '\0', '\u2028', '\uFEFF', '\x7f', '\b', '"', 'é', '😀', '\ud800', '\udc00', '{', ',') },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);
const text = fc.array(piece, { maxLength: 20 }).map((a) => a.join(''));

/** A JSON object whose keys may be `__proto__` (own properties, as `JSON.parse` makes them). */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}
const key = fc.oneof(text, fc.constant('__proto__'));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 3 }).map(objectOf),
  ),
})).v;
const object = fc.array(fc.tuple(key, json), { maxLength: 4 }).map(objectOf);
const time = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => fc.integer({ min: 0, max: 999 }).map((us) => d.toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`)));
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const int4 = fc.integer({ min: -2147483648, max: 2147483647 });
const partial = fc.record({
  run_id: nullable(text),
  node_id: nullable(text),
  step_id: nullable(text),
  session_id: nullable(text),
  agent_name: nullable(text),
  agent_role: nullable(text),
  error_message: nullable(text),
  name: nullable(text),
  service_name: nullable(text),
  status: text,
  event_subtype: nullable(text),
  duration_ms: nullable(fc.double()),
  execution_order: nullable(int4),
  depth: nullable(int4),
  inputs: object,
  outputs: object,
  meta: object,
  attributes: object,
  timestamp: time,
  started_at: nullable(time),
  completed_at: nullable(time),
});

describe('COPY and unnest store the same rows (generated)', () => {
  let copy: TestSchema;
  let unnest: TestSchema;
  let sent: { readonly statements: string[] };
  before(async () => {
    copy = await createTestSchema('prop_copy');
    sent = countQueries(copy.pool); // before its first connection
    unnest = await createTestSchema('prop_unnest');
    await runMigrations(copy.pool);
    await runMigrations(unnest.pool);
  });
  after(async () => {
    await copy.drop();
    await unnest.drop();
  });

  it('property: every generated batch is stored identically by both paths', async () => {
    let span = 0x5000000;
    await fc.assert(
      fc.asyncProperty(fc.array(partial, { minLength: COPY_MIN_ROWS, maxLength: COPY_MIN_ROWS + 20 }), async (partials) => {
        const rows = partials.map((p): MappedRow & { kind: 'event' } => {
          const spanId = (span++).toString(16).padStart(16, '0');
          const row = eventRow({ ...(p as Partial<ExecutionEventRow>), id: eventIdFor(TRACE, spanId), span_id: spanId, trace_id: TRACE });
          return sanitizeRow({ kind: 'event' as const, row }).mapped;
        });
        const errors: unknown[] = [];
        for (const [db, method] of [[copy, 'copy'], [unnest, 'unnest']] as const) {
          try {
            await writeRowsInTransaction(db.pool, undefined, rows, { method });
            errors.push(undefined);
          } catch (err) {
            errors.push(err);
          }
        }
        assert.equal(sqlState(errors[0]), sqlState(errors[1]), `copy: ${String(errors[0])}, unnest: ${String(errors[1])}`);
        assert.equal(errors[0] === undefined, errors[1] === undefined);
        if (errors[0] !== undefined) return;
        const ids = rows.map((r) => r.row.id);
        const sql = `SELECT (to_jsonb(t) - 'created_at')::text AS j FROM execution_events t WHERE id = ANY($1::uuid[]) ORDER BY id`;
        const a = (await copy.pool.query<{ j: string }>(sql, [ids])).rows.map((r) => r.j);
        const b = (await unnest.pool.query<{ j: string }>(sql, [ids])).rows.map((r) => r.j);
        assert.equal(a.length, rows.length);
        assert.deepEqual(a, b);
      }),
      { numRuns: 15 },
    );
    assert.ok(sent.statements.some((q) => q.includes('COPY ')), 'the copy side went through COPY');
  });
});
