/**
 * Lexical path normalisation and the "does this look like a file" tests
 * every extractor shares, so they agree on what a file is.
 */
/** Paths longer than this are not taken as file names (generated garbage, base64 ...). */
const MAX_PATH_LENGTH = 4096;

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]{1,31}:/;
const WINDOWS_DRIVE_RE = /^[A-Za-z]:\//;
/**
 * Unresolved placeholders: `{name}`/`{}` (str.format, f-string leftovers),
 * `%s`/`%05d`/`%(x)s` (printf), `$x`/`${x}` (shell/JS templates), and glob or
 * shell meta characters, which name many files or none.
 */
const UNRESOLVED_RE = /[{}$*?<>|"\u0000-\u001f\u007f]|%(?:\([^)]{0,64}\))?[-+ #0]{0,5}[0-9]{0,4}(?:\.[0-9]{1,4})?[sdifgGeExXorcu]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Character devices and stream aliases are not files. */
const DEVICE_RE = /^\/(?:dev|proc\/self\/fd)(?:\/|$)/;

/**
 * Normalises a path lexically (no file system access):
 * backslashes become `/`, `.` segments and repeated slashes are dropped,
 * `a/../` collapses (leading `..` of a relative path is kept, `/..` is `/`,
 * and `~/..` stays: where home's parent is is not known, and `x` would be another file;
 * `./~/x`, a directory named `~`, keeps its `./`),
 * a trailing slash is dropped, surrounding whitespace is trimmed.
 *
 * Returns `undefined` for things that are not a single local file name:
 * `''`, `-` (stdin/stdout), URLs and other `scheme:` strings, `/dev/*`,
 * unresolved format strings (`{name}.txt`, `%s.csv`, `${x}`, `$X/y`), globs
 * (`*.csv`), control characters, lone surrogates, and paths over 4096 chars.
 *
 * @example normalisePath('./out/../data//a.csv') // 'data/a.csv'
 */
export function normalisePath(p: string): string | undefined {
  // try/catch rather than `guarded`: this runs for every candidate path, and two closures per call showed in profiles.
  try {
    return normaliseUnsafe(p);
  } catch {
    return undefined;
  }
}

/**
 * Whether `s` is already a clean relative or absolute path: only ordinary
 * file-name characters, no empty/`.`/`..` segments, no trailing slash. Most
 * paths are, and this single pass spares them the regexes and split/join
 * below: such a path normalises to itself unless it is `-` or a device.
 */
function isCleanPath(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_PATH_LENGTH) return false;
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 47;
    if (c === 47 /* / */) {
      const len = i - segStart;
      if (len === 0 && !(i === 0 && n > 1)) return false; // '//' or trailing '/' ('/' at 0 is the root)
      if (len === 1 && s.charCodeAt(segStart) === 46) return false; // '.'
      if (len === 2 && s.charCodeAt(segStart) === 46 && s.charCodeAt(segStart + 1) === 46) return false; // '..'
      segStart = i + 1;
      continue;
    }
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 45 || c === 43 || c === 64 || c === 126 || c === 44 || c === 61;
    if (!ok) return false; // (a colon would be a scheme or drive)
  }
  return true;
}

function normaliseUnsafe(p: unknown): string | undefined {
  if (typeof p !== 'string') return undefined;
  // Before anything reads its characters: a long concatenation is only flattened (time, memory) if read.
  if (p.length > 2 * MAX_PATH_LENGTH) return undefined;
  if (isCleanPath(p)) return p === '-' || (p.charCodeAt(0) === 47 && DEVICE_RE.test(p)) ? undefined : p;
  let s = p.trim();
  const input = s;
  if (s.length === 0 || s.length > MAX_PATH_LENGTH || s === '-') return undefined;
  if (s.charCodeAt(0) === 58 /* : */) return undefined; // `:memory:` (SQLite, DuckDB) is no file
  if (UNRESOLVED_RE.test(s) || LONE_SURROGATE_RE.test(s)) return undefined;
  s = s.replace(/\\/g, '/');
  if (SCHEME_RE.test(s)) return undefined;
  let prefix = '';
  if (WINDOWS_DRIVE_RE.test(s)) {
    prefix = s.slice(0, 2);
    s = s.slice(2);
  }
  const absolute = s.startsWith('/');
  // A leading `~` (`~bob`) is a home directory, as the shell expands it: `..` climbs out of it, not back to `.`.
  const home = prefix === '' && s.charCodeAt(0) === 126 /* ~ */;
  const out: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      const last = out[out.length - 1];
      if (last !== undefined && last !== '..' && !(home && out.length === 1)) out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  let body = out.join('/');
  // A relative path's first segment named `~…` (`./~/x`: a directory named `~`, as a quoted `'~'/x` is) keeps its
  // `./`: without it the path would be home's.
  if (!absolute && !home && prefix === '' && body.charCodeAt(0) === 126 /* ~ */) body = './' + body;
  const result = prefix + (absolute ? '/' + body : body === '' ? '.' : body);
  if (DEVICE_RE.test(result)) return undefined;
  if (result === input) return result;
  // Dropping segments can expose what the first look refuses (`./-` → stdin, `./:memory:`, `./s3:x` →
  // a scheme, `%(./name)s` → a placeholder) or whitespace at the ends ('a /' → 'a '): the result is
  // normalised again, so that a result normalises to itself. It is no longer than the input (or has no
  // backslash left), so this ends.
  return normaliseUnsafe(result.trim());
}

