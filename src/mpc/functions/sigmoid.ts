/**
 * The logistic function σ(x) = 1 / (1 + e^(−x)), accurate to ~1e-5 over the whole line.
 *
 * σ(x) = σ(|x|) for x ≥ 0 and 1 − σ(|x|) otherwise, and σ(|x|) = 1/(1 + e^(−t)) with
 * t = min(|x|, 16) (beyond 16, σ differs from 1 by less than 2^−23). Then:
 *  - one batched sign test gives s = [x < 0], a = [x < 16], b = [x > −16]; the clamped
 *    magnitude is t = x·u + 16·[|x| ≥ 16] with u = a − b + 1 − 2s ∈ {−1, 0, 1}, which is
 *    linear in the three bits, so clamping costs one product;
 *  - e^(−t) = (e^(−t/16))^16 with e^(−v) on [0, 1] from a degree-7 Chebyshev interpolant;
 *  - 1/(1 + e) on [1, 2] by Newton–Raphson from the minimax line 24/17 − 8y/17 (relative
 *    error 1/17, squared by each of three iterations).
 * About 44 rounds (rep3; 57 without fused product truncations) for any tensor size. Unlike piecewise-linear or low-degree Taylor
 * stand-ins (SecureML; SPU's MM1), the result can be used wherever the true σ is meant,
 * e.g. to reproduce plaintext logistic regression.
 */
import { fixedScalar } from '../fixed-point.js';
import { addParts, mulPublicParts } from '../parts.js';
import { SecretTensor } from '../tensor.js';
import type { Mpc } from '../engine.js';
import { evalPolynomial, fitChebyshev, powers, repeatedSquare } from './polynomial.js';
import { sigmoidPiecewise } from './sigmoid-piecewise.js';

export interface SigmoidOptions {
  /**
   * `exact` (default): e^(−t) and a reciprocal, ~44 rounds. `piecewise`: two degree-8
   * segments (sigmoid-piecewise.ts), 21 rounds, same accuracy class; for training loops.
   */
  method?: 'exact' | 'piecewise';
  /** Newton iterations for the reciprocal (default 3; exact method only). */
  iterations?: number;
}

export const SIGMOID_CLAMP = 16;
const SQUARINGS = 4; // 16 = 2^4
export const EXP_NEG_COEFFS = fitChebyshev((v) => Math.exp(-v), 0, 1, 7);

export async function sigmoid(mpc: Mpc, x0: SecretTensor, options: SigmoidOptions = {}): Promise<SecretTensor> {
  if (options.method === 'piecewise') return sigmoidPiecewise(mpc, x0);
  const x = mpc.toFxp(x0);
  const n = x.size;
  const f = mpc.fracBits;
  const L = SIGMOID_CLAMP;
  const bits = await mpc.ltz(mpc.concat([x, mpc.addPublic(x, -L), mpc.addPublic(mpc.neg(x), -L)]));
  const [s, a, b] = mpc.split(bits, [x.shape, x.shape, x.shape]) as [SecretTensor, SecretTensor, SecretTensor];
  // u/16 as fxp (u·2^(f−4)), big = 2 − a − b, so t/16 = x·(u/16) + big.
  const u = mpc.addPublic(mpc.sub(mpc.sub(a, b), mpc.mulInt(s, 2)), 1);
  const uScaled = mulPublicParts(u.parts, 1n << BigInt(f - SQUARINGS));
  const bigFxp = mulPublicParts(mpc.addPublic(mpc.neg(mpc.add(a, b)), 2).parts, fixedScalar(1, 2 * f));
  const prod = addParts(await mpc.protocol.mulAA(x.parts, uScaled, n), bigFxp);
  const v = new SecretTensor(x.shape, 'fxp', await mpc.protocol.truncA(prod, n, f));
  const pw = await powers(mpc, v, EXP_NEG_COEFFS.length - 1);
  const e = await repeatedSquare(mpc, await evalPolynomial(mpc, pw, EXP_NEG_COEFFS), SQUARINGS);
  // g ≈ 1/y, y = 1 + e ∈ [1, 2].
  const y = mpc.addPublic(e, 1);
  let g = mpc.addPublic(await mpc.mulPublic(y, -8 / 17), 24 / 17);
  for (let i = 0; i < (options.iterations ?? 3); i++) {
    const yg = await mpc.mul(y, g);
    g = await mpc.mul(g, mpc.addPublic(mpc.neg(yg), 2));
  }
  // σ(x) = g + s·(1 − 2g)
  const oneMinus2g = mpc.addPublic(mpc.mulInt(g, -2), 1);
  const corr = await mpc.protocol.mulAA(s.parts, oneMinus2g.parts, n);
  return new SecretTensor(x.shape, 'fxp', addParts(g.parts, corr));
}
