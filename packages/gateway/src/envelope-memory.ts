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
 * The same memory serves a second purpose (`fill`): the rows of turns,
 * tools and envelopes whose envelope is not in the request are written
 * without the agent's name, depth and node (taken from the spans above).
 * Their parents are remembered in the awaited entry, each with the depth
 * of its rows relative to that span, and the span, when it arrives (or the
 * envelope above it, or a later awaited span it hands them on to), lists
 * them in `agentspan.agent.fill.parent_span_ids` and `.depth_offsets`: the
 * exporter then fills in what those rows lack (`agent-fill.ts` of
 * `@agentspan/exporter-postgres`).
 *
 * A third purpose (`placementOf`): a span without a run attribute of its
 * own takes the run of its nearest placed ancestor (`replay-plan.ts`); when
 * its parent is not in the request, the plan asks the memory. An awaited
 * span that arrives, and an envelope that becomes a row, keep the placement
 * spans under them inherit (their own, or their nearest placed ancestor's),
 * when its run is not their trace (the trace is what the plan falls back
 * to anyway): a span that comes after them under them (a request retried or
 * overtaken, a model call that outlives its agent) lands in their run.
 * Nothing else is remembered for it: an ancestor neither awaited nor a row
 * is not known across requests.
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
import type { Placement, PlannedSpan, ReplayPlan } from './replay-plan.js';

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
   * Parents of rows left without their agent's name, depth and node because
   * the span above them already listed {@link MAX_FILL_PARENTS} parents, or
   * the memory held twice `maxEntries` in all (a retried request counts
   * again).
   */
  readonly fillsDropped: number;
}

/**
 * Most parents of rows to fill one span lists (one or a few; an AI SDK v7
 * agent, whose every step is a parent, as many as it has steps). About 60
 * bytes each; the memory holds at most twice `maxEntries` in all.
 */
export const MAX_FILL_PARENTS = 1024;

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
   * Parents (span ids) of rows written under it without their agent's name,
   * depth and node, each with the depth of those rows minus this span's (or,
   * when this span is not placed, minus that of the nearest placed span
   * above it).
   */
  fills: FillList | undefined;
  /** Once it arrived: the placement spans under it inherit, when its run is not the trace (see {@link EnvelopeMemory.placementOf}). */
  placed: Placement | undefined;
}

/** An envelope replayed as a row: whether turns under it came since (counted once), and what spans under it inherit. */
interface RowEntry {
  counted: boolean;
  readonly placed: Placement | undefined;
}

