/**
 * Terminal columns: how wide text is drawn (a CJK character or an emoji takes two, a combining mark
 * none), and cutting, wrapping and padding it to a width without splitting a character. The timeline's
 * lines and the tables of `runs`, `files` and `patterns` are measured and cut here, and nowhere else.
 */
import { stripAnsi } from './colors.js';

/**
 * Code points a terminal draws two columns wide: East Asian Wide and Fullwidth (Hangul jamo, CJK
 * ideographs and punctuation, kana, Hangul syllables, fullwidth forms, Tangut, the ideographic
 * planes) and emoji shown as pictures (`Emoji_Presentation`). JavaScript has no East_Asian_Width
 * property, so the blocks are listed; what is left out is drawn narrow, as most terminals do.
 */
const WIDE =
  /[\p{Emoji_Presentation}\u1100-\u115f\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{16fe4}\u{17000}-\u{18cff}\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]/u;
/** Code points drawn on the one before them or not at all: marks, format characters (U+200D, variation selectors). */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
/** A regional indicator: two of them are one flag. */
const REGIONAL = /^[\u{1f1e6}-\u{1f1ff}]$/u;
/** A pictograph that U+FE0F (emoji presentation) turns into a two-column emoji (`❤️`). */
const PICTOGRAPHIC = /^\p{Extended_Pictographic}/u;
/**
 * Text whose every character is one column and starts a cluster of its own: printable ASCII, the
 * Latin, Greek and Cyrillic letters (but their combining marks and the soft hyphen), punctuation,
 * arrows, box drawing and the marks the CLI prints (`✓`, `✗`, `…`). Most lines are only that, and
 * are measured by their length.
 */
const NARROW_ONLY = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u03ff\u0400-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2713\u2717]*$/;

/**
 * Most code points joined to a cluster's first: Unicode's stream-safe limit on a run of marks (UAX #15),
 * which no writing system reaches; the longest emoji sequences join about ten.
 */
const MAX_JOINED = 30;

/**
 * Calls `visit(start, end, width)` for each character of plain `text` (no colour codes) as a reader
 * sees it, in order: a letter and its accents, emoji joined by U+200D, a flag; `text.slice(start, end)`
 * is the cluster and `width` its columns. A code point starts one, but a mark or format character, a
 * code point after U+200D and the second regional indicator of a flag join the one before. Its width
 * is its first code point's: 2 when wide ({@link WIDE}), or a pictograph made an emoji by U+FE0F; 0
 * when only marks; else 1. A simplification of Unicode's grapheme clusters (Intl.Segmenter is many
 * times slower, and this runs on every line of a timeline) that agrees with it on what terminals draw.
 *
 * A cluster takes at most {@link MAX_JOINED} code points after its first: the next one that would join
 * starts a cluster of one column instead (hostile text, "Zalgo": terminals keep a few marks a cell
 * and draw the rest each their own way). So every cluster but a text's first is at least a column, and
 * reading up to a width reads at most 31 code points a column: a letter under 8 million marks, one
 * cluster of one column before, was read whole by every cut (0.6-3 s a cell, 2026-12).
 *
 * Stops when `visit` returns `false`, so that cutting a cell of megabytes to a column's width reads
 * only its start; it allocates nothing per cluster (a cell of 20 MB took 1.4 GB and seconds to measure
 * when each cluster was an object: a review of 2026-12-06).
 */
