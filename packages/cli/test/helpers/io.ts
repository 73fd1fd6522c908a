import type { CliIo } from '../../src/index.js';

/** A CliIo that records what a command printed. */
export interface CapturedIo extends CliIo {
  stdout: string[];
  stderr: string[];
  /** Raw stderr chunks (progress bars). */
  stderrChunks: string[];
  /** Everything printed on stdout, joined by newlines. */
  text(): string;
  /** stdout parsed as one JSON document. */
  json<T = unknown>(): T;
}

/** Captured output for one `runCli` call: piped (no terminal, no width) unless `extra` says otherwise. */
export function captureIo(env: Record<string, string | undefined>, extra: Partial<CliIo> = {}): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const stderrChunks: string[] = [];
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    writeErr: (c) => stderrChunks.push(c),
    env,
    isTTY: false,
    ...extra,
    stdout,
    stderr,
    stderrChunks,
    text: () => stdout.join('\n'),
    json: <T>() => JSON.parse(stdout.join('\n')) as T,
  };
}
