import { createHash } from 'node:crypto';
import { formatDuration, formatTimestamp, shortRunId } from '../format/text.js';
import { RunOutcome, runOutcome } from '@agentspan/exporter-postgres';
import { reportAssets } from './assets.js';
import type { ReportData } from './report-data.js';

/**
 * The bidi controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069), the set
 * the terminal output drops too. In HTML an embedding or override is not
 * closed by the end of the element holding it: an unterminated right-to-left
 * override in a run's mode showed the rest of the header reversed ("started
 * 2026-12-06 13:19:40 UTC" read "CTU 04:91:31 60-21-6202 detrats", the status
 * reversed), and code with them reads otherwise than it runs (Trojan Source).
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * HTML-escapes text for element content and attribute values, and drops the
 * bidi controls ({@link BIDI_CONTROLS}), as the page script's `escapeHtml`
 * does: recorded text must not reorder what the report itself writes around it.
 * Right-to-left text itself is kept; the embedded JSON keeps the value whole.
 */
export function escapeHtml(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside `<script type="application/json">`: every `<` becomes
 * `\u003c` (so neither `</script` nor `<!--` can end or change the element),
 * and U+2028/U+2029 are escaped too (they are line terminators to older
 * JavaScript parsers). `JSON.parse` reads the result back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Inline code must not close its own element; our assets never do, and this
 * guard keeps an edit from silently breaking every report.
 */
function inline(code: string, tag: 'script' | 'style'): string {
  if (new RegExp(`</${tag}`, 'i').test(code)) throw new Error(`report asset contains </${tag}`);
  return code;
}

/**
 * The CSS class of the run's status, by its {@link runOutcome} (as the `runs`
 * table marks it): a run still running, or with no status, is neither good
 * nor bad yet; one whose process died before its end (stale) most likely failed.
 */
function runStatusClass(status: string | null): 'good' | 'bad' | 'muted' {
  switch (runOutcome(status)) {
    case RunOutcome.SUCCESS:
      return 'good';
    case RunOutcome.RUNNING:
    case RunOutcome.UNKNOWN:
      return 'muted';
    default:
      return 'bad';
  }
}

/**
 * The `content` of the report's `<meta name="agentspan-run">`: a fixed-size
 * fingerprint of the full run id (ids are free text of any length), by which
 * `agentspan report` tells a file it wrote for this run from one of another
 * run under the same default name.
 */
export function runFingerprint(runId: string): string {
  return `sha256:${createHash('sha256').update(runId, 'utf8').digest('hex')}`;
}

/**
 * The self-contained report: one HTML file with inline CSS and scripts and
 * the run as embedded JSON. A Content-Security-Policy forbids every network
 * request, so the page provably works offline and leaks nothing.
 */
export function renderReport(data: ReportData): string {
  const assets = reportAssets();
  const run = data.run;
  const failed = data.events.filter((e) => e.failed).length;
  const statusClass = runStatusClass(run.status);
  const title = `agentspan run ${shortRunId(run.id)}${run.mode ? ` (${run.mode})` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="@agentspan/cli ${data.format}">
<meta name="agentspan-run" content="${runFingerprint(run.id)}">
<title>${escapeHtml(title)}</title>
<style>${inline(assets.css, 'style')}</style>
</head>
<body>
<header>
<h1>run <code>${escapeHtml(run.id)}</code></h1>
<div class="meta">
<span>${escapeHtml(run.mode ?? 'unknown mode')}</span>
<span class="${statusClass}">${escapeHtml(run.status ?? 'not recorded')}</span>
<span>${escapeHtml(formatDuration(run.durationMs))}</span>
<span>started ${escapeHtml(formatTimestamp(run.startedAt))} UTC</span>
<span>${data.events.length} events${failed ? ` <span class="bad">(${failed} failed)</span>` : ''}</span>
${run.serviceName ? `<span class="muted">service ${escapeHtml(run.serviceName)}</span>` : ''}
${run.traceId ? `<span class="muted">trace <code>${escapeHtml(run.traceId)}</code></span>` : ''}
</div>
<div class="task" title="${escapeHtml(run.task ?? '')}">${escapeHtml(run.task ?? '')}</div>
<div class="controls">
<input type="search" id="filter" placeholder="filter by agent, type, node, text, error…" aria-label="filter events">
<label><input type="checkbox" id="errors-only"> errors only</label>
<span id="count" class="muted"></span>
<span class="muted">↑/↓ or j/k to move</span>
</div>
</header>
<main>
<section id="waterfall" aria-label="waterfall">
<div id="axis"><div class="axis-label">node / event</div><div id="axis-track"></div></div>
<div id="rows-viewport"><div id="rows-spacer"></div><div id="rows" role="list"></div></div>
</section>
<aside id="detail" aria-live="polite"><p class="empty">Select an event to see its inputs, outputs, code and files.</p></aside>
</main>
<script type="application/json" id="agentspan-data">${embedJson(data)}</script>
<script>${inline(assets.highlightJs, 'script')}</script>
<script>${inline(assets.reportJs, 'script')}</script>
</body>
</html>
`;
}
