/**
 * Values a cut took the end of (see redact-cut.ts). A cut can fall inside a value whose rule needs its end: a quoted
 * value's closing quote (`{"password": "hunter2…[truncated]`), a bearer credential's eighth character (`Authorization:
 * Bearer ab…`), a URL's `@` after its password (`postgres://admin:passw0…`). Such a value, running up to the cut, is
 * replaced there, the cut's mark kept after it. Each finder reads back from the cut only, within `from` (the previous
 * cut's end) and a bound: linear over all cuts.
 */

import { isTokenScheme } from './redact-headers.js';

/** What the redactor knows of secrets' keys, for a value cut after one. */
export interface CutKeys {
  /** Whether `key` names a secret (as the assignment rule's keys do: `password`, `db_password`, `apiKey`). */
  isKey(key: string): boolean;
  /** Whether `value` (quoted, ending at `end`), assigned to `key` (its name starting at `keyStart`), holds no secret (a reference, a tag). */
  kept(value: string, key: string, input: string, keyStart: number, end: number): boolean;
}

/** Most characters of a cut value read back (the rules' quoted values are at most 1024). */
const MAX_VALUE = 1024;
/** Most characters of a key name read back. */
const MAX_KEY = 128;
/** Most blanks read back around a separator. */
const MAX_BLANKS = 16;

/** A character of a key name (as the assignment rule's keys: letters, digits, `_`, `.`, `-`). */
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

/** A character of a credential after an `Authorization` scheme (RFC 7235's token68, and `:`, `!`, `%`). */
function isCredentialChar(c: number): boolean {
  return isKeyChar(c) || c === 126 || c === 43 || c === 47 || c === 61 || c === 58 || c === 33 || c === 37;
}

