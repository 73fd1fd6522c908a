/**
 * Lines as YAML and HTTP header folding read them, raw or as JSON writes them (the line end escaped, `\n`, with one
 * to seven backslashes): where a line ends, where the next starts and how deep it is indented, whether a key starts
 * its line. For values that go on over lines: YAML block scalars (`password: |`, `Authorization: >-`), a header's
 * value folded onto indented lines, YAML lists and mappings of cookies. Every function reads a bounded stretch or
 * moves forward only: callers stay linear.
 */

/** Most backslashes of a line end as JSON writes it (`\n`, `\\n` once more encoded, …). */
const MAX_ESCAPES = 7;

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
 * list's `- ` and the key's opening quote (maybe escaped); the line starting at the text's start or after a line
 * end, raw or as JSON writes it. Also 0 for a key that is the first word of a string (`{"stdout": "password: |\n…`:
 * a quote opening a string, after `:`, `,`, `=`, `(` or `[`, and no quote closing the key). -1 otherwise (a key after
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
  const stop = Math.max(-1, keyStart - MAX_INDENT);
  i = blanksBack(text, i, stop);
  if (quote) {
    c = text.charCodeAt(i);
    let e = keyEnd;
    while (text.charCodeAt(e) === 92 && e - keyEnd < MAX_ESCAPES) e++;
    const closed = text.charCodeAt(e) === 34 || text.charCodeAt(e) === 39;
    if (!closed && (c === 58 || c === 44 || c === 61 || c === 40 || c === 91)) return 0;
  }
  if (text.charCodeAt(i) === 45 /* - */ && text.charCodeAt(i + 1) === 32) i = blanksBack(text, i - 1, stop);
  if (i < 0) return keyStart;
  c = text.charCodeAt(i);
  if (c === 10 || c === 13) return keyStart - i - 1;
  // A line end as JSON writes it: its letter, after a backslash.
  if ((c === 110 || c === 114) && text.charCodeAt(i - 1) === 92) return keyStart - i - 1;
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
 * first line that is not (blank lines between are passed over). `quoteEnds`: a raw `"` ends a line and the block (a
 * JSON string closes). Calls `each` on every such line (its content not blank); `each` returns where its reading of
 * the line ended, or -1 to stop. Where the block's reading ended: the end of its last line read.
 */
export function readBlock(text: string, at: number, column: number, quoteEnds: boolean, each: (line: BlockLine) => number): number {
  let end = at;
  let i = at;
  for (;;) {
    const br = lineBreakAt(text, i);
    if (br === 0) return end;
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
