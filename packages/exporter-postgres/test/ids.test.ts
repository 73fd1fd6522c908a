import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { AGENTSPAN_ID_NAMESPACE, eventIdFor, parentEventIdFor, uuidV5 } from '../src/index.js';

const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const traceId = fc.stringMatching(/^[0-9a-f]{32}$/);
const spanId = fc.stringMatching(/^[0-9a-f]{16}$/);

describe('uuidV5', () => {
  it('matches RFC 9562 / Python uuid.uuid5 vectors', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('rejects a malformed namespace', () => {
    assert.throws(() => uuidV5('nope', 'x'), /not a UUID/);
  });
});

describe('eventIdFor', () => {
  it('is uuid5(AGENTSPAN_ID_NAMESPACE, "<trace>-<span>")', () => {
    // uuid.uuid5(uuid.UUID('a296e60e-4aec-41d8-9add-ea4f0079dcbf'), '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331')
    assert.equal(AGENTSPAN_ID_NAMESPACE, 'a296e60e-4aec-41d8-9add-ea4f0079dcbf');
    assert.equal(eventIdFor('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), '5bb2580d-c1ec-5783-b0ff-c8f49c55aa48');
    assert.equal(eventIdFor('0AF7651916CD43DD8448EB211C80319C', 'B7AD6B7169203331'), '5bb2580d-c1ec-5783-b0ff-c8f49c55aa48');
  });

  it('property: deterministic and a valid version-5 UUID', () => {
    fc.assert(
      fc.property(traceId, spanId, (t, s) => {
        const id = eventIdFor(t, s);
        assert.match(id, V5);
        assert.equal(eventIdFor(t, s), id);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: distinct inputs give distinct ids', () => {
    fc.assert(
      fc.property(traceId, spanId, traceId, spanId, (t1, s1, t2, s2) => {
        fc.pre(t1 !== t2 || s1 !== s2);
        assert.notEqual(eventIdFor(t1, s1), eventIdFor(t2, s2));
      }),
      { numRuns: 1000 },
    );
    const ids = new Set<string>();
    const t = '0af7651916cd43dd8448eb211c80319c';
    for (let i = 0; i < 20_000; i++) ids.add(eventIdFor(t, i.toString(16).padStart(16, '0')));
    assert.equal(ids.size, 20_000);
  });
});

describe('parentEventIdFor', () => {
  it('property: equals eventIdFor, also when remembered, and past the cache size', () => {
    fc.assert(
      fc.property(traceId, spanId, (t, s) => {
        assert.equal(parentEventIdFor(t, s), eventIdFor(t, s));
        assert.equal(parentEventIdFor(t, s), eventIdFor(t, s));
        assert.equal(parentEventIdFor(t.toUpperCase(), s), eventIdFor(t, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('the same parent span id in different traces: each trace gets its own id, in any order of asking', () => {
    fc.assert(
      fc.property(fc.array(traceId, { minLength: 2, maxLength: 6 }), spanId, fc.array(fc.nat(5), { minLength: 1, maxLength: 30 }), (traces, s, order) => {
        for (const i of order) {
          const t = traces[i % traces.length]!;
          assert.equal(parentEventIdFor(t, s), eventIdFor(t, s));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('uuidV5 with a non-ASCII name hashes its UTF-8 bytes', () => {
    // uuid.uuid5(uuid.NAMESPACE_URL, 'https://例え.jp/ü')
    assert.equal(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://例え.jp/ü'), uuidV5Reference('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://例え.jp/ü'));
  });
});

/** The straightforward implementation, for comparison. */
function uuidV5Reference(namespace: string, name: string): string {
  const digest = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
