import { context as otelContext, createContextKey, type Context } from '@opentelemetry/api';
import type { AttachedRecorder } from './recorder.js';
import type { NodeHandle, RunHandle } from './types.js';

/**
 * The run, node or attached recorder whose `with()` is active: what an
 * integration that cannot be handed a run (a process-wide callback, such as
 * the OpenAI Agents SDK's trace processors) records into.
 */
export type ActiveRecording =
  | { readonly kind: 'run'; readonly run: RunHandle }
  | { readonly kind: 'node'; readonly node: NodeHandle }
  | { readonly kind: 'attached'; readonly recorder: AttachedRecorder };

// createContextKey is Symbol.for: two copies of this package in one process find each other's value.
const ACTIVE_RECORDING = createContextKey('agentspan active recording');

/** `ctx` with `recording` as its active recording. */
export function withActiveRecording(ctx: Context, recording: ActiveRecording): Context {
  return ctx.setValue(ACTIVE_RECORDING, recording);
}

/**
 * The agentspan run or node active in `ctx` (default: the active OTel
 * context): set by `run.with(fn)`, `node.with(fn)` and an event handle's
 * `with(fn)` (its run or node) for everything `fn` calls, awaits included.
 * `undefined` outside of them, or when no OTel context manager is
 * registered (`startAgentspan` registers one). Never throws.
 */
export function activeRecording(ctx?: Context): ActiveRecording | undefined {
  try {
    const value = (ctx ?? otelContext.active()).getValue(ACTIVE_RECORDING);
    return isActiveRecording(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The run id of an active recording. */
export function runIdOf(recording: ActiveRecording): string {
  switch (recording.kind) {
    case 'run':
      return recording.run.id;
    case 'node':
      return recording.node.run.id;
    case 'attached':
      return recording.recorder.runId;
  }
}

function isActiveRecording(value: unknown): value is ActiveRecording {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'run' || kind === 'node' || kind === 'attached';
}

/**
 * `fn()` with `ctx` as the active context: what every `with(fn)` does. Its
 * exceptions are the caller's and pass through; a `fn` that is no function
 * (plain JavaScript) runs nothing and gives `undefined`, rather than a
 * TypeError thrown from inside agentspan.
 */
export function runWith<T>(ctx: Context, fn: () => T): T {
  if (typeof fn !== 'function') return undefined as T;
  return otelContext.with(ctx, fn);
}
