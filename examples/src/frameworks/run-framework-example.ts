import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startAgentspan, type Agentspan, type RunHandle } from '@agentspan/node';
import { openExampleDatabase } from '../example-database.js';
import { databaseLine, formatRunSummary, queryHints, readRunSummary, type RunSummary } from '../run-summary.js';

/** A framework workflow: runs agents through the real framework, recording into a run it returns. */
export type FrameworkWorkflow = (agentspan: Agentspan, workspaceDir: string) => Promise<RunHandle>;

/** Options of {@link runFrameworkExample}. */
export interface FrameworkExampleOptions {
  /** Postgres to write to; default: the embedded PGlite database. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database. @default `.agentspan/pglite` */
  embeddedDataDir?: string;
  /** Schema for the tables. */
  schema?: string;
  /** OTLP endpoint (else from the OTEL_* variables; none: no forwarding). */
  otlpEndpoint?: string | false;
  /** Output sink. @default console.log */
  print?: (text: string) => void;
}

/**
 * Runs a framework example end to end: starts agentspan (the framework's
 * spans and callbacks go through it), runs the workflow, flushes, then
 * prints the run's timeline as read back from the database.
 */
export async function runFrameworkExample(
  name: string,
  workflow: FrameworkWorkflow,
  options: FrameworkExampleOptions = {},
): Promise<{ runId: string; summary: RunSummary }> {
  const print = options.print ?? ((t: string) => console.log(t));
  const db = await openExampleDatabase(options.databaseUrl, options.embeddedDataDir);
  try {
    print(databaseLine(db.embedded, db.url));
    const workspaceDir = mkdtempSync(join(tmpdir(), `agentspan-${name}-`));
    const agentspan = await startAgentspan({
      serviceName: `agentspan-example-${name}`,
      databaseUrl: db.url,
      postgresPoolSize: db.poolSize,
      ...(db.writeMethod !== undefined ? { postgresWriteMethod: db.writeMethod } : {}),
      workspaceDir,
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.otlpEndpoint !== undefined ? { otlpEndpoint: options.otlpEndpoint } : {}),
    });
    let run: RunHandle;
    try {
      run = await workflow(agentspan, workspaceDir);
    } finally {
      await agentspan.shutdown();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      if (options.schema) await client.query(`SET search_path TO "${options.schema.replace(/"/g, '""')}"`);
      const summary = await readRunSummary(client, run.id);
      print(formatRunSummary(summary));
      print('');
      print(queryHints(db.embedded ? undefined : db.url, run.id, options.schema));
      return { runId: run.id, summary };
    } finally {
      await client.end();
    }
  } finally {
    await db.close();
  }
}
