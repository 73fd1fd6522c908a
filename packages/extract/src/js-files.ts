/**
 * Files a JavaScript/TypeScript snippet writes and reads.
 *
 * Writes: `writeFile[Sync]`, `appendFile[Sync]`, `createWriteStream`,
 * `fs.promises.writeFile`, `writeFile` imported from `fs/promises`, fs-extra's
 * `outputFile/writeJson/outputJson`, `Deno.writeTextFile/writeFile`,
 * `Bun.write`, `copyFile`/`cp`/`rename` destinations, `fs.open(p, 'w')`,
 * `XLSX.writeFile(wb, p)`, and `{ path: ... }` options of `screenshot`/`pdf`.
 * Reads: `readFile[Sync]`, `createReadStream`, `readJson`, `Deno.readTextFile`,
 * `fs.open(p)`/`'r'`, and copy/rename sources. Functions and modules
 * imported under other names are followed (`js-fs-aliases.ts`), and a
 * `for (const f of ['a.csv', 'b.csv'])` loop's variable stands for each of
 * its values inside the loop's body (after it, it is out of scope).
 */
import { argAt, callAt, type CallArg, type CallSite } from './calls.js';
import { ALT_BUDGET, MAX_VALUE_CHARS, evalArg, evalPrefix, loopValues, type EvalContext, type Val } from './evaluate.js';
import { fsAliases, type FsAliases } from './js-fs-aliases.js';
import { isPathLike, toFilePath } from './paths.js';
import type { FileSink } from './python-files.js';
import { matchBrackets, NAME, OP, type TokenList } from './tokens.js';
import { WordSet } from './word-set.js';

const WRITE_FNS = new Set([
  'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'outputFile', 'outputFileSync',
  'writeJson', 'writeJsonSync', 'writeJSON', 'writeJSONSync', 'outputJson', 'outputJsonSync', 'writeTextFile', 'writeTextFileSync',
]);
const READ_FNS = new Set([
  'readFile', 'readFileSync', 'createReadStream', 'readJson', 'readJsonSync', 'readJSON', 'readJSONSync', 'readTextFile', 'readTextFileSync',
]);
const COPY_FNS = new Set(['copyFile', 'copyFileSync', 'rename', 'renameSync']);
const FS_ONLY_COPY_FNS = new Set(['cp', 'cpSync', 'copy', 'copySync', 'move', 'moveSync']);
const FS_ROOTS = new Set(['fs', 'fsp', 'fse', 'fsPromises', 'promises', 'Deno']);
const DEFINITION_KEYWORDS = new Set(['function', 'def', 'class', 'async', 'get', 'set']);
/** Every callee name a rule below handles; other calls are skipped before building a call site. */
const RELEVANT_CALLEES = new WordSet([
  ...WRITE_FNS, ...READ_FNS, ...COPY_FNS, ...FS_ONLY_COPY_FNS, 'open', 'openSync', 'write', 'screenshot', 'pdf',
]);
/** Tokens after which an initialiser has ended (statement boundary or list separator). */
const TERMINATORS = new Set([';', ',', ')', '}', ']']);

/** Scans JS/TS tokens for file writes and reads, adding normalised paths to `sink`. */
export function scanJsFiles(tokens: TokenList, sink: FileSink): void {
  const match = matchBrackets(tokens);
  const vars = new Map<string, Val>();
  const ctx: EvalContext = { tokens, match, lang: 'js', vars, qualify: (chain) => chain.join('.'), altBudget: { left: ALT_BUDGET } };
  const aliases = fsAliases(tokens, match);
  const loops: LoopBinding[] = [];
  const { kinds, starts, ends } = tokens;
  for (let i = 0; i < tokens.length; i++) {
    while (loops.length > 0 && loops[loops.length - 1]!.end <= i) leaveLoop(vars, loops.pop()!);
    if (kinds[i] !== NAME) continue;
    if (ends[i]! - starts[i]! === 3 && tokens.name(i, 'for') && tokens.op(i + 1, '(')) {
      const loop = enterLoop(ctx, i);
      if (loop !== undefined) loops.push(loop);
      continue;
    }
    if (isDeclarationKeyword(tokens, i) && tokens.name(i + 1) && tokens.op(i + 2, '=')) {
      trackDeclaration(ctx, i + 1);
      continue;
    }
    // `name = …` / `name += …` of a tracked variable (not `obj.name = …`): its value changes.
    // The operators are tested first: most names are followed by neither, and `text` allocates.
    const plain = tokens.op(i + 1, '=');
    if ((plain || (tokens.op(i + 1, '+') && tokens.op(i + 2, '='))) && !tokens.op(i - 1, '.') && ctx.vars.size > 0 && ctx.vars.has(tokens.text(i))) {
      trackReassignment(ctx, i, !plain);
      continue;
    }
    if (!tokens.op(i + 1, '(')) continue;
    const renamed = aliases.callees.size > 0 ? aliases.callees.get(tokens.text(i)) : undefined;
    if (renamed === undefined && !RELEVANT_CALLEES.hasRange(tokens.src, starts[i]!, ends[i]!)) continue;
    const call = callAt(tokens, match, i, DEFINITION_KEYWORDS);
    // A method definition `writeFile(p) { ... }` (or `writeFile(p: string): void {`) is not a call.
    if (call === undefined || tokens.op(call.close + 1, '{') || tokens.op(call.close + 1, ':')) continue;
    // A renamed import is the module's function only when called by its bare name (`save(p)`, not `db.save(p)`).
    if (renamed !== undefined && call.chain.length === 0 && call.receiver === undefined) call.name = renamed;
    analyseCall(ctx, call, sink, aliases);
  }
}

