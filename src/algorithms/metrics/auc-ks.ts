/**
 * AUC and KS of a binary classifier computed under MPC, revealed to one receiver only.
 *
 * Scores and labels are sorted together without revealing the order (`quicksort.ts`:
 * oblivious shuffle then quicksort where the protocol can shuffle, else a bitonic network); after that every
 * quantity is linear in the sorted labels, with public coefficients:
 *  - AUC by the rank-sum (Mann–Whitney U) formula, AUC = (Σ rank_i·y_i − P(P+1)/2)/(P·N);
 *  - KS = max_k (TPR_k − FPR_k), and with suffix sums TP_k over the top n−k scores,
 *    (TPR_k − FPR_k)·P·N = n·TP_k − (n−k)·P, since N = n − P: no product at all.
 * The maximum is a log2(n)-round tournament of comparisons. Only P² is a product. The two
 * ratios are formed under MPC (after a public rescaling that brings P·N into the
 * reciprocal's domain), so the receiver learns the two metrics and nothing else — not
 * even the class counts. Ties between equal scores count as in the sorted order (no
 * averaging), which matters only for exactly equal fixed-point scores.
 *
 * On request (`curvePoints` = m) the receiver also gets the ROC and KS curves at m + 1
 * evenly spaced cut-offs of the sorted order (the top 0, n/m, 2n/m … n rows): at cut-off k,
 * TPR = TP_k / P and FPR = (n − k − TP_k) / N, again linear in the sorted labels, with two
 * divisions per point done in the same round as the AUC's. This reveals more than AUC and
 * KS — the rates at m cut-offs, hence the class counts — which is why it is opt-in: FATE's
 * evaluation reports the same curves (ROC, KS) to the label holder. The curves are those of
 * Fawcett, "An introduction to ROC analysis", Pattern Recognition Letters 27 (2006).
 */
import { mulPublicParts } from '../../mpc/parts.js';
import { SecretTensor } from '../../mpc/tensor.js';
import type { Mpc } from '../../mpc/engine.js';
import { sortByKey } from './quicksort.js';

export interface AucKs {
  auc: number;
  ks: number;
  /** With curvePoints: the share of rows above each cut-off and the TPR and FPR there. */
  curve?: { population: number[]; tpr: number[]; fpr: number[] };
}

/** An int tensor x as the fxp value x / 2^k (exact up to the truncation's ulp). */
async function intToScaledFxp(mpc: Mpc, x: SecretTensor, k: number): Promise<SecretTensor> {
  const f = mpc.fracBits;
  if (k <= f) return new SecretTensor(x.shape, 'fxp', mulPublicParts(x.parts, 1n << BigInt(f - k)));
  return new SecretTensor(x.shape, 'fxp', (await mpc.trunc(x, k - f)).parts);
}

/** start, start + step, … (n ring elements; all in [0, 2^32)), written as u32 halves: no BigInt per element. */
function countingFrom(start: number, step: number, n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const u32 = new Uint32Array(out.buffer);
  for (let i = 0, v = start; i < n; i++, v += step) u32[2 * i] = v;
  return out;
}

/** The maximum of a 1-D int or fxp tensor by a comparison tournament. */
export async function secretMax(mpc: Mpc, x: SecretTensor, padValue: number): Promise<SecretTensor> {
  let v = x;
  let n = v.size;
  while (n > 1) {
    if (n % 2 === 1) {
      v = mpc.concat([v, mpc.constant([padValue], [1], v.dtype)]);
      n++;
    }
    const [a, b] = mpc.split(v, [[n / 2], [n / 2]]) as [SecretTensor, SecretTensor];
    v = await mpc.select(await mpc.lt(a, b), b, a);
    n /= 2;
  }
  return v;
}

