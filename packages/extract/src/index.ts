/**
 * `@agentspan/extract`: pure, synchronous, total functions that derive
 * metadata from agent code, messages and tool results. No OpenTelemetry, no
 * I/O; linear-time; never throw.
 */
export { extractCodeMetadata } from './code-metadata.js';
export { codeHash } from './code-hash.js';
export { detectError } from './errors.js';
export { extractFileReferences } from './file-references.js';
export { extractMessageMetadata } from './message-metadata.js';
export { extractGeneratedFiles, mayBeJsonDocument } from './tool-result-files.js';
export { sniffLanguage } from './language-sniff.js';
export { createRedactor } from './redact.js';
export { TRUNCATION_MARK } from './redact-cut.js';
export { normalisePath } from './paths.js';
export type {
  CodeBlock,
  CodeMetadata,
  CodeMetadataOptions,
  ErrorInfo,
  MessageMetadata,
  MessageMetadataOptions,
  RedactCallOptions,
  RedactionPattern,
  RedactionResult,
  Redactor,
  RedactorOptions,
} from './types.js';
