import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * realpath(3) in one call: Node's JavaScript `realpathSync` lstat()s every
 * component of the path and builds a Stats object for each (3 µs against
 * 1 µs for a path three levels deep here, and several times that under
 * load); the result is the same for the paths capture resolves.
 */
const realpath = realpathSync.native;

/**
 * Reads the content of a generated file, safely and within bounds, on the
 * application's thread (the one I/O the hot path allows).
 *
 * Safety rules, in order: the path must resolve (after following symlinks)
 * inside one of the allowed roots, and so must the file actually opened
 * (on Linux, read back from `/proc/self/fd`: a parent directory swapped for
 * a symlink between the check and the open is caught); it must be a
 * regular file (a FIFO, device or socket is never opened for reading, so
 * capture can never block); it must be at most `maxFileBytes`; its
 * extension must be on the text allowlist and the bytes kept must hold no
 * NUL byte. Anything else is recorded without content, with the reason,
 * and is never an error.
 *
 * A hard link in a root to a file elsewhere is captured: by every measure
 * of the filesystem it is a file in the root, and code that can link a
 * file can as well copy it there.
 */

/** Options of {@link captureFile}; all have defaults. */
export interface FileCaptureOptions {
  /**
   * Directories whose files may be read (realpath-resolved). Relative paths
   * resolve against `cwd` when given, else the first root.
   */
  roots: readonly string[];
  /** Largest file considered, in bytes. @default 1_048_576 (1 MB) */
  maxFileBytes?: number;
  /** Bytes of content kept. @default 5120 (5 KB) */
  maxContentBytes?: number;
  /** Extensions (lower case, with the dot) treated as text. @default {@link DEFAULT_TEXT_EXTENSIONS} */
  textExtensions?: ReadonlySet<string>;
  /**
   * Secret redaction applied to the content before it is cut to
   * `maxContentBytes`: it sees {@link REDACTION_LOOKAHEAD_BYTES} more, so
   * a secret that crosses the cut is still recognised whole and no prefix
   * of it is kept. @default none
   */
  /** `cutAtEnd`: the text is a window of a longer file (a token running to its end is cut short). */
  redact?: ((text: string, cutAtEnd: boolean) => { text: string; redactions: number }) | undefined;
}

/**
 * Bytes past `maxContentBytes` that redaction sees (a 4096-bit RSA private
 * key in PEM is about 3.3 KB).
 */
export const REDACTION_LOOKAHEAD_BYTES = 8192;

/** Text file extensions captured by default. */
export const DEFAULT_TEXT_EXTENSIONS: ReadonlySet<string> = new Set([
  '.py', '.txt', '.json', '.yaml', '.yml', '.md', '.csv', '.tsv', '.log', '.toml', '.ini', '.cfg',
  '.sh', '.bash', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.tex', '.html', '.htm', '.xml',
  '.css', '.sql', '.r', '.jl', '.ipynb', '.rst', '.dat', '.out', '.err', '.env.example',
]);

/** Default of `fileCapture.maxFileBytes`: larger files are recorded without content (1 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 1_048_576;
/** Default of `fileCapture.maxContentBytes`: the content kept of a captured file (5 KB). */
export const DEFAULT_MAX_CONTENT_BYTES = 5120;

/** Why no content was captured. */
export type SkipReason =
  | 'disabled'
  | 'not_found'
  | 'outside_workspace'
  | 'not_regular_file'
  | 'too_large'
  | 'not_text'
  | 'binary'
  | 'unreadable'
  /** The path (or the `cwd` it resolves against) is longer than any path can be (4096 characters): it was stored cut, and a cut path names another file, or none. */
  | 'path_too_long';

/** What capture learned about one file. */
export interface CapturedFile {
  /** Absolute path the file resolved to (the real path when it exists). */
  readonly resolvedPath: string;
  /** Extension without the dot, lower case; '' when none. */
  readonly fileType: string;
  readonly hasContent: boolean;
  /** First `maxContentBytes` as UTF-8 (invalid bytes replaced); only when `hasContent`. */
  readonly content?: string;
  /** Size in bytes, when the file exists. */
  readonly size?: number;
  /** Hex SHA-256 of the whole file, when it was read. */
  readonly sha256?: string;
  /**
   * Which version of the file was seen (size and modification time, from the
   * same stat as `size`), when it exists: a later capture of another
   * version is a new file row, not a duplicate.
   */
  readonly version?: string;
  /** True when the content is a prefix of a longer file. */
  readonly truncated?: boolean;
  /**
   * Secrets `redact` replaced in the content kept (a replacement the cut
   * falls into counts; one only in the look-ahead past the cut does not);
   * only when `hasContent` and `redact` was given.
   */
  readonly redactions?: number;
  readonly skipReason?: SkipReason;
}

