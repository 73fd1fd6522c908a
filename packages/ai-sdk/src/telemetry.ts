import { createRequire } from 'node:module';
import { trace, type TracerProvider } from '@opentelemetry/api';
import type { OpenTelemetry, OpenTelemetryOptions } from '@ai-sdk/otel';
import { AbortMarking } from './abort-marking.js';

/** Name and version of the tracer the AI SDK v7 spans are created with. */
export const TRACER_NAME = '@agentspan/ai-sdk';
export const TRACER_VERSION = '0.1.0';

/** Options of {@link agentspanTelemetry}. All have defaults. */
export interface AgentspanTelemetryOptions {
  /**
   * Provider the spans are created with. Give `agentspan.tracerProvider`
   * when `startAgentspan` ran with `registerGlobal: false`.
   * @default the global tracer provider (the one `startAgentspan` registers), looked up per span
   */
  tracerProvider?: TracerProvider;
  /**
   * Options passed to `@ai-sdk/otel`'s `OpenTelemetry` integration.
   * `agentSpanName` defaults to `'functionId'`, so the agent span reads
   * `invoke_agent <functionId>` like the rows' agent name.
   * @default { agentSpanName: 'functionId' }
   */
  otel?: Omit<OpenTelemetryOptions, 'tracer'>;
}

/** The part of `@ai-sdk/otel` this module loads. */
interface OtelModule {
  OpenTelemetry: new (options?: OpenTelemetryOptions) => OpenTelemetry;
}

/**
 * `@ai-sdk/otel` is an optional peer: loaded on first use, synchronously
 * (Node ≥ 20.19 `require`s ES modules), so importing this package never
 * fails for AI SDK ≤ v6 users, who do not need it.
 */
function loadOtel(): OtelModule {
  const require = createRequire(import.meta.url);
  try {
    return require('@ai-sdk/otel') as OtelModule;
  } catch (err) {
    throw new Error(
      'agentspan: agentspanTelemetry() needs the package @ai-sdk/otel (AI SDK v7); install it next to ai. ' +
        'AI SDK v5/v6 need no integration: pass experimental_telemetry: { isEnabled: true, functionId } to the call.',
      { cause: err },
    );
  }
}

/**
 * The AI SDK v7 telemetry integration for agentspan, to register once:
 *
 * ```ts
 * import { registerTelemetry } from 'ai';
 * registerTelemetry(agentspanTelemetry());
 * ```
 *
 * It is `@ai-sdk/otel`'s `OpenTelemetry` integration, emitting the
 * OpenTelemetry GenAI spans (`invoke_agent`, `chat`, `execute_tool`) that
 * agentspan's processor turns into `agent_call` and `tool_call` rows, stamped
 * with the run and node active around the call (`run.with` / `step.with`).
 * `telemetry.functionId` (or `experimental_telemetry.functionId`) names the
 * agent.
 *
 * @throws Error when `@ai-sdk/otel` is not installed (a setup mistake, reported at once).
 */
export function agentspanTelemetry(options: AgentspanTelemetryOptions = {}): OpenTelemetry {
  const { OpenTelemetry: Integration } = loadOtel();
  // Without a provider, the tracer `@ai-sdk/otel` uses by default (`gen_ai`, from the global provider, looked up lazily).
  const base = options.tracerProvider?.getTracer(TRACER_NAME, TRACER_VERSION) ?? trace.getTracer('gen_ai');
  const marking = new AbortMarking();
  return marking.wrap(
    new Integration({
      agentSpanName: 'functionId',
      ...(options.otel ?? {}),
      tracer: marking.tracer(base),
    }),
  );
}
