import {
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
  mergeUserMeta,
  nameOf,
  toolCallAttributes,
  toolCallResultAttributes,
  type EventScope,
} from './event-attributes.js';
import { runWith, withActiveRecording, type ActiveRecording } from './active-recording.js';
import { reportFailure } from './guard.js';
import { SHUTDOWN_REASON, type OpenHandle, type OpenHandles } from './open-handles.js';
import { readFields, readableCopy } from './readable-copy.js';
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
  /** Record calls that failed inside agentspan and recorded nothing (`Recorder.openHandleStats().failed`). */
  readonly failures: { count: number };
}

type Fill<E> = (bag: AttributeBag, scope: EventScope, event: E) => void;
type FillResult<R> = (bag: AttributeBag, result: R) => void;

/** What `end()` of each kind of event reads of its result (no more: a class's other getters never run). */
const AGENT_CALL_RESULT = ['content', 'hasToolCalls', 'status', 'error', 'metadata', 'endTime'] as const;
const CODE_EXECUTION_RESULT = ['output', 'exitCode', 'status', 'error', 'metadata', 'endTime'] as const;
const TOOL_CALL_RESULT = ['result', 'status', 'error', 'metadata', 'endTime'] as const;

/** A `begin*` event's span name, attributes and start time, as read once (see `RecordingScope.prepare`). */
interface Prepared {
  readonly bag: AttributeBag;
  readonly name: string;
  readonly startTime: unknown;
}

/** The span name of an event (module-level functions: no closure per call). */
type NameFor<E> = (event: E) => string;

/**
 * `s` as a string of its own. A name cut from a long text (by `nameOf`, or by the application before
 * it) is, in V8, a view that keeps the whole text alive: remembered as it is, one 200-character agent
 * name kept a model's megabyte reply for good. Joined to another string and sliced back, it is copied
 * flat (on a miss only).
 */
function ownCopy(s: string): string {
  return (' ' + s).slice(1);
}

/** Most span names of one kind {@link rememberedNames} keeps before it starts again. */
const MAX_REMEMBERED_NAMES = 256;

/**
 * `build`, remembering its names: a run repeats a few agents and tools thousands of times, and the
 * same name string each time is hashed once (a name built anew is hashed and compared again by every
 * lookup of it downstream, the processor's clean-name check among them). The text is `build`'s.
 */
function rememberedNames(build: (part: string) => string): (part: string) => string {
  const names = new Map<string, string>();
  return (part) => {
    let name = names.get(part);
    if (name === undefined) {
      const own = ownCopy(part);
      name = build(own);
      if (names.size >= MAX_REMEMBERED_NAMES) names.clear();
      names.set(own, name);
    }
    return name;
  };
}

const agentCallSpanNameOf = rememberedNames(agentCallSpanName);
const codeExecutionSpanNameOf = rememberedNames(codeExecutionSpanName);
const toolCallSpanNameOf = rememberedNames(toolCallSpanName);

const agentCallName = (e: AgentCallEvent): string => agentCallSpanNameOf(nameOf(e.agent, 'agent'));
const codeExecutionName = (e: CodeExecutionEvent): string => codeExecutionSpanNameOf(nameOf(e.agent, 'executor'));
const toolCallName = (e: ToolCallEvent): string => toolCallSpanNameOf(nameOf(e.tool, 'tool'));
const fileGenName = (e: FileGeneratedEvent): string => fileGenSpanName(nameOf(e.path, 'unknown'));
const handoffName = (e: HandoffEvent): string => handoffSpanName(nameOf(e.from, 'agent'), nameOf(e.to, 'agent'));

const NOOP_HANDLE: EventHandle<never> = {
  spanContext: () => INVALID_SPAN_CONTEXT,
  with: <T>(fn: () => T): T => (typeof fn === 'function' ? fn() : (undefined as T)),
  end: () => undefined,
};

/**
 * Records events as child spans of one parent (a run or node span). The
 * parent is carried explicitly, so recording works from timers, event
 * emitters and native callbacks where the ambient OTel context is lost.
 */
export abstract class RecordingScope implements EventRecorder {
  /**
   * Context whose active span is the parent of events recorded here; it names
   * this scope as the active recording (for an event handle's `with()`).
   */
  protected readonly parentContext: Context;

  constructor(
    protected readonly deps: ScopeDeps,
    /** Placement of events recorded here. */
    protected readonly eventScope: EventScope,
    parentContext: Context,
  ) {
    this.parentContext = withActiveRecording(parentContext, this.activeRecording());
  }

  /** This scope as `activeRecording()` reports it (called by the constructor: it may read no field of a subclass). */
  protected abstract activeRecording(): ActiveRecording;

  agentCall(event: AgentCallEvent): void {
    try {
      this.record(agentCallName, agentCallAttributes, event);
    } catch (err) {
      this.recordFailed('agentCall', err);
    }
  }

  beginAgentCall(event: AgentCallEvent): EventHandle<AgentCallResult> {
    try {
      return this.begin(agentCallName, agentCallAttributes, agentCallResultAttributes, AGENT_CALL_RESULT, event);
    } catch (err) {
      this.recordFailed('beginAgentCall', err);
      return NOOP_HANDLE;
    }
  }

  codeExecution(event: CodeExecutionEvent): void {
    try {
      this.record(codeExecutionName, codeExecutionAttributes, event);
    } catch (err) {
      this.recordFailed('codeExecution', err);
    }
  }

