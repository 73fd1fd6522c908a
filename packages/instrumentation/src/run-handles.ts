import { randomUUID } from 'node:crypto';
import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  trace,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import {
  Attr,
  EventStatus,
  EventType,
  GenAiOperation,
  RunStatus,
  nodeSpanName,
  runSpanName,
} from '@agentspan/semconv';
import { runWith, withActiveRecording, type ActiveRecording } from './active-recording.js';
import { AttributeBag, errorAttributes, mergeUserMeta, nameOf } from './event-attributes.js';
import { guarded, reportFailure } from './guard.js';
import { readFields, readableCopy } from './readable-copy.js';
import { RecordingScope, type ScopeDeps } from './recording-scope.js';
import { SHUTDOWN_REASON, type OpenHandle } from './open-handles.js';
import { endSpan } from './span-end.js';
import { idOf } from './ids.js';
import { startTimeOption } from './time-input.js';
import { formatTraceparent } from './traceparent.js';
import type {
  EndNodeOptions,
  EndRunOptions,
  NodeHandle,
  RunHandle,
  RunReference,
  StartNodeOptions,
  StartRunOptions,
} from './types.js';

/**
 * The span `start` makes, or, when starting it throws (a span processor or
 * sampler that throws in the provider), a non-recording stand-in: the run or
 * node handle still works (its events are recorded, or counted when they
 * fail too) and nothing is thrown into the caller; the failure is counted.
 * Failing here, after the options were read, is not retried: the provider
 * may have started the span before it threw.
 */
function startOrStandIn(deps: ScopeDeps, site: string, start: () => Span): Span {
  try {
    return start();
  } catch (err) {
    deps.failures.count += 1;
    reportFailure(site, err);
    return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }
}

/** What `run.end()` and `node.end()` read of their options. */
const END_FIELDS = ['status', 'error', 'endTime', 'metadata'] as const;

/** Whether an `error` option says the run or node failed: as `errorAttributes` reads it (`false` is no error). */
function hasError(error: unknown): boolean {
  return error !== undefined && error !== null && error !== false;
}

/** Depths under the run span (column `depth`). */
const RUN_DEPTH = 0;
const NODE_DEPTH = 1;

/** A running workflow. Events recorded directly on the run have no node. */
export class Run extends RecordingScope implements RunHandle, OpenHandle {
  readonly openKind = 'run';
  readonly id: string;
  private readonly span: Span;
  private readonly openNodes = new Set<Node>();
  private nodeCount = 0;
  private ended = false;

  constructor(deps: ScopeDeps, options: StartRunOptions) {
    const id = idOf(options.runId) ?? randomUUID();
    const mode = nameOf(options.mode, 'workflow');
    const bag = new AttributeBag(deps.maxContentChars);
    bag.set(Attr.ATTR_EVENT_TYPE, EventType.RUN);
    bag.set(Attr.ATTR_GEN_AI_OPERATION_NAME, GenAiOperation.INVOKE_WORKFLOW);
    bag.set(Attr.ATTR_GEN_AI_WORKFLOW_NAME, mode);
    bag.set(Attr.ATTR_GEN_AI_CONVERSATION_ID, id);
    bag.set(Attr.ATTR_RUN_ID, id);
    bag.set(Attr.ATTR_RUN_MODE, mode);
    bag.set(Attr.ATTR_DEPTH, RUN_DEPTH);
    if (options.task !== undefined) bag.text(Attr.ATTR_RUN_TASK, options.task);
    // A key shared by runs, read as run ids are: cut to a bare prefix, two long session ids would be one session.
    bag.set(Attr.ATTR_SESSION_ID, idOf(options.sessionId));
    if (options.metadata !== undefined) bag.json(Attr.ATTR_USER_META, options.metadata);
    const parent = options.newTrace ? ROOT_CONTEXT : otelContext.active();
    const spanOptions = {
      kind: SpanKind.INTERNAL,
      attributes: bag.finish(),
      ...startTimeOption(options.startTime),
      ...(options.newTrace ? { root: true } : {}),
    };
    const span = startOrStandIn(deps, 'startRun', () => deps.tracer.startSpan(runSpanName(mode), spanOptions, parent));
    super(deps, { runId: id, nodeId: undefined, depth: NODE_DEPTH }, trace.setSpan(ROOT_CONTEXT, span));
    this.id = id;
    this.span = span;
    deps.openHandles.add(this);
  }

