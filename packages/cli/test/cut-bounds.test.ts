/**
 * Cuts whose work is bounded by what they show, not by the text (a task of megabytes, a letter under
 * millions of marks), a colour code inside a character, and terminal widths that are no width (NaN,
 * infinite, negative): what `runs`, `timeline`, `files` and `patterns` print for each.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, fastestUnder, type TestSchema } from '@agentspan/test-support';
import { stripAnsi } from '../src/format/colors.js';
import { shorten } from '../src/format/text.js';
import { cutToWidth, displayWidth, fitCell, fitsWidth, widthUpTo } from '../src/format/width.js';
import { terminalColumns } from '../src/io.js';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';
import { PAGED_RUN, seedPagedRun } from './helpers/paged-run.js';
import { recordToolingRun } from './helpers/seed.js';

/** Many times what a bounded cut takes on a loaded machine; the unbounded ones took 0.6-3 s here. */
const BOUND_MS = 100;
const fastest = (run: () => unknown): number => fastestUnder(run, BOUND_MS);

/** `shorten` as it was before it read only what the cut needs: the reference its output must equal. */
function shortenWhole(text: string | null | undefined, max: number): string {
  if (text === null || text === undefined) return '';
  const line = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const chars = Array.from(line);
  if (chars.length <= max) return line;
  if (max <= 1) return '…'.slice(0, max);
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

test('shorten reads a task of 8 MB only up to its cut, and gives the line it gave when it read all of it', () => {
  const task = 'Summarise the quarterly sales data\n\t '.repeat(220_000);
  let line = '';
  const ms = fastest(() => (line = shorten(task, 48)));
  assert.ok(ms < BOUND_MS, `${ms.toFixed(1)} ms`);
  assert.equal(line, 'Summarise the quarterly sales data Summarise th…');
  // Whitespace, control and bidi characters, surrogate pairs (whole or lone), at any length and any cut.
  const units = fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u3000', '\u0000', '\u001b', '\u0085', '\u202e', 'a', 'é', '中', '😀', '\ud83d', '\ude00', '\ufeff');
  fc.assert(
    fc.property(
      fc.array(units, { maxLength: 3000 }).map((a) => a.join('')),
      fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(0.5, 2.5, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER)),
      (text, max) => {
        assert.equal(shorten(text, max), shortenWhole(text, max));
      },
    ),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 0, max: 120 }), (text, max) => {
    assert.equal(shorten(text, max), shortenWhole(text, max));
  }));
});

test('a letter under 8 million combining marks is cut in bounded time: a cluster holds at most 30 marks, each 31 more count a column', () => {
  const zalgo = `e${'\u0301'.repeat(8_000_000)}`;
  let cell = '';
  const ms = fastest(() => (cell = fitCell(zalgo, 20)));
  assert.ok(ms < BOUND_MS, `fitCell: ${ms.toFixed(1)} ms`);
  // The letter with 30 marks, then 18 columns of 31 marks each, then the mark of the cut.
  assert.equal(cell, `e${'\u0301'.repeat(30 + 18 * 31)}…`);
  assert.equal(displayWidth(cell), 20);
  assert.ok(fastest(() => (cell = cutToWidth(`\u001b[31m${zalgo}`, 5))) < BOUND_MS, 'cutToWidth');
  assert.equal(cell, `\u001b[31me${'\u0301'.repeat(30 + 3 * 31)}…\u001b[0m`);
  assert.ok(fastest(() => fitsWidth(zalgo, 80)) < BOUND_MS, 'fitsWidth');
  assert.ok(fastest(() => widthUpTo(zalgo, 80)) < BOUND_MS, 'widthUpTo');
  assert.equal(widthUpTo(zalgo, 80), 80);
  // Marks only, from the start: that cluster is none wide (as before), the ones after it a column each.
  assert.ok(fastest(() => (cell = fitCell(zalgo.slice(1), 3))) < BOUND_MS, 'marks only');
  assert.equal(cell, `${'\u0301'.repeat(31 + 2 * 31)}…`);
  // What any script needs is as before: 30 marks stay on their letter, emoji sequences are one character.
  assert.equal(displayWidth(`e${'\u0301'.repeat(30)}`), 1);
  assert.equal(displayWidth(`e${'\u0301'.repeat(31)}`), 2);
  assert.equal(displayWidth('\u{1f9d1}\u{1f3fb}\u200d\u2764\ufe0f\u200d\u{1f48b}\u200d\u{1f9d1}\u{1f3fc}'), 6, 'skin tones are columns of their own, as before');
  assert.equal(displayWidth('\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}'), 2, 'a tag sequence (a flag of Scotland) is one');
  assert.equal(displayWidth('\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}'), 2, 'a family is one');
  // Joined by U+200D, the same bound: 15 joins of two code points, then a new column.
  assert.equal(displayWidth(`a${'\u200db'.repeat(15)}`), 1);
  assert.equal(displayWidth(`a${'\u200db'.repeat(16)}`), 2, 'the 16th U+200D would be the 31st code point joined: it starts a column, its b joins it');
});

