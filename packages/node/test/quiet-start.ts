/** `startAgentspan` for a test: Postgres of a test schema, nothing else (no OTLP, spool, exit hooks, globals or log lines). */
import type { TestSchema } from '@agentspan/test-support';
import { startAgentspan, type Agentspan, type AgentspanOptions } from '../src/index.js';

/** Options writing to `db`'s schema only; `options` override them. */
export function quietOptions(db: TestSchema, options: AgentspanOptions = {}): AgentspanOptions {
  return {
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    spoolDir: false,
    flushOnExit: false,
    registerGlobal: false,
    logger: { warn: () => {} },
    ...options,
  };
}

/** `startAgentspan` with {@link quietOptions} and an empty environment. */
export function startQuiet(db: TestSchema, options: AgentspanOptions = {}): Promise<Agentspan> {
  return startAgentspan(quietOptions(db, options), {});
}
