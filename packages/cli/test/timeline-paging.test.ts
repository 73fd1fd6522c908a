/**
 * `timeline` reads a run a page at a time (keyset pagination in replay order) and writes each page
 * as it comes, waiting for a slow output: the same bytes as when it read the run whole (fixtures
 * written by that version), every event once and in order whatever the page size, ties in the
 * ordering key included, and memory bounded by a page, not by the run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { createContext } from '../src/command.js';
import { createTimelineCommand } from '../src/commands/timeline.js';
import { eventPages } from '../src/data/event-pages.js';
import { loadNodes, nodePages, timelineEventPages } from '../src/data/run-detail.js';
import { colorsFor } from '../src/format/colors.js';
import { processIo, runCli, type CliIo } from '../src/index.js';
import { captureIo, type CapturedIo } from './helpers/io.js';
import { eventId, PAGED_RUN, PAGED_RUN_ORDER, seedPagedRun } from './helpers/paged-run.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/timeline/${name}`, import.meta.url), 'utf8');

/** The outputs the version that read a run whole wrote for {@link seedPagedRun}'s run (`test/fixtures/timeline`). */
const GOLDEN = [
  { file: 'timeline-piped.txt', args: [] as string[], io: { columns: undefined } as Partial<CliIo> },
  { file: 'timeline.json', args: ['--json'], io: { columns: undefined } },
  { file: 'timeline-tty-120.txt', args: [], io: { isTTY: true, columns: 120 } },
];

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_timeline_paging');
  await runMigrations(db.pool);
  await seedPagedRun(db.pool);
});
after(async () => {
  await db.drop();
});

/** `agentspan timeline` as `runCli` runs it, but reading `pageSize` rows per query. */
async function timelineWithPages(pageSize: number, args: string[], io: CliIo): Promise<number> {
  const values = { json: args.includes('--json') };
  const colors = colorsFor({ isTTY: io.isTTY === true, env: io.env });
  return createTimelineCommand({ pageSize }).run(createContext({ io, values, positionals: [PAGED_RUN], colors }));
}

test('the same bytes as before, piped, as JSON and on a terminal, whatever the page size (1 to a page larger than the run)', async () => {
  for (const { file, args, io: extra } of GOLDEN) {
    const whole = captureIo({ DATABASE_URL: db.url }, extra);
    assert.equal(await runCli(['timeline', PAGED_RUN, ...args], whole), 0, whole.stderr.join('\n'));
    assert.equal(`${whole.text()}\n`, fixture(file), `${file}: the default page size`);
    for (const pageSize of [1, 2, 3, 5, 13, 14, 1000]) {
      const io = captureIo({ DATABASE_URL: db.url }, extra);
      assert.equal(await timelineWithPages(pageSize, args, io), 0, io.stderr.join('\n'));
      assert.equal(`${io.text()}\n`, fixture(file), `${file}: pages of ${pageSize}`);
      if (pageSize < 14) assert.ok(io.stdout.length > 2, `${file}: written a page at a time (${io.stdout.length} writes)`);
    }
  }
});

test('a run without events, and events without a run row: the same documents as JSON.stringify of the whole', async () => {
  await db.pool.query(`INSERT INTO workflow_runs (id, mode, status, started_at) VALUES ('empty-run', 'x', 'success', '2026-11-20T10:00:00Z')`);
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order)
     VALUES ('00000000-0000-4000-a000-000000000001', 'rowless', 'tool_call', '2026-11-20T10:00:00Z', 'completed', 't', 'r1', 1)`,
  );
  for (const id of ['empty-run', 'rowless']) {
    for (const pageSize of [1, 1000]) {
      const io = captureIo({ DATABASE_URL: db.url });
      const colors = colorsFor({ isTTY: false, env: {} });
      assert.equal(await createTimelineCommand({ pageSize }).run(createContext({ io, values: { json: true }, positionals: [id], colors })), 0);
      const doc = io.json<{ run: unknown; nodes: unknown[]; events: unknown[] }>();
      assert.equal(io.text(), JSON.stringify(doc, null, 2), `${id}, pages of ${pageSize}: JSON.stringify's own text`);
      assert.equal(doc.events.length, id === 'empty-run' ? 0 : 1);
    }
  }
});

test('every event once, in replay order, ties in execution order and time told apart by id; no page larger than asked', async () => {
  const client = await db.pool.connect();
  try {
    for (const pageSize of [1, 2, 3, 4, 100]) {
      const seen: string[] = [];
      for await (const page of timelineEventPages(client, PAGED_RUN, pageSize)) {
        assert.ok(page.length >= 1 && page.length <= pageSize, `a page of ${page.length}, asked ${pageSize}`);
        seen.push(...page.map((e) => e.id));
      }
      assert.deepEqual(seen, PAGED_RUN_ORDER.map(eventId), `pages of ${pageSize}`);
    }
  } finally {
    client.release();
  }
});

