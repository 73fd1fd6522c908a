/** The main-thread side of worker recording: records what worker threads post, into the run they name. */

import { diag } from '@opentelemetry/api';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { AttachedRecorder, EventHandle, Recorder, RunReference } from '@agentspan/instrumentation';
import { BEGIN_METHODS, RECORD_METHODS, WORKER_PROTOCOL, isWireError, type AgentspanWorkerData, type WorkerMessage } from './worker-protocol.js';

/** An event or result from a worker with its `Error` fields made `Error`s again, of their names (see `WIRE_ERROR`). */
function errorsFromWire(fields: unknown): unknown {
  if (fields === null || typeof fields !== 'object') return fields;
  const record = fields as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (!isWireError(value)) continue;
    const error = new Error(value.message);
    error.name = value.name;
    record[key] = error;
  }
  return record;
}

/** Open `begin*` handles kept per channel; beyond it the oldest is ended (a worker that never ends its events). */
const MAX_OPEN_HANDLES = 10_000;

type Handle = EventHandle<Record<string, unknown>>;

/**
 * One worker's channel: where its events go, its open `begin*` handles, and
 * how many messages came. Several recorders of the worker may post on it:
 * handles are keyed by recorder and event id ({@link handleKey}), and
 * messages counted per recorder too.
 */
interface Channel {
  readonly scope: AttachedRecorder;
  readonly open: Map<string, Handle>;
  /** Record, begin and end messages received. */
  received: number;
  /** The same, per recorder id: what each recorder's `lost` is reckoned against at close. */
  readonly receivedBy: Map<string, number>;
}

/** The recorder id of a message; `''` for one without (it still counts in the channel's total). */
function recorderOf(m: WorkerMessage): string {
  return typeof m.rid === 'string' ? m.rid : '';
}

/** An open handle's key: its recorder's id and the id that recorder gave the event (each recorder counts from 1). */
function handleKey(rid: string, id: number): string {
  return `${rid}#${id}`;
}

/** Default most time `close()` spends recording what workers posted before it (a worker may post without end). */
const DEFAULT_CLOSE_BUDGET_MILLIS = 1000;

/** Tells the worker the channel is closed and how many of its messages arrived (in all, and per recorder), then closes it. */
function closeChannel(port: MessagePort, received: number, receivedBy: ReadonlyMap<string, number>): void {
  try {
    port.postMessage({ p: WORKER_PROTOCOL, op: 'closed', received, receivedBy });
  } catch {
    /* the worker is gone */
  }
  port.close();
}

export class WorkerBridge {
  /** Open channels, each with its scope and the `begin*` handles the worker has not ended yet. */
  private readonly ports = new Map<MessagePort, Channel>();
  private closed = false;
  /** Protocols of agentspan's worker recorders this bridge cannot read, each reported once. */
  private readonly foreignProtocols = new Set<string>();

  constructor(
    private readonly recorder: Recorder,
    /** Delivers or spools what is queued (for `flush({ deliver: true })`). */
    private readonly deliver: () => Promise<void>,
    /** The application's logger: a worker recorder of another agentspan version is reported there. */
    private readonly warn: (message: string) => void = (m) => diag.warn(m),
  ) {}

  /** A channel into the run (or node) of `reference`: the data a worker thread needs. */
  open(reference: RunReference): AgentspanWorkerData {
    const { port1, port2 } = new MessageChannel();
    if (this.closed) {
      // After shutdown: the worker learns it at once, and counts everything it records as lost.
      closeChannel(port1, 0, new Map());
      return { port: port2, reference };
    }
    const scope = this.recorder.attach(reference);
    const open = new Map<string, Handle>();
    const channel: Channel = { scope, open, received: 0, receivedBy: new Map() };
    this.ports.set(port1, channel);
    port1.on('message', (m: WorkerMessage) => this.handle(port1, channel, m));
    port1.on('close', () => {
      this.ports.delete(port1);
      // The worker went away with events still running: record them as failed rather than lose them.
      for (const h of open.values()) h.end({ status: 'failed', error: 'the worker ended before this event did' });
      open.clear();
    });
    // The channel must not keep the main thread alive (a live Worker does that itself).
    port1.unref();
    return { port: port2, reference };
  }

