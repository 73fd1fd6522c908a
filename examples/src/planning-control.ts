import type { Agentspan, NodeHandle, RunHandle } from '@agentspan/node';
import { modelLatencyMs, scriptedClock, type ScriptedClock } from './scripted-clock.js';
import {
  LOAD_DATA_FAILING_SCRIPT,
  LOAD_DATA_SCRIPT,
  PLOT_SCRIPT,
  RAW_DATA_PATH,
  STATISTICS_SCRIPT,
  prepareWorkspace,
  rawMeasurementsCsv,
  runAnalysisScript,
} from './weather-analysis.js';

/** The task of the planning-control example. */
export const PLANNING_CONTROL_TASK =
  `Analyse the weather-station measurements in ${RAW_DATA_PATH}: load data, plot, compute statistics`;

/** The plan the scripted planner settles on: one node per step. */
export const PLANNING_CONTROL_PLAN = [
  { nodeId: 'step_1', title: 'load data', goal: `load ${RAW_DATA_PATH}, drop incomplete rows, save data/clean.csv` },
  { nodeId: 'step_2', title: 'plot', goal: 'plot the temperature of each station to plots/temperature.png' },
  {
    nodeId: 'step_3',
    title: 'compute statistics',
    goal: 'compute per-station statistics into results/statistics.csv and a summary into results/summary.json',
  },
] as const;

/** Simulated time the whole run may take (it ends before the real now). */
const TIME_BUDGET_MS = 90_000;

function planText(reviewed: boolean): string {
  const lines = PLANNING_CONTROL_PLAN.map((s, i) => `${i + 1}. ${s.title}: ${s.goal} (agent: engineer)`);
  return reviewed
    ? `Final plan, with the reviewer's points folded in:\n${lines.join('\n')}\nEach step checks its output file before the next one starts.`
    : `Draft plan for the task:\n${lines.join('\n')}`;
}

function say(
  node: NodeHandle,
  clock: ScriptedClock,
  agent: string,
  sender: string,
  content: string,
  metadata?: Record<string, unknown>,
): void {
  node.agentCall({ agent, role: 'assistant', sender, content, ...(metadata ? { metadata } : {}), ...clock.span(modelLatencyMs(content)) });
}

/**
 * Runs a script as the executor would: the engineer calls the
 * `execute_python` tool, the executor runs the code (really, in the
 * workspace), the tool returns the output. Returns the output.
 */
function execute(node: NodeHandle, clock: ScriptedClock, code: string, workspaceDir: string, context: string): string {
  const startTime = clock.now();
  const tool = node.beginToolCall({ agent: 'engineer', tool: 'execute_python', args: { code }, context, startTime });
  const began = performance.now();
  const result = runAnalysisScript(code, workspaceDir);
  // Simulated interpreter start-up plus the real run time.
  const ran = clock.span(400 + Math.round(performance.now() - began));
  node.codeExecution({
    agent: 'executor',
    language: 'python',
    code,
    output: result.output,
    exitCode: result.exitCode,
    cwd: workspaceDir,
    context,
    ...ran,
  });
  tool.end({ result: result.output, endTime: clock.span(50).endTime });
  return result.output;
}

function fenced(code: string): string {
  return `\`\`\`python\n${code}\`\`\``;
}

/**
 * The planning-control workflow: a planner drafts a three-step plan for
 * "load data, plot, compute statistics", a reviewer comments, the planner
 * finalises it and hands over to control; each step is a node in which the
 * engineer writes pandas/matplotlib code and the executor runs it. Step 1
 * first fails (a wrong column name) and is fixed. The files (`data/clean.csv`,
 * `plots/temperature.png`, `results/statistics.csv`, `results/summary.json`)
 * are really written into `workspaceDir`. Scripted: no LLM, no network.
 */
