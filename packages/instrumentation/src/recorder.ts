import { ROOT_CONTEXT, diag, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { ActiveRecording } from './active-recording.js';
import { guarded, reportFailure } from './guard.js';
import { readFields, readableCopy } from './readable-copy.js';
import { placeholderRunId, toRunReference } from './ids.js';
import { OpenHandles } from './open-handles.js';
import { RecordingScope, type ScopeDeps } from './recording-scope.js';
import { Run } from './run-handles.js';
import { parseTraceparent } from './traceparent.js';
import type { EventRecorder, RunHandle, RunReference, StartRunOptions } from './types.js';

/** Name and version of the tracer agentspan creates its spans with. */
export const INSTRUMENTATION_NAME = '@agentspan/instrumentation';
export const INSTRUMENTATION_VERSION = '0.1.0';

/** Options of {@link createRecorder}. */
export interface RecorderOptions {
  /**
   * Where spans are created. Default: the global tracer provider
   * (`trace.getTracerProvider()`), looked up when the recorder is created.
   */
  tracerProvider?: TracerProvider;
  /**
   * Longest text kept for one content attribute (message, code, output, tool
   * arguments, result); longer values are cut and the span is marked
   * `agentspan.truncated`.
   * @default 1_000_000
   */
  maxContentChars?: number;
}

/** Default of {@link RecorderOptions.maxContentChars}. */
export const DEFAULT_MAX_CONTENT_CHARS = 1_000_000;

/** Records from a run reference, e.g. in a worker thread or child process. */
export interface AttachedRecorder extends EventRecorder {
  readonly runId: string;
  readonly nodeId: string | undefined;
}

/** The recording API: start runs, or attach to a run started elsewhere. */
export interface Recorder {
  /** Starts a run (`workflow_runs` row, span `invoke_workflow {mode}`). Never throws. */
  startRun(options?: StartRunOptions): RunHandle;
  /**
   * Records into a run started elsewhere (another thread or process), from
   * its {@link RunReference}. Events become children of the referenced span
   * in the same trace, stamped with its run and node ids.
   */
  attach(reference: RunReference): AttachedRecorder;
  /**
   * Ends every `begin*` event, node and run still open, as cut short:
   * events and nodes failed, runs cancelled, each with the message "agentspan
   * shut down before this ended". A span never ended is never exported, so
   * without this their rows would be lost. Returns how many were ended.
   * `startAgentspan`'s `shutdown()` and its exit on a signal call it; call it
   * yourself before shutting a provider down when you use `createRecorder`.
   * Never throws.
   */
  endOpen(): number;
  /**
   * Rows the recording API could lose: `begin*` events, nodes and runs never
   * ended (`abandoned`, `untracked`), and record calls that failed inside
   * agentspan (`failed`).
   */
  openHandleStats(): OpenHandleStats;
}

/** See {@link Recorder.openHandleStats}. */
export interface OpenHandleStats {
  /** Handles dropped by the application without `end()` (counted when garbage-collected): their rows are lost. */
  abandoned: number;
  /**
   * Handles still open that `endOpen()` does not follow, because more than
   * 10 000 were open at once (events are let go first, runs and nodes last);
   * one ended later leaves this count. What it holds at shutdown is lost.
   */
  untracked: number;
  /**
   * Record calls (`agentCall`, `beginToolCall`, ...) that failed inside
   * agentspan and recorded nothing; ends (`end()` of an event, node or run)
   * during which a step failed, in agentspan or in a hook it calls (a span
   * processor that throws in `onEnd`): the row may lack what that step would
   * have set, or be lost; and workflow callbacks (`createWorkflowCallbacks`)
   * that failed (a `nodeId` option that cannot be read, a node object of the
   * application's that throws): their event is lost. Each site's first
   * failure is also logged through `diag`. Unreadable fields do not count:
   * the event is recorded with them as `"[unreadable]"`.
   */
  failed: number;
}

class Attached extends RecordingScope implements AttachedRecorder {
  constructor(
    deps: ScopeDeps,
    readonly runId: string,
    readonly nodeId: string | undefined,
    traceparent: unknown,
  ) {
    const parent = parseTraceparent(traceparent);
    super(
      deps,
      { runId, nodeId, depth: nodeId === undefined ? 1 : 2 },
      parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
    );
  }

  protected activeRecording(): ActiveRecording {
    return { kind: 'attached', recorder: this };
  }
}

/**
 * The tracer of the given provider; when it is no provider (its `getTracer`
 * is missing or throws), the global provider's, logged through `diag`:
 * creating the recorder must not throw into the application either.
 */
function tracerOf(provider: unknown): Tracer {
  if (provider !== undefined && provider !== null) {
    try {
      const tracer: unknown = (provider as TracerProvider).getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
      if (tracer !== null && typeof tracer === 'object' && typeof (tracer as Tracer).startSpan === 'function') return tracer as Tracer;
      diag.warn('agentspan: createRecorder got a tracerProvider whose getTracer returned no tracer; using the global tracer provider');
    } catch (err) {
      reportFailure('createRecorder tracerProvider', err);
    }
  }
  return trace.getTracerProvider().getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
}

/** Creates the recording API over a tracer provider. Never throws. */
export function createRecorder(options: RecorderOptions = {}): Recorder {
  // Read once each, an unreadable or missing one (options null from plain JavaScript) as its default.
  const o = readFields(options, ['tracerProvider', 'maxContentChars']) as RecorderOptions;
  const tracer = tracerOf(o.tracerProvider);
  const max = o.maxContentChars;
  const deps: ScopeDeps = {
    tracer,
    maxContentChars: typeof max === 'number' && max >= 1 ? Math.floor(max) : DEFAULT_MAX_CONTENT_CHARS,
    openHandles: new OpenHandles(),
    failures: { count: 0 },
  };
  return {
    startRun(runOptions?: StartRunOptions): RunHandle {
      // Fallbacks: options with an unreadable field (a throwing getter) are read again from a copy
      // holding the rest (an explicit runId survives); failing that, a run with none of them.
      return (
        guarded<RunHandle | undefined>('startRun', undefined, () => new Run(deps, runOptions ?? {})) ??
        guarded<RunHandle | undefined>('startRun', undefined, () => new Run(deps, readableCopy(runOptions) as StartRunOptions)) ??
        new Run(deps, {})
      );
    },
    attach(reference: RunReference): AttachedRecorder {
      // Read field by field, never thrown into the caller: an unusable run id records into a placeholder run.
      const ref = toRunReference(reference);
      return guarded('attach', undefined, () => new Attached(deps, ref.runId, ref.nodeId, ref.traceparent)) ?? new Attached(deps, placeholderRunId(), undefined, undefined);
    },
    endOpen: () => deps.openHandles.endAll(),
    openHandleStats: () => ({ abandoned: deps.openHandles.abandoned, untracked: deps.openHandles.untracked, failed: deps.failures.count }),
  };
}
