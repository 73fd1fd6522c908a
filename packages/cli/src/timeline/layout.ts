/**
 * The columns of the timeline's event lines (`#order  +offset  type  agent  duration  mark  summary`):
 * their texts, their widths measured over a run's events (one pass, a page at a time), and how a
 * line is laid out on a terminal too narrow for all of them.
 */
import type { MeasuredEventRow } from '../data/run-detail.js';
import { fitColumnWidths } from '../format/table.js';
import { formatDuration, maxOf, shorten, terminalSafe } from '../format/text.js';
import { cutToWidth, displayWidth } from '../format/width.js';

/** Widest the agent column is, in columns (a longer name is cut with `…`), piped or not. */
export const AGENT_COLUMN = 16;

/** Widest an event type's column is on a terminal: an application's own long type must not push every summary off the line. */
export const TYPE_COLUMN_ON_TERMINAL = 20;

/** Narrowest a terminal cuts the type and agent columns to, when the line is too wide for them (`tool…`). */
export const NARROWEST_NAME_COLUMN = 4;

/**
 * The narrowest terminal on which every event line keeps its mark (`✓`, `✗`, `…`, `!`): the order
 * (`#-2147483648`, the widest an `integer` holds), a type and an agent of {@link NARROWEST_NAME_COLUMN},
 * and the mark, with their gaps, take 27 columns. Narrower, a line too wide is cut at the edge.
 */
export const MIN_COLUMNS_WITH_MARK = 30;

/** Columns between two cells of a line. */
const GAP = 2;

/** The widths of the event columns. */
export interface TimelineColumns {
  order: number;
  offset: number;
  type: number;
  agent: number;
  duration: number;
}

/** The cells of an event line, as text (the widths of {@link TimelineColumns} measure these). */
export const cells = {
  order: (e: Pick<MeasuredEventRow, 'executionOrder'>) => `#${e.executionOrder ?? '?'}`,
  /** Time since the run's `origin` (its earliest start), `-` when either is unknown. */
  offset: (e: Pick<MeasuredEventRow, 'startMs'>, origin: number) =>
    e.startMs === null || !Number.isFinite(origin) ? '-' : `+${formatDuration(Math.max(0, e.startMs - origin))}`,
  /** On a terminal cut to {@link TYPE_COLUMN_ON_TERMINAL}; piped whole. */
  type: (e: Pick<MeasuredEventRow, 'eventType'>, fit: boolean) =>
    fit ? cutToWidth(terminalSafe(e.eventType), TYPE_COLUMN_ON_TERMINAL) : terminalSafe(e.eventType),
  /** On one line and measured in columns (a CJK character takes two), so the marks after it stay in one column. */
  agent: (e: Pick<MeasuredEventRow, 'agentName'>) => terminalSafe(shorten(e.agentName ?? '-', Number.MAX_SAFE_INTEGER)),
  duration: (e: Pick<MeasuredEventRow, 'durationMs'>) => formatDuration(e.durationMs),
};

/**
 * The widths of the event columns over all of a run's events, fed a page at a time ({@link add}):
 * the widest cell of each, the agent's at most {@link AGENT_COLUMN}.
 */
export class TimelineMeasure {
  private order = 1;
  private offset = 1;
  private type = 1;
  private agent = 1;
  private duration = 1;

  /**
   * @param origin the run's first moment (epoch ms) offsets count from
   * @param fit whether the lines are fitted to a terminal (types are cut there)
   */
  constructor(
    private readonly origin: number,
    private readonly fit: boolean,
  ) {}

  add(events: readonly MeasuredEventRow[]): void {
    this.order = Math.max(this.order, maxOf(events.map((e) => cells.order(e).length), 1));
    this.offset = Math.max(this.offset, maxOf(events.map((e) => cells.offset(e, this.origin).length), 1));
    this.type = Math.max(this.type, maxOf(events.map((e) => displayWidth(cells.type(e, this.fit))), 1));
    this.agent = Math.max(this.agent, maxOf(events.map((e) => displayWidth(cells.agent(e))), 1));
    this.duration = Math.max(this.duration, maxOf(events.map((e) => cells.duration(e).length), 1));
  }

  columns(): TimelineColumns {
    return { order: this.order, offset: this.offset, type: this.type, agent: Math.min(AGENT_COLUMN, this.agent), duration: this.duration };
  }
}

/** The columns an event line shows, and their widths: on a narrow terminal some are left out ({@link lineLayout}). */
export interface LineLayout {
  indent: number;
  /** Absent: the column is left out. */
  offset?: number;
  type: number;
  agent: number;
  duration?: number;
}

/**
 * How an event line under `indent` columns of indentation fits `width` (a terminal's; `undefined`:
 * piped, every column at its width). When the line up to its mark is too wide, in this order until
 * it fits: the type and agent columns give, the wider first, down to {@link NARROWEST_NAME_COLUMN};
 * the offset column is left out, then the duration; then the indentation. The summary after the mark
 * gets what is left. On a terminal of at least {@link MIN_COLUMNS_WITH_MARK} columns the mark so
 * always shows; narrower, a line still too wide is cut at the edge.
 */
export function lineLayout(columns: TimelineColumns, indent: number, width: number | undefined): LineLayout {
  const full: LineLayout = { indent, offset: columns.offset, type: columns.type, agent: columns.agent, duration: columns.duration };
  if (width === undefined) return full;
  const attempts: LineLayout[] = [
    full,
    { indent, type: columns.type, agent: columns.agent, duration: columns.duration },
    { indent, type: columns.type, agent: columns.agent },
    { indent: 0, type: columns.type, agent: columns.agent },
  ];
  let fitted = full;
  for (const attempt of attempts) {
    fitted = shrinkNames(attempt, columns.order, width);
    if (prefixWidth(fitted, columns.order) <= width) return fitted;
  }
  return fitted;
}

/** Columns from the line's start to its mark, inclusive. */
export function prefixWidth(layout: LineLayout, order: number): number {
  const parts = [layout.indent + order, layout.offset, layout.type, layout.agent, layout.duration, 1].filter((w): w is number => w !== undefined);
  return parts.reduce((sum, w) => sum + w, 0) + GAP * (parts.length - 1);
}

/** `layout` with its type and agent columns cut (the wider first, {@link fitColumnWidths}) so the prefix fits `width`, if they can. */
function shrinkNames(layout: LineLayout, order: number, width: number): LineLayout {
  const natural = [layout.indent + order, layout.offset, layout.type, layout.agent, layout.duration, 1].filter((w): w is number => w !== undefined);
  const typeAt = layout.offset === undefined ? 1 : 2;
  const shrinkable = natural.map((_, i) => i === typeAt || i === typeAt + 1);
  const floors = natural.map((w, i) => (shrinkable[i] ? Math.min(w, NARROWEST_NAME_COLUMN) : w));
  const fitted = fitColumnWidths(natural, shrinkable, floors, width);
  return { ...layout, type: fitted[typeAt]!, agent: fitted[typeAt + 1]! };
}
