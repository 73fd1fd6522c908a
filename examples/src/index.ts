export { runExample, EXAMPLES } from './run-example.js';
export type { RunExampleOptions, ExampleResult } from './run-example.js';
export { runOneShot, ONE_SHOT_TASK, FIB_SCRIPT } from './one-shot.js';
export { startEmbeddedDatabase } from './embedded-database.js';
export type { EmbeddedDatabase } from './embedded-database.js';
export { openExampleDatabase } from './example-database.js';
export type { ExampleDatabase } from './example-database.js';
export { readRunSummary, formatRunSummary, queryHints } from './run-summary.js';
export type { RunSummary, TimelineEvent } from './run-summary.js';