  beginCodeExecution(event: CodeExecutionEvent): EventHandle<CodeExecutionResult> {
    try {
      return this.begin(codeExecutionName, codeExecutionAttributes, codeExecutionResultAttributes, CODE_EXECUTION_RESULT, event);
    } catch (err) {
      this.recordFailed('beginCodeExecution', err);
      return NOOP_HANDLE;
    }
  }

  toolCall(event: ToolCallEvent): void {
    try {
      this.record(toolCallName, toolCallAttributes, event);
    } catch (err) {
      this.recordFailed('toolCall', err);
    }
  }

  beginToolCall(event: ToolCallEvent): EventHandle<ToolCallResult> {
    try {
      return this.begin(toolCallName, toolCallAttributes, toolCallResultAttributes, TOOL_CALL_RESULT, event);
    } catch (err) {
      this.recordFailed('beginToolCall', err);
      return NOOP_HANDLE;
    }
  }

  fileGenerated(event: FileGeneratedEvent): void {
    try {
      this.record(fileGenName, fileGeneratedAttributes, event);
    } catch (err) {
      this.recordFailed('fileGenerated', err);
    }
  }

  handoff(event: HandoffEvent): void {
    try {
      this.record(handoffName, handoffAttributes, event);
    } catch (err) {
      this.recordFailed('handoff', err);
    }
  }

  /**
   * The span name and attributes of a `begin*` event, read from the caller's
   * object; when a field cannot be read (a throwing getter, a proxy), read
   * again from a copy where that field is `"[unreadable]"` (see `readableCopy`).
   * `record` does the same, with the end time, written out.
   */
  private prepare<E extends EventTiming>(nameFor: NameFor<E>, fill: Fill<E>, event: E): Prepared {
    let e = (event ?? {}) as E;
    let bag = new AttributeBag(this.deps.maxContentChars);
    try {
      fill(bag, this.eventScope, e);
      return { bag, name: nameFor(e), startTime: e.startTime };
    } catch {
      e = readableCopy(e) as E;
      bag = new AttributeBag(this.deps.maxContentChars);
      fill(bag, this.eventScope, e);
      return { bag, name: nameFor(e), startTime: e.startTime };
    }
  }

  /** A record call that failed inside agentspan even so: logged once per method, and counted. */
  protected recordFailed(site: string, err: unknown): void {
    this.deps.failures.count += 1;
    reportFailure(site, err);
  }

  /**
   * @internal Logs a failure once per `site` and counts it in the recorder of `scope`
   * (`openHandleStats().failed`) when `scope` is one of this package's runs, nodes or attached
   * recorders; only logs it otherwise (a run handle of the application's own has no stats).
   * For callers that record through a scope, such as the workflow callbacks. Never throws.
   */
  static countFailure(scope: unknown, site: string, err: unknown): void {
    let ours = false;
    try {
      ours = scope instanceof RecordingScope; // a revoked proxy throws even here
    } catch {
      // not ours
    }
    if (ours) (scope as RecordingScope).recordFailed(site, err);
    else reportFailure(site, err);
  }

  /**
   * An event that already happened: one span, started and ended now (only
   * `endTime` given: an instant at that time). Per call this allocates the
   * bag, its attribute map and the options object, nothing else.
   */
  private record<E extends EventTiming & { error?: unknown }>(nameFor: NameFor<E>, fill: Fill<E>, event: E): void {
    // `prepare`, written out: its result object was a fifth of what this method allocated per event.
    let e = (event ?? {}) as E;
    let bag = new AttributeBag(this.deps.maxContentChars);
    let name: string;
    let givenStart: unknown;
    let givenEnd: unknown;
    try {
      fill(bag, this.eventScope, e);
      name = nameFor(e);
      givenStart = e.startTime;
      givenEnd = e.endTime;
    } catch {
      e = readableCopy(e) as E;
      bag = new AttributeBag(this.deps.maxContentChars);
      fill(bag, this.eventScope, e);
      name = nameFor(e);
      givenStart = e.startTime;
      givenEnd = e.endTime;
    }
    const startTime: TimeInput | undefined = checkedTime(givenStart);
    const end: TimeInput | undefined = checkedTime(givenEnd);
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
    nameFor: NameFor<E>,
    fill: Fill<E>,
    fillResult: FillResult<R>,
    resultFields: readonly string[],
    event: E,
  ): EventHandle<R> {
    const { bag, name, startTime } = this.prepare(nameFor, fill, event); // its end time comes with end()
    const span = this.deps.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes: bag.finish(), ...startTimeOption(startTime) },
      this.parentContext,
    );
    const spanContext = span.spanContext();
    const ctx = trace.setSpan(this.parentContext, span);
    let ended = false;
    const openHandles = this.deps.openHandles;
    const handle: EventHandle<R> & OpenHandle = {
      openKind: 'event',
      spanContext: () => spanContext,
      with: <T>(fn: () => T): T => runWith(ctx, fn),
      end: (result?: R) => {
        if (ended) return;
        ended = true;
        openHandles.delete(handle);
        const r = readFields(result, resultFields) as R;
        const resultBag = new AttributeBag(this.deps.maxContentChars);
        endSpan(
          'end',
          span,
          resultBag,
          () => r.endTime,
          () => {
            fillResult(resultBag, r);
            mergeUserMeta(resultBag, span);
          },
          this.deps.failures,
        );
      },
      // An error makes the event failed, with the reason as its message.
      endAtShutdown: () => handle.end({ error: SHUTDOWN_REASON } as R),
    };
    openHandles.add(handle);
    return handle;
  }
}
