/**
 * Every span attribute key agentspan reads or writes. Nothing else in the
 * code base spells an attribute string.
 *
 * Keys from the OpenTelemetry GenAI semantic conventions (development status)
 * are copied here as constants, as the upstream README advises
 * instrumentations to do; everything the conventions have no key for lives
 * under `agentspan.*`.
 */

// ---------------------------------------------------------------------------
// OpenTelemetry GenAI semantic conventions
// ---------------------------------------------------------------------------

/** `invoke_workflow`, `invoke_agent`, `execute_tool`, `execute_code`, `chat`, ... */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_WORKFLOW_NAME = 'gen_ai.workflow.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
/** JSON text of the tool's arguments (opt-in content in the conventions). */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
/** The tool's result, as text (JSON when the result was structured). */
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** General OpenTelemetry key: the class of error that ended the operation. */
export const ATTR_ERROR_TYPE = 'error.type';
/** General OpenTelemetry resource key. */
export const ATTR_SERVICE_NAME = 'service.name';

// ---------------------------------------------------------------------------
// agentspan: identity and placement of every span
// ---------------------------------------------------------------------------

/** `run`, `node`, `agent_call`, `code_exec`, `tool_call`, `file_gen`, `handoff`. */
export const ATTR_EVENT_TYPE = 'agentspan.event.type';
/** The run this span belongs to (also written as `gen_ai.conversation.id`). */
export const ATTR_RUN_ID = 'agentspan.run.id';
/** The node (step) id as the application named it, e.g. `step_1`. */
export const ATTR_NODE_ID = 'agentspan.node.id';
/** Optional finer step id inside a node (column `step_id`). */
export const ATTR_STEP_ID = 'agentspan.step.id';
/** Optional session id (column `session_id`). */
export const ATTR_SESSION_ID = 'agentspan.session.id';
/** 1-based position of the span among all spans of its run, in start order. */
export const ATTR_EXECUTION_ORDER = 'agentspan.execution.order';
/**
 * Span id of the nearest ancestor that has a row, set when a span ends whose
 * parent has none (the AI SDK's `step` spans between an agent and its model
 * calls and tools): `parent_event_id` is derived from it instead of the parent.
 */
export const ATTR_PARENT_EVENT_SPAN_ID = 'agentspan.parent_event.span_id';
/** Nesting depth under the run span: run 0, node 1, an event in a node 2, its file 3. */
export const ATTR_DEPTH = 'agentspan.depth';
/** Explicit row status (`completed`, `failed`, `skipped`, ...); otherwise derived from the span status. */
export const ATTR_STATUS = 'agentspan.status';
/** JSON text of user-supplied metadata, merged into the row's `meta`. */
export const ATTR_USER_META = 'agentspan.meta';
/** JSON text of user-supplied extra inputs (merged into the row's `inputs`). */
export const ATTR_USER_INPUTS = 'agentspan.inputs';
/** JSON text of user-supplied extra outputs (merged into the row's `outputs`). */
export const ATTR_USER_OUTPUTS = 'agentspan.outputs';
/** Human-readable error message (column `error_message`). */
export const ATTR_ERROR_MESSAGE = 'agentspan.error.message';
/** True when the event failed or its output shows an error. */
export const ATTR_HAS_ERROR = 'agentspan.error.detected';
/** Number of secrets replaced by `[REDACTED:<kind>]` in this span's values. */
export const ATTR_REDACTIONS = 'agentspan.redactions';
/** True when a value was cut to the configured scan/capture bound. */
export const ATTR_TRUNCATED = 'agentspan.truncated';
/** Set by the processor once it has processed a span (so it never runs twice). */
export const ATTR_PROCESSED = 'agentspan.processed';

// ---------------------------------------------------------------------------
// Runs and nodes
// ---------------------------------------------------------------------------

/** Workflow mode, e.g. `one-shot`, `planning-control` (also `gen_ai.workflow.name`). */
export const ATTR_RUN_MODE = 'agentspan.run.mode';
export const ATTR_RUN_TASK = 'agentspan.run.task';
/** `success`, `failed`, `cancelled`. */
export const ATTR_RUN_STATUS = 'agentspan.run.status';
/**
 * `true` on a run span that covers one part of its run (the gateway sets it
 * on every run span it makes from a trace's root: each trace of a
 * conversation is one part): its
 * `workflow_runs` row is merged with the row stored for the run (earliest
 * start, latest end, `failed` when any part failed) instead of replacing it.
 */
