/**
 * A tiny static evaluator for path-valued expressions, so that
 * `open(os.path.join(out_dir, "a.csv"), "w")` with `out_dir = "results"`
 * resolves to `results/a.csv`. It understands string literals, f-strings
 * and templates of known variables, variables bound to such values earlier
 * in the same code, `+` concatenation, Python `Path / 'x'`, and a handful of
 * path helpers. A loop variable over a literal list stands for all its values
 * (`Val.alts`); what is built from it gives every combination of the values
 * of different loops, each iteration of one loop only with itself (`combine`,
 * bounded). Anything else is `undefined`: an unknown value is never guessed.
 */
import { splitArgs, argAt, type CallArg } from './calls.js';
import { rawTemplate } from './lexer-js.js';
import { basename, dirname } from './paths.js';
import { NAME, NUM, STR, type StringPart, type TokenList } from './tokens.js';

/** A statically known value. `path` marks `pathlib.Path` objects (they support `/`). */
export interface Val {
  s: string;
  path: boolean;
  /**
   * All values of a loop variable (`for f in ['a.csv', 'b.csv']`), and of what
   * is built from it (`f"hist_{col}.png"`, `name + '.csv'`, `os.path.join(d, f)`:
   * every combination, see `combine`); `s` is the first. Operations the
   * evaluator cannot apply to each value make it unknown.
   */
  alts?: readonly string[];
  /**
   * With `alts`: the loops the values come from (ids: the token of each
   * loop's `for`), and for each value, the iteration of each of those loops it
   * was built in (`iters[a][j]`: value `a`, loop `loops[j]`). `combine` joins
   * only values of the same iteration of a loop (`f"{name}/{name}.csv"` gives
   * one file per value of `name`, not every pair).
   */
  loops?: readonly number[];
  iters?: readonly (readonly number[])[];
  /**
   * The values are integers (`s` and `alts` their decimal text: `for i in range(3)`), not strings: an
   * f-string formats them (`f"plot_{i:02d}.png"`), but they are no file path themselves
   * (`open(i)` opens a file descriptor).
   */
  num?: boolean;
  /**
   * Whether a leading `~` is the home directory: Python expanded it (`os.path.expanduser`, `.expanduser()`,
   * `Path.home()`), and what is built on it keeps it (`os.path.join(home, 'x')`, `home + '/x'`). A `~` nothing
   * expanded is a directory named `~` (`open('~/x')`: Python and node open x there).
   */
  home?: boolean;
}

/** `val` with its leading `~` the home directory (`os.path.expanduser`). */
function expanded(val: Val | undefined): Val | undefined {
  return val === undefined || val.home === true ? val : { ...val, home: true };
}

/** Whether what `pieces` build starts with a home `~`: their first piece that is not empty does. */
function homeOf(pieces: readonly Val[]): boolean {
  for (const p of pieces) if (p.s !== '' || p.alts !== undefined) return p.home === true;
  return false;
}

/** `v` marked `home` when `home` is (the value built on a home path). */
function withHome(v: Val, home: boolean | undefined): Val {
  if (home === true) v.home = true;
  return v;
}

/** The values of loop `id`'s variable over a literal list, each its own iteration. */
export function loopValues(id: number, values: readonly string[], num = false): Val {
  const v: Val = { s: values[0]!, path: false, alts: values, loops: [id], iters: values.map((_, k) => [k]) };
  if (num) v.num = true;
  return v;
}

/** What the evaluator needs to know about the surrounding code. */
export interface EvalContext {
  tokens: TokenList;
  match: Int32Array;
  lang: 'python' | 'js';
  /** Variables bound to known values so far. */
  vars: Map<string, Val>;
  /** Resolves a dotted callee (`['np', 'save']`) to its qualified name (`'numpy.save'`). */
  qualify(chain: readonly string[]): string;
  /**
   * Variables bound only inside a range (comprehension loop variables, lambda
   * parameters), consulted first: a value, `null` when the name is bound there
   * to an unknown value (it shadows any outer variable), `undefined` when not bound there.
   */
  scoped?: (name: string) => Val | null | undefined;
  /**
   * How many more values built from alternatives (`combine`) this snippet may
   * make; without it, values with alternatives are not combined at all.
   */
  altBudget?: { left: number };
}

