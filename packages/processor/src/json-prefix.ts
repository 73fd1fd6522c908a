/**
 * The start of a JSON document, closed so that it parses. Another
 * instrumentation's output (a turn's `gen_ai.output.messages`, the AI SDK's
 * `ai.response.toolCalls`) may be tens of megabytes, of which a row keeps
 * `maxContentChars`: parsing it whole, on the application's thread, to keep
 * its first part, costs time in proportion to what is thrown away. Reading
 * its first `limit` characters only, closed where they end, bounds the work
 * by what can be kept.
 */

/** Deepest nesting read, as `mayBeJsonDocument` (`@agentspan/extract`) allows: deeper is not read. */
const MAX_DEPTH = 512;

/**
 * The JSON text `text.slice(0, limit)` starts, closed where it ends: the
 * values complete within it, a string value it cuts short kept up to the
 * cut (never inside an escape, nor between the halves of a surrogate pair
 * written as escapes), then the closing quote and brackets of what is still
 * open. A key, a number or a literal the cut falls in is left out with the
 * member or item it begins (a number cut short would be another number).
 * `undefined` when the text does not start an object or array, or nests
 * deeper than 512 within the limit. Reads at most `limit` characters of
 * `text`; the result is checked by nothing here: `JSON.parse` it (bad JSON
 * in the prefix stays bad). `stop`, when given, is told where reading
 * stopped (see {@link PrefixStop}).
 */
export function closedJsonPrefix(text: string, limit: number, stop?: PrefixStop): string | undefined {
  const head = text.length > limit ? text.slice(0, limit) : text;
  const n = head.length;
  let i = 0;
  while (i < n && isSpace(head.charCodeAt(i))) i++;
  const first = head.charCodeAt(i);
  if (first !== 0x5b /* [ */ && first !== 0x7b /* { */) return undefined;
  /** Closers of the open containers, innermost last. */
  const closers: number[] = [];
  /** Whether the next string in the innermost container is a key. */
  let expectKey = false;
  /** Where the text read so far, closed by the first `safeDepth` closers, is a whole document. */
  let safeEnd = 0;
  let safeDepth = 0;
  for (; i < n; i++) {
    const c = head.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const close = closingQuote(head, i + 1);
      const isKey = expectKey && closers[closers.length - 1] === 0x7d;
      if (close < 0) {
        // Cut inside this string: a value is kept up to the cut, a key goes with its member.
        if (isKey) break;
        if (stop !== undefined) setStop(stop, closers.length, safeEnd, i + 1);
        return head.slice(0, stringCut(head, i + 1)) + '"' + closing(closers, closers.length);
      }
      i = close;
      if (isKey) expectKey = false;
      else {
        safeEnd = i + 1;
        safeDepth = closers.length;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (closers.length >= MAX_DEPTH) return undefined;
      closers.push(c + 2); // `[` + 2 is `]`, `{` + 2 is `}`
      expectKey = c === 0x7b;
      safeEnd = i + 1;
      safeDepth = closers.length;
    } else if (c === 0x5d || c === 0x7d) {
      closers.pop();
      expectKey = false;
      safeEnd = i + 1;
      safeDepth = closers.length;
      if (closers.length === 0) {
        // The document ended within the limit.
        if (stop !== undefined) {
          setStop(stop, 0, safeEnd, undefined);
          stop.ended = safeEnd;
        }
        return head.slice(0, safeEnd);
      }
    } else if (c === 0x2c /* , */) {
      expectKey = closers[closers.length - 1] === 0x7d;
    } else if (c === 0x3a /* : */) {
      expectKey = false;
    } else if (!isSpace(c)) {
      // A number or a literal: whole only when something ends it within the limit.
      let end = i + 1;
      while (end < n && !isDelimiter(head.charCodeAt(end))) end++;
      if (end >= n) break;
      i = end - 1;
      safeEnd = end;
      safeDepth = closers.length;
    }
  }
  if (stop !== undefined) setStop(stop, safeDepth, safeEnd, undefined);
  return head.slice(0, safeEnd) + closing(closers, safeDepth);
}

