/** Messages between a worker thread's recorder and the main thread's agentspan (structured-clone safe). */

import type { MessagePort } from 'node:worker_threads';
import type { RunReference } from '@agentspan/instrumentation';

/** Tag of every message, so a port shared with other traffic is not confused. */
export const WORKER_PROTOCOL = 'agentspan.worker/1';

export type RecordMethod = 'agentCall' | 'codeExecution' | 'toolCall' | 'fileGenerated' | 'handoff';
export type BeginMethod = 'beginAgentCall' | 'beginCodeExecution' | 'beginToolCall';

export const RECORD_METHODS: ReadonlySet<string> = new Set<RecordMethod>(['agentCall', 'codeExecution', 'toolCall', 'fileGenerated', 'handoff']);
export const BEGIN_METHODS: ReadonlySet<string> = new Set<BeginMethod>(['beginAgentCall', 'beginCodeExecution', 'beginToolCall']);

/**
 * Worker → main. `rid` names the recorder that posted the message: several
 * recorders may share one channel (a library and the application each call
 * `createWorkerRecorder(workerData.agentspan)`), each numbering its `begin*`
 * events and flushes from 1, so an event is `rid` and `id` together, and
 * what arrived is counted per recorder.
 */
export type WorkerMessage =
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'record'; readonly rid: string; readonly method: RecordMethod; readonly event: unknown }
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'begin'; readonly rid: string; readonly id: number; readonly method: BeginMethod; readonly event: unknown }
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'end'; readonly rid: string; readonly id: number; readonly result: unknown }
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'flush'; readonly rid: string; readonly id: number; readonly deliver: boolean }
  /** The recorder `rid` closed while others still use the channel: what it left running is ended (a main thread that predates it ignores it). */
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'release'; readonly rid: string };

/**
 * An `Error` field of an event or result as it crosses the channel:
 * structured cloning keeps the name of the standard error classes only (a
 * `ToolError` arrived as `Error`, and its type was lost to `error_type` and
 * the error-rate views). The worker sends `{ [WIRE_ERROR]: true, name,
 * message }`; the main thread makes it an `Error` of that name again.
 */
export const WIRE_ERROR = 'agentspan.worker/error';

/** See {@link WIRE_ERROR}. */
export interface WireError {
  readonly [WIRE_ERROR]: true;
  readonly name: string;
  readonly message: string;
}

/** Whether `value` is a {@link WireError}. */
export function isWireError(value: unknown): value is WireError {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Record<string, unknown>)[WIRE_ERROR] === true &&
    typeof (value as WireError).name === 'string' &&
    typeof (value as WireError).message === 'string'
  );
}

/**
 * Main → worker. `flushed`: the answer to the flush `id` of recorder `rid`
 * (the other recorders of the channel ignore it). `closed`: the main thread
 * stops receiving (agentspan shut down), having received `received` record,
 * begin and end messages from this channel, `receivedBy` of them from each
 * recorder; each recorder counts what it sent beyond its own number, and
 * all it sends after, as lost.
 */
export type MainMessage =
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'flushed'; readonly rid: string; readonly id: number }
  | { readonly p: typeof WORKER_PROTOCOL; readonly op: 'closed'; readonly received: number; readonly receivedBy: ReadonlyMap<string, number> };

/**
 * What a worker needs to record into a run: pass it in `workerData` and
 * list `port` in the `transferList`.
 */
export interface AgentspanWorkerData {
  readonly port: MessagePort;
  readonly reference: RunReference;
}
