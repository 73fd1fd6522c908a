/**
 * Marks a replayed span that lost something in the gateway (see
 * span-cuts.ts) so that its row says so, and says it was the gateway:
 * `agentspan.truncated` (`meta.truncated`, as any cut) and, in the span's
 * `agentspan.meta`, the key {@link GATEWAY_DROPPED_META_KEY} with the
 * counts, which the Postgres exporter merges into the row's `meta` like
 * any user metadata. `meta.truncated` alone cannot tell a content cut (the
 * processor's, a value ending in its truncation mark) from this one.
 *
 * A span processor placed right after agentspan's: it writes in `onEnding`,
 * once the processor has written the span's `agentspan.meta` (its GenAI
 * mapping writes one only when the span has none, so the mark cannot be set
 * when the span starts) and its own `agentspan.truncated`, and before the
 * exporters read the span.
 */

import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Attr } from '@agentspan/semconv';
import type { SpanCut } from './span-cuts.js';

/** The key of `meta` (of the row, through `agentspan.meta`) holding what the gateway left out of the span. */
export const GATEWAY_DROPPED_META_KEY = 'gateway_dropped';

/** The mark's value: the non-zero counts, in the row's snake_case. */
export function cutMeta(cut: SpanCut): Record<string, number> {
  const out: Record<string, number> = {};
  if (cut.attributes > 0) out['attributes'] = cut.attributes;
  if (cut.events > 0) out['events'] = cut.events;
  if (cut.eventAttributes > 0) out['event_attributes'] = cut.eventAttributes;
  if (cut.links > 0) out['links'] = cut.links;
  if (cut.linkAttributes > 0) out['link_attributes'] = cut.linkAttributes;
  return out;
}

/**
 * `agentspan.meta` with `key: value` added. The text given is extended, not
 * parsed and written again (integers past 2^53 in it keep their digits, as
 * the exporter reads them); the new key comes last, so it wins over one of
 * the same name. Metadata that is no JSON object is what the exporter stores
 * as `meta.user_meta`, and becomes exactly that.
 */
export function withMetaKey(meta: unknown, key: string, value: unknown): string {
  const entry = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  if (meta === undefined || meta === null) return `{${entry}}`;
  if (typeof meta === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(meta);
    } catch {
      parsed = meta; // text: the exporter keeps it as text
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const end = meta.lastIndexOf('}');
      return Object.keys(parsed).length === 0 ? `{${entry}}` : `${meta.slice(0, end)},${entry}}`;
    }
    return `{${JSON.stringify('user_meta')}:${typeof parsed === 'string' ? JSON.stringify(parsed) : meta},${entry}}`;
  }
  return `{${JSON.stringify('user_meta')}:${JSON.stringify(meta)},${entry}}`;
}

export class CutMarks implements SpanProcessor {
  private readonly pending = new WeakMap<Span, SpanCut>();
  /** Spans expected and not ended yet: every other span passes with one comparison. */
  private waiting = 0;

  /** `span`, about to end, lost `cut`: mark it when it ends. */
  expect(span: Span, cut: SpanCut): void {
    if (!this.pending.has(span)) this.waiting += 1;
    this.pending.set(span, cut);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    if (this.waiting === 0) return;
    const cut = this.pending.get(span);
    if (cut === undefined) return;
    this.pending.delete(span);
    this.waiting -= 1;
    try {
      span.setAttribute(Attr.ATTR_TRUNCATED, true);
      span.setAttribute(Attr.ATTR_USER_META, withMetaKey(span.attributes[Attr.ATTR_USER_META], GATEWAY_DROPPED_META_KEY, cutMeta(cut)));
    } catch {
      // A mark not written leaves the counts in stats(); never a failed replay.
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