/** Stand-in for the running script's own path (`__file__`, `import.meta.url`): its directory is `.`. */
export const SCRIPT_PATH = '\u0000script';

const MAX_EXPR_TOKENS = 64;
const MAX_DEPTH = 8;
/**
 * Longest string a value may grow to by concatenation before it is unknown:
 * longer than any path a detector reports, and a bound on what `p = p + p`
 * repeated (or `p += '…'` in a loop of statements) may cost in time and memory.
 */
export const MAX_VALUE_CHARS = 4096;
/**
 * Most values one expression may stand for when built from loop variables
 * (`f"{a}_{b}.png"` over two lists of 8 is 64); more is unknown.
 */
export const MAX_ALTS = 64;
/**
 * Most values a snippet may build from alternatives in all (`EvalContext.altBudget`):
 * a bound on time and memory however many such expressions the input holds.
 */
export const ALT_BUDGET = 4096;

/** Value of the expression spanning exactly tokens `[start, end)`, if statically known. */
export function evalRange(ctx: EvalContext, start: number, end: number): Val | undefined {
  if (end <= start || end - start > MAX_EXPR_TOKENS) return undefined;
  if (end - start === 1) {
    // The usual argument, one literal or one name: the value `parseExpr` gives, without its intermediate objects.
    const { tokens } = ctx;
    const kind = tokens.kind(start);
    if (kind === STR && !isTemplateHead(ctx, start)) {
      const v = tokens.value(start);
      return v !== undefined ? { s: v, path: false } : interpolate(ctx, tokens.stringParts(start));
    }
    if (kind === NAME && !(ctx.lang === 'js' && tokens.name(start, 'new'))) return nameValue(ctx, [tokens.text(start)]);
  }
  const r = parseExpr(ctx, start, end, 0);
  return r !== undefined && r.next === end ? r.val : undefined;
}

/** Value of an argument, if statically known. */
export function evalArg(ctx: EvalContext, arg: CallArg | undefined): Val | undefined {
  return arg === undefined ? undefined : evalRange(ctx, arg.start, arg.end);
}

/** Parses the longest expression starting at `start` (bounded to 64 tokens); returns its value and end. */
export function evalPrefix(ctx: EvalContext, start: number): { val: Val | undefined; next: number } | undefined {
  return parseExpr(ctx, start, Math.min(ctx.tokens.length, start + MAX_EXPR_TOKENS), 0);
}

interface Parsed {
  val: Val | undefined;
  next: number;
}

function parseExpr(ctx: EvalContext, i: number, end: number, depth: number): Parsed | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let left = parsePrimary(ctx, i, end, depth);
  if (left === undefined) return undefined;
  while (left.next < end) {
    const plus = ctx.tokens.op(left.next, '+');
    if (!(plus || (ctx.lang === 'python' && ctx.tokens.op(left.next, '/')))) break;
    const right = parsePrimary(ctx, left.next + 1, end, depth);
    if (right === undefined) return undefined;
    let val: Val | undefined;
    const l: Val | undefined = left.val;
    const r: Val | undefined = right.val;
    if (l !== undefined && r !== undefined && l.alts === undefined && r.alts === undefined) {
      if (plus) val = l.path || l.s.length + r.s.length > MAX_VALUE_CHARS ? undefined : withHome({ s: l.s + r.s, path: false }, homeOf([l, r]));
      else val = l.path ? withHome({ s: joinPaths([l.s, r.s]), path: true }, homeOf([l])) : undefined;
    } else if (l !== undefined && r !== undefined) {
      // A loop variable over a literal list on either side: every combination.
      if (plus) val = l.path ? undefined : combine(ctx, [l, r], concat, false);
      else val = l.path ? combine(ctx, [l, r], joinPaths, true) : undefined;
    }
    left = { val, next: right.next };
  }
  return left;
}

