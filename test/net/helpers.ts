/** Shared set-up for the network tests: in-process TLS sessions on loopback. */
import { connectTlsNetwork, createIdentity, listenTlsEndpoint, type Identity, type TlsNetwork, type TlsNetworkOptions } from '../../src/net/index.js';
import type { Session } from './compliance.js';

export const HOST = '127.0.0.1';

export interface TlsSessionOptions extends Partial<Omit<TlsNetworkOptions, 'self' | 'listen' | 'peers' | 'sessionId'>> {
  identities?: Identity[];
}

/** Every party in this process, each with its own endpoint and TLS connections over loopback. */
export async function tlsSession(ids: string[], options: TlsSessionOptions = {}): Promise<Session & { nets: TlsNetwork[] }> {
  const { identities = ids.map((id) => createIdentity(id)), ...rest } = options;
  const endpoints = await Promise.all(ids.map(() => listenTlsEndpoint({ host: HOST, port: 0 })));
  const sessionId = `test-${Math.random().toString(36).slice(2)}`;
  const nets = await Promise.all(ids.map((id, i) => connectTlsNetwork({
    sessionId,
    self: identities[i]!,
    listen: endpoints[i]!,
    peers: ids.flatMap((p, j) => (j === i ? [] : [{ id: p, host: HOST, port: endpoints[j]!.port, fingerprint: identities[j]!.fingerprint }])),
    connectTimeoutMs: 5000,
    ...rest,
  })));
  return {
    nets,
    cleanup: async () => {
      await Promise.all(nets.map((n) => n.close()));
      await Promise.all(endpoints.map((e) => e.close()));
    },
  };
}
