/**
 * Run and node ids as the application gives them, normalised the same way
 * wherever they enter (`startRun`, `startNode`, `attach`), so that an id
 * given twice always names the same run or node.
 */
import { createHash, randomUUID } from 'node:crypto';
import { diag } from '@opentelemetry/api';

/** Longest id kept as given; a longer one keeps its start and a hash of the whole (still distinct, still the same every time). */
const MAX_ID_CHARS = 1024;

/**
 * A usable id: a non-empty string, or a number or bigint as its decimal
 * text; `undefined` for anything else. Never cut into a prefix another id
 * could share.
 */
export function idOf(value: unknown): string | undefined {
  let s: string;
  if (typeof value === 'string') s = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') s = String(value);
  else return undefined;
  if (s.length === 0) return undefined;
  if (s.length <= MAX_ID_CHARS) return s;
  return `${s.slice(0, MAX_ID_CHARS - 17)}~${createHash('sha256').update(s).digest('hex').slice(0, 16)}`;
}

let warnedUnknownRun = false;

/**
 * The run id of a reference that names none usable: one of its own
 * (`unknown-<uuid>`), so that unrelated callers with broken references are
 * not merged into one run; logged once.
 */
export function placeholderRunId(): string {
  if (!warnedUnknownRun) {
    warnedUnknownRun = true;
    diag.warn('agentspan: attach() got a reference without a usable runId; its events go to a run of their own, unknown-<uuid> (logged once)');
  }
  return `unknown-${randomUUID()}`;
}
