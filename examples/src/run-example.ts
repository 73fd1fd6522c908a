import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startAgentspan, type Agentspan, type AgentspanOptions, type RunHandle } from '@agentspan/node';
import { openExampleDatabase } from './example-database.js';
import { runIdeaGeneration } from './idea-generation.js';
import { runOneShot } from './one-shot.js';
import { runPlanningControl } from './planning-control.js';
import { databaseLine, formatRunSummary, queryHints, readRunSummary, type RunSummary } from './run-summary.js';

/** The scripted workflows, by name: the three workflow modes of the system agentspan replaces. */
export const EXAMPLES: Readonly<Record<string, (agentspan: Agentspan, workspaceDir: string) => RunHandle>> = {
  'one-shot': runOneShot,
  'planning-control': runPlanningControl,
  'idea-generation': runIdeaGeneration,
};

/** Options of {@link runExample}. */
export interface RunExampleOptions {
  /** Postgres to write to; default: the embedded PGlite database. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database. @default `.agentspan/pglite` */
  embeddedDataDir?: string;
  /** Where the workflow writes its files. @default a new temporary directory */
  workspaceDir?: string;
  /** Schema for the tables. */
  schema?: string;
  /** OTLP endpoint (else from the OTEL_* variables; none: no forwarding). */
  otlpEndpoint?: string | false;
  /** Output sink. @default console.log */
  print?: (text: string) => void;
  /** Extra startAgentspan options. */
  agentspan?: Partial<AgentspanOptions>;
}

/** What one example run left behind. */
export interface ExampleResult {
  runId: string;
  workspaceDir: string;
  summary: RunSummary;
}

/**
 * Runs a scripted example end to end: starts agentspan against the database,
 * runs the workflow, flushes, then prints the run's timeline as read back
 * from the database.
 */
export async function runExample(name: string, options: RunExampleOptions = {}): Promise<ExampleResult> {
  const workflow = EXAMPLES[name];
  if (!workflow) throw new Error(`unknown example "${name}" (known: ${Object.keys(EXAMPLES).join(', ')})`);
  const print = options.print ?? ((t: string) => console.log(t));
  const db = await openExampleDatabase(options.databaseUrl, options.embeddedDataDir);
  try {
    print(databaseLine(db.embedded, db.url));
    const workspaceDir = options.workspaceDir ?? mkdtempSync(join(tmpdir(), `agentspan-${name}-`));
    const agentspan = await startAgentspan({
      serviceName: `agentspan-example-${name}`,
      databaseUrl: db.url,
      postgresPoolSize: db.poolSize,
      ...(db.writeMethod !== undefined ? { postgresWriteMethod: db.writeMethod } : {}),
      workspaceDir,
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.otlpEndpoint !== undefined ? { otlpEndpoint: options.otlpEndpoint } : {}),
      ...options.agentspan,
    });
    let run: RunHandle;
    try {
      run = workflow(agentspan, workspaceDir);
    } finally {
      await agentspan.shutdown();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      if (options.schema) await client.query(`SET search_path TO "${options.schema.replace(/"/g, '""')}"`);
      const summary = await readRunSummary(client, run.id);
      print(`workspace: ${workspaceDir}`);
      print(formatRunSummary(summary));
      print('');
      print(queryHints(db.embedded ? undefined : db.url, run.id, options.schema));
      return { runId: run.id, workspaceDir, summary };
    } finally {
      await client.end();
    }
  } finally {
    await db.close();
  }
}
