/**
 * `execution_order` stays unique and increasing per run across a restart of
 * the gateway: a run new to a gateway process continues after the last order
 * Postgres holds for it. And when Postgres cannot be read in time, the
 * request goes on, numbered from memory, counted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { RunOrderSeeds, type Gateway } from '../src/index.js';
import { SpanFactory, post, poolWithStuckQueries, startTestGateway } from './helpers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_order');
});
after(async () => {
  await db.drop();
});

async function send(gateway: Gateway, spans: readonly ReadableSpan[]): Promise<void> {
  const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest([...spans]) as Uint8Array, {
    'Content-Type': 'application/x-protobuf',
  });
  assert.equal(r.status, 200, r.body.toString('latin1'));
}

/** One user turn of a conversation: its own trace, agent → model call, tool, model call (children exported first). */
function userTurn(conversation: string, at: number): ReadableSpan[] {
  const f = new SpanFactory('order-app');
  const conv = { 'gen_ai.conversation.id': conversation };
  const agent = f.start('invoke_agent support', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', ...conv }, at);
  const c1 = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ...conv }, at + 1, agent, SpanKind.CLIENT);
  f.end(c1, at + 2);
  const tool = f.start('execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' }, at + 3, agent);
  f.end(tool, at + 4, { 'gen_ai.tool.call.result': 'r' });
  const c2 = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ...conv }, at + 5, agent, SpanKind.CLIENT);
  f.end(c2, at + 6);
  f.end(agent, at + 7);
  return f.finished();
}

/** A long agent in one trace (its run is the trace), `turns` model calls, exported in batches before the agent. */
function longAgent(turns: number): { traceId: string; batches: ReadableSpan[][]; agent: ReadableSpan } {
  const f = new SpanFactory('order-app');
  const agent = f.start('invoke_agent worker', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'worker' }, 0);
  for (let i = 0; i < turns; i++) {
    const t = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }, 10 * i + 1, agent, SpanKind.CLIENT);
    f.end(t, 10 * i + 5);
  }
  f.end(agent, 10 * turns + 1);
  const spans = f.finished();
  const calls = spans.slice(0, turns);
  return { traceId: agent.spanContext().traceId, batches: [calls.slice(0, turns / 2), calls.slice(turns / 2)], agent: spans[turns] as ReadableSpan };
}

async function orders(runId: string): Promise<number[]> {
  const r = await db.pool.query('SELECT execution_order FROM execution_events WHERE run_id = $1 ORDER BY started_at', [runId]);
  return r.rows.map((row) => row.execution_order as number);
}

test('a conversation and a long agent that go on after the gateway restarted continue their execution_order: unique and increasing per run', async () => {
  const conv = 'conv-restart-1';
  const agent = longAgent(6);
  const first = await startTestGateway(db);
  await send(first, userTurn(conv, 0));
  await send(first, userTurn(conv, 100));
  await send(first, agent.batches[0]!);
  await first.shutdown();
  assert.deepEqual(await orders(conv), [2, 3, 4, 6, 7, 8], 'each turn\'s agent takes an order (it is no row)');
  assert.deepEqual(await orders(agent.traceId), [1, 2, 3]);

  // A new process, given a URL (its own lookup connection, the schema named), not the pool.
  const second = await startTestGateway(db, { pool: undefined, databaseUrl: db.url, schema: db.schema });
  try {
    // Two user turns at once: both wait for the same lookup of the conversation.
    await Promise.all([send(second, userTurn(conv, 200)), send(second, userTurn(conv, 300))]);
    await send(second, agent.batches[1]!);
    await send(second, [agent.agent]);

    const c = await orders(conv);
    assert.equal(c.length, 12);
    assert.equal(new Set(c).size, 12, `unique: ${c.join(',')}`);
    assert.ok(Math.min(...c.slice(6)) > 8, `after the first process's orders: ${c.join(',')}`);
    assert.deepEqual(await orders(agent.traceId), [1, 2, 3, 4, 5, 6], 'the long agent continues after 3');
    const s = second.stats().orders;
    assert.equal(s.lookups, 2, 'one lookup per request with runs new to the process');
    assert.equal(s.continued, 2);
    assert.equal(s.fallbacks, 0);
  } finally {
    await second.shutdown();
  }
});

