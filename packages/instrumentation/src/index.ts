export { createRecorder, DEFAULT_MAX_CONTENT_CHARS, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './recorder.js';
export type { Recorder, RecorderOptions, AttachedRecorder, OpenHandleStats } from './recorder.js';
export { createWorkflowCallbacks } from './workflow-callbacks.js';
export type { WorkflowCallbacksOptions } from './workflow-callbacks.js';
export { formatTraceparent, parseTraceparent } from './traceparent.js';
export { toRunReference } from './ids.js';
export { UNREADABLE, headOf, safeJson, safeText } from './safe-json.js';
export { BoundedMap } from './bounded-map.js';
export { activeRecording, runIdOf } from './active-recording.js';
export type { ActiveRecording } from './active-recording.js';
export { createAttributeRecord, toAttributeRecord } from './attribute-record.js';
export type {
  AgentCallEvent,
  AgentCallResult,
  CodeExecutionEvent,
  CodeExecutionResult,
  EndNodeOptions,
  EndRunOptions,
  EventBase,
  EventHandle,
  EventRecorder,
  EventTime,
  EventTiming,
  FileGeneratedEvent,
  HandoffEvent,
  NodeHandle,
  RunHandle,
  RunReference,
  StartNodeOptions,
  StartRunOptions,
  ToolCallEvent,
  ToolCallResult,
  WorkflowCallbacks,
} from './types.js';
