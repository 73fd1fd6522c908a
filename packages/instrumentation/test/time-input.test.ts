/** startTime / endTime as the application gives them: invalid ones never reach a span. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HrTime, TimeInput } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setup } from './helpers.js';

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
