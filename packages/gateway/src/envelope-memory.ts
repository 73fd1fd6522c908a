/**
 * Agent envelopes whose model turns came in an earlier request.
 *
 * The processor's GenAI mapping makes no row of an agent envelope
 * (`invoke_agent`, `ai.generateText`, OpenInference `AGENT`) with model
 * turns under it (the turns are the rows), and a row of one without: it
 * counts the turns it sees start under the envelope. The gateway replays
 * each request on its own, and SDKs export children before parents, in
 * batches: when a batch boundary falls between the turns and their
 * envelope (any agent that runs longer than the sender's export delay),
 * the envelope arrives with no turn under it and would become a row, and
 * the agent's answer would be stored twice.
 *
 * So, per replayed request, before the replay:
 *
 * - every model turn (as the processor will classify it) is followed up
 *   its in-request ancestors, through the spans the processor lets a scope
 *   pass (tools, turns, spans it does not classify), to the envelope that
 *   counts it; when the chain leaves the request first (the parent of its
 *   top is not in it), that parent (trace id + span id) is remembered as
 *   *awaited*: it is the envelope, or a span between (an AI SDK `step`)
 *   that will lead to it;
 * - a span of the request that is awaited is marked *arrived*; when it is
 *   an envelope it gets `agentspan.agent.turns_elsewhere: true`, which the
 *   processor honours (no row), if the earliest of those turns started
 *   before the envelope ended (the processor counts a turn only when it
 *   starts while its envelope is open: a turn of another service that
 *   started later is no turn of it); any other span is followed up like a
 *   turn (a step that comes before its envelope hands the fact on to it);
 * - spans are classified on the attributes the replay keeps (its
 *   attribute count limit), as the processor will see them;
 * - an envelope that gets neither (no turn in the request, none awaited
 *   under it) will become a row: it is remembered apart, so turns that
 *   still come under it later (the reverse order, not corrected: see the
 *   README) are counted in `turnsAfterRow`.
 *
 * The same walk serves a second purpose, {@link EnvelopeMemory.fill}: the
 * rows of turns, tools and envelopes whose envelope is not in the request
 * are written without the agent's name and depth (the processor takes both
 * from the envelope). Their parents are remembered in the awaited entry,
 * each with the depth of its rows relative to that span, and the envelope,
 * when it arrives (or a span between, which hands them on), lists them in
 * `agentspan.agent.fill.parent_span_ids` and `.depth_offsets`: the
 * exporter then fills in what those rows lack (`agent-fill.ts` of
 * `@agentspan/exporter-postgres`).
 *
 * Bounded: at most `maxEntries` awaited or arrived spans (when full, the
 * least recently touched sixteenth is forgotten), each forgotten after `maxAgeMillis` without
 * being touched; arrived ones are kept as long, so a retried request is
 * replayed the same. An awaited span forgotten before it arrived is
 * counted (`evicted`, `expired`): its envelope, when it comes, becomes a
 * row. The envelopes that became rows: at most a fifth as many, oldest
 * forgotten first, uncounted (they only feed `turnsAfterRow`).
 *
 * The memory follows replay order: requests replayed concurrently are
 * replayed one after the other (the replay is synchronous), so it is the
 * order in which the gateway finished reading them.
 */

import type { Attributes } from '@opentelemetry/api';
import { Attr } from '@agentspan/semconv';
import type { PlannedSpan, ReplayPlan } from './replay-plan.js';

/** What the processor's mapping makes of a span that starts with these attributes (`classifyForeignSpan(a)?.kind`). */
export type ForeignKindOf = (attributes: Attributes) => 'agent' | 'turn' | 'tool' | undefined;

/** Options of {@link EnvelopeMemory}. */
export interface EnvelopeMemoryOptions {
  /** Awaited (or arrived) spans remembered at most. */
  readonly maxEntries: number;
  /** How long an entry is kept after it was last touched, ms. */
  readonly maxAgeMillis: number;
  readonly kindOf: ForeignKindOf;
  /**
   * Most attributes a replayed span keeps (the replay's `attributeCountLimit`): a span is classified
   * on what the processor will see, its first so many keys. @default Infinity
   */
  readonly attributeCountLimit?: number;
  /** Monotonic clock, ms. @default performance.now */
  readonly now?: () => number;
}

