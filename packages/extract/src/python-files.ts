/**
 * Files a Python snippet writes and reads, from its call sites.
 *
 * Recognised writes: `open(p, 'w'|'a'|'x'|'wb'|'w+'...)` (also `io`, `codecs`,
 * `gzip`, `bz2`, `lzma`, `tarfile` opens and `mode=`), `Path(...).write_text/
 * write_bytes/touch/open('w')`, `np.save/savez/savez_compressed/savetxt`,
 * `x.tofile`, `df.to_csv/to_json/to_parquet/to_excel/to_pickle/to_hdf/
 * to_feather/...` on any receiver, GeoPandas' `gdf.to_file(p)`, `savefig` on any receiver, `imsave/imwrite`,
 * `shutil.copy/copy2/copyfile/move` and `os.rename/replace` destinations,
 * `h5py.File`/`netCDF4.Dataset`/`zipfile.ZipFile` opened for writing, astropy
 * `writeto` and `Table.write(..., format=/overwrite=)`, `ascii.write`,
 * healpy `write_map/write_alm/write_cl` (any `write_*` method given a file
 * name), `torch.save`, `joblib.dump`, `scipy.io.savemat`, `wavfile.write`,
 * `urlretrieve(url, p)`, `logging.FileHandler`/`basicConfig(filename=)`,
 * `x.save('file.ext')`. `json.dump`/`pickle.dump` write into a handle whose
 * `open` already counted, so they add nothing.
 *
 * Recognised reads: `open(p)`/mode `r`, `np.load/loadtxt/genfromtxt/fromfile`,
 * any `read_*` method (`pd.read_csv`, `hp.read_map`, `camb.read_ini`),
 * `fits.open/getdata/getheader/getval`, `h5py.File(p)`/`'r'`, `Image.open`,
 * `imread`, `xr.open_dataset`, `loadmat`, `torch.load`, `joblib.load`,
 * `Path(...).read_text/read_bytes`, `x.read('file.ext')`, and the sources of
 * copies and moves (their content flows somewhere).
 */
import { argAt, callAt, hasKeyword, literalStrings, type CallArg, type CallSite } from './calls.js';
import { ALT_BUDGET, combine, evalArg, evalPrefix, evalRange, lookupVar, loopValues, type EvalContext, type Val } from './evaluate.js';
import type { OrderedSet } from './guard.js';
import { basename, extensionOf, isPathLike, toFilePath } from './paths.js';
import type { PythonTokenList } from './lexer-python.js';
import { PythonBlocks } from './python-blocks.js';
import { literalLoopValues } from './python-loop-values.js';
import { atStatementStart } from './python-imports.js';
import { classifyName, isFileCallee, PANDAS_WRITERS, PATH_METHOD, PATH_RECEIVER_METHODS } from './python-names.js';
import { NAME, NL, OP, type TokenList } from './tokens.js';

/**
 * Conventional aliases, used when the snippet does not show its imports. A
 * Map, not an object literal: a name like `constructor` or `toString` must
 * not find `Object.prototype`'s members (that once made the evaluator throw,
 * and the guard then dropped every import and file of the snippet).
 */
const DEFAULT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['np', 'numpy'],
  ['pd', 'pandas'],
  ['plt', 'matplotlib.pyplot'],
  ['hp', 'healpy'],
  ['fits', 'astropy.io.fits'],
  ['xr', 'xarray'],
  ['sio', 'scipy.io'],
]);

const DEFINITION_KEYWORDS = new Set(['def', 'class']);
/** The variables an opaque block sees (`PythonBlocks.opaque`): none. Never written. */
const NO_VARS: Map<string, Val> = new Map();

/** Collector for the two directions. */
export interface FileSink {
  written: OrderedSet;
  read: OrderedSet;
}

type Direction = 'w' | 'r';

/**
 * A name bound only between tokens `start` and `end`: a comprehension's loop
 * variable (its values over a literal list, else unknown: `null`), a lambda's
 * parameter (unknown).
 */
interface ScopedBinding {
  start: number;
  end: number;
  val: Val | null;
}

/** Kinds of the bindings noted for later evaluation (the low 3 bits of a pending entry; the token index above them). */
const B_ASSIGN = 0; // `name = …`, `name += …`, `a = b = …` (token: the first name)
const B_FOR = 1; // `for a, b in …:` (token: `for`)
const B_AS = 2; // `… as name` (with, except, import): unknown
const B_WALRUS = 3; // `(name := …)`
const B_TUPLE = 4; // `a, b = …` (token: the last name)
const B_ANNOTATED = 5; // `name: T = …` (token: the last name of T)

/**
 * Scans Python tokens for file writes and reads, adding normalised paths to
 * `sink`. `aliases` come from `scanPythonImports`.
 *
 * Only calls whose name is a file callee (`python-names.ts`) are analysed.
 * Variable bindings (`x = ...`, `a, b = ...`, `x: T = ...`, `(x := ...)`,
 * `for x in [...]`, `... as x`) are noted as they are passed but evaluated
 * only when such a call comes (all pending ones, in order, so the call sees
 * exactly the bindings before it): code after the last file call, or with
 * none, costs no evaluation at all. `PythonBlocks` follows, on the way, the
 * functions and branches the bindings are in; comprehension and lambda
 * variables are scoped to their brackets (`scopedBindings`).
 */
