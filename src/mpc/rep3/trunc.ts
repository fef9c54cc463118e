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
import type { Prg } from '../../crypto/prg.js';
import type { Parts } from '../protocol.js';
import type { Rep3Protocol } from './protocol.js';

const TOP = 1n << 62n;
/** The next n elements of a stream into `out` (default: a fresh array, not zero-filled first: the stream overwrites it whole). */
const draw = (prg: Prg, n: number, out: BigUint64Array = R.uninit(n)) => prg.fill(out);

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
  // Arrays are written in place where the values allow it (elementwise kernels read a chunk
  // before writing it): the same values and messages as computing each step into a fresh
  // array, with 4n (party 2) or 5–6n (parties 0, 1) elements allocated instead of 11–12n, and
  // nothing zero-filled. What was sent is never written again; what was received is ours.
  if (i === 2) {
    const s02 = p.pair(0, 2);
    const s12 = p.pair(1, 2);
    const r = draw(s02, n);
    const tmp = draw(s12, n);
    R.add(r, r, tmp);
    if (own) R.sub(r, r, own);
    const corr = R.uninit(2 * n);
    const rb = R.shrl(corr.subarray(0, n), r, 63); // becomes rb − rb0
    const rc = R.shrl(corr.subarray(n), R.shl(corr.subarray(n), r, 1), 1 + d); // becomes rc − rc0
    R.sub(rb, rb, draw(s02, n, tmp)); // rb0
    R.sub(rc, rc, draw(s02, n, tmp)); // rc0
    comm.send(p.party(1), 'rep3.trunc.dealer', corr);
    comm.round();
    const s0 = draw(s02, n, tmp);
    const s2 = draw(s12, n, r);
    return [s2, s0];
  }
  // Parties 0 and 1.
  const stream = i === 0 ? p.pair(0, 2) : p.pair(1, 2);
  const mine = draw(stream, n); // r_i, then the masked a_i + (2^62 at party 0) + r_i
  if (i === 0) R.add(mine, R.addScalar(mine, mine, TOP), own!);
  else R.add(mine, mine, own!);
  const peer = p.party(1 - i);
  comm.send(peer, 'rep3.trunc.open', mine);
  let rb: BigUint64Array, rc: BigUint64Array;
  if (i === 0) {
    rb = draw(stream, n);
    rc = draw(stream, n);
  } else {
    const corr = await comm.recvRing(p.party(2), 'rep3.trunc.dealer', 2 * n);
    rb = corr.subarray(0, n);
    rc = corr.subarray(n);
  }
  const c = await comm.recvRing(peer, 'rep3.trunc.open', n);
  R.add(c, c, mine);
  // This party's additive share of floor((x + 2^62)/2^d) − 2^(62−d) (see assembly/ring64.ts).
  const y = R.truncShare(c, c, rb, rc, d, i === 0);
  comm.round();
  // Component 0 for party 0, component 2 for party 1 (party 0 reuses its rb, party 1's is a view of the dealer's message).
  const sOwn = i === 0 ? draw(stream, n, rb) : draw(stream, n);
  const t = R.sub(y, y, sOwn);
  comm.send(peer, 'rep3.trunc.reshare', t);
  const s1 = await comm.recvRing(peer, 'rep3.trunc.reshare', n);
  R.add(s1, s1, t);
  return i === 0 ? [sOwn, s1] : [s1, sOwn];
}
