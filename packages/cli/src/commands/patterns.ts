import { integerValue, stringValue, type CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { loadPatterns, PATTERN_STEPS, type Patterns } from '../data/patterns.js';
import type { Colors } from '../format/colors.js';
import { renderTable } from '../format/table.js';
import { wrapToWidth } from '../format/width.js';
import { formatPercent, formatTimestamp, shorten } from '../format/text.js';

function rate(ratio: number, colors: Colors, goodWhenHigh: boolean): string {
  const text = formatPercent(ratio);
  const good = goodWhenHigh ? ratio >= 0.9 : ratio === 0;
  const bad = goodWhenHigh ? ratio < 0.5 : ratio >= 0.5;
  return good ? colors.green(text) : bad ? colors.red(text) : colors.yellow(text);
}

/**
 * The four sections of `agentspan patterns` as text. On a terminal (`width`: standard output is one)
 * the tables are fitted to its width, the free text cut first (code, last error, sequences, modules,
 * names, then a code hash, down to its first 12 characters), and the notes are wrapped.
 */
export function formatPatterns(p: Patterns, colors: Colors, width?: number): string {
  const table = { width };
  /** A line of prose after `indent`: wrapped on a terminal, whole when piped. */
  const prose = (text: string, paint: (t: string) => string, indent = ''): string[] =>
    (width === undefined ? [text] : wrapToWidth(text, width - indent.length)).map((line) => paint(`${indent}${line}`));
  const scope = p.runWindow === null ? `all ${p.runsAnalysed} run${p.runsAnalysed === 1 ? '' : 's'}` : `the newest ${p.runsAnalysed} run${p.runsAnalysed === 1 ? '' : 's'}`;
  const out: string[] = [...prose(`patterns over ${scope}`, colors.bold)];

  out.push('', ...prose('code executed more than once (same code_hash)', colors.bold));
  if (p.repeatedCode.length === 0) out.push(...prose('none yet: no code hash was executed twice', colors.dim, '  '));
  else
    out.push(
      renderTable(
        [
          { header: 'CODE HASH', cell: (c: Patterns['repeatedCode'][number]) => c.codeHash, shrink: true, minWidth: 12 },
          { header: 'LANG', cell: (c) => c.language ?? '-', shrink: true },
          { header: 'RUNS', cell: (c) => String(c.executions), alignRight: true },
          { header: 'IN RUNS', cell: (c) => String(c.runs), alignRight: true },
          { header: 'SUCCESS', cell: (c) => rate(c.successRate, colors, true), alignRight: true },
          { header: 'LAST SEEN (UTC)', cell: (c) => formatTimestamp(c.lastSeen) },
          { header: 'CODE', cell: (c) => shorten(c.sampleCode, 50), shrink: true },
        ],
        p.repeatedCode,
        table,
      ),
    );

  out.push('', ...prose('tool sequences within a node (2- and 3-grams)', colors.bold));
  if (p.toolSequences.length === 0) out.push(...prose('none yet: no node called two tools in a row', colors.dim, '  '));
  else
    out.push(
      renderTable(
        [
          { header: 'SEQUENCE', cell: (s: Patterns['toolSequences'][number]) => s.tools.join(' → '), maxWidth: 70, shrink: true },
          { header: 'TIMES', cell: (s) => String(s.occurrences), alignRight: true },
          { header: 'IN RUNS', cell: (s) => String(s.runs), alignRight: true },
          { header: 'SUCCESS', cell: (s) => rate(s.successRate, colors, true), alignRight: true },
        ],
        p.toolSequences,
        table,
      ),
    );

  out.push('', ...prose('imports by frequency (executed code)', colors.bold));
  if (p.imports.length === 0) out.push(colors.dim('  none yet'));
  else
    out.push(
      renderTable(
        [
          { header: 'MODULE', cell: (i: Patterns['imports'][number]) => i.module, maxWidth: 40, shrink: true },
          { header: 'LANG', cell: (i) => i.language, shrink: true },
          { header: 'USES', cell: (i) => String(i.uses), alignRight: true },
          { header: 'IN RUNS', cell: (i) => String(i.runs), alignRight: true },
          { header: 'SUCCESS', cell: (i) => rate(i.successRate, colors, true), alignRight: true },
        ],
        p.imports,
        table,
      ),
    );

  out.push('', ...prose('error rates of tools and agents (highest first)', colors.bold));
  if (p.errorRates.length === 0) out.push(colors.dim('  none yet'));
  else
    out.push(
      renderTable(
        [
          { header: 'KIND', cell: (e: Patterns['errorRates'][number]) => e.kind, shrink: true },
          { header: 'NAME', cell: (e) => e.name, maxWidth: 32, shrink: true },
          { header: 'CALLS', cell: (e) => String(e.calls), alignRight: true },
          { header: 'ERRORS', cell: (e) => String(e.errors), alignRight: true },
          { header: 'ERROR RATE', cell: (e) => rate(e.errorRate, colors, false), alignRight: true },
          { header: 'LAST ERROR', cell: (e) => shorten(e.lastError, 50) || '-', shrink: true },
        ],
        p.errorRates,
        table,
      ),
    );
  out.push(
    '',
    ...prose('the same data in SQL: agentspan_repeated_code, agentspan_tool_sequences, agentspan_import_usage,', colors.dim),
    ...prose('agentspan_error_rates (all runs), or agentspan_<name>_last(N) for the newest N runs', colors.dim),
  );
  return out.join('\n');
}

/** `agentspan patterns [--runs N]`. */
export const patternsCommand: CommandSpec = {
  name: 'patterns',
  summary: 'mine runs for reusable patterns: repeated code, tool sequences, imports, error rates',
  usage: 'agentspan patterns [--runs N] [--limit N]',
  optionHelp: [
    '--runs N               look at the newest N runs only (default: all runs)',
    '--limit N              rows per section (default 10)',
  ],
  options: { runs: { type: 'string' }, limit: { type: 'string' } },
  maxPositionals: 0,
  async run(ctx) {
    const runs = stringValue(ctx.values, 'runs') === undefined ? null : integerValue(ctx.values, 'runs', 0, { min: 1 });
    const limit = integerValue(ctx.values, 'limit', 10, { min: 1, max: 10_000 });
    const patterns = await withDatabase(ctx.database, ctx.io, async (client) => {
      const progress = ctx.progress('mining patterns', PATTERN_STEPS);
      try {
        return await loadPatterns(client, { runs, limit, onStep: () => progress.tick() });
      } finally {
        progress.done();
      }
    });
    if (ctx.json) ctx.io.out(JSON.stringify(patterns, null, 2));
    else ctx.io.out(formatPatterns(patterns, ctx.colors, ctx.io.columns));
    return 0;
  },
};
