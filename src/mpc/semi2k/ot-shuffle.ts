/**
 * Shuffle correlations without a dealer: for a permuter p with a permutation π of n rows
 * (of `width` words), every party i gets (r_i, y_i) with Σ y_i = π(Σ r_i).
 *
 * p applies π to its own r_p locally. For each other party i, π(r_i) must end up shared
 * between i (who knows r_i) and p (who knows π) without either learning the other's input:
 * an oblivious switching network (Mohassel & Sadeghian, EUROCRYPT 2013, §5; the
 * "permute + share" of Chase, Ghosh & Poburinnaya, ASIACRYPT 2020). π is routed through a
 * Beneš network (benes.ts); every wire value is additively shared between i and p, i's
 * share starting as r_i and p's as 0. At a switch with inputs (x, z) and swap bit σ known to
 * p, the outputs are x + σ(z − x) and z − σ(z − x): p's part σ·(p_z − p_x) is local, and
 * σ·(i_z − i_x) comes from one correlated OT in which p chooses with σ and i offers
 * δ = i_z − i_x — p receives s + σδ, i keeps −s. All OTs of a network go in one batch (i's
 * offsets depend only on its own shares), so the whole correlation costs one round trip per
 * pair, (N·log N − N/2)·width words of corrections with N the next power of two ≥ n.
 */
import * as R from '../../crypto/ring64.js';
import { Prg } from '../../crypto/prg.js';
import { hashToWords } from '../../ot/aes-hash.js';
import * as K from '../../ot/kernel.js';
import { permutationFromSeed, permuteRows } from './correlations.js';
import { benesSize, routeBenes } from './benes.js';
import type { OtParties } from './ot-bits.js';
import { BATCH_OTS } from './ot-pairwise.js';

const roundOts = (m: number) => Math.max(128, Math.ceil(m / 128) * 128);

/** The correlation [r, y, seed] for this party (seed: 2 words; π derives from the permuter's). */
export async function otShuffleCorrelation(ctx: OtParties, n: number, width: number, permuter: number, random: Prg): Promise<BigUint64Array[]> {
  const m = n * width;
  const r = random.ring(m);
  const seed = random.ring(2);
  if (ctx.index !== permuter) {
    const y = await osnSender(ctx, permuter, r, n, width);
    return [r, y, seed];
  }
  const perm = permutationFromSeed(seed, n);
  const y = permuteRows(r, perm, width);
  const N = benesSize(n);
  const src = new Int32Array(N);
  for (let t = 0; t < N; t++) src[t] = t < n ? perm[t]! : t;
  const net = routeBenes(src);
  const parts = await Promise.all(ctx.pairs.map((p, i) => (i === permuter ? undefined : osnPermuter(ctx, i, net, N, n, width))));
  for (const part of parts) if (part) R.add(y, y, part);
  return [r, y, seed];
}

/** Party i: offers its shares' differences; returns its final share of π(r_i) (n×width). */
async function osnSender(ctx: OtParties, permuter: number, r: BigUint64Array, n: number, width: number): Promise<BigUint64Array> {
  const pair = ctx.pairs[permuter]!;
  const ch = pair.channel;
  const N = benesSize(n);
  const k = Math.log2(N);
  const total = N * k - N / 2;
  // The switches' slots are public (the network's shape); only σ is p's secret. Route the
  // identity to get the same slot order p uses.
  const shape = routeBenes(Int32Array.from({ length: N }, (_, t) => t));
  const I = new BigUint64Array(N * width);
  I.set(r);
  for (let t0 = 0; t0 < total; t0 += BATCH_OTS) {
    const t1 = Math.min(total, t0 + BATCH_OTS);
    const ots = roundOts(t1 - t0);
    const q = pair.sender.absorb(await ch.recv('pp.osn.u', 16 * ots), ots);
    const h0 = hashToWords(q, width);
    const h1 = hashToWords(K.xorRows(q, pair.sender.delta, 16), width);
    const d = new BigUint64Array(ots * width);
    for (let t = t0; t < t1; t++) {
      const o = (t - t0) * width;
      const xa = shape.a[t]! * width, xb = shape.b[t]! * width;
      for (let w = 0; w < width; w++) {
        const s = h0[o + w]!;
        d[o + w] = BigInt.asUintN(64, s - h1[o + w]! + I[xb + w]! - I[xa + w]!);
        I[xa + w] = BigInt.asUintN(64, I[xa + w]! - s);
        I[xb + w] = BigInt.asUintN(64, I[xb + w]! + s);
      }
    }
    ch.send('pp.osn.d', d);
  }
  return I.slice(0, n * width);
}

/** The permuter p against party i: returns p's share of π(r_i). */
async function osnPermuter(ctx: OtParties, i: number, net: ReturnType<typeof routeBenes>, N: number, n: number, width: number): Promise<BigUint64Array> {
  const pair = ctx.pairs[i]!;
  const ch = pair.channel;
  const P = new BigUint64Array(N * width);
  for (let t0 = 0; t0 < net.count; t0 += BATCH_OTS) {
    const t1 = Math.min(net.count, t0 + BATCH_OTS);
    const ots = roundOts(t1 - t0);
    const bits = new Uint8Array(ots / 8);
    for (let t = t0; t < t1; t++) if (net.sigma[t]) bits[(t - t0) >> 3]! |= 1 << ((t - t0) & 7);
    const { u, t: rows } = pair.receiver.prepareBits(bits, ots);
    ch.send('pp.osn.u', u);
    const ht = hashToWords(rows, width);
    const d = await ch.recvWords('pp.osn.d', ots * width);
    for (let t = t0; t < t1; t++) {
      const o = (t - t0) * width;
      const xa = net.a[t]! * width, xb = net.b[t]! * width;
      const sigma = net.sigma[t] === 1;
      for (let w = 0; w < width; w++) {
        const v = sigma ? ht[o + w]! + d[o + w]! : ht[o + w]!;
        const pa = P[xa + w]!, pb = P[xb + w]!;
        const moved = sigma ? pb - pa : 0n;
        P[xa + w] = BigInt.asUintN(64, pa + moved + v);
        P[xb + w] = BigInt.asUintN(64, pb - moved - v);
      }
    }
  }
  return P.slice(0, n * width);
}
