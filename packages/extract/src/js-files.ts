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
 * `for (const f of ['a.csv', 'b.csv'])` loop's variable (also `for await`,
 * and a callback's parameter in `['a.csv', 'b.csv'].forEach((f) => …)`)
 * stands for each of its values inside the loop's body (after it, it is out
 * of scope). Parameters and block-scoped declarations are scoped, and what
 * a block assigns is unknown after it (`js-scopes.ts`).
 */
import { argAt, callAt, literalStrings, type CallArg, type CallSite } from './calls.js';
import { ALT_BUDGET, MAX_VALUE_CHARS, evalArg, evalPrefix, loopValues, type EvalContext, type Val } from './evaluate.js';
import { fsAliases, type FsAliases } from './js-fs-aliases.js';
import { BlockScopes, callbackValues, conciseBodyEnd, functionAt, paramNames, type FunctionHead } from './js-scopes.js';
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
/**
 * Tokens after which an initialiser has ended (statement boundary or list separator; a `{`, which no
 * expression goes on with, starts a block on the next line: `const p = 'a.csv'` then `{ … }`).
 */
const TERMINATORS = new Set([';', ',', ')', '}', ']', '{']);

/** Scans JS/TS tokens for file writes and reads, adding normalised paths to `sink`. */
export function scanJsFiles(tokens: TokenList, sink: FileSink): void {
  const match = matchBrackets(tokens);
  // A mismatched bracket is a SyntaxError the engine reports before running any of the code: nothing is written or read.
  if (tokens.mismatchedBracket) return;
  const vars = new Map<string, Val>();
  const ctx: EvalContext = { tokens, match, lang: 'js', vars, qualify: (chain) => chain.join('.'), altBudget: { left: ALT_BUDGET } };
  const aliases = fsAliases(tokens, match);
  const loops = new LoopStack();
  const blocks = new BlockScopes(vars);
  const { kinds, starts, ends } = tokens;
  for (let i = 0; i < tokens.length; i++) {
    loops.leaveBefore(i, vars);
    blocks.leaveBefore(i);
    const kind = kinds[i];
    if (kind === OP) {
      const c = tokens.opChar(i);
      if (c === 123 /* { */) blocks.open(i, match[i]!);
      else if (c === 40 /* ( */) {
        // An arrow's parameters (`(p) => …`), noted before the scan reads their defaults.
        const head = functionAt(tokens, match, i);
        if (head !== undefined) enterFunction(ctx, head, loops, blocks);
      }
      continue;
    }
    if (kind !== NAME) continue;
    const len = ends[i]! - starts[i]!;
    if (len === 3 && tokens.name(i, 'for') && (tokens.op(i + 1, '(') || (tokens.name(i + 1, 'await') && tokens.op(i + 2, '(')))) {
      enterLoop(ctx, tokens.op(i + 1, '(') ? i : i + 1, i, loops);
      continue;
    }
    if ((len === 3 || len === 5) && isDeclarationKeyword(tokens, i)) {
      declaration(ctx, i, loops, blocks);
      continue;
    }
    // `name = …` / `name += …` of a tracked variable (not `obj.name = …`): its value changes.
    // The operators are tested first: most names are followed by neither, and `text` allocates.
    const plain = tokens.op(i + 1, '=');
    if ((plain || (tokens.op(i + 1, '+') && tokens.op(i + 2, '='))) && !tokens.op(i - 1, '.') && ctx.vars.size > 0 && ctx.vars.has(tokens.text(i))) {
      const name = tokens.text(i);
      if (blocks.bind(name, 'assign')) trackReassignment(ctx, i, !plain);
      else vars.delete(name);
      loops.noteBinding(name, vars);
      continue;
    }
    if (tokens.op(i + 1, '=>')) {
      // `p => …`: a single parameter.
      enterFunction(ctx, functionAt(tokens, match, i)!, loops, blocks);
      continue;
    }
    if (!tokens.op(i + 1, '(')) continue;
    // `function f(p) {`, a method `save(p) {`, `catch (e) {`: parameters for the body; not a call.
    const close = match[i + 1]!;
    if (close > 0 && (tokens.op(close + 1, '{') || tokens.op(close + 1, ':'))) {
      const head = functionAt(tokens, match, i);
      if (head !== undefined) {
        enterFunction(ctx, head, loops, blocks);
        continue;
      }
    }
    const renamed = aliases.callees.size > 0 ? aliases.callees.get(tokens.text(i)) : undefined;
    if (renamed === undefined && !RELEVANT_CALLEES.hasRange(tokens.src, starts[i]!, ends[i]!)) continue;
    const call = callAt(tokens, match, i, DEFINITION_KEYWORDS);
    // A method definition `writeFile(p) { ... }` is not a call (one with a return type, `writeFile(p: string):
    // void {`, was found by `functionAt` above), nor a TS signature `readFile(p: string): Promise<string>;`;
    // but a call in a ternary's branch is one (`ok ? fs.readFileSync(p) : ''`: its `:` is the ternary's).
    if (call === undefined || tokens.op(call.close + 1, '{') || (tokens.op(call.close + 1, ':') && !inTernaryBranch(tokens, match, i))) continue;
    // A renamed import is the module's function only when called by its bare name (`save(p)`, not `db.save(p)`).
    if (renamed !== undefined && call.chain.length === 0 && call.receiver === undefined) call.name = renamed;
    analyseCall(ctx, call, sink, aliases);
  }
}

