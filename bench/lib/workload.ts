/**
 * The workload every throughput case records: agent messages, tool calls and
 * short code executions, round-robin, in concurrent runs of one node each.
 * The same event mix feeds the COPY and one-INSERT-per-event baselines (via
 * the rows agentspan maps it to), so every case writes the very same rows.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EventRecorder, Recorder } from '@agentspan/instrumentation';

const MESSAGE =
  'I looked at the quarterly sales figures. Revenue grew 12% in Q3, driven by the EU region; ' +
  'the next step is to plot the monthly series and check for seasonality before forecasting.';

const SHORT_CODE = "import statistics\nvalues = [3, 1, 4, 1, 5, 9, 2, 6]\nprint(statistics.mean(values), statistics.stdev(values))\n";

/** Records the `i`-th event of the mix on `scope`. */
export function recordEvent(scope: EventRecorder, i: number): void {
  switch (i % 3) {
    case 0:
      scope.agentCall({ agent: 'analyst', role: 'assistant', content: `${MESSAGE} (${i})` });
      break;
    case 1:
      scope.toolCall({ agent: 'analyst', tool: 'search_web', args: { query: `sales seasonality ${i}`, limit: 5 }, result: 'Seasonal decomposition splits a series into trend, seasonal and residual parts.' });
      break;
    default:
      scope.codeExecution({ agent: 'executor', language: 'python', code: SHORT_CODE, output: '3.875 2.9970223\n', exitCode: 0 });
  }
}

/** Options of {@link driveWorkload}. */
export interface DriveOptions {
  /** Events in all (split evenly over the runs). */
  readonly events: number;
  /** Concurrent runs. @default 10 */
  readonly runs?: number;
  /** Events a run records before it yields to the event loop. @default 50 */
  readonly yieldEvery?: number;
  /**
   * Polled at every yield: while it returns true the run waits 1 ms. The
   * benchmark's stand-in for an application that produces no faster than
   * the pipeline drains (a burst larger than the queue is the spool's case,
   * measured separately).
   */
  readonly backpressure?: () => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records the workload through the public API, in `runs` concurrent async runs. */
export async function driveWorkload(recorder: Recorder, options: DriveOptions): Promise<void> {
  const runs = options.runs ?? 10;
  const yieldEvery = options.yieldEvery ?? 50;
  const perRun = Math.ceil(options.events / runs);
  let remaining = options.events;
  const one = async (r: number): Promise<void> => {
    const run = recorder.startRun({ task: `bench run ${r}`, mode: 'bench' });
    const node = run.startNode('step_1', { title: 'analyse', agent: 'analyst' });
    for (let i = 0; i < perRun && remaining > 0; i++) {
      remaining--;
      recordEvent(node, i);
      if ((i + 1) % yieldEvery === 0) {
        await yieldToLoop();
        while (options.backpressure?.()) await sleep(1);
      }
    }
    node.end();
    run.end({ status: 'success' });
  };
  await Promise.all(Array.from({ length: runs }, (_, r) => one(r)));
}

/**
 * A realistic 2 KB Python snippet (pandas, matplotlib, a function, a loop).
 * With `writesFile` it also saves `results.csv` (what file capture reads).
 * `variant` changes a comment line only (same size, same metadata, another
 * string and hash), so a timed loop can rotate through distinct snippets and
 * nothing can be answered from a cache keyed by the code.
 */
export function codeSnippet2k(writesFile: boolean, variant = 0): string {
  const lines = [
    `# analysis ${String(variant).padStart(6, '0')}`,
    'import json',
    'import math',
    'import os',
    'from pathlib import Path',
    '',
    'import numpy as np',
    'import pandas as pd',
    'import matplotlib',
    "matplotlib.use('Agg')",
    'import matplotlib.pyplot as plt',
    '',
    '',
    'def load_sales(path: str) -> pd.DataFrame:',
    '    """Monthly sales per region, indexed by month."""',
    "    df = pd.read_json(path)",
    "    df['month'] = pd.to_datetime(df['month'])",
    "    return df.set_index('month').sort_index()",
    '',
    '',
    'def seasonal_index(series: pd.Series, period: int = 12) -> pd.Series:',
    '    trend = series.rolling(period, center=True, min_periods=1).mean()',
    '    ratio = series / trend',
    '    return ratio.groupby(ratio.index.month).mean()',
    '',
    '',
    'def forecast(series: pd.Series, months: int = 6) -> list[float]:',
    '    x = np.arange(len(series))',
    '    slope, intercept = np.polyfit(x, series.values, 1)',
    '    return [float(intercept + slope * (len(series) + k)) for k in range(months)]',
    '',
    '',
    "sales = load_sales('data/sales.json')",
    'summary = {}',
    "for region in ['eu', 'us', 'apac']:",
    '    s = sales[region]',
    '    idx = seasonal_index(s)',
    '    summary[region] = {',
    "        'mean': float(s.mean()),",
    "        'std': float(s.std()),",
    "        'peak_month': int(idx.idxmax()),",
    "        'forecast': forecast(s),",
    '    }',
    "    print(f'{region}: mean={s.mean():.1f} peak={int(idx.idxmax())}')",
    '',
    'fig, ax = plt.subplots(figsize=(8, 4))',
    "sales[['eu', 'us', 'apac']].plot(ax=ax)",
    "ax.set_title('Monthly sales by region')",
    "ax.set_ylabel('units')",
    'fig.tight_layout()',
    "print(json.dumps(summary, indent=2)[:200])",
    "print('growth', math.log(sales['eu'].iloc[-1] / sales['eu'].iloc[0]))",
  ];
  if (writesFile) lines.push("pd.DataFrame(summary).T.to_csv('results.csv')");
  let code = lines.join('\n') + '\n';
  // Pad with comment lines to exactly 2 KB, so both variants are the same size.
  while (code.length < 2048) code += '# ' + 'notes on the model assumptions '.repeat(2).slice(0, Math.min(60, 2048 - code.length - 3)) + '\n';
  // Flattened: a string built by concatenation is a rope in V8, which no real input arrives as.
  return Buffer.from(code.slice(0, 2048), 'utf8').toString('utf8');
}

/** `count` distinct 2 KB snippets ({@link codeSnippet2k} variants 0..count-1). */
export function codeSnippets2k(writesFile: boolean, count: number): string[] {
  return Array.from({ length: count }, (_, v) => codeSnippet2k(writesFile, v));
}

/** A 5 KB CSV file's content. */
export function csv5k(): string {
  let s = 'region,mean,std,peak_month,forecast\n';
  for (let i = 0; s.length < 5120; i++) s += `r${i},${(100 + i * 1.5).toFixed(2)},${(10 + i / 3).toFixed(3)},${(i % 12) + 1},"[${i}.5, ${i}.75]"\n`;
  return s.slice(0, 5120);
}
