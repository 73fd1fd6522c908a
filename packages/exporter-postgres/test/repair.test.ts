import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { indexSafe } from '../src/index-safe.js';
import { eventRow } from './helpers.js';
import pg from 'pg';
import {
  EPOCH_ISO,
  RowSerializationError,
  classifyWriteError,
  isStorableTimestamp,
  quarantineRow,
  repairRow,
  sanitizeRow,
  shrinkRow,
  type ExecutionEventRow,
  type MappedRow,
} from '../src/index.js';

function dbError(code: string): pg.DatabaseError {
  const e = new pg.DatabaseError(`error ${code}`, 0, 'error');
  e.code = code;
  return e;
}


describe('classifyWriteError', () => {
  it('sorts SQLSTATEs into what to do', () => {
    const cases: [string, string][] = [
      ['08006', 'transient'],
      ['57P01', 'transient'],
      ['57014', 'transient'],
      ['53300', 'transient'],
      ['58030', 'transient'],
      ['23505', 'concurrency'],
      ['40P01', 'concurrency'],
      ['40001', 'concurrency'],
      ['22P05', 'row'],
      ['22021', 'row'],
      ['22P02', 'row'],
      ['22008', 'row'],
      ['23502', 'row'],
      ['54000', 'row'],
      ['42P01', 'schema'],
      ['3F000', 'schema'],
      ['42703', 'schema'],
      ['42501', 'server'],
      ['XX000', 'server'],
    ];
    for (const [code, expected] of cases) assert.equal(classifyWriteError(dbError(code)), expected, code);
    assert.equal(classifyWriteError(new Error('ECONNRESET')), 'transient');
    assert.equal(classifyWriteError('weird'), 'transient');
    assert.equal(classifyWriteError(new RowSerializationError('too long')), 'row');
  });
});

describe('repairRow / quarantineRow', () => {
  const reason = { code: '22008', message: 'timestamp out of range' };

  it('replaces unstorable timestamps, keeping the originals in meta.repair', () => {
    const m: MappedRow = { kind: 'event', row: eventRow({ timestamp: '-250000-01-01T00:00:00.000000Z', started_at: '-250000-01-01T00:00:00.000000Z', completed_at: '+275760-09-13T00:00:00.000000Z' }) };
    const r = repairRow(m, reason).row as ExecutionEventRow;
    assert.equal(r.timestamp, EPOCH_ISO);
    assert.equal(r.started_at, null);
    assert.equal(r.completed_at, null);
    assert.equal(r.meta['repaired'], true);
    const repair = r.meta['repair'] as { code: string; original: Record<string, string> };
    assert.equal(repair.code, '22008');
    assert.equal(repair.original['started_at'], '-250000-01-01T00:00:00.000000Z');
    assert.equal(r.meta['role'], 'assistant', 'existing meta is kept');
    assert.equal(r.span_id, 'b7ad6b7169203331');
  });

  it('fixes uuid columns, NUL in text, and cuts huge strings', () => {
    const m: MappedRow = {
      kind: 'event',
      row: eventRow({ parent_event_id: 'not-a-uuid', agent_name: 'a\u0000b', inputs: { content: 'x'.repeat(2_000_001) } }),
    };
    const r = repairRow(m, { code: '22P02', message: 'bad uuid' }).row as ExecutionEventRow;
    assert.equal(r.parent_event_id, null);
    assert.equal(r.agent_name, 'a\uFFFDb');
    assert.ok((r.inputs['content'] as string).length < 1_000_100);
  });

  it('keeps a JSON key named __proto__ as an own key when it copies a payload', () => {
    const inputs = JSON.parse('{"__proto__": {"note": "a\\u0000b"}, "x": 1}') as ExecutionEventRow['inputs'];
    const r = repairRow({ kind: 'event', row: eventRow({ inputs }) }, { code: '22P05', message: 'bad escape' }).row as ExecutionEventRow;
    assert.equal(Object.getPrototypeOf(r.inputs), Object.prototype);
    assert.equal(JSON.stringify(r.inputs), '{"__proto__":{"note":"a\uFFFDb"},"x":1}');
  });

  it('a quarantine row keeps identity, drops payloads and says why', () => {
    const m: MappedRow = { kind: 'event', row: eventRow({ started_at: 'garbage', inputs: { a: 1 }, run_id: 'r'.repeat(5000) }) };
    const q = quarantineRow(m, reason).row as ExecutionEventRow;
    assert.deepEqual(q.inputs, {});
    assert.deepEqual(q.attributes, {});
    assert.equal(q.started_at, null);
    assert.equal(q.meta['quarantined'], true);
    assert.equal(q.meta['repaired'], true);
    assert.equal(q.span_id, m.row.span_id);
    // Made to fit its index the way the mapper does it: the run's other rows join on the same text.
    assert.equal(q.run_id, indexSafe('r'.repeat(5000)));
    assert.ok(Buffer.byteLength(q.run_id ?? '') <= 2000);
  });

  it('isStorableTimestamp accepts what hrTimeToIso writes for years 1-9999 only', () => {
    assert.ok(isStorableTimestamp('2026-03-01T12:00:00.123456Z'));
    assert.ok(isStorableTimestamp('0001-01-01T00:00:00.000000Z'));
    assert.ok(!isStorableTimestamp('0000-01-01T00:00:00.000000Z'));
    assert.ok(!isStorableTimestamp('+275760-09-13T00:00:00.000Z'));
    assert.ok(!isStorableTimestamp('2026-13-01T00:00:00Z'));
    assert.ok(!isStorableTimestamp(42));
  });
});

describe('shrinkRow', () => {
  it('cuts the longest strings so the row fits, whatever the mix of lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 20_000, max: 60_000 }), (lengths, max) => {
        const inputs: Record<string, string> = {};
        lengths.forEach((n, i) => (inputs[`k${i}`] = 'y'.repeat(n)));
        const m: MappedRow = { kind: 'event', row: eventRow({ inputs }) };
        const { mapped, size } = sanitizeRow(m);
        if (size <= max) return true;
        const shrunk = shrinkRow(mapped, size, max);
        if (!shrunk) return true; // the non-string part alone does not fit: the caller keeps the row
        const after = sanitizeRow(shrunk).size;
        // Cut strings gain a marker and never go below 256 characters.
        return after <= max + lengths.length * 300 + 2000 && ((shrunk.row as { meta?: { repaired?: boolean } }).meta ?? {}).repaired === true;
      }),
      { numRuns: 200 },
    );
  });

  it('two long JSON keys cut to the same text both keep their value', () => {
    const long = 'k'.repeat(400);
    const inputs = { [`${long}1`]: 'one', [`${long}2`]: 'two', big: 'y'.repeat(50_000) };
    const { mapped, size } = sanitizeRow({ kind: 'event', row: eventRow({ inputs }) });
    const shrunk = shrinkRow(mapped, size, 1500); // strings (keys too) cut to 256 characters
    assert.ok(shrunk);
    const kept = (shrunk.row as ExecutionEventRow).inputs;
    assert.equal(Object.keys(kept).length, 3);
    assert.deepEqual(Object.values(kept).filter((v) => v === 'one' || v === 'two').sort(), ['one', 'two']);
  });
});
