import type { NodeHandle, RunHandle } from '@agentspan/instrumentation';

/**
 * Where the processor records: one node, a run (one node per agent
 * invocation), or neither: each SDK trace then goes to the agentspan run or
 * node active where it starts (`run.with(() => runAgent(...))`), the way for
 * one processor to serve concurrent runs. With `node` or `run`, a trace
 * started within another agentspan run's `with()` is left to that run.
 */
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
  | {
      /** Neither: each trace goes to the run or node active where the SDK starts it; traces started outside any are not recorded. */
      node?: undefined;
      run?: undefined;
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