/** Blanks ending right before `i` passed over backwards, not before `from`: where they start. */
function blanksBack(text: string, i: number, from: number): number {
  const stop = Math.max(from, i - MAX_BLANKS);
  while (i > stop && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  return i;
}

/** A quote ending right before `i`, maybe escaped as JSON writes it (`"`, `\"`): where it starts, or `i` (none). */
function quoteBack(text: string, i: number, from: number): number {
  const c = text.charCodeAt(i - 1);
  if (i - 1 < from || (c !== 34 && c !== 39)) return i;
  let j = i - 1;
  while (j > from && i - 1 - j < 7 && text.charCodeAt(j - 1) === 92) j--;
  return j;
}

/** A separator of a key and its value ending right before `i` (`:`, `=`, `=>`): where it starts, or -1. */
function separatorBack(text: string, i: number, from: number): number {
  const c = text.charCodeAt(i - 1);
  if (i - 1 < from) return -1;
  if (c === 58 || c === 61) return i - 1;
  if (c === 62 && text.charCodeAt(i - 2) === 61 && i - 2 >= from) return i - 2;
  return -1;
}

/**
 * A quoted value after a secret's key, its closing quote cut (`"password": "hunter2…`, `api_key='ab…`, `{\"token\":
 * \"abc…` in JSON text): where the value starts, or -1.
 */
function quotedValue(text: string, cut: number, from: number, keys: CutKeys): number {
  const stop = Math.max(from, cut - MAX_VALUE);
  let q = cut;
  while (q > stop) {
    const c = text.charCodeAt(q - 1);
    if (c === 34 || c === 39 || c === 10 || c === 13) break;
    q--;
  }
  const quote = text.charCodeAt(q - 1);
  if (q === cut || q - 1 < from || (quote !== 34 && quote !== 39)) return -1;
  let i = quoteBack(text, q, from);
  // A Python string's prefix (`b"…"`, `rb'…'`).
  for (let n = 0; n < 2 && i > from && /[bBrRuUfF]/.test(text.charAt(i - 1)); n++) i--;
  i = separatorBack(text, blanksBack(text, i, from), from);
  if (i < 0) return -1;
  const keyEnd = quoteBack(text, blanksBack(text, i, from), from);
  let keyStart = keyEnd;
  while (keyStart > from && keyEnd - keyStart < MAX_KEY && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
  if (keyStart === keyEnd || (keyStart > from && isKeyChar(text.charCodeAt(keyStart - 1)))) return -1;
  const key = text.slice(keyStart, keyEnd);
  return keys.isKey(key) && !keys.kept(text.slice(q, cut), key, text, keyStart, cut) ? q : -1;
}

/**
 * A credential after an `Authorization` header's scheme of one token (`Bearer`, `Basic`, …), cut before the bearer rule's
 * eighth character (`Authorization: Bearer ab…`, `"Authorization": "Bearer abc…`): where it starts, or -1.
 */
function bearerValue(text: string, cut: number, from: number): number {
  const stop = Math.max(from, cut - MAX_VALUE);
  let start = cut;
  while (start > stop && isCredentialChar(text.charCodeAt(start - 1))) start--;
  if (start === cut) return -1;
  const blanks = blanksBack(text, start, from);
  if (blanks === start) return -1;
  let scheme = blanks;
  while (scheme > from && blanks - scheme < 32 && isKeyChar(text.charCodeAt(scheme - 1))) scheme--;
  if (!isTokenScheme(text.slice(scheme, blanks))) return -1;
  let i = separatorBack(text, blanksBack(text, quoteBack(text, scheme, from), from), from);
  if (i < 0) return -1;
  i = quoteBack(text, blanksBack(text, i, from), from);
  return i - 13 >= from && text.slice(i - 13, i).toLowerCase() === 'authorization' && !isKeyChar(text.charCodeAt(i - 14)) ? start : -1;
}

/**
 * A character of a URL's user or password: not a blank, `:`, `/` or `@`, nor one RFC 3986 leaves out of a URL (`"`,
 * `` ` ``, `<`, `>`, `[`, `]`, `{`, `}`, `\\`, `|`, `^`): before a cut, such a character ended the URL (`"http://host:8000"`),
 * or a reference holds the `:` (`postgres://${DB_USER:-app}`).
 */
function isUserInfoChar(c: number): boolean {
  return c > 32 && c < 127 ? !NOT_USER_INFO.has(c) : c > 127;
}

/** The characters {@link isUserInfoChar} leaves out (below 127). */
const NOT_USER_INFO: ReadonlySet<number> = new Set([...':/@"`<>[]{}\\|^'].map((ch) => ch.charCodeAt(0)));

/** A port, maybe followed by what closes the URL in prose or code (`localhost:3000)`, `:8000.`, `:8000',`). */
const PORT_RE = /^\d*[).,;:'!?*]*$/;

/**
 * A URL's password, its `@` cut (`postgres://admin:passw0…`): where it starts, or -1. Digits only are a port
 * (`https://db.example:54…`, also before what closes a URL: `(http://localhost:3000)…`); a template's placeholder
 * (`{…}`, `$…`, `%…`, `<…>`) is kept.
 */
function urlPassword(text: string, cut: number, from: number): number {
  const stop = Math.max(from, cut - 256);
  let start = cut;
  while (start > stop && isUserInfoChar(text.charCodeAt(start - 1))) start--;
  if (start === cut || text.charCodeAt(start - 1) !== 58 || start - 1 < from) return -1;
  let user = start - 1;
  while (user > stop && isUserInfoChar(text.charCodeAt(user - 1))) user--;
  if (user - 3 < from || !text.startsWith('://', user - 3) || !/[A-Za-z]/.test(text.charAt(user - 4))) return -1;
  const value = text.slice(start, cut);
  return PORT_RE.test(value) || /^[{$%<]/.test(value) ? -1 : start;
}

/** The value running up to the cut at `cut` (not before `from`) that a rule would have replaced whole: its start and kind. */
export function cutValueAt(text: string, cut: number, from: number, keys: CutKeys): { start: number; kind: string } | undefined {
  const bearer = bearerValue(text, cut, from);
  if (bearer >= 0) return { start: bearer, kind: 'bearer' };
  const quoted = quotedValue(text, cut, from, keys);
  if (quoted >= 0) return { start: quoted, kind: 'password_assignment' };
  const url = urlPassword(text, cut, from);
  return url >= 0 ? { start: url, kind: 'url_password' } : undefined;
}