/**
 * Names a loop (or a function: its parameters) binds for its body: at token `end`, each gets its
 * earlier value back (`earlier`; a `var`, which outlives the loop, is unknown after it).
 */
interface LoopBinding {
  /** The loop's id (its `for` token, a callback's first token), as in the values of its variable (`Val.loops`); -1 for a function's parameters. */
  id: number;
  end: number;
  names: string[];
  earlier: (Val | undefined)[];
  /** Names assigned, in the body, a value built from the loop's variable (`out = f`, `var p = `${f}.csv``). */
  derived: string[];
}

/** Deepest nesting of loops whose variables are followed (each costs a binding to undo at its end). */
const MAX_LOOP_DEPTH = 32;

/** The loops around the token the scan is at, innermost last. */
class LoopStack {
  private readonly stack: LoopBinding[] = [];

  /** Loops open at the token the scan is at. */
  get depth(): number {
    return this.stack.length;
  }
  /** Where the innermost open loop's body ends (the input's end when none). */
  get innermostEnd(): number {
    return this.stack.length > 0 ? this.stack[this.stack.length - 1]!.end : Number.MAX_SAFE_INTEGER;
  }
  /** Ends of loop bodies found so far, by the token they start at (see `statementEnd`). */
  private readonly ends = new Map<number, number>();

  /**
   * The end of the loop body starting at token `from`. A body that is itself a loop (`for (…) for (…)
   * g(f)`, one line of nested loops) ends where the innermost body does: that end is found once and
   * remembered for every loop of the row, so one-line loops nested a thousand deep cost linear work.
   */
  statementEnd(tokens: TokenList, match: Int32Array, from: number): number {
    const known = this.ends.get(from);
    if (known !== undefined) return known;
    const starts = [from];
    let k = from;
    let end: number | undefined;
    while ((tokens.name(k, 'for') || tokens.name(k, 'while')) && tokens.op(k + 1, '(')) {
      const close = match[k + 1] ?? -1;
      if (close < 0) break;
      k = close + 1;
      end = this.ends.get(k);
      if (end !== undefined) break;
      starts.push(k);
    }
    end ??= statementEnd(tokens, match, k);
    // Only the inner loops of a row ask again (for their own bodies); the first body start is this loop's.
    for (let j = 1; j < starts.length; j++) this.ends.set(starts[j]!, end);
    return end;
  }
  /** The stack's loops by id, for `noteBinding` (a value comes from at most MAX_LOOPS loops). */
  private readonly byId = new Map<number, LoopBinding>();

  push(loop: LoopBinding): void {
    this.stack.push(loop);
    if (loop.id >= 0) this.byId.set(loop.id, loop);
  }

