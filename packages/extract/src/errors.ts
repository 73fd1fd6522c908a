/**
 * Deciding whether a run failed, and which error, from its output and exit code.
 */
import { guarded } from './guard.js';
import type { ErrorInfo } from './types.js';

/** Tracebacks end the output, so only its last 1 MiB is examined. */
const MAX_OUTPUT_CHARS = 1_000_000;
const MAX_MESSAGE_CHARS = 1000;

const TRACEBACK_MARKER = 'Traceback (most recent call last)';
/**
 * An exception line after a traceback: `[module.]Name[: message]` at column 0.
 * Bounded pieces and no overlap between the name and the separator keep it linear.
 */
const EXCEPTION_LINE_RE = /^((?:[A-Za-z_][A-Za-z0-9_]{0,100}\.){0,10})([A-Za-z_][A-Za-z0-9_]{0,100})(?::[ \t]?(.*))?$/;
/** An error line without a traceback must carry an error-ish name and a colon. */
const ERROR_LINE_RE = /^((?:[A-Za-z_][A-Za-z0-9_]{0,100}\.){0,10})([A-Z][A-Za-z0-9_]{0,100}(?:Error|Exception)|Error|Exception):[ \t]?(.*)$/;
/** Messages that are just numbers are fit residuals (`Error: 0.0012`), not failures. */
const NUMERIC_MESSAGE_RE = /^[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,4})?[ \t]{0,8}%?$/;

/**
 * Whether a run failed, and with which error.
 *
 * `hasError` is true when `exitCode` is a non-zero number, or the output has
 * a Python traceback (`Traceback (most recent call last):`), or a line
 * starting `SomethingError: ...`, `SomethingException: ...`, `Error: ...` or
 * `Exception: ...` (numeric messages like `Error: 0.01` are not failures).
 * `errorType`/`errorMessage` come from the exception line of the last
 * traceback, else from the last error line. The module prefix of a qualified
 * name is dropped (`numpy.linalg.LinAlgError` → `LinAlgError`) so the same
 * error groups together. Undefined/null output counts as empty.
 */
export function detectError(output: string | undefined, exitCode?: number | null): ErrorInfo {
  return guarded(
    () => detect(output, exitCode),
    () => ({ hasError: typeof exitCode === 'number' && exitCode !== 0 && !Number.isNaN(exitCode) }),
  );
}

function detect(output: unknown, exitCode: unknown): ErrorInfo {
  const exitFailed = typeof exitCode === 'number' && exitCode !== 0 && !Number.isNaN(exitCode);
  let text = typeof output === 'string' ? output : '';
  if (text.length > MAX_OUTPUT_CHARS) text = text.slice(text.length - MAX_OUTPUT_CHARS);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');

  const found = fromTraceback(text) ?? fromErrorLines(text);
  if (found === undefined) return { hasError: exitFailed };
  const info: ErrorInfo = { hasError: true };
  if (found.type !== undefined) info.errorType = found.type;
  if (found.message !== undefined && found.message !== '') info.errorMessage = found.message;
  return info;
}

interface Found {
  type: string | undefined;
  message: string | undefined;
}

function clean(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const m = message.trim();
  return m.length > MAX_MESSAGE_CHARS ? m.slice(0, MAX_MESSAGE_CHARS) : m;
}

/** The exception line of the last traceback: the first unindented `Name[: msg]` line after the marker. */
function fromTraceback(text: string): Found | undefined {
  const at = text.lastIndexOf(TRACEBACK_MARKER);
  if (at < 0) return undefined;
  let pos = text.indexOf('\n', at);
  // IPython puts the type on the marker line: `ValueError    Traceback (most recent call last)`.
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const headType = /^([A-Za-z_][A-Za-z0-9_.]{0,200})[ \t]{2,}$/.exec(text.slice(lineStart, at));
  while (pos >= 0 && pos < text.length) {
    const start = pos + 1;
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    pos = end;
    if (line === '' || line[0] === ' ' || line[0] === '\t') continue;
    if (line.length > 4096) continue;
    const m = EXCEPTION_LINE_RE.exec(line);
    if (m === null) continue;
    const name = m[2]!;
    // `File "x.py", line 3` frames are indented; a bare word line is an exception only with a plausible name.
    if (m[3] === undefined && !/(?:Error|Exception|Interrupt|Exit|Iteration|Warning)$/.test(name)) continue;
    return { type: name, message: clean(m[3]) };
  }
  const t = headType?.[1];
  return { type: t === undefined ? undefined : t.slice(t.lastIndexOf('.') + 1), message: undefined };
}

/** The last line that looks like `SomethingError: message` (Node, shell tools, logged exceptions). */
function fromErrorLines(text: string): Found | undefined {
  let end = text.length;
  // Walk lines backwards: the final error is the one that matters, and it is near the end.
  for (;;) {
    // lastIndexOf treats a negative start as 0, so guard it: the loop must end at the first line.
    const nl = end > 0 ? text.lastIndexOf('\n', end - 1) : -1;
    const line = text.slice(nl + 1, end);
    if (line.length > 0 && line.length <= 4096 && line[0] !== ' ' && line[0] !== '\t') {
      const m = ERROR_LINE_RE.exec(line);
      if (m !== null) {
        const message = clean(m[3]);
        if (message === undefined || !NUMERIC_MESSAGE_RE.test(message)) return { type: m[2]!, message };
      }
    }
    if (nl < 0) break;
    end = nl;
  }
  return undefined;
}
