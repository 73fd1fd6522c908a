import { UsageError } from '../io.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `YYYY-MM-DD`, optionally `T` or a space and `HH:MM[:SS[.fff]]`, optionally `Z` or `±HH:MM`. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

function usage(value: string, why: string): UsageError {
  return new UsageError(`--since "${value}": ${why}; expected a duration like 30m, 24h, 7d, or a date like 2026-11-01 (UTC unless it says otherwise)`);
}

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `24h`, `7d`, `2w`) or
 * an ISO 8601 date/time (`2026-11-01`, `2026-11-01 12:00`,
 * `2026-11-01T12:00:00+02:00`). A date or time without an offset is UTC,
 * as every time the CLI prints is, whatever the machine's time zone.
 * Dates that do not exist (`2026-02-30`) and times out of range are usage
 * errors, not queries.
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const text = value.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (m) {
    const date = new Date(now.getTime() - Number(m[1]) * (UNIT_MS[m[2]!.toLowerCase()] ?? 0));
    if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1) throw usage(value, 'reaches further back than dates go');
    return date;
  }
  const d = DATE_TIME.exec(text);
  if (d) {
    const [, y, mo, day, h = '00', mi = '00', s = '00', fraction = '', zone] = d;
    const iso = `${y}-${mo}-${day}T${h}:${mi}:${s}${fraction.slice(0, 4)}${zone === undefined ? 'Z' : zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`;
    const date = new Date(iso);
    // `new Date` rolls 2026-02-30 over to March: the parts must come back as given.
    const exists =
      !Number.isNaN(date.getTime()) &&
      Number(mo) >= 1 && Number(mo) <= 12 && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59 &&
      new Date(Date.UTC(Number(y), Number(mo) - 1, Number(day))).getUTCDate() === Number(day);
    if (!exists) throw usage(value, 'no such date or time');
    return date;
  }
  throw usage(value, 'not understood');
}