/** Counters of {@link EnvelopeMemory} (`stats().envelopes` of the gateway). */
export interface EnvelopeStats {
  /** Spans remembered now: awaited (turns came under them, they did not yet) or arrived (kept for retries). */
  readonly remembered: number;
  /** Agent envelopes replayed with `agentspan.agent.turns_elsewhere` (no row: their turns came earlier); a retried request counts again. */
  readonly marked: number;
  /** Awaited spans forgotten because `maxAwaitedEnvelopes` were remembered, before they arrived: such an envelope becomes a row. */
  readonly evicted: number;
  /** Awaited spans forgotten after `awaitedEnvelopeMaxAgeMillis` without arriving (same consequence, or they never came). */
  readonly expired: number;
  /** Envelopes that had become rows when model turns under them came in a later request (the reverse order: the answer is stored twice). */
  readonly turnsAfterRow: number;
  /**
   * Parents of rows left without their agent's name and depth because the
   * awaited span above them already listed {@link MAX_FILL_PARENTS} parents
   * (a retried request counts again).
   */
  readonly fillsDropped: number;
}

/**
 * Most parents of rows to fill in one awaited span lists (usually one or
 * two: the envelope itself, an AI SDK `step`). About 40 bytes each.
 */
export const MAX_FILL_PARENTS = 64;

/** `turnStart` of an entry that only fills rows (no turn came under it): later than any end, so it marks nothing. */
const NO_TURN = 1n << 64n;

interface Entry {
  /** When last touched (the clock's ms). */
  at: number;
  /** The span itself came (in a later request than turns under it). */
  arrived: boolean;
  /**
   * The earliest start of a turn under it (ns): the processor counts a turn under an envelope only when
   * it starts before the envelope has ended, so an envelope is marked only when this is not after its end.
   */
  turnStart: bigint;
  /**
   * Parents (span ids) of rows written under it without their agent's name
   * and depth, each with the depth of those rows minus this span's (or,
   * when this span is not placed, minus that of the nearest placed span
   * above it).
   */
  fills: FillList | undefined;
}

/** How a span of the request counts for the turns under envelopes. */
const TYPED = 1; // agentspan's own (or AG2's mapped) span: the processor passes no scope through it
const ENVELOPE = 2;
const TURN = 3;
const OTHER = 4; // a span the processor does not classify: a scope passes through it
const TOOL = 5; // a tool: a scope passes through it, as OTHER, but it is a row

/** Which walk reached a span (bits). */
const BY_TURN = 1;
const BY_ARRIVAL = 2;

function keyOf(traceId: string, spanId: string): string {
  return traceId + spanId;
}

/** Remembers, across requests, the parents of model turns until they arrive. Not thread-safe (nothing in Node is). */
export class EnvelopeMemory {
  private readonly awaited = new Map<string, Entry>();
  /** Envelopes replayed as rows, by key, with whether turns under them came since (counted once). */
  private readonly rows = new Map<string, boolean>();
  private readonly maxEntries: number;
  private readonly maxRows: number;
  private readonly maxAgeMillis: number;
  private readonly kindOf: ForeignKindOf;
  private readonly attributeCountLimit: number;
  private readonly now: () => number;
  private marked = 0;
  private evicted = 0;
  private expired = 0;
  private turnsAfterRow = 0;
  private fillsDropped = 0;
  private readonly dropFill = (): void => {
    this.fillsDropped += 1;
  };

