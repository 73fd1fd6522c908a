import type { JsonObject, JsonValue } from '../data/json.js';
import type { FullEventRow, NodeRow, RunHeader } from '../data/run-detail.js';
import { eventFailed, statusSaysFailure } from '../format/status.js';
import { cutAtCodePoint, minOf } from '../format/text.js';

/** Version tag of the embedded JSON, for anyone reading it out of a report. */
export const REPORT_FORMAT = 'agentspan-report/1';

/** An event as the report page reads it. Times are ms from the run's start. */
export interface ReportEvent {
  id: string;
  order: number | null;
  type: string;
  subtype: string | null;
  name: string | null;
  agent: string | null;
  role: string | null;
  node: string | null;
  parent: string | null;
  depth: number | null;
  /** The stored status, or `stale` for an event in progress whose process fell silent. */
  status: string;
  /** An event still running when its row was written (`running` or `stale`): no outcome, no duration, no inputs yet. */
  inProgress: boolean;
  /** When an event in progress was last seen running by its process; null for one that ended. */
  lastSeenAt: string | null;
  /**
   * Whether the event failed: it ended, and its status says failure (any word but those for
   * success, `running`, `pending` and `skipped`, as `@agentspan/semconv`'s `eventStatusFailed` reads
   * it: `failed`, `error`, `timeout`, `cancelled`) or it has the error flag ({@link hasError}).
   * Never decided by its type. The page's red rows, "errors only" and the header's count read it.
   */
  failed: boolean;
  /** `meta.has_error` (a non-zero exit code, a tool error), also when the status is `completed`. */
  hasError: boolean;
  error: string | null;
  startedAt: string | null;
  start: number | null;
  dur: number | null;
  inputs: JsonObject;
  outputs: JsonObject;
  meta: JsonObject;
  attributes: JsonObject;
}

/** A node as the report page reads it. */
export interface ReportNode {
  id: string;
  nodeId: string;
  title: string | null;
  type: string | null;
  agent: string | null;
  status: string | null;
  /** Whether its status says failure (as an event's does; `stale` and `running` do not: no outcome yet). */
  failed: boolean;
  start: number | null;
  dur: number | null;
}

/** Everything embedded in a report. */
export interface ReportData {
  format: typeof REPORT_FORMAT;
  generatedAt: string;
  run: {
    id: string;
    mode: string | null;
    task: string | null;
    status: string | null;
    startedAt: string | null;
    durationMs: number | null;
    serviceName: string | null;
    traceId: string | null;
    meta: JsonObject;
  };
  nodes: ReportNode[];
  events: ReportEvent[];
  /** String values cut to `maxChars` (count), so a report stays openable. */
  truncatedValues: number;
}

/** The note a cut string ends with: how many UTF-16 units were left out. */
export function cutNote(omitted: number): string {
  return `\n… [${omitted} more characters not in this report; --max-chars raises the limit]`;
}

/** {@link cutNote} as found at the end of a cut string, with the count it says. */
const CUT_NOTE = /\n… \[(\d+) more characters not in this report; --max-chars raises the limit\]$/;

/** `text` cut to `maxChars` units ({@link cutAtCodePoint}: never inside a surrogate pair) with its {@link cutNote}. */
function cutString(text: string, maxChars: number): string {
  const kept = cutAtCodePoint(text, maxChars);
  return `${kept}${cutNote(text.length - kept.length)}`;
}

/**
 * What a string of a report built with `maxChars` was: `value` itself when it is no longer than
 * that, else (only a cut string is, in the places {@link forEachCutPlace} visits) the part kept and
 * the length of the string recorded, read back from its {@link cutNote}.
 */
export function uncutString(value: string, maxChars: number): { kept: string; length: number } {
  const note = value.length > maxChars ? CUT_NOTE.exec(value) : null;
  if (note === null) return { kept: value, length: value.length };
  const kept = value.slice(0, value.length - note[0].length);
  return { kept, length: kept.length + Number(note[1]) };
}

/** `value` with every string in it (at any depth; keys are kept) replaced by `map`'s. */
function mapStrings(value: JsonValue, map: (text: string) => string): JsonValue {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      // `out.__proto__ = …` would set the prototype, and the recorded key (the exporter stores it as data) would be lost.
      if (k === '__proto__') Object.defineProperty(out, k, { value: mapStrings(v, map), enumerable: true, writable: true, configurable: true });
      else out[k] = mapStrings(v, map);
    }
    return out;
  }
  return value;
}

