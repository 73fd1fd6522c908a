import { SpanStatusCode, trace, type Attributes, type AttributeValue, type Context, type SpanContext } from '@opentelemetry/api';
import { BoundedMap, headOf } from '@agentspan/instrumentation';
import { TRUNCATION_MARK, mayBeJsonDocument } from '@agentspan/extract';
import type { Span } from '@opentelemetry/sdk-trace-base';
import { Attr, EventType, ForeignAttr as F, GenAiOperation } from '@agentspan/semconv';
import { MAX_NAME_CHARS, bounded, saysCut } from './bounds.js';
import { parseJsonExact } from './exact-json.js';
import { closedJsonPrefix, membersAfterStop, type PrefixStop } from './json-prefix.js';

/**
 * Maps spans of other instrumentations into agentspan's own attributes, so
 * they become rows of `execution_events` exactly like spans recorded with the
 * agentspan API (same columns, same `inputs`/`outputs`/`meta` keys), and the
 * processor's stamping, ordering, redaction and extraction apply to them.
 *
 * Recognised, in this order of precedence:
 *
 * | convention | agent (envelope) | model turn | tool |
 * | --- | --- | --- | --- |
 * | Vercel AI SDK ≤ v6 (`ai.operationId`) | `ai.generateText`, `ai.streamText`, `ai.generateObject`, `ai.streamObject` | their `.doGenerate` / `.doStream` | `ai.toolCall` |
 * | OpenTelemetry GenAI (`gen_ai.operation.name`; AI SDK v7 through `@ai-sdk/otel`, OpenLLMetry) | `invoke_agent` | `chat`, `text_completion`, `generate_content` | `execute_tool` |
 * | OpenInference (`openinference.span.kind`) | `AGENT` | `LLM` | `TOOL` |
 * | OpenLLMetry (`traceloop.span.kind`, `llm.request.type`) | `agent` | `chat`, `completion` | `tool` |
 *
 * Which spans become rows: a model turn is an `agent_call` row (one per
 * message an agent produced, with the model and the output), a tool a
 * `tool_call` row. An agent envelope is NOT a row when model turns were
 * recorded under it (its output repeats the last turn's); it names the agent
 * of every span under it, and becomes an `agent_call` row itself only when no
 * turn was recorded beneath it (an agent whose model calls are not
 * instrumented), so an agent never goes missing and no message is counted
 * twice; an envelope with turns that ends with an error status while no row
 * under it failed is a row too (failed, `meta.envelope_with_turns`, no message
 * or tokens), since its failure is on no row. An envelope carrying `agentspan.agent.turns_elsewhere: true` counts
 * as one with turns (the gateway sets it when the turns came in an earlier
 * OTLP request than the envelope, so this processor never saw them under it).
 *
 * Recognition happens at start; a turn or tool whose keys were set only
 * after start is recognised when it ends (an envelope must be recognisable
 * at start, since its children need its name).
 *
 * Spans that already carry `agentspan.event.type` (agentspan's own) are never
 * touched. Nothing here throws: a span that cannot be mapped is left as it is.
 * A turn whose output cannot be read (no JSON, nested deeper than 512, not
 * the convention's array) keeps it as its message text, cut to
 * `maxContentChars`, with `meta.output_unparsed: true`. An output longer than
 * `2 × maxContentChars + 64 KiB` is read from its start only (`readJson`), with
 * `meta.output_truncated: true`: the work on the application's thread is
 * bounded by what a row keeps. Names copied (agent, tool, model, provider)
 * are cut to `MAX_NAME_CHARS` and marked (`bounds.ts`).
 */

/** What a recognised span is, for agentspan. */
export type ForeignKind = 'agent' | 'turn' | 'tool';

/** Which convention a recognised span follows (value of `agentspan.mapped_from`). */
export type ForeignConvention = 'ai-sdk' | 'gen_ai' | 'openinference' | 'traceloop';

/** The classification of a span of another instrumentation. */
export interface ForeignSpanClass {
  readonly kind: ForeignKind;
  readonly convention: ForeignConvention;
}

/** Options of {@link ForeignSpanMapper}. */
export interface ForeignSpanMapperOptions {
  /**
   * Open spans under an agent envelope that are remembered (to name their
   * agent and count its turns); the oldest are forgotten first, so spans
   * that never end cannot grow memory without bound.
   * @default 10_000
   */
  maxTrackedSpans?: number;
  /** Longest text copied into one content attribute; longer is cut and marked `agentspan.truncated` (a turn's output is read only as far as twice this and 64 KiB). @default 1_000_000 */
  maxContentChars?: number;
}

const DEFAULT_MAX_TRACKED_SPANS = 10_000;
const DEFAULT_MAX_CONTENT_CHARS = 1_000_000;

/** GenAI operations that are one call to a model. */
const TURN_OPERATIONS: ReadonlySet<string> = new Set([GenAiOperation.CHAT, 'text_completion', 'generate_content']);

/** AI SDK (≤ v6) operation ids. */
const AI_SDK_AGENT_OPERATIONS: ReadonlySet<string> = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
]);
const AI_SDK_TURN_OPERATIONS: ReadonlySet<string> = new Set([
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
]);
const AI_SDK_TOOL_OPERATION = 'ai.toolCall';

/** Content keys of the recognised conventions, removed with `captureContent: false`. */
const FOREIGN_CONTENT_KEYS: readonly string[] = [
  Attr.ATTR_GEN_AI_INPUT_MESSAGES,
  Attr.ATTR_GEN_AI_OUTPUT_MESSAGES,
  Attr.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  F.ATTR_AI_PROMPT,
  F.ATTR_AI_PROMPT_MESSAGES,
  F.ATTR_AI_RESPONSE_TEXT,
  F.ATTR_AI_RESPONSE_TOOL_CALLS,
  F.ATTR_AI_RESPONSE_OBJECT,
  F.ATTR_AI_TOOL_CALL_ARGS,
  F.ATTR_AI_TOOL_CALL_RESULT,
  F.ATTR_INPUT_VALUE,
  F.ATTR_OUTPUT_VALUE,
  F.ATTR_TRACELOOP_ENTITY_INPUT,
  F.ATTR_TRACELOOP_ENTITY_OUTPUT,
];
const FOREIGN_CONTENT_PREFIXES: readonly string[] = [
  Attr.PREFIX_GEN_AI_PROMPT,
  Attr.PREFIX_GEN_AI_COMPLETION,
  F.PREFIX_OI_LLM_INPUT_MESSAGES,
  F.PREFIX_OI_LLM_OUTPUT_MESSAGES,
];

