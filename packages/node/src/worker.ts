/**
 * The worker-thread side of agentspan (`@agentspan/node/worker`): a
 * lightweight recorder that posts events to the main thread, where they are
 * recorded into the run (same trace, same run and node ids, execution orders
 * from the main thread's one sequence). It loads no OpenTelemetry SDK, opens
 * no connection, writes no spool.
 *
 * @example
 * // main thread
 * const worker = new Worker(file, { workerData: { agentspan: agentspan.workerData(step) }, transferList: [...] });
 * // worker thread
 * import { createWorkerRecorder } from '@agentspan/node/worker';
 * const rec = createWorkerRecorder(workerData.agentspan);
 * rec.toolCall({ agent: 'engineer', tool: 'search', args: { q } , result });
 * await rec.flush(); // before the worker ends
 */

import { INVALID_SPAN_CONTEXT } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import type {
  AgentCallEvent,
  AgentCallResult,
  CodeExecutionEvent,
  CodeExecutionResult,
  EventHandle,
  EventRecorder,
  FileGeneratedEvent,
  HandoffEvent,
  ToolCallEvent,
  ToolCallResult,
} from '@agentspan/instrumentation';
import { UNREADABLE, safeJson } from '@agentspan/instrumentation';
import {
  WIRE_ERROR,
  WORKER_PROTOCOL,
  type AgentspanWorkerData,
  type BeginMethod,
  type MainMessage,
  type RecordMethod,
  type WireError,
  type WorkerMessage,
} from './worker-protocol.js';
import { copyEventFields } from './event-fields.js';
import { timerMillis } from './timer-limit.js';

export type { AgentspanWorkerData } from './worker-protocol.js';

/** Budget of the JSON copy of one field of an event that cannot be structured-cloned (functions, ...). */
const FALLBACK_MAX_CHARS = 2_000_000;
/** Default deadline of {@link WorkerRecorder.flush}. */
const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

/** Records from a worker thread into the run of an {@link AgentspanWorkerData}. Never throws. */
export interface WorkerRecorder extends EventRecorder {
  readonly runId: string;
  readonly nodeId: string | undefined;
  /**
   * Resolves once the main thread has recorded every event posted before
   * the call (with `deliver: true`, once they are also delivered or spooled).
   * Resolves anyway after `timeoutMillis` (default 10 s) or when there is no
   * main thread to answer. `timeoutMillis` longer than 2^31 − 1 ms (a Node
   * timer's limit, about 24.8 days), `Infinity` included, waits that long:
   * in practice no deadline. Never rejects.
   */
  flush(options?: { deliver?: boolean; timeoutMillis?: number }): Promise<void>;
  /**
   * Events (and ends of \`begin*\` events) that never reached the main thread,
   * counted, never thrown: ones that could not be copied, ones recorded
   * after the channel closed, and ones posted that agentspan's shutdown did
   * not receive (counted when the main thread says it closed, on the
   * worker's next turn of its event loop).
   */
  readonly lost: number;
  /**
   * Stops this recorder: its later events are counted as lost. The channel is
   * shared by the recorders made from the same `workerData` in this worker;
   * the last one to close closes it (the main thread then ends the events
   * left running as failed), the others go on recording.
   */
  close(): void;
}

/** The recorders of this worker that use a port: the port is closed when the last of them closes. */
interface PortUse {
  users: number;
  closed: boolean;
}

/**
 * Kept on `globalThis` under a registered symbol, like the exit hooks: two
 * copies of this module in one worker (a library bundling its own) share the
 * count, as they share the port. Weak: a port nobody holds goes away with it.
 */
const PORT_USES_KEY = Symbol.for('agentspan.worker.port-uses');

function portUse(port: MessagePort): PortUse {
  const g = globalThis as unknown as Record<symbol, WeakMap<MessagePort, PortUse> | undefined>;
  const uses = (g[PORT_USES_KEY] ??= new WeakMap<MessagePort, PortUse>());
  let use = uses.get(port);
  if (use === undefined) {
    use = { users: 0, closed: false };
    uses.set(port, use);
  }
  return use;
}

/**
 * The deadline of a flush, ms: the default when none is given (or not a
 * number); clamped to what a timer takes, since a longer one (`Infinity`
 * meaning "no deadline") would fire after 1 ms.
 */
function flushDeadline(given: unknown): number {
  return typeof given === 'number' && !Number.isNaN(given) ? timerMillis(given) : DEFAULT_FLUSH_TIMEOUT_MS;
}

/** Wall-clock time in milliseconds with sub-millisecond precision (epoch based, valid across threads). */
function now(): number {
  return performance.timeOrigin + performance.now();
}

function isPort(p: unknown): p is MessagePort {
  return typeof p === 'object' && p !== null && typeof (p as MessagePort).postMessage === 'function';
}

/**
 * `msg` with its event (or result) made structured-cloneable field by
 * field, so one field that cannot be cloned costs that field only.
 */
function cloneableMessage(msg: WorkerMessage): WorkerMessage {
  switch (msg.op) {
    case 'record':
    case 'begin':
      return { ...msg, event: cloneableFields(msg.event) };
    case 'end':
      return { ...msg, result: cloneableFields(msg.result) };
    default:
      return msg;
  }
}