/** Inserts `events` into run `runId`: orders and times from small sets, so ties are many. */
async function insertEvents(pool: pg.Pool, runId: string, events: readonly { order: number | null; second: number; micros: number }[]) {
  await pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order)
     SELECT gen_random_uuid(), $1, 'tool_call', '2026-11-20T10:00:00Z'::timestamptz + make_interval(secs => s) + u * interval '1 microsecond',
            'completed', 't', gen_random_uuid()::text, o
       FROM unnest($2::integer[], $3::integer[], $4::integer[]) AS x(o, s, u)`,
    [runId, events.map((e) => e.order), events.map((e) => e.second), events.map((e) => e.micros)],
  );
}

test('property: for any events and page size, the pages join to the one ORDER BY of every view of a run', async () => {
  const client = await db.pool.connect();
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ order: fc.option(fc.integer({ min: -2, max: 3 }), { freq: 4 }), second: fc.integer({ min: 0, max: 2 }), micros: fc.integer({ min: 0, max: 1 }) }),
          { maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (events, pageSize) => {
          const runId = `prop-${n++}`;
          await insertEvents(db.pool, runId, events);
          const expected = await client.query<{ id: string }>(
            `SELECT id::text AS id FROM execution_events WHERE run_id = $1 ORDER BY execution_order NULLS LAST, "timestamp", id`,
            [runId],
          );
          const seen: string[] = [];
          for await (const page of eventPages(client, runId, 'e.id::text AS id', (r) => String(r['id']), pageSize)) {
            assert.ok(page.length <= pageSize);
            seen.push(...page);
          }
          assert.deepEqual(seen, expected.rows.map((r) => r.id));
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    client.release();
  }
});

test("property: the run's nodes in pages join to its nodes in order (NULL order indexes and starts, ties by id)", async () => {
  const client = await db.pool.connect();
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ order: fc.option(fc.integer({ min: 0, max: 2 })), second: fc.option(fc.integer({ min: 0, max: 1 })) }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (nodes, pageSize) => {
          const runId = `nodes-${n++}`;
          await db.pool.query(
            `INSERT INTO dag_nodes (id, run_id, node_id, order_index, started_at)
             SELECT gen_random_uuid(), $1, 'n' || i, o, '2026-11-20T10:00:00Z'::timestamptz + make_interval(secs => s)
               FROM unnest($2::integer[], $3::integer[]) WITH ORDINALITY AS x(o, s, i)`,
            [runId, nodes.map((x) => x.order), nodes.map((x) => x.second)],
          );
          const seen = [];
          for await (const page of nodePages(client, runId, pageSize)) seen.push(...page);
          assert.deepEqual(seen, await loadNodes(client, runId));
        },
      ),
      { numRuns: 30 },
    );
  } finally {
    client.release();
  }
});

/** Every row of `pages`, but failing (instead of looping for ever) past `maxPages` pages. */
async function joinPages<T>(pages: AsyncGenerator<T[]>, maxPages: number): Promise<T[]> {
  const all: T[] = [];
  let n = 0;
  for await (const page of pages) {
    all.push(...page);
    if (++n > maxPages) {
      await pages.return(undefined);
      assert.fail(`more than ${maxPages} pages: the same rows read again (${all.length} rows so far)`);
    }
  }
  return all;
}

test("the page key does not depend on the session's DateStyle and TimeZone (a zone abbreviation read back as another zone's)", async () => {
  // Summer timestamps (Dublin's `IST`, +01, is read back as Israel's +02), Shanghai's `CST` (+08, read back as -06),
  // Kolkata's `IST` (+05:30), 1850 (LMT, an offset of seconds); ties in order and time, some without an order.
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order)
     SELECT gen_random_uuid(), 'zones', 'tool_call',
            (CASE WHEN i % 5 = 0 THEN '1850-07-01T10:00:00Z' ELSE '2026-07-01T10:00:00Z' END)::timestamptz
              + (i % 3) * interval '1 hour' + (i % 2) * interval '1 microsecond',
            'completed', 't', 'zones-' || i, CASE WHEN i % 2 = 0 THEN NULL ELSE i % 4 END
       FROM generate_series(1, 30) AS i`,
  );
  await db.pool.query(
    `INSERT INTO dag_nodes (id, run_id, node_id, order_index, started_at)
     SELECT gen_random_uuid(), 'zones', 'n' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 END,
            CASE WHEN i % 4 = 0 THEN NULL ELSE '2026-07-01T10:00:00Z'::timestamptz + (i % 2) * interval '1 hour' END
       FROM generate_series(1, 12) AS i`,
  );
  const client = await db.pool.connect();
  try {
    const expected = (await client.query<{ id: string }>(
      `SELECT id::text AS id FROM execution_events WHERE run_id = 'zones' ORDER BY execution_order NULLS LAST, "timestamp", id`,
    )).rows.map((r) => r.id);
    for (const [dateStyle, timeZone] of [['SQL, DMY', 'Europe/Dublin'], ['SQL, MDY', 'Asia/Shanghai'], ['Postgres', 'Asia/Kolkata'], ['ISO', 'America/St_Johns']]) {
      await client.query(`SET DateStyle = '${dateStyle}'`);
      await client.query(`SET TimeZone = '${timeZone}'`);
      const seen = await joinPages(eventPages(client, 'zones', 'e.id::text AS id', (r) => String(r['id']), 4), 20);
      assert.deepEqual(seen, expected, `${dateStyle}, ${timeZone}: events`);
      const nodes = await joinPages(nodePages(client, 'zones', 3), 10);
      assert.deepEqual(nodes.map((n) => n.id), (await loadNodes(client, 'zones')).map((n) => n.id), `${dateStyle}, ${timeZone}: nodes`);
    }
  } finally {
    await client.query('RESET DateStyle; RESET TimeZone');
    client.release();
  }
});

