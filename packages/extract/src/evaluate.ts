/**
 * A tiny static evaluator for path-valued expressions, so that
 * `open(os.path.join(out_dir, "a.csv"), "w")` with `out_dir = "results"`
 * resolves to `results/a.csv`. It understands string literals (no
 * interpolation), variables bound to such values earlier in the same code,
 * `+` concatenation, Python `Path / 'x'`, and a handful of path helpers.
 * Anything else is `undefined`: an unknown value is never guessed.
 */
import { splitArgs, argAt, type CallArg } from './calls.js';
import { basename, dirname } from './paths.js';
import { NAME, NUM, STR, type StringPart, type TokenList } from './tokens.js';

/** A statically known value. `path` marks `pathlib.Path` objects (they support `/`). */
export interface Val {
  s: string;
  path: boolean;
  /**
   * All values of a loop variable (`for f in ['a.csv', 'b.csv']`). Only a bare
   * reference keeps them; any operation on such a value makes it unknown.
   */
  alts?: readonly string[];
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
  /** Variables bound only inside a range (comprehension loop variables), consulted first. */
  scoped?: (name: string) => Val | undefined;
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

/** Value of the expression spanning exactly tokens `[start, end)`, if statically known. */
export function evalRange(ctx: EvalContext, start: number, end: number): Val | undefined {
  if (end <= start || end - start > MAX_EXPR_TOKENS) return undefined;
  if (end - start === 1) {
    // The usual argument, one literal or one name: the value `parseExpr` gives, without its intermediate objects.
    const { tokens } = ctx;
    const kind = tokens.kind(start);
    if (kind === STR && !isTemplateHead(ctx, start)) {
      const v = tokens.value(start) ?? interpolate(ctx, tokens.stringParts(start));
      return v === undefined ? undefined : { s: v, path: false };
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
    if (left.val !== undefined && right.val !== undefined && left.val.alts === undefined && right.val.alts === undefined) {
      if (plus) val = left.val.path || left.val.s.length + right.val.s.length > MAX_VALUE_CHARS ? undefined : { s: left.val.s + right.val.s, path: false };
      else val = left.val.path ? { s: joinPaths([left.val.s, right.val.s]), path: true } : undefined;
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
    let k = i;
    while (k < end && tokens.kinds[k] === STR) {
      const v = tokens.value(k) ?? interpolate(ctx, tokens.stringParts(k));
      if (v === undefined) known = false;
      else s += v;
      k++;
      if (ctx.lang === 'js') break;
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
  if (chain.length > 1 && !isNew) {
    // `p.with_suffix('.x')` where `p` is a known variable: the rest is attribute/method access on its value.
    const head = lookupVar(ctx, chain[0]!);
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

/** A Python f-string's value when every interpolated name is a known single value. */
function interpolate(ctx: EvalContext, parts: StringPart[] | undefined): string | undefined {
  if (parts === undefined) return undefined;
  let s = '';
  for (const p of parts) {
    if (typeof p === 'string') s += p;
    else {
      const v = p.name === '' ? undefined : lookupVar(ctx, p.name);
      if (v === undefined || v.alts !== undefined) return undefined;
      s += v.s;
    }
  }
  return s;
}

/** A JS template `head ${name} middle ${name} tail` whose substitutions are known variables. */
function jsTemplate(ctx: EvalContext, i: number, end: number): Parsed {
  const { tokens } = ctx;
  let s = tokens.templateText(i);
  let known = true;
  let k = i + 1;
  for (let steps = 0; steps < 32; steps++) {
    // A bare identifier between two pieces; anything longer is unknown but still skipped over.
    const piece = tokens.template(k + 1);
    if (tokens.name(k) && piece !== undefined && piece !== 'head') {
      const name = tokens.text(k);
      const v = lookupVar(ctx, name) ?? nameValue(ctx, [name]);
      if (v === undefined || v.alts !== undefined) known = false;
      else s += v.s;
      s += tokens.templateText(k + 1);
      k += 2;
      if (piece === 'tail') return { val: known ? { s, path: false } : undefined, next: k };
      continue;
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
      val = val === undefined || val.alts !== undefined ? undefined : methodValue(ctx, val, attr, args, depth);
      next = close + 1;
    } else {
      val = val === undefined || val.alts !== undefined ? undefined : attrValue(ctx, val, attr);
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
  return chain.length === 1 ? lookupVar(ctx, joined) : undefined;
}

function lookupVar(ctx: EvalContext, name: string): Val | undefined {
  return ctx.scoped?.(name) ?? ctx.vars.get(name);
}

function argValues(ctx: EvalContext, args: readonly CallArg[], depth: number): string[] | undefined {
  const out: string[] = [];
  for (const a of args) {
    if (a.kw !== undefined || a.star) return undefined;
    const r = a.end - a.start > MAX_EXPR_TOKENS ? undefined : parseExpr(ctx, a.start, a.end, depth + 1);
    if (r === undefined || r.next !== a.end || r.val === undefined) return undefined;
    out.push(r.val.s);
  }
  return out;
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
    if (PY_JOIN.has(qual)) {
      const parts = argValues(ctx, args, depth);
      return parts && parts.length > 0 ? { s: joinPaths(parts), path: false } : undefined;
    }
    if (PY_PATH_CTORS.has(qual)) {
      const parts = argValues(ctx, args, depth);
      return parts ? { s: parts.length > 0 ? joinPaths(parts) : '.', path: true } : undefined;
    }
    if (PY_IDENTITY.has(qual)) return firstArg(ctx, args, depth);
    if (qual === 'os.getcwd' || qual.endsWith('Path.cwd')) return { s: '.', path: qual.endsWith('cwd') && qual !== 'os.getcwd' };
    if (qual.endsWith('Path.home')) return { s: '~', path: true };
    if (qual === 'os.path.dirname') {
      const v = firstArg(ctx, args, depth);
      return v ? { s: dirname(v.s) || '.', path: false } : undefined;
    }
    if (qual === 'os.path.basename') {
      const v = firstArg(ctx, args, depth);
      return v ? { s: basename(v.s), path: false } : undefined;
    }
    return undefined;
  }
  if (JS_JOIN.has(qual)) {
    const parts = argValues(ctx, args, depth);
    return parts && parts.length > 0 ? { s: joinPaths(parts), path: false } : undefined;
  }
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
    case 'expanduser':
      return val;
    case 'joinpath': {
      const parts = argValues(ctx, args, depth);
      return parts ? { s: joinPaths([val.s, ...parts]), path: true } : undefined;
    }
    case 'with_suffix': {
      const v = firstArg(ctx, args, depth);
      if (!v) return undefined;
      const base = basename(val.s);
      const dot = base.lastIndexOf('.');
      const stem = dot > 0 ? val.s.slice(0, val.s.length - (base.length - dot)) : val.s;
      return { s: stem + v.s, path: true };
    }
    case 'with_name': {
      const v = firstArg(ctx, args, depth);
      if (!v) return undefined;
      const dir = dirname(val.s);
      return { s: dir ? joinPaths([dir, v.s]) : v.s, path: true };
    }
    default:
      return undefined;
  }
}

function attrValue(ctx: EvalContext, val: Val, attr: string): Val | undefined {
  if (ctx.lang !== 'python' || !val.path) return undefined;
  if (attr === 'parent') return { s: dirname(val.s) || '.', path: true };
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