test('a colour code between a character and its U+FE0F: the cut counts the emoji two columns, as the terminal draws it', () => {
  const heart = `ab\u2764\u001b[31m\ufe0fcdef`;
  assert.equal(displayWidth(heart), 8);
  const cut = cutToWidth(heart, 5);
  assert.ok(displayWidth(cut) <= 5, `${JSON.stringify(cut)} is ${displayWidth(cut)} columns`);
  assert.equal(cut, `ab\u2764\u001b[31m\ufe0f…\u001b[0m`);
  assert.equal(cutToWidth(`ab\u00a9\u001b[1m\ufe0fcd`, 4), 'ab…', '©️ is two columns: it does not fit before the …');
  // A colour code anywhere (inside a flag, an emoji sequence, between a letter and its accents) cuts where the plain text is cut.
  const piece = fc.constantFrom('a', 'é', 'e\u0301', '中', '😀', '\u2764\ufe0f', '\u00a9\ufe0f', '\u{1f1eb}\u{1f1f7}', '\u{1f468}\u200d\u{1f469}', ' ', '\u0301', '\ufe0f', '\u200d');
  const code = fc.constantFrom('\u001b[31m', '\u001b[39m', '\u001b[1;2m', '\u001b[m');
  const codePoints = (s: string) => Array.from(s);
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 30 }).map((p) => codePoints(p.join(''))),
      fc.array(fc.tuple(fc.nat(), code), { maxLength: 6 }),
      fc.integer({ min: 0, max: 40 }),
      (chars, codes, width) => {
        const coloured = [...chars];
        for (const [at, c] of codes) coloured.splice(at % (coloured.length + 1), 0, c);
        const text = coloured.join('');
        const plain = chars.join('');
        const out = cutToWidth(text, width);
        assert.equal(stripAnsi(out), cutToWidth(plain, width), JSON.stringify({ text, width }));
        assert.ok(displayWidth(out) <= Math.max(0, width), JSON.stringify({ text, width, out }));
      },
    ),
    { numRuns: 3000 },
  );
});

test('terminalColumns: a whole number of columns, at least 1; anything else is no known width', () => {
  assert.equal(terminalColumns(80), 80);
  assert.equal(terminalColumns(80.9), 80);
  assert.equal(terminalColumns(1), 1);
  for (const bad of [Number.NaN, Infinity, -Infinity, 0, 0.5, -5, undefined, '80' as unknown as number, null as unknown as number]) {
    assert.equal(terminalColumns(bad), undefined, String(bad));
  }
});

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_cut_bounds');
  await runMigrations(db.pool);
  await seedPagedRun(db.pool);
  await recordToolingRun(db, 'tooling-failed', true);
});
after(async () => {
  await db.drop();
});

test('a width that is no number of columns (NaN, infinite, zero, negative) prints what a pipe gets; a fraction of a column is not one', async () => {
  // A caller's `CliIo` may carry `Number(process.env.COLUMNS)` unset or garbled: that printed `task: …` and events without
  // their times (NaN), or blank lines (0, negative).
  for (const args of [['runs'], ['timeline', PAGED_RUN], ['files', 'tooling-failed'], ['patterns']]) {
    const piped = captureIo({ DATABASE_URL: db.url });
    assert.equal(await runCli(args, piped), 0, piped.stderr.join('\n'));
    assert.ok(piped.text().length > 0);
    for (const columns of [Number.NaN, Infinity, -Infinity, 0, -5, 0.5]) {
      const io = captureIo({ DATABASE_URL: db.url }, { isTTY: true, columns });
      assert.equal(await runCli([...args, '--no-color'], io), 0, io.stderr.join('\n'));
      assert.equal(io.text(), piped.text(), `${args.join(' ')} with columns ${columns}`);
    }
    const fraction = captureIo({ DATABASE_URL: db.url }, { columns: 60.7 });
    assert.equal(await runCli(args, fraction), 0);
    const whole = captureIo({ DATABASE_URL: db.url }, { columns: 60 });
    assert.equal(await runCli(args, whole), 0);
    assert.equal(fraction.text(), whole.text(), `${args.join(' ')} at 60.7 columns`);
  }
});
