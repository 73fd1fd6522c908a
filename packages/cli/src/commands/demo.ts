import { runExample } from '@agentspan/examples';
import { databaseUrlFrom } from '../database-url.js';
import type { CliIo } from '../io.js';

/**
 * `agentspan demo`: runs the one-shot example against `--database-url` /
 * `DATABASE_URL` / PG*, or the embedded PGlite database when none is set,
 * then prints the run's timeline read back from the database.
 */
export async function demoCommand(flags: { databaseUrl?: string | undefined; schema?: string | undefined }, io: CliIo): Promise<number> {
  const databaseUrl = databaseUrlFrom(flags.databaseUrl, io.env);
  await runExample('one-shot', {
    databaseUrl,
    print: io.out,
    ...(flags.schema ? { schema: flags.schema } : {}),
  });
  return 0;
}
