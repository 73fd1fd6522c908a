/**
 * Files a tool reports having generated, from its result: phrases in text
 * results, and path-valued fields of structured (object or JSON) results.
 */
import { guarded, OrderedSet } from './guard.js';
import { isPathLike, toFilePath } from './paths.js';
import { scanTriggeredPaths } from './phrase-scan.js';

/**
 * Phrases after which a tool result names a file it produced: "saved to X",
 * "written to X", "wrote X", "created file X", "output file: X", "generated X",
 * "exported to X", "stored in X", "downloaded to X", "file: X", "filename: X".
 * Bare "file X" is not one: "reading file x.csv" is not a generated file.
 */
const TOOL_TRIGGER_RE =
  /(?<![./\\-])\b(?:(?:saved|saving|written|writing|wrote|exported|exporting|stored|downloaded|created|creating|generated|generating)\b(?![./\\-])|(?:output|result)[ \t]{1,8}(?:file|path)s?[ \t]{0,8}:?|file(?:name|path)?[ \t]{0,8}:)/gi;
// (Not inside a name: `saved/model.pt`, `saved_model.pt` hold a trigger word and are no trigger.)

/** Keys whose string value is a path (compared lowercased, without `_`/`-`). */
const PATH_KEYS = new Set([
  'path', 'file', 'filename', 'filepath', 'outputpath', 'outputfile', 'outputfilename', 'savedto', 'savedpath', 'savepath',
  'outfile', 'outpath', 'writtento', 'destination', 'destinationpath', 'targetpath', 'filelocation', 'location', 'artifactpath',
  'plotpath', 'figurepath', 'imagepath', 'resultpath', 'resultfile', 'localpath', 'createdfile', 'generatedfile',
]);
/** Keys whose array value lists paths. */
const PATH_LIST_KEYS = new Set([
  'files', 'paths', 'outputs', 'outputfiles', 'outputpaths', 'savedfiles', 'generatedfiles', 'createdfiles', 'writtenfiles',
  'artifacts', 'filenames', 'filepaths', 'plots', 'figures', 'images',
]);

const MAX_DEPTH = 32;
const MAX_NODES = 10_000;
/** JSON strings longer than this are not parsed (parsing is not bounded by anything else). */
const MAX_JSON_CHARS = 1_000_000;
/**
 * JSON strings nested deeper than this are not parsed either: the walk
 * stops at {@link MAX_DEPTH} anyway, and `JSON.parse` builds every level
 * (a megabyte of valid `[[[…]]]`, half a million arrays, took 100–140 ms
 * here). Their text is scanned for phrases instead.
 */
const MAX_PARSE_DEPTH = 512;
/** Characters of text, over the whole result, scanned for phrases. */
const MAX_TEXT_CHARS = 1_000_000;

/**
 * Paths of files a tool result says were generated, normalised,
 * deduplicated, first-seen order.
 *
 * - Strings: if they look like JSON (`{`/`[`, at most 1 MB, nested at most
 *   512 deep) they are parsed and walked; otherwise scanned for the phrases
 *   above.
 * - Objects/arrays: walked (depth ≤ 32, ≤ 10 000 nodes, cycle-safe). String
 *   values under path keys (`path`, `file`, `filename`, `file_path`,
 *   `filepath`, `output_path`, `output_file`, `saved_to`, ...) and items of
 *   arrays under list keys (`files`, `paths`, `outputs`, ...) are taken when
 *   path-like (an extension or a slash, one token). Other string values are
 *   scanned for phrases ("stdout": "Saved to out.csv").
 * - Anything else (numbers, null, functions) gives `[]`.
 */
export function extractGeneratedFiles(toolResult: unknown): string[] {
  return guarded(
    () => {
      const out = new OrderedSet();
      const state = { nodes: 0, textBudget: MAX_TEXT_CHARS, seen: new Set<object>() };
      walk(toolResult, undefined, 0, out, state);
      return out.toArray();
    },
    () => [],
  );
}

