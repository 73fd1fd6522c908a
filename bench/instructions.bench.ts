/**
 * Instructions per event on the recording process's path, counted by
 * `valgrind --tool=callgrind`: a figure that, unlike time, does not move
 * with the machine's phase (the same count twice over, whatever else the
 * machine does), so a change of a few per cent can be told from noise.
 *
 * Each stage of `instructions-child.ts` runs twice under valgrind, with a
 * small and a large number of events; the difference over the difference
 * in events is the count per event in a warm process (start-up, module
 * loading and the warm-up fall in both runs and cancel). Node runs with
 * V8's `--predictable` (see `NODE_FLAGS`): garbage collection and
 * compilation are counted, on the one thread that then does all the work.
 *
 * Run alone:  npx tsc -b tsconfig.build.json && node --import tsx bench/instructions.bench.ts
 * Or:         npm run bench -- --with-instructions
 * Needs `valgrind` on the PATH; about a quarter of an hour on 2 cores (valgrind runs Node some 50×
 * slower; the two runs of a stage run side by side). The child
 * runs as JavaScript transpiled into a temporary folder here (`.instructions-*`, removed after).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { INSTRUCTION_STAGES, type InstructionStage } from './lib/instruction-stages.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The child's TypeScript files, relative to this folder. */
const CHILD_SOURCES = ['instructions-child.ts', 'lib/collect.ts', 'lib/instruction-stages.ts', 'lib/workload.ts'];

/**
 * The child as plain JavaScript, in a fresh folder beside this file (so that its
 * `@agentspan/*` imports resolve as here): under valgrind, loading tsx and
 * compiling TypeScript at start-up would cost a minute a run. Returns the folder.
 */
function buildChild(): string {
  const dir = mkdtempSync(join(here, '.instructions-'));
  for (const rel of CHILD_SOURCES) {
    const js = ts.transpileModule(readFileSync(join(here, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(dir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, js);
  }
  return dir;
}

/**
 * Node's flags for the counted runs: V8's `--predictable` (no background threads, fixed random
 * and hash seeds) and a fixed garbage-collection schedule. Without them two counts of the same
 * run differed by up to 6% (span ids are random, and garbage collection and compilation then fall
 * elsewhere). Some variation is left (timestamps, and caches keyed by them, differ from run to
 * run): the totals of two runs of the same code still differ by 0.3–0.6% (up to 2.6% per event
 * was seen on another day), which is why the two runs differ by many events (below).
 */
const NODE_FLAGS = ['--predictable', '--predictable-gc-schedule', '--random-seed=1', '--hash-seed=1'];

/**
 * Events of the two runs. Both must be past the warm-up: with everything on one thread V8
 * compiles late, and the `record` count per event between 1 000 and 3 000 events was 354 000,
 * between 6 000 and 12 000 78 000, between 12 000 and 18 000 64 000, between 18 000 and 24 000
 * 62 000. And the difference must be large against the totals' variation: the `map` count per
 * event of the same code came out 4% apart with 12 000 and 20 000 events, 0.45% apart with
 * 12 000 and 36 000.
 */
export const DEFAULT_SMALL = 12_000;
export const DEFAULT_LARGE = 36_000;

export type { InstructionStage };

/** Options of {@link runInstructionsBench}. */
export interface InstructionsOptions {
  /** Events of the small run. @default 12 000 */
  readonly small?: number;
  /** Events of the large run. @default 36 000 */
  readonly large?: number;
  /** Stages to count. @default all four */
  readonly stages?: readonly InstructionStage[];
}

/** Instructions per event of one stage. */
export interface InstructionsRow {
  readonly stage: InstructionStage;
  readonly perEvent: number;
  /** Instructions of the small and of the large run, as valgrind counted them. */
  readonly smallRunInstructions: number;
  readonly largeRunInstructions: number;
}

/** Whether valgrind can be run here. */
export function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Instructions valgrind counted for one child run. */
function countInstructions(child: string, stage: InstructionStage, events: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(
      'valgrind',
      ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, join(child, 'instructions-child.js'), stage, String(events)],
      { cwd: here, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8000)));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`valgrind run of ${stage} (${events} events) exited with ${code}:\n${stderr.slice(-2000)}`));
      const m = /Collected\s*:\s*(\d+)/.exec(stderr);
      if (m === null) return reject(new Error(`valgrind printed no instruction count for ${stage}:\n${stderr.slice(-2000)}`));
      resolvePromise(Number(m[1]));
    });
  });
}

/**
 * Counts instructions per event for each stage (the two runs of a stage side by side: a count does
 * not depend on what else runs). Rejects when valgrind fails.
 */
export async function runInstructionsBench(options: InstructionsOptions = {}): Promise<InstructionsRow[]> {
  const small = options.small ?? DEFAULT_SMALL;
  const large = options.large ?? DEFAULT_LARGE;
  if (!(large > small && small >= 0)) throw new RangeError(`the large run (${large}) must have more events than the small one (${small})`);
  const rows: InstructionsRow[] = [];
  const child = buildChild();
  try {
    for (const stage of options.stages ?? INSTRUCTION_STAGES) {
      const [a, b] = await Promise.all([countInstructions(child, stage, small), countInstructions(child, stage, large)]);
      rows.push({ stage, perEvent: (b - a) / (large - small), smallRunInstructions: a, largeRunInstructions: b });
    }
  } finally {
    rmSync(child, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!valgrindAvailable()) {
    console.error('valgrind is not installed: nothing counted');
    process.exit(1);
  }
  for (const row of await runInstructionsBench()) console.log(`${row.stage.padEnd(8)} ${Math.round(row.perEvent).toLocaleString('en-US')} instructions per event`);
}
