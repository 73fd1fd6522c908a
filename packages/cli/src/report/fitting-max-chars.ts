/**
 * Which `--max-chars` makes a report that was too large fit: the page's length as a function of the
 * limit, counted exactly (the markup, the embedded JSON with its escapes, the note each cut value
 * gains), and the largest limit whose page is within a budget.
 */
import { constants } from 'node:buffer';
import { cutAtCodePoint } from '../format/text.js';
import { renderReport } from './render-report.js';
import { cutNote, forEachCutPlace, mapCutPlaces, uncutString, type ReportData } from './report-data.js';

/** The smallest `--max-chars`: a value cut shorter says too little to be worth a report. */
export const MIN_MAX_CHARS = 100;

/**
 * The longest page {@link fittingMaxChars} advises, in UTF-16 units: half of what V8 holds in one
 * string (about 268 M of 536 M). The page is built whole in Node, and a browser opening it has to
 * hold the page and parse the JSON in it again: a page at V8's very limit would build, and not open.
 */
export const FITTING_PAGE_LIMIT = Math.floor(constants.MAX_STRING_LENGTH / 2);

/**
 * Units `embedJson` adds to a UTF-16 unit of a string beyond the unit itself: `"`, `\` and the
 * control characters with a short escape (`\n`, `\t` ...) one, the other C0 controls, `<`, U+2028,
 * U+2029 and a lone surrogate five (`\u003c`). 0 for the rest.
 */
function extraUnits(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) return 1;
  if (c < 0x20 || c === 0x3c || c === 0x2028 || c === 0x2029) return 5;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? 0 : 5;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const before = text.charCodeAt(i - 1);
    return before >= 0xd800 && before <= 0xdbff ? 0 : 5;
  }
  return 0;
}

/** A unit {@link extraUnits} may count (surrogates are checked one by one: a pair costs nothing). */
const MAY_ESCAPE = /["\\\u0000-\u001f<\u2028\u2029\ud800-\udfff]/;

/** Units between two sums of {@link EscapeIndex}: a prefix's escapes cost at most this many unit reads. */
const BLOCK = 1024;

/** The escapes in every prefix of a string: their extra units up to each multiple of {@link BLOCK}. */
class EscapeIndex {
  private readonly sums: Float64Array;

  constructor(private readonly text: string) {
    this.sums = new Float64Array(Math.floor(text.length / BLOCK) + 1);
    let extra = 0;
    for (let i = 0; i < text.length; i++) {
      if (i % BLOCK === 0) this.sums[i / BLOCK] = extra;
      extra += extraUnits(text, i);
    }
    if (text.length % BLOCK === 0) this.sums[text.length / BLOCK] = extra;
  }

  /** Extra units of the escapes in the first `end` units. */
  extraBefore(end: number): number {
    const block = Math.floor(end / BLOCK);
    let extra = this.sums[block]!;
    for (let i = block * BLOCK; i < end; i++) extra += extraUnits(this.text, i);
    return extra;
  }
}

/** A string in a place `--max-chars` cuts, as recorded: its length, and what the page holds of it at any limit. */
interface CutPlace {
  /** The length recorded (before any cut). */
  length: number;
  /** The part of it in the report built (whole, or its first `maxChars`). */
  kept: string;
  /** Its escapes, when it has any. */
  escapes: EscapeIndex | null;
}

/** Units the page holds of `place` (inside its quotes) when the report is built with `limit`. */
function unitsAt(place: CutPlace, limit: number): number {
  const { kept, escapes } = place;
  if (place.length <= limit) return kept.length + (escapes?.extraBefore(kept.length) ?? 0);
  // A cut at `limit` of the string recorded is a cut of its kept part: limit < maxChars <= kept.length + 1.
  const end = escapes === null ? Math.min(limit, kept.length) : cutAtCodePoint(kept, limit).length;
  // The note's line break is escaped (`\n`): one unit more than its length.
  return end + (escapes?.extraBefore(end) ?? 0) + cutNote(place.length - end).length + 1;
}

/** Decimal digits of a count. */
const digits = (n: number) => String(n).length;

/**
 * The length of the page of `data`'s run, in UTF-16 units, as a function of the `--max-chars` it is
 * built with (below `maxChars`, the limit `data` was built with), counted without building it: the
 * part no limit changes (the markup, the assets, the fields never cut, the JSON's structure and
 * keys) rendered once with the cut strings empty, plus each cut string as the limit leaves it, with
 * its JSON escapes and the note a cut adds (`… [N more characters …]`, about 75 units), and the
 * count of cut values. `null` when the part no limit changes is too large for one string itself.
 */
export function reportLengthAt(data: ReportData, maxChars: number): ((limit: number) => number) | null {
  let fixed: number;
  try {
    fixed = renderReport(mapCutPlaces(data, () => '')).length;
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
  const places: CutPlace[] = [];
  forEachCutPlace(data, (text) => {
    const { kept, length } = uncutString(text, maxChars);
    places.push({ kept, length, escapes: MAY_ESCAPE.test(kept) ? new EscapeIndex(kept) : null });
  });
  return (limit) => {
    let units = fixed - digits(data.truncatedValues);
    let cut = 0;
    for (const place of places) {
      units += unitsAt(place, limit);
      if (place.length > limit) cut++;
    }
    return units + digits(cut);
  };
}

/**
 * The largest `--max-chars` (at least {@link MIN_MAX_CHARS}, below `maxChars`, the limit `data` was
 * built with) whose page is at most `pageLimit` units long ({@link reportLengthAt}: the notes of cut
 * values, the JSON escapes and the markup counted), or `null` when there is none: `maxChars` is
 * already the smallest, or even the smallest leaves too much. Suggesting the limit given, or one
 * that does not fit either, would be advice that cannot help: the value returned is one whose page
 * was counted to fit.
 */
export function fittingMaxChars(data: ReportData, maxChars: number, pageLimit = FITTING_PAGE_LIMIT): number | null {
  if (maxChars - 1 < MIN_MAX_CHARS) return null;
  const pageAt = reportLengthAt(data, maxChars);
  if (pageAt === null) return null;
  let low = MIN_MAX_CHARS;
  let high = maxChars - 1;
  if (pageAt(low) > pageLimit) return null;
  // The page grows with the limit but for a few units (a note's count losing a digit, a value no longer
  // cut), so the search may stop short of the very largest; it only ever returns a limit it counted.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (pageAt(mid) <= pageLimit) low = mid;
    else high = mid - 1;
  }
  return low;
}
