/**
 * Flushing on the way out: `SIGTERM`, `SIGINT`, `beforeExit` and `exit`.
 *
 * Node's default for SIGTERM and SIGINT is to terminate at once; listening
 * for them disables that default. So when agentspan is the only listener,
 * it flushes within its deadline (every span ended before the signal, and
 * those ended meanwhile for a few rounds: the flush does not wait for an
 * application that never stops ending spans), spools synchronously
 * whatever is still held, removes its
 * listeners and raises the signal again: the process then ends exactly as it
 * would have (killed by the signal, same exit status for the parent), and no
 * application code runs between the last spool and the end. When the
 * application listens too, agentspan only flushes and leaves the exit to it.
 * Whether it does is decided when the signal comes, by agentspan's listener,
 * which is put first in line so that an application's `process.once`
 * listener is still registered when it looks.
 *
 * `beforeExit` (the event loop ran dry, e.g. spans queued behind an unref'd
 * timer) flushes once per quiet period; `exit` (synchronous only: a
 * `process.exit()` call, an uncaught exception) spools what is still held.
 *
 * One set of listeners serves every agentspan instance of the process.
 */

import { diag } from '@opentelemetry/api';
import { timerMillis } from './timer-limit.js';

/** What the hooks drive: one per `startAgentspan` instance. */
export interface ExitHookTarget {
  /** Deliver or spool everything held, within `timeoutMillis`; must not reject. */
  flush(timeoutMillis: number): Promise<void>;
  /** Spool what is held, synchronously (process `'exit'`). */
  spillSync(): void;
  /**
   * End what the application left open (events, nodes, runs), when the
   * process is about to end for sure: a signal agentspan alone handles, or
   * `'exit'`. Not on `beforeExit` (the application may go on) nor on a
   * signal the application handles (it decides). Must not throw.
   */
  endOpen?(): void;
  /** Spans held in memory. */
  pending(): number;
  /** The deadline of `flush` on exit, ms. */
  readonly timeoutMillis: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type HandledSignal = (typeof SIGNALS)[number];

interface Hooks {
  readonly targets: Set<ExitHookTarget>;
  readonly onSignal: Record<HandledSignal, () => void>;
  readonly onBeforeExit: () => void;
  readonly onExit: () => void;
  handling: boolean;
  beforeExitRunning: boolean;
  /** Spans still held after the last beforeExit flush: no progress since means do not loop. */
  stuckAt: number;
}

const HOOKS_KEY = Symbol.for('agentspan.node.exit-hooks');

function registry(): { hooks: Hooks | undefined } {
  const g = globalThis as unknown as Record<symbol, { hooks: Hooks | undefined } | undefined>;
  let r = g[HOOKS_KEY];
  if (r === undefined) {
    r = { hooks: undefined };
    g[HOOKS_KEY] = r;
  }
  return r;
}

/** Grace on top of the targets' own deadlines, so their flushes give up (and spool) before the hooks stop waiting. */
const DEADLINE_GRACE_MILLIS = 1000;

/**
 * How long the hooks wait for the flushes of `targets`: the longest of their
 * deadlines plus the grace, clamped to what a timer takes (a deadline near
 * `MAX_TIMER_MILLIS` plus the grace would otherwise overflow to 1 ms, and
 * the flush on exit would give up at once).
 */
function exitDeadline(targets: Iterable<ExitHookTarget>): number {
  let t = 0;
  for (const x of targets) t = Math.max(t, x.timeoutMillis);
  return timerMillis(t + DEADLINE_GRACE_MILLIS);
}

function withDeadline(work: Promise<unknown>, millis: number): Promise<void> {
  return new Promise((resolve) => {
    // Ref'd on purpose: a flush on the way out keeps the process alive until its deadline.
    const timer = setTimeout(resolve, millis);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * How many of a signal's listeners belong to `signal-exit` (v3 and v4), a
 * dependency of many libraries (`write-file-atomic`, `foreground-child`,
 * `execa`, ...). Its listener defers to any other: it runs its cleanups and
 * raises the signal again only when it finds itself alone, counting its
 * instances in `process.__signal_exit_emitter__.count` (v3) and in the
 * emitter at `globalThis[Symbol.for('signal-exit emitter')]` (v4). Taken for
 * the application's own listeners, they made agentspan defer to them in
 * turn, and a SIGTERM no longer ended a process that had no handler of its
 * own. Such listeners do not count as the application listening: agentspan
 * flushes, steps aside and raises the signal again, signal-exit then finds
 * itself alone and ends the process as it would have without agentspan.
 */
function deferringListeners(): number {
  let n = 0;
  try {
    const v3 = (process as unknown as { __signal_exit_emitter__?: { count?: unknown } }).__signal_exit_emitter__;
    if (typeof v3?.count === 'number' && v3.count > 0) n += v3.count;
    const v4 = (globalThis as unknown as Record<symbol, { count?: unknown } | undefined>)[Symbol.for('signal-exit emitter')];
    if (typeof v4?.count === 'number' && v4.count > 0) n += v4.count;
  } catch {
    // A hostile global (a throwing getter): counted as nothing, as if signal-exit were not there.
  }
  return n;
}

/**
 * Whether `listener` is written as signal-exit's is (v3 and v4, bundled or
 * minified too: property names stay): it compares the signal's
 * `listeners(...)` with its `count`. The counters alone say how many
 * instances are loaded, not that their listeners are still there: an
 * application that drops them (`process.removeAllListeners('SIGTERM')`,
 * then its own handler) left a counter that passed its own handler off as
 * signal-exit's; agentspan then raised the signal again into that handler
 * (run twice: a second signal is "force quit" to many applications) after
 * ending its open events and removing its own listeners. A listener that
 * does not look like signal-exit's counts as the application's, as it did
 * before signal-exit was recognised.
 */
function looksLikeSignalExit(listener: unknown): boolean {
  try {
    const source = Function.prototype.toString.call(listener as () => void);
    return /\.listeners\s*\(/.test(source) && /\bcount\b/.test(source);
  } catch {
    return false;
  }
}

/** Whether a listener other than `ours` (and other than signal-exit's, see above) will decide how the process ends. */
function applicationListens(signal: HandledSignal, ours: () => void): boolean {
  const others = process.listeners(signal).filter((l) => l !== ours);
  const signalExits = Math.min(deferringListeners(), others.filter(looksLikeSignalExit).length);
  return others.length > signalExits;
}

function install(): Hooks {
  const targets = new Set<ExitHookTarget>();
  const hooks: Hooks = {
    targets,
    handling: false,
    beforeExitRunning: false,
    stuckAt: -1,
    onSignal: {} as Record<HandledSignal, () => void>,
    onBeforeExit: () => {
      if (hooks.beforeExitRunning || hooks.handling) return;
      let pending = 0;
      for (const t of targets) pending += t.pending();
      if (pending === 0 || pending === hooks.stuckAt) return;
      hooks.beforeExitRunning = true;
      const all = [...targets];
      void withDeadline(Promise.all(all.map((t) => t.flush(t.timeoutMillis))), exitDeadline(all)).then(() => {
        hooks.beforeExitRunning = false;
        let left = 0;
        for (const t of targets) left += t.pending();
        hooks.stuckAt = left;
      });
    },
    onExit: () => {
      for (const t of targets) {
        try {
          endOpenOf(t);
          t.spillSync();
        } catch (err) {
          diag.error('agentspan: spooling at exit failed', err);
        }
      }
    },
  };
  for (const signal of SIGNALS) {
    hooks.onSignal[signal] = () => {
      const appListens = applicationListens(signal, hooks.onSignal[signal]);
      if (hooks.handling) {
        // A second signal while flushing: the user insists. Let it through at once.
        if (!appListens) {
          hooks.onExit();
          uninstall(hooks);
          process.kill(process.pid, signal);
        }
        return;
      }
      hooks.handling = true;
      const all = [...targets];
      const deadline = exitDeadline(all);
      if (appListens) {
        // The application decides when to exit; make everything durable meanwhile.
        void withDeadline(Promise.all(all.map((t) => t.flush(t.timeoutMillis))), deadline).then(() => {
          hooks.handling = false;
          // Every instance shut down meanwhile (the application's handler called shutdown()): nothing is left
          // to flush, and agentspan's listeners must not outlive it (its removal was put off while this ran).
          if (targets.size === 0) uninstall(hooks);
        });
        return;
      }
      for (const t of all) endOpenOf(t); // the process ends after this flush: what is open is recorded now
      void withDeadline(Promise.all(all.map((t) => t.flush(t.timeoutMillis))), deadline).then(() => {
        hooks.onExit(); // spans ended while flushing: spooled, synchronously, right before the end
        uninstall(hooks);
        // No listener is left: the default action ends the process, as if agentspan had not been there.
        process.kill(process.pid, signal);
      });
    };
    // First in line: Node removes a `process.once` listener before calling it, so an application's once-listener
    // that ran before ours would be gone when ours looks, and agentspan would kill the application in the middle
    // of its own shutdown. Called first, ours still sees every listener the application registered, once or on,
    // before or after agentspan.
    process.prependListener(signal, hooks.onSignal[signal]);
  }
  process.on('beforeExit', hooks.onBeforeExit);
  process.on('exit', hooks.onExit);
  return hooks;
}

function endOpenOf(target: ExitHookTarget): void {
  try {
    target.endOpen?.();
  } catch (err) {
    diag.error('agentspan: ending open events at exit failed', err);
  }
}

function uninstall(hooks: Hooks): void {
  for (const signal of SIGNALS) process.removeListener(signal, hooks.onSignal[signal]);
  process.removeListener('beforeExit', hooks.onBeforeExit);
  process.removeListener('exit', hooks.onExit);
  const r = registry();
  if (r.hooks === hooks) r.hooks = undefined;
}

/** Registers a target with the process-wide exit hooks (installing them on first use). Returns its removal. */
export function registerExitHooks(target: ExitHookTarget): () => void {
  const r = registry();
  r.hooks ??= install();
  const hooks = r.hooks;
  hooks.targets.add(target);
  return () => {
    hooks.targets.delete(target);
    if (hooks.targets.size === 0 && !hooks.handling) uninstall(hooks);
  };
}