  /** Leaves the loops whose body ends at or before token `i`. */
  leaveBefore(i: number, vars: Map<string, Val>): void {
    const stack = this.stack;
    while (stack.length > 0 && stack[stack.length - 1]!.end <= i) {
      const loop = stack.pop()!;
      if (loop.id >= 0) this.byId.delete(loop.id);
      // What the body built from the loop's variable is no value of it after the loop: a block's `const`
      // is out of scope, and an outer `let`/`var` holds the last iteration's (or none: `break`), never
      // every one. Unknown (a file missed, never one invented).
      for (const name of loop.derived) if (vars.get(name)?.loops?.includes(loop.id) === true) vars.delete(name);
      for (let k = 0; k < loop.names.length; k++) {
        const earlier = loop.earlier[k];
        if (earlier === undefined) vars.delete(loop.names[k]!);
        else vars.set(loop.names[k]!, earlier);
      }
    }
  }

  /** Notes that `name` was just bound: if to a value built from loops on the stack, they forget it when left. */
  noteBinding(name: string, vars: Map<string, Val>): void {
    const ids = this.byId.size > 0 ? vars.get(name)?.loops : undefined;
    if (ids !== undefined) for (const id of ids) this.byId.get(id)?.derived.push(name);
  }
}

/**
 * A `for (…)` loop at token `forIdx` (`head - 1`: `for`, or the `await` of `for await (…)`).
 * `for (const|let|var NAME of [<string literals>]) <body>` binds NAME to every value for the body (a
 * block, or one statement). Any other loop declaring names (`for (const f of files)`, `for (const [k,
 * v] in …)`) makes them unknown for its body: they shadow whatever they named outside it, an outer
 * loop's variable too. `for (NAME of …)` (no declaration) assigns NAME: unknown from there on.
 */
function enterLoop(ctx: EvalContext, beforeHead: number, forIdx: number, loops: LoopStack): void {
  const { tokens, match, vars } = ctx;
  const head = beforeHead + 1;
  const headClose = match[head] ?? -1;
  if (headClose < 0) return;
  if (!isDeclarationKeyword(tokens, head + 1)) {
    if (tokens.name(head + 1) && (tokens.name(head + 2, 'of') || tokens.name(head + 2, 'in'))) vars.delete(tokens.text(head + 1));
    return;
  }
  const isVar = tokens.name(head + 1, 'var');
  const target = declaredNames(tokens, match, head + 2, headClose);
  if (target === undefined) return;
  const { names, next } = target;
  if (loops.depth >= MAX_LOOP_DEPTH) {
    // Loops nested deeper are not followed: their names are unknown from here on (a file missed, never one invented).
    for (const name of names) vars.delete(name);
    return;
  }
  const values = names.length === 1 && tokens.name(next, 'of') && tokens.op(next + 1, '[') ? literalStrings(tokens, match, next + 1) : undefined;
  const known = values !== undefined && values.next === headClose;
  const end = loops.statementEnd(tokens, match, headClose + 1);
  loops.push({ id: forIdx, end, names, earlier: names.map((n) => (isVar ? undefined : vars.get(n))), derived: [] });
  for (const name of names) vars.delete(name);
  if (known) vars.set(names[0]!, loopValues(forIdx, values.values));
}

/**
 * The names a loop head's declaration binds, from token `from` (after `const`/`let`/`var`) to the
 * `of`/`in` before `headClose`: one name, or every name of a destructuring pattern (`[k, v]`,
 * `{ path, name: n }`; a property key counts too: forgetting one more name is safe).
 */
function declaredNames(tokens: TokenList, match: Int32Array, from: number, headClose: number): { names: string[]; next: number } | undefined {
  if (tokens.name(from)) return tokens.name(from + 1, 'of') || tokens.name(from + 1, 'in') ? { names: [tokens.text(from)], next: from + 1 } : undefined;
  if (!tokens.op(from, '[') && !tokens.op(from, '{')) return undefined;
  const close = match[from] ?? -1;
  if (close < 0 || close >= headClose || close - from > MAX_PATTERN_TOKENS) return undefined;
  const names: string[] = [];
  for (let k = from + 1; k < close; k++) if (tokens.name(k)) names.push(tokens.text(k));
  return tokens.name(close + 1, 'of') || tokens.name(close + 1, 'in') ? { names, next: close + 1 } : undefined;
}

