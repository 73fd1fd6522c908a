/**
 * Splitting a markdown message into fenced code blocks and the prose
 * between them (CommonMark fences: ``` or ~~~, three or more, indented at
 * most three spaces; an unclosed fence runs to the end).
 */
import type { CodeBlock } from './types.js';

const OPEN_FENCE_RE = /^ {0,3}(`{3,64}|~{3,64})[ \t]{0,16}([^\n]{0,256})$/;
const MAX_LANGUAGE_CHARS = 32;

/** Result of `splitMarkdown`. */
export interface MarkdownParts {
  blocks: CodeBlock[];
  /** The prose, with each code block replaced by an empty line. */
  prose: string;
}

/** Info-string language: first word, lowercased, `{.python}`/`{python}` unwrapped; '' → 'unknown'. */
function languageOf(info: string): string {
  const first = info.trim().split(/[\s,]/, 1)[0] ?? '';
  const lang = first.replace(/^\{?\.?/, '').replace(/\}$/, '').toLowerCase().slice(0, MAX_LANGUAGE_CHARS);
  return lang === '' ? 'unknown' : lang;
}

/** Whether the line starting at `pos` can be a fence (up to 3 spaces, then ``` or ~~~): a cheap test before the regex. */
function mayBeFence(text: string, pos: number): boolean {
  let i = pos;
  while (i - pos < 3 && text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  return (c === 96 || c === 126) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
}

/**
 * Splits `text` into fenced code blocks and prose. Linear: each line is
 * visited once, and only lines that start like a fence are examined further.
 */
export function splitMarkdown(text: string): MarkdownParts {
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  const n = text.length;
  let pos = 0;
  let proseStart = 0; // start of the prose run not yet copied
  let fence: { char: number; len: number; language: string; start: number } | undefined;
  while (pos <= n) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? n : eol;
    if (mayBeFence(text, pos)) {
      const line = text.slice(pos, end);
      if (fence === undefined) {
        const m = line.length <= 400 ? OPEN_FENCE_RE.exec(line) : null;
        if (m !== null && !(m[1]![0] === '`' && m[2]!.includes('`'))) {
          prose.push(text.slice(proseStart, pos));
          fence = { char: m[1]!.charCodeAt(0), len: m[1]!.length, language: languageOf(m[2]!), start: eol < 0 ? n : eol + 1 };
        }
      } else if (isClosingFence(line, fence.char, fence.len)) {
        blocks.push({ language: fence.language, code: text.slice(fence.start, Math.max(fence.start, pos - 1)) });
        fence = undefined;
        proseStart = eol < 0 ? n : eol + 1;
      }
    }
    if (eol < 0) break;
    pos = eol + 1;
  }
  if (fence !== undefined) blocks.push({ language: fence.language, code: text.slice(fence.start) });
  else prose.push(text.slice(proseStart));
  return { blocks, prose: prose.length === 1 ? prose[0]! : prose.join('\n') };
}

function isClosingFence(line: string, char: number, len: number): boolean {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  let run = 0;
  while (line.charCodeAt(i + run) === char) run++;
  if (run < len) return false;
  return line.slice(i + run).trim() === '';
}
