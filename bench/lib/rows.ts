/**
 * The rows agentspan produces for the workload, obtained the way the
 * pipeline obtains them: recorded through the public API, through the
 * `ExecutionEventSpanProcessor`, then mapped and sanitised by the exporter's
 * `prepareRows`. The baselines write exactly these rows.
 */
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { PostgresExecutionEventExporter, type ExecutionEventRow, type MappedRow } from '@agentspan/exporter-postgres';
import { CollectSpans } from './collect.js';
import { driveWorkload } from './workload.js';

/** Mapped rows of `events` workload events in 10 runs (plus their run and node rows). */
export async function workloadRows(events: number): Promise<{ all: MappedRow[]; events: ExecutionEventRow[] }> {
  const collect = new CollectSpans();
  const provider = new BasicTracerProvider({ spanProcessors: [new ExecutionEventSpanProcessor(), collect] });
  await driveWorkload(createRecorder({ tracerProvider: provider }), { events, yieldEvery: 1_000_000 });
  // The exporter is only used to map rows: no pool is opened until a write.
  const exporter = new PostgresExecutionEventExporter({ connectionString: 'postgres://unused@127.0.0.1:1/unused', migrate: false });
  const all = exporter.prepareRows(collect.spans).rows;
  await exporter.shutdown(100).catch(() => {});
  await provider.shutdown();
  return { all, events: all.flatMap((m) => (m.kind === 'event' ? [m.row] : [])) };
}
