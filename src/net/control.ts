/**
 * Payloads of the control frames: HELLO, the first frame on every connection, which binds
 * the TLS channel to a session and to the two parties' ids; and ABORT, which carries an
 * `AbortInfo` (ids, error names, a short reason: never data). Both are small JSON objects;
 * everything read from a peer is checked and bounded before use.
 */
import { sanitizeReason, type AbortInfo } from './errors.js';

export const PROTOCOL_VERSION = 1;

/**
 * The bulk channel part of a HELLO (tls-bulk.ts): a dialer's `true` asks for one; the
 * acceptor's answer offers its bulk port and this link's routing token (64 hex digits), or
 * leaves the field out (the link stays on TLS).
 */
export type BulkHello = true | { port: number; token: string };

export interface Hello {
  v: number;
  session: string;
  from: string;
  to: string;
  bulk?: BulkHello;
}

export function encodeHello(session: string, from: string, to: string, bulk?: BulkHello): Buffer {
  return Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, session, from, to, ...(bulk ? { bulk } : {}) } satisfies Hello), 'utf8');
}

function parseBulk(x: unknown): BulkHello | undefined | string {
  if (x === undefined || x === true) return x;
  const o = x as { port?: unknown; token?: unknown } | null;
  if (o && typeof o === 'object' && Number.isInteger(o.port) && (o.port as number) >= 1 && (o.port as number) <= 65535 && typeof o.token === 'string' && /^[0-9a-f]{64}$/.test(o.token)) {
    return { port: o.port as number, token: o.token };
  }
  return 'HELLO has a malformed bulk channel field';
}

/** Parses a HELLO payload; returns a description of the problem instead of throwing. */
export function parseHello(payload: Uint8Array): Hello | string {
  let obj: unknown;
  try {
    obj = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return 'HELLO is not JSON';
  }
  const h = obj as Partial<Hello> | null;
  if (!h || typeof h !== 'object' || typeof h.v !== 'number' || typeof h.session !== 'string' || typeof h.from !== 'string' || typeof h.to !== 'string') {
    return 'HELLO lacks version, session, from or to';
  }
  if (h.v !== PROTOCOL_VERSION) return `HELLO protocol version ${h.v}, expected ${PROTOCOL_VERSION}`;
  const bulk = parseBulk(h.bulk);
  if (typeof bulk === 'string') return bulk;
  return { v: h.v, session: h.session, from: h.from, to: h.to, ...(bulk ? { bulk } : {}) };
}

export function encodeAbort(info: AbortInfo): Buffer {
  return Buffer.from(JSON.stringify(info), 'utf8');
}

/** Reads an ABORT payload from `peer` leniently: a garbled reason must not hide the abort itself. */
export function parseAbort(peer: string, payload: Uint8Array): AbortInfo {
  let obj: Partial<AbortInfo> = {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    if (parsed && typeof parsed === 'object') obj = parsed as Partial<AbortInfo>;
  } catch {
    // fall through with defaults
  }
  const str = (x: unknown, fallback: string) => (typeof x === 'string' && x.length > 0 ? sanitizeReason(x) : fallback);
  const info: AbortInfo = {
    origin: str(obj.origin, peer).slice(0, 64),
    error: str(obj.error, 'Error').slice(0, 64),
    reason: str(obj.reason, '(no reason given)'),
  };
  if (typeof obj.culprit === 'string' && obj.culprit.length > 0) info.culprit = sanitizeReason(obj.culprit).slice(0, 128);
  return info;
}
