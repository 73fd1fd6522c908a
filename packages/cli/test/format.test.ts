import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { colorsFor, stripAnsi } from '../src/format/colors.js';
import { parseSince } from '../src/format/since.js';
import { renderTable } from '../src/format/table.js';
import { cutToWidth, displayWidth, fitCell, wrapToWidth } from '../src/format/width.js';
import { formatBytes, formatDuration, formatPercent, formatTimestamp, maxOf, minOf, shorten, terminalSafe, terminalSafeContent, terminalSafeLines } from '../src/format/text.js';
import { createProgress, progressLine } from '../src/progress.js';
import { UsageError, type CliIo } from '../src/io.js';
import { fastestUnder } from '@agentspan/test-support';

test('shorten: one line, at most max code points, marked with … when cut', () => {
  assert.equal(shorten('a\n  b\tc', 10), 'a b c');
  assert.equal(shorten('abcdefghij', 5), 'abcd…');
  assert.equal(shorten(null, 5), '');
  assert.equal(shorten('😀😀😀😀😀😀', 3), '😀😀…');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 80 }), (text, max) => {
      const s = shorten(text, max);
      assert.ok(Array.from(s).length <= max, `${JSON.stringify(s)} longer than ${max}`);
      assert.ok(!/[\n\r\u0000-\u001f]/.test(s), 'no control characters or newlines');
    }),
  );
});

test('formatDuration, formatBytes, formatPercent, formatTimestamp', () => {
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(0.123), '0.12 ms');
  assert.equal(formatDuration(5.55), '5.5 ms');
  assert.equal(formatDuration(143.2), '143 ms');
  assert.equal(formatDuration(2500), '2.50 s');
  assert.equal(formatDuration(31_000), '31.0 s');
  assert.equal(formatDuration(185_000), '3m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatDuration(null), '-');
  assert.equal(formatDuration(Number.NaN), '-');
  assert.equal(formatBytes(214), '214 B');
  assert.equal(formatBytes(5 * 1024 + 100), '5.1 KB');
  assert.equal(formatBytes(3.4 * 1024 * 1024), '3.4 MB');
  assert.equal(formatBytes(undefined), '-');
  assert.equal(formatPercent(0.866), '87%');
  assert.equal(formatTimestamp('2026-11-26T01:11:27.037Z'), '2026-11-26 01:11:27');
  assert.equal(formatTimestamp('not a date'), '-');
});

test('parseSince: durations back from now, ISO dates, and a usage error for anything else', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  assert.equal(parseSince('24h', now).toISOString(), '2026-11-25T12:00:00.000Z');
  assert.equal(parseSince('30m', now).toISOString(), '2026-11-26T11:30:00.000Z');
  assert.equal(parseSince('7d', now).toISOString(), '2026-11-19T12:00:00.000Z');
  assert.equal(parseSince('2w', now).toISOString(), '2026-11-12T12:00:00.000Z');
  assert.equal(parseSince('2026-11-01', now).toISOString(), '2026-11-01T00:00:00.000Z');
  for (const bad of ['', 'yesterday', '24', 'h', '-1h', '2026-13-45']) {
    assert.throws(() => parseSince(bad, now), UsageError, bad);
  }
  fc.assert(
    fc.property(fc.string(), (text) => {
      try {
        assert.ok(!Number.isNaN(parseSince(text, now).getTime()));
      } catch (err) {
        assert.ok(err instanceof UsageError);
      }
    }),
  );
});

test('parseSince: a date or time without an offset is UTC whatever the time zone; dates that do not exist and spans past year 1 are usage errors', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const tz = process.env['TZ'];
  try {
    for (const zone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      process.env['TZ'] = zone;
      assert.equal(parseSince('2026-12-04 21:10:44', now).toISOString(), '2026-12-04T21:10:44.000Z', zone);
      assert.equal(parseSince('2026-12-04T21:10', now).toISOString(), '2026-12-04T21:10:00.000Z', zone);
      assert.equal(parseSince('2026-11-01T12:00:00.750Z', now).toISOString(), '2026-11-01T12:00:00.750Z', zone);
      assert.equal(parseSince('2026-11-01 23:59:59.999999', now).toISOString(), '2026-11-01T23:59:59.999Z', zone);
      assert.equal(parseSince('2026-12-04T21:10:44+02:00', now).toISOString(), '2026-12-04T19:10:44.000Z', zone);
      assert.equal(parseSince('2026-12-04T21:10:44-0500', now).toISOString(), '2026-12-05T02:10:44.000Z', zone);
    }
  } finally {
    if (tz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = tz;
  }
  for (const bad of ['2026-02-30', '2026-04-31', '2026-12-04 24:00', '2026-12-04 12:60', '99999999999d', '2026-12-04 morning']) {
    assert.throws(() => parseSince(bad, now), UsageError, bad);
  }
});

