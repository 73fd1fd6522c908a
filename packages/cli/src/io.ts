import { once } from 'node:events';

/** Where a command writes, so tests can capture it. */
export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(text: string): void;
  /** Writes one line (a newline is added) to standard error. */
  err(text: string): void;
  /**
   * Writes to standard output as is (no newline added); a promise it returns resolves once the
   * stream takes more (its `drain`, when it was behind). Commands that stream a run (`timeline`)
   * write through it and wait, so a slow reader holds back the reading instead of the output piling
   * up in memory; without it they use {@link out}, a batch of lines at a time.
   */
  writeOut?(chunk: string): Promise<void> | void;
  /** Environment variables (read here, at the edge, and nowhere else). */
  env: Record<string, string | undefined>;
  /**
   * Whether a person is watching: standard output and standard error are both
   * terminals. Colours and progress bars appear only when true (and colours
   * only without `NO_COLOR`/`--no-color`).
   * @default false
   */
  isTTY?: boolean;
  /**
   * The terminal's width in columns: given only when standard output is a terminal
   * ({@link processIo} reads `process.stdout.columns`, which a pipe does not have). `timeline`
   * then fits every line to it; without it nothing is cut to a width (piped output keeps whole
   * lines, its one-line previews as on a 100-column terminal). A value that is no whole number of
   * columns of at least 1 is taken as no width ({@link terminalColumns}), a fraction cut off.
   */
  columns?: number;
  /** Writes to standard error without a newline (progress bars redraw their line with `\r`). */
  writeErr?(chunk: string): void;
  /** Directory relative paths (`--out`, the spool) resolve against. @default process.cwd() */
  cwd?: string;
  /**
   * Called by a command that serves (the gateway) once it runs: from then on
   * a closed or failing output only loses log lines ({@link endQuietlyOnClosedOutput}).
   */
  keepRunningWhenOutputCloses?(): void;
}

/**
 * A terminal's width as the commands use it: a whole number of columns, at least 1 (a fraction is
 * cut off). Anything else (NaN from a garbled or unset `COLUMNS` a caller read, an infinite, zero or
 * negative width, a value that is no number) is no known width: the output is what a pipe gets,
 * nothing cut to a width, rather than lines cut to nothing or to `NaN` columns.
 */
export function terminalColumns(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) return undefined;
  return Math.floor(value);
}

/** The process's own streams and environment. */
export const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  // An error on stdout rejects the wait (`once` does); `endQuietlyOnClosedOutput` ends the process on it first.
  writeOut: (chunk) => (process.stdout.write(chunk) ? undefined : once(process.stdout, 'drain').then(() => undefined)),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
  // A terminal whose size is not known reports 0 columns: no width (absent, as for a pipe).
  ...(process.stdout.columns >= 1 ? { columns: terminalColumns(process.stdout.columns) } : {}),
  writeErr: (chunk) => process.stderr.write(chunk),
  cwd: process.cwd(),
};

/**
 * Makes the end of the process's output streams quiet: when the reader of
 * standard output goes away (`agentspan timeline x | head`, a pager quit
 * early), the next write fails with EPIPE, and an unhandled stream error
 * crashes Node with a stack trace and exit code 1, after the reader already
 * has all it wanted. The output was cut on purpose, so the process ends at
 * once with `exit(0)` (as `npm ls | head` does) instead of computing output
 * nobody reads. Standard error going away ends it the same way: nothing is
 * left to tell. Any other write error ends it with 1, its reason on stderr
 * when that still works.
 *
 * A server is different: its output is only log lines, and ending it with 0
 * because the log pipe went away (`agentspan gateway 2>&1 | head`, a log
 * shipper restarting) stopped the gateway in silence, with a status a
 * supervisor takes for a wanted stop, spans in flight unwritten. After
 * `keepRunning()` (the gateway calls it through
 * {@link CliIo.keepRunningWhenOutputCloses}) write errors are ignored: the
 * process keeps serving, and its stop signal still flushes to Postgres.
 */
export function endQuietlyOnClosedOutput(
  streams: { stdout: NodeJS.EventEmitter; stderr: NodeJS.EventEmitter },
  exit: (code: number) => void,
  report: (line: string) => void,
): { keepRunning(): void } {
  let ended = false;
  let serving = false;
  const onError = (name: string) => (err: NodeJS.ErrnoException) => {
    if (ended || serving) return;
    ended = true;
    if (err.code === 'EPIPE') return exit(0);
    try {
      report(`agentspan: cannot write to ${name}: ${err.message}`);
    } catch {
      // stderr itself failed: nothing is left to tell.
    }
    exit(1);
  };
  streams.stdout.on('error', onError('standard output'));
  streams.stderr.on('error', onError('standard error'));
  return {
    keepRunning: () => {
      serving = true;
    },
  };
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
