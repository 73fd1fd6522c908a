/**
 * Files a Python snippet writes and reads, from its call sites.
 *
 * Recognised writes: `open(p, 'w'|'a'|'x'|'wb'|'w+'...)` (also `io`, `codecs`,
 * `gzip`, `bz2`, `lzma`, `tarfile` opens and `mode=`), `Path(...).write_text/
 * write_bytes/touch/open('w')`, `np.save/savez/savez_compressed/savetxt`,
 * `x.tofile`, `df.to_csv/to_json/to_parquet/to_excel/to_pickle/to_hdf/
 * to_feather/...` on any receiver, `savefig` on any receiver, `imsave/imwrite`,
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
import { argAt, callAt, hasKeyword, type CallArg, type CallSite } from './calls.js';
import { MAX_VALUE_CHARS, evalArg, evalPrefix, evalRange, type EvalContext, type Val } from './evaluate.js';
import type { OrderedSet } from './guard.js';
import { basename, extensionOf, isPathLike, toFilePath } from './paths.js';
import type { PythonTokenList } from './lexer-python.js';
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

/** Collector for the two directions. */
export interface FileSink {
  written: OrderedSet;
  read: OrderedSet;
}

type Direction = 'w' | 'r';

/** A comprehension's loop variable over a literal list, bound inside the brackets `(start, end)`. */
interface ScopedBinding {
  start: number;
  end: number;
  val: Val;
}

