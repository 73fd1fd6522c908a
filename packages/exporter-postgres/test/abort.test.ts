/**
 * A write whose attempt was given up (`PostgresSink.deliver`'s AbortSignal,
 * aborted by the delivery pipeline at `exportTimeoutMillis`) stops: no
 * further transaction, chunk or statement, its statement cancelled on the
 * server, rolled back, its connection discarded; the retry then writes every
 * row once. Against a real Postgres, the write held up by a lock another
 * connection holds.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, startTcpProxy, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import pg from 'pg';
import { PostgresExecutionEventExporter, PostgresSpanProcessor, WriteAbortedError, type MappedRow } from '../src/index.js';
import { cancelRequestMessage } from '../src/cancel-request.js';
import { countQueries, spanFactory, type SpanFactory } from './helpers.js';
import { until } from './until.js';

const quiet = { warn: () => {}, info: () => {} };

/** `p`'s outcome, or `'pending'` if it has none within `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((r) => {
    timer = setTimeout(() => r('pending'), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A proxy in front of the real Postgres that holds back each CancelRequest
 * `delayMs` (a slow link, a busy postmaster, a pooler answering for the
 * server). `closesAtOnce`: it also closes the cancel connection as soon as
 * the client has sent it, as a proxy without half-close does, so the close
 * says nothing about the server.
 */
