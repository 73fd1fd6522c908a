/**
 * What the gateway leaves out of the spans it replays, counted once per
 * span. A span loses received attributes past the replay's budget
 * (attribute-budget.ts), and the SDK drops events past 4 096 and attributes
 * past 1 024 on one event or link, links past 1 024 (`REPLAY_SPAN_LIMITS`).
 *
 * Counted per span, not per reception: a sender that retries a request
 * (its answer lost, a 503) sends the same spans again, and their rows are
 * written once (idempotent), so counting the retry again would report more
 * losses than the rows show. The spans counted are remembered by trace and
 * span id, the last {@link MAX_REMEMBERED_SPANS} of them (spans that lose
 * something are rare: a sender past its SDK's own limits); a span retried
 * after that many others lost something is counted again.
 */

/** What was left out of one replayed span. */
export interface SpanCut {
  /** Received span attributes past the replay's budget (the keys agentspan reads are kept first). */
  readonly attributes: number;
  /** Events past the SDK's `eventCountLimit` (the oldest are dropped). */
  readonly events: number;
  /** Attributes past `attributePerEventCountLimit`, on the events kept. */
  readonly eventAttributes: number;
  /** Links past the SDK's `linkCountLimit` (the first are dropped). */
  readonly links: number;
  /** Attributes past `attributePerLinkCountLimit`, on the links kept. */
  readonly linkAttributes: number;
}

/** `stats().attributesDropped`: spans that lost attributes, and how many. */
export interface AttributesDroppedStats {
  readonly spans: number;
  readonly attributes: number;
}

/** `stats().eventsDropped`: spans that lost events or event attributes, and how many. */
export interface EventsDroppedStats {
  readonly spans: number;
  readonly events: number;
  readonly eventAttributes: number;
}

/** `stats().linksDropped`: spans that lost links or link attributes, and how many. */
export interface LinksDroppedStats {
  readonly spans: number;
  readonly links: number;
  readonly linkAttributes: number;
}

/** Spans remembered as counted (about 100 bytes each: a key of 49 characters and its entry). */
export const MAX_REMEMBERED_SPANS = 10_000;

/** Which kinds of loss a span was the first of (for a log line once per kind). */
export interface FirstCuts {
  readonly attributes: boolean;
  readonly events: boolean;
  readonly links: boolean;
}

const NONE: FirstCuts = Object.freeze({ attributes: false, events: false, links: false });

/** Whether anything was left out. */
export function isCut(cut: SpanCut): boolean {
  return cut.attributes + cut.events + cut.eventAttributes + cut.links + cut.linkAttributes > 0;
}

export class SpanCutCounter {
  private readonly seen = new Map<string, true>();
  private readonly attributes = { spans: 0, attributes: 0 };
  private readonly events = { spans: 0, events: 0, eventAttributes: 0 };
  private readonly links = { spans: 0, links: 0, linkAttributes: 0 };

  constructor(private readonly maxRemembered = MAX_REMEMBERED_SPANS) {}

  /**
   * Counts what span `traceId`/`spanId` lost, unless it was counted
   * already (sent again). Returns the kinds of loss counted here for the
   * first time since the gateway started.
   */
  count(traceId: string, spanId: string, cut: SpanCut): FirstCuts {
    if (!isCut(cut)) return NONE;
    const key = `${traceId}/${spanId}`;
    if (this.seen.has(key)) return NONE;
    this.seen.set(key, true);
    if (this.seen.size > this.maxRemembered) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    const first = {
      attributes: cut.attributes > 0 && this.attributes.spans === 0,
      events: cut.events + cut.eventAttributes > 0 && this.events.spans === 0,
      links: cut.links + cut.linkAttributes > 0 && this.links.spans === 0,
    };
    if (cut.attributes > 0) {
      this.attributes.spans += 1;
      this.attributes.attributes += cut.attributes;
    }
    if (cut.events + cut.eventAttributes > 0) {
      this.events.spans += 1;
      this.events.events += cut.events;
      this.events.eventAttributes += cut.eventAttributes;
    }
    if (cut.links + cut.linkAttributes > 0) {
      this.links.spans += 1;
      this.links.links += cut.links;
      this.links.linkAttributes += cut.linkAttributes;
    }
    return first;
  }

  stats(): { attributesDropped: AttributesDroppedStats; eventsDropped: EventsDroppedStats; linksDropped: LinksDroppedStats } {
    return { attributesDropped: { ...this.attributes }, eventsDropped: { ...this.events }, linksDropped: { ...this.links } };
  }
}
