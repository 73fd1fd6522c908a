import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agentspan, RunHandle } from '@agentspan/node';

/** The task of the one-shot example, as the system we replace phrased it. */
export const ONE_SHOT_TASK =
  'Create a Python script that calculates fibonacci numbers and saves results to fib.txt';

/** The code the scripted engineer writes. */
export const FIB_SCRIPT = `import json
from pathlib import Path


def fibonacci(n):
    """Return the first n Fibonacci numbers."""
    numbers = [0, 1]
    while len(numbers) < n:
        numbers.append(numbers[-1] + numbers[-2])
    return numbers[:n]


numbers = fibonacci(20)
with open("fib.txt", "w") as f:
    for i, value in enumerate(numbers):
        f.write(f"F({i}) = {value}\\n")
print(f"Saved {len(numbers)} Fibonacci numbers to fib.txt")
print(json.dumps({"last": numbers[-1]}))
`;

const VERIFY_SCRIPT = 'head -n 5 fib.txt && wc -l < fib.txt';

/** Same numbers as FIB_SCRIPT, for machines without python3. */
function fibonacciText(): string {
  const numbers = [0, 1];
  while (numbers.length < 20) numbers.push(numbers[numbers.length - 1]! + numbers[numbers.length - 2]!);
  return numbers.map((v, i) => `F(${i}) = ${v}\n`).join('');
}

/** What running a snippet produced. */
interface Execution {
  output: string;
  exitCode: number;
}

/**
 * Runs the script with python3 in the workspace when python3 exists;
 * otherwise does what the script does in Node, so the file really exists
 * either way and file capture has something to read.
 */
function runPython(code: string, cwd: string): Execution {
  const r = spawnSync('python3', ['-c', code], { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.error === undefined && r.status === 0) return { output: `${r.stdout}${r.stderr}`, exitCode: 0 };
  writeFileSync(join(cwd, 'fib.txt'), fibonacciText());
  return { output: 'Saved 20 Fibonacci numbers to fib.txt\n{"last": 4181}\n', exitCode: 0 };
}

function runShell(code: string, cwd: string): Execution {
  const r = spawnSync('sh', ['-c', code], { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.error !== undefined) return { output: String(r.error.message), exitCode: 127 };
  return { output: `${r.stdout}${r.stderr}`, exitCode: r.status ?? 1 };
}

/**
 * The one-shot workflow: a planner plans, an engineer writes a script, an
 * executor runs it and it writes fib.txt, then the engineer verifies the
 * result. Scripted (no LLM, no network); the file is really written into
 * `workspaceDir`.
 */
export function runOneShot(agentspan: Agentspan, workspaceDir: string): RunHandle {
  const run = agentspan.startRun({ task: ONE_SHOT_TASK, mode: 'one-shot', metadata: { example: 'one-shot' } });

  const step1 = run.startNode('step_1', { title: 'write and run the script', agent: 'engineer' });
  step1.agentCall({
    agent: 'planner',
    role: 'assistant',
    sender: 'user',
    content:
      'Plan: (1) write a Python script that computes the first 20 Fibonacci numbers, ' +
      '(2) run it so it saves the results to fib.txt, (3) verify the file.',
  });
  const reply = `Here is the script; it saves the results to fib.txt.\n\n\`\`\`python\n${FIB_SCRIPT}\`\`\``;
  step1.agentCall({ agent: 'engineer', role: 'assistant', sender: 'planner', content: reply });

  const tool = step1.beginToolCall({ agent: 'engineer', tool: 'execute_python', args: { code: FIB_SCRIPT } });
  const execution = runPython(FIB_SCRIPT, workspaceDir);
  step1.codeExecution({
    agent: 'executor',
    language: 'python',
    code: FIB_SCRIPT,
    output: execution.output,
    exitCode: execution.exitCode,
    cwd: workspaceDir,
    context: reply,
  });
  tool.end({ result: execution.output });
  step1.fileGenerated({ agent: 'executor', path: 'fib.txt', source: 'code_execution' });
  step1.end();

  const step2 = run.startNode('step_2', { title: 'verify the result', agent: 'engineer' });
  const check = runShell(VERIFY_SCRIPT, workspaceDir);
  step2.codeExecution({
    agent: 'executor',
    language: 'shell',
    code: VERIFY_SCRIPT,
    output: check.output,
    exitCode: check.exitCode,
    cwd: workspaceDir,
  });
  step2.agentCall({
    agent: 'engineer',
    role: 'assistant',
    sender: 'executor',
    content: `fib.txt holds 20 lines, starting with:\n${check.output.split('\n').slice(0, 3).join('\n')}\nTERMINATE`,
  });
  step2.end();

  run.end({ status: 'success' });
  return run;
}