test('terminalSafe keeps colour codes and drops every other control character; maxOf/minOf take any number of values', () => {
  assert.equal(terminalSafe('a\u001b]0;title\u0007b\u001b[2Jc\nd\te'), 'a]0;titleb[2Jc d e');
  assert.equal(terminalSafe('\u001b[31mred\u001b[0m'), '\u001b[31mred\u001b[0m');
  const many = Array.from({ length: 300_000 }, (_, i) => i);
  assert.equal(maxOf(many, -1), 299_999);
  assert.equal(minOf(many, -1), 0);
  assert.equal(maxOf([], -1), -1);
});

test('terminalSafe, terminalSafeLines and shorten drop bidi controls (overrides, embeddings, isolates, marks), which reverse the rest of a line', () => {
  const bidi = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  for (const c of bidi) {
    const code = `U+${c.codePointAt(0)!.toString(16)}`;
    assert.equal(terminalSafe(`ok${c} ✗ failed`), 'ok ✗ failed', code);
    assert.equal(shorten(`ok${c} ✗ failed`, 40), 'ok ✗ failed', code);
    assert.equal(terminalSafeLines(`a${c}\n  b${c}`), 'a\n  b', code);
  }
  assert.equal(terminalSafe('שלום עולם'), 'שלום עולם', 'right-to-left text itself is kept');
});

test('terminalSafeLines keeps the line breaks between lines and makes each line safe', () => {
  assert.equal(terminalSafeLines('error:\n  a\u001b]0;t\u0007\r\n  b\tc'), 'error:\n  a]0;t \n  b c');
  // Colour codes too: an error message has none of ours, and a recorded one can hide text (ESC[8m).
  assert.equal(terminalSafeLines('run abcd\u001b[8m hidden \u001b[0m-run'), 'run abcd hidden -run');
});

test('renderTable aligns by display width, ignoring colour codes, and cuts to maxWidth', () => {
  const colors = colorsFor({ isTTY: true, env: {} });
  const text = renderTable(
    [
      { header: 'NAME', cell: (r: { name: string; n: number }) => colors.green(r.name) },
      { header: 'N', cell: (r) => String(r.n), alignRight: true },
      { header: 'NOTE', cell: () => 'a very long note indeed', maxWidth: 8 },
    ],
    [
      { name: 'a', n: 1 },
      { name: 'longer', n: 100 },
    ],
  );
  const lines = stripAnsi(text).split('\n');
  assert.deepEqual(lines, ['NAME      N  NOTE', 'a         1  a very …', 'longer  100  a very …']);
  assert.equal(displayWidth(colors.red('abc')), 3);
});

test('colours only on a TTY, never with NO_COLOR or --no-color', () => {
  assert.equal(colorsFor({ isTTY: true, env: {} }).red('x'), '\u001b[31mx\u001b[39m');
  assert.equal(colorsFor({ isTTY: false, env: {} }).red('x'), 'x');
  assert.equal(colorsFor({ isTTY: true, env: { NO_COLOR: '1' } }).red('x'), 'x');
  assert.equal(colorsFor({ isTTY: true, env: {}, noColor: true }).red('x'), 'x');
});

test('progress: redraws in place on stderr when enabled, throttled, erased at the end; silent otherwise', () => {
  assert.equal(progressLine('loading', 37, 100), 'loading [#########---------------]  37% 37/100');
  assert.equal(progressLine('x', 5, 0), 'x [########################] 100% 5/0');
  const chunks: string[] = [];
  let clock = 0;
  const io: CliIo = { out: () => undefined, err: () => undefined, env: {}, isTTY: true, writeErr: (c) => chunks.push(c) };
  const p = createProgress(io, { label: 'loading', total: 10, enabled: true, minIntervalMs: 100, now: () => clock });
  p.update(3); // within 100 ms of the first frame: skipped
  clock = 150;
  p.update(5);
  clock = 160;
  p.update(10); // 100 %: always drawn
  p.done();
  p.done();
  assert.deepEqual(chunks, [
    `\r${progressLine('loading', 0, 10)}`,
    `\r${progressLine('loading', 5, 10)}`,
    `\r${progressLine('loading', 10, 10)}`,
    '\r\u001b[2K',
  ]);
  const silent: string[] = [];
  const off = createProgress({ ...io, writeErr: (c) => silent.push(c) }, { label: 'x', total: 1, enabled: false });
  off.update(1);
  off.done();
  assert.deepEqual(silent, []);
});

