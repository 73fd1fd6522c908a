export { runExample, EXAMPLES } from './run-example.js';
export type { RunExampleOptions, ExampleResult } from './run-example.js';
export { runOneShot, ONE_SHOT_TASK, FIB_SCRIPT } from './one-shot.js';
export { runPlanningControl, PLANNING_CONTROL_TASK, PLANNING_CONTROL_PLAN } from './planning-control.js';
export { runIdeaGeneration, IDEA_GENERATION_TASK, IDEA_ROUNDS, SELECTED_IDEA } from './idea-generation.js';
export {
  LOAD_DATA_FAILING_SCRIPT,
  LOAD_DATA_SCRIPT,
  PLOT_SCRIPT,
  STATISTICS_SCRIPT,
  RAW_DATA_PATH,
  rawMeasurementsCsv,
} from './weather-analysis.js';
export { renderLineChartPng } from './line-chart-png.js';
export type { ChartSeries } from './line-chart-png.js';
export { startEmbeddedDatabase } from './embedded-database.js';
export type { EmbeddedDatabase } from './embedded-database.js';
export { openExampleDatabase } from './example-database.js';
export type { ExampleDatabase } from './example-database.js';
export { readRunSummary, formatRunSummary, queryHints, databaseLine, withoutPassword } from './run-summary.js';
export type { RunSummary, TimelineEvent } from './run-summary.js';
