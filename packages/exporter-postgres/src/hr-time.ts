/** `HrTime` conversions that keep microseconds (what `timestamptz` stores). */

import type { HrTime } from '@opentelemetry/api';

const NANOS_PER_SECOND = 1_000_000_000;

function normalise(hr: HrTime): [number, number] {
  let [seconds, nanos] = hr;
  seconds += Math.floor(nanos / NANOS_PER_SECOND);
  nanos = ((nanos % NANOS_PER_SECOND) + NANOS_PER_SECOND) % NANOS_PER_SECOND;
  return [seconds, nanos];
}

/**
 * ISO 8601 UTC with six fractional digits, e.g. `2026-03-01T12:00:00.123456Z`
 * (a `Date` would keep milliseconds only). Undefined for the zero time or a
 * time outside `Date`'s range.
 */
export function hrTimeToIso(hr: HrTime): string | undefined {
  let seconds = hr[0];
  let nanos = hr[1];
  // What the SDK gives (nanos within a second): no normalising, no array.
  if (!(nanos >= 0 && nanos < NANOS_PER_SECOND)) [seconds, nanos] = normalise(hr);
  if (seconds === 0 && nanos === 0) return undefined;
  const micros = Math.floor(nanos / 1000);
  const fraction = micros < 100_000 ? String(micros).padStart(6, '0') : String(micros);
  // Spans come in bursts within the same second: its formatted part is remembered.
  // The point is kept with the prefix: two string additions per call instead of three.
  if (seconds === lastSeconds) return `${lastPrefix}${fraction}Z`;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  // toISOString(): YYYY-MM-DDTHH:mm:ss.sssZ (or ±YYYYYY-... outside years 0-9999).
  const iso = date.toISOString();
  lastPrefix = iso.slice(0, iso.indexOf('.') + 1);
  lastSeconds = seconds;
  return `${lastPrefix}${fraction}Z`;
}

/** The whole seconds last formatted by {@link hrTimeToIso}, and their ISO text up to the fraction (its point included). */
let lastSeconds = Number.NaN;
let lastPrefix = '';

/** A duration in milliseconds, fractional (nanosecond resolution). */
export function hrTimeToMillis(hr: HrTime): number {
  return hr[0] * 1000 + hr[1] / 1_000_000;
}
