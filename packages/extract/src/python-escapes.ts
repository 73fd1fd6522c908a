/**
 * Escape sequences of Python string literals, decoded as CPython decodes a
 * non-raw literal: `open("out\x2ecsv", "w")` opens `out.csv`.
 *
 * - str: `\\ \' \" \a \b \f \n \r \t \v`, a backslash before a line end
 *   (nothing), octal `\o` to `\ooo`, `\xhh`, `\uXXXX`, `\UXXXXXXXX`. Any other
 *   backslash stays, with the character after it (`"\q"` is `\q`), as Python
 *   keeps it. A truncated `\x`/`\u`/`\U`, or a code point past U+10FFFF, is
 *   Python's SyntaxError: unknown. `\N{name}` is unknown too: its character
 *   needs the Unicode name table (about a megabyte), for a name no file path
 *   an agent writes holds.
 * - bytes: the same, less `\u`, `\U` and `\N` (no escapes there: kept as
 *   written). Each value is a byte (octal past 0o377 wraps, as CPython
 *   does), held as the code unit of that number; `bytesText` then gives the
 *   text a file name of those bytes has.
 */

import { hexValue } from './hex-digit.js';

/** Index after the escape `decodeEscape` last read. */
export let escapeEnd = 0;

/**
 * The text of the escape whose backslash is at `j` (sets `escapeEnd`), or
 * `undefined` where Python raises or where the character is not known here
 * (`\N{…}`).
 */
export function decodeEscape(src: string, j: number, bytes: boolean): string | undefined {
  const d = src.charCodeAt(j + 1);
  escapeEnd = j + 2;
  switch (d) {
    case 10: // a backslash before a line end joins the lines
      return '';
    case 92:
      return '\\';
    case 39:
      return "'";
    case 34:
      return '"';
    case 97: // a
      return '\x07';
    case 98: // b
      return '\b';
    case 102: // f
      return '\f';
    case 110: // n
      return '\n';
    case 114: // r
      return '\r';
    case 116: // t
      return '\t';
    case 118: // v
      return '\v';
    case 120: // x
      return hexEscape(src, j + 2, 2);
    case 117: // u
      return bytes ? '\\u' : hexEscape(src, j + 2, 4);
    case 85: // U
      return bytes ? '\\U' : hexEscape(src, j + 2, 8);
    case 78: // N
      if (bytes) return '\\N';
      escapeEnd = namedEscapeEnd(src, j);
      return undefined;
  }
  if (d >= 48 && d <= 55) {
    // Up to three octal digits.
    let v = d - 48;
    let k = j + 2;
    for (; k < j + 4; k++) {
      const e = src.charCodeAt(k);
      if (e < 48 || e > 55) break;
      v = v * 8 + (e - 48);
    }
    escapeEnd = k;
    return String.fromCharCode(bytes ? v & 0xff : v);
  }
  if (Number.isNaN(d)) {
    escapeEnd = j + 1; // a backslash ending the input (an unterminated literal)
    return '\\';
  }
  return src.slice(j, j + 2);
}

/** The character of exactly `width` hex digits at `from` (sets `escapeEnd`); `undefined` when fewer or past U+10FFFF. */
function hexEscape(src: string, from: number, width: number): string | undefined {
  let v = 0;
  for (let k = from; k < from + width; k++) {
    const h = hexValue(src.charCodeAt(k));
    if (h < 0) {
      escapeEnd = k;
      return undefined;
    }
    v = v * 16 + h;
  }
  escapeEnd = from + width;
  return v > 0x10ffff ? undefined : String.fromCodePoint(v);
}

/** Longest Unicode character name plus room: a `{` with no `}` this close is no `\N{…}`. */
const MAX_NAME = 100;

/**
 * Index after the `\N{name}` whose backslash is at `j` (after `\N` when no
 * name in braces follows: Python's SyntaxError). In an f-string its braces
 * are the escape's, not a replacement field's: the lexer skips them with this.
 */
export function namedEscapeEnd(src: string, j: number): number {
  if (src.charCodeAt(j + 2) !== 123 /* { */) return j + 2;
  for (let k = j + 3; k < src.length && k < j + 3 + MAX_NAME; k++) {
    const c = src.charCodeAt(k);
    if (c === 125 /* } */) return k > j + 3 ? k + 1 : j + 2;
    // Names are letters, digits, spaces and hyphens.
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 32 || c === 45)) return j + 2;
  }
  return j + 2;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text a bytes value (code units 0–255) names as a file: itself when
 * ASCII, else its UTF-8 decoding (Linux's `os.fsdecode`); `undefined` when
 * it is no UTF-8.
 */
export function bytesText(value: string): string | undefined {
  let k = 0;
  while (k < value.length && value.charCodeAt(k) < 0x80) k++;
  if (k === value.length) return value;
  const b = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) b[i] = value.charCodeAt(i);
  try {
    return UTF8.decode(b);
  } catch {
    return undefined;
  }
}