function parsePrimary(ctx: EvalContext, i: number, end: number, depth: number): Parsed | undefined {
  const { tokens, match } = ctx;
  const kind = tokens.kind(i);
  if (kind === 0 || i >= end) return undefined;
  if (kind === STR && isTemplateHead(ctx, i)) return postfix(ctx, jsTemplate(ctx, i, end), end, depth);
  if (kind === STR) {
    // Adjacent literals concatenate (Python); an interpolation is resolved from known variables, else unknown.
    let s = '';
    let known = true;
    let pieces: Val[] | undefined; // once a piece has alternatives
    let k = i;
    while (k < end && tokens.kinds[k] === STR) {
      const lit = tokens.value(k);
      const v = lit !== undefined ? undefined : interpolate(ctx, tokens.stringParts(k));
      if (lit !== undefined) s += lit;
      else if (v === undefined) known = false;
      else if (v.alts === undefined) s += v.s;
      else {
        pieces ??= [];
        pieces.push({ s, path: false }, v);
        s = '';
      }
      k++;
      if (ctx.lang === 'js') break;
    }
    if (known && pieces !== undefined) {
      pieces.push({ s, path: false });
      return postfix(ctx, { val: combine(ctx, pieces, concat, false), next: k }, end, depth);
    }
    return postfix(ctx, { val: known ? { s, path: false } : undefined, next: k }, end, depth);
  }
  if (tokens.op(i, '(')) {
    const m = match[i] ?? -1;
    if (m < 0 || m >= end) return undefined;
    const inner = parseExpr(ctx, i + 1, m, depth + 1);
    if (inner === undefined || inner.next !== m) return undefined;
    return postfix(ctx, { val: inner.val, next: m + 1 }, end, depth);
  }
  if (kind === NUM) return { val: undefined, next: i + 1 };
  if (kind !== NAME) return undefined;
  let k = i;
  let isNew = false;
  if (ctx.lang === 'js' && tokens.name(i, 'new')) {
    isNew = true;
    k++;
  }
  const chain: string[] = [];
  while (k < end && tokens.name(k) && chain.length < 16) {
    chain.push(tokens.text(k));
    if (k + 2 < end && tokens.op(k + 1, '.') && tokens.name(k + 2)) k += 2;
    else {
      k++;
      break;
    }
  }
  if (chain.length === 0) return undefined;
  if (chain.length === 2 && k < end && tokens.kinds[k] === STR && ctx.lang === 'js' && !isNew && chain[0] === 'String' && chain[1] === 'raw') {
    // `String.raw` tagged template: its raw text, escapes as written (another tag returns what it likes: unknown).
    return postfix(ctx, stringRaw(ctx, k, end), end, depth);
  }
  if (chain.length > 1 && !isNew) {
    // `p.with_suffix('.x')` where `p` is a known variable: the rest is attribute/method access on its value.
    const head = textVar(ctx, chain[0]!);
    if (head !== undefined) return postfix(ctx, { val: head, next: i + 1 }, end, depth);
  }
  if (k < end && tokens.op(k, '(')) {
    const close = match[k] ?? -1;
    if (close < 0 || close >= end) return undefined;
    const val = mayHaveValue(chain) ? callValue(ctx, chain, splitArgs(tokens, match, k, close), isNew, depth) : undefined;
    return postfix(ctx, { val, next: close + 1 }, end, depth);
  }
  return postfix(ctx, { val: nameValue(ctx, chain), next: k }, end, depth);
}

/** Whether string token `i` opens a JS template with substitutions (Python strings never do: no decoding asked). */
function isTemplateHead(ctx: EvalContext, i: number): boolean {
  return ctx.lang === 'js' && ctx.tokens.template(i) === 'head';
}