/**
 * Where {@link closedJsonPrefix} stopped reading. Between the end of the last
 * value it kept and the limit there is no bracket (it keeps every container
 * it opens or closes), so `depth` is also the depth at the limit.
 */
export interface PrefixStop {
  /** Index just past the top-level value when the document ended within the limit: the text after it was not read. */
  ended?: number;
  /** Containers open where reading stopped (1: inside the top-level one; 0 when the document ended). */
  depth: number;
  /** Index just past the last value (or bracket) kept. */
  keptEnd: number;
  /** When the limit fell inside a string value (kept up to the cut): where that string's content starts in the text. */
  stringFrom?: number;
}

function setStop(stop: PrefixStop, depth: number, keptEnd: number, stringFrom: number | undefined): void {
  stop.depth = depth;
  stop.keptEnd = keptEnd;
  if (stringFrom === undefined) delete stop.stringFrom;
  else stop.stringFrom = stringFrom;
  delete stop.ended;
}

/**
 * The members of the innermost object open where {@link closedJsonPrefix}
 * stopped that come after what it kept (past the string the limit cut, or
 * from the member whose key, number or literal it cut), read from at most
 * `window` characters past that point and closed as an object: `{"type":"text"}`.
 * For the one object a reader cannot tell without what follows (an
 * instrumentation that writes a part's `type` after its content). The cut
 * string's end is found by scanning on from the limit (`indexOf` of quotes),
 * in proportion to the rest of that one string. `undefined` when the text
 * ends first, or what follows is no member (the object closes, or the limit
 * fell in an array).
 */
export function membersAfterStop(text: string, stop: PrefixStop, window: number): string | undefined {
  let i = stop.keptEnd;
  if (stop.stringFrom !== undefined) {
    const close = closingQuote(text, stop.stringFrom);
    if (close < 0) return undefined;
    i = close + 1;
  }
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 0x2c /* , */) {
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  }
  if (text.charCodeAt(i) !== 0x22 /* " */) return undefined;
  return closedJsonPrefix('{' + text.slice(i, i + window), window + 1);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What ends a number or a literal. */
function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a || c === 0x22 || isSpace(c);
}

/** The closers of the first `depth` open containers, innermost first. */
function closing(closers: readonly number[], depth: number): string {
  let out = '';
  for (let d = depth - 1; d >= 0; d--) out += String.fromCharCode(closers[d]!);
  return out;
}

/** Index of the `"` ending a JSON string whose content starts at `from`, or -1 when `text` ends first. */
function closingQuote(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q >= 0) {
    let backslashes = 0;
    while (q - 1 - backslashes >= from && text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

/**
 * Where to cut a string whose content starts at `from` and runs to the end
 * of `text`: before an escape the end cuts short (`\`, `\u00`), before a high
 * surrogate whose low half is cut away (raw, or written `\uD83D`).
 */
function stringCut(text: string, from: number): number {
  let end = text.length;
  // The last escape that starts within six characters of the end (an escape is at most `\uXXXX`).
  for (let b = Math.max(from, end - 6); b < end; b++) {
    if (text.charCodeAt(b) !== 0x5c) continue;
    let before = 0;
    while (b - 1 - before >= from && text.charCodeAt(b - 1 - before) === 0x5c) before++;
    if (before % 2 !== 0) continue; // an escaped backslash, not the start of an escape
    const length = text.charCodeAt(b + 1) === 0x75 /* u */ ? 6 : 2;
    if (b + length > end) {
      end = b;
      break;
    }
    b += length - 1;
  }
  if (end - 6 >= from && text.charCodeAt(end - 6) === 0x5c && text.charCodeAt(end - 5) === 0x75 && isHighSurrogateHex(text.slice(end - 4, end))) {
    let before = 0;
    while (end - 7 - before >= from && text.charCodeAt(end - 7 - before) === 0x5c) before++;
    if (before % 2 === 0) end -= 6;
  } else if (end > from) {
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  }
  return end;
}

function isHighSurrogateHex(hex: string): boolean {
  const code = Number.parseInt(hex, 16);
  return /^[0-9a-fA-F]{4}$/.test(hex) && code >= 0xd800 && code <= 0xdbff;
}
