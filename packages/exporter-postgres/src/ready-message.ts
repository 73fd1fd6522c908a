/**
 * What a process starting up says when the Postgres schema could not be
 * prepared (`PostgresSpanProcessor.ready()` not ok). The two cases ask for
 * different things: a database not reachable yet needs nothing (spans wait,
 * the migrations are retried before every write), a migration this role may
 * not apply needs the owner to run it (spans are written to the existing
 * tables meanwhile).
 */
import { ownerMustMigrate } from './migrate-command.js';
import { isRefusalWithTablesInPlace } from './migrations.js';
import type { ReadyResult } from './postgres-span-processor.js';

/** The warning for a `ready()` that was not ok; `schema` as given to the exporter. */
export function notReadyMessage(ready: ReadyResult, schema: string | undefined): string {
  const cause = ready.error?.message ?? 'no answer in time';
  if (ready.error !== undefined && isRefusalWithTablesInPlace(ready.error)) {
    return `this role may not apply the Postgres migrations (${cause}); spans are written to the existing tables. ${ownerMustMigrate(schema)}`;
  }
  return `could not prepare the Postgres schema yet (${cause}); spans are queued and the migrations retried before every write`;
}