export const ATTR_RUN_MULTI_TRACE = 'agentspan.run.multi_trace';
export const ATTR_NODE_TITLE = 'agentspan.node.title';
/** 0-based position of the node in its run (column `order_index`). */
export const ATTR_NODE_ORDER = 'agentspan.node.order';
export const ATTR_NODE_TYPE = 'agentspan.node.type';

// ---------------------------------------------------------------------------
// Agent calls (messages)
// ---------------------------------------------------------------------------

export const ATTR_AGENT_ROLE = 'agentspan.agent.role';
export const ATTR_MESSAGE_SENDER = 'agentspan.message.sender';
export const ATTR_MESSAGE_CONTENT = 'agentspan.message.content';
export const ATTR_MESSAGE_LENGTH = 'agentspan.message.length';
/** The message that triggered a code execution or tool call (`inputs.context`). */
export const ATTR_MESSAGE_CONTEXT = 'agentspan.message.context';
export const ATTR_MESSAGE_HAS_CODE = 'agentspan.message.has_code';
export const ATTR_MESSAGE_CODE_LANGUAGES = 'agentspan.message.code_languages';
/**
 * Code hashes (as `agentspan.code.hash`) of the message's fenced code blocks,
 * in order, each once: the block an agent proposed and the code an executor
 * ran hash alike, so mining can tie an execution to the message it came from.
 */
export const ATTR_MESSAGE_CODE_HASHES = 'agentspan.message.code_hashes';
export const ATTR_MESSAGE_HAS_TOOL_CALLS = 'agentspan.message.has_tool_calls';
/** File paths referenced in the message text. */
export const ATTR_MESSAGE_FILE_REFS = 'agentspan.message.file_refs';

// ---------------------------------------------------------------------------
// Code executions
// ---------------------------------------------------------------------------

export const ATTR_CODE_LANGUAGE = 'agentspan.code.language';
export const ATTR_CODE_CONTENT = 'agentspan.code.content';
/** First 16 hex chars of SHA-256 over the code with normalised line endings. */
export const ATTR_CODE_HASH = 'agentspan.code.hash';
export const ATTR_CODE_LENGTH = 'agentspan.code.length';
export const ATTR_CODE_OUTPUT = 'agentspan.code.output';
export const ATTR_CODE_EXIT_CODE = 'agentspan.code.exit_code';
/** Working directory the code ran in (relative paths resolve against it). */
export const ATTR_CODE_CWD = 'agentspan.code.cwd';
export const ATTR_CODE_IMPORTS = 'agentspan.code.imports';
export const ATTR_CODE_FILES_WRITTEN = 'agentspan.code.files_written';
export const ATTR_CODE_FILES_READ = 'agentspan.code.files_read';

// ---------------------------------------------------------------------------
// Tool calls
// ---------------------------------------------------------------------------

/** Sorted top-level keys of the tool's arguments object. */
export const ATTR_TOOL_ARGS_KEYS = 'agentspan.tool.args_keys';

// ---------------------------------------------------------------------------
// Generated files
// ---------------------------------------------------------------------------

/** Paths of files an event generated (detected or declared). */
export const ATTR_FILES_GENERATED = 'agentspan.files.generated';
export const ATTR_FILE_PATH = 'agentspan.file.path';
/** `code_execution`, `tool_call`, `agent_message`, `explicit`. */
export const ATTR_FILE_SOURCE = 'agentspan.file.source';
export const ATTR_FILE_CONTENT = 'agentspan.file.content';
export const ATTR_FILE_SIZE = 'agentspan.file.size';
/** Extension without the dot, lower case (`py`, `csv`, `png`). */
export const ATTR_FILE_TYPE = 'agentspan.file.type';
export const ATTR_FILE_SHA256 = 'agentspan.file.sha256';
export const ATTR_FILE_HAS_CONTENT = 'agentspan.file.has_content';
export const ATTR_FILE_TRUNCATED = 'agentspan.file.truncated';
/**
 * Set on a `file_gen` span when the same file was already recorded in the
 * same node (e.g. detected from the code, then declared explicitly): the
 * span stays in the trace, the Postgres exporter writes no second row.
 */
