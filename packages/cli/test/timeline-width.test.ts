/**
 * The timeline on a terminal fits its width (`CliIo.columns`, set when standard output is a
 * terminal): a long run id, node title, event type, summary or error is cut with `…` where it
 * would run past the edge (the status and duration at the end of a header kept), and the notes
 * are wrapped at word boundaries. Piped (no columns known) nothing is cut to a width.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { formatTimeline } from '../src/commands/timeline.js';
import type { NodeRow, RunHeader, TimelineEventRow } from '../src/data/run-detail.js';
import { colorsFor, stripAnsi } from '../src/format/colors.js';
import { cutToWidth, displayWidth, wrapToWidth } from '../src/format/table.js';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';

const LONG_ID = `nightly-evaluation-${'x'.repeat(60)}-eu-west`;
const LONG_TITLE = 'summarise every quarterly sales report of the last five years into one table per region';
const LONG_TYPE = 'retry_with_exponential_backoff_attempt';
const LONG_ERROR = `ValueError: ${'the upstream answered something that could not be parsed '.repeat(4)}`;

const now = Date.parse('2026-12-05T12:00:00.000Z');
const run: RunHeader = {
  id: LONG_ID, mode: 'evaluation', task: 'Summarise the sales data', status: 'failed', lastSeenAt: null,
  startedAt: '2026-12-05T11:00:00.000Z', completedAt: '2026-12-05T11:10:00.000Z', durationMs: 600_000,
  startMs: Date.parse('2026-12-05T11:00:00.000Z'), serviceName: null, traceId: null, meta: {}, recorded: true,
};
const nodes: NodeRow[] = [
  { id: 'n', nodeId: 'analyse', type: null, title: LONG_TITLE, agent: 'analyst', status: 'completed', orderIndex: 0, startMs: run.startMs, durationMs: 5000 },
];
const base = {
  parentEventId: 'n', nodeId: 'analyse', eventSubtype: null, agentName: 'analyst', agentRole: null, hasError: false, errorMessage: null,
  depth: 2, startedAt: null, preview: null, language: null, tool: null, argsKeys: [], exitCode: null, filePath: null, fileSize: null,
  hasContent: null, filesWritten: [], filesGenerated: [], fromAgent: null, toAgent: null, lastSeenAt: null, inProgress: false,
};
const events: TimelineEventRow[] = [
  { ...base, id: '1', eventType: 'agent_call', status: 'completed', executionOrder: 1, startMs: run.startMs! + 10, durationMs: 5, name: null, preview: 'word '.repeat(80) },
  { ...base, id: '2', eventType: LONG_TYPE, status: 'failed', executionOrder: 2, startMs: run.startMs! + 20, durationMs: 7, name: 'retry', errorMessage: LONG_ERROR },
  {
    ...base, id: '3', eventType: 'tool_call', status: 'stale', inProgress: true, lastSeenAt: '2026-12-05T11:00:00.000Z', executionOrder: 3,
    startMs: run.startMs! + 30, durationMs: null, name: 'execute_tool fetch',
  },
];

/** `formatTimeline` as the command calls it on a terminal of `columns` (colour on: widths must ignore it). */
function onTerminal(columns: number, header: RunHeader = run): string[] {
  return formatTimeline(header, nodes, events, { colors: colorsFor({ isTTY: true, env: {} }), width: columns, fit: true, now }).split('\n');
}

test('cutToWidth: at most the width, cut with …, colour codes kept and closed; wrapToWidth: every word kept, each line within the width', () => {
  const colors = colorsFor({ isTTY: true, env: {} });
  assert.equal(cutToWidth('abcdef', 4), 'abc…');
  assert.equal(cutToWidth('abc', 3), 'abc');
  assert.equal(cutToWidth(`${colors.red('abcdef')}gh`, 4), `\u001b[31mabc…\u001b[0m`);
  assert.equal(cutToWidth('😀😀😀😀', 3), '😀😀…');
  assert.deepEqual(wrapToWidth('one two three four', 9), ['one two', 'three', 'four']);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer({ min: 1, max: 40 }), (text, width) => {
      const line = text.replace(/[\s\u0000-\u001f\u007f-\u009f]/g, 'x');
      const cut = cutToWidth(line, width);
      assert.ok(displayWidth(cut) <= width);
      if (displayWidth(line) <= width) assert.equal(cut, line);
      else assert.ok(cut.endsWith('…') && line.startsWith(cut.slice(0, -1)));
      const words = text.split(/\s+/).filter((w) => w !== '');
      const wrapped = wrapToWidth(words.join(' '), width);
      for (const l of wrapped) assert.ok(displayWidth(l) <= width, `${JSON.stringify(l)} wider than ${width}`);
      assert.equal(wrapped.join('').replaceAll(' ', ''), words.join(''), 'nothing lost, only the spaces where lines break');
      if (words.every((w) => displayWidth(w) <= width)) assert.equal(wrapped.join(' '), words.join(' '), 'words that fit are never broken');
    }),
    { numRuns: 300 },
  );
});

