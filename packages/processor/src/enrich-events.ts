import type { AttributeValue, Attributes } from '@opentelemetry/api';
import {
  codeHash,
  extractCodeMetadata,
  extractGeneratedFiles,
  extractMessageMetadata,
  mayBeJsonDocument,
  normalisePath,
  type CodeMetadataOptions,
} from '@agentspan/extract';
import { Attr, TOOL_CODE_ARGUMENTS, toolCodeArgument } from '@agentspan/semconv';

/**
 * Derives metadata from an ending event span's own attributes and sets it on
 * the span; returns the paths of files the event generated (the processor
 * decides what to do with those).
 *
 * The attributes are written straight onto the span, one `setAttribute`
 * each: in SDK 2.x `setAttributes(map)` is a loop over `setAttribute`, so
 * building a map first only adds an object (with computed keys, a slow
 * literal) per event. The key order on the span is the same either way.
 */

/** The span being enriched: read through `attributes`, written through `setAttribute` (the SDK's checks and limits apply). */
export interface EnrichTarget {
  readonly attributes: Attributes;
  setAttribute(key: string, value: AttributeValue): unknown;
}

/** Shared result when no file was generated (never mutated). */
const NO_FILES: readonly string[] = Object.freeze([]);

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function setIfAbsent(span: EnrichTarget, key: string, value: AttributeValue | undefined): void {
  if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value);
}

function uniquePaths(paths: readonly string[]): readonly string[] {
  if (paths.length === 0) return NO_FILES;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const n = normalisePath(p);
    if (n !== undefined && !seen.has(n)) {
      seen.add(n);
      out.push(n);
    }
  }
  return out;
}

/** `code_exec`: hash, language, imports, files written/read, errors. */
export function enrichCodeExecution(span: EnrichTarget, maxScanChars: number): readonly string[] {
  const attrs = span.attributes;
  const code = str(attrs[Attr.ATTR_CODE_CONTENT]);
  if (code === undefined) return NO_FILES;
  const options: CodeMetadataOptions = { maxScanChars };
  const language = str(attrs[Attr.ATTR_CODE_LANGUAGE]);
  if (language !== undefined) options.language = language;
  const output = str(attrs[Attr.ATTR_CODE_OUTPUT]);
  if (output !== undefined) options.output = output;
  const exitCode = num(attrs[Attr.ATTR_CODE_EXIT_CODE]);
  if (exitCode !== undefined) options.exitCode = exitCode;
  const md = extractCodeMetadata(code, options);
  const hasError = attrs[Attr.ATTR_HAS_ERROR] === true || md.hasError === true; // read before it is written
  span.setAttribute(Attr.ATTR_CODE_HASH, md.codeHash);
  span.setAttribute(Attr.ATTR_CODE_IMPORTS, md.imports);
  span.setAttribute(Attr.ATTR_CODE_FILES_WRITTEN, md.filesWritten);
  span.setAttribute(Attr.ATTR_CODE_FILES_READ, md.filesRead);
  span.setAttribute(Attr.ATTR_HAS_ERROR, hasError);
  setIfAbsent(span, Attr.ATTR_CODE_LANGUAGE, md.language);
  setIfAbsent(span, Attr.ATTR_CODE_LENGTH, md.length);
  setIfAbsent(span, Attr.ATTR_ERROR_TYPE, md.errorType);
  setIfAbsent(span, Attr.ATTR_ERROR_MESSAGE, md.errorMessage);
  if (md.truncated) span.setAttribute(Attr.ATTR_TRUNCATED, true);
  return uniquePaths(md.filesWritten);
}

/** First character of `text` after leading whitespace, as `trimStart` sees it, without copying the text. */
function firstChar(text: string): string | undefined {
  return text.length > 0 && text.charCodeAt(0) > 32 && text.charCodeAt(0) < 127 ? text[0] : text.trimStart()[0];
}

/**
 * `text` parsed when it is JSON, else `text`. Objects and arrays are parsed
 * only after `mayBeJsonDocument`'s linear check: `JSON.parse` takes some
 * 40 ms per MB to fail on an unclosed `[[[[…`, on the application's thread.
 */
