/**
 * Files a shell script writes and reads, from its simple commands.
 *
 * Writes: `>`, `>>`, `>|`, `&>`, `N>` redirections (not `2>&1`, not
 * `/dev/null`), `tee [-a] f...`, the destination of `cp`/`mv`, `touch f...`,
 * `curl -o f`/`--output f`/`-O` (the URL's file name), `wget -O f` (or the
 * URL's file name), `tar -cf f`, `zip f ...`, `dd of=f`. `mkdir` makes a
 * directory, not a file.
 * Reads: `< f`, `cat/head/tail/less/more/wc f...`, `source f`/`. f`, the
 * sources of `cp`/`mv`, scripts run by `python/bash/sh/node f`, `tar -xf f`,
 * `unzip f`, `dd if=f`, `pip install -r f`, `curl -T f`/`-d @f`.
 *
 * `NAME=value` assignments with a literal value are substituted into later
 * words (`OUT=res.txt; echo > "$OUT"`); anything else unknown (`$(...)`,
 * `$1`, globs) makes the word unresolved and it is skipped. Here-documents
 * and `-c` strings fed to `python`/`node`/`bash` are analysed as code in
 * that language by the `embedded` callback, and so is a here-document `cat`
 * pipes into one that reads its program from standard input (`shell-stdin.ts`);
 * where the program comes from is read from the interpreter's arguments as it
 * reads them (`shell-interpreters.ts`), with the files a runtime loads first
 * (`node -r ./setup.js`, `--env-file .env`). Wrappers, environment runners and
 * package managers are passed over to the command they run (`sudo`, `env`,
 * `uv run`, `npx`, `npm exec`, `pnpm dlx`, `yarn node`, `bun x`, `bun tsx`; `bun build`:
 * `shell-bun-build.ts`); a shell
 * string one runs (`npx -c CMD`) is handed on as shell code, and a directory
 * one names (`env -C sub`, `bun --cwd sub`) is where the command's relative
 * paths are (`InDir`). An unquoted here-document's body is
 * expanded first, as bash does (`shell-heredoc.ts`), within the script's
 * expansion budget (`ExpansionBudget`).
 */
import type { FileSink } from './python-files.js';
import { basename, extensionOf, isAbsolutePath, toFilePath } from './paths.js';
import { MAX_VALUE_CHARS } from './evaluate.js';
import { catPipedHeredoc, heredocOf, heredocText, stdinRedirect, type ExpansionBudget, type Heredoc } from './shell-stdin.js';
import { programSource, type InterpreterLanguage, type RuntimeFile, type RuntimeFiles } from './shell-interpreters.js';
import { bunBuildArguments, outdirBundles } from './shell-bun-build.js';
import { lexShell, wordText, type ShellCommand, type ShellWord } from './lexer-shell.js';
import { WordSet } from './word-set.js';

/** Called for code embedded in the script (heredoc or `-c` string) with its language. */
export type EmbeddedCode = (code: string, language: 'python' | 'javascript' | 'shell') => void;

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;
const optionSet = (list: string): ReadonlySet<string> => new Set(list.split(' '));

/** How a wrapper's options are read (`sudo -u bob`, `env -C dir`, `npx -c CMD`); sources in the README, *shell*. */
interface WrapperOptions {
  /** Options that take the next word as their value (also written `--opt=value`: one word). */
  readonly value: ReadonlySet<string>;
  /** Options naming the directory the command runs in (`env -C sub`, `sudo -D`, `bunx --cwd`); the last one given wins. */
  readonly dir?: ReadonlySet<string>;
  /** Whether each directory option changes directory from the one before (bunx: `--cwd a --cwd b` runs in a/b). */
  readonly nestedDirs?: boolean;
  /** Options running the command in a directory not known here (`npm -w PKG`: that workspace's; `pnpm -r`: each package's). */
  readonly elsewhere?: ReadonlySet<string>;
  /** Options whose value is a shell command run instead of a command's words (`npx -c 'node a.js'`). */
  readonly shell?: ReadonlySet<string>;
  /** Flags making the command's words one shell command (pnpm's `-c`/`--shell-mode`). */
  readonly shellMode?: ReadonlySet<string>;
  /** Options naming a file the wrapper reads (`bunx --env-file .env`). */
  readonly file?: ReadonlySet<string>;
  /** Whether a duration is an option too (`timeout 60 python x.py`). */
  readonly duration?: boolean;
  /**
   * Where given, the flags it knows (each `--no-` form too, and `--config.*`): an option word in none of its tables
   * makes it exit, running nothing (pnpm: `unexpected argument '--foo' found`).
   */
  readonly flags?: ReadonlySet<string>;
  /** Options that print its help or version and exit (`pnpm -h node a.js`). */
  readonly exits?: ReadonlySet<string>;
  /**
   * Where given, the letters of the short options it knows, each a word of its own (no clusters): another
   * single-dash word makes it exit (bunx: `bunx has no -t flag`; `-bv` too). Its long options are not checked.
   */
  readonly letters?: string;
}
const NO_OPTIONS_OF_ITS_OWN: WrapperOptions = { value: new Set() };
/** npm's (`npm exec`, `npm x`) and npx's: `npx [options] <command>[@version] [args]`; `-c CMD` runs a shell string. */
const NPM_OPTIONS: WrapperOptions = {
  value: optionSet('-p --package -c --call -w --workspace --registry --cache --prefix --userconfig --loglevel --node-options --shell'),
  shell: optionSet('-c --call'),
  elsewhere: optionSet('-w --workspace --workspaces -ws'),
};
/**
 * bunx's (`bunx --help` of bun 1.4); bun 1.4.5 exits on a short option word it does not know (each letter tried:
 * it passes over npm's `-y`, `-q` …), but takes npm's long options (`--yes`, `--loglevel=x`), so those are not checked.
 */
const BUNX_OPTIONS: WrapperOptions = {
  value: optionSet('-p --package --cwd --env-file --minimum-release-age --registry --ca --cafile'),
  dir: optionSet('--cwd'),
  nestedDirs: true,
  file: optionSet('--env-file'),
  exits: optionSet('-h --help'),
  letters: 'abcdfglnpqsvyBDEHOPS',
};
/**
 * pnpm's before its subcommand: `-C`/`--dir` (`--prefix`, npm's spelling) is where `exec` runs (not `dlx`); `-r`,
 * `--filter` run in packages' directories. pnpm 12.26 exits on an option it does not know (`pnpm --foo node a.js`,
 * `pnpm -z exec …`): its `--help`'s options and the settings it takes there, each tried (`--ignore-scripts`,
 * `--package-import-method copy`, …); pnpm 10's `-c`/`--shell-mode` and `--workspace-dir` are kept.
 */
