import { STALE_STATUS } from '@agentspan/exporter-postgres';
import type { CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { resolveRunId } from '../data/resolve-run.js';
import {
  countEvents,
  loadNodes,
  loadRunHeader,
  loadTimelineEvents,
  type NodeRow,
  type RunHeader,
  type TimelineEventRow,
} from '../data/run-detail.js';
import type { Colors } from '../format/colors.js';
import { eventFailed, eventMark, runStatusMark, statusMark } from '../format/status.js';
import { cutToWidth, displayWidth, fitWithTail, padToWidth, wrapToWidth } from '../format/table.js';
import { formatBytes, formatDuration, formatTimestamp, maxOf, minOf, shorten, terminalSafe } from '../format/text.js';

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

/** A node's header, as the part that names it and the part that says how it went (kept whole when the line is fitted). */
function nodeHeader(nodeId: string | null, node: NodeRow | undefined, colors: Colors): { head: string; tail: string } {
  if (nodeId === null) return { head: colors.bold('(run level)'), tail: '' };
  const title = node?.title ? `  ${node.title}` : '';
  const agent = node?.agent ? colors.dim(`  (${node.agent})`) : '';
  const tail = node ? `  ${statusMark(node.status, colors)}  ${formatDuration(node.durationMs)}` : '';
  return { head: `${colors.bold(nodeId)}${title}${agent}`, tail };
}

/** Widest the agent column is, in columns (a longer name is cut with `…`), piped or not. */
const AGENT_COLUMN = 16;

/** Widest an event type's column is on a terminal: an application's own long type must not push every summary off the line. */
const TYPE_COLUMN_ON_TERMINAL = 20;

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
   * duration stay), an event type's column is at most {@link TYPE_COLUMN_ON_TERMINAL} wide, and the
   * notes (a run or event in progress, a run without a row) are wrapped at spaces. Off (piped), no
   * line is cut to a width: ids, titles, types and notes are whole.
   * @default false
   */
  fit?: boolean;
  now?: number | undefined;
}

/** The text timeline: a run header, then events in execution order under their node. */
export function formatTimeline(
  run: RunHeader,
  nodes: readonly NodeRow[],
  events: readonly TimelineEventRow[],
  options: TimelineFormatOptions,
): string {
  const { colors, width } = options;
  const fit = options.fit === true;
  const now = options.now ?? Date.now();
  // Recorded ids, titles and names are in these lines: one terminal line each, no control sequences.
  const lines: string[] = [];
  const push = (line: string) => lines.push(fit ? cutToWidth(terminalSafe(line), width) : terminalSafe(line));
  const pushWithTail = (head: string, tail: string) => push(fit ? fitWithTail(terminalSafe(head), terminalSafe(tail), width) : `${head}${tail}`);
  /** A note (prose) under `indent`, in `paint`: wrapped to the width on a terminal, else one line. */
  const pushNote = (indent: string, note: string, paint: (text: string) => string) => {
    const parts = fit ? wrapToWidth(terminalSafe(note), width - displayWidth(indent)) : [note];
    for (const part of parts) push(`${indent}${paint(part)}`);
  };

  const count = `${events.length} event${events.length === 1 ? '' : 's'}`;
  pushWithTail(`${colors.bold(`run ${run.id}`)}  ${run.mode ?? '-'}`, `  ${runStatusMark(run.status, colors)}  ${formatDuration(run.durationMs)}  ${count}`);
  // Gateway runs are named too: the OTLP ones that never get a row (a conversation id, no agent root) have ended.
  const noRow = "(no run row: the run has not ended, or its span was lost; over OTLP only a trace whose root is an agent span or names a conversation gets one, see the gateway's README)";
  if (!run.recorded) pushNote('', noRow, colors.yellow);
  else if (run.completedAt === null && (run.status === 'running' || run.status === STALE_STATUS)) pushNote('', inProgressNote(run, now), colors.yellow);
  if (run.task) push(`task: ${shorten(run.task, fit ? Math.max(1, width - 6) : Math.max(40, width - 6))}`);
  if (events.length === 0) {
    push('');
    push('no events recorded for this run');
    return lines.join('\n');
  }
  // The earliest of the run's start and its events': a conversation's row (the gateway) starts with its first
  // trace that had an agent at its root, and a turn under an HTTP handler may come before it.
  const origin = minOf([run.startMs ?? Number.POSITIVE_INFINITY, ...events.map((e) => e.startMs ?? Number.POSITIVE_INFINITY)], Number.POSITIVE_INFINITY);
  const nodeById = new Map<string, NodeRow>();
  for (const n of nodes) if (!nodeById.has(n.nodeId)) nodeById.set(n.nodeId, n);
  const offset = (e: TimelineEventRow) =>
    e.startMs === null || !Number.isFinite(origin) ? '-' : `+${formatDuration(Math.max(0, e.startMs - origin))}`;
  // On one line and measured in columns (a CJK character takes two), so the marks after it stay in one column.
  const agentOf = (e: TimelineEventRow) => terminalSafe(shorten(e.agentName ?? '-', Number.MAX_SAFE_INTEGER));
  const typeOf = (e: TimelineEventRow) => (fit ? cutToWidth(terminalSafe(e.eventType), TYPE_COLUMN_ON_TERMINAL) : terminalSafe(e.eventType));
  const widths = {
    order: maxOf(events.map((e) => String(e.executionOrder ?? '?').length), 1) + 1,
    offset: maxOf(events.map((e) => offset(e).length), 1),
    type: maxOf(events.map((e) => displayWidth(typeOf(e))), 1),
    agent: Math.min(AGENT_COLUMN, maxOf(events.map((e) => displayWidth(agentOf(e))), 1)),
    duration: maxOf(events.map((e) => formatDuration(e.durationMs).length), 1),
  };
  let currentNode: string | null | undefined;
  for (const e of events) {
    if (e.nodeId !== currentNode) {
      // A new node, or the same node again after another one interleaved (parallel nodes).
      currentNode = e.nodeId;
      push('');
      const header = nodeHeader(e.nodeId, e.nodeId === null ? undefined : nodeById.get(e.nodeId), colors);
      pushWithTail(header.head, header.tail);
    }
    const failed = eventFailed(e);
    const indent = '  '.repeat(Math.max(1, (e.depth ?? 2) - 1));
    const mark = eventMark(e, colors);
    const prefix = [
      `#${e.executionOrder ?? '?'}`.padEnd(widths.order),
      offset(e).padEnd(widths.offset),
      padToWidth(typeOf(e), widths.type),
      padToWidth(cutToWidth(agentOf(e), widths.agent), widths.agent),
      formatDuration(e.durationMs).padStart(widths.duration),
      mark,
    ].join('  ');
    const left = width - displayWidth(indent + prefix) - 2;
    const room = fit ? Math.max(1, left) : Math.max(30, left);
    const line = `${indent}${prefix}  ${shorten(describeEvent(e), room)}`;
    push(e.eventType === 'file_gen' ? colors.cyan(line) : line);
    const under = `${indent}${' '.repeat(widths.order + 2)}`;
    if (failed && e.errorMessage) push(`${under}${colors.red(shorten(e.errorMessage, fit ? Math.max(1, width - displayWidth(under)) : room + 20))}`);
    // Under an event still running (or fallen silent), when its process was last seen, as for the run.
    if (e.inProgress) pushNote(under, eventInProgressNote(e, now), colors.yellow);
  }
  return lines.join('\n');
}

