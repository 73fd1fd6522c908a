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
 * - JavaScript runtimes (`JS_CLIS`): each its own options. node and tsx run
 *   no clusters but `-pe`; ts-node, deno and bun read short flags run
 *   together; `-e`, `--eval=` give code (`-p` too, but in ts-node and deno it
 *   is a flag); deno's `run`/`serve`/`eval`, bun's `run` and tsx's `watch`
 *   are subcommands; deno and bun take an operand that looks like no file for
 *   a task, a package.json script or a subcommand: nothing followed.
 * - shells: every letter of `-xyz`/`+xyz` is read; each `o`/`O` takes the
 *   next word (`-euo pipefail`, `-oe pipefail`), `c` makes the first operand
 *   the code (`bash -c -x CODE`), `s` makes standard input the program;
 *   `-` and `--` end the options (`bash - run.sh` runs run.sh).
 * - `/dev/stdin` (`/dev/fd/0`, `/proc/self/fd/0`) as a Python or shell
 *   script is standard input (node resolves the path and fails on a pipe).
 */

import { isPathLike } from './paths.js';

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

/** What a JavaScript runtime's option does with the words after it. */
type JsOption =
  /** Takes the next word as its value (`--config x`; `--config=x` is one word). */
  | 'value'
  /** Takes the next word unless it starts with `-` (an optional value: deno's `--lock [FILE]`, clap's `0..=1`). */
  | 'optional'
  /** Its value is the program (`-e CODE`, `--eval=CODE`). */
  | 'code'
  /** Runs no program of the snippet's (`node --run build`: a package.json script). */
  | 'none';

/** How a JavaScript runtime reads its arguments (sources in the README, *shell*). */
interface JsCli {
  /** Long options (and node's `-pe`, a word of its own) that are no plain flag. */
  readonly long: ReadonlyMap<string, JsOption>;
  /** Short options that are no plain flag, by letter. */
  readonly short: ReadonlyMap<string, JsOption>;
  /** Whether short options run together (`-pe CODE` as `-p -e CODE`, `-Ac deno.json`): node and tsx read only `-pe`. */
  readonly clusters: boolean;
  /** First operands that name a subcommand: `run` runs the script after it, `eval` the code after it. */
  readonly subcommands: ReadonlyMap<string, 'run' | 'eval'>;
  /**
   * Whether an operand must look like a file to be the script: deno and bun run a task, a package.json script or a
   * subcommand of theirs by its bare name (`bun dev`, `deno task build`, `bun install`), nothing of the snippet's.
   */
  readonly fileOperand: boolean;
  /** Whether the program is standard input when no operand names one (node's; deno and bun then open a REPL or help). */
  readonly stdinByDefault: boolean;
}

function options(value: string, code: string, extra: readonly [string, JsOption][] = []): ReadonlyMap<string, JsOption> {
  const m = new Map<string, JsOption>(extra);
  for (const o of value.split(' ')) if (o !== '') m.set(o, 'value');
  for (const o of code.split(' ')) if (o !== '') m.set(o, 'code');
  return m;
}

/** node 20–24's options that take a value (`node --help`; `--inspect[=port]` and V8's options take theirs after `=`). */
const NODE_VALUE_OPTIONS =
  '--require --import --loader --experimental-loader --conditions --input-type --env-file --env-file-if-exists --title ' +
  '--inspect-port --debug-port --inspect-publish-uid --allow-fs-read --allow-fs-write --build-snapshot-config --snapshot-blob ' +
  '--cpu-prof-dir --cpu-prof-interval --cpu-prof-name --heap-prof-dir --heap-prof-interval --heap-prof-name --diagnostic-dir ' +
  '--disable-proto --disable-warning --dns-result-order --experimental-default-type --experimental-policy --policy-integrity ' +
  '--experimental-sea-config --experimental-config-file --heapsnapshot-near-heap-limit --heapsnapshot-signal --icu-data-dir ' +
  '--localstorage-file --max-http-header-size --network-family-autoselection-attempt-timeout --openssl-config ' +
  '--redirect-warnings --report-dir --report-directory --report-filename --report-signal --secure-heap --secure-heap-min ' +
  '--test-concurrency --test-name-pattern --test-skip-pattern --test-reporter --test-reporter-destination --test-shard ' +
  '--test-timeout --test-isolation --test-global-setup --test-coverage-include --test-coverage-exclude --test-coverage-branches ' +
  '--test-coverage-functions --test-coverage-lines --tls-cipher-list --tls-keylog --trace-event-categories ' +
  '--trace-event-file-pattern --trace-require-module --unhandled-rejections --use-largepages --watch-path --watch-kill-signal';
