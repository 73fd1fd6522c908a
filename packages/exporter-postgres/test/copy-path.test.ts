import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import {
  COPY_MIN_ROWS,
  copyField,
  eventIdFor,
  runMigrations,
  writeRowsInTransaction,
  writeRowsResilient,
  type ExecutionEventRow,
  type MappedRow,
} from '../src/index.js';
import { eventRow } from './helpers.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let spanBase = 0x2000000;

/** `n` event rows whose strings carry everything COPY text must escape. */
function awkwardRows(runId: string, n: number): MappedRow[] {
  const base = spanBase;
  spanBase += n;
  return Array.from({ length: n }, (_, i) => {
    const span = (base + i).toString(16).padStart(16, '0');
    const row: ExecutionEventRow = eventRow({
      id: eventIdFor(TRACE, span),
      span_id: span,
      trace_id: TRACE,
      run_id: runId,
      execution_order: i + 1,
      agent_name: i % 2 ? 'tab\there' : 'back\\slash \\N',
      error_message: i % 3 ? null : 'line1\nline2\r\nline3 \\. end',
      name: i % 5 ? `naïve ✓ ${i} 🙂` : '\\.',
      inputs: { content: `code\twith\\escapes\n"quoted" ${i}`, nested: { a: [1, null, 'x\ny'] } },
      meta: { role: 'assistant', n: i, f: i / 3 },
      duration_ms: i === 0 ? 0.000123 : i * 1.5,
    });
    return { kind: 'event' as const, row };
  });
}

const COLUMNS = `id, run_id, agent_name, error_message, name, inputs, meta, duration_ms, execution_order, "timestamp"`;

describe('the COPY write path', () => {
  let db: TestSchema;
  let other: TestSchema;
  before(async () => {
    db = await createTestSchema('copy_path');
    other = await createTestSchema('copy_path_unnest');
    await runMigrations(db.pool);
    await runMigrations(other.pool);
  });
  after(async () => {
    await db.drop();
    await other.drop();
  });

  it('stores exactly what the unnest path stores, escapes included', async () => {
    const rows = awkwardRows('run-same', COPY_MIN_ROWS + 50);
    const viaCopy = await writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy' });
    const viaUnnest = await writeRowsInTransaction(other.pool, undefined, rows, { method: 'unnest' });
    assert.equal(viaCopy.written, rows.length);
    assert.equal(viaUnnest.written, rows.length);
    const q = `SELECT ${COLUMNS} FROM execution_events WHERE run_id = 'run-same' ORDER BY id`;
    const a = (await db.pool.query(q)).rows;
    const b = (await other.pool.query(q)).rows;
    assert.equal(a.length, rows.length);
    assert.deepEqual(a, b);
    const first = a.find((r: { execution_order: number }) => r.execution_order === 1) as { agent_name: string; error_message: string; inputs: unknown };
    assert.equal(first.agent_name, 'back\\slash \\N');
    assert.equal(first.error_message, 'line1\nline2\r\nline3 \\. end');
    assert.deepEqual(first.inputs, { content: 'code\twith\\escapes\n"quoted" 0', nested: { a: [1, null, 'x\ny'] } });
  });

  it('is idempotent: the same batch written twice (and concurrently) leaves one copy', async () => {
    const rows = awkwardRows('run-twice', 300);
    const [x, y] = await Promise.all([
      writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy' }),
      writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy' }),
    ]);
    assert.equal(x.written + y.written, 300);
    const again = await writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy', maxBatchRows: 120 });
    assert.equal(again.written, 0);
    assert.equal(again.statements, 3, 'maxBatchRows still sets the rows per INSERT');
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-twice'`);
    assert.equal(n.rows[0].n, 300);
  });

  it('a refused row fails the whole COPY batch as a data error, and nothing stays staged for the next write', async () => {
    // One connection, so the next write reuses the session (and its staging table).
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${db.schema}"` });
    try {
      const rows = awkwardRows('run-poison', 200);
      rows[150] = { kind: 'event', row: { ...(rows[150]!.row as ExecutionEventRow), agent_name: 'nul\u0000here' } };
      await assert.rejects(writeRowsInTransaction(pool, undefined, rows, { method: 'copy' }), (err: { code?: string }) => err.code === '22021');
      const good = awkwardRows('run-after-poison', 150);
      const r = await writeRowsInTransaction(pool, undefined, good, { method: 'copy' });
      assert.equal(r.written, 150);
      const counts = await pool.query(
        `SELECT (SELECT count(*)::int FROM execution_events WHERE run_id = 'run-poison') AS poison,
                (SELECT count(*)::int FROM execution_events WHERE run_id = 'run-after-poison') AS good`,
      );
      assert.deepEqual(counts.rows[0], { poison: 0, good: 150 });
      // The staging table is empty after the commit.
      const stage = await pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'agentspan_stage_%' AND relpersistence = 't' AND pg_table_is_visible(oid)`);
      assert.equal(stage.rows.length, 1);
      const left = await pool.query(`SELECT count(*)::int AS n FROM pg_temp."${stage.rows[0].relname}"`);
      assert.equal(left.rows[0].n, 0);
    } finally {
      await pool.end();
    }
  });

  it('poison-row splitting works through COPY: 500 good rows written, the refused one repaired', async () => {
    const rows = awkwardRows('run-resilient', 501);
    rows[250] = { kind: 'event', row: { ...(rows[250]!.row as ExecutionEventRow), parent_event_id: 'not-a-uuid' } };
    const outcomes: string[] = [];
    const r = await writeRowsResilient(db.pool, undefined, rows, { method: 'copy', onRepair: (e) => outcomes.push(`${e.outcome} ${e.reason.code}`) });
    assert.equal(r.written, 500);
    assert.equal(r.repaired, 1);
    assert.deepEqual(outcomes, ['repaired 22P02']);
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-resilient'`);
    assert.equal(n.rows[0].n, 501);
  });

  it('copyField: NULL, escapes, JSON', () => {
    assert.equal(copyField(null, false), '\\N');
    assert.equal(copyField('a\tb\nc\\d\re', false), 'a\\tb\\nc\\\\d\\re');
    assert.equal(copyField({ a: 'x\ty' }, true), '{"a":"x\\\\ty"}');
    assert.equal(copyField(1.5, false), '1.5');
  });
});
