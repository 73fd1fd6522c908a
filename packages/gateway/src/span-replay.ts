/**
 * Re-creates received spans as OpenTelemetry SDK spans, so the very
 * processors and exporters of an in-process agentspan (stamping, GenAI
 * mapping, extraction, redaction, file capture, `file_gen` children, the
 * Postgres and OTLP pipelines) run on them unchanged and the rows have the
 * same shape.
 *
 * Each span keeps its received ids, parent, trace state, kind, times,
 * attributes, events, links, status, resource and instrumentation scope:
 * one `BasicTracerProvider` per distinct resource (least recently used
 * forgotten beyond a bound), an id generator and a sampler that hand out
 * the received ids and trace state for exactly one `startSpan` call, and
 * the in-request parent as a live SDK span in the parent context (so the
 * processor sees its attributes, as it would in process). Spans created by
 * the processor itself (`file_gen`) get fresh ids from the same generator.
 *
 * The run span a plan asks for after a trace's root (`PlannedSpan.run`) is
 * the one span the gateway makes up: it carries the root's trace and span
 * id (so `workflow_runs.span_id` names the real root span), times and
 * status, and goes through the processors inside `withoutForwarding` (a
 * forwarded copy would be a second span with the root's id in Jaeger).
 */

import {
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span as ApiSpan,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  RandomIdGenerator,
  SamplingDecision,
  type IdGenerator,
  type Sampler,
  type SamplingResult,
  type Span,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Attr, runSpanName } from '@agentspan/semconv';
import { MAX_ADDED_ATTRIBUTES, MAX_RECEIVED_ATTRIBUTES } from './attribute-budget.js';
import type { ReceivedResource, ReceivedSpan } from './otlp-model.js';
import type { ReplayPlan } from './replay-plan.js';
import { isCut, type SpanCut } from './span-cuts.js';
import { runToEnd, type SlicedWork } from './slices.js';

/**
 * Limits of replayed spans: high, because the sender applied its own
 * limits already and the gateway should not cut what it was sent (the body
 * limit bounds the total). The plan starts a span with at most
 * {@link MAX_RECEIVED_ATTRIBUTES} received attributes (the ones agentspan
 * reads first, see attribute-budget.ts); the SDK's limit has room above
 * that for every key the gateway and the processor add, so none of those is
 * dropped from a span the sender filled.
 */
export const REPLAY_SPAN_LIMITS: SpanLimits = Object.freeze({
  attributeCountLimit: MAX_RECEIVED_ATTRIBUTES + MAX_ADDED_ATTRIBUTES,
  attributeValueLengthLimit: Number.POSITIVE_INFINITY,
  eventCountLimit: 4096,
  linkCountLimit: 1024,
  attributePerEventCountLimit: 1024,
  attributePerLinkCountLimit: 1024,
});

/** Starts, ends and events replayed between two points where a replay may pause; a request of fewer never pauses. */
const PAUSE_WORK = 128;

/** Providers kept (one per distinct resource); the least recently used is forgotten first. */
const MAX_PROVIDERS = 256;
/** Instrumentation scopes per provider (each is a cached tracer); beyond it the provider is replaced by a fresh one. */
const MAX_SCOPES_PER_PROVIDER = 256;

/** Hands out the received ids for the next `startSpan`, random ids otherwise. */
class ReplayIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  traceId: string | undefined;
  spanId: string | undefined;

  generateTraceId(): string {
    const id = this.traceId;
    this.traceId = undefined;
    return id ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    const id = this.spanId;
    this.spanId = undefined;
    return id ?? this.random.generateSpanId();
  }
}

/** Records and samples everything (the sender sampled already); hands out the received trace state once. */
class ReplaySampler implements Sampler {
  traceState: TraceState | undefined;

  shouldSample(): SamplingResult {
    const traceState = this.traceState;
    this.traceState = undefined;
    return traceState === undefined
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
      : { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState };
  }

  toString(): string {
    return 'AgentspanGatewayReplaySampler';
  }
}

/** Options of {@link SpanReplayer}. */
export interface SpanReplayerOptions {
  /**
   * The span processors of spans from a service (by `service.name`),
   * agentspan's processor first. Called once per distinct resource.
   */
  processorsFor(serviceName: string | undefined): SpanProcessor[];
  /**
   * Runs `fn` (synchronous) with the spans it creates kept from forwarding:
   * the run spans made from trace roots. Default: `fn()` as is (nothing forwards).
   */
  withoutForwarding?(fn: () => void): void;
  /**
   * Called when a span about to end lost something in the replay (see
   * span-cuts.ts): received attributes the plan left out, events, links or
   * their attributes past the SDK's limits. Synchronous, before `span.end()`.
   */
  onCut?(span: Span, received: ReceivedSpan, cut: SpanCut): void;
}

