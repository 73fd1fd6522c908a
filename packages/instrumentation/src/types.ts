import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { FileSource, RunStatus, EventStatus } from '@agentspan/semconv';

/**
 * A point in time, as every `startTime` and `endTime` accepts it:
 *
 * - a `Date` (of any realm: a `vm` context's too);
 * - a number: epoch milliseconds (or `performance.now()` milliseconds, as the
 *   OpenTelemetry SDK reads a number smaller than `performance.timeOrigin`);
 * - an OTel `HrTime`, `[seconds, nanoseconds]` since the epoch (1970). A
 *   pair before 2000-01-01 is taken for what it almost always is, a
 *   `process.hrtime()` reading (seconds since an arbitrary origin, such as
 *   the boot), and replaced by the current time with a warning through
 *   `diag` (logged once): read as epoch time it would date the span in 1970.
 *   Give `Date.now()`, a `Date` or `performance.timeOrigin + performance.now()` instead;
 * - an ISO 8601 date-time with its offset (`2024-05-01T10:00:00.123456Z`,
 *   `2024-05-01T12:00:00+02:00`), kept to the nanosecond. Text without an
 *   offset or with impossible fields is refused.
 *
 * A time that cannot be used (an invalid `Date`, `NaN`, a time before 1970
 * or after 2554, which OTLP cannot carry, text that is no such date-time) is
 * replaced by the current time and logged once through `diag`; it never
 * throws.
 */
export type EventTime = Date | number | HrTime | string;

/** Fields every recorded event accepts. */
export interface EventTiming {
  /** When the event started ({@link EventTime}); default: now (or `endTime` when only that is given). */
  startTime?: EventTime;
  /** When the event ended ({@link EventTime}); default: now. */
  endTime?: EventTime;
}

/** Fields shared by agent calls, code executions, tool calls and files. */
export interface EventBase extends EventTiming {
  /** Free-form metadata, merged into the row's `meta` (derived keys win on conflict). */
  metadata?: Record<string, unknown>;
  /** Optional finer step id inside the node (column `step_id`). */
  stepId?: string;
  /** Explicit row status; default `failed` when `error` is given, else `completed`. */
  status?: EventStatus;
  /** An error that ended the event: its message becomes `error_message` and the span status ERROR. */
  error?: unknown;
}

/** An agent produced a message (`agent_call`, span `invoke_agent {agent}`). */
export interface AgentCallEvent extends EventBase {
  /** Name of the agent, e.g. `engineer`. */
  agent: string;
  /** The agent's role, e.g. `assistant`, `user`, `system`. */
  role?: string;
  /** Who the message came from or was addressed by, e.g. `planner`. */
  sender?: string;
  /** The message: text, or a structured message object (serialised as JSON). */
  content?: unknown;
  /** Model used for this turn (`gen_ai.request.model`). */
  model?: string;
  /** Whether the message requested tool calls; derived from `content.tool_calls` when absent. */
  hasToolCalls?: boolean;
}

/** Code was executed (`code_exec`, span `execute_code {agent}`). */
export interface CodeExecutionEvent extends EventBase {
  /** The agent that ran the code, e.g. `executor`. */
  agent: string;
  /** `python`, `shell`, `javascript`, `typescript`, ...; sniffed from the code when absent. */
  language?: string;
  code: string;
  /** Captured stdout/stderr. */
  output?: unknown;
  /** Process exit code; non-zero marks the event as having an error. */
  exitCode?: number | null;
  /** Directory the code ran in; relative file paths in the code resolve against it. */
  cwd?: string;
  /** The message that triggered the execution (`inputs.context`). */
  context?: unknown;
}

