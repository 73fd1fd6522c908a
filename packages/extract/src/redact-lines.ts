/**
 * Lines as YAML and HTTP header folding read them, raw or as JSON writes them (the line end escaped, `\n`, with one
 * to seven backslashes): where a line ends, where the next starts and how deep it is indented, whether a key starts
 * its line. For values that go on over lines: YAML block scalars (`password: |`, `Authorization: >-`), a header's
 * value folded onto indented lines, YAML lists and mappings of cookies. Every function reads a bounded stretch or
 * moves forward only: callers stay linear.
 */

/** Most backslashes of a line end as JSON writes it (`\n`, `\\n` once more encoded, …). */
const MAX_ESCAPES = 7;

/** A line end in a regex: `\n`, `\r\n`, `\r`, or one of them as JSON writes it (`\\n`, `\\r\\n`, with 1–7 backslashes). */
export const LINE_END = `(?:\\r?\\n|\\r|\\\\{1,7}r\\\\{1,7}n|\\\\{1,7}[nr])`;

/** Most blank or comment lines read between a key and its value on a line below (bounded: each match tries a constant). */
const MAX_BLANK_LINES = 8;

/** In a regex, a YAML comment's line (`  # from the vault`) up to its line end: its text 256 characters at most, no backslash. */
const COMMENT_LINE = `[ \\t]{0,64}#[^\\r\\n\\\\]{0,256}`;

/**
 * In a regex, after a key's `:`: blanks to the line's end (raw or as JSON writes it), then the next line's indentation
 * before something not blank: a YAML value on the line below its key (`password:` then `  hunter22`). Whether it is one
 * is for {@link valueBelowKey} to say. Not after a comment (`password: #x` then a line: `#x` may be the password, in a
 * text that is no YAML, and is read as the value, as before values below their key were read). Blank lines and comment
 * lines may come between (up to {@link MAX_BLANK_LINES}: `password:`, a blank line or `  # from the vault`, then
 * `  hunter22`, as YAML reads it; comment lines were not passed over before a review of 2026-12-06, late).
 */
export const NEXT_LINE = `(?:[ \\t]{0,16}${LINE_END}(?:(?:[ \\t]{0,16}|${COMMENT_LINE})${LINE_END}){0,${MAX_BLANK_LINES}}[ \\t]{1,64}(?=\\S))`;

/**
 * The length of the line end at `i`: `\n`, `\r\n`, `\r`, or one of them escaped as JSON writes it (`\n`, `\r\n`,
 * with 1–7 backslashes before each letter); 0 when there is none.
 */
export function lineBreakAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 10) return 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 1;
  if (c !== 92) return 0;
  let j = i + 1;
  while (text.charCodeAt(j) === 92 && j - i < MAX_ESCAPES) j++;
  const e = text.charCodeAt(j);
  if (e === 110 /* n */) return j + 1 - i;
  if (e !== 114 /* r */) return 0;
  const k = j - i;
  // `\r\n` escaped: the same backslashes before the `n`.
  let m = j + 1;
  while (text.charCodeAt(m) === 92 && m - j - 1 < k) m++;
  return m - j - 1 === k && text.charCodeAt(m) === 110 ? m + 1 - i : k + 1;
}

/** How many backslashes escape the line end at `i` (of {@link lineBreakAt}): 0 for a raw one. */
function breakLevel(text: string, i: number): number {
  let j = i;
  while (text.charCodeAt(j) === 92 && j - i < MAX_ESCAPES) j++;
  return j - i;
}

/** Whether the line end at `i` (of {@link lineBreakAt}) is escaped, as JSON writes it. */
export function escapedBreak(text: string, i: number): boolean {
  return text.charCodeAt(i) === 92;
}

/** How many blanks (spaces, tabs) start at `i`. */
export function indentAt(text: string, i: number): number {
  let j = i;
  while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
  return j - i;
}