async function cancelDelayingProxy(target: { host: string; port: number }, delayMs: number, closesAtOnce: boolean): Promise<{ port: number; cancels: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { cancels: 0 };
  const server = net.createServer({ allowHalfOpen: !closesAtOnce }, (client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    let first = true;
    client.on('data', (d) => {
      if (first && d.length >= 8 && d.readInt32BE(4) === 80877102) {
        state.cancels += 1;
        setTimeout(() => upstream.end(d), delayMs).unref();
      } else upstream.write(d);
      first = false;
    });
    upstream.on('data', (d) => client.write(d));
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get cancels() {
      return state.cancels;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('an abandoned write (AbortSignal) against a real Postgres', () => {
  let db: TestSchema;
  let f: SpanFactory;
  /** The connection holding the lock that makes writes slow. */
  let locker: pg.Client;
  const pools: pg.Pool[] = [];

  before(async () => {
    db = await createTestSchema('abort');
    f = spanFactory();
    locker = new pg.Client(testConnectionConfig());
    await locker.connect();
    const setup = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    await setup.migrate();
  });
  after(async () => {
    await locker.end();
    for (const p of pools) await p.end();
    await f.shutdown();
    await db.drop();
  });

  /** A pool of its own, named so that its backends can be found in pg_stat_activity. */
  function namedPool(max: number): { pool: pg.Pool; app: string } {
    const app = `abort-test-${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ ...testConnectionConfig(), max, application_name: app });
    pool.on('error', () => {});
    pools.push(pool);
    return { pool, app };
  }

  /** Backends of `app`: how many wait for a lock, how many are in a transaction. */
  async function backends(app: string): Promise<{ waiting: number; inTransaction: number }> {
    const r = await db.pool.query<{ waiting: number; in_tx: number }>(
      `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting,
              count(*) FILTER (WHERE state LIKE 'idle in transaction%' OR (state = 'active' AND xact_start IS NOT NULL))::int AS in_tx
         FROM pg_stat_activity WHERE application_name = $1`,
      [app],
    );
    return { waiting: r.rows[0]?.waiting ?? 0, inTransaction: r.rows[0]?.in_tx ?? 0 };
  }

  async function countEvents(runId: string): Promise<{ n: number; distinct: number }> {
    const r = await db.pool.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS distinct FROM "${db.schema}".execution_events WHERE run_id = $1`,
      [runId],
    );
    return r.rows[0] as { n: number; distinct: number };
  }

  function events(runId: string, n: number): ReadableSpan[] {
    return Array.from({ length: n }, (_, i) =>
      f.make('execute_tool t', {
        [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL,
        [Attr.ATTR_RUN_ID]: runId,
        [Attr.ATTR_EXECUTION_ORDER]: i + 1,
        [Attr.ATTR_GEN_AI_TOOL_NAME]: 't',
        [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: JSON.stringify({ i }),
      }),
    );
  }

  /** Locks `execution_events` against writes (SHARE mode: reads go on) until the returned function is called. */
  async function lockEvents(): Promise<() => Promise<void>> {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${db.schema}".execution_events IN SHARE MODE`);
    return async () => {
      await locker.query('COMMIT');
    };
  }

  for (const writeMethod of ['copy', 'unnest'] as const) {
    it(`${writeMethod}: a statement waiting for a lock is cancelled at the abort; rolled back, connection discarded, nothing more sent; the retry writes every row once`, async () => {
      const { pool, app } = namedPool(2);
      const counter = countQueries(pool);
      const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod, maxBatchRows: 50 });
      const runId = `abort-${writeMethod}`;
      const rows: MappedRow[] = exporter.prepareRows(events(runId, 150)).rows; // 3 chunks: COPY under writeMethod copy
      const unlock = await lockEvents();
      const abort = new AbortController();
      const write = exporter.writeMappedRows(rows, abort.signal);
      try {
        await until(async () => (await backends(app)).waiting === 1, 5000, 'the write to wait for the lock');
        const sentBefore = counter.statements.length;
        const abortedAt = Date.now();
        abort.abort(new Error('delivery did not finish within 100 ms'));
        const outcome = await within(write, 3000);
        assert.notEqual(outcome, 'pending', 'the write settles while the lock is still held');
        assert.ok('error' in (outcome as object), 'it rejects');
        const err = (outcome as { error: unknown }).error;
        assert.ok(err instanceof WriteAbortedError, String(err));
        assert.equal((err.cause as Error).message, 'delivery did not finish within 100 ms');
        assert.ok(Date.now() - abortedAt < 2000, `settled in ${Date.now() - abortedAt} ms`);
        // The server is no longer working for it, out of any transaction; its connection, on which a cancel
        // request was sent, is discarded rather than pooled (see the late-cancel tests below).
        assert.deepEqual(await backends(app), { waiting: 0, inTransaction: 0 });
        assert.equal(pool.totalCount, 0);
        assert.equal(pool.waitingCount, 0);
        assert.deepEqual(counter.statements.slice(sentBefore), ['ROLLBACK'], 'after the abort: the rollback, nothing else');
      } finally {
        await unlock();
        await within(write, 35_000);
      }
      // Lock gone: the abandoned write still sends nothing, and wrote nothing.
      const sent = counter.statements.length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(counter.statements.length, sent);
      assert.deepEqual(await countEvents(runId), { n: 0, distinct: 0 });
      // The retry (the same rows, as the delivery pipeline sends them again).
      await exporter.writeMappedRows(rows, new AbortController().signal);
      assert.deepEqual(await countEvents(runId), { n: 150, distinct: 150 });
      await exporter.writeMappedRows(rows, new AbortController().signal);
      assert.deepEqual(await countEvents(runId), { n: 150, distinct: 150 }, 'a second retry duplicates nothing');
      await exporter.shutdown();
    });
  }

  it('a server that answers nothing (not even the cancel): the connection is cut after the grace, discarded, and nothing is committed', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(testConnectionConfig().port ?? 5432) });
    const app = `abort-test-${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ ...testConnectionConfig(), host: '127.0.0.1', port: proxy.port, max: 1, application_name: app });
    pool.on('error', () => {});
    pools.push(pool);
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
    const runId = 'abort-silent-server';
    const rows = exporter.prepareRows(events(runId, 5)).rows;
    const unlock = await lockEvents();
    const abort = new AbortController();
    const write = exporter.writeMappedRows(rows, abort.signal);
    try {
      await until(async () => (await backends(app)).waiting === 1, 5000, 'the write to wait for the lock');
      proxy.mode = 'blackhole'; // from now on nothing passes, the cancel request included
      const abortedAt = Date.now();
      abort.abort(new Error('given up'));
      const outcome = await within(write, 5000);
      assert.ok(outcome !== 'pending' && 'error' in outcome && outcome.error instanceof WriteAbortedError, String(outcome));
      const took = Date.now() - abortedAt;
      assert.ok(took >= 1500 && took < 4000, `cut after the grace: ${took} ms`);
      assert.equal(pool.totalCount, 0, 'the cut connection was discarded, not pooled');
    } finally {
      await unlock();
      await within(write, 35_000);
      await proxy.close();
    }
    // The server's backend, cut off, rolls back when it gets past the lock.
    await until(async () => (await backends(app)).inTransaction === 0, 5000, 'the cut backend to end');
    assert.deepEqual(await countEvents(runId), { n: 0, distinct: 0 });
    const retry = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema, migrate: false });
    await retry.writeMappedRows(rows, new AbortController().signal);
    assert.deepEqual(await countEvents(runId), { n: 5, distinct: 5 });
  });

  for (const closesAtOnce of [false, true]) {
    it(`a cancel request that reaches the server late (${closesAtOnce ? 'its connection closed at once by a proxy' : 'past its timeout'}) never cancels another statement of the pool`, async () => {
      const proxy = await cancelDelayingProxy({ host: '127.0.0.1', port: Number(testConnectionConfig().port ?? 5432) }, 1500, closesAtOnce);
      // The application's own pool, lent to the exporter.
      const app = `abort-test-${randomBytes(4).toString('hex')}`;
      const pool = new pg.Pool({ ...testConnectionConfig(), host: '127.0.0.1', port: proxy.port, max: 1, application_name: app });
      pool.on('error', () => {});
      pools.push(pool);
      const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
      const runId = `abort-late-cancel-${closesAtOnce ? 'closed' : 'slow'}`;
      const rows = exporter.prepareRows(events(runId, 3)).rows;
      const unlock = await lockEvents();
      const abort = new AbortController();
      const write = exporter.writeMappedRows(rows, abort.signal);
      try {
        await until(async () => (await backends(app)).waiting === 1, 5000, 'the write to wait for the lock');
        abort.abort(new Error('given up'));
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await unlock(); // the statement ends on its own, before its cancel reaches the server
      }
      await assert.rejects(write, WriteAbortedError);
      assert.equal(proxy.cancels, 1);
      // The application's next statement on that pool: running when the late cancel arrives.
      const r = await pool.query<{ ok: number }>('SELECT 1 AS ok FROM pg_sleep(2)');
      assert.equal(r.rows[0]?.ok, 1);
      assert.deepEqual(await countEvents(runId), { n: 0, distinct: 0 });
      await exporter.writeMappedRows(rows, new AbortController().signal);
      assert.deepEqual(await countEvents(runId), { n: 3, distinct: 3 });
      await proxy.close();
    });
  }

  it('a client whose port cannot be dialled (a stream of its own): no cancel, no unhandled rejection; the grace stops the statement', async () => {
    // node-postgres dials `port` through the `stream` it is given; this one goes to the server whatever it is asked.
    const serverPort = Number(testConnectionConfig().port ?? 5432);
    const stream = (): net.Socket => {
      const socket = new net.Socket();
      const dial = socket.connect.bind(socket) as (port: number, host: string) => net.Socket;
      (socket as unknown as { connect: () => net.Socket }).connect = () => dial(serverPort, '127.0.0.1');
      return socket;
    };
    const app = `abort-test-${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ ...testConnectionConfig(), host: '127.0.0.1', port: 70_000, stream, max: 1, application_name: app });
    pool.on('error', () => {});
    pools.push(pool);
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
    const rows = exporter.prepareRows(events('abort-bad-port', 2)).rows;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const unlock = await lockEvents();
    try {
      const abort = new AbortController();
      const write = exporter.writeMappedRows(rows, abort.signal);
      await until(async () => (await backends(app)).waiting === 1, 5000, 'the write to wait for the lock');
      abort.abort(new Error('given up'));
      const outcome = await within(write, 5000);
      assert.ok(outcome !== 'pending' && 'error' in outcome && outcome.error instanceof WriteAbortedError, String(outcome));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
      await unlock();
    }
    await exporter.shutdown();
  });

  it('an abort while waiting for a pool connection: rejects at once, and the connection, once free, is given back unused', async () => {
    const { pool, app } = namedPool(1);
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
    const runId = 'abort-pool-wait';
    const rows = exporter.prepareRows(events(runId, 5)).rows;
    const held = await pool.connect();
    const abort = new AbortController();
    const write = exporter.writeMappedRows(rows, abort.signal);
    try {
      await until(() => pool.waitingCount === 1, 5000, 'the write to wait for a connection');
      abort.abort(new Error('given up'));
      const outcome = await within(write, 1000);
      assert.ok(outcome !== 'pending' && 'error' in outcome && outcome.error instanceof WriteAbortedError, String(outcome));
    } finally {
      held.release();
    }
    await until(() => pool.waitingCount === 0 && pool.idleCount === pool.totalCount, 5000, 'the pool to be idle');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await countEvents(runId), { n: 0, distinct: 0 }, 'the connection that came late wrote nothing');
    assert.deepEqual(await backends(app), { waiting: 0, inTransaction: 0 });
    await exporter.shutdown();
  });

  it('an abort between transactions (a batch split around a refused row) starts no further transaction', async () => {
    const { pool } = namedPool(2);
    const abort = new AbortController();
    const begins: string[] = [];
    // Aborts as the first transaction, refused because of the bad row, is rolled back.
    pool.on('connect', (client) => {
      const original = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text);
        if (text.startsWith('BEGIN')) begins.push(text);
        if (text === 'ROLLBACK') abort.abort(new Error('given up'));
        return original(...args);
      };
    });
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
    const runId = 'abort-split';
    const rows = exporter.prepareRows(events(runId, 40)).rows;
    // A uuid Postgres refuses (22P02): without the abort, the batch would be split in halves (about a dozen transactions).
    (rows[17] as { row: { parent_event_id: string | null } }).row.parent_event_id = 'not-a-uuid';
    await assert.rejects(exporter.writeMappedRows(rows, abort.signal), WriteAbortedError);
    assert.equal(begins.length, 1, `transactions begun: ${begins.length}`);
    assert.deepEqual(await countEvents(runId), { n: 0, distinct: 0 });
    // Without a signal the same rows are split and all stored (the refused one repaired).
    await exporter.writeMappedRows(rows);
    assert.deepEqual(await countEvents(runId), { n: 40, distinct: 40 });
    await exporter.shutdown();
  });

  it('a COMMIT in flight is never cancelled: the abort lets it finish, and the retry adds nothing', async () => {
    const { pool, app } = namedPool(1);
    const s = `"${db.schema}"`;
    // A deferred constraint trigger runs at COMMIT: it makes the COMMIT of a write to this run slow.
    await db.pool.query(`
      CREATE FUNCTION ${s}.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.run_id = 'abort-commit' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ${s}.execution_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.slow_commit();`);
    try {
      const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
      const runId = 'abort-commit';
      const rows = exporter.prepareRows(events(runId, 1)).rows;
      const abort = new AbortController();
      const write = exporter.writeMappedRows(rows, abort.signal);
      await until(
        async () => (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query = 'COMMIT'`, [app])).rowCount === 1,
        5000,
        'the COMMIT to run',
      );
      abort.abort(new Error('given up'));
      const result = await write;
      assert.equal(result.written, 1, 'the COMMIT went through');
      assert.deepEqual(await countEvents(runId), { n: 1, distinct: 1 });
      await exporter.writeMappedRows(rows, new AbortController().signal);
      assert.deepEqual(await countEvents(runId), { n: 1, distinct: 1 });
      await exporter.shutdown();
    } finally {
      await db.pool.query(`DROP TRIGGER slow_commit ON ${s}.execution_events; DROP FUNCTION ${s}.slow_commit()`);
    }
  });

  it('through PostgresSpanProcessor: attempts that time out give their connection back, never pile up beside the retry; every span stored once', async () => {
    const { pool, app } = namedPool(4);
    const processor = new PostgresSpanProcessor({
      pool,
      schema: db.schema,
      migrate: false,
      logger: quiet,
      exportTimeoutMillis: 300,
      retryInitialDelayMillis: 50,
      retryMaxDelayMillis: 100,
      scheduledDelayMillis: 20,
      maxConcurrentExports: 2,
      maxExportBatchSize: 200,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('abort-test');
    const runId = 'abort-processor';
    const unlock = await lockEvents();
    let mostWaiting = 0;
    try {
      for (let i = 0; i < 400; i++) {
        tracer
          .startSpan(
            'execute_tool t',
            { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: runId, [Attr.ATTR_EXECUTION_ORDER]: i + 1 } },
            ROOT_CONTEXT,
          )
          .end();
      }
      // Several rounds of attempts that time out and are retried, while the lock is held.
      await until(() => processor.stats().retried >= 1200, 15_000, 'three rounds of retries');
      const end = Date.now() + 1500;
      while (Date.now() < end) {
        mostWaiting = Math.max(mostWaiting, (await backends(app)).waiting);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await unlock();
    }
    await processor.forceFlush();
    await until(async () => (await countEvents(runId)).n === 400, 10_000, 'every span stored');
    assert.ok(mostWaiting <= 2, `backends waiting for the lock at once: ${mostWaiting} (at most the 2 attempts in flight)`);
    assert.deepEqual(await countEvents(runId), { n: 400, distinct: 400 });
    await provider.shutdown();
  });
});

describe('cancelRequestMessage', () => {
  it('is the protocol 3.0 CancelRequest: length 16, code 80877102, process id, secret key', () => {
    const b = cancelRequestMessage(4242, -7);
    assert.equal(b.length, 16);
    assert.equal(b.readInt32BE(0), 16);
    assert.equal(b.readInt32BE(4), 80877102);
    assert.equal(b.readInt32BE(8), 4242);
    assert.equal(b.readInt32BE(12), -7);
  });
});