/** A tool was called (`tool_call`, span `execute_tool {tool}`). */
export interface ToolCallEvent extends EventBase {
  /** The agent that called the tool. */
  agent: string;
  /** The tool's name, e.g. `execute_python`. */
  tool: string;
  /** The tool's arguments (any JSON-like value). */
  args?: unknown;
  /** The tool's result (any value). */
  result?: unknown;
  /** The model's id for this tool call (`gen_ai.tool.call.id`). */
  toolCallId?: string;
  /** The message that triggered the call (`inputs.context`). */
  context?: unknown;
}

/** A file was generated (`file_gen`, span `file_gen {path}`). */
export interface FileGeneratedEvent extends EventBase {
  /** The agent that produced the file, if known. */
  agent?: string;
  /** Path of the file, relative to the workspace or absolute. */
  path: string;
  /** How the file came about; default `explicit`. */
  source?: FileSource;
}

/** Control passed from one agent to another (`handoff`). */
export interface HandoffEvent extends EventBase {
  from: string;
  to: string;
}

/** What `end()` of a running agent call accepts. */
export interface AgentCallResult extends EventTiming {
  content?: unknown;
  hasToolCalls?: boolean;
  status?: EventStatus;
  error?: unknown;
  /** Merged into the metadata given at `begin*` (this one's keys win); merged, within `maxContentChars`, this one's members kept first. */
  metadata?: Record<string, unknown>;
}

/** What `end()` of a running code execution accepts. */
export interface CodeExecutionResult extends EventTiming {
  output?: unknown;
  exitCode?: number | null;
  status?: EventStatus;
  error?: unknown;
  /** Merged into the metadata given at `begin*` (this one's keys win); merged, within `maxContentChars`, this one's members kept first. */
  metadata?: Record<string, unknown>;
}

/** What `end()` of a running tool call accepts. */
export interface ToolCallResult extends EventTiming {
  result?: unknown;
  status?: EventStatus;
  error?: unknown;
  /** Merged into the metadata given at `begin*` (this one's keys win); merged, within `maxContentChars`, this one's members kept first. */
  metadata?: Record<string, unknown>;
}

/** A unit of work still running, returned by the `begin*` methods. */
export interface EventHandle<R> {
  /** The span context of the event (for correlation or propagation). */
  spanContext(): SpanContext;
  /** Runs `fn` with this event as the active OTel context (nested spans become its children). */
  with<T>(fn: () => T): T;
  /** Ends the event, recording its result. Calling it again does nothing. */
  end(result?: R): void;
}

/** Record methods shared by runs and nodes. All are synchronous and never throw. */
export interface EventRecorder {
  agentCall(event: AgentCallEvent): void;
  beginAgentCall(event: AgentCallEvent): EventHandle<AgentCallResult>;
  codeExecution(event: CodeExecutionEvent): void;
  beginCodeExecution(event: CodeExecutionEvent): EventHandle<CodeExecutionResult>;
  toolCall(event: ToolCallEvent): void;
  beginToolCall(event: ToolCallEvent): EventHandle<ToolCallResult>;
  fileGenerated(event: FileGeneratedEvent): void;
  handoff(event: HandoffEvent): void;
}

/** Options of {@link Recorder.startRun}. */
export interface StartRunOptions {
  /** The run id; default a random UUID. */
  runId?: string;
  /** What the run is for (`workflow_runs.task_description`). */
  task?: string;
  /** Workflow mode, e.g. `one-shot`, `planning-control`; default `workflow`. */
  mode?: string;
  /**
   * Optional session id shared by several runs (column `session_id`). Read
   * as run ids are: a number as its decimal text, `''` as none, and one over
   * 1024 characters as its start, `~` and 16 hex digits of the SHA-256 of the
   * whole, so that two long ids sharing a start stay two sessions.
   */
  sessionId?: string;
  /** Free-form metadata for `workflow_runs.meta`. */
  metadata?: Record<string, unknown>;
  /** When the run started ({@link EventTime}); default: now. */
  startTime?: EventTime;
  /**
   * Start a new trace even when an OTel span is active. Default false: a run
   * started inside, say, an HTTP request span joins that trace.
   */
  newTrace?: boolean;
}

