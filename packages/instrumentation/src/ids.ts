/**
 * Run and node ids as the application gives them, normalised the same way
 * wherever they enter (`startRun`, `startNode`, `attach`), so that an id
 * given twice always names the same run or node.
 */
import { createHash, randomUUID } from 'node:crypto';
import { diag } from '@opentelemetry/api';
import { readableCopy } from './readable-copy.js';
import { UNREADABLE, headOf } from './safe-json.js';
import type { RunReference } from './types.js';

/** Longest id kept as given; a longer one keeps its start and a hash of the whole (still distinct, still the same every time). */
const MAX_ID_CHARS = 1024;

/**
 * A usable id: a non-empty string, or a number or bigint as its decimal
 * text; `undefined` for anything else, and for `"[unreadable]"`, what an
 * options field that could not be read becomes (see `readableCopy`): ids
 * unreadable everywhere must not all name one run. Never cut into a prefix
 * another id could share.
 */
export function idOf(value: unknown): string | undefined {
  let s: string;
  if (typeof value === 'string') {
    if (value === UNREADABLE) return undefined;
    s = value;
  }
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') s = String(value);
  else return undefined;
  if (s.length === 0) return undefined;
  if (s.length <= MAX_ID_CHARS) return s;
  return `${headOf(s, MAX_ID_CHARS - 17)}~${hashOf(s)}`;
}

/** A lone surrogate: half of a pair (an emoji sliced in two). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * 16 hex digits of the SHA-256 of `s`: of its UTF-8, or, when it holds a
 * lone surrogate, of its UTF-16 code units. UTF-8 writes every lone
 * surrogate alike (as U+FFFD), so two long ids differing only there would
 * share a hash, and be one run or session. (The Postgres exporter hashes
 * the values it shortens the same way.)
 */
function hashOf(s: string): string {
  const data = LONE_SURROGATE.test(s) ? Buffer.from(s, 'utf16le') : s;
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
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

/**
 * A usable {@link RunReference} from whatever was passed where one (or a
 * run or node handle) was expected: its `reference()` if it has one, its
 * fields read one at a time. Never throws: what names no usable run goes to
 * a placeholder run (`unknown-<uuid>`), an unusable traceparent is `''`
 * (the events then start a trace of their own).
 */
export function toRunReference(target: unknown): RunReference {
  let ref: unknown = target;
  try {
    const reference = (target as { reference?: unknown } | null | undefined)?.reference;
    if (typeof reference === 'function') ref = (reference as () => unknown).call(target);
  } catch {
    ref = undefined;
  }
  const fields = readableCopy(ref);
  const nodeId = idOf(fields['nodeId']);
  const orderBase = fields['orderBase'];
  return {
    runId: idOf(fields['runId']) ?? placeholderRunId(),
    ...(nodeId !== undefined ? { nodeId } : {}),
    traceparent: typeof fields['traceparent'] === 'string' ? fields['traceparent'] : '',
    ...(typeof orderBase === 'number' && Number.isSafeInteger(orderBase) && orderBase >= 0 ? { orderBase } : {}),
  };
}
