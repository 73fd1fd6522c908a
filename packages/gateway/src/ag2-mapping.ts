/**
 * AG2 (Python, `ag2[tracing]`) spans → agentspan attributes. Pure: it reads
 * the received span, its parent and its `chat` children when they came in
 * the same request, and returns the attributes to add before the span goes
 * through `ExecutionEventSpanProcessor`.
 *
 * AG2 follows the GenAI conventions where they have a key, so its
 * `execute_tool` spans are left to the processor's GenAI mapping. What AG2
 * does its own way is mapped here:
 *
 * | AG2 span (`ag2.span.type`) | becomes |
 * | --- | --- |
 * | `conversation {agent}` / `initiate_chats` without a parent | the run (`workflow_runs`) |
 * | `conversation {agent}` with a parent (nested chat, speaker selection's inner chat) | a node (`dag_nodes`, `node_type = conversation`) |
 * | `invoke_agent {agent}` | `agent_call` (the reply: `gen_ai.output.messages`) |
 * | `execute_tool {name}` | `tool_call` (by the processor's GenAI mapping) |
 * | `execute_code {agent}` | `code_exec` (exit code, output; the code from the executing agent's input message) |
 * | `await_human_input {agent}` | `agent_call` with role `user` (the human's answer) |
 * | `speaker_selection` | `handoff` to the selected agent |
 * | `chat {model}` (`llm`) | no row: its model and tokens go to the enclosing `invoke_agent` row (when both come in one request) |
 *
 * This module is the part of the gateway the processor's GenAI mapping
 * (`@agentspan/processor`, `genai-mapping.ts`) could absorb later; it uses
 * only `@agentspan/semconv` keys and `@agentspan/extract`.
 */

import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { extractMessageMetadata } from '@agentspan/extract';
import { Attr, EventType, ForeignAttr as F, GenAiOperation } from '@agentspan/semconv';

/** Values of `ag2.span.type`. */
export const Ag2SpanType = {
  CONVERSATION: 'conversation',
  MULTI_CONVERSATION: 'multi_conversation',
  AGENT: 'agent',
  LLM: 'llm',
  TOOL: 'tool',
  CODE_EXECUTION: 'code_execution',
  HUMAN_INPUT: 'human_input',
  SPEAKER_SELECTION: 'speaker_selection',
  HANDOFF: 'handoff',
} as const;

/** Workflow mode (`workflow_runs.mode`) of a run made from an AG2 conversation. */
export const AG2_RUN_MODE = 'ag2.conversation';
/** Workflow mode of a run made from AG2's `initiate_chats`. */
export const AG2_MULTI_RUN_MODE = 'ag2.initiate_chats';
/** `dag_nodes.node_type` of a nested AG2 conversation. */
export const AG2_CONVERSATION_NODE_TYPE = 'conversation';

/** Content keys AG2 writes (only with `AG2_OTEL_RECORD_CONTENT=1`), removed with `captureContent: false`. */
export const AG2_CONTENT_KEYS: readonly string[] = [
  Attr.ATTR_GEN_AI_INPUT_MESSAGES,
  Attr.ATTR_GEN_AI_OUTPUT_MESSAGES,
  Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  Attr.ATTR_GEN_AI_TOOL_CALL_RESULT,
  F.ATTR_AG2_CODE_OUTPUT,
  F.ATTR_AG2_HUMAN_INPUT_PROMPT,
  F.ATTR_AG2_HUMAN_INPUT_RESPONSE,
  F.ATTR_AG2_CHATS_SUMMARIES,
];

/** A received span as the mapping sees it. */
export interface Ag2SpanView {
  readonly name: string;
  readonly spanId: string;
  readonly attributes: Attributes;
  /** True when the span has no parent at all (the root of its trace). */
  readonly isRoot: boolean;
}

/** What the mapping decided for one span. */
export interface Ag2Mapping {
  /** Attributes to add (they win over the received ones of the same key, which AG2 never writes). */
  readonly attributes: Attributes;
  /**
   * Received keys to hide from the processor, so its GenAI mapping does not
   * make a row of the span (AG2's `chat` spans: the agent's reply is the
   * row). The replay writes them back once the span has ended, for the
   * exporters that forward it.
   */
  readonly withhold: readonly string[];
  /** Depth under the run as AG2's structure implies it, for when the parent did not come in the same request. */
  readonly structuralDepth: number | undefined;
}

