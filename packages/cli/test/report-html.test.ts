import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FullEventRow, NodeRow, RunHeader } from '../src/data/run-detail.js';
import { buildReportData, embedJson, renderReport, REPORT_FORMAT } from '../src/index.js';

const run: RunHeader = {
  id: 'run-1', mode: 'one-shot', task: 'Task with <b>markup</b> & "quotes"', status: 'success', lastSeenAt: null,
  startedAt: '2026-11-26T01:00:00.000Z', completedAt: '2026-11-26T01:00:01.000Z', durationMs: 1000,
  startMs: Date.parse('2026-11-26T01:00:00.000Z'), serviceName: 'svc', traceId: 'abc', meta: {}, recorded: true,
};
const nodes: NodeRow[] = [
  { id: 'n-uuid', nodeId: 'step_1', type: 'step', title: 'first', agent: 'engineer', status: 'completed', orderIndex: 0, startMs: run.startMs! + 1, durationMs: 900 },
];
function event(over: Partial<FullEventRow>): FullEventRow {
  return {
    id: 'e1', parentEventId: 'n-uuid', nodeId: 'step_1', eventType: 'code_exec', eventSubtype: 'executed', agentName: 'executor',
    agentRole: null, status: 'completed', inProgress: false, lastSeenAt: null, hasError: false, errorMessage: null, executionOrder: 1, depth: 2,
    startedAt: '2026-11-26T01:00:00.010Z', startMs: run.startMs! + 10.5, durationMs: 2, name: 'execute_code executor',
    inputs: {}, outputs: {}, meta: {}, attributes: {}, ...over,
  };
}

/** The JSON embedded in a report, read back the way the page reads it. */
function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'data element present');
  return JSON.parse(m[1]!);
}

test('embedJson: no "<", U+2028 or U+2029 survives, and JSON.parse gives the value back', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
      for (const v of [value, { text, nested: [text, '</script>', '<!--', '\u2028\u2029'] }]) {
        const out = embedJson(v);
        assert.ok(!/[<\u2028\u2029]/.test(out));
        assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(v)));
      }
    }),
    { numRuns: 500 },
  );
});

