/**
 * A report too large to be one string (V8 caps strings at about 512 M
 * characters): 60 000 tool calls with a 10 KB result each. It must fail with
 * a message that says which --max-chars makes it fit, not `Invalid string length`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { tooLargeMessage } from '../src/commands/report.js';
import { FITTING_PAGE_LIMIT, fittingMaxChars, MIN_MAX_CHARS, reportLengthAt } from '../src/report/fitting-max-chars.js';
import { renderReport } from '../src/report/render-report.js';
import { buildReportData } from '../src/index.js';
import type { FullEventRow, RunHeader } from '../src/data/run-detail.js';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';

const EVENTS = 60_000;
const RESULT_CHARS = 10_000;

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_big_report');
  await runMigrations(db.pool);
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms) VALUES ('wide', 'stress', 'success', now() - interval '5 minutes', now(), 300000)`,
  );
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, node_id, event_type, "timestamp", status, trace_id, span_id, execution_order, duration_ms, inputs, outputs)
     SELECT gen_random_uuid(), 'wide', 'n1', 'tool_call', now() - interval '5 minutes' + i * interval '1 millisecond', 'completed', 't',
            lpad(i::text, 16, '0'), i, 1, '{"tool":"read_file"}', jsonb_build_object('result', repeat('r', $1::int))
       FROM generate_series(1, $2::int) AS i`,
    [RESULT_CHARS, EVENTS],
  );
});
after(async () => {
  await db.drop();
});

test('a report larger than a string can be: exit 1 with the --max-chars that makes it fit, no bare "Invalid string length"', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'agentspan-big-report-'));
  const io = captureIo({ DATABASE_URL: db.url }, { cwd });
  const code = await runCli(['report', 'wide'], io);
  const stderr = io.stderr.join('\n');
  assert.equal(code, 1, stderr);
  assert.doesNotMatch(stderr, /Invalid string length/);
  const m = /too large to build: .*--max-chars \(now 200000\), e\.g\. --max-chars (\d+)$/.exec(stderr);
  assert.ok(m, stderr);
  const suggested = Number(m[1]);
  // 60 000 values cut with their notes, in half of what V8 holds (the tests below follow such advice and build the page).
  assert.ok(suggested > 3000 && suggested < RESULT_CHARS, `${suggested}: cuts the results, no more than needed`);
  await rm(cwd, { recursive: true, force: true });
});

const run: RunHeader = {
  id: 'r', mode: null, task: null, status: null, lastSeenAt: null, startedAt: null, completedAt: null, durationMs: null,
  startMs: null, serviceName: null, traceId: null, meta: {}, recorded: true,
};
const event = (i: number, result: string | string[]): FullEventRow => ({
  id: `e${i}`, parentEventId: null, nodeId: null, eventType: 'tool_call', eventSubtype: null, agentName: null, agentRole: null,
  status: 'completed', inProgress: false, lastSeenAt: null, hasError: false, errorMessage: null, executionOrder: i, depth: null,
  startedAt: null, startMs: null, durationMs: null, name: null, inputs: {}, outputs: { result }, meta: {}, attributes: {},
});

test('fittingMaxChars: the largest limit whose whole page is at most half of what V8 holds in a string (about 268 M)', () => {
  const big = 'x'.repeat(1_000_000);
  const data = buildReportData(run, [], Array.from({ length: 300 }, (_, i) => event(i, big)), { maxChars: 1_000_000 });
  const limit = fittingMaxChars(data, 1_000_000);
  assert.ok(limit !== null);
  const pageAt = reportLengthAt(data, 1_000_000)!;
  assert.ok(pageAt(limit) <= FITTING_PAGE_LIMIT && pageAt(limit + 1) > FITTING_PAGE_LIMIT, `${limit}: the largest`);
  assert.ok(limit > 850_000 && limit < 1_000_000, `${limit}: 300 values of 1 M need a cut to about 894 K`);
  assert.equal(fittingMaxChars(buildReportData(run, [], [event(1, 'small')]), 5000), 4999, 'a small report: just under the limit given');
});

test('fittingMaxChars counts escapes: values of control characters (six each in the page, `\\u0001`) get a limit whose report builds', () => {
  // 300 values of a million: a limit counting each as one character (256 M in all) made a page of 1.5 G: Invalid string length.
  const controls = '\u0001'.repeat(1_000_000);
  const data = buildReportData(run, [], Array.from({ length: 300 }, (_, i) => event(i, controls)), { maxChars: 1_000_000 });
  const limit = fittingMaxChars(data, 1_000_000);
  assert.ok(limit !== null && limit < 160_000, `${limit}: a sixth of what the same values of letters get`);
  const page = renderReport(buildReportData(run, [], Array.from({ length: 300 }, (_, i) => event(i, controls)), { maxChars: limit }));
  assert.ok(page.length <= FITTING_PAGE_LIMIT, `${page.length}`);
});

/** A string value of the kinds that cost more in the page than their length: escapes, `<`, line separators, emoji, lone surrogates. */
const value = fc
  .array(fc.oneof(fc.constantFrom('a', 'é', '漢', '😀', '"', '\\', '\n', '\u0001', '<', '\u2028', '\ud800', '\udfff'), fc.string({ maxLength: 40 })), { maxLength: 120 })
  .map((parts) => parts.join(''));