test('on a terminal every line fits its width; the headers keep their status and duration; the notes are wrapped, not cut', () => {
  for (const columns of [40, 60, 80, 100]) {
    const lines = onTerminal(columns);
    for (const l of lines) assert.ok(displayWidth(l) <= columns, `${columns} columns: ${displayWidth(l)}: ${stripAnsi(l)}`);
    const plain = lines.map(stripAnsi);
    if (columns >= 60) {
      assert.match(plain[0]!, /^run nightly-evaluation-x+…  ✗ failed  10m 00s  3 events$/, `${columns}: ${plain[0]}`);
      assert.match(plain.find((l) => l.startsWith('analyse'))!, /^analyse  summarise.*…  ✓ completed  5\.00 s$/);
    } else {
      assert.match(plain[0]!, /^run nightly-evaluation-x+…$/, 'too narrow to keep the tail: the line is cut at the edge');
    }
    const note = plain.findIndex((l) => l.trimStart().startsWith('(stale:'));
    const wrapped = plain.slice(note).join(' ').replace(/\s+/g, ' ');
    assert.match(wrapped, /\(stale: no end recorded, its process last seen at 2026-12-05 11:00:00 \(1h 00m ago\): most likely dead\)/, 'the whole note');
  }
  const plain = onTerminal(80).map(stripAnsi);
  const retry = plain.find((l) => l.includes('#2'))!;
  assert.match(retry, /#2 +\+20 ms +retry_with_exponent… +analyst +7\.0 ms +✗  retry$/, 'a long type cut, the columns after it aligned');
  assert.match(plain[plain.indexOf(retry) + 1]!, /^\s+ValueError: the upstream .*…$/, 'the error cut at the edge');
  // The description of every event starts in the same column.
  const starts = plain.filter((l) => /^\s+#\d/.test(l)).map((l) => l.search(/ {2}[✓✗…!] {2}/));
  assert.equal(new Set(starts).size, 1, `marks aligned: ${starts}`);
});

test('piped (no terminal width), nothing is cut to a width: whole run id, type, title and notes on one line each', () => {
  const lines = formatTimeline(run, nodes, events, { colors: colorsFor({ isTTY: false, env: {} }), width: 100, now }).split('\n');
  assert.equal(lines[0], `run ${LONG_ID}  evaluation  ✗ failed  10m 00s  3 events`);
  assert.ok(lines.some((l) => l.startsWith(`analyse  ${LONG_TITLE}  (analyst)  ✓ completed`)));
  assert.ok(lines.some((l) => l.includes(`  ${LONG_TYPE}  `)));
  assert.ok(lines.some((l) => /^\s+\(stale: no end recorded, its process last seen at .* most likely dead\)$/.test(l)), 'the note on one line');
});

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_timeline_width');
  await runMigrations(db.pool, { schema: db.schema });
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms) VALUES ($1, 'evaluation', 'success', now() - interval '1 hour', now(), 1000)`,
    [LONG_ID],
  );
  await db.pool.query(
    `INSERT INTO dag_nodes (id, run_id, node_id, title, agent, status, order_index, started_at, completed_at, duration_ms)
     VALUES (gen_random_uuid(), $1, 'analyse', $2, 'analyst', 'completed', 0, now() - interval '1 hour', now(), 10)`,
    [LONG_ID, LONG_TITLE],
  );
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", completed_at, status, trace_id, span_id, execution_order, duration_ms, inputs, error_message)
     VALUES (gen_random_uuid(), $1, 'analyse', 'agent_call', 'analyst', now() - interval '59 minutes', now(), 'completed', 't', 'w1', 1, 3, $2, NULL),
            (gen_random_uuid(), $1, 'analyse', $3, 'analyst', now() - interval '58 minutes', now(), 'failed', 't', 'w2', 2, 4, '{}', $4)`,
    [LONG_ID, { message_preview: 'word '.repeat(80) }, LONG_TYPE, LONG_ERROR],
  );
  // Events but no run row: the timeline says so in a note.
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", completed_at, status, trace_id, span_id, execution_order, duration_ms)
     VALUES (gen_random_uuid(), 'rowless-run', 'tool_call', now(), now(), 'completed', 't', 'w3', 1, 1)`,
  );
});
after(async () => {
  await db.drop();
});

test('agentspan timeline on a terminal of 50 columns: no line is wider; piped, the lines are whole', async () => {
  for (const id of [LONG_ID, 'rowless-run']) {
    const tty = captureIo({ DATABASE_URL: db.url }, { isTTY: true, columns: 50 });
    assert.equal(await runCli(['timeline', id], tty), 0, tty.stderr.join('\n'));
    for (const l of tty.stdout.join('\n').split('\n')) assert.ok(displayWidth(l) <= 50, `${displayWidth(l)}: ${stripAnsi(l)}`);
    assert.ok(tty.text().includes('\u001b['), 'in colour: the widths ignore the colour codes');

    const piped = captureIo({ DATABASE_URL: db.url }, { columns: undefined });
    assert.equal(await runCli(['timeline', id], piped), 0, piped.stderr.join('\n'));
    const lines = piped.text().split('\n');
    if (id === LONG_ID) {
      assert.equal(lines[0], `run ${LONG_ID}  evaluation  ✓ success  1.00 s  2 events`);
      assert.ok(lines.some((l) => l.includes(`  ${LONG_TYPE}  `)), 'the type whole');
    } else {
      assert.ok(lines.some((l) => l.startsWith('(no run row: ') && l.endsWith(" see the gateway's README)")), 'the note on one line');
    }
  }
});