const PNPM_OPTIONS: WrapperOptions = {
  value: optionSet(
    '-C --dir --prefix --filter -F --filter-prod --reporter --loglevel --workspace-dir --test-pattern --changed-files-ignore-pattern ' +
      '--store-dir --store --state-dir --npmrc-auth-file --workspace-packages --registry --https-proxy --http-proxy --no-proxy ' +
      '--workspace-concurrency --env-file --lockfile-dir --virtual-store-dir --modules-dir --package-import-method --node-linker ' +
      '--public-hoist-pattern --hoist-pattern --child-concurrency --global-dir --cache-dir --userconfig --resume-from --local-address ' +
      '--minimum-release-age --merge-git-branch-lockfiles-branch-pattern',
  ),
  dir: optionSet('-C --dir --prefix'),
  elsewhere: optionSet('-r --recursive --filter -F --filter-prod -w --workspace-root'),
  shellMode: optionSet('-c --shell-mode'),
  flags: optionSet(
    '-y --yes --ignore-workspace --color --progress --stream --aggregate-output --use-stderr --fail-if-no-match ' +
      '--include-workspace-root --sort --reverse --parallel -s --silent --sequential --ignore-scripts --frozen-lockfile ' +
      '--prefer-frozen-lockfile --offline --prefer-offline --shamefully-hoist --strict-peer-dependencies --side-effects-cache ' +
      '--dangerously-allow-all-builds --unsafe-perm --hoist --lockfile-only --lockfile --shared-workspace-lockfile ' +
      '--link-workspace-packages --prefer-workspace-packages --verify-store-integrity --optimistic-repeat-install ' +
      // (review, 2026-12-07: settings pnpm 12.26 takes that its `--help` does not list, each tried)
      '--bail --report-summary --reporter-hide-prefix --engine-strict --ignore-pnpmfile --strict-ssl --save-workspace-protocol ' +
      '--side-effects-cache-readonly --virtual-store-only --lockfile-include-tarball-url',
  ),
  exits: optionSet('-h --help -v --version'),
};
/** `pnpm dlx`'s (and pnpx's). */
const PNPM_DLX_OPTIONS: WrapperOptions = { value: optionSet('--package --allow-build --reporter'), shellMode: optionSet('-c --shell-mode') };
/** yarn's before its subcommand (1 and 4): `--cwd` is where its command runs. */
const YARN_OPTIONS: WrapperOptions = { value: optionSet('--cwd'), dir: optionSet('--cwd') };
const YARN_DLX_OPTIONS: WrapperOptions = { value: optionSet('-p --package') };
/** Wrappers that run the command after their options (`sudo -u postgres cp …`, `nice -n 10`): their value options. */
const WRAPPERS: ReadonlyMap<string, WrapperOptions> = new Map([
  ['sudo', {
    value: optionSet('-u -g -p -C -D -r -t -U -T -R --user --group --prompt --chdir --close-from --role --type --other-user --command-timeout --chroot'),
    dir: optionSet('-D --chdir'),
  }],
  ['env', { value: optionSet('-u --unset -C --chdir'), dir: optionSet('-C --chdir') }],
  ['nice', { value: optionSet('-n --adjustment') }],
  ['timeout', { value: optionSet('-s --signal -k --kill-after'), duration: true }],
  ['stdbuf', { value: optionSet('-i -o -e --input --output --error') }],
  ['exec', { value: optionSet('-a') }],
  ['npx', NPM_OPTIONS],
  ['bunx', BUNX_OPTIONS],
  ['pnpx', PNPM_DLX_OPTIONS],
]);
/** Runners of packages' commands: a command may name a version (`npx tsx@4.7.0`). */
const PACKAGE_RUNNERS = new Set(['npx', 'bunx', 'pnpx']);
/** Package managers that run a command through a subcommand (`npm exec`, `pnpm dlx`, `yarn node`, `bun x`). */
const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'];
const PREFIX_COMMANDS = new WordSet([
  'sudo', 'time', 'nohup', 'command', 'exec', 'builtin', 'nice', 'stdbuf', 'timeout', 'env', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!',
  ...PACKAGE_RUNNERS, ...PACKAGE_MANAGERS,
]);
/**
 * Environment runners whose `run` subcommand runs a command in an environment:
 * `uv run python x.py`, `poetry run pytest`, `conda run -n env python x.py`;
 * the command is what they run (`uv run x.py` runs a script).
 */
const RUNNERS = new WordSet(['uv', 'poetry', 'pipenv', 'conda', 'mamba', 'micromamba', 'pdm', 'hatch', 'rye', 'pixi']);
/** Options of the runners (before or after `run`) that take a value (the next word): skipped with it. */
const RUNNER_VALUE_OPTIONS = new Set([
  '-n', '--name', '-p', '--prefix', '--cwd', '--with', '--with-requirements', '--python', '--project', '--directory',
  '--package', '--group', '--extra', '--env-file', '--index', '--from', '-C', '-P', '-e', '--env', '--environment',
  '-w', '--with-editable', '--index-url', '--extra-index-url', '--default-index', '--find-links', '-f', '--only-group', '--no-group',
  '--no-extra', '--exclude-newer', '--config-file', '--cache-dir', '--color', '--allow-insecure-host', '--python-preference', '-a', '--attach',
]);
/**
 * The runners' options naming the directory the command runs in: uv's `--directory` (before or after `run`; its
 * `--project` changes no directory), conda's, mamba's and micromamba's `run --cwd`, poetry 2's `-C`/`--directory`.
 */
const RUNNER_DIR_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['uv', optionSet('--directory')],
  ['conda', optionSet('--cwd')],
  ['mamba', optionSet('--cwd')],
  ['micromamba', optionSet('--cwd')],
  ['poetry', optionSet('-C --directory')],
]);
const GREPS = new Set(['grep', 'egrep', 'fgrep']);
const READ_ALL_COMMANDS = new Set(['cat', 'less', 'more', 'wc', 'nl', 'tac', 'head', 'tail', 'md5sum', 'sha256sum', 'sha1sum', 'uniq', 'sort', 'cut', 'paste', 'diff', 'cmp']);
/**
 * Interpreters whose code is analysed (`-c` strings, heredocs). A Map, not an
 * object: a property lookup with a sliced word costs more, and found inherited
 * members (`toString a.txt` was read as running a script).
 */
const INTERPRETERS: ReadonlyMap<string, InterpreterLanguage> = new Map([
  ['python', 'python'], ['python3', 'python'], ['python2', 'python'], ['ipython', 'python'], ['pypy', 'python'], ['pypy3', 'python'],
  ['node', 'javascript'], ['nodejs', 'javascript'], ['deno', 'javascript'], ['bun', 'javascript'], ['tsx', 'javascript'], ['ts-node', 'javascript'],
  ['bash', 'shell'], ['sh', 'shell'], ['zsh', 'shell'], ['dash', 'shell'], ['ksh', 'shell'],
]);
/** Interpreters whose script argument is read but whose code is not analysed. */
const OTHER_INTERPRETERS = new Set(['Rscript', 'ruby', 'perl', 'julia', 'php', 'lua']);
const NO_OPTIONS: ReadonlySet<string> = new Set();
const TOUCH_OPTIONS: ReadonlySet<string> = new Set(['-t', '-d', '-r']);
const CP_OPTIONS: ReadonlySet<string> = new Set(['-t', '-S', '--suffix']);
const ZIP_OPTIONS: ReadonlySet<string> = new Set(['-x', '-i']);
const UNZIP_OPTIONS: ReadonlySet<string> = new Set(['-d', '-x']);
/** Options that take a value, for the commands whose operands are all input files. */
const READ_VALUE_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['head', new Set(['-n', '-c'])],
  ['tail', new Set(['-n', '-c'])],
  ['sort', new Set(['-o', '-k', '-t', '-S', '-T', '--output'])],
  ['cut', new Set(['-d', '-f', '-c', '-b'])],
]);
const PROGRAM_FIRST_SPEC: Record<string, { valueOptions: readonly string[]; programOptions: readonly string[] }> = {
  grep: { valueOptions: ['-m', '-A', '-B', '-C', '--max-count', '--include', '--exclude'], programOptions: ['-e', '-f', '--regexp', '--file'] },
  egrep: { valueOptions: ['-m', '-A', '-B', '-C'], programOptions: ['-e', '-f'] },
  fgrep: { valueOptions: ['-m', '-A', '-B', '-C'], programOptions: ['-e', '-f'] },
  rg: { valueOptions: ['-m', '-A', '-B', '-C', '-g', '-t', '--glob', '--type'], programOptions: ['-e', '-f', '--regexp'] },
  awk: { valueOptions: ['-F', '-v'], programOptions: ['-f'] },
  gawk: { valueOptions: ['-F', '-v'], programOptions: ['-f'] },
  sed: { valueOptions: [], programOptions: ['-e', '-f', '--expression', '--file'] },
  jq: { valueOptions: ['--arg', '--argjson', '--slurpfile', '--rawfile', '--indent'], programOptions: ['-f', '--from-file'] },
};
/** Filters whose first operand is a program/pattern and the rest are input files (sets built once). */
const PROGRAM_FIRST: ReadonlyMap<string, { programOptions: ReadonlySet<string>; allOptions: ReadonlySet<string> }> = new Map(
  Object.entries(PROGRAM_FIRST_SPEC).map(([k, v]) => [k, { programOptions: new Set(v.programOptions), allOptions: new Set([...v.valueOptions, ...v.programOptions]) }]),
);
/** Commands with a rule below (interpreters included); everything else only contributes its redirections. */
const HANDLED_COMMANDS = new WordSet([
  'export', 'declare', 'local', 'readonly', 'tee', 'touch', 'cp', 'mv', 'source', '.', 'curl', 'wget', 'tar', 'zip', 'unzip', 'dd', 'pip', 'pip3', 'uv',
  ...OTHER_INTERPRETERS, ...PROGRAM_FIRST.keys(), ...READ_ALL_COMMANDS, ...INTERPRETERS.keys(),
]);
const VERSIONED_PYTHON_RE = /^python[0-9.]+$/;
const URL_RE = /^(?:https?|ftp):\/\/[^\s]+$/;