/** Whether a span was written by AG2's tracing. */
export function isAg2Span(attrs: Attributes): boolean {
  return typeof attrs[F.ATTR_AG2_SPAN_TYPE] === 'string';
}

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Text of one GenAI message (`{ role, parts: [...] }`): text parts, tool responses; tool calls as JSON when there is no text. */
function messageText(message: unknown): { text: string | undefined; toolCalls: number } {
  const parts = record(message)?.['parts'];
  if (!Array.isArray(parts)) return { text: undefined, toolCalls: 0 };
  const texts: string[] = [];
  const calls: Record<string, unknown>[] = [];
  for (const p of parts) {
    const part = record(p);
    if (!part) continue;
    if (part['type'] === 'text' && typeof part['content'] === 'string') texts.push(part['content']);
    else if (part['type'] === 'tool_call_response') {
      const r = part['response'];
      if (typeof r === 'string') texts.push(r);
      else if (r !== undefined) texts.push(JSON.stringify(r));
    } else if (part['type'] === 'tool_call') {
      calls.push({
        ...(typeof part['id'] === 'string' && part['id'] !== '' ? { id: part['id'] } : {}),
        ...(typeof part['name'] === 'string' ? { name: part['name'] } : {}),
        ...(part['arguments'] !== undefined ? { arguments: part['arguments'] } : {}),
      });
    }
  }
  if (texts.length > 0) return { text: texts.join('\n'), toolCalls: calls.length };
  if (calls.length > 0) return { text: JSON.stringify({ tool_calls: calls }), toolCalls: calls.length };
  return { text: undefined, toolCalls: 0 };
}

/** GenAI messages (JSON text of `[{ role, parts }]`), or an empty list. */
function messagesOf(attrs: Attributes, key: string): unknown[] {
  const parsed = parseJson(str(attrs[key]));
  return Array.isArray(parsed) ? parsed : [];
}

/**
 * The text of the first `user` message of a span's `gen_ai.input.messages`
 * (GenAI conventions: `[{ role, parts }]`), or undefined: what a run made
 * from a generic trace root takes as its task.
 */
export function firstUserMessageText(attrs: Attributes): string | undefined {
  const first = messagesOf(attrs, Attr.ATTR_GEN_AI_INPUT_MESSAGES).find((m) => record(m)?.['role'] === 'user');
  return first === undefined ? undefined : messageText(first).text;
}

/** The code AG2 ran: the fenced blocks of the latest input message that has any (AG2 executes that message's blocks). */
export function codeFromMessages(inputMessages: readonly unknown[], maxScanChars = 1_000_000): { code: string; language: string | undefined; message: string } | undefined {
  for (let i = inputMessages.length - 1; i >= 0; i--) {
    const { text } = messageText(inputMessages[i]);
    if (text === undefined) continue;
    const blocks = extractMessageMetadata(text, { maxScanChars }).codeBlocks;
    if (blocks.length === 0) continue;
    const language = blocks.find((b) => b.language !== 'unknown')?.language;
    return { code: blocks.map((b) => b.code).join('\n\n'), language, message: text };
  }
  return undefined;
}

function setIfAbsent(out: Attributes, attrs: Attributes, key: string, value: AttributeValue | undefined): void {
  if (value !== undefined && attrs[key] === undefined && out[key] === undefined) out[key] = value;
}

/** `agentspan.meta` JSON: the keys given, without the undefined ones. */
function metaJson(fields: Record<string, unknown>): string {
  const out: Record<string, unknown> = { framework: 'ag2' };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return JSON.stringify(out);
}

/** AG2 marks a failed operation with `error.type` (without necessarily setting the span status). */
function failure(out: Attributes, attrs: Attributes): void {
  if (str(attrs[Attr.ATTR_ERROR_TYPE]) === undefined) return;
  out[Attr.ATTR_HAS_ERROR] = true;
  setIfAbsent(out, attrs, Attr.ATTR_STATUS, 'failed');
}

function conversationMeta(attrs: Attributes): Record<string, unknown> {
  return {
    conversation_id: str(attrs[Attr.ATTR_GEN_AI_CONVERSATION_ID]),
    initiator: str(attrs[Attr.ATTR_GEN_AI_AGENT_NAME]),
    turns: num(attrs[F.ATTR_GEN_AI_CONVERSATION_TURNS]),
    max_turns: num(attrs[F.ATTR_GEN_AI_CONVERSATION_MAX_TURNS]),
    resumed: attrs[F.ATTR_GEN_AI_CONVERSATION_RESUMED] === true ? true : undefined,
    model: str(attrs[Attr.ATTR_GEN_AI_RESPONSE_MODEL]) ?? str(attrs[Attr.ATTR_GEN_AI_REQUEST_MODEL]),
    provider: str(attrs[Attr.ATTR_GEN_AI_PROVIDER_NAME]),
    input_tokens: num(attrs[Attr.ATTR_GEN_AI_USAGE_INPUT_TOKENS]),
    output_tokens: num(attrs[Attr.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]),
    cost: num(attrs[F.ATTR_GEN_AI_USAGE_COST]),
    chat_ids: parseJson(str(attrs[F.ATTR_AG2_CHATS_IDS])),
  };
}

