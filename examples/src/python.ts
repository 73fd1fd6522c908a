import { spawnSync } from 'node:child_process';

/** What running a snippet produced. */
export interface Execution {
  output: string;
  exitCode: number;
}

const probed = new Map<string, boolean>();

/**
 * Whether `python3` exists here and can import every module in `modules`.
 * Probed once per module list and process: the examples run on machines with
 * no Python at all, with a bare Python, and with the scientific stack.
 */
export function pythonHasModules(modules: readonly string[]): boolean {
  const key = [...modules].sort().join(',');
  const known = probed.get(key);
  if (known !== undefined) return known;
  const code = modules.length > 0 ? `import ${modules.join(', ')}` : 'pass';
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', timeout: 20_000 });
  const ok = r.error === undefined && r.status === 0;
  probed.set(key, ok);
  return ok;
}

/** Runs `code` with `python3 -c` in `cwd`; stdout and stderr together, as an executor shows them. */
export function runPython(code: string, cwd: string): Execution {
  const r = spawnSync('python3', ['-c', code], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) return { output: String(r.error.message), exitCode: 127 };
  return { output: `${r.stdout}${r.stderr}`, exitCode: r.status ?? 1 };
}
