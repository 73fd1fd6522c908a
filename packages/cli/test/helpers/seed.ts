import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, runExample } from '@agentspan/examples';
import { startAgentspan, type Agentspan } from '@agentspan/node';
import type { TestSchema } from '@agentspan/test-support';

/** Run ids of the seeded runs. */
export interface Seeded {
  /** The one-shot example, recorded twice (same code twice: repeated code hashes). */
  oneShot: [string, string];
  /** The other examples that exist (`planning-control`, `idea-generation`), by name. */
  examples: Record<string, string>;
  /** A failing run recorded through the API: tool errors, a failed code execution, an agent error. */
  failing: string;
  /** A successful run with the same tool sequence as the failing one. */
  tooling: string;
}

/** The code the failing run executes (fails: no pandas here). */
export const FAILING_CODE = 'import pandas as pd\nimport json\ndf = pd.read_csv("sales.csv")\nprint(df.describe())\n';
/** The error it fails with. */
export const FAILING_ERROR = "ModuleNotFoundError: No module named 'pandas'";

/** agentspan writing into the test schema, quietly, with `workspaceDir` for file capture. */
function startSeeding(db: TestSchema, workspaceDir: string): Promise<Agentspan> {
  return startAgentspan({
    serviceName: 'agentspan-cli-test',
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    registerGlobal: false,
    workspaceDir,
    postgresPoolSize: 1,
    logger: { warn: () => undefined },
  });
}

/**
 * Records a run with two identical tool sequences in one node
 * (search_files → read_file → execute_python), the first failing, so the
 * tool-sequence n-grams, the error rates and `--status error` have data.
 */
export async function recordToolingRun(db: TestSchema, runId: string, fail: boolean): Promise<void> {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-cli-seed-'));
  const agentspan = await startSeeding(db, workspaceDir);
  try {
    const run = agentspan.startRun({ runId, task: 'Summarise sales.csv into summary.md', mode: 'tool-loop' });
    const step = run.startNode('analyse', { title: 'analyse the sales data', agent: 'analyst' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const failing = fail && attempt === 0;
      step.toolCall({ agent: 'analyst', tool: 'search_files', args: { pattern: '*.csv' }, result: ['sales.csv'] });
      step.toolCall({ agent: 'analyst', tool: 'read_file', args: { path: 'sales.csv' }, result: 'region,amount\nnorth,10\n' });
      const code = failing ? FAILING_CODE : 'import json\nprint(json.dumps({"rows": 1}))\n';
      step.toolCall({
        agent: 'analyst',
        tool: 'execute_python',
        args: { code },
        ...(failing ? { error: new Error(FAILING_ERROR) } : { result: '{"rows": 1}' }),
      });
      step.codeExecution({
        agent: 'executor',
        language: 'python',
        code,
        output: failing ? `Traceback (most recent call last):\n  File "<string>", line 1\n${FAILING_ERROR}\n` : '{"rows": 1}\n',
        exitCode: failing ? 1 : 0,
      });
    }
    if (fail) step.agentCall({ agent: 'writer', role: 'assistant', content: 'Writing the summary', error: new Error('model rate limited') });
    writeFileSync(join(workspaceDir, 'summary.md'), '# Sales\n\nnorth: 10\n');
    step.fileGenerated({ agent: 'writer', path: 'summary.md', source: 'explicit' });
    step.end(fail ? { status: 'failed', error: new Error('analysis failed') } : {});
    run.end(fail ? { status: 'failed', error: new Error('analysis failed') } : { status: 'success' });
  } finally {
    await agentspan.shutdown();
  }
}

/** Recorded text trying every trick: markup, a script end, a terminal title and clear, a right-to-left override, NUL, a lone surrogate. */
export const HOSTILE_TEXT = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>\u001b]0;PWN\u0007\u001b[2J\u202eevil\u0000nul\ud800lone';

/**
 * Records, through `startAgentspan`, a cancelled run with {@link HOSTILE_TEXT} in its mode, task,
 * node, agent names, message, tool name and arguments, code, output, error messages and a file.
 */
export async function recordHostileRun(db: TestSchema, runId: string): Promise<void> {
  const x = HOSTILE_TEXT;
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-cli-hostile-'));
  const agentspan = await startSeeding(db, workspaceDir);
  try {
    const run = agentspan.startRun({ runId, task: `task ${x}`, mode: `mode${x}` });
    const node = run.startNode(`node${x}`, { title: `title${x}`, agent: `agent${x}` });
    node.agentCall({ agent: `agent${x}`, role: `role${x}`, content: `msg ${x}\n\`\`\`python\nprint("${x}")\n\`\`\`\n` });
    node.toolCall({ agent: `a${x}`, tool: `tool${x}`, args: { [x]: x, code: `print(1)${x}` }, error: new Error(`err ${x}`) });
    node.codeExecution({ agent: `exec${x}`, language: `python${x}`, code: `import os${x}`, output: `out${x}`, exitCode: 3 });
    writeFileSync(join(workspaceDir, 'f.py'), `x = "${x.replace(/\u0000/g, '')}"\n`);
    node.fileGenerated({ agent: `w${x}`, path: 'f.py', source: 'explicit' });
    node.end({ status: 'failed', error: new Error(`node ${x}`) });
    run.end({ status: 'cancelled' });
  } finally {
    await agentspan.shutdown();
  }
}

/** Seeds `db` with the example workflows and two recorded tool-loop runs (the failing one last, so it is the newest). */
export async function seedRuns(db: TestSchema): Promise<Seeded> {
  const quiet = () => undefined;
  const one = await runExample('one-shot', { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, print: quiet });
  const two = await runExample('one-shot', { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, print: quiet });
  const examples: Record<string, string> = {};
  for (const name of ['planning-control', 'idea-generation']) {
    if (!(name in EXAMPLES)) continue;
    examples[name] = (await runExample(name, { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, print: quiet })).runId;
  }
  const tooling = `tooling-ok-${db.schema}`;
  await recordToolingRun(db, tooling, false);
  const failing = `tooling-failed-${db.schema}`;
  await recordToolingRun(db, failing, true);
  return { oneShot: [one.runId, two.runId], examples, failing, tooling };
}