test('timeline header: "no end recorded" only for a run in progress, not for an ended run stored with a repaired (NULL) end', async () => {
  const { formatTimeline } = await import('../src/commands/timeline.js');
  const colors = colorsFor({ isTTY: false, env: {} });
  const header = {
    id: 'r', mode: 'm', task: null, lastSeenAt: null, startedAt: '2026-12-05T00:00:00.000Z', completedAt: null, durationMs: null,
    startMs: Date.parse('2026-12-05T00:00:00.000Z'), serviceName: null, traceId: null, meta: {}, recorded: true,
  };
  const text = (status: string) => formatTimeline({ ...header, status }, [], [], { colors, width: 120 });
  assert.match(text('running'), /no end recorded yet/);
  assert.doesNotMatch(text('success'), /no end recorded/);
});

test('timeline header of a run in progress: still seen, stale (its process silent), or without a heartbeat', async () => {
  const { inProgressNote } = await import('../src/commands/timeline.js');
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  assert.equal(
    inProgressNote({ status: 'running', lastSeenAt: '2026-12-05T11:59:30.000Z' }, now),
    '(no end recorded yet: the run is still going, its process last seen running at 2026-12-05 11:59:30 (30.0 s ago))',
  );
  assert.equal(
    inProgressNote({ status: 'stale', lastSeenAt: '2026-12-05T10:00:00.000Z' }, now),
    '(stale: no end recorded, and its process was last seen running at 2026-12-05 10:00:00 (2h 00m ago): it most likely died before ending the run, or cannot reach Postgres)',
  );
  assert.equal(inProgressNote({ status: 'running', lastSeenAt: null }, now), '(no end recorded yet: the run is still going, or its process died before ending it)');
  assert.match(inProgressNote({ status: 'running', lastSeenAt: 'garbage' }, now), /or its process died before ending it/);
});

test('an event in progress: its line says running (…) or stale (!), never ✓, with when its process was last seen on the line under it', async () => {
  const { eventInProgressNote, formatTimeline } = await import('../src/commands/timeline.js');
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  assert.equal(
    eventInProgressNote({ status: 'running', lastSeenAt: '2026-12-05T11:59:30.000Z' }, now),
    '(running: no end recorded yet, its process last seen at 2026-12-05 11:59:30 (30.0 s ago))',
  );
  assert.equal(
    eventInProgressNote({ status: 'stale', lastSeenAt: '2026-12-05T11:00:00.000Z' }, now),
    '(stale: no end recorded, its process last seen at 2026-12-05 11:00:00 (1h 00m ago): most likely dead)',
  );
  assert.equal(eventInProgressNote({ status: 'running', lastSeenAt: null }, now), '(running: no end recorded yet, or its process died before ending it)');

  const colors = colorsFor({ isTTY: false, env: {} });
  const run = {
    id: 'r', mode: 'm', task: null, status: 'success', lastSeenAt: null, startedAt: '2026-12-05T11:00:00.000Z', completedAt: '2026-12-05T11:10:00.000Z',
    durationMs: 600_000, startMs: Date.parse('2026-12-05T11:00:00.000Z'), serviceName: null, traceId: null, meta: {}, recorded: true,
  };
  const base = {
    parentEventId: null, nodeId: null, eventSubtype: null, agentName: 'a', agentRole: null, hasError: false, errorMessage: null, depth: 2,
    startedAt: null, preview: null, language: null, tool: null, argsKeys: [], exitCode: null, filePath: null, fileSize: null, hasContent: null,
    filesWritten: [], filesGenerated: [], fromAgent: null, toAgent: null,
  };
  const events = [
    { ...base, id: '1', eventType: 'tool_call', status: 'completed', inProgress: false, lastSeenAt: null, executionOrder: 1, startMs: run.startMs + 1000, durationMs: 5, name: 'execute_tool grep', tool: 'grep', argsKeys: ['q'] },
    { ...base, id: '2', eventType: 'tool_call', status: 'running', inProgress: true, lastSeenAt: '2026-12-05T11:59:30.000Z', executionOrder: 2, startMs: run.startMs + 2000, durationMs: null, name: 'execute_tool fetch' },
    { ...base, id: '3', eventType: 'code_exec', status: 'stale', inProgress: true, lastSeenAt: '2026-12-05T11:00:00.000Z', executionOrder: 3, startMs: run.startMs + 3000, durationMs: null, name: 'execute_code executor' },
    // Ended, with a status of the application's own that says running: its row is not in progress.
    { ...base, id: '4', eventType: 'tool_call', status: 'running', inProgress: false, lastSeenAt: null, executionOrder: 4, startMs: run.startMs + 4000, durationMs: 7, name: 'execute_tool parse', tool: 'parse' },
  ];
  const lines = formatTimeline(run, [], events, { colors, width: 120, now }).split('\n');
  assert.match(lines.find((l) => l.includes('#1'))!, /tool_call\s+a\s+5\.0 ms\s+✓  grep\(q\)$/);
  const running = lines.findIndex((l) => l.includes('#2'));
  assert.match(lines[running]!, /tool_call\s+a\s+-\s+…  execute_tool fetch$/, 'no duration, no ✓; its span name, as it has no inputs yet');
  assert.match(lines[running + 1]!, /^\s+\(running: no end recorded yet, its process last seen at 2026-12-05 11:59:30 \(30\.0 s ago\)\)$/);
  const stale = lines.findIndex((l) => l.includes('#3'));
  assert.match(lines[stale]!, /code_exec\s+a\s+-\s+!  execute_code executor$/);
  assert.match(lines[stale + 1]!, /^\s+\(stale: no end recorded, its process last seen at 2026-12-05 11:00:00 \(1h 00m ago\): most likely dead\)$/);
  assert.match(lines.find((l) => l.includes('#4'))!, /tool_call\s+a\s+7\.0 ms\s+✓  parse\(\)$/, 'ended: ✓, whatever its stored status says');
  for (const l of lines) assert.ok(l.length <= 120, `fits the terminal: ${l}`);
});

