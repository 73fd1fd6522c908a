import { runExample } from '@agentspan/examples';
import type { CommandSpec } from '../command.js';
import { databaseUrlFrom } from '../database-url.js';

/**
 * `agentspan demo`: runs the one-shot example against `--database-url` /
 * `DATABASE_URL` / PG*, or the embedded PGlite database when none is set,
 * then prints the run's timeline read back from the database.
 */
export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'run the one-shot example (embedded database unless DATABASE_URL or PG* is set) and print its timeline',
  usage: 'agentspan demo',
  optionHelp: [],
  options: {},
  maxPositionals: 0,
  async run(ctx) {
    const databaseUrl = databaseUrlFrom(ctx.database.databaseUrl, ctx.io.env);
    const printed: string[] = [];
    const result = await runExample('one-shot', {
      databaseUrl,
      // With --json the example's own report is kept off stdout, which holds one JSON document.
      print: ctx.json ? (t) => printed.push(t) : ctx.io.out,
      ...(ctx.database.schema ? { schema: ctx.database.schema } : {}),
    });
    if (ctx.json) {
      ctx.io.out(
        JSON.stringify(
          { runId: result.runId, workspaceDir: result.workspaceDir, embedded: databaseUrl === undefined, summary: result.summary },
          null,
          2,
        ),
      );
    }
    return 0;
  },
};
