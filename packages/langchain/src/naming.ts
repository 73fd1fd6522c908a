/**
 * How LangChain / LangGraph runs are named and classified (pure).
 */

/** Node names of prebuilt agents that say nothing about which agent it is. */
const GENERIC_NODE_NAMES: ReadonlySet<string> = new Set([
  'agent',
  'tools',
  'model',
  'model_request',
  'call_model',
  'llm',
  'chatbot',
]);

/** Run names LangChain gives when the user gave none. */
const DEFAULT_RUN_NAMES: ReadonlySet<string> = new Set(['LangGraph', 'AgentExecutor', 'RunnableSequence', 'RunnableLambda']);

const CODE_TOOL = /python|code|exec|shell|bash|repl|interpreter|javascript|sandbox/i;

/** Default of `isCodeTool`. */
export function defaultIsCodeTool(toolName: string): boolean {
  return CODE_TOOL.test(toolName);
}

/** A serialized runnable's class path (`['langgraph', 'pregel', 'CompiledStateGraph']`). */
export function serializedId(serialized: unknown): string[] {
  const id = (serialized as { id?: unknown } | null | undefined)?.id;
  return Array.isArray(id) ? id.filter((x): x is string => typeof x === 'string') : [];
}

/** True for the run of a whole graph or agent executor (a unit that can name an agent). */
export function isAgentContainer(serialized: unknown): boolean {
  return /^(Compiled(State)?Graph|Pregel|AgentExecutor)$/.test(serializedId(serialized).at(-1) ?? '');
}

/** The user-given name of a graph/agent run, if it is not a LangChain default. */
export function meaningfulRunName(name: string | undefined): string | undefined {
  return name !== undefined && name.length > 0 && !DEFAULT_RUN_NAMES.has(name) ? name : undefined;
}

/** A LangGraph node name that names an agent (not `agent`, `tools`, `__start__`, ...). */
export function meaningfulNodeName(node: unknown): string | undefined {
  return typeof node === 'string' && node.length > 0 && !node.startsWith('__') && !GENERIC_NODE_NAMES.has(node) ? node : undefined;
}

/** A LangGraph node name, for node ids and metadata (internal `__start__`-like nodes excluded). */
export function graphNodeName(node: unknown): string | undefined {
  return typeof node === 'string' && node.length > 0 && !node.startsWith('__') ? node : undefined;
}

/** The language a code tool's name implies. */
export function languageOfTool(tool: string): string | undefined {
  const t = tool.toLowerCase();
  if (t.includes('python') || t.includes('ipython')) return 'python';
  if (t.includes('bash') || t.includes('shell')) return 'shell';
  if (t.includes('javascript') || t.includes('node')) return 'javascript';
  return undefined;
}

/** The code in a code tool's arguments, if any. */
export function codeArgument(args: unknown): string | undefined {
  if (typeof args === 'string') return args.length > 0 ? args : undefined;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  const a = args as Record<string, unknown>;
  for (const key of ['code', 'source', 'script', 'command', 'cmd']) {
    const v = a[key];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}
