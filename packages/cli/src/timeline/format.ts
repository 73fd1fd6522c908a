/**
 * The text timeline: a run header, then the events in replay order under their node. Written a page
 * of events at a time ({@link TimelineEventLines}), so a run of any size is printed in bounded memory;
 * {@link formatTimeline} is the same for events already in memory.
 */
import { STALE_STATUS } from '@agentspan/exporter-postgres';
import type { NodeRow, RunHeader, TimelineEventRow } from '../data/run-detail.js';
import type { Colors } from '../format/colors.js';
import { eventFailed, eventMark, runStatusMark, statusMark } from '../format/status.js';
import { formatBytes, formatDuration, formatTimestamp, minOf, shorten, terminalSafe } from '../format/text.js';
import { cutToWidth, displayWidth, fitWithTail, padToWidth, wrapToWidth } from '../format/width.js';
import { cells, lineLayout, prefixWidth, TimelineMeasure, type TimelineColumns } from './layout.js';

/** The one-line "what happened" of an event, before shortening. */
export function describeEvent(e: TimelineEventRow): string {
  // A row in progress holds no inputs yet (they come with its end): its span name says what it is.
  if (e.inProgress) return e.name ?? e.eventType;
  switch (e.eventType) {
    case 'agent_call':
      return e.preview ? `"${e.preview}"` : '(no content)';
    case 'code_exec': {
      const firstLines = e.preview ?? '';
      const exit = e.exitCode !== null && e.exitCode !== 0 ? ` [exit ${e.exitCode}]` : '';
      const writes = e.filesWritten.length > 0 ? ` → writes ${e.filesWritten.join(', ')}` : '';
      return `${e.language ?? 'code'}: ${firstLines}${exit}${writes}`;
    }
    case 'tool_call':
      return `${e.tool ?? e.name ?? 'tool'}(${e.argsKeys.join(', ')})` + (e.filesGenerated.length ? ` → ${e.filesGenerated.join(', ')}` : '');
    case 'file_gen': {
      const size = e.fileSize === null ? '' : `${formatBytes(e.fileSize)}, `;
      return `${e.filePath ?? '(unknown path)'} (${size}${e.hasContent ? 'content captured' : 'no content'})`;
    }
    case 'handoff':
      return `${e.fromAgent ?? e.agentName ?? '?'} → ${e.toAgent ?? '?'}`;
    default:
      return e.name ?? e.eventType;
  }
}

/** `2026-12-05 10:00:00 (2h 00m ago)`: when a row in progress was last written, or null when it says nothing of it. */
function lastSeen(row: Pick<RunHeader, 'lastSeenAt'>, now: number): string | null {
  const seen = row.lastSeenAt === null ? Number.NaN : Date.parse(row.lastSeenAt);
  return Number.isFinite(seen) ? `${formatTimestamp(row.lastSeenAt)} (${formatDuration(Math.max(0, now - seen))} ago)` : null;
}

/**
 * What a run with no end recorded is doing: still going (its heartbeat seen lately), fallen silent
 * (`stale`: its process most likely died), or unknown (no heartbeat recorded: an older version, or
 * heartbeats turned off).
 */
export function inProgressNote(run: Pick<RunHeader, 'status' | 'lastSeenAt'>, now = Date.now()): string {
  const seen = lastSeen(run, now);
  if (run.status === STALE_STATUS) {
    return `(stale: no end recorded, and its process was last seen running at ${seen ?? formatTimestamp(null)}: it most likely died before ending the run, or cannot reach Postgres)`;
  }
  if (seen !== null) return `(no end recorded yet: the run is still going, its process last seen running at ${seen})`;
  return '(no end recorded yet: the run is still going, or its process died before ending it)';
}

/**
 * The line under an event in progress, as {@link inProgressNote} for a run but shorter (it is
 * indented under the event's line): still going, or stale, with when its process was last seen.
 */
export function eventInProgressNote(event: Pick<TimelineEventRow, 'status' | 'lastSeenAt'>, now = Date.now()): string {
  const seen = lastSeen(event, now);
  if (event.status === STALE_STATUS) {
    return `(stale: no end recorded, its process last seen at ${seen ?? formatTimestamp(null)}: most likely dead)`;
  }
  if (seen !== null) return `(running: no end recorded yet, its process last seen at ${seen})`;
  return '(running: no end recorded yet, or its process died before ending it)';
}

