import { hash } from 'node:crypto';
import { asText, guarded } from './guard.js';

const CR_RE = /\r\n?/g;

/**
 * First 16 hex characters of SHA-256 over `code`, after normalising `\r\n`
 * and `\r` to `\n` so the same code hashes the same on every platform.
 * Hashes the whole input (not only the scanned part): the hash identifies code.
 * Lone surrogates are hashed as U+FFFD (Node's UTF-8 encoding). Non-strings hash as `''`.
 */
export function codeHash(code: string): string {
  return guarded(
    () => {
      const text = asText(code);
      const normalised = text.includes('\r') ? text.replace(CR_RE, '\n') : text;
      // One-shot `hash` (Node 20.12+) skips the Hash object `createHash` builds: same bytes (UTF-8), same digest.
      return hash('sha256', normalised, 'hex').slice(0, 16);
    },
    () => 'e3b0c44298fc1c14', // SHA-256 of '' — only reached if hashing itself failed
  );
}
