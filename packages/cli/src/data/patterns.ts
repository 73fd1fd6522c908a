import type pg from 'pg';
import { asIso, asNumber, asString } from './json.js';

/** Code executed more than once (same `code_hash`): view `agentspan_repeated_code`. */
export interface RepeatedCode {
  codeHash: string;
  language: string | null;
  executions: number;
  runs: number;
  successes: number;
  failures: number;
  successRate: number;
  agents: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** The code (first 4000 characters). */
  sampleCode: string | null;
}

/** An n-gram (2 or 3) of consecutive tool calls within a node: view `agentspan_tool_sequences`. */
export interface ToolSequence {
  tools: string[];
  occurrences: number;
  runs: number;
  successes: number;
  successRate: number;
}

/** A module imported by executed code: view `agentspan_import_usage`. */
export interface ImportUsage {
  module: string;
  language: string;
  uses: number;
  runs: number;
  successRate: number;
}

/** Calls and errors of one tool or agent: view `agentspan_error_rates`. */
export interface ErrorRate {
  kind: 'tool' | 'agent';
  name: string;
  calls: number;
  errors: number;
  errorRate: number;
  runs: number;
  lastError: string | null;
}

/** Everything `agentspan patterns` shows. */
export interface Patterns {
  /** How many of the newest runs were looked at (null: all). */
  runWindow: number | null;
  /** Runs in the window. */
  runsAnalysed: number;
  repeatedCode: RepeatedCode[];
  toolSequences: ToolSequence[];
  imports: ImportUsage[];
  errorRates: ErrorRate[];
}

const num = (v: unknown) => asNumber(v) ?? 0;
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The four pattern queries, each a call of the `agentspan_*_last(runs)`
 * function the views are defined with (migration 20), so the CLI, Grafana and
 * hand-written SQL agree. `onStep` is called after each query (progress).
 */
export async function loadPatterns(
  client: pg.ClientBase,
  options: { runs: number | null; limit: number; onStep?: () => void },
): Promise<Patterns> {
  const runs = options.runs;
  const limit = options.limit;
  const count = await client.query(
    'SELECT count(*)::integer AS n FROM (SELECT 1 FROM agentspan_recent_run_ids($1::integer)) r',
    [runs],
  );
  options.onStep?.();
  const code = await client.query('SELECT * FROM agentspan_repeated_code_last($1::integer) LIMIT $2', [runs, limit]);
  options.onStep?.();
  const sequences = await client.query('SELECT * FROM agentspan_tool_sequences_last($1::integer) LIMIT $2', [runs, limit]);
  options.onStep?.();
  const imports = await client.query('SELECT * FROM agentspan_import_usage_last($1::integer) LIMIT $2', [runs, limit]);
  options.onStep?.();
  const errors = await client.query(
    'SELECT * FROM agentspan_error_rates_last($1::integer) WHERE calls > 0 LIMIT $2',
    [runs, limit],
  );
  options.onStep?.();
  return {
    runWindow: runs,
    runsAnalysed: num((count.rows[0] as Record<string, unknown> | undefined)?.['n']),
    repeatedCode: code.rows.map((r: Record<string, unknown>) => ({
      codeHash: String(r['code_hash']),
      language: asString(r['language']),
      executions: num(r['executions']),
      runs: num(r['run_count']),
      successes: num(r['successes']),
      failures: num(r['failures']),
      successRate: num(r['success_rate']),
      agents: strings(r['agents']),
      firstSeen: asIso(r['first_seen']),
      lastSeen: asIso(r['last_seen']),
      sampleCode: asString(r['sample_code']),
    })),
    toolSequences: sequences.rows.map((r: Record<string, unknown>) => ({
      tools: strings(r['tools']),
      occurrences: num(r['occurrences']),
      runs: num(r['run_count']),
      successes: num(r['successes']),
      successRate: num(r['success_rate']),
    })),
    imports: imports.rows.map((r: Record<string, unknown>) => ({
      module: String(r['module']),
      language: String(r['language']),
      uses: num(r['uses']),
      runs: num(r['run_count']),
      successRate: num(r['success_rate']),
    })),
    errorRates: errors.rows.map((r: Record<string, unknown>) => ({
      kind: r['kind'] === 'tool' ? 'tool' : 'agent',
      name: String(r['name']),
      calls: num(r['calls']),
      errors: num(r['errors']),
      errorRate: num(r['error_rate']),
      runs: num(r['run_count']),
      lastError: asString(r['last_error']),
    })),
  };
}

/** The number of steps {@link loadPatterns} reports through `onStep`. */
export const PATTERN_STEPS = 5;
