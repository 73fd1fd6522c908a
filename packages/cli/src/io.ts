/** Where a command writes, so tests can capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Environment variables (read here, at the edge, and nowhere else). */
  env: Record<string, string | undefined>;
}

/** The process's own streams and environment. */
export const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

/** An error meant for the person at the terminal: printed without a stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
