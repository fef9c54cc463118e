/**
 * Bearer-token check for the API's state-changing and result routes. The comparison is
 * constant-time: both sides are hashed to 32 bytes first (so lengths never differ and
 * timingSafeEqual applies) and the token itself is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A checker for `Authorization` header values against `token`. */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  if (!/^[0-9a-f]{64}$/.test(token)) throw new RangeError('the API token must be 64 lower-case hex digits');
  const expected = digest(token);
  return (header) => {
    if (typeof header !== 'string') return false;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const given = digest(m ? m[1]! : '');
    // always compare, so a malformed header takes as long as a wrong token
    return timingSafeEqual(given, expected) && m !== null;
  };
}
