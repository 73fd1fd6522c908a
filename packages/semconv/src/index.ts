export {
  EventType,
  EVENT_SUBTYPE,
  EXECUTION_EVENT_TYPES,
  EventStatus,
  SUCCESS_WORDS,
  EVENT_SUCCESS_WORDS,
  eventStatusFailed,
  RunStatus,
  GenAiOperation,
  FileSource,
  TOOL_CODE_ARGUMENTS,
  toolCodeArgument,
} from './event-types.js';
export * as Attr from './attributes.js';
export * as ForeignAttr from './foreign-attributes.js';
export {
  runSpanName,
  nodeSpanName,
  agentCallSpanName,
  codeExecutionSpanName,
  toolCallSpanName,
  fileGenSpanName,
  handoffSpanName,
} from './span-names.js';
export * as Metrics from './metrics.js';