  /** @internal Ends the run as cancelled by shutdown (its open nodes failed). */
  endAtShutdown(): void {
    this.end({ status: RunStatus.CANCELLED, error: SHUTDOWN_REASON });
  }

  spanContext(): SpanContext {
    return this.span.spanContext();
  }

  startNode(nodeId: string, options?: StartNodeOptions): NodeHandle {
    const id = idOf(nodeId) ?? `node_${this.nodeCount + 1}`;
    // After the run ended (a late framework callback) a node span would never be ended nor exported,
    // and its events would hang under it: they go under the run, stamped with the node id.
    if (this.ended) return new DetachedNode(this.deps, this, id, this.parentContext);
    const start = (o: StartNodeOptions): Node => {
      const created = new Node(this.deps, this, id, this.nodeCount, o, this.parentContext);
      this.nodeCount += 1;
      this.openNodes.add(created);
      return created;
    };
    // Options with an unreadable field (a throwing getter) are read again from a copy holding the rest.
    const node =
      guarded<Node | undefined>('startNode', undefined, () => start(options ?? {})) ??
      guarded<Node | undefined>('startNode', undefined, () => start(readableCopy(options) as StartNodeOptions));
    return node ?? new DetachedNode(this.deps, this, id, this.parentContext);
  }

  node(nodeId: string): NodeHandle | undefined {
    // Normalised as startNode normalises it: startNode(5) is found by node(5) and node('5').
    const id = idOf(nodeId);
    if (id === undefined) return undefined;
    let found: Node | undefined;
    for (const n of this.openNodes) if (n.id === id) found = n;
    return found;
  }

  /** @internal Called by a node when it ends. */
  nodeEnded(node: Node): void {
    this.openNodes.delete(node);
  }

  protected activeRecording(): ActiveRecording {
    return { kind: 'run', run: this };
  }

  with<T>(fn: () => T): T {
    return runWith(withActiveRecording(trace.setSpan(otelContext.active(), this.span), this.activeRecording()), fn);
  }

  reference(): RunReference {
    return { runId: this.id, traceparent: formatTraceparent(this.span.spanContext()) };
  }

  end(options?: EndRunOptions): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.openHandles.delete(this);
    // Each option read once, an unreadable one costing itself only (options that cannot be read at all: none).
    const o = readFields(options, END_FIELDS) as EndRunOptions;
    const failed = hasError(o.error);
    for (const node of [...this.openNodes]) {
      node.end({ status: failed ? EventStatus.FAILED : EventStatus.COMPLETED });
    }
    const bag = new AttributeBag(this.deps.maxContentChars);
    endSpan('run.end', this.span, bag, () => o.endTime, () => {
      const status = o.status;
      bag.set(Attr.ATTR_RUN_STATUS, nameOf(status, failed ? RunStatus.FAILED : RunStatus.SUCCESS));
      if (status === RunStatus.FAILED && !failed) {
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'run failed' });
      }
      const metadata = o.metadata;
      if (metadata !== undefined) bag.json(Attr.ATTR_USER_META, metadata);
      mergeUserMeta(bag, this.span);
      errorAttributes(bag, o.error);
    }, this.deps.failures);
  }
}

/** A step of a run. */
export class Node extends RecordingScope implements NodeHandle, OpenHandle {
  readonly openKind = 'node';
  readonly id: string;
  readonly run: Run;
  private readonly span: Span;
  private ended = false;