function scanClusters(text: string, visit: (start: number, end: number, width: number) => boolean): void {
  let start = -1;
  let width = 0;
  let pictographic = false;
  let joinNext = false;
  let openFlag = false;
  let joined = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x300 && code !== 0xad && !joinNext) {
      // Latin: one column, a cluster of its own (the common case, without the property lookups below).
      if (start >= 0 && !visit(start, i, width)) return;
      start = i;
      width = 1;
      // `©` and `®` are the only pictographs here (U+FE0F after them makes an emoji of two columns, as `❤️`).
      pictographic = code === 0xa9 || code === 0xae;
      openFlag = false;
      joined = 0;
      i++;
      continue;
    }
    const point = text.codePointAt(i) as number;
    const next = i + (point > 0xffff ? 2 : 1);
    const char = text.slice(i, next);
    const zero = ZERO_WIDTH.test(char);
    const regional = REGIONAL.test(char);
    const joins: boolean = start >= 0 && (joinNext || zero || (openFlag && regional));
    if (joins && joined < MAX_JOINED) {
      if (point === 0xfe0f && pictographic) width = 2;
      openFlag = false;
      joined++;
    } else {
      if (start >= 0 && !visit(start, i, width)) return;
      start = i;
      // One that would have joined a full cluster is a column: see MAX_JOINED.
      width = joins ? 1 : zero ? 0 : WIDE.test(char) ? 2 : 1;
      pictographic = !joins && PICTOGRAPHIC.test(char);
      openFlag = !joins && regional;
      joined = 0;
    }
    joinNext = point === 0x200d;
    i = next;
  }
  if (start >= 0) visit(start, text.length, width);
}

/** The width of plain `text` (no colour codes), or, once it is wider than `limit`, a width past it (read only so far). */
function measureUpTo(plain: string, limit: number): number {
  if (NARROW_ONLY.test(plain)) return plain.length;
  let width = 0;
  scanClusters(plain, (_start, _end, w) => (width += w) <= limit);
  return width;
}

/** Whether plain `text` (no colour codes) is wider than `limit` columns, read only up to where it is. */
function widerThan(plain: string, limit: number): boolean {
  return measureUpTo(plain, limit) > limit;
}

/**
 * {@link displayWidth}, but at most `cap`: `text` is read only until it is wider. What a table on a
 * terminal needs of a cell that cannot show whole (a cell of megabytes, measured whole, took seconds).
 */
export function widthUpTo(text: string, cap: number): number {
  return Math.min(measureUpTo(stripAnsi(text), cap), cap);
}

/** Whether `text` fits in `width` columns (`displayWidth(text) <= width`), read only up to where it does not. */
export function fitsWidth(text: string, width: number): boolean {
  return !widerThan(stripAnsi(text), width);
}

/**
 * Display width in terminal columns, ignoring ANSI colour codes: a CJK character, a fullwidth
 * form or an emoji takes two, a combining mark none of its own (it is drawn on its letter), a
 * sequence of emoji joined by U+200D or a flag two (drawn as one). The widths most terminals
 * use; an uncommon character one draws otherwise can still shift a line by a column.
 */
export function displayWidth(text: string): number {
  const plain = stripAnsi(text);
  if (NARROW_ONLY.test(plain)) return plain.length;
  let width = 0;
  scanClusters(plain, (_start, _end, w) => {
    width += w;
    return true;
  });
  return width;
}