/** The placement to remember of a span: what spans under it inherit, when its run is not the trace (the plan's fallback). */
function placedOf(p: PlannedSpan): Placement | undefined {
  const placed = p.placement;
  return placed === undefined || placed.runId === p.span.traceId ? undefined : placed;
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
  /** Envelopes replayed as rows, by key. */
  private readonly rows = new Map<string, RowEntry>();
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
  /** Parents of rows to fill held in all entries, and the most that may be. */
  private fillParents = 0;
  private readonly maxFillParents: number;

  constructor(options: EnvelopeMemoryOptions) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries));
    this.maxRows = Math.max(1, Math.floor(this.maxEntries / 5));
    this.maxFillParents = 2 * this.maxEntries;
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
   * What a span under the span `traceId`/`spanId` inherits when that span
   * came in an earlier request: its run (and node and depth) when it
   * arrived after spans under it were awaiting it, or became a row as an
   * envelope, and its run is not its trace. Undefined otherwise. Read only:
   * it touches nothing.
   */
  placementOf(traceId: string, spanId: string): Placement | undefined {
    const key = keyOf(traceId, spanId);
    return this.awaited.get(key)?.placed ?? this.rows.get(key)?.placed;
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
      if (hasMoreKeys(p.attributes, this.attributeCountLimit)) agentspanKeysFirst(p.attributes);
      kind[i] = this.kindOfStart(p.attributes);
      if (this.awaited.size === 0) continue;
      const key = keyOf(p.span.traceId, p.span.spanId);
      const entry = this.awaited.get(key);
      if (entry === undefined) continue;
      arrived[i] = 1;
      entries[i] = entry;
      turnStartOf[i] = entry.turnStart;
      entry.arrived = true;
      entry.placed = placedOf(p);
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
      const p = spans[i] as PlannedSpan;
      this.rememberRow(keyOf(p.span.traceId, p.span.spanId), placedOf(p));
    }
    this.fill(plan, kind, entries, now);
  }

  /**
   * The rows to fill in. The processor names a span's agent after the
   * nearest envelope above it that has a usable name (an envelope without
   * one takes the name of the agent above it), and the plan gives it the
   * depth and node of the nearest placed span above it when that span is in
   * its run; the name never crosses an agentspan span (TYPED). So every
   * turn, tool or envelope of the request whose chain of ancestors leaves
   * the request (through anything but a TYPED span) may lack all three: it
   * is marked (`agentspan.agent.fill.awaited`), and its parent and run are
   * remembered in the awaited entry of the span the chain leaves for, with
   * the depth its row has relative to that span (one more than the placed
   * spans between; 0, none, when one of them is of another run) and a rank
   * (the spans between its parent and that span).
   *
   * An arrived span's remembered parents are listed on the nearest placed
   * span at or above it in the request (for the depth and node; a turn, a
   * tool, a root gives those alone, an envelope its name as well), on the
   * nearest envelope above it (for the name; the processor gives an envelope the name of the agent above when it has none of its own), and handed
   * on to the next awaited entry when its chain leaves the request again
   * (not past a TYPED span), offsets and ranks grown by the spans passed.
   * The exporter keeps, per parent and run, each value of the lowest rank,
   * so every row ends with the values the whole trace in one request gives
   * it, whatever order the spans come in. Linear: parents come before their
   * children in the plan.
   */
  private fill(plan: ReplayPlan, kind: Uint8Array, entries: readonly (Entry | undefined)[], now: number): void {
    const spans = plan.spans;
    const n = spans.length;
    // Per span, up its chain (through anything but a TYPED span): the nearest placed span (any kind) and the
    // nearest envelope (index, or -1), with the hops to each; the key the chain leaves the
    // request for, the hops to it, the placed spans strictly between and their common run.
    const placedAbove = new Int32Array(n).fill(-1);
    const placedHops = new Int32Array(n);
    const envelopeAbove = new Int32Array(n).fill(-1);
    const envelopeHops = new Int32Array(n);
    const leavesFor: (string | undefined)[] = new Array<string | undefined>(n);
    const exitHops = new Int32Array(n);
    const toExit = new Int32Array(n);
    const exitRun: (string | typeof MIXED | undefined)[] = new Array<string | typeof MIXED | undefined>(n);
    let lists: Map<number, FillList> | undefined;
    const list = (target: number, fills: FillList, offsetGrowth: number | undefined, rankGrowth: number): void => {
      lists ??= new Map();
      let m = lists.get(target);
      if (m === undefined) lists.set(target, (m = []));
      for (let j = 0; j < fills.length; j += FILL_STRIDE) {
        const offset = offsetGrowth === undefined || (fills[j + 2] as number) === 0 ? 0 : (fills[j + 2] as number) + offsetGrowth;
        this.addFill(m, fills[j] as string, fills[j + 1] as string, offset, (fills[j + 3] as number) + rankGrowth);
      }
    };
    for (let i = 0; i < n; i++) {
      const p = spans[i] as PlannedSpan;
      const parent = p.parent;
      if (parent === undefined) {
        if (p.span.parentSpanId !== undefined) {
          leavesFor[i] = keyOf(p.span.traceId, p.span.parentSpanId);
          exitHops[i] = 1;
        }
      } else {
        const up = spans[parent] as PlannedSpan;
        const upRun = runOf(up);
        if (upRun !== undefined) {
          placedAbove[i] = parent;
          placedHops[i] = 1;
        } else {
          placedAbove[i] = placedAbove[parent] ?? -1;
          placedHops[i] = (placedHops[parent] ?? 0) + 1;
        }
        if (kind[parent] !== TYPED) {
          leavesFor[i] = leavesFor[parent];
          exitHops[i] = (exitHops[parent] ?? 0) + 1;
          toExit[i] = (toExit[parent] ?? 0) + (upRun === undefined ? 0 : 1);
          exitRun[i] = sameRun(exitRun[parent], upRun);
          if (kind[parent] === ENVELOPE) {
            envelopeAbove[i] = parent;
            envelopeHops[i] = 1;
          } else {
            envelopeAbove[i] = envelopeAbove[parent] ?? -1;
            envelopeHops[i] = (envelopeHops[parent] ?? 0) + 1;
          }
        }
      }
      const k = kind[i];
      const key = leavesFor[i];
      const ownRun = runOf(p);
      if ((k === TURN || k === TOOL || k === ENVELOPE) && key !== undefined && p.span.parentSpanId !== undefined && ownRun !== undefined) {
        const r = exitRun[i];
        const offset = r === undefined || r === ownRun ? (toExit[i] ?? 0) + 1 : 0;
        this.rememberFill(key, p.span.parentSpanId, ownRun, offset, (exitHops[i] ?? 1) - 1, now);
        markFirst(p.attributes, { [Attr.ATTR_AGENT_FILL_AWAITED]: true });
      }
      const fills = entries[i]?.fills;
      if (fills === undefined) continue;
      // The depth and node: offsets are relative to the nearest placed span at or above this one.
      const placed = ownRun !== undefined ? i : (placedAbove[i] ?? -1);
      if (placed >= 0) list(placed, fills, 0, placed === i ? 0 : (placedHops[i] ?? 0));
      if (k === TYPED) continue; // nothing is named across an agentspan span, nor handed on
      // The name, when the nearest placed span does not give it.
      const named = k === ENVELOPE ? i : (envelopeAbove[i] ?? -1);
      if (named >= 0 && named !== placed) list(named, fills, undefined, named === i ? 0 : (envelopeHops[i] ?? 0));
      if (key !== undefined) {
        // Depth and node go on only through spans of the rows' own run.
        const r = exitRun[i];
        for (let j = 0; j < fills.length; j += FILL_STRIDE) {
          const run = fills[j + 1] as string;
          const offset = fills[j + 2] as number;
          const through = offset > 0 && (r === undefined || r === run) && (ownRun === undefined || ownRun === run);
          const grown = through ? offset + (toExit[i] ?? 0) + (ownRun === undefined ? 0 : 1) : 0;
          this.rememberFill(key, fills[j] as string, run, grown, (fills[j + 3] as number) + (exitHops[i] ?? 1), now);
        }
      }
    }
    if (lists === undefined) return;
    for (const [i, m] of lists) {
      const fill: Attributes = {
        [Attr.ATTR_AGENT_FILL_PARENT_SPAN_IDS]: column(m, 0) as string[],
        [Attr.ATTR_AGENT_FILL_RUN_IDS]: column(m, 1) as string[],
        [Attr.ATTR_AGENT_FILL_DEPTH_OFFSETS]: column(m, 2) as number[],
        [Attr.ATTR_AGENT_FILL_RANKS]: column(m, 3) as number[],
      };
      // A span that is no envelope gives the depth and node alone: a turn's own agent name is not its children's.
      if (kind[i] !== ENVELOPE) fill[Attr.ATTR_AGENT_FILL_DEPTH_ONLY] = true;
      markFirst((spans[i] as PlannedSpan).attributes, fill);
    }
  }

  /** Remembers, in the entry awaited as `key` (made if need be, with no turn), a parent of rows to fill. */
  private rememberFill(key: string, parentSpanId: string, run: string, offset: number, rank: number, now: number): void {
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
    // A literal: `push` onto an empty array would reserve room for 17 more (most lists hold one parent).
    if (entry.fills === undefined) {
      if (this.fillParents >= this.maxFillParents) this.fillsDropped += 1;
      else {
        entry.fills = [parentSpanId, run, offset, rank];
        this.fillParents += 1;
      }
    } else this.addFill(entry.fills, parentSpanId, run, offset, rank, true);
  }

  /**
   * Adds a parent and run to a list of rows to fill, at most {@link MAX_FILL_PARENTS} in one list and, for
   * the lists of the memory (`held`), {@link maxFillParents} in all (the others are counted as dropped).
   */
  private addFill(fills: FillList, parentSpanId: string, run: string, offset: number, rank: number, held = false): void {
    for (let j = 0; j < fills.length; j += FILL_STRIDE) if (fills[j] === parentSpanId && fills[j + 1] === run) return; // one chain: the first stands
    if (fills.length >= FILL_STRIDE * MAX_FILL_PARENTS || (held && this.fillParents >= this.maxFillParents)) {
      this.fillsDropped += 1;
      return;
    }
    fills.push(parentSpanId, run, offset, rank);
    if (held) this.fillParents += 1;
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
      if (!row.counted) {
        row.counted = true;
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
        this.forget(oldKey, old);
        if (!old.arrived) this.evicted += 1;
        if (--n === 0) break;
      }
    }
    this.awaited.set(key, { at: now, arrived: false, turnStart, fills: undefined, placed: undefined });
  }

  private rememberRow(key: string, placed: Placement | undefined): void {
    if (this.rows.has(key)) return; // a retried request
    if (this.rows.size >= this.maxRows) {
      let n = Math.max(1, this.maxRows >> 4); // in one pass, as in rememberAwaited
      for (const oldKey of this.rows.keys()) {
        this.rows.delete(oldKey);
        if (--n === 0) break;
      }
    }
    this.rows.set(key, { counted: false, placed });
  }

  /** Deletes an entry, and its parents of rows to fill from the count of all. */
  private forget(key: string, entry: Entry): void {
    this.awaited.delete(key);
    if (entry.fills !== undefined) this.fillParents -= entry.fills.length / FILL_STRIDE;
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
      this.forget(key, entry);
      if (!entry.arrived) this.expired += 1;
    }
  }
}