/** Where file paths go: the script's sets, or a command's view of them from the directory it runs in (`InDir`). */
interface PathSet {
  add(path: string | undefined): void;
  readonly full: boolean;
}
interface Sinks {
  readonly read: PathSet;
  readonly written: PathSet;
}

/**
 * The paths a command names, seen from the shell: a relative one is in `dir` (`env -C sub cat a.txt` reads
 * sub/a.txt), an absolute one is itself. In a directory not known here (`undefined`) a relative path is unknown.
 */
class InDir implements PathSet {
  constructor(
    private readonly set: PathSet,
    private readonly dir: string | undefined,
  ) {}
  get full(): boolean {
    return this.set.full;
  }
  add(path: string | undefined): void {
    if (path === undefined) return;
    // `/x`, `~/x` and `C:/x` name the same file from any directory; `~/../x` stays under `~` when joined.
    if (isAbsolutePath(path)) this.set.add(path);
    else if (this.dir !== undefined) this.set.add(toFilePath(this.dir + '/' + path));
  }
}

/** `sink` seen from directory `dir` (relative to the directory `sink` is in; `undefined` or empty: not known). */
function inDir(sink: Sinks, dir: string | undefined): Sinks {
  const d = dir === undefined || dir === '' ? undefined : dir;
  return { read: new InDir(sink.read, d), written: new InDir(sink.written, d) };
}

/** What wrappers' and runners' options name: directories the command runs in, shell code it runs instead, files read. */
interface Found {
  /**
   * Directories, each relative to the one before (`undefined`: not known here). A tool changes directory once,
   * to the last one its options name (GNU env, sudo, pnpm, conda, poetry, uv), so each option's replaces the one
   * before, but bunx's nest (`nestedDirs`).
   */
  dirs: (string | undefined)[] | undefined;
  /** Whether an option runs the command in directories not known here (`pnpm -r`, `npm -w PKG`). */
  elsewhere: boolean;
  /** A shell command run instead of the words after the options (`npx -c CMD`): its value and its length in the script. */
  shell: { readonly code: string | undefined; readonly raw: number } | undefined;
  /** Whether the command's words are joined into one shell command (pnpm's `-c`). */
  shellMode: boolean;
  /** Files read (`bunx --env-file .env`, `uv run --env-file .env`), in the directory the command runs in. */
  files: (string | undefined)[] | undefined;
  /** Whether an option makes the tool exit before it runs the command (`pnpm --foo`, `pnpm -h`). */
  exits: boolean;
}

function newFound(): Found {
  return { dirs: undefined, elsewhere: false, shell: undefined, shellMode: false, files: undefined, exits: false };
}
/** For options that name nothing (`namesSomething`): never written to (frozen: a write would throw). */
const NOTHING_FOUND: Found = Object.freeze(newFound());
function namesSomething(o: WrapperOptions): boolean {
  return (
    o.dir !== undefined || o.elsewhere !== undefined || o.shell !== undefined || o.shellMode !== undefined || o.file !== undefined ||
    o.flags !== undefined || o.exits !== undefined || o.letters !== undefined
  );
}

/** Sets `found`'s directories and files in `sink`: the sink the command's own files go to. */
function applyFound(found: Found, sink: Sinks): Sinks {
  if (found.elsewhere) sink = inDir(sink, undefined);
  if (found.dirs !== undefined) for (const d of found.dirs) sink = inDir(sink, d);
  if (found.files !== undefined) for (const f of found.files) addPath(sink.read, f);
  return sink;
}

const DURATION_RE = /^[0-9.]+[smhd]?$/;

/**
 * Reads a wrapper's options from word `j` (as `options` says; assignments, `sudo A=1`, and a timeout's duration
 * are passed over too) and returns the index of the first word after them; what they name goes to `found`.
 */
function readOptions(words: readonly ShellWord[], j: number, options: WrapperOptions, vars: ReadonlyMap<string, string>, found: Found): number {
  while (j < words.length) {
    const r = wordText(words[j]!);
    if (r === '--') return j + 1;
    if (!(r.startsWith('-') || isAssignment(r) || (options.duration === true && DURATION_RE.test(r)))) break;
    const eq = r.startsWith('--') ? r.indexOf('=') : -1;
    const name = eq > 0 ? r.slice(0, eq) : r;
    const next = eq > 0 ? j + 1 : options.value.has(name) ? j + 2 : j + 1;
    if (options.letters !== undefined && (options.exits?.has(name) === true || !knownLetter(options.letters, options.value, r))) {
      found.exits = true;
      return j;
    }
    if (options.flags !== undefined && !knownOption(options, name)) {
      // Short options run together (`pnpm -ys`, `-Csub`): each letter read.
      const after = r.length > 2 && r.charCodeAt(1) !== 45 /* - */ ? readCluster(words, j, options, vars, found) : -1;
      if (after < 0) {
        found.exits = true;
        return j;
      }
      j = after;
      continue;
    }
    if (options.dir?.has(name) === true || options.file?.has(name) === true) {
      // The value: after `=`, else the next word.
      const value = eq > 0 ? pathAfter(words[j]!, eq + 1, vars) : pathValue(words[j + 1], vars);
      if (options.dir?.has(name) === true) setDir(found, value, options.nestedDirs === true);
      else (found.files ??= []).push(value);
    } else if (options.shell?.has(name) === true) {
      const code = eq > 0 ? wordValue(words[j], vars)?.slice(eq + 1) : wordValue(words[j + 1], vars);
      found.shell = { code, raw: eq > 0 ? r.length - eq - 1 : j + 1 < words.length ? wordText(words[j + 1]!).length : 0 };
    } else if (options.elsewhere?.has(name) === true) found.elsewhere = true;
    else if (options.shellMode?.has(name) === true) found.shellMode = true;
    j = next;
  }
  return j;
}

/**
 * A cluster of short options (`-ys`, `-rC sub`, `-Csub`) of a tool exiting on options it does not know: the index
 * after it, or -1 when it holds a letter the tool does not know or one that exits (`-yh`). A letter with a value ends
 * it: the rest of the word, else the next word.
 */
