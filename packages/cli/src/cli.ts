import { parseArgs } from 'node:util';
import { createContext, type CommandSpec, type OptionSpecs } from './command.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { filesCommand } from './commands/files.js';
import { gatewayCommand } from './commands/gateway.js';
import { migrateCommand } from './commands/migrate.js';
import { patternsCommand } from './commands/patterns.js';
import { reportCommand } from './commands/report.js';
import { runsCommand } from './commands/runs.js';
import { timelineCommand } from './commands/timeline.js';
import { CliError, describeError } from './errors.js';
import { colorsFor } from './format/colors.js';
import { terminalSafeLines } from './format/text.js';
import { UsageError, terminalColumns, type CliIo } from './io.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  runsCommand,
  timelineCommand,
  filesCommand,
  patternsCommand,
  reportCommand,
  doctorCommand,
  gatewayCommand,
  migrateCommand,
  demoCommand,
];

/** Exit codes of {@link runCli}. */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** It failed: database unreachable, tables missing, unknown run, a failed doctor check ... */
  FAILURE: 1,
  /** It was called wrongly: unknown command or option, bad value, missing argument. */
  USAGE: 2,
} as const;

const GLOBAL_OPTIONS: OptionSpecs = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = [
  '--database-url URL     Postgres to use (default: DATABASE_URL, then the PG* variables)',
  '--schema NAME          schema holding the tables (default: the connection\'s search_path)',
  '--json                 machine-readable output: one JSON document on stdout',
  '--no-color             no colours (also: NO_COLOR=1; colours only appear on a terminal anyway)',
  '-h, --help             help (also: agentspan <command> --help)',
];

/** The text `agentspan --help` prints: every command with a line of what it does. */
export const USAGE = `agentspan — record and inspect multi-agent runs

usage: agentspan <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

options (every command):
${GLOBAL_HELP.map((l) => `  ${l}`).join('\n')}

exit codes: 0 ok, 1 failure (database, unknown run, failed check), 2 usage error
`;

/** `--help` of one command. */
export function commandUsage(command: CommandSpec): string {
  const own = command.optionHelp.length > 0 ? `\n${command.optionHelp.map((l) => `  ${l}`).join('\n')}\n` : '';
  return `${command.summary}

usage: ${command.usage}
${own}
options (every command):
${GLOBAL_HELP.map((l) => `  ${l}`).join('\n')}
`;
}

/** Every option any command knows, so the first pass can tell option values from the command name. */
const ALL_OPTIONS: OptionSpecs = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options));

/** The first positional argument (`agentspan --schema x runs` → `runs`). */
function commandName(argv: string[]): string | undefined {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: false, options: ALL_OPTIONS }).positionals[0];
  } catch {
    return argv.find((a) => !a.startsWith('-'));
  }
}

/**
 * `io` whose stderr lines are terminal-safe ({@link terminalSafeLines}). Error
 * messages carry text nobody checked: run ids an ambiguous prefix lists, the
 * id or option value given, a Postgres message quoting a value, a log line of
 * the gateway naming a service. Making them safe here, where every message
 * passes, covers the ones written later too, as `renderTable` does for
 * stdout. Its `columns` are a width or none ({@link terminalColumns}), checked
 * here once for every command (NaN printed `task: …`, a negative width blank
 * lines). The rest of `io` is inherited (its prototype), so a `CliIo` with
 * methods of a class keeps them.
 */
function withSafeErrors(io: CliIo): CliIo {
  return Object.assign(Object.create(io) as CliIo, { err: (text: string) => io.err(terminalSafeLines(text)), columns: terminalColumns(io.columns) });
}

/**
 * Runs one CLI invocation and returns the exit code ({@link ExitCode});
 * never calls `process.exit` (so tests can drive it in-process).
 */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io = withSafeErrors(rawIo);
  const name = commandName(argv);
  const command = COMMANDS.find((c) => c.name === name);
  if (name !== undefined && name !== 'help' && command === undefined) {
    io.err(`agentspan: unknown command "${name}"\n\n${USAGE}`);
    return ExitCode.USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) },
    });
  } catch (err) {
    io.err(`agentspan: ${(err as Error).message}\n\n${command ? commandUsage(command) : USAGE}`);
    return ExitCode.USAGE;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals.slice(1);
  if (name === 'help') {
    const topic = COMMANDS.find((c) => c.name === positionals[0]);
    // `help frobnicate` is the same mistake as `frobnicate`: a script checking the exit code must see it.
    if (positionals[0] !== undefined && topic === undefined) {
      io.err(`agentspan: unknown command "${positionals[0]}"\n\n${USAGE}`);
      return ExitCode.USAGE;
    }
    io.out(topic ? commandUsage(topic) : USAGE);
    return ExitCode.OK;
  }
  if (command === undefined) {
    if (values['help']) {
      io.out(USAGE);
      return ExitCode.OK;
    }
    io.err(USAGE);
    return ExitCode.USAGE;
  }
  if (values['help']) {
    io.out(commandUsage(command));
    return ExitCode.OK;
  }
  if (positionals.length > command.maxPositionals) {
    io.err(`agentspan ${command.name}: unexpected argument "${positionals[command.maxPositionals]}"\n\n${commandUsage(command)}`);
    return ExitCode.USAGE;
  }
  const colors = colorsFor({ isTTY: io.isTTY === true, env: io.env, noColor: values['no-color'] === true });
  try {
    return await command.run(createContext({ io, values, positionals, colors }));
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`agentspan ${command.name}: ${err.message}`);
      return ExitCode.USAGE;
    }
    if (err instanceof CliError) {
      io.err(`agentspan ${command.name}: ${err.message}`);
      return ExitCode.FAILURE;
    }
    io.err(`agentspan ${command.name} failed: ${describeError(err)}`);
    return ExitCode.FAILURE;
  }
}
