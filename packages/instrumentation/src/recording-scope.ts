import {
  context as otelContext,
  trace,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  type Context,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import {
  agentCallSpanName,
  codeExecutionSpanName,
  fileGenSpanName,
  handoffSpanName,
  toolCallSpanName,
} from '@agentspan/semconv';
import {
  AttributeBag,
  agentCallAttributes,
  agentCallResultAttributes,
  codeExecutionAttributes,
  codeExecutionResultAttributes,
  fileGeneratedAttributes,
  handoffAttributes,
  nameOf,
  toolCallAttributes,
  toolCallResultAttributes,
  type EventScope,
} from './event-attributes.js';
import { guarded, reportFailure } from './guard.js';
import { SHUTDOWN_REASON, type OpenHandle, type OpenHandles } from './open-handles.js';
import { endSpan, statusFromBag } from './span-end.js';
import { checkedTime, startTimeOption } from './time-input.js';
import type {
  AgentCallEvent,
  AgentCallResult,
  CodeExecutionEvent,
  CodeExecutionResult,
  EventHandle,
  EventRecorder,
  EventTiming,
  FileGeneratedEvent,
  HandoffEvent,
  ToolCallEvent,
  ToolCallResult,
} from './types.js';

/** What every scope needs to create spans. */
export interface ScopeDeps {
  readonly tracer: Tracer;
  /** Longest text kept for one content attribute. */
  readonly maxContentChars: number;
  /** Events, nodes and runs still open, for shutdown to end. */
  readonly openHandles: OpenHandles;
}

type Fill<E> = (bag: AttributeBag, scope: EventScope, event: E) => void;
type FillResult<R> = (bag: AttributeBag, result: R) => void;

const NOOP_HANDLE: EventHandle<never> = {
  spanContext: () => INVALID_SPAN_CONTEXT,
  with: <T>(fn: () => T): T => fn(),
  end: () => undefined,
};

/**
 * Records events as child spans of one parent (a run or node span). The
 * parent is carried explicitly, so recording works from timers, event
 * emitters and native callbacks where the ambient OTel context is lost.
 */
export class RecordingScope implements EventRecorder {
  constructor(
    protected readonly deps: ScopeDeps,
    /** Placement of events recorded here. */
    protected readonly eventScope: EventScope,
    /** Context whose active span is the parent of events recorded here. */
    protected readonly parentContext: Context,
  ) {}

  agentCall(event: AgentCallEvent): void {
    try {
      this.record(agentCallSpanName(nameOf(event?.agent, 'agent')), agentCallAttributes, event);
    } catch (err) {
      reportFailure('agentCall', err);
    }
  }

  beginAgentCall(event: AgentCallEvent): EventHandle<AgentCallResult> {
    return guarded('beginAgentCall', NOOP_HANDLE, () =>
      this.begin(agentCallSpanName(nameOf(event?.agent, 'agent')), agentCallAttributes, agentCallResultAttributes, event),
    );
  }

  codeExecution(event: CodeExecutionEvent): void {
    try {
      this.record(codeExecutionSpanName(nameOf(event?.agent, 'executor')), codeExecutionAttributes, event);
    } catch (err) {
      reportFailure('codeExecution', err);
    }
  }

  beginCodeExecution(event: CodeExecutionEvent): EventHandle<CodeExecutionResult> {
    return guarded('beginCodeExecution', NOOP_HANDLE, () =>
      this.begin(
        codeExecutionSpanName(nameOf(event?.agent, 'executor')),
        codeExecutionAttributes,
        codeExecutionResultAttributes,
        event,
      ),
    );
  }

  toolCall(event: ToolCallEvent): void {
    try {
      this.record(toolCallSpanName(nameOf(event?.tool, 'tool')), toolCallAttributes, event);
    } catch (err) {
      reportFailure('toolCall', err);
    }
  }

  beginToolCall(event: ToolCallEvent): EventHandle<ToolCallResult> {
    return guarded('beginToolCall', NOOP_HANDLE, () =>
      this.begin(toolCallSpanName(nameOf(event?.tool, 'tool')), toolCallAttributes, toolCallResultAttributes, event),
    );
  }

  fileGenerated(event: FileGeneratedEvent): void {
    try {
      this.record(fileGenSpanName(nameOf(event?.path, 'unknown')), fileGeneratedAttributes, event);
    } catch (err) {
      reportFailure('fileGenerated', err);
    }
  }

  handoff(event: HandoffEvent): void {
    try {
      this.record(handoffSpanName(nameOf(event?.from, 'agent'), nameOf(event?.to, 'agent')), handoffAttributes, event);
    } catch (err) {
      reportFailure('handoff', err);
    }
  }

  /**
   * An event that already happened: one span, started and ended now (only
   * `endTime` given: an instant at that time). Per call this allocates the
   * attribute map and the options object, nothing else.
   */
  private record<E extends EventTiming & { error?: unknown }>(name: string, fill: Fill<E>, event: E): void {
    const e = (event ?? {}) as E;
    const bag = new AttributeBag(this.deps.maxContentChars);
    fill(bag, this.eventScope, e);
    const startTime: TimeInput | undefined = checkedTime(e.startTime);
    const end: TimeInput | undefined = checkedTime(e.endTime);
    const start = startTime ?? end;
    const attributes = bag.finish();
    const span = this.deps.tracer.startSpan(
      name,
      start === undefined ? { kind: SpanKind.INTERNAL, attributes } : { kind: SpanKind.INTERNAL, attributes, startTime: start },
      this.parentContext,
    );
    statusFromBag(span, bag);
    span.end(end);
  }

  /** An event still running: the span stays open until `end()`. */
  private begin<E extends EventTiming, R extends EventTiming & { error?: unknown }>(
    name: string,
    fill: Fill<E>,
    fillResult: FillResult<R>,
    event: E,
  ): EventHandle<R> {
    const e = (event ?? {}) as E;
    const bag = new AttributeBag(this.deps.maxContentChars);
    fill(bag, this.eventScope, e);
    const span = this.deps.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes: bag.finish(), ...startTimeOption(e.startTime) },
      this.parentContext,
    );
    const spanContext = span.spanContext();
    const ctx = trace.setSpan(this.parentContext, span);
    let ended = false;
    const openHandles = this.deps.openHandles;
    const handle: EventHandle<R> & OpenHandle = {
      openKind: 'event',
      spanContext: () => spanContext,
      with: <T>(fn: () => T): T => otelContext.with(ctx, fn),
      end: (result?: R) => {
        if (ended) return;
        ended = true;
        openHandles.delete(handle);
        const r = (result ?? {}) as R;
        const resultBag = new AttributeBag(this.deps.maxContentChars);
        endSpan('end', span, resultBag, () => r.endTime, () => fillResult(resultBag, r));
      },
      // An error makes the event failed, with the reason as its message.
      endAtShutdown: () => handle.end({ error: SHUTDOWN_REASON } as R),
    };
    openHandles.add(handle);
    return handle;
  }
}
