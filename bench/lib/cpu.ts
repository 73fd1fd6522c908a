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

/**
 * Nanoseconds the calling thread has spent on a core and waiting, runnable, for one
 * (`/proc/thread-self/schedstat`: the scheduler's own accounting, nanosecond resolution), or
 * undefined where that file is not readable (not Linux, a kernel without scheduler statistics).
 * Read on the main thread it is the main thread's: `readFileSync` runs on the calling thread.
 */
export function threadSchedNs(): { onCpuNs: number; waitNs: number } | undefined {
  try {
    const [onCpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    const onCpuNs = Number(onCpu);
    const waitNs = Number(wait);
    return Number.isFinite(onCpuNs) && Number.isFinite(waitNs) ? { onCpuNs, waitNs } : undefined;
  } catch {
    return undefined;
  }
}

/** CPU used during one interval, in milliseconds. */
export interface CpuSpent {
  /** This process (the client: the recording application, or the COPY writer). */
  readonly clientMs: number;
  /** The Postgres server's processes; undefined when not measurable here. */
  readonly serverMs: number | undefined;
  /**
   * Share of the interval this process's main thread was busy (its event loop's utilisation,
   * 0–1). It counts the time the thread was runnable but waiting for a core as busy: on a machine
   * whose cores the server and the process's other threads share, more than the thread's work.
   */
  readonly mainThreadBusy: number;
  /**
   * Time the main thread, where all JavaScript runs, spent on a core ({@link threadSchedNs}):
   * its work, which no other core can take. Undefined where not readable.
   */
  readonly mainThreadCpuMs: number | undefined;
  /** Time the main thread was runnable but waited for a core (the rest of its busy time). */
  readonly mainThreadWaitMs: number | undefined;
}

/** Starts an interval; the returned function ends it and tells what CPU it used. */
export function cpuMeter(): () => CpuSpent {
  // The /proc scan costs this process a little CPU: kept outside the client's interval on both ends.
  const server0 = postgresCpuSeconds();
  const client0 = processCpuSeconds();
  const loop0 = performance.eventLoopUtilization();
  const thread0 = threadSchedNs();
  return () => {
    const mainThreadBusy = performance.eventLoopUtilization(loop0).utilization;
    const thread1 = threadSchedNs();
    const client = processCpuSeconds() - client0;
    const server1 = postgresCpuSeconds();
    return {
      clientMs: client * 1000,
      serverMs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) * 1000,
      mainThreadBusy,
      mainThreadCpuMs: thread0 === undefined || thread1 === undefined ? undefined : (thread1.onCpuNs - thread0.onCpuNs) / 1e6,
      mainThreadWaitMs: thread0 === undefined || thread1 === undefined ? undefined : (thread1.waitNs - thread0.waitNs) / 1e6,
    };
  };
}
