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