  constructor(options: EnvelopeMemoryOptions) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries));
    this.maxRows = Math.max(1, Math.floor(this.maxEntries / 5));
    this.maxAgeMillis = options.maxAgeMillis;
    this.kindOf = options.kindOf;
    this.attributeCountLimit = options.attributeCountLimit ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? (() => performance.now());
  }

  stats(): EnvelopeStats {
    return {
      remembered: this.awaited.size,
      marked: this.marked,
      evicted: this.evicted,
      expired: this.expired,
      turnsAfterRow: this.turnsAfterRow,
      fillsDropped: this.fillsDropped,
    };
  }

  /**
   * Marks the envelopes of `plan` whose turns came in earlier requests (in
   * their start attributes, before the replay), and remembers the parents
   * of its turns that are not in it.
   */
  apply(plan: ReplayPlan): void {
    const spans = plan.spans;
    const n = spans.length;
    if (n === 0) return;
    const now = this.now();
    this.forgetOld(now);
    const kind = new Uint8Array(n);
    const arrived = new Uint8Array(n);
    // For an arrived span: the earliest start of the turns that came under it before it.
    const turnStartOf: bigint[] = [];
    const entries: (Entry | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const p = spans[i] as PlannedSpan;
      kind[i] = this.kindOfStart(p.attributes);
      if (this.awaited.size === 0) continue;
      const key = keyOf(p.span.traceId, p.span.spanId);
      const entry = this.awaited.get(key);
      if (entry === undefined) continue;
      arrived[i] = 1;
      entries[i] = entry;
      turnStartOf[i] = entry.turnStart;
      entry.arrived = true;
      this.touch(key, entry, now);
    }
    const reached = new Uint8Array(n);
    const marked = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = kind[i];
      if (k === TYPED) continue;
      if (k === ENVELOPE) {
        if (arrived[i] === 1) this.markIfOpen(plan, i, turnStartOf[i]!, marked);
        continue;
      }
      // A turn is counted live by its envelope in the request; an arrived span between hands its fact on
      // (an entry that only fills rows has no turn to hand on).
      if (k === TURN) this.followUp(plan, i, BY_TURN, (spans[i] as PlannedSpan).span.startNanos, kind, reached, marked, now);
      else if (arrived[i] === 1 && turnStartOf[i] !== NO_TURN) this.followUp(plan, i, BY_ARRIVAL, turnStartOf[i]!, kind, reached, marked, now);
    }
    for (let i = 0; i < n; i++) {
      if (kind[i] !== ENVELOPE || marked[i] === 1 || ((reached[i] ?? 0) & BY_TURN) !== 0) continue;
      const s = (spans[i] as PlannedSpan).span;
      this.rememberRow(keyOf(s.traceId, s.spanId));
    }
    this.fill(plan, kind, entries, now);
  }

  /**
   * The rows to fill in. The processor names a span's agent after the
   * nearest envelope above it that has a name (an envelope without one takes
   * its own parent's), and the plan gives it the depth of the nearest placed
   * span above it plus one; neither crosses an agentspan span (TYPED). So
   * every turn, tool or envelope of the request whose chain of ancestors
   * leaves the request (through anything but a TYPED span) may lack both:
   * its parent is remembered in the awaited entry of the span the chain
   * leaves for, with the depth of its rows relative to that span (one more
   * than the placed spans between). An arrived span's remembered parents are
   * listed, for their depth, on the nearest placed span at or above it in
   * the request (a turn, a tool, a root: for the depth alone; an envelope:
   * for the agent's name as well), and on the nearest envelope above it for
   * the name; and they are handed on to the next awaited
   * entry when its chain leaves the request again (not past a TYPED span),
   * their offsets grown by the placed spans passed. The exporter fills only what a row lacks, nearest envelope first
   * (children arrive before parents), so listing a parent on several
   * envelopes up a chain gives each row the values the whole trace in one
   * request gives it. Linear: parents come before their children in the plan.
   */
  private fill(plan: ReplayPlan, kind: Uint8Array, entries: readonly (Entry | undefined)[], now: number): void {
    const spans = plan.spans;
    const n = spans.length;
    // Per span, up its chain: the nearest envelope in the request (index, or -1) and the placed spans strictly
    // between; the key the chain leaves the request for (none when it ends at a root or a TYPED span) and the
    // placed spans strictly between.
    const envelopeOf = new Int32Array(n).fill(-1);
    const toEnvelope = new Int32Array(n);
    const leavesFor: (string | undefined)[] = new Array<string | undefined>(n);
    const toExit = new Int32Array(n);
    const placedAbove = new Int32Array(n).fill(-1);
    let lists: Map<number, FillList> | undefined;
    const list = (i: number, fills: FillList, grow: number): void => {
      lists ??= new Map();
      let m = lists.get(i);
      if (m === undefined) lists.set(i, (m = []));
      for (let j = 0; j < fills.length; j += 2) addFill(m, fills[j] as string, (fills[j + 1] as number) + grow, this.dropFill);
    };
    for (let i = 0; i < n; i++) {
      const p = spans[i] as PlannedSpan;
      const parent = p.parent;
      if (parent === undefined) {
        if (p.span.parentSpanId !== undefined) leavesFor[i] = keyOf(p.span.traceId, p.span.parentSpanId);
      } else {
        placedAbove[i] = isPlaced(spans[parent] as PlannedSpan) ? parent : (placedAbove[parent] ?? -1);
      }
      if (parent !== undefined && kind[parent] !== TYPED) {
        const placed = isPlaced(spans[parent] as PlannedSpan) ? 1 : 0;
        leavesFor[i] = leavesFor[parent];
        toExit[i] = (toExit[parent] ?? 0) + placed;
        if (kind[parent] === ENVELOPE) envelopeOf[i] = parent;
        else {
          envelopeOf[i] = envelopeOf[parent] ?? -1;
          toEnvelope[i] = (toEnvelope[parent] ?? 0) + placed;
        }
      }
      const k = kind[i];
      const key = leavesFor[i];
      if ((k === TURN || k === TOOL || k === ENVELOPE) && key !== undefined && p.span.parentSpanId !== undefined) {
        this.rememberFill(key, p.span.parentSpanId, (toExit[i] ?? 0) + 1, now);
      }
      const fills = entries[i]?.fills;
      if (fills === undefined) continue;
      const self = isPlaced(p) ? 1 : 0;
      // The depth: the rows' offsets are relative to the nearest placed span at or above this one.
      const placed = self === 1 ? i : (placedAbove[i] ?? -1);
      if (placed >= 0) list(placed, fills, 0);
      if (k === TYPED) continue; // nothing is named across an agentspan span
      const envelope = k === ENVELOPE ? i : (envelopeOf[i] ?? -1);
      if (envelope >= 0) list(envelope, fills, k === ENVELOPE ? 0 : (toEnvelope[i] ?? 0) + self);
      if (key !== undefined) {
        for (let j = 0; j < fills.length; j += 2) this.rememberFill(key, fills[j] as string, (fills[j + 1] as number) + (toExit[i] ?? 0) + self, now);
      }
    }
    if (lists === undefined) return;
    for (const [i, m] of lists) {
      const attributes = (spans[i] as PlannedSpan).attributes;
      attributes[Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS] = m.filter((_, j) => j % 2 === 0) as string[];
      attributes[Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS] = m.filter((_, j) => j % 2 === 1) as number[];
      // A span that is no envelope gives the depth alone: a turn's own agent name is not its children's.
      if (kind[i] !== ENVELOPE) attributes[Attr.ATTR_AGENT_FILL_DEPTH_ONLY] = true;
    }
  }

  /** Remembers, in the entry awaited as `key` (made if need be, with no turn), a parent of rows to fill. */
  private rememberFill(key: string, parentSpanId: string, offset: number, now: number): void {
    // An envelope that came first and became a row: the reverse order, not corrected (it will not come again).
    if (this.rows.has(key)) return;
    let entry = this.awaited.get(key);
    if (entry === undefined) {
      this.rememberAwaited(key, now, NO_TURN);
      entry = this.awaited.get(key);
      if (entry === undefined) return;
    } else if (entry.at !== now) {
      // Touched once per request: every move leaves a deleted slot in the Map until it is rehashed.
      this.touch(key, entry, now);
    }
    // A literal of two: `push` onto an empty array would reserve room for 19 (most lists stay at one parent).
    if (entry.fills === undefined) entry.fills = [parentSpanId, offset];
    else addFill(entry.fills, parentSpanId, offset, this.dropFill);
  }

  private kindOfStart(given: Attributes): number {
    const attributes = asReplayed(given, this.attributeCountLimit);
    if (attributes[Attr.ATTR_EVENT_TYPE] !== undefined) return TYPED;
    switch (this.kindOf(attributes)) {
      case 'agent':
        return ENVELOPE;
      case 'turn':
        return TURN;
      case 'tool':
        return TOOL;
      default:
        return OTHER;
    }
  }

  /**
   * Walks from span `i` up to the envelope that counts what it carries (turns, the earliest of which
   * started at `turnStart`), or out of the request.
   */
  private followUp(plan: ReplayPlan, i: number, by: number, turnStart: bigint, kind: Uint8Array, reached: Uint8Array, marked: Uint8Array, now: number): void {
    const spans = plan.spans;
    let cur = i;
    // Each span is passed at most once per kind of walk: linear in the request's size.
    for (;;) {
      const parent = (spans[cur] as PlannedSpan).parent;
      if (parent === undefined) {
        const s = (spans[cur] as PlannedSpan).span;
        if (s.parentSpanId !== undefined) this.rememberAwaited(keyOf(s.traceId, s.parentSpanId), now, turnStart);
        return;
      }
      const k = kind[parent];
      if (k === TYPED) return;
      const seen = reached[parent] ?? 0;
      if ((seen & by) !== 0) return;
      reached[parent] = seen | by;
      if (k === ENVELOPE) {
        if (by === BY_ARRIVAL) this.markIfOpen(plan, parent, turnStart, marked);
        return;
      }
      cur = parent;
    }
  }

  /** Marks envelope `i` when a turn under it started before it ended (else the processor would not have counted it). */
  private markIfOpen(plan: ReplayPlan, i: number, turnStart: bigint, marked: Uint8Array): void {
    if (marked[i] === 1 || turnStart > (plan.spans[i] as PlannedSpan).span.endNanos) return;
    marked[i] = 1;
    (plan.spans[i] as PlannedSpan).attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE] = true;
    this.marked += 1;
  }

  private rememberAwaited(key: string, now: number, turnStart: bigint): void {
    const row = this.rows.get(key);
    if (row !== undefined) {
      // The envelope came first and is a row already: not awaited (it will not come again), counted once.
      if (!row) {
        this.rows.set(key, true);
        this.turnsAfterRow += 1;
      }
      return;
    }
    const entry = this.awaited.get(key);
    if (entry !== undefined) {
      if (turnStart < entry.turnStart) entry.turnStart = turnStart;
      this.touch(key, entry, now);
      return;
    }
    if (this.awaited.size >= this.maxEntries) {
      // A sixteenth at once, in one pass: each new iterator of a Map walks past the slots of the keys
      // deleted before it (until the Map is rehashed), so evicting one at a time is quadratic.
      let n = Math.max(1, this.maxEntries >> 4);
      for (const [oldKey, old] of this.awaited) {
        this.awaited.delete(oldKey);
        if (!old.arrived) this.evicted += 1;
        if (--n === 0) break;
      }
    }
    this.awaited.set(key, { at: now, arrived: false, turnStart, fills: undefined });
  }

  private rememberRow(key: string): void {
    if (this.rows.has(key)) return; // a retried request
    if (this.rows.size >= this.maxRows) {
      let n = Math.max(1, this.maxRows >> 4); // in one pass, as in rememberAwaited
      for (const oldKey of this.rows.keys()) {
        this.rows.delete(oldKey);
        if (--n === 0) break;
      }
    }
    this.rows.set(key, false);
  }

  /** Moves an entry to the end (most recently touched): the map stays in touch order, oldest first. */
  private touch(key: string, entry: Entry, now: number): void {
    entry.at = now;
    this.awaited.delete(key);
    this.awaited.set(key, entry);
  }

  /** Forgets the entries not touched for `maxAgeMillis` (they are first in the map). */
  private forgetOld(now: number): void {
    for (const [key, entry] of this.awaited) {
      if (now - entry.at <= this.maxAgeMillis) return;
      this.awaited.delete(key);
      if (!entry.arrived) this.expired += 1;
    }
  }
}

