/**
 * Registering agentspan's provider, context manager and propagator as the
 * OpenTelemetry globals, and undoing exactly that. The API keeps the first
 * registration of each global: when the application (or another SDK) got
 * there first, agentspan must not take over its globals at shutdown, nor
 * pretend to be the global provider.
 */
import { context, propagation, trace, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** The globals agentspan set: `undo()` disables only those. */
export interface GlobalRegistration {
  /** Disables the globals this registration set (for `shutdown()`); idempotent. */
  undo(): void;
}

/**
 * Registers `provider`, an AsyncLocalStorage context manager and
 * `propagator` globally, each only if no other is registered; `warn` is told
 * once which were kept from an earlier setup.
 */
export function registerGlobals(provider: TracerProvider, propagator: TextMapPropagator, warn: (message: string) => void): GlobalRegistration {
  const tracerProvider = trace.setGlobalTracerProvider(provider);
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  const contextManager = context.setGlobalContextManager(manager);
  if (!contextManager) manager.disable();
  const ownPropagator = propagation.setGlobalPropagator(propagator);
  const kept = [
    tracerProvider ? undefined : 'tracer provider',
    contextManager ? undefined : 'context manager',
    ownPropagator ? undefined : 'propagator',
  ].filter((x): x is string => x !== undefined);
  if (kept.length > 0) {
    warn(
      `another OpenTelemetry setup is registered globally; its ${kept.join(', ')} ${kept.length === 1 ? 'stays' : 'stay'} in place ` +
        '(agentspan records through its own provider all the same; spans of other libraries go to the global one). ' +
        'Pass registerGlobal: false to start agentspan without trying.',
    );
  }
  let undone = false;
  return {
    undo(): void {
      if (undone) return;
      undone = true;
      if (tracerProvider) trace.disable();
      if (contextManager) context.disable();
      if (ownPropagator) propagation.disable();
    },
  };
}
