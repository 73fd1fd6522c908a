/**
 * The "where the CPU goes" table of §2: CPU per row of the client process
 * and of the Postgres server for COPY and for agentspan, and the ceiling
 * that the machine's cores put on the end-to-end rate.
 */
import { median } from './common.js';
import { fmt, pct, rate } from './format.js';

/** One case's timed repetitions with the CPU each used. */
export interface CpuCase {
  readonly label: string;
  readonly rows: number;
  readonly ms: readonly number[];
  readonly cpu: readonly {
    clientMs: number;
    serverMs?: number | undefined;
    mainThreadBusy?: number | undefined;
    mainThreadCpuMs?: number | undefined;
    mainThreadWaitMs?: number | undefined;
  }[];
}

const perRow = (ms: number, rows: number): number => (ms * 1000) / rows;

/** The median of `pick` over the repetitions, or undefined when a repetition did not measure it. */
function medianOf(c: CpuCase, pick: (x: CpuCase['cpu'][number]) => number | undefined): number | undefined {
  const xs = c.cpu.map(pick);
  return xs.length > 0 && xs.every((x) => x !== undefined) ? median(xs as number[]) : undefined;
}

/**
 * Medians over the repetitions, in µs per row (`main`: a share); undefined where not measured.
 * `mainCpu` is the main thread's time on a core, `mainWait` its time runnable but waiting for one.
 */
function costs(c: CpuCase): {
  wall: number;
  client: number;
  server: number | undefined;
  main: number | undefined;
  mainCpu: number | undefined;
  mainWait: number | undefined;
} {
  const perRowOf = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : perRow(ms, c.rows));
  return {
    wall: median(c.ms.map((m) => perRow(m, c.rows))),
    client: median(c.cpu.map((x) => perRow(x.clientMs, c.rows))),
    server: medianOf(c, (x) => perRowOf(x.serverMs)),
    main: medianOf(c, (x) => x.mainThreadBusy),
    mainCpu: medianOf(c, (x) => perRowOf(x.mainThreadCpuMs)),
    mainWait: medianOf(c, (x) => perRowOf(x.mainThreadWaitMs)),
  };
}

const cell = (x: number | undefined, missing: string): string => (x === undefined ? missing : fmt(x, 1));

/**
 * Markdown lines. `cases[0]` is COPY, `cases[1]` agentspan end to end;
 * `limit` is the faster COPY's rows/s; `cores` the machine's.
 */
export function cpuSection(cores: number, limit: number, cases: readonly CpuCase[]): string[] {
  const out = ['#### Where the CPU goes', ''];
  out.push(
    `CPU time per row during the timed repetitions above (medians): this process (every thread: JavaScript, garbage collector, libuv; \`process.cpuUsage()\`) and the Postgres server (every \`postgres\` process on the machine, backends that exited included, from \`/proc\`). Client and server share the machine's ${cores} cores: a case that needs C µs of CPU per row in all cannot write a row faster than every C/${cores} µs, however well the two overlap. The last three columns are about this process's main thread, where all its JavaScript runs: its time on a core and its time runnable but waiting for one (\`/proc/thread-self/schedstat\`), and the share of the time it was busy (its event loop's utilisation, which counts those waits as busy).`,
    '',
  );
  out.push(
    '| case | wall µs per row | client CPU µs per row | Postgres CPU µs per row | both | cores busy | main thread on a core, µs per row | main thread waiting for a core, µs per row | client main thread busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const measured = cases.map((c) => ({ c, k: costs(c) }));
  for (const { c, k } of measured) {
    const both = k.server === undefined ? NaN : k.client + k.server;
    out.push(
      `| ${c.label} | ${fmt(k.wall, 1)} | ${fmt(k.client, 1)} | ${cell(k.server, 'not readable here')} | ${fmt(both, 1)} | ${fmt(both / k.wall, 2)} | ${cell(k.mainCpu, 'not readable here')} | ${cell(k.mainWait, 'not readable here')} | ${k.main === undefined ? 'not measured' : pct(k.main)} |`,
    );
  }
  out.push('');
  const e2e = measured[1];
  const bounds: number[] = [];
  if (e2e !== undefined && e2e.k.server !== undefined) {
    const both = e2e.k.client + e2e.k.server;
    const ceiling = rate(cores, both / 1000); // rows/s with every core busy all the time
    bounds.push(ceiling);
    out.push(
      `At these costs the end-to-end case cannot exceed ${fmt(ceiling)} events/s on ${cores} cores (${cores} / ${fmt(both, 1)} µs), ${pct(ceiling / limit)} of the faster COPY.`,
      '',
    );
  } else out.push('The Postgres server\'s CPU could not be read here (not Linux, or not on this machine): no ceiling computed from the cores.', '');
  if (e2e !== undefined && e2e.k.main !== undefined) {
    // The main thread's work per event: what cannot move to another core (recording, mapping, encoding).
    // Its time on a core where the scheduler tells it; else its busy time, which also holds its waits
    // for a core (those belong to the cores' bound above) and so overstates the work.
    const busyUs = e2e.k.main * e2e.k.wall;
    const mainUs = e2e.k.mainCpu ?? busyUs;
    const mainCeiling = rate(1, mainUs / 1000);
    bounds.push(mainCeiling);
    const measuredAs =
      e2e.k.mainCpu === undefined
        ? `${fmt(mainUs, 1)} µs of main-thread work per event (its busy time: the scheduler's accounting is not readable here, so this includes any wait for a core)`
        : `${fmt(mainUs, 1)} µs of main-thread work per event on a core (of ${fmt(busyUs, 1)} µs busy; ${cell(e2e.k.mainWait, 'an unknown time')} µs it waited, runnable, for a core)`;
    out.push(
      `The recording process runs its JavaScript on one thread, and that thread was busy ${pct(e2e.k.main)} of the end-to-end time: ${measuredAs}, so however many cores are free the case cannot exceed ${fmt(mainCeiling)} events/s on it, ${pct(mainCeiling / limit)} of the faster COPY.`,
      '',
    );
  }
  if (bounds.length > 0) {
    out.push(`The tighter bound, ${pct(Math.min(...bounds) / limit)} of the faster COPY, is the highest ratio this machine allows until the work per event comes down.`, '');
  }
  return out;
}