function readCluster(words: readonly ShellWord[], j: number, options: WrapperOptions, vars: ReadonlyMap<string, string>, found: Found): number {
  const r = wordText(words[j]!);
  for (let p = 1; p < r.length; p++) {
    const o = '-' + r[p];
    if (!knownOption(options, o)) return -1;
    if (options.value.has(o)) {
      const attached = p + 1 < r.length;
      // `-C=sub` is `-C sub`: clap drops the `=` of an attached value.
      const at = r.charCodeAt(p + 1) === 61 /* = */ ? p + 2 : p + 1;
      if (options.dir?.has(o) === true) setDir(found, attached ? pathAfter(words[j]!, at, vars) : pathValue(words[j + 1], vars), options.nestedDirs === true);
      if (options.elsewhere?.has(o) === true) found.elsewhere = true;
      return attached ? j + 1 : j + 2;
    }
    if (options.elsewhere?.has(o) === true) found.elsewhere = true;
    else if (options.shellMode?.has(o) === true) found.shellMode = true;
  }
  return j + 1;
}

/**
 * Whether option word `r` (not `--x`, an assignment, a duration) is a short option of `letters`: `-y`, or a value's
 * `-p=tsx` (bunx; `-pnode`, `-bv` are no option of its).
 */
function knownLetter(letters: string, value: ReadonlySet<string>, r: string): boolean {
  if (r.length < 2 || r.charCodeAt(0) !== 45 /* - */ || r.charCodeAt(1) === 45) return true;
  if (r.length === 2) return letters.includes(r[1]!);
  return r.charCodeAt(2) === 61 /* = */ && value.has(r.slice(0, 2));
}

/** Whether a tool exiting on options it does not know (`flags`) knows option `name` (`--x` of `--x=v`; assignments, durations). */
function knownOption(o: WrapperOptions, name: string): boolean {
  if (name.charCodeAt(0) !== 45 /* - */) return true;
  if (o.exits?.has(name) === true) return false;
  if (o.flags!.has(name) || o.value.has(name) || o.elsewhere?.has(name) === true || o.shellMode?.has(name) === true) return true;
  return name.startsWith('--no-') ? o.flags!.has('--' + name.slice(5)) : name.startsWith('--config.');
}

/** A directory option's value: the one directory the command runs in, or (`nested`) one more below the last. */
function setDir(found: Found, value: string | undefined, nested: boolean): void {
  if (nested && found.dirs !== undefined) found.dirs.push(value);
  else found.dirs = [value];
}

/** The JavaScript runtimes yarn runs as a dependency's binary (`yarn tsx a.ts`, `yarn run tsx a.ts`) or its own `yarn node`. */
const YARN_RUNTIMES = new Set(['node', 'tsx', 'ts-node']);

/** Where a package manager's command starts (at `start`), its options (`undefined`: none of its own), whether it names packages. */
interface ManagerCommand {
  readonly start: number;
  readonly options: WrapperOptions | undefined;
  readonly packages: boolean;
}

/**
 * The command package manager `pm` (at `k`) runs, its options before the subcommand read into `found`:
 * `npm [opts] exec|x [opts] [--] CMD`; `pnpm [opts] exec [--] CMD` (every word after `exec` is the command's),
 * `pnpm [opts] dlx [opts] CMD`, `pnpm [opts] CMD` for an interpreter (a script of that name aside, pnpm runs it as `exec`
 * does); `yarn [--cwd D] exec CMD | dlx [opts] CMD | node ARGS | run BIN | BIN` (a runtime's binary);
 * `bun [flags] x [opts] CMD` (bun takes the first word not starting with `-` for its subcommand). `undefined`: it
 * runs none of the snippet's commands (`npm run build`, `pnpm install`, `yarn run node`: no such binary).
 */
function managerCommand(pm: string, words: readonly ShellWord[], k: number, vars: ReadonlyMap<string, string>, found: Found): ManagerCommand | undefined {
  const n = words.length;
  const text = (j: number): string => (j < n ? wordText(words[j]!) : '');
  if (pm === 'bun') {
    let j = k + 1;
    while (j < n && text(j).startsWith('-')) j++;
    if (text(j) !== 'x') return undefined;
    // bunx reads the words before `x` as its options too; where `x` was an option's value (`bun --cwd x tsx a.ts`),
    // it drops its first operand, where the word `x` would be, and runs the next (bun 1.4.5: the package `a.ts`).
    const after = readOptions(words, k + 1, BUNX_OPTIONS, vars, found);
    if (found.exits) return undefined; // `bun -t x node a.js`: `bunx has no -t flag`
    return { start: after + 1, options: BUNX_OPTIONS, packages: true };
  }
  if (pm === 'npm') {
    const j = readOptions(words, k + 1, NPM_OPTIONS, vars, found);
    const sub = text(j);
    return sub === 'exec' || sub === 'x' ? { start: j + 1, options: NPM_OPTIONS, packages: true } : undefined;
  }
  if (pm === 'pnpm') {
    const j = readOptions(words, k + 1, PNPM_OPTIONS, vars, found);
    if (found.exits) return undefined; // `unexpected argument '--foo' found`: nothing runs
    const sub = text(j);
    // `pnpm [opts] node a.js`: a command no script or pnpm command is named after is run as `pnpm exec` runs it.
    if (INTERPRETERS.has(sub)) return { start: j, options: undefined, packages: false };
    if (sub === 'exec') return { start: text(j + 1) === '--' ? j + 2 : j + 1, options: undefined, packages: false };
    if (sub !== 'dlx') return undefined;
    // dlx runs in the current directory, `-C` or `-r` or not.
    found.dirs = undefined;
    found.elsewhere = false;
    return { start: j + 1, options: PNPM_DLX_OPTIONS, packages: true };
  }
  // yarn
  const j = readOptions(words, k + 1, YARN_OPTIONS, vars, found);
  // yarn 4 takes `--cwd` only as its first word ("ambiguous when used anywhere else"): given twice, nothing runs.
  for (let o = k + 2; o < j; o++) if (/^--cwd(?:=|$)/.test(text(o))) return undefined;
  const sub = text(j);
  if (sub === 'exec') return { start: j + 1, options: undefined, packages: false };
  if (sub === 'dlx') return { start: j + 1, options: YARN_DLX_OPTIONS, packages: true };
  if (sub === 'run') return text(j + 1) === 'node' ? undefined : { start: j + 1, options: undefined, packages: false };
  return YARN_RUNTIMES.has(sub) ? { start: j, options: undefined, packages: false } : undefined;
}

/** What wrappers leave of a command besides where its name is: where its files go, whether a package runner runs it. */
interface Wrapped {
  sink: Sinks;
  packages: boolean;
}

/**
 * Passes over the wrappers before the command at `k` (`sudo -u x`, `time`, `env A=1`, `npx -y`, `npm exec --`,
 * `pnpm dlx`, `yarn node`, `bun x`) and returns the index of the command's name; the directory they run it in
 * wraps `sink`, into `state.wrapped`. A shell command one runs (`npx -c 'node a.js'`, pnpm's shell mode) is
 * handed on as shell code, and then -1 is returned, as it is when one exits on its options (`bunx -t`, `pnpm -h`).
 */