const ELLIPSIS = '…';
/** Splits text into plain parts and SGR colour codes (kept by the capture), as {@link stripAnsi} removes them. */
const SGR_PARTS = /(\u001b\[[0-9;]*m)/;
/** One whole SGR colour code. */
const SGR_WHOLE = /^\u001b\[[0-9;]*m$/;

/**
 * `text` in at most `width` columns ({@link displayWidth}): whole when it fits, else cut with
 * `…`, its colour codes kept (they take no column) and all colour reset after the `…` when it
 * had any, so a cut inside a coloured part does not colour what follows. For one terminal line,
 * already {@link terminalSafe}.
 */
export function cutToWidth(text: string, width: number): string {
  if (fitsWidth(text, width)) return text;
  if (!(width >= 1)) return '';
  // Whole grapheme clusters (a letter with its accents, an emoji sequence) while they fit before the `…`;
  // a wide one that would straddle the edge is left out, the line one column short. The clusters are those of the
  // text without its colour codes, as displayWidth measures it and a terminal draws it: a code between a
  // pictograph and its U+FE0F (or a letter and its accent) does not split the character, which the cut counted
  // one column short when it read the text between codes on its own (2026-12).
  const codes: ColourCode[] = [];
  const plain = text.includes('\u001b') ? withoutCodes(text, codes) : text;
  const room = width - 1;
  let kept = '';
  let shown = 0;
  let copied = 0; // `plain` up to here is in `kept`, with the codes before it
  let next = 0; // the first code not in `kept`
  const copyTo = (end: number): void => {
    for (; next < codes.length && (codes[next] as ColourCode).at < end; next++) {
      const c = codes[next] as ColourCode;
      kept += plain.slice(copied, c.at) + c.code;
      copied = c.at;
    }
    kept += plain.slice(copied, end);
    copied = end;
  };
  scanClusters(plain, (start, end, w) => {
    // With no room left (a width of 1 from the start) not even a text's leading marks are kept: a terminal has nothing
    // to draw them on (as when the text was read between codes, which stopped there).
    if (shown >= room || shown + w > room) return false;
    shown += w;
    copyTo(end);
    return true;
  });
  // The codes right after the last character kept, unless the line is full (as when the text was read between codes).
  if (shown < room) for (; next < codes.length && (codes[next] as ColourCode).at === copied; next++) kept += (codes[next] as ColourCode).code;
  return `${kept}${ELLIPSIS}${next > 0 ? '\u001b[0m' : ''}`;
}

/** A colour code of a text and where it stood in the text without its codes. */
interface ColourCode {
  readonly at: number;
  readonly code: string;
}

/** `text` without its colour codes, which are added to `codes` with their places in what is returned. */
function withoutCodes(text: string, codes: ColourCode[]): string {
  let plain = '';
  for (const part of text.split(SGR_PARTS)) {
    if (SGR_WHOLE.test(part)) codes.push({ at: plain.length, code: part });
    else plain += part;
  }
  return plain;
}

/**
 * Plain `text` (no colour codes) in lines of at most `width` columns, broken at spaces (runs of
 * them are one break); a word wider than `width` is broken inside, between grapheme clusters
 * (only a two-column character in a width of 1 is then wider than the line). For prose, where a
 * cut would lose the end of a sentence. `['']` for empty text.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const size = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const joined = line === '' ? word : `${line} ${word}`;
    if (displayWidth(joined) <= size) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    let shown = 0;
    scanClusters(word, (start, end, w) => {
      if (shown + w > size && line !== '') {
        lines.push(line);
        line = '';
        shown = 0;
      }
      line += word.slice(start, end);
      shown += w;
      return true;
    });
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * `head` then a tail in at most `width` columns, cutting `head` first ({@link cutToWidth}) so that
 * the tail (a status and a duration at the end of a header line) stays whole. `tails` are tried
 * longest first (`  ✗ failed  10m 00s  3 events`, then `  ✗ failed`): the first that leaves the
 * head `minHead` columns is kept; when none does, the line with the first is cut at the edge.
 */
export function fitWithTail(head: string, tails: string | readonly string[], width: number, minHead = 12): string {
  const candidates = typeof tails === 'string' ? [tails] : tails;
  const line = `${head}${candidates[0] ?? ''}`;
  if (fitsWidth(line, width)) return line;
  for (const tail of candidates) {
    // Measured whole only when it leaves the head its columns (a tail of megabytes is read up to the width).
    if (fitsWidth(tail, width - minHead)) return `${cutToWidth(head, width - displayWidth(tail))}${tail}`;
  }
  return cutToWidth(line, width);
}

/** `text` padded with spaces to `width` columns ({@link displayWidth}: `padEnd` counts UTF-16 units). */
export function padToWidth(text: string, width: number): string {
  return `${text}${' '.repeat(Math.max(0, width - displayWidth(text)))}`;
}

/** A table cell in `width` columns: whole when it fits, else cut (without its colours) with `…`. */
export function fitCell(text: string, width: number): string {
  if (fitsWidth(text, width)) return text;
  return cutToWidth(stripAnsi(text), Math.max(1, width));
}
