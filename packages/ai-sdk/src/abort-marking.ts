import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';

/**
 * Marks the spans an aborted AI SDK call leaves open as failed.
 *
 * `@ai-sdk/otel`'s `onAbort` (a `streamText` whose `abortSignal` fired) ends
 * the call's open spans (`chat`, `execute_tool`, `step`, `invoke_agent`)
 * without a status or an error, so the cut-short model turn would read as a
 * `completed` row with no message. The integration is wrapped, through the
 * public `Telemetry` interface only: every callback carries the call's
 * `callId`, so the spans started while a callback of a call runs are that
 * call's; when `onAbort` comes, those still open get status ERROR,
 * `error.type` `AbortError` and an exception event with the abort reason,
 * then the integration ends them as before.
 */

/** Calls remembered at once (a call is forgotten at its end, error or abort). */
const MAX_CALLS = 10_000;
/** Spans remembered per call before the ended ones are dropped. */
const PRUNE_AT = 256;
const END_CALLBACKS: ReadonlySet<PropertyKey> = new Set(['onEnd', 'onError', 'onAbort']);

function callIdOf(event: unknown): string | undefined {
  try {
    const id = (event as { callId?: unknown } | null | undefined)?.callId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The text of an abort reason (`AbortSignal.reason`: an Error, a DOMException,
 * anything). Never throws: a reason whose `message` getter throws, or a Proxy
 * that throws on every read, made the marking give up, and the aborted turn
 * (the caller saw it fail) was a `completed` row.
 */
export function abortMessage(reason: unknown): string {
  if (typeof reason === 'string') return reason.length > 0 ? reason : 'aborted';
  if (typeof reason === 'number' || typeof reason === 'boolean' || typeof reason === 'bigint') return String(reason);
  try {
    const message = (reason as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' && message.length > 0 ? message : 'aborted';
  } catch {
    return 'aborted';
  }
}

export class AbortMarking {
  private readonly calls = new Map<string, Set<Span>>();
  private current: string | undefined;

  /** `base`, recording which call each span it starts belongs to. */
  tracer(base: Tracer): Tracer {
    return {
      startSpan: (name, options, context) => {
        const span = base.startSpan(name, options, context);
        this.started(span);
        return span;
      },
      startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) =>
        (base.startActiveSpan as (...a: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
    };
  }

  /** `integration` with each callback run as its call's (so its spans are known), `onAbort` marking them first. */
  wrap<T extends object>(integration: T): T {
    return new Proxy(integration, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          const id = callIdOf(args[0]);
          if (prop === 'onAbort') this.aborted(id, (args[0] as { reason?: unknown } | undefined)?.reason);
          const previous = this.current;
          this.current = id ?? previous;
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            this.current = previous;
            if (id !== undefined && END_CALLBACKS.has(prop)) this.calls.delete(id);
          }
        };
      },
    });
  }

  private started(span: Span): void {
    try {
      const id = this.current;
      if (id === undefined) return;
      let spans = this.calls.get(id);
      if (!spans) {
        if (this.calls.size >= MAX_CALLS) this.calls.delete(this.calls.keys().next().value as string);
        spans = new Set();
        this.calls.set(id, spans);
      }
      if (spans.size >= PRUNE_AT) for (const s of spans) if (!s.isRecording()) spans.delete(s);
      spans.add(span);
    } catch {
      // Bookkeeping only: never in the way of the span.
    }
  }

  private aborted(id: string | undefined, reason: unknown): void {
    if (id === undefined) return;
    try {
      const message = abortMessage(reason);
      for (const span of this.calls.get(id) ?? []) {
        if (!span.isRecording()) continue;
        span.recordException({ name: 'AbortError', message });
        span.setAttribute('error.type', 'AbortError');
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
    } catch {
      // A span that refuses the marks keeps the integration's own ending.
    }
  }
}
