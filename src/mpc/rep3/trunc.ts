/**
 * Truncation of replicated shares by d bits with an exact sign: the probabilistic
 * truncation with a known most significant bit of Dalskov, Escudero & Keller, "Secure
 * Evaluation of Quantized Neural Networks" (PoPETs 2020, arXiv 1910.12435, §3.2.2; the
 * sign offset from Escudero et al., CRYPTO 2020, eprint 2020/338, §5.1), run between
 * parties 0 and 1 with party 2 as the dealer of its correlated randomness — the structure
 * SPU uses for ABY3.
 *
 * Unlike ABY3's local share truncation (Mohassel & Rindal 2018, §5.1.1), whose result is
 * wrong with probability ~|x|/2^63 (about once in 2^21 products of fixed-point numbers of
 * size 2^10), the result here is floor(x / 2^d) or one more, always, for |x| < 2^62.
 *
 * Two rounds; two ring elements per element per party:
 *  1. x = a_0 + a_1 + a_2 with a_i known to party i. Parties 0 and 1 mask x' = x + 2^62
 *     with streams r_0, r_1 shared with party 2 and open c = x' + r to each other, where
 *     r = r_0 + r_1 − a_2: party 2 folds its own part into the mask, so it never sends it,
 *     and r stays uniform. Party 2 deals additive shares of r's top bit and of
 *     (r mod 2^63) >> d;
 *  2. the 2-out-of-2 result is turned back into replicated shares: components 0 and 2
 *     come from pair streams, component 1 is exchanged between parties 0 and 1.
 * A replicated x enters as a_0 = x_0 + x_1, a_1 = x_2, a_2 = 0. A product enters as the three
 * local cross-term sums of the replicated product — so a fixed-point product with its
 * truncation takes these two rounds, not one more for resharing the product first (the
 * fusion SPU and MP-SPDZ also make), and no zero-sharing: the masks already hide each a_i.
 */
import * as R from '../../crypto/ring64.js';
import type { Parts } from '../protocol.js';
import type { Rep3Protocol } from './protocol.js';

const fresh = (n: number) => new BigUint64Array(n);
const TOP = 1n << 62n;

export async function truncRep3(p: Rep3Protocol, x: Parts, n: number, d: number): Promise<Parts> {
  if (d <= 0) return x;
  const i = p.index;
  const own = i === 0 ? R.add(R.uninit(n), x[0]!, x[1]!) : i === 1 ? x[1]! : undefined;
  return truncAdditiveRep3(p, own, n, d);
}

/**
 * Truncation of x = a_0 + a_1 + a_2 (this party's `own` = a_i; party 2 may pass undefined for
 * a_2 = 0) by d ≥ 1 bits, to replicated shares.
 */
export async function truncAdditiveRep3(p: Rep3Protocol, own: BigUint64Array | undefined, n: number, d: number): Promise<Parts> {
  const i = p.index;
  const comm = p.comm;
  comm.round();
  if (i === 2) {
    const s02 = p.pair(0, 2);
    const s12 = p.pair(1, 2);
    const r = R.add(R.uninit(n), s02.ring(n), s12.ring(n));
    if (own) R.sub(r, r, own);
    const rb = R.shrl(R.uninit(n), r, 63);
    const rc = R.shrl(R.uninit(n), R.shl(R.uninit(n), r, 1), 1 + d);
    const rb0 = s02.ring(n);
    const rc0 = s02.ring(n);
    const corr = fresh(2 * n);
    R.sub(corr.subarray(0, n), rb, rb0);
    R.sub(corr.subarray(n), rc, rc0);
    comm.send(p.party(1), 'rep3.trunc.dealer', corr);
    comm.round();
    const s0 = s02.ring(n);
    const s2 = s12.ring(n);
    return [s2, s0];
  }
  // Parties 0 and 1.
  const stream = i === 0 ? p.pair(0, 2) : p.pair(1, 2);
  const rMine = stream.ring(n);
  const peer = p.party(1 - i);
  let mine: BigUint64Array;
  if (i === 0) {
    mine = R.add(R.uninit(n), R.addScalar(R.uninit(n), own!, TOP), rMine);
  } else {
    mine = R.add(R.uninit(n), own!, rMine);
  }
  comm.send(peer, 'rep3.trunc.open', mine);
  let rb: BigUint64Array, rc: BigUint64Array;
  if (i === 0) {
    rb = stream.ring(n);
    rc = stream.ring(n);
  } else {
    const corr = await comm.recvRing(p.party(2), 'rep3.trunc.dealer', 2 * n);
    rb = corr.subarray(0, n);
    rc = corr.subarray(n);
  }
  const c = R.add(R.uninit(n), mine, await comm.recvRing(peer, 'rep3.trunc.open', n));
  // This party's additive share of floor((x + 2^62)/2^d) − 2^(62−d) (see assembly/ring64.ts).
  const y = R.truncShare(R.uninit(n), c, rb, rc, d, i === 0);
  comm.round();
  const sOwn = stream.ring(n); // component 0 for party 0, component 2 for party 1
  const t = R.sub(R.uninit(n), y, sOwn);
  comm.send(peer, 'rep3.trunc.reshare', t);
  const s1 = R.add(R.uninit(n), t, await comm.recvRing(peer, 'rep3.trunc.reshare', n));
  return i === 0 ? [sOwn, s1] : [s1, sOwn];
}