const NODE_SHORT: ReadonlyMap<string, JsOption> = new Map([['r', 'value'], ['C', 'value'], ['e', 'code'], ['p', 'code']]);
const NODE: JsCli = {
  long: options(NODE_VALUE_OPTIONS, '--eval --print -pe', [['--run', 'none']]),
  short: NODE_SHORT,
  clusters: false,
  subcommands: new Map(),
  fileOperand: false,
  stdinByDefault: true,
};
/** tsx: node's options, its own `--tsconfig`, and `watch` (with `--include`/`--exclude`/`--ignore` globs). */
const TSX: JsCli = {
  ...NODE,
  long: options(`${NODE_VALUE_OPTIONS} --tsconfig --include --exclude --ignore`, '--eval --print -pe', [['--run', 'none']]),
  subcommands: new Map([['watch', 'run']]),
};
/** ts-node 10 (the `arg` library: `--camelCase` and `--hyphen-case`, short flags run together); `-p` is a flag. */
const TS_NODE: JsCli = {
  long: options(
    '--require --cwd --dir --compiler --compilerOptions --compiler-options --project --ignoreDiagnostics --ignore-diagnostics ' +
      '--ignore --transpiler --scopeDir --scope-dir --experimentalSpecifierResolution --experimental-specifier-resolution',
    '--eval',
  ),
  short: new Map([['r', 'value'], ['P', 'value'], ['O', 'value'], ['C', 'value'], ['I', 'value'], ['D', 'value'], ['e', 'code']]),
  clusters: true,
  subcommands: new Map(),
  fileOperand: false,
  stdinByDefault: true,
};
/** deno 2 (clap): permission flags, `--inspect`, `--env-file`, `-r` take a value after `=` only. */
const DENO: JsCli = {
  long: options(
    '--config --import-map --importmap --cert --location --seed --preload --import --require --ext --conditions ' +
      '--minimum-dependency-age --cpu-prof-dir --cpu-prof-name --cpu-prof-interval --log-level --port --host',
    '',
    [['--lock', 'optional']],
  ),
  short: new Map([['c', 'value'], ['L', 'value']]),
  clusters: true,
  subcommands: new Map([['run', 'run'], ['serve', 'run'], ['eval', 'eval']]),
  fileOperand: true,
  stdinByDefault: false,
};
/** bun (its clap): `-c`/`--config` take the next word unless it starts with `-`; `--inspect` its value after `=`. */
const BUN: JsCli = {
  long: options(
    '--env-file --cwd --main-fields --extension-order --tsconfig-override --define --drop --loader --jsx-factory --jsx-fragment ' +
      '--jsx-import-source --jsx-runtime --preload --require --import --cpu-prof-name --cpu-prof-dir --install --port --origin ' +
      '--conditions --fetch-preconnect --max-http-header-size --dns-result-order --title --unhandled-rejections --console-depth ' +
      '--user-agent --filter --shell --elide-lines',
    '--eval --print',
    [['--config', 'optional']],
  ),
  short: new Map([['d', 'value'], ['l', 'value'], ['r', 'value'], ['u', 'value'], ['F', 'value'], ['c', 'optional'], ['e', 'code'], ['p', 'code']]),
  clusters: true,
  subcommands: new Map([['run', 'run']]),
  fileOperand: true,
  stdinByDefault: false,
};
const JS_CLIS: ReadonlyMap<string, JsCli> = new Map([['node', NODE], ['nodejs', NODE], ['tsx', TSX], ['ts-node', TS_NODE], ['deno', DENO], ['bun', BUN]]);

