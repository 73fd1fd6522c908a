import { diag } from '@opentelemetry/api';
import type { ActiveRecording, AgentCallResult, EventHandle, EventRecorder, NodeHandle, RunHandle } from '@agentspan/instrumentation';
import type { Span, SpanData, SpanError, Trace, TracingProcessor } from '@openai/agents-core';
import { activeRecording, BoundedMap, runIdOf } from '@agentspan/instrumentation';
import { generationOutput, responseOutput, type ModelOutput, type RequestedToolCall } from './model-output.js';
import type { AgentspanTracingProcessorOptions } from './types.js';

const DEFAULT_MAX_OPEN_SPANS = 10_000;
/** Agent name when the SDK gives none (a span outside any agent span). */
const UNKNOWN_AGENT = 'agent';
const ABANDONED = 'not ended by the OpenAI Agents SDK (trace ended or processor shut down first)';

/**
 * Where the events of one SDK trace go: with `run`, each agent invocation
 * opens a node of it; `recorder` takes the events outside any agent.
 */
interface Destination {
  readonly recorder: EventRecorder;
  readonly run: RunHandle | undefined;
}

/** What the processor knows of one SDK trace id. */
interface TraceState {
  /** Where the trace went as decided at its start (`null`: not recorded here), for spans started without a recording active. */
  destination: Destination | null | undefined;
  /** Its traces started and not yet ended (two SDK runs may share one id). */
  running: number;
  /** Counted in `skippedTraces` already. */
  skipped: boolean;
}

/** The destination of an active recording: a run opens nodes, a node or attached recorder takes every event. */
function destinationOf(recording: ActiveRecording): Destination {
  switch (recording.kind) {
    case 'run':
      return { recorder: recording.run, run: recording.run };
    case 'node':
      return { recorder: recording.node, run: undefined };
    case 'attached':
      return { recorder: recording.recorder, run: undefined };
  }
}

/**
 * What the processor remembers about one open SDK span. Every kind keeps
 * its parent id (to find the enclosing agent and turn) and trace id (to end
 * leftovers when the trace ends).
 */
type OpenSpan = {
  readonly spanId: string;
  readonly parentId: string | null;
  readonly traceId: string;
  /** Where this span's trace is recorded. */
  readonly destination: Destination;
} & (
  | {
      readonly kind: 'agent';
      readonly agent: string;
      /** Where this agent's events go: the node we opened for it, or the configured node. */
      readonly recorder: EventRecorder;
      /** The node opened for this agent invocation (run mode only). */
      readonly node: NodeHandle | undefined;
      turns: number;
      /** The last message this agent's model produced (for the fallback row). */
      last: ModelOutput | undefined;
    }
  | {
      readonly kind: 'turn';
      readonly agent: string;
      readonly handle: EventHandle<AgentCallResult>;
      /** Metadata given at the start: the end replaces the row's metadata, so it is repeated there. */
      readonly metadata: Record<string, unknown>;
      output: ModelOutput | undefined;
      /** An agent ran inside this turn (an agent used as a tool): the SDK adds its usage into the turn's. */
      nestedAgents: boolean;
    }
  | { readonly kind: 'other' }
);

