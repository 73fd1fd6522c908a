/**
 * CPU time spent by this process and by the Postgres server, around a timed
 * repetition: where the time of a throughput case goes on a machine whose
 * cores are shared by the client and the server.
 *
 * The server's CPU is read from `/proc` (Linux, server on this machine):
 * every process named `postgres` (backends, WAL writer, checkpointer...)
 * plus what the postmaster's exited children used (`cutime`/`cstime`), so
 * a backend that ends between two readings is still counted. Anything else
 * running on the same server is counted too: the bench runs alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`: 100 on Linux, whatever the kernel's HZ). */
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime and the parent pid of one process, or undefined when it is not a `postgres` process (or gone). */
function postgresTimes(pid: string): { own: number; children: number; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile, or not readable
  }
  // "pid (comm) state ppid ...": comm may hold spaces or parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')');
  if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') return undefined;
  const f = stat.slice(close + 2).split(' ');
  // After comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  return { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]), ppid: Number(f[1]) };
}

/**
 * CPU seconds used so far by the local Postgres server's processes, or
 * undefined when they cannot be read (not Linux, server elsewhere).
 */
export function postgresCpuSeconds(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const procs = new Map<number, { own: number; children: number; ppid: number }>();
  for (const pid of pids) {
    const t = postgresTimes(pid);
    if (t !== undefined) procs.set(Number(pid), t);
  }
  if (procs.size === 0) return undefined;
  let ticks = 0;
  for (const t of procs.values()) {
    ticks += t.own;
    // The postmaster (its parent is not a postgres process) holds the CPU of every backend that exited.
    if (!procs.has(t.ppid)) ticks += t.children;
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of this process, every thread (JavaScript, garbage collector, libuv). */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU used during one interval, in milliseconds. */
export interface CpuSpent {
  /** This process (the client: the recording application, or the COPY writer). */
  readonly clientMs: number;
  /** The Postgres server's processes; undefined when not measurable here. */
  readonly serverMs: number | undefined;
  /**
   * Share of the interval this process's main thread was busy (its event loop's utilisation,
   * 0–1): JavaScript runs on that one thread, so near 1 it, not the cores, sets the pace.
   */
  readonly mainThreadBusy: number;
}

/** Starts an interval; the returned function ends it and tells what CPU it used. */
export function cpuMeter(): () => CpuSpent {
  // The /proc scan costs this process a little CPU: kept outside the client's interval on both ends.
  const server0 = postgresCpuSeconds();
  const client0 = processCpuSeconds();
  const loop0 = performance.eventLoopUtilization();
  return () => {
    const mainThreadBusy = performance.eventLoopUtilization(loop0).utilization;
    const client = processCpuSeconds() - client0;
    const server1 = postgresCpuSeconds();
    return {
      clientMs: client * 1000,
      serverMs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) * 1000,
      mainThreadBusy,
    };
  };
}
