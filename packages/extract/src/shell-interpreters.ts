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
 *   is a flag); deno's `run`/`serve`/`eval`/`test`/`bench`, bun's `run`/`test`,
 *   tsx's `watch` and node's `inspect` are subcommands, and node's `--test`
 *   runs its operands as tests (bun's bare ones filter test files' names);
 *   node exits on a short option word it does not know (`-r./x.js`, `-rfoo`), tsx on
 *   one holding a letter of its own (`-expose-gc`), bun on a letter it does not know
 *   (`-t`); help and version options print and exit (node and tsx once their options and env files are read;
 *   tsx's `watch` is a subcommand only as its first word); deno and bun take an operand that looks like no file for a task, a
 *   package.json script or a subcommand: nothing followed, but bun's package
 *   binaries tsx and ts-node (`bun tsx a.ts`: `bin`) and `bun build` (`build`). What a runtime reads besides its program
 *   (`-r ./setup.js`, `--env-file .env`, test files) and the directory
 *   it runs in (`bun --cwd sub`) go to the caller's `RuntimeFiles`.
 * - shells: every letter of `-xyz`/`+xyz` is read; each `o`/`O` takes the
 *   next word (`-euo pipefail`, `-oe pipefail`), `c` makes the first operand
 *   the code (`bash -c -x CODE`), `s` makes standard input the program;
 *   `-` and `--` end the options (`bash - run.sh` runs run.sh).
 * - `/dev/stdin` (`/dev/fd/0`, `/proc/self/fd/0`) as a Python or shell
 *   script is standard input (node resolves the path and fails on a pipe).
 */

import { basename, extensionOf, isPathLike } from './paths.js';

export type InterpreterLanguage = 'python' | 'javascript' | 'shell';

/**
 * The program's source: code in argument `index` from character `offset` (`-c'…'` attached), a script in
 * argument `index`, standard input, or none followed.
 */
export type ProgramSource =
  | { readonly kind: 'inline'; readonly index: number; readonly offset: number }
  | { readonly kind: 'script'; readonly index: number }
  | { readonly kind: 'stdin' }
  /** Test files, listed in `RuntimeFiles` (`node --test a.js b.js`, `deno test`, `bun test`): none when none is named. */
  | { readonly kind: 'tests' }
  /** A package's binary bun runs by its name (`bun tsx a.ts`, `bun run ts-node b.ts`): the command in argument `index`. */
  | { readonly kind: 'bin'; readonly index: number }
  /** `bun build`: its arguments start at argument `index` (`shell-bun-build.ts`). */
  | { readonly kind: 'build'; readonly index: number }
  | { readonly kind: 'none' };

/** Where an option's value is: argument `index` from character `offset` (`--cwd=sub`: after the `=`). */
export interface OptionValue {
  readonly index: number;
  readonly offset: number;
}

/** A file a runtime reads besides its program: an option's value or operand, or a path it reads by default (`.env`). */
export type RuntimeFile =
  | (OptionValue & {
      /**
       * A module specifier (`-r`, `--import`, bun's `--preload`): a file only when relative or absolute (`./x.js`, `/x.js`).
       * `exact`: the file as written (node's ESM `--import`); `resolved`: found as `require()` finds it (`-r ./setup` is
       * setup.js, .json, .node or setup/index.js; tsx, ts-node and bun add .ts …), so one without an extension names no one file.
       */
      readonly module: false | 'exact' | 'resolved';
      /** Whether it is read in the runtime's own directory (`bun --cwd`), not the shell's (ts-node's `-r`). */
      readonly inCwd: boolean;
    })
  | { readonly path: string };

/** What a JavaScript runtime's arguments name besides its program, filled in by `programSource`. */
export interface RuntimeFiles {
  /** In the order the runtime reads them: modules and env files loaded first, test files (`deno test a_test.ts`). */
  readonly files: RuntimeFile[];
  /** The directory the runtime changes to before it reads its program (`bun --cwd sub`, ts-node's `--cwd`). */
  cwd: OptionValue | undefined;
}

const STDIN: ProgramSource = { kind: 'stdin' };
const NONE: ProgramSource = { kind: 'none' };
const TESTS: ProgramSource = { kind: 'tests' };

/** Python's options that take a value: `-W`, `-X` (letters, read in clusters) and these long ones. */
const PYTHON_LONG_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--check-hash-based-pycs']);
/** The shells' long options that take a value. */
const SHELL_LONG_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--rcfile', '--init-file']);
/** Paths that are the process's standard input. */
const STDIN_PATHS: ReadonlySet<string> = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Where the interpreter `name` (of `language`) takes its program from, given its arguments after its name:
 * each word's static value where known, else its source text (`words`). A JavaScript runtime's other files and
 * directory go to `runtime`, when given.
 */
export function programSource(language: InterpreterLanguage, name: string, words: readonly string[], runtime?: RuntimeFiles): ProgramSource {
  if (language === 'python') return pythonProgram(words);
  if (language === 'javascript') return jsProgram(name, words, runtime);
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
  /** Takes a value after `=` only, never the next word (bun's `-c`/`--config`: `bun -c ./a.js` runs a.js). */
  | 'attached'
  /** Its value is the program (`-e CODE`, `--eval=CODE`). */
  | 'code'
  /** Runs no program of the snippet's (`node --run build`: a package.json script). */
  | 'none'
  /**
   * A V8 option with a value (`--stack-size=900`). node hands V8 the option word alone: given its value as the
   * next word, V8 finds none and node exits (`illegal value for flag`), running and loading nothing.
   */
  | 'v8'
  /** A module loaded before the program (`-r ./setup.js`, bun's `--preload`), resolved as `require()` resolves it: the next word or after `=`. */
  | 'module'
  /** A module loaded before the program by its exact path (node's ESM `--import ./x.mjs`, `--loader`). */
  | 'esm'
  /** Runs its operands as test files (node's `--test a.js b.js`). */
  | 'test'
  /** A file read before the program, whatever it looks like (`--env-file .env`; deno's `--preload`, a path as its script is). */
  | 'file'
  /** deno's `--env-file`/`--env`: a file after `=` only, else `.env` (clap's require_equals with a default value). */
  | 'env'
  /** The directory the runtime changes to before it reads its program (`bun --cwd sub`, ts-node's `--cwd`). */
  | 'cwd'
  /** Reads its script without running it (node's `--check`): with `--test`, node exits. */
  | 'check'
  /** A plain flag, where the runtime's other table says otherwise (`bun test`'s `-u`, bun's `-u` a value before it). */
  | 'flag'
  /** Prints its help or version and exits (bun's `-h`, `-v`; ts-node's, deno's): nothing runs, nothing is loaded. */
  | 'exit'
  /**
   * Prints its help or version once its options are read (node's `-v`, `-h`, `--v8-options`; tsx's): nothing runs,
   * no module is loaded, but the env files named before or after it are read (`node -v --env-file x`: `x: not found`).
   */
  | 'prints';

/** What a subcommand runs: the script after it, the code after it, each file operand (`deno test`), node's debugger, or bun's bundler. */
type Subcommand = 'run' | 'eval' | 'test' | 'inspect' | 'build';

/** How a JavaScript runtime reads its arguments (sources in the README, *shell*). */
interface JsCli {
  /** Long options (and node's `-pe`, a word of its own) that are no plain flag. */
  readonly long: ReadonlyMap<string, JsOption>;
  /** Short options that are no plain flag, by letter. */
  readonly short: ReadonlyMap<string, JsOption>;
  /** Whether short options run together (`-pe CODE` as `-p -e CODE`, `-Ac deno.json`): node and tsx read only `-pe`. */
  readonly clusters: boolean;
  /** First operands that name a subcommand. */
  readonly subcommands: ReadonlyMap<string, Subcommand>;
  /**
   * Whether an operand must look like a file to be the script: deno and bun run a task, a package.json script or a
   * subcommand of theirs by its bare name (`bun dev`, `deno task build`, `bun install`), nothing of the snippet's.
   */
  readonly fileOperand: boolean;
  /**
   * Packages' binaries it runs by their bare name, for the JavaScript runtimes among them (bun: `bun tsx a.ts` runs
   * node_modules/.bin/tsx; `bun node a.js` is `Script not found "node"`).
   */
  readonly bins?: ReadonlySet<string>;
  /** Whether the program is standard input when no operand names one (node's; deno and bun then open a REPL or help). */
  readonly stdinByDefault: boolean;
  /** Whether the files it loads are read in the directory its `cwd` option names (bun), or in the shell's (ts-node's `-r`). */
  readonly loadsInCwd: boolean;
  /**
   * Whether its subcommand is the first word not starting with `-`, an option's value included (bun's `which`):
   * `bun --cwd sub run x.ts` takes `sub` for it, then `run` for a script's name, and prints `bun run`'s usage.
   */
  readonly subcommandFirstWord: boolean;
  /**
   * Whether a bare test operand filters the test files found by their names (bun: `bun test a.test.ts` runs every
   * `*a.test.ts`; `x.js`, no test file's name, runs nothing): only a path (`./x.js`) or a test file's name is a file.
   */
  readonly testFilters: boolean;
  /**
   * Its test runner's own options, read only after its test subcommand and before its other tables (bun test's
   * `--timeout 100`, `-t NAME`; before `test` bun takes `--timeout` for a flag and `-t` for an invalid argument).
   */
  readonly testLong?: ReadonlyMap<string, JsOption>;
  readonly testShort?: ReadonlyMap<string, JsOption>;
  /**
   * Whether options end at its first test operand (node: `node --test a.js --x b.js` hands `--x` and `b.js` to the
   * test runner as patterns; bun and deno read options anywhere), and whether test files exclude inline code and
   * `--check` (node: `either --test or --eval can be used, not both`, and it exits).
   */
  readonly testsLikeNode: boolean;
  /**
   * Whether a single-dash word it does not know goes to V8, which reads `-flag` as `--flag` (node: `-expose-gc`,
   * `-stack-size=900`); tsx reads such a word's letters itself (`-expose-gc` leaves node `-xos-gc`) and exits.
   */
  readonly v8SingleDash: boolean;
  /** Whether the words after `--` are the tests' arguments (deno), not more test files (node, bun). */
  readonly testArgsAfterDashDash: boolean;
  /** Whether a short option word it does not know makes it exit (node: `-r./x.js` is a `bad option`). */
  readonly badShortOptionExits: boolean;
  /**
   * The letters its short options are made of, where a letter it does not know makes it exit (bun: `bun -t ./b.js`
   * is an `Invalid Argument '-t'`), and (`testLetters`) those of its test runner, read after its test subcommand.
   */
  readonly letters?: string;
  readonly testLetters?: string;
  /**
   * Letters it reads out of a single-dash word before node hands the rest to V8 (tsx: `e`, `h`, `p`, `v`): a word
   * holding one is mangled (`tsx -expose-gc` hands node `-xos-gc`, `-jitless` `-jitlss`) or prints its help or
   * version (`-harmony`): nothing runs.
   */
  readonly singleDashLetters?: RegExp;
  /** Subcommands it takes only as its first word (tsx's `watch`: after an option it is the script's name). */
  readonly firstWordSubcommands?: ReadonlySet<string>;
  /** Whether `_` in a long option's name is `-` (node: `--stack_size=1`, `--inspect_port 9229`). */
  readonly underscores: boolean;
  /**
   * Whether it loads its modules (`-r`, `--preload`) only for a program it runs: bun's for a package.json script,
   * a subcommand, its usage or help load none (bun 1.4.4; env files are read all the same); deno's load first.
   */
  readonly modulesNeedProgram: boolean;
}

/** An option table: each kind's option words, parted by blanks. */
function options(kinds: { readonly [K in JsOption]?: string }): ReadonlyMap<string, JsOption> {
  const m = new Map<string, JsOption>();
  for (const kind of Object.keys(kinds) as JsOption[]) {
    for (const o of kinds[kind]!.split(' ')) if (o !== '') m.set(o, kind);
  }
  return m;
}

/**
 * node 20–24's options that take the next word as a value (`node --help`, each `=...` but `-e`/`-p`, checked by a
 * test against the running node's help; `--inspect[=port]` takes its value after `=` only). `--experimental-config-file`
 * is a flag without `=` (node 24.22: it reads node.config.json and the next word is the script).
 */
const NODE_VALUE_OPTIONS =
  '--conditions --input-type --title --inspect-port --debug-port --inspect-publish-uid --allow-fs-read --allow-fs-write ' +
  '--build-snapshot-config --snapshot-blob --cpu-prof-dir --cpu-prof-interval --cpu-prof-name --heap-prof-dir --heap-prof-interval ' +
  '--heap-prof-name --diagnostic-dir --disable-proto --disable-warning --dns-result-order --experimental-default-type ' +
  '--experimental-policy --policy-integrity --experimental-sea-config --heapsnapshot-near-heap-limit --heapsnapshot-signal ' +
  '--icu-data-dir --localstorage-file --max-http-header-size --network-family-autoselection-attempt-timeout --openssl-config ' +
  '--redirect-warnings --report-dir --report-directory --report-filename --report-signal --secure-heap --secure-heap-min ' +
  '--test-concurrency --test-name-pattern --test-skip-pattern --test-reporter --test-reporter-destination --test-shard ' +
  '--test-timeout --test-isolation --experimental-test-isolation --test-global-setup --test-coverage-include ' +
  '--test-coverage-exclude --test-coverage-branches --test-coverage-functions --test-coverage-lines --test-random-seed ' +
  '--test-rerun-failures --experimental-test-tag-filter --experimental-package-map --tls-cipher-list --tls-keylog ' +
  '--trace-event-categories --trace-event-file-pattern --trace-require-module --unhandled-rejections --use-largepages ' +
  '--v8-pool-size --max-old-space-size-percentage --watch-path --watch-kill-signal';
/** V8's options with a value that are written on command lines (`node --v8-options`: type int, size_t, string …). */
const V8_VALUE_OPTIONS =
  '--stack-size --stack-trace-limit --max-old-space-size --max-semi-space-size --min-semi-space-size --max-heap-size ' +
  '--initial-heap-size --initial-old-space-size --random-seed --hash-seed --expose-gc-as --logfile --interrupt-budget';
const NODE_OPTIONS = {
  value: NODE_VALUE_OPTIONS,
  v8: V8_VALUE_OPTIONS,
  module: '--require',
  esm: '--import --loader --experimental-loader',
  file: '--env-file --env-file-if-exists',
  code: '--eval --print -pe',
  none: '--run',
  test: '--test',
  check: '--check',
  prints: '--version --help --v8-options',
} as const;
const NODE: JsCli = {
  long: options(NODE_OPTIONS),
  short: new Map([['r', 'module'], ['C', 'value'], ['e', 'code'], ['p', 'code'], ['c', 'check'], ['v', 'prints'], ['h', 'prints']]),
  clusters: false,
  subcommands: new Map([['inspect', 'inspect']]),
  fileOperand: false,
  stdinByDefault: true,
  loadsInCwd: false,
  subcommandFirstWord: false,
  testFilters: false,
  testArgsAfterDashDash: false,
  testsLikeNode: true,
  badShortOptionExits: true,
  v8SingleDash: true,
  underscores: true,
  modulesNeedProgram: false,
};
/**
 * tsx: node's options (it hands them to node), its own `--tsconfig`, and `watch` (with `--include`/`--exclude`/`--ignore`
 * globs); its loader finds modules without their extension (`--import ./setup` is setup.ts …), ESM ones too.
 */
const TSX: JsCli = {
  ...NODE,
  long: options({
    ...NODE_OPTIONS,
    value: `${NODE_VALUE_OPTIONS} --tsconfig --include --exclude --ignore`,
    module: `${NODE_OPTIONS.module} ${NODE_OPTIONS.esm}`,
    esm: '',
  }),
  subcommands: new Map([['watch', 'run'], ['inspect', 'inspect']]),
  // (tsx 4.23: `tsx --no-warnings watch a.ts` runs a script named watch: `Cannot find module`)
  firstWordSubcommands: new Set(['watch']),
  singleDashLetters: /[ehpv]/,
};
/**
 * ts-node 10 (the `arg` library: `--camelCase` and `--hyphen-case`, short flags run together); `-p` is a flag.
 * `--cwd` (`--dir`) is where it resolves the script, not its `-r` modules (resolved from the shell's directory).
 */
const TS_NODE: JsCli = {
  long: options({
    value:
      '--compiler --compilerOptions --compiler-options --project --ignoreDiagnostics --ignore-diagnostics --ignore --transpiler ' +
      '--scopeDir --scope-dir --experimentalSpecifierResolution --experimental-specifier-resolution',
    module: '--require',
    cwd: '--cwd --dir',
    code: '--eval',
    exit: '--help --version',
  }),
  short: new Map([
    ['r', 'module'], ['P', 'value'], ['O', 'value'], ['C', 'value'], ['I', 'value'], ['D', 'value'], ['e', 'code'], ['h', 'exit'], ['v', 'exit'],
  ]),
  clusters: true,
  subcommands: new Map(),
  fileOperand: false,
  stdinByDefault: true,
  loadsInCwd: false,
  subcommandFirstWord: false,
  testFilters: false,
  testArgsAfterDashDash: false,
  testsLikeNode: false,
  badShortOptionExits: false,
  v8SingleDash: false,
  underscores: false,
  modulesNeedProgram: false,
};
/**
 * deno 2 (clap; `deno run|test|serve|bench --help` of 2.9): permission flags, `--inspect`, `-r` take a value after
 * `=` only; `--env-file`/`--env` too, or read `.env`; `--preload`/`--import`/`--require` take a path, as the script.
 */
const DENO: JsCli = {
  long: options({
    value:
      '--config --import-map --importmap --cert --location --seed --ext --conditions --minimum-dependency-age --min-dep-age ' +
      '--cpu-prof-dir --cpu-prof-name --cpu-prof-interval --log-level --port --host --inspect-publish-uid --filter ' +
      '--coverage-threshold --reporter --junit-path --retry --repeats --shard --related --node-modules-linker',
    file: '--preload --import --require',
    env: '--env-file --env',
    optional: '--lock',
    // clap's help and version (`-V`; `-v` is its alias or an unknown flag: it exits either way).
    exit: '--help --version',
  }),
  short: new Map([['c', 'value'], ['L', 'value'], ['h', 'exit'], ['V', 'exit'], ['v', 'exit']]),
  clusters: true,
  subcommands: new Map([['run', 'run'], ['serve', 'run'], ['eval', 'eval'], ['test', 'test'], ['bench', 'test']]),
  fileOperand: true,
  stdinByDefault: false,
  loadsInCwd: false,
  subcommandFirstWord: false,
  testFilters: false,
  testArgsAfterDashDash: true,
  testsLikeNode: false,
  badShortOptionExits: false,
  v8SingleDash: false,
  underscores: false,
  modulesNeedProgram: false,
};
/**
 * bun (its clap): `-c`/`--config` take a value after `=` only (`bun -c ./a.js` runs a.js); `--inspect` its value after `=`;
 * `-r`/`--preload` a module (a bare name is a package: `bun --preload setup.ts` looks for it in the registry).
 */
const BUN: JsCli = {
  long: options({
    value:
      '--main-fields --extension-order --tsconfig-override --define --drop --loader --jsx-factory --jsx-fragment ' +
      '--jsx-import-source --jsx-runtime --cpu-prof-name --cpu-prof-dir --install --port --origin --conditions ' +
      '--fetch-preconnect --max-http-header-size --dns-result-order --title --unhandled-rejections --console-depth ' +
      '--user-agent --filter --shell --elide-lines',
    module: '--preload --require --import',
    file: '--env-file',
    cwd: '--cwd',
    code: '--eval --print',
    attached: '--config',
    exit: '--help --version',
  }),
  short: new Map([
    ['d', 'value'], ['l', 'value'], ['r', 'module'], ['u', 'value'], ['F', 'value'], ['c', 'attached'], ['e', 'code'], ['p', 'code'],
    ['h', 'exit'], ['v', 'exit'],
  ]),
  // bun 1.4.5, each letter tried: `-b` (`--bun`) and `-i` (auto-install) are flags; `bun test` has `-t`, no `-b`, `-v`, `-F`.
  letters: 'bcdehilpruvF',
  testLetters: 'cdehilprtu',
  clusters: true,
  subcommands: new Map([['run', 'run'], ['test', 'test'], ['build', 'build']]),
  fileOperand: true,
  bins: new Set(['tsx', 'ts-node']),
  stdinByDefault: false,
  loadsInCwd: true,
  subcommandFirstWord: true,
  testFilters: true,
  // `bun test`'s (`--bail`, `--parallel`, `--changed` take theirs after `=` only: `bun test --bail a.test.ts` runs it).
  testLong: options({
    value:
      '--timeout --rerun-each --retry --seed --coverage-reporter --coverage-dir --test-name-pattern --reporter ' +
      '--reporter-outfile --max-concurrency --path-ignore-patterns --parallel-delay --shard --timings',
  }),
  testShort: new Map([['t', 'value'], ['u', 'flag']]),
  testArgsAfterDashDash: false,
  testsLikeNode: false,
  badShortOptionExits: false,
  v8SingleDash: false,
  underscores: false,
  modulesNeedProgram: true,
};
const JS_CLIS: ReadonlyMap<string, JsCli> = new Map([['node', NODE], ['nodejs', NODE], ['tsx', TSX], ['ts-node', TS_NODE], ['deno', DENO], ['bun', BUN]]);

/**
 * What option word `w` (at `j`) does: the program it gives, the words it takes (`skip`), and what of the files
 * named before it the runtime still reads (`loads`; all when not given).
 */
interface OptionEffect {
  readonly program?: ProgramSource;
  readonly skip: number;
  /** Whether its operands are test files (node's `--test`). */
  readonly tests?: boolean;
  /** Whether it checks its script's syntax instead of running it (node's `--check`). */
  readonly check?: boolean;
  /** `nothing`: it exits first (a V8 option without its value); `env-files`: it loads no module (`node --run`). */
  readonly loads?: 'nothing' | 'env-files';
  /** Whether it prints help or a version once the options are read (`prints`). */
  readonly prints?: boolean;
}
const FLAG: OptionEffect = { skip: 0 };
const TAKES_NEXT: OptionEffect = { skip: 1 };
const EXITS: OptionEffect = { program: NONE, skip: 0, loads: 'nothing' };
/** `node --run build`: a package.json script run by a shell; node loads no `-r`/`--import` module (node 24.22), reads its env files. */
const RUNS_SCRIPT: OptionEffect = { program: NONE, skip: 0, loads: 'env-files' };
const DOT_ENV: RuntimeFile = { path: '.env' };
const RUNS_TESTS: OptionEffect = { skip: 0, tests: true };
const CHECKS: OptionEffect = { skip: 0, check: true };
const PRINTS: OptionEffect = { skip: 0, prints: true };

/**
 * Applies option `kind`, whose value may be attached at `offset` of word `j` (-1: none attached); the files and
 * directory it names go to `out`.
 */
function optionEffect(kind: JsOption | undefined, words: readonly string[], j: number, offset: number, cli: JsCli, out: RuntimeFiles | undefined): OptionEffect {
  if (kind === undefined) return FLAG;
  const next = j + 1 < words.length ? words[j + 1] : undefined;
  switch (kind) {
    case 'flag':
      return FLAG;
    case 'exit':
      return EXITS;
    case 'prints':
      return PRINTS;
    case 'code':
      if (offset >= 0) return { program: inline(j, offset), skip: 0 };
      return { program: next === undefined ? NONE : inline(j + 1, 0), skip: 1 };
    case 'none':
      return RUNS_SCRIPT;
    case 'test':
      return offset >= 0 ? FLAG : RUNS_TESTS;
    case 'check':
      return offset >= 0 ? FLAG : CHECKS;
    case 'v8':
      return offset >= 0 ? FLAG : EXITS;
    case 'value':
      return offset >= 0 ? FLAG : TAKES_NEXT;
    case 'attached':
      return FLAG;
    case 'optional':
      return offset >= 0 || next === undefined || next.charCodeAt(0) === 45 ? FLAG : TAKES_NEXT;
    case 'env':
      out?.files.push(offset >= 0 ? { index: j, offset, module: false, inCwd: cli.loadsInCwd } : DOT_ENV);
      return FLAG;
    default: {
      // A file or directory: the value after `=` (or the rest of a cluster), else the next word.
      if (offset < 0 && next === undefined) return FLAG;
      if (out !== undefined) {
        const index = offset >= 0 ? j : j + 1;
        const at = offset >= 0 ? offset : 0;
        if (kind === 'cwd') out.cwd = { index, offset: at };
        else out.files.push({ index, offset: at, module: kind === 'module' ? 'resolved' : kind === 'esm' ? 'exact' : false, inCwd: cli.loadsInCwd });
      }
      return offset >= 0 ? FLAG : TAKES_NEXT;
    }
  }
}

/**
 * V8's flags whose names start with `r` (node 20.20's `--v8-options`, checked by a test against the running node):
 * node reads one letter a short option word, so `-rfoo` is no `-r foo` but a word it hands to V8, which knows no
 * `--rfoo` (`bad option`): node exits. Names starting with other letters are not listed (`-expose-gc` is taken for
 * a flag, as an unknown `--name` is); `-r` is the option whose value is written attached.
 */
export const V8_R_FLAGS: ReadonlySet<string> = new Set(
  ('reset-interrupt-on-ic-update reset-ticks-on-ic-update reserve-inline-budget-scale-factor random-gc-interval retain-maps-for-n-gc ' +
    'reclaim-unmodified-wrappers randomize-all-allocations rehash-snapshot random-seed runtime-call-stats rcs rcs-cpu-time regexp-optimization ' +
    'regexp-interpret-all regexp-tier-up regexp-tier-up-ticks regexp-peephole-optimization regexp-backtracks-before-fallback ' +
    'regexp-possessive-quantifier redirect-code-traces redirect-code-traces-to').split(' '),
);
/** Characters of a word's source text (its value not known): an expansion or quotes. */
const UNKNOWN_WORD_RE = /[$`'"\\]/;
/**
 * A word V8 may take for one of its flags: `-name` or `-name=value`, the name lower-case letters, digits, `-` and
 * `_`, three characters at least (`opt`, `log`: V8 has none shorter), so `-e1`, `-ep`, `-r./x.js`, `-C=x` are none.
 */
const V8_FLAG_WORD_RE = /^-[a-z][a-z0-9_-]{2,}(?:=|$)/;

/** A long option (`--x`, `--x=v`; node's `-pe`), in `bun test`'s own table first when `inTest`. */
function longOption(cli: JsCli, words: readonly string[], j: number, out: RuntimeFiles | undefined, inTest: boolean): OptionEffect {
  const w = words[j]!;
  const eq = w.indexOf('=');
  let name = eq < 0 ? w : w.slice(0, eq);
  if (cli.underscores && name.includes('_')) name = name.replace(/_/g, '-');
  const kind = (inTest ? cli.testLong?.get(name) : undefined) ?? cli.long.get(name);
  return optionEffect(kind, words, j, eq < 0 ? -1 : eq + 1, cli, out);
}

/**
 * A single-dash word node does not read as its own (`-expose-gc`): node hands it to V8, which reads it as
 * `--expose-gc`; a name of node's own (`-require`, `-test`) or no flag's is a `bad option`: node exits. Which names
 * V8 has is not listed here: one that may be a flag's is taken for a flag, as an unknown `--name` is.
 */
function v8Word(cli: JsCli, words: readonly string[], j: number, out: RuntimeFiles | undefined): OptionEffect {
  const w = words[j]!;
  if (!cli.v8SingleDash || !V8_FLAG_WORD_RE.test(w)) return EXITS;
  const eq = w.indexOf('=');
  const name = '-' + (eq < 0 ? w : w.slice(0, eq)).replace(/_/g, '-');
  if (cli.singleDashLetters?.test(name) === true) return EXITS;
  // `-rfoo` is no `-r foo`: a V8 flag only when V8 has one of that name (`-rcs`), else a `bad option`.
  if (name.charCodeAt(2) === 114 /* r */ && !V8_R_FLAGS.has(name.slice(2))) return EXITS;
  const kind = cli.long.get(name);
  if (kind === 'v8') return optionEffect(kind, words, j, eq < 0 ? -1 : eq + 1, cli, out);
  return kind === undefined ? FLAG : EXITS;
}

/** Short options: `-e CODE`, and where they run together each letter (`-pe CODE`, `-Ac deno.json`, `-cdeno.json`). */
function shortOptions(cli: JsCli, words: readonly string[], j: number, out: RuntimeFiles | undefined, inTest: boolean): OptionEffect {
  const w = words[j]!;
  if (!cli.clusters) {
    if (w.length === 2) return optionEffect(cli.short.get(w[1]!), words, j, -1, cli, out);
    // node reads one letter a word (`-pe` aside): `-r./x.js`, `-e1`, `-C=x` are a `bad option` and it exits (a word
    // whose value is not known here, `-$X`, may be any option).
    if (cli.long.has(w) || !cli.badShortOptionExits || UNKNOWN_WORD_RE.test(w)) return longOption(cli, words, j, out, inTest);
    return v8Word(cli, words, j, out);
  }
  const letters = inTest ? cli.testLetters : cli.letters;
  for (let p = 1; p < w.length; p++) {
    const letter = w[p]!;
    if (letters !== undefined && !letters.includes(letter)) return EXITS; // `bun -t ./b.js`: `Invalid Argument '-t'`
    const kind = (inTest ? cli.testShort?.get(letter) : undefined) ?? cli.short.get(letter);
    if (kind === undefined || kind === 'flag') continue;
    // A letter with a value ends the cluster: the rest of the word (after a `=`) is its value, else the next word is.
    const attached = p + 1 < w.length ? (w.charCodeAt(p + 1) === 61 /* = */ ? p + 2 : p + 1) : -1;
    return optionEffect(kind, words, j, attached, cli, out);
  }
  return FLAG;
}

function jsProgram(name: string, words: readonly string[], out: RuntimeFiles | undefined): ProgramSource {
  const cli = JS_CLIS.get(name) ?? NODE;
  const program = jsArguments(cli, words, out);
  // (`tests` is not among them: a test run loads them)
  if ((program.kind === 'none' || program.kind === 'bin' || program.kind === 'build') && cli.modulesNeedProgram && out !== undefined) dropModules(out);
  return program;
}

/** Forgets the modules `out` lists (`-r ./x.js`): nothing runs that would load them. */
function dropModules(out: RuntimeFiles): void {
  let kept = 0;
  for (const f of out.files) if ('path' in f || f.module === false) out.files[kept++] = f;
  out.files.length = kept;
}

function jsArguments(cli: JsCli, words: readonly string[], out: RuntimeFiles | undefined): ProgramSource {
  let subcommand: Subcommand | undefined;
  // Inline code given by an option: the program once the options end (node's `inspect` as the first operand wins).
  let code: ProgramSource | undefined;
  let check = false;
  // node's `-v`, `-h`: it reads the rest of its options (their env files), then prints and exits.
  let prints = false;
  let optionsEnded = false;
  // bun's test runner drops its first operand, where the word `test` would be: not there when an option's value was it.
  let dropOperand = false;
  // Where the test files begin in `out.files` (node: every file after the first test operand is one).
  let firstTestFile = -1;
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--' && !optionsEnded) {
      if (prints) break;
      if (subcommand === 'test') {
        if (cli.testArgsAfterDashDash) return TESTS; // the words after it are the tests' arguments
        optionsEnded = true; // node, bun: more test files
        continue;
      }
      // node reads its `inspect` after `--` too (`node -- inspect app.js`).
      if (subcommand === undefined && j + 1 < words.length && cli.subcommands.get(words[j + 1]!) === 'inspect') return inspectProgram(words, j + 1);
      return code ?? jsOperand(cli, words, j + 1, subcommand);
    }
    if (!optionsEnded && w.length > 1 && w.charCodeAt(0) === 45 /* - */) {
      const inTest = subcommand === 'test';
      const effect = w.charCodeAt(1) === 45 ? longOption(cli, words, j, out, inTest) : shortOptions(cli, words, j, out, inTest);
      if (effect.program !== undefined) {
        if (effect.program.kind !== 'inline') {
          if (effect.loads === 'nothing' && out !== undefined) out.files.length = 0;
          else if (effect.loads === 'env-files' && out !== undefined) dropModules(out);
          return effect.program;
        }
        code ??= effect.program;
      }
      if (effect.check === true) check = true;
      if (effect.prints === true) prints = true;
      if (effect.tests === true && subcommand === undefined) subcommand = 'test';
      // bun takes the option's value for its subcommand: `bun --cwd test x.js` is `bun test` (in test/), x.js dropped.
      if (effect.skip > 0 && subcommand === undefined && cli.subcommandFirstWord) {
        subcommand = subcommandOf(cli, words[j + 1]) ?? 'run';
        // `bun --cwd build ./x.js`: `bun build` in build/, no operand dropped (bun 1.4.5).
        if (subcommand === 'build' && code === undefined) return { kind: 'build', index: j + 2 };
        dropOperand = subcommand === 'test';
      }
      j += effect.skip;
      continue;
    }
    if (prints) break; // the options end here: what follows is not read
    if (subcommand === 'test') {
      if (dropOperand) {
        dropOperand = false;
        continue;
      }
      // node hands every word after its first test operand to the test runner: patterns, options among them.
      if (cli.testsLikeNode) optionsEnded = true;
      // `deno test a_test.ts --filter x b_test.ts`: every file operand (directories, globs, and words after the
      // options that look like options are not files).
      if (out !== undefined && w.charCodeAt(0) !== 45 && isTestFile(cli, w)) {
        if (firstTestFile < 0) firstTestFile = out.files.length;
        out.files.push({ index: j, offset: 0, module: false, inCwd: true });
      }
      continue;
    }
    if (subcommand === undefined) {
      subcommand = j > 0 && cli.firstWordSubcommands?.has(w) === true ? undefined : cli.subcommands.get(w);
      if (subcommand === 'inspect') return inspectProgram(words, j);
      if (subcommand === 'build' && code === undefined) return { kind: 'build', index: j + 1 };
      if (subcommand !== undefined && code === undefined) continue;
      subcommand = 'run'; // the first operand names no subcommand: it is the script
    }
    return code ?? jsOperand(cli, words, j, subcommand);
  }
  if (prints) {
    // Nothing runs: no module is loaded and no test file read; the env files were.
    if (out !== undefined) {
      if (firstTestFile >= 0) out.files.length = firstTestFile;
      dropModules(out);
    }
    return NONE;
  }
  if (subcommand === 'test' && cli.testsLikeNode && (code !== undefined || check)) {
    // `node -e 1 --test`: `either --test or --eval can be used, not both` (`--check` too); its env files were read.
    if (out !== undefined) {
      if (firstTestFile >= 0) out.files.length = firstTestFile;
      dropModules(out);
    }
    return NONE;
  }
  if (code !== undefined) return code;
  if (subcommand === 'test') return TESTS;
  return subcommand === undefined && cli.stdinByDefault ? STDIN : NONE;
}

/** The subcommand word `w` names for `cli` (`run`, `test`), if any. */
function subcommandOf(cli: JsCli, w: string | undefined): Subcommand | undefined {
  return w === undefined ? undefined : cli.subcommands.get(w);
}

/** A test file's name as bun finds them: `.test.`, `_test_`, `.spec.` or `_spec_` in it. */
const TEST_FILE_NAME_RE = /\.test\.|_test_|\.spec\.|_spec_/;
/** A path as bun's test runner reads one (not a filter): `./x`, `../x`, `/x`. */
const PATH_START_RE = /^\.{0,2}\//;

/** Whether test operand `w` is a file run (not a directory, a glob, or a filter matching no test file's name). */
function isTestFile(cli: JsCli, w: string): boolean {
  if (!isPathLike(w) || extensionOf(w) === '') return false;
  return !cli.testFilters || PATH_START_RE.test(w) || TEST_FILE_NAME_RE.test(basename(w));
}

/** `HOST:PORT` after `node inspect`: a debugger attached to a running process. */
const HOST_PORT_RE = /^[^:]+:[0-9]+$/;

/**
 * `node inspect [--port=N] SCRIPT` runs SCRIPT under the debugger; `node inspect -p PID` and `node inspect HOST:PORT`
 * attach to a process running elsewhere, `node inspect` alone prints its usage: nothing of the snippet's.
 */
function inspectProgram(words: readonly string[], j: number): ProgramSource {
  let k = j + 1;
  if (k < words.length && words[k]!.startsWith('--port=')) k++;
  const w = words[k];
  if (w === undefined || w.charCodeAt(0) === 45 /* - */ || HOST_PORT_RE.test(w)) return NONE;
  return { kind: 'script', index: k };
}

/** The operand at `j` as the program: the code after `eval`, else the script (standard input for `-`). */
function jsOperand(cli: JsCli, words: readonly string[], j: number, subcommand: Subcommand | undefined): ProgramSource {
  if (j >= words.length) return cli.stdinByDefault && subcommand === undefined ? STDIN : NONE;
  if (subcommand === 'eval') return inline(j, 0);
  const w = words[j]!;
  if (cli.fileOperand && w !== '-' && !isPathLike(w)) return cli.bins?.has(w) === true ? { kind: 'bin', index: j } : NONE;
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
