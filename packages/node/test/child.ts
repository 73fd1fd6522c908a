/** Runs test/fixtures/emitter.ts as a child process and follows what it reports. */

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Highest `ended N` reported so far (-1 before the first). */
  lastEnded(): number;
  /** Resolves when a line matching `re` has been printed. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/emitter.ts', import.meta.url));

export function startEmitter(config: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(config)], {
    cwd: packageDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let buffer = '';
  let last = -1;
  const watchers: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const m = /^ended (\d+)$/.exec(line);
      if (m) last = Number(m[1]);
      for (const w of [...watchers]) {
        if (w.re.test(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    lines,
    lastEnded: () => last,
    stderr: () => err,
    exited,
    waitFor(re, ms = 20_000) {
      const found = lines.find((l) => re.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print ${re} within ${ms} ms; stderr:\n${err}\nstdout:\n${lines.join('\n')}`)), ms);
        watchers.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(() => {
          setTimeout(() => {
            clearTimeout(timer);
            reject(new Error(`child exited before printing ${re}; stderr:\n${err}\nstdout:\n${lines.slice(-5).join('\n')}`));
          }, 50);
        });
      });
    },
  };
}
