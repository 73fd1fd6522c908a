/**
 * A large request does not hold the event loop: while its spans are
 * replayed (in slices), the gateway answers other connections, and the
 * order, acknowledgement and idempotency of requests stay as they were.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type { Gateway } from '../src/index.js';
import { genAiToolSpans, post, startTestGateway } from './helpers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_evloop');
});
after(async () => {
  await db.drop();
});

const PROTO = { 'Content-Type': 'application/x-protobuf' };

function toolSpans(n: number, conversation: string, from = 0): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(genAiToolSpans('event-loop-svc', n, conversation, from)) as Uint8Array;
}

/**
 * The gateway's pool, but `onLookup` is called when the execution-order
 * lookup of a request answers: the request's plan is made, its replay starts
 * right after (in the same microtask queue, before any I/O is read).
 */
function poolCalling(onLookup: () => void): typeof db.pool {
  return new Proxy(db.pool, {
    get(target, key) {
      if (key === 'query') {
        return (text: unknown, ...rest: unknown[]) => {
          const result = (target.query as (...a: unknown[]) => Promise<unknown>).call(target, text, ...rest);
          return typeof text === 'string' && text.includes('max(e.execution_order)') ? result.then((r) => (onLookup(), r)) : result;
        };
      }
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as typeof db.pool;
}

test('while a large request is replayed, a health check on another connection is answered (the replay still under way)', async () => {
  let gateway: Gateway | undefined;
  let health: Promise<{ status: number; stampedThen: number }> | undefined;
  gateway = await startTestGateway(db, {
    pool: poolCalling(() => {
      health ??= fetch(`${gateway?.url ?? ''}/health`).then(async (r) => {
        await r.arrayBuffer();
        return { status: r.status, stampedThen: gateway?.stats().processor.spansStamped ?? -1 };
      });
    }),
  });
  try {
    const before = gateway.stats().processor.spansStamped;
    const large = await post(`${gateway.url}/v1/traces`, toolSpans(10_000, 'conv-evloop-large'), PROTO);
    assert.equal(large.status, 200);
    const after = gateway.stats().processor.spansStamped;
    assert.ok(health, 'the lookup was made');
    const h = await health;
    assert.equal(h.status, 200);
    // Before, the replay held the event loop from its first span to its last: the check was answered after it.
    assert.ok(h.stampedThen > before && h.stampedThen < after, `answered with ${h.stampedThen - before} of ${after - before} spans replayed`);
    const rows = await db.pool.query("SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'conv-evloop-large'");
    assert.equal(rows.rows[0].n, 10_000);
  } finally {
    await gateway.shutdown();
  }
});

test('a small request sent while a large one is replayed is replayed after it (numbered after it); both acknowledged; a retry writes nothing twice', async () => {
  let gateway: Gateway | undefined;
  const conv = 'conv-evloop-order';
  let small: Promise<{ status: number }> | undefined;
  gateway = await startTestGateway(db, {
    pool: poolCalling(() => {
      small ??= post(`${gateway?.url ?? ''}/v1/traces`, toolSpans(3, conv, 10_000), PROTO).then((r) => ({ status: r.status }));
    }),
  });
  try {
    const body = toolSpans(10_000, conv);
    const large = await post(`${gateway.url}/v1/traces`, body, PROTO);
    assert.equal(large.status, 200);
    assert.ok(small);
    const s = await small;
    assert.equal(s.status, 200);
    // Execution orders follow arrival: the small request's three spans come after the large one's 10 000.
    const orders = await db.pool.query(
      `SELECT name, execution_order FROM execution_events WHERE run_id = $1 AND name IN ('execute_tool step_9999', 'execute_tool step_10000', 'execute_tool step_10002') ORDER BY execution_order`,
      [conv],
    );
    assert.deepEqual(orders.rows.map((r) => r.name), ['execute_tool step_9999', 'execute_tool step_10000', 'execute_tool step_10002']);
    // The large request sent again (a sender's retry): 200, no second row.
    const again = await post(`${gateway.url}/v1/traces`, body, PROTO);
    assert.equal(again.status, 200);
    const count = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conv]);
    assert.equal(count.rows[0].n, 10_003);
  } finally {
    await gateway.shutdown();
  }
});
