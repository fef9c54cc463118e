/**
 * Browser sessions for the console. A browser logs in once with the node's API token
 * (POST /session) or a one-time login code minted with that token (the sandbox's link), and
 * gets a random session id in an HttpOnly, SameSite=Strict cookie: the token never sits in
 * the page's script, its storage or a URL. The API then accepts the bearer token or the
 * cookie. A cookie alone never authorises a change: a state-changing request from a
 * cookie session must also carry the `X-Tacit-Console` header, which a cross-site form or
 * link cannot send and a cross-origin script can only send after a CORS preflight this
 * API never answers (the "custom request header" defence, OWASP CSRF Prevention Cheat
 * Sheet §"Employing Custom Request Headers for AJAX/API"); SameSite=Strict (RFC 6265bis
 * §5.4.7) keeps the cookie off cross-site requests in the first place.
 *
 * Sessions and codes live in this process only (a restart logs everyone out); ids and codes
 * are compared as SHA-256 digests held in maps, so no secret sits in a log or an error.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'tacit_session';
export const CSRF_HEADER = 'x-tacit-console';
const SESSION_SECONDS = 12 * 3600;
const CODE_SECONDS = 10 * 60;
const MAX_SESSIONS = 1000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface SessionStore {
  /** A new session; returns the cookie value and its Set-Cookie header. */
  open(): { id: string; setCookie: string };
  /** True when the request's Cookie header names a live session. */
  valid(cookieHeader: string | undefined): boolean;
  /** Ends the session named in the Cookie header; returns the Set-Cookie header that clears it. */
  close(cookieHeader: string | undefined): string;
  /** A one-time login code (valid 10 minutes, once). */
  mintCode(): { code: string; expiresAt: string };
  /** Spends a code: true once, for a live code. */
  redeem(code: string): boolean;
  /** Number of live sessions (metrics, tests). */
  size(): number;
}

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4 syntax). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function createSessionStore(now: () => number = Date.now): SessionStore {
  const sessions = new Map<string, number>(); // digest(id) → expiry (ms)
  const codes = new Map<string, number>(); // digest(code) → expiry (ms)
  const sweep = () => {
    const t = now();
    for (const [k, exp] of sessions) if (exp <= t) sessions.delete(k);
    for (const [k, exp] of codes) if (exp <= t) codes.delete(k);
  };
  const cookie = (value: string, maxAge: number) => `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
  return {
    open() {
      sweep();
      // the oldest session goes first when a script logs in in a loop
      while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      const id = randomBytes(32).toString('base64url');
      sessions.set(digest(id), now() + SESSION_SECONDS * 1000);
      return { id, setCookie: cookie(id, SESSION_SECONDS) };
    },
    valid(header) {
      const id = cookieValue(header, SESSION_COOKIE);
      if (!id) return false;
      const exp = sessions.get(digest(id));
      return exp !== undefined && exp > now();
    },
    close(header) {
      const id = cookieValue(header, SESSION_COOKIE);
      if (id) sessions.delete(digest(id));
      return cookie('', 0);
    },
    mintCode() {
      sweep();
      const code = randomBytes(24).toString('base64url');
      const exp = now() + CODE_SECONDS * 1000;
      codes.set(digest(code), exp);
      return { code, expiresAt: new Date(exp).toISOString() };
    },
    redeem(code) {
      const k = digest(code);
      const exp = codes.get(k);
      codes.delete(k);
      return exp !== undefined && exp > now();
    },
    size: () => (sweep(), sessions.size),
  };
}
