import type { AttributeValue, Attributes } from '@opentelemetry/api';
import {
  extractCodeMetadata,
  extractGeneratedFiles,
  extractMessageMetadata,
  normalisePath,
} from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';

/**
 * Derives metadata from an ending event span's own attributes and returns
 * the attributes to add, plus the paths of files the event generated. Pure
 * apart from reading `attributes`: the processor decides what to do with
 * the result.
 */

/** What enrichment found for one span. */
export interface Enrichment {
  readonly attributes: Attributes;
  /** Paths (as written by the event, normalised) of files it generated. */
  readonly generatedFiles: string[];
}

const EMPTY: Enrichment = { attributes: {}, generatedFiles: [] };

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function setIfAbsent(out: Attributes, attrs: Attributes, key: string, value: AttributeValue | undefined): void {
  if (value !== undefined && attrs[key] === undefined) out[key] = value;
}

function uniquePaths(paths: Iterable<string>): string[] {
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
export function enrichCodeExecution(attrs: Attributes, maxScanChars: number): Enrichment {
  const code = str(attrs[Attr.ATTR_CODE_CONTENT]);
  if (code === undefined) return EMPTY;
  const output = str(attrs[Attr.ATTR_CODE_OUTPUT]);
  const exitCode = num(attrs[Attr.ATTR_CODE_EXIT_CODE]);
  const language = str(attrs[Attr.ATTR_CODE_LANGUAGE]);
  const md = extractCodeMetadata(code, {
    ...(language !== undefined ? { language } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    maxScanChars,
  });
  const out: Attributes = {
    [Attr.ATTR_CODE_HASH]: md.codeHash,
    [Attr.ATTR_CODE_IMPORTS]: md.imports,
    [Attr.ATTR_CODE_FILES_WRITTEN]: md.filesWritten,
    [Attr.ATTR_CODE_FILES_READ]: md.filesRead,
    [Attr.ATTR_HAS_ERROR]: attrs[Attr.ATTR_HAS_ERROR] === true || md.hasError === true,
  };
  setIfAbsent(out, attrs, Attr.ATTR_CODE_LANGUAGE, md.language);
  setIfAbsent(out, attrs, Attr.ATTR_CODE_LENGTH, md.length);
  setIfAbsent(out, attrs, Attr.ATTR_ERROR_TYPE, md.errorType);
  setIfAbsent(out, attrs, Attr.ATTR_ERROR_MESSAGE, md.errorMessage);
  if (md.truncated) out[Attr.ATTR_TRUNCATED] = true;
  return { attributes: out, generatedFiles: uniquePaths(md.filesWritten) };
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The `code` argument of a code-running tool (`execute_python({ code })`), if any. */
function codeArgument(args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  const a = args as Record<string, unknown>;
  for (const key of ['code', 'source', 'script', 'command', 'cmd']) {
    const v = a[key];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
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
export function enrichToolCall(attrs: Attributes, maxScanChars: number): Enrichment {
  const out: Attributes = {};
  const files: string[] = [];
  const argsText = str(attrs[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
  const resultText = str(attrs[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]);
  if (argsText !== undefined) {
    const code = codeArgument(parseJson(argsText.slice(0, maxScanChars)));
    if (code !== undefined) {
      const language = languageOfTool(str(attrs[Attr.ATTR_GEN_AI_TOOL_NAME]));
      const md = extractCodeMetadata(code, {
        ...(language !== undefined ? { language } : {}),
        ...(resultText !== undefined ? { output: resultText } : {}),
        maxScanChars,
      });
      out[Attr.ATTR_CODE_HASH] = md.codeHash;
      out[Attr.ATTR_CODE_LANGUAGE] = md.language;
      out[Attr.ATTR_CODE_IMPORTS] = md.imports;
      out[Attr.ATTR_CODE_FILES_WRITTEN] = md.filesWritten;
      out[Attr.ATTR_CODE_FILES_READ] = md.filesRead;
      files.push(...md.filesWritten);
      if (md.hasError) out[Attr.ATTR_HAS_ERROR] = true;
      setIfAbsent(out, attrs, Attr.ATTR_ERROR_TYPE, md.errorType);
    }
  }
  if (resultText !== undefined) {
    files.push(...extractGeneratedFiles(parseJson(resultText.slice(0, maxScanChars))));
  }
  if (out[Attr.ATTR_HAS_ERROR] === undefined) out[Attr.ATTR_HAS_ERROR] = attrs[Attr.ATTR_HAS_ERROR] === true;
  return { attributes: out, generatedFiles: uniquePaths(files) };
}

/** `agent_call`: file references and code blocks in the message. */
export function enrichAgentCall(attrs: Attributes, maxScanChars: number): Enrichment {
  const content = str(attrs[Attr.ATTR_MESSAGE_CONTENT]);
  if (content === undefined) return EMPTY;
  const md = extractMessageMetadata(content, { maxScanChars });
  const out: Attributes = {
    [Attr.ATTR_MESSAGE_FILE_REFS]: md.fileRefs,
    [Attr.ATTR_MESSAGE_HAS_CODE]: md.hasCode,
    [Attr.ATTR_MESSAGE_CODE_LANGUAGES]: md.codeLanguages,
  };
  setIfAbsent(out, attrs, Attr.ATTR_MESSAGE_LENGTH, content.length);
  if (attrs[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS] === undefined) {
    out[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS] = /"tool_calls"\s*:\s*\[\s*\{/.test(content.slice(0, 65_536));
  }
  if (md.truncated) out[Attr.ATTR_TRUNCATED] = true;
  return { attributes: out, generatedFiles: [] };
}
