import type { CommandSpec } from '../command.js';
import { withDatabase } from '../database.js';
import { loadFiles, type GeneratedFile } from '../data/files.js';
import { resolveRunId } from '../data/resolve-run.js';
import type { Colors } from '../format/colors.js';
import { renderTable } from '../format/table.js';
import { formatBytes, terminalSafe, terminalSafeContent } from '../format/text.js';

function contentState(f: GeneratedFile): string {
  if (f.hasContent) return f.truncated ? 'captured (truncated)' : 'captured';
  return f.skipReason ? `not captured: ${f.skipReason}` : 'not captured';
}

/**
 * The files table, and with `--content` each file's captured content under a header. On a terminal
 * (`width`: standard output is one) the table is fitted to its width, the free text cut first (path,
 * content state, node, agent, source, type); the contents and their headers are printed whole.
 */
export function formatFiles(runId: string, files: readonly GeneratedFile[], withContent: boolean, colors: Colors, width?: number): string {
  // The run id, the paths and the contents are recorded text: none may send the terminal a control sequence.
  if (files.length === 0) return terminalSafe(`run ${runId} generated no files`);
  const parts = [
    renderTable(
      [
        { header: 'PATH', cell: (f: GeneratedFile) => f.path, maxWidth: 60, shrink: true },
        { header: 'SIZE', cell: (f) => formatBytes(f.sizeBytes), alignRight: true },
        { header: 'TYPE', cell: (f) => f.fileType ?? '-', shrink: true },
        { header: 'SOURCE', cell: (f) => f.source ?? '-', shrink: true },
        { header: 'AGENT', cell: (f) => f.agentName ?? '-', shrink: true },
        { header: 'NODE', cell: (f) => f.nodeId ?? '-', shrink: true },
        { header: 'ORDER', cell: (f) => String(f.executionOrder ?? '-'), alignRight: true },
        { header: 'CONTENT', cell: (f) => contentState(f), shrink: true },
      ],
      files,
      { width },
    ),
  ];
  if (withContent) {
    for (const f of files) {
      parts.push('', colors.bold(terminalSafe(`── ${f.path} (${formatBytes(f.sizeBytes)}, ${contentState(f)}) ──`)));
      if (f.content === null || f.content === undefined) parts.push(colors.dim('(no content captured)'));
      else parts.push(terminalSafeContent(f.content.endsWith('\n') ? f.content.slice(0, -1) : f.content));
    }
  }
  return parts.join('\n');
}

/** `agentspan files <run-id> [--content]`. */
export const filesCommand: CommandSpec = {
  name: 'files',
  summary: 'files a run generated: size, type, source, and with --content their captured content',
  usage: 'agentspan files <run-id> [--content]',
  optionHelp: [
    '<run-id>               a run id, or a unique prefix of at least 4 characters',
    '--content              also print the captured content of each file (in --json: a "content" field)',
  ],
  options: { content: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const withContent = ctx.values['content'] === true;
    const { runId, files } = await withDatabase(ctx.database, ctx.io, async (client) => {
      const id = await resolveRunId(client, ctx.positionals[0]);
      return { runId: id, files: await loadFiles(client, id, withContent) };
    });
    if (ctx.json) ctx.io.out(JSON.stringify({ runId, files }, null, 2));
    else ctx.io.out(formatFiles(runId, files, withContent, ctx.colors, ctx.io.columns));
    return 0;
  },
};
