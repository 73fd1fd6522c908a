/** Small text formatters shared by the commands. */

const ELLIPSIS = '…';

/**
 * Characters never printed as recorded: C0 and C1 controls, and the bidi
 * controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069). A bidi control does
 * not move the cursor, but an unterminated override or isolate in an agent
 * name reverses the rest of the line on a bidi-aware terminal (status,
 * duration: "Trojan Source"), so it is dropped like the other controls.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of at most `max` characters (code points): whitespace runs,
 * newlines included, become one space, control characters ({@link UNPRINTABLE})
 * are dropped, and a cut is marked with `…`.
 */
export function shorten(text: string | null | undefined, max: number): string {
  if (text === null || text === undefined) return '';
  // A text much longer than the cut (a task of megabytes) is read only up to where its line is known to be longer
  // than `max`: a prefix of twice as much each time, as one line it is the start of the whole text's line. Copied
  // whole into code points, 8 MB took 0.6 s a cell (2026-12).
  for (let n = Math.max(64, 4 * max + 64); n < text.length; n *= 2) {
    const chars = Array.from(oneLine(text.slice(0, n)).trimEnd());
    // Past its last character (which may be half of a surrogate pair the slice split) the line goes on, so it is
    // longer than `max` once the characters before that one are.
    if (chars.length - 1 > max) return cutChars(chars, max);
  }
  const line = oneLine(text).trimEnd();
  const chars = Array.from(line);
  if (chars.length <= max) return line;
  return cutChars(chars, max);
}

/** {@link shorten}'s line without its end trimmed: whitespace runs one space, controls dropped, leading spaces dropped. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(UNPRINTABLE, '').trimStart();
}

/** The first `max - 1` of a line's characters longer than `max`, and `…`. */
function cutChars(chars: readonly string[], max: number): string {
  if (max <= 1) return ELLIPSIS.slice(0, max);
  return `${chars.slice(0, max - 1).join('').trimEnd()}${ELLIPSIS}`;
}

/**
 * At most the first `maxUnits` UTF-16 code units of `text` (the units
 * JavaScript's `length` counts, and V8's string limit too), never ending
 * between the two halves of a surrogate pair: a character outside the BMP
 * (an emoji, U+1F600) at the cut is left out whole rather than split, which
 * would leave a lone surrogate that reads as U+FFFD in a page and as invalid
 * UTF-16 to a strict JSON reader. The result may so be one unit shorter.
 */
export function cutAtCodePoint(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const end = Math.max(0, maxUnits);
  const last = text.charCodeAt(end - 1);
  const next = text.charCodeAt(end);
  const splitsPair = last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
  return text.slice(0, splitsPair ? end - 1 : end);
}

/** Our own colour codes (SGR: `ESC [ … m`), and every other control character ({@link UNPRINTABLE}). */
const CONTROL_OR_SGR = new RegExp(`\\u001b\\[[0-9;]*m|${UNPRINTABLE.source}`, 'g');

/** Line breaks and tabs, and runs of them: each run becomes one space. */
const BREAKS = /[\n\r\t\v\f\u0085\u2028\u2029]+/g;

/**
 * `text` safe to print as one terminal line: line breaks and tabs become a
 * space and control characters are dropped, but for colour codes (ours; a
 * recorded one can only recolour text). Spaces are kept as they are (the
 * alignment of a line). Recorded values (agent names, run ids, titles,
 * paths) go through it: an escape sequence in them must not retitle or
 * clear the reader's terminal, and a newline must not split a table row.
 */
export function terminalSafe(text: string): string {
  return text.replace(BREAKS, ' ').replace(CONTROL_OR_SGR, (m) => (m.length > 1 ? m : ''));
}

/** {@link UNPRINTABLE} but for the tab and the line feed, which a file's content keeps. */
const UNPRINTABLE_IN_CONTENT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file's captured content safe to print as it is: lines and tabs kept
 * (indentation, TSV), every other control character dropped, escape and
 * colour sequences included (their `ESC` goes, the rest shows as text: a
 * coloured build log reads `[31mred[0m`), and a carriage return too (a lone
 * one would let a line overwrite the one printed before it). A generated
 * file is recorded text like an agent name: `ESC]0;…` in it must not retitle
 * the reader's terminal, nor `ESC[2J` clear it.
 */
export function terminalSafeContent(text: string): string {
  return text.replace(UNPRINTABLE_IN_CONTENT, '');
}

/**
 * Text of several lines for standard error (an error message with a list
 * under it, a usage text, a log line): each line made safe as
 * {@link terminalSafe} does, the line breaks between them kept, and colour
 * codes dropped too: messages carry none of ours, so one there came from
 * recorded data, and a recorded colour can hide text (`ESC[8m`).
 */
export function terminalSafeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(BREAKS, ' ').replace(CONTROL_OR_SGR, ''))
    .join('\n');
}

/** The largest of `values`, or `empty` when there is none (a loop: spreading 100 000 arguments overflows the stack). */
export function maxOf(values: Iterable<number>, empty: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  return max === Number.NEGATIVE_INFINITY ? empty : max;
}

/** The smallest of `values`, or `empty` when there is none. */
export function minOf(values: Iterable<number>, empty: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) if (v < min) min = v;
  return min === Number.POSITIVE_INFINITY ? empty : min;
}

/** `0.12 ms`, `143 ms`, `2.5 s`, `3m 05s`, `1h 02m`; `-` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 0) return '-';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `214 B`, `5.1 KB`, `3.4 MB` (powers of 1024); `-` when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '-';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `2026-11-26 01:11:27` in UTC (the same for everyone reading a shared terminal log); `-` when unknown. */
export function formatTimestamp(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '-';
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

/** `87%` for a ratio in 0..1; `-` when unknown. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '-';
  return `${Math.round(ratio * 100)}%`;
}

/** The start of a UUID: a run id agentspan made (or a caller's UUID). */
const UUID_START = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

/**
 * A UUID run id shortened to its first 8 characters (every command accepts
 * a unique prefix); an id someone chose, like `nightly-2026-11-01`, is shown
 * whole, since its start is rarely what tells runs apart.
 */
export function shortRunId(id: string): string {
  return UUID_START.test(id) ? id.slice(0, 8) : id;
}
