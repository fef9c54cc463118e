// Temporary in-memory network for engine unit tests (to be replaced by src/net/memory-network.ts).
import type { Meter, Network } from '../../src/net/types.js';

class SimpleMeter implements Meter {
  readonly sentTo = new Map<string, number>();
  readonly receivedFrom = new Map<string, number>();
  #msgs = 0;
  bytesSent() { let s = 0; for (const v of this.sentTo.values()) s += v; return s; }
  bytesReceived() { let s = 0; for (const v of this.receivedFrom.values()) s += v; return s; }
  messagesSent() { return this.#msgs; }
  count(peer: string, n: number) { this.sentTo.set(peer, (this.sentTo.get(peer) ?? 0) + n); this.#msgs++; }
}

export function memoryNetworks(ids: string[]): Map<string, Network> {
  const queues = new Map<string, { step: string; data: Uint8Array }[]>();
  const waiters = new Map<string, ((m: { step: string; data: Uint8Array }) => void)[]>();
  const key = (from: string, to: string) => `${from}->${to}`;
  const nets = new Map<string, Network>();
  for (const self of ids) {
    const meter = new SimpleMeter();
    const net: Network = {
      self, parties: ids, meter, aborted: undefined,
      async send(peer, step, data) {
        const copy = new Uint8Array(new ArrayBuffer(data.length)); copy.set(data);
        meter.count(peer, data.length);
        const k = key(self, peer);
        const w = waiters.get(k);
        if (w && w.length) w.shift()!({ step, data: copy });
        else { if (!queues.has(k)) queues.set(k, []); queues.get(k)!.push({ step, data: copy }); }
      },
      recv(peer, step, expected) {
        const k = key(peer, self);
        const check = (m: { step: string; data: Uint8Array }) => {
          if (m.step !== step) throw new Error(`desync: expected ${step} from ${peer}, got ${m.step}`);
          if (expected !== undefined && m.data.length !== expected) throw new Error(`size: expected ${expected} from ${peer} at ${step}, got ${m.data.length}`);
          return m.data;
        };
        const q = queues.get(k);
        if (q && q.length) { try { return Promise.resolve(check(q.shift()!)); } catch (e) { return Promise.reject(e); } }
        return new Promise((res, rej) => {
          if (!waiters.has(k)) waiters.set(k, []);
          waiters.get(k)!.push((m) => { try { res(check(m)); } catch (e) { rej(e); } });
        });
      },
      async abort() {}, async close() {},
    };
    nets.set(self, net);
  }
  return nets;
}