export function scanPythonFiles(
  tokens: PythonTokenList,
  aliases: ReadonlyMap<string, string>,
  sink: FileSink,
  embeddedShell: (code: string) => void = () => undefined,
): void {
  const { kinds, starts, ends, src } = tokens;
  const match = tokens.match!;
  const vars = new Map<string, Val>();
  // Where names are scoped (comprehensions, lambdas): every such name, found once, at the first lookup.
  let scopedNames: Map<string, ScopedRanges> | undefined;
  let current = 0;
  const root = (head: string): string => aliases.get(head) ?? DEFAULT_ALIASES.get(head) ?? head;
  const qualify = (chain: readonly string[]): string => {
    if (chain.length === 0) return '';
    return chain.length === 1 ? root(chain[0]!) : root(chain[0]!) + '.' + chain.slice(1).join('.');
  };
  const scoped = (name: string): Val | null | undefined => {
    if (scopedNames === undefined) {
      if (tokens.bracketedFors.length + tokens.lambdas.length === 0) return undefined;
      scopedNames = scopedBindings(tokens, match);
    }
    const r = scopedNames.get(name);
    return r === undefined ? undefined : innermostAt(r, current);
  };
  const ctx: EvalContext = { tokens, match, lang: 'python', vars, qualify, scoped, altBudget: { left: ALT_BUDGET } };
  const blocks = new PythonBlocks(tokens, match, vars);
  // Names bound to open file handles (`f.write(...)` writes content, not a path), with the qualified
  // name of what opened them (`zipfile.ZipFile`), so `z.write('a.pdf')` on an archive reads a.pdf.
  const handles = new Map<string, string>();
  // Bindings and block headers not evaluated yet, in token order: `token << 3 | kind`.
  const pending: number[] = [];
  let evaluated = 0;

  // The lexer marked the callees a file rule may handle, the names followed by `=`, `+=` or `:=`, and
  // `for`/`as`: nothing else can bind a name or call a file rule, but a file callee imported under
  // another name. (Functions and branches, which start logical lines, are followed by `blocks`.)
  const renamed = renamedCallees(aliases);
  const marks = renamed === undefined ? tokens.marks : withCallsOf(tokens, renamed);
  for (let m = 0; m < marks.length; m++) {
    const i = marks[m]!;
    const len = ends[i]! - starts[i]!;
    if (kinds[i + 1] === OP) {
      const op = assignOpAt(tokens, i + 1);
      if (op !== 0) {
        const before = tokens.opChar(i - 1);
        if (op === WALRUS) pending.push((i << 3) | B_WALRUS);
        else if ((before === 58 /* : */ || before === 46) /* . */ && op === ASSIGN && annotatedTarget(tokens, i) >= 0) pending.push((i << 3) | B_ANNOTATED);
        else if (atStatementStart(tokens, i)) {
          pending.push((i << 3) | B_ASSIGN);
          // `f = open(...)` binds a handle (noted now: `as` below updates the same map, in token order).
          if (op === ASSIGN && tokens.name(i + 2, 'open') && tokens.op(i + 3, '(')) handles.set(tokens.text(i), 'open');
        } else if ((before === 44 /* , */ || before === 42) /* * */ && op === ASSIGN && tupleTargetStart(tokens, i) >= 0) pending.push((i << 3) | B_TUPLE);
      }
    } else if (len === 3) {
      if (tokens.name(i, 'for') && (atStatementStart(tokens, i) || (tokens.name(i - 1, 'async') && atStatementStart(tokens, i - 1)))) pending.push((i << 3) | B_FOR);
    } else if (len === 2 && tokens.name(i, 'as') && tokens.name(i + 1)) {
      pending.push((i << 3) | B_AS);
      if (tokens.op(i - 1, ')')) handles.set(tokens.text(i + 1), openerOf(ctx, i - 1));
    }
    if (!tokens.op(i + 1, '(')) continue;
    const close = match[i + 1]!;
    if (close < 0) continue; // an unclosed call has no usable arguments
    // A bare call of a renamed import (`persist(model, 'm.pt')` after `from torch import save as persist`)
    // is a call of the imported name.
    const original = renamed?.get(tokens.text(i));
    const bare = original !== undefined && !tokens.op(i - 1, '.');
    const cls = bare ? classifyName(original, 0, original.length) : classifyName(src, starts[i]!, ends[i]!);
    // Without arguments, only a Path method (`Path('a').touch()`) can name a file.
    if (!isFileCallee(cls) || (close === i + 2 && cls !== PATH_METHOD)) continue;
    const found = callAt(tokens, match, i, DEFINITION_KEYWORDS);
    if (found === undefined) continue;
    const call = bare ? { ...found, name: original } : found;
    for (; evaluated < pending.length; evaluated++) {
      const e = pending[evaluated]!;
      const b = e >>> 3;
      blocks.advanceTo(b);
      current = b;
      trackBinding(ctx, blocks, b, e & 7);
    }
    blocks.advanceTo(i);
    current = i;
    // In a block nested deeper than followed, no variable is known (literals still are).
    if (blocks.opaque) ctx.vars = NO_VARS;
    analyseCall(ctx, call, sink, handles, embeddedShell, bare ? aliases.get(tokens.text(i)) : undefined);
    ctx.vars = vars;
  }
}

/**
 * File callees imported under another name (`from torch import save as persist`,
 * `from shutil import copyfile as backup`): local name → the imported name. Usually none.
 */
