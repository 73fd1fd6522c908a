/**
 * Options `startAgentspan` does not know. They are ignored, as before, but
 * no longer silently: `shutdownTimeoutMs` (the option is
 * `shutdownTimeoutMillis`, while the Postgres ones end in `Ms`), `databaseURL`
 * or `flushOnexit` otherwise left the default in force without a word (no
 * flush deadline of the application's choosing, no Postgres at all). One
 * warning each, naming the option meant when one is close. Not an error:
 * options often come from an application's configuration object holding
 * other keys too, and an application written for a later version, with an
 * option this one lacks, must still start.
 */

import type { FileCaptureConfig, RedactionConfig } from '@agentspan/processor';
import type { AgentspanOptions, BatchOptions } from './types.js';

/** Every option; `satisfies` keeps the list in step with the type (a key missing or extra does not compile). */
const OPTIONS = {
  serviceName: true, databaseUrl: true, schema: true, otlpEndpoint: true, otlpHeaders: true, workspaceDir: true,
  captureContent: true, fileCapture: true, redaction: true, maxContentChars: true, registerGlobal: true, propagators: true,
  migrate: true, postgresPoolSize: true, postgresBatch: true, postgresStatementTimeoutMs: true, postgresConnectTimeoutMs: true,
  postgresHeartbeatMs: true, postgresEventsInProgressAfterMs: true, postgresWriteMethod: true, spoolDir: true,
  maxSpoolBytes: true, flushOnExit: true, shutdownTimeoutMillis: true, meterProvider: true, otlpBatch: true,
  spanProcessors: true, resourceAttributes: true, sampler: true, logger: true,
} as const satisfies Record<keyof AgentspanOptions, true>;

const BATCH_OPTIONS = {
  maxQueueSize: true, maxQueueBytes: true, maxExportBatchSize: true, scheduledDelayMillis: true, maxConcurrentExports: true,
  exportTimeoutMillis: true, retryInitialDelayMillis: true, retryMaxDelayMillis: true, flushTimeoutMillis: true,
} as const satisfies Record<keyof BatchOptions, true>;

const FILE_CAPTURE_OPTIONS = {
  enabled: true, roots: true, maxFileBytes: true, maxContentBytes: true, textExtensions: true, maxFilesPerSpan: true,
} as const satisfies Record<keyof FileCaptureConfig, true>;

const REDACTION_OPTIONS = { enabled: true, extraPatterns: true, extraKeyNames: true } as const satisfies Record<keyof RedactionConfig, true>;

/** A name as a typo is likely to differ: case, `_`/`-`, and the `Ms`/`Millis` suffixes. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '').replace(/millis(econds)?$|ms$/, 'ms');
}

/** Edit distance, bounded: names are short, and only a close one is worth suggesting. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Longer than any option name by far: no suggestion is looked for (the distance costs its length times theirs). */
const MAX_SUGGESTED_FROM = 64;

/**
 * The key as the warning shows it: as is when it reads as a name, else quoted
 * (a line break or a terminal escape in a key of the application's
 * configuration would otherwise reach its log raw) and cut to 60 characters.
 */
function shown(key: string): string {
  if (/^[\w$-]{1,60}$/.test(key)) return key;
  return `${JSON.stringify(key.slice(0, 60))}${key.length > 60 ? '…' : ''}`;
}

/** The known name `name` most likely meant, if one is close enough. */
function meant(name: string, known: readonly string[]): string | undefined {
  if (name.length > MAX_SUGGESTED_FROM) return undefined;
  const n = normalise(name);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(n.length / 5)) + 1; // at most ~1 edit in 5 characters
  for (const k of known) {
    const d = distance(n, normalise(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function unknownIn(value: unknown, known: Record<string, true>, prefix: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const names = Object.keys(known);
  // Own and inherited enumerable keys, as the options are read (an instance of the application's class too).
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(known, key)) continue;
    if ((value as Record<string, unknown>)[key] === undefined) continue; // `{ x: process.env.X }` with X unset
    const suggestion = meant(key, names);
    out.push(`ignored unknown option ${prefix}${shown(key)}${suggestion !== undefined ? ` (did you mean ${prefix}${suggestion}?)` : ''}`);
  }
}

/** One warning per option given that `startAgentspan` does not know (top level, `postgresBatch`, `otlpBatch`, `fileCapture`, `redaction`). */
export function unknownOptionWarnings(options: AgentspanOptions): string[] {
  const out: string[] = [];
  unknownIn(options, OPTIONS, '', out);
  unknownIn(options.postgresBatch, BATCH_OPTIONS, 'postgresBatch.', out);
  unknownIn(options.otlpBatch, BATCH_OPTIONS, 'otlpBatch.', out);
  unknownIn(options.fileCapture, FILE_CAPTURE_OPTIONS, 'fileCapture.', out);
  unknownIn(options.redaction, REDACTION_OPTIONS, 'redaction.', out);
  return out;
}