/**
 * A Python f-string's value when every interpolated name is known; a name
 * with alternatives (a loop variable) gives every combination (`combine`).
 */
function interpolate(ctx: EvalContext, parts: StringPart[] | undefined): Val | undefined {
  if (parts === undefined) return undefined;
  let s = '';
  let pieces: Val[] | undefined; // once a field has alternatives (a loop variable)
  let home = false; // whether the text starts with a field's home `~` (`f'{home}/x'`)
  for (const p of parts) {
    if (typeof p === 'string') {
      s += p;
      continue;
    }
    const found = p.name === '' ? undefined : lookupVar(ctx, p.name);
    const v = found === undefined || p.spec === undefined ? found : formatted(found, p.spec);
    if (v === undefined) return undefined;
    if (s === '' && pieces === undefined && v.home === true) home = true;
    if (v.alts === undefined) s += v.s;
    else {
      pieces ??= [];
      pieces.push(withHome({ s, path: false }, home && pieces.length === 0), v);
      s = '';
    }
  }
  if (pieces === undefined) return withHome({ s, path: false }, home);
  pieces.push({ s, path: false });
  return combine(ctx, pieces, concat, false);
}

/**
 * A value under a format spec: integers with `d` and a width, zero-padded or not (`03d`, `2d`, `d`);
 * strings with no spec or `s`. Anything else (alignment, precision, other types) is unknown.
 */
function formatted(v: Val, spec: string): Val | undefined {
  // A `pathlib.Path` takes no spec (`object.__format__`: a TypeError), not even `s`.
  if (!v.num) return spec === '' || (spec === 's' && !v.path) ? v : undefined;
  const m = /^(0?)([1-9]\d?)?d$/.exec(spec);
  if (m === null) return spec === '' ? v : undefined;
  const width = m[2] === undefined ? 0 : Number(m[2]);
  const pad = (t: string): string => (m[1] === '0' && t.startsWith('-') ? '-' + t.slice(1).padStart(width - 1, '0') : t.padStart(width, m[1] === '0' ? '0' : ' '));
  const out: Val = { s: pad(v.s), path: false };
  if (v.alts !== undefined) {
    out.alts = v.alts.map(pad);
    out.loops = v.loops;
    out.iters = v.iters;
  }
  return out;
}

function concat(parts: readonly string[]): string {
  return parts.length === 2 ? parts[0]! + parts[1]! : parts.join('');
}

/** Most loops one value may come from (`f"{a}_{b}_{c}"` is 3); more is unknown. */
const MAX_LOOPS = 8;

/**
 * Every consistent combination of the pieces' values (each a loop variable's
 * values, or one value), built by `build`, in the order nested loops would
 * give them (the first piece varies slowest). Consistent: pieces that come
 * from the same loop take values of the same iteration of it
 * (`f"{out_dir}/{split}.csv"` with `out_dir = f"data/{split}"`). Unknown when
 * there would be more than `MAX_ALTS` values, when they would come from more
 * than `MAX_LOOPS` loops, when the snippet's `altBudget` is spent, or when a
 * value grows past `MAX_VALUE_CHARS`: the cost stays bounded whatever the input.
 */
