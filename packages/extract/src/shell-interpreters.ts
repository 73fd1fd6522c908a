/**
 * Where an analysed interpreter takes its program from, read from its
 * arguments as that interpreter reads them: inline code (`python -c CODE`,
 * `bash -lc CODE`, `node -pe CODE`), a script operand, standard input
 * (`python3 - arg`, `bash -euo pipefail`, `bash -s ARGS`, no operand), or
 * nothing followed (`python -m module`).
 *
 * - python: short options run together (`-uc CODE`, `-uW ignore`); `-c`,
 *   `-W`, `-X` take the rest of their word or the next word; `-c` and `-m`
 *   end the options; `-` is standard input and `--` ends the options: the
 *   words after the program are its arguments.
 * - node (deno, bun, tsx): no clusters but `-pe`; `-e`, `-p`, `--eval=`
 *   give code; the options of `JS_VALUE_OPTIONS` take the next word.
 * - shells: every letter of `-xyz`/`+xyz` is read; each `o`/`O` takes the
 *   next word (`-euo pipefail`, `-oe pipefail`), `c` makes the first operand
 *   the code (`bash -c -x CODE`), `s` makes standard input the program;
 *   `-` and `--` end the options (`bash - run.sh` runs run.sh).
 * - `/dev/stdin` (`/dev/fd/0`, `/proc/self/fd/0`) as a Python or shell
 *   script is standard input (node resolves the path and fails on a pipe).
 */

export type InterpreterLanguage = 'python' | 'javascript' | 'shell';

/**
 * The program's source: code in argument `index` from character `offset` (`-c'…'` attached), a script in
 * argument `index`, standard input, or none followed.
 */
export type ProgramSource =
  | { readonly kind: 'inline'; readonly index: number; readonly offset: number }
  | { readonly kind: 'script'; readonly index: number }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'none' };

const STDIN: ProgramSource = { kind: 'stdin' };
const NONE: ProgramSource = { kind: 'none' };

/** Python's options that take a value: `-W`, `-X` (letters, read in clusters) and these long ones. */
const PYTHON_LONG_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--check-hash-based-pycs']);
/** node's options that take the next word as their value (`node -r ts-node/register`): no script. */
const JS_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file', '--title',
]);
/** node's options after which the next word is the program (`-c` is `--check`; `-pe` is node's one cluster). */
const JS_CODE_OPTIONS: ReadonlySet<string> = new Set(['-e', '--eval', '-p', '--print', '-pe']);
/** The shells' long options that take a value. */
const SHELL_LONG_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--rcfile', '--init-file']);
/** Paths that are the process's standard input. */
const STDIN_PATHS: ReadonlySet<string> = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Where the interpreter `name` (of `language`) takes its program from, given its arguments after its name:
 * each word's static value where known, else its source text (`words`).
 */
export function programSource(language: InterpreterLanguage, name: string, words: readonly string[]): ProgramSource {
  if (language === 'python') return pythonProgram(words);
  if (language === 'javascript') return jsProgram(name, words);
  return shellProgram(words);
}

function inline(index: number, offset: number): ProgramSource {
  return { kind: 'inline', index, offset };
}

/** The operand at `j` as the program: standard input when it names it (or there is none). */
function operand(words: readonly string[], j: number, stdinPaths: boolean): ProgramSource {
  if (j >= words.length || words[j] === '-' || (stdinPaths && STDIN_PATHS.has(words[j]!))) return STDIN;
  return { kind: 'script', index: j };
}

function pythonProgram(words: readonly string[]): ProgramSource {
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') return operand(words, j + 1, true);
    if (w.startsWith('--')) {
      if (PYTHON_LONG_VALUE_OPTIONS.has(w)) j++;
      continue;
    }
    if (w.length > 1 && w.charCodeAt(0) === 45 /* - */) {
      for (let p = 1; p < w.length; p++) {
        const o = w[p];
        if (o === 'c') return p + 1 < w.length ? inline(j, p + 1) : j + 1 < words.length ? inline(j + 1, 0) : NONE;
        if (o === 'm') return NONE;
        if (o === 'W' || o === 'X') {
          if (p + 1 === w.length) j++; // the value is the next word, else the rest of this one
          break;
        }
      }
      continue;
    }
    return operand(words, j, true);
  }
  return STDIN;
}

function jsProgram(name: string, words: readonly string[]): ProgramSource {
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (w === 'run' && (name === 'deno' || name === 'bun')) continue;
    if (w === '--') return operand(words, j + 1, false);
    if (JS_CODE_OPTIONS.has(w)) return j + 1 < words.length ? inline(j + 1, 0) : NONE;
    if (w.startsWith('--eval=') || w.startsWith('--print=')) return inline(j, w.indexOf('=') + 1);
    if (JS_VALUE_OPTIONS.has(w)) {
      j++;
      continue;
    }
    if (w.length > 1 && w.charCodeAt(0) === 45) continue;
    return operand(words, j, false);
  }
  return STDIN;
}

function shellProgram(words: readonly string[]): ProgramSource {
  let code = false;
  let stdin = false;
  let j = 0;
  for (; j < words.length; j++) {
    const w = words[j]!;
    if (w === '-' || w === '--') {
      j++;
      break;
    }
    const sign = w.charCodeAt(0);
    if (w.length < 2 || (sign !== 45 && sign !== 43 /* + */)) break;
    if (w.startsWith('--')) {
      if (SHELL_LONG_VALUE_OPTIONS.has(w)) j++;
      continue;
    }
    for (let p = 1; p < w.length; p++) {
      const o = w[p];
      if (o === 'o' || o === 'O') j++; // `-o pipefail`, `+O extglob`: each takes the next word
      else if (sign === 45 && o === 'c') code = true;
      else if (sign === 45 && o === 's') stdin = true;
    }
  }
  if (code) return j < words.length ? inline(j, 0) : NONE;
  if (stdin) return STDIN;
  return operand(words, j, true);
}
