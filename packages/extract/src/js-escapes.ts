/**
 * Escape sequences of JavaScript string and template literals, decoded as
 * the engine decodes them: `fs.writeFileSync('out\x2ecsv', d)` writes
 * `out.csv`.
 *
 * - `\x` two hex digits, `\u` four, `\u{…}` one or more (leading zeros
 *   allowed, at most U+10FFFF); `\b \f \n \r \t \v`; `\0` not before a
 *   digit; a backslash before a line end (LF, CR, CRLF, U+2028, U+2029)
 *   gives nothing; a backslash before any other character gives that
 *   character (`\q` is `q`, `\'` is `'`). A malformed `\x`/`\u` is the
 *   engine's SyntaxError: unknown.
 * - Legacy octal (`\101`, `\08`) and `\8`, `\9`: sloppy-mode code decodes
 *   them (`\101` is `A`), strict code rejects them. In '…'/"…" they are
 *   decoded and `legacyEscapeSeen` set, so the caller can decline where the
 *   code is strict; in a template they are always unknown (a SyntaxError,
 *   or an undefined cooked value when tagged).
 * - A template's raw line ends (CRLF, CR) are LF in its cooked text; a raw
 *   CR in '…'/"…" ends the line, so the literal: unknown.
 * - `\uD800` alone gives the lone surrogate, as in the engine (so
 *   `'\uD83D' + '\uDE00'` is one character); a path holding one is no file
 *   name (`paths.ts` drops it: Node would write U+FFFD in its place).
 */

import { hexValue } from './hex-digit.js';

/** Text between a literal's delimiters, as '…' or "…" holds it. */
export const QUOTED = 0;
/** Text between a template's delimiters (a piece of it between substitutions), cooked. */
export const TEMPLATE = 1;

/** Whether the last `cookJs` of quoted text met a legacy octal escape or `\8`/`\9` (valid in sloppy code only). */
export let legacyEscapeSeen = false;

/**
 * The value of `src[from, to)`, the text of a literal between its
 * delimiters, with its escapes applied; `undefined` where the engine
 * rejects it (or, in a template, where the cooked value is undefined).
 * Nothing past `to` is read: an escape that would need it (the closing
 * quote escaped) means the literal is not closed there, unknown too.
 */
export function cookJs(src: string, from: number, to: number, kind: typeof QUOTED | typeof TEMPLATE): string | undefined {
  legacyEscapeSeen = false;
  // The usual literal has no backslash and no CR: one look at each character, then a slice (a small
  // function, which the engine inlines into the decoder; the escapes are read in another).
  let k = from;
  for (; k < to; k++) {
    const c = src.charCodeAt(k);
    if (c === 92 || c === 13) break;
  }
  return k >= to ? src.slice(from, to) : cookEscapes(src, from, k, to, kind);
}

/** `cookJs` of `src[from, to)` whose first backslash or CR is at `k`. */
function cookEscapes(src: string, from: number, k: number, to: number, kind: typeof QUOTED | typeof TEMPLATE): string | undefined {
  let out = src.slice(from, k);
  let seg = k;
  let j = k;
  while (j < to) {
    const c = src.charCodeAt(j);
    if (c === 13) {
      if (kind === QUOTED) return undefined;
      out += src.slice(seg, j) + '\n';
      j += src.charCodeAt(j + 1) === 10 && j + 1 < to ? 2 : 1;
      seg = j;
      continue;
    }
    if (c !== 92) {
      j++;
      continue;
    }
    out += src.slice(seg, j);
    if (j + 1 >= to) return undefined; // the delimiter after it is escaped
    const d = src.charCodeAt(j + 1);
    j += 2;
    switch (d) {
      case 10: // a line continuation
      case 0x2028:
      case 0x2029:
        break;
      case 13:
        if (j < to && src.charCodeAt(j) === 10) j++;
        break;
      case 98: // b
        out += '\b';
        break;
      case 102: // f
        out += '\f';
        break;
      case 110: // n
        out += '\n';
        break;
      case 114: // r
        out += '\r';
        break;
      case 116: // t
        out += '\t';
        break;
      case 118: // v
        out += '\v';
        break;
      case 120: {
        // x
        const v = hexRun(src, j, to, 2);
        if (v < 0) return undefined;
        out += String.fromCharCode(v);
        j += 2;
        break;
      }
      case 117: {
        // u
        if (src.charCodeAt(j) === 123 /* { */) {
          const close = codePointEnd(src, j + 1, to);
          if (close < 0) return undefined;
          out += String.fromCodePoint(codePointValue);
          j = close + 1;
        } else {
          const v = hexRun(src, j, to, 4);
          if (v < 0) return undefined;
          out += String.fromCharCode(v);
          j += 4;
        }
        break;
      }
      default:
        if (d >= 48 && d <= 57) {
          const next = j < to ? src.charCodeAt(j) : -1;
          if (d === 48 && !(next >= 48 && next <= 57)) {
            out += '\0';
            break;
          }
          if (kind === TEMPLATE) return undefined; // no octal, no \8, \9 in a template
          legacyEscapeSeen = true;
          if (d >= 56) {
            out += String.fromCharCode(d); // \8, \9: the digit
            break;
          }
          // ZeroToThree takes up to two more octal digits, FourToSeven one.
          let v = d - 48;
          const last = j + (d <= 51 ? 2 : 1);
          while (j < last && j < to && src.charCodeAt(j) >= 48 && src.charCodeAt(j) <= 55) v = v * 8 + (src.charCodeAt(j++) - 48);
          out += String.fromCharCode(v);
          break;
        }
        out += String.fromCharCode(d); // an identity escape (a surrogate pair's high half; the low half follows as text)
    }
    seg = j;
  }
  return out + src.slice(seg, to);
}

/** The value of exactly `width` hex digits at `from` (before `to`), or -1. */
function hexRun(src: string, from: number, to: number, width: number): number {
  if (from + width > to) return -1;
  let v = 0;
  for (let k = from; k < from + width; k++) {
    const h = hexValue(src.charCodeAt(k));
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/** The code point `codePointEnd` last read. */
let codePointValue = 0;

/**
 * Index of the `}` closing the hex digits of `\u{` that start at `from`
 * (sets `codePointValue`), or -1: no digit, another character first, a
 * value past U+10FFFF, or no `}` before `to`. Each character is read once.
 */
function codePointEnd(src: string, from: number, to: number): number {
  let v = 0;
  let k = from;
  for (; k < to; k++) {
    const h = hexValue(src.charCodeAt(k));
    if (h < 0) break;
    v = v * 16 + h;
    if (v > 0x10ffff) return -1;
  }
  if (k === from || k >= to || src.charCodeAt(k) !== 125) return -1;
  codePointValue = v;
  return k;
}

/** A template's raw text `src[from, to)` (what `String.raw` gives): as written, its line ends LF. */
export function rawTemplateText(src: string, from: number, to: number): string {
  const text = src.slice(from, to);
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}
