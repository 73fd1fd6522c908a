import type { Attributes } from '@opentelemetry/api';
import { Attr, EventType, FileSource, GenAiOperation } from '@agentspan/semconv';
import { createBagRecord } from './attribute-record.js';
import { idOf } from './ids.js';
import { TRUNCATION_MARK, UNREADABLE, headOf, safeJson, safeText } from './safe-json.js';
import type {
  AgentCallEvent,
  AgentCallResult,
  CodeExecutionEvent,
  CodeExecutionResult,
  EventBase,
  FileGeneratedEvent,
  HandoffEvent,
  ToolCallEvent,
  ToolCallResult,
} from './types.js';

/**
 * Turns the values an application passes to a record method into span
 * attributes. Everything here is defensive: the input is whatever the caller
 * had (possibly `undefined`, cyclic, or megabytes long), and the output is a
 * flat attribute map within the content budget.
 */

/** Where the event sits: the run and node it belongs to. */
export interface EventScope {
  readonly runId: string;
  readonly nodeId: string | undefined;
  /** Depth of the event span under the run span. */
  readonly depth: number;
}

/** Attribute map under construction, tracking whether any content was cut. */
export class AttributeBag {
  /**
   * Pre-sized: an event with an error and metadata has more keys than a plain object keeps fast.
   * The attributes every event of a kind has are stored into it at their own call sites
   * (`bag.attributes[key] = value`), not through {@link set}: V8 caches a store per site, and
   * the one store in `set` saw every key and every shape the map goes through (a megamorphic
   * site, looked up in a global cache each time). {@link set} stays for values that may be
   * missing or not finite.
   */
  readonly attributes: Attributes = createBagRecord();
  truncated = false;
  /** @param maxContentChars Longest text kept for one content attribute (merged metadata included). */
  constructor(readonly maxContentChars: number) {}

  set(key: string, value: string | number | boolean | string[] | undefined): void {
    if (value === undefined) return;
    if (typeof value === 'number' && !Number.isFinite(value)) return;
    this.attributes[key] = value;
  }

  /** Sets a string attribute from a value that may be anything; cut to the budget. */
  text(key: string, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    const text = this.cut(value);
    this.attributes[key] = text;
    return text;
  }

  /**
   * `value` as the text {@link text} would set (cut to the budget, the bag marked when cut),
   * for the caller to store itself (see {@link attributes}).
   */
  cut(value: unknown): string {
    // The common case, a string within the budget, as is (safeText would allocate a result object for it).
    if (typeof value === 'string' && value.length <= this.maxContentChars) return value;
    const { text, truncated } = safeText(value, this.maxContentChars);
    if (truncated) this.truncated = true;
    return text;
  }

  /**
   * Sets a file path attribute from a value that may be anything (`fallback`
   * when it is no text, or empty and there is one): as given up to {@link MAX_PATH_CHARS};
   * longer, cut there on a code point and marked as content is, `…[truncated]`
   * and `agentspan.truncated` (a path cut short names another file, or none:
   * the processor reads the mark and looks no file up by it).
   */
  path(key: string, value: unknown, fallback?: string): void {
    const s = str(value);
    if (s === undefined || (s.length === 0 && fallback !== undefined)) {
      this.set(key, fallback);
      return;
    }
    if (s.length <= MAX_PATH_CHARS) {
      this.attributes[key] = s;
      return;
    }
    this.truncated = true;
    this.attributes[key] = headOf(s, MAX_PATH_CHARS) + TRUNCATION_MARK;
  }

  /** Sets a JSON-text attribute from any value; cut to the budget. */
  json(key: string, value: unknown): void {
    if (value === undefined) return;
    this.attributes[key] = this.jsonOf(value);
  }

  /** `value` as the JSON text {@link json} would set, for the caller to store itself (see {@link attributes}). */
  jsonOf(value: unknown): string {
    const { json, truncated } = safeJson(value, this.maxContentChars);
    if (truncated) this.truncated = true;
    return json;
  }