const eventArb = fc.record({ result: value, error: fc.option(value), extra: fc.dictionary(fc.string({ maxLength: 5 }), value, { maxKeys: 3 }) });

test('property: the page length counted for a limit is the length of the page built with it; the advice, followed, fits', () => {
  fc.assert(
    fc.property(
      fc.array(eventArb, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: MIN_MAX_CHARS + 1, max: 4000 }),
      fc.integer({ min: 0, max: 20_000 }),
      (specs, maxChars, slack) => {
        const now = new Date('2026-11-20T10:00:00.000Z');
        const events = specs.map((s, i) => ({ ...event(i, s.result), errorMessage: s.error, meta: s.extra, hasError: s.error !== null }));
        const build = (limit: number) => buildReportData({ ...run, meta: { note: specs[0]!.result } }, [], events, { maxChars: limit, now });
        const data = build(maxChars);
        const pageAt = reportLengthAt(data, maxChars)!;
        for (const limit of [MIN_MAX_CHARS, Math.floor((MIN_MAX_CHARS + maxChars) / 2), maxChars - 1]) {
          assert.equal(pageAt(limit), renderReport(build(limit)).length, `the page at ${limit}`);
        }
        // A budget somewhere between the smallest page and a little more than the largest.
        const pageLimit = pageAt(MIN_MAX_CHARS) - 50 + slack;
        const advice = fittingMaxChars(data, maxChars, pageLimit);
        if (advice === null) assert.ok(renderReport(build(MIN_MAX_CHARS)).length > pageLimit, 'none fits, not even the smallest');
        else {
          assert.ok(advice >= MIN_MAX_CHARS && advice < maxChars);
          assert.ok(renderReport(build(advice)).length <= pageLimit, `--max-chars ${advice}, followed, fits ${pageLimit}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('fittingMaxChars: none when no limit from 100 (the smallest --max-chars) up to the one given fits; never the limit given again', () => {
  const small = buildReportData(run, [], [event(1, 'x'.repeat(500))], { maxChars: 100 });
  assert.equal(fittingMaxChars(small, 100), null, 'at --max-chars 100 there is no smaller limit to suggest');
  // 2.6 M values of 200 characters (one string shared, so the test stays small): 450 M characters with their notes even when cut at 100.
  const parts = new Array<string>(2_600_000).fill('y'.repeat(200));
  const wide = buildReportData(run, [], [event(1, parts)], { maxChars: 200_000 });
  assert.equal(fittingMaxChars(wide, 200_000), null, 'even 100 is too much: suggesting it would not help');
  assert.equal(fittingMaxChars(wide, 150), null);
});

test('a report too large even at the smallest --max-chars says so, and what reads a run of any size, instead of suggesting a limit that cannot help', () => {
  const parts = new Array<string>(2_600_000).fill('y'.repeat(200));
  const atSmallest = tooLargeMessage(buildReportData(run, [], [event(1, parts)], { maxChars: 100 }), 100);
  assert.doesNotMatch(atSmallest, /e\.g\. --max-chars/);
  assert.match(atSmallest, /^the report of 1 events is too large to build: .*even --max-chars 100, the smallest, leaves too much/);
  assert.match(atSmallest, /agentspan timeline <run-id>/);
  const wide = tooLargeMessage(buildReportData(run, [], [event(1, parts)], { maxChars: 200_000 }), 200_000);
  assert.match(wide, /even the smallest --max-chars \(100\) leaves too much/);
  const fits = tooLargeMessage(buildReportData(run, [], [event(1, 'x'.repeat(5000))], { maxChars: 5000 }), 5000);
  assert.match(fits, /cut long values with a smaller --max-chars \(now 5000\), e\.g\. --max-chars 4999$/);
});
