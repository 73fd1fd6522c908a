/**
 * `extractCodeMetadata`: the per-language pipeline (lex → imports → files)
 * plus hash, error detection and bounds.
 */
import { codeHash } from './code-hash.js';
import { detectError } from './errors.js';
import { asText, guarded, OrderedSet, scanLimit } from './guard.js';
import { scanJsFiles } from './js-files.js';
import { scanJsImports } from './js-imports.js';
import { normaliseLanguage, sniffLanguage } from './language-sniff.js';
import { lexJs } from './lexer-js.js';
import { lexPython, releasePythonTokens } from './lexer-python.js';
import { scanPythonFiles, type FileSink } from './python-files.js';
import { scanPythonImports } from './python-imports.js';
import { scanShellFiles } from './shell-files.js';
import { toFilePath } from './paths.js';
import type { CodeMetadata, CodeMetadataOptions } from './types.js';

/** Nesting limit for code embedded in code (a heredoc feeding `python` inside `bash -c`). */
const MAX_EMBED_DEPTH = 2;

interface Sinks extends FileSink {
  imports: OrderedSet;
}

/** Runs the detectors of `language` over `code`, adding into `sinks`. */
function scan(code: string, language: string, sinks: Sinks, depth: number): void {
  const embeddedShell = (shell: string): void => {
    if (depth < MAX_EMBED_DEPTH) scan(shell, 'shell', sinks, depth + 1);
  };
  if (language === 'python') {
    const tokens = lexPython(code, { onShell: embeddedShell, onWriteFile: (p) => sinks.written.add(toFilePath(p)) });
    const aliases = new Map<string, string>();
    scanPythonImports(tokens, sinks.imports, aliases);
    scanPythonFiles(tokens, aliases, sinks, embeddedShell);
    releasePythonTokens(tokens);
  } else if (language === 'javascript' || language === 'typescript') {
    const tokens = lexJs(code);
    scanJsImports(tokens, sinks.imports);
    scanJsFiles(tokens, sinks);
  } else if (language === 'shell') {
    scanShellFiles(code, sinks, (embedded, lang) => {
      if (depth < MAX_EMBED_DEPTH) scan(embedded, lang, sinks, depth + 1);
    });
  }
}

/**
 * Derives metadata from code: its hash, language (given — aliases like `py`,
 * `bash`, `ts` normalised — else sniffed), the top-level packages it imports,
 * the files it writes and reads, and — only when `output` or `exitCode` is
 * given — whether running it failed (see `detectError`).
 *
 * Only the first `maxScanChars` (default 1 000 000) characters are scanned
 * for imports and files (`truncated: true` then); the hash and `length`
 * cover the whole code. Comments and string contents never count as code.
 * Never throws: on an internal failure the lists are empty.
 *
 * @example
 * extractCodeMetadata('import numpy as np\nnp.save("a.npy", x)')
 * // { language: 'python', imports: ['numpy'], filesWritten: ['a.npy'], filesRead: [], ... }
 */
export function extractCodeMetadata(code: string, options?: CodeMetadataOptions): CodeMetadata {
  return guarded(
    () => extractUnsafe(code, options),
    () => ({ codeHash: codeHash(asText(code)), language: 'unknown', imports: [], filesWritten: [], filesRead: [], length: asText(code).length }),
  );
}

function extractUnsafe(code: unknown, options: unknown): CodeMetadata {
  const text = asText(code);
  const opts: CodeMetadataOptions = typeof options === 'object' && options !== null ? (options as CodeMetadataOptions) : {};
  const limit = scanLimit(opts.maxScanChars);
  const truncated = text.length > limit;
  const head = truncated ? text.slice(0, limit) : text;
  const scanned = head.includes('\r') ? head.replace(/\r\n?/g, '\n') : head; // skip the regex pass on the usual \n-only input
  const language = guarded(
    () => normaliseLanguage(opts.language) ?? sniffLanguage(scanned),
    () => 'unknown',
  );
  const sinks: Sinks = { imports: new OrderedSet(), written: new OrderedSet(), read: new OrderedSet() };
  const lists = guarded(
    () => {
      scan(scanned, language, sinks, 0);
      return { imports: sinks.imports.toArray(), filesWritten: sinks.written.toArray(), filesRead: sinks.read.toArray() };
    },
    () => ({ imports: [] as string[], filesWritten: [] as string[], filesRead: [] as string[] }),
  );
  const result: CodeMetadata = { codeHash: codeHash(text), language, ...lists, length: text.length };
  if (opts.output !== undefined || opts.exitCode !== undefined) {
    const err = detectError(typeof opts.output === 'string' ? opts.output : undefined, opts.exitCode);
    result.hasError = err.hasError;
    if (err.errorType !== undefined) result.errorType = err.errorType;
    if (err.errorMessage !== undefined) result.errorMessage = err.errorMessage;
  }
  if (truncated) result.truncated = true;
  return result;
}
