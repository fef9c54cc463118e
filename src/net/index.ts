/**
 * Tacit's network layer: how parties of an MPC session exchange labelled messages.
 * `connectTlsNetwork` for real sessions (TLS 1.3, RFC 8446, pinned keys), `createMemoryNetworks`
 * for tests; both implement `Network` from `types.ts`. A session accepts its peers on a
 * `listenTlsEndpoint` (one session) or on a `listenSessionMux` (a node's one peer port,
 * shared by all its sessions, routed by TLS SNI).
 */
export type { Meter, Network } from './types.js';
export { createIdentity, loadIdentity, fingerprintOfCert, normalizeFingerprint, assertPartyId } from './identity.js';
export type { Identity, KeyType, CreateIdentityOptions } from './identity.js';
export {
  PeerError, PeerDisconnectedError, PeerTimeoutError, MalformedMessageError, ProtocolDesyncError,
  PeerAuthError, PeerLimitError, SessionAbortedError, NetworkClosedError, ChannelIntegrityError,
} from './errors.js';
export type { AbortInfo } from './errors.js';
export { NetMeter } from './meter.js';
export { createMemoryNetworks, MemoryNetwork } from './memory-network.js';
export type { MemoryNetworkOptions } from './memory-network.js';
export { connectTlsNetwork, TlsNetwork } from './tls-network.js';
export type { TlsNetworkOptions, TlsPeer } from './tls-network.js';
export { listenTlsEndpoint } from './endpoint.js';
export type { TlsEndpoint } from './endpoint.js';
export { listenSessionMux, sessionServername } from './session-mux.js';
export type { SessionMux, SessionMuxOptions, MuxStats } from './session-mux.js';
export { DEFAULT_PEER_PORT_LIMITS, DEFAULT_SESSION_LIMITS, peerPortOptionsFromEnv } from './peer-port-limits.js';
export type { PeerPortLimits, SessionDefaults } from './peer-port-limits.js';
export { DEFAULT_MAX_MESSAGE_BYTES, MAX_FRAME_PAYLOAD, MAX_STEP_LABEL_BYTES } from './framing.js';
export { ownBytes } from './bytes.js';
