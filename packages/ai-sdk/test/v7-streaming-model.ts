/** The AI SDK v7's own offline model streaming a text one character per chunk (shared by the abort tests). */
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/** A `MockLanguageModelV4` whose stream gives `text` a character at a time, `delayMs` apart, then finishes. */
export function streamingModel(modelId: string, text: string, delayMs: number): MockLanguageModelV4 {
  const chunks = [
    { type: 'stream-start' as const, warnings: [] },
    { type: 'text-start' as const, id: 't' },
    ...text.split('').map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
    { type: 'text-end' as const, id: 't' },
    { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage },
  ];
  return new MockLanguageModelV4({ modelId, doStream: async () => ({ stream: simulateReadableStream({ chunks, chunkDelayInMs: delayMs }) }) });
}