test('a slow output is waited for: no page is written before the one before it drained, and the bytes are the same', async () => {
  const chunks: string[] = [];
  let pending = false;
  let overlapped = false;
  const io: CapturedIo = captureIo({ DATABASE_URL: db.url }, {});
  io.writeOut = (chunk) => {
    if (pending) overlapped = true;
    pending = true;
    chunks.push(chunk);
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        pending = false;
        resolve();
      }, 2),
    );
  };
  for (const { file, args } of GOLDEN.slice(0, 2)) {
    chunks.length = 0;
    assert.equal(await timelineWithPages(2, args, io), 0, io.stderr.join('\n'));
    assert.equal(overlapped, false, 'a write while the one before was still pending');
    assert.equal(chunks.join(''), fixture(file), file);
    assert.ok(chunks.length > 5, `${chunks.length} writes`);
    assert.deepEqual(io.stdout, [], 'all through writeOut');
  }
});

test("processIo spread with an `out` of the caller's own: timeline writes there, not to the real stdout", async () => {
  const lines: string[] = [];
  // The real process streams but `out`, as a program embedding the CLI would pass them (README, *As a library*).
  const io: CliIo = { ...processIo, isTTY: false, env: { DATABASE_URL: db.url }, out: (t) => lines.push(t) };
  delete (io as { columns?: number }).columns;
  const realWrite = process.stdout.write;
  let leaked = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    leaked += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(await timelineWithPages(3, ['--json'], io), 0);
  } finally {
    process.stdout.write = realWrite;
  }
  assert.ok(!leaked.includes(PAGED_RUN), 'the run was written to the real stdout');
  assert.equal(`${lines.join('\n')}\n`, fixture('timeline.json'));
});

/** Runs the real bin with a small heap, its output counted as it comes (never held). */
function runSmallHeap(args: string[], heapMb: number): Promise<{ code: number | null; bytes: number; lines: number; tail: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let lines = 0;
    let tail = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      for (const b of c) if (b === 10) lines++;
      tail = (tail + c.toString('utf8')).slice(-3000);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')).slice(-4000));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, bytes, lines, tail, stderr }));
  });
}

test('a run of 40 000 events in a 64 MB heap (the version that read it whole ran out of it): timeline --json and timeline finish, every event written', async () => {
  const EVENTS = 40_000;
  await db.pool.query(`INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms) VALUES ('huge', 'stress', 'success', now(), now(), 1)`);
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", status, trace_id, span_id, execution_order, duration_ms, inputs, outputs)
     SELECT gen_random_uuid(), 'huge', 'n' || (i / 5000), 'tool_call', 'agent' || (i % 7), now() + i * interval '1 millisecond', 'completed', 't',
            'h' || i, i, 1, '{"tool":"read_file","args_keys":["path"]}', jsonb_build_object('result_preview', repeat('r', 400))
       FROM generate_series(1, $1::int) AS i`,
    [EVENTS],
  );
  await db.pool.query('ANALYZE execution_events');
  const common = ['--database-url', db.url, '--schema', db.schema];
  const json = await runSmallHeap(['timeline', 'huge', '--json', ...common], 64);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.tail, /"executionOrder": 40000,[\s\S]*\n {2}\]\n\}\n$/, 'the last event, and the document closed');
  // Each event is 33 lines of JSON.stringify(…, null, 2) at this depth, plus the head and nodes.
  assert.ok(json.lines > EVENTS * 30, `${json.lines} lines`);
  const text = await runSmallHeap(['timeline', 'huge', ...common], 64);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.tail, /#40000 .*read_file\(path\)\n$/);
  // One line per event, a blank line and a header per node (9 of them), the run's line.
  assert.equal(text.lines, EVENTS + 9 * 2 + 1);
});