/** Most characters looked back over from a key to the start of its line. */
const MAX_INDENT = 256;

/**
 * The column of a key (`[keyStart, keyEnd)`) when it is the first thing on its line: after indentation, maybe a YAML
 * list's `- ` and the key's opening quote (maybe escaped: the column is the quote's); the line starting at the text's start or after a line
 * end, raw or as JSON writes it. Also 0 for a key that is the first word of a string (`{"stdout": "password: |\n…`:
 * a quote opening a string, after `:`, `,`, `=`, `(` or `[`, and no quote closing the key; or a key in escaped or single
 * quotes right after that quote, `{"stdout": "\"password\": |\n…`). -1 otherwise (a key after
 * other code: `x = {"Cookie": …}`). Bounded.
 */
export function keyColumn(text: string, keyStart: number, keyEnd: number): number {
  let i = keyStart - 1;
  let c = text.charCodeAt(i);
  let quote = false;
  if (c === 34 || c === 39) {
    quote = true;
    i--;
    for (let k = 0; k < MAX_ESCAPES && text.charCodeAt(i) === 92; k++) i--;
  }
  // A quoted key's column is its opening quote's (`"password": |` then a line one space deep is its block).
  const first = i + 1;
  const stop = Math.max(-1, keyStart - MAX_INDENT);
  i = blanksBack(text, i, stop);
  if (quote) {
    c = text.charCodeAt(i);
    let e = keyEnd;
    while (text.charCodeAt(e) === 92 && e - keyEnd < MAX_ESCAPES) e++;
    const closed = text.charCodeAt(e) === 34 || text.charCodeAt(e) === 39;
    if (!closed && (c === 58 || c === 44 || c === 61 || c === 40 || c === 91)) return 0;
    // A key in escaped quotes or single quotes first in a string (`{"stdout": "\"password\": |\n …`: a quoted key on
    // a string's first line): the string's opening quote, after `:`, `,`, `=`, `(` or `[`.
    if (closed && (first < keyStart - 1 || text.charCodeAt(keyStart - 1) === 39) && c === 34 && text.charCodeAt(i - 1) !== 92) {
      const p = text.charCodeAt(blanksBack(text, i - 1, stop));
      if (p === 58 || p === 44 || p === 61 || p === 40 || p === 91) return 0;
    }
  }
  if (text.charCodeAt(i) === 45 /* - */ && text.charCodeAt(i + 1) === 32) i = blanksBack(text, i - 1, stop);
  if (i < 0) return first;
  c = text.charCodeAt(i);
  if (c === 10 || c === 13) return first - i - 1;
  // A line end as JSON writes it: its letter, after a backslash.
  if ((c === 110 || c === 114) && text.charCodeAt(i - 1) === 92) return first - i - 1;
  return -1;
}

/** Blanks ending at `i` passed over backwards, not past `stop`: where the character before them is. */
function blanksBack(text: string, i: number, stop: number): number {
  while (i > stop && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  return i;
}

/**
 * Where the line end after `i` is (the first at or after `i`, raw or escaped), or the text's end. Stops at a raw
 * double quote too when `quoteEnds` (a line of YAML inside a JSON string ends there with the string).
 */
export function lineEndFrom(text: string, i: number, quoteEnds: boolean): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || (quoteEnds && c === 34)) return i;
    if (c === 92) {
      if (lineBreakAt(text, i) > 0) return i;
      // An escape: its backslashes, and the character they escape.
      let j = i + 1;
      while (text.charCodeAt(j) === 92 && j - i < MAX_ESCAPES) j++;
      i = j;
    }
  }
  return text.length;
}

/** A line of a block: where its content starts (after its indentation), its indentation, where it ends. */
export interface BlockLine {
  start: number;
  indent: number;
  end: number;
}

