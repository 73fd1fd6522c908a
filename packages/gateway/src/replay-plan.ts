/**
 * The plan for replaying one request's spans through the SDK (pure): the
 * order they start and end in, the attributes each starts with (AG2 mapping
 * and placement in a run), and which in-request span is each one's parent.
 *
 * Order. Spans arrive in export order (roughly end order, children before
 * parents). The replay walks the request's timeline instead: spans start
 * in start-time order (a parent always before its children) and each span
 * ends as soon as the next start is later than its end (children first on
 * equal ends). The processor then sees the request as it would have seen
 * the spans live: it numbers a run's events (`execution_order`) in start
 * order, and a file a code execution wrote gets its number when that
 * execution ended, before whatever started after.
 *
 * Placement. A span the gateway recognises as an agent span (agentspan's
 * own, AG2's, or one the processor's GenAI/OpenInference/AI SDK mapping
 * classifies) gets a run id, a node id and a depth before it starts:
 *
 * - run id: `agentspan.run.id` when the sender set it (an agentspan
 *   process: then nothing is changed); else the `runIdAttribute` of the span
 *   (`gen_ai.conversation.id` by default; not on AG2 spans, where only the
 *   conversation span carries it, and only once it ends); else the run of
 *   the nearest placed ancestor, as a span inherits its parent's run in
 *   process (the GenAI conventions list the conversation id on agent and
 *   inference spans only: a tool takes its agent's conversation): in the
 *   request, or, when the span's parent is not in it, the placement the
 *   gateway remembers for that parent ({@link PlanOptions.placementOf}: an
 *   ancestor that came in an earlier request); else the trace id. A span
 *   that arrives before the ancestor its run comes from (children are
 *   exported first) is in the trace's run: its row is written before that
 *   ancestor is known.
 * - node id: `agentspan.node.id`, else the `nodeIdAttribute`
 *   (`graph.node.id`), else the node of the nearest placed ancestor in the
 *   same request and run (an AG2 nested conversation is a node).
 * - depth: the nearest placed ancestor's in the same request, plus one;
 *   without one, the depth AG2's structure implies (run 0, agent turn 1,
 *   tool or code execution 2), or 1 for the root span of a trace (directly
 *   under its run); unknown (NULL) otherwise.
 *
 * Runs of generic traces. Only AG2's conversation root is a run span of
 * its own; any other trace would have event rows but no `workflow_runs`
 * row, so `agentspan runs` would never list it. The root span of a trace
 * (no parent at all) that is placed in the run of its trace id therefore
 * also gets {@link PlannedSpan.run}: the attributes of a run span the replay
 * creates right after the root ends (same trace and span id, same times and
 * status). So does the root of a trace placed in a run named by
 * `runIdAttribute` (a conversation): a conversation may span several
 * traces, so one trace's root is not its end. Every such run span is marked
 * as one part of its run (`agentspan.run.multi_trace`) and the exporter
 * merges the parts' rows (earliest start, latest end). Not for roots an agentspan
 * process sent (`agentspan.event.type` or `agentspan.run.id` received: that
 * process writes its own run span), or a root that already is the run (AG2).
 */

import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { Attr, EventType, ForeignAttr as F } from '@agentspan/semconv';
import { AG2_CONTENT_KEYS, Ag2SpanType, firstUserMessageText, isAg2Span, mapAg2Span } from './ag2-mapping.js';
import { MAX_RECEIVED_ATTRIBUTES, keepDecidingAttributes } from './attribute-budget.js';
import { runToEnd, type SlicedWork } from './slices.js';
import type { ReceivedSpan } from './otlp-model.js';

/**
 * `workflow_runs.mode` of a run made from the root span of a trace that
 * names no `gen_ai.workflow.name`: it says where the run came from (an
 * OTLP trace through the gateway), as `ag2.conversation` does for AG2.
 */
export const TRACE_RUN_MODE = 'otlp.trace';