/** Time of an SDK span boundary (ISO text), if valid. */
function timeOf(iso: string | null | undefined): Date | undefined {
  if (typeof iso !== 'string') return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A tool's input or output: JSON text becomes the value it encodes, other text stays text. */
function jsonOrText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * An OpenAI Agents SDK `TracingProcessor` that records the SDK's spans
 * through agentspan:
 *
 * | SDK span | agentspan |
 * | --- | --- |
 * | `turn` (one model call of an agent) | `agent_call` row: the agent, the message (from the `generation` / `response` span inside it), the model, token usage, requested tool calls |
 * | `generation`, `response` outside a turn (SDKs without turn spans) | `agent_call` row of its own |
 * | `function` | `tool_call` row: tool name, arguments, result, error |
 * | `handoff` | `handoff` row: from and to agent |
 * | `agent` | names the agent of everything inside it; with `{ run }` opens a node per invocation; an `agent_call` row only when no model turn was recorded inside it |
 * | `task`, `guardrail`, `custom`, `mcp_tools`, ... | not recorded |
 *
 * Register it with the SDK's `addTraceProcessor` (keeps the SDK's default
 * processor, which exports to OpenAI's servers) or `setTraceProcessors`
 * (replaces it: nothing leaves the process). Nothing here throws into the
 * SDK or the application.
 *
 * The SDK's processors are process-wide (each sees every trace): to serve
 * concurrent runs, register one processor with neither `run` nor `node` and
 * start each SDK run inside its agentspan run's `with()`.
 *
 * @example
 * const step = run.startNode('support');
 * setTraceProcessors([new AgentspanTracingProcessor({ node: step })]);
 * await runAgent(triageAgent, 'Where is my order?');
 *
 * @example
 * setTraceProcessors([new AgentspanTracingProcessor()]); // once, for every request
 * await run.with(() => runAgent(triageAgent, 'Where is my order?'));
 */
export class AgentspanTracingProcessor implements TracingProcessor {
  /** The configured destination; `undefined`: each trace goes to the run or node active where it starts. */
  private readonly configured: Destination | undefined;
  /** The run of the configured destination: traces started within another run are not recorded here. */
  private readonly configuredRunId: string | undefined;
  private readonly open: BoundedMap<OpenSpan>;
  /** What this processor knows of each SDK trace id seen, the least recently used forgotten first. */
  private readonly traces: BoundedMap<TraceState>;
  private skipped = 0;
  private failureLogged = false;
  private unplacedLogged = false;

  constructor(options?: AgentspanTracingProcessorOptions) {
    const o = (options ?? {}) as Partial<AgentspanTracingProcessorOptions>;
    this.configured = o.node ? { recorder: o.node, run: undefined } : o.run ? { recorder: o.run, run: o.run } : undefined;
    this.configuredRunId = o.node ? o.node.run?.id : o.run?.id;
    const max = o.maxOpenSpans;
    const bound = typeof max === 'number' && Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_OPEN_SPANS;
    this.open = new BoundedMap(bound, (evicted) => this.abandon(evicted));
    this.traces = new BoundedMap(bound, () => undefined);
  }

  /** SDK spans currently open (for tests and diagnostics). */
  get openSpans(): number {
    return this.open.size;
  }

  /**
   * SDK traces this processor did not record: started within another
   * agentspan run (left to that run's processor), or, with no `run`/`node`
   * given, started outside any run or node's `with()`.
   */
  get skippedTraces(): number {
    return this.skipped;
  }

  onTraceStart(trace: Trace): Promise<void> {
    this.guard(() => {
      const id = trace?.traceId;
      if (typeof id !== 'string') return;
      const state = this.traceState(id);
      state.running += 1;
      state.destination = this.decide(state, activeRecording());
    });
    return Promise.resolve();
  }

  onTraceEnd(trace: Trace): Promise<void> {
    this.guard(() => {
      const id = trace?.traceId;
      if (typeof id !== 'string') return;
      // Two SDK runs may share a trace id (`Runner({ traceId })` per conversation): only when the last of
      // them ends are the spans left open its leftovers.
      const state = this.traceState(id);
      state.running = Math.max(0, state.running - 1);
      if (state.running > 0) return;
      for (const leftover of this.open.take((s) => s.traceId === id)) this.abandon(leftover);
      // A span of it ending later is placed afresh; that it was counted as skipped is kept.
      state.destination = undefined;
    });
    return Promise.resolve();
  }

  onSpanStart(span: Span<SpanData>): Promise<void> {
    this.guard(() => {
      const destination = this.destinationOfSpan(span);
      if (destination !== null) this.spanStarted(span, destination);
    });
    return Promise.resolve();
  }

  onSpanEnd(span: Span<SpanData>): Promise<void> {
    this.guard(() => this.spanEnded(span));
    return Promise.resolve();
  }

  /** Ends what is still open as failed; the rows are then flushed by `agentspan.shutdown()`. */
  shutdown(): Promise<void> {
    this.guard(() => {
      for (const leftover of this.open.take(() => true)) this.abandon(leftover);
    });
    return Promise.resolve();
  }

  /** Nothing is buffered here: every event is recorded when the SDK reports it (`agentspan.forceFlush()` exports). */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------

  /**
   * Where a span is recorded: where its parent is (a tree stays in one
   * place), else by the agentspan recording active as it starts (or ends,
   * for one this processor did not see start), else where its trace was
   * decided to go when it started. `null`: not recorded here.
   */
  private destinationOfSpan(span: Span<SpanData>): Destination | null {
    const parent = span.parentId ? this.open.get(span.parentId) : undefined;
    if (parent !== undefined) return parent.destination;
    const state = this.traceState(span.traceId);
    const active = activeRecording();
    if (active !== undefined) return this.decide(state, active);
    if (state.destination === undefined) state.destination = this.decide(state, undefined);
    return state.destination;
  }

  /** The state of trace `id`, made when first seen. */
  private traceState(id: string): TraceState {
    let state = this.traces.get(id);
    if (state === undefined) {
      state = { destination: undefined, running: 0, skipped: false };
      this.traces.set(id, state);
    }
    return state;
  }

  /**
   * Where a trace (or a part of it) started with `active` as the agentspan
   * recording goes: another run's is left to that run's processor; with no
   * destination configured, the active run or node is it. `null`: not
   * recorded here (counted once per trace).
   */
  private decide(trace: TraceState, active: ActiveRecording | undefined): Destination | null {
    let destination: Destination | null;
    if (this.configured === undefined) destination = active ? destinationOf(active) : null;
    else destination = active === undefined || runIdOf(active) === this.configuredRunId ? this.configured : null;
    if (destination === null && !trace.skipped) {
      trace.skipped = true;
      this.skipped += 1;
      if (this.configured === undefined && active === undefined && !this.unplacedLogged) {
        this.unplacedLogged = true;
        diag.warn(
          'agentspan: an OpenAI Agents trace started outside any agentspan run or node (run.with / node.with) and was not recorded; ' +
            'give the processor { run } or { node }, or start the SDK run inside run.with(...) (logged once)',
        );
      }
    }
    return destination;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!this.failureLogged) {
        this.failureLogged = true;
        diag.warn('agentspan: recording an OpenAI Agents span failed and was skipped (logged once)', err);
      }
    }
  }

  /** The nearest open span of `kind` at or above `parentId`. */
  private nearest<K extends OpenSpan['kind']>(parentId: string | null, kind: K): Extract<OpenSpan, { kind: K }> | undefined {
    let id = parentId;
    for (let hops = 0; id && hops < 1000; hops++) {
      const s = this.open.get(id);
      if (!s) return undefined;
      if (s.kind === kind) return s as Extract<OpenSpan, { kind: K }>;
      id = s.parentId;
    }
    return undefined;
  }

  /** Where events of an agent go: its node, else the trace's node or run. */
  private recorderFor(parentId: string | null, destination: Destination): EventRecorder {
    return this.nearest(parentId, 'agent')?.recorder ?? destination.recorder;
  }

  private agentFor(parentId: string | null): string {
    return this.nearest(parentId, 'agent')?.agent ?? UNKNOWN_AGENT;
  }

  private spanStarted(span: Span<SpanData>, destination: Destination): void {
    const data = span.spanData;
    const base = { spanId: span.spanId, parentId: span.parentId, traceId: span.traceId, destination };
    const startTime = timeOf(span.startedAt);
    switch (data.type) {
      case 'agent': {
        const agent = data.name || UNKNOWN_AGENT;
        const enclosingTurn = this.nearest(span.parentId, 'turn');
        if (enclosingTurn) enclosingTurn.nestedAgents = true;
        const node =
          destination.run !== undefined
            ? destination.run.startNode(agent, {
                agent,
                type: 'agent',
                ...(startTime ? { startTime } : {}),
                metadata: { openai_trace_id: span.traceId },
              })
            : undefined;
        this.open.set(span.spanId, {
          ...base,
          kind: 'agent',
          agent,
          recorder: node ?? this.recorderFor(span.parentId, destination),
          node,
          turns: 0,
          last: undefined,
        });
        return;
      }
      case 'turn':
        this.beginTurn(span, destination, data.agent_name || this.agentFor(span.parentId), startTime, { turn: data.turn });
        return;
      case 'generation':
      case 'response':
        // Inside a turn the model call is that turn's message; alone (SDKs without turn spans) it is a turn itself.
        if (this.nearest(span.parentId, 'turn')) this.open.set(span.spanId, { ...base, kind: 'other' });
        else this.beginTurn(span, destination, this.agentFor(span.parentId), startTime, {});
        return;
      default:
        this.open.set(span.spanId, { ...base, kind: 'other' });
    }
  }

  private beginTurn(
    span: Span<SpanData>,
    destination: Destination,
    agent: string,
    startTime: Date | undefined,
    metadata: Record<string, unknown>,
  ): void {
    const owner = this.nearest(span.parentId, 'agent');
    if (owner) owner.turns += 1;
    const startMetadata = { ...metadata, openai_trace_id: span.traceId };
    const handle = this.recorderFor(span.parentId, destination).beginAgentCall({
      agent,
      role: 'assistant',
      ...(startTime ? { startTime } : {}),
      metadata: startMetadata,
    });
    this.open.set(span.spanId, {
      spanId: span.spanId,
      parentId: span.parentId,
      traceId: span.traceId,
      destination,
      kind: 'turn',
      agent,
      handle,
      metadata: startMetadata,
      output: undefined,
      nestedAgents: false,
    });
  }

  private spanEnded(span: Span<SpanData>): void {
    const state = this.open.delete(span.spanId);
    const destination = state?.destination ?? this.destinationOfSpan(span);
    if (destination === null) return;
    const data = span.spanData;
    const startTime = timeOf(span.startedAt);
    const endTime = timeOf(span.endedAt) ?? new Date();
    const timing = { ...(startTime ? { startTime } : {}), endTime };
    const error = errorText(span.error);
    switch (data.type) {
      case 'function': {
        this.recorderFor(span.parentId, destination).toolCall({
          agent: this.agentFor(span.parentId),
          tool: data.name,
          ...(data.input ? { args: jsonOrText(data.input) } : {}),
          ...(data.output !== undefined && data.output !== '' ? { result: jsonOrText(data.output) } : {}),
          ...(error !== undefined ? { error } : {}),
          ...(data.mcp_data ? { metadata: { mcp_data: jsonOrText(data.mcp_data) } } : {}),
          ...timing,
        });
        return;
      }
      case 'handoff':
        this.recorderFor(span.parentId, destination).handoff({
          from: data.from_agent || this.agentFor(span.parentId),
          to: data.to_agent || 'unknown',
          ...(error !== undefined ? { error } : {}),
          ...timing,
        });
        return;
      case 'generation':
      case 'response': {
        const output = data.type === 'generation' ? generationOutput(data) : responseOutput(data);
        const turn = state?.kind === 'turn' ? state : this.nearest(span.parentId, 'turn');
        if (turn) turn.output = mergeOutput(turn.output, output);
        const owner = this.nearest(span.parentId, 'agent');
        if (owner) owner.last = output;
        if (state?.kind === 'turn') this.endTurn(state, error, endTime, {});
        return;
      }
      case 'turn':
        if (state?.kind === 'turn') {
          const usage: Record<string, number> = data.usage
            ? { input_tokens: data.usage.input_tokens, output_tokens: data.usage.output_tokens }
            : {};
          this.endTurn(state, error, endTime, usage);
        }
        return;
      case 'agent':
        if (state?.kind === 'agent') this.endAgent(state, data, error, timing);
        return;
      default:
        return;
    }
  }

  private endTurn(state: Extract<OpenSpan, { kind: 'turn' }>, error: string | undefined, endTime: Date, usage: Record<string, number>): void {
    const out = state.output;
    const metadata: Record<string, unknown> = { ...state.metadata };
    if (out?.model) metadata['model'] = out.model;
    // The turn span's usage also counts the agents run inside it (agents as tools), whose own rows
    // count them again: it stands for this turn's tokens only when no agent ran inside.
    const turnUsageIsOwn = !state.nestedAgents;
    const inputTokens = out?.inputTokens ?? (turnUsageIsOwn ? usage['input_tokens'] : undefined);
    const outputTokens = out?.outputTokens ?? (turnUsageIsOwn ? usage['output_tokens'] : undefined);
    if (inputTokens !== undefined) metadata['input_tokens'] = inputTokens;
    if (outputTokens !== undefined) metadata['output_tokens'] = outputTokens;
    if (!turnUsageIsOwn && (usage['input_tokens'] !== undefined || usage['output_tokens'] !== undefined)) {
      metadata['turn_usage_with_nested_agents'] = usage;
    }
    if (out && out.toolCalls.length > 0) metadata['tool_calls'] = out.toolCalls;
    state.handle.end({
      ...(contentOf(out) !== undefined ? { content: contentOf(out) } : {}),
      ...(out ? { hasToolCalls: out.toolCalls.length > 0 } : {}),
      metadata,
      ...(error !== undefined ? { error } : {}),
      endTime,
    });
  }

  private endAgent(
    state: Extract<OpenSpan, { kind: 'agent' }>,
    data: Extract<SpanData, { type: 'agent' }>,
    error: string | undefined,
    timing: { startTime?: Date; endTime: Date },
  ): void {
    if (state.turns === 0) {
      // No model turn was recorded inside (a custom runner, an older SDK): the agent itself is the row.
      const content = contentOf(state.last);
      state.recorder.agentCall({
        agent: state.agent,
        role: 'assistant',
        ...(content !== undefined ? { content } : {}),
        metadata: {
          openai_trace_id: state.traceId,
          ...(data.tools?.length ? { tools: data.tools } : {}),
          ...(data.handoffs?.length ? { handoffs: data.handoffs } : {}),
          ...(data.output_type ? { output_type: data.output_type } : {}),
        },
        ...(error !== undefined ? { error } : {}),
        ...timing,
      });
    }
    state.node?.end({
      ...(error !== undefined ? { error } : {}),
      endTime: timing.endTime,
      metadata: {
        ...(data.tools?.length ? { tools: data.tools } : {}),
        ...(data.handoffs?.length ? { handoffs: data.handoffs } : {}),
      },
    });
  }

  /** A span the SDK never ended: its event ends as failed, its node too. */
  private abandon(state: OpenSpan): void {
    if (state.kind === 'turn') state.handle.end({ error: ABANDONED, metadata: state.metadata });
    else if (state.kind === 'agent') state.node?.end({ error: ABANDONED });
  }
}

