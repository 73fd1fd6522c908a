export { runCli, USAGE, COMMANDS, ExitCode, commandUsage } from './cli.js';
export { processIo, UsageError } from './io.js';
export type { CliIo } from './io.js';
export { CliError, describeError } from './errors.js';
export { databaseUrlFrom } from './database-url.js';
export type { CommandSpec, CommandContext } from './command.js';
export { renderReport, embedJson, escapeHtml } from './report/render-report.js';
export { buildReportData, REPORT_FORMAT, DEFAULT_REPORT_MAX_CHARS } from './report/report-data.js';
export type { ReportData, ReportEvent, ReportNode, BuildReportOptions } from './report/report-data.js';