/** Events per chunk of {@link timelineJsonChunks}. */
const JSON_EVENTS_PER_CHUNK = 1000;

/**
 * `JSON.stringify(timeline, null, 2)`, the same text, in lines of chunks of
 * at most {@link JSON_EVENTS_PER_CHUNK} events (joined by newlines): one
 * string of a whole run of 500 000 events is past what V8 allows a string
 * (about 512 M characters), and `--json` failed with `Invalid string length`
 * where the text timeline worked.
 */
export function* timelineJsonChunks(timeline: {
  run: RunHeader;
  nodes: readonly NodeRow[];
  events: readonly TimelineEventRow[];
}): Generator<string> {
  const nested = (value: unknown) => JSON.stringify(value, null, 2).replaceAll('\n', '\n  ');
  if (timeline.events.length === 0) {
    yield JSON.stringify(timeline, null, 2);
    return;
  }
  yield `{\n  "run": ${nested(timeline.run)},\n  "nodes": ${nested(timeline.nodes)},\n  "events": [`;
  const last = timeline.events.length - 1;
  for (let start = 0; start <= last; start += JSON_EVENTS_PER_CHUNK) {
    const lines: string[] = [];
    for (let i = start; i <= Math.min(last, start + JSON_EVENTS_PER_CHUNK - 1); i++) {
      lines.push(`    ${JSON.stringify(timeline.events[i], null, 2).replaceAll('\n', '\n    ')}${i < last ? ',' : ''}`);
    }
    yield lines.join('\n');
  }
  yield '  ]\n}';
}

/** `agentspan timeline <run-id>`. */
export const timelineCommand: CommandSpec = {
  name: 'timeline',
  summary: 'every event of a run in execution order, indented by node',
  usage: 'agentspan timeline <run-id>',
  optionHelp: ['<run-id>               a run id, or a unique prefix of at least 4 characters'],
  options: {},
  maxPositionals: 1,
  async run(ctx) {
    const result = await withDatabase(ctx.database, ctx.io, async (client) => {
      const runId = await resolveRunId(client, ctx.positionals[0]);
      const run = await loadRunHeader(client, runId);
      const nodes = await loadNodes(client, runId);
      const total = await countEvents(client, runId);
      const progress = total > 2000 ? ctx.progress('loading events', total) : undefined;
      try {
        const events = await loadTimelineEvents(client, runId, progress ? (n) => progress.update(n) : undefined);
        return { run, nodes, events };
      } finally {
        progress?.done();
      }
    });
    if (ctx.json) {
      for (const chunk of timelineJsonChunks(result)) ctx.io.out(chunk);
      return 0;
    }
    // `columns` is known when standard output is a terminal: fit it. Piped, nothing is cut to a width.
    const columns = ctx.io.columns;
    ctx.io.out(formatTimeline(result.run, result.nodes, result.events, { colors: ctx.colors, width: columns ?? 100, fit: columns !== undefined }));
    return 0;
  },
};