/** What option word `w` (at `j`) does: the program it gives, the words it takes (`skip`), or a plain flag. */
interface OptionEffect {
  readonly program?: ProgramSource;
  readonly skip: number;
}
const FLAG: OptionEffect = { skip: 0 };

/** Applies option `kind`, whose value may be attached at `offset` of word `j` (-1: none attached). */
function optionEffect(kind: JsOption | undefined, words: readonly string[], j: number, offset: number): OptionEffect {
  if (kind === undefined) return FLAG;
  const next = j + 1 < words.length ? words[j + 1] : undefined;
  if (kind === 'code') {
    if (offset >= 0) return { program: inline(j, offset), skip: 0 };
    return { program: next === undefined ? NONE : inline(j + 1, 0), skip: 1 };
  }
  if (kind === 'none') return { program: NONE, skip: 0 };
  if (offset >= 0) return FLAG; // the value is attached
  if (kind === 'value') return { skip: 1 };
  return { skip: next !== undefined && next.charCodeAt(0) !== 45 ? 1 : 0 };
}

/** A long option (`--x`, `--x=v`; node's `-pe`). */
function longOption(cli: JsCli, words: readonly string[], j: number): OptionEffect {
  const w = words[j]!;
  const eq = w.indexOf('=');
  if (eq < 0) return optionEffect(cli.long.get(w), words, j, -1);
  return optionEffect(cli.long.get(w.slice(0, eq)), words, j, eq + 1);
}

/** Short options: `-e CODE`, and where they run together each letter (`-pe CODE`, `-Ac deno.json`, `-cdeno.json`). */
function shortOptions(cli: JsCli, words: readonly string[], j: number): OptionEffect {
  const w = words[j]!;
  if (!cli.clusters) return w.length === 2 ? optionEffect(cli.short.get(w[1]!), words, j, -1) : longOption(cli, words, j);
  for (let p = 1; p < w.length; p++) {
    const kind = cli.short.get(w[p]!);
    if (kind === undefined) continue;
    // A letter with a value ends the cluster: the rest of the word (after a `=`) is its value, else the next word is.
    const attached = p + 1 < w.length ? (w.charCodeAt(p + 1) === 61 /* = */ ? p + 2 : p + 1) : -1;
    return optionEffect(kind, words, j, attached);
  }
  return FLAG;
}

function jsProgram(name: string, words: readonly string[]): ProgramSource {
  const cli = JS_CLIS.get(name) ?? NODE;
  let subcommand: 'run' | 'eval' | undefined;
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') return jsOperand(cli, words, j + 1, subcommand);
    if (w.length > 1 && w.charCodeAt(0) === 45 /* - */) {
      const effect = w.charCodeAt(1) === 45 ? longOption(cli, words, j) : shortOptions(cli, words, j);
      if (effect.program !== undefined) return effect.program;
      j += effect.skip;
      continue;
    }
    if (subcommand === undefined) {
      subcommand = cli.subcommands.get(w);
      if (subcommand !== undefined) continue;
      subcommand = 'run'; // the first operand names no subcommand: it is the script
    }
    return jsOperand(cli, words, j, subcommand);
  }
  return subcommand === undefined && cli.stdinByDefault ? STDIN : NONE;
}

/** The operand at `j` as the program: the code after `eval`, else the script (standard input for `-`). */
function jsOperand(cli: JsCli, words: readonly string[], j: number, subcommand: 'run' | 'eval' | undefined): ProgramSource {
  if (j >= words.length) return cli.stdinByDefault && subcommand === undefined ? STDIN : NONE;
  if (subcommand === 'eval') return inline(j, 0);
  const w = words[j]!;
  if (cli.fileOperand && w !== '-' && !isPathLike(w)) return NONE;
  return operand(words, j, false);
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
