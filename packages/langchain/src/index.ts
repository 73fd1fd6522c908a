export { AgentspanCallbackHandler } from './callback-handler.js';
export type { AgentspanCallbackHandlerOptions } from './types.js';
export { defaultIsCodeTool } from './naming.js';
