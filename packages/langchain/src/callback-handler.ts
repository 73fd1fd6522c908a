import { diag } from '@opentelemetry/api';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { AgentAction, AgentFinish } from '@langchain/core/agents';
import type { ChainValues } from '@langchain/core/utils/types';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type {
  AgentCallResult,
  CodeExecutionResult,
  EventHandle,
  EventRecorder,
  NodeHandle,
  RunHandle,
  ToolCallResult,
} from '@agentspan/instrumentation';
import { BoundedMap } from '@agentspan/instrumentation';
import { modelTurn, parseToolInput, requestedModel, contentText } from './messages.js';
import { toolOutput } from './tool-output.js';
import { abortReasonOf, callSignal, watchAbort } from './abort.js';
import {
  codeArgument,
  defaultIsCodeTool,
  graphNodeName,
  isAgentContainer,
  languageOfTool,
  meaningfulNodeName,
  meaningfulRunName,
  serializedId,
} from './naming.js';
import type { AgentspanCallbackHandlerOptions } from './types.js';

const DEFAULT_MAX_TRACKED_RUNS = 10_000;
const DEFAULT_AGENT = 'agent';
const ABANDONED = 'not ended by LangChain (evicted from the handler, or the handler was disposed)';

/** What the handler remembers about one open LangChain run. */
interface RunState {
  readonly runId: string;
  readonly parentRunId: string | undefined;
  readonly kind: 'chain' | 'model' | 'tool' | 'code';
  /** The agent this run names, when it is a named graph or agent executor. */
  readonly agent: string | undefined;
  /** LangGraph node this run belongs to (from the callback metadata). */
  readonly graphNode: string | undefined;
  /** The node opened for this run ({ run } mode). */
  readonly node: NodeHandle | undefined;
  /** Metadata given at the start, repeated at the end (the end replaces a row's metadata). */
  readonly metadata: Record<string, unknown>;
  readonly handle: EventHandle<AgentCallResult> | EventHandle<ToolCallResult> | EventHandle<CodeExecutionResult> | undefined;
  /** Model turns recorded under this chain since its last agent action (agent actions repeat them). */
  turnsSinceAction: number;
  /** The tool call a tool run answers (picks its `ToolMessage` out of a returned `Command`). */
  readonly toolCallId?: string;
  /** Stops listening to the model call's abort signal (see `watchAbort`). */
  readonly unwatch?: () => void;
  /** The abort reason, once the call's signal fired (its row ends failed with it unless LangChain ends it first). */
  abortReason?: unknown;
}

/**
 * How long an aborted model call waits for LangChain to report its end before its row ends failed with
 * the abort reason. A `.stream()` aborted by the caller is never reported; an `invoke()` whose model
 * ignores the signal returns its reply (reported as an end), and a model that honours it throws
 * (reported as an error): what LangChain says within this time is what the row says.
 */
export const ABORT_GRACE_MS = 250;

/**
 * A LangChain.js callback handler that records through agentspan:
 *
 * | LangChain | agentspan |
 * | --- | --- |
 * | chat model / LLM call | `agent_call` row: agent, model, message text, requested tool calls, token usage |
 * | tool | `tool_call` row: tool, arguments, result or error; `code_exec` for code-running tools |
 * | agent action / finish (`AgentExecutor`) | `agent_call` row, only when no model turn under that agent already recorded the message |
 * | chains, graphs | names the agent; with `{ run }`, graph steps become nodes |
 *
 * Pass it as `callbacks: [handler]` to any runnable, chat model, tool,
 * agent or graph. Nothing here throws into LangChain or the application.
 *
 * @example
 * const handler = new AgentspanCallbackHandler({ node: run.startNode('answer') });
 * await agent.invoke({ messages }, { callbacks: [handler] });
 */
export class AgentspanCallbackHandler extends BaseCallbackHandler {
  name = 'AgentspanCallbackHandler';
  private readonly targetNode: NodeHandle | undefined;
  private readonly targetRun: RunHandle | undefined;
  private readonly defaultAgent: string;
  private readonly isCodeTool: (toolName: string) => boolean;
  private readonly runs: BoundedMap<RunState>;
  private failureLogged = false;

