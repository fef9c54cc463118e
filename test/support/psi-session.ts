// Runs runPsi at every party of an in-memory session and collects the results.
import type { Network } from '../../src/net/types.js';
import { runPsi, type PsiOptions, type PsiResult } from '../../src/psi/run-psi.js';
import { memoryNetworks } from './memory-net.js';
import { rng } from './session.js';

export interface PsiCase {
  parties: string[];
  receivers: string[];
  sets: string[][];
  cardinalityOnly?: boolean;
  batchSize?: number | number[];
  /** Wraps a party's network (to tamper with what it sends). */
  wrap?: (party: string, net: Network) => Network;
  /** Session members that do not take part in the PSI. */
  extra?: string[];
  /** Per-party option overrides. */
  options?: (party: string) => Partial<PsiOptions>;
}

export async function runPsiCase(c: PsiCase): Promise<Map<string, PsiResult>> {
  const nets = memoryNetworks([...c.parties, ...(c.extra ?? [])]);
  const out = new Map<string, PsiResult>();
  await Promise.all(
    c.parties.map(async (p, i) => {
      const net = c.wrap ? c.wrap(p, nets.get(p)!) : nets.get(p)!;
      const batchSize = Array.isArray(c.batchSize) ? c.batchSize[i] : c.batchSize;
      out.set(p, await runPsi(net, { parties: c.parties, receivers: c.receivers, ids: c.sets[i]!, cardinalityOnly: c.cardinalityOnly, batchSize, ...c.options?.(p) }));
    }),
  );
  return out;
}

/** The plaintext answer: ids in every set, sorted by code point. */
export function plainIntersection(sets: string[][]): string[] {
  let common = new Set(sets[0]);
  for (const s of sets.slice(1)) {
    const t = new Set(s);
    common = new Set([...common].filter((x) => t.has(x)));
  }
  return [...common].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `n` ids drawn (with repeats) from `universe` ids `${prefix}0 … ${prefix}(universe - 1)`. */
export function randomIds(n: number, universe: number, seed: number, prefix = 'id-'): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => `${prefix}${Math.floor(r() * universe)}`);
}

/** A network that passes every message of `self` through `tamper` before sending it. */
export function tamperingNetwork(net: Network, tamper: (peer: string, step: string, data: Uint8Array) => { step: string; data: Uint8Array } | null): Network {
  return {
    get self() { return net.self; },
    get parties() { return net.parties; },
    get meter() { return net.meter; },
    get aborted() { return net.aborted; },
    send(peer, step, data) {
      const t = tamper(peer, step, data);
      return t ? net.send(peer, t.step, t.data) : Promise.resolve();
    },
    recv: (peer, step, n) => net.recv(peer, step, n),
    abort: (e) => net.abort(e),
    close: () => net.close(),
  };
}
