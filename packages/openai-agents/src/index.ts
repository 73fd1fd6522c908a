export { AgentspanTracingProcessor } from './tracing-processor.js';
export type { AgentspanTracingProcessorOptions } from './types.js';
export { generationOutput, responseOutput } from './model-output.js';
export type { ModelOutput, RequestedToolCall } from './model-output.js';
