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
import { formatTimeline } from '../src/timeline/format.js';
import { MIN_COLUMNS_WITH_MARK } from '../src/timeline/layout.js';
import type { NodeRow, RunHeader, TimelineEventRow } from '../src/data/run-detail.js';
import { colorsFor, stripAnsi } from '../src/format/colors.js';
import { cutToWidth, displayWidth, wrapToWidth } from '../src/format/width.js';
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
  assert.equal(cutToWidth('😀😀😀😀', 3), '😀…', 'an emoji takes two columns');
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
      // A two-column character cannot fit a width of 1: alone on its line, it is the one exception.
      for (const l of wrapped) assert.ok(displayWidth(l) <= Math.max(width, 2), `${JSON.stringify(l)} wider than ${width}`);
      assert.equal(wrapped.join('').replaceAll(' ', ''), words.join(''), 'nothing lost, only the spaces where lines break');
      if (words.every((w) => displayWidth(w) <= width)) assert.equal(wrapped.join(' '), words.join(' '), 'words that fit are never broken');
    }),
    { numRuns: 300 },
  );
});

/**
 * Columns as a terminal draws the test's own texts, counted without the code under test: a CJK
 * ideograph, kana or fullwidth form (U+2E80–U+A4CF, U+AC00–U+D7A3, U+F900–U+FAFF, U+FF01–U+FF60)
 * or an emoji of the U+1F300–U+1FAFF blocks takes two, an ASCII character one.
 */
function columnsOf(text: string): number {
  let n = 0;
  for (const c of Array.from(stripAnsi(text))) n += /[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60\u{1f300}-\u{1faff}]/u.test(c) ? 2 : 1;
  return n;
}

test('widths are terminal columns: a CJK character or an emoji takes two, a combining mark or a joined emoji sequence none of its own', () => {
  assert.equal(displayWidth('漢字'), 4);
  assert.equal(displayWidth('ｶﾅ'), 2, 'halfwidth katakana: one column each');
  assert.equal(displayWidth('ＡＢ'), 4, 'fullwidth forms: two');
  assert.equal(displayWidth('😀'), 2);
  assert.equal(displayWidth('e\u0301'), 1, 'e and a combining acute accent: one column');
  assert.equal(displayWidth('👨\u200d👩\u200d👧'), 2, 'a family (joined emoji) is drawn as one emoji');
  assert.equal(displayWidth('🇯🇵'), 2, 'a flag (two regional indicators)');
  assert.equal(displayWidth(`\u001b[31m漢\u001b[39m`), 2, 'colour codes take none');
  assert.equal(cutToWidth('漢字漢字漢字', 4), '漢…');
  assert.equal(cutToWidth('ab漢字', 4), 'ab…', 'a wide character that would straddle the edge is left out whole');
  assert.equal(cutToWidth('ée\u0301e\u0301e\u0301xyz', 3), 'ée\u0301…', 'a combining mark stays with its letter');
  assert.deepEqual(wrapToWidth('漢字漢字漢字 漢字', 4), ['漢字', '漢字', '漢字', '漢字']);
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'é', '漢', 'カ', '😀', ' ', 'Ｚ'), { maxLength: 40 }), fc.integer({ min: 2, max: 30 }), (chars, width) => {
      const text = chars.join('');
      const cut = cutToWidth(text, width);
      assert.ok(columnsOf(cut) <= width, `${JSON.stringify(cut)}: ${columnsOf(cut)} columns, more than ${width}`);
      assert.equal(displayWidth(text), columnsOf(text));
      for (const line of wrapToWidth(text.trim().replace(/ +/g, ' '), width)) assert.ok(columnsOf(line) <= width, `${JSON.stringify(line)} in ${width}`);
    }),
    { numRuns: 300 },
  );
});