export function combine(ctx: EvalContext, pieces: readonly Val[], build: (parts: readonly string[]) => string, path: boolean): Val | undefined {
  const loops: number[] = [];
  for (const p of pieces) {
    if (p.alts === undefined) continue;
    if (p.loops === undefined || p.iters === undefined) return undefined;
    for (const id of p.loops) if (!loops.includes(id)) loops.push(id);
  }
  if (loops.length === 0) {
    const parts = pieces.map((p) => p.s);
    const s = build(parts);
    return s.length > MAX_VALUE_CHARS ? undefined : withHome({ s, path }, homeOf(pieces));
  }
  if (loops.length > MAX_LOOPS) return undefined;
  const budget = ctx.altBudget;
  if (budget === undefined) return undefined;
  // Rows: the value picked of each piece so far, and the iteration of each loop they fix (-1: none yet).
  let picks: number[][] = [[]];
  let rowIters: number[][] = [new Array<number>(loops.length).fill(-1)];
  for (const p of pieces) {
    const n = p.alts?.length ?? 1;
    if (budget.left < picks.length * n) return undefined;
    budget.left -= picks.length * n;
    const at = p.loops?.map((id) => loops.indexOf(id));
    const nextPicks: number[][] = [];
    const nextIters: number[][] = [];
    for (let r = 0; r < picks.length; r++) {
      for (let a = 0; a < n; a++) {
        let it = rowIters[r]!;
        if (at !== undefined) {
          const own = p.iters![a]!;
          let ok = true;
          for (let j = 0; j < at.length && ok; j++) {
            const cur = it[at[j]!]!;
            if (cur === -1) {
              if (it === rowIters[r]) it = it.slice();
              it[at[j]!] = own[j]!;
            } else ok = cur === own[j];
          }
          if (!ok) continue;
        }
        if (nextPicks.length >= MAX_ALTS) return undefined;
        nextPicks.push([...picks[r]!, a]);
        nextIters.push(it);
      }
    }
    picks = nextPicks;
    rowIters = nextIters;
  }
  if (picks.length === 0) return undefined;
  const out: string[] = [];
  const parts: string[] = new Array<string>(pieces.length);
  for (const row of picks) {
    for (let k = 0; k < pieces.length; k++) {
      const alts = pieces[k]!.alts;
      parts[k] = alts === undefined ? pieces[k]!.s : alts[row[k]!]!;
    }
    const s = build(parts);
    if (s.length > MAX_VALUE_CHARS) return undefined;
    out.push(s);
  }
  return withHome({ s: out[0]!, path, alts: out, loops, iters: rowIters }, homeOf(pieces));
}

/** `f` applied to each value of `val` (to `val` itself without alternatives); unknown if any result is. */
function eachValue(ctx: EvalContext, val: Val, f: (v: Val) => Val | undefined): Val | undefined {
  const alts = val.alts;
  if (alts === undefined) {
    const r = f(val);
    return r === undefined || val.home !== true ? r : withHome({ ...r }, true);
  }
  const budget = ctx.altBudget;
  if (budget === undefined || budget.left < alts.length) return undefined;
  budget.left -= alts.length;
  const out: string[] = [];
  let path = val.path;
  for (const s of alts) {
    const r = f({ s, path: val.path });
    if (r === undefined || r.alts !== undefined) return undefined;
    path = r.path;
    out.push(r.s);
  }
  return withHome({ s: out[0]!, path, alts: out, loops: val.loops, iters: val.iters }, val.home);
}

/** `String.raw` applied to the template starting at token `i`: its raw text, substitutions as in any template. */
function stringRaw(ctx: EvalContext, i: number, end: number): Parsed {
  if (isTemplateHead(ctx, i)) return jsTemplate(ctx, i, end, true);
  const s = rawTemplate(ctx.tokens, i);
  return { val: s === undefined ? undefined : { s, path: false }, next: i + 1 };
}

/**
 * A JS template `head ${name} middle ${name} tail` whose substitutions are known variables: of the
 * pieces' cooked text, or their raw text (`raw`: `String.raw`). A piece with no cooked text (a
 * malformed escape) makes it unknown.
 */
