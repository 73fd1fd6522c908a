/**
 * A tool's output as a row takes it (pure, defensive, without importing
 * LangChain or LangGraph): a `ToolMessage`, a LangGraph `Command` carrying
 * one, or anything else as it is.
 */
import { contentText, parseToolInput, record } from './messages.js';

/** What a tool's output says: the result to store, whether it reports an error, and extra row metadata. */
export interface ToolOutcome {
  result: unknown;
  failed: boolean;
  /** The error text, when `failed` and the output says more than that it failed. */
  error?: string;
  /** Merged into the row's metadata (`command_*` when the tool returned a LangGraph `Command`). */
  metadata?: Record<string, unknown>;
}

/**
 * A tool's output: a `ToolMessage` gives its content and whether it reports
 * an error; a LangGraph `Command` gives the content of the `ToolMessage` it
 * carries for this tool call (`toolCallId`) and the rest of the command as
 * metadata (see {@link commandOutcome}); anything else is the result itself.
 * Never throws: an output that cannot be read is the result as it is.
 */
export function toolOutput(output: unknown, toolCallId?: string): ToolOutcome {
  try {
    const command = commandOutcome(output, toolCallId);
    if (command !== undefined) return command;
    const m = record(output);
    if (m && 'content' in m && ('tool_call_id' in m || m['lc_direct_tool_output'] === true)) {
      return { result: messageResult(m['content']), failed: m['status'] === 'error' };
    }
  } catch {
    // A shape whose reading throws (a getter, a proxy): stored as it is.
  }
  return { result: output, failed: false };
}

/** What a message's content means as a tool result: its text (JSON text parsed), else the content itself. */
function messageResult(content: unknown): unknown {
  const text = contentText(content);
  return text !== undefined ? parseToolInput(text) : content;
}

// ---------------------------------------------------------------------------
// LangGraph `Command` (read without importing LangGraph)
// ---------------------------------------------------------------------------

/** LangGraph marks its `Command` instances with this symbol (`COMMAND_SYMBOL`). */
const COMMAND_SYMBOL = Symbol.for('langgraph.command');
/** Bounds on reading a command: messages looked at, values made readable, nesting. */
const MAX_MESSAGES = 10_000;
const MAX_READABLE_VALUES = 10_000;
const MAX_READABLE_DEPTH = 64;

/** A live `Command` (LangGraph passes the instance to `handleToolEnd`) or its JSON form (`{ lg_name: 'Command', update, goto, resume }`). */
function isCommand(v: unknown): v is Record<string, unknown> {
  const r = record(v);
  return r !== undefined && (r['lg_name'] === 'Command' || COMMAND_SYMBOL in r);
}

/** A message in any of its forms, as its type and its fields. */
interface MessageView {
  type: string;
  fields: Record<string, unknown>;
}

const ROLE_TYPES = new Map([
  ['assistant', 'ai'],
  ['user', 'human'],
  ['tool', 'tool'],
  ['system', 'system'],
  ['developer', 'system'],
]);

/**
 * A message: a live `BaseMessage` (`type` `'tool'`, `'ai'`, ...), its
 * LangChain serialisation (`{ lc: 1, type: 'constructor', id: [..., 'ToolMessage'], kwargs }`),
 * or a message-like object (`{ role: 'tool' | type: 'tool', content, tool_call_id }`).
 */
function asMessage(v: unknown): MessageView | undefined {
  const r = record(v);
  if (!r) return undefined;
  if (r['lc'] === 1 && r['type'] === 'constructor' && Array.isArray(r['id'])) {
    const cls = r['id'][r['id'].length - 1];
    const kwargs = record(r['kwargs']);
    if (typeof cls !== 'string' || !kwargs || !/Message(Chunk)?$/.test(cls)) return undefined;
    return { type: cls.replace(/(Message)?(Chunk)?$/, '').toLowerCase() || 'message', fields: kwargs };
  }
  if (!('content' in r)) return undefined;
  const type = r['type'];
  if (typeof type === 'string' && type.length > 0 && type !== 'constructor') return { type, fields: r };
  const role = r['role'];
  if (typeof role === 'string' && role.length > 0) return { type: ROLE_TYPES.get(role) ?? role, fields: r };
  return undefined;
}

/** The key/value pairs of a command's update: an object's entries, or its `[key, value]` tuples. */
function updateEntries(update: unknown): [string, unknown][] | undefined {
  if (Array.isArray(update)) {
    if (!update.every((t) => Array.isArray(t) && t.length === 2 && typeof t[0] === 'string')) return undefined;
    return update as [string, unknown][];
  }
  const r = record(update);
  return r ? Object.entries(r) : undefined;
}

/** The messages of a `messages` update value: a list, one message, or either wrapped in `Overwrite`. */
function messagesOf(value: unknown): unknown[] {
  const r = record(value);
  const v = r && '__overwrite__' in r ? r['__overwrite__'] : value;
  if (Array.isArray(v)) return v.slice(0, MAX_MESSAGES);
  return asMessage(v) !== undefined ? [v] : [];
}