/**
 * The lines after the line end at `at` (a YAML block's, a folded header's) indented deeper than `column`, up to the
 * first line that is not (blank lines between are passed over), or the first line end escaped otherwise than the one at
 * `at` (see {@link breakLevel}). `quoteEnds`: a raw `"` ends a line and the block (a JSON string closes). Calls `each`
 * on every such line (its content not blank); `each` returns where its reading of the line ended, or -1 to stop. Where the block's reading ended: the end of its last line read.
 */
export function readBlock(text: string, at: number, column: number, quoteEnds: boolean, each: (line: BlockLine) => number): number {
  let end = at;
  let i = at;
  const level = breakLevel(text, at);
  for (;;) {
    const br = lineBreakAt(text, i);
    // A line end of another level ends the block: a raw one after lines as JSON writes them (the string holding them
    // ended: `fill('password: |\n  ')` then the next line of code), or `\n` after `\\n` (JSON of such code).
    if (br === 0 || breakLevel(text, i) !== level) return end;
    const start = i + br;
    const indent = indentAt(text, start);
    const lineEnd = lineEndFrom(text, start + indent, quoteEnds);
    if (lineEnd === start + indent) {
      // A blank line: part of the block if a deeper one follows.
      i = lineEnd;
      if (i >= text.length || (quoteEnds && text.charCodeAt(i) === 34)) return end;
      continue;
    }
    if (indent <= column) return end;
    const read = each({ start: start + indent, indent, end: lineEnd });
    if (read < 0) return end;
    end = Math.max(read, lineEnd);
    i = lineEndFrom(text, end, quoteEnds);
    if (quoteEnds && text.charCodeAt(i) === 34) return end;
  }
}

/** Most blanks looked back over from a value to the start of its line. */
const MAX_VALUE_INDENT = 128;
/** Most characters of a value's line read for a mapping's `:`. */
const MAX_VALUE_LINE = 4096;