test('Postgres not answering the lookup: the request is written anyway after orderLookupTimeoutMillis, numbered from memory, counted and logged once', async () => {
  const conv = 'conv-restart-2';
  const first = await startTestGateway(db);
  await send(first, userTurn(conv, 0));
  await first.shutdown();

  // The lookups go through pool.query, which never answers here; the writes (pool.connect) work.
  const pool = db.pool;
  const stuck = poolWithStuckQueries(pool);
  const warnings: string[] = [];
  const second = await startTestGateway(db, { pool: stuck, orderLookupTimeoutMillis: 150, logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
  try {
    const started = Date.now();
    await send(second, userTurn(conv, 100));
    assert.ok(Date.now() - started >= 150, 'it waited for the lookup');
    await send(second, userTurn(conv, 200));
    // Every row written; numbered from this process's own counter, so the first process's orders come again (what the lookup prevents).
    assert.deepEqual(await orders(conv), [2, 3, 4, 2, 3, 4, 6, 7, 8]);
    const s = second.stats().orders;
    assert.equal(s.lookups, 2, 'not seen: looked up again with the next request');
    assert.equal(s.fallbacks, 2);
    assert.equal(s.continued, 0);
    assert.equal(warnings.filter((w) => w.includes('execution order')).length, 1);
  } finally {
    await second.shutdown();
  }
});

test('a run id Postgres refuses as it is (a NUL) is looked up as stored and fails no other run; a huge orderLookupTimeoutMillis is clamped', async () => {
  const conv = 'conv-restart-3';
  const bad = 'bad\u0000conversation';
  const first = await startTestGateway(db);
  await send(first, [...userTurn(conv, 0), ...userTurn(bad, 0)]);
  await first.shutdown();
  // Past a timer's limit and 5× past statement_timeout's: clamped, the lookup still runs.
  const second = await startTestGateway(db, { pool: undefined, databaseUrl: db.url, schema: db.schema, orderLookupTimeoutMillis: 3_000_000_000 });
  try {
    await send(second, [...userTurn(conv, 100), ...userTurn(bad, 100)]);
    const s = second.stats().orders;
    assert.equal(s.fallbacks, 0, 'no run fell back to the counter in memory');
    assert.equal(s.continued, 2);
  } finally {
    await second.shutdown();
  }
  for (const run of [conv]) {
    const o = await orders(run);
    assert.equal(new Set(o).size, o.length, `unique: ${o.join(',')}`);
  }
  const stored = await db.pool.query("SELECT execution_order FROM execution_events WHERE run_id LIKE 'bad%' ORDER BY started_at");
  const o = stored.rows.map((r) => r.execution_order as number);
  assert.equal(o.length, 6);
  assert.equal(new Set(o).size, 6, `the cleaned run continues too: ${o.join(',')}`);
});

test('RunOrderSeeds: one lookup for concurrent requests, a bounded memory of runs seen, failures retried, a late answer still applied', async () => {
  const queries: string[][] = [];
  const continued: [string, number][] = [];
  let answer: (runIds: readonly string[]) => Promise<ReadonlyMap<string, number>> = async (ids) => new Map(ids.map((id) => [id, 10]));
  const seeds = new RunOrderSeeds({
    query: (ids) => {
      queries.push([...ids]);
      return answer(ids);
    },
    continueAfter: (id, order) => continued.push([id, order]),
    available: () => true,
    timeoutMillis: 50,
    maxRuns: 2,
    maxLookups: 4,
  });
  await Promise.all([seeds.seed(['a', 'b']), seeds.seed(['b']), seeds.seed(['a'])]);
  assert.deepEqual(queries, [['a', 'b']]);
  assert.deepEqual(continued, [['a', 10], ['b', 10]]);
  await seeds.seed(['a', 'c']); // c is new; b, the least recently used, is forgotten
  assert.deepEqual(queries.at(-1), ['c']);
  assert.equal(seeds.stats().seen, 2);
  await seeds.seed(['b']);
  assert.deepEqual(queries.at(-1), ['b'], 'forgotten: looked up again (harmless, a counter only moves forward)');

  answer = async () => {
    throw new Error('relation does not exist');
  };
  await seeds.seed(['d']);
  await seeds.seed(['d']);
  assert.deepEqual(queries.slice(-2), [['d'], ['d']], 'a failed lookup is tried again');
  assert.equal(seeds.stats().fallbacks, 2);

  let release: (() => void) | undefined;
  answer = (ids) => new Promise((resolve) => (release = () => resolve(new Map(ids.map((id) => [id, 7])))));
  await seeds.seed(['e']); // times out
  assert.equal(seeds.stats().fallbacks, 3);
  release?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(continued.at(-1), ['e', 7], 'the late answer still moves the counter forward');
  const before = queries.length;
  await seeds.seed(['e']);
  assert.equal(queries.length, before, 'and the run is seen');
});
