/**
 * What the redactor does with a value depends on its attribute key (skipped, a cookie header, a
 * secret's key name, or plain text); `SpanRedactor` works that out once per key and remembers it
 * (`planOf`). These tests hold the remembered answer to the one worked out afresh, whatever keys
 * came before (the memory starts again past 1 024 keys).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import { createRedactor } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { SpanRedactor, redactAttributes } from '../src/content-policy.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const rules = createRedactor({});

const KEYS = [
  'http.request.header.cookie',
  'http.response.header.set-cookie',
  'http.response.header.set_cookie',
  'x.Cookie',
  'db.password',
  'my.api_key',
  'auth',
  'agentspan.tool.args_keys',
  Attr.ATTR_CODE_HASH,
  Attr.ATTR_RUN_ID,
  Attr.ATTR_STATUS,
  Attr.ATTR_MESSAGE_CONTENT,
  'gen_ai.prompt',
  'contraseña',
  'a.b.token!',
];
const VALUES = [
  'session=abc123def456ghi789; theme=dark',
  'hunter2hunter2',
  'password=s3cr3t-value-1',
  'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnop',
  '{"api_key":"abcd1234efgh5678","q":1}',
  'nothing to see',
  'pwd',
  '${DB_PASSWORD}',
];

function snapshot(attrs: Attributes, redactor: SpanRedactor): unknown {
  const found = redactAttributes(attrs, redactor);
  return found === undefined ? undefined : { changes: Object.entries(found.changes), redactions: found.redactions };
}

describe('SpanRedactor: per-key plans', () => {
  it('a key seen before is redacted as a key seen for the first time, arrays included', () => {
    const warm = new SpanRedactor(rules, { extraKeyNames: ['contraseña'] });
    const entry = fc.tuple(fc.constantFrom(...KEYS), fc.oneof(fc.constantFrom(...VALUES), fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }), fc.string({ maxLength: 20 })));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.nat(40), (entries, filler) => {
        // Fill the memory with other keys now and then, so that it is also tested after starting again.
        for (let i = 0; i < filler * 30; i++) warm.redactValue(`filler.${i}.${filler}`, 'x');
        const attrs: Attributes = {};
        for (const [k, v] of entries) attrs[k] = v;
        const fresh = new SpanRedactor(rules, { extraKeyNames: ['contraseña'] });
        assert.deepEqual(snapshot(attrs, warm), snapshot(attrs, fresh));
        for (const [k, v] of entries) if (typeof v === 'string') assert.deepEqual(warm.redactValue(k, v), fresh.redactValue(k, v));
      }),
      { numRuns: RUNS },
    );
  });

  it('redactors of different key names each keep their own plans, used in turn on the same keys', () => {
    // Two configurations in one process (two startAgentspan calls, two processors): a key that names
    // a secret for one (`contraseña`, `session`) is plain text for the other.
    const configs = [{ extraKeyNames: ['contraseña'] }, { extraKeyNames: ['session', 'prompt'] }, {}];
    const warm = configs.map((c) => new SpanRedactor(rules, c));
    const keys = [...KEYS, 'user.session', 'http.request.header.session'];
    const entry = fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.constantFrom(...VALUES), fc.array(fc.constantFrom(...VALUES), { maxLength: 3 })));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(configs.length - 1), fc.array(entry, { minLength: 1, maxLength: 5 })), { minLength: 1, maxLength: 6 }), (turns) => {
        for (const [which, entries] of turns) {
          const attrs: Attributes = Object.fromEntries(entries);
          const fresh = new SpanRedactor(rules, configs[which]);
          assert.deepEqual(snapshot(attrs, warm[which]!), snapshot(attrs, fresh));
          for (const k of Object.keys(attrs)) assert.equal(warm[which]!.secretKeyName(k), fresh.secretKeyName(k), k);
        }
      }),
      { numRuns: RUNS },
    );
    assert.equal(warm[0]!.secretKeyName('contraseña'), 'contraseña');
    assert.equal(warm[1]!.secretKeyName('contraseña'), undefined);
    assert.equal(warm[1]!.secretKeyName('user.session'), 'session');
    assert.equal(warm[0]!.secretKeyName('user.session'), undefined);
  });

  it('what each kind of key does with a value', () => {
    const redactor = new SpanRedactor(rules);
    for (let pass = 0; pass < 2; pass++) {
      const found = redactAttributes(
        {
          [Attr.ATTR_CODE_HASH]: 'password=s3cr3t-value-1',
          [Attr.ATTR_STATUS]: ['password=s3cr3t-value-1'] as unknown as string,
          'db.password': 'hunter2hunter2',
          'agentspan.api_key': 'hunter2hunter2',
          'http.request.header.cookie': 'session=abc123def456ghi789',
          'gen_ai.prompt': 'my password=s3cr3t-value-1',
        },
        redactor,
      );
      assert.ok(found !== undefined);
      const changed = Object.keys(found.changes);
      assert.ok(!changed.includes(Attr.ATTR_CODE_HASH) && !changed.includes(Attr.ATTR_STATUS), `pass ${pass}: identity keys are skipped, arrays too`);
      assert.ok(!changed.includes('agentspan.api_key'), `pass ${pass}: agentspan's own keys name no secret`);
      assert.match(String(found.changes['db.password']), /REDACTED/, `pass ${pass}: a secret's key name redacts its value whole`);
      assert.match(String(found.changes['http.request.header.cookie']), /^session=\[REDACTED/, `pass ${pass}: a cookie header keeps its cookie names`);
      assert.match(String(found.changes['gen_ai.prompt']), /^my password=\[REDACTED/, `pass ${pass}: text`);
    }
    assert.equal(redactor.secretKeyName('db.password'), 'password');
    assert.equal(redactor.secretKeyName('agentspan.api_key'), undefined);
  });
});