  /**
   * Closes every channel (at shutdown), synchronously recording first what
   * is still in them: the messages already posted and not yet received,
   * then the events left running, as failed. All of it ends before the
   * provider shuts down, so none of it arrives after its exporters closed.
   */
  close(budgetMillis = DEFAULT_CLOSE_BUDGET_MILLIS): void {
    this.closed = true;
    // Bounded: a worker that keeps posting would otherwise hold the main thread here for as long as it
    // runs. What it posted past the budget is not recorded; the worker counts it as lost (`closed`).
    const deadline = Date.now() + Math.max(0, budgetMillis);
    for (const [port, channel] of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = Date.now() < deadline ? receiveMessageOnPort(port) : undefined) {
        this.handle(port, channel, m.message as WorkerMessage);
      }
      for (const h of channel.open.values()) h.end({ status: 'failed', error: 'agentspan shut down before this event ended' });
      channel.open.clear();
      closeChannel(port, channel.received, channel.receivedBy);
    }
    this.ports.clear();
  }

  /**
   * A message of agentspan's worker recorder in a protocol this version does
   * not read (the worker loads another version of `@agentspan/node`): its
   * events cannot be recorded, and the worker, waiting for answers it will not
   * get, cannot count them lost. Said once per protocol rather than dropped in
   * silence. Other traffic on the port (not agentspan's) is left alone.
   */
  private reportForeign(protocol: unknown): void {
    if (typeof protocol !== 'string' || !protocol.startsWith('agentspan.worker/') || this.foreignProtocols.has(protocol)) return;
    this.foreignProtocols.add(protocol);
    this.warn(
      `a worker thread records in protocol "${protocol.slice(0, 40)}", which this agentspan (${WORKER_PROTOCOL}) does not read: ` +
        'its events are not recorded. Load the same version of @agentspan/node in the worker and the main thread.',
    );
  }

  private handle(port: MessagePort, channel: Channel, m: WorkerMessage): void {
    if (m === null || typeof m !== 'object') return;
    if (m.p !== WORKER_PROTOCOL) {
      this.reportForeign(m.p);
      return;
    }
    const { scope, open } = channel;
    const rid = recorderOf(m);
    if (m.op === 'record' || m.op === 'begin' || m.op === 'end') {
      channel.received += 1;
      channel.receivedBy.set(rid, (channel.receivedBy.get(rid) ?? 0) + 1);
    }
    try {
      switch (m.op) {
        case 'record':
          if (RECORD_METHODS.has(m.method)) (scope[m.method] as (e: unknown) => void).call(scope, errorsFromWire(m.event));
          break;
        case 'begin':
          if (BEGIN_METHODS.has(m.method)) {
            if (open.size >= MAX_OPEN_HANDLES) {
              const [oldest, h] = open.entries().next().value as [string, Handle];
              h.end({ status: 'failed', error: 'too many events left running by the worker' });
              open.delete(oldest);
            }
            open.set(handleKey(rid, m.id), (scope[m.method] as (e: unknown) => Handle).call(scope, errorsFromWire(m.event)));
          }
          break;
        case 'end': {
          const key = handleKey(rid, m.id);
          const h = open.get(key);
          open.delete(key);
          h?.end((errorsFromWire(m.result) ?? {}) as Record<string, unknown>);
          break;
        }
        case 'release':
          // One of the worker's recorders closed; the others go on, so the channel stays open. What it left running
          // would otherwise stay listed as running until the worker ends: ended now, as failed, as at a close.
          for (const [key, h] of open) {
            if (!key.startsWith(`${rid}#`)) continue;
            open.delete(key);
            h.end({ status: 'failed', error: 'its worker recorder was closed before this event ended' });
          }
          break;
        case 'flush': {
          const reply = (): void => {
            try {
              port.postMessage({ p: WORKER_PROTOCOL, op: 'flushed', rid, id: m.id });
            } catch {
              /* the worker is gone */
            }
          };
          if (m.deliver) void this.deliver().then(reply, reply);
          else reply();
          break;
        }
      }
    } catch (err) {
      diag.warn('agentspan: recording an event posted by a worker failed', err);
    }
  }
}
