import type { Attributes } from '@opentelemetry/api';
import { TRUNCATION_MARK } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { headOf } from '@agentspan/instrumentation';

/**
 * Bounds of the short values the processor copies out of what it was given
 * (paths a span declares, span names, names set by other instrumentations).
 * Content has its own bounds (`maxContentChars`, `maxContentBytes`); these
 * values had none, and a hostile 10 MB path or span name would have been
 * copied whole into attributes, rows and run state.
 */

/**
 * Longest file path kept, in UTF-16 units: Linux's PATH_MAX, the bound
 * `normalisePath` (`@agentspan/extract`) and the recorder's `pathOf` use. A
 * longer path cannot be opened, and cut shorter it would name another file.
 */
export const MAX_PATH_CHARS = 4096;

/** Longest name kept (agent, tool, model, provider, error type), in UTF-16 units: the recorder's bound for names. */
export const MAX_NAME_CHARS = 200;

/**
 * Most entries kept in `agentspan.files.generated` when the processor
 * rewrites it: `@agentspan/extract`'s bound on any list it returns (the files
 * one code execution may be found to write). The span's declared entries come
 * first, then the files detected; a longer list is cut and marked
 * `agentspan.truncated`, so a hostile list of a million paths is not copied
 * into the span and its row.
 */
export const MAX_FILES_GENERATED = 1000;


/**
 * `text` when it is at most `max` long; else its start, cut on a code-point
 * boundary and followed by {@link TRUNCATION_MARK}, as the package marks its
 * other cuts: the redactor reads a token right before the mark as cut short
 * and replaces it, so a secret cut there leaves no prefix in clear. Whoever
 * cuts sets `agentspan.truncated` too.
 *
 * A value cut to this bound already (a span that passes through a second
 * processor, a tool name cut when the span started and read again at its
 * end, a path the recorder cut) is kept as it is, and said `cut`: cutting it
 * again would cut into its mark. Only a value whose span says so
 * (`cutBefore`: its `agentspan.truncated` is `true`) is taken for one: any
 * other value longer than `max` is cut, one that merely ends in the mark's
 * text included. So the result is longer than `max` exactly when `cut`.
 */
export function bounded(text: string, max: number, cutBefore = false): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  if (cutBefore && text.length <= max + TRUNCATION_MARK.length && text.endsWith(TRUNCATION_MARK)) return { text, cut: true };
  return { text: headOf(text, max) + TRUNCATION_MARK, cut: true };
}

/** Whether a span's values may hold cuts already: it says it was cut (`agentspan.truncated`). */
export function saysCut(attrs: Attributes): boolean {
  return attrs[Attr.ATTR_TRUNCATED] === true;
}
