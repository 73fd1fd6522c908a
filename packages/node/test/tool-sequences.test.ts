/** Tool sequences (`agentspan_tool_sequences`) in lanes: loops chain, parallel branches stay apart. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startAgentspan } from '../src/index.js';

describe('tool sequences by lane', () => {
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

  it('a second wave of branches after the first continues the lanes: each lane chains the branches that followed each other', async () => {
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
    run.end();
    await agentspan.shutdown();
    const found = await grams('wave');
    const threes = found.filter(([s]) => s.split(' > ').length === 3).map(([s]) => s);
    assert.deepEqual(threes, [
      'wave1_a1 > wave1_a2 > wave2_a1',
      'wave1_a2 > wave2_a1 > wave2_a2',
      'wave1_b1 > wave1_b2 > wave2_b1',
      'wave1_b2 > wave2_b1 > wave2_b2',
    ]);
  });
});
