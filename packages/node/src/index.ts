export { startAgentspan } from './start-agentspan.js';
export { resolveOptions, parseHeaderList, DEFAULT_SPOOL_DIR, DEFAULT_MAX_SPOOL_BYTES, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './config.js';
export { POSTGRES_DELIVERY, OTLP_DELIVERY } from './pipeline.js';
export {
  RUN_REFERENCE_ENV,
  TRACEPARENT_ENV,
  DEFAULT_CHILD_ORDER_BLOCK,
  formatRunReference,
  parseRunReference,
} from './run-reference-env.js';
export type { EnvRunReference } from './run-reference-env.js';
export type { AgentspanWorkerData } from './worker-protocol.js';
export type { DeliveryStats, DropReason } from '@agentspan/delivery';
export type { AgentspanEnv, ResolvedOptions } from './config.js';
export type { Agentspan, AgentspanOptions, AgentspanStats, AgentspanLogger, BatchOptions } from './types.js';
export { DEFAULT_PROPAGATORS, createPropagator, resolvePropagators } from './propagators.js';
export type { PropagatorEnv, PropagatorName } from './propagators.js';
export { createWorkflowCallbacks } from '@agentspan/instrumentation';
export type {
  AgentCallEvent,
  CodeExecutionEvent,
  ToolCallEvent,
  FileGeneratedEvent,
  HandoffEvent,
  EventHandle,
  NodeHandle,
  RunHandle,
  RunReference,
  AttachedRecorder,
  StartRunOptions,
  StartNodeOptions,
  WorkflowCallbacks,
  WorkflowCallbacksOptions,
} from '@agentspan/instrumentation';
export { ExecutionEventSpanProcessor } from '@agentspan/processor';
export { PostgresExecutionEventExporter, PostgresSpanProcessor } from '@agentspan/exporter-postgres';
