/**
 * The options of a TLS session (`connectTlsNetwork`) and their checks, apart from the
 * network itself: every value a caller or a session plan supplies is validated here once,
 * with a RangeError/TypeError naming it, and limits left unset come from the mux the
 * session listens on (its operator's settings) or from `DEFAULT_SESSION_LIMITS`.
 */
import type net from 'node:net';
import type { TlsEndpoint } from './endpoint.js';
import { DEFAULT_SEND_FRAME, MAX_FRAME_PAYLOAD } from './framing.js';
import { assertPartyId, normalizeFingerprint, type Identity } from './identity.js';
import { checkSessionLimits, DEFAULT_SESSION_LIMITS, type SessionDefaults } from './peer-port-limits.js';
import { Mux, type SessionMux } from './session-mux.js';
import { resolveBulk, type BulkOptions, type BulkSettings } from './tls-bulk.js';

export interface TlsPeer {
  id: string;
  host: string;
  port: number;
  /** Pinned hex SHA-256 of the peer's SubjectPublicKeyInfo (see `Identity.fingerprint`). */
  fingerprint: string;
}

export interface TlsNetworkOptions {
  sessionId: string;
  self: Identity;
  /**
   * Where to accept peers: an address to bind (port 0 = any), an endpoint from
   * `listenTlsEndpoint` (the session takes it over and closes it once the mesh is up), a
   * mux from `listenSessionMux` (stays the caller's; the session registers with it until
   * its mesh is up, and any number of sessions may share it), or a listening net.Server
   * (stays the caller's; one session at a time: a session stops watching it once its mesh is
   * up or it ended; connections it accepted before this call are not seen, which
   * `listenTlsEndpoint` avoids by holding them).
   */
  listen: { host: string; port: number } | TlsEndpoint | SessionMux | net.Server;
  peers: TlsPeer[];
  /** Deadline for the whole mesh, retries included (default 30 000 ms). */
  connectTimeoutMs?: number;
  /** A `recv` fails after this long without a byte from its peer (default 60 000 ms; 0 = never). */
  idleTimeoutMs?: number;
  /** Largest message sent, or accepted by a step that states its size (default 4 GiB − 1, or the mux's). */
  maxMessageBytes?: number;
  /**
   * Most bytes received from the peers that no `recv` has taken yet, which is also the
   * largest message a `recv` without a size hint accepts (default 1 GiB, or the mux's).
   * A peer that sends more is refused before anything is allocated, and blamed.
   */
  maxBufferedBytes?: number;
  /** An accepted connection must finish TLS and HELLO within this (default 5 000 ms, or the mux's). */
  handshakeTimeoutMs?: number;
  /**
   * Accept a dialing party's connection only from its `host` (resolved once at start;
   * default true, or the mux's setting). Turn off for parties behind NAT.
   */
  checkPeerAddress?: boolean;
  /** How long `close()` waits for the peers' CLOSE (default 5 000 ms). */
  closeTimeoutMs?: number;
  /** Aborts connecting, or the session, when signalled. */
  signal?: AbortSignal;
  /** Payload bytes per frame when sending (default 512 KiB, at most 4 MiB; tests use tiny frames). */
  frameBytes?: number;
  /**
   * Move each link's frames, after TLS and HELLO, to a bulk channel: a second TCP connection
   * of AES-256-GCM records under keys exported from the link's TLS session (bulk-channel.ts,
   * tls-bulk.ts). Default on; `false` (or TACIT_NET_BULK=0) keeps every link on TLS. Both
   * parties of a link must allow it; if its connection cannot be made the link stays on TLS.
   */
  bulk?: boolean | BulkOptions;
}

const SESSION_ID = /^[\x21-\x7e]{1,128}$/;

export interface ResolvedTlsOptions {
  self: Identity;
  sessionId: string;
  /** Party id → pinned fingerprint, for every peer. */
  pins: Map<string, string>;
  addresses: Map<string, TlsPeer>;
  /** Every party, sorted (the order also decides who dials whom). */
  parties: string[];
  limits: SessionDefaults;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  frameBytes: number;
  signal: AbortSignal | undefined;
  bulk: BulkSettings;
}

/** Checks `options` and fills in defaults (limits from the mux, if the session listens on one). */
export function resolveTlsOptions(options: TlsNetworkOptions): ResolvedTlsOptions {
  const self = options.self;
  if (!self || typeof self.keyPem !== 'string' || typeof self.certPem !== 'string') throw new TypeError('self must be an Identity');
  assertPartyId(self.id, 'self.id');
  if (typeof options.sessionId !== 'string' || !SESSION_ID.test(options.sessionId)) throw new RangeError('sessionId must be 1-128 printable ASCII characters');
  if (!Array.isArray(options.peers) || options.peers.length === 0) throw new RangeError('peers must list at least one party');
  const pins = new Map<string, string>();
  const addresses = new Map<string, TlsPeer>();
  const seen = new Set<string>([normalizeFingerprint(self.fingerprint, 'self.fingerprint')]);
  for (const p of options.peers) {
    assertPartyId(p.id, 'peer id');
    if (p.id === self.id || pins.has(p.id)) throw new RangeError(`party id '${p.id}' appears twice in the session`);
    const fp = normalizeFingerprint(p.fingerprint, `fingerprint of '${p.id}'`);
    if (seen.has(fp)) throw new RangeError(`fingerprint of '${p.id}' is used by another party too`);
    seen.add(fp);
    if (typeof p.host !== 'string' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new RangeError(`address of '${p.id}' must be a host and a port 1-65535`);
    pins.set(p.id, fp);
    addresses.set(p.id, p);
  }
  const base = options.listen instanceof Mux ? options.listen.sessionDefaults : DEFAULT_SESSION_LIMITS;
  const limits: SessionDefaults = {
    maxMessageBytes: options.maxMessageBytes ?? base.maxMessageBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? base.maxBufferedBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? base.handshakeTimeoutMs,
    checkPeerAddress: options.checkPeerAddress ?? base.checkPeerAddress,
  };
  checkSessionLimits(limits);
  const frameBytes = options.frameBytes ?? DEFAULT_SEND_FRAME;
  if (!Number.isInteger(frameBytes) || frameBytes < 1 || frameBytes > MAX_FRAME_PAYLOAD) throw new RangeError(`frameBytes must be in [1, ${MAX_FRAME_PAYLOAD}]`);
  return {
    self,
    sessionId: options.sessionId,
    pins,
    addresses,
    parties: [self.id, ...pins.keys()].sort(),
    limits,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
    frameBytes,
    signal: options.signal,
    bulk: resolveBulk(options.bulk),
  };
}
