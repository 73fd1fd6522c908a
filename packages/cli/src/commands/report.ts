import { open, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { integerValue, stringValue, type CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { resolveRunId } from '../data/resolve-run.js';
import { countEvents, loadFullEvents, loadNodes, loadRunHeader } from '../data/run-detail.js';
import { formatBytes, shortRunId } from '../format/text.js';
import { CliError } from '../errors.js';
import { UsageError } from '../io.js';
import { fittingMaxChars, MIN_MAX_CHARS } from '../report/fitting-max-chars.js';
import { renderReport, runFingerprint } from '../report/render-report.js';
import { buildReportData, DEFAULT_REPORT_MAX_CHARS, type ReportData } from '../report/report-data.js';

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
    const maxChars = integerValue(ctx.values, 'max-chars', DEFAULT_REPORT_MAX_CHARS, { min: MIN_MAX_CHARS, max: 100_000_000 });
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
    const html = renderOrExplain(data, maxChars);
    const cwd = ctx.io.cwd ?? process.cwd();
    const outFlag = stringValue(ctx.values, 'out') ?? (await unclaimedReportFile(cwd, data.run.id));
    if (outFlag === '-') {
      ctx.io.out(html);
      return 0;
    }
    const path = isAbsolute(outFlag) ? outFlag : resolve(cwd, outFlag);
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

/** Longest run id part of a default file name (ASCII after {@link safeFileStem}, so well under the 255 bytes a name may have). */
const MAX_FILE_STEM = 100;

/**
 * `agentspan-run-<id>.html`, the id as `agentspan runs` shows it: a UUID by
 * its first 8 characters, an id someone chose whole. Cutting every id to 8
 * characters gave `nightly-2026-11-01` and `nightly-2026-11-02` the same file,
 * and the second report silently replaced the first. Run ids are free text:
 * only letters, digits, `-`, `_` and `.` make it into the name.
 */
export function defaultReportFile(runId: string): string {
  return `agentspan-run-${safeFileStem(shortRunId(runId).slice(0, MAX_FILE_STEM))}.html`;
}

/** Bytes of an existing report read to find its `agentspan-run` fingerprint (it is in the head, after a few fixed lines). */
const FINGERPRINT_WINDOW = 4096;

/**
 * {@link defaultReportFile}, unless a report of another run has that name
 * already: the name keeps only part of some ids (a UUID's first 8
 * characters, which UUIDv7 ids created within a minute share; 100
 * characters; `_` for `/`, `:` or any non-ASCII character, so `実験-1` and
 * `試験-1` are both `agentspan-run-__-1.html`), and the second report
 * silently replaced the first. That run's report then goes to
 * `agentspan-run-<id>-<first 8 hex of the id's SHA-256>.html`. The same
 * run's report is replaced as before (run it again, get the fresh one).
 */
export async function unclaimedReportFile(cwd: string, runId: string): Promise<string> {
  const name = defaultReportFile(runId);
  const fingerprint = runFingerprint(runId);
  let head: string;
  try {
    const file = await open(resolve(cwd, name), 'r');
    try {
      const buffer = Buffer.alloc(FINGERPRINT_WINDOW);
      const { bytesRead } = await file.read(buffer, 0, FINGERPRINT_WINDOW, 0);
      head = buffer.toString('utf8', 0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return name;
    head = ''; // unreadable (a directory, no permission): not known to be this run's, so not replaced
  }
  if (head.includes(`<meta name="agentspan-run" content="${fingerprint}">`)) return name;
  return `${name.slice(0, -'.html'.length)}-${fingerprint.slice('sha256:'.length, 'sha256:'.length + 8)}.html`;
}

/** `text` as part of a file name: anything but ASCII letters, digits, `-`, `_` and `.` becomes `_`, and no leading dot. */
export function safeFileStem(text: string): string {
  const stem = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return stem.length > 0 ? stem : 'run';
}

/**
 * {@link renderReport}, with the one failure a big run meets explained: the
 * page is one string, and V8 caps a string at about 512 M characters (in
 * Node and in the browser that would parse the embedded JSON alike), so a
 * run of 60 000 events with 10 KB results each failed with a bare
 * `Invalid string length`. `--max-chars` is what makes such a run fit
 * ({@link tooLargeMessage}).
 */
function renderOrExplain(data: ReportData, maxChars: number): string {
  try {
    return renderReport(data);
  } catch (err) {
    if (!(err instanceof RangeError) || !/string length/i.test(err.message)) throw err;
    throw new CliError(tooLargeMessage(data, maxChars));
  }
}

/**
 * Why a report could not be built, and what to do: the `--max-chars` that
 * makes it fit ({@link fittingMaxChars}), or, when none from
 * {@link MIN_MAX_CHARS} up does (the limit is already the smallest, or the
 * run has so many values that even the smallest cut leaves too much), that
 * one report cannot hold the run, and the commands that read a run of any
 * size: `report` has no other way to leave events out.
 */
export function tooLargeMessage(data: ReportData, maxChars: number): string {
  const what =
    `the report of ${data.events.length} events is too large to build: ` +
    'a page holds at most about 512 M characters (a browser could not open a larger one either); ';
  const smaller = fittingMaxChars(data, maxChars);
  if (smaller !== null) return `${what}cut long values with a smaller --max-chars (now ${maxChars}), e.g. --max-chars ${smaller}`;
  const smallest =
    maxChars <= MIN_MAX_CHARS
      ? `even --max-chars ${MIN_MAX_CHARS}, the smallest, leaves too much`
      : `even the smallest --max-chars (${MIN_MAX_CHARS}) leaves too much`;
  return (
    `${what}${smallest}: the run has too many values for one page. ` +
    'Read it with `agentspan timeline <run-id>` (every event, any size; --json for all fields) and `agentspan files <run-id> --content`'
  );
}
