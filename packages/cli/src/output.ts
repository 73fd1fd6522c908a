import { processIo, type CliIo } from './io.js';

/**
 * Writes whole lines to standard output as a command produces them, a batch (a page of a run) at a
 * time: through {@link CliIo.writeOut} when the output has one, waiting while the stream is behind
 * (a slow pager, a full pipe) so that what is read from the database never piles up in memory, else
 * through {@link CliIo.out}. A batch without lines writes nothing.
 */
export function lineWriter(io: CliIo): (lines: readonly string[]) => Promise<void> {
  // processIo's writeOut writes to the process's stdout: a caller who spread processIo and gave an `out`
  // of its own (to capture the output) means that output, so its `out` is used, a batch at a time.
  const viaWriteOut = io.writeOut !== undefined && !(io.writeOut === processIo.writeOut && io.out !== processIo.out);
  return async (lines) => {
    if (lines.length === 0) return;
    const text = lines.join('\n');
    if (viaWriteOut) await io.writeOut?.(`${text}\n`);
    else io.out(text);
  };
}
