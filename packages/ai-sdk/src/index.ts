export { agentspanTelemetry, TRACER_NAME, TRACER_VERSION } from './telemetry.js';
export type { AgentspanTelemetryOptions } from './telemetry.js';
