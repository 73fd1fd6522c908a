/**
 * A run reference carried to a child process through its environment:
 * `AGENTSPAN_RUN_REFERENCE` holds `{ runId, nodeId?, traceparent, orderBase? }`
 * as JSON, and `TRACEPARENT` the W3C trace context (for any other tool that
 * reads that conventional variable).
 */

import { parseTraceparent, type RunReference } from '@agentspan/instrumentation';

/** The variable holding the reference. */
export const RUN_REFERENCE_ENV = 'AGENTSPAN_RUN_REFERENCE';
/** The conventional variable holding the W3C trace context. */
export const TRACEPARENT_ENV = 'TRACEPARENT';

/**
 * Execution orders a parent reserves for each child by default: the child
 * numbers its events `orderBase + 1 …`, the parent continues after the block.
 */
export const DEFAULT_CHILD_ORDER_BLOCK = 100_000;

/** A run reference as carried to a child process. */
export interface EnvRunReference extends RunReference {
  /** The child's events are numbered after this execution order (reserved by the parent). */
  orderBase?: number;
}

/** The text of `AGENTSPAN_RUN_REFERENCE` for a reference. */
export function formatRunReference(ref: EnvRunReference): string {
  const out: EnvRunReference = { runId: ref.runId, traceparent: ref.traceparent };
  if (ref.nodeId !== undefined) out.nodeId = ref.nodeId;
  if (ref.orderBase !== undefined) out.orderBase = ref.orderBase;
  return JSON.stringify(out);
}

/**
 * The reference in `text`, or undefined (with the reason in `warnings`)
 * when it is absent or malformed: a bad variable must not stop the child.
 */
export function parseRunReference(text: string | undefined, warnings: string[] = []): EnvRunReference | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    warnings.push(`ignored ${RUN_REFERENCE_ENV}: not JSON`);
    return undefined;
  }
  if (value === null || typeof value !== 'object') {
    warnings.push(`ignored ${RUN_REFERENCE_ENV}: not an object`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v['runId'] !== 'string' || v['runId'] === '') {
    warnings.push(`ignored ${RUN_REFERENCE_ENV}: no runId`);
    return undefined;
  }
  if (parseTraceparent(v['traceparent']) === undefined) {
    warnings.push(`ignored ${RUN_REFERENCE_ENV}: traceparent is missing or malformed`);
    return undefined;
  }
  const ref: EnvRunReference = { runId: v['runId'], traceparent: String(v['traceparent']) };
  if (typeof v['nodeId'] === 'string' && v['nodeId'] !== '') ref.nodeId = v['nodeId'];
  const base = v['orderBase'];
  if (typeof base === 'number' && Number.isSafeInteger(base) && base >= 0) ref.orderBase = base;
  return ref;
}
