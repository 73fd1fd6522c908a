/**
 * What a model call produced, read from the SDK's `generation` span data
 * (Chat Completions: `output: [completion]`) or `response` span data
 * (Responses API: `_response: { model, output: [items], usage }`). Pure;
 * the data is whatever the SDK or a custom model put there.
 */

/** A tool call the model asked for. */
export interface RequestedToolCall {
  id?: string;
  name?: string;
  arguments?: unknown;
}

/** The message, tool calls, model and usage of one model call. */
export interface ModelOutput {
  text: string | undefined;
  toolCalls: RequestedToolCall[];
  model: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function parseArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** Text of a message `content`: a string, or parts `{ type: 'output_text' | 'text', text }`. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .map((p) => record(p))
    .filter((p): p is Record<string, unknown> => p !== undefined && typeof p['text'] === 'string')
    .map((p) => p['text'] as string);
  return texts.length > 0 ? texts.join('') : undefined;
}

function usageOf(usage: unknown): { inputTokens: number | undefined; outputTokens: number | undefined } {
  const u = record(usage);
  return {
    inputTokens: num(u?.['input_tokens']) ?? num(u?.['prompt_tokens']) ?? num(u?.['inputTokens']),
    outputTokens: num(u?.['output_tokens']) ?? num(u?.['completion_tokens']) ?? num(u?.['outputTokens']),
  };
}

/** A Chat Completions message (`{ content, tool_calls: [{ id, function: { name, arguments } }] }`). */
function chatMessage(message: Record<string, unknown>, texts: string[], calls: RequestedToolCall[]): void {
  const text = contentText(message['content']);
  if (text) texts.push(text);
  const toolCalls = message['tool_calls'];
  if (!Array.isArray(toolCalls)) return;
  for (const c of toolCalls) {
    const call = record(c);
    const fn = record(call?.['function']);
    if (!call) continue;
    calls.push({
      ...(str(call['id']) ? { id: str(call['id']) } : {}),
      ...(str(fn?.['name'] ?? call['name']) ? { name: str(fn?.['name'] ?? call['name']) } : {}),
      ...(fn?.['arguments'] !== undefined ? { arguments: parseArguments(fn['arguments']) } : {}),
    });
  }
}

/** `generation` span data: `{ model, output: [completion | message], usage }`. */
export function generationOutput(data: Record<string, unknown>): ModelOutput {
  const texts: string[] = [];
  const calls: RequestedToolCall[] = [];
  let model = str(data['model']);
  let usage = usageOf(data['usage']);
  const output = data['output'];
  if (Array.isArray(output)) {
    for (const item of output) {
      const o = record(item);
      if (!o) continue;
      const choices = o['choices'];
      if (Array.isArray(choices)) {
        const message = record(record(choices[0])?.['message']);
        if (message) chatMessage(message, texts, calls);
        model ??= str(o['model']);
        if (usage.inputTokens === undefined && usage.outputTokens === undefined) usage = usageOf(o['usage']);
      } else {
        chatMessage(o, texts, calls);
      }
    }
  }
  return { text: texts.length > 0 ? texts.join('\n') : undefined, toolCalls: calls, model, ...usage };
}

/** `response` span data: `{ response_id, _response: { model, output: [items], usage } }`. */
export function responseOutput(data: Record<string, unknown>): ModelOutput {
  const response = record(data['_response']);
  const texts: string[] = [];
  const calls: RequestedToolCall[] = [];
  const output = response?.['output'];
  if (Array.isArray(output)) {
    for (const item of output) {
      const o = record(item);
      if (!o) continue;
      if (o['type'] === 'message') {
        const text = contentText(o['content']);
        if (text) texts.push(text);
      } else if (o['type'] === 'function_call') {
        calls.push({
          ...(str(o['call_id'] ?? o['callId']) ? { id: str(o['call_id'] ?? o['callId']) } : {}),
          ...(str(o['name']) ? { name: str(o['name']) } : {}),
          ...(o['arguments'] !== undefined ? { arguments: parseArguments(o['arguments']) } : {}),
        });
      }
    }
  }
  return {
    text: texts.length > 0 ? texts.join('\n') : undefined,
    toolCalls: calls,
    model: str(response?.['model']),
    ...usageOf(response?.['usage']),
  };
}
