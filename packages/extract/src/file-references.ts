/**
 * File paths referred to in the prose of a message: after trigger words
 * ("saved to out.csv", "the file data/raw.fits"), as targets of markdown
 * links to local files (`[plot](out/plot.png)`, not `https://...`), and as
 * inline code spans naming a file with a known extension (`` `fib.txt` ``).
 */
import { asText, DEFAULT_MAX_SCAN_CHARS, guarded, OrderedSet } from './guard.js';
import { splitMarkdown } from './markdown-blocks.js';
import { hasKnownExtension, isPathLike, toFilePath } from './paths.js';
import { scanTriggeredPaths } from './phrase-scan.js';

/** Words after which a message names a file (direction does not matter here). */
const MESSAGE_TRIGGER_RE =
  /(?<![./\\-])\b(?:files?|paths?|filenames?|saved|saving|saves|written|writing|writes|wrote|created|creating|creates|generated|generating|exported|stored|outputs?|loaded|loading|loads|reads|reading|opened|opening|attached|updated|modified)\b(?![./\\-])/gi;
// (Not inside a name: `file.txt`, `outputs/fig.png`, `os.path.join` hold a trigger word and are no trigger.)

const MAX_LINK_TARGET = 1024;
const MAX_CODE_SPAN = 512;

/** Adds targets of `[text](target)` links that are local, path-like files. */
function scanLinks(prose: string, out: OrderedSet): void {
  let at = prose.indexOf('](');
  while (at >= 0) {
    let i = at + 2;
    const angle = prose[i] === '<';
    if (angle) i++;
    const start = i;
    // Stop at characters that would start another link, so scans never overlap.
    while (i < prose.length && i - start < MAX_LINK_TARGET) {
      const c = prose[i]!;
      if (c === ')' || c === '(' || c === '[' || c === ']' || c === '<' || c === '>' || c === ' ' || c === '\n' || c === '\t' || c === '"') break;
      i++;
    }
    // An empty target (`](` runs, `[]()`) names nothing: skip the slice and regexes.
    const raw = i > start ? prose.slice(start, i) : '';
    const target = raw.includes('#') ? raw.replace(/#.*$/, '') : raw;
    if (target !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(target)) {
      let decoded = target;
      try {
        decoded = decodeURIComponent(target);
      } catch {
        // Malformed %-escape: keep it raw.
      }
      const p = toFilePath(decoded);
      if (p !== undefined && isPathLike(p)) out.add(p);
    }
    at = prose.indexOf('](', Math.max(i, at + 2));
  }
}

/** Adds single-backtick code spans holding one file name with a known extension. */
function scanCodeSpans(prose: string, out: OrderedSet): void {
  const n = prose.length;
  let i = prose.indexOf('`');
  while (i >= 0) {
    let j = i + 1;
    while (j < n && j - i <= MAX_CODE_SPAN) {
      const c = prose.charCodeAt(j);
      if (c === 96 || c === 10) break;
      j++;
    }
    if (prose.charCodeAt(j) !== 96) {
      i = prose.indexOf('`', j);
      continue;
    }
    if (j === i + 1) {
      // An empty span (a run of backticks): nothing to look at.
      i = prose.indexOf('`', j + 1);
      continue;
    }
    const content = prose.slice(i + 1, j).trim();
    if (content !== '' && !/\s/.test(content)) {
      const p = toFilePath(content);
      if (p !== undefined && hasKnownExtension(p) && !/\(/.test(content)) out.add(p);
    }
    i = prose.indexOf('`', j + 1);
  }
}

/** File references in prose that has already been separated from code blocks. */
export function fileReferencesInProse(prose: string): string[] {
  const out = new OrderedSet();
  scanTriggeredPaths(prose, MESSAGE_TRIGGER_RE, out);
  scanLinks(prose, out);
  scanCodeSpans(prose, out);
  return out.toArray();
}

/**
 * File paths referenced in a message's prose (fenced code blocks are
 * skipped: run `extractCodeMetadata` on `codeBlocks` for those), normalised,
 * deduplicated, first-seen order. Scans at most the first 1 000 000 characters.
 */
export function extractFileReferences(text: string): string[] {
  return guarded(
    () => {
      const t = asText(text);
      const limit = DEFAULT_MAX_SCAN_CHARS;
      const scanned = t.length > limit ? t.slice(0, limit) : t;
      const unixLines = scanned.includes('\r') ? scanned.replace(/\r\n?/g, '\n') : scanned; // skip the regex pass on \n-only text
      return fileReferencesInProse(splitMarkdown(unixLines).prose);
    },
    () => [],
  );
}