interface WalkState {
  nodes: number;
  textBudget: number;
  seen: Set<object>;
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

function pathValue(value: string): string | undefined {
  const v = value.trim();
  if (v.length === 0 || v.length > 4096 || /\s/.test(v)) return undefined;
  const p = toFilePath(v);
  return p !== undefined && isPathLike(p) ? p : undefined;
}

/**
 * `false` when `text` certainly is not a JSON document: a string is
 * unterminated, a bracket outside strings closes nothing, the brackets do
 * not balance, or anything but whitespace follows the top-level value; and
 * `false` when it nests deeper than {@link MAX_PARSE_DEPTH}. One linear
 * pass (strings are skipped with `indexOf`), so an unclosed `[[[[…` is not
 * handed to `JSON.parse`, which takes some 40 ms per MB to fail on it, nor
 * a valid one that deep. Valid JSON within the depth always passes: its
 * strings end where this scan ends them.
 */
export function mayBeJsonDocument(text: string): boolean {
  const n = text.length;
  let depth = 0;
  let ended = false; // the top-level value has closed
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (ended) {
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
      continue;
    }
    if (c === 34 /* " */) {
      const close = closingQuote(text, i + 1);
      if (close < 0) return false;
      i = close;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_PARSE_DEPTH) return false;
    } else if (c === 93 || c === 125) {
      if (--depth < 0) return false;
      if (depth === 0) ended = true;
    }
  }
  return ended;
}

/** Index of the `"` ending a JSON string whose content starts at `from`, or -1: the first quote after an even run of backslashes. */
function closingQuote(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q >= 0) {
    let backslashes = 0;
    while (q - 1 - backslashes >= from && text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

function scanText(text: string, out: OrderedSet, state: WalkState): void {
  if (state.textBudget <= 0) return;
  const slice = text.length > state.textBudget ? text.slice(0, state.textBudget) : text;
  state.textBudget -= slice.length;
  const trimmed = slice.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && text.length <= MAX_JSON_CHARS && mayBeJsonDocument(text)) {
    let parsed: unknown;
    let ok = false;
    try {
      parsed = JSON.parse(text);
      ok = true;
    } catch {
      // Not JSON after all: fall through to phrases.
    }
    if (ok && typeof parsed === 'object' && parsed !== null) {
      state.textBudget += slice.length; // the walk below accounts for its own strings
      walkObject(parsed, 1, out, state);
      return;
    }
  }
  scanTriggeredPaths(slice, TOOL_TRIGGER_RE, out);
}

function walk(value: unknown, key: string | undefined, depth: number, out: OrderedSet, state: WalkState): void {
  if (state.nodes++ > MAX_NODES || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    if (key !== undefined && PATH_KEYS.has(key)) {
      const p = pathValue(value);
      if (p !== undefined) {
        out.add(p);
        return;
      }
    }
    scanText(value, out, state);
    return;
  }
  if (typeof value === 'object' && value !== null) walkObject(value, depth, out, state, key);
}

function walkObject(value: object, depth: number, out: OrderedSet, state: WalkState, key?: string): void {
  if (depth > MAX_DEPTH || state.seen.has(value)) return;
  state.seen.add(value);
  if (Array.isArray(value)) {
    const listKey = key !== undefined && (PATH_LIST_KEYS.has(key) || PATH_KEYS.has(key));
    const n = Math.min(value.length, MAX_NODES);
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      if (listKey && typeof item === 'string') {
        state.nodes++;
        out.add(pathValue(item));
      } else walk(item, undefined, depth + 1, out, state);
      if (state.nodes > MAX_NODES) return;
    }
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      walk(v, typeof k === 'string' ? normaliseKey(k) : undefined, depth + 1, out, state);
      if (state.nodes > MAX_NODES) return;
    }
    return;
  }
  for (const k of Object.keys(value)) {
    // A throwing getter or proxy trap only loses this one value.
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    walk(v, normaliseKey(k), depth + 1, out, state);
    if (state.nodes > MAX_NODES) return;
  }
}
