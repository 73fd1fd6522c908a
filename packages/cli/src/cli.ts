import { parseArgs } from 'node:util';
import { demoCommand } from './commands/demo.js';
import { migrateCommand } from './commands/migrate.js';
import { UsageError, type CliIo } from './io.js';

export const USAGE = `agentspan — record and inspect multi-agent runs

usage: agentspan <command> [options]

commands:
  demo       run the one-shot example (embedded database unless DATABASE_URL is set)
             and print its timeline from the database
  migrate    create or update the tables (execution_events, workflow_runs, dag_nodes)

options:
  --database-url URL   Postgres to use (default: DATABASE_URL, then PG* variables)
  --schema NAME        schema holding the tables (default: the connection's search_path)
  --json               machine-readable output
  -h, --help           this help
`;

/**
 * Runs one CLI invocation and returns the exit code; never calls
 * `process.exit` (so tests can drive it in-process).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        schema: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`agentspan: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const flags = { databaseUrl: values['database-url'], schema: values.schema, json: values.json };
  try {
    switch (command) {
      case 'demo':
        return await demoCommand(flags, io);
      case 'migrate':
        return await migrateCommand(flags, io);
      default:
        io.err(`agentspan: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`agentspan: ${err.message}`);
      return 2;
    }
    io.err(`agentspan ${command} failed: ${describe(err)}`);
    return 1;
  }
}

/** A one-line reason, with the hint people need for the common database failures. */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  if (e?.code === 'ECONNREFUSED') return `${message} (is Postgres running and reachable at that address?)`;
  if (e?.code === '3D000') return `${message} (create the database first, or point --database-url elsewhere)`;
  if (e?.code === '28P01' || e?.code === '28000') return `${message} (check the user and password)`;
  return message;
}