  constructor(
    deps: ScopeDeps,
    run: Run,
    nodeId: string,
    order: number,
    options: StartNodeOptions,
    runContext: Context,
  ) {
    const bag = new AttributeBag(deps.maxContentChars);
    bag.set(Attr.ATTR_EVENT_TYPE, EventType.NODE);
    bag.set(Attr.ATTR_RUN_ID, run.id);
    bag.set(Attr.ATTR_GEN_AI_CONVERSATION_ID, run.id);
    bag.set(Attr.ATTR_NODE_ID, nodeId);
    bag.set(Attr.ATTR_DEPTH, NODE_DEPTH);
    if (order >= 0) bag.set(Attr.ATTR_NODE_ORDER, order);
    bag.set(Attr.ATTR_NODE_TYPE, nameOf(options.type, 'step'));
    if (options.title !== undefined) bag.text(Attr.ATTR_NODE_TITLE, options.title);
    if (options.agent !== undefined) bag.set(Attr.ATTR_GEN_AI_AGENT_NAME, nameOf(options.agent, 'agent'));
    if (options.metadata !== undefined) bag.json(Attr.ATTR_USER_META, options.metadata);
    const spanOptions = { kind: SpanKind.INTERNAL, attributes: bag.finish(), ...startTimeOption(options.startTime) };
    const span = startOrStandIn(deps, 'startNode', () => deps.tracer.startSpan(nodeSpanName(nodeId), spanOptions, runContext));
    super(deps, { runId: run.id, nodeId, depth: NODE_DEPTH + 1 }, trace.setSpan(ROOT_CONTEXT, span));
    this.id = nodeId;
    this.run = run;
    this.span = span;
    deps.openHandles.add(this);
  }

  /** @internal Ends the node as failed by shutdown. */
  endAtShutdown(): void {
    this.end({ error: SHUTDOWN_REASON });
  }

  spanContext(): SpanContext {
    return this.span.spanContext();
  }

  protected activeRecording(): ActiveRecording {
    return { kind: 'node', node: this };
  }

  with<T>(fn: () => T): T {
    return runWith(withActiveRecording(trace.setSpan(otelContext.active(), this.span), this.activeRecording()), fn);
  }

  reference(): RunReference {
    return { runId: this.run.id, nodeId: this.id, traceparent: formatTraceparent(this.span.spanContext()) };
  }

  end(options?: EndNodeOptions): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.openHandles.delete(this);
    const o = readFields(options, END_FIELDS) as EndNodeOptions;
    const bag = new AttributeBag(this.deps.maxContentChars);
    endSpan('node.end', this.span, bag, () => o.endTime, () => {
      const status = o.status;
      if (status !== undefined) bag.set(Attr.ATTR_STATUS, nameOf(status, EventStatus.COMPLETED));
      const error = o.error;
      // No error to take the status from (`null` and `false` are none, as for run.end): the status says failed.
      if (status === EventStatus.FAILED && !hasError(error)) {
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'node failed' });
      }
      const metadata = o.metadata;
      if (metadata !== undefined) bag.json(Attr.ATTR_USER_META, metadata);
      mergeUserMeta(bag, this.span);
      errorAttributes(bag, error);
    }, this.deps.failures);
    this.run.nodeEnded(this);
  }
}

/**
 * Fallback when a node span could not be created, or is asked for after its
 * run ended: events recorded here go straight under the run, still stamped
 * with the node id, so nothing is lost.
 */
class DetachedNode extends RecordingScope implements NodeHandle {
  constructor(
    deps: ScopeDeps,
    readonly run: Run,
    readonly id: string,
    runContext: Context,
  ) {
    super(deps, { runId: run.id, nodeId: id, depth: NODE_DEPTH }, runContext);
  }
  spanContext(): SpanContext {
    return this.run.spanContext();
  }
  protected activeRecording(): ActiveRecording {
    return { kind: 'node', node: this };
  }
  with<T>(fn: () => T): T {
    // The run's span is the parent (no node span was opened); this node is the active recording.
    if (typeof fn !== 'function') return undefined as T;
    return this.run.with(() => runWith(withActiveRecording(otelContext.active(), this.activeRecording()), fn));
  }
  reference(): RunReference {
    return { ...this.run.reference(), nodeId: this.id };
  }
  end(): void {
    /* nothing was opened */
  }
}
