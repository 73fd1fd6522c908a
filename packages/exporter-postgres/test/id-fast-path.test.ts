/**
 * The ids of hex pairs are hashed from a name written straight into a reused buffer (ids.ts, `hexPairId`),
 * which keeps the namespace and the trace id there between calls. These tests hold it to the textbook
 * derivation (`node:crypto`, the name lower-cased and joined), whatever else used the buffer in between.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { AGENTSPAN_ID_NAMESPACE, eventIdFor, parentEventIdFor, uuidV5 } from '../src/index.js';

const hexId = (min: number, max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${min},${max}}$`));
const oddId = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', '-', 'a-b', 'ABCDEG', '\ud800', 'x\0y', 'é', 'f'.repeat(129)));

/** The straightforward derivation of the id of a pair of hex ids. */
function hexPairReference(traceId: string, spanId: string): string {
  const digest = createHash('sha1')
    .update(Buffer.from(AGENTSPAN_ID_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${traceId.toLowerCase()}-${spanId.toLowerCase()}`, 'utf8')
    .digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Something that writes the shared buffer: another name, another namespace, another pair's form. */
const interloper = fc.oneof(
  fc.record({ kind: fc.constant('uuid' as const), namespace: fc.constantFrom(AGENTSPAN_ID_NAMESPACE, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), name: fc.string({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('pair' as const), traceId: fc.oneof(hexId(0, 40), oddId), spanId: fc.oneof(hexId(0, 20), oddId) }),
);

describe('eventIdFor of hex ids', () => {
  it('property: the textbook uuid of "<trace>-<span>" lower-cased, for hex ids of any case and length', () => {
    fc.assert(
      fc.property(hexId(0, 100), hexId(0, 40), (t, s) => {
        assert.equal(eventIdFor(t, s), hexPairReference(t, s));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: unchanged by whatever was hashed in between (a trace id repeated, other names, odd pairs)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3), hexId(16, 16), fc.option(interloper, { nil: undefined })), { minLength: 1, maxLength: 20 }),
        fc.array(hexId(32, 32), { minLength: 1, maxLength: 4 }),
        (steps, traces) => {
          for (const [i, s, between] of steps) {
            const t = traces[i % traces.length]!;
            if (between?.kind === 'uuid') uuidV5(between.namespace, between.name);
            else if (between?.kind === 'pair') eventIdFor(between.traceId, between.spanId);
            assert.equal(eventIdFor(t, s), hexPairReference(t, s));
            assert.equal(parentEventIdFor(t, s), hexPairReference(t, s));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a trace id that stops being hex halfway through a call leaves the next call right', () => {
    const t = '0af7651916cd43dd8448eb211c80319c';
    assert.equal(eventIdFor(t, 'b7ad6b7169203331'), hexPairReference(t, 'b7ad6b7169203331'));
    eventIdFor('0af7651916cd43dd8448eb211c8031zz', 'b7ad6b7169203331'); // written over the kept trace id, then refused
    assert.equal(eventIdFor(t, 'b7ad6b7169203331'), hexPairReference(t, 'b7ad6b7169203331'));
    eventIdFor(t, 'b7ad6b71692033zz'); // the span id refused halfway
    assert.equal(eventIdFor(t, '00f067aa0ba902b7'), hexPairReference(t, '00f067aa0ba902b7'));
  });
});
