import type { NodeHandle, RunHandle } from '@agentspan/instrumentation';

/** Options of {@link AgentspanCallbackHandler}: where to record, and how to name things. */
export type AgentspanCallbackHandlerOptions = (
  | {
      /** Every event is recorded in this node (from `run.startNode(...)`). */
      node: NodeHandle;
      run?: undefined;
    }
  | {
      /**
       * Nodes are taken from the LangChain run tree: each step of the
       * outermost LangGraph graph becomes a node named after the graph node
       * (`planner`, `tools`, ...); a root chain that is not a graph becomes
       * one node named after the chain. Events outside any chain go to the
       * run itself.
       */
      run: RunHandle;
      node?: undefined;
    }
) & {
  /**
   * The agent name when LangChain gives none: used when neither a named
   * graph (`createReactAgent({ name })`, `graph.compile({ name })`) nor a
   * non-generic LangGraph node name encloses the model call or tool.
   * @default 'agent'
   */
  agent?: string;
  /**
   * Whether a tool executes code: its calls become `code_exec` rows (code,
   * language, output) instead of `tool_call` rows, when its arguments carry
   * the code (`code`, `source`, `script`, `command` or `cmd`).
   * @default name matches /python|code|exec|shell|bash|repl|interpreter|javascript|sandbox/i
   */
  isCodeTool?: (toolName: string) => boolean;
  /**
   * LangChain runs remembered at once. Beyond it the least recently used
   * are ended as failed ("not ended by LangChain"), so runs that never end
   * cannot grow memory without bound.
   * @default 10_000
   */
  maxTrackedRuns?: number;
};
