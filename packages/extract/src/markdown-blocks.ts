/**
 * Splitting a markdown message into fenced code blocks and the prose
 * between them (CommonMark fences: ``` or ~~~, three or more, indented at
 * most three spaces; an unclosed fence runs to the end).
 */
import type { CodeBlock } from './types.js';

const MAX_LANGUAGE_CHARS = 32;
/** Longer lines are never fences (bounds the work per line). */
const MAX_FENCE_LINE = 400;
/** Fence characters counted in the opening run; more stay in the info string. */
const MAX_FENCE_RUN = 64;
/** Blanks skipped between the fence and its info string. */
const MAX_INFO_INDENT = 16;
const MAX_INFO_CHARS = 256;

/** Result of `splitMarkdown`. */
export interface MarkdownParts {
  blocks: CodeBlock[];
  /** The prose, with each code block replaced by an empty line. */
  prose: string;
}

/** Character and length of the fence `openingFence` last accepted (module state: no object per fence). */
let fenceChar = 0;
let fenceLength = 0;

/** Info-string language: first word, lowercased, `{.python}`/`{python}` unwrapped; '' → 'unknown'. */
function languageOf(info: string): string {
  if (info === '') return 'unknown'; // the usual bare fence: no trim/split/replace
  const first = info.trim().split(/[\s,]/, 1)[0] ?? '';
  const lang = first.replace(/^\{?\.?/, '').replace(/\}$/, '').toLowerCase().slice(0, MAX_LANGUAGE_CHARS);
  return lang === '' ? 'unknown' : lang;
}

/**
 * If the line `[pos, end)` opens a fence, the language of its block (and
 * `fenceChar`/`fenceLength` are set); else `undefined`. Read in place (no
 * slice, no regex per line); same language as
 * `/^ {0,3}(`{3,64}|~{3,64})[ \t]{0,16}([^\n]{0,256})$/` on lines of at most
 * 400 characters, where a backtick fence's info string may not hold a backtick.
 */
function openingFence(text: string, pos: number, end: number): string | undefined {
  if (end - pos > MAX_FENCE_LINE) return undefined;
  let i = pos;
  while (i - pos < 3 && text.charCodeAt(i) === 32) i++;
  const char = text.charCodeAt(i);
  if (char !== 96 && char !== 126) return undefined;
  let run = 0;
  while (i + run < end && run < MAX_FENCE_RUN && text.charCodeAt(i + run) === char) run++;
  if (run < 3) return undefined;
  let info = i + run;
  // Blanks are skipped only straight after the whole run (a longer run leaves a fence character next).
  for (let b = 0; b < MAX_INFO_INDENT && info < end; b++) {
    const c = text.charCodeAt(info);
    if (c !== 32 && c !== 9) break;
    info++;
  }
  if (end - info > MAX_INFO_CHARS) return undefined;
  if (char === 96) {
    // A backtick in the info string makes it inline code, not a fence (bounded: at most 256 characters).
    for (let k = info; k < end; k++) if (text.charCodeAt(k) === 96) return undefined;
  }
  fenceChar = char;
  fenceLength = run;
  return languageOf(info < end ? text.slice(info, end) : '');
}

/** Whether the line `[pos, end)` starts like a fence (up to 3 spaces, then ``` or ~~~): a cheap test first. */
function mayBeFence(text: string, pos: number): boolean {
  let i = pos;
  while (i - pos < 3 && text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  return (c === 96 || c === 126) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
}

/** Whether the line `[pos, end)` closes a fence of `len` × `char`: up to 3 spaces, at least as many fence characters, then only whitespace. */
function isClosingFence(text: string, pos: number, end: number, char: number, len: number): boolean {
  let i = pos;
  while (i - pos < 3 && text.charCodeAt(i) === 32) i++;
  let run = 0;
  while (i + run < end && text.charCodeAt(i + run) === char) run++;
  if (run < len) return false;
  return i + run === end || text.slice(i + run, end).trim() === '';
}

/**
 * The prose of a message: the text between code blocks, joined by newlines.
 * Empty pieces (adjacent blocks) are only counted, so a message of many
 * blocks does not hold one array entry per block.
 */
class ProseBuilder {
  private readonly pieces: string[] = [];
  private count = 0;
  /** Newlines owed before the next non-empty piece. */
  private newlines = 0;

  add(piece: string): void {
    if (this.count++ > 0) this.newlines++;
    if (piece === '') return;
    if (this.newlines > 0) this.pieces.push('\n'.repeat(this.newlines));
    this.newlines = 0;
    this.pieces.push(piece);
  }

  /** Same as joining every piece added with `'\n'`. */
  toString(): string {
    if (this.newlines > 0) this.pieces.push('\n'.repeat(this.newlines));
    this.newlines = 0;
    return this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
  }
}

/** `code` with up to `indent` leading spaces removed from each line (nothing to do for the usual unindented fence). */
function dedent(code: string, indent: number): string {
  if (indent === 0) return code;
  const pattern = new RegExp(`^ {1,${indent}}`, 'gm');
  return code.replace(pattern, '');
}

/**
 * Splits `text` into fenced code blocks and prose. Linear: each line is
 * visited once, and only lines that start like a fence are examined further.
 */
export function splitMarkdown(text: string): MarkdownParts {
  const blocks: CodeBlock[] = [];
  const prose = new ProseBuilder();
  const n = text.length;
  let pos = 0;
  let proseStart = 0; // start of the prose run not yet copied
  // The open fence, if any: its block's language, fence character and length, and where its content starts.
  let language: string | undefined;
  let char = 0;
  let len = 0;
  let codeStart = 0;
  let indent = 0; // spaces before the opening fence: removed from each code line (CommonMark), as in a list item
  while (pos <= n) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? n : eol;
    if (mayBeFence(text, pos)) {
      if (language === undefined) {
        language = openingFence(text, pos, end);
        if (language !== undefined) {
          prose.add(text.slice(proseStart, pos));
          char = fenceChar;
          len = fenceLength;
          codeStart = eol < 0 ? n : eol + 1;
          indent = 0;
          while (text.charCodeAt(pos + indent) === 32) indent++;
        }
      } else if (isClosingFence(text, pos, end, char, len)) {
        blocks.push({ language, code: dedent(text.slice(codeStart, Math.max(codeStart, pos - 1)), indent) });
        language = undefined;
        proseStart = eol < 0 ? n : eol + 1;
      }
    }
    if (eol < 0) break;
    pos = eol + 1;
  }
  if (language !== undefined) blocks.push({ language, code: dedent(text.slice(codeStart), indent) });
  else prose.add(text.slice(proseStart));
  return { blocks, prose: prose.toString() };
}
