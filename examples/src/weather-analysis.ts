import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderLineChartPng } from './line-chart-png.js';
import { pythonHasModules, runPython, type Execution } from './python.js';

/**
 * The data and code of the planning-control example: a small weather-station
 * dataset, the pandas/matplotlib scripts the scripted engineer writes, and
 * the same computations in Node for machines without the Python scientific
 * stack. Either way the files are really written, so extraction finds the
 * imports and file writes in the code and file capture finds the files.
 */

/** Where the "user's" dataset lives in the workspace. */
export const RAW_DATA_PATH = 'data/measurements.csv';

const STATIONS = ['north', 'south'] as const;
const HOURS = 24;

/** The raw dataset: two stations, 24 hourly rows each, two rows with a missing value. Deterministic. */
export function rawMeasurementsCsv(): string {
  const lines = ['timestamp,station,temperature_c,humidity_pct'];
  STATIONS.forEach((station, s) => {
    const base = s === 0 ? 14 : 19;
    for (let h = 0; h < HOURS; h++) {
      const noise = ((h * 7919 + s * 104729) % 13) / 10 - 0.6;
      const temp = base + 6 * Math.sin((2 * Math.PI * (h - 9)) / 24) + noise;
      const humidity = 72 - 2.2 * (temp - base) + noise * 1.5;
      const stamp = `2026-06-01 ${String(h).padStart(2, '0')}:00:00`;
      const t = station === 'south' && h === 17 ? '' : temp.toFixed(1);
      const hu = station === 'north' && h === 5 ? '' : humidity.toFixed(1);
      lines.push(`${stamp},${station},${t},${hu}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** First attempt at step 1: uses a column name the data does not have (a realistic KeyError). */
export const LOAD_DATA_FAILING_SCRIPT = `import pandas as pd

df = pd.read_csv("${RAW_DATA_PATH}", parse_dates=["timestamp"])
print(df["temp"].describe())
`;

/** Step 1 as fixed: load, drop incomplete rows, sort, save. */
export const LOAD_DATA_SCRIPT = `import pandas as pd

df = pd.read_csv("${RAW_DATA_PATH}", parse_dates=["timestamp"])
missing = int(df[["temperature_c", "humidity_pct"]].isna().any(axis=1).sum())
df = df.dropna(subset=["temperature_c", "humidity_pct"])
df = df.sort_values(["station", "timestamp"])
df.to_csv("data/clean.csv", index=False)
print(f"Loaded {len(df)} rows from {df['station'].nunique()} stations ({missing} incomplete rows dropped)")
`;

/** Step 2: one line per station. */
export const PLOT_SCRIPT = `from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("data/clean.csv", parse_dates=["timestamp"])
Path("plots").mkdir(exist_ok=True)
fig, ax = plt.subplots(figsize=(8, 4))
for station, group in df.groupby("station"):
    ax.plot(group["timestamp"], group["temperature_c"], label=station)
ax.set_xlabel("time")
ax.set_ylabel("temperature (C)")
ax.set_title("Temperature by station")
ax.legend()
fig.tight_layout()
fig.savefig("plots/temperature.png", dpi=80)
print("Saved plots/temperature.png")
`;

/** Step 3: per-station statistics and a JSON summary. */
export const STATISTICS_SCRIPT = `import json
from pathlib import Path

import pandas as pd

df = pd.read_csv("data/clean.csv", parse_dates=["timestamp"])
Path("results").mkdir(exist_ok=True)
stats = df.groupby("station")[["temperature_c", "humidity_pct"]].agg(["mean", "std", "min", "max"]).round(2)
stats.columns = ["_".join(c) for c in stats.columns]
stats.to_csv("results/statistics.csv")
summary = {
    "rows": int(len(df)),
    "stations": sorted(df["station"].unique().tolist()),
    "correlation": round(float(df["temperature_c"].corr(df["humidity_pct"])), 3),
}
with open("results/summary.json", "w") as f:
    json.dump(summary, f, indent=2)
print(stats.to_string())
`;

const PYTHON_MODULES = ['pandas', 'matplotlib'];

interface Row {
  timestamp: string;
  station: string;
  temperature: number;
  humidity: number;
}

function write(workspaceDir: string, path: string, content: string | Buffer): void {
  const full = join(workspaceDir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

function readRows(workspaceDir: string, path: string): { rows: Row[]; incomplete: number } {
  const [, ...lines] = readFileSync(join(workspaceDir, path), 'utf8').trim().split('\n');
  const rows: Row[] = [];
  let incomplete = 0;
  for (const line of lines) {
    const [timestamp = '', station = '', t = '', h = ''] = line.split(',');
    if (t === '' || h === '') {
      incomplete += 1;
      continue;
    }
    rows.push({ timestamp, station, temperature: Number(t), humidity: Number(h) });
  }
  return { rows, incomplete };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function describe(values: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, n - 1); // pandas: ddof=1
  return { mean: round2(mean), std: round2(Math.sqrt(variance)), min: round2(Math.min(...values)), max: round2(Math.max(...values)) };
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The failing first attempt, as Python reports it. */
function failingLoadInNode(): Execution {
  return {
    output: [
      'Traceback (most recent call last):',
      '  File "<string>", line 4, in <module>',
      '  File "/usr/lib/python3/dist-packages/pandas/core/frame.py", line 4102, in __getitem__',
      '    indexer = self.columns.get_loc(key)',
      "KeyError: 'temp'",
      '',
    ].join('\n'),
    exitCode: 1,
  };
}

function loadInNode(workspaceDir: string): Execution {
  const { rows, incomplete } = readRows(workspaceDir, RAW_DATA_PATH);
  rows.sort((a, b) => a.station.localeCompare(b.station) || a.timestamp.localeCompare(b.timestamp));
  const csv = ['timestamp,station,temperature_c,humidity_pct', ...rows.map((r) => `${r.timestamp},${r.station},${r.temperature},${r.humidity}`)];
  write(workspaceDir, 'data/clean.csv', `${csv.join('\n')}\n`);
  const stations = new Set(rows.map((r) => r.station)).size;
  return { output: `Loaded ${rows.length} rows from ${stations} stations (${incomplete} incomplete rows dropped)\n`, exitCode: 0 };
}

function plotInNode(workspaceDir: string): Execution {
  const { rows } = readRows(workspaceDir, 'data/clean.csv');
  const colors: [number, number, number][] = [
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
  ];
  const series = [...new Set(rows.map((r) => r.station))].map((station, i) => ({
    values: rows.filter((r) => r.station === station).map((r) => r.temperature),
    color: colors[i % colors.length]!,
  }));
  write(workspaceDir, 'plots/temperature.png', renderLineChartPng(series));
  return { output: 'Saved plots/temperature.png\n', exitCode: 0 };
}

function statisticsInNode(workspaceDir: string): Execution {
  const { rows } = readRows(workspaceDir, 'data/clean.csv');
  const stations = [...new Set(rows.map((r) => r.station))].sort();
  const header = ['station'];
  for (const col of ['temperature_c', 'humidity_pct']) for (const s of ['mean', 'std', 'min', 'max']) header.push(`${col}_${s}`);
  const lines = [header.join(',')];
  for (const station of stations) {
    const mine = rows.filter((r) => r.station === station);
    const t = describe(mine.map((r) => r.temperature));
    const h = describe(mine.map((r) => r.humidity));
    lines.push([station, t.mean, t.std, t.min, t.max, h.mean, h.std, h.min, h.max].join(','));
  }
  write(workspaceDir, 'results/statistics.csv', `${lines.join('\n')}\n`);
  const summary = {
    rows: rows.length,
    stations,
    correlation: Math.round(pearson(rows.map((r) => r.temperature), rows.map((r) => r.humidity)) * 1000) / 1000,
  };
  write(workspaceDir, 'results/summary.json', JSON.stringify(summary, null, 2));
  return { output: `${lines.join('\n')}\n`, exitCode: 0 };
}

/** Writes the raw dataset into the workspace (what the user brings). */
export function prepareWorkspace(workspaceDir: string): void {
  write(workspaceDir, RAW_DATA_PATH, rawMeasurementsCsv());
}

const NODE_EQUIVALENTS = new Map<string, (workspaceDir: string) => Execution>([
  [LOAD_DATA_FAILING_SCRIPT, () => failingLoadInNode()],
  [LOAD_DATA_SCRIPT, loadInNode],
  [PLOT_SCRIPT, plotInNode],
  [STATISTICS_SCRIPT, statisticsInNode],
]);

/**
 * Runs one of the scripts above: with python3 when pandas and matplotlib
 * import, otherwise its Node equivalent. The output differs in detail
 * between the two; the files written are the same.
 */
export function runAnalysisScript(code: string, workspaceDir: string): Execution {
  if (pythonHasModules(PYTHON_MODULES)) return runPython(code, workspaceDir);
  const inNode = NODE_EQUIVALENTS.get(code);
  if (!inNode) throw new Error('runAnalysisScript: not one of the planning-control scripts');
  return inNode(workspaceDir);
}