function renamedCallees(aliases: ReadonlyMap<string, string>): Map<string, string> | undefined {
  let out: Map<string, string> | undefined;
  for (const [local, qualified] of aliases) {
    const last = qualified.slice(qualified.lastIndexOf('.') + 1);
    if (last === local || !isFileCallee(classifyName(last, 0, last.length))) continue;
    (out ??= new Map()).set(local, last);
  }
  return out;
}

/** The lexer's marks plus every name in `names` followed by `(` (which the lexer need not have marked), in token order. */
function withCallsOf(tokens: PythonTokenList, names: ReadonlyMap<string, string>): number[] {
  const { kinds, starts, ends, src } = tokens;
  const extra: number[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (kinds[i] !== NAME || !tokens.op(i + 1, '(')) continue;
    if (names.has(src.slice(starts[i]!, ends[i]!))) extra.push(i);
  }
  if (extra.length === 0) return tokens.marks;
  const merged: number[] = [];
  const marks = tokens.marks;
  let a = 0;
  let b = 0;
  while (a < marks.length || b < extra.length) {
    const next = b >= extra.length || (a < marks.length && marks[a]! <= extra[b]!) ? marks[a++]! : extra[b++]!;
    if (merged.length === 0 || merged[merged.length - 1] !== next) merged.push(next);
  }
  return merged;
}

const ASSIGN = 1;
const AUGMENTED = 2;
const WALRUS = 3;

/** Which assignment operator token `i` is: `=` (ASSIGN), `+=` (AUGMENTED), `:=` (WALRUS), else 0. */
function assignOpAt(tokens: TokenList, i: number): number {
  const s = tokens.starts[i]!;
  const len = tokens.ends[i]! - s;
  const c = tokens.src.charCodeAt(s);
  if (len === 1) return c === 61 ? ASSIGN : 0;
  if (len !== 2 || tokens.src.charCodeAt(s + 1) !== 61) return 0;
  return c === 43 ? AUGMENTED : c === 58 ? WALRUS : 0;
}

/** Most names in a target list (`a, b, c = …`, `for a, b in …`) followed. */
const MAX_TARGETS = 32;

/**
 * When name `i` (followed by `=`) ends a target list at a statement start
 * (`a, b = …`, `a, *rest = …`), the index of its first token; else -1. Only
 * plain names are targets (`self.a, b = …` is not followed). A name inside
 * an open bracket (`f(a, b=1)`, a keyword argument) is not a target.
 */
function tupleTargetStart(tokens: PythonTokenList, i: number): number {
  let k = i;
  for (let n = 0; n < MAX_TARGETS; n++) {
    const j = tokens.opChar(k - 1) === 42 /* * */ ? k - 1 : k;
    if (n > 0 && atStatementStart(tokens, j)) return tokens.opChar(j - 1) === 58 /* : */ && inLambdaBrackets(tokens, j) ? -1 : j;
    if (tokens.opChar(j - 1) !== 44 /* , */ || tokens.kinds[j - 2] !== NAME) return -1;
    k = j - 2;
  }
  return -1;
}

/**
 * Whether token `j` is inside the brackets around the last lambda before it
 * (`sorted(fs, key=lambda x: p, reverse=True)`: `p, reverse` follow the
 * lambda's `:`, no block's, and are no target list).
 */
function inLambdaBrackets(tokens: PythonTokenList, j: number): boolean {
  const lambdas = tokens.lambdas;
  // The last `lambda` before `j` (the list holds pairs, in token order).
  let lo = 0;
  let hi = lambdas.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lambdas[2 * mid]! < j) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return false;
  const open = lambdas[2 * (lo - 1) + 1]!;
  return open >= 0 && tokens.match![open]! > j;
}

/** Names of the target list ending at name `i` (see `tupleTargetStart`), and whether one is starred. */
function tupleTargets(tokens: TokenList, first: number, last: number): { names: string[]; starred: boolean } {
  const names: string[] = [];
  let starred = false;
  for (let k = first; k <= last; k++) {
    if (tokens.name(k)) names.push(tokens.text(k));
    else if (tokens.op(k, '*')) starred = true;
  }
  return { names, starred };
}

const NOT_TARGETS = new Set(['else', 'try', 'finally', 'except', 'lambda']);

/**
 * When name `i` (followed by `=`) ends the annotation of `name: T = …` at a
 * statement start (`path: str = 'a.csv'`, `out: pathlib.Path = …`), the
 * index of `name`; else -1. (`else: x = 1` is not an annotation.)
 */
function annotatedTarget(tokens: TokenList, i: number): number {
  let k = i;
  for (let n = 0; n < 8 && tokens.opChar(k - 1) === 46 /* . */ && tokens.kinds[k - 2] === NAME; n++) k -= 2;
  const target = k - 2;
  if (tokens.opChar(k - 1) !== 58 /* : */ || tokens.kinds[target] !== NAME || !atStatementStart(tokens, target)) return -1;
  return NOT_TARGETS.has(tokens.text(target)) ? -1 : target;
}

/** Whether token `k` may end an expression statement or a walrus's operand (`)`, `,`, a line end …). */
function endsOperand(tokens: TokenList, k: number): boolean {
  if (k >= tokens.length || tokens.kinds[k] === NL) return true;
  const c = tokens.opChar(k);
  return c === 59 /* ; */ || c === 41 /* ) */ || c === 44 /* , */ || c === 93 /* ] */ || c === 125 /* } */ || c === 58 /* : */;
}

