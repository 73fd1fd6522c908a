import { runInNewContext } from 'node:vm';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { AgentspanCallbackHandler } from '@agentspan/langchain';
import type { Agentspan, RunHandle } from '@agentspan/node';

/**
 * LangChain.js / LangGraph: a team of two ReAct agents (a researcher with a
 * search tool, a coder with a JavaScript-running tool). Offline: the fake
 * chat model of `@langchain/core/testing` stands in for the LLM; the tools
 * are real. Recording is one line: `callbacks: [new AgentspanCallbackHandler({ run })]`,
 * and the graph's steps (`research`, `code`) become the run's nodes.
 */
export async function runLangChainExample(agentspan: Agentspan): Promise<RunHandle> {
  const search = tool(async ({ query }) => JSON.stringify({ hits: [`${query}: spans for agents, tools and models`] }), {
    name: 'search',
    description: 'search the web',
    schema: z.object({ query: z.string() }),
  });
  const runJavascript = tool(async ({ code }) => String(runInNewContext(code, {}, { timeout: 1000 })), {
    name: 'run_javascript',
    description: 'run JavaScript and return the value of its last expression',
    schema: z.object({ code: z.string() }),
  });
  const call = (id: string, name: string, args: Record<string, unknown>) =>
    new AIMessage({ content: '', tool_calls: [{ id, name, args, type: 'tool_call' }] });
  const researcher = createReactAgent({
    name: 'researcher',
    tools: [search],
    llm: fakeModel()
      .respond(call('call_1', 'search', { query: 'OpenTelemetry GenAI' }))
      .respond(new AIMessage('The GenAI conventions name spans invoke_agent, chat and execute_tool.')),
  });
  const coder = createReactAgent({
    name: 'coder',
    tools: [runJavascript],
    llm: fakeModel()
      .respond(call('call_2', 'run_javascript', { code: "['invoke_agent', 'chat', 'execute_tool'].length" }))
      .respond(new AIMessage('There are 3 span kinds.')),
  });
  const team = new StateGraph(MessagesAnnotation)
    .addNode('research', researcher)
    .addNode('code', coder)
    .addEdge(START, 'research')
    .addEdge('research', 'code')
    .addEdge('code', END)
    .compile({ name: 'team' });

  const run = agentspan.startRun({ task: 'Research the GenAI span kinds, then count them', mode: 'langgraph' });
  const handler = new AgentspanCallbackHandler({ run });
  try {
    await team.invoke({ messages: [new HumanMessage('How many GenAI span kinds are there?')] }, { callbacks: [handler] });
    run.end();
  } catch (error) {
    run.end({ error });
  }
  return run;
}
