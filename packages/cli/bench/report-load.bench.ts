/**
 * Benchmark: how fast a 10 000-event run report opens in headless Chromium.
 *
 * 1. records a run of 10 000 execution events through the real pipeline
 *    (startAgentspan → processor → Postgres) into a scratch schema;
 * 2. renders it with `agentspan report` (timed: database → HTML file);
 * 3. opens the file in Debian's Chromium several times and measures time to
 *    interactive: from `page.goto` until the page has parsed the data, built
 *    the waterfall and rendered the visible rows (`data-ready`), and the
 *    page's own `performance.now()` at that moment (since navigation start);
 * 4. clicks an event in the middle and times until its detail panel shows.
 *
 * Run: `npm run bench -w @agentspan/cli` (needs Postgres as for the tests and
 * /usr/bin/chromium). Prints a table and one JSON line.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAgentspan } from '@agentspan/node';
import { createTestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { chromiumMissing, launchChromium } from '../test/helpers/chromium.js';
import { captureIo } from '../test/helpers/io.js';

const NODES = 100;
const CYCLES_PER_NODE = 20; // × 5 events = 100 per node, 10 000 in all
const OPENS = 5;

const CODE = (i: number) => `import json
import statistics
values = [x * ${i % 97} for x in range(100)]
summary = {"mean": statistics.mean(values), "max": max(values), "step": ${i}}
print(json.dumps(summary))
`;

async function recordRun(url: string, schema: string, workspaceDir: string): Promise<string> {
  const agentspan = await startAgentspan({
    serviceName: 'agentspan-bench',
    databaseUrl: url,
    schema,
    otlpEndpoint: false,
    registerGlobal: false,
    workspaceDir,
    logger: { warn: () => undefined },
  });
  const base = Date.now() - 15 * 60_000;
  let t = base;
  const at = (ms: number) => new Date(ms);
  const run = agentspan.startRun({ task: 'Benchmark: a long multi-agent analysis', mode: 'planning-control', startTime: at(t) });
  for (let n = 0; n < NODES; n++) {
    const node = run.startNode(`step_${n + 1}`, { title: `analysis step ${n + 1}`, agent: 'engineer', startTime: at(t) });
    for (let c = 0; c < CYCLES_PER_NODE; c++) {
      const i = n * CYCLES_PER_NODE + c;
      const code = CODE(i);
      node.agentCall({ agent: 'planner', role: 'assistant', content: `Step ${i}: compute the summary statistics. ${'Reasoning about the data. '.repeat(20)}`, startTime: at(t), endTime: at(t + 40) });
      t += 45;
      node.toolCall({ agent: 'engineer', tool: 'execute_python', args: { code }, result: `{"mean": ${i}}`, startTime: at(t), endTime: at(t + 120) });
      node.codeExecution({ agent: 'executor', language: 'python', code, output: `{"mean": ${i}, "max": ${i * 2}}\n`, exitCode: i % 50 === 0 ? 1 : 0, startTime: at(t + 10), endTime: at(t + 110) });
      t += 125;
      node.agentCall({ agent: 'engineer', role: 'assistant', content: `Done with step ${i}; the mean is ${i}.`, startTime: at(t), endTime: at(t + 30) });
      t += 35;
      writeFileSync(join(workspaceDir, `report_${i}.md`), `# Step ${i}\n\n${'| metric | value |\n| --- | --- |\n| mean | 1 |\n'.repeat(12)}`);
      node.fileGenerated({ agent: 'executor', path: `report_${i}.md`, source: 'explicit', startTime: at(t), endTime: at(t + 1) });
      t += 5;
    }
    node.end({ endTime: at(t) });
  }
  run.end({ status: 'success', endTime: at(t) });
  await agentspan.shutdown();
  return run.id;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    console.error(missing);
    process.exitCode = 1;
    return;
  }
  const db = await createTestSchema('bench_report');
  try {
    const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-bench-ws-'));
    let started = performance.now();
    const runId = await recordRun(db.url, db.schema, workspaceDir);
    const recordMs = performance.now() - started;
    const count = await db.pool.query('SELECT count(*)::int AS n FROM execution_events WHERE run_id = $1', [runId]);
    const events = count.rows[0].n as number;

    const outDir = mkdtempSync(join(tmpdir(), 'agentspan-bench-'));
    const io = captureIo({ DATABASE_URL: db.url }, { cwd: outDir });
    started = performance.now();
    const code = await runCli(['report', runId, '--out', 'bench.html'], io);
    const renderMs = performance.now() - started;
    if (code !== 0) throw new Error(io.stderr.join('\n'));
    const file = join(outDir, 'bench.html');
    const bytes = statSync(file).size;

    const browser = await launchChromium();
    const wall: number[] = [];
    const inPage: number[] = [];
    const click: number[] = [];
    try {
      for (let i = 0; i < OPENS; i++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
        const t0 = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
        wall.push(performance.now() - t0);
        inPage.push(await page.evaluate(() => (window as unknown as { agentspanReport: { readyAt: number } }).agentspanReport.readyAt));
        await page.evaluate(() => {
          const v = document.getElementById('rows-viewport')!;
          v.scrollTop = v.scrollHeight / 2;
        });
        await page.waitForSelector('.row.ev[data-type="code_exec"]');
        const t1 = performance.now();
        await page.locator('.row.ev[data-type="code_exec"]').first().click();
        await page.locator('#detail .code-section').waitFor();
        click.push(performance.now() - t1);
        await page.close();
      }
    } finally {
      await browser.close();
    }
    const result = {
      events,
      reportBytes: bytes,
      recordMs: Math.round(recordMs),
      reportCommandMs: Math.round(renderMs),
      openMedianMs: Math.round(median(wall)),
      openMinMs: Math.round(Math.min(...wall)),
      openMaxMs: Math.round(Math.max(...wall)),
      readyInPageMedianMs: Math.round(median(inPage)),
      clickToDetailMedianMs: Math.round(median(click)),
      opens: OPENS,
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    };
    console.log(`report of a ${events}-event run (${(bytes / 1048576).toFixed(1)} MB HTML)`);
    console.log(`  record through the pipeline      ${result.recordMs} ms`);
    console.log(`  agentspan report (DB → file)     ${result.reportCommandMs} ms`);
    console.log(`  open → interactive (wall)        median ${result.openMedianMs} ms (min ${result.openMinMs}, max ${result.openMaxMs}, ${OPENS} opens)`);
    console.log(`  ready, page clock                median ${result.readyInPageMedianMs} ms since navigation start`);
    console.log(`  click → detail panel             median ${result.clickToDetailMedianMs} ms`);
    console.log(JSON.stringify(result));
  } finally {
    await db.drop();
  }
}

await main();