  constructor(options: AgentspanCallbackHandlerOptions) {
    // Awaited: our handlers are synchronous and quick, and recording inline keeps timestamps and order exact.
    super({ _awaitHandler: true });
    const o = (options ?? {}) as Partial<AgentspanCallbackHandlerOptions>;
    if (!o.node && !o.run) throw new TypeError('AgentspanCallbackHandler: pass { node } or { run }');
    this.targetNode = o.node;
    this.targetRun = o.node ? undefined : o.run;
    this.defaultAgent = typeof o.agent === 'string' && o.agent.length > 0 ? o.agent : DEFAULT_AGENT;
    this.isCodeTool = typeof o.isCodeTool === 'function' ? o.isCodeTool : defaultIsCodeTool;
    const max = o.maxTrackedRuns;
    this.runs = new BoundedMap(
      typeof max === 'number' && Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_TRACKED_RUNS,
      (evicted) => this.abandon(evicted),
    );
  }

  /** One handler, one state: LangChain must not duplicate it (a copy would split open runs). */
  override copy(): BaseCallbackHandler {
    return this;
  }

  /** LangChain runs currently tracked (for tests and diagnostics). */
  get trackedRuns(): number {
    return this.runs.size;
  }

  /** Ends what is still open as failed. Call when the handler will not be used again. */
  dispose(): void {
    this.guard(() => {
      for (const leftover of this.runs.take(() => true)) this.abandon(leftover);
    });
  }

  // -------------------------------------------------------------------------
  // Chains (and graphs, graph steps, agent executors)
  // -------------------------------------------------------------------------

  /**
   * LangChain calls this as `(chain, inputs, runId, parentRunId, tags,
   * metadata, runType, runName)`; `@langchain/core`'s declaration names the
   * positions differently (all are strings), the order here is the runtime's.
   */
  override handleChainStart(
    chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    this.guard(() => {
      const container = isAgentContainer(chain);
      const name = runName ?? serializedId(chain).at(-1);
      const graphNode = graphNodeName(metadata?.['langgraph_node']);
      let node: NodeHandle | undefined;
      if (this.targetRun && !this.openNodeAbove(parentRunId)) {
        if (graphNode !== undefined && !container) {
          // A step of the outermost graph: one node per step, named after the graph node.
          node = this.targetRun.startNode(graphNode, {
            type: 'langgraph_node',
            agent: this.agentAbove(parentRunId, graphNode),
            metadata: graphMetadata(metadata),
          });
        } else if (parentRunId === undefined && !container && name !== undefined) {
          node = this.targetRun.startNode(name, { type: 'chain' });
        }
      }
      this.track(runId, {
        runId,
        parentRunId,
        kind: 'chain',
        agent: container ? meaningfulRunName(name) : undefined,
        graphNode,
        node,
        metadata: {},
        handle: undefined,
        turnsSinceAction: 0,
      });
    });
  }

  override handleChainEnd(_outputs: ChainValues, runId: string): void {
    this.guard(() => this.runs.delete(runId)?.node?.end());
  }

  override handleChainError(err: unknown, runId: string): void {
    this.guard(() => {
      // A handoff (`Command.PARENT`) or an `interrupt()` leaves the node through the error path; it did not fail.
      this.runs.delete(runId)?.node?.end(endOnError(err, 'chain failed', undefined));
    });
  }

  // -------------------------------------------------------------------------
  // Model turns
  // -------------------------------------------------------------------------

