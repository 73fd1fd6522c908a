/**
 * The work `instructions.bench.ts` counts, run under valgrind: `events`
 * events through one stage of the recording process's path, with nothing
 * else (no database, no timers). Prints what it produced (spans, rows, or
 * rows plus COPY bytes), so that no stage can be optimised away.
 *
 *   node --import tsx bench/instructions-child.ts <stage> <events>
 *
 * The stages are described in `lib/instruction-stages.ts`.
 */
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { PostgresExecutionEventExporter, copyDataMessages, EXECUTION_EVENTS_COLUMN_TYPES, type ExecutionEventRow } from '@agentspan/exporter-postgres';
import { CollectSpans } from './lib/collect.js';
import { INSTRUCTION_STAGES, type InstructionStage } from './lib/instruction-stages.js';
import { codeSnippets2k, recordEvent } from './lib/workload.js';


/** Spans handed on per round: about what one delivery batch holds. */
const ROUND = 500;
const OUTPUT = 'eu: mean=101.2 peak=7\nus: mean=98.0 peak=12\n';

function main(stage: InstructionStage, events: number): number {
  const collect = new CollectSpans();
  const provider = new BasicTracerProvider({ spanProcessors: [new ExecutionEventSpanProcessor({ workspaceDir: process.cwd() }), collect] });
  const recorder = createRecorder({ tracerProvider: provider });
  // The exporter only maps here: it opens no connection until a write, and none is asked for.
  const exporter = new PostgresExecutionEventExporter({ connectionString: 'postgres://unused@127.0.0.1:1/unused', migrate: false });
  const run = recorder.startRun({ task: 'instructions', mode: 'bench' });
  const node = run.startNode('step_1', { title: 'analyse', agent: 'analyst' });
  const snippets = stage === 'code2k' ? codeSnippets2k(false, 256) : [];
  let bytes = 0;
  for (let done = 0; done < events; done += ROUND) {
    const n = Math.min(ROUND, events - done);
    for (let i = 0; i < n; i++) {
      if (stage === 'code2k') node.codeExecution({ agent: 'executor', language: 'python', code: snippets[(done + i) % 256]!, output: OUTPUT, exitCode: 0 });
      else recordEvent(node, done + i);
    }
    if (stage === 'map' || stage === 'encode') {
      const rows: ExecutionEventRow[] = [];
      for (const m of exporter.prepareRows(collect.spans).rows) if (m.kind === 'event') rows.push(m.row);
      bytes += rows.length;
      if (stage === 'encode') for (const message of copyDataMessages(rows, EXECUTION_EVENTS_COLUMN_TYPES)) bytes += message.length;
    } else bytes += collect.spans.length;
    collect.spans.length = 0;
  }
  return bytes;
}

const [stage, events] = process.argv.slice(2);
if (!INSTRUCTION_STAGES.includes(stage as InstructionStage) || !/^\d+$/.test(events ?? '')) {
  console.error(`usage: instructions-child.ts <${INSTRUCTION_STAGES.join('|')}> <events>`);
  process.exit(2);
}
console.log(`bytes ${main(stage as InstructionStage, Number(events))}`);
// Exit at once: the providers' shutdown and the exporter's pool are not what is counted.
process.exit(0);
