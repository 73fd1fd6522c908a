import { stripAnsi } from './colors.js';
import { maxOf, terminalSafe } from './text.js';

/** One column of {@link renderTable}. */
export interface Column<Row> {
  /** Header text. */
  header: string;
  /** The cell text (may contain ANSI colours; widths ignore them). */
  cell(row: Row): string;
  /** Right-align (numbers). @default false */
  alignRight?: boolean;
  /** Widest the column may be; longer cells are cut with `…`. @default no limit */
  maxWidth?: number;
}

/** Display width: code points, ignoring ANSI colour codes. (Wide CJK characters count as one; good enough for logs.) */
export function displayWidth(text: string): number {
  return Array.from(stripAnsi(text)).length;
}

const ELLIPSIS = '…';
/** One SGR colour code at a position (sticky), as {@link stripAnsi} removes them. */
const SGR_AT = /\u001b\[[0-9;]*m/y;

/**
 * `text` in at most `width` columns ({@link displayWidth}): whole when it fits, else cut with
 * `…`, its colour codes kept (they take no column) and all colour reset after the `…` when it
 * had any, so a cut inside a coloured part does not colour what follows. For one terminal line,
 * already {@link terminalSafe}.
 */
export function cutToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width < 1) return '';
  let kept = '';
  let shown = 0;
  let coloured = false;
  for (let i = 0; i < text.length && shown < width - 1; ) {
    SGR_AT.lastIndex = i;
    const sgr = SGR_AT.exec(text);
    if (sgr) {
      kept += sgr[0];
      coloured = true;
      i += sgr[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    kept += char;
    shown++;
    i += char.length;
  }
  return `${kept}${ELLIPSIS}${coloured ? '\u001b[0m' : ''}`;
}

/**
 * Plain `text` (no colour codes) in lines of at most `width` columns, broken at spaces (runs of
 * them are one break); a word wider than `width` is broken inside. For prose, where a cut would
 * lose the end of a sentence. `['']` for empty text.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const size = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const joined = line === '' ? word : `${line} ${word}`;
    if (displayWidth(joined) <= size) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    const chars = Array.from(word);
    while (chars.length > size) lines.push(chars.splice(0, size).join(''));
    line = chars.join('');
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * `head` then `tail` in at most `width` columns, cutting `head` first ({@link cutToWidth}) so that
 * the tail (a status and a duration at the end of a header line) stays whole; only when less than
 * `minHead` columns would be left for the head is the whole line cut at the edge instead.
 */
export function fitWithTail(head: string, tail: string, width: number, minHead = 12): string {
  const line = `${head}${tail}`;
  if (displayWidth(line) <= width) return line;
  const room = width - displayWidth(tail);
  return room >= minHead ? `${cutToWidth(head, room)}${tail}` : cutToWidth(line, width);
}

/** `text` padded with spaces to `width` columns ({@link displayWidth}: `padEnd` counts UTF-16 units). */
export function padToWidth(text: string, width: number): string {
  return `${text}${' '.repeat(Math.max(0, width - displayWidth(text)))}`;
}

function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const plain = Array.from(stripAnsi(text));
  return `${plain.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * A plain-text table: a header line, then one line per row, columns
 * separated by two spaces, trailing spaces trimmed.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = terminalSafe(c.cell(row));
      return c.maxWidth === undefined ? text : fitWidth(text, c.maxWidth);
    }),
  );
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), maxOf(cells.map((r) => displayWidth(r[i] ?? '')), 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(v)));
        return columns[i]?.alignRight ? `${pad}${v}` : `${v}${pad}`;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