function jsTemplate(ctx: EvalContext, i: number, end: number, raw = false): Parsed {
  const { tokens } = ctx;
  const head = raw ? rawTemplate(tokens, i) : tokens.templateText(i);
  let s = head ?? '';
  let known = head !== undefined;
  let pieces: Val[] | undefined; // once a substitution has alternatives (a loop variable): combined as an f-string's
  let k = i + 1;
  for (let steps = 0; steps < 32; steps++) {
    // A bare identifier between two pieces; anything longer is unknown but still skipped over.
    const piece = tokens.template(k + 1);
    if (tokens.name(k) && piece !== undefined && piece !== 'head') {
      const name = tokens.text(k);
      const v = lookupVar(ctx, name) ?? nameValue(ctx, [name]);
      if (v === undefined) known = false;
      else if (v.alts === undefined) s += v.s;
      else {
        pieces ??= [];
        pieces.push({ s, path: false }, v);
        s = '';
      }
      const text = raw ? rawTemplate(tokens, k + 1) : tokens.templateText(k + 1);
      if (text === undefined) known = false;
      else s += text;
      k += 2;
      if (piece !== 'tail') continue;
      if (!known) return { val: undefined, next: k };
      if (pieces === undefined) return { val: { s, path: false }, next: k };
      pieces.push({ s, path: false });
      return { val: combine(ctx, pieces, concat, false), next: k };
    }
    // Complex substitution: skip to the closing piece without resolving.
    while (k < end && tokens.template(k) !== 'tail') k++;
    return { val: undefined, next: Math.min(k + 1, end) };
  }
  return { val: undefined, next: k };
}

/** Applies attribute and method accesses after a primary (`.parent`, `.with_suffix('.x')`). */
function postfix(ctx: EvalContext, p: Parsed, end: number, depth: number): Parsed {
  const { tokens, match } = ctx;
  let { val, next } = p;
  for (let steps = 0; steps < 8 && next + 1 < end && tokens.op(next, '.') && tokens.name(next + 1); steps++) {
    const attr = tokens.text(next + 1);
    next += 2;
    if (next < end && tokens.op(next, '(')) {
      const close = match[next] ?? -1;
      if (close < 0 || close >= end) return { val: undefined, next: end + 1 };
      const args = splitArgs(tokens, match, next, close);
      val = val === undefined ? undefined : val.alts === undefined ? methodValue(ctx, val, attr, args, depth) : eachValue(ctx, val, (v) => methodValue(ctx, v, attr, args, depth));
      next = close + 1;
    } else {
      val = val === undefined ? undefined : val.alts === undefined ? attrValue(ctx, val, attr) : eachValue(ctx, val, (v) => attrValue(ctx, v, attr));
    }
  }
  if (next < end && tokens.op(next, '[')) {
    const m = match[next] ?? -1;
    return { val: undefined, next: m > next ? m + 1 : end + 1 };
  }
  return { val, next };
}

function nameValue(ctx: EvalContext, chain: readonly string[]): Val | undefined {
  const joined = chain.length === 1 ? chain[0]! : chain.join('.');
  if (ctx.lang === 'python') {
    if (joined === '__file__') return { s: SCRIPT_PATH, path: false };
  } else {
    if (joined === '__dirname' || joined === 'import.meta.dirname') return { s: '.', path: false };
    if (joined === '__filename' || joined === 'import.meta.filename' || joined === 'import.meta.url') return { s: SCRIPT_PATH, path: false };
  }
  return chain.length === 1 ? textVar(ctx, joined) : undefined;
}

/** Value of variable `name` where it is used: a scoped binding (which may shadow it as unknown) first, then `vars`. */
/**
 * A variable's value as an expression's operand: integers (`Val.num`) are not, so `open(i)`, `'x' + i`
 * (a TypeError in Python), `Path(i)` and what is built from them are unknown; f-strings read them
 * through `lookupVar`, `str(i)` through `integerText`.
 */
function textVar(ctx: EvalContext, name: string): Val | undefined {
  const v = lookupVar(ctx, name);
  return v?.num === true ? undefined : v;
}

/** `str(i)` of an integer variable `i`: its decimal text, a string. */
function integerText(ctx: EvalContext, args: readonly CallArg[]): Val | undefined {
  const a = argAt(args, 0);
  if (a === undefined || args.length !== 1 || a.end !== a.start + 1 || !ctx.tokens.name(a.start)) return undefined;
  const v = lookupVar(ctx, ctx.tokens.text(a.start));
  if (v?.num !== true) return undefined;
  const { num: _num, ...text } = v;
  return text;
}

