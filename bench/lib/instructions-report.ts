/**
 * The optional "instructions per event" section (`--with-instructions`):
 * counts from `instructions.bench.ts`, by stage of the recording process's
 * path, so that changes of a few per cent can be told from this machine's
 * drift.
 */
import { DEFAULT_LARGE, DEFAULT_SMALL, runInstructionsBench, valgrindAvailable, type InstructionsRow } from '../instructions.bench.js';
import { fmt } from './format.js';

function perEvent(rows: readonly InstructionsRow[], stage: InstructionsRow['stage']): number {
  return rows.find((r) => r.stage === stage)?.perEvent ?? NaN;
}

/** Markdown lines; `smoke` counts tiny runs (the numbers then say little). */
export async function instructionsSection(smoke: boolean): Promise<string[]> {
  if (!valgrindAvailable()) return [...HEADING, '`valgrind` is not installed here: nothing counted.', ''];
  const small = smoke ? 20 : DEFAULT_SMALL;
  const large = smoke ? 60 : DEFAULT_LARGE;
  return instructionsTable(await runInstructionsBench({ small, large }), small, large);
}

const HEADING = ['### Instructions per event (`--with-instructions`)', ''];

/** The section for counts already made with runs of `small` and `large` events. */
export function instructionsTable(rows: readonly InstructionsRow[], small: number, large: number): string[] {
  const record = perEvent(rows, 'record');
  const map = perEvent(rows, 'map');
  const encode = perEvent(rows, 'encode');
  return [
    ...HEADING,
    `Counted by \`valgrind --tool=callgrind\` (\`bench/instructions.bench.ts\`): each stage run with ${fmt(small)} and with ${fmt(large)} events in a Node started with \`--predictable\` (everything on one thread, fixed seeds and garbage-collection schedule: two counts of the same code agree to about 0.5%), the difference divided by the ${fmt(large - small)} events in between (start-up and the warm-up cancel: both runs are past the point where V8 has compiled the hot code). The same count comes back whatever else the machine does, unlike the times above; it is not a time (a cache miss counts as one instruction). The stages are the recording process's main-thread work per event without the database: what bounds the end-to-end rate in §2.`,
    '',
    '| stage (each includes the one before) | instructions per event | added by the stage |',
    '| --- | ---: | ---: |',
    `| the workload of §2 recorded (public API, \`ExecutionEventSpanProcessor\`) | ${fmt(record)} | ${fmt(record)} |`,
    `| + mapped and sanitised (\`prepareRows\`) | ${fmt(map)} | ${fmt(map - record)} |`,
    `| + encoded into COPY messages (\`copyDataMessages\`) | ${fmt(encode)} | ${fmt(encode - map)} |`,
    '',
    `Apart: \`node.codeExecution\` with the 2 KB snippet of §4, through the processor: ${fmt(perEvent(rows, 'code2k'))} instructions per call.`,
    '',
  ];
}