/** A node's header, as the part that names it and the tails that say how it went (kept whole when the line is fitted, the longest that fits). */
function nodeHeader(nodeId: string | null, node: NodeRow | undefined, colors: Colors): { head: string; tails: string[] } {
  if (nodeId === null) return { head: colors.bold('(run level)'), tails: [''] };
  const title = node?.title ? `  ${node.title}` : '';
  const agent = node?.agent ? colors.dim(`  (${node.agent})`) : '';
  const tails = node ? [`  ${statusMark(node.status, colors)}  ${formatDuration(node.durationMs)}`, `  ${statusMark(node.status, colors)}`] : [''];
  return { head: `${colors.bold(nodeId)}${title}${agent}`, tails };
}

/** Options of {@link formatTimeline}. */
export interface TimelineFormatOptions {
  colors: Colors;
  /**
   * The terminal's width in columns; without `fit`, the nominal width the one-line summaries and
   * errors of events are shortened to (the command passes 100 when it is unknown).
   */
  width: number;
  /**
   * Fit every line to `width` (standard output is a terminal of that width): a line that would run
   * past it is cut with `…` (a header's run id, mode, node title or agent first, so its status and
   * duration stay; on a narrower terminal its status alone), an event type's column is at most
   * `TYPE_COLUMN_ON_TERMINAL` wide, an event line too wide for its columns gives them up as
   * `lineLayout` says (its mark stays on a terminal of `MIN_COLUMNS_WITH_MARK` columns or more), and
   * the notes (a run or event in progress, a run without a row) are wrapped at spaces. Off (piped), no
   * line is cut to a width: ids, titles, types and notes are whole.
   * @default false
   */
  fit?: boolean;
  now?: number | undefined;
}

/** Fewest columns a note is wrapped to under its indentation; with fewer left, it starts at the line's start. */
const MIN_NOTE_COLUMNS = 20;

/** Lines made terminal-safe (recorded ids, titles and names are in them) and, on a terminal, fitted to its width. */
class LinePrinter {
  readonly lines: string[] = [];
  constructor(private readonly options: TimelineFormatOptions) {}

  get fitsWidth(): boolean {
    return this.options.fit === true;
  }

  push(line: string): void {
    const { width } = this.options;
    this.lines.push(this.fitsWidth ? cutToWidth(terminalSafe(line), width) : terminalSafe(line));
  }

  pushWithTail(head: string, tails: readonly string[]): void {
    this.push(this.fitsWidth ? fitWithTail(terminalSafe(head), tails.map(terminalSafe), this.options.width) : `${head}${tails[0] ?? ''}`);
  }

  /**
   * A note (prose) under `indent`, in `paint`: wrapped to the width on a terminal (from the line's
   * start when the indentation would leave it less than {@link MIN_NOTE_COLUMNS}), else one line.
   */
  pushNote(indent: string, note: string, paint: (text: string) => string): void {
    const under = this.fitsWidth && this.options.width - displayWidth(indent) < MIN_NOTE_COLUMNS ? '' : indent;
    const parts = this.fitsWidth ? wrapToWidth(terminalSafe(note), this.options.width - displayWidth(under)) : [note];
    for (const part of parts) this.push(`${under}${paint(part)}`);
  }

  /** The lines pushed since the last call, and none kept. */
  take(): string[] {
    return this.lines.splice(0, this.lines.length);
  }
}

/**
 * The timeline's first lines: the run (id, mode, status, duration, `eventCount` events), a note when
 * it has no row or no end, its task; and for a run without events, the line that says so.
 */
export function timelineHeadLines(run: RunHeader, eventCount: number, options: TimelineFormatOptions): string[] {
  const { colors, width } = options;
  const out = new LinePrinter(options);
  const now = options.now ?? Date.now();
  const count = `${eventCount} event${eventCount === 1 ? '' : 's'}`;
  const status = `  ${runStatusMark(run.status, colors)}`;
  out.pushWithTail(`${colors.bold(`run ${run.id}`)}  ${run.mode ?? '-'}`, [`${status}  ${formatDuration(run.durationMs)}  ${count}`, status]);
  // Gateway runs are named too: the OTLP ones that never get a row (a conversation id, no agent root) have ended.
  const noRow = "(no run row: the run has not ended, or its span was lost; over OTLP only a trace whose root is an agent span or names a conversation gets one, see the gateway's README)";
  if (!run.recorded) out.pushNote('', noRow, colors.yellow);
  else if (run.completedAt === null && (run.status === 'running' || run.status === STALE_STATUS)) out.pushNote('', inProgressNote(run, now), colors.yellow);
  if (run.task) out.push(`task: ${shorten(run.task, out.fitsWidth ? Math.max(1, width - 6) : Math.max(40, width - 6))}`);
  if (eventCount === 0) {
    out.push('');
    out.push('no events recorded for this run');
  }
  return out.take();
}

