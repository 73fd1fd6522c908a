/**
 * Which attributes a replayed span starts with when its sender sent more
 * than the replay keeps. The SDK's `attributeCountLimit` keeps the first
 * keys of an object and drops the rest silently, so a span whose
 * `gen_ai.operation.name`, agent name or run id came after thousands of
 * other keys lost exactly the keys its row is decided on. Here the keys
 * agentspan reads are kept first, whatever their position, and the count
 * of the others dropped is returned, so it can be reported.
 */

import type { Attributes } from '@opentelemetry/api';
import { Attr, ForeignAttr as F } from '@agentspan/semconv';

/**
 * Most received attributes a replayed span starts with (the sender applied
 * its own limits already; the SDKs' default is 128).
 */
export const MAX_RECEIVED_ATTRIBUTES = 4096;

function semconvValues(prefix: string): string[] {
  const out: string[] = [];
  for (const [name, value] of [...Object.entries(Attr), ...Object.entries(F)]) {
    if (name.startsWith(prefix) && typeof value === 'string') out.push(value);
  }
  return out;
}

/** Every attribute key agentspan reads or writes (`@agentspan/semconv` is the one place they are spelt). */
const KNOWN_KEYS: ReadonlySet<string> = new Set(semconvValues('ATTR_'));
/** Prefixes of the indexed keys agentspan reads (OpenLLMetry and OpenInference messages: the content of a turn). */
const KNOWN_PREFIXES: readonly string[] = semconvValues('PREFIX_');

/**
 * Most keys the gateway and agentspan's processor add to a replayed span
 * (its run, node and depth, the mapping's result, what it extracts): each is
 * a semconv key, so there are at most as many as semconv has.
 */
export const MAX_ADDED_ATTRIBUTES = KNOWN_KEYS.size;

/** The attributes a span starts with, and how many received ones were left out. */
export interface KeptAttributes {
  readonly attributes: Attributes;
  readonly dropped: number;
}

/**
 * `attributes` as they are when they have at most `limit` keys (nothing
 * copied); else `limit` of them: every key agentspan reads and every key
 * in `alsoKeep` (the configured run and node attributes) first, then keys
 * under the prefixes it reads (message content), then the others, each in
 * the order received. (A JavaScript object lists keys that look like array
 * indices, `"0"`, `"1"`, first whatever the order they came in: among the
 * others, those are kept first.)
 */
export function keepDecidingAttributes(attributes: Attributes, limit: number, alsoKeep: readonly (string | undefined)[] = []): KeptAttributes {
  // Own keys only: an object whose prototype was set (a `__proto__` key assigned, which the decoder now skips)
  // would list the prototype's members under `for...in` ("0", "1", ...) and copy them onto the span.
  const keys = Object.keys(attributes);
  if (keys.length <= limit) return { attributes, dropped: 0 };

  const isKnown = (key: string): boolean => KNOWN_KEYS.has(key) || alsoKeep.includes(key);
  const kept: Attributes = {};
  let room = limit;
  for (const key of keys) {
    if (room > 0 && isKnown(key)) {
      kept[key] = attributes[key];
      room -= 1;
    }
  }
  if (room > 0) {
    for (const key of keys) {
      if (room === 0) break;
      if (!isKnown(key) && KNOWN_PREFIXES.some((p) => key.startsWith(p))) {
        kept[key] = attributes[key];
        room -= 1;
      }
    }
  }
  if (room > 0) {
    for (const key of keys) {
      if (room === 0) break;
      if (!Object.prototype.hasOwnProperty.call(kept, key) && !isKnown(key)) {
        kept[key] = attributes[key];
        room -= 1;
      }
    }
  }
  return { attributes: kept, dropped: keys.length - (limit - room) };
}
