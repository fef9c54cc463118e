/**
 * The peer port's limits and the defaults sessions on it use, in one place so that the
 * daemon, the docs (docs/operations.md, "Peer port limits") and the tests agree.
 *
 * Why these defaults. An honest peer has at most one connection per session per pair of
 * parties, and its handshake (TCP + TLS 1.3 + HELLO) takes milliseconds; the limits leave
 * wide room for that on a loaded machine and for many concurrent sessions between the same
 * two institutions, while a stranger's flood from one address can fill only that address's
 * share. An operator can set each one through the environment of `tacit node start`
 * (`peerPortOptionsFromEnv`).
 *
 * Addresses are compared normalised: IPv4-mapped IPv6 (`::ffff:10.0.0.5`) as IPv4, IPv6 in
 * lower case. A session's parties are expected to connect from the host the plan (the
 * on-chain registry) gives for them; a host name is resolved once when the session starts.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { DEFAULT_MAX_BUFFERED_BYTES } from './base-network.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';

export interface PeerPortLimits {
  /** How long a connection may wait, from its accept, for its session to register (ms). */
  holdMs: number;
  /** ClientHello within this of the accept; and (by the session) TLS + HELLO within this of routing (ms). */
  handshakeTimeoutMs: number;
  /** Most pending (not yet authenticated) connections on the port. */
  maxPending: number;
  /** Most pending connections from one remote address. */
  maxPendingPerAddress: number;
  /** Most open connections (pending or established) from one remote address. */
  maxConnectionsPerAddress: number;
  /** Most pending connections for one session party (SNI name). */
  maxPendingPerSession: number;
}

export interface SessionDefaults {
  /** Largest message a step that states its size may receive. */
  maxMessageBytes: number;
  /** Most unread bytes per session (and the largest message a step without a size hint receives). */
  maxBufferedBytes: number;
  /** Deadline for an accepted connection's TLS handshake and HELLO (ms). */
  handshakeTimeoutMs: number;
  /** Accept a session's connections only from its parties' registered hosts. */
  checkPeerAddress: boolean;
}

export const DEFAULT_PEER_PORT_LIMITS: Readonly<PeerPortLimits> = Object.freeze({
  holdMs: 10_000,
  handshakeTimeoutMs: 5_000,
  maxPending: 256,
  maxPendingPerAddress: 32,
  maxConnectionsPerAddress: 256,
  maxPendingPerSession: 16,
});

export const DEFAULT_SESSION_LIMITS: Readonly<SessionDefaults> = Object.freeze({
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
  handshakeTimeoutMs: 5_000,
  checkPeerAddress: true,
});

/** Fills in defaults and checks every value; `maxHeld` is the old name of `maxPending`. */
export function resolvePeerPortOptions(options: Partial<PeerPortLimits> & Partial<SessionDefaults> & { maxHeld?: number }): { limits: PeerPortLimits; sessionDefaults: SessionDefaults } {
  const limits: PeerPortLimits = {
    holdMs: options.holdMs ?? DEFAULT_PEER_PORT_LIMITS.holdMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_PEER_PORT_LIMITS.handshakeTimeoutMs,
    maxPending: options.maxPending ?? options.maxHeld ?? DEFAULT_PEER_PORT_LIMITS.maxPending,
    maxPendingPerAddress: options.maxPendingPerAddress ?? DEFAULT_PEER_PORT_LIMITS.maxPendingPerAddress,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? DEFAULT_PEER_PORT_LIMITS.maxConnectionsPerAddress,
    maxPendingPerSession: options.maxPendingPerSession ?? DEFAULT_PEER_PORT_LIMITS.maxPendingPerSession,
  };
  if (!Number.isFinite(limits.holdMs) || limits.holdMs <= 0) throw new RangeError('holdMs must be a positive number of milliseconds');
  if (!Number.isFinite(limits.handshakeTimeoutMs) || limits.handshakeTimeoutMs <= 0) throw new RangeError('handshakeTimeoutMs must be a positive number of milliseconds');
  for (const k of ['maxPending', 'maxPendingPerAddress', 'maxConnectionsPerAddress', 'maxPendingPerSession'] as const) {
    if (!Number.isInteger(limits[k]) || limits[k] < 1) throw new RangeError(`${k} must be a positive integer`);
  }
  const sessionDefaults: SessionDefaults = {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_SESSION_LIMITS.maxMessageBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_SESSION_LIMITS.maxBufferedBytes,
    handshakeTimeoutMs: limits.handshakeTimeoutMs,
    checkPeerAddress: options.checkPeerAddress ?? DEFAULT_SESSION_LIMITS.checkPeerAddress,
  };
  checkSessionLimits(sessionDefaults);
  return { limits, sessionDefaults };
}