export async function aucKsUnderMpc(
  mpc: Mpc,
  scores: SecretTensor,
  labels: SecretTensor,
  receiver: string,
  onProgress?: (done: number, total: number) => void,
  curvePoints = 0,
): Promise<AucKs | undefined> {
  const n = scores.size;
  const sorted = await sortByKey(mpc, scores, [labels], 2 ** 30, onProgress);
  const y = sorted.payloads[0]!; // int 0/1, ascending by score
  const P = mpc.sum(y);
  const rankSum = mpc.sum(new SecretTensor([n], 'int', mulPublicParts(y.parts, countingFrom(1, 1, n))));
  // Suffix sums TP_k = Σ_{i ≥ k} y_i, D_k = n·TP_k − (n − k)·P.
  const tp = y.parts.map((p) => {
    const out = new BigUint64Array(n);
    let acc = 0n;
    for (let i = n - 1; i >= 0; i--) {
      acc = BigInt.asUintN(64, acc + p[i]!);
      out[i] = acc;
    }
    return out;
  });
  const Pn = new SecretTensor([n], 'int', P.parts.map((p) => new BigUint64Array(n).fill(p[0]!)));
  const D = mpc.sub(mpc.mulInt(new SecretTensor([n], 'int', tp), n), new SecretTensor([n], 'int', mulPublicParts(Pn.parts, countingFrom(n, -1, n))));
  const maxD = await secretMax(mpc, D, -(2 ** 50));
  const P2 = await mpc.mulRing(P, P);
  const den = mpc.sub(mpc.mulInt(P, n), P2); // P·N
  const twoU = mpc.sub(mpc.sub(mpc.mulInt(rankSum, 2), P2), P); // 2·(Σ rank·y − P(P+1)/2)
  // Bring P·N ≤ n²/4 to at most 2^12 before dividing (inside the reciprocal's domain).
  const k = Math.max(0, Math.ceil(Math.log2(Math.max(4, (n * n) / 4))) - 12);
  const num = await intToScaledFxp(mpc, mpc.concat([twoU, maxD]), k + 1);
  const d = await intToScaledFxp(mpc, mpc.concat([den, den]), k + 1);
  const twoD = mpc.concat([mpc.mulInt(mpc.split(d, [[1], [1]])[0]!, 2), mpc.split(d, [[1], [1]])[1]!]);
  // Curve points: cut-off k_j = n − round(n·j/m) (the top n − k_j rows score above it).
  const m = Math.max(0, Math.floor(curvePoints));
  const cuts = Array.from({ length: m ? m + 1 : 0 }, (_, j) => n - Math.round((n * j) / m));
  let curveNum: SecretTensor | undefined;
  let curveDen: SecretTensor | undefined;
  if (m) {
    const len = cuts.length;
    const tpAt = new SecretTensor([len], 'int', tp.map((p) => BigUint64Array.from(cuts, (k) => (k === n ? 0n : p[k]!))));
    const fpAt = mpc.sub(mpc.constant(cuts.map((k) => n - k), [len], 'int'), tpAt);
    const Pv = new SecretTensor([len], 'int', P.parts.map((p) => new BigUint64Array(len).fill(p[0]!)));
    const Nv = mpc.sub(mpc.constant(new Array<number>(len).fill(n), [len], 'int'), Pv);
    // Counts up to n: scaled by a common 2^-c into the reciprocal's domain (ratios unchanged).
    const c = Math.max(0, Math.ceil(Math.log2(n + 1)) - 16);
    curveNum = await intToScaledFxp(mpc, mpc.concat([tpAt, fpAt]), c);
    curveDen = await intToScaledFxp(mpc, mpc.concat([Pv, Nv]), c);
  }
  const ratios = await mpc.div(curveNum ? mpc.concat([num, curveNum]) : num, curveDen ? mpc.concat([twoD, curveDen]) : twoD);
  const out = await mpc.reveal(ratios, receiver);
  if (!out) return undefined;
  const res: AucKs = { auc: out[0]!, ks: out[1]! };
  if (m) {
    const len = cuts.length;
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    res.curve = {
      population: cuts.map((k) => (n - k) / n),
      tpr: Array.from(out.subarray(2, 2 + len), clamp),
      fpr: Array.from(out.subarray(2 + len, 2 + 2 * len), clamp),
    };
  }
  return res;
}
