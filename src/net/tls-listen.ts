/**
 * Where a TLS session accepts the parties that dial it (tls-network.ts holds the session and
 * its checks): a SessionMux (routed by SNI, the node's one peer port), an endpoint from
 * `listenTlsEndpoint` (the session takes it over and closes it), a caller's net.Server (watched,
 * then detached again), or an address to bind. With it, the bulk listener its links' bulk
 * channels arrive on (bulk-listener.ts): the mux's, the endpoint's, or — on a caller's server —
 * one of the session's own on the same host. Split from tls-network.ts so that the session
 * class keeps only its state and protocol.
 */
import net from 'node:net';
import tls from 'node:tls';
import { listenBulk, type BulkListener } from './bulk-listener.js';
import { Endpoint, listenTlsEndpoint } from './endpoint.js';
import { Mux } from './session-mux.js';
import type { BulkSettings } from './tls-bulk.js';
import { serverContext } from './tls-handshake.js';
import type { Identity } from './identity.js';
import type { TlsNetworkOptions } from './tls-options.js';

export interface Listening {
  /** Where this session's accepted links get their bulk channels (undefined: bulk off, or nobody dials). */
  readonly bulk: BulkListener | undefined;
  /** Stops routing connections to the session and releases what it owns (idempotent). */
  stop(): void;
}

export interface ListenSession {
  sessionId: string;
  self: string;
  identity: Identity;
  /** How many parties dial this one (none: nothing is accepted). */
  dialers: number;
  bulk: BulkSettings;
  handshakeTimeoutMs: number;
  connectTimeoutMs: number;
  /** The plan's address check for dialers, if on (checked before any TLS work). */
  allows: ((address: string) => boolean) | undefined;
  /** Whether to take a raw connection on an endpoint at all (address, pending cap, state). */
  admitRaw(raw: net.Socket): boolean;
  /** Takes an accepting TLS socket; `muxEstablished` tells the mux when it is authenticated. */
  acceptTls(socket: tls.TLSSocket, muxEstablished?: () => void): void;
}

export async function openListening(listen: TlsNetworkOptions['listen'], s: ListenSession): Promise<Listening> {
  if (listen instanceof Mux) {
    // The mux finishes the handshake with this context (chosen by SNI) and hands the socket over.
    if (s.dialers === 0) return { bulk: undefined, stop() {} };
    const unregister = listen.register(s.sessionId, s.self, {
      secureContext: serverContext(s.identity),
      accept: (socket, established) => s.acceptTls(socket, established),
      ...(s.allows ? { allows: s.allows } : {}),
    });
    return { bulk: s.bulk.enabled ? listen.bulk : undefined, stop: unregister };
  }
  // An endpoint from listenTlsEndpoint() belongs to this session from now on; a net.Server stays the caller's.
  let endpoint: Endpoint | undefined;
  let owns = false;
  if (listen instanceof Endpoint) {
    endpoint = listen;
    owns = true;
  } else if (listen instanceof net.Server) {
    endpoint = new Endpoint(listen, s.connectTimeoutMs); // detached again by stop()
  } else if (s.dialers > 0) {
    endpoint = (await listenTlsEndpoint(listen as { host: string; port: number })) as Endpoint;
    owns = true;
  }
  let bulk: BulkListener | undefined;
  let ownsBulk = false;
  let stopped = false;
  const listening: Listening = {
    get bulk() {
      return bulk;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (ownsBulk) void bulk?.close();
      bulk = undefined;
      if (owns) void endpoint?.close();
      else endpoint?.detach(); // the caller's net.Server: leave no listener behind for the next session
    },
  };
  if (s.dialers === 0 || !endpoint) return listening; // nobody dials the first party
  try {
    if (s.bulk.enabled) {
      if (owns) bulk = await endpoint.bulkListener(s.bulk.port, s.handshakeTimeoutMs);
      else {
        bulk = await listenBulk(endpoint.host, s.bulk.port, s.handshakeTimeoutMs);
        ownsBulk = true;
      }
    }
  } catch (err) {
    listening.stop();
    throw err;
  }
  const secureContext = serverContext(s.identity);
  endpoint.claim((raw) => {
    // Strangers' connections are dropped before any TLS work (the session's admitRaw).
    if (stopped || !s.admitRaw(raw)) {
      raw.destroy();
      return;
    }
    raw.setNoDelay(true);
    s.acceptTls(new tls.TLSSocket(raw, {
      isServer: true,
      secureContext,
      requestCert: true,
      rejectUnauthorized: false, // self-signed: the session's pin check is the check
    }));
  });
  return listening;
}