/** The run the plan placed a span in (it has a depth and node, or passes on their lack, to the placed spans under it). */
function runOf(p: PlannedSpan): string | undefined {
  const run = p.attributes[Attr.ATTR_RUN_ID];
  return typeof run === 'string' ? run : undefined;
}

/** Placed spans of more than one run. */
const MIXED = Symbol('mixed runs');

/** The run shared by the placed spans of a chain, one more taken in (undefined: none placed). */
function sameRun(held: string | typeof MIXED | undefined, run: string | undefined): string | typeof MIXED | undefined {
  if (run === undefined) return held;
  return held === undefined || held === run ? run : MIXED;
}

/**
 * Parents of rows to fill, flat: `[span id, run, depth offset, rank, ...]` (a Map or an object per entry
 * would double an awaited entry's size, and a list holds one parent or a few).
 */
type FillList = (string | number)[];
const FILL_STRIDE = 4;

/** Every `column`-th value of a fill list. */
function column(fills: FillList, c: number): (string | number)[] {
  const out: (string | number)[] = [];
  for (let j = c; j < fills.length; j += FILL_STRIDE) out.push(fills[j] as string | number);
  return out;
}

/**
 * Sets `extra` on a span's start attributes before the received ones, the other `agentspan.*` keys (the
 * plan's run, node and depth) right after: the replay keeps the first `attributeCountLimit` keys, and
 * these must not be the ones dropped. (Keys that look like array indices, `"0"`, `"1"`, always come first
 * in a JavaScript object: a span with more such keys than the limit still loses the others.)
 */