test('the report is one self-contained file: inline CSS and scripts, a CSP that forbids the network, no external URLs', () => {
  const hostile = 'print("</script><script>alert(1)</script>")\n\u2028<!-- x';
  const html = renderReport(
    buildReportData(run, nodes, [event({ inputs: { code: hostile, language: 'python' } })], { now: new Date(0) }),
  );
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i, 'no external assets');
  assert.doesNotMatch(html, /https?:\/\//, 'no URL of any kind');
  assert.equal((html.match(/<script/g) ?? []).length, 3, 'data + highlighter + page script');
  assert.equal((html.match(/<\/script>/gi) ?? []).length, 3, 'the hostile content cannot close an element');
  assert.match(html, /Task with &#60;b&#62;markup&#60;\/b&#62; &#38; &#34;quotes&#34;/);
  const data = embedded(html) as { format: string; events: { inputs: { code: string }; start: number }[]; nodes: { start: number }[] };
  assert.equal(data.format, REPORT_FORMAT);
  assert.equal(data.events[0]!.inputs.code, hostile);
  assert.equal(data.events[0]!.start, 10.5, 'times are ms from the run start, sub-ms kept');
  assert.equal(data.nodes[0]!.start, 1);
});

test('long values are cut at maxChars with a note, and counted', () => {
  const data = buildReportData(run, nodes, [event({ outputs: { file_content: 'x'.repeat(1000), nested: ['y'.repeat(300)] } })], {
    maxChars: 200,
  });
  const outputs = data.events[0]!.outputs as { file_content: string; nested: string[] };
  assert.ok(outputs.file_content.startsWith('x'.repeat(200)));
  assert.match(outputs.file_content, /800 more characters not in this report/);
  assert.match(outputs.nested[0]!, /100 more characters/);
  assert.equal(data.truncatedValues, 2);
});

test('a recorded key named __proto__ (the exporter stores it as data) is in the report as data, at any depth, cut or not', () => {
  // As node-postgres reads a jsonb column: JSON.parse, which makes `__proto__` an own property.
  const attributes = JSON.parse('{"__proto__": "value of __proto__", "nested": {"__proto__": {"inner": "x"}}, "long": {"__proto__": "' + 'z'.repeat(300) + '"}}');
  const meta = JSON.parse('{"__proto__": ["a", "b"]}');
  const html = renderReport(buildReportData({ ...run, meta }, nodes, [event({ attributes })], { maxChars: 200, now: new Date(0) }));
  const data = embedded(html) as { run: { meta: unknown }; events: { attributes: Record<string, unknown> }[] };
  const own = (o: unknown, key: string) => (o !== null && typeof o === 'object' ? Object.getOwnPropertyDescriptor(o, key)?.value : undefined);
  const attrs = data.events[0]!.attributes;
  assert.equal(own(attrs, '__proto__'), 'value of __proto__');
  assert.deepEqual(own(own(attrs, 'nested'), '__proto__'), { inner: 'x' });
  assert.match(String(own(own(attrs, 'long'), '__proto__')), /^z{200}\n… \[100 more characters/);
  assert.deepEqual(own(data.run.meta, '__proto__'), ['a', 'b']);
});

test('without a run row, times start at the earliest event', () => {
  const data = buildReportData({ ...run, startMs: null, recorded: false }, [], [event({ startMs: 5000 }), event({ id: 'e2', startMs: 5007 })]);
  assert.deepEqual(data.events.map((e) => e.start), [0, 7]);
});

test('a run still running (or whose process died before its end) is shown muted, neither good nor bad', () => {
  const statusOf = (status: string | null) => /<span class="(\w+)">[^<]*<\/span>/.exec(renderReport(buildReportData({ ...run, status }, nodes, [])).split('<body')[1] ?? '')?.[1];
  assert.equal(statusOf('success'), 'good');
  assert.equal(statusOf('failed'), 'bad');
  assert.equal(statusOf('running'), 'muted');
  assert.equal(statusOf('stale'), 'bad', 'its process fell silent: most likely dead');
  assert.equal(statusOf(null), 'muted');
  for (const status of ['error', 'timeout']) assert.equal(statusOf(status), 'bad', `${status}: any non-standard status reads failed, as in \`agentspan runs\``);
});

test("the page's title names the run as `agentspan runs` does: a chosen id whole, a UUID by its first 8 characters", () => {
  const titleOf = (id: string) => /<title>([^<]*)<\/title>/.exec(renderReport(buildReportData({ ...run, id }, nodes, [])))?.[1];
  assert.equal(titleOf('nightly-2026-11-01-eu'), 'agentspan run nightly-2026-11-01-eu (one-shot)');
  assert.equal(titleOf('0f1e2d3c-4b5a-4968-8776-655443322110'), 'agentspan run 0f1e2d3c (one-shot)');
});

test('bidi controls in recorded text never reach the page outside the data: they cannot reverse the header the report writes', () => {
  const RLO = '\u202e';
  const hostile: RunHeader = { ...run, id: `run-${RLO}1`, mode: `mode${RLO}`, task: `task \u2067x\u200f`, serviceName: `svc\u202b`, status: `done${RLO}` };
  const html = renderReport(buildReportData(hostile, nodes, [event({ agentName: `bot${RLO}` })]));
  const page = html.replace(/<script type="application\/json" id="agentspan-data">[\s\S]*?<\/script>/, '');
  assert.doesNotMatch(page, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, 'no bidi control in the markup');
  assert.match(page, /<span>mode<\/span>\n<span class="bad">done<\/span>/);
  assert.match(page, /<title>agentspan run run-1 \(mode\)<\/title>/);
  const data = embedded(html) as { run: { mode: string }; events: { agent: string }[] };
  assert.equal(data.run.mode, `mode${RLO}`, 'the embedded data keeps the value as recorded');
  assert.equal(data.events[0]!.agent, `bot${RLO}`);
});

/** A UTF-16 surrogate without its other half: what a cut through a pair leaves (U+FFFD or invalid JSON further on). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

test('--max-chars never splits a surrogate pair: the character at the cut is kept whole or left out, in every field it cuts', () => {
  // 99 ASCII characters, then emoji (two UTF-16 units each): a cut at 100 units falls between the halves of one.
  const value = `${'a'.repeat(99)}${'😀'.repeat(10)}`;
  const data = buildReportData({ ...run, meta: { note: value } }, nodes, [event({ errorMessage: value, inputs: { code: value }, outputs: { nested: [value] } })], {
    maxChars: 100,
  });
  const e = data.events[0]!;
  for (const kept of [e.error!, (e.inputs as { code: string }).code, (e.outputs as { nested: string[] }).nested[0]!, (data.run.meta as { note: string }).note]) {
    assert.doesNotMatch(kept, LONE_SURROGATE, JSON.stringify(kept.slice(95, 105)));
    assert.ok(kept.startsWith(`${'a'.repeat(99)}\n… [20 more characters`), JSON.stringify(kept.slice(95, 140)));
  }
  assert.equal(data.truncatedValues, 4);
  const html = renderReport(data);
  assert.doesNotMatch(embedJson(data), /\\ud83d(?!\\ude00)/i, 'no lone surrogate escaped into the embedded JSON');
  assert.doesNotMatch(html, LONE_SURROGATE);
  // Where the cut falls after a whole pair, the pair stays.
  const even = buildReportData(run, nodes, [event({ inputs: { code: `${'a'.repeat(98)}${'😀'.repeat(10)}` } })], { maxChars: 100 });
  assert.ok((even.events[0]!.inputs as { code: string }).code.startsWith(`${'a'.repeat(98)}😀\n… [18 more characters`));
});

test('--max-chars: any well-formed value cut at any limit stays well-formed, a prefix of the value of at most the limit', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (value, maxChars) => {
      const code = (buildReportData(run, nodes, [event({ inputs: { code: value } })], { maxChars }).events[0]!.inputs as { code: string }).code;
      assert.doesNotMatch(code, LONE_SURROGATE);
      if (value.length <= maxChars) return assert.equal(code, value);
      const kept = code.slice(0, code.indexOf('\n… ['));
      assert.ok(value.startsWith(kept) && kept.length <= maxChars && kept.length >= maxChars - 1, `${kept.length} of ${maxChars}`);
      assert.match(code, new RegExp(`\\n… \\[${value.length - kept.length} more characters`));
    }),
    { numRuns: 500 },
  );
});
