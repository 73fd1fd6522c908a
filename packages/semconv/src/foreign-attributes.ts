/**
 * Attribute keys that other instrumentations write and agentspan only reads:
 * the processor recognises spans of the Vercel AI SDK (`ai.*`), OpenInference
 * and OpenLLMetry by them and maps them into agentspan's own attributes
 * (`Attr`). agentspan never writes these keys.
 */

// General OpenTelemetry exception event (`span.recordException`).
export const EVENT_EXCEPTION = 'exception';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';

// Vercel AI SDK (v3 to v6, `experimental_telemetry`): `ai.*` spans.
/** `ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`, `ai.streamText`, ... */
export const ATTR_AI_OPERATION_ID = 'ai.operationId';
export const ATTR_AI_TELEMETRY_FUNCTION_ID = 'ai.telemetry.functionId';
export const ATTR_AI_MODEL_ID = 'ai.model.id';
export const ATTR_AI_MODEL_PROVIDER = 'ai.model.provider';
export const ATTR_AI_PROMPT = 'ai.prompt';
export const ATTR_AI_PROMPT_MESSAGES = 'ai.prompt.messages';
export const ATTR_AI_RESPONSE_TEXT = 'ai.response.text';
/** JSON text: `[{ toolCallId, toolName, input }]` (`args` in v4). */
export const ATTR_AI_RESPONSE_TOOL_CALLS = 'ai.response.toolCalls';
export const ATTR_AI_RESPONSE_OBJECT = 'ai.response.object';
export const ATTR_AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason';
export const ATTR_AI_TOOL_CALL_NAME = 'ai.toolCall.name';
export const ATTR_AI_TOOL_CALL_ID = 'ai.toolCall.id';
export const ATTR_AI_TOOL_CALL_ARGS = 'ai.toolCall.args';
export const ATTR_AI_TOOL_CALL_RESULT = 'ai.toolCall.result';

// OpenInference (Arize): `openinference.span.kind` and its keys.
/** `LLM`, `CHAIN`, `TOOL`, `AGENT`, `RETRIEVER`, `EMBEDDING`, ... */
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const ATTR_INPUT_VALUE = 'input.value';
export const ATTR_OUTPUT_VALUE = 'output.value';
export const ATTR_OI_TOOL_NAME = 'tool.name';
/** The tool call's id on a TOOL span. */
export const ATTR_OI_TOOL_ID = 'tool.id';
export const ATTR_OI_AGENT_NAME = 'agent.name';
export const ATTR_OI_LLM_MODEL_NAME = 'llm.model_name';
export const ATTR_OI_LLM_PROVIDER = 'llm.provider';
export const ATTR_OI_LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const ATTR_OI_LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
/** Prefix of the flattened input messages (`llm.input_messages.0.message.content`). */
export const PREFIX_OI_LLM_INPUT_MESSAGES = 'llm.input_messages.';
/** Prefix of the flattened output messages (`llm.output_messages.0.message.content`). */
export const PREFIX_OI_LLM_OUTPUT_MESSAGES = 'llm.output_messages.';

// OpenLLMetry (Traceloop).
/** `workflow`, `task`, `agent`, `tool`. */
export const ATTR_TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
export const ATTR_TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
/** JSON text `{ args, kwargs }` of the call. */
export const ATTR_TRACELOOP_ENTITY_INPUT = 'traceloop.entity.input';
export const ATTR_TRACELOOP_ENTITY_OUTPUT = 'traceloop.entity.output';
/** `chat`, `completion`, `embedding`, `rerank`. */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';

// AG2 (Python, `ag2[tracing]`, module `autogen.opentelemetry`): read by @agentspan/gateway.
/** Every AG2 span has it: `conversation`, `multi_conversation`, `agent`, `llm`, `tool`, `code_execution`, `human_input`, `speaker_selection`, `handoff`. */
export const ATTR_AG2_SPAN_TYPE = 'ag2.span.type';
/** Exit code of an `execute_code {agent}` span. */
export const ATTR_AG2_CODE_EXIT_CODE = 'ag2.code_execution.exit_code';
/** Output of an `execute_code {agent}` span (≤ 4096 characters; only with `AG2_OTEL_RECORD_CONTENT=1`). */
export const ATTR_AG2_CODE_OUTPUT = 'ag2.code_execution.output';
/** JSON text: names of the agents a `speaker_selection` span chose from. */
export const ATTR_AG2_SPEAKER_CANDIDATES = 'ag2.speaker_selection.candidates';
export const ATTR_AG2_SPEAKER_SELECTED = 'ag2.speaker_selection.selected';
export const ATTR_AG2_HUMAN_INPUT_PROMPT = 'ag2.human_input.prompt';
export const ATTR_AG2_HUMAN_INPUT_RESPONSE = 'ag2.human_input.response';
/** JSON text: chat ids of an `initiate_chats` span. */
export const ATTR_AG2_CHATS_IDS = 'ag2.chats.ids';
/** JSON text: summaries of an `initiate_chats` span (content). */
export const ATTR_AG2_CHATS_SUMMARIES = 'ag2.chats.summaries';
/** GenAI-style keys AG2 adds on conversation spans. */
export const ATTR_GEN_AI_CONVERSATION_TURNS = 'gen_ai.conversation.turns';
export const ATTR_GEN_AI_CONVERSATION_MAX_TURNS = 'gen_ai.conversation.max_turns';
export const ATTR_GEN_AI_CONVERSATION_RESUMED = 'gen_ai.conversation.resumed';
/** AG2's cost of the operation (USD), on conversation and `chat` spans. */
export const ATTR_GEN_AI_USAGE_COST = 'gen_ai.usage.cost';

// OpenInference graph frameworks (LangGraph, ...): the node a span ran in.
export const ATTR_OI_GRAPH_NODE_ID = 'graph.node.id';
