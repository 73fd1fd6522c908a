/**
 * A cell of megabytes (a task, a status, a file type another program wrote) on a terminal: the
 * tables and the timeline's header lines read it only up to what the terminal's width can show, and
 * print exactly what they printed when every cell was measured whole (2026-12-07: `runs`, `files`
 * and `patterns` took seconds a table, measuring such a cell three times). Piped, nothing changes:
 * a column is as wide as its widest cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, type Column } from '../src/format/table.js';
import { fitWithTail } from '../src/format/width.js';
import { fastestUnder } from '@agentspan/test-support';

/** The fastest of up to three runs, in ms (one is enough when it is fast: the bound is for a loaded machine). */
const fastest = (run: () => unknown): number => fastestUnder(run, 1500);

/** 8 million CJK characters (16 million columns): measured whole, seconds; the bound is many times a cut's cost. */
const HUGE = '中文字符'.repeat(2_000_000);
/** Its start: as wide as any of these terminals, so the huge cell prints the same as this one did. */
const START = HUGE.slice(0, 400);

type Row = { id: string; status: string; task: string; type: string };
const columns: Column<Row>[] = [
  { header: 'RUN', cell: (r) => r.id, shrink: true, minWidth: 8 },
  { header: 'STATUS', cell: (r) => r.status },
  { header: 'TASK', cell: (r) => r.task, shrink: true },
  { header: 'TYPE', cell: (r) => r.type, shrink: true, minWidth: 3 },
];
const row = (over: Partial<Row>): Row => ({ id: 'run-1', status: 'success', task: 'Summarise the notes', type: 'md', ...over });

test('renderTable on a terminal: a huge cell, in a column that shrinks or one that does not, costs what its start does and prints the same', () => {
  const cases: { name: string; huge: Row[]; small: Row[] }[] = [
    { name: 'task (shrinks)', huge: [row({ task: HUGE }), row({ id: 'run-2' })], small: [row({ task: START }), row({ id: 'run-2' })] },
    { name: 'status (does not)', huge: [row({ status: HUGE }), row({ id: 'run-2' })], small: [row({ status: START }), row({ id: 'run-2' })] },
    { name: 'last column, spaces after', huge: [row({ type: `md${' '.repeat(8_000_000)}` }), row({})], small: [row({ type: `md${' '.repeat(400)}` }), row({})] },
  ];
  for (const { name, huge, small } of cases) {
    for (const width of [20, 80, 160]) {
      let out = '';
      const ms = fastest(() => (out = renderTable(columns, huge, { width })));
      assert.ok(ms < 1500, `${name} at ${width}: ${ms.toFixed(0)} ms`);
      assert.equal(out, renderTable(columns, small, { width }), `${name} at ${width}`);
    }
  }
});

test('fitWithTail: a head of megabytes is read up to the width, the tail kept whole', () => {
  let out = '';
  const head = `▸ ${HUGE.repeat(3)}`; // measured whole, one pass: seconds on any machine
  const ms = fastest(() => (out = fitWithTail(head, ['  ✓ success  2m 03s', '  ✓'], 40)));
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  assert.equal(out, fitWithTail(`▸ ${START}`, ['  ✓ success  2m 03s', '  ✓'], 40));
  assert.equal(out, `▸ ${'中文字符'.repeat(2)}中…  ✓ success  2m 03s`);
});

test('fitWithTail: a tail of megabytes (a status another program wrote) is read up to the width too', () => {
  const tails = (status: string) => [`  ✗ ${status}  2m 03s`, `  ✗ ${status}`];
  const huge = tails(HUGE.repeat(3));
  let out = '';
  const ms = fastest(() => (out = fitWithTail('▸ step_1  Load the data', huge, 40)));
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  assert.equal(out, fitWithTail('▸ step_1  Load the data', tails(START), 40));
  assert.equal(out, '▸ step_1  Load the data  ✗ 中文字符中文…');
  // A tail that fits leaves the head the rest, as before.
  assert.equal(fitWithTail(`▸ ${HUGE}`, ['  ✓ ok  2s', '  ✓'], 30), '▸ 中文字符中文字符…  ✓ ok  2s');
  assert.equal(fitWithTail(`▸ ${HUGE}`, ['  ✓ ok  2s', '  ✓'], 20), '▸ 中文字符中文字…  ✓', 'the shorter tail when the longer leaves the head too little');
});