  finish(): Attributes {
    if (this.truncated) this.attributes[Attr.ATTR_TRUNCATED] = true;
    return this.attributes;
  }
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Longest file path kept: Linux's PATH_MAX. A path cut shorter would name another file, or none (see `AttributeBag.path`). */
const MAX_PATH_CHARS = 4096;

/** Longest name kept (agents, tools, modes, roles, models, statuses). */
const MAX_NAME_CHARS = 200;

/** A short name for an agent/tool/etc. that came in as anything. */
export function nameOf(value: unknown, fallback: string): string {
  const s = str(value);
  if (s === undefined || s.length === 0) return fallback;
  return headOf(s, MAX_NAME_CHARS);
}

/**
 * An optional name-like field (role, sender, model, language, source,
 * status): as {@link str}, cut to {@link MAX_NAME_CHARS}. These fields are
 * no content and have no budget of their own: uncut, a megabyte string
 * passed as a `model` would be recorded whole.
 */
function shortOf(value: unknown): string | undefined {
  const s = str(value);
  return s === undefined ? undefined : headOf(s, MAX_NAME_CHARS);
}


function scopeAttributes(bag: AttributeBag, scope: EventScope, type: EventType, base: EventBase | undefined): void {
  // Stored here, not through `bag.set` (see `AttributeBag.attributes`): these are always set.
  const a = bag.attributes;
  a[Attr.ATTR_EVENT_TYPE] = type;
  a[Attr.ATTR_RUN_ID] = scope.runId;
  a[Attr.ATTR_GEN_AI_CONVERSATION_ID] = scope.runId;
  if (scope.nodeId !== undefined) a[Attr.ATTR_NODE_ID] = scope.nodeId;
  a[Attr.ATTR_DEPTH] = scope.depth;
  // Status, metadata and error are set with the result (resultCommon), once.
  // An id: kept distinct when long (a prefix and a hash, as run and node ids), never cut into another's prefix.
  if (base) bag.set(Attr.ATTR_STEP_ID, idOf(base.stepId));
}

/** `error.type` and `agentspan.error.message` for an error of any shape. */
export function errorAttributes(bag: AttributeBag, error: unknown): string | undefined {
  if (error === undefined || error === null || error === false) return undefined;
  // Each part is read on its own: an Error whose message getter throws still has its type, and
  // a revoked proxy (even `instanceof` throws on it) is still an error, of unreadable message.
  let type: unknown = 'Error';
  let message: unknown;
  if (typeof error === 'string') {
    message = error;
  } else if (isError(error)) {
    try {
      type = error.name || 'Error';
    } catch {
      type = 'Error';
    }
    try {
      message = error.message;
    } catch {
      message = UNREADABLE;
    }
  } else {
    message = isReadable(error) ? safeText(error, 2000).text : UNREADABLE;
  }
  bag.set(Attr.ATTR_ERROR_TYPE, nameOf(type, 'Error'));
  bag.set(Attr.ATTR_HAS_ERROR, true);
  return bag.text(Attr.ATTR_ERROR_MESSAGE, message);
}

/** `instanceof Error`, false when even that cannot be asked (a revoked proxy). */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** False for an object whose prototype cannot be read: a revoked proxy, which throws on every operation. */
function isReadable(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  try {
    Object.getPrototypeOf(value);
    return true;
  } catch {
    return false;
  }
}

function hasToolCallsIn(content: unknown): boolean {
  if (content === null || typeof content !== 'object') return false;
  try {
    const calls = (content as { tool_calls?: unknown; toolCalls?: unknown }).tool_calls ??
      (content as { toolCalls?: unknown }).toolCalls;
    return Array.isArray(calls) && calls.length > 0;
  } catch {
    return false; // content that cannot be read: recorded as "[unreadable]", with no tool calls known
  }
}

export function agentCallAttributes(bag: AttributeBag, scope: EventScope, e: AgentCallEvent): void {
  scopeAttributes(bag, scope, EventType.AGENT_CALL, e);
  const a = bag.attributes;
  a[Attr.ATTR_GEN_AI_OPERATION_NAME] = GenAiOperation.INVOKE_AGENT;
  a[Attr.ATTR_GEN_AI_AGENT_NAME] = nameOf(e.agent, 'agent');
  bag.set(Attr.ATTR_AGENT_ROLE, shortOf(e.role));
  bag.set(Attr.ATTR_MESSAGE_SENDER, shortOf(e.sender));
  bag.set(Attr.ATTR_GEN_AI_REQUEST_MODEL, shortOf(e.model));
  agentCallResultAttributes(bag, e);
}

export function agentCallResultAttributes(bag: AttributeBag, r: AgentCallResult): void {
  // Each member read once: a getter may compute, or consume, its value.
  const content = r.content;
  const declared = r.hasToolCalls;
  if (content !== undefined) {
    const text = bag.cut(content);
    const a = bag.attributes;
    a[Attr.ATTR_MESSAGE_CONTENT] = text;
    a[Attr.ATTR_MESSAGE_LENGTH] = typeof content === 'string' ? content.length : text.length;
  }
  const toolCalls = typeof declared === 'boolean' ? declared : hasToolCallsIn(content);
  if (toolCalls || declared === false) bag.set(Attr.ATTR_MESSAGE_HAS_TOOL_CALLS, toolCalls);
  resultCommon(bag, r);
}

export function codeExecutionAttributes(bag: AttributeBag, scope: EventScope, e: CodeExecutionEvent): void {
  scopeAttributes(bag, scope, EventType.CODE_EXEC, e);
  const a = bag.attributes;
  a[Attr.ATTR_GEN_AI_OPERATION_NAME] = GenAiOperation.EXECUTE_CODE;
  a[Attr.ATTR_GEN_AI_AGENT_NAME] = nameOf(e.agent, 'executor');
  const language = shortOf(e.language);
  if (language !== undefined) a[Attr.ATTR_CODE_LANGUAGE] = language.toLowerCase();
  // Code that is not a string (a framework's code object) is serialised within the content budget like any content.
  const given = e.code;
  const code = bag.cut(given ?? '');
  a[Attr.ATTR_CODE_CONTENT] = code;
  a[Attr.ATTR_CODE_LENGTH] = typeof given === 'string' ? given.length : code.length;
  bag.path(Attr.ATTR_CODE_CWD, e.cwd);
  const context = e.context;
  if (context !== undefined) bag.text(Attr.ATTR_MESSAGE_CONTEXT, context);
  codeExecutionResultAttributes(bag, e);
}

export function codeExecutionResultAttributes(bag: AttributeBag, r: CodeExecutionResult): void {
  const output = r.output;
  const exitCode = r.exitCode;
  const a = bag.attributes;
  if (output !== undefined) a[Attr.ATTR_CODE_OUTPUT] = bag.cut(output);
  if (typeof exitCode === 'number' && Number.isInteger(exitCode)) a[Attr.ATTR_CODE_EXIT_CODE] = exitCode;
  resultCommon(bag, r);
}

export function toolCallAttributes(bag: AttributeBag, scope: EventScope, e: ToolCallEvent): void {
  scopeAttributes(bag, scope, EventType.TOOL_CALL, e);
  const tool = nameOf(e.tool, 'tool');
  const a = bag.attributes;
  a[Attr.ATTR_GEN_AI_OPERATION_NAME] = GenAiOperation.EXECUTE_TOOL;
  a[Attr.ATTR_GEN_AI_AGENT_NAME] = nameOf(e.agent, 'agent');
  a[Attr.ATTR_GEN_AI_TOOL_NAME] = tool;
  bag.set(Attr.ATTR_GEN_AI_TOOL_CALL_ID, idOf(e.toolCallId));
  const args = e.args;
  if (args !== undefined) {
    a[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = bag.jsonOf(args);
    bag.set(Attr.ATTR_TOOL_ARGS_KEYS, argumentKeys(args));
  }
  const context = e.context;
  if (context !== undefined) bag.text(Attr.ATTR_MESSAGE_CONTEXT, context);
  toolCallResultAttributes(bag, e);
}

/** Most argument names kept in `agentspan.tool.args_keys`. */
const MAX_ARGUMENT_KEYS = 100;

/**
 * The sorted names of tool arguments given as a plain object (`{ q, limit }`),
 * else `undefined`. Only plain objects have argument names: the keys of a
 * Buffer or typed array are its byte indexes (millions of them, listed and
 * sorted on the caller's thread), and arrays, Maps or class instances have
 * none worth listing.
 */
function argumentKeys(args: unknown): string[] | undefined {
  if (args === null || typeof args !== 'object') return undefined;
  try {
    const proto: unknown = Object.getPrototypeOf(args);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const keys = Object.keys(args); // a fresh array: cut and sorted in place
    if (keys.length > MAX_ARGUMENT_KEYS) keys.length = MAX_ARGUMENT_KEYS;
    return keys.length <= SMALL_SORT ? insertionSorted(keys) : keys.sort();
  } catch {
    // A proxy that refuses getPrototypeOf or ownKeys: the arguments JSON already says what could be read.
    return undefined;
  }
}

/** Longest list {@link insertionSorted} sorts; longer ones go to `Array.prototype.sort`. */
const SMALL_SORT = 16;

/**
 * `keys` sorted in place as `keys.sort()` sorts strings (by UTF-16 code units, which is what `>`
 * compares): a tool's few argument names sort in a tenth of what the built-in sort costs to set up
 * (about 1 700 instructions for two names).
 */
export function insertionSorted(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

export function toolCallResultAttributes(bag: AttributeBag, r: ToolCallResult): void {
  const result = r.result;
  if (result !== undefined) {
    bag.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT] = typeof result === 'string' ? bag.cut(result) : bag.jsonOf(result);
  }
  resultCommon(bag, r);
}

export function fileGeneratedAttributes(bag: AttributeBag, scope: EventScope, e: FileGeneratedEvent): void {
  scopeAttributes(bag, scope, EventType.FILE_GEN, e);
  if (e.agent !== undefined) bag.set(Attr.ATTR_GEN_AI_AGENT_NAME, nameOf(e.agent, 'agent'));
  bag.path(Attr.ATTR_FILE_PATH, e.path, 'unknown');
  bag.set(Attr.ATTR_FILE_SOURCE, shortOf(e.source) ?? FileSource.EXPLICIT);
  resultCommon(bag, e);
}

export function handoffAttributes(bag: AttributeBag, scope: EventScope, e: HandoffEvent): void {
  scopeAttributes(bag, scope, EventType.HANDOFF, e);
  const from = nameOf(e.from, 'agent');
  bag.set(Attr.ATTR_GEN_AI_AGENT_NAME, from);
  bag.set(Attr.ATTR_HANDOFF_FROM, from);
  bag.set(Attr.ATTR_HANDOFF_TO, nameOf(e.to, 'agent'));
  resultCommon(bag, e);
}

/**
 * Metadata given at the end of a run, node or `begin*` event merges into the
 * metadata given at its start (the end's keys win), as one `meta` object:
 * replacing it would lose what the start said. The start's value is read
 * from the span (an SDK span's attributes are readable), as the processor
 * left it: a run's or node's is redacted at its start already, and merging
 * the caller's original back in would bring its secrets back, to be
 * redacted and counted a second time. Anything but two JSON objects keeps
 * the end's value.
 *
 * Each side is within `maxContentChars`, merged they could be twice it: the
 * merged object is held to the same budget. When it does not fit, the end's
 * members come first (they are the latest word, and win a shared key
 * anyway), then what fits of the start's, cut as any content is (the span is
 * marked `agentspan.truncated`). Within the budget, the start's key order is kept.
 */
export function mergeUserMeta(bag: AttributeBag, span: object): void {
  const attrs = (span as { attributes?: unknown }).attributes;
  const earlier = attrs !== null && typeof attrs === 'object' ? (attrs as Record<string, unknown>)[Attr.ATTR_USER_META] : undefined;
  const later = bag.attributes[Attr.ATTR_USER_META];
  if (typeof earlier !== 'string' || typeof later !== 'string') return; // no end value: the start's stays on the span
  try {
    const merged: unknown = JSON.parse(earlier);
    const end: unknown = JSON.parse(later);
    if (!isPlainObject(merged) || !isPlainObject(end)) return;
    for (const key of Object.keys(end)) defineMember(merged, key, end[key]);
    const text = JSON.stringify(merged);
    if (text.length <= bag.maxContentChars) {
      bag.attributes[Attr.ATTR_USER_META] = text;
      return;
    }
    // A Map, not an object: an object lists integer keys (`"2024"`) first, whoever set them, and the
    // budget is spent in that order. `safeJson` writes a Map of string keys as an object, spent in its order.
    const endFirst = new Map<string, unknown>();
    for (const key of Object.keys(end)) endFirst.set(key, end[key]);
    for (const key of Object.keys(merged)) if (!endFirst.has(key)) endFirst.set(key, merged[key]);
    const { json, truncated } = safeJson(endFirst, bag.maxContentChars);
    if (truncated) bag.truncated = true;
    bag.attributes[Attr.ATTR_USER_META] = json;
  } catch {
    // not JSON after all: the end's value stands
  }
}

/** Defined, not assigned: a `__proto__` key would otherwise set the prototype and vanish. */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resultCommon(bag: AttributeBag, r: { status?: unknown; error?: unknown; metadata?: unknown }): void {
  const s = shortOf(r.status);
  if (s) bag.set(Attr.ATTR_STATUS, s);
  const metadata = r.metadata;
  if (metadata !== undefined && metadata !== null) bag.json(Attr.ATTR_USER_META, metadata);
  errorAttributes(bag, r.error);
}
