/**
 * A replay slice that throws (the request answered 500) must not leave its delivery ticket open: the Postgres sink
 * follows every open ticket until it settles, so one left open was held until shutdown, one per such request.
 * Through the Postgres pipeline the gateway uses (`createPostgresDelivery`), against a real Postgres.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { createPostgresDelivery } from '../src/delivery-adapter.js';
import { DeliveryTicket, type TicketOutcome } from '../src/ticket.js';
import { eventually, SpanFactory } from './helpers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_ticket_on_throw');
});
after(async () => {
  await db.drop();
});

function settledWithin(ticket: DeliveryTicket, ms: number): Promise<TicketOutcome | 'pending'> {
  return Promise.race([ticket.settled, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

async function rowsOf(runId: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [runId]);
  return r.rows[0].n as number;
}

test('a replay slice that throws fails its ticket (no longer followed by the sink); the spans it had queued are still written', async () => {
  const postgres = createPostgresDelivery({
    pool: db.pool,
    schema: db.schema,
    migrate: true,
    delivery: { scheduledDelayMillis: 20, logger: { warn: () => undefined, info: () => undefined } },
  });
  try {
    const spans = new SpanFactory('ticket-on-throw-svc');
    for (let i = 0; i < 3; i++) {
      const s = spans.start(`handoff ${i}`, { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-ticket-throw' }, i);
      spans.end(s, i + 1);
    }
    const ticket = new DeliveryTicket();
    const boom = new Error('a slice threw');
    assert.throws(
      () =>
        postgres.withTicket(ticket, () => {
          for (const s of spans.finished()) postgres.processor.onEnd(s);
          throw boom;
        }),
      (err) => err === boom,
      'the slice\'s error reaches the request (answered 500)',
    );
    const outcome = await settledWithin(ticket, 2000);
    assert.notEqual(outcome, 'pending', 'the ticket settled: the sink no longer holds it');
    assert.equal(outcome !== 'pending' && outcome.ok, false, 'never "accepted": the request failed');
    // The table exists once the pipeline's first write migrated.
    await eventually(async () => (await rowsOf('run-ticket-throw').catch(() => 0)) === 3);

    // The pipeline goes on: the next request's ticket settles ok.
    const next = new DeliveryTicket();
    const more = new SpanFactory('ticket-on-throw-svc');
    const s = more.start('handoff next', { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: 'run-ticket-next' }, 0);
    more.end(s, 1);
    postgres.withTicket(next, () => {
      for (const span of more.finished()) postgres.processor.onEnd(span);
    });
    next.seal();
    assert.deepEqual(await settledWithin(next, 5000), { ok: true });
  } finally {
    await postgres.shutdown(2000);
  }
});

test('a slice that throws before any span was queued fails its ticket too', async () => {
  const postgres = createPostgresDelivery({ pool: db.pool, schema: db.schema, migrate: true, delivery: { logger: { warn: () => undefined, info: () => undefined } } });
  try {
    const ticket = new DeliveryTicket();
    assert.throws(() =>
      postgres.withTicket(ticket, () => {
        throw new TypeError('early');
      }),
    );
    const outcome = await settledWithin(ticket, 1000);
    assert.notEqual(outcome, 'pending');
  } finally {
    await postgres.shutdown(2000);
  }
});