/**
 * Scans Python tokens for file writes and reads, adding normalised paths to
 * `sink`. `aliases` come from `scanPythonImports`.
 *
 * Only calls whose name is a file callee (`python-names.ts`) are analysed.
 * Variable bindings (`x = ...`, `for x in [...]`) are noted as they are
 * passed but evaluated only when such a call comes (all pending ones, in
 * order, so the call sees exactly the bindings before it): code after the
 * last file call, or with none, costs no evaluation at all.
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
  let comprehensions: Map<string, ScopedBinding[]> | undefined;
  let current = 0;
  const root = (head: string): string => aliases.get(head) ?? DEFAULT_ALIASES.get(head) ?? head;
  const qualify = (chain: readonly string[]): string => {
    if (chain.length === 0) return '';
    return chain.length === 1 ? root(chain[0]!) : root(chain[0]!) + '.' + chain.slice(1).join('.');
  };
  const scoped = (name: string): Val | undefined => {
    comprehensions ??= comprehensionBindings(tokens, match);
    const list = comprehensions.get(name);
    if (list === undefined) return undefined;
    for (const b of list) if (current > b.start && current < b.end) return b.val;
    return undefined;
  };
  const ctx: EvalContext = { tokens, match, lang: 'python', vars, qualify, scoped };
  // Names bound to open file handles (`f.write(...)` writes content, not a path), with the qualified
  // name of what opened them (`zipfile.ZipFile`), so `z.write('a.pdf')` on an archive reads a.pdf.
  const handles = new Map<string, string>();
  // Token indices of the bindings not evaluated yet (assignments and `for` loops at statement start).
  const pendingBindings: number[] = [];
  let evaluated = 0;

  // The lexer marked the callees a file rule may handle, the names followed by `=` or `+=`, and `for`/`as`:
  // nothing else can bind a name or call a file rule, but a file callee imported under another name.
  const renamed = renamedCallees(aliases);
  const marks = renamed === undefined ? tokens.marks : withCallsOf(tokens, renamed);
  for (let m = 0; m < marks.length; m++) {
    const i = marks[m]!;
    const len = ends[i]! - starts[i]!;
    const assigns = kinds[i + 1] === OP && isAssignOp(tokens, i + 1);
    if ((assigns || (len === 3 && tokens.name(i, 'for'))) && atStatementStart(tokens, i)) {
      pendingBindings.push(i);
      // `f = open(...)` binds a handle (noted now: `as` below updates the same map, in token order).
      if (assigns && tokens.op(i + 1, '=') && tokens.name(i + 2, 'open') && tokens.op(i + 3, '(')) handles.set(tokens.text(i), 'open');
    }
    if (len === 2 && tokens.name(i, 'as') && tokens.name(i + 1) && tokens.op(i - 1, ')')) handles.set(tokens.text(i + 1), openerOf(ctx, i - 1));
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
    for (; evaluated < pendingBindings.length; evaluated++) {
      const b = pendingBindings[evaluated]!;
      current = b;
      if (kinds[b + 1] === OP && isAssignOp(tokens, b + 1)) trackAssignment(ctx, b);
      else trackForLoop(ctx, b);
    }
    current = i;
    analyseCall(ctx, call, sink, handles, embeddedShell, bare ? aliases.get(tokens.text(i)) : undefined);
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

/** Whether operator token `i` is `=` or `+=`. */
function isAssignOp(tokens: TokenList, i: number): boolean {
  const s = tokens.starts[i]!;
  const len = tokens.ends[i]! - s;
  const c = tokens.src.charCodeAt(s);
  return len === 1 ? c === 61 : len === 2 && c === 43 && tokens.src.charCodeAt(s + 1) === 61;
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

/** The strings of a literal list/tuple starting at token `i` (`['a.csv', 'b.csv']`), with its end. */
function literalStrings(tokens: TokenList, match: Int32Array, i: number): { values: string[]; next: number } | undefined {
  if (!tokens.op(i, '[') && !tokens.op(i, '(')) return undefined;
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

/** `for NAME in ['a', 'b']:` binds NAME to both values; any other loop forgets NAME. */
function trackForLoop(ctx: EvalContext, i: number): void {
  const { tokens } = ctx;
  if (!tokens.name(i + 1) || !tokens.name(i + 2, 'in')) return;
  const name = tokens.text(i + 1);
  const lit = literalStrings(ctx.tokens, ctx.match, i + 3);
  if (lit !== undefined && tokens.op(lit.next, ':')) ctx.vars.set(name, { s: lit.values[0]!, path: false, alts: lit.values });
  else ctx.vars.delete(name);
}

/**
 * Loop variables of comprehensions over literal lists, scoped to the
 * comprehension's brackets. The candidates (`for` inside brackets, with the
 * innermost open bracket) were collected by the lexer.
 */
function comprehensionBindings(tokens: PythonTokenList, match: Int32Array): Map<string, ScopedBinding[]> {
  const out = new Map<string, ScopedBinding[]>();
  const fors = tokens.bracketedFors;
  for (let f = 0; f + 1 < fors.length; f += 2) {
    const i = fors[f]!;
    if (tokens.name(i + 1) && tokens.name(i + 2, 'in')) {
      const open = fors[f + 1]!;
      const close = match[open] ?? -1;
      const lit = literalStrings(tokens, match, i + 3);
      if (close < 0 || lit === undefined) continue;
      const name = tokens.text(i + 1);
      const list = out.get(name) ?? [];
      if (list.length < 64) list.push({ start: open, end: close, val: { s: lit.values[0]!, path: false, alts: lit.values } });
      out.set(name, list);
    }
  }
  return out;
}

/** Records `name = <known value>` (and `+=`), forgets names bound to unknown values. */
function trackAssignment(ctx: EvalContext, i: number): void {
  const { tokens } = ctx;
  const name = tokens.text(i);
  const augmented = tokens.op(i + 1, '+=');
  const r = evalPrefix(ctx, i + 2);
  const complete = r !== undefined && (r.next >= tokens.length || tokens.kinds[r.next] === NL || tokens.op(r.next, ';'));
  const val = complete ? r.val : undefined;
  if (augmented) {
    const prev = ctx.vars.get(name);
    if (prev !== undefined && val !== undefined && !prev.path && prev.s.length + val.s.length <= MAX_VALUE_CHARS) ctx.vars.set(name, { s: prev.s + val.s, path: false });
    else ctx.vars.delete(name); // unknown from here on (or grown past any path: `p += '…'` repeated)
    return;
  }
  if (val !== undefined) ctx.vars.set(name, val);
  else ctx.vars.delete(name);
}

/** Turns a value into a file path; generic detectors also require it to look like a file. */
function accept(val: Val | undefined, requirePathLike: boolean): string | undefined {
  if (val === undefined || val.alts !== undefined) return undefined;
  const p = toFilePath(val.s);
  if (p === undefined) return undefined;
  if (requirePathLike && !isPathLike(p)) return undefined;
  return p;
}

function add(sink: FileSink, dir: Direction, path: string | undefined): void {
  if (path !== undefined) (dir === 'w' ? sink.written : sink.read).add(path);
}

/** Adds the file an argument names (every value, for a loop variable); returns the first. */
function addArg(ctx: EvalContext, sink: FileSink, dir: Direction, arg: CallArg | undefined, requirePathLike: boolean): string | undefined {
  const val = evalArg(ctx, arg);
  if (val?.alts !== undefined) {
    let first: string | undefined;
    for (const s of val.alts) {
      const p = accept({ s, path: val.path }, requirePathLike);
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
    const p = accept(receiver, false);
    if (PATH_WRITE_METHODS.has(name)) return add(sink, 'w', p);
    if (PATH_READ_METHODS.has(name)) return add(sink, 'r', p);
    if (name === 'open') {
      const modeArg = argAt(args, 0, ['mode']);
      for (const d of modeDirections(evalArg(ctx, modeArg), modeArg !== undefined)) add(sink, d, p);
      return;
    }
    if (name === 'rename' || name === 'replace') {
      add(sink, 'r', p);
      addArg(ctx, sink, 'w', argAt(args, 0, ['target']), false);
      return;
    }
  }
  // numpy.
  const npName = qual.startsWith('numpy.') ? qual.slice(6) : undefined;
  if (npName !== undefined && Object.hasOwn(NP_WRITE, npName)) {
    const v = evalArg(ctx, argAt(args, 0, ['file', 'fname']));
    if (v === undefined) return;
    const ext = NP_WRITE[npName]!;
    // np.save('x') writes 'x.npy': numpy appends the extension when missing. Every value of a loop variable.
    for (const s of v.alts ?? [v.s]) add(sink, 'w', accept({ s: ext && extensionOf(s) !== ext.slice(1) ? s + ext : s, path: v.path }, false));
    return;
  }
  if (npName !== undefined && NP_READ.has(npName)) {
    addArg(ctx, sink, 'r', argAt(args, 0, ['file', 'fname', 'filename']), false);
    return;
  }
  if (name === 'tofile') return void addArg(ctx, sink, 'w', argAt(args, 0, ['fid', 'file']), false);
  // pandas-style writers, on any receiver.
  if (PANDAS_WRITERS.has(name) && call.chain.length + (call.receiver ? 1 : 0) > 0) {
    return void addArg(ctx, sink, 'w', argAt(args, 0, PANDAS_PATH_KWS), name === 'to_string' || name === 'to_html' || name === 'to_latex' || name === 'to_markdown');
  }
  if (name === 'ExcelWriter' || name === 'HDFStore') {
    const modeArg = argAt(args, 1, ['mode']);
    const dirs = modeArg === undefined && name === 'ExcelWriter' ? (['w'] as Direction[]) : modeDirections(evalArg(ctx, modeArg), modeArg !== undefined);
    for (const d of name === 'HDFStore' && modeArg === undefined ? (['r', 'w'] as Direction[]) : dirs) addArg(ctx, sink, d, argAt(args, 0, ['path']), false);
    return;
  }
  if (name === 'savefig') return void addArg(ctx, sink, 'w', argAt(args, 0, ['fname']), false);
  if (COPY_LIKE.has(qual)) {
    const src = addArg(ctx, sink, 'r', argAt(args, 0, ['src']), false);
    const dstVal = evalArg(ctx, argAt(args, 1, ['dst']));
    // A destination ending in '/' is a directory: the file keeps its name.
    const dst = dstVal && src && /\/$/.test(dstVal.s) ? { s: dstVal.s + basename(src), path: false } : dstVal;
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
    return void addArg(ctx, sink, 'r', argAt(args, 0, READ_KWS), true);
  }
  if (name.startsWith('write_') && !PATH_WRITE_METHODS.has(name)) return void addArg(ctx, sink, 'w', argAt(args, 0, ['filename', 'fname', 'path', 'file']), true);
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
  if (call.chain.length === 1) return ctx.vars.get(call.chain[0]!);
  return undefined;
}
