import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr, ForeignAttr } from '../src/index.js';

test('foreign keys (read from other instrumentations) are unique and never shadow an agentspan key', () => {
  const foreign = Object.values(ForeignAttr);
  assert.equal(new Set(foreign).size, foreign.length);
  const own = new Set<string>(Object.values(Attr));
  for (const k of foreign) assert.ok(!own.has(k), k);
  for (const k of foreign) assert.doesNotMatch(k, /^agentspan\./, k);
});
