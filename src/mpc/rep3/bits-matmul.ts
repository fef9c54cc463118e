/**
 * Bit injection fused with the matrix product that consumes it (rep3): from boolean shares
 * of m×k bits x (bit 0 of each word) and a rep3 k×n matrix W, rep3 shares of x·W in two
 * rounds — where bit injection (ABY3, Mohassel & Rindal 2018, §5.3: one input, one
 * product) followed by the product takes three. The clearing iteration
 * (algorithms/clearing/mpc.ts) does this once per iteration.
 *
 * Write the bit as x = t ⊕ β with t = β_0 ⊕ β_1 known to party 0 and β = β_2 known to
 * parties 1 and 2, so x = t·c + β with c = 1 − 2β. Party 0 shares t = t_0 + t_1 (t_1 from
 * the stream it shares with party 1, t_0 sent to party 2, as `shareFromCompute` does), and
 * in that same round party 1 sends party 2 two masked values it can already compute:
 * e = t_1∘c + r and D = diag(β)·w_1 + M, with r, M from the stream of parties 0 and 1
 * (uniform to party 2). With W = w_0 + w_1 + w_2 (party j holds w_j, w_{j+1}):
 *   x·W = (t_1∘c + β)(w_1 + w_2)                              party 1
 *       + (t_0∘c)(w_2 + w_0) + β·w_0 + e·w_0 − 2·t_0·D        party 2
 *       + t_0·w_1 + 2·t_0·M − r·w_0                           party 0
 * (the cross terms t_1∘c·w_0 and t_0∘c·w_1 = t_0·w_1 − 2·t_0·diag(β)w_1 split between the
 * party that knows the mask and the one that received the masked value). The three
 * additive shares, with a fresh zero sharing, are reshared in the second round. Party 2
 * sees only masked values and t_0 (uniform); parties 0 and 1 receive nothing new. The price
 * is m·k·(n + 1) words from party 1 to party 2 in the first round.
 */
import * as R from '../../crypto/ring64.js';
import { andPublicParts } from '../parts.js';
import type { Parts } from '../protocol.js';
import type { Rep3Protocol } from './protocol.js';

/** Rep3 shares of x·W (m×n) from boolean shares of the bits x (m×k) and rep3 W (k×n); `negate` uses 1 − x. */
export async function bitsMatmulRep3(p: Rep3Protocol, xb: Parts, w: Parts, m: number, k: number, n: number, negate = false): Promise<Parts> {
  if (p.index < 0) return [];
  const i = p.index;
  const mk = m * k;
  const bit = andPublicParts(xb, 1n);
  // NOT flips component 2 (held by parties 1 and 2).
  if (negate && i === 1) R.xorScalar(bit[1]!, bit[1]!, 1n);
  if (negate && i === 2) R.xorScalar(bit[0]!, bit[0]!, 1n);
  const z = new BigUint64Array(m * n);
  const rowTimes = (out: BigUint64Array, v: BigUint64Array, mats: BigUint64Array, scale: bigint) => {
    // out[j] += scale · v_j · mats_j, one k×n matrix per row j.
    const tmp = new BigUint64Array(n);
    for (let j = 0; j < m; j++) {
      R.matmul(tmp, v.subarray(j * k, (j + 1) * k), mats.subarray(j * k * n, (j + 1) * k * n), 1, k, n);
      const o = out.subarray(j * n, (j + 1) * n);
      R.add(o, o, R.mulScalar(tmp, tmp, scale));
    }
  };
  const cOf = (beta: BigUint64Array) => R.sub(R.uninit(mk), new BigUint64Array(mk).fill(1n), R.mulScalar(R.uninit(mk), beta, 2n));
  p.comm.round();
  if (i === 0) {
    const T = R.xor(R.uninit(mk), bit[0]!, bit[1]!);
    const s01 = p.pair(0, 1);
    const t1 = s01.ring(mk);
    const r = s01.ring(mk);
    const M = s01.ring(mk * n);
    const t0 = R.sub(R.uninit(mk), T, t1);
    p.comm.send(p.party(2), 'rep3.bitmat', t0);
    const [w0, w1] = w as [BigUint64Array, BigUint64Array];
    R.matmul(z, t0, w1, m, k, n);
    const rw0 = R.matmul(new BigUint64Array(m * n), r, w0, m, k, n);
    R.sub(z, z, rw0);
    rowTimes(z, t0, M, 2n);
  } else if (i === 1) {
    const beta = bit[1]!;
    const s01 = p.pair(0, 1);
    const t1 = s01.ring(mk);
    const r = s01.ring(mk);
    const M = s01.ring(mk * n);
    const [w1, w2] = w as [BigUint64Array, BigUint64Array];
    const tc = R.mul(R.uninit(mk), t1, cOf(beta));
    const msg = new BigUint64Array(mk + mk * n);
    R.add(msg.subarray(0, mk), tc, r);
    const D = msg.subarray(mk);
    for (let j = 0; j < m; j++) {
      for (let s = 0; s < k; s++) if (beta[j * k + s] === 1n) D.set(w1.subarray(s * n, (s + 1) * n), (j * k + s) * n);
    }
    R.add(D, D, M);
    p.comm.send(p.party(2), 'rep3.bitmat', msg);
    R.matmul(z, R.add(tc, tc, beta), R.add(R.uninit(k * n), w1, w2), m, k, n);
  } else {
    const beta = bit[0]!;
    const [w2, w0] = w as [BigUint64Array, BigUint64Array];
    const [t0, msg] = await Promise.all([p.comm.recvRing(p.party(0), 'rep3.bitmat', mk), p.comm.recvRing(p.party(1), 'rep3.bitmat', mk + mk * n)]);
    const e = msg.subarray(0, mk);
    const D = msg.subarray(mk);
    const tc = R.mul(R.uninit(mk), t0, cOf(beta));
    R.matmul(z, tc, R.add(R.uninit(k * n), w2, w0), m, k, n);
    R.matmul(z, R.add(R.uninit(mk), beta, e), w0, m, k, n, true);
    rowTimes(z, t0, D, -2n & 0xffffffffffffffffn);
  }
  // A fresh zero sharing before the reshare (as every rep3 product).
  const p0 = new BigUint64Array(m * n);
  const p1 = new BigUint64Array(m * n);
  p.rand!.zeroStreams(p0, p1);
  R.add(z, z, R.sub(p0, p0, p1));
  p.comm.round();
  return p.reshare(z, m * n, 'rep3.bitmat.reshare');
}