/** Whether the plan placed a span in a run (it has a depth, or passes on its lack, to the placed spans under it). */
function isPlaced(p: PlannedSpan): boolean {
  return typeof p.attributes[Attr.ATTR_RUN_ID] === 'string';
}

/**
 * Parents of rows to fill and the depth offset of each, flat (`[span id, offset, span id, offset, ...]`):
 * a Map per awaited entry would double the entry's size, and a list holds one or two parents.
 */
type FillList = (string | number)[];

/** Adds a parent to a list of rows to fill, at most {@link MAX_FILL_PARENTS} (`dropped` counts the others). */
function addFill(fills: FillList, parentSpanId: string, offset: number, dropped: () => void): void {
  for (let j = 0; j < fills.length; j += 2) if (fills[j] === parentSpanId) return; // its rows share one depth: the first offset stands
  if (fills.length >= 2 * MAX_FILL_PARENTS) dropped();
  else fills.push(parentSpanId, offset);
}

/** The attributes a replayed span keeps: its first `limit` keys (as the SDK's `attributeCountLimit` keeps them). */
function asReplayed(attributes: Attributes, limit: number): Attributes {
  if (!Number.isFinite(limit)) return attributes;
  let count = 0;
  for (const _ in attributes) if (++count > limit) break;
  if (count <= limit) return attributes;
  const kept: Attributes = {};
  let n = 0;
  for (const key in attributes) {
    if (n++ >= limit) break;
    kept[key] = attributes[key];
  }
  return kept;
}
