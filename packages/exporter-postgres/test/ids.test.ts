import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AGENTSPAN_ID_NAMESPACE, eventIdFor, uuidV5 } from '../src/index.js';

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