/** A plain copy of an event's own fields, each made cloneable on its own (the event itself is already a plain copy). */
function cloneableFields(event: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (event === null || typeof event !== 'object') return out;
  for (const key of Object.keys(event)) out[key] = cloneableField((event as Record<string, unknown>)[key]);
  return out;
}

/**
 * A field the main thread reads as the worker meant it: a time stays a
 * `Date` (its ISO text is not a time the main thread accepts: the event
 * would be stamped with the time it arrived), an `Error` stays an `Error`
 * (recorded by its message, not as `{"name","message"}` JSON); anything
 * else that is not a primitive becomes its JSON copy, in which a function
 * is `"[function name]"` and a part that cannot be read `"[unreadable]"`.
 */
function cloneableField(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      try {
        if (value instanceof Date) return new Date(Date.prototype.getTime.call(value));
        if (value instanceof Error) return cloneableError(value);
      } catch {
        return UNREADABLE;
      }
      break;
    default:
      break;
  }
  return JSON.parse(safeJson(value, FALLBACK_MAX_CHARS).json) as unknown;
}

/** An `Error` as it crosses the channel, its name kept (see `WIRE_ERROR`). */
function wireError(error: Error): WireError {
  const copy = cloneableError(error);
  return { [WIRE_ERROR]: true, name: copy.name, message: copy.message };
}

/** `fields` (an event or result, already a copy of the caller's) with each `Error` field made a {@link WireError}, in place. */
function errorsToWire(fields: Record<string, unknown>): void {
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    let isError = false;
    try {
      isError = value instanceof Error;
    } catch {
      // A revoked proxy: structured cloning refuses it, and the field-by-field copy marks it unreadable.
    }
    if (isError) fields[key] = wireError(value as Error);
  }
}

function cloneableError(error: Error): Error {
  const read = (key: 'name' | 'message'): string => {
    try {
      return String(error[key]);
    } catch {
      return UNREADABLE;
    }
  };
  const copy = new Error(read('message'));
  copy.name = read('name');
  return copy;
}

const NOOP_HANDLE: EventHandle<never> = { spanContext: () => INVALID_SPAN_CONTEXT, with: <T>(fn: () => T): T => fn(), end: () => undefined };

