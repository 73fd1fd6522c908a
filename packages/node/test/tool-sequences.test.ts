/** Tool sequences (`agentspan_tool_sequences`): loops chain, branches that ran at the same time stay apart. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startAgentspan } from '../src/index.js';

describe('tool sequences of concurrent and sequential node instances', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('toolseq');
  });
  after(async () => {
    await db.drop();
  });

  const start = () =>
    startAgentspan({ databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, spoolDir: false, flushOnExit: false, registerGlobal: false, logger: { warn: () => {} } }, {});

  async function grams(prefix: string): Promise<[string, number][]> {
    const { rows } = await db.pool.query<{ sequence: string; occurrences: number }>(
      `SELECT sequence, occurrences FROM agentspan_tool_sequences_last(NULL) WHERE sequence LIKE $1 ORDER BY sequence`,
      [`${prefix}%`],
    );
    return rows.map((g) => [g.sequence, g.occurrences]);
  }

  it('two branches of a fan-out sharing a node id, running at the same time, are two sequences, not one interleaved', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'seq-fanout' });
    const a = run.startNode('worker');
    const b = run.startNode('worker');
    for (const tool of ['fan_search', 'fan_fetch', 'fan_summarise']) {
      a.toolCall({ agent: 'w', tool });
      b.toolCall({ agent: 'w', tool });
    }
    a.end();
    b.end();
    run.end();
    await agentspan.shutdown();
    assert.deepEqual(await grams('fan_'), [
      ['fan_fetch > fan_summarise', 2],
      ['fan_search > fan_fetch', 2],
      ['fan_search > fan_fetch > fan_summarise', 2],
    ]);
  });

  it('the steps of a loop, one node instance each under the same node id (a ReAct agent\'s tools node), chain into one sequence', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'seq-loop' });
    for (const tool of ['loop_search', 'loop_read', 'loop_write']) {
      const thinking = run.startNode('agent');
      thinking.agentCall({ agent: 'a', content: `call ${tool}` });
      thinking.end();
      const step = run.startNode('tools');
      step.toolCall({ agent: 'a', tool });
      step.end();
    }
    run.end();
    await agentspan.shutdown();
    assert.deepEqual(await grams('loop_'), [
      ['loop_read > loop_write', 1],
      ['loop_search > loop_read', 1],
      ['loop_search > loop_read > loop_write', 1],
    ]);
  });

  it('branches of successive waves, and a slow branch overlapping two quick ones, are each a sequence of their own', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'seq-waves' });
    const wave = (n: number) => {
      const a = run.startNode('w');
      const b = run.startNode('w');
      for (const step of [1, 2]) {
        a.toolCall({ agent: 'x', tool: `wave${n}_a${step}` });
        b.toolCall({ agent: 'x', tool: `wave${n}_b${step}` });
      }
      a.end();
      b.end();
    };
    wave(1);
    wave(2);
    // A [1,5], B [2,10], C [6,8] in execution order: B (slow) overlaps both A and C, which follow each other.
    const [a, b] = [run.startNode('s'), run.startNode('s')];
    a.toolCall({ agent: 'x', tool: 'slow_a1' });
    b.toolCall({ agent: 'x', tool: 'slow_b1' });
    a.toolCall({ agent: 'x', tool: 'slow_a2' });
    b.toolCall({ agent: 'x', tool: 'slow_b2' });
    a.toolCall({ agent: 'x', tool: 'slow_a3' });
    a.end();
    const c = run.startNode('s');
    c.toolCall({ agent: 'x', tool: 'slow_c1' });
    b.toolCall({ agent: 'x', tool: 'slow_b3' });
    c.toolCall({ agent: 'x', tool: 'slow_c2' });
    c.end();
    b.toolCall({ agent: 'x', tool: 'slow_b4' });
    b.end();
    run.end();
    await agentspan.shutdown();
    assert.deepEqual(await grams('wave'), [
      ['wave1_a1 > wave1_a2', 1],
      ['wave1_b1 > wave1_b2', 1],
      ['wave2_a1 > wave2_a2', 1],
      ['wave2_b1 > wave2_b2', 1],
    ]);
    assert.deepEqual(await grams('slow'), [
      ['slow_a1 > slow_a2', 1],
      ['slow_a1 > slow_a2 > slow_a3', 1],
      ['slow_a2 > slow_a3', 1],
      ['slow_b1 > slow_b2', 1],
      ['slow_b1 > slow_b2 > slow_b3', 1],
      ['slow_b2 > slow_b3', 1],
      ['slow_b2 > slow_b3 > slow_b4', 1],
      ['slow_b3 > slow_b4', 1],
      ['slow_c1 > slow_c2', 1],
    ]);
  });
});
