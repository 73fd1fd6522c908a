import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { FIB_SCRIPT, runExample } from '@agentspan/examples';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { chromiumMissing, launchChromium } from './helpers/chromium.js';
import { captureIo } from './helpers/io.js';
import { seedLiveRun } from './helpers/live-run.js';
import { OUTCOME_EVENTS, OUTCOME_FAILED, SURROGATE_EDGE_MESSAGE, seedOutcomeRun } from './helpers/outcome-run.js';
import { FAILING_ERROR, recordHostileRun, recordToolingRun } from './helpers/seed.js';

/** Screenshots land here (gitignored) for a person or CI to look at. */
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);

const missing = chromiumMissing();
if (missing) console.log(`# skipping the browser tests: ${missing}`);

describe('the HTML report in headless Chromium', { skip: missing ?? false }, () => {
  let db: TestSchema;
  let browser: Browser;
  let oneShotUrl: string;
  let failingUrl: string;
  let liveUrl: string;
  let hostileUrl: string;
  let outcomesUrl: string;
  const failingRunId = `browser-failing-${process.pid}`;
  const liveRunId = `browser-live-${process.pid}`;
  const hostileRunId = `browser-hostile-${process.pid}`;
  const outcomesRunId = `browser-outcomes-${process.pid}`;

  before(async () => {
    db = await createTestSchema('cli_browser');
    const { runId } = await runExample('one-shot', { databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, print: () => undefined });
    await recordToolingRun(db, failingRunId, true);
    await seedLiveRun(db, liveRunId);
    await recordHostileRun(db, hostileRunId);
    await seedOutcomeRun(db, outcomesRunId);
    const dir = mkdtempSync(join(tmpdir(), 'agentspan-browser-'));
    for (const [id, file] of [[runId, 'one-shot.html'], [failingRunId, 'failing.html'], [liveRunId, 'live.html'], [hostileRunId, 'hostile.html'], [outcomesRunId, 'outcomes.html']] as const) {
      const io = captureIo({ DATABASE_URL: db.url }, { cwd: dir });
      assert.equal(await runCli(['report', id, '--out', file], io), 0, io.stderr.join('\n'));
    }
    oneShotUrl = pathToFileURL(join(dir, 'one-shot.html')).href;
    failingUrl = pathToFileURL(join(dir, 'failing.html')).href;
    liveUrl = pathToFileURL(join(dir, 'live.html')).href;
    hostileUrl = pathToFileURL(join(dir, 'hostile.html')).href;
    outcomesUrl = pathToFileURL(join(dir, 'outcomes.html')).href;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await db?.drop();
  });

  /** Opens a report, failing the test on any page error or any request but the file itself. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('request', (req) => {
      if (req.url() !== url.split('#')[0]) problems.push(`request: ${req.url()}`);
    });
    await page.goto(url);
    await page.waitForSelector('html[data-ready="1"]', { timeout: 10_000 });
    return { page, problems };
  }

  test('clicking a code execution shows its highlighted code and the file it generated; screenshot saved', async () => {
    const { page, problems } = await open(oneShotUrl);
    try {
      assert.equal(await page.locator('.row.node').count(), 2, 'step_1 and step_2');
      assert.equal(await page.locator('.row.ev').count(), 7);
      await page.locator('.row.ev[data-type="code_exec"]').first().click();
      const detail = page.locator('#detail');
      await detail.locator('.code-section').waitFor();
      const code = await detail.locator('.code-section pre.code').textContent();
      assert.equal(code, FIB_SCRIPT, 'the code, whole and unchanged by highlighting');
      assert.ok((await detail.locator('.code-section .tok-kw').count()) > 5, 'keywords highlighted');
      const file = detail.locator('.file-section .file[data-path="fib.txt"] pre.file-content');
      assert.match((await file.textContent()) ?? '', /^F\(0\) = 0\nF\(1\) = 1\n[\s\S]*F\(19\) = 4181\n$/);
      assert.match(page.url(), /#event-4$/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL('report-code-exec.png', ARTIFACTS).pathname });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('tool calls show arguments and result; files their content; ↓ moves the selection', async () => {
    const { page, problems } = await open(oneShotUrl);
    try {
      await page.locator('.row.ev[data-type="tool_call"]').click();
      const detail = page.locator('#detail');
      assert.match((await detail.locator('.tool-args').textContent()) ?? '', /"code": "import json\\nfrom pathlib import Path/);
      assert.match((await detail.locator('.tool-result').textContent()) ?? '', /Saved 20 Fibonacci numbers to fib\.txt/);
      await page.keyboard.press('ArrowDown');
      assert.match((await detail.locator('h2').textContent()) ?? '', /code_exec/);
      await page.keyboard.press('ArrowDown');
      assert.match((await detail.locator('h2').textContent()) ?? '', /file_gen/);
      assert.match((await detail.locator('pre.file-content').textContent()) ?? '', /F\(19\) = 4181/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('a deep link opens its event; the filter and "errors only" narrow the rows', async () => {
    const { page, problems } = await open(`${failingUrl}#event-3`);
    try {
      const detail = page.locator('#detail');
      assert.match((await detail.locator('h2').textContent()) ?? '', /tool_call/);
      assert.equal(await detail.locator('.error-box').textContent(), FAILING_ERROR);
      await page.check('#errors-only');
      await page.waitForFunction(() => document.querySelectorAll('.row.ev').length === 3);
      assert.equal(await page.locator('.row.ev.failed').count(), 3);
      await page.uncheck('#errors-only');
      await page.fill('#filter', 'summary.md');
      await page.waitForFunction(() => document.querySelectorAll('.row.ev').length === 1);
      assert.match((await page.locator('#count').textContent()) ?? '', /^1 of 10 events$/);
      await page.screenshot({ path: new URL('report-failing-filtered.png', ARTIFACTS).pathname });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('events still running: marked running or stale, never good, with when their process was last seen', async () => {
    const { page, problems } = await open(liveUrl);
    try {
      assert.equal(await page.locator('.row.ev').count(), 4);
      assert.equal(await page.locator('.row.ev.running').count(), 1);
      assert.equal(await page.locator('.row.ev.stale').count(), 1);
      assert.equal(await page.locator('.row.ev.running .sum').textContent(), 'execute_tool fetch_page (running)');
      assert.equal(await page.locator('.row.ev.stale .sum').textContent(), 'execute_code executor (stale)');
      const detail = page.locator('#detail');
      await page.locator('.row.ev.running').click();
      assert.equal(await detail.locator('.facts dt:text-is("status") + dd span').getAttribute('class'), 'muted', 'no outcome yet');
      assert.match((await detail.locator('.facts').textContent()) ?? '', /last seen running\d{4}-\d\d-\d\dT/);
      assert.match((await detail.locator('.in-progress').textContent()) ?? '', /^Still running when this report was made/);
      await page.locator('.row.ev.stale').click();
      assert.equal(await detail.locator('.facts dt:text-is("status") + dd span').getAttribute('class'), 'bad', 'its process most likely died');
      assert.match((await detail.locator('.in-progress').textContent()) ?? '', /^No end recorded, and its process fell silent/);
      assert.equal(await detail.locator('.code-section').count(), 0, 'no empty code section: its code comes with its end');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL('report-in-progress.png', ARTIFACTS).pathname });
      await page.check('#errors-only');
      await page.waitForFunction(() => document.querySelectorAll('.row.ev').length === 1);
      assert.equal(await page.locator('.row.ev.failed').count(), 1, 'errors only: the failed call, not the calls still running');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('failed rows are the events whose status or error flag says failure (error, timeout, …), never ones whose type contains "failed"', async () => {
    const { page, problems } = await open(outcomesUrl);
    try {
      assert.equal(await page.locator('.row.ev').count(), OUTCOME_EVENTS.length);
      const failedOrders = await page.locator('.row.ev.failed').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-order'))));
      assert.deepEqual(failedOrders, OUTCOME_EVENTS.flatMap((e, i) => (e.failed === true ? [i + 1] : [])));
      assert.equal(await page.locator('.row .failed, .row .bad').count(), 0, 'a type with spaces adds no class: "retry failed attempts" is one class token');
      assert.equal(await page.locator('.row.ev[data-type="retry failed attempts"] .badge').getAttribute('class'), 'badge t-retry_failed_attempts');
      assert.deepEqual(await page.locator('.row.node.failed .node-id').allTextContents(), ['timed_out'], 'a node whose status says failure (timeout)');
      assert.match(await page.locator('header .meta').innerText(), new RegExp(`${OUTCOME_EVENTS.length} events \\(${OUTCOME_FAILED} failed\\)`));
      await page.locator('.row.ev[data-order="4"]').click();
      assert.equal(await page.locator('#detail .facts dt:text-is("status") + dd span').textContent(), 'timeout');
      assert.equal(await page.locator('#detail .facts dt:text-is("status") + dd span').getAttribute('class'), 'bad');
      await page.check('#errors-only');
      await page.waitForFunction((n) => document.querySelectorAll('.row.ev').length === n, OUTCOME_FAILED);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('a one-line summary cut in the page never splits a surrogate pair (no lone half, shown as U+FFFD)', async () => {
    const { page, problems } = await open(outcomesUrl);
    try {
      const summary = (await page.locator('.row.ev[data-type="agent_call"] .sum').textContent()) ?? '';
      assert.doesNotMatch(summary, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, JSON.stringify(summary.slice(-4)));
      assert.equal(summary, `${SURROGATE_EDGE_MESSAGE.slice(0, 158)}…`, 'the emoji at the cut left out whole');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('hostile recorded text (markup, script ends, escapes, bidi overrides) is shown as text in every row and panel', async () => {
    const { page, problems } = await open(hostileUrl);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      const rows = await page.locator('.row').count();
      assert.ok(rows >= 5, `rows: ${rows}`);
      const shown: string[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('ArrowDown');
        shown.push((await page.locator('#detail').innerText()) + (await page.locator('#rows').innerText()));
      }
      await page.locator('#detail details.raw').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
      shown.push(await page.locator('body').innerText(), await page.title());
      const visible = shown.join('\n');
      assert.ok(visible.includes('<img src=x onerror=alert(1)>'), 'the markup is shown as text');
      assert.equal(await page.locator('img, iframe, [onerror]').count(), 0, 'no element made of recorded text');
      assert.equal(await page.evaluate(() => document.scripts.length), 3);
      assert.deepEqual(dialogs, []);
      assert.doesNotMatch(visible, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, 'no bidi control reaches the page text');
      assert.match(await page.locator('header .meta').innerText(), /started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, 'the header reads in its order');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL('report-hostile.png', ARTIFACTS).pathname });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