/** What `run.end()` accepts. */
export interface EndRunOptions {
  /** Default `success`, or `failed` when `error` is given. */
  status?: RunStatus;
  error?: unknown;
  /** When the run ended ({@link EventTime}); default: now. */
  endTime?: EventTime;
  /** Merged into the metadata given at the start (this one's keys win); merged, within `maxContentChars`, this one's members kept first. */
  metadata?: Record<string, unknown>;
}

/** Options of {@link RunHandle.startNode}. */
export interface StartNodeOptions {
  title?: string;
  /** Kind of node, e.g. `step`, `planning`, `review`; default `step`. */
  type?: string;
  /** The agent mainly responsible for the node. */
  agent?: string;
  metadata?: Record<string, unknown>;
  /** When the node started ({@link EventTime}); default: now. */
  startTime?: EventTime;
}

/** What `node.end()` accepts. */
export interface EndNodeOptions {
  /** Default `completed`, or `failed` when `error` is given. */
  status?: EventStatus;
  error?: unknown;
  /** When the node ended ({@link EventTime}); default: now. */
  endTime?: EventTime;
  /** Merged into the metadata given at the start (this one's keys win); merged, within `maxContentChars`, this one's members kept first. */
  metadata?: Record<string, unknown>;
}

/**
 * A serialisable reference to a run (and optionally a node), for recording
 * from another thread or process: pass it through `postMessage` or an
 * environment variable and give it to `recorder.attach()` there.
 */
export interface RunReference {
  runId: string;
  nodeId?: string;
  /** W3C `traceparent` of the node span (or of the run span). */
  traceparent: string;
  /**
   * The run's last execution order known to whoever hands the reference on
   * (`childEnv()` reserves a block and puts its base here). `attach()` of
   * `startAgentspan` numbers this process's events of the run after it: a
   * process resuming a run after a restart passes the run's
   * `max(execution_order)`, else its orders start again at 1. Absent from
   * `reference()`: a reference passed to another thread of the same process
   * shares its sequence.
   */
  orderBase?: number;
}

/** A running workflow (`workflow_runs` row, span `invoke_workflow {mode}`). */
export interface RunHandle extends EventRecorder {
  readonly id: string;
  spanContext(): SpanContext;
  /** Starts a step of this run (`dag_nodes` row, span `node {nodeId}`). */
  startNode(nodeId: string, options?: StartNodeOptions): NodeHandle;
  /** The open (not yet ended) node with this id (normalised as `startNode` normalises it), if any; the latest started wins. */
  node(nodeId: string): NodeHandle | undefined;
  /** Runs `fn` (sync or async) with this run as the active OTel context. */
  with<T>(fn: () => T): T;
  /** A serialisable reference to this run. */
  reference(): RunReference;
  /** Ends the run. Open nodes are ended first. Calling it again does nothing. */
  end(options?: EndRunOptions): void;
}

/** A step of a run (`dag_nodes` row, span `node {nodeId}`). */
export interface NodeHandle extends EventRecorder {
  /** The node id as given, e.g. `step_1`. */
  readonly id: string;
  readonly run: RunHandle;
  spanContext(): SpanContext;
  /** Runs `fn` (sync or async) with this node as the active OTel context. */
  with<T>(fn: () => T): T;
  /** A serialisable reference to this node. */
  reference(): RunReference;
  /** Ends the node. Calling it again does nothing. */
  end(options?: EndNodeOptions): void;
}

/** The callback shape multi-agent frameworks call (as the system we replace did). */
export interface WorkflowCallbacks {
  onAgentMessage(agent: string, role: string, content: unknown, metadata?: Record<string, unknown>): void;
  onCodeExecution(agent: string, code: string, language: string, result: unknown): void;
  onToolCall(agent: string, tool: string, args: unknown, result: unknown): void;
}
