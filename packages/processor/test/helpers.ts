/** A processor in a tracer provider with an in-memory exporter behind it, and what the tests read back. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import { Attr } from '@agentspan/semconv';
import { ExecutionEventSpanProcessor, type ExecutionEventSpanProcessorOptions } from '../src/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export function setup(options: ExecutionEventSpanProcessorOptions = {}) {
  const workspaceDir = options.workspaceDir ?? mkdtempSync(join(tmpdir(), 'agentspan-proc-'));
  const exporter = new InMemorySpanExporter();
  const processor = new ExecutionEventSpanProcessor({ ...options, workspaceDir });
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const recorder = createRecorder({ tracerProvider: provider });
  return { workspaceDir, processor, provider, recorder, spans: () => exporter.getFinishedSpans() };
}

export function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span "${name}" among ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

export function fileSpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'file_gen');
}