/** How spans are placed in runs and nodes. */
export interface PlanOptions {
  /** Span attribute naming the run when `agentspan.run.id` is absent; undefined: the trace id always. */
  readonly runIdAttribute: string | undefined;
  /** Span attribute naming the node when `agentspan.node.id` is absent. */
  readonly nodeIdAttribute: string | undefined;
  /** With `false`, AG2's and the GenAI content keys are removed before the processor sees the span. */
  readonly captureContent: boolean;
  /** Whether the processor's mapping recognises a span of another instrumentation (`classifyForeignSpan`). */
  readonly isForeignAgentSpan: (attributes: Attributes) => boolean;
  /**
   * The placement remembered for a span that is not in the request (an
   * ancestor that came in an earlier request: `EnvelopeMemory.placementOf`),
   * asked for the parent of a span whose parent is not in the request.
   * Undefined (or undefined returned): not known, the span is placed as if
   * it had no ancestor.
   */
  readonly placementOf?: ((traceId: string, spanId: string) => Placement | undefined) | undefined;
  /**
   * Most received attributes a span starts with (default {@link MAX_RECEIVED_ATTRIBUTES}); beyond it the keys
   * agentspan reads are kept first, and the others dropped are counted ({@link PlannedSpan.attributesDropped}).
   */
  readonly maxAttributes?: number | undefined;
}

/** One span of the plan. */
export interface PlannedSpan {
  readonly span: ReceivedSpan;
  /** Attributes to start the span with (received, mapped, placed; withheld keys removed). */
  readonly attributes: Attributes;
  /**
   * Received attributes hidden from the processor (so its GenAI mapping
   * makes no row of the span), written back once the span has ended, for
   * the exporters that forward the span.
   */
  readonly restoreAfterEnd: Attributes | undefined;
  /** Position (in {@link ReplayPlan.spans}) of the parent when it is in the same request; it always comes earlier. */
  readonly parent: number | undefined;
  /**
   * For the root span of a trace whose run is the trace: the attributes of
   * the run span to replay right after this span ends (its `workflow_runs`
   * row). Undefined for every other span.
   */
  readonly run: Attributes | undefined;
  /**
   * Received attributes left out of {@link attributes} (past `maxAttributes`); the replay counts them and
   * marks the span (cut-mark.ts) with what else it loses.
   */
  readonly attributesDropped: number;
  /**
   * The placement spans under this one inherit: its own when it is placed,
   * else that of its nearest placed ancestor (in the request, or
   * remembered); undefined when there is none.
   */
  readonly placement: Placement | undefined;
}

/** One step of a replay: start or end the span at `index` of {@link ReplayPlan.spans}. */
export interface ReplayStep {
  readonly kind: 'start' | 'end';
  readonly index: number;
}

/** The replay of one request. */
export interface ReplayPlan {
  /** In start order. */
  readonly spans: readonly PlannedSpan[];
  /** Every span started once and ended once, a span always after its start (and after its parent's start). */
  readonly steps: readonly ReplayStep[];
  /** Spans that had more received attributes than `maxAttributes`, and how many of those were left out. */
  readonly attributesDropped: { readonly spans: number; readonly attributes: number };
}

/** Where a span is placed: its run, node and depth (`agentspan.run.id`, `.node.id`, `.depth`). */
export interface Placement {
  readonly runId: string;
  readonly nodeId: string | undefined;
  readonly depth: number | undefined;
}