function markFirst(attributes: Attributes, extra: Attributes): void {
  const received: Attributes = { ...attributes };
  const ours: Attributes = {};
  for (const k of Object.keys(attributes)) {
    if (k.startsWith('agentspan.')) ours[k] = attributes[k];
    delete attributes[k];
  }
  Object.assign(attributes, extra, ours, received, extra);
}

/** Whether `attributes` has more than `limit` keys (counting stops past it). */
function hasMoreKeys(attributes: Attributes, limit: number): boolean {
  if (!Number.isFinite(limit)) return false;
  let count = 0;
  for (const _ in attributes) if (++count > limit) return true;
  return false;
}

/**
 * Moves the `agentspan.*` keys (the plan's run, node and depth, what the gateway marks) before the
 * received ones, for a span with more keys than the replay keeps: they must not be the ones dropped.
 */
function agentspanKeysFirst(attributes: Attributes): void {
  markFirst(attributes, {});
}

/** The attributes a replayed span keeps: its first `limit` keys (as the SDK's `attributeCountLimit` keeps them). */
function asReplayed(attributes: Attributes, limit: number): Attributes {
  if (!hasMoreKeys(attributes, limit)) return attributes;
  const kept: Attributes = {};
  let n = 0;
  for (const key in attributes) {
    if (n++ >= limit) break;
    kept[key] = attributes[key];
  }
  return kept;
}