/** What `span` (about to end) lost: the plan's attributes, and what the SDK dropped of its events and links. */
function cutOf(span: Span, received: ReceivedSpan, attributesDropped: number): SpanCut | undefined {
  // Most spans: nothing to look at.
  if (attributesDropped === 0 && received.events.length === 0 && received.links.length === 0) return undefined;
  let eventAttributes = 0;
  for (const e of span.events) eventAttributes += e.droppedAttributesCount ?? 0;
  let linkAttributes = 0;
  for (const l of span.links) linkAttributes += l.droppedAttributesCount ?? 0;
  const cut: SpanCut = {
    attributes: attributesDropped,
    events: span.droppedEventsCount,
    eventAttributes,
    links: span.droppedLinksCount,
    linkAttributes,
  };
  return isCut(cut) ? cut : undefined;
}

/** Turns replay plans into ended SDK spans, synchronously. */
export class SpanReplayer {
  private readonly ids = new ReplayIds();
  private readonly sampler = new ReplaySampler();
  private readonly providers = new Map<string, BasicTracerProvider>();
  /** Provider of each resource object, so spans the processor creates go to their parent's provider. */
  private readonly providerOfResource = new WeakMap<object, BasicTracerProvider>();
  /** Scope keys each provider has a tracer for (a provider caches its tracers for ever). */
  private readonly scopesOf = new WeakMap<BasicTracerProvider, Set<string>>();
  private readonly fallback: BasicTracerProvider;

  /**
   * A provider for spans the processors create (`file_gen`): it starts each
   * span with the provider of its parent, so a file keeps its agent's
   * resource (service name).
   */
  readonly tracerProvider: TracerProvider;

  constructor(private readonly options: SpanReplayerOptions) {
    this.fallback = this.createProvider(resourceFromAttributes({}), undefined);
    this.tracerProvider = {
      getTracer: (name, version, opts) => {
        const byParent = (ctx: Context | undefined): Tracer => {
          const parent = ctx === undefined ? undefined : (trace.getSpan(ctx) as unknown as { resource?: object } | undefined);
          const provider = (parent?.resource && this.providerOfResource.get(parent.resource)) || this.fallback;
          return provider.getTracer(name, version, opts);
        };
        return {
          startSpan: (spanName: string, spanOptions?: SpanOptions, ctx?: Context): ApiSpan =>
            byParent(ctx).startSpan(spanName, spanOptions, ctx),
          startActiveSpan: ((...args: unknown[]) => {
            const ctx = args.length >= 4 ? (args[2] as Context) : undefined;
            return (byParent(ctx).startActiveSpan as (...a: unknown[]) => unknown)(...args);
          }) as Tracer['startActiveSpan'],
        };
      },
    };
  }

  /** Providers currently cached (for stats). */
  get providerCount(): number {
    return this.providers.size;
  }