/** The SDK's span error as one message: `message: data.error` (the tool error's text is in `data`). */
function errorText(error: SpanError | null | undefined): string | undefined {
  if (!error) return undefined;
  const detail = error.data?.['error'];
  const message = error.message || 'error';
  return typeof detail === 'string' && detail.length > 0 && !message.includes(detail) ? `${message}: ${detail}` : message;
}

/** The message of a model call: its text, else the tool calls it requested. */
function contentOf(out: ModelOutput | undefined): unknown {
  if (!out) return undefined;
  if (out.text !== undefined) return out.text;
  if (out.toolCalls.length > 0) return { tool_calls: out.toolCalls };
  return undefined;
}

/** Two model calls in one turn (a retry, a repair): texts and tool calls accumulate, the last model wins. */
function mergeOutput(a: ModelOutput | undefined, b: ModelOutput): ModelOutput {
  if (!a) return b;
  const calls: RequestedToolCall[] = [...a.toolCalls, ...b.toolCalls];
  const text = [a.text, b.text].filter((t): t is string => t !== undefined).join('\n');
  return {
    text: text.length > 0 ? text : undefined,
    toolCalls: calls,
    model: b.model ?? a.model,
    inputTokens: sum(a.inputTokens, b.inputTokens),
    outputTokens: sum(a.outputTokens, b.outputTokens),
  };
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : a + b;
}