/** Where the blanks ending right before `i` start (a line's indentation before the value at `i`). Bounded. */
export function blanksStart(text: string, i: number): number {
  const stop = Math.max(0, i - MAX_VALUE_INDENT);
  while (i > stop && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  return i;
}

/**
 * Whether a value read on the line below its key (`password:` then `  hunter22`: the key's `:` ended its line, see
 * {@link NEXT_LINE}) is that key's YAML value: the key (`[keyStart, keyEnd)`) starts its line ({@link keyColumn}), the
 * value's line, starting at `valueStart` after its indentation, is indented deeper, and it is a plain or quoted scalar:
 * not a mapping's key (`nested: 1`, `"user": x`: a `:` before a blank or the line's end, outside the quoted scalar and
 * before a ` #` comment: in a plain scalar `: ` is no character, it starts a mapping), nor a list's item, a comment, a
 * block scalar's indicator, a flow collection, an anchor, an alias or a directive (`- a`, `# c`, `| x`, `[a]`, `{a: 1}`,
 * `&a`, `*a`, `%TAG`). So a TypeScript union over lines (`token:` then `| string`) is no value either. Bounded.
 */
export function valueBelowKey(text: string, keyStart: number, keyEnd: number, valueStart: number): boolean {
  const column = keyColumn(text, keyStart, keyEnd);
  if (column < 0 || valueStart - blanksStart(text, valueStart) <= column) return false;
  return !replacedValueOnLine(text, valueStart) && plainScalarLine(text, valueStart);
}

/**
 * A tag of the assignment rule or of a rule after it (those that read values on lines: `password_assignment`,
 * `name_value`, `cli_password`, `netrc_password`, `basic_auth`) right after a key's separator (`=`, `:`, blanks and a
 * quote maybe between): what it replaced was a value, which may have held the `: ` that made its line a mapping's.
 */
const REPLACED_VALUE_RE = /[=:][ \t]{0,16}(?:\\{0,7}["'])?\[REDACTED:(?:password_assignment|name_value|cli_password|netrc_password|basic_auth)\]/;

/**
 * Whether the line whose content starts at `valueStart` holds a value a rule that reads values below their key replaced
 * ({@link REPLACED_VALUE_RE}). Such a line is no value of the key above it: the first pass read it as a mapping for a
 * `: ` inside that value (`token:` then `  password="a: b"`, `  PWD=/srv?token: x`) and the value's own key replaced
 * it, and a second pass, the `: ` gone, read the line as the key's value and replaced it whole (a review of bc731b5).
 * A tag that starts the line (the key's value, replaced whole) or follows a blank changes nothing. Reads the line,
 * {@link MAX_VALUE_LINE} characters at most: as {@link plainScalarLine} does.
 */
function replacedValueOnLine(text: string, valueStart: number): boolean {
  const stop = Math.min(text.length, valueStart + MAX_VALUE_LINE);
  let end = valueStart;
  while (end < stop && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13 && !(text.charCodeAt(end) === 92 && lineBreakAt(text, end) > 0)) end++;
  const line = text.slice(valueStart, end);
  return line.includes('[REDACTED:') && REPLACED_VALUE_RE.test(line);
}

/**
 * Whether the line whose content starts at `valueStart` (after its indentation) is a plain or quoted scalar (see
 * {@link valueBelowKey}): no mapping's key, list's item, comment, block indicator, flow collection, anchor, alias or
 * directive. Bounded.
 */
export function plainScalarLine(text: string, valueStart: number, memo?: LineEventMemo): boolean {
  const lineStart = blanksStart(text, valueStart);
  const c = text.charCodeAt(valueStart);
  const next = text.charCodeAt(valueStart + 1);
  // `-`, `?`, `:` start a list's item, a complex key, a mapping's value when a blank or the line's end follows.
  if ((c === 45 || c === 63 || c === 58) && (Number.isNaN(next) || next === 32 || next === 9 || lineBreakAt(text, valueStart + 1) > 0)) return false;
  // `#`, `|`, `>`, `[`, `{`, `&`, `*`, `%`, `@`, a backquote, `,`: no plain scalar starts so.
  if (c === 35 || c === 124 || c === 62 || c === 91 || c === 123 || c === 38 || c === 42 || c === 37 || c === 64 || c === 96 || c === 44) return false;
  // Lines as JSON writes them (the line end before the value escaped): a raw `"` closes the string they are in.
  const p = text.charCodeAt(lineStart - 1);
  const inString = (p === 110 || p === 114) && text.charCodeAt(lineStart - 2) === 92;
  const stop = Math.min(text.length, valueStart + MAX_VALUE_LINE);
  let i = valueStart;
  // A quoted scalar (its quote maybe escaped, as JSON writes it): the `:` looked for after its closing quote.
  let q = i;
  while (text.charCodeAt(q) === 92 && q - i < MAX_ESCAPES) q++;
  const quote = text.charCodeAt(q);
  if (quote === 34 || quote === 39) {
    i = q + 1;
    while (i < stop && text.charCodeAt(i) !== quote) i++;
    if (i >= stop) return false;
    i++;
  }
  if (memo !== undefined) return memo.scan(text, i, stop, inString);
  const at = lineEventAt(text, i, stop, inString);
  return at < 0 || lineEventEnds(text, at);
}

/**
 * Where {@link plainScalarLine}'s forward reading first finds what decides it in `[i, stop)`, or -1: a line's end (raw, as
 * JSON writes it, or a raw `"` when the line is in a JSON string), a comment, or a mapping's `: ` ({@link lineEventEnds}
 * tells which).
 */
function lineEventAt(text: string, i: number, stop: number, inString: boolean): number {
  for (; i < stop; i++) {
    const d = text.charCodeAt(i);
    if (d === 10 || d === 13 || (inString && d === 34) || (d === 92 && lineBreakAt(text, i) > 0)) return i;
    if (d === 35 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) return i; // a comment
    if (d === 58) {
      const e = text.charCodeAt(i + 1);
      if (Number.isNaN(e) || e === 32 || e === 9 || lineBreakAt(text, i + 1) > 0) return i;
    }
  }
  return -1;
}

/** Whether the event {@link lineEventAt} found at `at` makes the line a plain scalar's (a line's end, a comment; not a `:`). */
function lineEventEnds(text: string, at: number): boolean {
  return text.charCodeAt(at) !== 58;
}

/**
 * What {@link plainScalarLine} read forward in one text, kept for its next call: a text with a value every few characters
 * and no line end (`${API_KEY:-$X` repeated: each read up to {@link MAX_VALUE_LINE} characters) took 1.3–2 s per MB. The
 * reading from `from` found nothing up to `reach` and, when `event` is true, what decides it at `reach`; a call reading
 * from within `[from, reach]` starts there. One per text (the scan's positions only grow; one before `from` reads anew).
 */
export class LineEventMemo {
  private from = -1;
  private reach = -1;
  private event = false;
  private inString = false;

  scan(text: string, i: number, stop: number, inString: boolean): boolean {
    if (i < this.from || i > this.reach || inString !== this.inString) {
      this.from = this.reach = i;
      this.event = false;
      this.inString = inString;
    }
    if (!this.event) {
      const at = lineEventAt(text, this.reach, stop, inString);
      if (at < 0) {
        this.reach = Math.max(this.reach, stop);
        return true;
      }
      this.reach = at;
      this.event = true;
    }
    return this.reach >= stop || lineEventEnds(text, this.reach);
  }
}

/**
 * Where a plain YAML scalar that ends its line at `valueEnd` (blanks may follow it, no comment) ends when it goes on over
 * the lines below, indented deeper than its key's `column` (`password: first` then `  continued`: one value, as YAML
 * reads it): the end of its last line (its trailing blanks left out), or -1 when no line goes on. A line that is no plain
 * scalar's ({@link plainScalarLine}: a key, a list's item, a comment) ends it. Reads forward only.
 */
export function plainContinuationEnd(text: string, valueEnd: number, column: number): number {
  const at = valueEnd + indentAt(text, valueEnd);
  if (column < 0 || lineBreakAt(text, at) === 0) return -1;
  const end = readBlock(text, at, column, escapedBreak(text, at), (line) => {
    if (!plainScalarLine(text, line.start)) return -1;
    let e = line.end;
    while (e > line.start && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
    return e;
  });
  return end > at ? end : -1;
}

/**
 * Whether each line end in `[from, to)` (raw or as JSON writes it) is followed by a line indented deeper than `column`:
 * a value going on below its key (YAML, HTTP's folding). False at a line end when `column` is negative (the key does not
 * start its line). True when there is none. Reads `[from, to)` only.
 */
export function linesGoDeeper(text: string, from: number, to: number, column: number): boolean {
  for (let i = from; i < to; ) {
    const br = lineBreakAt(text, i);
    if (br === 0) {
      i++;
      continue;
    }
    if (column < 0 || indentAt(text, i + br) <= column) return false;
    i += br;
  }
  return true;
}

/**
 * The block scalars a scan read and kept (their value a reference or an earlier tag, each line too: `password: |` then
 * `  ${PW}`). The scan goes on inside a kept block (a `token: x` on one of its lines is read as any other), but a block
 * scalar nested in it is kept without being read: its lines are lines of the kept block, each judged kept already. So
 * each character is read by one block at most, however deep they nest, and time stays linear. (Before, a nested block
 * was read from its own key to its own end, and not at all inside 8 kept ones: its secret was left in clear.)
 */
export class KeptBlocks {
  /** Where the kept block read last ends (-1: none yet). */
  private end = -1;

  /** Whether the kept block read last is still open at `at` (a nested block, read as the scan moves forward). */
  inside(at: number): boolean {
    return at < this.end;
  }

  /** A block scalar read (not nested in a kept one) was kept; it ends at `end`. */
  kept(end: number): void {
    this.end = end;
  }
}