function conversation(span: Ag2SpanView, multi: boolean): Ag2Mapping {
  const attrs = span.attributes;
  const out: Attributes = {};
  const meta = conversationMeta(attrs);
  if (span.isRoot) {
    out[Attr.ATTR_EVENT_TYPE] = EventType.RUN;
    out[Attr.ATTR_RUN_MODE] = multi ? AG2_MULTI_RUN_MODE : AG2_RUN_MODE;
    const first = messagesOf(attrs, Attr.ATTR_GEN_AI_INPUT_MESSAGES)[0];
    setIfAbsent(out, attrs, Attr.ATTR_RUN_TASK, messageText(first).text);
    out[Attr.ATTR_USER_META] = metaJson(meta);
    return { attributes: out, withhold: [], structuralDepth: 0 };
  }
  out[Attr.ATTR_EVENT_TYPE] = EventType.NODE;
  out[Attr.ATTR_NODE_ID] = span.spanId;
  out[Attr.ATTR_NODE_TYPE] = AG2_CONVERSATION_NODE_TYPE;
  out[Attr.ATTR_NODE_TITLE] = span.name;
  out[Attr.ATTR_USER_META] = metaJson(meta);
  failure(out, attrs);
  return { attributes: out, withhold: [], structuralDepth: 1 };
}

function agentCall(span: Ag2SpanView, llmChildren: readonly Attributes[]): Ag2Mapping {
  const attrs = span.attributes;
  const out: Attributes = { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_AGENT_ROLE]: 'assistant' };
  const outputs = messagesOf(attrs, Attr.ATTR_GEN_AI_OUTPUT_MESSAGES);
  const texts: string[] = [];
  let toolCalls = 0;
  for (const m of outputs) {
    const t = messageText(m);
    if (t.text !== undefined) texts.push(t.text);
    toolCalls += t.toolCalls;
  }
  if (texts.length > 0) {
    const content = texts.join('\n');
    out[Attr.ATTR_MESSAGE_CONTENT] = content;
    out[Attr.ATTR_MESSAGE_LENGTH] = content.length;
  }
  if (outputs.length > 0) out[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS] = toolCalls > 0;
  // The model calls the agent made (AG2 `chat` spans of the same request): their usage belongs to this row.
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let cost: number | undefined;
  let responseModel: string | undefined;
  for (const c of llmChildren) {
    const i = num(c[Attr.ATTR_GEN_AI_USAGE_INPUT_TOKENS]);
    const o = num(c[Attr.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]);
    const k = num(c[F.ATTR_GEN_AI_USAGE_COST]);
    if (i !== undefined) inputTokens = (inputTokens ?? 0) + i;
    if (o !== undefined) outputTokens = (outputTokens ?? 0) + o;
    if (k !== undefined) cost = (cost ?? 0) + k;
    responseModel ??= str(c[Attr.ATTR_GEN_AI_RESPONSE_MODEL]) ?? str(c[Attr.ATTR_GEN_AI_REQUEST_MODEL]);
  }
  setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_REQUEST_MODEL, responseModel);
  out[Attr.ATTR_USER_META] = metaJson({
    provider: str(attrs[Attr.ATTR_GEN_AI_PROVIDER_NAME]),
    input_messages: attrs[Attr.ATTR_GEN_AI_INPUT_MESSAGES] !== undefined ? messagesOf(attrs, Attr.ATTR_GEN_AI_INPUT_MESSAGES).length : undefined,
    llm_calls: llmChildren.length > 0 ? llmChildren.length : undefined,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cost,
  });
  failure(out, attrs);
  return { attributes: out, withhold: [], structuralDepth: 1 };
}

