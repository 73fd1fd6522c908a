import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { integerValue, stringValue, type CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { resolveRunId } from '../data/resolve-run.js';
import { countEvents, loadFullEvents, loadNodes, loadRunHeader } from '../data/run-detail.js';
import { formatBytes } from '../format/text.js';
import { UsageError } from '../io.js';
import { renderReport } from '../report/render-report.js';
import { buildReportData, DEFAULT_REPORT_MAX_CHARS } from '../report/report-data.js';

/** `agentspan report <run-id> --out run.html`: the self-contained HTML report. */
export const reportCommand: CommandSpec = {
  name: 'report',
  summary: 'write a self-contained HTML report of a run (waterfall, events, code, files); no network needed',
  usage: 'agentspan report <run-id> [--out FILE] [--max-chars N]',
  optionHelp: [
    '<run-id>               a run id, or a unique prefix of at least 4 characters',
    '--out FILE             where to write the report; - for stdout (default: agentspan-run-<id>.html)',
    `--max-chars N          longest text kept per field; longer ones are cut (default ${DEFAULT_REPORT_MAX_CHARS})`,
  ],
  options: { out: { type: 'string', short: 'o' }, 'max-chars': { type: 'string' } },
  maxPositionals: 1,
  async run(ctx) {
    if (stringValue(ctx.values, 'out') === '-' && ctx.json) {
      throw new UsageError('--out - writes the HTML to stdout; it cannot be combined with --json');
    }
    const maxChars = integerValue(ctx.values, 'max-chars', DEFAULT_REPORT_MAX_CHARS, { min: 100, max: 100_000_000 });
    const data = await withDatabase(ctx.database, ctx.io, async (client) => {
      const runId = await resolveRunId(client, ctx.positionals[0]);
      const run = await loadRunHeader(client, runId);
      const nodes = await loadNodes(client, runId);
      const total = await countEvents(client, runId);
      const progress = ctx.progress('loading events', total);
      try {
        const events = await loadFullEvents(client, runId, (n) => progress.update(n));
        return buildReportData(run, nodes, events, { maxChars });
      } finally {
        progress.done();
      }
    });
    const html = renderReport(data);
    // Run ids are free text: only letters, digits, `-`, `_` and `.` make it into the default file name.
    const outFlag = stringValue(ctx.values, 'out') ?? `agentspan-run-${safeFileStem(data.run.id.slice(0, 8))}.html`;
    if (outFlag === '-') {
      ctx.io.out(html);
      return 0;
    }
    const path = isAbsolute(outFlag) ? outFlag : resolve(ctx.io.cwd ?? process.cwd(), outFlag);
    await writeFile(path, html, 'utf8');
    const bytes = Buffer.byteLength(html, 'utf8');
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ runId: data.run.id, out: path, bytes, events: data.events.length, truncatedValues: data.truncatedValues }, null, 2));
    } else {
      const cutNote = data.truncatedValues > 0 ? ` (${data.truncatedValues} long values cut at ${maxChars} characters)` : '';
      ctx.io.out(`wrote ${path} (${formatBytes(bytes)}, ${data.events.length} events)${cutNote}`);
    }
    return 0;
  },
};

/** `text` as part of a file name: anything but ASCII letters, digits, `-`, `_` and `.` becomes `_`, and no leading dot. */
export function safeFileStem(text: string): string {
  const stem = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return stem.length > 0 ? stem : 'run';
}