// ---------------------------------------------------------------------------
// Classification (pure)
// ---------------------------------------------------------------------------

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A tool call's id from an attribute: a non-empty string, or a number as its decimal text (see `toolCallIdOf`). */
function idAttribute(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'number' ? toolCallIdOf(v) : str(v);
}

function num(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * What a span of another instrumentation is, from its attributes, or
 * `undefined` when it is none of the kinds agentspan maps (HTTP, database,
 * embeddings, retrievers, chains, ...). Spans carrying `agentspan.event.type`
 * are agentspan's own and never classified.
 */
export function classifyForeignSpan(attrs: Attributes): ForeignSpanClass | undefined {
  if (attrs[Attr.ATTR_EVENT_TYPE] !== undefined) return undefined;
  const aiOperation = str(attrs[F.ATTR_AI_OPERATION_ID]);
  if (aiOperation !== undefined) {
    if (aiOperation === AI_SDK_TOOL_OPERATION) return { kind: 'tool', convention: 'ai-sdk' };
    if (AI_SDK_TURN_OPERATIONS.has(aiOperation)) return { kind: 'turn', convention: 'ai-sdk' };
    if (AI_SDK_AGENT_OPERATIONS.has(aiOperation)) return { kind: 'agent', convention: 'ai-sdk' };
    return undefined;
  }
  const operation = str(attrs[Attr.ATTR_GEN_AI_OPERATION_NAME]);
  if (operation !== undefined) {
    if (operation === GenAiOperation.EXECUTE_TOOL) return { kind: 'tool', convention: 'gen_ai' };
    if (operation === GenAiOperation.INVOKE_AGENT) return { kind: 'agent', convention: 'gen_ai' };
    if (TURN_OPERATIONS.has(operation)) return { kind: 'turn', convention: 'gen_ai' };
    return undefined;
  }
  const oiKind = str(attrs[F.ATTR_OPENINFERENCE_SPAN_KIND])?.toUpperCase();
  if (oiKind !== undefined) {
    if (oiKind === 'TOOL') return { kind: 'tool', convention: 'openinference' };
    if (oiKind === 'AGENT') return { kind: 'agent', convention: 'openinference' };
    if (oiKind === 'LLM') return { kind: 'turn', convention: 'openinference' };
    return undefined;
  }
  const tlKind = str(attrs[F.ATTR_TRACELOOP_SPAN_KIND]);
  if (tlKind === 'tool') return { kind: 'tool', convention: 'traceloop' };
  if (tlKind === 'agent') return { kind: 'agent', convention: 'traceloop' };
  const requestType = str(attrs[F.ATTR_LLM_REQUEST_TYPE]);
  if (requestType === 'chat' || requestType === 'completion') return { kind: 'turn', convention: 'traceloop' };
  return undefined;
}

/** The name of the agent a span is about, from its own attributes only. */
function ownAgentName(attrs: Attributes, c: ForeignSpanClass, spanName: string): string | undefined {
  const named = str(attrs[Attr.ATTR_GEN_AI_AGENT_NAME]);
  if (named !== undefined) return named;
  switch (c.convention) {
    case 'ai-sdk':
      // `functionId` names the agent; an envelope without one is named after its model (as AI SDK v7 does).
      return str(attrs[F.ATTR_AI_TELEMETRY_FUNCTION_ID]) ?? (c.kind === 'agent' ? str(attrs[F.ATTR_AI_MODEL_ID]) : undefined);
    case 'openinference':
      return str(attrs[F.ATTR_OI_AGENT_NAME]) ?? (c.kind === 'agent' ? spanName : undefined);
    case 'traceloop':
      return c.kind === 'agent' ? (str(attrs[F.ATTR_TRACELOOP_ENTITY_NAME]) ?? spanName) : undefined;
    case 'gen_ai':
      return c.kind === 'agent' ? afterPrefix(spanName, 'invoke_agent ') : undefined;
  }
}

function afterPrefix(name: string, prefix: string): string | undefined {
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

// ---------------------------------------------------------------------------
// Output of a model turn (pure)
// ---------------------------------------------------------------------------

/** A tool call the model asked for. */
interface RequestedToolCall {
  id?: string;
  name?: string;
  arguments?: unknown;
}

/** What a model turn produced. */
interface TurnOutput {
  text: string | undefined;
  toolCalls: RequestedToolCall[];
  /**
   * The output as sent, when it could not be read: no JSON (bad, unclosed,
   * cut by the sender's own attribute limit), nested deeper than
   * `mayBeJsonDocument` allows, or not the convention's shape at its top
   * (no array). The turn keeps it as its message text (see `turnAttributes`).
   */
  unparsed?: string;
  /**
   * Read in part: the output (or a tool call's arguments) was longer than
   * {@link OutputLimits.readChars}, and only its start was read (see
   * `readJson`). What follows is in no row key.
   */
  partial?: boolean;
  /**
   * `text` was read from an output read in part (`partial`): it may lack its
   * end, and the message is marked where reading stopped. A text sent on its
   * own (the AI SDK's `ai.response.text`, OpenInference's message content)
   * is whole even when the tool calls beside it were read in part.
   */
  textPartial?: boolean;
}

/** How much of a turn's output is read and kept. */
interface OutputLimits {
  /** Longest text kept of one content value (`maxContentChars`). */
  readonly maxContentChars: number;
  /**
   * Longest output (or tool call's arguments) read whole: `2 × maxContentChars`
   * (the message and the tool calls in `meta` each keep at most that) and
   * {@link READ_SLACK_CHARS} for the JSON around them. A longer one is read
   * from its start only, as far as this.
   */
  readonly readChars: number;
}

/** Room for the JSON syntax around what an output's message and tool calls keep (see {@link OutputLimits.readChars}). */
const READ_SLACK_CHARS = 65_536;

/** The limits of reading for a `maxContentChars`. */
function outputLimits(maxContentChars: number): OutputLimits {
  return { maxContentChars, readChars: 2 * maxContentChars + READ_SLACK_CHARS };
}

/**
 * `text` parsed, or `undefined` when it is no JSON. Objects and arrays are
 * parsed only after `mayBeJsonDocument`'s linear check (as in
 * `enrich-events.ts`): `JSON.parse` takes some 70 ms per MB to fail on an
 * unclosed `[[[[…` on the application's thread, and a value nested deeper
 * than that check allows would overflow the stack when its tool calls are
 * written back out (`JSON.stringify`), losing the whole turn's mapping.
 * Numbers a double cannot hold exactly (a 64-bit id in a tool call's
 * arguments) come back as strings of their exact text (`exact-json.ts`):
 * the turn's `meta.tool_calls` keeps every digit.
 */
function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const first = text.trimStart()[0];
  if ((first === '[' || first === '{') && !mayBeJsonDocument(text)) return undefined;
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}

/**
 * `text` parsed as {@link parseJson} does when it is at most `readChars`
 * long; longer, its first `readChars` characters only, closed where they end
 * (`closedJsonPrefix`: a string value cut there is kept up to the cut), and
 * `partial`, with where reading stopped (`stop`, for `completeCutPart`).
 * Parsing tens of megabytes on the application's thread to keep
 * `maxContentChars` of them cost time in proportion to what is thrown away.
 * A JSON value that ends within `readChars` was not cut: read as a whole
 * output is (not `partial`).
 */
function readJson(text: string | undefined, readChars: number): { value: unknown; partial: boolean; stop?: PrefixStop } {
  if (text === undefined || text.length <= readChars) return { value: parseJson(text), partial: false };
  const stop: PrefixStop = { depth: 0, keptEnd: 0 };
  const closed = closedJsonPrefix(text, readChars, stop);
  if (closed === undefined) return { value: undefined, partial: false };
  let value: unknown;
  try {
    value = parseJsonExact(closed);
  } catch {
    return { value: undefined, partial: false };
  }
  // The JSON ended within the bound: nothing of it was cut. Read as `parseJson` reads the whole:
  // blank after it changes nothing, anything else makes the output no JSON.
  if (stop.ended !== undefined) return { value: blankFrom(text, stop.ended) ? value : undefined, partial: false };
  return { value, partial: true, stop };
}

/** Whether `text` holds only JSON whitespace from `from` on (stops at the first other character). */
function blankFrom(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/** How far past the bound the members after a cut part's content are read (`completeCutPart`). */
const CUT_PART_WINDOW = 4096;

/**
 * The part of `gen_ai.output.messages` that an output read in part was cut
 * in, completed where its `type` was not read. The convention fixes no order
 * of a part's keys, and some instrumentations write `type` last (the
 * OpenTelemetry Python GenAI types: `{"content": …, "type": "text"}`,
 * `{"arguments": …, "name": …, "id": …, "type": "tool_call"}`): cut in its
 * content, such a part would be read as no text, and the output taken for
 * one holding nothing. When the cut fell at the part's own level (in its
 * content string, or between its members) the members that follow are read
 * from a few KiB past the bound (`membersAfterStop`) and fill those missing;
 * cut deeper (in a tool call's `arguments`) a part holding `arguments` is a
 * tool call, as only that part has them. Only the last part of the last
 * message read, and only when `parts` is the last key read of that message
 * and the cut fell inside one of its parts (depth 4), can be that part.
 */
function completeCutPart(messages: readonly unknown[], sent: string, stop: PrefixStop): void {
  if (stop.depth < 4) return;
  const message = record(messages[messages.length - 1]);
  if (message === undefined) return;
  const keys = Object.keys(message);
  if (keys[keys.length - 1] !== 'parts') return;
  const parts = message['parts'];
  if (!Array.isArray(parts)) return;
  const part = record(parts[parts.length - 1]);
  if (part === undefined || part['type'] !== undefined) return;
  if (stop.depth === 4) {
    const members = record(parseJson(membersAfterStop(sent, stop, CUT_PART_WINDOW)));
    if (members !== undefined) for (const key of Object.keys(members)) if (!(key in part)) part[key] = members[key];
  }
  if (part['type'] === undefined && part['arguments'] !== undefined) part['type'] = 'tool_call';
}

/**
 * A tool call's arguments sent as a string of their own: parsed when they
 * are JSON, else kept as that string. Longer than `readChars` they are not
 * read: their start, cut to `maxContentChars` and marked, is what a row
 * could keep of them (the message holds at most that, and `meta` drops
 * arguments that long).
 */
function argumentsOf(text: string, limits: OutputLimits): { value: unknown; cut: boolean } {
  if (text.length > limits.readChars) return { value: headOf(text, limits.maxContentChars) + TRUNCATION_MARK, cut: true };
  return { value: parseJson(text) ?? text, cut: false };
}

/**
 * A tool call's id as sent: a string as is, a number as its decimal text
 * (as the recorder reads ids; a number a double cannot hold exactly comes
 * as the string of its digits from `parseJsonExact` already). Anything else
 * is no id.
 */
function toolCallIdOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function joinText(parts: string[]): string | undefined {
  const text = parts.join('\n');
  return text.length > 0 ? text : undefined;
}

/** GenAI `gen_ai.output.messages`: `[{ role, parts: [{ type: 'text', content } | { type: 'tool_call', id, name, arguments }] }]`. */
function genAiOutput(attrs: Attributes, limits: OutputLimits): TurnOutput | undefined {
  const sent = str(attrs[Attr.ATTR_GEN_AI_OUTPUT_MESSAGES]);
  if (sent === undefined) return undefined;
  const { value: messages, partial, stop } = readJson(sent, limits.readChars);
  if (!Array.isArray(messages)) return { text: undefined, toolCalls: [], unparsed: sent };
  if (stop !== undefined) completeCutPart(messages, sent, stop);
  const texts: string[] = [];
  const toolCalls: RequestedToolCall[] = [];
  for (const m of messages) {
    const parts = record(m)?.['parts'];
    if (!Array.isArray(parts)) continue;
    for (const p of parts) {
      const part = record(p);
      if (!part) continue;
      if (part['type'] === 'text' && typeof part['content'] === 'string') texts.push(part['content']);
      else if (part['type'] === 'tool_call') {
        const id = toolCallIdOf(part['id']);
        toolCalls.push({
          ...(id !== undefined ? { id } : {}),
          ...(typeof part['name'] === 'string' ? { name: part['name'] } : {}),
          ...(part['arguments'] !== undefined ? { arguments: part['arguments'] } : {}),
        });
      }
    }
  }
  const text = joinText(texts);
  // Read in part and nothing found in that part (a first value of megabytes that is no text): kept as sent, as one unread.
  if (partial && text === undefined && toolCalls.length === 0) return { text, toolCalls, unparsed: sent };
  return partial ? { text, toolCalls, partial, textPartial: text !== undefined } : { text, toolCalls };
}

/** Flattened indexed attributes under `prefix` (`prefix + '0.' + suffix`), in index order. */
function indexed(attrs: Attributes, prefix: string): Map<number, Map<string, AttributeValue>> {
  const out = new Map<number, Map<string, AttributeValue>>();
  for (const key of Object.keys(attrs)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) continue;
    const index = Number(rest.slice(0, dot));
    const value = attrs[key];
    if (!Number.isInteger(index) || index < 0 || value === undefined) continue;
    let entry = out.get(index);
    if (!entry) out.set(index, (entry = new Map()));
    entry.set(rest.slice(dot + 1), value);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/** Tool calls of one flattened message (`<callsKey>.<i>.<idKey|nameKey|argsKey>`); `cut` when arguments were too long to read. */
function flattenedToolCalls(
  message: Map<string, AttributeValue>,
  callsKey: string,
  keys: { id: string; name: string; args: string },
  limits: OutputLimits,
): { calls: RequestedToolCall[]; cut: boolean } {
  const calls = new Map<number, RequestedToolCall>();
  let cut = false;
  for (const [key, value] of message) {
    if (!key.startsWith(`${callsKey}.`)) continue;
    const rest = key.slice(callsKey.length + 1);
    const dot = rest.indexOf('.');
    const index = Number(rest.slice(0, dot));
    if (dot <= 0 || !Number.isInteger(index)) continue;
    const field = rest.slice(dot + 1);
    const call = calls.get(index) ?? {};
    if (field === keys.id) {
      const id = toolCallIdOf(value);
      if (id === undefined) continue;
      call.id = id;
    } else if (typeof value !== 'string') {
      continue;
    } else if (field === keys.name) {
      call.name = value;
    } else if (field === keys.args) {
      const args = argumentsOf(value, limits);
      call.arguments = args.value;
      cut ||= args.cut;
    }
    calls.set(index, call);
  }
  return { calls: [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c), cut };
}

/** OpenInference `llm.output_messages.<i>.message.content` / `.message.tool_calls.<j>.tool_call.*`. */
function openInferenceOutput(attrs: Attributes, limits: OutputLimits): TurnOutput {
  const texts: string[] = [];
  const toolCalls: RequestedToolCall[] = [];
  let partial = false;
  const messages = indexed(attrs, F.PREFIX_OI_LLM_OUTPUT_MESSAGES);
  for (const message of messages.values()) {
    const content = message.get('message.content');
    if (typeof content === 'string') texts.push(content);
    const found = flattenedToolCalls(
      message,
      'message.tool_calls',
      { id: 'tool_call.id', name: 'tool_call.function.name', args: 'tool_call.function.arguments' },
      limits,
    );
    toolCalls.push(...found.calls);
    partial ||= found.cut;
  }
  // `output.value` is the whole provider response for an LLM span: the text only when there are no messages to read.
  const text = joinText(texts) ?? (messages.size === 0 ? str(attrs[F.ATTR_OUTPUT_VALUE]) : undefined);
  return partial ? { text, toolCalls, partial } : { text, toolCalls };
}

/** OpenLLMetry `gen_ai.completion.<i>.content` / `.tool_calls.<j>.{id,name,arguments}`. */
function completionOutput(attrs: Attributes, limits: OutputLimits): TurnOutput | undefined {
  const messages = indexed(attrs, Attr.PREFIX_GEN_AI_COMPLETION);
  if (messages.size === 0) return undefined;
  const texts: string[] = [];
  const toolCalls: RequestedToolCall[] = [];
  let partial = false;
  for (const message of messages.values()) {
    const content = message.get('content');
    if (typeof content === 'string') texts.push(content);
    const found = flattenedToolCalls(message, 'tool_calls', { id: 'id', name: 'name', args: 'arguments' }, limits);
    toolCalls.push(...found.calls);
    partial ||= found.cut;
  }
  const text = joinText(texts);
  return partial ? { text, toolCalls, partial } : { text, toolCalls };
}

/** AI SDK (≤ v6): `ai.response.text`, `ai.response.toolCalls` (`[{ toolCallId, toolName, input | args }]`), `ai.response.object`. */
function aiSdkOutput(attrs: Attributes, limits: OutputLimits): TurnOutput {
  const toolCalls: RequestedToolCall[] = [];
  const sent = str(attrs[F.ATTR_AI_RESPONSE_TOOL_CALLS]);
  const { value: calls, partial } = readJson(sent, limits.readChars);
  const text = str(attrs[F.ATTR_AI_RESPONSE_TEXT]) ?? str(attrs[F.ATTR_AI_RESPONSE_OBJECT]);
  if (sent !== undefined && !Array.isArray(calls)) return { text, toolCalls, unparsed: sent };
  let cut = partial;
  if (Array.isArray(calls)) {
    for (const c of calls) {
      const call = record(c);
      if (!call) continue;
      const args = call['input'] ?? call['args'];
      const id = toolCallIdOf(call['toolCallId']);
      let value = args;
      if (typeof args === 'string') {
        const read = argumentsOf(args, limits);
        value = read.value;
        cut ||= read.cut;
      }
      toolCalls.push({
        ...(id !== undefined ? { id } : {}),
        ...(typeof call['toolName'] === 'string' ? { name: call['toolName'] } : {}),
        ...(args !== undefined ? { arguments: value } : {}),
      });
    }
  }
  return cut ? { text, toolCalls, partial: cut } : { text, toolCalls };
}

function turnOutput(attrs: Attributes, c: ForeignSpanClass, limits: OutputLimits): TurnOutput {
  switch (c.convention) {
    case 'ai-sdk':
      return aiSdkOutput(attrs, limits);
    case 'openinference':
      return openInferenceOutput(attrs, limits);
    case 'gen_ai':
    case 'traceloop': {
      const messages = genAiOutput(attrs, limits);
      // Output messages that cannot be read give way to the flattened keys, when the span has those too.
      if (messages !== undefined && messages.unparsed === undefined) return messages;
      return completionOutput(attrs, limits) ?? messages ?? { text: undefined, toolCalls: [] };
    }
  }
}

// ---------------------------------------------------------------------------
// The mapper
// ---------------------------------------------------------------------------

/** An agent envelope that is open: its name and the model turns recorded under it. */
interface AgentScope {
  readonly name: string | undefined;
  turns: number;
  /** Rows under it that ended failed (turns, tools, agents): a failure of the envelope may be theirs. */
  failures: number;
  /** The envelope it runs in, if any (told of this one's failed row). */
  readonly parent: AgentScope | undefined;
}

/**
 * Whether model turns were recorded under an agent envelope: counted under
 * it here, or recorded where this processor did not see them under it
 * (`agentspan.agent.turns_elsewhere`, set by the gateway when the turns came
 * in an earlier OTLP request than their envelope). Read from the span too, so
 * an envelope whose scope was forgotten (the bound) still knows.
 */
function hasTurns(attrs: Attributes, scope: AgentScope | undefined): boolean {
  return (scope !== undefined && scope.turns > 0) || attrs[Attr.ATTR_AGENT_TURNS_ELSEWHERE] === true;
}

/**
 * The key of a span's scope: its trace id and span id. A span id is unique within its trace only
 * (the gateway replays spans of many traces, and a sender's ids are its own), and two traces'
 * scopes must not mix (one's turn counted under another's envelope).
 */
function scopeKey(context: SpanContext): string {
  return context.traceId + context.spanId;
}

/** The agent name on an agentspan span (a node or an agent call) that is the parent, bounded as {@link agentName} bounds one. */
function agentOfParent(parentContext: Context): string | undefined {
  const parent = trace.getSpan(parentContext) as unknown as { attributes?: unknown } | undefined;
  const attrs = parent?.attributes;
  if (attrs === null || typeof attrs !== 'object') return undefined;
  const a = attrs as Attributes;
  return a[Attr.ATTR_EVENT_TYPE] !== undefined ? agentName(str(a[Attr.ATTR_GEN_AI_AGENT_NAME]), saysCut(a)) : undefined;
}

/**
 * The agent a span is about: its own name (bounded, {@link agentName}), else the agent of its envelope
 * (bounded when its scope was made), else that of an agentspan parent span.
 */
function resolvedAgent(own: string | undefined, attrs: Attributes, scope: AgentScope | undefined, parentContext?: Context): string | undefined {
  if (own !== undefined) return agentName(own, saysCut(attrs));
  return scope?.name ?? (parentContext === undefined ? undefined : agentOfParent(parentContext));
}

/**
 * The stateful part of the mapping, called by the processor: `onStart`
 * before stamping (sets the event type and agent name of recognised spans),
 * `onEnding` before redaction and extraction (copies results that arrive at
 * the end into agentspan's keys).
 */
export class ForeignSpanMapper {
  private readonly scopes: BoundedMap<AgentScope>;
  private readonly maxContentChars: number;
  /** How much of a turn's output is read (see `OutputLimits`). */
  private readonly limits: OutputLimits;

  constructor(options: ForeignSpanMapperOptions = {}) {
    this.scopes = new BoundedMap(positive(options.maxTrackedSpans, DEFAULT_MAX_TRACKED_SPANS));
    this.maxContentChars = positive(options.maxContentChars, DEFAULT_MAX_CONTENT_CHARS);
    this.limits = outputLimits(this.maxContentChars);
  }

  /** Spans currently remembered under agent envelopes (for tests and stats). */
  get trackedSpans(): number {
    return this.scopes.size;
  }

  /** Recognises the span and sets `agentspan.event.type` and the agent name. Never throws. */
  onStart(span: Span, parentContext: Context): void {
    // agentspan's own spans (an event type from the start) are never classified; with no envelope open
    // there is no scope to inherit either: nothing to do (the path of every span `record*` creates).
    if (this.scopes.size === 0 && span.attributes[Attr.ATTR_EVENT_TYPE] !== undefined) return;
    try {
      this.start(span, parentContext);
    } catch {
      // A span we cannot classify stays as it is; the processor goes on stamping it.
    }
  }

  /**
   * Whether `span` is an agent envelope that has had no model turn so far
   * (none under it, none recorded elsewhere: `agentspan.agent.turns_elsewhere`):
   * it becomes a row when it ends so (an envelope with turns never does).
   */
  mayBecomeRow(span: Span): boolean {
    const attrs = span.attributes;
    // Ended, its decision is made: an envelope with a row has its event type now.
    if (attrs[Attr.ATTR_EVENT_TYPE] !== undefined || attrs[Attr.ATTR_MAPPED_FROM] === undefined || span.ended) return false;
    return !hasTurns(attrs, this.scopes.get(scopeKey(span.spanContext())));
  }

  /** Maps the results of a recognised span into agentspan's keys. Never throws. */
  onEnding(span: Span, captureContent: boolean): void {
    const attrs = span.attributes;
    // agentspan's own spans: never mapped at start, never recognised at the end (they have an event type).
    if (this.scopes.size === 0 && attrs[Attr.ATTR_EVENT_TYPE] !== undefined && attrs[Attr.ATTR_MAPPED_FROM] === undefined) return;
    const scope = this.scopes.delete(scopeKey(span.spanContext()));
    try {
      this.end(span, scope, captureContent);
    } catch {
      // Left unmapped: the span is exported as the other instrumentation made it.
    }
  }

  private start(span: Span, parentContext: Context): void {
    const attrs = span.attributes;
    const id = scopeKey(span.spanContext());
    const parent = trace.getSpan(parentContext)?.spanContext();
    const parentScope = parent === undefined ? undefined : this.scopes.get(scopeKey(parent));
    const c = classifyForeignSpan(attrs);
    if (c === undefined) {
      // Intermediate spans (AI SDK v7's `step N`, chains) pass the enclosing agent on to their children.
      if (parentScope !== undefined && attrs[Attr.ATTR_EVENT_TYPE] === undefined) this.scopes.set(id, parentScope);
      return;
    }
    const out: Attributes = { [Attr.ATTR_MAPPED_FROM]: c.convention };
    const own = ownAgentName(attrs, c, span.name);
    if (c.kind === 'agent') {
      const name = resolvedAgent(own, attrs, parentScope, parentContext);
      this.scopes.set(id, { name, turns: 0, failures: 0, parent: parentScope });
      setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_OPERATION_NAME, GenAiOperation.INVOKE_AGENT);
      setAgentName(out, attrs, name);
      // No event type yet: whether the envelope is a row is decided when it ends.
      span.setAttributes(out);
      return;
    }
    if (parentScope !== undefined) this.scopes.set(id, parentScope);
    setAgentName(out, attrs, resolvedAgent(own, attrs, parentScope, parentContext));
    if (c.kind === 'turn') {
      // Counted when it starts: an envelope may end before its turn does (an agent function that
      // returns a stream), and the turn will be the row. A turn the framework never ends (some
      // aborted streams) is then the one message not recorded: an envelope cannot wait for it.
      if (parentScope !== undefined) parentScope.turns += 1;
      out[Attr.ATTR_EVENT_TYPE] = EventType.AGENT_CALL;
      setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_OPERATION_NAME, GenAiOperation.CHAT);
      setIfAbsent(out, attrs, Attr.ATTR_AGENT_ROLE, 'assistant');
      setName(out, attrs, Attr.ATTR_GEN_AI_REQUEST_MODEL, modelOf(attrs));
    } else {
      out[Attr.ATTR_EVENT_TYPE] = EventType.TOOL_CALL;
      setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_OPERATION_NAME, GenAiOperation.EXECUTE_TOOL);
      this.toolAttributes(out, attrs, c, span.name);
    }
    span.setAttributes(out);
  }

  private end(span: Span, scope: AgentScope | undefined, captureContent: boolean): void {
    const attrs = span.attributes;
    if (attrs[Attr.ATTR_PROCESSED] === true) return;
    const mapped = attrs[Attr.ATTR_MAPPED_FROM];
    let convention: ForeignConvention;
    if (isConvention(mapped)) {
      convention = mapped;
    } else {
      // Recognisable only now (the instrumentation set its keys after start): turns and tools still become rows.
      const late = classifyForeignSpan(attrs);
      if (late === undefined || late.kind === 'agent') return;
      this.lateStart(span, late, scope);
      convention = late.convention;
    }
    // Not re-classified: the GenAI keys added at start would make every span look like `gen_ai`.
    const type = attrs[Attr.ATTR_EVENT_TYPE];
    const kind: ForeignKind = type === EventType.TOOL_CALL ? 'tool' : type === EventType.AGENT_CALL ? 'turn' : 'agent';
    const c: ForeignSpanClass = { kind, convention };
    const out: Attributes = {};
    if (c.kind === 'agent') {
      // Turns under it are the rows (here or elsewhere); an envelope with none is the only trace of its agent.
      if (!hasTurns(attrs, scope)) {
        out[Attr.ATTR_EVENT_TYPE] = EventType.AGENT_CALL;
        setIfAbsent(out, attrs, Attr.ATTR_AGENT_ROLE, 'assistant');
        setName(out, attrs, Attr.ATTR_GEN_AI_REQUEST_MODEL, modelOf(attrs));
        this.turnAttributes(out, attrs, c, captureContent);
      } else if (span.status.code === SpanStatusCode.ERROR && (scope === undefined || scope.failures === 0)) {
        // A failed agent none of whose rows failed (a context overflow, a guardrail, a crash between
        // turns): its failure is on no row, so the envelope is a row of its own, failed. Without
        // the message and tokens, which its turns' rows hold: nothing is counted twice. (A failed
        // turn, tool or sub-agent under it already carries the error it passes on.)
        out[Attr.ATTR_EVENT_TYPE] = EventType.AGENT_CALL;
        setIfAbsent(out, attrs, Attr.ATTR_AGENT_ROLE, 'assistant');
        setName(out, attrs, Attr.ATTR_GEN_AI_REQUEST_MODEL, modelOf(attrs));
        setIfAbsent(out, attrs, Attr.ATTR_USER_META, JSON.stringify({ instrumentation: c.convention, envelope_with_turns: true }));
      }
    } else if (c.kind === 'turn') {
      setName(out, attrs, Attr.ATTR_GEN_AI_REQUEST_MODEL, modelOf(attrs));
      this.turnAttributes(out, attrs, c, captureContent);
    } else {
      this.toolAttributes(out, attrs, c, span.name);
    }
    errorAttributes(out, span);
    // A failure's message is text of any length (a stack, a provider's response): content, bounded as content is.
    if (span.status.code === SpanStatusCode.ERROR) this.setContent(out, attrs, Attr.ATTR_ERROR_MESSAGE, errorMessageOf(span));
    span.setAttributes(out);
    if (span.status.code === SpanStatusCode.ERROR) {
      // A failure some row carries: this turn's or tool's own, or, for a failed envelope, its own row
      // or a failed row under it (else it would be a row). The envelope above need not carry it again.
      const above = c.kind === 'agent' ? scope?.parent : attrs[Attr.ATTR_EVENT_TYPE] !== undefined ? scope : undefined;
      if (above !== undefined) above.failures += 1;
    }
    if (!captureContent) stripForeignContent(attrs);
  }

  /** What `start` would have set, for a turn or tool recognised only at its end (its envelope may still count it). */
  private lateStart(span: Span, c: ForeignSpanClass, scope: AgentScope | undefined): void {
    const attrs = span.attributes;
    const out: Attributes = {
      [Attr.ATTR_MAPPED_FROM]: c.convention,
      [Attr.ATTR_EVENT_TYPE]: c.kind === 'turn' ? EventType.AGENT_CALL : EventType.TOOL_CALL,
    };
    setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_OPERATION_NAME, c.kind === 'turn' ? GenAiOperation.CHAT : GenAiOperation.EXECUTE_TOOL);
    setAgentName(out, attrs, resolvedAgent(ownAgentName(attrs, c, span.name), attrs, scope));
    if (c.kind === 'turn') {
      setIfAbsent(out, attrs, Attr.ATTR_AGENT_ROLE, 'assistant');
      if (scope !== undefined) scope.turns += 1;
    }
    span.setAttributes(out);
  }

  /** Message content, tool calls and usage of a model turn (or of an envelope standing for one). */
  private turnAttributes(out: Attributes, attrs: Attributes, c: ForeignSpanClass, captureContent: boolean): void {
    const { text, toolCalls, unparsed, partial = false, textPartial = false } = turnOutput(attrs, c, this.limits);
    const calls = toolCalls.map((t) => (captureContent ? t : { ...(t.id ? { id: t.id } : {}), ...(t.name ? { name: t.name } : {}) }));
    // An output that could not be read is the message as sent (cut below like any): the turn's content is never dropped.
    const content = text ?? (calls.length > 0 ? JSON.stringify({ tool_calls: calls }) : undefined) ?? unparsed;
    if (content !== undefined && attrs[Attr.ATTR_MESSAGE_CONTENT] === undefined) {
      const cut = content.length > this.maxContentChars;
      // Marked where it is cut, as the recorder marks its cuts: redaction then replaces a token cut short there.
      // Read in part, it is cut where reading stopped, whatever the length of what was read: the text when it
      // came from the output read in part (not one sent on its own), the tool calls written out in its place.
      const readInPart = text !== undefined ? textPartial : partial;
      out[Attr.ATTR_MESSAGE_CONTENT] = cut ? headOf(content, this.maxContentChars) + TRUNCATION_MARK : readInPart ? content + TRUNCATION_MARK : content;
      out[Attr.ATTR_MESSAGE_LENGTH] = content.length;
      if (cut) out[Attr.ATTR_TRUNCATED] = true;
    }
    // Unread, whether it held tool calls is not known: the message's own text decides (`enrichAgentCall`).
    // Read in part without any, neither: they may come after.
    if (unparsed === undefined && (!partial || toolCalls.length > 0)) setIfAbsent(out, attrs, Attr.ATTR_MESSAGE_HAS_TOOL_CALLS, toolCalls.length > 0);
    const meta: Record<string, unknown> = { instrumentation: c.convention };
    if (calls.length > 0) meta['tool_calls'] = calls;
    if (unparsed !== undefined) meta['output_unparsed'] = true;
    if (partial) {
      meta['output_truncated'] = true;
      out[Attr.ATTR_TRUNCATED] = true;
    }
    const provider =
      str(attrs[Attr.ATTR_GEN_AI_PROVIDER_NAME]) ??
      str(attrs[Attr.ATTR_GEN_AI_SYSTEM]) ??
      str(attrs[F.ATTR_AI_MODEL_PROVIDER]) ??
      str(attrs[F.ATTR_OI_LLM_PROVIDER]);
    const cutBefore = saysCut(attrs);
    if (provider !== undefined) meta['provider'] = boundedName(out, provider, cutBefore);
    const inputTokens = num(attrs[Attr.ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? num(attrs[F.ATTR_OI_LLM_TOKEN_COUNT_PROMPT]);
    const outputTokens = num(attrs[Attr.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? num(attrs[F.ATTR_OI_LLM_TOKEN_COUNT_COMPLETION]);
    if (inputTokens !== undefined) meta['input_tokens'] = inputTokens;
    if (outputTokens !== undefined) meta['output_tokens'] = outputTokens;
    const finish = attrs[Attr.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] ?? attrs[F.ATTR_AI_RESPONSE_FINISH_REASON];
    if (finish !== undefined) meta['finish_reason'] = Array.isArray(finish) ? boundedName(out, finish.join(','), cutBefore) : typeof finish === 'string' ? boundedName(out, finish, cutBefore) : finish;
    if (attrs[Attr.ATTR_USER_META] === undefined && out[Attr.ATTR_USER_META] === undefined) out[Attr.ATTR_USER_META] = this.boundedMeta(meta, calls);
  }

  /**
   * The turn's meta as JSON, at most `maxContentChars` long when it holds
   * tool calls: their arguments are content (the message holds them too, cut
   * there), and a turn that wrote a file through a tool would otherwise put
   * the whole file in the row's `meta`. Past the bound each call keeps only
   * what identifies it (as with `captureContent: false`); past it still, the
   * calls are counted, not listed. `tool_calls_truncated` says so.
   */
  private boundedMeta(meta: Record<string, unknown>, calls: readonly RequestedToolCall[]): string {
    if (calls.length === 0) return JSON.stringify(meta);
    // Written out only when it may fit: a call's arguments may be megabytes (`jsonLongerThan`).
    const whole = jsonLongerThan(meta, this.maxContentChars) ? undefined : JSON.stringify(meta);
    if (whole !== undefined && whole.length <= this.maxContentChars) return whole;
    meta['tool_calls_truncated'] = true;
    meta['tool_calls'] = calls.map((t) => ({ ...(t.id ? { id: t.id } : {}), ...(t.name ? { name: t.name } : {}) }));
    const named = jsonLongerThan(meta, this.maxContentChars) ? undefined : JSON.stringify(meta);
    if (named !== undefined && named.length <= this.maxContentChars) return named;
    delete meta['tool_calls'];
    meta['tool_call_count'] = calls.length;
    return JSON.stringify(meta);
  }

  /** Tool name, call id, arguments and result, copied into the GenAI keys the rows are made from. */
  private toolAttributes(out: Attributes, attrs: Attributes, c: ForeignSpanClass, spanName: string): void {
    let name: string | undefined;
    let id: string | undefined;
    let args: string | undefined;
    let result: string | undefined;
    switch (c.convention) {
      case 'ai-sdk':
        name = str(attrs[F.ATTR_AI_TOOL_CALL_NAME]);
        id = idAttribute(attrs[F.ATTR_AI_TOOL_CALL_ID]);
        args = str(attrs[F.ATTR_AI_TOOL_CALL_ARGS]);
        result = str(attrs[F.ATTR_AI_TOOL_CALL_RESULT]);
        break;
      case 'openinference':
        name = str(attrs[F.ATTR_OI_TOOL_NAME]) ?? spanName;
        id = idAttribute(attrs[F.ATTR_OI_TOOL_ID]);
        args = str(attrs[F.ATTR_INPUT_VALUE]);
        result = str(attrs[F.ATTR_OUTPUT_VALUE]);
        break;
      case 'traceloop':
        name = str(attrs[F.ATTR_TRACELOOP_ENTITY_NAME]) ?? spanName;
        args = str(attrs[F.ATTR_TRACELOOP_ENTITY_INPUT]);
        result = str(attrs[F.ATTR_TRACELOOP_ENTITY_OUTPUT]);
        break;
      case 'gen_ai':
        name = afterPrefix(spanName, 'execute_tool ');
        break;
    }
    setName(out, attrs, Attr.ATTR_GEN_AI_TOOL_NAME, name);
    setIfAbsent(out, attrs, Attr.ATTR_GEN_AI_TOOL_CALL_ID, id);
    this.setContent(out, attrs, Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
    this.setContent(out, attrs, Attr.ATTR_GEN_AI_TOOL_CALL_RESULT, result);
  }

  /**
   * A content key the rows are made from: the span's own text (a GenAI
   * instrumentation sets the key itself), else the value mapped from its
   * convention; longer than `maxContentChars`, cut and marked where cut, as
   * the recorder cuts its own content. A value that is not text stays as set.
   */
  private setContent(out: Attributes, attrs: Attributes, key: string, mapped: string | undefined): void {
    const own = attrs[key];
    if (out[key] !== undefined || (own !== undefined && typeof own !== 'string')) return;
    // Cut already (at start; this runs at the end again): its mark would be cut into.
    if (own !== undefined && attrs[Attr.ATTR_TRUNCATED] === true && own.endsWith(TRUNCATION_MARK) && own.length <= this.maxContentChars + TRUNCATION_MARK.length) return;
    const value = own ?? mapped;
    if (value === undefined) return;
    if (value.length > this.maxContentChars) {
      out[key] = headOf(value, this.maxContentChars) + TRUNCATION_MARK;
      out[Attr.ATTR_TRUNCATED] = true;
    } else if (own === undefined) {
      out[key] = value;
    }
  }
}

/**
 * Whether `JSON.stringify(value)` (a parsed JSON value, or meta made of
 * such) is surely longer than `limit`: counts a lower bound of its length
 * (every string its characters and quotes, every other value one character,
 * every separator one) and stops as soon as it passes `limit`, so it reads
 * no more than about `limit` of the value however large it is.
 */
function jsonLongerThan(value: unknown, limit: number): boolean {
  let length = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') length += v.length + 2;
    else if (Array.isArray(v)) {
      length += v.length + 1;
      for (let i = v.length - 1; i >= 0 && length <= limit; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      length += keys.length + 1;
      for (let i = keys.length - 1; i >= 0 && length <= limit; i--) {
        const key = keys[i]!;
        const member = (v as Record<string, unknown>)[key];
        if (member === undefined) continue; // not written
        length += key.length + 2;
        stack.push(member);
      }
    } else length += 1;
    if (length > limit) return true;
  }
  return false;
}

const CONVENTIONS: ReadonlySet<string> = new Set<ForeignConvention>(['ai-sdk', 'gen_ai', 'openinference', 'traceloop']);

function isConvention(v: AttributeValue | undefined): v is ForeignConvention {
  return typeof v === 'string' && CONVENTIONS.has(v);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/**
 * `gen_ai.agent.name`: the name resolved for the span, unless it carries a usable one. A name that is
 * empty or no string is none (`str`): the spans under it are named after the agent resolved, and so is
 * the span itself, its row included (the gateway's fills read the name back from the span). With none
 * resolved, the sender's value stays on the span; the Postgres exporter stores no name for it then.
 * A usable name of the span's own is the name resolved (`ownAgentName` reads it first), cut by
 * {@link agentName} when longer than {@link MAX_NAME_CHARS}: then the cut replaces it, so the span and
 * the spans it names hold the same name.
 */
function setAgentName(out: Attributes, attrs: Attributes, name: string | undefined): void {
  const key = Attr.ATTR_GEN_AI_AGENT_NAME;
  if (name === undefined || out[key] !== undefined || str(attrs[key]) === name) return;
  out[key] = name;
  if (name.length > MAX_NAME_CHARS) out[Attr.ATTR_TRUNCATED] = true;
}

/**
 * An agent name as resolved (from the span's own keys, its span name, or the agent above), cut to
 * {@link MAX_NAME_CHARS} and marked: a span name of megabytes would otherwise be copied into the
 * span and every span under the agent. Longer than the bound exactly when it was cut (see `bounded`;
 * `cutBefore`: the span it comes from says it was cut, so a name cut already is kept as it is).
 */
function agentName(name: string | undefined, cutBefore: boolean): string | undefined {
  return name === undefined ? undefined : bounded(name, MAX_NAME_CHARS, cutBefore).text;
}

/** `name` cut to {@link MAX_NAME_CHARS} and marked, flagging `out` as truncated when it was cut (`cutBefore`: see `bounded`). */
function boundedName(out: Attributes, name: string, cutBefore: boolean): string {
  const b = bounded(name, MAX_NAME_CHARS, cutBefore);
  if (b.cut) out[Attr.ATTR_TRUNCATED] = true;
  return b.text;
}

/**
 * A name key (tool, model): the span's own value, else `mapped` (from the convention's keys or the
 * span name), as `setIfAbsent` would, but cut to {@link MAX_NAME_CHARS} and marked; an own value
 * longer than that is cut in place (as `setContent` cuts content the sender set itself).
 */
function setName(out: Attributes, attrs: Attributes, key: string, mapped: string | undefined): void {
  if (out[key] !== undefined) return;
  const own = attrs[key];
  const value = own === undefined ? mapped : typeof own === 'string' ? own : undefined;
  if (value === undefined) return;
  // An own value cut at the span's start (this runs at its end again) is kept: the span says it was cut.
  const text = boundedName(out, value, saysCut(attrs));
  if (text !== own) out[key] = text;
}

function setIfAbsent(out: Attributes, attrs: Attributes, key: string, value: AttributeValue | undefined): void {
  if (value !== undefined && attrs[key] === undefined && out[key] === undefined) out[key] = value;
}

function modelOf(attrs: Attributes): string | undefined {
  return (
    str(attrs[Attr.ATTR_GEN_AI_REQUEST_MODEL]) ??
    str(attrs[F.ATTR_AI_MODEL_ID]) ??
    str(attrs[F.ATTR_OI_LLM_MODEL_NAME]) ??
    str(attrs[Attr.ATTR_GEN_AI_RESPONSE_MODEL])
  );
}

/**
 * `agentspan.has_error` and `error.type` of a span that ended with status ERROR (type from the exception
 * event, a name: cut to {@link MAX_NAME_CHARS} and marked, as the other names copied). Its message:
 * {@link errorMessageOf}, set as content (`setContent`: cut to `maxContentChars`).
 */
function errorAttributes(out: Attributes, span: Span): void {
  if (span.status.code !== SpanStatusCode.ERROR) return;
  const attrs = span.attributes;
  const exception = span.events.find((e) => e.name === F.EVENT_EXCEPTION)?.attributes ?? {};
  out[Attr.ATTR_HAS_ERROR] = true;
  if (attrs[Attr.ATTR_ERROR_TYPE] === undefined && out[Attr.ATTR_ERROR_TYPE] === undefined) {
    const type = str(exception[F.ATTR_EXCEPTION_TYPE]);
    // Read from the exception event, which nothing here cuts: any type longer than the bound is cut.
    out[Attr.ATTR_ERROR_TYPE] = type === undefined ? 'Error' : boundedName(out, type, false);
  }
}

/** A failed span's message: its status message, else its exception event's. */
function errorMessageOf(span: Span): string | undefined {
  return str(span.status.message) ?? str(span.events.find((e) => e.name === F.EVENT_EXCEPTION)?.attributes?.[F.ATTR_EXCEPTION_MESSAGE]);
}

/** Removes the content keys of the recognised conventions in place (as `stripContent` does for agentspan's). */
function stripForeignContent(attrs: Attributes): void {
  for (const key of FOREIGN_CONTENT_KEYS) if (key in attrs) delete attrs[key];
  for (const key of Object.keys(attrs)) {
    if (FOREIGN_CONTENT_PREFIXES.some((p) => key.startsWith(p))) delete attrs[key];
  }
}

