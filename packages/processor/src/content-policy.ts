import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { Redactor } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';

/**
 * What the processor does to a span's values before any exporter sees them:
 * secret redaction over every string attribute, and, when content capture is
 * off, removal of the content attributes (keeping hashes, sizes and names).
 */

/** Attributes holding content (messages, code, outputs, arguments, results, file bodies). */
export const CONTENT_KEYS: readonly string[] = [
  Attr.ATTR_MESSAGE_CONTENT,
  Attr.ATTR_MESSAGE_CONTEXT,
  Attr.ATTR_CODE_CONTENT,
  Attr.ATTR_CODE_OUTPUT,
  Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  Attr.ATTR_GEN_AI_TOOL_CALL_RESULT,
  Attr.ATTR_FILE_CONTENT,
];

/**
 * The named values a row in progress holds besides ids (a run's mode, a
 * node's type and agent, an event's agent, role, step and session; see
 * `runInProgress`, `nodeInProgress` and `eventInProgress` in
 * `@agentspan/exporter-postgres`'s row mapper): what `prepareRunning`
 * redacts while a span runs. The rest, content above all, is redacted at
 * the end.
 */
export const IN_PROGRESS_KEYS: readonly string[] = [
  Attr.ATTR_RUN_MODE,
  Attr.ATTR_GEN_AI_WORKFLOW_NAME,
  Attr.ATTR_NODE_TYPE,
  Attr.ATTR_GEN_AI_AGENT_NAME,
  Attr.ATTR_AGENT_ROLE,
  Attr.ATTR_STEP_ID,
  Attr.ATTR_SESSION_ID,
];

/** Identity and derived keys that never hold secrets: skipped by redaction (they are hot and numerous). */
const NOT_REDACTED = new Set<string>([
  Attr.ATTR_EVENT_TYPE,
  Attr.ATTR_RUN_ID,
  Attr.ATTR_NODE_ID,
  Attr.ATTR_GEN_AI_CONVERSATION_ID,
  Attr.ATTR_GEN_AI_OPERATION_NAME,
  Attr.ATTR_CODE_HASH,
  Attr.ATTR_CODE_LANGUAGE,
  Attr.ATTR_FILE_SHA256,
  Attr.ATTR_FILE_TYPE,
  Attr.ATTR_STATUS,
  Attr.ATTR_RUN_STATUS,
]);

/** What {@link redactAttributes} found. */
export interface RedactedAttributes {
  /** The replacement values, by key. */
  readonly changes: Attributes;
  /** Secrets replaced. */
  readonly redactions: number;
}

/**
 * Redacts secrets in every string (and string array) attribute; returns the
 * replacements to apply and the number of secrets found, or `undefined`
 * when there was none (the common case allocates nothing here). Values
 * `done` holds for their key (what an earlier pass left, unchanged since)
 * are skipped: redacted once, never twice, whatever the redactor's rules.
 */
export function redactAttributes(attrs: Attributes, redactor: Redactor, done?: ReadonlyMap<string, AttributeValue>): RedactedAttributes | undefined {
  let changes: Attributes | undefined;
  let redactions = 0;
  for (const key in attrs) {
    const value: AttributeValue | undefined = attrs[key];
    if (done !== undefined && value !== undefined && done.get(key) === value) continue;
    if (typeof value === 'string') {
      // Length first: most attributes are short names and numbers-as-text, cheaper to rule out than a set lookup.
      if (value.length < 8 || NOT_REDACTED.has(key)) continue;
      const r = redactor.redact(value);
      if (r.redactions > 0) {
        (changes ??= {})[key] = r.text;
        redactions += r.redactions;
      }
    } else if (Array.isArray(value) && !NOT_REDACTED.has(key)) {
      const next = redactArray(value, redactor);
      if (next !== undefined) {
        (changes ??= {})[key] = next.values;
        redactions += next.redactions;
      }
    }
  }
  return changes === undefined ? undefined : { changes, redactions };
}

/** A string array with its secrets replaced, or `undefined` when it holds none. */
function redactArray(value: readonly unknown[], redactor: Redactor): { values: string[]; redactions: number } | undefined {
  let out: unknown[] | undefined;
  let redactions = 0;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'string') continue;
    const r = redactor.redact(v);
    if (r.redactions > 0) {
      out ??= value.slice();
      out[i] = r.text;
      redactions += r.redactions;
    }
  }
  return out === undefined ? undefined : { values: out as string[], redactions };
}

/** The parts of an SDK span besides its attributes that can carry text from the application. */
export interface SpanTextParts {
  status: { code: number; message?: string | undefined };
  readonly events: { attributes?: Attributes | undefined }[];
}

/**
 * Redacts the span's status message and the attributes of its events (an
 * `exception` event's `exception.message` and `exception.stacktrace`
 * repeat the error that `agentspan.error.message` holds), in place; returns
 * the number of secrets replaced. Runs in `onEnding`, while the span is
 * still writable: the status and the events are its own records.
 */
export function redactStatusAndEvents(span: SpanTextParts, redactor: Redactor): number {
  let redactions = 0;
  const message = span.status.message;
  if (typeof message === 'string' && message.length >= 8) {
    const r = redactor.redact(message);
    if (r.redactions > 0) {
      span.status = { ...span.status, message: r.text };
      redactions += r.redactions;
    }
  }
  for (const event of span.events) {
    const attrs = event.attributes;
    if (attrs === undefined) continue;
    const found = redactAttributes(attrs, redactor);
    if (found !== undefined) {
      event.attributes = { ...attrs, ...found.changes };
      redactions += found.redactions;
    }
  }
  return redactions;
}

/** What {@link redactName} needs of a span. */
export interface NamedSpan {
  readonly name: string;
  updateName(name: string): unknown;
}

/**
 * Redacts the span's name in place (the SDK lets it change until the span
 * has ended); returns the number of secrets replaced. Names are built from
 * what the application passed (an agent, a tool, a file path that may be a
 * URL with a token in its query), and they reach `execution_events.name`
 * and Jaeger as they are.
 */
export function redactName(span: NamedSpan, redactor: Redactor, clean?: CleanNames): number {
  const name = span.name;
  if (typeof name !== 'string' || name.length < 8 || clean?.has(name) === true) return 0;
  const r = redactor.redact(name);
  if (r.redactions > 0) span.updateName(r.text);
  else clean?.add(name);
  return r.redactions;
}

/** Most names {@link CleanNames} remembers before it starts again. */
const MAX_CLEAN_NAMES = 1024;

/**
 * Span names lately found clean. A run repeats a few names (its agents and
 * tools) thousands of times, and screening each again cost about 4 000
 * instructions per span (the `_` of `invoke_agent` sends every name
 * through the full screen); a lookup costs a few hundred. Names that change
 * every time (file paths) only fill it: it is emptied when full. Per
 * redactor: what is clean depends on the rules.
 */
export class CleanNames {
  private readonly names = new Set<string>();
  has(name: string): boolean {
    return this.names.has(name);
  }
  add(name: string): void {
    if (this.names.size >= MAX_CLEAN_NAMES) this.names.clear();
    this.names.add(name);
  }
}

/**
 * Removes content attributes in place. The SDK offers no `removeAttribute`;
 * in SDK 2.x a span's `attributes` is its own mutable record, and this runs
 * in `onEnding`, while the span is still writable.
 */
export function stripContent(attrs: Attributes): void {
  for (const key of CONTENT_KEYS) {
    if (key in attrs) delete attrs[key];
  }
}