export function lookupVar(ctx: EvalContext, name: string): Val | undefined {
  if (ctx.scoped !== undefined) {
    const v = ctx.scoped(name);
    if (v !== undefined) return v ?? undefined;
  }
  return ctx.vars.get(name);
}

function argValues(ctx: EvalContext, args: readonly CallArg[], depth: number): Val[] | undefined {
  const out: Val[] = [];
  for (const a of args) {
    if (a.kw !== undefined || a.star) return undefined;
    const r = a.end - a.start > MAX_EXPR_TOKENS ? undefined : parseExpr(ctx, a.start, a.end, depth + 1);
    if (r === undefined || r.next !== a.end || r.val === undefined) return undefined;
    out.push(r.val);
  }
  return out;
}

/** `os.path.join`-like joining of argument values (every combination when some have alternatives). */
function joined(ctx: EvalContext, parts: readonly Val[] | undefined, path: boolean): Val | undefined {
  if (parts === undefined || parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0]!.alts === undefined) return withHome({ s: parts[0]!.s, path }, parts[0]!.home);
  if (parts.length === 2 && parts[0]!.alts === undefined && parts[1]!.alts === undefined) return withHome({ s: joinPaths([parts[0]!.s, parts[1]!.s]), path }, homeOf(parts));
  return combine(ctx, parts, joinPaths, path);
}

function firstArg(ctx: EvalContext, args: readonly CallArg[], depth: number): Val | undefined {
  const a = argAt(args, 0);
  if (a === undefined || a.end - a.start > MAX_EXPR_TOKENS) return undefined;
  const r = parseExpr(ctx, a.start, a.end, depth + 1);
  return r !== undefined && r.next === a.end ? r.val : undefined;
}

const PY_JOIN = new Set(['os.path.join', 'posixpath.join', 'ntpath.join']);
const PY_PATH_CTORS = new Set(['pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.PurePosixPath', 'Path', 'PurePath', 'PosixPath']);
const PY_IDENTITY = new Set(['str', 'os.fspath', 'os.path.abspath', 'os.path.normpath', 'os.path.realpath', 'os.path.expanduser', 'os.path.expandvars']);
const JS_JOIN = new Set(['path.join', 'path.resolve', 'path.posix.join', 'path.posix.resolve', 'path.normalize', 'join', 'resolve', 'posix.join']);
const JS_IDENTITY = new Set(['String', 'fileURLToPath', 'url.fileURLToPath', 'path.normalize']);

/**
 * Last segments of every call `callValue` knows (both languages). Qualifying a
 * dotted chain only rewrites its head, so a longer chain ending otherwise
 * (`np.arange`, `df.groupby`) is unknown without building its qualified name.
 */
const VALUE_CALL_NAMES = new Set([
  'join', 'Path', 'PurePath', 'PosixPath', 'PurePosixPath', 'str', 'fspath', 'abspath', 'normpath', 'realpath', 'expanduser',
  'expandvars', 'getcwd', 'cwd', 'home', 'dirname', 'basename', 'resolve', 'normalize', 'String', 'fileURLToPath', 'URL',
]);

/** Whether `callValue` may know the call `chain(...)`: a bare name (aliases can make it anything) or a chain ending in a known name. */
function mayHaveValue(chain: readonly string[]): boolean {
  return chain.length <= 1 || VALUE_CALL_NAMES.has(chain[chain.length - 1]!);
}

