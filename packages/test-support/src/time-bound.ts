/**
 * Timing for the "bounded time" guards of the test suites. A busy machine (CI beside other jobs, two cores shared)
 * can stretch one run past a bound the code meets by a wide margin; code of the wrong complexity misses it on every
 * run, so up to `attempts` runs are made and the first under the bound ends the wait.
 *
 * Each run's time is the lesser of its wall time and this process's CPU time (user and system, every thread). While
 * the machine runs other work the process waits descheduled, and that wait is no cost of the code under test (a
 * fresh-clone check beside four other test processes, load 12 on two cores, stretched a 2 ms reading past a 64× ratio
 * three times in a row): the CPU time leaves it out. On a quiet machine the garbage collector's helper threads can
 * make the CPU time exceed the wall time: the wall time is taken then. A reading of the wrong complexity is slow by
 * both clocks.
 */
import { performance } from 'node:perf_hooks';

/** CPU milliseconds this process has used so far (user and system, every thread). */
export function cpuMillis(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `run` once: the lesser of its wall and CPU milliseconds (see the module's comment). */
export function timeOnce(run: () => unknown): number {
  const wall0 = performance.now();
  const cpu0 = cpuMillis();
  run();
  const cpu = cpuMillis() - cpu0;
  const wall = performance.now() - wall0;
  return Math.min(wall, cpu);
}

/** The fastest of up to `attempts` timings of `run` ({@link timeOnce}), in ms, stopping at the first under `boundMs`. */
export function fastestUnder(run: () => unknown, boundMs: number, attempts = 3): number {
  let best = Infinity;
  for (let i = 0; i < attempts && best >= boundMs; i++) best = Math.min(best, timeOnce(run));
  return best;
}