/** Where a command routes: node names (a `Send` as its target node). */
function gotoTargets(goto: unknown): string[] {
  const items = Array.isArray(goto) ? goto.slice(0, MAX_MESSAGES) : goto === undefined || goto === null ? [] : [goto];
  const out: string[] = [];
  for (const g of items) {
    const node = typeof g === 'string' ? g : record(g)?.['node'];
    if (typeof node === 'string' && node.length > 0) out.push(node);
  }
  return out;
}

/**
 * A tool's output that is a LangGraph `Command` (the way a tool updates graph
 * state: `new Command({ update: { messages: [new ToolMessage(...)] } })`):
 *
 * - the `ToolMessage`s of the update's `messages` meant for this tool call
 *   (`tool_call_id` equal to `toolCallId`; without a `toolCallId`, every tool
 *   message) give the result, as a bare `ToolMessage` does: its content (several:
 *   a list of contents), failed when one has `status: 'error'`;
 * - without such a message the result is the update, readable (messages as
 *   `{ type, content, ... }`, not LangChain's serialisation);
 * - metadata: `command_update_keys` (always), `command_goto`, `command_graph`,
 *   `command_resume`, and, when the result is a `ToolMessage`, `command_messages`
 *   (how many messages the update carries) and `command_update` (the other
 *   update keys, readable). Other messages in the update are not stored again:
 *   a handoff typically carries the whole conversation, already recorded.
 *
 * `undefined` when the output is not a command.
 */
export function commandOutcome(output: unknown, toolCallId?: string): ToolOutcome | undefined {
  if (!isCommand(output)) return undefined;
  const update = output['update'];
  const entries = updateEntries(update);
  const metadata: Record<string, unknown> = {
    command_update_keys: entries ? [...new Set(entries.map(([k]) => k))] : update === undefined || update === null ? [] : ['__root__'],
  };
  const goto = gotoTargets(output['goto']);
  if (goto.length > 0) metadata['command_goto'] = goto;
  const graph = output['graph'];
  if (typeof graph === 'string' && graph.length > 0) metadata['command_graph'] = graph;
  const resume = output['resume'];
  if (resume !== undefined && resume !== null) metadata['command_resume'] = readable(resume);

  const messages = (entries ?? []).filter(([k]) => k === 'messages').flatMap(([, v]) => messagesOf(v));
  const tools = messages.map(asMessage).filter((m): m is MessageView => m?.type === 'tool');
  const forThisCall =
    toolCallId !== undefined && toolCallId.length > 0
      ? tools.filter((m) => m.fields['tool_call_id'] === toolCallId)
      : tools;
  if (forThisCall.length === 0) {
    return { result: update === undefined || update === null ? undefined : readable(update), failed: false, metadata };
  }

  metadata['command_messages'] = messages.length;
  const rest = (entries ?? []).filter(([k]) => k !== 'messages');
  if (rest.length > 0) {
    metadata['command_update'] = Array.isArray(update)
      ? rest.map(([k, v]) => [k, readable(v)])
      : Object.fromEntries(rest.map(([k, v]) => [k, readable(v)]));
  }
  const results = forThisCall.map((m) => messageResult(m.fields['content']));
  const errors = forThisCall.filter((m) => m.fields['status'] === 'error');
  const errorText = errors
    .map((m) => contentText(m.fields['content']))
    .filter((t): t is string => t !== undefined)
    .join('\n');
  return {
    result: results.length === 1 ? results[0] : results,
    failed: errors.length > 0,
    ...(errors.length > 0 ? { error: errorText.length > 0 ? errorText : 'tool reported an error' } : {}),
    metadata,
  };
}

/**
 * A value of a command made readable: messages (live or serialised) become
 * `{ type, content, name, tool_call_id, status, tool_calls }`; arrays and plain
 * objects are walked (bounded; a cycle becomes `'[Circular]'`, too much or too
 * deep `'[truncated]'`); anything else is left to the recorder's serialisation.
 */
function readable(value: unknown, depth = 0, path = new WeakSet<object>(), budget = { left: MAX_READABLE_VALUES }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (path.has(value)) return '[Circular]';
  if (depth > MAX_READABLE_DEPTH || budget.left-- <= 0) return '[truncated]';
  path.add(value);
  try {
    const message = asMessage(value);
    if (message) {
      const out: Record<string, unknown> = { type: message.type };
      for (const key of ['name', 'content', 'tool_call_id', 'status', 'tool_calls']) {
        const v = message.fields[key];
        if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
        out[key] = readable(v, depth + 1, path, budget);
      }
      return out;
    }
    if (Array.isArray(value)) {
      const out = value.slice(0, Math.max(0, budget.left)).map((v) => readable(v, depth + 1, path, budget));
      if (out.length < value.length) out.push('[truncated]');
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (budget.left <= 0) {
        out.push([k, '[truncated]']);
        break;
      }
      out.push([k, readable(v, depth + 1, path, budget)]);
    }
    return Object.fromEntries(out); // data properties: a `__proto__` key stays a key
  } finally {
    path.delete(value);
  }
}
