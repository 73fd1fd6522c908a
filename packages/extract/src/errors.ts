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
/** Longest name of a module segment or of the part before `Error`/`Exception` (101 characters, as in the regexes). */
const MAX_NAME_CHARS = 101;
const MAX_MODULE_SEGMENTS = 10;
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

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Index of the last `\n` before `end`, or -1. Output lines are short: a few
 * `charCodeAt` cost less than a `lastIndexOf` call, which is kept for long lines.
 */
function previousNewline(text: string, end: number): number {
  const stop = Math.max(0, end - 256);
  for (let k = end - 1; k >= stop; k--) if (text.charCodeAt(k) === 10) return k;
  // (lastIndexOf treats a negative start as 0, so guard it: the walk must end at the first line.)
  return stop === 0 ? -1 : text.lastIndexOf('\n', stop - 1);
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Whether `text` has `word` at `start` (a short slice compared with `===` measured faster than `startsWith`). */
function hasAt(text: string, start: number, word: string): boolean {
  return text.slice(start, start + word.length) === word;
}

/**
 * An error line without a traceback: it must carry an error-ish name and a
 * colon. Returns its type and cleaned message, or `undefined`. Same as
 * `/^((?:[A-Za-z_][A-Za-z0-9_]{0,100}\.){0,10})([A-Z][A-Za-z0-9_]{0,100}(?:Error|Exception)|Error|Exception):[ \t]?(.*)$/`
 * on the line `text[start, end)` (type: group 2, message: group 3), but read
 * in place: output can be a million lines, and slicing each, running the
 * regex and allocating its match showed in profiles. The regex can match one
 * way only, which this follows: dotted module segments (at most 10, each a
 * name of at most 101 characters), the type name right before the first `:`,
 * an optional blank, then the rest of the line (without U+2028/U+2029,
 * which `.` does not match).
 */
function errorLineAt(text: string, start: number, end: number): Found | undefined {
  let p = start;
  let segments = 0;
  for (;;) {
    const nameStart = p;
    if (p >= end || !isNameStart(text.charCodeAt(p))) return undefined;
    p++;
    while (p < end && isNamePart(text.charCodeAt(p))) p++;
    const c = text.charCodeAt(p);
    if (c === 46 /* . */ && p < end) {
      if (p - nameStart > MAX_NAME_CHARS || ++segments > MAX_MODULE_SEGMENTS) return undefined;
      p++;
      continue;
    }
    if (c !== 58 /* : */ || p >= end || !isErrorTypeName(text, nameStart, p)) return undefined;
    let messageStart = p + 1;
    const blank = text.charCodeAt(messageStart);
    if (messageStart < end && (blank === 32 || blank === 9)) messageStart++;
    const message = text.slice(messageStart, end);
    if (message.includes('\u2028') || message.includes('\u2029')) return undefined;
    return { type: text.slice(nameStart, p), message: clean(message) };
  }
}

/**
 * Whether `text[start, end)` (name characters) is `Error`, `Exception`, or
 * `[A-Z]` plus at most 100 name characters followed by `Error`/`Exception`.
 */
function isErrorTypeName(text: string, start: number, end: number): boolean {
  const length = end - start;
  if ((length === 5 && hasAt(text, start, 'Error')) || (length === 9 && hasAt(text, start, 'Exception'))) return true;
  const first = text.charCodeAt(start);
  if (first < 65 || first > 90) return false;
  if (length >= 6 && length <= 6 + MAX_NAME_CHARS - 1 && hasAt(text, end - 5, 'Error')) return true;
  return length >= 10 && length <= 10 + MAX_NAME_CHARS - 1 && hasAt(text, end - 9, 'Exception');
}

/** `NUMERIC_MESSAGE_RE`, after the cheap test it implies: a sign, digit or dot first. */
function isNumericMessage(message: string): boolean {
  const c = message.charCodeAt(0);
  return (c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57)) && NUMERIC_MESSAGE_RE.test(message);
}

/** The last line that looks like `SomethingError: message` (Node, shell tools, logged exceptions). */
function fromErrorLines(text: string): Found | undefined {
  let end = text.length;
  // Walk lines backwards: the final error is the one that matters, and it is near the end.
  for (;;) {
    const nl = previousNewline(text, end);
    const length = end - (nl + 1);
    // ERROR_LINE_RE needs a letter or `_` first: test that character before slicing the line.
    if (length > 0 && length <= 4096 && isNameStart(text.charCodeAt(nl + 1))) {
      const found = errorLineAt(text, nl + 1, end);
      if (found !== undefined && (found.message === undefined || !isNumericMessage(found.message))) return found;
    }
    if (nl < 0) break;
    end = nl;
  }
  return undefined;
}