/**
 * `data` with every string `--max-chars` cuts (the run's `meta`, and each event's error, `inputs`,
 * `outputs`, `meta` and `attributes`, at any depth: the places {@link buildReportData} cuts) replaced
 * by `map`'s, the rest shared. With `map` returning `''`, the part of a report no limit changes.
 */
export function mapCutPlaces(data: ReportData, map: (text: string) => string): ReportData {
  const inObject = (o: JsonObject) => mapStrings(o, map) as JsonObject;
  return {
    ...data,
    run: { ...data.run, meta: inObject(data.run.meta) },
    events: data.events.map((e) => ({
      ...e,
      error: e.error === null ? null : map(e.error),
      inputs: inObject(e.inputs),
      outputs: inObject(e.outputs),
      meta: inObject(e.meta),
      attributes: inObject(e.attributes),
    })),
  };
}

/** Every string in the places `--max-chars` cuts ({@link mapCutPlaces}), in document order. */
export function forEachCutPlace(data: ReportData, visit: (text: string) => void): void {
  const walk = (value: JsonValue): void => {
    if (typeof value === 'string') visit(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(data.run.meta);
  for (const e of data.events) {
    if (e.error !== null) visit(e.error);
    walk(e.inputs);
    walk(e.outputs);
    walk(e.meta);
    walk(e.attributes);
  }
}

/** Options of {@link buildReportData}. */
export interface BuildReportOptions {
  /**
   * Longest string kept in the run's `meta` and each event's error, inputs, outputs, meta and
   * attributes, in UTF-16 code units (JavaScript's `length`, what V8's string limit counts); longer
   * ones are cut with a note saying how many units were left out. A cut never splits a surrogate
   * pair: a character outside the BMP at the cut is left out whole (one unit fewer kept).
   * @default 200_000
   */
  maxChars?: number;
  /** @default new Date() */
  now?: Date;
}

/** Default of {@link BuildReportOptions.maxChars}. */
export const DEFAULT_REPORT_MAX_CHARS = 200_000;

/**
 * The report's JSON model of a run: times relative to the run start (the
 * earliest start known when the run row is missing), long strings cut.
 */
export function buildReportData(
  run: RunHeader,
  nodes: readonly NodeRow[],
  events: readonly FullEventRow[],
  options: BuildReportOptions = {},
): ReportData {
  const maxChars = options.maxChars ?? DEFAULT_REPORT_MAX_CHARS;
  let truncated = 0;
  const cut = (value: JsonValue): JsonValue =>
    mapStrings(value, (text) => {
      if (text.length <= maxChars) return text;
      truncated++;
      return cutString(text, maxChars);
    });
  const cutObject = (o: JsonObject) => cut(o) as JsonObject;

  const starts = [
    run.startMs,
    ...nodes.map((n) => n.startMs),
    ...events.map((e) => e.startMs),
  ].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  // The earliest start of all, not the run's: a conversation's row (the gateway) starts with its first trace
  // that had an agent at its root, and a turn under an HTTP handler may come before it.
  const origin = minOf(starts, 0);
  const rel = (ms: number | null) => (ms === null ? null : Math.max(0, ms - origin));

  return {
    format: REPORT_FORMAT,
    generatedAt: (options.now ?? new Date()).toISOString(),
    run: {
      id: run.id,
      mode: run.mode,
      task: run.task,
      status: run.status,
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      serviceName: run.serviceName,
      traceId: run.traceId,
      meta: cutObject(run.meta),
    },
    nodes: nodes.map((n) => ({
      id: n.id,
      nodeId: n.nodeId,
      title: n.title,
      type: n.type,
      agent: n.agent,
      status: n.status,
      failed: statusSaysFailure(n.status),
      start: rel(n.startMs),
      dur: n.durationMs,
    })),
    events: events.map((e) => ({
      id: e.id,
      order: e.executionOrder,
      type: e.eventType,
      subtype: e.eventSubtype,
      name: e.name,
      agent: e.agentName,
      role: e.agentRole,
      node: e.nodeId,
      parent: e.parentEventId,
      depth: e.depth,
      status: e.status,
      inProgress: e.inProgress,
      lastSeenAt: e.lastSeenAt,
      failed: eventFailed(e),
      hasError: e.hasError,
      error: e.errorMessage === null ? null : (cut(e.errorMessage) as string),
      startedAt: e.startedAt,
      start: rel(e.startMs),
      dur: e.durationMs,
      inputs: cutObject(e.inputs),
      outputs: cutObject(e.outputs),
      meta: cutObject(e.meta),
      attributes: cutObject(e.attributes),
    })),
    truncatedValues: truncated,
  };
}
