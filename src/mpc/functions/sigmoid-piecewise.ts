/**
 * A faster logistic function for training loops: piecewise polynomials on |x| in 22 rounds
 * instead of ~57, at the same accuracy class (< 6e-5 absolute).
 *
 * σ(x) − 1/2 is odd, so only t = min(|x|, 16) matters. [0, 16) is cut into segments
 * [0,1), [1,2), [2,4), [4,8), [8,16) — narrow where σ bends most — and on each a degree-4
 * Chebyshev interpolant in the segment's own variable u = (t − a)/(b − a) ∈ [0, 1] keeps
 * coefficients and powers small. One batched sign test of x against ±{0,1,2,4,8,16} gives
 * every segment indicator as a *difference* of two test bits (no products), and the
 * clamped magnitude t as one product (the same linear-in-bits trick as `sigmoid.ts`).
 * All five segments are evaluated at once (their powers in two batched levels) and the
 * result is Σ_k (ind⁺_k − ind⁻_k)·p_k(u_k) + ½(big⁺ − big⁻) + ½ — one more product.
 */
import { fixedScalar } from '../fixed-point.js';
import { addParts, concatParts, mulPublicParts, negParts, splitParts, subParts } from '../parts.js';
import { SecretTensor } from '../tensor.js';
import type { Mpc } from '../engine.js';
import { fitChebyshev } from './polynomial.js';
import type { Parts } from '../protocol.js';

const EDGES = [0, 1, 2, 4, 8, 16];
const SEGMENTS = EDGES.slice(0, -1).map((a, k) => [a, EDGES[k + 1]!] as const);
const DEGREE = 4;
/** Coefficients in u for each segment: σ(a + (b − a)u) − 1/2. */
export const PIECEWISE_COEFFS = SEGMENTS.map(([a, b]) => fitChebyshev((u) => 1 / (1 + Math.exp(-(a + (b - a) * u))) - 0.5, 0, 1, DEGREE));

export async function sigmoidPiecewise(mpc: Mpc, x0: SecretTensor): Promise<SecretTensor> {
  const x = mpc.toFxp(x0);
  const n = x.size;
  const f = mpc.fracBits;
  const K = SEGMENTS.length;
  const L = EDGES[EDGES.length - 1]!;
  // Sign tests: lp[j] = [x < E_j] (j = 0..5), ln[j] = [−x < E_j] (j = 1..5).
  const tests = mpc.concat([...EDGES.map((e) => mpc.addPublic(x, -e)), ...EDGES.slice(1).map((e) => mpc.addPublic(mpc.neg(x), -e))]);
  const bits = await mpc.ltz(tests);
  const b = splitParts(bits.parts, new Array(2 * EDGES.length - 1).fill(n));
  const lp = b.slice(0, EDGES.length);
  const ln = [undefined, ...b.slice(EDGES.length)];
  const s = lp[0]!;
  const not = (q: Parts) => mpc.protocol.addPublicA(negParts(q), 1n, n);
  const lp16 = lp[EDGES.length - 1]!;
  const ln16 = ln[EDGES.length - 1]!;
  // big± = [±x ≥ 16]; t = x·(1 − 2s)(1 − big) + 16·big, where (1 − 2s)(1 − big) = lp16 − ln16 + 1 − 2s
  // (when x < 0, lp16 = 1; when x ≥ 0, ln16 = 1), so clamping costs one product.
  const coef = mpc.protocol.addPublicA(subParts(subParts(lp16, ln16), addParts(s, s)), 1n, n);
  const bigP = not(lp16);
  const bigN = not(ln16);
  const big = addParts(bigP, bigN);
  const tRaw = addParts(await mpc.protocol.mulAA(coef, x.parts, n), mulPublicParts(big, fixedScalar(L, f)));
  // u_k = (t − a_k) / (b_k − a_k): one product by public per-element powers of two, one truncation.
  const shifted = concatParts(...SEGMENTS.map(([a]) => mpc.protocol.addPublicA(tRaw, fixedScalar(-a, f), n)));
  const scale = new Float64Array(K * n);
  SEGMENTS.forEach(([a, bb], k) => scale.fill(1 / (bb - a), k * n, (k + 1) * n));
  const u = await mpc.mulPublic(new SecretTensor([K * n], 'fxp', shifted), scale);
  // Powers u^2 (level 1), u^3 and u^4 (level 2), all segments at once.
  const u2 = await mpc.mul(u, u);
  const hi = await mpc.mul(mpc.concat([u2, u2]), mpc.concat([u, u2]));
  const [u3, u4] = mpc.split(hi, [[K * n], [K * n]]) as [SecretTensor, SecretTensor];
  const pw = [u, u2, u3, u4];
  // p_k(u_k) at scale 2f, one truncation.
  const coeffAt = (j: number) => {
    const c = new Float64Array(K * n);
    PIECEWISE_COEFFS.forEach((cs, k) => c.fill(cs[j]!, k * n, (k + 1) * n));
    return c;
  };
  let acc: Parts = mpc.protocol.fromPublic(encodeScaled(coeffAt(0), 2 * f));
  for (let j = 1; j <= DEGREE; j++) acc = addParts(acc, mulPublicParts(pw[j - 1]!.parts, encodeScaled(coeffAt(j), f)));
  const p = await mpc.protocol.truncA(acc, K * n, f);
  // Segment selectors ind⁺_k − ind⁻_k, each a difference of test bits:
  // ind⁺_0 = [x<1] − [x<0]; ind⁻_0 = [−x<1] + s − 1; ind±_k = [±x<b_k] − [±x<a_k].
  const sel: Parts[] = SEGMENTS.map((_, k) => {
    const plus = subParts(lp[k + 1]!, lp[k]!);
    const minus = k === 0 ? mpc.protocol.addPublicA(addParts(ln[1]!, s), BigInt.asUintN(64, -1n), n) : subParts(ln[k + 1]!, ln[k]!);
    return subParts(plus, minus);
  });
  const picked = await mpc.protocol.mulAA(concatParts(...sel), p, K * n);
  let h: Parts = splitParts(picked, new Array(K).fill(n)).reduce((a, c) => addParts(a, c));
  h = addParts(h, mulPublicParts(subParts(bigP, bigN), fixedScalar(0.5, f)));
  return new SecretTensor(x.shape, 'fxp', mpc.protocol.addPublicA(h, fixedScalar(0.5, f), n));
}

function encodeScaled(values: Float64Array, bits: number): BigUint64Array {
  const out = new BigUint64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt.asUintN(64, BigInt(Math.round(values[i]! * 2 ** bits)));
  return out;
}
