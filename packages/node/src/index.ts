export { startAgentspan } from './start-agentspan.js';
export { resolveOptions, parseHeaderList } from './config.js';
export type { AgentspanEnv, ResolvedOptions } from './config.js';
export type { Agentspan, AgentspanOptions, AgentspanStats, AgentspanLogger, BatchOptions } from './types.js';
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
  StartRunOptions,
  StartNodeOptions,
  WorkflowCallbacks,
  WorkflowCallbacksOptions,
} from '@agentspan/instrumentation';
export { ExecutionEventSpanProcessor } from '@agentspan/processor';
export { PostgresExecutionEventExporter } from '@agentspan/exporter-postgres';
