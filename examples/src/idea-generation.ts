import type { Agentspan, RunHandle } from '@agentspan/node';
import { modelLatencyMs, scriptedClock } from './scripted-clock.js';

/** The task of the idea-generation example. */
export const IDEA_GENERATION_TASK =
  'Propose a research idea for detecting faulty sensors in a network of weather stations';

/** What the idea maker proposes and the idea hater answers, round by round. */
export const IDEA_ROUNDS: readonly { ideas: string; critique: string }[] = [
  {
    ideas: [
      'Three ideas:',
      '1. Cross-station consistency: predict each station from its neighbours with a spatial regression and flag large residuals.',
      '2. Seasonal baselines: learn a per-station daily and yearly profile and flag readings far from it.',
      '3. Sensor fingerprints: model the noise spectrum of each sensor and flag a change in its character (drift, stuck values).',
    ].join('\n'),
    critique: [
      'Idea 1 breaks down in sparse networks and near weather fronts, where neighbours legitimately disagree.',
      'Idea 2 flags every heat wave; it finds unusual weather, not faulty sensors.',
      'Idea 3 is the only one aimed at the sensor itself, but "noise spectrum" needs high-rate data most stations do not keep.',
    ].join('\n'),
  },
  {
    ideas: [
      'Refined, building on idea 3 and keeping part of idea 1:',
      '1. Stuck and drifting sensors from hourly data: run-length of identical values, and a slow trend in the residual against neighbours.',
      '2. Gate the neighbour check by weather: only compare stations when a front is not passing (pressure tendency small).',
    ].join('\n'),
    critique: [
      'Better. Run-lengths are cheap and explainable; the drift test needs a clear threshold and a way to tell drift from climate change at one site.',
      'Gating by pressure tendency is sensible, but say how many hours of data remain after gating, or the test has no power.',
    ].join('\n'),
  },
];

/** The idea the maker settles on. */
export const SELECTED_IDEA =
  'Detect stuck and drifting weather-station sensors from hourly data: flag runs of identical values, and flag a ' +
  'persistent trend in the residual against neighbouring stations, compared only in hours without a passing front.';

const TIME_BUDGET_MS = 60_000;

/**
 * The idea-generation workflow: rounds of an idea maker proposing and an
 * idea hater criticising (each round a node, with the handoffs between
 * them), then a selection node where the maker states the chosen idea. No
 * code runs and no files are written: only `agent_call` and `handoff`
 * events. Scripted: no LLM, no network.
 */
export function runIdeaGeneration(agentspan: Agentspan, _workspaceDir: string): RunHandle {
  const clock = scriptedClock(TIME_BUDGET_MS);
  const run = agentspan.startRun({
    task: IDEA_GENERATION_TASK,
    mode: 'idea-generation',
    metadata: { example: 'idea-generation', rounds: IDEA_ROUNDS.length },
    startTime: clock.now(),
  });

  IDEA_ROUNDS.forEach((round, i) => {
    const node = run.startNode(`round_${i + 1}`, {
      title: `ideas, round ${i + 1}`,
      type: 'idea_round',
      agent: 'idea_maker',
      startTime: clock.advance(20),
    });
    node.agentCall({
      agent: 'idea_maker',
      role: 'assistant',
      sender: i === 0 ? 'user' : 'idea_hater',
      content: round.ideas,
      ...clock.span(modelLatencyMs(round.ideas)),
    });
    node.handoff({ from: 'idea_maker', to: 'idea_hater', ...clock.span(5) });
    node.agentCall({
      agent: 'idea_hater',
      role: 'assistant',
      sender: 'idea_maker',
      content: round.critique,
      ...clock.span(modelLatencyMs(round.critique)),
    });
    node.handoff({ from: 'idea_hater', to: 'idea_maker', ...clock.span(5) });
    node.end({ endTime: clock.advance(10) });
  });

  const selection = run.startNode('selection', { title: 'select the idea', type: 'selection', agent: 'idea_maker', startTime: clock.advance(20) });
  const final = `Selected idea: ${SELECTED_IDEA}\nTERMINATE`;
  selection.agentCall({ agent: 'idea_maker', role: 'assistant', sender: 'idea_hater', content: final, ...clock.span(modelLatencyMs(final)) });
  selection.end({ endTime: clock.advance(10) });

  run.end({ status: 'success', metadata: { selected_idea: SELECTED_IDEA }, endTime: clock.advance(20) });
  return run;
}