/** Whether token `k` ends a statement (a line end, `;`, the input's end). */
function endsStatement(tokens: TokenList, k: number): boolean {
  return k >= tokens.length || tokens.kinds[k] === NL || tokens.op(k, ';');
}

/** Evaluates a noted binding (see the `B_*` kinds) at token `b`. */
function trackBinding(ctx: EvalContext, blocks: PythonBlocks, b: number, kind: number): void {
  const { tokens } = ctx;
  switch (kind) {
    case B_ASSIGN:
      return trackAssignment(ctx, blocks, b);
    case B_FOR:
      return trackForLoop(ctx, blocks, b);
    case B_AS:
      return blocks.bind(tokens.text(b + 1), undefined);
    case B_WALRUS: {
      const r = evalPrefix(ctx, b + 2);
      return blocks.bind(tokens.text(b), r !== undefined && endsOperand(tokens, r.next) ? r.val : undefined);
    }
    case B_TUPLE: {
      const first = tupleTargetStart(tokens as PythonTokenList, b);
      const { names, starred } = tupleTargets(tokens, first, b);
      const vals = starred ? undefined : tupleValues(ctx, b + 2, names.length);
      // Every value is evaluated before any name is bound (`a, b = b, a`).
      for (let n = 0; n < names.length; n++) blocks.bind(names[n]!, vals?.[n]);
      return;
    }
    case B_ANNOTATED: {
      const r = evalPrefix(ctx, b + 2);
      return blocks.bind(tokens.text(annotatedTarget(tokens, b)), r !== undefined && endsStatement(tokens, r.next) ? r.val : undefined);
    }
  }
}

/**
 * The values of `count` comma-separated expressions from token `k` to the
 * statement's end (`'in.csv', 'out.csv'`, also in brackets: `('a', 'b')`),
 * each known or not; `undefined` when their number differs or the right-hand
 * side is something else (`get_paths()`).
 */
function tupleValues(ctx: EvalContext, k: number, count: number): (Val | undefined)[] | undefined {
  const { tokens, match } = ctx;
  let end = -1;
  if ((tokens.op(k, '(') || tokens.op(k, '[')) && match[k]! > k && endsStatement(tokens, match[k]! + 1)) {
    end = match[k]!;
    k++;
  }
  // A call or attribute (`get_paths()`, `os.path.split(p)`): unknown, without evaluating it.
  if (tokens.kinds[k] === NAME && (tokens.op(k + 1, '(') || tokens.op(k + 1, '.'))) return undefined;
  const out: (Val | undefined)[] = [];
  for (;;) {
    if (out.length >= count) return undefined;
    const r = evalPrefix(ctx, k);
    if (r === undefined) return undefined;
    out.push(r.val);
    if (end >= 0 ? r.next === end : endsStatement(tokens, r.next)) break;
    if (!tokens.op(r.next, ',')) return undefined;
    k = r.next + 1;
    if (end >= 0 ? k === end : endsStatement(tokens, k)) break; // a trailing comma
  }
  return out.length === count ? out : undefined;
}

/** Qualified name of a call's callee (`np.save` → `numpy.save`): `qualify` of its chain and name, without building that array. */
function qualifyCall(ctx: EvalContext, call: CallSite): string {
  return call.chain.length === 0 ? ctx.qualify([call.name]) : ctx.qualify(call.chain) + '.' + call.name;
}

/** Qualified name of the call whose `)` is token `close` (`with zipfile.ZipFile(...) as z`), or ''. */
function openerOf(ctx: EvalContext, close: number): string {
  const open = ctx.match[close] ?? -1;
  if (open < 1) return '';
  const call = callAt(ctx.tokens, ctx.match, open - 1, DEFINITION_KEYWORDS);
  return call === undefined ? '' : qualifyCall(ctx, call);
}

/**
 * The names of the target list from token `from` to the word `in`
 * (`for a, (b, c) in …`), or `undefined` when it is not one.
 */
function loopTargets(tokens: TokenList, from: number): { names: string[]; starred: boolean; next: number } | undefined {
  const names: string[] = [];
  let starred = false;
  for (let k = from; k < from + 3 * MAX_TARGETS; k++) {
    if (tokens.name(k, 'in')) return names.length > 0 ? { names, starred, next: k + 1 } : undefined;
    if (tokens.name(k)) names.push(tokens.text(k));
    else if (!TARGET_PUNCTUATION.has(tokens.opChar(k))) return undefined;
    else if (tokens.opChar(k) === 42 /* * */) starred = true;
  }
  return undefined;
}

/**
 * `for NAME in ['a', 'b']:` (or `range(3)`, `[1, 2]`, `for i, NAME in enumerate([…])`: python-loop-values.ts)
 * binds the names to their values; any other loop forgets its names (`for i, path in …`).
 */
function trackForLoop(ctx: EvalContext, blocks: PythonBlocks, i: number): void {
  const targets = loopTargets(ctx.tokens, i + 1);
  if (targets === undefined) return;
  const names = targets.names;
  // A starred target (`for i, *rest in enumerate(…)`) takes a list, no value of the iterable's.
  const lit = targets.starred ? undefined : literalLoopValues(ctx.tokens, ctx.match, targets.next, names.length);
  // Its values only while the loop is followed (`PythonBlocks`: after it, the last iteration's).
  if (lit !== undefined && ctx.tokens.op(lit.next, ':') && blocks.enterLoop(i, lit.values[0]!.length)) {
    for (let t = 0; t < names.length; t++) blocks.bind(names[t]!, loopValues(i, lit.values[t]!, lit.num[t]));
  } else for (const name of names) blocks.bind(name, undefined);
}

