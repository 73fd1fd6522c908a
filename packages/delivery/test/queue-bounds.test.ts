/** The memory bound against a span larger than all of it. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliverySpanProcessor } from '../src/index.js';
import { FakeSink, spanSource, until, withTempDir } from './helpers.js';

const quiet = { warn: () => undefined, info: () => undefined };

describe('a span larger than maxQueueBytes', () => {
  it('goes to the spool on its own: the queued spans stay in memory, nothing is dropped', () =>
    withTempDir('agentspan-oversized-', async (dir) => {
      const sink = new FakeSink({ spoolDir: dir });
      const p = new DeliverySpanProcessor(sink, { maxQueueBytes: 100_000, maxExportBatchSize: 10, scheduledDelayMillis: 60_000, replayIntervalMillis: 20, logger: quiet });
      const src = spanSource(p);
      const small = src.emit(50);
      const [huge] = src.emit(1, { content: 'y'.repeat(200_000) });
      const s = p.stats();
      assert.equal(s.droppedTotal, 0, 'nothing dropped');
      assert.equal(s.spooled, 1, 'only the huge span was spooled');
      assert.equal(s.queueDepth, 50, 'the small spans were not evicted to disk on the application stack');
      assert.equal(s.queued, s.exported + s.spooled + s.droppedTotal + s.queueDepth);
      await p.forceFlush();
      // Replayed from the spool once the destination takes it, like any spooled batch.
      await until(() => sink.written.has(huge!), 5000, 'the huge span replayed');
      for (const id of [...small, huge!]) assert.equal(sink.written.get(id), 1);
      assert.equal(p.stats().replayed, 1);
      await p.shutdown();
    }));

  it('without a spool it is dropped and counted, and the queue is left as it is', async () => {
    const sink = new FakeSink();
    const p = new DeliverySpanProcessor(sink, { maxQueueBytes: 100_000, scheduledDelayMillis: 60_000, logger: quiet });
    const src = spanSource(p);
    src.emit(20);
    src.emit(1, { content: 'y'.repeat(200_000) });
    const s = p.stats();
    assert.equal(s.dropped.queue_full, 1);
    assert.equal(s.queueDepth, 20);
    await p.shutdown();
    assert.equal(sink.written.size, 20);
  });
});
