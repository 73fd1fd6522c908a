/**
 * The assertions the redaction reviews of 2026-12-07 (`redact-review3*.test.ts`) state their cases with: the default
 * redactor, a secret no rule may leave in clear, the tags it is replaced by, and "redacted to exactly this, the secret
 * gone, a second pass changing and counting nothing".
 */
import assert from 'node:assert/strict';
import { createRedactor } from '../src/index.js';

/** The default redactor, shared by the review files' cases. */
export const r = createRedactor();
/** A value every case plants as a secret: it must never come out. */
export const SECRET = 'S3cr3tXk9pQ2mZ7vL4';
export const TAG = '[REDACTED:password_assignment]';
export const COOKIE = '[REDACTED:cookie]';

/** Each input redacted to its output, the secret gone, and a second pass changing and counting nothing. */
export function assertRedacts(cases: readonly (readonly [string, string])[]): void {
  for (const [input, output] of cases) {
    const once = r.redact(input);
    assert.equal(once.text, output, JSON.stringify(input));
    assertStable(once.text);
  }
}

/** A redacted text holds no secret, and redacting it again changes and counts nothing. */
export function assertStable(redacted: string): void {
  assert.ok(!redacted.includes(SECRET), `leak: ${redacted}`);
  const twice = r.redact(redacted);
  assert.equal(twice.text, redacted, `idempotent: ${redacted}`);
  assert.equal(twice.redactions, 0, `idempotent: ${redacted}`);
}

/** Each text comes out unchanged. */
export function assertKept(texts: readonly string[]): void {
  for (const s of texts) assert.equal(r.redact(s).text, s, s);
}