  override handleChatModelStart(
    llm: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.guard(() => this.beginTurn(llm, runId, parentRunId, extraParams, metadata, runName));
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.guard(() => this.beginTurn(llm, runId, parentRunId, extraParams, metadata, runName));
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.guard(() => {
      const state = this.runs.delete(runId);
      state?.unwatch?.();
      if (state?.kind !== 'model') return;
      const turn = modelTurn(output);
      const metadata: Record<string, unknown> = { ...state.metadata };
      if (turn.model !== undefined && metadata['model'] === undefined) metadata['model'] = turn.model;
      if (turn.toolCalls.length > 0) metadata['tool_calls'] = turn.toolCalls;
      if (turn.inputTokens !== undefined) metadata['input_tokens'] = turn.inputTokens;
      if (turn.outputTokens !== undefined) metadata['output_tokens'] = turn.outputTokens;
      const content = turn.text ?? (turn.toolCalls.length > 0 ? { tool_calls: turn.toolCalls } : undefined);
      (state.handle as EventHandle<AgentCallResult>).end({
        ...(content !== undefined ? { content } : {}),
        hasToolCalls: turn.toolCalls.length > 0,
        metadata,
      });
      // Agent actions reported after this turn repeat its message.
      for (let id = state.parentRunId, hops = 0; id !== undefined && hops < 1000; hops++) {
        const parent = this.runs.get(id);
        if (!parent) break;
        parent.turnsSinceAction += 1;
        id = parent.parentRunId;
      }
    });
  }

  override handleLLMError(err: unknown, runId: string): void {
    this.guard(() => {
      const state = this.runs.delete(runId);
      state?.unwatch?.();
      if (state?.kind !== 'model') return;
      // An error LangChain reports after the call's signal fired is the abort's (marked as when the grace ends it).
      const metadata = 'abortReason' in state ? { ...state.metadata, aborted: true } : state.metadata;
      (state.handle as EventHandle<AgentCallResult>).end(endOnError(err, 'model call failed', metadata));
    });
  }