test('terminalSafeContent keeps lines and tabs, drops every other control character and the bidi controls, and nothing else', () => {
  const unprintable = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const out = terminalSafeContent(text);
      assert.doesNotMatch(out, unprintable);
      assert.equal(out, Array.from(text).filter((c) => !unprintable.test(c)).join(''), 'only the unprintable characters go');
    }),
    { numRuns: 1000 },
  );
  assert.equal(terminalSafeContent('a\tb\r\nc\u001b]0;t\u0007\u001b[2J\u202ed'), 'a\tb\nc]0;t[2Jd');
});

test('a cell of 20 MB is measured without an object per character and cut to a column reading its start only', () => {
  // Each character was an object before (1.4 GB and seconds for 20 MB, a timeline or table of rows someone else wrote),
  // and a cut measured the whole cell first; now measuring allocates nothing per character and a cut stops at the
  // column's width. The bound is many times what a cut needs on a loaded machine; the old code took 8-80 s here.
  const cell = 'ab😀 é\u0301中'.repeat(2_000_000);
  const fastest = (run: () => unknown): number => fastestUnder(run, 1500);
  let cut = '';
  assert.ok(fastest(() => (cut = fitCell(cell, 40))) < 1500, 'fitCell');
  // Eight columns a repeat; the `中` after the fifth `é` would end at column 40, past the 39 left before the `…`.
  assert.equal(cut, `${'ab😀 é\u0301中'.repeat(4)}ab😀 é\u0301…`);
  assert.equal(displayWidth(cut), 39);
  assert.ok(fastest(() => (cut = cutToWidth(`\u001b[31m${cell}`, 12))) < 1500, 'cutToWidth');
  assert.equal(cut, '\u001b[31mab😀 é\u0301中ab…\u001b[0m');
  // Measured whole (a column's natural width): every character read, none kept.
  assert.equal(displayWidth(cell), 8 * 2_000_000);
  assert.deepEqual(wrapToWidth('ab😀 é\u0301中 '.repeat(3), 9), ['ab😀 é\u0301中', 'ab😀 é\u0301中', 'ab😀 é\u0301中']);
});

test('© and ® made emoji by U+FE0F are two columns, as ❤️ is (Latin-1 pictographs, read by the fast Latin path)', () => {
  // The measure without an object per character (2026-12-07) took `©` and `®` by its Latin path, which did not note
  // them as pictographs: `©️` measured one column, unlike before and unlike `❤️`, and a cut or pad was off by one.
  assert.equal(displayWidth('\u2764\ufe0f'), 2);
  assert.equal(displayWidth('\u00a9\ufe0f'), 2);
  assert.equal(displayWidth('a \u00ae\ufe0f'), 4);
  assert.equal(displayWidth('\u00a9\u0301\ufe0f'), 2);
  assert.equal(displayWidth('\u00a9'), 1);
  assert.equal(cutToWidth('aa\u00a9\ufe0f', 3), 'aa…');
  assert.equal(fitCell('aa\u00a9\ufe0f', 3), 'aa…');
  assert.deepEqual(wrapToWidth('aa\u00a9\ufe0f', 3), ['aa', '\u00a9\ufe0f']);
  // Every character of that path, against the property itself (a later Unicode may add a pictograph there).
  for (let code = 0x20; code < 0x300; code++) {
    if (code === 0xad) continue; // the soft hyphen is no column of its own (not on that path)
    const char = String.fromCharCode(code);
    assert.equal(displayWidth(`${char}\ufe0f`), /\p{Extended_Pictographic}/u.test(char) ? 2 : 1, `U+${code.toString(16)}`);
  }
});
