/**
 * Public result and option types of `@agentspan/extract`.
 *
 * Every type here is plain data (strings, numbers, booleans, arrays), so the
 * results can go straight into span attributes or Postgres rows.
 */

/** Metadata derived from one piece of code an agent ran or wrote. */
export interface CodeMetadata {
  /** First 16 hex chars of SHA-256 over the code, with `\r\n` and `\r` normalised to `\n`. */
  codeHash: string;
  /**
   * `'python' | 'shell' | 'javascript' | 'typescript' | 'unknown'` (aliases such
   * as `py`, `bash`, `ts` are normalised). A given language outside that set is
   * kept lowercased (e.g. `'r'`) and nothing is extracted from it.
   */
  language: string;
  /** Top-level package names (`numpy` for `numpy.linalg`), deduplicated, first-seen order. */
  imports: string[];
  /** Normalised paths of files the code writes, deduplicated, first-seen order. */
  filesWritten: string[];
  /** Normalised paths of files the code reads, deduplicated, first-seen order. */
  filesRead: string[];
  /** Present only when `output` or `exitCode` was given. */
  hasError?: boolean;
  /** Exception class, e.g. `'ModuleNotFoundError'`; present only when one was found. */
  errorType?: string;
  /** Message of the last traceback/error line, e.g. `"No module named 'foo'"`. */
  errorMessage?: string;
  /** `code.length` (UTF-16 code units) of the whole input, scanned or not. */
  length: number;
  /** `true` when only the first `maxScanChars` characters were scanned. */
  truncated?: boolean;
}

/** Options of `extractCodeMetadata`. */
export interface CodeMetadataOptions {
  /** Language of the code; sniffed from the code when absent or blank. */
  language?: string;
  /** Output (stdout + stderr) of running the code; enables error detection. */
  output?: string;
  /** Exit code of running the code; enables error detection. `null` means unknown. */
  exitCode?: number | null;
  /** Characters of code scanned for imports and files. Default `1_000_000`. */
  maxScanChars?: number;
}

/** Result of `detectError`. */
export interface ErrorInfo {
  /** Whether the run failed (non-zero exit code, traceback, or an error line). */
  hasError: boolean;
  /** Exception class name without its module, e.g. `'LinAlgError'`. */
  errorType?: string;
  /** Text after `Type:` on the error line, trimmed, at most 1000 characters. */
  errorMessage?: string;
}

/** One fenced code block of a message. */
export interface CodeBlock {
  /** Info-string language, lowercased; `'unknown'` when the fence has none. */
  language: string;
  /** The block's content, without the fences. */
  code: string;
}

/** Metadata derived from one agent message. */
export interface MessageMetadata {
  /** Normalised local file paths the prose refers to (code blocks excluded). */
  fileRefs: string[];
  /** Whether the message has at least one fenced code block. */
  hasCode: boolean;
  /** Distinct code block languages, first-seen order. */
  codeLanguages: string[];
  /** The fenced code blocks, in order. */
  codeBlocks: CodeBlock[];
  /** `text.length` of the whole input. */
  contentLength: number;
  /** `true` when only the first `maxScanChars` characters were scanned. */
  truncated?: boolean;
}

/** Options of `extractMessageMetadata`. */
export interface MessageMetadataOptions {
  /** Characters of the message scanned. Default `1_000_000`. */
  maxScanChars?: number;
}

/** A user-supplied secret pattern for `createRedactor`. */
export interface RedactionPattern {
  /** Name used in the replacement `[REDACTED:<kind>]` and in `kinds`. */
  kind: string;
  /** Pattern of the secret; the `g` flag is added when missing. Must be linear-time. */
  pattern: RegExp;
}

/** Options of `createRedactor`. */
export interface RedactorOptions {
  /** Whether to redact at all. Default `true`; `false` returns every input unchanged. */
  enabled?: boolean;
  /** Extra patterns, run after the built-in ones. Default none. */
  extraPatterns?: RedactionPattern[];
  /**
   * Extra key names whose assigned values are secrets (matched case-insensitively
   * as the end of a key, like the built-in `password`, `api_key`, ...). Default none.
   */
  extraKeyNames?: string[];
}

/** Options of one `Redactor.redact` call. */
export interface RedactCallOptions {
  /**
   * The text is the start of a longer one, cut at its end (a window of a
   * file): a token with a known secret prefix running to the end is replaced
   * though too short for its rule. Default `false`.
   */
  cutAtEnd?: boolean;
}

/** Result of `Redactor.redact`. */
export interface RedactionResult {
  /** The text with every secret replaced by `[REDACTED:<kind>]`. */
  text: string;
  /** Number of replacements made. */
  redactions: number;
  /** Distinct kinds replaced, in first-seen order. */
  kinds: string[];
}

/** A compiled set of redaction rules; build once with `createRedactor`, call many times. */
export interface Redactor {
  /**
   * Replaces secrets in `text`. Never throws; fails closed (`[REDACTED:error]`).
   * A token cut short, right before a {@link TRUNCATION_MARK} or at the end of a
   * text `options.cutAtEnd` says was cut, is replaced too (see `redact.ts`).
   */
  redact(text: string, options?: RedactCallOptions): RedactionResult;
  /** Whether this redactor changes anything. */
  readonly enabled: boolean;
}