function unwrap(words: readonly ShellWord[], k: number, state: ScriptState, sink: Sinks, embedded: EmbeddedCode): number {
  let packages = false;
  for (let guard = 0; guard < 8 && k < words.length; guard++) {
    const wrapper = commandName(wordText(words[k]!));
    if (!PREFIX_COMMANDS.has(wrapper)) break;
    let options = WRAPPERS.get(wrapper);
    // Keywords and most wrappers (`then`, `time`, `nice`) name nothing: they share one record nothing is written to.
    const found = options === undefined || namesSomething(options) ? newFound() : NOTHING_FOUND;
    let start = k + 1;
    let runsPackages = PACKAGE_RUNNERS.has(wrapper);
    if (options === undefined && PACKAGE_MANAGERS.includes(wrapper)) {
      const command = managerCommand(wrapper, words, k, state.vars, found);
      if (found.exits) return -1; // `pnpm --foo node a.js`, `bun -t x node a.js`: it exits, running nothing
      if (command === undefined) break; // `bun x.ts` is bun's own; `npm run build` runs nothing of the snippet's
      ({ start, options } = command);
      runsPackages = command.packages;
    } else options ??= NO_OPTIONS_OF_ITS_OWN;
    k = options === undefined ? start : readOptions(words, start, options, state.vars, found);
    if (found.exits) return -1; // `bunx -t node a.js`, `bunx -h …`
    sink = applyFound(found, sink);
    if (runsPackages) packages = true;
    if (found.shell !== undefined) {
      handOn(found.shell.code, found.shell.raw, 'shell', state, embedded);
      return -1;
    }
    if (found.shellMode) {
      // The words are joined by blanks into one command (`pnpm -c exec 'node a.js'`, `pnpm dlx -c node a.js`).
      let code: string | undefined = '';
      let raw = 0;
      for (let j = k; j < words.length && code !== undefined; j++) {
        const v = wordValue(words[j], state.vars);
        code = v === undefined ? undefined : j === k ? v : `${code} ${v}`;
        raw += wordText(words[j]!).length + 1;
      }
      handOn(code, raw, 'shell', state, embedded);
      return -1;
    }
  }
  state.wrapped.sink = sink;
  state.wrapped.packages = packages;
  return k;
}

/**
 * The index of the command an environment runner runs (`uv [options] run [options] <command>`) and what its
 * options name (a directory, `uv --directory sub`, `conda run --cwd sub`; env files, `uv run --env-file .env`);
 * `undefined` when words[k] is no runner's `run`.
 */
function runnerCommand(words: readonly ShellWord[], k: number, vars: ReadonlyMap<string, string>): { readonly k: number; readonly found: Found } | undefined {
  const runner = wordText(words[k]!);
  if (!RUNNERS.has(runner)) return undefined;
  const dirOptions = RUNNER_DIR_OPTIONS.get(runner);
  const found = newFound();
  let run = false;
  let j = k + 1;
  while (j < words.length) {
    const t = wordText(words[j]!);
    if (!run && t === 'run') {
      run = true;
      j++;
      continue;
    }
    if (!t.startsWith('-') || t === '-') break; // `uv run -`: the program is standard input
    const eq = t.startsWith('--') ? t.indexOf('=') : -1;
    const name = eq > 0 ? t.slice(0, eq) : t;
    const isDir = dirOptions?.has(name) === true;
    // Files it reads: `--env-file .env`, uv's `--with-requirements reqs.txt` (the packages to add).
    if (isDir || name === '--env-file' || (name === '--with-requirements' && runner === 'uv')) {
      const value = eq > 0 ? pathAfter(words[j]!, eq + 1, vars) : pathValue(words[j + 1], vars);
      if (isDir) setDir(found, value, false);
      else (found.files ??= []).push(value);
    }
    j += eq < 0 && RUNNER_VALUE_OPTIONS.has(name) ? 2 : 1;
  }
  return run ? { k: j, found } : undefined;
}

/** Hands on `code`, written in `raw` characters of the script: what expansion added (`-c "$X"`) is charged to the budget; past it the code is skipped. */
function handOn(code: string | undefined, raw: number, language: InterpreterLanguage, state: ScriptState, embedded: EmbeddedCode): void {
  if (code === undefined) return;
  const growth = code.length - raw;
  if (growth > state.expansion.left) return;
  if (growth > 0) state.expansion.left -= growth;
  embedded(code, language);
}

/** A module specifier naming a file: relative or absolute (node, bun); a bare one names a package (`-r ts-node/register`). */
const FILE_SPECIFIER_RE = /^\.{0,2}\//;

/** Adds a file a runtime reads besides its program (`-r ./setup.js`, `--env-file .env`); its arguments start at `words[k + 1]`. */
function addRuntimeFile(f: RuntimeFile, words: readonly ShellWord[], k: number, args: readonly (string | undefined)[], vars: ReadonlyMap<string, string>, sink: Sinks, own: Sinks): void {
  if ('path' in f) {
    addPath(own.read, f.path);
    return;
  }
  const v = argPath(words, k, args, f.index, f.offset, vars);
  if (v === undefined || (f.module !== false && !FILE_SPECIFIER_RE.test(v))) return;
  // `-r ./setup` is setup.js, setup.json … or setup/index.js (setup.ts for tsx, ts-node, bun): which one is not known.
  if (f.module === 'resolved' && extensionOf(v) === '') return;
  addPath((f.inCwd ? own : sink).read, v);
}

/** Scans shell source and adds file paths to `sink`. */
export function scanShellFiles(src: string, sink: FileSink, embedded: EmbeddedCode): void {
  const state: ScriptState = { vars: new Map(), piped: undefined, expansion: { left: src.length }, wrapped: { sink, packages: false } };
  lexShell(src, (cmd) => analyseCommand(cmd, state, sink, embedded));
}

/** What one script's commands carry to the next. */
interface ScriptState {
  /** Variables assigned a known value. */
  readonly vars: Map<string, string>;
  /** The here-document the command before wrote into its pipe, when known (`cat <<EOF |`): this command's standard input. */
  piped: Heredoc | undefined;
  /** What expansion may still add to the code handed on: the script's length (`shell-stdin.ts`). */
  readonly expansion: ExpansionBudget;
  /** What `unwrap` found for the command being read (one record per script, not one per command). */
  readonly wrapped: Wrapped;
}

/** The statically known value of a word, or `undefined`. */
function wordValue(w: ShellWord | undefined, vars: ReadonlyMap<string, string>): string | undefined {
  if (w === undefined) return undefined;
  if (typeof w === 'string') return w;
  if (w.literal !== undefined) return w.literal;
  if (w.parts === undefined) return undefined;
  let s = '';
  for (const p of w.parts) {
    if (typeof p === 'string') s += p;
    else {
      const v = vars.get(p.var);
      if (v === undefined) return undefined;
      s += v;
    }
  }
  return s;
}

