import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import { Attr, EventType } from '@agentspan/semconv';
import { ExportResultCode } from '@opentelemetry/core';
import {
  COPY_MIN_ROWS,
  DEFAULT_WRITE_METHOD,
  PostgresExecutionEventExporter,
  isPgliteVersion,
  copyDataMessages,
  copyField,
  copyTextPieces,
  EXECUTION_EVENTS_COLUMN_TYPES,
  eventIdFor,
  groupRows,
  runMigrations,
  toCopyText,
  writeRowsInTransaction,
  writeRowsResilient,
  WORKFLOW_RUNS_COLUMN_TYPES,
  type ExecutionEventRow,
  type MappedRow,
  type WorkflowRunRow,
} from '../src/index.js';
import { executionEventValues } from '../src/columns.js';
import { countQueries, eventRow, exportSpans, spanFactory } from './helpers.js';

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

/** `n` plain event rows of about `size` characters each (a long COPY of many pieces). */
function bigRows(runId: string, n: number, size: number): MappedRow[] {
  const base = spanBase;
  spanBase += n;
  return Array.from({ length: n }, (_, i) => {
    const span = (base + i).toString(16).padStart(16, '0');
    const row = eventRow({ id: eventIdFor(TRACE, span), span_id: span, trace_id: TRACE, run_id: runId, execution_order: i, inputs: { content: `${i} ${'x'.repeat(size)}` } });
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

  it('is the default method', () => {
    assert.equal(DEFAULT_WRITE_METHOD, 'copy');
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
    assert.equal(again.statements, 3, 'maxBatchRows still sets the rows per statement');
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-twice'`);
    assert.equal(n.rows[0].n, 300);
  });

  it('a batch re-sent after its commit falls back to ON CONFLICT and writes no duplicate', async () => {
    const rows = awkwardRows('run-resent', 300);
    const first = await writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy' });
    assert.deepEqual([first.written, first.copyFallbacks, first.statements], [300, 0, 1]);
    const again = await writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy' });
    assert.deepEqual([again.written, again.copyFallbacks, again.statements], [0, 1, 1]);
    // Through the resilient writer (what the exporter and the spool replay use), too.
    const resilient = await writeRowsResilient(db.pool, undefined, rows, { method: 'copy' });
    assert.deepEqual(resilient, { written: 300, repaired: 0, quarantined: 0, repairedBefore: 0, transactions: 1 });
    const n = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS spans FROM execution_events WHERE run_id = 'run-resent'`);
    assert.deepEqual(n.rows[0], { n: 300, spans: 300 });
  });

  it('a batch some of whose rows exist: the chunks before them are copied, the rest goes through ON CONFLICT', async () => {
    const rows = awkwardRows('run-partial', 500);
    const sorted = groupRows(rows).events; // the order chunks are written in
    const existing = new Set(sorted.slice(250, 280).map((r) => r.id));
    await writeRowsInTransaction(db.pool, undefined, rows.filter((m) => m.kind !== 'fill' && existing.has(m.row.id)), { method: 'unnest' });
    const r = await writeRowsInTransaction(db.pool, undefined, rows, { method: 'copy', maxBatchRows: 100 });
    // Chunks 1 and 2 copied; chunk 3 meets the existing rows, rolls back to its savepoint and is
    // inserted with ON CONFLICT, as are chunks 4 and 5.
    assert.equal(r.written, 470);
    assert.equal(r.copyFallbacks, 1);
    assert.equal(r.statements, 5);
    const n = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM execution_events WHERE run_id = 'run-partial'`);
    assert.deepEqual(n.rows[0], { n: 500, ids: 500 });
  });

  it('the chunk loop: more rows than maxBatchRows, one COPY per chunk in one transaction', async () => {
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 2, options: `-c search_path="${db.schema}"` });
    const counter = countQueries(pool);
    try {
      const rows = awkwardRows('run-chunks', 2345);
      const r = await writeRowsInTransaction(pool, undefined, rows, { method: 'copy', maxBatchRows: 500 });
      assert.deepEqual([r.written, r.statements, r.copyFallbacks], [2345, 5, 0]);
      const s = counter.statements;
      assert.equal(s.filter((x) => x.includes('COPY execution_events ')).length, 5);
      assert.equal(s.filter((x) => x.startsWith('INSERT')).length, 0);
      assert.equal(s.filter((x) => x.startsWith('BEGIN')).length, 1);
      assert.equal(s.filter((x) => x.includes('SAVEPOINT agentspan_copy')).length, 5);
      // One round trip per chunk (BEGIN travels with the first), then COMMIT.
      assert.equal(s.length, 6, s.join('\n'));
      assert.match(s[0]!, /^BEGIN ISOLATION LEVEL READ COMMITTED; SAVEPOINT agentspan_copy; COPY execution_events \(/);
      assert.match(s[1]!, /^RELEASE SAVEPOINT agentspan_copy; SAVEPOINT agentspan_copy; COPY execution_events \(/);
      assert.equal(s[5], 'COMMIT');
      const n = await pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = 'run-chunks'`);
      assert.equal(n.rows[0].n, 2345);
      // A later chunk meeting existing rows: the chunks before it stay written.
      const more = [...rows, ...awkwardRows('run-chunks', 1000)];
      const again = await writeRowsInTransaction(pool, undefined, more, { method: 'copy', maxBatchRows: 500 });
      assert.equal(again.written, 1000);
      assert.ok(again.copyFallbacks === 1, `${again.copyFallbacks} fallbacks`);
      const m = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS spans FROM execution_events WHERE run_id = 'run-chunks'`);
      assert.deepEqual(m.rows[0], { n: 3345, spans: 3345 });
    } finally {
      await pool.end();
    }
  });

  it('statementTimeoutMs applies to the COPY (SET LOCAL, travelling with BEGIN) and ends with the transaction', async () => {
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${db.schema}"` });
    try {
      const rows = bigRows('run-timeout', 3000, 4000);
      for (const method of ['copy', 'unnest'] as const) {
        await assert.rejects(writeRowsInTransaction(pool, undefined, rows, { method, statementTimeoutMs: 1 }), (err: { code?: string }) => err.code === '57014', method);
      }
      const after = await pool.query('SHOW statement_timeout');
      assert.equal(after.rows[0].statement_timeout, '0');
      const r = await writeRowsInTransaction(pool, undefined, rows, { method: 'copy', statementTimeoutMs: 60_000 });
      assert.equal(r.written, 3000);
    } finally {
      await pool.end();
    }
  });

  it('concurrent writers of overlapping batches: no error, no deadlock, no duplicate', async () => {
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 6, options: `-c search_path="${db.schema}"` });
    try {
      const rows = awkwardRows('run-overlap', 1200);
      // Six writers, each a window of 600 rows that overlaps its neighbours, in chunks of 150.
      const windows = [0, 120, 240, 360, 480, 600].map((start) => rows.slice(start, start + 600));
      const results = await Promise.all(windows.map((w) => writeRowsInTransaction(pool, undefined, w, { method: 'copy', maxBatchRows: 150 })));
      assert.equal(results.reduce((a, r) => a + r.written, 0), 1200);
      // Half-written windows again, concurrently with new ones, through the resilient writer.
      const next = awkwardRows('run-overlap', 600);
      const mixed = [rows.slice(300, 900), [...rows.slice(900), ...next.slice(0, 300)], next, [...next.slice(200), ...rows.slice(0, 100)]];
      const resilient = await Promise.all(mixed.map((w) => writeRowsResilient(pool, undefined, w, { method: 'copy', maxBatchRows: 150 })));
      for (const r of resilient) assert.deepEqual([r.repaired, r.quarantined, r.transactions], [0, 0, 1]);
      const n = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS spans FROM execution_events WHERE run_id = 'run-overlap'`);
      assert.deepEqual(n.rows[0], { n: 1800, spans: 1800 });
    } finally {
      await pool.end();
    }
  });

  it('a refused row fails the whole COPY with its SQLSTATE, and the connection writes the next batch', async () => {
    // One connection, so the next write reuses the session.
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${db.schema}"` });
    try {
      const rows = awkwardRows('run-poison', 200);
      rows[150] = { kind: 'event', row: { ...(rows[150]!.row as ExecutionEventRow), agent_name: 'nul\u0000here' } };
      await assert.rejects(writeRowsInTransaction(pool, undefined, rows, { method: 'copy' }), (err: { code?: string }) => err.code === '22021');
      // Early in a long COPY, while the client is still streaming: the server's error stops it.
      const long = bigRows('run-poison-early', 1000, 4000);
      long[3] = { kind: 'event', row: { ...(long[3]!.row as ExecutionEventRow), parent_event_id: 'not-a-uuid' } };
      await assert.rejects(writeRowsInTransaction(pool, undefined, long, { method: 'copy' }), (err: { code?: string }) => err.code === '22P02');
      const good = awkwardRows('run-after-poison', 150);
      const r = await writeRowsInTransaction(pool, undefined, good, { method: 'copy' });
      assert.equal(r.written, 150);
      const counts = await pool.query(
        `SELECT (SELECT count(*)::int FROM execution_events WHERE run_id IN ('run-poison', 'run-poison-early')) AS poison,
                (SELECT count(*)::int FROM execution_events WHERE run_id = 'run-after-poison') AS good`,
      );
      assert.deepEqual(counts.rows[0], { poison: 0, good: 150 });
      // No staging table: the rows go straight into execution_events.
      const stage = await pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'agentspan_stage_%' AND pg_table_is_visible(oid)`);
      assert.equal(stage.rows.length, 0);
    } finally {
      await pool.end();
    }
  });

  it('refuses the same values as unnest, with the same SQLSTATE', async () => {
    const poisons: [string, Partial<ExecutionEventRow>][] = [
      ['22021', { agent_name: 'eng\u0000ineer' }],
      ['22P05', { inputs: { content: 'a\u0000b' } }],
      ['22P02', { parent_event_id: 'not-a-uuid' }],
      ['22P02', { inputs: { lone: '\uD800' } }],
      ['22008', { started_at: '-250000-01-01T00:00:00.000000Z', timestamp: '-250000-01-01T00:00:00.000000Z' }],
    ];
    for (const [i, [code, poison]] of poisons.entries()) {
      const rows = awkwardRows(`run-same-refusal-${i}`, 120);
      rows[60] = { kind: 'event', row: { ...(rows[60]!.row as ExecutionEventRow), ...poison } };
      const codes: string[] = [];
      for (const method of ['copy', 'unnest'] as const) {
        await writeRowsInTransaction(db.pool, undefined, rows, { method }).then(
          () => codes.push('written'),
          (err: { code?: string }) => codes.push(err.code ?? String(err)),
        );
      }
      assert.equal(codes[0], codes[1], JSON.stringify(poison));
      assert.match(codes[0]!, code === '22008' ? /^2200[89]$/ : new RegExp(`^${code}$`), JSON.stringify(poison));
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

  it('poison rows among rows already stored: the split halves fall back, every row ends up once', async () => {
    const rows = awkwardRows('run-resilient-resent', 400);
    await writeRowsInTransaction(db.pool, undefined, rows.slice(0, 200), { method: 'copy' });
    rows[300] = { kind: 'event', row: { ...(rows[300]!.row as ExecutionEventRow), agent_name: 'nul\u0000here' } };
    const r = await writeRowsResilient(db.pool, undefined, rows, { method: 'copy', maxBatchRows: 100 });
    assert.deepEqual([r.written, r.repaired, r.quarantined], [399, 1, 0]);
    const n = await db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS spans, count(*) FILTER (WHERE meta->>'repaired' = 'true')::int AS repaired
         FROM execution_events WHERE run_id = 'run-resilient-resent'`,
    );
    assert.deepEqual(n.rows[0], { n: 400, spans: 400, repaired: 1 });
  });

  it('a row that cannot be encoded in the middle of a streamed COPY: RowSerializationError, then it is quarantined and the rest written', async () => {
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 1, options: `-c search_path="${db.schema}"` });
    try {
      const rows = bigRows('run-unencodable', 400, 2000);
      // JSON.stringify gives undefined for a function: not a value any column can take.
      rows[300] = { kind: 'event', row: { ...(rows[300]!.row as ExecutionEventRow), inputs: (() => 1) as unknown as ExecutionEventRow['inputs'] } };
      await assert.rejects(writeRowsInTransaction(pool, undefined, rows, { method: 'copy' }), (err: Error) => err.name === 'RowSerializationError');
      const r = await writeRowsResilient(pool, undefined, rows, { method: 'copy' });
      assert.deepEqual([r.written, r.repaired, r.quarantined], [399, 0, 1]);
      const n = await pool.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE meta->>'quarantined' = 'true')::int AS q FROM execution_events WHERE run_id = 'run-unencodable'`,
      );
      assert.deepEqual(n.rows[0], { n: 400, q: 1 });
    } finally {
      await pool.end();
    }
  });

  it('PG-hostile values through the exporter on the copy path: NUL, lone surrogates, huge and deep JSON', async () => {
    const f = spanFactory();
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false, writeMethod: 'copy' });
    try {
      const huge = 'h'.repeat(3_000_000) + '\t\\\n' + 'é🙂'.repeat(100_000);
      let deep: unknown = { leaf: 'x\u0000y' };
      for (let i = 0; i < 100; i++) deep = { d: deep };
      const spans = Array.from({ length: 150 }, (_, i) =>
        f.make('invoke_agent hostile', {
          [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL,
          [Attr.ATTR_RUN_ID]: 'run-hostile',
          [Attr.ATTR_EXECUTION_ORDER]: i,
          [Attr.ATTR_GEN_AI_AGENT_NAME]: i % 3 === 0 ? 'nul\u0000agent' : i % 3 === 1 ? 'lone\uD800surrogate' : 'tab\tagent',
          [Attr.ATTR_MESSAGE_CONTENT]: i === 7 ? huge : `content ${i} \uDC00 \u0000 \\N \\.`,
          [Attr.ATTR_USER_META]: JSON.stringify(i === 9 ? { deep } : { ['key\u0000' + i]: 'v\uD83D' }),
          'custom.attr': ['a\u0000', 'b\uDFFF'],
        }),
      );
      const r = await exportSpans(exporter, spans);
      assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      assert.equal(exporter.stats().sanitizedRows, 150);
      assert.equal(exporter.stats().repairedRows + exporter.stats().quarantinedRows, 0);
      const q = await db.pool.query(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE meta->>'sanitized' = 'true')::int AS sanitized,
                max(length(inputs->>'content'))::int AS longest,
                count(*) FILTER (WHERE agent_name = 'nul\uFFFDagent')::int AS nul,
                count(*) FILTER (WHERE agent_name = 'lone\uFFFDsurrogate')::int AS lone,
                count(*) FILTER (WHERE agent_name = E'tab\\tagent')::int AS tab
           FROM execution_events WHERE run_id = 'run-hostile'`,
      );
      assert.deepEqual(q.rows[0], { n: 150, sanitized: 150, longest: 3_000_003 + 200_000, nul: 50, lone: 50, tab: 50 });
      const big = await db.pool.query(`SELECT inputs->>'content' AS c FROM execution_events WHERE run_id = 'run-hostile' AND execution_order = 7`);
      assert.equal(big.rows[0].c, huge);
      const small = await db.pool.query(`SELECT inputs->>'content' AS c, attributes FROM execution_events WHERE run_id = 'run-hostile' AND execution_order = 8`);
      assert.equal(small.rows[0].c, 'content 8 \uFFFD \uFFFD \\N \\.');
      assert.deepEqual(small.rows[0].attributes, { 'custom.attr': ['a\uFFFD', 'b\uFFFD'] });
    } finally {
      await exporter.shutdown();
      await f.shutdown();
    }
  });

  it('on PGlite the exporter writes with unnest whatever writeMethod says (its socket server cannot take a streamed COPY)', async () => {
    assert.equal(isPgliteVersion('PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc, 32-bit'), true);
    assert.equal(isPgliteVersion('PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc'), false);
    for (const pglite of [true, false]) {
      const pool = new pg.Pool({ ...testConnectionConfig(), max: 2, options: `-c search_path="${db.schema}"` });
      if (pglite) {
        // A server that answers version() like PGlite (installed before the counter, which sees the query).
        pool.on('connect', (client) => {
          const query = client.query.bind(client) as (...args: unknown[]) => unknown;
          (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) =>
            args[0] === 'SELECT version() AS v' ? Promise.resolve({ rows: [{ v: 'PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten' }] }) : query(...args);
        });
      }
      const counter = countQueries(pool);
      const f = spanFactory();
      const exporter = new PostgresExecutionEventExporter({ pool, migrate: false, writeMethod: 'copy' });
      try {
        const run = `run-pglite-${pglite}`;
        for (let batch = 0; batch < 2; batch++) {
          const spans = Array.from({ length: 150 }, (_, i) =>
            f.make('execute_tool t', { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: run, [Attr.ATTR_EXECUTION_ORDER]: i }),
          );
          assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
        }
        const s = counter.statements;
        assert.equal(s.filter((x) => x === 'SELECT version() AS v').length, 1, 'asked once');
        assert.equal(s.filter((x) => x.includes('COPY execution_events ')).length, pglite ? 0 : 2);
        assert.equal(s.filter((x) => x.startsWith('INSERT INTO execution_events ')).length, pglite ? 2 : 0);
        const n = await pool.query(`SELECT count(*)::int AS n FROM execution_events WHERE run_id = $1`, [run]);
        assert.equal(n.rows[0].n, 300);
      } finally {
        await exporter.shutdown();
        await f.shutdown();
        await pool.end();
      }
    }
  });

  it('a client that cannot stream COPY data (pg-native, a wrapper) is written with unnest', async () => {
    const statements: string[] = [];
    const wrapped = {
      async connect() {
        const real = await db.pool.connect();
        return {
          query: (...args: unknown[]) => {
            statements.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text));
            return (real.query as (...a: unknown[]) => unknown)(...args);
          },
          release: (err?: Error | boolean) => real.release(err),
        };
      },
    } as unknown as pg.Pool;
    const rows = awkwardRows('run-no-copy', 150);
    const r = await writeRowsInTransaction(wrapped, undefined, rows, { method: 'copy' });
    assert.equal(r.written, 150);
    assert.equal(statements.filter((x) => x.includes('COPY')).length, 0);
    assert.equal(statements.filter((x) => x.startsWith('INSERT INTO execution_events ')).length, 1);
  });

  it('copyTextPieces: whole lines, about the size asked, the same text as toCopyText', () => {
    const rows = (awkwardRows('run-pieces', 300) as { row: ExecutionEventRow }[]).map((m) => m.row);
    const pieces = [...copyTextPieces(rows, EXECUTION_EVENTS_COLUMN_TYPES, 4096)];
    assert.ok(pieces.length > 10);
    for (const p of pieces) assert.ok(p.endsWith('\n'));
    assert.equal(pieces.join(''), toCopyText(rows, EXECUTION_EVENTS_COLUMN_TYPES));
    assert.equal(toCopyText(rows, EXECUTION_EVENTS_COLUMN_TYPES).split('\n').length, 301);
  });

  it('copyDataMessages: messages of about the size asked, a long line in one of its own, nothing else', () => {
    const rows = (awkwardRows('run-messages', 300) as { row: ExecutionEventRow }[]).map((m) => m.row);
    const messages = [...copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES, 4096)];
    assert.ok(messages.length > 10);
    const text = toCopyText(rows, EXECUTION_EVENTS_COLUMN_TYPES);
    assert.equal(Buffer.concat(messages.map((m) => m.subarray(5))).toString('utf8'), text);
    // A row far larger than a piece (a 200 000-character field, astral characters in it): one message of its own.
    const big = { ...rows[0]!, id: '00000000-0000-4000-8000-000000000001', inputs: { code: '😀é'.repeat(100_000) } };
    const withBig = [...copyDataMessages([rows[1]!, big, rows[2]!], EXECUTION_EVENTS_COLUMN_TYPES, 4096)];
    assert.equal(withBig.length, 3);
    assert.equal(withBig[1]!.subarray(5).toString('utf8'), toCopyText([big], EXECUTION_EVENTS_COLUMN_TYPES));
    assert.deepEqual([...copyDataMessages([], EXECUTION_EVENTS_COLUMN_TYPES)], []);
  });

  it('the written-out reader of execution_events rows gives the values in column order', () => {
    const columns = Object.keys(EXECUTION_EVENTS_COLUMN_TYPES);
    const row = Object.fromEntries(columns.map((c) => [c, `value of ${c}`])) as unknown as ExecutionEventRow;
    const out: unknown[] = [];
    executionEventValues(row, out);
    assert.deepEqual(out, columns.map((c) => `value of ${c}`));
  });

  it('copyDataMessages: another table read column by column (no written-out reader)', () => {
    const run: WorkflowRunRow = {
      id: 'run\t1',
      mode: null,
      task_description: 'a\\b\nc',
      status: 'success',
      started_at: '2026-01-01T00:00:00.000000Z',
      completed_at: null,
      duration_ms: 1.5,
      session_id: 'é😀',
      meta: { k: 'x\ty' },
      trace_id: null,
      span_id: null,
      service_name: 'svc',
    };
    const expected = 'run\\t1\t\\N\ta\\\\b\\nc\tsuccess\t2026-01-01T00:00:00.000000Z\t\\N\t1.5\té😀\t{"k":"x\\\\ty"}\t\\N\t\\N\tsvc\n';
    const messages = [...copyDataMessages([run, run], WORKFLOW_RUNS_COLUMN_TYPES)];
    assert.equal(Buffer.concat(messages.map((m) => m.subarray(5))).toString('utf8'), expected + expected);
  });

  it('copyField: NULL, escapes, JSON', () => {
    assert.equal(copyField(null, false), '\\N');
    assert.equal(copyField('a\tb\nc\\d\re', false), 'a\\tb\\nc\\\\d\\re');
    assert.equal(copyField({ a: 'x\ty' }, true), '{"a":"x\\\\ty"}');
    assert.equal(copyField(1.5, false), '1.5');
    assert.equal(copyField(undefined, true), '\\N');
    assert.equal(copyField('\\N', false), '\\\\N');
    assert.equal(copyField({ t: 'a\\b', n: 'x\ny' }, true), '{"t":"a\\\\\\\\b","n":"x\\\\ny"}');
  });
});
