/** startTime / endTime as the application gives them: invalid ones never reach a span. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import fc from 'fast-check';
import { DiagLogLevel, diag, type DiagLogger, type HrTime, type TimeInput } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EventTime } from '../src/index.js';
import { setup } from './helpers.js';

const silent: DiagLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} };

const finite = (t: HrTime): boolean => Number.isFinite(t[0]) && Number.isFinite(t[1]);

function assertUsableTimes(spans: ReadableSpan[]): void {
  for (const s of spans) {
    assert.ok(finite(s.startTime), `${s.name} start ${String(s.startTime)}`);
    assert.ok(finite(s.endTime), `${s.name} end ${String(s.endTime)}`);
    assert.ok(finite(s.duration), `${s.name} duration ${String(s.duration)}`);
  }
}

const invalid: unknown[] = [new Date('not a date'), Number.NaN, Number.POSITIVE_INFINITY, -5, [Number.NaN, 0], [1, 2, 3], 'yesterday', {}];

test('invalid times (an invalid Date, NaN, Infinity, negative numbers, malformed pairs) become the current time on every API', () => {
  const { recorder, spans } = setup();
  for (const bad of invalid) {
    const t = bad as TimeInput;
    const run = recorder.startRun({ startTime: t });
    const node = run.startNode('n', { startTime: t });
    node.toolCall({ agent: 'a', tool: 't', startTime: t, endTime: t });
    node.toolCall({ agent: 'a', tool: 'only-end', endTime: t });
    node.beginCodeExecution({ agent: 'a', language: 'python', code: 'x = 1', startTime: t }).end({ endTime: t });
    node.end({ endTime: t });
    run.end({ endTime: t });
  }
  assert.equal(spans().length, invalid.length * 5);
  assertUsableTimes(spans());
});

test('valid times are kept as given: Date, epoch milliseconds, [seconds, nanoseconds]', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  run.toolCall({ agent: 'a', tool: 'date', startTime: new Date(Date.UTC(2020, 0, 1)), endTime: new Date(Date.UTC(2020, 0, 1, 0, 0, 2)) });
  run.toolCall({ agent: 'a', tool: 'hr', startTime: [1_600_000_000, 5], endTime: [1_600_000_001, 5] });
  run.end();
  const date = spans().find((s) => s.name === 'execute_tool date');
  assert.deepEqual(date?.startTime, [1_577_836_800, 0]);
  assert.deepEqual(date?.duration, [2, 0]);
  const hr = spans().find((s) => s.name === 'execute_tool hr');
  assert.deepEqual(hr?.startTime, [1_600_000_000, 5]);
  assert.deepEqual(hr?.duration, [1, 0]);
});

test('a process.hrtime() reading (seconds since an arbitrary origin, not the epoch) is the current time, with one warning saying why', () => {
  // Read as epoch time, as OTel's TimeInput reads any [s, ns] pair, it put the span in January 1970.
  // Placed before the property test below: its random pairs may be such readings, and the warning is once per process.
  const warnings: string[] = [];
  diag.setLogger({ ...silent, warn: (m: string) => void warnings.push(m) }, DiagLogLevel.WARN);
  try {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'hrtime', startTime: process.hrtime() });
    const now = Date.now();
    const uptime: EventTime = process.hrtime();
    run.toolCall({ agent: 'a', tool: 'hrtime', startTime: uptime, endTime: process.hrtime() });
    run.beginToolCall({ agent: 'a', tool: 'hrtime-begin', startTime: [86_400, 0] }).end({ endTime: [946_684_799, 999_999_999] });
    // An epoch reading of this century is a time as given: [seconds, nanoseconds] since 1970.
    run.toolCall({ agent: 'a', tool: 'epoch', startTime: [946_684_800, 0], endTime: [946_684_801, 0] });
    run.end();
    for (const name of ['execute_tool hrtime', 'execute_tool hrtime-begin', 'invoke_workflow workflow']) {
      const span = spans().find((s) => s.name === name);
      assert.ok(span, name);
      for (const [what, t] of [['start', span.startTime], ['end', span.endTime]] as const) {
        const ms = t[0] * 1000 + t[1] / 1e6;
        assert.ok(Math.abs(ms - now) < 60_000, `${name} ${what} ${new Date(ms).toISOString()} is about now`);
      }
    }
    assert.deepEqual(spans().find((s) => s.name === 'execute_tool epoch')?.startTime, [946_684_800, 0]);
    const hrtimeWarnings = warnings.filter((w) => w.includes('process.hrtime()'));
    assert.equal(hrtimeWarnings.length, 1, warnings.join('\n'));
    assert.match(hrtimeWarnings[0] ?? '', /before 2000/);
  } finally {
    diag.disable();
  }
});

test('property: whatever is passed as a time, every span ends with finite times', () => {
  const { recorder, spans } = setup();
  const anyTime = fc.oneof(
    fc.double(),
    fc.date({ noInvalidDate: false }),
    fc.tuple(fc.double(), fc.double()),
    fc.constantFrom(undefined, null, 'now', [], [0]),
  );
  fc.assert(
    fc.property(anyTime, anyTime, (start, end) => {
      const before = spans().length;
      recorder.startRun({ startTime: start as TimeInput }).end({ endTime: end as TimeInput });
      const [span] = spans().slice(before);
      assert.ok(span);
      assertUsableTimes([span]);
    }),
    { numRuns: 300 },
  );
});

test('times OTLP cannot carry (before 1970, after 2554) become the current time too', () => {
  const { recorder, spans } = setup();
  const now = Date.now();
  recorder.startRun({ startTime: new Date(Date.UTC(3000, 0, 1)) }).end({ endTime: new Date(-1) });
  const [span] = spans();
  assert.ok(span);
  const startMs = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
  assert.ok(Math.abs(startMs - now) < 60_000, `start ${startMs} is about now (${now})`);
  assertUsableTimes([span]);
});

test('an ISO 8601 date-time with its offset is that time, to the nanosecond; a Date of another realm (a vm context) is a Date', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const at = (name: string): ReadableSpan => {
    const span = spans().find((s) => s.name === `execute_tool ${name}`);
    assert.ok(span, name);
    return span;
  };
  // Strings are part of the public time type (EventTime): no cast.
  run.toolCall({ agent: 'a', tool: 'iso', startTime: '2024-05-01T10:00:00.250Z', endTime: '2024-05-01T10:00:01Z' });
  // Python's isoformat(): microseconds and a +hh:mm offset.
  run.toolCall({ agent: 'a', tool: 'python', startTime: '2024-05-01T12:00:00.123456789+02:00', endTime: '2024-05-01 05:30:01-04:30' });
  const foreign: unknown = vm.runInNewContext('new Date(Date.UTC(2021, 5, 1, 8))');
  assert.ok(!(foreign instanceof Date));
  run.toolCall({ agent: 'a', tool: 'realm', startTime: foreign as Date, endTime: foreign as Date });
  run.end();
  assert.deepEqual(at('iso').startTime, [1_714_557_600, 250_000_000]);
  assert.deepEqual(at('iso').duration, [0, 750_000_000]);
  assert.deepEqual(at('python').startTime, [1_714_557_600, 123_456_789]);
  assert.deepEqual(at('python').endTime, [1_714_557_601, 0]);
  assert.deepEqual(at('realm').startTime, [1_622_534_400, 0]);
  assert.deepEqual(at('realm').duration, [0, 0]);
});

test('date-time text without an offset, with impossible fields, or out of range becomes the current time', () => {
  const { recorder, spans } = setup();
  const bad = ['2024-05-01T10:00:00', '2024-02-30T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:60Z', '2024-05-01T10:00:00+24:00', '1969-12-31T23:59:59Z', '2600-01-01T00:00:00Z', '2024-05-01', 'Wed, 01 May 2024 10:00:00 GMT', '2024-05-01T10:00:00.1234567890Z'];
  const now = Date.now();
  for (const text of bad) recorder.startRun({ runId: text, startTime: text }).end();
  assert.equal(spans().length, bad.length);
  for (const span of spans()) {
    const startMs = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
    assert.ok(Math.abs(startMs - now) < 60_000, `${String(span.attributes['agentspan.run.id'])}: start ${startMs} is about now (${now})`);
  }
});

test('property: an ISO date-time made from a time in range is read back as that time', () => {
  const { recorder, spans } = setup();
  fc.assert(
    fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(2500, 0, 1)), noInvalidDate: true }), fc.integer({ min: -23 * 60, max: 23 * 60 }), (date, offsetMinutes) => {
      // The same instant written in a local time of that offset.
      const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
      fc.pre(date.getTime() + offsetMinutes * 60_000 >= 0 && !local.startsWith('+'));
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      const before = spans().length;
      recorder.startRun({ startTime: text }).end({ endTime: date });
      const span = spans()[before];
      assert.ok(span);
      assert.deepEqual(span.startTime, [Math.floor(date.getTime() / 1000), (date.getTime() % 1000) * 1e6], text);
    }),
    { numRuns: 300 },
  );
});

test('a [seconds, nanoseconds] pair or ISO text past 2^64 - 1 nanoseconds (the last time OTLP carries) becomes the current time; the last one is kept', () => {
  const warnings: string[] = [];
  diag.setLogger({ ...silent, warn: (m: string) => void warnings.push(m) }, DiagLogLevel.WARN);
  try {
    const { recorder, spans } = setup();
    const last: HrTime = [18_446_744_073, 709_551_615];
    const past: unknown[] = [[18_446_744_073, 709_551_616], [18_446_744_073, 999_999_999], '2554-07-21T23:34:33.709551616Z', '2554-07-21T23:34:33.999999999Z'];
    const now = Date.now();
    for (const [i, t] of past.entries()) recorder.startRun({ runId: `past-${i}`, startTime: t as TimeInput }).end({ endTime: t as TimeInput });
    recorder.startRun({ runId: 'last-pair', startTime: last }).end({ endTime: last });
    recorder.startRun({ runId: 'last-iso', startTime: '2554-07-21T23:34:33.709551615Z' }).end({ endTime: '2554-07-21T23:34:33.709551615Z' });
    const byRun = new Map(spans().map((s) => [String(s.attributes['agentspan.run.id']), s]));
    for (const i of past.keys()) {
      const span = byRun.get(`past-${i}`);
      assert.ok(span);
      for (const [what, t] of [['start', span.startTime], ['end', span.endTime]] as const) {
        const ms = t[0] * 1000 + t[1] / 1e6;
        assert.ok(Math.abs(ms - now) < 60_000, `${String(past[i])} ${what} ${ms} is about now (${now})`);
      }
    }
    assert.deepEqual(byRun.get('last-pair')?.startTime, last);
    assert.deepEqual(byRun.get('last-iso')?.startTime, last);
    // Refused on the path of every unusable time, whose warning (once per process) an earlier test of this file may have used.
    assert.equal(warnings.filter((w) => w.includes('process.hrtime()')).length, 0, warnings.join('\n'));
  } finally {
    diag.disable();
  }
});

test('a pair past 2^64 - 1 nanoseconds is refused with the one-time warning of every unusable time', async () => {
  // A module instance of its own (the query makes one): the warning is once per module, and the tests above used it.
  const fresh = (await import(new URL('../src/time-input.ts?past-2554', import.meta.url).href)) as typeof import('../src/time-input.js');
  const warnings: string[] = [];
  diag.setLogger({ ...silent, warn: (m: string) => void warnings.push(m) }, DiagLogLevel.WARN);
  try {
    assert.equal(fresh.checkedTime([18_446_744_073, 999_999_999]), undefined);
    assert.equal(fresh.checkedTime([18_446_744_074, 0]), undefined);
    assert.deepEqual(fresh.checkedTime([18_446_744_073, 709_551_615]), [18_446_744_073, 709_551_615]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /unusable startTime\/endTime.*after 2554/);
  } finally {
    diag.disable();
  }
});