/**
 * The ranges where one name is scoped, sorted by start, and a sweep over
 * them: the file scan looks names up at tokens in increasing order, so a
 * range is entered and left once (`innermostAt`).
 */
interface ScopedRanges {
  list: ScopedBinding[];
  /** Index in `list` of the first range not entered yet. */
  next: number;
  /** The entered ranges around the last position looked up, outermost first (brackets and lambdas nest). */
  open: ScopedBinding[];
}

/** Most scoped ranges kept per name (inserting one keeps the list sorted). */
const MAX_SCOPED_PER_NAME = 64;

/** The binding of the innermost range of `r` around token `at` (never below an earlier `at`), if any. */
function innermostAt(r: ScopedRanges, at: number): Val | null | undefined {
  const { list, open } = r;
  for (; r.next < list.length && list[r.next]!.start < at; r.next++) {
    const b = list[r.next]!;
    while (open.length > 0 && open[open.length - 1]!.end <= b.start) open.pop();
    open.push(b);
  }
  while (open.length > 0 && open[open.length - 1]!.end <= at) open.pop();
  return open.length > 0 ? open[open.length - 1]!.val : undefined;
}

/**
 * Names bound only in part of the code: loop variables
 * of comprehensions (over a literal list: its values, else unknown), scoped
 * to the comprehension's brackets, and lambda parameters (unknown), scoped to
 * the brackets around the lambda, or its statement. The candidates (`for`
 * inside brackets, `lambda`, each with the innermost open bracket) were
 * collected by the lexer.
 */
function scopedBindings(tokens: PythonTokenList, match: Int32Array): Map<string, ScopedRanges> {
  const out = new Map<string, ScopedRanges>();
  const add = (k: number, b: ScopedBinding): void => {
    const name = tokens.text(k);
    const r = out.get(name);
    if (r === undefined) return void out.set(name, { list: [b], next: 0, open: [] });
    const list = r.list;
    if (list.length >= MAX_SCOPED_PER_NAME) return;
    // Sorted by start (an enclosing comprehension's `for` comes after an inner one's).
    let j = list.length;
    list.push(b);
    for (; j > 0 && list[j - 1]!.start > b.start; j--) list[j] = list[j - 1]!;
    list[j] = b;
  };
  const wanted = (k: number): boolean => tokens.kinds[k] === NAME;
  const fors = tokens.bracketedFors;
  for (let f = 0; f + 1 < fors.length; f += 2) {
    const i = fors[f]!;
    const open = fors[f + 1]!;
    const close = match[open] ?? -1;
    if (close < 0 || !tokens.name(i, 'for')) continue;
    // The targets, up to `in`: names, commas, brackets, `*`.
    let inAt = -1;
    let names = 0;
    let hit = false;
    let starred = false;
    for (let k = i + 1; k < i + 3 * MAX_TARGETS && k < tokens.length; k++) {
      if (tokens.kinds[k] === NAME) {
        if (tokens.name(k, 'in')) {
          inAt = k;
          break;
        }
        names++;
        if (wanted(k)) hit = true;
      } else if (!TARGET_PUNCTUATION.has(tokens.opChar(k))) break;
      else if (tokens.opChar(k) === 42 /* * */) starred = true;
    }
    if (inAt < 0 || !hit) continue;
    const lit = starred ? undefined : literalLoopValues(tokens, match, inAt + 1, names);
    for (let k = i + 1, t = 0; k < inAt; k++) {
      if (tokens.kinds[k] !== NAME) continue;
      if (wanted(k)) add(k, { start: open, end: close, val: lit === undefined ? null : loopValues(i, lit.values[t]!, lit.num[t]) });
      t++;
    }
  }
  const lambdas = tokens.lambdas;
  let lineEnd = 0; // the end of the statement of the last lambda outside brackets (moves forward only)
  for (let f = 0; f + 1 < lambdas.length; f += 2) {
    const i = lambdas[f]!;
    if (!tokens.name(i, 'lambda')) continue;
    const open = lambdas[f + 1]!;
    let end = open >= 0 ? match[open]! : -1;
    if (end < 0) {
      if (lineEnd <= i) for (lineEnd = i; lineEnd < tokens.length && tokens.kinds[lineEnd] !== NL && !tokens.op(lineEnd, ';'); ) lineEnd++;
      end = lineEnd;
    }
    // Parameters: names after `lambda` or `,` (maybe after `*`/`**`), up to the `:` (defaults skipped).
    for (let k = i + 1; k < i + 3 * MAX_TARGETS && k < tokens.length && !tokens.op(k, ':'); k++) {
      const m = match[k]!;
      if (m > k) {
        k = m;
        continue;
      }
      if (!wanted(k)) continue;
      const before = tokens.op(k - 1, '*') || tokens.op(k - 1, '**') ? k - 2 : k - 1;
      if (before === i || tokens.op(before, ',')) add(k, { start: i, end, val: null });
    }
  }
  return out;
}

/** `,` `(` `)` `[` `]` `*`: what a target list holds besides names. */
const TARGET_PUNCTUATION = new Set([44, 40, 41, 91, 93, 42]);

