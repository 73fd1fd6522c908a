/**
 * Shared by the framework adapters' tests: agentspan against a test schema, with an
 * in-memory copy of every span, and readers for the rows and spans it produced.
 * A subpath of its own (`@agentspan/test-support/harness`), so packages below
 * `@agentspan/node` can use the rest of test-support without loading it.
 */

import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startAgentspan, type Agentspan } from '@agentspan/node';
import type { TestSchema } from './index.js';

export interface Harness {
  agentspan: Agentspan;
  memory: InMemorySpanExporter;
}

export async function startHarness(db: TestSchema, workspaceDir: string, serviceName: string): Promise<Harness> {
  const memory = new InMemorySpanExporter();
  const agentspan = await startAgentspan({
    serviceName,
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    workspaceDir,
    spanProcessors: [new SimpleSpanProcessor(memory)],
    logger: { warn: () => undefined },
  });
  return { agentspan, memory };
}

export interface EventRow {
  event_type: string;
  agent_name: string | null;
  node_id: string | null;
  run_id: string | null;
  name: string;
  status: string;
  execution_order: number | null;
  span_id: string;
  parent_span_id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  meta: Record<string, unknown>;
  error_message: string | null;
}

export async function eventRows(db: TestSchema, runId: string): Promise<EventRow[]> {
  const r = await db.pool.query<EventRow>(
    `SELECT event_type, agent_name, node_id, run_id, name, status, execution_order, span_id, parent_span_id,
            inputs, outputs, meta, error_message
       FROM execution_events WHERE run_id = $1 ORDER BY execution_order`,
    [runId],
  );
  return r.rows;
}

/** The finished span with this name (the first, or the one `pick` selects). */
export function spanNamed(spans: ReadableSpan[], name: string, pick: (s: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = spans.find((s) => s.name === name && pick(s));
  if (!found) throw new Error(`no span "${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return found;
}

export function parentOf(spans: ReadableSpan[], span: ReadableSpan): ReadableSpan | undefined {
  const id = span.parentSpanContext?.spanId;
  return spans.find((s) => s.spanContext().spanId === id);
}