/** Words that may follow a `}` within one statement (`} else {`, `} while (x)`, `{} as T`). */
const AFTER_BLOCK = new Set(['else', 'catch', 'finally', 'while', 'as', 'satisfies', 'in', 'instanceof', 'of']);

/** Longest destructuring pattern of a loop head read for its names, tokens. */
const MAX_PATTERN_TOKENS = 512;

/**
 * Most steps (a token, or a bracketed group jumped over whole) a loop body without braces is walked for
 * its end: a one-statement body takes a few dozen at most, and one-line loops nested in each other walk
 * the same tokens again for each (a bound per loop keeps that linear: 64 keeps 1 MB of them near 30 ms).
 */
const MAX_STATEMENT_STEPS = 64;

/**
 * The token after the statement starting at `from`: a `{ … }` block's end, else the first `;`
 * outside brackets, the first token on a later line (no semicolon: the line ends it), a name
 * after a block on the same line (`if (c) { … } next()`), or the bracket closing one around it. A
 * statement longer than MAX_STATEMENT_STEPS ends there: its later calls do not see the loop's
 * values (a file missed, never one invented).
 */
function statementEnd(tokens: TokenList, match: Int32Array, from: number): number {
  if (tokens.op(from, '{')) {
    const close = match[from] ?? -1;
    return close < 0 ? tokens.length : close + 1;
  }
  let k = from;
  for (let steps = 0; k < tokens.length; steps++) {
    if (steps === MAX_STATEMENT_STEPS) return k;
    if (tokens.op(k, ';')) return k + 1;
    // A closing bracket met here closes one around the loop (`{ for (…) g(f) } h(f)`): the body ends before it.
    if (tokens.op(k, '}') || tokens.op(k, ')') || tokens.op(k, ']')) return k;
    // A line starting with `.` or `?.` continues a method chain (`fs.promises\n  .writeFile(f, s)`).
    if (k > from && !tokens.op(k, '.') && !tokens.op(k, '?.') && lineBreakBetween(tokens.src, tokens.ends[k - 1]!, tokens.starts[k]!)) return k;
    const m = match[k] ?? -1;
    const block = m > k && tokens.op(k, '{');
    k = m > k ? m + 1 : k + 1;
    // After a block (`if (c) { … }`), a name on the same line starts the next statement (`fs.writeFileSync(f)`),
    // unless it goes on with the block's statement or expression (`else`, `catch`, `as`, …).
    if (block && tokens.name(k) && !AFTER_BLOCK.has(tokens.text(k))) return k;
  }
  return Math.min(k, tokens.length);
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

/** Most tokens a TS type annotation of a declaration is read over (`const p: string = …`). */
const MAX_ANNOTATION_TOKENS = 16;

/**
 * A `const`/`let`/`var` at token `i`: `NAME = value` (maybe `NAME: T = value`) binds NAME to the value
 * (or unknown); `NAME;`, `NAME: T;` and a destructuring pattern (`const { p } = opts`) make their names
 * unknown. Noted for the block it is in (`js-scopes.ts`). A loop's head (`for (const f of …)`) is the
 * loop's (`enterLoop`).
 */
function declaration(ctx: EvalContext, i: number, loops: LoopStack, blocks: BlockScopes): void {
  const { tokens, match, vars } = ctx;
  if (tokens.op(i - 1, '(') && (tokens.name(i - 2, 'for') || tokens.name(i - 2, 'await'))) {
    // `for (let i = 0; …)`: a classic loop's counter; `of`/`in` heads are enterLoop's.
    if (!tokens.name(i + 1) || !tokens.op(i + 2, '=')) return;
  }
  const kind = tokens.text(i) as 'const' | 'let' | 'var';
  if (tokens.op(i + 1, '{') || tokens.op(i + 1, '[')) {
    const close = match[i + 1]!;
    if (close < 0 || close - i > MAX_PATTERN_TOKENS) return;
    for (let k = i + 2; k < close; k++) {
      if (!tokens.name(k)) continue;
      const name = tokens.text(k);
      blocks.bind(name, kind);
      vars.delete(name);
    }
    return;
  }
  if (!tokens.name(i + 1)) return;
  const name = tokens.text(i + 1);
  let eq = i + 2;
  if (tokens.op(eq, ':')) {
    // `const p: string = …`, `let f: (a: string) => void = …`: the value after the annotation.
    for (let n = 0; n < MAX_ANNOTATION_TOKENS && eq < tokens.length && !tokens.op(eq, '=') && !tokens.op(eq, ';'); n++) {
      const m = match[eq]!;
      eq = m > eq ? m + 1 : eq + 1;
    }
  }
  if (!blocks.bind(name, kind) || !tokens.op(eq, '=')) {
    vars.delete(name);
    return;
  }
  trackDeclaration(ctx, name, eq + 1);
  loops.noteBinding(name, vars);
}

function trackDeclaration(ctx: EvalContext, name: string, valueIdx: number): void {
  const r = evalPrefix(ctx, valueIdx);
  if (completeAt(ctx, r) && r?.val !== undefined) ctx.vars.set(name, r.val);
  else ctx.vars.delete(name);
}

/**
 * A function whose head the scan is at: its parameters are unknown in its body (a callback's first one
 * over a literal array stands for each value, as a loop's variable), their earlier values back after it.
 */
function enterFunction(ctx: EvalContext, head: FunctionHead, loops: LoopStack, blocks: BlockScopes): void {
  const { tokens, match, vars } = ctx;
  const names = paramNames(tokens, match, head);
  if (names.length === 0) {
    if (tokens.op(head.body, '{')) blocks.functionBody(head.body);
    return;
  }
  let end: number;
  let certain = true;
  if (tokens.op(head.body, '{')) {
    blocks.functionBody(head.body);
    const close = match[head.body]!;
    end = close < 0 ? tokens.length : close + 1;
  } else ({ end, certain } = conciseBodyEnd(tokens, match, head.body));
  if (loops.depth >= MAX_LOOP_DEPTH || end > loops.innermostEnd) {
    // Not followed (too deep, or a body not ending inside the loop around it): unknown from here on.
    for (const name of names) vars.delete(name);
    return;
  }
  const values = head.open < 0 || tokens.name(head.open + 1) ? callbackValues(tokens, match, head.start) : undefined;
  const id = values === undefined ? -1 : head.start;
  loops.push({ id, end, names, earlier: names.map((n) => (certain ? vars.get(n) : undefined)), derived: [] });
  for (const name of names) vars.delete(name);
  if (values !== undefined) vars.set(names[0]!, loopValues(id, values));
}

/** Most steps (a token, or a bracketed group) `inTernaryBranch` walks back for the `?`. */
const MAX_TERNARY_STEPS = 16;

/**
 * Whether the callee at token `i` is in the middle branch of a ternary (`cond ? fs.readFileSync(p) : ''`):
 * a `?` (not `?.`) before it in its expression, walking back over bracketed groups; a `;`, a `,`, a `:` or
 * an opening bracket around it ends the walk (a member of an interface or a class starts after one).
 */
function inTernaryBranch(tokens: TokenList, match: Int32Array, i: number): boolean {
  let k = i - 1;
  for (let n = 0; n < MAX_TERNARY_STEPS && k >= 0; n++) {
    const c = tokens.opChar(k);
    if (c === 63 /* ? */) return !tokens.op(k + 1, '.');
    if (c === 59 /* ; */ || c === 44 /* , */ || c === 58 /* : */ || c === 40 /* ( */ || c === 91 /* [ */ || c === 123 /* { */) return false;
    const m = match[k]!;
    k = m >= 0 && m < k ? m - 1 : k - 1;
  }
  return false;
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
