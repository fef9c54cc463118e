// Runs an SPMD program at every member of an in-memory session and collects the results.
import { Mpc, type MpcConfig } from '../../src/mpc/engine.js';
import type { Network } from '../../src/net/types.js';
import { memoryNetworks } from './memory-net.js';

export interface TestSession {
  protocol: MpcConfig['protocol'];
  compute: string[];
  /** Members that do not compute (data providers, receivers). */
  extra?: string[];
  /** semi2k: a dealer process id (ttp); otherwise tfp, or OT-based with `ot`. */
  dealer?: string;
  /** semi2k: dealer-free preprocessing from OT extension. */
  ot?: boolean;
  fracBits?: number;
  /** Builds the networks (defaults to the in-memory one). */
  networks?: (ids: string[]) => Map<string, Network>;
}

export function describeSession(s: TestSession): string {
  const pp = s.protocol === 'semi2k' ? (s.dealer ? ', ttp' : s.ot ? ', ot' : ', tfp') : '';
  return `${s.protocol} (${s.compute.length} parties${pp})`;
}

export const SESSIONS: TestSession[] = [
  { protocol: 'rep3', compute: ['p0', 'p1', 'p2'], extra: ['provider', 'receiver'] },
  { protocol: 'semi2k', compute: ['p0', 'p1'], extra: ['provider', 'receiver'] },
  { protocol: 'semi2k', compute: ['p0', 'p1', 'p2'], extra: ['provider', 'receiver'], dealer: 'dealer' },
  { protocol: 'semi2k', compute: ['p0', 'p1', 'p2', 'p3', 'p4'], extra: ['provider', 'receiver'] },
  { protocol: 'semi2k', compute: ['p0', 'p1'], extra: ['provider', 'receiver'], ot: true },
  { protocol: 'semi2k', compute: ['p0', 'p1', 'p2'], extra: ['provider', 'receiver'], ot: true },
];

export async function runSession<T>(s: TestSession, program: (mpc: Mpc) => Promise<T>): Promise<Map<string, T>> {
  const ids = [...s.compute, ...(s.extra ?? []), ...(s.dealer ? [s.dealer] : [])];
  const nets = (s.networks ?? memoryNetworks)(ids);
  const config: MpcConfig = {
    protocol: s.protocol,
    computeParties: s.compute,
    fracBits: s.fracBits,
    preprocessing: s.dealer ? { kind: 'ttp', dealer: s.dealer } : s.ot ? { kind: 'ot' } : { kind: 'tfp' },
  };
  const results = new Map<string, T>();
  await Promise.all(
    ids.map(async (id) => {
      const net = nets.get(id)!;
      if (id === s.dealer) {
        await Mpc.serveDealer(net, s.compute);
        return;
      }
      const mpc = await Mpc.create(net, config);
      results.set(id, await program(mpc));
      await mpc.finish();
    }),
  );
  return results;
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, lo: number, hi: number, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}
