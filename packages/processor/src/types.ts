import type { TracerProvider } from '@opentelemetry/api';

/** Options of the file content capture. */
export interface FileCaptureConfig {
  /**
   * Read generated files at all. `false` opens no file: `file_gen` spans keep
   * path and source, with skip reason `disabled` and no size or hash (for
   * sizes and hashes without content, use `captureContent: false`).
   * @default true
   */
  enabled?: boolean;
  /**
   * Directories files may be read from (resolved through symlinks). Paths
   * that resolve elsewhere are recorded without content.
   * @default [workspaceDir]
   */
  roots?: string[];
  /** Largest file read, in bytes. @default 1_048_576 (1 MB) */
  maxFileBytes?: number;
  /** Bytes of content kept per file. @default 5120 (5 KB) */
  maxContentBytes?: number;
  /** Extensions treated as text (with the dot, any case). @default `.py .txt .json .yaml .yml .md .csv .tsv .log .toml .ini .sh .js .ts .tex .html` and more (see `DEFAULT_TEXT_EXTENSIONS`) */
  textExtensions?: string[];
  /** Most `file_gen` spans created for one event. @default 20 */
  maxFilesPerSpan?: number;
}

/** Secret redaction: extra patterns and key names, or `false` to turn it off. */
export interface RedactionConfig {
  /** @default true */
  enabled?: boolean;
  /** More patterns; each match becomes `[REDACTED:<kind>]`. */
  extraPatterns?: { kind: string; pattern: RegExp }[];
  /** More key names whose assigned values are secrets (like `password`, `api_key`). */
  extraKeyNames?: string[];
}

/** Options of {@link ExecutionEventSpanProcessor}. All have defaults. */
export interface ExecutionEventSpanProcessorOptions {
  /**
   * Root for file content capture: relative paths resolve here (unless the
   * event gives its own `cwd`), and only files inside it are read.
   * @default process.cwd() at construction
   */
  workspaceDir?: string;
  /**
   * Keep content (messages, code, outputs, tool arguments and results, file
   * content) on spans and rows. With `false` only metadata is kept: hashes,
   * sizes, names, detected files and imports. Anything but a boolean (the
   * string `'false'` included) throws a TypeError at construction.
   * @default true
   */
  captureContent?: boolean;
  /** File content capture. */
  fileCapture?: FileCaptureConfig;
  /** Secret redaction, applied before any exporter sees a value. @default on */
  redaction?: RedactionConfig | false;
  /** Longest prefix of a value the extractors scan. @default 1_000_000 characters */
  maxScanChars?: number;
  /**
   * Longest text kept for one content attribute of another instrumentation's
   * span (a model turn's message, a tool's arguments and result, as the rows
   * take them); longer is cut and marked `agentspan.truncated`. A model
   * turn's output is read only as far as `2 × maxContentChars + 65 536`
   * characters (the rest could not be kept: see the README). agentspan's
   * own events are cut by the recorder's option of the same name.
   * @default 1_000_000
   */
  maxContentChars?: number;
  /**
   * Provider for the `file_gen` spans the processor creates. Default: the
   * global provider. `startAgentspan` sets it to its own provider.
   */
  tracerProvider?: TracerProvider;
  /** Runs whose order counters and file sets are remembered (least recently used evicted). @default 10_000 */
  maxTrackedRuns?: number;
}
