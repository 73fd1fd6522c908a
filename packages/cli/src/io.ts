/** Where a command writes, so tests can capture it. */
export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(text: string): void;
  /** Writes one line (a newline is added) to standard error. */
  err(text: string): void;
  /** Environment variables (read here, at the edge, and nowhere else). */
  env: Record<string, string | undefined>;
  /**
   * Whether a person is watching: standard output and standard error are both
   * terminals. Colours and progress bars appear only when true (and colours
   * only without `NO_COLOR`/`--no-color`).
   * @default false
   */
  isTTY?: boolean;
  /** Terminal width in columns, when known (tables and progress bars fit it). @default 100 */
  columns?: number;
  /** Writes to standard error without a newline (progress bars redraw their line with `\r`). */
  writeErr?(chunk: string): void;
  /** Directory relative paths (`--out`, the spool) resolve against. @default process.cwd() */
  cwd?: string;
}

/** The process's own streams and environment. */
export const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  writeErr: (chunk) => process.stderr.write(chunk),
  cwd: process.cwd(),
};

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
