/**
 * The kinds of records agentspan produces. `run` and `node` are the enclosing
 * spans (rows in `workflow_runs` and `dag_nodes`); the others are rows in
 * `execution_events`.
 */
export const EventType = {
  /** A whole workflow run (span `invoke_workflow {mode}`). */
  RUN: 'run',
  /** One step of a run (span `node {nodeId}`). */
  NODE: 'node',
  /** An agent produced or received a message (span `invoke_agent {agent}`). */
  AGENT_CALL: 'agent_call',
  /** Code was executed (span `execute_code {agent}`). */
  CODE_EXEC: 'code_exec',
  /** A tool was called (span `execute_tool {tool}`). */
  TOOL_CALL: 'tool_call',
  /** A file was generated (span `file_gen {path}`). */
  FILE_GEN: 'file_gen',
  /** Control passed from one agent to another (span `handoff {from} -> {to}`). */
  HANDOFF: 'handoff',
} as const;

/** One of the {@link EventType} values. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Event types stored as rows of `execution_events`. */
export const EXECUTION_EVENT_TYPES: readonly EventType[] = [
  EventType.AGENT_CALL,
  EventType.CODE_EXEC,
  EventType.TOOL_CALL,
  EventType.FILE_GEN,
  EventType.HANDOFF,
];

/** `event_subtype` written for each event type, as the system we replace named them. */
export const EVENT_SUBTYPE: Readonly<Record<EventType, string>> = {
  run: 'workflow',
  node: 'step',
  agent_call: 'message',
  code_exec: 'executed',
  tool_call: 'invoked',
  file_gen: 'generated',
  handoff: 'handoff',
};

/** Values of the `status` column of `execution_events` and `dag_nodes`. */
export const EventStatus = {
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  SKIPPED: 'skipped',
} as const;

/** One of the {@link EventStatus} values. */
export type EventStatus = (typeof EventStatus)[keyof typeof EventStatus];

/** Other words senders use for a run or event that succeeded (lower case; `success` itself aside). */
export const SUCCESS_WORDS: readonly string[] = ['succeeded', 'successful', 'completed', 'complete', 'ok', 'done', 'passed'];

/**
 * Event statuses that say no failure, as read trimmed of spaces with ASCII letters lowered: none
 * given, `success` and {@link SUCCESS_WORDS}, and the standard values but `failed` (`running` on an
 * event that ended, `pending`, `skipped`). Any other word (`failed`, `error`, `timeout`) is a
 * failure: the outcomes view's `succeeded` (migration 25) and the recorder's ERROR span status agree.
 */
export const EVENT_SUCCESS_WORDS: readonly string[] = ['', 'success', ...SUCCESS_WORDS, EventStatus.RUNNING, EventStatus.PENDING, EventStatus.SKIPPED];

/** Whether an event's `status` says a failure (see {@link EVENT_SUCCESS_WORDS}). */
export function eventStatusFailed(status: string): boolean {
  const word = status.replace(/^ +| +$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  return !EVENT_SUCCESS_WORDS.includes(word);
}

/** Values of `workflow_runs.status` (what `run.end({ status })` accepts). */
export const RunStatus = {
  RUNNING: 'running',
  SUCCESS: 'success',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;

/** One of the {@link RunStatus} values. */
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** `gen_ai.operation.name` values agentspan emits (GenAI semantic conventions, plus AG2's `execute_code`). */
export const GenAiOperation = {
  INVOKE_WORKFLOW: 'invoke_workflow',
  INVOKE_AGENT: 'invoke_agent',
  EXECUTE_TOOL: 'execute_tool',
  EXECUTE_CODE: 'execute_code',
  CHAT: 'chat',
} as const;

/** One of the {@link GenAiOperation} values. */
export type GenAiOperation = (typeof GenAiOperation)[keyof typeof GenAiOperation];

/** Where a generated file was detected (`meta.source` of a `file_gen` row). */
export const FileSource = {
  CODE_EXECUTION: 'code_execution',
  TOOL_CALL: 'tool_call',
  AGENT_MESSAGE: 'agent_message',
  EXPLICIT: 'explicit',
} as const;

/** One of the {@link FileSource} values. */
export type FileSource = (typeof FileSource)[keyof typeof FileSource];

/**
 * Argument names under which code-running tools pass their code, in order
 * of preference (`execute_python({ code })`, `bash({ command })`): the
 * processor extracts code metadata from the first one holding a non-empty
 * string, and the Postgres row stores that same one as `inputs.code`.
 */
export const TOOL_CODE_ARGUMENTS = Object.freeze(['code', 'source', 'script', 'command', 'cmd'] as const);

/** The code a code-running tool was given: the first of {@link TOOL_CODE_ARGUMENTS} holding a non-empty string. */
export function toolCodeArgument(args: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of TOOL_CODE_ARGUMENTS) {
    const v = args[key];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}
