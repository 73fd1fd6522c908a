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

/**
 * Redacts secrets in every string (and string array) attribute; returns the
 * replacements to apply and the number of secrets found.
 */
export function redactAttributes(attrs: Attributes, redactor: Redactor): { changes: Attributes; redactions: number } {
  const changes: Attributes = {};
  let redactions = 0;
  for (const key of Object.keys(attrs)) {
    if (NOT_REDACTED.has(key)) continue;
    const value: AttributeValue | undefined = attrs[key];
    if (typeof value === 'string') {
      if (value.length < 8) continue;
      const r = redactor.redact(value);
      if (r.redactions > 0) {
        changes[key] = r.text;
        redactions += r.redactions;
      }
    } else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
      let changed = false;
      const next = (value as unknown[]).map((v) => {
        if (typeof v !== 'string') return v;
        const r = redactor.redact(v);
        if (r.redactions > 0) {
          changed = true;
          redactions += r.redactions;
          return r.text;
        }
        return v;
      });
      if (changed) changes[key] = next as string[];
    }
  }
  return { changes, redactions };
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