/** A recorder for a worker thread; with missing or malformed data every call is a counted no-op. */
export function createWorkerRecorder(data: AgentspanWorkerData | undefined): WorkerRecorder {
  const given = isPort(data?.port) ? data.port : undefined;
  // A port another recorder already closed (the last one to use it) posts nowhere: postMessage on it does not
  // throw, so this recorder would count its events as sent. It starts closed instead, and counts them lost.
  const use = given !== undefined ? portUse(given) : undefined;
  const port = use?.closed === true ? undefined : given;
  const runId = typeof data?.reference?.runId === 'string' ? data.reference.runId : 'unknown';
  const nodeId = typeof data?.reference?.nodeId === 'string' ? data.reference.nodeId : undefined;
  let lost = 0;
  /** Record, begin and end messages posted: what arrived is reckoned against it when the main thread closes. */
  let sent = 0;
  let closed = port === undefined;
  /**
   * This recorder among those sharing the channel (a library's and the
   * application's, both from the same `workerData`): every message carries
   * it, so the main thread keeps each recorder's events, flushes and counts
   * apart although their ids all start at 1. Random rather than counted: two
   * copies of this module in one worker would count alike.
   */
  const rid = randomUUID();
  let nextId = 1;
  const waiting = new Map<number, () => void>();

  const onMessage = (m: MainMessage): void => {
    if (m?.p !== WORKER_PROTOCOL) return;
    if (m.op === 'flushed') {
      if (m.rid === rid) waiting.get(m.id)?.();
    } else if (m.op === 'closed' && !closed) {
      // agentspan shut down: what it did not receive is lost, and so is everything recorded from now on.
      closed = true;
      if (use !== undefined) use.closed = true; // a recorder made from now on would post nowhere: it starts closed
      const received = m.receivedBy instanceof Map ? (m.receivedBy.get(rid) ?? 0) : m.received;
      if (typeof received === 'number') lost += Math.max(0, sent - received);
      for (const done of waiting.values()) done();
    }
  };
  const onClose = (): void => {
    closed = true;
    if (use !== undefined) use.closed = true;
    for (const done of waiting.values()) done();
  };
  /** This recorder's `close()` ran: it no longer counts among the port's users. */
  let released = false;

  if (port !== undefined && use !== undefined) {
    use.users += 1;
    port.on('message', onMessage);
    port.on('close', onClose);
    // An idle recorder must not keep the worker alive; a flush holds it with its own timer while it waits
    // (not by ref'ing the port: the port is shared, and one recorder's unref would let go of another's flush).
    port.unref();
  }

  const post = (msg: WorkerMessage): boolean => {
    const counted = msg.op !== 'flush'; // events and their ends are counted; a flush is not one
    if (closed || port === undefined) {
      if (counted) lost += 1;
      return false;
    }
    try {
      port.postMessage(msg);
      if (counted) sent += 1;
      return true;
    } catch {
      // Not structured-cloneable (a function, a revoked proxy, a native handle): send a copy that is.
      try {
        port.postMessage(cloneableMessage(msg));
        if (counted) sent += 1;
        return true;
      } catch {
        lost += 1;
        return false;
      }
    }
  };

  const stamp = <E extends object>(event: E | undefined, key: 'startTime' | 'endTime', also?: 'startTime'): E => {
    // Read as the main thread's record methods read it: a class's getters too (a spread copies own fields only).
    const e = copyEventFields(event) as E & { startTime?: unknown; endTime?: unknown };
    errorsToWire(e as Record<string, unknown>);
    const t = now();
    if (e[key] === undefined) (e as Record<string, unknown>)[key] = t;
    if (also !== undefined && e[also] === undefined) (e as Record<string, unknown>)[also] = e[key];
    return e;
  };

  // Copying an event can throw (a proxy, a getter that throws): such an event is lost and counted, never thrown.
  const record = (method: RecordMethod, event: object | undefined): void => {
    try {
      post({ p: WORKER_PROTOCOL, op: 'record', rid, method, event: stamp(event, 'endTime', 'startTime') });
    } catch {
      lost += 1;
    }
  };

  const begin = <R>(method: BeginMethod, event: object | undefined): EventHandle<R> => {
    if (closed) {
      lost += 1;
      return NOOP_HANDLE;
    }
    const id = nextId++;
    let stamped: object;
    try {
      stamped = stamp(event, 'startTime');
    } catch {
      lost += 1;
      return NOOP_HANDLE;
    }
    if (!post({ p: WORKER_PROTOCOL, op: 'begin', rid, id, method, event: stamped })) return NOOP_HANDLE;
    let ended = false;
    return {
      spanContext: () => INVALID_SPAN_CONTEXT,
      with: <T>(fn: () => T): T => fn(),
      end: (result?: R) => {
        if (ended) return;
        ended = true;
        let stampedResult: object;
        try {
          stampedResult = stamp(result as object | undefined, 'endTime');
        } catch {
          stampedResult = { endTime: now() }; // the event still ends (unknown outcome) rather than staying open
        }
        post({ p: WORKER_PROTOCOL, op: 'end', rid, id, result: stampedResult });
      },
    };
  };

  return {
    runId,
    nodeId,
    get lost() {
      return lost;
    },
    agentCall: (e: AgentCallEvent) => record('agentCall', e),
    beginAgentCall: (e: AgentCallEvent) => begin<AgentCallResult>('beginAgentCall', e),
    codeExecution: (e: CodeExecutionEvent) => record('codeExecution', e),
    beginCodeExecution: (e: CodeExecutionEvent) => begin<CodeExecutionResult>('beginCodeExecution', e),
    toolCall: (e: ToolCallEvent) => record('toolCall', e),
    beginToolCall: (e: ToolCallEvent) => begin<ToolCallResult>('beginToolCall', e),
    fileGenerated: (e: FileGeneratedEvent) => record('fileGenerated', e),
    handoff: (e: HandoffEvent) => record('handoff', e),
    flush(given) {
      if (closed || port === undefined) return Promise.resolve();
      let millis = DEFAULT_FLUSH_TIMEOUT_MS;
      let deliver = false;
      try {
        if (typeof given === 'object' && given !== null) {
          millis = flushDeadline(given.timeoutMillis);
          deliver = Boolean(given.deliver); // truthy, as the main thread has always read it
        }
      } catch {
        // Options that cannot be read (a throwing getter): the defaults, never a rejection.
      }
      const id = nextId++;
      return new Promise<void>((resolve) => {
        // Ref'd on purpose: the worker stays alive while its flush waits for the main thread.
        const timer = setTimeout(done, millis);
        function done(): void {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        }
        waiting.set(id, done);
        if (!post({ p: WORKER_PROTOCOL, op: 'flush', rid, id, deliver })) done();
      });
    },
    close() {
      if (released) return;
      released = true;
      closed = true;
      for (const done of waiting.values()) done();
      if (port === undefined || use === undefined) return;
      // Its listeners go with it: a recorder made per task and closed leaves nothing on the shared port.
      port.off('message', onMessage);
      port.off('close', onClose);
      use.users -= 1;
      // Another recorder of the worker (a library's, the application's) still records on this channel: closing
      // it would send that recorder's events nowhere, uncounted (postMessage on a closed port does not throw).
      if (use.users > 0 || use.closed) {
        // The channel stays open: the main thread is told, and ends now what this recorder left running rather than
        // list it as running until the worker ends (the channel's close did that at once before it was shared).
        if (!use.closed) {
          try {
            port.postMessage({ p: WORKER_PROTOCOL, op: 'release', rid } satisfies WorkerMessage);
          } catch {
            /* the channel is gone: its close ends them */
          }
        }
        return;
      }
      use.closed = true;
      try {
        port.close();
      } catch {
        /* already closed */
      }
    },
  };
}
