export { PostgresExecutionEventExporter, DEFAULT_MAX_ROW_SIZE, isPgliteVersion } from './postgres-exporter.js';
export type { PreparedRows } from './postgres-exporter.js';
export { PostgresSpanProcessor } from './postgres-span-processor.js';
export type { PostgresSpanProcessorOptions, ReadyResult } from './postgres-span-processor.js';
export { PostgresSink, isMappedRow, spoolKindFor, spoolKindsOf } from './postgres-sink.js';
export { formerTargetOf, spoolTargetOf, type SpoolTarget, type SpoolTargetSettings } from './spool-target.js';
export type { PostgresExporterOptions, ExporterStats } from './types.js';
export { writeRowsResilient, QuarantineRefusedError } from './resilient-writer.js';
export { WriteAbortedError } from './abortable-client.js';
export { ROLLBACK_TIMEOUT_MS, RollbackTimeoutError } from './rollback.js';
export type { RepairEvent, ResilientWriteOptions, ResilientWriteResult } from './resilient-writer.js';
export { repairRow, quarantineRow, shrinkRow, isStorableTimestamp, TRUNCATION_MARKER, EPOCH_ISO } from './repair.js';
export type { RepairReason } from './repair.js';
export {
  MIGRATIONS,
  EXECUTION_EVENTS_SQL,
  WORKFLOW_RUNS_SQL,
  DAG_NODES_SQL,
  SCHEMA_MIGRATIONS_SQL,
  SPAN_IDS_NOT_UNIQUE_SQL,
  EVENT_FILLS_SQL,
  UNORDERED_EVENTS_INDEX_SQL,
  UNORDERED_EVENTS_INDEX,
  migrationScript,
  runMigrations,
} from './migrations.js';
export type { Migration, RunMigrationsOptions, RunMigrationsResult, ClientSource } from './migrations.js';
export {
  PATTERN_VIEWS_SQL,
  EVENT_OUTCOMES_VIEW_SQL,
  TOOL_SEQUENCES_SQL,
  REPEATED_CODE_SQL,
  IMPORT_USAGE_SQL,
  ERROR_RATES_SQL,
  EVENTS_IN_PROGRESS_SQL,
  RECENT_RUN_IDS_SQL,
  RUN_COUNT_CHECK_SQL,
  eventSucceededSql,
} from './views.js';
export { postgresUrl, type PostgresUrlParts } from './connection-url.js';
export { mapSpanToRow, eventTypeOf, CONSUMED_ATTRIBUTE_KEYS, PREVIEW_LENGTH } from './row-mapper.js';
export {
  effectiveStatusSql,
  inProgressSql,
  lastSeenAtSql,
  livenessMeta,
  HEARTBEAT_MS_KEY,
  LAST_SEEN_AT_KEY,
  STALE_AFTER_INTERVALS,
  STALE_GRACE_SECONDS,
  SHOWN_IN_PROGRESS_KEY,
  STALE_STATUS,
  serverTimeSql,
  type HeartbeatOf,
  type Liveness,
} from './liveness.js';
export { RunOutcome, SUCCESS_WORDS, runOutcome, runOutcomeSql } from './run-outcome.js';
export {
  writeRows,
  writeRowsInTransaction,
  groupRows,
  insertStatement,
  replaceInProgressStatement,
  heartbeatStatement,
  lockRowsStatement,
  copyStatement,
  DEFAULT_MAX_BATCH_ROWS,
  DEFAULT_WRITE_METHOD,
  COPY_MIN_ROWS,
} from './row-writer.js';
export type { GroupedRows, Queryable, WriteMethod, WriteRowsOptions, WriteRowsResult, WriteTransactionOptions } from './row-writer.js';
export { toCopyText, copyField, copyEncoder, copyTextPieces, copyDataMessages } from './copy-text.js';
export type { CopyEncoder } from './copy-text.js';
export { eventIdFor, parentEventIdFor, uuidV5, AGENTSPAN_ID_NAMESPACE } from './ids.js';
export { cleanKey, sanitizeString, sanitizeValue, sanitizeRow, REPLACEMENT_CHARACTER } from './sanitize.js';
export type { Sanitized, SanitizedRow, SanitizeLimits } from './sanitize.js';
export { isConnectionError, isConcurrencyError, isPrivilegeError, classifyWriteError, sqlState, RowSerializationError } from './pg-errors.js';
export { MigrationError, SCHEMA_STEP, VERSIONS_TABLE_STEP, type FailedMigration } from './migration-error.js';
export { migrateCommandFor, shellQuote } from './migrate-command.js';
export { notReadyMessage } from './ready-message.js';
export { assertValidSchemaName } from './sql.js';
export type { WriteErrorClass } from './pg-errors.js';
export {
  EXECUTION_EVENTS_COLUMNS,
  WORKFLOW_RUNS_COLUMNS,
  DAG_NODES_COLUMNS,
  EXECUTION_EVENTS_COLUMN_TYPES,
  WORKFLOW_RUNS_COLUMN_TYPES,
  DAG_NODES_COLUMN_TYPES,
  EVENT_FILL_COLUMN_TYPES,
  TABLES,
} from './columns.js';
export {
  AWAITS_FILL_KEY,
  FILLED_COLUMNS,
  MAX_FILL_PARENTS,
  agentFillRowsOf,
  awaitsFill,
  fillApplyStatement,
  fillLockStatement,
  fillUpsertStatement,
  hasAgentFill,
  markAwaitedFill,
  mergeFills,
} from './agent-fill.js';
export type {
  ColumnType,
  ColumnTypes,
  DagNodeRow,
  EventFillRow,
  ExecutionEventRow,
  JsonObject,
  JsonValue,
  MappedRow,
  WorkflowRunRow,
} from './columns.js';
