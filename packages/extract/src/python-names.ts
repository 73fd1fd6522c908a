/**
 * Classes of the Python names the detectors act on (`import`, `for`, the
 * callees of file rules), decided in place: the name is hashed from the
 * source and a small open-addressing table maps the hash to a candidate
 * word, confirmed by hash, length and characters. No slice, no `Set` lookup
 * of a fresh string; most names miss the table after one array read.
 */

/** An ordinary name. */
export const PLAIN = 0;
/** `import` */
export const IMPORT = 1;
/** `from` */
export const FROM = 2;
/** `__import__`, `import_module`: dynamic imports with a literal. */
export const DYNAMIC_IMPORT = 3;
/** `for` */
export const FOR = 4;
/** `as` */
export const AS = 5;
/** A callee some file rule handles (`open`, `save`, `savefig`, `read_*`, `to_csv` ...). */
export const FILE_CALLEE = 6;
/**
 * A file callee that is also a `pathlib.Path` method (`write_text`, `touch`, `open` ...): the only
 * rules that can fire on a call without arguments (`Path('a').touch()`).
 */
export const PATH_METHOD = 7;

/** Whether a name class is a file callee (`FILE_CALLEE` or `PATH_METHOD`). */
export function isFileCallee(cls: number): boolean {
  return cls === FILE_CALLEE || cls === PATH_METHOD;
}

/** The `pathlib.Path` methods the file rules read their receiver for. */
export const PATH_RECEIVER_METHODS: ReadonlySet<string> = new Set(['write_text', 'write_bytes', 'touch', 'read_text', 'read_bytes', 'open', 'rename', 'replace']);

/** The pandas-style writers, on any receiver (`df.to_csv(...)`); the other `to_*` methods (`to_datetime`, `to_numpy`) are not file callees. */
export const PANDAS_WRITERS: ReadonlySet<string> = new Set([
  'to_csv', 'to_json', 'to_parquet', 'to_excel', 'to_pickle', 'to_hdf', 'to_feather', 'to_stata', 'to_html',
  'to_latex', 'to_markdown', 'to_xml', 'to_orc', 'to_netcdf', 'to_zarr', 'to_string',
]);

/**
 * Names of every call a file rule looks at. Most calls in real code
 * (`print`, `len`, `np.array`, `append`) match none, and skipping them before
 * building a call site is most of the speed of the file detector.
 */
const FILE_CALLEES = [
  'open', 'File', 'Dataset', 'ZipFile', 'open_file', 'save', 'savez', 'savez_compressed', 'savetxt', 'load', 'loadtxt', 'genfromtxt',
  'fromfile', 'memmap', 'recfromcsv', 'recfromtxt', 'tofile', 'ExcelWriter', 'HDFStore', 'savefig', 'copy', 'copy2', 'copyfile', 'move',
  'rename', 'replace', 'renames', 'dump', 'urlretrieve', 'write', 'read', 'FileHandler', 'RotatingFileHandler', 'TimedRotatingFileHandler',
  'basicConfig', 'writeto', 'append', 'imsave', 'imwrite', 'mimsave', 'mimwrite', 'savemat', 'imread', 'mimread', 'loadmat', 'getdata',
  'getheader', 'getval', 'load_workbook', 'write_text', 'write_bytes', 'touch', 'read_text', 'read_bytes', 'system', 'popen', 'run', 'call',
  'check_call', 'check_output', 'Popen', 'getoutput', 'getstatusoutput', 'connect', 'HDFBackend', 'PdfPages', 'open_dataset',
  'open_dataarray', 'open_mfdataset', 'open_zarr', 'to_file', ...PANDAS_WRITERS,
];

/** Longest callee name a file rule handles (longer names are never file callees). */
const MAX_CALLEE_LENGTH = 24;

const TABLE_SIZE = 512; // power of two, several times the number of words: probes stay short
const slotWord: (string | undefined)[] = new Array<string | undefined>(TABLE_SIZE).fill(undefined);
const slotHash = new Int32Array(TABLE_SIZE); // full hash of the slot's word: most slot collisions fail on it, before comparing text
const slotClass = new Uint8Array(TABLE_SIZE);
/**
 * For each ASCII first letter, a bit per length (1..24) some word of the
 * table or some prefix family has: most names are ruled out on these two
 * facts before any hashing.
 */
const LENGTHS_BY_FIRST = new Int32Array(128);

/** Hash of `src[start..end)`. */
function hashOf(src: string, start = 0, end = src.length): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + src.charCodeAt(k)) | 0;
  return h;
}

