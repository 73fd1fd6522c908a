export { ExecutionEventSpanProcessor } from './execution-event-span-processor.js';
export type { ProcessorStats } from './execution-event-span-processor.js';
export type { ExecutionEventSpanProcessorOptions, FileCaptureConfig, RedactionConfig } from './types.js';
export {
  captureFile,
  resolveFilePath,
  DEFAULT_TEXT_EXTENSIONS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_CONTENT_BYTES,
} from './file-capture.js';
export type { CapturedFile, FileCaptureOptions, SkipReason } from './file-capture.js';
export { CONTENT_KEYS } from './content-policy.js';
export { classifyForeignSpan } from './genai-mapping.js';
export type { ForeignConvention, ForeignKind, ForeignSpanClass } from './genai-mapping.js';