/**
 * `normalisePath`, then also rejects results that cannot be a file:
 * `.`, `..`, `/`, paths ending in `/..`, and a bare `~`.
 */
export function toFilePath(p: string): string | undefined {
  const n = normalisePath(p);
  if (n === undefined) return undefined;
  if (n === '.' || n === '..' || n === '/' || n === '~' || n.endsWith('/..') || (n.length <= 3 && DRIVE_ROOT_RE.test(n))) return undefined;
  return n;
}

/** `C:` or `C:/`: a drive, not a file. */
const DRIVE_ROOT_RE = /^[A-Za-z]:\/?$/;

/** Extension of the last path segment, lowercased, without the dot ('' when none). */
export function extensionOf(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return '';
  return base.slice(dot + 1).toLowerCase();
}

/** Last segment of a `/`-separated path (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  const slash = path.lastIndexOf('/', end - 1);
  return path.slice(slash + 1, end);
}

/** Everything before the last segment ('' for a bare name, '/' for a root file). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '';
  if (slash === 0) return '/';
  return path.slice(0, slash);
}

/**
 * Whether a normalised path looks like a file rather than a word: it has a
 * slash, or an extension of 1–10 word characters with at least one letter
 * (`a.csv` yes, `3.14` no), or it is a dotfile (`.env`).
 */
export function isPathLike(path: string): boolean {
  // Scans in place rather than basename + regex: every candidate token of prose and tool output comes here.
  let end = path.length;
  if (path.includes('/')) {
    while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
    const start = path.lastIndexOf('/', end - 1) + 1;
    for (let k = start; k < end; k++) if (isWordChar(path.charCodeAt(k))) return true;
    return false;
  }
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot === end - 1) return false;
  if (dot === 0) return /^\.[A-Za-z][A-Za-z0-9_.-]{0,30}$/.test(path);
  return isExtension(path, dot + 1, end);
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Whether `s[start, end)` matches `^[A-Za-z0-9_]{0,9}[A-Za-z][A-Za-z0-9_]{0,9}$`:
 * 1–19 word characters with a letter that has at most 9 characters on either side.
 */
function isExtension(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > 19) return false;
  let letterFits = false;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(start + k);
    if (!isWordChar(c)) return false;
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (letter && k <= 9 && len - 1 - k <= 9) letterFits = true;
  }
  return letterFits;
}

/** Extensions of files agents commonly produce or consume (lowercase, no dot). */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'txt csv tsv json jsonl ndjson yaml yml toml ini cfg conf xml html htm md rst tex bib pdf ' +
    'png jpg jpeg gif svg bmp tif tiff webp eps ps ico ' +
    'npy npz mat h5 hdf5 hdf he5 fits fit fts fz nc nc4 cdf zarr parquet feather arrow orc avro ' +
    'pkl pickle joblib dill pt pth ckpt onnx safetensors pb tflite keras sav ' +
    'bin dat out log err lst ecsv vot asdf dump sql db sqlite sqlite3 ' +
    'py ipynb pyx js mjs cjs ts tsx jsx sh bash zsh r jl c h cc cpp hpp rs go java rb php lua pl swift kt scala f f90 pro ' +
    'zip gz tgz tar bz2 xz 7z whl ' +
    'xlsx xls docx doc pptx odt ods ' +
    'wav mp3 flac ogg mp4 avi mov mkv webm ' +
    'env lock gitignore dockerfile'
  ).split(' '),
);

/** Whether the path ends in one of `KNOWN_EXTENSIONS`. */
export function hasKnownExtension(path: string): boolean {
  return KNOWN_EXTENSIONS.has(extensionOf(path));
}

/**
 * Whether a normalised path names the same file from any directory: `/x`, `~/x` (home; `~bob/x`), or a Windows
 * drive's `C:/x` (one ASCII letter, `:`, `/`: `a:b` is a relative file name).
 */
export function isAbsolutePath(path: string): boolean {
  const c = path.charCodeAt(0);
  if (c === 47 /* / */ || c === 126 /* ~ */) return true;
  return path.charCodeAt(1) === 58 /* : */ && path.charCodeAt(2) === 47 && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122));
}
