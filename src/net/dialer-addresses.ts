/**
 * Where the parties that dial this one may connect from (docs/security.md, the peer port):
 * each dialing party's registered host, resolved once when the session starts. A connection
 * from elsewhere is dropped before TLS (`mayDial`) or, with a pinned key, refused by name
 * (`allowedFor`). A wildcard host or `checkPeerAddress` off leaves a party unrestricted
 * (parties behind NAT).
 */
import { addressesOfHost } from './peer-port-limits.js';

export class DialerAddresses {
  private readonly resolved = new Map<string, Set<string>>();

  /** `dialers`: the ids of the parties that dial this one; `hostOf` their registered hosts. */
  constructor(private readonly dialers: readonly string[], private readonly hostOf: (id: string) => string, readonly check: boolean) {}

  /** Resolves every dialing party's host (once, at start). */
  async resolve(): Promise<void> {
    if (!this.check) return;
    await Promise.all(this.dialers.map(async (id) => {
      const found = await addressesOfHost(this.hostOf(id));
      if (found) this.resolved.set(id, new Set(found));
    }));
  }

  /** Whether a connection from `address` may come from some dialing party (cheap pre-filter, before TLS). */
  mayDial(address: string): boolean {
    if (!this.check) return true;
    for (const id of this.dialers) {
      const allowed = this.resolved.get(id);
      if (!allowed || allowed.has(address)) return true;
    }
    return false;
  }

  /** The addresses `peer` may connect from; undefined = anywhere. */
  allowedFor(peer: string): Set<string> | undefined {
    return this.check ? this.resolved.get(peer) : undefined;
  }
}