  private createProvider(resource: ReturnType<typeof resourceFromAttributes>, serviceName: string | undefined): BasicTracerProvider {
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: this.options.processorsFor(serviceName),
      idGenerator: this.ids,
      sampler: this.sampler,
      spanLimits: REPLAY_SPAN_LIMITS,
    });
    this.providerOfResource.set(resource, provider);
    return provider;
  }

  private providerFor(r: ReceivedResource): BasicTracerProvider {
    let provider = this.providers.get(r.key);
    if (provider !== undefined) {
      this.providers.delete(r.key); // re-inserted below: most recently used last
    } else {
      const serviceName = r.attributes[Attr.ATTR_SERVICE_NAME];
      provider = this.createProvider(
        resourceFromAttributes(r.attributes, r.schemaUrl === undefined ? undefined : { schemaUrl: r.schemaUrl }),
        typeof serviceName === 'string' ? serviceName : undefined,
      );
      if (this.providers.size >= MAX_PROVIDERS) {
        const oldest = this.providers.keys().next();
        if (!oldest.done) this.providers.delete(oldest.value);
      }
    }
    this.providers.set(r.key, provider);
    return provider;
  }

  /** Runs the plan's steps: starts and ends every span, in timeline order. */
  replay(plan: ReplayPlan): void {
    runToEnd(this.replayInSteps(plan));
  }

  /**
   * {@link replay} in steps that may pause (run it with `runInSlices`, the
   * spans' delivery ticket set around each slice): between two pauses, at
   * least {@link PAUSE_WORK} starts, ends and events. Spans still open at a
   * pause stay open; nothing else replays meanwhile (the gateway replays
   * one request at a time, in order).
   */
  *replayInSteps(plan: ReplayPlan): SlicedWork<void> {
    const live: (Span | undefined)[] = new Array<Span | undefined>(plan.spans.length);
    let work = 0;
    for (const step of plan.steps) {
      if (work >= PAUSE_WORK) {
        work = 0;
        yield;
      }
      work += 1;
      const planned = plan.spans[step.index];
      if (planned === undefined) continue;
      if (step.kind === 'start') {
        live[step.index] = this.start(planned.span, planned.attributes, planned.parent === undefined ? undefined : live[planned.parent]);
        continue;
      }
      const span = live[step.index];
      if (span === undefined) continue;
      const received = planned.span;
      for (const e of received.events) span.addEvent(e.name, e.attributes, e.time);
      work += received.events.length;
      if (received.status.code !== 0) span.setStatus(received.status);
      if (this.options.onCut !== undefined) {
        const cut = cutOf(span, received, planned.attributesDropped);
        if (cut !== undefined) this.options.onCut(span, received, cut);
      }
      span.end(received.endTime);
      // Ended spans take no setAttribute; exporters read this record later, as the processor's content policy relies on too.
      if (planned.restoreAfterEnd !== undefined) Object.assign(span.attributes, planned.restoreAfterEnd);
      const run = planned.run;
      if (run !== undefined) {
        const replayRun = (): void => this.replayRun(received, run);
        if (this.options.withoutForwarding !== undefined) this.options.withoutForwarding(replayRun);
        else replayRun();
      }
    }
  }

  /** The run span of a trace whose root `root` just ended: the root's ids, scope, resource, times and status. */
  private replayRun(root: ReceivedSpan, attributes: Attributes): void {
    const mode = attributes[Attr.ATTR_RUN_MODE];
    const span = this.startWithIds(
      this.tracerFor(root),
      root,
      runSpanName(typeof mode === 'string' ? mode : 'run'),
      { kind: SpanKind.INTERNAL, startTime: root.startTime, attributes },
      ROOT_CONTEXT,
    );
    if (root.status.code !== 0) span.setStatus(root.status);
    span.end(root.endTime);
  }

  /** The tracer of a span's resource and scope, keeping the number of cached tracers bounded. */
  private tracerFor(s: ReceivedSpan): Tracer {
    let provider = this.providerFor(s.resource);
    const key = `${s.scope.name}\u0000${s.scope.version ?? ''}\u0000${s.scope.schemaUrl ?? ''}`;
    let scopes = this.scopesOf.get(provider);
    if (scopes === undefined) this.scopesOf.set(provider, (scopes = new Set()));
    if (!scopes.has(key) && scopes.size >= MAX_SCOPES_PER_PROVIDER) {
      // A sender inventing scope names must not grow a provider's tracer cache without bound.
      this.providers.delete(s.resource.key);
      provider = this.providerFor(s.resource);
      this.scopesOf.set(provider, (scopes = new Set()));
    }
    scopes.add(key);
    return provider.getTracer(s.scope.name, s.scope.version, s.scope.schemaUrl === undefined ? undefined : { schemaUrl: s.scope.schemaUrl });
  }

  private start(s: ReceivedSpan, attributes: Attributes, parent: Span | undefined): Span {
    const tracer = this.tracerFor(s);
    let ctx: Context = ROOT_CONTEXT;
    if (parent !== undefined) ctx = trace.setSpan(ROOT_CONTEXT, parent);
    else if (s.parentSpanId !== undefined) {
      ctx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: s.traceId,
        spanId: s.parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
    }
    const links: Link[] = s.links.map((l) => ({
      context: {
        traceId: l.traceId,
        spanId: l.spanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
        ...(l.traceState !== undefined ? { traceState: new TraceState(l.traceState) } : {}),
      },
      attributes: l.attributes,
    }));
    return this.startWithIds(tracer, s, s.name, { kind: s.kind, startTime: s.startTime, attributes, links }, ctx);
  }

  /** Starts a span with the trace id, span id and trace state of `s`. */
  private startWithIds(tracer: Tracer, s: ReceivedSpan, name: string, options: SpanOptions, ctx: Context): Span {
    // The received ids and trace state, consumed by exactly this startSpan.
    this.ids.traceId = s.traceId;
    this.ids.spanId = s.spanId;
    this.sampler.traceState = s.traceState === undefined ? undefined : new TraceState(s.traceState);
    try {
      return tracer.startSpan(name, options, ctx) as Span;
    } finally {
      this.ids.traceId = undefined;
      this.ids.spanId = undefined;
      this.sampler.traceState = undefined;
    }
  }
}
