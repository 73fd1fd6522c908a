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
 * reads them (`shell-interpreters.ts`). An unquoted here-document's body is
 * expanded first, as bash does (`shell-heredoc.ts`), within the script's
 * expansion budget (`ExpansionBudget`).
 */
import type { FileSink } from './python-files.js';
import { basename, toFilePath } from './paths.js';
import { MAX_VALUE_CHARS } from './evaluate.js';
import { catPipedHeredoc, heredocOf, heredocText, stdinRedirect, type ExpansionBudget, type Heredoc } from './shell-stdin.js';
import { programSource, type InterpreterLanguage } from './shell-interpreters.js';
import { lexShell, wordText, type ShellCommand, type ShellWord } from './lexer-shell.js';
import { WordSet } from './word-set.js';

/** Called for code embedded in the script (heredoc or `-c` string) with its language. */
export type EmbeddedCode = (code: string, language: 'python' | 'javascript' | 'shell') => void;

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;
/**
 * Package runners: `npx tsx run.ts` runs the package's command (`tsx`) with the words after it, once their own
 * options are past (npm's `npx [options] <command>[@version] [args]`; `npx -c CMD`, a shell string, is not followed).
 */
const PACKAGE_RUNNERS_LIST = ['npx', 'bunx'];
const PACKAGE_RUNNERS = new WordSet(PACKAGE_RUNNERS_LIST);
const PREFIX_COMMANDS = new WordSet(['sudo', 'time', 'nohup', 'command', 'exec', 'builtin', 'nice', 'stdbuf', 'timeout', 'env', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', ...PACKAGE_RUNNERS_LIST]);
/** Options of those wrappers that take the next word as their value (`sudo -u postgres`, `nice -n 10`): not the command. */
const PREFIX_VALUE_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sudo', new Set(['-u', '-g', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-R', '--user', '--group', '--prompt', '--chdir', '--close-from', '--role', '--type', '--other-user', '--command-timeout', '--chroot'])],
  ['env', new Set(['-u', '--unset', '-C', '--chdir'])],
  ['nice', new Set(['-n', '--adjustment'])],
  ['timeout', new Set(['-s', '--signal', '-k', '--kill-after'])],
  ['stdbuf', new Set(['-i', '-o', '-e', '--input', '--output', '--error'])],
  ['exec', new Set(['-a'])],
  ['npx', new Set(['-p', '--package', '-c', '--call', '-w', '--workspace', '--registry', '--cache', '--prefix', '--userconfig', '--loglevel', '--node-options', '--shell'])],
  ['bunx', new Set(['-p', '--package'])],
]);
/**
 * Environment runners whose `run` subcommand runs a command in an environment:
 * `uv run python x.py`, `poetry run pytest`, `conda run -n env python x.py`;
 * the command is what they run (`uv run x.py` runs a script).
 */