function parseJson(text: string): unknown {
  const first = firstChar(text);
  if (first !== '{' && first !== '[' && first !== '"') return text;
  if (first !== '"' && !mayBeJsonDocument(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Arguments JSON that could hold one of `TOOL_CODE_ARGUMENTS` as a key: written
 * out, or behind a `\u` escape (the only JSON escape that yields a letter).
 * Arguments without either are not parsed at all.
 */
const CODE_KEY_RE = new RegExp(`"(?:${TOOL_CODE_ARGUMENTS.join('|')})"|\\\\u`);

/** The `code` argument of a code-running tool (`execute_python({ code })`), if any. */
function codeArgument(args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  return toolCodeArgument(args as Record<string, unknown>);
}

/** Language a code-running tool implies by its name (`execute_python`, `bash`). */
function languageOfTool(tool: string | undefined): string | undefined {
  if (!tool) return undefined;
  const t = tool.toLowerCase();
  if (t.includes('python') || t.includes('ipython')) return 'python';
  if (t.includes('bash') || t.includes('shell') || t === 'sh') return 'shell';
  if (t.includes('node') || t.includes('javascript')) return 'javascript';
  return undefined;
}

/** `tool_call`: files named in the result; code metadata when the tool ran code. */
export function enrichToolCall(span: EnrichTarget, maxScanChars: number): readonly string[] {
  const attrs = span.attributes;
  let files: string[] | undefined;
  let errorSet = false;
  const argsText = str(attrs[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
  const resultText = str(attrs[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]);
  if (argsText !== undefined) {
    const scanned = argsText.slice(0, maxScanChars);
    const code = CODE_KEY_RE.test(scanned) ? codeArgument(parseJson(scanned)) : undefined;
    if (code !== undefined) {
      const options: CodeMetadataOptions = { maxScanChars };
      const language = languageOfTool(str(attrs[Attr.ATTR_GEN_AI_TOOL_NAME]));
      if (language !== undefined) options.language = language;
      if (resultText !== undefined) options.output = resultText;
      const md = extractCodeMetadata(code, options);
      span.setAttribute(Attr.ATTR_CODE_HASH, md.codeHash);
      span.setAttribute(Attr.ATTR_CODE_LANGUAGE, md.language);
      span.setAttribute(Attr.ATTR_CODE_IMPORTS, md.imports);
      span.setAttribute(Attr.ATTR_CODE_FILES_WRITTEN, md.filesWritten);
      span.setAttribute(Attr.ATTR_CODE_FILES_READ, md.filesRead);
      files = [...md.filesWritten];
      if (md.hasError) {
        span.setAttribute(Attr.ATTR_HAS_ERROR, true);
        errorSet = true;
      }
      setIfAbsent(span, Attr.ATTR_ERROR_TYPE, md.errorType);
      setIfAbsent(span, Attr.ATTR_ERROR_MESSAGE, md.errorMessage);
    }
  }
  if (resultText !== undefined) {
    const named = extractGeneratedFiles(parseJson(resultText.slice(0, maxScanChars)));
    if (named.length > 0) (files ??= []).push(...named);
  }
  if (!errorSet) span.setAttribute(Attr.ATTR_HAS_ERROR, attrs[Attr.ATTR_HAS_ERROR] === true);
  return files === undefined ? NO_FILES : uniquePaths(files);
}

/** Most code blocks of one message hashed (each hash costs a pass over its block). */
const MAX_HASHED_BLOCKS = 20;

/** The code hashes of the first blocks, each once, in order. */
function blockHashes(blocks: readonly { code: string }[]): string[] {
  const hashes = new Set<string>();
  for (const block of blocks.slice(0, MAX_HASHED_BLOCKS)) hashes.add(codeHash(block.code));
  return [...hashes];
}

/** Where an agent message declares tool calls as JSON. */
const TOOL_CALLS_JSON_RE = /"tool_calls"\s*:\s*\[\s*\{/;

/** `agent_call`: file references and code blocks in the message. */
export function enrichAgentCall(span: EnrichTarget, maxScanChars: number): readonly string[] {
  const attrs = span.attributes;
  const content = str(attrs[Attr.ATTR_MESSAGE_CONTENT]);
  if (content === undefined) return NO_FILES;
  const md = extractMessageMetadata(content, { maxScanChars });
  span.setAttribute(Attr.ATTR_MESSAGE_FILE_REFS, md.fileRefs);
  span.setAttribute(Attr.ATTR_MESSAGE_HAS_CODE, md.hasCode);
  span.setAttribute(Attr.ATTR_MESSAGE_CODE_LANGUAGES, md.codeLanguages);
  if (md.codeBlocks.length > 0) span.setAttribute(Attr.ATTR_MESSAGE_CODE_HASHES, blockHashes(md.codeBlocks));
  setIfAbsent(span, Attr.ATTR_MESSAGE_LENGTH, content.length);
  if (attrs[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS] === undefined) {
    span.setAttribute(Attr.ATTR_MESSAGE_HAS_TOOL_CALLS, TOOL_CALLS_JSON_RE.test(content.slice(0, 65_536)));
  }
  if (md.truncated) span.setAttribute(Attr.ATTR_TRUNCATED, true);
  return NO_FILES;
}
