import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';

/**
 * Context propagation formats `startAgentspan` can install as the global
 * propagator, by their `OTEL_PROPAGATORS` names:
 *
 * - `tracecontext`: W3C `traceparent` / `tracestate`;
 * - `baggage`: W3C `baggage`;
 * - `jaeger`: `uber-trace-id` and `uberctx-*` baggage, for services that
 *   still run the deprecated `jaeger-client`. Extracting a 64-bit Jaeger
 *   trace id left-pads it to 128 bits (`0000000000000000` + the 16 hex
 *   digits), so the agent's spans join the caller's trace; injecting writes
 *   the 32-digit id, which `jaeger-client` reads back as the same trace;
 * - `none`: no propagation at all.
 *
 * Several formats can be combined: all are injected, and extraction takes
 * the context from the last one that finds a header (the SDK's composite
 * order).
 */
export type PropagatorName = 'tracecontext' | 'baggage' | 'jaeger' | 'none';

/** The default, as in the OpenTelemetry SDK. */
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage'];

const KNOWN: ReadonlySet<string> = new Set<PropagatorName>(['tracecontext', 'baggage', 'jaeger', 'none']);

/** The environment variable this module reads (through `startAgentspan`). */
export interface PropagatorEnv {
  OTEL_PROPAGATORS?: string;
}

/**
 * The propagators to install: the option when given (a name that is not
 * supported throws, as a mistake in code should), else `OTEL_PROPAGATORS`
 * (unsupported names such as `b3` or `xray` are ignored with a warning),
 * else {@link DEFAULT_PROPAGATORS}. Duplicates are dropped; `none` wins
 * over everything else.
 */
export function resolvePropagators(
  option: readonly PropagatorName[] | undefined,
  env: PropagatorEnv,
  warnings: string[],
): PropagatorName[] {
  if (option !== undefined) {
    if (!Array.isArray(option)) throw new TypeError('agentspan: propagators must be an array of names');
    for (const name of option) {
      if (typeof name !== 'string' || !KNOWN.has(name)) {
        throw new TypeError(
          `agentspan: unsupported propagator "${String(name).slice(0, 40)}" (supported: ${[...KNOWN].join(', ')})`,
        );
      }
    }
    return normalise(option);
  }
  const text = env.OTEL_PROPAGATORS?.trim();
  if (!text) return [...DEFAULT_PROPAGATORS];
  const names: PropagatorName[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name.length === 0) continue;
    if (KNOWN.has(name)) names.push(name as PropagatorName);
    else warnings.push(`ignored OTEL_PROPAGATORS entry "${name.slice(0, 40)}" (supported: ${[...KNOWN].join(', ')})`);
  }
  if (names.length === 0) {
    warnings.push('OTEL_PROPAGATORS named no supported propagator; using tracecontext,baggage');
    return [...DEFAULT_PROPAGATORS];
  }
  return normalise(names);
}

function normalise(names: readonly PropagatorName[]): PropagatorName[] {
  if (names.includes('none')) return ['none'];
  return [...new Set(names)];
}

/** The global propagator for these names (`none`, or an empty list: one that does nothing). */
export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name === 'jaeger') propagators.push(new JaegerPropagator());
  }
  return new CompositePropagator({ propagators });
}