/** A loop variable bound for the loop's body: at token `end`, `name` gets its earlier value back. */
interface LoopBinding {
  end: number;
  name: string;
  earlier: Val | undefined;
}

/**
 * `for (const|let|var NAME of [<string literals>]) <body>` at token `forIdx`:
 * binds NAME to every value for the body (a block, or one statement), else
 * `undefined` (other loops leave the names they bind alone: a later
 * declaration or assignment is what the scan follows).
 */
function enterLoop(ctx: EvalContext, forIdx: number): LoopBinding | undefined {
  const { tokens, match } = ctx;
  const head = forIdx + 1;
  const headClose = match[head] ?? -1;
  if (headClose < 0 || !isDeclarationKeyword(tokens, head + 1) || !tokens.name(head + 2) || !tokens.name(head + 3, 'of')) return undefined;
  const values = literalStrings(tokens, match, head + 4);
  if (values === undefined || values.next !== headClose) return undefined;
  const name = tokens.text(head + 2);
  const binding: LoopBinding = { end: statementEnd(tokens, match, headClose + 1), name, earlier: ctx.vars.get(name) };
  ctx.vars.set(name, loopValues(forIdx, values.values));
  return binding;
}

function leaveLoop(vars: Map<string, Val>, loop: LoopBinding): void {
  if (loop.earlier === undefined) vars.delete(loop.name);
  else vars.set(loop.name, loop.earlier);
}

/** The strings of a literal array starting at token `i` (`['a.csv', 'b.csv']`), with the token after it. */
function literalStrings(tokens: TokenList, match: Int32Array, i: number): { values: string[]; next: number } | undefined {
  if (!tokens.op(i, '[')) return undefined;
  const close = match[i] ?? -1;
  if (close < 0 || close - i > 256) return undefined;
  const values: string[] = [];
  for (let k = i + 1; k < close; k++) {
    const v = tokens.value(k);
    if (v !== undefined) values.push(v);
    else if (!tokens.op(k, ',')) return undefined;
  }
  return values.length > 0 ? { values, next: close + 1 } : undefined;
}

/** Most tokens a loop body without braces is looked through for its end (nested loops: linear work). */
const MAX_STATEMENT_TOKENS = 512;

/**
 * The token after the statement starting at `from`: a `{ … }` block's end, else the first `;`
 * outside brackets or the first token on a later line (no semicolon: the line ends it). A
 * statement longer than MAX_STATEMENT_TOKENS ends there: its later calls do not see the loop's
 * values (a file missed, never one invented).
 */
function statementEnd(tokens: TokenList, match: Int32Array, from: number): number {
  if (tokens.op(from, '{')) {
    const close = match[from] ?? -1;
    return close < 0 ? tokens.length : close + 1;
  }
  const limit = Math.min(tokens.length, from + MAX_STATEMENT_TOKENS);
  let k = from;
  while (k < limit) {
    if (tokens.op(k, ';')) return k + 1;
    // A line starting with `.` or `?.` continues a method chain (`fs.promises\n  .writeFile(f, s)`).
    if (k > from && !tokens.op(k, '.') && !tokens.op(k, '?.') && lineBreakBetween(tokens.src, tokens.ends[k - 1]!, tokens.starts[k]!)) return k;
    const m = match[k] ?? -1;
    k = m > k ? m + 1 : k + 1;
  }
  return Math.min(k, limit);
}

/** Whether `src` has a line break in `[from, to)` (the gap between two tokens: each gap is read once). */
function lineBreakBetween(src: string, from: number, to: number): boolean {
  for (let c = from; c < to; c++) if (src.charCodeAt(c) === 10) return true;
  return false;
}

/** Whether name token `i` is `const`, `let` or `var` (length first: most names are none of them). */
function isDeclarationKeyword(tokens: TokenList, i: number): boolean {
  const len = tokens.ends[i]! - tokens.starts[i]!;
  if (len === 5) return tokens.name(i, 'const');
  return len === 3 && (tokens.name(i, 'let') || tokens.name(i, 'var'));
}

