export { runCli, USAGE } from './cli.js';
export { processIo, UsageError } from './io.js';
export type { CliIo } from './io.js';
export { databaseUrlFrom } from './database-url.js';
