/** Helpers shared by the benchmark cases: statistics, schemas, COPY text. */
import pg from 'pg';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import {
  EXECUTION_EVENTS_COLUMNS,
  EXECUTION_EVENTS_COLUMN_TYPES,
  PostgresExecutionEventExporter,
  type ExecutionEventRow,
} from '@agentspan/exporter-postgres';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

/** A schema of its own with agentspan's tables, emptied before every repetition. */
export interface BenchSchema extends TestSchema {
  /** Empties the three tables and checkpoints, so every repetition starts alike. */
  reset(): Promise<void>;
  /** Rows in `execution_events`. */
  countEvents(): Promise<number>;
}

export async function benchSchema(prefix: string): Promise<BenchSchema> {
  const t = await createTestSchema(`bench_${prefix}`);
  const exporter = new PostgresExecutionEventExporter({ pool: t.pool, schema: t.schema });
  await exporter.migrate();
  return {
    ...t,
    async reset() {
      await t.pool.query('TRUNCATE execution_events, workflow_runs, dag_nodes');
      await t.pool.query('CHECKPOINT');
    },
    async countEvents() {
      const r = await t.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM execution_events');
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}

export async function serverVersion(): Promise<string> {
  const c = new pg.Client(testConnectionConfig());
  await c.connect();
  try {
    const r = await c.query<{ server_version: string }>('SHOW server_version');
    return r.rows[0]?.server_version ?? 'unknown';
  } finally {
    await c.end();
  }
}

/** One value in COPY text format (tab-separated, `\N` for NULL). */
function copyValue(v: unknown, json: boolean): string {
  if (v === null || v === undefined) return '\\N';
  const s = json ? JSON.stringify(v) : String(v);
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** `execution_events` rows as COPY text, in the column order of {@link EXECUTION_EVENTS_COLUMNS}. */
export function eventsCopyText(rows: readonly ExecutionEventRow[]): Buffer {
  const json = EXECUTION_EVENTS_COLUMNS.map((c) => EXECUTION_EVENTS_COLUMN_TYPES[c] === 'jsonb');
  const parts: string[] = [];
  for (const r of rows) {
    const rec = r as unknown as Record<string, unknown>;
    parts.push(EXECUTION_EVENTS_COLUMNS.map((c, i) => copyValue(rec[c], json[i] as boolean)).join('\t') + '\n');
  }
  return Buffer.from(parts.join(''), 'utf8');
}

export const quietLogger = { warn: () => {}, info: () => {} };

/** Prints the case result for the parent (the last stdout line is JSON). */
export function emit(result: unknown): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}
