import type { NodeHandle, RunHandle } from '@agentspan/instrumentation';

/** Where the processor records: one node, or a run (one node per agent invocation). */
export type AgentspanTracingProcessorOptions = (
  | {
      /** Every event is recorded in this node (from `run.startNode(...)`). */
      node: NodeHandle;
      run?: undefined;
    }
  | {
      /**
       * Each agent invocation becomes a node of this run, named after the
       * agent (`dag_nodes.node_id` = agent name, `node_type` = `agent`).
       */
      run: RunHandle;
      node?: undefined;
    }
) & {
  /**
   * Open spans of the SDK remembered at once (per processor). Beyond it the
   * oldest are ended as failed ("not ended by the SDK"), so a run that never
   * finishes cannot grow memory without bound.
   * @default 10_000
   */
  maxOpenSpans?: number;
};
