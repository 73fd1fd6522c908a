import type { ParseArgsConfig } from 'node:util';
import type { DatabaseFlags } from './database.js';
import type { Colors } from './format/colors.js';
import { UsageError, type CliIo } from './io.js';
import { createProgress, type Progress } from './progress.js';

/** The option declarations `node:util` `parseArgs` takes. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What a command gets: parsed flags, output and the shared helpers. */
export interface CommandContext {
  readonly io: CliIo;
  /** Parsed option values (global and the command's own). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Positional arguments after the command name. */
  readonly positionals: readonly string[];
  /** `--json`: print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  readonly colors: Colors;
  readonly database: DatabaseFlags;
  /** A progress bar on stderr (a no-op without a TTY or with --json). */
  progress(label: string, total: number): Progress;
}

/** One `agentspan <command>`. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** `agentspan runs [--since 24h] ...` */
  readonly usage: string;
  /** Lines describing the command's own options, for `--help`. */
  readonly optionHelp: readonly string[];
  /** Options accepted besides the global ones. */
  readonly options: OptionSpecs;
  /** Positional arguments accepted after the command name. */
  readonly maxPositionals: number;
  run(ctx: CommandContext): Promise<number>;
}

/** Builds the context passed to a command. */
export function createContext(args: {
  io: CliIo;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  colors: Colors;
}): CommandContext {
  const json = args.values['json'] === true;
  const database: DatabaseFlags = {
    databaseUrl: stringValue(args.values, 'database-url'),
    schema: stringValue(args.values, 'schema'),
  };
  return {
    io: args.io,
    values: args.values,
    positionals: args.positionals,
    json,
    colors: args.colors,
    database,
    progress: (label, total) => createProgress(args.io, { label, total, enabled: args.io.isTTY === true && !json }),
  };
}

/** A string option's value, or undefined. */
export function stringValue(values: CommandContext['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole-number option: `fallback` when absent, a usage error unless `min <= value <= max`. */
export function integerValue(
  values: CommandContext['values'],
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  const min = range.min ?? 1;
  const max = range.max ?? 1_000_000;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} "${raw}": expected a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}
