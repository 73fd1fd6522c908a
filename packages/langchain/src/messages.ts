/**
 * Reading LangChain values without importing LangChain (pure, defensive):
 * tool inputs, message contents, and model outputs (`LLMResult`); tool outputs are read in `tool-output.ts`.
 */

/** A tool call the model asked for. */
export interface RequestedToolCall {
  id?: string;
  name?: string;
  arguments?: unknown;
}

/** What one model call produced. */
export interface ModelTurn {
  text: string | undefined;
  toolCalls: RequestedToolCall[];
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  model: string | undefined;
}

/** `v` as an object whose keys can be read, if it is one (not an array). */
export function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A tool's input: LangChain passes JSON text for structured tools, plain text otherwise. */
export function parseToolInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const t = input.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(input) as unknown;
    } catch {
      return input;
    }
  }
  return input;
}

/** Text of message content: a string, or content blocks `{ type: 'text', text }`. */
export function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content.length > 0 ? content : undefined;
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .map((b) => (typeof b === 'string' ? b : record(b)?.['type'] === 'text' ? record(b)?.['text'] : undefined))
    .filter((t): t is string => typeof t === 'string' && t.length > 0);
  return texts.length > 0 ? texts.join('') : undefined;
}

/** The first generation of an `LLMResult`: its message text, tool calls, usage and model. */
export function modelTurn(output: unknown): ModelTurn {
  const result = record(output);
  const generations = result?.['generations'];
  const first = Array.isArray(generations) && Array.isArray(generations[0]) ? record(generations[0][0]) : undefined;
  const message = record(first?.['message']);
  const toolCalls: RequestedToolCall[] = [];
  const calls = message?.['tool_calls'];
  if (Array.isArray(calls)) {
    for (const c of calls) {
      const call = record(c);
      if (!call) continue;
      toolCalls.push({
        ...(typeof call['id'] === 'string' ? { id: call['id'] } : {}),
        ...(typeof call['name'] === 'string' ? { name: call['name'] } : {}),
        ...(call['args'] !== undefined ? { arguments: call['args'] } : {}),
      });
    }
  }
  const usage = record(message?.['usage_metadata']);
  const llmOutput = record(result?.['llmOutput']);
  const tokenUsage = record(llmOutput?.['tokenUsage'] ?? llmOutput?.['token_usage']);
  const responseMetadata = record(message?.['response_metadata']);
  const text = contentText(message?.['content']) ?? (typeof first?.['text'] === 'string' && first['text'].length > 0 ? first['text'] : undefined);
  const model = responseMetadata?.['model_name'] ?? responseMetadata?.['model'] ?? llmOutput?.['model_name'];
  return {
    text,
    toolCalls,
    inputTokens: num(usage?.['input_tokens']) ?? num(tokenUsage?.['promptTokens']) ?? num(tokenUsage?.['prompt_tokens']),
    outputTokens: num(usage?.['output_tokens']) ?? num(tokenUsage?.['completionTokens']) ?? num(tokenUsage?.['completion_tokens']),
    model: typeof model === 'string' && model.length > 0 ? model : undefined,
  };
}

/** The model a chat model or LLM was invoked with, from the callback's extra params and metadata. */
export function requestedModel(extraParams: unknown, metadata: Record<string, unknown> | undefined): string | undefined {
  const params = record(record(extraParams)?.['invocation_params']);
  for (const v of [params?.['model'], params?.['model_name'], params?.['modelName'], metadata?.['ls_model_name']]) {
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}
