import type pg from 'pg';
import type { CommandContext, CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { DEFAULT_PAGE_SIZE } from '../data/event-pages.js';
import { resolveRunId } from '../data/resolve-run.js';
import {
  eventTotals,
  loadNodesById,
  loadRunHeader,
  measuredEventPages,
  nodePages,
  timelineEventPages,
  type RunHeader,
} from '../data/run-detail.js';
import { lineWriter } from '../output.js';
import { TimelineEventLines, timelineHeadLines, timelineOrigin } from '../timeline/format.js';
import { JsonArrayLines, TIMELINE_JSON_TAIL, timelineJsonHead } from '../timeline/json.js';
import { TimelineMeasure } from '../timeline/layout.js';

export { describeEvent, eventInProgressNote, formatTimeline, inProgressNote } from '../timeline/format.js';

/** More events than this draw a progress bar while the run is measured. */
const PROGRESS_ABOVE = 2000;

/** Options of {@link createTimelineCommand}. */
export interface TimelineCommandOptions {
  /** Events (and, for `--json`, nodes) read per query. @default 1000 */
  pageSize?: number;
}

/** What every output of the command starts from. */
interface RunToWrite {
  client: pg.ClientBase;
  runId: string;
  run: RunHeader;
  pageSize: number;
  write: (lines: readonly string[]) => Promise<void>;
}

/** `--json`: the run, then its nodes and events a page at a time, as `JSON.stringify(…, null, 2)` writes them whole. */
async function writeJson({ client, runId, run, pageSize, write }: RunToWrite): Promise<void> {
  await write(timelineJsonHead(run));
  const nodes = new JsonArrayLines('nodes', false);
  for await (const page of nodePages(client, runId, pageSize)) await write(nodes.add(page));
  await write(nodes.end());
  const events = new JsonArrayLines('events', true);
  for await (const page of timelineEventPages(client, runId, pageSize)) await write(events.add(page));
  await write([...events.end(), TIMELINE_JSON_TAIL]);
}

/**
 * The text timeline in two passes over the run's pages: the first reads only what the columns' widths
 * need (order, start, type, agent, duration), so lines of every page align; the second writes each page
 * as it comes, with the nodes its events name.
 */
async function writeText(target: RunToWrite, ctx: CommandContext): Promise<void> {
  const { client, runId, run, pageSize, write } = target;
  // `columns` is known when standard output is a terminal: fit it. Piped, nothing is cut to a width.
  const columns = ctx.io.columns;
  const options = { colors: ctx.colors, width: columns ?? 100, fit: columns !== undefined, now: Date.now() };
  const totals = await eventTotals(client, runId);
  await write(timelineHeadLines(run, totals.count, options));
  if (totals.count === 0) return;
  const origin = timelineOrigin(run, totals.firstStartMs);
  const measure = new TimelineMeasure(origin, options.fit);
  const progress = totals.count > PROGRESS_ABOVE ? ctx.progress('loading events', totals.count) : undefined;
  try {
    let read = 0;
    for await (const page of measuredEventPages(client, runId, pageSize)) {
      measure.add(page);
      read += page.length;
      progress?.update(read);
    }
  } finally {
    progress?.done();
  }
  const lines = new TimelineEventLines(measure.columns(), origin, options);
  for await (const page of timelineEventPages(client, runId, pageSize)) {
    const nodeIds = [...new Set(page.map((e) => e.nodeId).filter((id): id is string => id !== null))];
    const nodes = await loadNodesById(client, runId, nodeIds);
    await write(lines.lines(page, (id) => nodes.get(id)));
  }
}

/** `agentspan timeline <run-id>`, reading `pageSize` rows per query. */
export function createTimelineCommand(options: TimelineCommandOptions = {}): CommandSpec {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    name: 'timeline',
    summary: 'every event of a run in execution order, indented by node',
    usage: 'agentspan timeline <run-id>',
    optionHelp: ['<run-id>               a run id, or a unique prefix of at least 4 characters'],
    options: {},
    maxPositionals: 1,
    async run(ctx) {
      const write = lineWriter(ctx.io);
      await withDatabase(ctx.database, ctx.io, async (client) => {
        const runId = await resolveRunId(client, ctx.positionals[0]);
        const run = await loadRunHeader(client, runId);
        const target = { client, runId, run, pageSize, write };
        if (ctx.json) await writeJson(target);
        else await writeText(target, ctx);
      });
      return 0;
    },
  };
}

/** `agentspan timeline <run-id>`: written as it is read, a page of events at a time (see the README, *Large runs*). */
export const timelineCommand: CommandSpec = createTimelineCommand();
