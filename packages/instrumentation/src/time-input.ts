/**
 * Times given by the application (`startTime`, `endTime`), checked before
 * they reach the SDK. The SDK takes any `TimeInput` as it comes: an invalid
 * `Date` or `NaN` becomes a span whose times are `NaN`, which the OTLP
 * exporter cannot encode (it fails the whole batch, every other span of it
 * included) and which reaches Postgres as a row without a start time.
 */
import { diag, type HrTime, type TimeInput } from '@opentelemetry/api';

let warned = false;

/** Latest time OTLP can carry: 2^64 - 1 nanoseconds after the epoch (July 2554), in milliseconds and seconds. */
const MAX_EPOCH_MILLIS = 18_446_744_073_709;
const MAX_EPOCH_SECONDS = 18_446_744_073;

function isHrTime(value: unknown): value is HrTime {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    (value[0] as number) <= MAX_EPOCH_SECONDS &&
    Number.isInteger(value[1]) &&
    (value[0] as number) >= 0 &&
    (value[1] as number) >= 0 &&
    (value[1] as number) < 1e9
  );
}

/**
 * `value` when it is a usable time: a valid `Date`, a non-negative number
 * (epoch or `performance.now()` milliseconds, as the SDK reads them) or an
 * `[seconds, nanoseconds]` pair, from the epoch to the last time OTLP can
 * carry (2554); else `undefined` (the SDK then takes the current time),
 * logged once through `diag`. Times before 1970 are refused too: OTLP's
 * times are unsigned.
 */
export function checkedTime(value: unknown): TimeInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (value >= 0 && value <= MAX_EPOCH_MILLIS) return value;
  } else {
    try {
      const usable = usableObjectTime(value);
      if (usable !== undefined) return usable;
    } catch {
      // A revoked proxy, a Proxy around a Date (its getTime throws): not a time we can read.
    }
  }
  if (!warned) {
    warned = true;
    diag.warn('agentspan: an unusable startTime/endTime (an invalid Date, NaN, a time before 1970 or after 2554, a malformed [seconds, nanoseconds]) was replaced by the current time (logged once)');
  }
  return undefined;
}

/** A `Date` or `[seconds, nanoseconds]` in range, else `undefined`; may throw on a hostile object. */
function usableObjectTime(value: unknown): TimeInput | undefined {
  if (value instanceof Date) {
    // The intrinsic getTime: it throws for a Proxy around a Date, and ignores a getTime replaced on
    // the instance. The SDK reads the time again: it gets this Date only when that is safe.
    const ms = Date.prototype.getTime.call(value);
    if (!(ms >= 0 && ms <= MAX_EPOCH_MILLIS)) return undefined;
    return value.getTime === Date.prototype.getTime ? value : new Date(ms);
  }
  return isHrTime(value) ? value : undefined;
}

/** `{ startTime }` for span options when the time is usable, else `{}` (the SDK's now). */
export function startTimeOption(value: unknown): { startTime?: TimeInput } {
  const startTime = checkedTime(value);
  return startTime === undefined ? {} : { startTime };
}