test('on a terminal, recorded CJK text (run id, mode, task, node title, agent, type, summary, error) never runs past the width; marks stay aligned', () => {
  const cjkRun: RunHeader = { ...run, id: '実験-評価-2026年12月-東京リージョン', mode: 'バッチ', task: '売上データを要約する。'.repeat(10) };
  const cjkNodes: NodeRow[] = [{ ...nodes[0]!, nodeId: '分析', title: '過去五年間の四半期売上報告書をすべて地域ごとに一つの表に要約する', agent: '分析者' }];
  const cjkEvents: TimelineEventRow[] = [
    { ...events[0]!, nodeId: '分析', agentName: '分析者エージェント', preview: '日本語のメッセージ😀'.repeat(20) },
    { ...events[1]!, nodeId: '分析', agentName: 'analyst', eventType: 'ツール呼び出し再試行', errorMessage: 'エラー：上流の応答を解析できませんでした。'.repeat(5) },
    { ...events[2]!, nodeId: '分析', agentName: '分析者' },
  ];
  for (const columns of [20, 40, 80, 120]) {
    const lines = formatTimeline(cjkRun, cjkNodes, cjkEvents, { colors: colorsFor({ isTTY: true, env: {} }), width: columns, fit: true, now }).split('\n');
    for (const l of lines) assert.ok(columnsOf(l) <= columns, `${columns} columns: ${columnsOf(l)}: ${stripAnsi(l)}`);
    if (columns >= 80) {
      const starts = lines.map(stripAnsi).filter((l) => /^\s+#\d/.test(l)).map((l) => columnsOf(l.slice(0, l.search(/ {2}[✓✗…!] {2}/))));
      assert.equal(new Set(starts).size, 1, `${columns}: marks in one column: ${starts}`);
    }
  }
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
      assert.match(plain[0]!, /^run nightly-evaluation-x+…  ✗ failed$/, 'too narrow for the whole tail: the status alone is kept');
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

test(`on a terminal of ${MIN_COLUMNS_WITH_MARK} columns or more every event line keeps its mark; narrower, lines are cut at the edge, never wider`, () => {
  const colors = colorsFor({ isTTY: true, env: {} });
  const wide: TimelineEventRow[] = [
    // The widest order an integer holds, a deep event, CJK and long names, long durations: the hardest lines to fit.
    { ...events[0]!, id: 'a', executionOrder: -2147483648, depth: 9, agentName: '分析者エージェント・長い名前', eventType: 'ツール呼び出し再試行', durationMs: 3_600_000 * 30 },
    { ...events[1]!, id: 'b', executionOrder: 2147483647, depth: 2, agentName: 'a-very-long-agent-name-indeed', eventType: LONG_TYPE, durationMs: 0.5 },
    { ...events[0]!, id: 'c', executionOrder: 7, depth: 1, agentName: null, eventType: 'tool_call', startMs: null, preview: '✓✗ marks in a summary are not the mark' },
    { ...events[1]!, id: 'd', executionOrder: null, depth: 3, agentName: '😀😀😀😀😀😀😀😀', status: 'completed', hasError: true, errorMessage: 'exit 1' },
    // Still running, deep: its note under it is wrapped, from the line's start when the indentation leaves too little.
    { ...events[2]!, id: 'e', executionOrder: 12345, depth: 8 },
  ];
  for (let columns = 1; columns <= 130; columns++) {
    const lines = formatTimeline(run, nodes, wide, { colors, width: columns, fit: true, now }).split('\n');
    const eventLines = lines.map(stripAnsi).filter((l) => /^\s*#/.test(l));
    for (const l of lines) {
      assert.ok(displayWidth(l) <= columns, `${columns}: ${displayWidth(l)}: ${stripAnsi(l)}`);
      assert.ok(wellFormed(l), `${columns}: a character split: ${JSON.stringify(l)}`);
    }
    if (columns >= 10) assert.ok(lines.length < 45, `${columns}: ${lines.length} lines, the notes wrapped into scraps`);
    const byId = new Map(wide.map((e) => [e.id, e]));
    for (const [id, order] of [['a', '#-2147483648'], ['b', '#2147483647'], ['c', '#7 '], ['d', '#?']] as const) {
      const line = eventLines.find((l) => l.trimStart().startsWith(order));
      if (columns < MIN_COLUMNS_WITH_MARK) continue;
      assert.ok(line, `${columns}: the line of ${order}`);
      // The mark is the first ✓ or ✗ after the order and the columns; the summary of c holds both, after it.
      const expected = eventFailedMark(byId.get(id)!);
      const mark = /[✓✗]/.exec(line.replace(/^\s*#\S+/, ''))?.[0];
      assert.equal(mark, expected, `${columns}: ${order} shows ${expected}: ${line}`);
    }
  }
  // Wide enough, nothing is given up: every column, the summary after the mark.
  const roomy = formatTimeline(run, nodes, wide, { colors, width: 200, fit: true, now }).split('\n').map(stripAnsi);
  assert.ok(roomy.some((l) => /#2147483647 +\+20 ms +retry_with_exponent… +a-very-long-age… +0\.50 ms +✗  retry$/.test(l)), roomy.join('\n'));
  // At the narrowest, what is left: the order, cut names, the mark (the offset, duration and indentation given up).
  const narrow = formatTimeline(run, nodes, wide, { colors, width: MIN_COLUMNS_WITH_MARK, fit: true, now }).split('\n').map(stripAnsi);
  assert.ok(narrow.some((l) => /^#-2147483648 {2}ツー… {3}分析… {2}✓$/.test(l)), narrow.join('\n'));
});

/** The mark an ended event's line must show: ✗ when it failed (status or error flag), else ✓. */
function eventFailedMark(e: TimelineEventRow): '✓' | '✗' {
  return e.hasError || !['completed', 'success'].includes(e.status) ? '✗' : '✓';
}

/** No lone surrogate: a pair split by a cut would leave one. */
function wellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