function str(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function keyOf(traceId: string, spanId: string): string {
  return `${traceId}:${spanId}`;
}

/**
 * Start order: by start time, but a span whose parent is in the request
 * comes after it (clocks of different processes, or equal times, must not
 * start a child first). Iterative, so a long chain cannot overflow the stack.
 */
function startOrder(spans: readonly ReceivedSpan[], parentOf: readonly (number | undefined)[]): number[] {
  const byStart = spans.map((_, i) => i).sort((a, b) => {
    const x = spans[a] as ReceivedSpan;
    const y = spans[b] as ReceivedSpan;
    return x.startNanos < y.startNanos ? -1 : x.startNanos > y.startNanos ? 1 : a - b;
  });
  const placed = new Uint8Array(spans.length);
  const order: number[] = [];
  const chain: number[] = [];
  for (const i of byStart) {
    chain.length = 0;
    let cur: number | undefined = i;
    // Walk up to the first ancestor already placed; a cycle (bad input) stops at a span seen in this walk.
    while (cur !== undefined && placed[cur] === 0) {
      placed[cur] = 2;
      chain.push(cur);
      cur = parentOf[cur];
      if (cur !== undefined && placed[cur] === 2) break;
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const c = chain[k] as number;
      placed[c] = 1;
      order.push(c);
    }
  }
  return order;
}

/**
 * The run span of a trace, from its root: run id = the run the root is
 * placed in (the trace id, or a conversation's id), marked
 * `agentspan.run.multi_trace`, one part of its run, so the exporter merges
 * the rows of a conversation's traces instead of keeping the last one,
 * mode = the root's `gen_ai.workflow.name` else
 * {@link TRACE_RUN_MODE}, task = the first user message of the root's
 * `gen_ai.input.messages` (absent when content is not captured: they are
 * removed from `attributes` then) else the root's name. Status and times
 * are the root's own (set by the replay), so the exporter maps them as for
 * any run: an error status → `failed`, else `success`.
 */
function traceRunAttributes(span: ReceivedSpan, attributes: Attributes, runId: string): Attributes {
  const run: Attributes = {
    [Attr.ATTR_EVENT_TYPE]: EventType.RUN,
    [Attr.ATTR_RUN_ID]: runId,
    [Attr.ATTR_RUN_MODE]: str(attributes[Attr.ATTR_GEN_AI_WORKFLOW_NAME]) ?? TRACE_RUN_MODE,
  };
  // Every run made from a trace's root is a part, a trace-id run's too: a conversation may be named after one
  // of its traces, whose root need not carry the conversation's id (its children do), and a part and a whole
  // run of one id would replace each other, the row depending on which came last. A run of one trace merged
  // with itself (a retry) stays as it is.
  run[Attr.ATTR_RUN_MULTI_TRACE] = true;
  // An empty message or name is no task (the column stays NULL rather than '').
  const task = firstUserMessageText(attributes) || span.name;
  if (task !== '') run[Attr.ATTR_RUN_TASK] = task;
  return run;
}

/** Spans planned between two points where planning may pause (see slices.ts); a request of fewer never pauses. */
const PAUSE_SPANS = 256;

/** Builds the replay plan of one request. Never throws for any input the decoders produce. */
export function planReplay(received: readonly ReceivedSpan[], options: PlanOptions): ReplayPlan {
  return runToEnd(planReplayInSteps(received, options));
}

/** {@link planReplay} in steps that may pause between spans (run it with `runInSlices`). */
export function* planReplayInSteps(received: readonly ReceivedSpan[], options: PlanOptions): SlicedWork<ReplayPlan> {
  // A span sent twice in one request is replayed once (the first copy, as Postgres keeps the first row).
  const index = new Map<string, number>();
  const spans: ReceivedSpan[] = [];
  for (const s of received) {
    const k = keyOf(s.traceId, s.spanId);
    if (index.has(k)) continue;
    index.set(k, spans.length);
    spans.push(s);
  }
  const parentOf = spans.map((s, i) => {
    if (s.parentSpanId === undefined) return undefined;
    const p = index.get(keyOf(s.traceId, s.parentSpanId));
    return p === i ? undefined : p;
  });
  // AG2 `chat` spans, by the span they ran in (their usage goes to that agent's row).
  const llmChildren = new Map<number, Attributes[]>();
  spans.forEach((s, i) => {
    const p = parentOf[i];
    if (p !== undefined && s.attributes[F.ATTR_AG2_SPAN_TYPE] === Ag2SpanType.LLM) {
      const list = llmChildren.get(p) ?? [];
      list.push(s.attributes);
      llmChildren.set(p, list);
    }
  });

  const order = startOrder(spans, parentOf);
  const position = new Int32Array(spans.length);
  order.forEach((i, pos) => (position[i] = pos));
  const placements: (Placement | undefined)[] = new Array<Placement | undefined>(spans.length);
  /** Nearest placed ancestor in the request (memoised: parents are handled before their children). */
  const nearest: (Placement | undefined)[] = new Array<Placement | undefined>(spans.length);
  const batchDepth = new Int32Array(spans.length);
  const planned: PlannedSpan[] = [];
  const maxAttributes = options.maxAttributes ?? MAX_RECEIVED_ATTRIBUTES;
  const decidingKeys = [options.runIdAttribute, options.nodeIdAttribute];
  let truncatedSpans = 0;
  let droppedAttributes = 0;
  let sincePause = 0;

  for (const i of order) {
    const span = spans[i] as ReceivedSpan;
    // A parent that starts later can only come from a cycle in bad input: treat the span as having no parent here.
    const given = parentOf[i];
    const p = given !== undefined && (position[given] ?? 0) < planned.length ? given : undefined;
    batchDepth[i] = p === undefined ? 0 : (batchDepth[p] ?? 0) + 1;
    // The parent not in the request (nor a span of it that starts later, bad input): what is remembered of it.
    const ancestor =
      p !== undefined
        ? (placements[p] ?? nearest[p])
        : given === undefined && span.parentSpanId !== undefined
          ? options.placementOf?.(span.traceId, span.parentSpanId)
          : undefined;
    nearest[i] = ancestor;
    // Past the limit, what the mapping and placement decide on is kept first (and every decision below is made on
    // what the span starts with, as the processor sees it).
    const kept = keepDecidingAttributes(span.attributes, maxAttributes, decidingKeys);
    const receivedAttributes = kept.attributes;
    const fromAg2 = isAg2Span(receivedAttributes);
    const ag2 = fromAg2
      ? mapAg2Span(
          { name: span.name, spanId: span.spanId, attributes: receivedAttributes, isRoot: span.parentSpanId === undefined },
          p === undefined ? undefined : (spans[p] as ReceivedSpan).attributes,
          llmChildren.get(i),
        )
      : undefined;
    const attributes: Attributes = { ...receivedAttributes, ...(ag2?.attributes ?? {}) };
    if (!options.captureContent) for (const k of AG2_CONTENT_KEYS) delete attributes[k];
    // Counted, and marked once the processor has seen the span (cut-mark.ts): marked from its start, the span would
    // tell the processor its values were cut already (`agentspan.truncated`), and its row could not say who cut.
    if (kept.dropped > 0) {
      truncatedSpans += 1;
      droppedAttributes += kept.dropped;
    }

    const explicitRun = str(attributes[Attr.ATTR_RUN_ID]);
    // AG2 sets gen_ai.conversation.id on the conversation span only, when it ends: using it would split the run.
    const configuredRun =
      explicitRun !== undefined || options.runIdAttribute === undefined || (fromAg2 && options.runIdAttribute === Attr.ATTR_GEN_AI_CONVERSATION_ID)
        ? undefined
        : str(attributes[options.runIdAttribute]);
    if (explicitRun !== undefined) {
      placements[i] = {
        runId: explicitRun,
        nodeId: str(attributes[Attr.ATTR_NODE_ID]),
        depth: typeof attributes[Attr.ATTR_DEPTH] === 'number' ? attributes[Attr.ATTR_DEPTH] : undefined,
      };
    } else {
      const relevant =
        attributes[Attr.ATTR_EVENT_TYPE] !== undefined ||
        fromAg2 ||
        configuredRun !== undefined ||
        options.isForeignAgentSpan(receivedAttributes);
      if (relevant) {
        // Without a run attribute of its own, the run of the nearest placed ancestor (as in process), else the trace.
        const runId = configuredRun ?? ancestor?.runId ?? span.traceId;
        const type = attributes[Attr.ATTR_EVENT_TYPE];
        const sameRun = ancestor !== undefined && ancestor.runId === runId ? ancestor : undefined;
        const nodeId =
          str(attributes[Attr.ATTR_NODE_ID]) ??
          (options.nodeIdAttribute !== undefined ? str(attributes[options.nodeIdAttribute]) : undefined) ??
          (type === EventType.RUN ? undefined : sameRun?.nodeId);
        const ownDepth = typeof attributes[Attr.ATTR_DEPTH] === 'number' ? attributes[Attr.ATTR_DEPTH] : undefined;
        const depth =
          type === EventType.RUN
            ? 0
            : sameRun?.depth !== undefined
              ? sameRun.depth + 1
              : (ownDepth ?? ag2?.structuralDepth ?? (span.parentSpanId === undefined ? 1 : undefined));
        attributes[Attr.ATTR_RUN_ID] = runId;
        if (nodeId !== undefined) attributes[Attr.ATTR_NODE_ID] = nodeId;
        if (depth !== undefined) attributes[Attr.ATTR_DEPTH] = depth;
        placements[i] = { runId, nodeId, depth };
      }
    }

    let restoreAfterEnd: Attributes | undefined;
    for (const k of ag2?.withhold ?? []) {
      const v = attributes[k];
      if (v === undefined) continue;
      restoreAfterEnd ??= {};
      restoreAfterEnd[k] = v;
      delete attributes[k];
    }
    // The root of a trace placed in the run of its trace id, or in a conversation (one of the traces its run is made of).
    const placedRun = placements[i]?.runId;
    const run =
      span.parentSpanId === undefined &&
      explicitRun === undefined &&
      receivedAttributes[Attr.ATTR_EVENT_TYPE] === undefined &&
      attributes[Attr.ATTR_EVENT_TYPE] !== EventType.RUN &&
      placedRun !== undefined &&
      (placedRun === span.traceId || placedRun === configuredRun)
        ? traceRunAttributes(span, attributes, placedRun)
        : undefined;
    planned.push({
      span,
      attributes,
      restoreAfterEnd,
      parent: p === undefined ? undefined : position[p],
      run,
      attributesDropped: kept.dropped,
      placement: placements[i] ?? ancestor,
    });
    if (++sincePause >= PAUSE_SPANS) {
      sincePause = 0;
      yield;
    }
  }

  const endOrder = order
    .map((_, pos) => pos)
    .sort((a, b) => {
      const x = (planned[a] as PlannedSpan).span;
      const y = (planned[b] as PlannedSpan).span;
      if (x.endNanos !== y.endNanos) return x.endNanos < y.endNanos ? -1 : 1;
      // Equal end times: the deeper span (a child) ends first.
      return (batchDepth[order[b] as number] ?? 0) - (batchDepth[order[a] as number] ?? 0) || b - a;
    });
  // Interleave: before each start, end what ended strictly earlier (and has started).
  const steps: ReplayStep[] = [];
  const started = new Uint8Array(planned.length);
  let next = 0;
  planned.forEach((p, pos) => {
    while (next < endOrder.length) {
      const e = endOrder[next] as number;
      if (started[e] === 0 || !((planned[e] as PlannedSpan).span.endNanos < p.span.startNanos)) break;
      steps.push({ kind: 'end', index: e });
      next++;
    }
    steps.push({ kind: 'start', index: pos });
    started[pos] = 1;
  });
  while (next < endOrder.length) steps.push({ kind: 'end', index: endOrder[next++] as number });
  return { spans: planned, steps, attributesDropped: { spans: truncatedSpans, attributes: droppedAttributes } };
}
