import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens in
 * constant time (digests are compared, so the length of a token leaks
 * nothing either). Tokens are hashed once, at construction.
 */
export function bearerTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = tokens.filter((t) => t.length > 0).map((t) => createHash('sha256').update(t).digest());
  return (authorization) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (m === null) return false;
    const given = createHash('sha256').update(m[1] as string).digest();
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(given, d) || ok;
    return ok;
  };
}