function codeExecution(span: Ag2SpanView, parent: Attributes | undefined): Ag2Mapping {
  const attrs = span.attributes;
  const out: Attributes = { [Attr.ATTR_EVENT_TYPE]: EventType.CODE_EXEC };
  const exitCode = num(attrs[F.ATTR_AG2_CODE_EXIT_CODE]);
  if (exitCode !== undefined && Number.isInteger(exitCode)) out[Attr.ATTR_CODE_EXIT_CODE] = exitCode;
  setIfAbsent(out, attrs, Attr.ATTR_CODE_OUTPUT, str(attrs[F.ATTR_AG2_CODE_OUTPUT]));
  // AG2 does not put the code on the span: it is in the message the executing agent received.
  if (parent !== undefined && attrs[Attr.ATTR_CODE_CONTENT] === undefined) {
    const found = codeFromMessages(messagesOf(parent, Attr.ATTR_GEN_AI_INPUT_MESSAGES));
    if (found !== undefined) {
      out[Attr.ATTR_CODE_CONTENT] = found.code;
      out[Attr.ATTR_CODE_LENGTH] = found.code.length;
      if (found.language !== undefined) out[Attr.ATTR_CODE_LANGUAGE] = found.language;
      out[Attr.ATTR_MESSAGE_CONTEXT] = found.message;
    }
  }
  if (exitCode !== undefined && exitCode !== 0) out[Attr.ATTR_HAS_ERROR] = true;
  failure(out, attrs);
  return { attributes: out, withhold: [], structuralDepth: 2 };
}

function humanInput(span: Ag2SpanView): Ag2Mapping {
  const attrs = span.attributes;
  const out: Attributes = { [Attr.ATTR_EVENT_TYPE]: EventType.AGENT_CALL, [Attr.ATTR_AGENT_ROLE]: 'user' };
  const response = typeof attrs[F.ATTR_AG2_HUMAN_INPUT_RESPONSE] === 'string' ? (attrs[F.ATTR_AG2_HUMAN_INPUT_RESPONSE] as string) : undefined;
  if (response !== undefined) {
    out[Attr.ATTR_MESSAGE_CONTENT] = response;
    out[Attr.ATTR_MESSAGE_LENGTH] = response.length;
  }
  const prompt = str(attrs[F.ATTR_AG2_HUMAN_INPUT_PROMPT]);
  if (prompt !== undefined) out[Attr.ATTR_USER_INPUTS] = JSON.stringify({ prompt });
  out[Attr.ATTR_USER_META] = metaJson({ human_input: true });
  failure(out, attrs);
  return { attributes: out, withhold: [], structuralDepth: 1 };
}

function speakerSelection(span: Ag2SpanView): Ag2Mapping {
  const attrs = span.attributes;
  const out: Attributes = { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF };
  setIfAbsent(out, attrs, Attr.ATTR_HANDOFF_TO, str(attrs[F.ATTR_AG2_SPEAKER_SELECTED]));
  const candidates = parseJson(str(attrs[F.ATTR_AG2_SPEAKER_CANDIDATES]));
  out[Attr.ATTR_USER_META] = metaJson({ speaker_selection: true, candidates: Array.isArray(candidates) ? candidates : undefined });
  failure(out, attrs);
  return { attributes: out, withhold: [], structuralDepth: 1 };
}

/**
 * The mapping of one AG2 span, or `undefined` for a span that is not AG2's
 * or needs nothing beyond the processor's GenAI mapping (besides
 * `error.type` → failed, which `execute_tool` gets here too).
 *
 * @param parent attributes of the parent span when it came in the same request
 * @param llmChildren attributes of AG2 `chat` spans under this one in the same request
 */
export function mapAg2Span(
  span: Ag2SpanView,
  parent: Attributes | undefined,
  llmChildren: readonly Attributes[] = [],
): Ag2Mapping | undefined {
  const attrs = span.attributes;
  const type = str(attrs[F.ATTR_AG2_SPAN_TYPE]);
  if (type === undefined || attrs[Attr.ATTR_EVENT_TYPE] !== undefined) return undefined;
  const operation = str(attrs[Attr.ATTR_GEN_AI_OPERATION_NAME]);
  switch (type) {
    case Ag2SpanType.CONVERSATION:
      return conversation(span, false);
    case Ag2SpanType.MULTI_CONVERSATION:
      return conversation(span, true);
    case Ag2SpanType.AGENT:
      return agentCall(span, llmChildren);
    case Ag2SpanType.CODE_EXECUTION:
      return codeExecution(span, parent);
    case Ag2SpanType.HUMAN_INPUT:
      return humanInput(span);
    case Ag2SpanType.SPEAKER_SELECTION:
      return speakerSelection(span);
    case Ag2SpanType.HANDOFF:
      return { attributes: { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF }, withhold: [], structuralDepth: 1 };
    case Ag2SpanType.LLM:
      return { attributes: {}, withhold: [Attr.ATTR_GEN_AI_OPERATION_NAME], structuralDepth: 2 };
    case Ag2SpanType.TOOL: {
      const out: Attributes = {};
      failure(out, attrs);
      return { attributes: out, withhold: [], structuralDepth: 2 };
    }
    default:
      // Newer AG2 span types: a code execution by its operation name, anything else as received.
      if (operation === GenAiOperation.EXECUTE_CODE) return codeExecution(span, parent);
      return undefined;
  }
}