export const ATTR_FILE_DUPLICATE = 'agentspan.file.duplicate';
/** Absolute path the file resolved to (inside the workspace when captured). */
export const ATTR_FILE_RESOLVED_PATH = 'agentspan.file.resolved_path';
/** Why content was not captured: `not_found`, `outside_workspace`, `binary`, `too_large`, ... */
export const ATTR_FILE_SKIP_REASON = 'agentspan.file.skip_reason';

// ---------------------------------------------------------------------------
// Handoffs
// ---------------------------------------------------------------------------

export const ATTR_HANDOFF_FROM = 'agentspan.handoff.from';
export const ATTR_HANDOFF_TO = 'agentspan.handoff.to';

// ---------------------------------------------------------------------------
// Mapping of spans from other instrumentations (read by the processor)
// ---------------------------------------------------------------------------

/** Set on a span of another instrumentation that the processor mapped: `gen_ai`, `openinference`, `ai-sdk`, `traceloop`. */
export const ATTR_MAPPED_FROM = 'agentspan.mapped_from';
/**
 * `true` on an agent envelope of another instrumentation (`invoke_agent`,
 * `ai.generateText`, OpenInference `AGENT`) whose model turns were recorded
 * without the processor seeing them under it: the gateway sets it when the
 * turns came in an earlier OTLP request than the envelope. The processor
 * then treats the envelope as one with turns: it is no row (the turns are).
 */
export const ATTR_AGENT_TURNS_ELSEWHERE = 'agentspan.agent.turns_elsewhere';
/**
 * Set by the gateway on a span replayed before a span above it that its
 * row takes its agent name, depth or node from (the spans of an agent that
 * runs longer than a sender's export delay come before their envelope):
 * `true`. The Postgres exporter marks the row `meta.awaits_fill` with the
 * columns it lacks; a later fill sets them.
 */
export const ATTR_AGENT_FILL_AWAITED = 'agentspan.agent.fill.awaited';
/**
 * The fill a span gives rows written before it (the gateway sets it; read
 * by the Postgres exporter): parallel arrays, one entry per parent of such
 * rows. Span ids (string[]) of the parents.
 */
export const ATTR_AGENT_FILL_PARENT_SPAN_IDS = 'agentspan.agent.fill.parent_span_ids';
/** Run ids (string[]): the run of the rows under each parent of {@link ATTR_AGENT_FILL_PARENT_SPAN_IDS}. */
export const ATTR_AGENT_FILL_RUN_IDS = 'agentspan.agent.fill.run_ids';
/**
 * Integers (number[]): the depth of the rows under each parent minus this
 * span's; 0 when the span gives them neither depth nor node (a span of
 * another run between).
 */
export const ATTR_AGENT_FILL_DEPTH_OFFSETS = 'agentspan.agent.fill.depth_offsets';
/** Integers (number[]): how many spans lie between each parent and this span (the nearest source wins). */
export const ATTR_AGENT_FILL_RANKS = 'agentspan.agent.fill.ranks';
/**
 * `true` when the span carrying a fill is no agent envelope (a model turn,
 * a tool, a root above the rows): it gives their depth and node only, its
 * own agent name not being theirs.
 */
export const ATTR_AGENT_FILL_DEPTH_ONLY = 'agentspan.agent.fill.depth_only';

// GenAI conventions: content and model keys other instrumentations write.
/** JSON text: the messages sent to the model (`[{ role, parts: [...] }]`). */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** JSON text: the messages the model returned (`[{ role, parts: [...], finish_reason }]`). */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';
/** Deprecated predecessor of `gen_ai.provider.name`, still written by many instrumentations. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Prefix of OpenLLMetry's flattened prompts (`gen_ai.prompt.0.content`). */
export const PREFIX_GEN_AI_PROMPT = 'gen_ai.prompt.';
/** Prefix of OpenLLMetry's flattened completions (`gen_ai.completion.0.content`). */
export const PREFIX_GEN_AI_COMPLETION = 'gen_ai.completion.';
