import { maxOf, terminalSafe } from './text.js';
import { cutToWidth, displayWidth, fitCell, fitsWidth, widthUpTo } from './width.js';

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
  /**
   * Free text (a task, a path, agent names) that may be cut with `…` to fit the table into
   * {@link TableOptions.width}; the widest such column is cut first. Columns without it (times,
   * numbers) are never cut but at the edge of a table too wide for the terminal even so.
   * @default false
   */
  shrink?: boolean;
  /** Narrowest a cut leaves a `shrink` column, in terminal columns. @default the header's width */
  minWidth?: number;
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /**
   * The terminal's width: the table is fitted into it (see {@link fitColumnWidths}), and a line
   * still wider (when every `shrink` column is at its narrowest) is cut at the edge with `…`.
   * Absent (output piped), nothing is cut but to a column's `maxWidth`.
   */
  width?: number | undefined;
}

/** Columns between two cells. */
const GAP = 2;

/**
 * The widths that fit `natural` (each column's widest cell) into `width` terminal columns, cutting
 * the widest `shrinkable` column by one column at a time (the rightmost of equally wide ones), never
 * below its `floor`, until the line fits or none can give more. So a 48-column task is cut to the
 * width of the next widest free text before that one is touched, and columns shrink evenly after.
 */
export function fitColumnWidths(
  natural: readonly number[],
  shrinkable: readonly boolean[],
  floors: readonly number[],
  width: number,
): number[] {
  const widths = [...natural];
  let excess = widths.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, widths.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (!shrinkable[i] || widths[i]! <= floors[i]!) continue;
      if (widest === -1 || widths[i]! >= widths[widest]!) widest = i;
    }
    if (widest === -1) break;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

/**
 * A plain-text table: a header line, then one line per row, columns
 * separated by two spaces, trailing spaces trimmed. With a terminal's
 * {@link TableOptions.width}, fitted into it.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], options: TableOptions = {}): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = terminalSafe(c.cell(row));
      return c.maxWidth === undefined ? text : fitCell(text, c.maxWidth);
    }),
  );
  const headers = columns.map((c) => c.header);
  const width = options.width;
  const cap = widestShown(columns, width);
  // A right-aligned column that is never cut is measured whole: its width places its cells (the padding is before them).
  const caps = columns.map((c) => (c.alignRight === true && c.shrink !== true ? Infinity : cap));
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), maxOf(cells.map((r) => widthUpTo(r[i] ?? '', caps[i]!)), 0)));
  const whole = layOut(columns, [headers, ...cells], natural);
  // A table whose lines fit (trailing spaces trimmed) is left as it is.
  if (width === undefined || whole.every((l) => fitsWidth(l, width))) return whole.join('\n');
  const floors = columns.map((c, i) => Math.min(natural[i]!, Math.max(1, c.minWidth ?? displayWidth(c.header))));
  const widths = fitColumnWidths(natural, columns.map((c) => c.shrink === true), floors, width);
  const cut = (text: string, i: number) => (widths[i]! < natural[i]! ? fitCell(text, widths[i]!) : text);
  return layOut(columns, [headers, ...cells].map((r) => r.map(cut)), widths)
    .map((l) => cutToWidth(l, width))
    .join('\n');
}

/**
 * The widest a column's natural width need be measured on a terminal of `width` columns (all of it
 * piped). A column wider than the terminal, a header and a floor is either cut (a `shrink` column
 * ends narrower than the terminal, and fitting it from this width or from its whole width gives the
 * same widths: it is the widest until it comes down to here) or, left-aligned, runs past the edge,
 * where the line is cut (every other `shrink` column then gives all it can either way). So a cell of
 * megabytes is read only up to here: measured whole, three times a table, it took seconds (2026-12-07).
 */
function widestShown<Row>(columns: readonly Column<Row>[], width: number | undefined): number {
  if (width === undefined || Number.isNaN(width)) return Infinity;
  return Math.max(0, width) + 1 + maxOf(columns.map((c) => Math.max(1, c.minWidth ?? 0, displayWidth(c.header))), 0);
}

/** The lines of a table: cells padded to `widths` (right-aligned where the column says), two spaces between, trailing spaces trimmed. */
function layOut<Row>(columns: readonly Column<Row>[], lines: readonly (readonly string[])[], widths: readonly number[]): string[] {
  return lines.map((values) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - widthUpTo(v, widths[i] ?? 0)));
        return columns[i]?.alignRight ? `${pad}${v}` : `${v}${pad}`;
      })
      .join(' '.repeat(GAP))
      .trimEnd(),
  );
}
