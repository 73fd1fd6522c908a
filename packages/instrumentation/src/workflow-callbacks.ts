import { RecordingScope } from './recording-scope.js';
import type { EventRecorder, NodeHandle, RunHandle, WorkflowCallbacks } from './types.js';

/** Options of {@link createWorkflowCallbacks}. */
export interface WorkflowCallbacksOptions {
  /**
   * The node the callbacks record into: a node handle, or a node id (read as
   * `run.startNode` reads it: a number as its decimal text). With an id, the
   * run's node of that id is used while it is open; otherwise a node is
   * started on first use and ended with the run.
   */
  nodeId?: string | NodeHandle;
}

/** Code execution results as frameworks report them. */
interface ExecutionResultLike {
  output?: unknown;
  stdout?: unknown;
  stderr?: unknown;
  exitCode?: unknown;
  exit_code?: unknown;
  error?: unknown;
}

function exitCodeOf(r: ExecutionResultLike): number | undefined {
  const c = r.exitCode ?? r.exit_code;
  return typeof c === 'number' && Number.isInteger(c) ? c : undefined;
}

function outputOf(r: ExecutionResultLike): unknown {
  if (r.output !== undefined) return r.output;
  const parts = [r.stdout, r.stderr].filter((p) => typeof p === 'string' && p.length > 0);
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/**
 * Whether an `error` member says something failed: `true`, an `Error`, a
 * non-blank string, a non-zero number, a non-empty array or an object with
 * a member. `0`, `''`, `[]`, `{}`, `false` and null are how many tools say
 * "no error".
 */
function isFailure(error: unknown): boolean {
  if (error === true || error instanceof Error) return true;
  if (typeof error === 'string') return error.trim() !== '';
  if (typeof error === 'number') return error !== 0 && !Number.isNaN(error);
  if (Array.isArray(error)) return error.length > 0;
  if (error !== null && typeof error === 'object') return Object.keys(error).length > 0;
  return false;
}

/**
 * The failure a tool's result reports, if any: the result itself when it is
 * an `Error` (what a framework passes when the tool threw), else an `error`
 * member that says so ({@link isFailure}). Other results are successes:
 * guessing from text (`'Error: …'`) or exit codes would mark tools whose
 * job is to report errors as failed.
 */
function toolFailureOf(result: unknown): unknown {
  if (result === null || typeof result !== 'object') return undefined;
  try {
    if (result instanceof Error) return result;
    const error = (result as { error?: unknown }).error;
    return isFailure(error) ? error : undefined;
  } catch {
    return undefined; // a result that cannot be read (a proxy): recorded as "[unreadable]", not as a failure
  }
}

/**
 * Whether a code execution result's `error` member says it failed
 * ({@link isFailure}). One that cannot be inspected (a revoked proxy) is
 * kept as an error, recorded as "[unreadable]": the event is never lost.
 */
function codeFailed(error: unknown): boolean {
  try {
    return isFailure(error);
  } catch {
    return true;
  }
}

/** The members of a code execution result; one that cannot be read at all is its output, recorded as "[unreadable]". */
function executionResultOf(result: unknown): ExecutionResultLike {
  if (result === null || typeof result !== 'object') return { output: result };
  const r = result as ExecutionResultLike;
  try {
    return { output: outputOf(r), exitCode: exitCodeOf(r), error: r.error };
  } catch {
    return { output: result };
  }
}

/** Whether `value` records events (a node handle, an attached recorder); false when it cannot even be asked. */
function isRecorder(value: object): value is EventRecorder {
  try {
    const r = value as Partial<Record<keyof EventRecorder, unknown>>;
    return typeof r.agentCall === 'function' && typeof r.codeExecution === 'function' && typeof r.toolCall === 'function';
  } catch {
    return false;
  }
}

/**
 * The `sender` member of a message's metadata, when it is a string. Read on
 * its own: metadata that cannot be read (a throwing getter, a proxy) costs
 * the sender, never the message (the metadata is recorded with its
 * unreadable members marked).
 */
function senderOf(metadata: unknown): string | undefined {
  try {
    const sender = (metadata as { sender?: unknown } | null)?.sender;
    return typeof sender === 'string' ? sender : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The callback shape multi-agent frameworks call (`on_agent_message`,
 * `on_code_execution`, `on_tool_call` in the system we replace), recording
 * into a run and node. Every callback is synchronous and never throws.
 */
export function createWorkflowCallbacks(run: RunHandle, options: WorkflowCallbacksOptions = {}): WorkflowCallbacks {
  /**
   * Runs one callback's recording. What throws (the node option read, a node object of the
   * application's given as `nodeId`, agentspan's own code) is logged once per callback and counted
   * in the run's recorder (`openHandleStats().failed`): the event it was recording is lost.
   */
  const guarded = (site: string, record: () => void): void => {
    try {
      record();
    } catch (err) {
      RecordingScope.countFailure(run, site, err);
    }
  };
  let lazyNode: NodeHandle | undefined;
  const target = (): EventRecorder => {
    // `options` from plain JavaScript may be null (a default parameter only replaces undefined).
    const n = options?.nodeId;
    if (n === undefined) return run;
    // An object is a node handle; any other object (a framework's node object, a proxy) is no node
    // id either: the events go to the run rather than being lost.
    if (typeof n === 'object' && n !== null) return isRecorder(n) ? n : run;
    // Any other value is an id, normalised by run.node and startNode (a number as its decimal text).
    const open = run.node(n);
    if (open) return open;
    lazyNode ??= run.startNode(n);
    return lazyNode;
  };
  return {
    onAgentMessage(agent, role, content, metadata) {
      guarded('onAgentMessage', () => {
        const meta = metadata ?? {};
        const sender = senderOf(meta);
        target().agentCall({ agent, role, content, metadata: meta, ...(sender ? { sender } : {}) });
      });
    },
    onCodeExecution(agent, code, language, result) {
      guarded('onCodeExecution', () => {
        const r = executionResultOf(result);
        const exitCode = exitCodeOf(r);
        target().codeExecution({
          agent,
          code,
          language,
          output: r.output,
          ...(exitCode !== undefined ? { exitCode } : {}),
          // The rule of tool results: an executor's `error: ''` (empty stderr) or `error: 0` is no failure.
          ...(codeFailed(r.error) ? { error: r.error } : {}),
        });
      });
    },
    onToolCall(agent, tool, args, result) {
      guarded('onToolCall', () => {
        const error = toolFailureOf(result);
        if (error === result) target().toolCall({ agent, tool, args, error });
        else target().toolCall({ agent, tool, args, result, ...(error !== undefined ? { error } : {}) });
      });
    },
  };
}