  // -------------------------------------------------------------------------
  // Tools
  // -------------------------------------------------------------------------

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    this.guard(() => {
      const name = runName ?? ((tool as { name?: unknown } | undefined)?.name as string | undefined) ?? serializedId(tool).at(-1) ?? 'tool';
      const args = parseToolInput(input);
      const graphNode = graphNodeName(metadata?.['langgraph_node']);
      const agent = this.agentAbove(parentRunId, graphNode);
      const recorder = this.recorderAbove(parentRunId);
      const meta = { langchain_run_id: runId, ...graphMetadata(metadata) };
      const code = this.isCodeTool(name) ? codeArgument(args) : undefined;
      const language = languageOfTool(name);
      const handle =
        code !== undefined
          ? recorder.beginCodeExecution({
              agent,
              code,
              ...(language !== undefined ? { language } : {}),
              metadata: { ...meta, tool: name, ...(toolCallId ? { tool_call_id: toolCallId } : {}) },
            })
          : recorder.beginToolCall({
              agent,
              tool: name,
              args,
              ...(toolCallId ? { toolCallId } : {}),
              metadata: meta,
            });
      this.track(runId, {
        runId,
        parentRunId,
        kind: code !== undefined ? 'code' : 'tool',
        agent: undefined,
        graphNode,
        node: undefined,
        metadata: code !== undefined ? { ...meta, tool: name, ...(toolCallId ? { tool_call_id: toolCallId } : {}) } : meta,
        handle,
        turnsSinceAction: 0,
        ...(toolCallId ? { toolCallId } : {}),
      });
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.guard(() => {
      const state = this.runs.delete(runId);
      if (!state || (state.kind !== 'tool' && state.kind !== 'code')) return;
      const out = toolOutput(output, state.toolCallId);
      const { result, failed } = out;
      const error = failed
        ? (out.error ?? contentText(result) ?? (typeof result === 'string' ? result : 'tool reported an error'))
        : undefined;
      const metadata = out.metadata ? { ...state.metadata, ...out.metadata } : state.metadata;
      if (state.kind === 'code') {
        (state.handle as EventHandle<CodeExecutionResult>).end({
          output: result,
          ...(failed ? { exitCode: 1, error } : {}),
          metadata,
        });
      } else {
        (state.handle as EventHandle<ToolCallResult>).end({ result, ...(failed ? { error } : {}), metadata });
      }
    });
  }

  override handleToolError(err: unknown, runId: string): void {
    this.guard(() => {
      const state = this.runs.delete(runId);
      if (state?.kind === 'tool' || state?.kind === 'code') {
        (state.handle as EventHandle<ToolCallResult>).end(endOnError(err, 'tool failed', state.metadata));
      }
    });
  }

  // -------------------------------------------------------------------------
  // Agent actions (AgentExecutor and other agents that report them)
  // -------------------------------------------------------------------------

  override handleAgentAction(action: AgentAction, runId: string): void {
    this.guard(() =>
      this.agentMessage(runId, action?.log, { action: 'tool', tool: action?.tool, tool_input: action?.toolInput }),
    );
  }

  override handleAgentEnd(finish: AgentFinish, runId: string): void {
    this.guard(() => {
      const values = finish?.returnValues as Record<string, unknown> | undefined;
      this.agentMessage(runId, values?.['output'] ?? finish?.log, { action: 'finish' });
    });
  }

  // -------------------------------------------------------------------------

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!this.failureLogged) {
        this.failureLogged = true;
        diag.warn('agentspan: recording a LangChain callback failed and was skipped (logged once)', err);
      }
    }
  }

  private beginTurn(
    llm: Serialized,
    runId: string,
    parentRunId: string | undefined,
    extraParams: Record<string, unknown> | undefined,
    metadata: Record<string, unknown> | undefined,
    runName: string | undefined,
  ): void {
    const graphNode = graphNodeName(metadata?.['langgraph_node']);
    const model = requestedModel(extraParams, metadata);
    const meta: Record<string, unknown> = {
      langchain_run_id: runId,
      model_class: runName ?? serializedId(llm).at(-1),
      ...graphMetadata(metadata),
    };
    const signal = callSignal(extraParams);
    const handle = this.recorderAbove(parentRunId).beginAgentCall({
      agent: this.agentAbove(parentRunId, graphNode),
      role: 'assistant',
      ...(model !== undefined ? { model } : {}),
      metadata: meta,
    });
    const state: RunState = {
      runId,
      parentRunId,
      kind: 'model',
      agent: undefined,
      graphNode,
      node: undefined,
      metadata: model !== undefined ? { ...meta, model } : meta,
      handle,
      turnsSinceAction: 0,
      ...watchAbort(signal, (reason) => this.guard(() => this.aborted(state, reason))),
    };
    this.track(runId, state);
    // Aborted before it started: no abort event will come. The grace starts now; LangChain's own error, if it
    // reports one (`@langchain/core` 1.4 does, after `.stream()` has rejected), is what the row says.
    if (signal?.aborted === true) this.aborted(state, abortReasonOf(signal));
  }

  /**
   * The model call's abort signal fired. LangChain reports no callback when
   * the caller aborts a chat model's `.stream()` (the stream is closed from
   * outside the model's generator), so without this the turn would stay open
   * until `dispose()`; a later end or error of the same turn finds it gone.
   */
  private aborted(state: RunState, reason: unknown): void {
    if (this.runs.get(state.runId) !== state || 'abortReason' in state) return; // ended already, or waiting
    state.abortReason = reason;
    state.unwatch?.();
    // Unref'd: an application that has nothing else to do may exit; shutdown and dispose() end it with the reason.
    setTimeout(() => this.guard(() => this.endAborted(state)), ABORT_GRACE_MS).unref();
  }

  /**
   * Tracks `state` under `runId`. An aborted call still waiting out its grace under the same id (a caller that
   * passes its own `runId` and retries at once) is ended now with its reason: replaced, it was found by nothing,
   * and its row stayed open until agentspan's shutdown ended it as shut down.
   */
  private track(runId: string, state: RunState): void {
    const waiting = this.runs.get(runId);
    if (waiting !== undefined && 'abortReason' in waiting) {
      this.runs.delete(runId);
      this.endAbortedNow(waiting);
    }
    this.runs.set(runId, state);
  }

  /** An aborted call still waiting when the handler is disposed (or its id is reused): ended with its abort reason, not as abandoned. */
  private endAbortedNow(state: RunState): void {
    (state.handle as EventHandle<AgentCallResult>).end({ error: state.abortReason, metadata: { ...state.metadata, aborted: true } });
  }

  /** Ends an aborted call LangChain did not report within {@link ABORT_GRACE_MS}: failed, with the abort reason. */
  private endAborted(state: RunState): void {
    if (this.runs.get(state.runId) !== state) return; // LangChain reported it meanwhile
    this.runs.delete(state.runId);
    (state.handle as EventHandle<AgentCallResult>).end({ error: state.abortReason, metadata: { ...state.metadata, aborted: true } });
  }

  /** An agent action or finish: a message only when no model turn under that agent said it already. */
  private agentMessage(runId: string, content: unknown, metadata: Record<string, unknown>): void {
    const state = this.runs.get(runId);
    if (state && state.turnsSinceAction > 0) {
      state.turnsSinceAction = 0;
      return;
    }
    const agent = state?.agent ?? this.agentAbove(runId, state?.graphNode);
    this.recorderAbove(runId).agentCall({
      agent,
      role: 'assistant',
      ...(content !== undefined ? { content } : {}),
      metadata: { langchain_run_id: runId, ...metadata },
    });
  }

  /**
   * The agent of a model call or tool: a meaningful LangGraph node name
   * (`planner`), else the nearest named graph or agent executor
   * (`createReactAgent({ name: 'math_agent' })`), else the `agent` option.
   */
  private agentAbove(parentRunId: string | undefined, graphNode: string | undefined): string {
    const fromNode = meaningfulNodeName(graphNode);
    if (fromNode !== undefined) return fromNode;
    for (let id = parentRunId, hops = 0; id !== undefined && hops < 1000; hops++) {
      const s = this.runs.get(id);
      if (!s) break;
      if (s.agent !== undefined) return s.agent;
      id = s.parentRunId;
    }
    return this.defaultAgent;
  }

  /** The node opened for an enclosing run ({ run } mode), if any. */
  private openNodeAbove(runId: string | undefined): NodeHandle | undefined {
    for (let id = runId, hops = 0; id !== undefined && hops < 1000; hops++) {
      const s = this.runs.get(id);
      if (!s) return undefined;
      if (s.node) return s.node;
      id = s.parentRunId;
    }
    return undefined;
  }

  /** Where an event under `runId` is recorded: the configured node, an opened node, or the run. */
  private recorderAbove(runId: string | undefined): EventRecorder {
    return this.targetNode ?? this.openNodeAbove(runId) ?? (this.targetRun as RunHandle);
  }

  /** A run LangChain never ended: its event or node ends as failed. */
  private abandon(state: RunState): void {
    if ('abortReason' in state) return this.endAbortedNow(state);
    state.unwatch?.();
    if (state.handle) (state.handle as EventHandle<ToolCallResult>).end({ error: ABANDONED, metadata: state.metadata });
    state.node?.end({ error: ABANDONED });
  }
}

