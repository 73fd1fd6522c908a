import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { createRecorder, type Recorder } from '../src/index.js';

/** A real SDK provider capturing ended spans in memory, and a recorder over it. */
export function setup(options: { maxContentChars?: number } = {}): {
  recorder: Recorder;
  spans: () => ReadableSpan[];
  provider: BasicTracerProvider;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const recorder = createRecorder({ tracerProvider: provider, ...options });
  return { recorder, spans: () => exporter.getFinishedSpans(), provider };
}

let contextManagerEnabled = false;
/** The AsyncLocalStorage context manager, enabled once for `with()` tests. */
export function enableContext(): void {
  if (contextManagerEnabled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerEnabled = true;
}

export function byName(spans: ReadableSpan[], name: string): ReadableSpan {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span named "${name}" among: ${spans.map((x) => x.name).join(', ')}`);
  return s;
}