function callValue(ctx: EvalContext, chain: readonly string[], args: readonly CallArg[], isNew: boolean, depth: number): Val | undefined {
  const qual = ctx.qualify(chain);
  if (ctx.lang === 'python') {
    if (PY_JOIN.has(qual)) return joined(ctx, argValues(ctx, args, depth), false);
    if (PY_PATH_CTORS.has(qual)) {
      const parts = argValues(ctx, args, depth);
      return parts === undefined ? undefined : parts.length > 0 ? joined(ctx, parts, true) : { s: '.', path: true };
    }
    if (qual === 'str') return firstArg(ctx, args, depth) ?? integerText(ctx, args);
    if (qual === 'os.path.expanduser') return expanded(firstArg(ctx, args, depth));
    if (PY_IDENTITY.has(qual)) return firstArg(ctx, args, depth);
    if (qual === 'os.getcwd' || qual.endsWith('Path.cwd')) return { s: '.', path: qual.endsWith('cwd') && qual !== 'os.getcwd' };
    if (qual.endsWith('Path.home')) return { s: '~', path: true, home: true };
    if (qual === 'os.path.dirname') {
      const v = firstArg(ctx, args, depth);
      return v ? eachValue(ctx, v, (x) => ({ s: dirname(x.s) || '.', path: false })) : undefined;
    }
    if (qual === 'os.path.basename') {
      const v = firstArg(ctx, args, depth);
      return v ? eachValue(ctx, v, (x) => ({ s: basename(x.s), path: false })) : undefined;
    }
    return undefined;
  }
  if (JS_JOIN.has(qual)) return joined(ctx, argValues(ctx, args, depth), false);
  if (JS_IDENTITY.has(qual)) return firstArg(ctx, args, depth);
  if (qual === 'process.cwd') return { s: '.', path: false };
  if (qual === 'path.dirname' || qual === 'dirname') {
    const v = firstArg(ctx, args, depth);
    return v ? { s: dirname(v.s) || '.', path: false } : undefined;
  }
  if (isNew && qual === 'URL') {
    // `new URL('out.json', import.meta.url)` names a file next to the script.
    const v = firstArg(ctx, args, depth);
    return v && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(v.s) ? v : undefined;
  }
  return undefined;
}

function methodValue(ctx: EvalContext, val: Val, method: string, args: readonly CallArg[], depth: number): Val | undefined {
  if (!val.path) {
    // A few string methods that keep a literal a literal: `b'x.bin'.decode()`, `' a.txt '.strip()`.
    if (args.length > 0 && method !== 'decode' && method !== 'encode') return undefined;
    if (method === 'decode' || method === 'encode' || method === 'strip') return { s: method === 'strip' ? val.s.trim() : val.s, path: false };
    if (ctx.lang === 'python' && method === 'lower') return { s: val.s.toLowerCase(), path: false };
    return undefined;
  }
  if (ctx.lang !== 'python') return undefined;
  switch (method) {
    case 'resolve':
    case 'absolute':
      return val;
    case 'expanduser':
      return expanded(val);
    case 'joinpath': {
      const parts = argValues(ctx, args, depth);
      return parts ? combine(ctx, [val, ...parts], joinPaths, true) : undefined;
    }
    case 'with_suffix': {
      const v = firstArg(ctx, args, depth);
      if (!v || v.alts !== undefined) return undefined;
      const base = basename(val.s);
      const dot = base.lastIndexOf('.');
      const stem = dot > 0 ? val.s.slice(0, val.s.length - (base.length - dot)) : val.s;
      return withHome({ s: stem + v.s, path: true }, val.home);
    }
    case 'with_name': {
      const v = firstArg(ctx, args, depth);
      if (!v || v.alts !== undefined) return undefined;
      const dir = dirname(val.s);
      return withHome({ s: dir ? joinPaths([dir, v.s]) : v.s, path: true }, val.home);
    }
    default:
      return undefined;
  }
}

function attrValue(ctx: EvalContext, val: Val, attr: string): Val | undefined {
  if (ctx.lang !== 'python' || !val.path) return undefined;
  if (attr === 'parent') return withHome({ s: dirname(val.s) || '.', path: true }, val.home);
  if (attr === 'name') return { s: basename(val.s), path: false };
  return undefined;
}

/** Joins path parts like `os.path.join`: an absolute part restarts the path. */
export function joinPaths(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) {
    if (p.startsWith('/')) out = p;
    else if (out === '' || out.endsWith('/')) out += p;
    else out += '/' + p;
  }
  return out;
}