/** LangGraph placement worth keeping on a row (`langgraph_node`, `langgraph_step`). */
function graphMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const node = graphNodeName(metadata?.['langgraph_node']);
  if (node !== undefined) out['langgraph_node'] = node;
  const step = metadata?.['langgraph_step'];
  if (typeof step === 'number') out['langgraph_step'] = step;
  return out;
}

/**
 * How an error callback ends its event: failed with the error, or, for
 * LangGraph's control flow, completed with `meta.langgraph` naming the signal.
 */
function endOnError(
  err: unknown,
  fallback: string,
  metadata: Record<string, unknown> | undefined,
): { error?: unknown; metadata?: Record<string, unknown> } {
  const control = langGraphControlFlow(err);
  if (control !== undefined) return { metadata: { ...metadata, langgraph: control } };
  return { error: err ?? fallback, ...(metadata !== undefined ? { metadata } : {}) };
}

/**
 * The name of a LangGraph control-flow signal (`ParentCommand` for a
 * handoff with `Command.PARENT`, `GraphInterrupt` / `NodeInterrupt` for
 * `interrupt()`), which LangGraph throws to leave a node and reports through
 * the error callbacks; `undefined` for a real error. Recognised as LangGraph
 * does (`isGraphBubbleUp`: an `is_bubble_up` of `true`), without importing it.
 */
function langGraphControlFlow(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  try {
    if ((err as { is_bubble_up?: unknown }).is_bubble_up !== true) return undefined;
    const name = (err as { name?: unknown }).name;
    return typeof name === 'string' && name.length > 0 ? name : 'GraphBubbleUp';
  } catch {
    return undefined; // a getter that throws: treated as an error
  }
}