/**
 * Records `name = <known value>` (also `a = b = …`, and `+=`), forgets names
 * bound to unknown values.
 */
function trackAssignment(ctx: EvalContext, blocks: PythonBlocks, i: number): void {
  const { tokens } = ctx;
  const augmented = tokens.op(i + 1, '+=');
  // `a = b = 'x.csv'`: every name of the chain gets the value.
  let k = i + 2;
  let chain: number[] | undefined;
  while (!augmented && tokens.name(k) && tokens.op(k + 1, '=')) {
    (chain ??= []).push(k);
    k += 2;
  }
  const r = evalPrefix(ctx, k);
  const val = r !== undefined && endsStatement(tokens, r.next) ? r.val : undefined;
  const name = tokens.text(i);
  if (augmented) {
    const prev = ctx.vars.get(name);
    // Unknown from here on unless both are known (also past MAX_VALUE_CHARS: `p += '…'` repeated).
    blocks.bind(name, prev !== undefined && val !== undefined && !prev.path ? combine(ctx, [prev, val], (p) => p[0]! + p[1]!, false) : undefined);
    return;
  }
  blocks.bind(name, val);
  if (chain !== undefined) for (const c of chain) blocks.bind(tokens.text(c), val);
}

/** Turns a value into a file path; generic detectors also require it to look like a file. */
function accept(val: Val | undefined, requirePathLike: boolean): string | undefined {
  if (val === undefined || val.alts !== undefined || val.num === true) return undefined;
  // A `~` Python did not expand (`open('~/x')`) is a directory named `~`, as a quoted one in shell: `./~/x`.
  const p = toFilePath(val.home !== true && val.s.charCodeAt(0) === 126 /* ~ */ ? './' + val.s : val.s);
  if (p === undefined) return undefined;
  if (requirePathLike && !isPathLike(p)) return undefined;
  return p;
}

function add(sink: FileSink, dir: Direction, path: string | undefined): void {
  if (path !== undefined) (dir === 'w' ? sink.written : sink.read).add(path);
}

/**
 * Adds the file an argument names (every value, for a loop variable); returns the first. `expandsUser`: the callee
 * expands a leading `~` itself (pandas' `stringify_path`, polars' `normalize_filepath`): home's.
 */
function addArg(ctx: EvalContext, sink: FileSink, dir: Direction, arg: CallArg | undefined, requirePathLike: boolean, expandsUser = false): string | undefined {
  const found = evalArg(ctx, arg);
  const val = expandsUser && found !== undefined && found.home !== true ? { ...found, home: true } : found;
  if (val?.alts !== undefined) {
    let first: string | undefined;
    if (val.num === true) return undefined;
    for (const s of val.alts) {
      const p = accept({ s, path: val.path, home: val.home }, requirePathLike);
      add(sink, dir, p);
      first ??= p;
    }
    return first;
  }
  const p = accept(val, requirePathLike);
  add(sink, dir, p);
  return p;
}

/** Directions implied by a Python/h5py/netCDF open mode. Unknown (non-literal) mode → none. */
function modeDirections(mode: Val | undefined, modeGiven: boolean): Direction[] {
  if (!modeGiven) return ['r'];
  if (mode === undefined) return [];
  const m = mode.s.toLowerCase();
  const out: Direction[] = [];
  if (m.includes('r') || m === 'update' || m === 'readonly' || m === 'denywrite') out.push('r');
  if (/[wax+]/.test(m) || m === 'update' || m === 'append' || m === 'ostream') out.push('w');
  return out;
}

const OPEN_LIKE = new Set(['open', 'io.open', 'codecs.open', 'gzip.open', 'bz2.open', 'lzma.open', 'tarfile.open', 'builtins.open', 'aiofiles.open', 'smart_open.open', 'fsspec.open']);
/** Calls that run a shell command line given as a string (or an argv list). */
const SHELL_RUNNERS = new Set(['os.system', 'os.popen', 'subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen', 'subprocess.getoutput', 'subprocess.getstatusoutput']);
const MODE_CTORS = new Set(['h5py.File', 'netCDF4.Dataset', 'zipfile.ZipFile', 'tables.open_file', 'shelve.open']);
const NP_WRITE: Record<string, string> = { save: '.npy', savez: '.npz', savez_compressed: '.npz', savetxt: '' };
const NP_READ = new Set(['load', 'loadtxt', 'genfromtxt', 'fromfile', 'memmap', 'recfromcsv', 'recfromtxt']);
const PANDAS_PATH_KWS = ['path_or_buf', 'path', 'excel_writer', 'buf', 'fname', 'path_or_buffer'];
const READ_KWS = ['filepath_or_buffer', 'path', 'io', 'filename', 'fname', 'file', 'path_or_buf', 'filepath', 'name'];
const COPY_LIKE = new Set([
  'shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.move', 'os.rename', 'os.replace', 'os.renames',
]);
const PATH_WRITE_METHODS = new Set(['write_text', 'write_bytes', 'touch']);
const PATH_READ_METHODS = new Set(['read_text', 'read_bytes']);
const IMAGE_WRITERS = new Set(['imsave', 'imwrite', 'mimsave', 'mimwrite', 'savemat', 'write_image', 'write_html', 'write_json']);
const IMAGE_READERS = new Set(['imread', 'mimread', 'loadmat', 'getdata', 'getheader', 'getval', 'open_dataset', 'open_dataarray', 'open_mfdataset', 'open_zarr', 'load_workbook']);

