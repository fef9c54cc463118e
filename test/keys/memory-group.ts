/**
 * Test helper: runs key ceremonies for a set of members in this process over the in-memory
 * network (each member with its own key directory under `root`), for tests that need a
 * threshold key fast (the chain tests); the same code runs across processes in
 * keys-processes.test.ts.
 */
import { join } from 'node:path';
import { createMemoryNetworks } from '../../src/net/index.js';
import { Channel } from '../../src/keys/channel.js';
import { runDkg } from '../../src/keys/dkg.js';
import { runReshare } from '../../src/keys/reshare.js';
import { runSign } from '../../src/keys/sign-session.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';

export const PASS = 'memory-pass';

export async function memorySession<T>(names: string[], fn: (ch: Channel) => Promise<T>): Promise<T[]> {
  const nets = createMemoryNetworks(names);
  return Promise.all(
    nets.map(async (net) => {
      const ch = new Channel(net, 10_000);
      try {
        const r = await fn(ch);
        await net.close();
        return r;
      } catch (err) {
        await net.abort(err as Error);
        throw err;
      }
    }),
  );
}

export function memoryGroup(root: string) {
  const store = (m: string) => ({ dir: join(root, m), passphrase: PASS, scryptN: 1024 });
  return {
    dirOf: (m: string) => join(root, m),
    dkg: async (members: string[], threshold: number, sessionId = 'dkg') => (await memorySession(members, (ch) => runDkg({ members, threshold }, { channel: ch, sessionId, store: store(ch.self) })))[0]!,
    reshare: async (previous: GroupKeyInfo, dealers: string[], members: string[], threshold: number) =>
      (await memorySession([...new Set([...dealers, ...members])], (ch) => runReshare({ previous, dealers, members, threshold }, { channel: ch, sessionId: 'reshare', store: store(ch.self) })))[0]!,
    sign: async (keyId: string, signers: string[], messageHex: string) =>
      (await memorySession(signers, (ch) => runSign({ keyId, message: messageHex.replace(/^0x/, ''), signers }, { channel: ch, dir: join(root, ch.self), passphrase: PASS })))[0]!.signature,
  };
}
