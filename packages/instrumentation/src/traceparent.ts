import { TraceFlags, type SpanContext } from '@opentelemetry/api';

/**
 * W3C `traceparent` text for a span context, and back. Kept here (rather than
 * going through a propagator) so a run reference can be built and read
 * without any global propagator being registered.
 */
export function formatTraceparent(sc: SpanContext): string {
  const flags = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/**
 * Version, trace id, parent id, flags, then whatever a later version adds
 * (W3C Trace Context §3.2: a parser of version 00 reads a higher version's
 * first four fields and ignores the rest, which must start with `-`).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/s;

/**
 * The remote span context a `traceparent` names, or undefined when it is
 * malformed or all-zero. Version `00` has exactly four fields; a higher
 * version (`01`–`fe`) is read as the spec says, its extra fields ignored;
 * `ff` is invalid. Upper-case hex is accepted (read as lower case).
 */
export function parseTraceparent(text: unknown): SpanContext | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TRACEPARENT.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}