function define(word: string, cls: number): void {
  const h = hashOf(word);
  let slot = h & (TABLE_SIZE - 1);
  while (slotWord[slot] !== undefined) slot = (slot + 1) & (TABLE_SIZE - 1);
  slotWord[slot] = word;
  slotHash[slot] = h;
  slotClass[slot] = cls;
  LENGTHS_BY_FIRST[word.charCodeAt(0)]! |= 1 << word.length;
}

/**
 * Allows every length from `min` to `MAX_CALLEE_LENGTH` for names starting with `prefix`: a prefix
 * family, for the rules that take any method so named (`read_*`, `write_*`).
 */
function definePrefix(prefix: string): void {
  for (let len = prefix.length; len <= MAX_CALLEE_LENGTH; len++) LENGTHS_BY_FIRST[prefix.charCodeAt(0)]! |= 1 << len;
}

define('import', IMPORT);
define('from', FROM);
define('__import__', DYNAMIC_IMPORT);
define('import_module', DYNAMIC_IMPORT);
define('for', FOR);
define('as', AS);
for (const w of FILE_CALLEES) define(w, PATH_RECEIVER_METHODS.has(w) ? PATH_METHOD : FILE_CALLEE);
for (const p of ['read_', 'write_']) definePrefix(p);

/**
 * Whether the name `src[start..start+len)` may be a file callee or a keyword the detectors act on:
 * its first letter and length alone (most names are ruled out here; `classifyName` decides).
 */
export function mayBeClassified(src: string, start: number, len: number): boolean {
  const first = src.charCodeAt(start);
  return len <= MAX_CALLEE_LENGTH && first < 128 && ((LENGTHS_BY_FIRST[first]! >>> len) & 1) !== 0;
}

/** Class of the name `src[start..end)`. */
export function classifyName(src: string, start: number, end: number): number {
  const len = end - start;
  const first = src.charCodeAt(start);
  if (len > MAX_CALLEE_LENGTH || first >= 128 || ((LENGTHS_BY_FIRST[first]! >>> len) & 1) === 0) return PLAIN;
  const h = hashOf(src, start, end);
  for (let slot = h & (TABLE_SIZE - 1); ; slot = (slot + 1) & (TABLE_SIZE - 1)) {
    const word = slotWord[slot];
    if (word === undefined) break;
    if (slotHash[slot] === h && word.length === len && sameChars(src, start, word)) return slotClass[slot]!;
  }
  // Families by prefix: read_*, write_* (the Path methods among them are in the table).
  switch (src.charCodeAt(start)) {
    case 114 /* r */:
      return hasPrefix(src, start, len, 'read_') ? FILE_CALLEE : PLAIN;
    case 119 /* w */:
      return hasPrefix(src, start, len, 'write_') ? FILE_CALLEE : PLAIN;
    default:
      return PLAIN;
  }
}

/** Whether `src` holds `word` at `start` (compared in place: cheaper than `startsWith` for a short word). */
function sameChars(src: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (src.charCodeAt(start + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** Whether the name of length `len` at `start` begins with `prefix` (compared in place: cheaper than `startsWith` for a few characters). */
function hasPrefix(src: string, start: number, len: number, prefix: string): boolean {
  if (len < prefix.length) return false;
  for (let k = 1; k < prefix.length; k++) if (src.charCodeAt(start + k) !== prefix.charCodeAt(k)) return false;
  return true;
}

/**
 * Whether the name `src[start..start+len)` may be one of `as`, `for`,
 * `from`, `import`, `lambda`, `__import__`, `import_module`: a filter on
 * length and first letters (`classifyName` and the detectors decide). Of six
 * letters, a name starting `la` is taken for `lambda`.
 */
export function mayBeKeyword(src: string, start: number, len: number): boolean {
  const c = src.charCodeAt(start);
  switch (len) {
    case 2:
      return c === 97 /* a */ && src.charCodeAt(start + 1) === 115 /* s */;
    case 3:
      return c === 102 /* f */ && src.charCodeAt(start + 1) === 111 /* o */ && src.charCodeAt(start + 2) === 114 /* r */;
    case 4:
      return c === 102 /* f */;
    case 6:
      return c === 105 /* i */ || (c === 108 /* l */ && src.charCodeAt(start + 1) === 97) /* a */;
    case 13:
      return c === 105 /* i */;
    case 10:
      return c === 95 /* _ */;
    default:
      return false;
  }
}