export function runPlanningControl(agentspan: Agentspan, workspaceDir: string): RunHandle {
  prepareWorkspace(workspaceDir);
  const clock = scriptedClock(TIME_BUDGET_MS);
  const run = agentspan.startRun({
    task: PLANNING_CONTROL_TASK,
    mode: 'planning-control',
    metadata: { example: 'planning-control', plan_steps: PLANNING_CONTROL_PLAN.length },
    startTime: clock.now(),
  });

  // Planning phase.
  const planning = run.startNode('planning', { title: 'make and review the plan', type: 'planning', agent: 'planner', startTime: clock.advance(20) });
  say(planning, clock, 'planner', 'user', planText(false));
  say(
    planning,
    clock,
    'plan_reviewer',
    'planner',
    'The plan covers the task. Two points: step 1 should report how many incomplete rows it drops, ' +
      'and step 3 should also save a machine-readable summary (JSON) next to the CSV.',
  );
  say(planning, clock, 'planner', 'plan_reviewer', planText(true), {
    plan: PLANNING_CONTROL_PLAN.map((s) => s.title),
  });
  planning.handoff({ from: 'planner', to: 'control', ...clock.span(5) });
  planning.end({ endTime: clock.advance(10) });

  // Control phase: one node per step of the plan.
  const [load, plot, statistics] = PLANNING_CONTROL_PLAN;

  const step1 = run.startNode(load.nodeId, { title: load.title, type: 'step', agent: 'engineer', metadata: { goal: load.goal }, startTime: clock.advance(20) });
  step1.handoff({ from: 'control', to: 'engineer', ...clock.span(5) });
  const head = rawMeasurementsCsv().split('\n').slice(0, 4).join('\n');
  step1.toolCall({ agent: 'engineer', tool: 'inspect_file', args: { path: RAW_DATA_PATH, lines: 4 }, result: head, ...clock.span(120) });
  const firstTry = `Let me look at the temperatures first.\n\n${fenced(LOAD_DATA_FAILING_SCRIPT)}`;
  say(step1, clock, 'engineer', 'control', firstTry);
  const failure = execute(step1, clock, LOAD_DATA_FAILING_SCRIPT, workspaceDir, firstTry);
  const fix =
    `The column is called temperature_c, not temp (${failure.trim().split('\n').pop() ?? 'KeyError'}). ` +
    `Fixed, and the incomplete rows are dropped and counted:\n\n${fenced(LOAD_DATA_SCRIPT)}`;
  say(step1, clock, 'engineer', 'executor', fix);
  const loaded = execute(step1, clock, LOAD_DATA_SCRIPT, workspaceDir, fix);
  say(step1, clock, 'control', 'engineer', `Step 1 done: ${loaded.trim()}. data/clean.csv is ready; next, step 2 (plot).`);
  step1.end({ endTime: clock.advance(10) });

  const step2 = run.startNode(plot.nodeId, { title: plot.title, type: 'step', agent: 'engineer', metadata: { goal: plot.goal }, startTime: clock.advance(20) });
  step2.handoff({ from: 'control', to: 'engineer', ...clock.span(5) });
  const plotMessage = `One line per station, from data/clean.csv:\n\n${fenced(PLOT_SCRIPT)}`;
  say(step2, clock, 'engineer', 'control', plotMessage);
  execute(step2, clock, PLOT_SCRIPT, workspaceDir, plotMessage);
  say(step2, clock, 'control', 'engineer', 'Step 2 done: plots/temperature.png written; next, step 3 (statistics).');
  step2.end({ endTime: clock.advance(10) });

  const step3 = run.startNode(statistics.nodeId, { title: statistics.title, type: 'step', agent: 'engineer', metadata: { goal: statistics.goal }, startTime: clock.advance(20) });
  step3.handoff({ from: 'control', to: 'engineer', ...clock.span(5) });
  const statsMessage = `Per-station mean, std, min and max, plus a JSON summary:\n\n${fenced(STATISTICS_SCRIPT)}`;
  say(step3, clock, 'engineer', 'control', statsMessage);
  const table = execute(step3, clock, STATISTICS_SCRIPT, workspaceDir, statsMessage);
  say(
    step3,
    clock,
    'control',
    'engineer',
    `All three steps are done. Statistics by station:\n${table.trim()}\n` +
      'Files: data/clean.csv, plots/temperature.png, results/statistics.csv, results/summary.json. TERMINATE',
  );
  step3.end({ endTime: clock.advance(10) });

  run.end({ status: 'success', endTime: clock.advance(20) });
  return run;
}