/**
 * The run's first moment, offsets count from: the earliest of the run's start and its events'
 * (`firstEventStartMs`). A conversation's row (the gateway) starts with its first trace that had an
 * agent at its root, and a turn under an HTTP handler may come before it.
 */
export function timelineOrigin(run: Pick<RunHeader, 'startMs'>, firstEventStartMs: number | null): number {
  return minOf([run.startMs ?? Number.POSITIVE_INFINITY, firstEventStartMs ?? Number.POSITIVE_INFINITY], Number.POSITIVE_INFINITY);
}

/**
 * The lines of a run's events, a page at a time in replay order ({@link lines}): a node's header
 * where the node changes (also back to one after another interleaved), each event's line, its error
 * when it failed, its note when still running. The columns are measured over the whole run first
 * ({@link TimelineMeasure}), so lines of every page align.
 */
export class TimelineEventLines {
  private readonly out: LinePrinter;
  private currentNode: string | null | undefined;

  constructor(
    private readonly columns: TimelineColumns,
    private readonly origin: number,
    private readonly options: TimelineFormatOptions,
  ) {
    this.out = new LinePrinter(options);
  }

  /** The lines of `events`, the next page; `nodeOf` gives the node of a node id (its first row in the run's order). */
  lines(events: readonly TimelineEventRow[], nodeOf: (nodeId: string) => NodeRow | undefined): string[] {
    const { colors, width } = this.options;
    const out = this.out;
    const fit = out.fitsWidth;
    const now = this.options.now ?? Date.now();
    for (const e of events) {
      if (e.nodeId !== this.currentNode) {
        // A new node, or the same node again after another one interleaved (parallel nodes).
        this.currentNode = e.nodeId;
        out.push('');
        const header = nodeHeader(e.nodeId, e.nodeId === null ? undefined : nodeOf(e.nodeId), colors);
        out.pushWithTail(header.head, header.tails);
      }
      const failed = eventFailed(e);
      const indent = '  '.repeat(Math.max(1, (e.depth ?? 2) - 1));
      const layout = lineLayout(this.columns, indent.length, fit ? width : undefined);
      const type = cells.type(e, fit);
      const agent = cells.agent(e);
      const prefix = [
        cells.order(e).padEnd(this.columns.order),
        ...(layout.offset === undefined ? [] : [cells.offset(e, this.origin).padEnd(layout.offset)]),
        padToWidth(displayWidth(type) > layout.type ? cutToWidth(type, layout.type) : type, layout.type),
        padToWidth(cutToWidth(agent, layout.agent), layout.agent),
        ...(layout.duration === undefined ? [] : [cells.duration(e).padStart(layout.duration)]),
        eventMark(e, colors),
      ].join('  ');
      const shownIndent = ' '.repeat(layout.indent);
      const left = width - prefixWidth(layout, this.columns.order) - 2;
      const room = fit ? left : Math.max(30, left);
      // On a terminal with no column left after the mark, the summary is left out (the mark stays).
      const line = room >= 1 ? `${shownIndent}${prefix}  ${shorten(describeEvent(e), room)}` : `${shownIndent}${prefix}`;
      out.push(e.eventType === 'file_gen' ? colors.cyan(line) : line);
      const under = `${shownIndent}${' '.repeat(this.columns.order + 2)}`;
      if (failed && e.errorMessage) out.push(`${under}${colors.red(shorten(e.errorMessage, fit ? Math.max(1, width - displayWidth(under)) : room + 20))}`);
      // Under an event still running (or fallen silent), when its process was last seen, as for the run.
      if (e.inProgress) out.pushNote(under, eventInProgressNote(e, now), colors.yellow);
    }
    return out.take();
  }
}

/** The text timeline of events already in memory: the same lines the command writes a page at a time. */
export function formatTimeline(
  run: RunHeader,
  nodes: readonly NodeRow[],
  events: readonly TimelineEventRow[],
  options: TimelineFormatOptions,
): string {
  const lines = timelineHeadLines(run, events.length, options);
  if (events.length > 0) {
    const origin = timelineOrigin(run, minOf(events.map((e) => e.startMs ?? Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY));
    const measure = new TimelineMeasure(origin, options.fit === true);
    measure.add(events);
    const nodeById = new Map<string, NodeRow>();
    for (const n of nodes) if (!nodeById.has(n.nodeId)) nodeById.set(n.nodeId, n);
    lines.push(...new TimelineEventLines(measure.columns(), origin, options).lines(events, (id) => nodeById.get(id)));
  }
  return lines.join('\n');
}