/** Characters that keep the shell from expanding a tilde-prefix (`'~'`, `"~"`, `\~`, `~$U`). */
const TILDE_QUOTED_RE = /['"\\$`]/;
/**
 * `~+`, `~-`, `~+1`, `~2`: the shell's working directory, its previous one, its directory stack: as `$PWD/x` and
 * `$OLDPWD/x`, not resolved here (`~+/x` is the shell's x, not the one in the directory `env -C sub` runs in).
 */
const TILDE_DIRS_RE = /^~(?:[+-][0-9]*|[0-9]+)$/;

/**
 * A word's value as a path. A leading `~` the shell expands is home (`~/x`, `~bob/x`); `~+`, `~-` and `~N` (the
 * working directory, the previous one, the directory stack) are not known here (`TILDE_DIRS_RE`). One it leaves as
 * written, quoted or escaped (`'~'/x`, `"~/x"`, `\~/x`, `~"/x"`), is a directory named `~`: `./~/x`. A `~` a
 * variable's value starts with (`$D/x`) is as the value was stored (`D=~` expanded it, `D='~'` did not).
 */
function pathValue(w: ShellWord | undefined, vars: ReadonlyMap<string, string>): string | undefined {
  const v = wordValue(w, vars);
  return v === undefined || v.charCodeAt(0) !== 126 /* ~ */ ? v : tildePath(wordText(w!), v);
}

/** `pathValue` for the value `v` (starting with `~`) of source text `raw`. */
function tildePath(raw: string, v: string): string | undefined {
  const c = raw.charCodeAt(0);
  if (c !== 126 /* ~ */) {
    const at = c === 34 /* " */ ? 1 : 0;
    // `$D`, `"$D"`, `${D}`: the variable's stored value; `$'~'` is a quote.
    if (raw.charCodeAt(at) === 36 /* $ */ && raw.charCodeAt(at + 1) !== 39 /* ' */) return v;
    return './' + v;
  }
  const slash = raw.indexOf('/');
  const prefix = slash < 0 ? raw : raw.slice(0, slash);
  if (TILDE_QUOTED_RE.test(prefix)) return './' + v;
  return TILDE_DIRS_RE.test(prefix) ? undefined : v;
}

/**
 * The path after `=` in word `w` (`--cwd=~/x`, from `offset`): bash expands no tilde there (the word is no
 * assignment), so a leading `~` is a directory named `~`, but for a variable's value (`--cwd=$D`).
 */
function pathAfter(w: ShellWord, offset: number, vars: ReadonlyMap<string, string>): string | undefined {
  const v = wordValue(w, vars)?.slice(offset);
  if (v === undefined || v.charCodeAt(0) !== 126 /* ~ */) return v;
  const raw = wordText(w).slice(offset);
  return raw.charCodeAt(0) === 126 /* ~ */ ? './' + v : tildePath(raw, v);
}

/**
 * The path after `NAME=` (`offset`: past the `=`) in an argument written as an assignment is (`dd if=~/x`): bash
 * (not in POSIX mode) expands an unquoted tilde there, as in an assignment's value; a quoted or escaped one
 * (`if='~/x'`, `'if=~/x'`, `if=\\~/x`) is a directory named `~`.
 */
function assignmentArgPath(w: ShellWord, offset: number, vars: ReadonlyMap<string, string>): string | undefined {
  const v = wordValue(w, vars);
  if (v === undefined || v.charCodeAt(offset) !== 126 /* ~ */) return v?.slice(offset);
  const raw = wordText(w);
  // `NAME=` as written, unquoted: what follows is read as an assignment's value is.
  return raw.startsWith(v.slice(0, offset)) ? tildePath(raw.slice(offset), v.slice(offset)) : './' + v.slice(offset);
}

/** Argument `index` of the command at `k` as a path from character `offset` (a runtime's `--cwd=sub`, `-r ./x.js`). */
function argPath(words: readonly ShellWord[], k: number, args: readonly (string | undefined)[], index: number, offset: number, vars: ReadonlyMap<string, string>): string | undefined {
  return offset === 0 ? args[index] : pathAfter(words[k + 1 + index]!, offset, vars);
}

function addPath(set: PathSet, value: string | undefined): string | undefined {
  if (value === undefined || set.full) return undefined;
  const p = toFilePath(value);
  set.add(p);
  return p;
}

function analyseCommand(cmd: ShellCommand, state: ScriptState, sink: Sinks, embedded: EmbeddedCode): void {
  const vars = state.vars;
  const piped = state.piped; // what this command reads from the pipe before it, if known
  state.piped = undefined;
  for (const r of cmd.redirects) {
    if (r.op === '<<' || r.op === '<<<') continue;
    if ((r.op === '>&' || r.op === '<&') && (r.target === undefined || /^(?:[0-9]+|-)$/.test(wordText(r.target)))) continue; // fd duplication
    const v = pathValue(r.target, vars);
    if (r.op === '<' || r.op === '<>' || r.op === '<&') addPath(sink.read, v);
    if (r.op !== '<' && r.op !== '<&') addPath(sink.written, v);
  }
  // Leading assignments: a bare `A=1 B=2` line sets variables; before a command they only set its env.
  let k = 0;
  const words = cmd.words;
  while (k < words.length && isAssignment(wordText(words[k]!))) k++;
  if (k === words.length) {
    for (const w of words) assign(w, vars);
    return;
  }
  // Strip wrappers: `sudo -u x cp ...`, `time python ...`, `env A=1 node ...`, `npx -y tsx ...`, `pnpm dlx tsx ...`.
  // Where the command's own files go: in the directory a wrapper or runner names (`env -C sub`, `uv --directory sub`).
  let files: Sinks = sink;
  let packageRunner = false;
  if (PREFIX_COMMANDS.has(commandName(wordText(words[k]!)))) {
    k = unwrap(words, k, state, sink, embedded);
    if (k < 0) return; // it ran a shell string, handed on
    files = state.wrapped.sink;
    packageRunner = state.wrapped.packages;
  }
  // The cheap test first (`RUNNERS`), in line: most commands are no runner, and `runnerCommand` is too long to be inlined.
  const run = k + 1 < words.length && RUNNERS.has(wordText(words[k]!)) ? runnerCommand(words, k, vars) : undefined;
  if (run !== undefined) {
    const runner = wordText(words[k]!);
    files = applyFound(run.found, files);
    k = run.k;
    // `uv run main.py`, `pdm run app.py`: the runner runs the script itself.
    const script = k < words.length ? pathValue(words[k], vars) : undefined;
    if (script === '-' && runner === 'uv') {
      stdinProgram(cmd, state, piped, 'python', embedded); // `uv run - <<EOF`
      return;
    }
    if (script !== undefined && /\.py$/i.test(script)) {
      addPath(files.read, script);
      return;
    }
  }
  if (k >= words.length) return;
  const first = words[k]!;
  const named = commandName(wordValue(first, vars) ?? wordText(first));
  // A package runner's command may name a version (`npx tsx@4.7.0`): the command is the package's.
  const at = packageRunner ? named.indexOf('@', 1) : -1;
  const name = at > 0 ? named.slice(0, at) : named;
  if (name === 'cat' && cmd.pipe) state.piped = catPipedHeredoc(cmd, words, k);
  // Most commands (echo, ls, git, conda ...) touch no file we model: skip before building argument lists.
  if (!HANDLED_COMMANDS.has(name) && !(name.startsWith('python') && VERSIONED_PYTHON_RE.test(name))) return;
  if (name === 'export' || name === 'declare' || name === 'local' || name === 'readonly') {
    for (let j = k + 1; j < words.length; j++) if (isAssignment(wordText(words[j]!))) assign(words[j]!, vars);
    return;
  }
  // The arguments after the command name: source text (for options) and static value (for operands).
  const rawArgs: string[] = [];
  const args: (string | undefined)[] = [];
  for (let j = k + 1; j < words.length; j++) {
    rawArgs.push(wordText(words[j]!));
    args.push(pathValue(words[j], vars));
  }
  const interpreter = INTERPRETERS.get(name) ?? (name.startsWith('python') && VERSIONED_PYTHON_RE.test(name) ? 'python' : undefined);
  if (OTHER_INTERPRETERS.has(name)) {
    // `Rscript -e "…"`, `ruby -e '…'`, `perl -pi -e '…' f.txt`: inline code, no script to read (perl's operands are files).
    const inline = rawArgs.findIndex((r) => r === '-e' || r === '-E' || r === '--eval' || /^-[a-zA-Z]*e$/.test(r));
    if (inline >= 0) {
      if (name === 'perl') {
        const operands = operandValues(rawArgs.slice(inline + 2), args.slice(inline + 2), NO_OPTIONS);
        const inPlace = rawArgs.some((r) => /^-[a-zA-Z]*i/.test(r));
        for (const f of operands) {
          addPath(files.read, f);
          if (inPlace) addPath(files.written, f);
        }
      }
      return;
    }
    const script = operandValues(rawArgs, args, NO_OPTIONS)[0];
    if (script !== undefined) addPath(files.read, script);
    return;
  }
  if (interpreter !== undefined) {
    // Options read by their value where it is known (`"-c"`), else as written.
    const runtime: RuntimeFiles | undefined = interpreter === 'javascript' ? { files: [], cwd: undefined } : undefined;
    const program = programSource(interpreter, name, args.map((a, j) => a ?? rawArgs[j]!), runtime);
    // A runtime's own directory (`bun --cwd sub`): where it reads its program, and (bun) the files it loads first.
    const own = runtime?.cwd === undefined ? files : inDir(files, argPath(words, k, args, runtime.cwd.index, runtime.cwd.offset, vars));
    if (runtime !== undefined) for (const f of runtime.files) addRuntimeFile(f, words, k, args, vars, files, own);
    // Code is the word's value as written: the tilde handling of paths is not the code's.
    const code = program.kind === 'inline' ? wordValue(words[k + 1 + program.index], vars)?.slice(program.offset) : undefined;
    if (program.kind === 'inline') handOn(code, rawArgs[program.index]!.length - program.offset, interpreter, state, embedded);
    else if (program.kind === 'script') addPath(own.read, args[program.index]); // standard input is its data
    else if (program.kind === 'stdin') stdinProgram(cmd, state, piped, interpreter, embedded);
    else if (program.kind === 'bin') runBin(cmd, k + 1 + program.index, state, piped, own, embedded);
    else if (program.kind === 'build') bunBuild(words, k, args, program.index, vars, own);
    return;
  }
  switch (name) {
    case 'tee':
      for (const o of operandValues(rawArgs, args, NO_OPTIONS)) addPath(files.written, o);
      return;
    case 'touch':
      for (const o of operandValues(rawArgs, args, TOUCH_OPTIONS)) addPath(files.written, o);
      return;
    case 'cp':
    case 'mv': {
      if (rawArgs.some((r) => /^-[A-Za-z]*[rRa]/.test(r) && !r.startsWith('--') || r === '--recursive')) return; // directories
      const targetIdx = rawArgs.findIndex((r) => r === '-t' || r.startsWith('--target-directory'));
      const ops = operandValues(rawArgs, args, CP_OPTIONS);
      if (targetIdx >= 0) {
        for (const o of ops) addPath(files.read, o);
        return;
      }
      if (ops.length < 2) return;
      const dest = ops[ops.length - 1];
      const sources = ops.slice(0, -1);
      for (const s of sources) addPath(files.read, s);
      if (dest === undefined) return;
      // `cp a.txt out/` writes out/a.txt.
      if (dest.endsWith('/') || dest === '.' ) {
        for (const s of sources) if (s !== undefined) addPath(files.written, dest + '/' + basename(s));
      } else addPath(files.written, dest);
      return;
    }
    case 'source':
    case '.':
      addPath(files.read, args[0]);
      return;
    case 'curl':
      return curl(rawArgs, args, files);
    case 'wget':
      return wget(rawArgs, args, files);
    case 'tar':
      return tar(rawArgs, args, files);
    case 'zip': {
      const ops = operandValues(rawArgs, args, ZIP_OPTIONS);
      const archive = ops[0];
      if (archive !== undefined) addPath(files.written, /\.zip$/i.test(archive) ? archive : archive + '.zip');
      return;
    }
    case 'unzip':
      addPath(files.read, operandValues(rawArgs, args, UNZIP_OPTIONS)[0]);
      return;
    case 'dd':
      for (let j = 0; j < args.length; j++) {
        const a = args[j];
        if (a?.startsWith('if=')) addPath(files.read, assignmentArgPath(words[k + 1 + j]!, 3, vars));
        if (a?.startsWith('of=')) addPath(files.written, assignmentArgPath(words[k + 1 + j]!, 3, vars));
      }
      return;
    case 'pip':
    case 'pip3':
    case 'uv':
      for (let j = 0; j < rawArgs.length; j++) {
        if (rawArgs[j] === '-r' || rawArgs[j] === '--requirement') addPath(files.read, args[j + 1]);
      }
      return;
    default: {
      const filter = PROGRAM_FIRST.get(name);
      if (filter !== undefined) {
        // `grep -r PATTERN src/`: the operands are directories (or files), not files read; none is reported.
        if (GREPS.has(name) && rawArgs.some((r) => r === '--recursive' || r === '--dereference-recursive' || (/^-[a-zA-Z]*[rR]/.test(r) && !r.startsWith('--')))) return;
        // With -e/-f the program comes from the option; otherwise it is the first operand.
        const programGiven = rawArgs.some((r) => filter.programOptions.has(r));
        const ops = operandValues(rawArgs, args, filter.allOptions);
        // `sed -i` (`-i.bak`, `--in-place`) edits its files: they are written too.
        const inPlace = name === 'sed' && rawArgs.some((r) => r === '--in-place' || r.startsWith('--in-place=') || /^-[a-zA-Z]*i/.test(r));
        for (const o of programGiven ? ops : ops.slice(1)) {
          addPath(files.read, o);
          if (inPlace) addPath(files.written, o);
        }
        return;
      }
      if (READ_ALL_COMMANDS.has(name)) {
        for (const o of operandValues(rawArgs, args, READ_VALUE_OPTIONS.get(name) ?? NO_OPTIONS)) addPath(files.read, o);
        if (name === 'sort') {
          for (let j = 0; j < rawArgs.length; j++) if (rawArgs[j] === '-o' || rawArgs[j] === '--output') addPath(files.written, args[j + 1]);
        }
      }
    }
  }
}

/**
 * The command a package's binary runs (`bun tsx a.ts`: `tsx a.ts`, from word `at`), read as a command of the
 * script's, its paths in `sink` (bun's `--cwd`); the redirections were read, but for the here-documents it may read.
 */
function runBin(cmd: ShellCommand, at: number, state: ScriptState, piped: Heredoc | undefined, sink: Sinks, embedded: EmbeddedCode): void {
  const redirects = cmd.redirects.filter((r) => r.op === '<<' || r.op === '<<-' || r.op === '<<<');
  state.piped = piped;
  analyseCommand({ words: cmd.words.slice(at), redirects, pipe: cmd.pipe }, state, sink, embedded);
}

/** `bun build` (its arguments from argument `from` of the command at `k`): its entry points read, its bundles written. */
function bunBuild(words: readonly ShellWord[], k: number, args: readonly (string | undefined)[], from: number, vars: ReadonlyMap<string, string>, sink: Sinks): void {
  const build = bunBuildArguments(args.map((a, j) => a ?? wordText(words[k + 1 + j]!)), from);
  if (build === undefined) return; // `bun build -t x.ts`: an `Invalid Argument`
  const entries: string[] = [];
  for (const j of build.entries) {
    const e = args[j] === undefined ? undefined : toFilePath(args[j]!);
    // A path with an extension (`src/main.ts`); a bare name is a package, `$X` not known.
    if (e === undefined || extensionOf(e) === '') continue;
    entries.push(e);
    addPath(sink.read, e);
  }
  const out = (v: { index: number; offset: number } | undefined): string | undefined => (v === undefined ? undefined : argPath(words, k, args, v.index, v.offset, vars));
  if (build.outfile !== undefined) addPath(sink.written, out(build.outfile));
  else if (build.compile) {
    // `bun build --compile ./src/cli.ts` writes ./cli: the first entry's name without its extension.
    const at = build.entries[0];
    const first = at === undefined ? undefined : args[at];
    const e = first === undefined ? undefined : toFilePath(first);
    if (e !== undefined && entries[0] === e) addPath(sink.written, basename(e).slice(0, -extensionOf(e).length - 1));
  }
  const dir = out(build.outdir);
  if (dir === undefined || build.renamed || entries.length !== build.entries.length) return;
  for (const b of outdirBundles(entries) ?? []) addPath(sink.written, dir + '/' + b);
}

/**
 * Hands on the program an interpreter reads from standard input: its here-document (expanded first when
 * unquoted, as bash does: `python - <<EOF` sees `$F`'s value), or what `cat` pipes in when standard input is
 * not redirected (`piped`).
 */
function stdinProgram(cmd: ShellCommand, state: ScriptState, piped: Heredoc | undefined, language: InterpreterLanguage, embedded: EmbeddedCode): void {
  const input = stdinRedirect(cmd.redirects);
  const heredoc = input === undefined ? piped : heredocOf(input);
  if (heredoc !== undefined) embedded(heredocText(heredoc, state.vars, state.expansion), language);
}

/** The operands among `args` (options skipped, with the value of those in `valueOptions`; all after `--`). */
function operandValues(rawArgs: readonly string[], args: readonly (string | undefined)[], valueOptions: ReadonlySet<string>): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let endOfOptions = false;
  for (let j = 0; j < rawArgs.length; j++) {
    const raw = rawArgs[j]!;
    if (!endOfOptions && raw === '--') {
      endOfOptions = true;
      continue;
    }
    if (!endOfOptions && raw.startsWith('-') && raw !== '-') {
      if (valueOptions.has(raw)) j++;
      continue;
    }
    out.push(args[j]);
  }
  return out;
}

