/**
 * Times given by the application (`startTime`, `endTime`), checked before
 * they reach the SDK. The SDK takes any `TimeInput` as it comes: an invalid
 * `Date` or `NaN` becomes a span whose times are `NaN`, which the OTLP
 * exporter cannot encode (it fails the whole batch, every other span of it
 * included) and which reaches Postgres as a row without a start time.
 */
import { diag, type HrTime, type TimeInput } from '@opentelemetry/api';

let warned = false;
let warnedMonotonic = false;

/**
 * 2000-01-01T00:00:00Z in seconds since the epoch. A `[seconds, nanoseconds]`
 * pair before it is no epoch time anyone records a span at: it is a
 * `process.hrtime()` reading (seconds since an arbitrary origin, the boot on
 * Linux), which OTel's `TimeInput` would take for epoch time and date in 1970.
 */
const EARLIEST_PLAUSIBLE_EPOCH_SECONDS = 946_684_800;

/**
 * Latest time OTLP can carry: 2^64 - 1 nanoseconds after the epoch (July 2554), in milliseconds, and as
 * `[seconds, nanoseconds]`: 18 446 744 073 s and 709 551 615 ns.
 */
const MAX_EPOCH_MILLIS = 18_446_744_073_709;
const MAX_EPOCH_SECONDS = 18_446_744_073;
const MAX_NANOS_IN_LAST_SECOND = 709_551_615;

/** A well-formed `[seconds, nanoseconds]` from the epoch to the last time OTLP can carry. */
function isHrTime(value: unknown): value is HrTime {
  if (!Array.isArray(value) || value.length !== 2) return false;
  // Read by index, as the SDK reads it (destructuring would run the array's iterator, which may lie).
  const seconds: unknown = value[0];
  const nanos: unknown = value[1];
  return (
    Number.isSafeInteger(seconds) &&
    Number.isInteger(nanos) &&
    (seconds as number) >= 0 &&
    (nanos as number) >= 0 &&
    (nanos as number) < 1e9 &&
    ((seconds as number) < MAX_EPOCH_SECONDS || ((seconds as number) === MAX_EPOCH_SECONDS && (nanos as number) <= MAX_NANOS_IN_LAST_SECOND))
  );
}

/**
 * An ISO 8601 / RFC 3339 date-time with its offset (`Z` or `±hh:mm`), as
 * frameworks serialise timestamps (Python's `isoformat()`, `toISOString()`).
 * One without an offset is refused: local time of which machine?
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))$/;

/**
 * The `[seconds, nanoseconds]` an ISO date-time names, to the nanosecond
 * (`Date.parse` keeps milliseconds, and rolls February 30 over into March);
 * `undefined` when it is not one, or names no real time.
 */
function isoTime(text: string): HrTime | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  // Date.UTC rolls invalid fields over (day 30 of February, hour 24, second 60): refused instead.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
    check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const seconds = (local - offset) / 1000;
  const time: HrTime = [seconds, Number((m[7] ?? '').padEnd(9, '0'))];
  return isHrTime(time) ? time : undefined;
}

/**
 * `value` when it is a usable time: a valid `Date` (of any realm: a `vm`
 * context's or a test environment's too), a non-negative number (epoch or
 * `performance.now()` milliseconds, as the SDK reads them), an
 * `[seconds, nanoseconds]` pair, or an ISO 8601 date-time string with its
 * offset, from the epoch to the last time OTLP can carry (2554); else
 * `undefined` (the SDK then takes the current time), logged once through
 * `diag`. Times before 1970 are refused too: OTLP's times are unsigned. A
 * pair before 2000 is a `process.hrtime()` reading, refused with a warning
 * of its own (see {@link monotonicReading}).
 */
export function checkedTime(value: unknown): TimeInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (value >= 0 && value <= MAX_EPOCH_MILLIS) return value;
  } else if (typeof value === 'string') {
    const time = isoTime(value);
    if (time !== undefined) return time;
  } else {
    try {
      if (isHrTime(value) && value[0] < EARLIEST_PLAUSIBLE_EPOCH_SECONDS) return monotonicReading();
      const usable = usableObjectTime(value);
      if (usable !== undefined) return usable;
    } catch {
      // A revoked proxy, a Proxy around a Date (its getTime throws): not a time we can read.
    }
  }
  if (!warned) {
    warned = true;
    diag.warn('agentspan: an unusable startTime/endTime (an invalid Date, NaN, a time before 1970 or after 2554, a malformed [seconds, nanoseconds], text that is no ISO 8601 date-time with its offset) was replaced by the current time (logged once)');
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
  if (isHrTime(value)) return value;
  // A Date of another realm is no `instanceof Date` (nor to the SDK, which would take the current
  // time) but has a date value the intrinsic getTime reads; it throws for anything else.
  const ms = Date.prototype.getTime.call(value);
  return ms >= 0 && ms <= MAX_EPOCH_MILLIS ? new Date(ms) : undefined;
}

/**
 * A pair read as `process.hrtime()` (see {@link EARLIEST_PLAUSIBLE_EPOCH_SECONDS}):
 * the current time, as for any time that cannot be used, with a warning of its
 * own (logged once) that says what to pass instead. Converting it by this
 * process's clock would be a guess: the pair may come from another machine, or
 * be a duration.
 */
function monotonicReading(): undefined {
  if (!warnedMonotonic) {
    warnedMonotonic = true;
    diag.warn('agentspan: a startTime/endTime [seconds, nanoseconds] before 2000 looks like a process.hrtime() reading (time since an arbitrary origin, not since 1970); the current time was used instead. Pass Date.now(), a Date, or performance.timeOrigin + performance.now() (logged once)');
  }
  return undefined;
}

/** `{ startTime }` for span options when the time is usable, else `{}` (the SDK's now). */
export function startTimeOption(value: unknown): { startTime?: TimeInput } {
  const startTime = checkedTime(value);
  return startTime === undefined ? {} : { startTime };
}