/**
 * Absolute form of `path`: as is when absolute, else against `cwd`, else the
 * first root. A relative `cwd` (`'sub'`) is a directory of the workspace, so
 * it is taken against the first root too, not the process's directory.
 */
export function resolveFilePath(path: string, cwd: string | undefined, roots: readonly string[]): string {
  if (isAbsolute(path)) return resolve(path);
  const base = roots[0] ?? process.cwd();
  return resolve(cwd === undefined ? base : resolve(base, cwd), path);
}

function isInside(child: string, root: string): boolean {
  if (child === root) return true;
  const rel = relative(root, child);
  // `..notes.txt` is inside; `..` and `../x` are not.
  return rel.length > 0 && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Whether `real` (a real path) lies in one of `roots`. Roots are resolved
 * on every call, not cached: a root that is a symlink may be re-pointed (a
 * `current` run directory), and one may be created after the first
 * capture. realpath(3) costs about a microsecond; a capture reads a file.
 */
function insideRoots(real: string, roots: readonly string[]): boolean {
  for (const root of roots) {
    let rr: string;
    try {
      rr = realpath(resolve(root));
    } catch {
      continue; // a root that does not exist (yet) holds nothing
    }
    if (isInside(real, rr)) return true;
  }
  return false;
}

/**
 * The path the open file `fd` actually is, where the system says
 * (`/proc/self/fd` on Linux); `undefined` elsewhere.
 */
function openedPath(fd: number): string | undefined {
  try {
    const p = readlinkSync(`/proc/self/fd/${fd}`);
    return p.startsWith('/') ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `path` ends with one of `extensions`: its last extension
 * (`.txt`), or a compound one on the list (`.env.example`, whose last
 * extension alone is `.example`).
 */
function hasTextExtension(path: string, extensions: ReadonlySet<string>): boolean {
  if (extensions.has(extensionOf(path))) return true;
  const name = basename(path).toLowerCase();
  for (const e of extensions) if (e.indexOf('.', 1) > 0 && name.endsWith(e)) return true;
  return false;
}

function extensionOf(path: string): string {
  return extname(path).toLowerCase();
}

/**
 * Cuts `buf` to at most `max` bytes without splitting a UTF-8 sequence.
 * Steps back at most 3 bytes (a sequence is at most 4 long) to the start of
 * the character the cut falls in, and cuts there only when that character
 * runs past the cut: a file that is not UTF-8 (Latin-1 with a run of
 * non-breaking spaces, 0xA0) holds bytes that read as continuation bytes
 * after a character that ended before them (`ʠ` then 0xA0 0xA0), and cutting
 * before that character would lose it.
 */
function utf8Prefix(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let start = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (start > 0 && max - start < 3 && ((buf[start] ?? 0) & 0xc0) === 0x80) start--;
  const lead = buf[start] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  // No lead byte whose sequence crosses the cut: invalid bytes, replaced when decoded, so the cut at `max` is as good.
  return buf.subarray(0, start + length > max ? start : max);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** How each replacement the redactor makes starts (`[REDACTED:<kind>]`, `redact.ts` in `@agentspan/extract`). */
const REDACTION_TAG = '[REDACTED:';

/** Occurrences of {@link REDACTION_TAG} in `text` that start at `from` or later. */
function tagsFrom(text: string, from: number): number {
  let n = 0;
  for (let i = text.indexOf(REDACTION_TAG, from); i >= 0; i = text.indexOf(REDACTION_TAG, i + REDACTION_TAG.length)) n++;
  return n;
}

/**
 * Of the `total` secrets redaction replaced in the window (`original`
 * became `redacted`), those whose replacement starts in what is kept, its
 * first `keptChars`: a secret seen only in the look-ahead past the cut is
 * not stored, and is not counted (`redactions` describes the content). A
 * replacement the cut falls into is kept in part, and counts.
 *
 * Each replacement is one tag, so the tags past the cut that the window did
 * not hold before are the secrets dropped. A file that holds tag text
 * itself (redacted before) passes it through unchanged: its tags past the
 * cut are located by the window's shrinkage, exact unless redaction past
 * the cut changed lengths near such a tag. When the tags do not add up to
 * one per replacement (the rules failed closed), `total` is kept.
 */
function keptRedactions(original: string, redacted: string, keptChars: number, total: number): number {
  if (total === 0 || keptChars >= redacted.length) return total;
  const droppedTags = tagsFrom(redacted, keptChars);
  if (droppedTags === 0) return total;
  const ownTags = tagsFrom(original, 0);
  if (tagsFrom(redacted, 0) !== ownTags + total) return total;
  const ownDropped = ownTags === 0 ? 0 : tagsFrom(original, Math.max(0, keptChars + original.length - redacted.length));
  return Math.max(0, total - Math.max(0, droppedTags - ownDropped));
}

const BINARY_SNIFF_BYTES = 8192;

/** The version of a file as `CapturedFile.version` and `currentFileVersion` give it. */
function versionOf(st: { size: number; mtimeMs: number }): string {
  return `${st.size}:${st.mtimeMs}`;
}

/**
 * The version of the file at `absolute` now (one stat, following symlinks),
 * or `undefined` when it cannot be read: what the processor compares to
 * decide whether a file detected again in a node is a new version.
 */
export function currentFileVersion(absolute: string): string | undefined {
  try {
    const st = statSync(absolute, { throwIfNoEntry: false });
    return st === undefined ? undefined : versionOf(st);
  } catch {
    return undefined;
  }
}

/** Captures one file; never throws. */
export function captureFile(path: string, cwd: string | undefined, options: FileCaptureOptions): CapturedFile {
  const roots = options.roots;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxContentBytes = options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  const textExtensions = options.textExtensions ?? DEFAULT_TEXT_EXTENSIONS;
  const absolute = resolveFilePath(path, cwd, roots);
  const fileType = extensionOf(absolute).slice(1);
  let real: string;
  try {
    real = realpath(absolute);
  } catch {
    return { resolvedPath: absolute, fileType, hasContent: false, skipReason: 'not_found' };
  }
  if (!insideRoots(real, roots)) return { resolvedPath: real, fileType, hasContent: false, skipReason: 'outside_workspace' };

  let fd: number | undefined;
  try {
    const st = statSync(real);
    if (!st.isFile()) return { resolvedPath: real, fileType, hasContent: false, skipReason: 'not_regular_file' };
    if (st.size > maxFileBytes) {
      return { resolvedPath: real, fileType, hasContent: false, size: st.size, version: versionOf(st), skipReason: 'too_large' };
    }
    // O_NONBLOCK: if the path was swapped for a FIFO after the stat, open still returns at once.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
    // O_NOFOLLOW guards only the last component: a parent swapped for a symlink after the check is seen here.
    const opened = openedPath(fd);
    if (opened !== undefined && opened !== real && !insideRoots(opened, roots)) {
      return { resolvedPath: real, fileType, hasContent: false, skipReason: 'outside_workspace' };
    }
    const fst = fstatSync(fd);
    if (!fst.isFile()) return { resolvedPath: real, fileType, hasContent: false, skipReason: 'not_regular_file' };
    if (fst.size > maxFileBytes) {
      return { resolvedPath: real, fileType, hasContent: false, size: fst.size, version: versionOf(fst), skipReason: 'too_large' };
    }
    const buf = Buffer.allocUnsafe(fst.size);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, read);
      if (n <= 0) break;
      read += n;
    }
    const data = buf.subarray(0, read);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const size = read;
    const version = versionOf(fst);
    if (!hasTextExtension(real, textExtensions) && !hasTextExtension(absolute, textExtensions)) {
      return { resolvedPath: real, fileType, hasContent: false, size, sha256, version, skipReason: 'not_text' };
    }
    const redact = options.redact;
    // What redaction sees: the bytes kept and the look-ahead past them. Without redaction, 4 bytes past
    // the bound (the cut steps back 3 at most): the decoder then sees the byte after the last one kept
    // and decodes the kept bytes as in the whole file (the bound is applied below, to the decoded text);
    // an invalid sequence cut at the bound would lose its U+FFFD.
    const window = utf8Prefix(data, maxContentBytes + (redact === undefined ? 4 : REDACTION_LOOKAHEAD_BYTES));
    // What is kept must hold no NUL (and the first 8 KB, the sniff); a NUL in the look-ahead only redaction reads does not matter.
    if (data.subarray(0, Math.max(BINARY_SNIFF_BYTES, maxContentBytes)).includes(0)) {
      return { resolvedPath: real, fileType, hasContent: false, size, sha256, version, skipReason: 'binary' };
    }
    const decoded = decoder.decode(window);
    const redacted = redact === undefined ? undefined : redact(decoded, window.length < size);
    const text = redacted?.text ?? decoded;
    // Cut again as UTF-8: a redacted secret shortens the text, and an invalid byte decodes to
    // U+FFFD, three bytes (a Latin-1 file would otherwise keep three times the bound).
    const whole = Buffer.from(text, 'utf8');
    const kept = utf8Prefix(whole, maxContentBytes);
    // What is kept may reach into the look-ahead: check it too.
    if (kept.includes(0)) return { resolvedPath: real, fileType, hasContent: false, size, sha256, version, skipReason: 'binary' };
    const content = kept.length === whole.length ? text : decoder.decode(kept);
    return {
      resolvedPath: real,
      fileType,
      hasContent: true,
      content,
      size,
      sha256,
      version,
      truncated: window.length < size || kept.length < whole.length,
      ...(redacted !== undefined ? { redactions: keptRedactions(decoded, text, content.length, redacted.redactions) } : {}),
    };
  } catch {
    return { resolvedPath: real, fileType, hasContent: false, skipReason: 'unreadable' };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
  }
}
