/**
 * Events in progress as the commands show them: an agent call, code execution or tool call still
 * running has a row that says `running` with no end and no duration, rewritten on every heartbeat
 * (`meta.last_seen_at`, `meta.heartbeat_ms`), and read `stale` once its process fell silent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';
import { seedLiveRun, type LiveRun } from './helpers/live-run.js';

const RUN = 'live-events-1';

let db: TestSchema;
let live: LiveRun;

async function cli(args: string[]) {
  const io = captureIo({ DATABASE_URL: db.url });
  const code = await runCli(args, io);
  return { code, io, text: io.text() };
}

before(async () => {
  db = await createTestSchema('cli_live_events');
  await runMigrations(db.pool, { schema: db.schema });
  live = await seedLiveRun(db, RUN);
});

after(async () => {
  await db.drop();
});

interface TimelineJson {
  events: { executionOrder: number; status: string; inProgress: boolean; lastSeenAt: string | null; durationMs: number | null }[];
}

describe('events in progress', () => {
  test('timeline: running (…) or stale (!), never ✓, no duration, and when its process was last seen', async () => {
    const { code, text } = await cli(['timeline', RUN]);
    assert.equal(code, 0);
    const lines = text.split('\n');
    assert.match(lines.find((l) => l.includes('#1'))!, /tool_call\s+analyst\s+1\.00 s\s+✓  search\(q\)$/);
    assert.match(lines.find((l) => l.includes('#2'))!, /tool_call\s+analyst\s+1\.00 s\s+✗  fetch\(url\)$/);
    const running = lines.findIndex((l) => l.includes('#3'));
    assert.match(lines[running]!, /tool_call\s+analyst\s+-\s+…  execute_tool fetch_page$/);
    assert.match(lines[running + 1]!, /^\s+\(running: no end recorded yet, its process last seen at \S+ \S+ \([\d.]+ s ago\)\)$/);
    const stale = lines.findIndex((l) => l.includes('#4'));
    assert.match(lines[stale]!, /code_exec\s+analyst\s+-\s+!  execute_code executor$/);
    assert.match(lines[stale + 1]!, /^\s+\(stale: no end recorded, its process last seen at \S+ \S+ \(1h 00m ago\): most likely dead\)$/);

    const json = await cli(['timeline', RUN, '--json']);
    const { events } = json.io.json<TimelineJson>();
    assert.deepEqual(
      events.map((e) => [e.executionOrder, e.status, e.inProgress, e.lastSeenAt, e.durationMs]),
      [
        [1, 'completed', false, null, 1000],
        [2, 'failed', false, null, 1000],
        [3, 'running', true, live.freshSeen, null],
        [4, 'stale', true, live.staleSeen, null],
      ],
    );
  });

  test('report: the events in progress carry their status as read (running, stale), when they were last seen, no duration', async () => {
    const { code, text } = await cli(['report', RUN, '--out', '-']);
    assert.equal(code, 0);
    const data = JSON.parse(/<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(text)![1]!) as {
      events: { order: number; status: string; inProgress: boolean; lastSeenAt: string | null; dur: number | null; failed: boolean }[];
    };
    assert.deepEqual(
      data.events.map((e) => [e.order, e.status, e.inProgress, e.lastSeenAt, e.dur]),
      [
        [1, 'completed', false, null, 1000],
        [2, 'failed', false, null, 1000],
        [3, 'running', true, live.freshSeen, null],
        [4, 'stale', true, live.staleSeen, null],
      ],
    );
    assert.match(text, /4 events <span class="bad">\(1 failed\)<\/span>/, 'only the failed one counts as failed');
  });

  test('runs and patterns: an event in progress is counted as an event, never as a failure or a success', async () => {
    const runs = (await cli(['runs', '--json'])).io.json<{ runs: { id: string; eventCounts: Record<string, number>; failedEvents: number }[] }>().runs;
    assert.deepEqual(runs.map((r) => [r.id, r.eventCounts, r.failedEvents]), [[RUN, { code_exec: 1, tool_call: 3 }, 1]]);
    const patterns = (await cli(['patterns', '--json'])).io.json<{ errorRates: { kind: string; name: string; calls: number; errors: number; errorRate: number }[] }>();
    assert.deepEqual(
      patterns.errorRates.map((e) => [e.kind, e.name, e.calls, e.errors, e.errorRate]),
      [
        ['tool', 'fetch', 1, 1, 1],
        ['agent', 'analyst', 2, 1, 0.5],
        ['tool', 'search', 1, 0, 0],
      ],
      'the calls still running are not calls of analyst yet',
    );
  });
});