const RUNNERS = new WordSet(['uv', 'poetry', 'pipenv', 'conda', 'mamba', 'micromamba', 'pdm', 'hatch', 'rye', 'pixi']);
/** Options of the runners' `run` that take a value (the next word): skipped with it. */
const RUNNER_VALUE_OPTIONS = new Set([
  '-n', '--name', '-p', '--prefix', '--cwd', '--with', '--with-requirements', '--python', '--project', '--directory',
  '--package', '--group', '--extra', '--env-file', '--index', '--from', '-C', '-P', '-e', '--env', '--environment',
  '-w', '--with-editable', '--index-url', '--extra-index-url', '--default-index', '--find-links', '-f', '--only-group', '--no-group',
  '--no-extra', '--exclude-newer', '--config-file', '--cache-dir',
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

/** The index of the command an environment runner runs (`uv run [options] <command>`), or `k` when words[k] is no runner's `run`. */
function afterRunner(words: readonly ShellWord[], k: number): number {
  if (k + 1 >= words.length || !RUNNERS.has(wordText(words[k]!)) || wordText(words[k + 1]!) !== 'run') return k;
  let j = k + 2;
  while (j < words.length) {
    const t = wordText(words[j]!);
    if (!t.startsWith('-') || t === '-') break; // `uv run -`: the program is standard input
    j += RUNNER_VALUE_OPTIONS.has(t) ? 2 : 1;
  }
  return j;
}

/** Scans shell source and adds file paths to `sink`. */
export function scanShellFiles(src: string, sink: FileSink, embedded: EmbeddedCode): void {
  const state: ScriptState = { vars: new Map(), piped: undefined, expansion: { left: src.length } };
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

function addPath(set: FileSink['written'], value: string | undefined): string | undefined {
  if (value === undefined || set.full) return undefined;
  const p = toFilePath(value);
  set.add(p);
  return p;
}

function analyseCommand(cmd: ShellCommand, state: ScriptState, sink: FileSink, embedded: EmbeddedCode): void {
  const vars = state.vars;
  const piped = state.piped; // what this command reads from the pipe before it, if known
  state.piped = undefined;
  for (const r of cmd.redirects) {
    if (r.op === '<<' || r.op === '<<<') continue;
    if ((r.op === '>&' || r.op === '<&') && (r.target === undefined || /^(?:[0-9]+|-)$/.test(wordText(r.target)))) continue; // fd duplication
    const v = wordValue(r.target, vars);
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
  // Strip wrappers: `sudo -u x cp ...`, `time python ...`, `env A=1 node ...`, `npx -y tsx ...`.
  let packageRunner = false;
  for (let guard = 0; guard < 8 && k < words.length && PREFIX_COMMANDS.has(commandName(wordText(words[k]!))); guard++) {
    const wrapper = commandName(wordText(words[k]!));
    if (PACKAGE_RUNNERS.has(wrapper)) packageRunner = true;
    const valueOptions = PREFIX_VALUE_OPTIONS.get(wrapper);
    k++;
    while (k < words.length) {
      const r = wordText(words[k]!);
      if (!(r.startsWith('-') || isAssignment(r) || (wrapper === 'timeout' && /^[0-9.]+[smhd]?$/.test(r)))) break;
      k += valueOptions?.has(r) === true ? 2 : 1;
    }
  }
  const run = afterRunner(words, k);
  if (run !== k) {
    const runner = wordText(words[k]!);
    k = run;
    // `uv run main.py`, `pdm run app.py`: the runner runs the script itself.
    const script = k < words.length ? wordValue(words[k], vars) : undefined;
    if (script === '-' && runner === 'uv') {
      stdinProgram(cmd, state, piped, 'python', embedded); // `uv run - <<EOF`
      return;
    }
    if (script !== undefined && /\.py$/i.test(script)) {
      addPath(sink.read, script);
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
    args.push(wordValue(words[j], vars));
  }
  const interpreter = INTERPRETERS.get(name) ?? (name.startsWith('python') && VERSIONED_PYTHON_RE.test(name) ? 'python' : undefined);
  if (OTHER_INTERPRETERS.has(name)) {
    // `Rscript -e "…"`, `ruby -e '…'`, `perl -pi -e '…' f.txt`: inline code, no script to read (perl's operands are files).
    const inline = rawArgs.findIndex((r) => r === '-e' || r === '-E' || r === '--eval' || /^-[a-zA-Z]*e$/.test(r));
    if (inline >= 0) {
      if (name === 'perl') {
        const files = operandValues(rawArgs.slice(inline + 2), args.slice(inline + 2), NO_OPTIONS);
        const inPlace = rawArgs.some((r) => /^-[a-zA-Z]*i/.test(r));
        for (const f of files) {
          addPath(sink.read, f);
          if (inPlace) addPath(sink.written, f);
        }
      }
      return;
    }
    const script = operandValues(rawArgs, args, NO_OPTIONS)[0];
    if (script !== undefined) addPath(sink.read, script);
    return;
  }
  if (interpreter !== undefined) {
    // Options read by their value where it is known (`"-c"`), else as written.
    const program = programSource(interpreter, name, args.map((a, j) => a ?? rawArgs[j]!));
    if (program.kind === 'inline') {
      const code = args[program.index]?.slice(program.offset);
      // What expansion added (`-c "$X"`) is charged to the script's budget; past it the code is skipped.
      const growth = code === undefined ? 0 : code.length - (rawArgs[program.index]!.length - program.offset);
      if (code === undefined || growth > state.expansion.left) return;
      if (growth > 0) state.expansion.left -= growth;
      embedded(code, interpreter);
    } else if (program.kind === 'script') addPath(sink.read, args[program.index]); // standard input is its data
    else if (program.kind === 'stdin') stdinProgram(cmd, state, piped, interpreter, embedded);
    return;
  }
  switch (name) {
    case 'tee':
      for (const o of operandValues(rawArgs, args, NO_OPTIONS)) addPath(sink.written, o);
      return;
    case 'touch':
      for (const o of operandValues(rawArgs, args, TOUCH_OPTIONS)) addPath(sink.written, o);
      return;
    case 'cp':
    case 'mv': {
      if (rawArgs.some((r) => /^-[A-Za-z]*[rRa]/.test(r) && !r.startsWith('--') || r === '--recursive')) return; // directories
      const targetIdx = rawArgs.findIndex((r) => r === '-t' || r.startsWith('--target-directory'));
      const ops = operandValues(rawArgs, args, CP_OPTIONS);
      if (targetIdx >= 0) {
        for (const o of ops) addPath(sink.read, o);
        return;
      }
      if (ops.length < 2) return;
      const dest = ops[ops.length - 1];
      const sources = ops.slice(0, -1);
      for (const s of sources) addPath(sink.read, s);
      if (dest === undefined) return;
      // `cp a.txt out/` writes out/a.txt.
      if (dest.endsWith('/') || dest === '.' ) {
        for (const s of sources) if (s !== undefined) addPath(sink.written, dest + '/' + basename(s));
      } else addPath(sink.written, dest);
      return;
    }
    case 'source':
    case '.':
      addPath(sink.read, args[0]);
      return;
    case 'curl':
      return curl(rawArgs, args, sink);
    case 'wget':
      return wget(rawArgs, args, sink);
    case 'tar':
      return tar(rawArgs, args, sink);
    case 'zip': {
      const ops = operandValues(rawArgs, args, ZIP_OPTIONS);
      const archive = ops[0];
      if (archive !== undefined) addPath(sink.written, /\.zip$/i.test(archive) ? archive : archive + '.zip');
      return;
    }
    case 'unzip':
      addPath(sink.read, operandValues(rawArgs, args, UNZIP_OPTIONS)[0]);
      return;
    case 'dd':
      for (const a of args) {
        if (a?.startsWith('if=')) addPath(sink.read, a.slice(3));
        if (a?.startsWith('of=')) addPath(sink.written, a.slice(3));
      }
      return;
    case 'pip':
    case 'pip3':
    case 'uv':
      for (let j = 0; j < rawArgs.length; j++) {
        if (rawArgs[j] === '-r' || rawArgs[j] === '--requirement') addPath(sink.read, args[j + 1]);
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
          addPath(sink.read, o);
          if (inPlace) addPath(sink.written, o);
        }
        return;
      }
      if (READ_ALL_COMMANDS.has(name)) {
        for (const o of operandValues(rawArgs, args, READ_VALUE_OPTIONS.get(name) ?? NO_OPTIONS)) addPath(sink.read, o);
        if (name === 'sort') {
          for (let j = 0; j < rawArgs.length; j++) if (rawArgs[j] === '-o' || rawArgs[j] === '--output') addPath(sink.written, args[j + 1]);
        }
      }
    }
  }
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
  if (v === undefined || v.length > MAX_VALUE_CHARS) vars.delete(name);
  else vars.set(name, v.slice(v.indexOf('=') + 1));
}

function urlFileName(url: string | undefined): string | undefined {
  if (url === undefined || !URL_RE.test(url)) return undefined;
  const path = url.replace(/[?#].*$/, '').replace(/^[a-z]+:\/\/[^/]*/i, '');
  const base = basename(path);
  return /\.[A-Za-z0-9]{1,10}$/.test(base) ? base : undefined;
}

function curl(raws: string[], values: (string | undefined)[], sink: FileSink): void {
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

function wget(raws: string[], values: (string | undefined)[], sink: FileSink): void {
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

function tar(raws: string[], values: (string | undefined)[], sink: FileSink): void {
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
