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
  readonly cpu: readonly { clientMs: number; serverMs?: number | undefined; mainThreadBusy?: number | undefined }[];
}

const perRow = (ms: number, rows: number): number => (ms * 1000) / rows;

/** Medians over the repetitions, in µs per row (main thread: a share); undefined where not measured. */
function costs(c: CpuCase): { wall: number; client: number; server: number | undefined; main: number | undefined } {
  const server = c.cpu.every((x) => x.serverMs !== undefined) && c.cpu.length > 0 ? median(c.cpu.map((x) => perRow(x.serverMs as number, c.rows))) : undefined;
  const main = c.cpu.every((x) => x.mainThreadBusy !== undefined) && c.cpu.length > 0 ? median(c.cpu.map((x) => x.mainThreadBusy as number)) : undefined;
  return { wall: median(c.ms.map((m) => perRow(m, c.rows))), client: median(c.cpu.map((x) => perRow(x.clientMs, c.rows))), server, main };
}

/**
 * Markdown lines. `cases[0]` is COPY, `cases[1]` agentspan end to end;
 * `limit` is the faster COPY's rows/s; `cores` the machine's.
 */
export function cpuSection(cores: number, limit: number, cases: readonly CpuCase[]): string[] {
  const out = ['#### Where the CPU goes', ''];
  out.push(
    `CPU time per row during the timed repetitions above (medians): this process (every thread: JavaScript, garbage collector, libuv; \`process.cpuUsage()\`) and the Postgres server (every \`postgres\` process on the machine, backends that exited included, from \`/proc\`). Client and server share the machine's ${cores} cores: a case that needs C µs of CPU per row in all cannot write a row faster than every C/${cores} µs, however well the two overlap. The last column is the share of the time this process's main thread, where all its JavaScript runs, was busy (its event loop's utilisation).`,
    '',
  );
  out.push(
    '| case | wall µs per row | client CPU µs per row | Postgres CPU µs per row | both | cores busy | client main thread busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const measured = cases.map((c) => ({ c, k: costs(c) }));
  for (const { c, k } of measured) {
    const both = k.server === undefined ? NaN : k.client + k.server;
    out.push(
      `| ${c.label} | ${fmt(k.wall, 1)} | ${fmt(k.client, 1)} | ${k.server === undefined ? 'not readable here' : fmt(k.server, 1)} | ${fmt(both, 1)} | ${fmt(both / k.wall, 2)} | ${k.main === undefined ? 'not measured' : pct(k.main)} |`,
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
    const mainUs = e2e.k.main * e2e.k.wall;
    const mainCeiling = rate(1, mainUs / 1000);
    bounds.push(mainCeiling);
    out.push(
      `The recording process runs its JavaScript on one thread, and that thread was busy ${pct(e2e.k.main)} of the end-to-end time: ${fmt(mainUs, 1)} µs of main-thread work per event, so however many cores are free the case cannot exceed ${fmt(mainCeiling)} events/s on it, ${pct(mainCeiling / limit)} of the faster COPY.`,
      '',
    );
  }
  if (bounds.length > 0) {
    out.push(`The tighter bound, ${pct(Math.min(...bounds) / limit)} of the faster COPY, is the highest ratio this machine allows until the work per event comes down.`, '');
  }
  return out;
}