function trackDeclaration(ctx: EvalContext, nameIdx: number): void {
  const { tokens } = ctx;
  const name = tokens.text(nameIdx);
  const r = evalPrefix(ctx, nameIdx + 2);
  if (completeAt(ctx, r) && r?.val !== undefined) ctx.vars.set(name, r.val);
  else ctx.vars.delete(name);
}

/** Whether `r` (an evaluated right-hand side) is the whole expression, up to a terminator. */
function completeAt(ctx: EvalContext, r: { next: number } | undefined): boolean {
  if (r === undefined) return false;
  const kind = ctx.tokens.kind(r.next);
  return kind === 0 || kind === NAME || (kind === OP && TERMINATORS.has(ctx.tokens.text(r.next)));
}

/** A tracked variable assigned again: the new value, its old one extended (`+=`), or unknown. */
function trackReassignment(ctx: EvalContext, nameIdx: number, augmented: boolean): void {
  const name = ctx.tokens.text(nameIdx);
  const r = evalPrefix(ctx, nameIdx + (augmented ? 3 : 2));
  const val = completeAt(ctx, r) ? r?.val : undefined;
  if (!augmented) {
    if (val !== undefined) ctx.vars.set(name, val);
    else ctx.vars.delete(name);
    return;
  }
  const prev = ctx.vars.get(name);
  if (prev !== undefined && val !== undefined && !prev.path && prev.alts === undefined && val.alts === undefined && prev.s.length + val.s.length <= MAX_VALUE_CHARS) {
    ctx.vars.set(name, { s: prev.s + val.s, path: false });
  } else {
    ctx.vars.delete(name);
  }
}

function accept(val: Val | undefined, requirePathLike: boolean): string | undefined {
  if (val === undefined) return undefined;
  const p = toFilePath(val.s);
  if (p === undefined || (requirePathLike && !isPathLike(p))) return undefined;
  return p;
}

/** Adds the file an argument names (every value, for a loop variable). */
function addArg(ctx: EvalContext, sink: FileSink, dir: 'w' | 'r', arg: CallArg | undefined): void {
  const val = evalArg(ctx, arg);
  const into = dir === 'w' ? sink.written : sink.read;
  for (const s of val?.alts ?? (val === undefined ? [] : [val.s])) {
    const p = accept({ s, path: val!.path }, false);
    if (p !== undefined) into.add(p);
  }
}

function analyseCall(ctx: EvalContext, call: CallSite, sink: FileSink, aliases: FsAliases): void {
  const { name, args, chain } = call;
  const root = chain[0];
  const fsReceiver = root !== undefined && (FS_ROOTS.has(root) || aliases.roots.has(root) || chain.includes('promises'));
  if (name === 'writeFile' && (root === 'XLSX' || root === 'xlsx')) return addArg(ctx, sink, 'w', argAt(args, 1));
  if (WRITE_FNS.has(name)) return addArg(ctx, sink, 'w', argAt(args, 0));
  if (READ_FNS.has(name)) return addArg(ctx, sink, 'r', argAt(args, 0));
  if (name === 'write' && root === 'Bun') return addArg(ctx, sink, 'w', argAt(args, 0));
  if (COPY_FNS.has(name) || (fsReceiver && FS_ONLY_COPY_FNS.has(name))) {
    addArg(ctx, sink, 'r', argAt(args, 0));
    addArg(ctx, sink, 'w', argAt(args, 1));
    return;
  }
  if ((name === 'open' || name === 'openSync') && fsReceiver) {
    const flagsArg = argAt(args, 1);
    const flags = flagsArg === undefined ? 'r' : evalArg(ctx, flagsArg)?.s;
    if (flags === undefined) return;
    if (/r|\+/.test(flags)) addArg(ctx, sink, 'r', argAt(args, 0));
    if (/[wa+]/.test(flags)) addArg(ctx, sink, 'w', argAt(args, 0));
    return;
  }
  if ((name === 'screenshot' || name === 'pdf') && call.chain.length + (call.receiver ? 1 : 0) > 0) {
    const p = accept(objectProperty(ctx, argAt(args, 0), 'path'), true);
    if (p !== undefined) sink.written.add(p);
  }
}

/** Value of property `key` in an object-literal argument `{ key: value, ... }`. */
function objectProperty(ctx: EvalContext, arg: CallArg | undefined, key: string): Val | undefined {
  if (arg === undefined || !ctx.tokens.op(arg.start, '{')) return undefined;
  const { tokens, match } = ctx;
  const close = match[arg.start] ?? -1;
  if (close < 0) return undefined;
  let k = arg.start + 1;
  while (k < close) {
    if ((tokens.name(k, key) || tokens.value(k) === key) && tokens.op(k + 1, ':')) {
      let e = k + 2;
      while (e < close && !tokens.op(e, ',')) {
        const m = match[e] ?? -1;
        e = m > e ? m + 1 : e + 1;
      }
      return evalArg(ctx, { start: k + 2, end: e, kw: undefined, star: false });
    }
    const m = match[k] ?? -1;
    k = m > k ? m + 1 : k + 1;
  }
  return undefined;
}