function analyseCall(
  ctx: EvalContext,
  call: CallSite,
  sink: FileSink,
  handles: ReadonlyMap<string, string>,
  embeddedShell: (code: string) => void,
  qualified: string | undefined,
): void {
  const { name, args } = call;
  // The receiver is evaluated only for the methods that need it (pathlib ones).
  const receiver = PATH_RECEIVER_METHODS.has(name) ? receiverValue(ctx, call) : undefined;
  // Every rule but the Path-receiver ones takes the file from an argument.
  if (args.length === 0 && receiver?.path !== true) return;
  const qual = qualified ?? qualifyCall(ctx, call);

  if (SHELL_RUNNERS.has(qual)) {
    const a = argAt(args, 0, ['args', 'cmd', 'command']);
    const line = evalArg(ctx, a);
    if (line !== undefined && line.alts === undefined) embeddedShell(line.s);
    else if (a !== undefined) {
      // `subprocess.run(['cp', 'a.txt', 'b.txt'])`: quote each literal argument back into a command line.
      const argv = literalStrings(ctx.tokens, ctx.match, a.start);
      if (argv !== undefined && argv.next === a.end) embeddedShell(argv.values.map((v) => `'${v.replace(/'/g, `'\\''`)}'`).join(' '));
    }
    return;
  }
  if (qual === 'sqlite3.connect' || qual === 'duckdb.connect') return void addArg(ctx, sink, 'r', argAt(args, 0, ['database']), false);
  if (name === 'PdfPages') return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename']), false);
  if (name === 'HDFBackend') return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename']), false);
  const handleKind = call.chain.length === 1 ? handles.get(call.chain[0]!) : undefined;
  if (handleKind !== undefined && /(?:^|\.)ZipFile$/.test(handleKind) && name === 'write') return void addArg(ctx, sink, 'r', argAt(args, 0, ['filename']), false);

  // open(...) and friends: path + mode.
  if ((call.chain.length === 0 && call.receiver === undefined && name === 'open') || (call.chain.length > 0 && OPEN_LIKE.has(qual))) {
    const modeArg = argAt(args, 1, ['mode']);
    for (const d of modeDirections(evalArg(ctx, modeArg), modeArg !== undefined)) addArg(ctx, sink, d, argAt(args, 0, ['file', 'filename', 'name']), false);
    return;
  }
  if (MODE_CTORS.has(qual) || (name === 'File' && qual.startsWith('h5py'))) {
    const modeArg = argAt(args, 1, ['mode']);
    for (const d of modeDirections(evalArg(ctx, modeArg), modeArg !== undefined)) addArg(ctx, sink, d, argAt(args, 0, ['name', 'filename', 'file']), false);
    return;
  }
  if (qual === 'astropy.io.fits.open' || qual === 'fits.open') {
    const modeArg = argAt(args, 1, ['mode']);
    const mode = evalArg(ctx, modeArg)?.s ?? 'readonly';
    const p = addArg(ctx, sink, 'r', argAt(args, 0, ['name']), false);
    if (mode === 'update' || mode === 'append' || mode === 'ostream') add(sink, 'w', p);
    return;
  }
  // Methods on a known pathlib.Path receiver.
  if (receiver?.path) {
    // Every value of a receiver built from a loop variable (`Path(f"{n}.txt").write_text(...)`).
    const ps = receiver.alts === undefined ? [accept(receiver, false)] : receiver.alts.map((s) => accept({ s, path: true, home: receiver.home }, false));
    const addAll = (dir: Direction): void => {
      for (const p of ps) add(sink, dir, p);
    };
    if (PATH_WRITE_METHODS.has(name)) return addAll('w');
    if (PATH_READ_METHODS.has(name)) return addAll('r');
    if (name === 'open') {
      const modeArg = argAt(args, 0, ['mode']);
      for (const d of modeDirections(evalArg(ctx, modeArg), modeArg !== undefined)) addAll(d);
      return;
    }
    if (name === 'rename' || name === 'replace') {
      addAll('r');
      addArg(ctx, sink, 'w', argAt(args, 0, ['target']), false);
      return;
    }
  }
  // numpy.
  const npName = qual.startsWith('numpy.') ? qual.slice(6) : undefined;
  if (npName !== undefined && Object.hasOwn(NP_WRITE, npName)) {
    const v = evalArg(ctx, argAt(args, 0, ['file', 'fname']));
    if (v === undefined || v.num === true) return;
    const ext = NP_WRITE[npName]!;
    // np.save('x') writes 'x.npy': numpy appends the extension when missing. Every value of a loop variable.
    for (const s of v.alts ?? [v.s]) add(sink, 'w', accept({ s: ext && extensionOf(s) !== ext.slice(1) ? s + ext : s, path: v.path, home: v.home }, false));
    return;
  }
  if (npName !== undefined && NP_READ.has(npName)) {
    addArg(ctx, sink, 'r', argAt(args, 0, ['file', 'fname', 'filename']), false);
    return;
  }
  if (name === 'tofile') return void addArg(ctx, sink, 'w', argAt(args, 0, ['fid', 'file']), false);
  // pandas-style writers, on any receiver.
  if (PANDAS_WRITERS.has(name) && call.chain.length + (call.receiver ? 1 : 0) > 0) {
    return void addArg(ctx, sink, 'w', argAt(args, 0, PANDAS_PATH_KWS), name === 'to_string' || name === 'to_html' || name === 'to_latex' || name === 'to_markdown', true);
  }
  // GeoPandas' `gdf.to_file(p, driver=…)` (and WordCloud's `wc.to_file(p)`): a generic name, so the value must look like a file.
  if (name === 'to_file' && call.chain.length + (call.receiver ? 1 : 0) > 0) return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename', 'path']), true);
  if (name === 'ExcelWriter' || name === 'HDFStore') {
    const modeArg = argAt(args, 1, ['mode']);
    const dirs = modeArg === undefined && name === 'ExcelWriter' ? (['w'] as Direction[]) : modeDirections(evalArg(ctx, modeArg), modeArg !== undefined);
    for (const d of name === 'HDFStore' && modeArg === undefined ? (['r', 'w'] as Direction[]) : dirs) addArg(ctx, sink, d, argAt(args, 0, ['path']), false, true);
    return;
  }
  if (name === 'savefig') return void addArg(ctx, sink, 'w', argAt(args, 0, ['fname']), false);
  if (COPY_LIKE.has(qual)) {
    const src = addArg(ctx, sink, 'r', argAt(args, 0, ['src']), false);
    const dstVal = evalArg(ctx, argAt(args, 1, ['dst']));
    // A destination ending in '/' is a directory: the file keeps its name.
    const dst = dstVal && src && /\/$/.test(dstVal.s) ? { s: dstVal.s + basename(src), path: false, home: dstVal.home } : dstVal;
    return add(sink, 'w', accept(dst, false));
  }
  if (qual === 'torch.save') return void addArg(ctx, sink, 'w', argAt(args, 1, ['f']), false);
  if (qual === 'joblib.dump') return void addArg(ctx, sink, 'w', argAt(args, 1, ['filename']), false);
  if (qual === 'torch.load' || qual === 'joblib.load') return void addArg(ctx, sink, 'r', argAt(args, 0, ['f', 'filename']), false);
  if (qual.endsWith('urlretrieve')) return void addArg(ctx, sink, 'w', argAt(args, 1, ['filename']), false);
  if (qual.endsWith('wavfile.write')) return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename']), false);
  if (qual.endsWith('wavfile.read')) return void addArg(ctx, sink, 'r', argAt(args, 0, ['filename']), false);
  if (qual === 'astropy.io.ascii.write' || qual === 'ascii.write') return void addArg(ctx, sink, 'w', argAt(args, 1, ['output']), false);
  if (qual === 'logging.FileHandler' || name === 'RotatingFileHandler' || name === 'TimedRotatingFileHandler') {
    return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename']), false);
  }
  if (qual === 'logging.basicConfig') return void addArg(ctx, sink, 'w', args.find((a) => a.kw === 'filename'), false);
  if (name === 'writeto') return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename', 'name', 'fileobj']), false);
  if (qual === 'astropy.io.fits.append' || qual === 'fits.append') return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename']), false);
  if (IMAGE_WRITERS.has(name)) return void addArg(ctx, sink, 'w', argAt(args, 0, ['fname', 'uri', 'filename', 'file_name', 'file']), true);
  if (IMAGE_READERS.has(name) || (name === 'open' && /(^|\.)Image$/.test(qual.slice(0, -5)))) {
    return void addArg(ctx, sink, 'r', argAt(args, 0, ['fname', 'uri', 'filename', 'file_name', 'name', 'filename_or_obj', 'paths', 'store', 'filename']), true);
  }
  // `read_sql*`/`read_gbq` take a query, not a file.
  if (name.startsWith('read_') && !PATH_READ_METHODS.has(name) && !name.startsWith('read_sql') && name !== 'read_gbq') {
    // Data-frame readers expand `~` themselves (pandas, polars, geopandas): home's file.
    return void addArg(ctx, sink, 'r', argAt(args, 0, READ_KWS), true, true);
  }
  if (name.startsWith('write_') && !PATH_WRITE_METHODS.has(name)) return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename', 'fname', 'path', 'file']), true, true);
  const handleReceiver = handleKind !== undefined;
  if (name === 'write' && !handleReceiver && (hasKeyword(args, 'format') || hasKeyword(args, 'overwrite'))) {
    return void addArg(ctx, sink, 'w', argAt(args, 0, ['output']), true);
  }
  if (name === 'read' && !handleReceiver && call.chain.length + (call.receiver ? 1 : 0) > 0) return void addArg(ctx, sink, 'r', argAt(args, 0, ['filenames', 'filename', 'table']), true);
  if (name === 'save' && (call.chain.length > 0 || call.receiver)) return void addArg(ctx, sink, 'w', argAt(args, 0, ['fp', 'filepath', 'filename', 'fname', 'path', 'file']), true);
  if (name === 'load' && (call.chain.length > 0 || call.receiver) && !qual.startsWith('json.') && !qual.startsWith('pickle.')) {
    return void addArg(ctx, sink, 'r', argAt(args, 0, ['filepath', 'filename', 'fname', 'path', 'file']), true);
  }
}

/** Value of a call's receiver: a variable (`p.write_text`) or an expression (`Path('x').write_text`). */
function receiverValue(ctx: EvalContext, call: CallSite): Val | undefined {
  if (call.receiver !== undefined) return evalRange(ctx, call.receiver.start, call.receiver.end);
  if (call.chain.length === 1) return lookupVar(ctx, call.chain[0]!);
  return undefined;
}
