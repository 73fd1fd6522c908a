import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { registerTelemetry, streamText } from 'ai';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { agentspanTelemetry } from '../src/index.js';
import { abortMessage } from '../src/abort-marking.js';
import { eventRows, startHarness } from './helpers.js';
import { streamingModel } from './v7-streaming-model.js';

/**
 * `AbortSignal.reason` is whatever the caller passed to `abort()`. A reason
 * that throws when read (a `message` getter, a Proxy) made the marking give
 * up, and the turn the caller saw fail was a `completed` row; a number lost
 * its text. Real `streamText` on the SDK's `MockLanguageModelV4`, rows from Postgres.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('ai_sdk_v7_abort_reasons');
});
after(async () => {
  await db.drop();
});

/** Streams, aborting with `reason` after 3 characters; the caller's view (the text, or the error it got). */
async function readAndAbort(reason: unknown): Promise<string> {
  const controller = new AbortController();
  let seen = '';
  try {
    const result = streamText({ model: streamingModel('mock', 'abcdefgh', 2), prompt: 'spell', abortSignal: controller.signal, telemetry: { functionId: 'speller' }, onError: () => undefined });
    for await (const delta of result.textStream) {
      seen += delta;
      if (seen.length >= 3 && !controller.signal.aborted) controller.abort(reason);
    }
  } catch {
    return `${seen} (threw)`;
  }
  return seen;
}

const throwingMessage = new Error('unused');
Object.defineProperty(throwingMessage, 'message', {
  get(): never {
    throw new Error('message getter');
  },
});
const throwingEverywhere = new Proxy(
  {},
  {
    get(): never {
      throw new Error('get trap');
    },
    getPrototypeOf(): never {
      throw new Error('getPrototypeOf trap');
    },
  },
);

test('an abort reason that throws when read, or is not an Error, still makes the aborted turn a failed row', async () => {
  registerTelemetry(agentspanTelemetry());
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-ai-reasons-')));
  const cases: Array<[string, unknown, string]> = [
    ['throwing-message', throwingMessage, 'aborted'],
    ['throwing-proxy', throwingEverywhere, 'aborted'],
    ['number', 42, '42'],
    ['string', 'user pressed stop', 'user pressed stop'],
  ];
  for (const [runId, reason] of cases) {
    const run = agentspan.startRun({ runId, task: 'stream then stop' });
    const node = run.startNode('n');
    const seen = await node.with(() => readAndAbort(reason));
    assert.ok(seen.startsWith('abc') && !seen.startsWith('abcdefgh'), `${runId}: the stream was cut (${seen})`);
    node.end();
    run.end();
  }
  await agentspan.shutdown();
  for (const [runId, , message] of cases) {
    const rows = await eventRows(db, runId);
    assert.deepEqual(
      rows.map((r) => [r.event_type, r.status, r.error_message]),
      [['agent_call', 'failed', message]],
      runId,
    );
  }
});

test('abortMessage never throws and never returns an empty text, whatever the reason', () => {
  const hostile = fc.constantFrom<unknown>(throwingMessage, throwingEverywhere, Object.create(null), new Error(''), { message: 7 });
  fc.assert(
    fc.property(fc.oneof(fc.anything(), hostile), (reason) => {
      const text = abortMessage(reason);
      assert.equal(typeof text, 'string');
      assert.ok(text.length > 0);
    }),
  );
});
