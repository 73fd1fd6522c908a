/**
 * Ending a span with what the caller's end options (`end({ ... })` of an
 * event, node or run) say, whatever they are. Reading them may throw (a
 * proxy, a getter); the span must end anyway: a span never ended is never
 * exported, and its event, node or run row would be lost for good.
 */
import { SpanStatusCode, type Span, type TimeInput } from '@opentelemetry/api';
import { Attr, eventStatusFailed } from '@agentspan/semconv';
import type { AttributeBag } from './event-attributes.js';
import { reportFailure } from './guard.js';
import { headOf } from './safe-json.js';
import { checkedTime } from './time-input.js';

/** Longest status message set on a span (the full message is in `agentspan.error.message`). */
const MAX_STATUS_MESSAGE = 1000;

/**
 * Sets the span's status to ERROR when the bag recorded an error, with its message, or a status
 * saying a failure with no error (`end({ status: 'failed' })`, `'error'`, `'timeout'`:
 * `eventStatusFailed`, the reading of the outcomes view): its row reads failed, and Jaeger must not
 * show the span as a success (nodes and runs do the same).
 */
export function statusFromBag(span: Span, bag: AttributeBag): void {
  const attrs = bag.attributes;
  if (attrs[Attr.ATTR_HAS_ERROR] !== true) {
    // No message: the row's error_message stays empty (there was no error to tell of).
    const status = attrs[Attr.ATTR_STATUS];
    if (typeof status === 'string' && eventStatusFailed(status)) span.setStatus({ code: SpanStatusCode.ERROR });
    return;
  }
  const message = attrs[Attr.ATTR_ERROR_MESSAGE];
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof message === 'string' ? headOf(message, MAX_STATUS_MESSAGE) : 'error' });
}

/**
 * Ends `span` at the end time `endTimeOf` reads, after `fill` has put the
 * end attributes into `bag`. Each step is guarded on its own (failures are
 * logged once per `site`): whatever could be read is set, and the span
 * ends in every case, at the current time when the end time is unreadable.
 * An end where any step failed (agentspan's own code, or a hook it calls:
 * a span processor that throws in `onEnd`) is counted once in `failures`
 * (`Recorder.openHandleStats().failed`): its row may lack what that step
 * would have set, or be lost.
 */
export function endSpan(site: string, span: Span, bag: AttributeBag, endTimeOf: () => unknown, fill: () => void, failures: { count: number }): void {
  let failed = false;
  const fail = (err: unknown): void => {
    failed = true;
    reportFailure(site, err);
  };
  let endTime: TimeInput | undefined;
  try {
    endTime = checkedTime(endTimeOf());
  } catch (err) {
    fail(err);
  }
  try {
    fill();
  } catch (err) {
    fail(err);
  }
  try {
    span.setAttributes(bag.finish());
    statusFromBag(span, bag);
  } catch (err) {
    fail(err);
  }
  try {
    span.end(endTime);
  } catch (err) {
    fail(err);
  }
  if (failed) failures.count += 1;
}