export function checkSessionLimits(s: SessionDefaults): void {
  if (!Number.isInteger(s.maxMessageBytes) || s.maxMessageBytes < 0 || s.maxMessageBytes > DEFAULT_MAX_MESSAGE_BYTES) throw new RangeError(`maxMessageBytes must be an integer in [0, ${DEFAULT_MAX_MESSAGE_BYTES}]`);
  if (!Number.isSafeInteger(s.maxBufferedBytes) || s.maxBufferedBytes < 0) throw new RangeError('maxBufferedBytes must be a non-negative integer');
  if (!Number.isFinite(s.handshakeTimeoutMs) || s.handshakeTimeoutMs <= 0) throw new RangeError('handshakeTimeoutMs must be a positive number of milliseconds');
  if (typeof s.checkPeerAddress !== 'boolean') throw new TypeError('checkPeerAddress must be a boolean');
}

const ENV: Record<string, keyof PeerPortLimits | keyof SessionDefaults> = {
  TACIT_PEER_HOLD_MS: 'holdMs',
  TACIT_PEER_HANDSHAKE_TIMEOUT_MS: 'handshakeTimeoutMs',
  TACIT_PEER_MAX_PENDING: 'maxPending',
  TACIT_PEER_MAX_PENDING_PER_ADDRESS: 'maxPendingPerAddress',
  TACIT_PEER_MAX_CONNECTIONS_PER_ADDRESS: 'maxConnectionsPerAddress',
  TACIT_PEER_MAX_PENDING_PER_SESSION: 'maxPendingPerSession',
  TACIT_PEER_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  TACIT_PEER_MAX_BUFFERED_BYTES: 'maxBufferedBytes',
};

/**
 * The peer port options an operator set in the environment (`TACIT_PEER_*`, see
 * docs/operations.md); unset ones keep their defaults. Throws a RangeError naming the
 * variable for a value that is not a number (or, for the address check, not 0/1).
 */
export function peerPortOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<PeerPortLimits> & Partial<SessionDefaults> {
  const out: Partial<PeerPortLimits> & Partial<SessionDefaults> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(raw.slice(0, 20))}`);
    (out as Record<string, number>)[key] = v;
  }
  const check = env.TACIT_PEER_CHECK_ADDRESS;
  if (check !== undefined && check !== '') {
    if (check !== '0' && check !== '1') throw new RangeError(`TACIT_PEER_CHECK_ADDRESS must be 0 or 1, got ${JSON.stringify(check.slice(0, 20))}`);
    out.checkPeerAddress = check === '1';
  }
  resolvePeerPortOptions(out); // fail at start, not at the first connection
  return out;
}

/** A remote address as compared by the limits: IPv4-mapped IPv6 as IPv4, lower case. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  const a = address.toLowerCase();
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/**
 * The addresses a party registered at `host` may connect from: the address itself, or
 * every address the name resolves to; undefined (no check possible) for a wildcard host.
 */
export async function addressesOfHost(host: string): Promise<string[] | undefined> {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === '0.0.0.0' || h === '::' || h === '') return undefined;
  if (net.isIP(h)) return [normalizeAddress(h)];
  try {
    const found = await lookup(h, { all: true, verbatim: true });
    return found.map((f) => normalizeAddress(f.address));
  } catch {
    return []; // unresolvable: nothing matches, and the session's error says from where it was tried
  }
}
