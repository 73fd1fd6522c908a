import { UsageError } from '../io.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `24h`, `7d`, `2w`) or
 * an ISO 8601 date/time (`2026-11-01`, `2026-11-01T12:00:00Z`).
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (m) {
    const ms = Number(m[1]) * (UNIT_MS[m[2]!.toLowerCase()] ?? 0);
    return new Date(now.getTime() - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--since "${value}": expected a duration like 30m, 24h, 7d, or a date like 2026-11-01`);
}
