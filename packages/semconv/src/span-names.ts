/**
 * Span names, as the GenAI semantic conventions and AG2's own tracing name
 * them, so Jaeger shows the same words for a Python AG2 agent and for ours.
 */

/** `invoke_workflow {mode}` */
export function runSpanName(mode: string): string {
  return `invoke_workflow ${mode}`;
}

/** `node {nodeId}` */
export function nodeSpanName(nodeId: string): string {
  return `node ${nodeId}`;
}

/** `invoke_agent {agent}` */
export function agentCallSpanName(agent: string): string {
  return `invoke_agent ${agent}`;
}

/** `execute_code {agent}` */
export function codeExecutionSpanName(agent: string): string {
  return `execute_code ${agent}`;
}

/** `execute_tool {tool}` */
export function toolCallSpanName(tool: string): string {
  return `execute_tool ${tool}`;
}

/** `file_gen {path}` */
export function fileGenSpanName(path: string): string {
  return `file_gen ${path}`;
}

/** `handoff {from} -> {to}` */
export function handoffSpanName(from: string, to: string): string {
  return `handoff ${from} -> ${to}`;
}