/** `NAME=...` (cheap pre-check before the regex). */
function isAssignment(raw: string): boolean {
  return raw.includes('=') && ASSIGNMENT_RE.test(raw);
}

/** The command name of a word: its last path segment (`/usr/bin/python3` → `python3`). */
function commandName(word: string): string {
  return word.includes('/') ? basename(word) : word;
}

function assign(w: ShellWord, vars: Map<string, string>): void {
  const raw = wordText(w);
  const eq = raw.indexOf('=');
  const name = raw.slice(0, eq);
  const v = wordValue(w, vars);
  // A value grown past any path (`X=$X$X` repeated) is unknown: bounded time and memory.
  const value = v === undefined || v.length > MAX_VALUE_CHARS ? undefined : v.slice(v.indexOf('=') + 1);
  // The shell expands a tilde starting an assignment's value (`D=~/x`), not a quoted one (`D='~'`): stored as a path is.
  const stored = value?.charCodeAt(0) === 126 /* ~ */ ? tildePath(raw.slice(eq + 1), value) : value;
  if (stored === undefined) vars.delete(name);
  else vars.set(name, stored);
}

function urlFileName(url: string | undefined): string | undefined {
  if (url === undefined || !URL_RE.test(url)) return undefined;
  const path = url.replace(/[?#].*$/, '').replace(/^[a-z]+:\/\/[^/]*/i, '');
  const base = basename(path);
  return /\.[A-Za-z0-9]{1,10}$/.test(base) ? base : undefined;
}

function curl(raws: string[], values: (string | undefined)[], sink: Sinks): void {
  let remoteName = false;
  const urls: (string | undefined)[] = [];
  for (let j = 0; j < raws.length; j++) {
    const raw = raws[j]!;
    if (raw === '--output' || raw === '-o') {
      addPath(sink.written, values[++j]);
      continue;
    }
    if (raw.startsWith('--output=')) {
      addPath(sink.written, values[j]?.slice(9));
      continue;
    }
    if (raw === '--remote-name' || raw === '-O') {
      remoteName = true;
      continue;
    }
    if (raw === '-T' || raw === '--upload-file') {
      addPath(sink.read, values[++j]);
      continue;
    }
    if (raw === '-d' || raw === '--data' || raw === '--data-binary' || raw === '-F' || raw === '--form') {
      const v = values[++j];
      const at = v?.indexOf('@') ?? -1;
      if (v !== undefined && at >= 0 && (at === 0 || v[at - 1] === '=')) addPath(sink.read, v.slice(at + 1).replace(/;.*$/, ''));
      continue;
    }
    if (/^-[A-Za-z]+$/.test(raw)) {
      // Clustered short options: `-sSLo out.txt`, `-sSLO`.
      if (raw.includes('O')) remoteName = true;
      if (raw.endsWith('o')) addPath(sink.written, values[++j]);
      else if (/[HXAeuxrwmEKCYyzb]$/.test(raw)) j++; // options that take a value
      continue;
    }
    if (raw.startsWith('-')) {
      if (!raw.includes('=') && /^--(?:header|request|user-agent|user|max-time|connect-timeout|retry|cookie|referer|proxy|config|write-out|url)$/.test(raw)) j++;
      continue;
    }
    urls.push(values[j]);
  }
  if (remoteName) for (const u of urls) addPath(sink.written, urlFileName(u));
}

/** wget's short options that take a value (`-O file`, `-Ofile`, bundled last: `-qO-`, `-nvP dir`). */
const WGET_VALUE_LETTERS = new Set(['O', 'P', 'o', 'a', 'i', 'e', 't', 'T', 'w', 'U', 'Q', 'l', 'D', 'A', 'R', 'I', 'X', 'B']);

/**
 * A bundle of wget short options (`-qO-`): the option that takes a value, if
 * any, and its value (the rest of the word, else the next word: `consumed`).
 */
function wgetShortOption(raw: string, value: string | undefined, next: string | undefined): { letter: string; value: string | undefined; consumed: boolean } | undefined {
  for (let i = 1; i < raw.length; i++) {
    const letter = raw[i]!;
    if (!WGET_VALUE_LETTERS.has(letter)) continue;
    // The value follows in the same word: its static value is the word's past that point.
    if (i + 1 < raw.length) return { letter, value: value?.slice(i + 1), consumed: false };
    return { letter, value: next, consumed: true };
  }
  return undefined;
}

function wget(raws: string[], values: (string | undefined)[], sink: Sinks): void {
  let output: string | undefined | null = null; // null: not given
  let prefix = '';
  const urls: (string | undefined)[] = [];
  for (let j = 0; j < raws.length; j++) {
    const raw = raws[j]!;
    if (raw === '--output-document') output = values[++j];
    else if (raw.startsWith('--output-document=')) output = values[j]?.slice(18);
    else if (raw === '--directory-prefix') prefix = values[++j] ?? '';
    else if (raw.startsWith('--directory-prefix=')) prefix = values[j]?.slice(19) ?? '';
    else if (raw === '--input-file') addPath(sink.read, values[++j]);
    else if (raw === '--output-file' || raw === '--append-output') j++; // log files
    else if (raw.length > 1 && raw.startsWith('-') && !raw.startsWith('--')) {
      const o = wgetShortOption(raw, values[j], values[j + 1]);
      if (o === undefined) continue;
      if (o.consumed) j++;
      if (o.letter === 'O') output = o.value;
      else if (o.letter === 'P') prefix = o.value ?? '';
      else if (o.letter === 'i') addPath(sink.read, o.value);
    } else if (!raw.startsWith('-')) urls.push(values[j]);
  }
  if (output !== null) {
    addPath(sink.written, output);
    return;
  }
  for (const u of urls) {
    const name = urlFileName(u);
    if (name !== undefined) addPath(sink.written, prefix ? prefix + '/' + name : name);
  }
}

function tar(raws: string[], values: (string | undefined)[], sink: Sinks): void {
  let mode = '';
  let archive: string | undefined;
  for (let j = 0; j < raws.length; j++) {
    const raw = raws[j]!;
    if (raw.startsWith('--file=')) archive = values[j]?.slice(7);
    else if (raw === '--file') archive = values[++j];
    else if (raw === '--create') mode = 'c';
    else if (raw === '--extract' || raw === '--get' || raw === '--list') mode = 'x';
    else if (/^-?[A-Za-z]+$/.test(raw) && (j === 0 || raw.startsWith('-'))) {
      // `tar czf out.tgz dir` / `tar -xzf in.tgz`: the `f` letter takes the next word.
      const letters = raw.replace(/^-/, '');
      if (/[cru]/.test(letters)) mode = 'c';
      if (/[xt]/.test(letters)) mode = 'x';
      if (letters.includes('f')) archive = values[++j];
    }
  }
  if (mode === 'c') addPath(sink.written, archive);
  else if (mode === 'x') addPath(sink.read, archive);
}
