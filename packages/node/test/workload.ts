/** A multi-run workload for the reliability tests: concurrent runs recording events over a period of time. */

import type { Agentspan } from '../src/index.js';

export interface Workload {
  readonly runIds: string[];
  /** Events recorded (ended) so far. */
  recorded(): number;
  /** Resolves once every run has recorded its events and ended. */
  readonly done: Promise<void>;
}

/**
 * `runs` runs at once, each with 2 nodes, recording `eventsPerRun` events
 * spread evenly over `durationMs` (timers between them, so the application
 * and the exporter share the event loop as they would in production).
 */
export function startWorkload(agentspan: Agentspan, options: { runs: number; eventsPerRun: number; durationMs: number; prefix: string }): Workload {
  const runIds = Array.from({ length: options.runs }, (_, i) => `${options.prefix}-${i}`);
  let recorded = 0;
  const step = Math.max(1, Math.floor(options.eventsPerRun / Math.max(1, options.durationMs / 10)));
  const one = async (runId: string): Promise<void> => {
    const run = agentspan.startRun({ runId, task: 'reliability workload' });
    const nodes = [run.startNode('step_1'), run.startNode('step_2')];
    for (let i = 0; i < options.eventsPerRun; i++) {
      const node = nodes[i % 2]!;
      if (i % 3 === 0) node.agentCall({ agent: 'engineer', content: `message ${i} ${'lorem ipsum '.repeat(10)}`, metadata: { seq: i } });
      else if (i % 3 === 1) node.toolCall({ agent: 'engineer', tool: 'search', args: { q: i }, result: { hits: i }, metadata: { seq: i } });
      else node.handoff({ from: 'engineer', to: 'critic', metadata: { seq: i } });
      recorded++;
      if (i % step === step - 1) await new Promise((r) => setTimeout(r, 10));
    }
    for (const n of nodes) n.end();
    run.end({ status: 'success' });
  };
  const done = Promise.all(runIds.map(one)).then(() => undefined);
  return { runIds, recorded: () => recorded, done };
}
